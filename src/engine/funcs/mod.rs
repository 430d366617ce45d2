//! The function table: Sprig's functions and Helm's own, by family.
//!
//! Every function takes its evaluated arguments and returns a value or an error
//! message; the executor adds the template position to the message. The
//! message is a plain `String` on purpose: in Go a function's error is only
//! its text, which Helm prints and `include`/`tpl` callers see verbatim, so a
//! typed error would carry nothing more. The typed [`crate::engine::Error`]
//! (kind, location, Go's and Helm's layouts) starts at the call. Functions
//! that need the executor itself (`include`, `tpl`, `template`, `and`, `or`)
//! live with the executor, not here.

use crate::value::Value;
use std::sync::OnceLock;

pub mod conv;
pub mod crypto;
pub mod dates;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod lists;
pub mod math;
mod re2;
pub mod reflect;
pub mod regexp;
pub mod semver;
pub mod signatures;
pub mod strings;
pub mod toml;

/// What one call of `name` with `args` costs against [`super::Limits::max_work`]:
/// zero for everything but key generation and password hashing, which take
/// far longer than any number of steps. One unit is one bcrypt hash at cost
/// 10, about 85 ms of one core in a release build on the 2-core machine the
/// figures were measured on (shared, as CI is). Since the prime search of
/// `rsagen` (issue 18), an RSA-4096 key takes about 0.9 s of CPU on average
/// (prime search varies, 0.3 to 3 s), a certificate with its fresh RSA-2048
/// key about 80 ms; a DSA key 2.6 s, scrypt 0.2 s.
pub fn work(name: &str, args: &[Value]) -> u64 {
    match name {
        "bcrypt" | "htpasswd" => 1,
        // scrypt with N=32768, r=8: 32 MiB.
        "derivePassword" => 3,
        // A fresh 2048-bit RSA key each (the `…WithKey` forms only sign).
        "genCA" | "genSelfSignedCert" | "genSignedCert" => 1,
        "genPrivateKey" => match args.first().and_then(Value::as_str) {
            Some("" | "rsa") => 11,
            Some("dsa") => 30,
            _ => 0,
        },
        _ => 0,
    }
}

/// A template function: evaluated arguments in, a value or an error message out.
pub type Func = fn(&[Value]) -> Result<Value, String>;

/// A function of the table with its Go parameter types.
#[derive(Clone, Copy, Debug)]
pub struct TableFunc {
    pub func: Func,
    pub params: signatures::Params,
}

/// The table of all functions, by name.
pub struct FuncTable {
    // foldhash: every function name of every template is looked up here
    // while parsing (SipHash was 1% of a render).
    funcs: foldhash::HashMap<&'static str, TableFunc>,
}

impl FuncTable {
    fn new() -> FuncTable {
        let mut table = FuncTable {
            funcs: foldhash::HashMap::default(),
        };
        conv::register(&mut table);
        crypto::register(&mut table);
        dates::register(&mut table);
        defaults::register(&mut table);
        dicts::register(&mut table);
        encoding::register(&mut table);
        lists::register(&mut table);
        math::register(&mut table);
        reflect::register(&mut table);
        regexp::register(&mut table);
        semver::register(&mut table);
        strings::register(&mut table);
        for (name, params) in signatures::all() {
            if let Some(f) = table.funcs.get_mut(name) {
                f.params = params;
            }
        }
        table
    }

    /// Adds a function; a later registration of the same name replaces the earlier.
    pub fn add(&mut self, name: &'static str, func: Func) {
        let params = signatures::Params::ANY;
        self.funcs.insert(name, TableFunc { func, params });
    }

    pub fn get(&self, name: &str) -> Option<TableFunc> {
        self.funcs.get(name).copied()
    }
}

/// The shared, immutable table, built once per process.
pub fn table() -> &'static FuncTable {
    static TABLE: OnceLock<FuncTable> = OnceLock::new();
    TABLE.get_or_init(FuncTable::new)
}
