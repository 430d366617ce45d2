//! Template functions: semantic versions and Masterminds constraints (`semver`,
//! `semverCompare`). The versions themselves live in [`crate::semver`].

use super::conv::{arity, expect_str};
use super::FuncTable;
use crate::semver::{Constraint, Version};
use crate::value::{Object, Value};
use std::any::Any;
use std::cmp::Ordering;

pub fn register(table: &mut FuncTable) {
    table.add("semver", semver);
    table.add("semverCompare", semver_compare);
}

/// Versions and constraints are read by regexes with captures, tens of
/// nanoseconds a byte: 4 steps a byte, beyond the executor's charge for
/// reading the arguments (a long string in a loop would otherwise hang).
fn parse_cost(texts: &[&str]) {
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    crate::value::meter::charge(bytes as u64 * 4);
}

/// `semver "1.2.3"`: a `*semver.Version` with its fields and methods.
fn semver(args: &[Value]) -> Result<Value, String> {
    arity("semver", args, 1)?;
    let s = expect_str("semver", &args[0])?;
    parse_cost(&[s]);
    let version = Version::parse(s).map_err(|e| format!("error calling semver: {e}"))?;
    Ok(Value::object(SemverObject(version)))
}

/// `semverCompare CONSTRAINT VERSION`: whether the version satisfies the
/// constraint. A bad constraint or version is an error, not false.
fn semver_compare(args: &[Value]) -> Result<Value, String> {
    arity("semverCompare", args, 2)?;
    let constraint = expect_str("semverCompare", &args[0])?;
    let version = expect_str("semverCompare", &args[1])?;
    parse_cost(&[constraint, version]);
    let fail = |e: crate::semver::Error| format!("error calling semverCompare: {e}");
    let c = Constraint::parse(constraint).map_err(fail)?;
    let v = Version::parse(version).map_err(fail)?;
    Ok(Value::Bool(c.matches(&v)))
}

/// A version as templates see Sprig's `*semver.Version`: `.Major`, `.Prerelease`,
/// `.Original`, `.Compare $other`, …; it prints as its normalized string.
pub struct SemverObject(pub Version);

impl SemverObject {
    fn other<'a>(name: &str, args: &'a [Value]) -> Result<&'a Version, String> {
        let wrong = || format!("wrong number of args for {name}: want 1 got {}", args.len());
        if args.len() != 1 {
            return Err(wrong());
        }
        match &args[0] {
            Value::Object(o) => o
                .as_any()
                .downcast_ref::<SemverObject>()
                .map(|s| &s.0)
                .ok_or_else(|| wrong_type(name, &args[0])),
            other => Err(wrong_type(name, other)),
        }
    }
}

fn wrong_type(name: &str, v: &Value) -> String {
    format!(
        "error calling {name}: wrong type for value; expected *semver.Version; got {}",
        v.type_name()
    )
}

fn to_int(u: u64) -> Value {
    Value::Int(i64::try_from(u).unwrap_or(i64::MAX))
}

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn kind_name(&self) -> &str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        Some(match name {
            "Major" => to_int(v.major()),
            "Minor" => to_int(v.minor()),
            "Patch" => to_int(v.patch()),
            "Prerelease" => Value::str(v.prerelease()),
            "Metadata" => Value::str(v.metadata()),
            "Original" => Value::str(v.original()),
            "String" => Value::str(v.to_string()),
            "IncMajor" => Value::object(SemverObject(v.inc_major())),
            "IncMinor" => Value::object(SemverObject(v.inc_minor())),
            "IncPatch" => Value::object(SemverObject(v.inc_patch())),
            _ => return None,
        })
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let ord = |want: fn(Ordering) -> bool| {
            Self::other(name, args).map(|o| Value::Bool(want(self.0.compare(o))))
        };
        Some(match name {
            "Compare" => Self::other(name, args).map(|o| {
                Value::Int(match self.0.compare(o) {
                    Ordering::Less => -1,
                    Ordering::Equal => 0,
                    Ordering::Greater => 1,
                })
            }),
            "LessThan" => ord(|o| o == Ordering::Less),
            "GreaterThan" => ord(|o| o == Ordering::Greater),
            "Equal" => ord(|o| o == Ordering::Equal),
            "LessThanEqual" => ord(|o| o != Ordering::Greater),
            "GreaterThanEqual" => ord(|o| o != Ordering::Less),
            // The methods without arguments (`.Major`, `.IncPatch`).
            _ => {
                let v = self.field(name)?;
                if args.is_empty() {
                    Ok(v)
                } else {
                    Err(format!(
                        "wrong number of args for {name}: want 0 got {}",
                        args.len()
                    ))
                }
            }
        })
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Major"
                | "Minor"
                | "Patch"
                | "Prerelease"
                | "Metadata"
                | "Original"
                | "String"
                | "IncMajor"
                | "IncMinor"
                | "IncPatch"
                | "Compare"
                | "LessThan"
                | "GreaterThan"
                | "Equal"
                | "LessThanEqual"
                | "GreaterThanEqual"
        )
    }

    fn format(&self) -> String {
        self.0.to_string()
    }

    /// Versions encode to JSON and YAML as their string.
    fn to_plain(&self) -> Option<Value> {
        Some(Value::str(self.0.to_string()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(&[Value]) -> Result<Value, String>, args: &[&str]) -> Result<Value, String> {
        let args: Vec<Value> = args.iter().map(|s| Value::str(*s)).collect();
        f(&args)
    }

    #[test]
    fn semver_compare_checks_kube_versions() {
        let got = call(semver_compare, &[">=1.19-0", "v1.36.0"]).unwrap();
        assert_eq!(got, Value::Bool(true));
        let got = call(semver_compare, &["<1.19-0", "v1.36.0"]).unwrap();
        assert_eq!(got, Value::Bool(false));
    }

    #[test]
    fn semver_compare_reports_errors_as_helm() {
        let e = call(semver_compare, &["foo", "1.2.3"]).unwrap_err();
        assert_eq!(
            e,
            "error calling semverCompare: improper constraint: \"foo\""
        );
        let e = call(semver_compare, &[">=1.2", "x"]).unwrap_err();
        assert_eq!(e, "error calling semverCompare: invalid semantic version");
    }

    #[test]
    fn semver_objects_have_fields_and_methods() {
        // Helm prints `1.2.0 v1.2-rc.1+m 1 *semver.Version -1` for these.
        let a = call(semver, &["v1.2"]).unwrap();
        assert_eq!(a.to_string(), "1.2.0");
        let b = call(semver, &["v1.2-rc.1+m"]).unwrap();
        assert_eq!(b.get("Original").to_string(), "v1.2-rc.1+m");
        assert_eq!(b.get("Prerelease").to_string(), "rc.1");
        assert_eq!(b.type_name(), "*semver.Version");
        let Value::Object(o) = call(semver, &["1.2.3"]).unwrap() else {
            panic!("semver returns an object");
        };
        let other = call(semver, &["1.2.4"]).unwrap();
        assert_eq!(
            o.call("Compare", &[other]).unwrap().unwrap(),
            Value::Int(-1)
        );
        assert!(o.call("Compare", &[Value::str("1.2.4")]).unwrap().is_err());
        assert!(o.has_method("Major"));
        assert_eq!(o.call("Major", &[]).unwrap().unwrap(), Value::Int(1));
        let e = call(semver, &["1.2.3-01"]).unwrap_err();
        assert_eq!(e, "error calling semver: version segment starts with 0");
    }
}
