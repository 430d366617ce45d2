//! The Go parameter types of Sprig's (and Helm's) typed functions.
//!
//! Go's template engine converts each argument to its parameter's type before
//! calling, and reports a mismatch at the argument itself
//! (`executing "x" at <.Values.f>: wrong type for value; expected int; got
//! float64`), not as `error calling NAME: …`. It also converts constants:
//! `until 3.0` passes the int 3, `trunc "2" …` fails with `expected integer;
//! found "2"`. The executor does both from this table before calling; the
//! functions still check their own arguments, so they stay safe on their own.
//! Parameters not listed are `interface{}` and take anything.

/// A Go parameter type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything.
    Any,
    /// `string`.
    Str,
    /// `int`: only integers (a float64 from values does not convert).
    Int,
    /// `float64`: integer constants convert.
    Float,
    /// `uint32`: only non-negative whole constants (no value computed in a
    /// template has this type).
    Uint32,
    /// `bool`.
    Bool,
    /// `map[string]interface{}`: a dict, or nil as Go's nil map.
    Map,
    /// `io.Writer`: no template value is one; only nil passes.
    Writer,
}

impl Param {
    /// Go's name of the type, as its error messages print it.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Uint32 => "uint32",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
            Param::Writer => "io.Writer",
        }
    }
}

/// Signatures as letters, one a parameter: `s` string, `i` int, `f`
/// float64, `u` uint32, `b` bool, `m` map, `w` io.Writer, `a` anything; a trailing `*` repeats the last
/// letter (Go's variadic `...T`).
const SIGNATURES: &[(&str, &str)] = &[
    // strings
    ("trim", "s"),
    ("upper", "s"),
    ("lower", "s"),
    ("title", "s"),
    ("untitle", "s"),
    ("nospace", "s"),
    ("initials", "s"),
    ("swapcase", "s"),
    ("shuffle", "s"),
    ("snakecase", "s"),
    ("camelcase", "s"),
    ("kebabcase", "s"),
    ("trimAll", "ss"),
    ("trimall", "ss"),
    ("trimPrefix", "ss"),
    ("trimSuffix", "ss"),
    ("contains", "ss"),
    ("hasPrefix", "ss"),
    ("hasSuffix", "ss"),
    ("trunc", "is"),
    ("substr", "iis"),
    ("repeat", "is"),
    ("indent", "is"),
    ("nindent", "is"),
    ("replace", "sss"),
    ("plural", "ssi"),
    ("abbrev", "is"),
    ("abbrevboth", "iis"),
    ("wrap", "is"),
    ("wrapWith", "iss"),
    ("split", "ss"),
    ("splitList", "ss"),
    ("splitn", "sis"),
    ("join", "sa"),
    ("getHostByName", "s"),
    ("base", "s"),
    ("dir", "s"),
    ("clean", "s"),
    ("ext", "s"),
    ("isAbs", "s"),
    ("osBase", "s"),
    ("osDir", "s"),
    ("osClean", "s"),
    ("osExt", "s"),
    ("osIsAbs", "s"),
    ("urlParse", "s"),
    ("urlJoin", "m"),
    // conversions and numbers
    ("atoi", "s"),
    ("until", "i"),
    ("untilStep", "iii"),
    ("seq", "i*"),
    ("randInt", "ii"),
    ("round", "aif*"),
    ("chunk", "ia"),
    ("mustChunk", "ia"),
    // defaults and reflection
    ("ternary", "aab"),
    ("typeIs", "sa"),
    ("typeIsLike", "sa"),
    ("kindIs", "sa"),
    // dicts
    ("get", "ms"),
    ("set", "msa"),
    ("unset", "ms"),
    ("hasKey", "ms"),
    ("pluck", "sm*"),
    ("keys", "m*"),
    ("values", "m"),
    ("pick", "ms*"),
    ("omit", "ms*"),
    ("merge", "mm*"),
    ("mustMerge", "mm*"),
    ("mergeOverwrite", "mm*"),
    ("mustMergeOverwrite", "mm*"),
    // regular expressions
    ("regexMatch", "ss"),
    ("mustRegexMatch", "ss"),
    ("regexFind", "ss"),
    ("mustRegexFind", "ss"),
    ("regexFindAll", "ssi"),
    ("mustRegexFindAll", "ssi"),
    ("regexReplaceAll", "sss"),
    ("mustRegexReplaceAll", "sss"),
    ("regexReplaceAllLiteral", "sss"),
    ("mustRegexReplaceAllLiteral", "sss"),
    ("regexSplit", "ssi"),
    ("mustRegexSplit", "ssi"),
    ("regexQuoteMeta", "s"),
    // hashes, random values, passwords, keys and certificates
    ("sha1sum", "s"),
    ("sha256sum", "s"),
    ("sha512sum", "s"),
    ("adler32sum", "s"),
    ("randAlphaNum", "i"),
    ("randAlpha", "i"),
    ("randNumeric", "i"),
    ("randAscii", "i"),
    ("randBytes", "i"),
    ("bcrypt", "s"),
    ("htpasswd", "ss"),
    ("derivePassword", "ussss"),
    ("genPrivateKey", "s"),
    ("encryptAES", "ss"),
    ("decryptAES", "ss"),
    ("buildCustomCert", "ss"),
    ("genCA", "si"),
    ("genCAWithKey", "sis"),
    ("genSelfSignedCert", "saai"),
    ("genSelfSignedCertWithKey", "saais"),
    ("genSignedCert", "saaia"),
    ("genSignedCertWithKey", "saaias"),
    // semantic versions and dates
    ("semver", "s"),
    ("semverCompare", "ss"),
    ("date", "sa"),
    ("dateInZone", "sas"),
    ("date_in_zone", "sas"),
    ("htmlDateInZone", "as"),
    ("dateModify", "sa"),
    ("date_modify", "sa"),
    ("mustDateModify", "sa"),
    ("must_date_modify", "sa"),
    ("toDate", "ss"),
    ("mustToDate", "ss"),
];

fn letter(c: u8) -> Param {
    match c {
        b's' => Param::Str,
        b'i' => Param::Int,
        b'f' => Param::Float,
        b'u' => Param::Uint32,
        b'b' => Param::Bool,
        b'm' => Param::Map,
        b'w' => Param::Writer,
        _ => Param::Any,
    }
}

/// A function's parameter types, as one of the letter strings above
/// (empty: every parameter is `interface{}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params(&'static str);

impl Params {
    /// Every parameter `interface{}`.
    pub const ANY: Params = Params("");

    /// Parameters written as letters (see [`SIGNATURES`]).
    pub const fn new(letters: &'static str) -> Params {
        Params(letters)
    }

    /// The type of parameter `index` (from 0); `Any` past a fixed arity (the
    /// arity check reports those).
    pub fn at(self, index: usize) -> Param {
        let b = self.0.as_bytes();
        let (fixed, variadic) = match b.last() {
            Some(b'*') => (&b[..b.len() - 1], true),
            _ => (b, false),
        };
        match fixed.get(index) {
            Some(&c) => letter(c),
            None if variadic => fixed.last().map_or(Param::Any, |&c| letter(c)),
            None => Param::Any,
        }
    }

    /// Whether any parameter is typed (most calls can skip the checks).
    pub fn is_typed(self) -> bool {
        !self.0.is_empty()
    }
}

/// Every typed function with its parameters.
pub fn all() -> impl Iterator<Item = (&'static str, Params)> {
    SIGNATURES.iter().map(|&(name, sig)| (name, Params(sig)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::table;

    fn param(name: &str, index: usize) -> Param {
        table().get(name).map_or(Param::Any, |f| f.params.at(index))
    }

    #[test]
    fn parameters_by_position() {
        assert_eq!(param("trunc", 0), Param::Int);
        assert_eq!(param("trunc", 1), Param::Str);
        assert_eq!(param("trunc", 2), Param::Any);
        assert_eq!(param("pick", 5), Param::Str);
        assert_eq!(param("pluck", 3), Param::Map);
        assert_eq!(param("round", 2), Param::Float);
        assert_eq!(param("default", 0), Param::Any);
        assert_eq!(Param::Map.go_name(), "map[string]interface {}");
    }

    #[test]
    fn every_signature_names_a_registered_function() {
        for (name, _) in SIGNATURES {
            assert!(table().get(name).is_some(), "{name}");
        }
    }
}
