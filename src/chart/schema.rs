//! `values.schema.json`: checking a chart's coalesced values as Helm 4 does,
//! with its error text (`- at '/path': message`, one line a violation).
//!
//! The keywords charts use are covered: `type`, `enum`, `const`, `properties`,
//! `required`, `additionalProperties`, `patternProperties`, `items`, the
//! numeric and length bounds, `pattern`, `allOf`/`anyOf`/`oneOf`/`not`, and
//! `$ref` to `#/definitions/…` or `#/$defs/…` inside the same schema.

use super::{Chart, ChartError};
use crate::engine::Value;
use serde_json::Value as Json;

/// Validates the values of a chart and of each of its subcharts (with the
/// subchart's own section) against their schemas. All violations are reported
/// together, as Helm does.
pub fn validate(chart: &Chart, values: &Value) -> Result<(), ChartError> {
    let mut report = String::new();
    collect(chart, values, &mut report)?;
    if report.is_empty() {
        return Ok(());
    }
    Err(ChartError::new(format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )))
}

fn collect(chart: &Chart, values: &Value, report: &mut String) -> Result<(), ChartError> {
    if let Some(raw) = &chart.schema {
        let schema: Json = serde_json::from_slice(raw).map_err(|e| {
            ChartError::new(format!(
                "{}: values.schema.json is not valid JSON: line {} column {}: {e}",
                chart.name(),
                e.line(),
                e.column()
            ))
        })?;
        let mut errors = Vec::new();
        let data = values.to_json();
        Checker {
            root: &schema,
            errors: &mut errors,
            depth: 0,
        }
        .check(&schema, &data, "");
        if !errors.is_empty() {
            report.push_str(&format!("{}:\n", chart.name()));
            for (path, msg) in errors {
                report.push_str(&format!("- at '{path}': {msg}\n"));
            }
        }
    }
    for sub in &chart.dependencies {
        let section = values.get(sub.name());
        collect(sub, &section, report)?;
    }
    Ok(())
}

struct Checker<'a> {
    root: &'a Json,
    errors: &'a mut Vec<(String, String)>,
    /// Schemas entered on the current path, against `$ref` loops.
    depth: usize,
}

/// How deep schemas may nest (through `$ref` too) before validation gives up.
const MAX_DEPTH: usize = 256;

impl<'a> Checker<'a> {
    fn fail(&mut self, path: &str, msg: String) {
        self.errors.push((path.to_string(), msg));
    }

    /// Checks `data` at `path`; violations are pushed to `errors`.
    fn check(&mut self, schema: &Json, data: &Json, path: &str) {
        if self.depth >= MAX_DEPTH {
            self.fail(
                path,
                format!("schema nested more than {MAX_DEPTH} levels deep (a $ref loop?)"),
            );
            return;
        }
        self.depth += 1;
        self.check_here(schema, data, path);
        self.depth -= 1;
    }

    fn check_here(&mut self, schema: &Json, data: &Json, path: &str) {
        let s = match schema {
            Json::Bool(false) => {
                self.fail(path, "false schema".into());
                return;
            }
            Json::Object(s) => s,
            _ => return,
        };
        if let Some(Json::String(r)) = s.get("$ref") {
            match self.resolve(r) {
                Some(target) => self.check(target, data, path),
                None => self.fail(path, format!("cannot resolve $ref {r:?}")),
            }
        }
        if let Some(t) = s.get("type") {
            let want: Vec<&str> = match t {
                Json::String(t) => vec![t.as_str()],
                Json::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
                _ => vec![],
            };
            if !want.is_empty() && !want.iter().any(|w| has_type(data, w)) {
                self.fail(
                    path,
                    format!("got {}, want {}", type_of(data), want.join(" or ")),
                );
                return;
            }
        }
        if let Some(Json::Array(options)) = s.get("enum") {
            if !options.iter().any(|o| json_eq(o, data)) {
                let list: Vec<String> = options.iter().map(quote).collect();
                self.fail(path, format!("value must be one of {}", list.join(", ")));
            }
        }
        if let Some(c) = s.get("const") {
            if !json_eq(c, data) {
                self.fail(path, format!("value must be {}", quote(c)));
            }
        }
        match data {
            Json::Number(n) => self.numbers(s, n.as_f64().unwrap_or(0.0), path),
            Json::String(text) => self.strings(s, text, path),
            Json::Array(items) => self.arrays(s, items, path),
            Json::Object(obj) => self.objects(s, obj, path),
            _ => {}
        }
        if let Some(Json::Array(all)) = s.get("allOf") {
            for sub in all {
                self.check(sub, data, path);
            }
        }
        if let Some(Json::Array(any)) = s.get("anyOf") {
            if !any.iter().any(|sub| self.passes(sub, data, path)) {
                self.fail(path, "anyOf failed".into());
            }
        }
        if let Some(Json::Array(one)) = s.get("oneOf") {
            let n = one
                .iter()
                .filter(|sub| self.passes(sub, data, path))
                .count();
            if n == 0 {
                self.fail(path, "oneOf failed, none matched".into());
            } else if n > 1 {
                self.fail(path, "oneOf failed, more than one matched".into());
            }
        }
        if let Some(not) = s.get("not") {
            if self.passes(not, data, path) {
                self.fail(path, "not failed".into());
            }
        }
    }

    fn passes(&mut self, schema: &Json, data: &Json, path: &str) -> bool {
        let mut errs = Vec::new();
        Checker {
            root: self.root,
            errors: &mut errs,
            depth: self.depth,
        }
        .check(schema, data, path);
        errs.is_empty()
    }

    fn resolve(&self, r: &str) -> Option<&'a Json> {
        let pointer = r.strip_prefix('#')?;
        let root: &'a Json = self.root;
        root.pointer(pointer)
    }

    fn numbers(&mut self, s: &serde_json::Map<String, Json>, x: f64, path: &str) {
        let num = |k: &str| s.get(k).and_then(Json::as_f64);
        if let Some(m) = num("minimum") {
            if x < m {
                self.fail(
                    path,
                    format!("minimum: got {}, want {}", fmt_num(x), fmt_num(m)),
                );
            }
        }
        if let Some(m) = num("maximum") {
            if x > m {
                self.fail(
                    path,
                    format!("maximum: got {}, want {}", fmt_num(x), fmt_num(m)),
                );
            }
        }
        if let Some(m) = num("exclusiveMinimum") {
            if x <= m {
                self.fail(
                    path,
                    format!("exclusiveMinimum: got {}, want {}", fmt_num(x), fmt_num(m)),
                );
            }
        }
        if let Some(m) = num("exclusiveMaximum") {
            if x >= m {
                self.fail(
                    path,
                    format!("exclusiveMaximum: got {}, want {}", fmt_num(x), fmt_num(m)),
                );
            }
        }
        if let Some(m) = num("multipleOf") {
            if m != 0.0 && (x / m).fract() != 0.0 {
                self.fail(
                    path,
                    format!("{} not multipleOf {}", fmt_num(x), fmt_num(m)),
                );
            }
        }
    }

    fn strings(&mut self, s: &serde_json::Map<String, Json>, text: &str, path: &str) {
        let len = text.chars().count() as u64;
        if let Some(m) = s.get("minLength").and_then(Json::as_u64) {
            if len < m {
                self.fail(path, format!("minLength: got {len}, want {m}"));
            }
        }
        if let Some(m) = s.get("maxLength").and_then(Json::as_u64) {
            if len > m {
                self.fail(path, format!("maxLength: got {len}, want {m}"));
            }
        }
        if let Some(Json::String(p)) = s.get("pattern") {
            if let Ok(re) = regex::Regex::new(p) {
                if !re.is_match(text) {
                    self.fail(path, format!("'{text}' does not match pattern '{p}'"));
                }
            }
        }
    }

    fn arrays(&mut self, s: &serde_json::Map<String, Json>, items: &[Json], path: &str) {
        let n = items.len() as u64;
        if let Some(m) = s.get("minItems").and_then(Json::as_u64) {
            if n < m {
                self.fail(path, format!("minItems: got {n}, want {m}"));
            }
        }
        if let Some(m) = s.get("maxItems").and_then(Json::as_u64) {
            if n > m {
                self.fail(path, format!("maxItems: got {n}, want {m}"));
            }
        }
        match s.get("items") {
            Some(Json::Array(each)) => {
                for (i, (sub, item)) in each.iter().zip(items).enumerate() {
                    self.check(sub, item, &format!("{path}/{i}"));
                }
            }
            Some(sub) => {
                for (i, item) in items.iter().enumerate() {
                    self.check(sub, item, &format!("{path}/{i}"));
                }
            }
            None => {}
        }
    }

    fn objects(
        &mut self,
        s: &serde_json::Map<String, Json>,
        obj: &serde_json::Map<String, Json>,
        path: &str,
    ) {
        if let Some(Json::Array(req)) = s.get("required") {
            let missing: Vec<String> = req
                .iter()
                .filter_map(Json::as_str)
                .filter(|k| !obj.contains_key(*k))
                .map(|k| format!("'{k}'"))
                .collect();
            match missing.len() {
                0 => {}
                1 => self.fail(path, format!("missing property {}", missing[0])),
                _ => self.fail(path, format!("missing properties {}", missing.join(", "))),
            }
        }
        let props = s.get("properties").and_then(Json::as_object);
        let patterns = s.get("patternProperties").and_then(Json::as_object);
        if let Some(props) = props {
            for (k, sub) in props {
                if let Some(v) = obj.get(k) {
                    self.check(sub, v, &format!("{path}/{}", escape_pointer(k)));
                }
            }
        }
        let mut extra = Vec::new();
        for (k, v) in obj {
            let mut matched = props.is_some_and(|p| p.contains_key(k));
            if let Some(patterns) = patterns {
                for (p, sub) in patterns {
                    if regex::Regex::new(p).is_ok_and(|re| re.is_match(k)) {
                        matched = true;
                        self.check(sub, v, &format!("{path}/{}", escape_pointer(k)));
                    }
                }
            }
            if !matched {
                match s.get("additionalProperties") {
                    Some(Json::Bool(false)) => extra.push(format!("'{k}'")),
                    Some(sub @ Json::Object(_)) => {
                        self.check(sub, v, &format!("{path}/{}", escape_pointer(k)))
                    }
                    _ => {}
                }
            }
        }
        if !extra.is_empty() {
            let noun = if extra.len() == 1 {
                "property"
            } else {
                "properties"
            };
            self.fail(
                path,
                format!("additional {noun} {} not allowed", extra.join(", ")),
            );
        }
    }
}

fn has_type(data: &Json, want: &str) -> bool {
    match want {
        "null" => data.is_null(),
        "boolean" => data.is_boolean(),
        "string" => data.is_string(),
        "array" => data.is_array(),
        "object" => data.is_object(),
        "number" => data.is_number(),
        "integer" => data.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => true,
    }
}

fn type_of(data: &Json) -> &'static str {
    match data {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn quote(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn fmt_num(x: f64) -> String {
    crate::engine::value::format_float_g(x)
}

fn escape_pointer(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::from_files;
    use crate::chart::File;

    fn chart(schema: &str) -> Chart {
        let f = |n: &str, d: &str| File {
            name: n.into(),
            data: d.as_bytes().to_vec(),
        };
        from_files(vec![
            f("Chart.yaml", "apiVersion: v2\nname: p\nversion: 1.0.0\n"),
            f("values.schema.json", schema),
        ])
        .unwrap()
    }

    fn values(y: &str) -> Value {
        crate::yaml::from_str(y).unwrap()
    }

    #[test]
    fn reports_as_helm() {
        let c = chart(
            r#"{"type":"object","required":["name"],"properties":{"replicas":{"type":"integer","minimum":1},"mode":{"enum":["a","b"]}}}"#,
        );
        let err = validate(&c, &values("replicas: x\nmode: c\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values don't meet the specifications of the schema(s) in the following chart(s):\np:\n- at '': missing property 'name'\n- at '/replicas': got string, want integer\n- at '/mode': value must be one of 'a', 'b'\n"
        );
        let err = validate(&c, &values("name: n\nreplicas: 0\n")).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("- at '/replicas': minimum: got 0, want 1\n"),
            "{err}"
        );
        validate(&c, &values("name: n\nreplicas: 2\n")).unwrap();
    }

    #[test]
    fn ref_loops_end_in_an_error() {
        let c = chart(r##"{"$ref":"#"}"##);
        let err = validate(&c, &values("a: 1\n")).unwrap_err();
        assert!(err.to_string().contains("a $ref loop"), "{err}");
    }

    #[test]
    fn items_and_refs() {
        let c = chart(
            r##"{"definitions":{"s":{"type":"string"}},"properties":{"l":{"items":{"$ref":"#/definitions/s"}}}}"##,
        );
        let err = validate(&c, &values("l: [a, 1]\n")).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("- at '/l/1': got number, want string\n"),
            "{err}"
        );
    }
}
