//! Template functions: Go types and kinds (`typeOf`, `typeIs`, `typeIsLike`,
//! `kindOf`, `kindIs`) and `deepEqual`.
//!
//! Type names are Go's `%T`: `float64` for numbers read from values, `int`
//! for integers, `string`, `bool`, `[]interface {}`,
//! `map[string]interface {}`, a named map's own name (Helm's `common.Values`),
//! `<nil>`. chartfix has one integer type, so
//! Sprig's int64 results (`add`, `mul`, `int64`) also say `int`.

use super::conv::{arg_str, arity};
use super::FuncTable;
use crate::value::Value;

pub fn register(table: &mut FuncTable) {
    table.add("typeOf", |a| {
        arity("typeOf", a, 1)?;
        Ok(Value::str(a[0].type_name()))
    });
    table.add("kindOf", |a| {
        arity("kindOf", a, 1)?;
        Ok(Value::str(a[0].kind_name()))
    });
    table.add("typeIs", |a| {
        arity("typeIs", a, 2)?;
        Ok(Value::Bool(arg_str(&a[0])? == a[1].type_name()))
    });
    table.add("typeIsLike", |a| {
        arity("typeIsLike", a, 2)?;
        let target = arg_str(&a[0])?;
        let actual = a[1].type_name();
        let pointer = actual.strip_prefix('*').is_some_and(|t| t == target);
        Ok(Value::Bool(target == actual || pointer))
    });
    table.add("kindIs", |a| {
        arity("kindIs", a, 2)?;
        Ok(Value::Bool(arg_str(&a[0])? == a[1].kind_name()))
    });
    table.add("deepEqual", |a| {
        arity("deepEqual", a, 2)?;
        Ok(Value::Bool(a[0] == a[1]))
    });
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

    #[test]
    fn types_and_kinds() {
        let s = Value::str;
        assert_eq!(out("typeOf", &[Value::Float(1.0)]), "float64");
        assert_eq!(out("typeOf", &[Value::Nil]), "<nil>");
        assert_eq!(out("typeOf", &[Value::list(vec![])]), "[]interface {}");
        assert_eq!(out("kindOf", &[Value::Nil]), "invalid");
        assert_eq!(out("kindOf", &[Value::map(Map::new())]), "map");
        assert_eq!(out("kindOf", &[Value::list(vec![])]), "slice");
        assert_eq!(out("typeIs", &[s("string"), s("x")]), "true");
        assert_eq!(out("typeIs", &[s("int"), Value::Float(3.0)]), "false");
        assert_eq!(out("kindIs", &[s("map"), Value::map(Map::new())]), "true");
        assert_eq!(out("typeIsLike", &[s("string"), s("x")]), "true");
        let a = Value::list(vec![Value::Int(1), s("a")]);
        let b = Value::list(vec![Value::Int(1), s("a")]);
        assert_eq!(out("deepEqual", &[a, b]), "true");
        assert_eq!(
            out("deepEqual", &[Value::Int(1), Value::Float(1.0)]),
            "false"
        );
        assert!(out("typeIs", &[Value::Int(1), s("x")]).starts_with("wrong type"));
    }
}
