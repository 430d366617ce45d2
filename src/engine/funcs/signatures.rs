//! The Go parameter types of Sprig's (and Helm's) typed functions.
//!
//! Go's template engine converts each argument to its parameter's type before
//! calling, and reports a mismatch at the argument itself
//! (`executing "x" at <.Values.f>: wrong type for value; expected int; got
//! float64`), not as `error calling NAME: …`. The functions check their own
//! arguments too (so they stay safe on their own), but an executor that wants
//! Go's exact error position asks [`param`] first. Parameters not listed are
//! `interface{}` and take anything.

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
    /// `bool`.
    Bool,
    /// `map[string]interface{}`: a dict, or nil as Go's nil map.
    Map,
}

impl Param {
    /// Go's name of the type, as its error messages print it.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
        }
    }
}

/// Signatures as letters, one a parameter: `s` string, `i` int, `f`
/// float64, `b` bool, `m` map, `a` anything; a trailing `*` repeats the last
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
    ("derivePassword", "issss"),
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
        b'b' => Param::Bool,
        b'm' => Param::Map,
        _ => Param::Any,
    }
}

/// The type of parameter `index` (from 0) of function `name`; `Any` for
/// untyped parameters, unknown functions, and indexes past a fixed arity
/// (the arity check reports those).
pub fn param(name: &str, index: usize) -> Param {
    let Some((_, sig)) = SIGNATURES.iter().find(|(n, _)| *n == name) else {
        return Param::Any;
    };
    let b = sig.as_bytes();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::table;

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
            assert!(table().contains(name), "{name}");
        }
    }
}
