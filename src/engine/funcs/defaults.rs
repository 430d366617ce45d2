//! Template functions: defaults and emptiness (`default`, `empty`, `coalesce`,
//! `all`, `any`, `ternary`). Helm's `fail` and `required` are executor
//! builtins (they take precedence over this table).
//!
//! "Empty" is Sprig's `empty`: nil, false, 0, 0.0, and empty strings, lists
//! and maps; objects (`.Capabilities`, `.Files`) are never empty.

use super::conv::{arg_bool, arity, arity_at_least};
use super::FuncTable;
use crate::value::complex::Complex;
use crate::value::Value;

pub fn register(table: &mut FuncTable) {
    table.add("default", default);
    table.add("empty", |a| {
        arity("empty", a, 1)?;
        Ok(Value::Bool(is_empty(&a[0])))
    });
    table.add("coalesce", |a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    table.add("all", |a| Ok(Value::Bool(a.iter().all(|v| !is_empty(v)))));
    table.add("any", |a| Ok(Value::Bool(a.iter().any(|v| !is_empty(v)))));
    table.add("ternary", ternary);
}

/// Sprig's `empty`.
pub fn is_empty(v: &Value) -> bool {
    match v {
        // A complex number is empty when zero (Sprig's `IsZero`); other
        // objects are structs, never empty.
        Value::Object(_) if Complex::of(v).is_some() => !v.truthy(),
        Value::Object(_) => false,
        other => !other.truthy(),
    }
}

/// `default D GIVEN`: GIVEN unless it is empty or missing, else D.
fn default(args: &[Value]) -> Result<Value, String> {
    arity_at_least("default", args, 1)?;
    Ok(match args.get(1) {
        Some(given) if !is_empty(given) => given.clone(),
        _ => args[0].clone(),
    })
}

/// `ternary A B COND`: A when COND is true, else B.
fn ternary(args: &[Value]) -> Result<Value, String> {
    arity("ternary", args, 3)?;
    let cond = arg_bool(&args[2])?;
    Ok(if cond {
        args[0].clone()
    } else {
        args[1].clone()
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::{Map, Value};

    fn out(name: &str, args: &[Value]) -> String {
        (table().get(name).expect(name).func)(args)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| e)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn emptiness_follows_sprig() {
        let d = s("d");
        let empties = [
            Value::Int(0),
            Value::Bool(false),
            Value::list(vec![]),
            Value::map(Map::new()),
            s(""),
            Value::Nil,
            Value::Float(0.0),
        ];
        for e in empties {
            assert_eq!(out("default", &[d.clone(), e.clone()]), "d", "{e:?}");
        }
        assert_eq!(out("default", std::slice::from_ref(&d)), "d");
        assert_eq!(out("default", &[d, Value::Int(3)]), "3");
        let mixed = [Value::Int(0), s(""), s("x")];
        assert_eq!(out("coalesce", &mixed), "x");
        assert_eq!(out("coalesce", &[Value::Int(0)]), "<nil>");
        assert_eq!(out("all", &[Value::Int(1), s("a")]), "true");
        assert_eq!(out("all", &[]), "true");
        assert_eq!(out("any", &[]), "false");
        assert_eq!(out("any", &mixed), "true");
        assert_eq!(out("empty", &[Value::Float(0.0)]), "true");
        assert_eq!(out("ternary", &[s("a"), s("b"), Value::Bool(true)]), "a");
        assert!(out("ternary", &[s("a"), s("b"), s("true")]).starts_with("wrong type"));
    }
}
