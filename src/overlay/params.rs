//! Overlay parameters: `${name}` in a string of an overlay file takes the
//! parameter's value (its default, or the override given on the command line or
//! in a stack). `$${` writes a literal `${`.
//!
//! Substitution happens while the file is deserialized, scalar by scalar, so an
//! error in a substituted value (a bad quantity, say) still points at the line
//! and column of the scalar that used the parameter. The parameters in force
//! are set for the duration of one file's deserialization ([`with_params`]).

use indexmap::IndexMap;
use std::cell::RefCell;

thread_local! {
    static PARAMS: RefCell<Option<IndexMap<String, String>>> = const { RefCell::new(None) };
}

/// Runs `f` with `params` as the parameters `${…}` refers to, restoring the
/// previous set afterwards (also when `f` panics).
pub fn with_params<T>(params: &IndexMap<String, String>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<IndexMap<String, String>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            PARAMS.with(|p| *p.borrow_mut() = old);
        }
    }
    let old = PARAMS.with(|p| p.borrow_mut().replace(params.clone()));
    let _restore = Restore(old);
    f()
}

/// Expands `${name}` references in `s`.
pub fn expand(s: &str) -> Result<String, String> {
    if !s.contains('$') {
        return Ok(s.to_string());
    }
    PARAMS.with(|p| {
        let p = p.borrow();
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(r) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = r;
            } else if let Some(r) = after.strip_prefix("${") {
                let end = r
                    .find('}')
                    .ok_or_else(|| format!("unclosed parameter reference in {s:?}: write ${{name}}"))?;
                let name = &r[..end];
                match p.as_ref().and_then(|m| m.get(name)) {
                    Some(v) => out.push_str(v),
                    None => {
                        let known: Vec<&str> = p
                            .as_ref()
                            .map(|m| m.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        return Err(format!(
                            "unknown parameter ${{{name}}}: declare it under `parameters:` (declared: {})",
                            if known.is_empty() { "none".to_string() } else { known.join(", ") }
                        ));
                    }
                }
                rest = &r[end + 1..];
            } else {
                out.push('$');
                rest = &after[1..];
            }
        }
        out.push_str(rest);
        Ok(out)
    })
}

/// A scalar of an overlay file read as text (numbers and booleans too, as
/// written), with parameters expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamString(pub String);

impl<'de> serde::Deserialize<'de> for ParamString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = String;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
                Ok(v.to_string())
            }
        }
        let raw = d.deserialize_any(V)?;
        expand(&raw)
            .map(ParamString)
            .map_err(serde::de::Error::custom)
    }
}

/// A quantity in an overlay file (`min: 100m`, `cpu: ${cpu}`), read as
/// written with parameters expanded.
impl<'de> serde::Deserialize<'de> for crate::manifest::quantity::Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = ParamString::deserialize(d)?;
        Self::parse(&s.0).map_err(serde::de::Error::custom)
    }
}

/// Any JSON value of an overlay file (what `set`, `merge` and `patch` write),
/// with parameters expanded in its strings. A string that is exactly one
/// reference whose value reads as a number or boolean becomes that number or
/// boolean, so `replicas: ${replicas}` writes `replicas: 2`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue(pub serde_json::Value);

impl<'de> serde::Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut v = serde_json::Value::deserialize(d)?;
        expand_value(&mut v).map_err(serde::de::Error::custom)?;
        Ok(ParamValue(v))
    }
}

fn expand_value(v: &mut serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) => {
            let whole = s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1;
            let new = expand(s)?;
            *v = match whole {
                true => match serde_json::from_str::<serde_json::Value>(&new) {
                    Ok(n @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => n,
                    _ => serde_json::Value::String(new),
                },
                false => serde_json::Value::String(new),
            };
        }
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(expand_value)?,
        serde_json::Value::Object(map) => map.values_mut().try_for_each(expand_value)?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> IndexMap<String, String> {
        [("cpu", "200m"), ("n", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_references() {
        with_params(&params(), || {
            assert_eq!(expand("${cpu}").unwrap(), "200m");
            assert_eq!(expand("a-${cpu}-${n}").unwrap(), "a-200m-2");
            assert_eq!(expand("$${cpu} $5").unwrap(), "${cpu} $5");
            assert!(expand("${nope}").unwrap_err().contains("declared: cpu, n"));
            assert!(expand("${cpu").is_err());
        });
        assert!(expand("${cpu}").is_err());
    }

    #[test]
    fn values_take_types_from_whole_references() {
        with_params(&params(), || {
            let v: ParamValue =
                yaml_serde::from_str("{r: '${n}', s: 'x${n}', c: '${cpu}'}").unwrap();
            assert_eq!(v.0, serde_json::json!({"r": 2, "s": "x2", "c": "200m"}));
        });
    }
}
