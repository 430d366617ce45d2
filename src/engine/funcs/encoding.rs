//! Template functions: encodings (`b64enc`, `b32enc`, `toYaml`, `fromYaml`,
//! `toJson`, `fromJson`, `toToml`, `fromToml`, …), with Helm's and Sprig's
//! habit of swallowing errors: `toYaml` and `toJson` print nothing, `fromYaml`
//! and `fromJson` put the message under an `Error` key, `b64dec` returns it.

use super::conv::{arg_bytes, arity, expect_str};
use super::FuncTable;
use crate::value::{meter, Map, Value};
use crate::yaml;

pub fn register(table: &mut FuncTable) {
    table.add("toYaml", to_yaml);
    table.add("mustToYaml", must_to_yaml);
    table.add("toYamlPretty", to_yaml_pretty);
    table.add("fromYaml", from_yaml);
    table.add("fromYamlArray", from_yaml_array);
    table.add("toJson", to_json);
    table.add("mustToJson", must_to_json);
    table.add("toPrettyJson", to_pretty_json);
    table.add("mustToPrettyJson", must_to_pretty_json);
    table.add("toRawJson", to_raw_json);
    table.add("mustToRawJson", must_to_raw_json);
    table.add("fromJson", from_json);
    table.add("fromJsonArray", from_json_array);
    table.add("mustFromJson", must_from_json);
    table.add("toToml", to_toml);
    table.add("mustToToml", must_to_toml);
    table.add("fromToml", from_toml);
    table.add("b64enc", b64enc);
    table.add("b64dec", b64dec);
    table.add("b32enc", b32enc);
    table.add("b32dec", b32dec);
}

/// Parsing costs tens of nanoseconds a byte (2 MB of YAML: 33 ms): a step
/// a byte, beyond the executor's charge for reading the argument.
fn parse_cost(src: &str) {
    meter::charge(src.len() as u64);
}

/// Helm's `toYaml`: go-yaml's text without its final newline, or nothing.
fn to_yaml(args: &[Value]) -> Result<Value, String> {
    arity("toYaml", args, 1)?;
    let text = yaml::to_string(&args[0]);
    Ok(Value::from(text.strip_suffix('\n').unwrap_or(&text)))
}

fn must_to_yaml(args: &[Value]) -> Result<Value, String> {
    arity("mustToYaml", args, 1)?;
    let text =
        yaml::try_to_string(&args[0]).map_err(|e| format!("error calling mustToYaml: {e}"))?;
    Ok(Value::from(text.strip_suffix('\n').unwrap_or(&text)))
}

/// Helm's `toYamlPretty`: go-yaml v3 with a two-space indent, written from the
/// values themselves (no JSON round trip, so 1000000 prints `1e+06`).
fn to_yaml_pretty(args: &[Value]) -> Result<Value, String> {
    arity("toYamlPretty", args, 1)?;
    let text = yaml::to_string_pretty(&args[0]);
    Ok(Value::from(text.strip_suffix('\n').unwrap_or(&text)))
}

/// The JSON kind Go names in "cannot unmarshal X into Go value".
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_, _) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    }
}

fn error_map(message: String) -> Value {
    let m = Map::new();
    m.insert("Error", Value::from(message));
    Value::map(m)
}

/// Helm's `fromYaml`: a map, or `{Error: message}` as sigs.k8s.io/yaml words it.
fn from_yaml(args: &[Value]) -> Result<Value, String> {
    arity("fromYaml", args, 1)?;
    let src = expect_str("fromYaml", &args[0])?;
    parse_cost(src);
    Ok(match yaml::from_str(src) {
        Ok(Value::Nil) => Value::map(Map::new()),
        Ok(v @ Value::Map(_, _)) => v,
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(e.helm_message()),
    })
}

/// Helm's `fromYamlArray`: a list, or a list holding the error message.
fn from_yaml_array(args: &[Value]) -> Result<Value, String> {
    arity("fromYamlArray", args, 1)?;
    let src = expect_str("fromYamlArray", &args[0])?;
    parse_cost(src);
    Ok(match yaml::from_str(src) {
        Ok(Value::Nil) => Value::list(vec![]),
        Ok(v @ Value::List(_)) => v,
        Ok(other) => Value::list(vec![Value::from(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::list(vec![Value::from(e.helm_message())]),
    })
}

fn to_json(args: &[Value]) -> Result<Value, String> {
    arity("toJson", args, 1)?;
    Ok(Value::from(
        yaml::json::to_json(&args[0], true, None).unwrap_or_default(),
    ))
}

fn must_to_json(args: &[Value]) -> Result<Value, String> {
    arity("mustToJson", args, 1)?;
    yaml::json::to_json(&args[0], true, None)
        .map(Value::from)
        .map_err(|e| format!("error calling mustToJson: {e}"))
}

fn to_pretty_json(args: &[Value]) -> Result<Value, String> {
    arity("toPrettyJson", args, 1)?;
    Ok(Value::from(
        yaml::json::to_json(&args[0], true, Some("  ")).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(args: &[Value]) -> Result<Value, String> {
    arity("mustToPrettyJson", args, 1)?;
    yaml::json::to_json(&args[0], true, Some("  "))
        .map(Value::from)
        .map_err(|e| format!("error calling mustToPrettyJson: {e}"))
}

/// Sprig's `toRawJson` panics where `toJson` prints nothing: Go's template
/// reports the panic as the call's error.
fn to_raw_json(args: &[Value]) -> Result<Value, String> {
    arity("toRawJson", args, 1)?;
    yaml::json::to_json(&args[0], false, None)
        .map(Value::from)
        .map_err(|e| format!("error calling toRawJson: {e}"))
}

fn must_to_raw_json(args: &[Value]) -> Result<Value, String> {
    arity("mustToRawJson", args, 1)?;
    yaml::json::to_json(&args[0], false, None)
        .map(Value::from)
        .map_err(|e| format!("error calling mustToRawJson: {e}"))
}

/// Helm's `fromJson`: a map, or `{Error: message}` in Go's words.
fn from_json(args: &[Value]) -> Result<Value, String> {
    arity("fromJson", args, 1)?;
    let src = expect_str("fromJson", &args[0])?;
    parse_cost(src);
    Ok(match yaml::json::from_json_keeping(src) {
        Ok((Value::Nil, None)) => Value::map(Map::new()),
        Ok((v @ Value::Map(_, _), error)) => {
            // Go's decoder fills what it can and reports the first error.
            if let (Some(e), Some(m)) = (error, v.as_map()) {
                m.insert("Error", Value::from(e));
            }
            v
        }
        // A number too large at the top was a number before it read as null.
        Ok((Value::Nil, Some(_))) => error_map(
            "json: cannot unmarshal number into Go value of type map[string]interface {}".into(),
        ),
        Ok((other, _)) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(e),
    })
}

/// Helm's `fromJsonArray`: a list, or a list holding the error message.
fn from_json_array(args: &[Value]) -> Result<Value, String> {
    arity("fromJsonArray", args, 1)?;
    let src = expect_str("fromJsonArray", &args[0])?;
    parse_cost(src);
    Ok(match yaml::json::from_json(src) {
        Ok(Value::Nil) => Value::list(vec![]),
        Ok(v @ Value::List(_)) => v,
        Ok(other) => Value::list(vec![Value::from(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::list(vec![Value::from(e)]),
    })
}

/// Helm's `mustFromJson`: any JSON value, or the error.
fn must_from_json(args: &[Value]) -> Result<Value, String> {
    arity("mustFromJson", args, 1)?;
    let src = expect_str("mustFromJson", &args[0])?;
    parse_cost(src);
    yaml::json::from_json(src).map_err(|e| format!("error calling mustFromJson: {e}"))
}

/// Helm's `mustToToml`: the TOML text, or the encoder's error.
fn must_to_toml(args: &[Value]) -> Result<Value, String> {
    arity("mustToToml", args, 1)?;
    super::toml::to_toml(&args[0])
        .map(Value::from)
        .map_err(|e| format!("error calling mustToToml: {e}"))
}

/// Helm's `toToml` (BurntSushi/toml's encoder); an error is returned as the text.
fn to_toml(args: &[Value]) -> Result<Value, String> {
    arity("toToml", args, 1)?;
    Ok(Value::from(match super::toml::to_toml(&args[0]) {
        Ok(s) => s,
        Err(e) => e,
    }))
}

/// Helm's `fromToml`: a map, or `{Error: message}`.
fn from_toml(args: &[Value]) -> Result<Value, String> {
    arity("fromToml", args, 1)?;
    // Bytes, not text: a document that is not UTF-8 gets BurntSushi's error.
    let src = arg_bytes(&args[0])?;
    meter::charge(src.len() as u64);
    Ok(match super::toml::from_toml(src) {
        Ok(v) => v,
        Err(e) => error_map(e),
    })
}

fn b64enc(args: &[Value]) -> Result<Value, String> {
    arity("b64enc", args, 1)?;
    use base64::Engine;
    let s = arg_bytes(&args[0])?;
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(s),
    ))
}

/// Sprig's `b64dec`: the decoded text, or Go's error message in its place.
fn b64dec(args: &[Value]) -> Result<Value, String> {
    arity("b64dec", args, 1)?;
    let s = expect_str("b64dec", &args[0])?;
    Ok(match yaml::base::b64_decode(s) {
        Ok(bytes) => Value::go_string(bytes),
        Err(e) => Value::from(e),
    })
}

fn b32enc(args: &[Value]) -> Result<Value, String> {
    arity("b32enc", args, 1)?;
    Ok(Value::from(yaml::base::b32_encode(arg_bytes(&args[0])?)))
}

/// Sprig's `b32dec`: the decoded text, or Go's error message in its place.
fn b32dec(args: &[Value]) -> Result<Value, String> {
    arity("b32dec", args, 1)?;
    let s = expect_str("b32dec", &args[0])?;
    Ok(match yaml::base::b32_decode(s) {
        Ok(bytes) => Value::go_string(bytes),
        Err(e) => Value::from(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::Func, arg: &str) -> Value {
        f(&[Value::from(arg)]).unwrap()
    }

    fn json(v: &Value) -> String {
        yaml::json::to_json(v, true, None).unwrap()
    }

    #[test]
    fn from_yaml_errors_as_helm_words_them() {
        assert_eq!(
            json(&call(from_yaml, "- 1")),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            json(&call(from_yaml, "abc")),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            json(&call(from_yaml, "a: [")),
            r#"{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected node content"}"#
        );
        assert_eq!(json(&call(from_yaml, "~")), "{}");
        assert_eq!(
            json(&call(from_yaml_array, "a: 1")),
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(json(&call(from_yaml_array, "[1, a]")), r#"[1,"a"]"#);
    }

    #[test]
    fn from_json_errors_as_go_words_them() {
        assert_eq!(
            json(&call(from_json, "[1]")),
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        assert_eq!(
            json(&call(from_json, "{\"a\": }")),
            r#"{"Error":"invalid character '}' looking for beginning of value"}"#
        );
        assert_eq!(
            json(&call(from_json, "")),
            r#"{"Error":"unexpected end of JSON input"}"#
        );
        assert_eq!(
            json(&call(from_json_array, "{}")),
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
    }

    #[test]
    fn json_writers_match_go() {
        let v = yaml::from_str("a: \"<&>\"\nf: 1.5e-7\ng: 1e21\nh: 100000000\n").unwrap();
        assert_eq!(
            to_json(std::slice::from_ref(&v)).unwrap(),
            Value::from(r#"{"a":"\u003c\u0026\u003e","f":1.5e-7,"g":1e+21,"h":100000000}"#)
        );
        assert_eq!(
            to_raw_json(&[yaml::from_str("a: \"<&>\"").unwrap()]).unwrap(),
            Value::from(r#"{"a":"<&>"}"#)
        );
        assert_eq!(to_json(&[Value::Float(f64::NAN)]).unwrap(), Value::from(""));
        assert!(must_to_json(&[Value::Float(f64::NAN)]).is_err());
    }

    #[test]
    fn base_encodings_match_sprig() {
        assert_eq!(call(b64enc, "foo"), Value::from("Zm9v"));
        assert_eq!(call(b64dec, "Zm9v"), Value::from("foo"));
        assert_eq!(
            call(b64dec, "abc"),
            Value::from("illegal base64 data at input byte 0")
        );
        assert_eq!(
            call(b64dec, "ab$c"),
            Value::from("illegal base64 data at input byte 2")
        );
        assert_eq!(call(b32enc, "foo"), Value::from("MZXW6==="));
        assert_eq!(call(b32dec, "MZXW6==="), Value::from("foo"));
        assert_eq!(
            call(b32dec, "MZXW6"),
            Value::from("illegal base32 data at input byte 0")
        );
    }

    #[test]
    fn must_variants_return_values_or_errors() {
        assert_eq!(call(must_from_json, "1"), Value::Float(1.0));
        assert!(must_from_json(&[Value::from("{")]).is_err());
        assert_eq!(call(must_to_toml, "1"), Value::from("\"1\""));
        assert_eq!(call(must_to_yaml, "1"), Value::from("\"1\""));
    }

    #[test]
    fn to_yaml_trims_the_final_newline() {
        let v = yaml::from_str("b: 1\na: [x]\n").unwrap();
        assert_eq!(to_yaml(&[v]).unwrap(), Value::from("a:\n- x\nb: 1"));
    }
}
