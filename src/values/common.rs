//! Helm's Go type of `.Values`: `common.Values`, a named
//! `map[string]interface{}` with methods of its own.
//!
//! A chart's and a subchart's `.Values` (and `deepCopy` of them) have this
//! type: `typeOf .Values` prints `common.Values`, Sprig's `dig` refuses it
//! (its type assertion asks for the plain map), and `.Values.Table "a"`
//! calls the method rather than looking up a key `Table`. A function whose
//! parameter is the plain map (`set`, `merge`…) sees the same map as the
//! plain type and returns that. The template data tags the map
//! ([`Value::named`]); nothing is copied.

use super::{table_at, value_at};
use crate::strconv::go_quote;
use crate::value::{Map, MapMethod, MapType, Value};

/// `common.Values`.
pub static VALUES: MapType = MapType {
    name: "common.Values",
    methods: &[
        MapMethod {
            name: "AsMap",
            signature: "",
            call: as_map,
        },
        MapMethod {
            name: "Encode",
            signature: "w",
            call: encode,
        },
        MapMethod {
            name: "PathValue",
            signature: "s",
            call: path_value,
        },
        MapMethod {
            name: "Table",
            signature: "s",
            call: table,
        },
        MapMethod {
            name: "YAML",
            signature: "",
            call: yaml,
        },
    ],
};

/// `AsMap`: the plain map, a new empty one when there are no values.
fn as_map(recv: &Value, _: &[Value]) -> Result<Value, String> {
    match recv.as_map() {
        Some(m) if !m.is_empty() => Ok(recv.unnamed()),
        _ => Ok(Value::map(Map::new())),
    }
}

/// `Encode(w io.Writer)`: a template has no writer to give, only nil, to
/// which Go's write panics.
fn encode(_: &Value, _: &[Value]) -> Result<Value, String> {
    Err("runtime error: invalid memory address or nil pointer dereference".into())
}

/// `PathValue "a.b"`: the value at the path, when it is not a table.
fn path_value(recv: &Value, args: &[Value]) -> Result<Value, String> {
    let path = args.first().and_then(Value::as_str).unwrap_or("");
    if path.is_empty() {
        return Err("YAML path cannot be empty".into());
    }
    value_at(recv, path).map_err(|key| format!("{} is not a value", go_quote(key)))
}

/// `Table "a.b"`: the table at the path, itself a `common.Values`.
fn table(recv: &Value, args: &[Value]) -> Result<Value, String> {
    let path = args.first().and_then(Value::as_str).unwrap_or("");
    table_at(recv, path)
        .map(|t| t.named(&VALUES))
        .map_err(|key| format!("{} is not a table", go_quote(key)))
}

/// `YAML`: the values as `toYaml` writes them, with the final newline.
fn yaml(recv: &Value, _: &[Value]) -> Result<Value, String> {
    crate::yaml::try_to_string(recv).map(Value::from)
}
