//! `values.schema.json`: checking a chart's coalesced values as Helm 4 does,
//! with its error text (`- at '/path': message`, one line a violation).
//!
//! The keywords charts use are covered: `type`, `enum`, `const`, `properties`,
//! `required`, `additionalProperties`, `patternProperties`, `items`, the
//! numeric and length bounds, `pattern`, `allOf`/`anyOf`/`oneOf`/`not`, and
//! `$ref` to `#/definitions/…` or `#/$defs/…` inside the same schema.

use super::{Chart, ChartError};
use crate::value::{Map, Value};
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
        let old_draft = schema
            .get("$schema")
            .and_then(Json::as_str)
            .is_some_and(|u| {
                ["draft-04", "draft-06", "draft-07"]
                    .iter()
                    .any(|d| u.contains(d))
            });
        let mut checker = Checker {
            root: &schema,
            old_draft,
            scopes: Vec::new(),
            budget: MAX_CHECKS,
            exhausted: false,
            regexes: Default::default(),
        };
        let failure = checker.check(&schema, values, "", Step::Root);
        if checker.exhausted {
            return Err(ChartError::new(format!(
                "{}: values.schema.json: validation stopped after {MAX_CHECKS} checks (limit): \
                 do its $refs multiply (several refs to a schema that again refers several times)?",
                chart.name()
            )));
        }
        if let Some(failure) = failure {
            report.push_str(&format!("{}:\n", chart.name()));
            // The schema's own failure is the report's first level: a group
            // of several is unwrapped, as jsonschema's `Validate` does.
            let top = if failure.group {
                failure.causes
            } else {
                vec![failure]
            };
            for f in &top {
                f.write(report, 0);
            }
        }
    }
    for sub in &chart.dependencies {
        let section = values.get(sub.name());
        collect(sub, &section, report)?;
    }
    Ok(())
}

/// A violation, as santhosh-tekuri/jsonschema (v6) builds them: a message at
/// an instance location, with the violations that caused it nested below.
struct Failure {
    path: String,
    msg: String,
    causes: Vec<Failure>,
    /// Several violations of one schema at one place ("validation failed").
    group: bool,
}

impl Failure {
    fn new(path: &str, msg: String) -> Failure {
        Failure {
            path: path.to_string(),
            msg,
            causes: Vec::new(),
            group: false,
        }
    }

    fn with_causes(path: &str, msg: String, causes: Vec<Failure>) -> Failure {
        Failure {
            causes,
            ..Failure::new(path, msg)
        }
    }

    fn write(&self, out: &mut String, depth: usize) {
        out.push_str(&format!(
            "{}- at '{}': {}\n",
            "  ".repeat(depth),
            self.path,
            self.msg
        ));
        for c in &self.causes {
            c.write(out, depth + 1);
        }
    }
}

struct Checker<'a> {
    root: &'a Json,
    /// The schema says it is draft 4, 6 or 7 (without `$schema`, jsonschema
    /// reads draft 2020-12).
    old_draft: bool,
    /// The schemas entered on the current path, outermost first: jsonschema's
    /// scopes, for its reference-cycle check and keyword locations.
    scopes: Vec<Scope<'a>>,
    /// Checks left: `$ref`s without a cycle can still multiply (two refs to
    /// a schema that again has two, forty deep), which hangs Helm.
    budget: u64,
    /// The budget ran out; what was checked after that passed unchecked.
    exhausted: bool,
    regexes: std::collections::HashMap<&'a str, Option<regex::Regex>>,
}

/// One schema entered: which, at which instance depth (`path`'s length: on
/// one path from the root, equal lengths are the same place), and the
/// keyword that led there.
struct Scope<'a> {
    schema: &'a Json,
    at: usize,
    step: Step<'a>,
}

/// A keyword location's step from a schema to a subschema.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Word(&'static str),
    Index(&'static str, usize),
    Key(&'static str, &'a str),
}

impl Step<'_> {
    fn write(self, out: &mut String) {
        match self {
            Step::Root => {}
            Step::Word(w) => out.push_str(&format!("/{w}")),
            Step::Index(w, i) => out.push_str(&format!("/{w}/{i}")),
            Step::Key(w, k) => out.push_str(&format!("/{w}/{}", escape_pointer(k))),
        }
    }
}

/// How deep schemas may nest (through `$ref` too) before validation gives up.
const MAX_DEPTH: usize = 256;

/// Schemas checked against values in one chart's validation: real charts
/// need thousands; a million takes about a second.
const MAX_CHECKS: u64 = 1_000_000;

/// Where jsonschema says Helm's schema was loaded from.
const SCHEMA_URL: &str = "file:///values.schema.json";

impl<'a> Checker<'a> {
    /// Checks `data` at `path` against `schema`, reached from the current
    /// schema by `step`: `None` when it passes.
    fn check(
        &mut self,
        schema: &'a Json,
        data: &Value,
        path: &str,
        step: Step<'a>,
    ) -> Option<Failure> {
        if self.budget == 0 {
            self.exhausted = true;
            return None;
        }
        self.budget -= 1;
        if self.scopes.len() >= MAX_DEPTH {
            return Some(Failure::new(
                path,
                format!("schema nested more than {MAX_DEPTH} levels deep (limit)"),
            ));
        }
        self.scopes.push(Scope {
            schema,
            at: path.len(),
            step,
        });
        let result = self.check_here(schema, data, path);
        self.scopes.pop();
        result
    }

    /// jsonschema's reference-cycle check, before following a `$ref` to
    /// `target`: a schema already entered at this same instance location
    /// would be entered again forever. Its message, word for word.
    fn cycle(&self, target: &Json, r: &str, path: &str) -> Option<Failure> {
        let here = self
            .scopes
            .iter()
            .rev()
            .take_while(|s| s.at == path.len())
            .position(|s| std::ptr::eq(s.schema, target))?;
        let entered = self.scopes.len() - 1 - here;
        let location = |upto: usize| {
            let mut loc = String::new();
            for s in &self.scopes[..=upto] {
                s.step.write(&mut loc);
            }
            loc
        };
        let mut this = location(self.scopes.len() - 1);
        Step::Word("$ref").write(&mut this);
        let url = crate::strconv::go_quote(&format!("{SCHEMA_URL}{r}"));
        Some(Failure::new(
            path,
            format!(
                "both {this} and {} resolve to {url} causing reference cycle",
                location(entered)
            ),
        ))
    }

    /// One schema's keywords in jsonschema's order: `type`, `const` and
    /// `enum` end the check when they fail; the rest are all reported, several
    /// of them as a group.
    ///
    /// The values are walked where they are: only the scalars the schema
    /// reaches are made JSON (and a collection compared with `const` or
    /// `enum`), not the whole tree, most of which no schema names.
    fn check_here(&mut self, schema: &'a Json, data: &Value, path: &str) -> Option<Failure> {
        let s = match schema {
            Json::Bool(false) => return Some(Failure::new(path, "false schema".into())),
            Json::Object(s) => s,
            _ => return None,
        };
        let plain;
        let data = match data {
            Value::Object(o) => match o.to_plain() {
                Some(p) => {
                    plain = p;
                    &plain
                }
                None => data,
            },
            _ => data,
        };
        let data = &Data::of(data);
        if let Some(t) = s.get("type") {
            let want: Vec<&str> = match t {
                Json::String(t) => vec![t.as_str()],
                Json::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
                _ => vec![],
            };
            if !want.is_empty() && !want.iter().any(|w| has_type(data, w)) {
                // jsonschema lists the wanted types in its own order.
                let want: Vec<&str> = TYPE_ORDER
                    .iter()
                    .copied()
                    .filter(|t| want.contains(t))
                    .collect();
                let msg = format!("got {}, want {}", type_of(data), want.join(" or "));
                return Some(Failure::new(path, msg));
            }
        }
        if let Some(c) = s.get("const") {
            if !json_eq(c, &data.json()) {
                let msg = match c {
                    Json::Array(_) | Json::Object(_) => "'const' failed".to_string(),
                    c => format!("value must be {}", display(c)),
                };
                return Some(Failure::new(path, msg));
            }
        }
        if let Some(Json::Array(options)) = s.get("enum") {
            let data = data.json();
            if !options.iter().any(|o| json_eq(o, &data)) {
                return Some(Failure::new(path, enum_message(options)));
            }
        }
        let mut errs = Vec::new();
        if let Some(Json::String(r)) = s.get("$ref") {
            match self.resolve(r) {
                Some(target) => {
                    if let Some(f) = self.cycle(target, r, path) {
                        errs.push(f);
                    } else if let Some(f) = self.check(target, data.value, path, Step::Word("$ref"))
                    {
                        errs.push(reference(f, path));
                    }
                }
                None => errs.push(Failure::new(path, format!("cannot resolve $ref {r:?}"))),
            }
            // Before draft 2019-09, `$ref` stands for the whole schema: its
            // siblings are not checked.
            if self.old_draft {
                return errs.pop();
            }
        }
        match &data.shape {
            Shape::Scalar(Json::Number(n)) => {
                numbers(s, n.as_f64().unwrap_or(0.0), path, &mut errs)
            }
            Shape::Scalar(Json::String(text)) => {
                let pattern = match s.get("pattern") {
                    Some(Json::String(p)) => self.regex(p).map(|re| (p.as_str(), re)),
                    _ => None,
                };
                let pattern = pattern.as_ref().map(|(p, re)| (*p, re));
                strings(s, pattern, text, path, &mut errs)
            }
            Shape::List(items) => self.arrays(s, items, path, &mut errs),
            Shape::Map(obj) => self.objects(s, obj, path, &mut errs),
            Shape::Scalar(_) => {}
        }
        self.combinations(s, data.value, path, &mut errs);
        match errs.len() {
            0 => None,
            1 => errs.pop(),
            _ => Some(Failure {
                group: true,
                ..Failure::with_causes(path, "validation failed".into(), errs)
            }),
        }
    }

    /// `not`, `allOf`, `anyOf` and `oneOf`, each failure with the failures
    /// of its subschemas below it.
    fn combinations(
        &mut self,
        s: &'a serde_json::Map<String, Json>,
        data: &Value,
        path: &str,
        errs: &mut Vec<Failure>,
    ) {
        if let Some(not) = s.get("not") {
            if self.check(not, data, path, Step::Word("not")).is_none() {
                errs.push(Failure::new(path, "'not' failed".into()));
            }
        }
        if let Some(Json::Array(all)) = s.get("allOf") {
            let causes: Vec<Failure> = all
                .iter()
                .enumerate()
                .filter_map(|(i, sub)| self.check(sub, data, path, Step::Index("allOf", i)))
                .collect();
            if !causes.is_empty() {
                errs.push(Failure::with_causes(path, "'allOf' failed".into(), causes));
            }
        }
        if let Some(Json::Array(any)) = s.get("anyOf") {
            let mut causes = Vec::new();
            let mut matched = false;
            for (i, sub) in any.iter().enumerate() {
                match self.check(sub, data, path, Step::Index("anyOf", i)) {
                    Some(f) => causes.push(f),
                    None => {
                        matched = true;
                        break;
                    }
                }
            }
            if !matched {
                errs.push(Failure::with_causes(path, "'anyOf' failed".into(), causes));
            }
        }
        if let Some(Json::Array(one)) = s.get("oneOf") {
            let mut causes = Vec::new();
            let mut matched: Option<usize> = None;
            for (i, sub) in one.iter().enumerate() {
                match self.check(sub, data, path, Step::Index("oneOf", i)) {
                    Some(f) if matched.is_none() => causes.push(f),
                    Some(_) => {}
                    None => match matched {
                        None => matched = Some(i),
                        Some(first) => {
                            errs.push(Failure::new(
                                path,
                                format!("'oneOf' failed, subschemas {first}, {i} matched"),
                            ));
                            break;
                        }
                    },
                }
            }
            if matched.is_none() {
                errs.push(Failure::with_causes(
                    path,
                    "'oneOf' failed, none matched".into(),
                    causes,
                ));
            }
        }
    }

    /// A schema's `pattern` compiled once (a pattern over a list of many
    /// strings, or over every key of an object, would compile again each time);
    /// one that does not compile checks nothing.
    fn regex(&mut self, p: &'a str) -> Option<regex::Regex> {
        self.regexes
            .entry(p)
            .or_insert_with(|| regex::Regex::new(p).ok())
            .clone()
    }

    fn resolve(&self, r: &str) -> Option<&'a Json> {
        let pointer = r.strip_prefix('#')?;
        let root: &'a Json = self.root;
        root.pointer(pointer)
    }

    fn arrays(
        &mut self,
        s: &'a serde_json::Map<String, Json>,
        items: &[Value],
        path: &str,
        errs: &mut Vec<Failure>,
    ) {
        let n = items.len() as u64;
        if let Some(m) = s.get("minItems").and_then(Json::as_u64) {
            if n < m {
                errs.push(Failure::new(
                    path,
                    format!("minItems: got {}, want {}", group_int(n), group_int(m)),
                ));
            }
        }
        if let Some(m) = s.get("maxItems").and_then(Json::as_u64) {
            if n > m {
                errs.push(Failure::new(
                    path,
                    format!("maxItems: got {}, want {}", group_int(n), group_int(m)),
                ));
            }
        }
        let mut each = |sub: &'a Json, i: usize, item: &Value, step: Step<'a>| {
            if let Some(f) = self.check(sub, item, &format!("{path}/{i}"), step) {
                errs.push(f);
            }
        };
        match s.get("items") {
            Some(Json::Array(subs)) => {
                for (i, (sub, item)) in subs.iter().zip(items).enumerate() {
                    each(sub, i, item, Step::Index("items", i));
                }
            }
            Some(sub) => {
                for (i, item) in items.iter().enumerate() {
                    each(sub, i, item, Step::Word("items"));
                }
            }
            None => {}
        }
    }

    fn objects(
        &mut self,
        s: &'a serde_json::Map<String, Json>,
        obj: &Map,
        path: &str,
        errs: &mut Vec<Failure>,
    ) {
        if let Some(Json::Array(req)) = s.get("required") {
            let missing: Vec<String> = req
                .iter()
                .filter_map(Json::as_str)
                .filter(|k| !obj.contains_key(k))
                .map(go_quote)
                .collect();
            match missing.len() {
                0 => {}
                1 => errs.push(Failure::new(
                    path,
                    format!("missing property {}", missing[0]),
                )),
                _ => errs.push(Failure::new(
                    path,
                    format!("missing properties {}", missing.join(", ")),
                )),
            }
        }
        let props = s.get("properties").and_then(Json::as_object);
        let patterns = s.get("patternProperties").and_then(Json::as_object);
        let mut at = |this: &mut Self, sub: &'a Json, k: &str, v: &Value, step: Step<'a>| {
            if let Some(f) = this.check(sub, v, &format!("{path}/{}", escape_pointer(k)), step) {
                errs.push(f);
            }
        };
        if let Some(props) = props {
            for (k, sub) in props {
                if let Some(v) = obj.get(k) {
                    at(self, sub, k, &v, Step::Key("properties", k));
                }
            }
        }
        let mut extra = Vec::new();
        for (k, v) in obj.iter() {
            let (k, v) = (k.as_str(), &v);
            let mut matched = props.is_some_and(|p| p.contains_key(k));
            if let Some(patterns) = patterns {
                for (p, sub) in patterns {
                    if self.regex(p).is_some_and(|re| re.is_match(k)) {
                        matched = true;
                        at(self, sub, k, v, Step::Key("patternProperties", p));
                    }
                }
            }
            if !matched {
                match s.get("additionalProperties") {
                    Some(Json::Bool(false)) => extra.push(go_quote(k)),
                    Some(sub @ Json::Object(_)) => {
                        at(self, sub, k, v, Step::Word("additionalProperties"))
                    }
                    _ => {}
                }
            }
        }
        if !extra.is_empty() {
            errs.push(Failure::new(
                path,
                format!("additional properties {} not allowed", extra.join(", ")),
            ));
        }
    }
}

/// A failure through `$ref`: transparent when it is one violation, else the
/// group's violations under "validation failed".
fn reference(f: Failure, path: &str) -> Failure {
    if f.group {
        Failure::with_causes(path, "validation failed".into(), f.causes)
    } else {
        f
    }
}

fn numbers(s: &serde_json::Map<String, Json>, x: f64, path: &str, errs: &mut Vec<Failure>) {
    let num = |k: &str| s.get(k).and_then(Json::as_f64);
    let mut bound = |name: &str, failed: fn(f64, f64) -> bool| {
        if let Some(m) = num(name) {
            if failed(x, m) {
                errs.push(Failure::new(
                    path,
                    format!("{name}: got {}, want {}", group_float(x), group_float(m)),
                ));
            }
        }
    };
    bound("minimum", |x, m| x < m);
    bound("maximum", |x, m| x > m);
    bound("exclusiveMinimum", |x, m| x <= m);
    bound("exclusiveMaximum", |x, m| x >= m);
    bound("multipleOf", |x, m| m != 0.0 && (x / m).fract() != 0.0);
}

fn strings(
    s: &serde_json::Map<String, Json>,
    pattern: Option<(&str, &regex::Regex)>,
    text: &str,
    path: &str,
    errs: &mut Vec<Failure>,
) {
    let len = text.chars().count() as u64;
    if let Some(m) = s.get("minLength").and_then(Json::as_u64) {
        if len < m {
            errs.push(Failure::new(
                path,
                format!("minLength: got {}, want {}", group_int(len), group_int(m)),
            ));
        }
    }
    if let Some(m) = s.get("maxLength").and_then(Json::as_u64) {
        if len > m {
            errs.push(Failure::new(
                path,
                format!("maxLength: got {}, want {}", group_int(len), group_int(m)),
            ));
        }
    }
    if let Some((p, re)) = pattern {
        if !re.is_match(text) {
            errs.push(Failure::new(
                path,
                format!("{} does not match pattern {}", go_quote(text), go_quote(p)),
            ));
        }
    }
}

/// `enum`'s message: the options when all are scalars.
fn enum_message(options: &[Json]) -> String {
    if options.iter().any(|o| o.is_array() || o.is_object()) {
        return "'enum' failed".into();
    }
    match options {
        [one] => format!("value must be {}", display(one)),
        _ => {
            let list: Vec<String> = options.iter().map(display).collect();
            format!("value must be one of {}", list.join(", "))
        }
    }
}

/// The order in which jsonschema names types.
const TYPE_ORDER: &[&str] = &[
    "null", "boolean", "number", "integer", "string", "array", "object",
];

/// A value as the checker reads it: a map or list walked where it is, any
/// other value as the JSON Helm hands jsonschema.
struct Data<'v> {
    value: &'v Value,
    shape: Shape<'v>,
}

enum Shape<'v> {
    Map(&'v Map),
    List(&'v [Value]),
    Scalar(Json),
}

impl<'v> Data<'v> {
    fn of(value: &'v Value) -> Data<'v> {
        let shape = match value {
            Value::Map(m, _) => Shape::Map(m),
            Value::List(l) => Shape::List(l),
            other => Shape::Scalar(other.to_json()),
        };
        Data { value, shape }
    }

    /// The whole value as JSON, for `const` and `enum`.
    fn json(&self) -> std::borrow::Cow<'_, Json> {
        match &self.shape {
            Shape::Scalar(j) => std::borrow::Cow::Borrowed(j),
            _ => std::borrow::Cow::Owned(self.value.to_json()),
        }
    }
}

fn has_type(data: &Data, want: &str) -> bool {
    let data = match &data.shape {
        Shape::Map(_) | Shape::List(_) if TYPE_ORDER.contains(&want) => {
            return want == type_of(data)
        }
        Shape::Map(_) | Shape::List(_) => return true,
        Shape::Scalar(j) => j,
    };
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

fn type_of(data: &Data) -> &'static str {
    let data = match &data.shape {
        Shape::Map(_) => return "object",
        Shape::List(_) => return "array",
        Shape::Scalar(j) => j,
    };
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

/// A scalar as jsonschema prints it in `enum` and `const` messages (Go's
/// `%v`, strings quoted).
fn display(v: &Json) -> String {
    match v {
        Json::String(s) => go_quote(s),
        Json::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// jsonschema's quoting: Go's `%q` inside single quotes.
fn go_quote(s: &str) -> String {
    let q = crate::strconv::go_quote(s)
        .replace("\\\"", "\"")
        .replace('\'', "\\'");
    format!("'{}'", &q[1..q.len() - 1])
}

/// An integer as golang.org/x/text's English printer writes `%d`: digits in
/// groups of three.
fn group_int(n: u64) -> String {
    group_digits(&n.to_string())
}

fn group_digits(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A float as golang.org/x/text's English printer writes `%v`: Go's
/// shortest `%g` decision (exponent below -4 or from 6 up is scientific),
/// grouped integer digits, and scientific notation as `1.5×10⁰⁶`.
fn group_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let (digits, dp) = crate::strconv::shortest_digits(x.abs());
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let e: String = format!("{:02}", exp.abs())
            .chars()
            .map(|c| SUP[c.to_digit(10).unwrap_or(0) as usize])
            .collect();
        let esign = if exp < 0 { "⁻" } else { "" };
        return format!("{sign}{mantissa}×10{esign}{e}");
    }
    let (int, frac) = if dp <= 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat((-dp) as usize)),
        )
    } else if dp as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(dp as usize - digits.len())),
            String::new(),
        )
    } else {
        let (i, f) = digits.split_at(dp as usize);
        (i.to_string(), f.to_string())
    };
    let int = group_digits(&int);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
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
            data: d.as_bytes().into(),
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

    /// The report below the header line, for `schema` over `vals`.
    fn report(schema: &str, vals: &str) -> String {
        let err = validate(&chart(schema), &values(vals))
            .unwrap_err()
            .to_string();
        let head = "values don't meet the specifications of the schema(s) in the following chart(s):\np:\n";
        err.strip_prefix(head).unwrap_or(&err).to_string()
    }

    #[test]
    fn ref_cycles_end_in_helms_error() {
        // Each as Helm 4.2.3 reports it (helm-oracle), word for word; the
        // first took 3.9 GB and aborted before.
        let cases = [
            (
                r##"{"allOf":[{"$ref":"#"},{"$ref":"#"}]}"##,
                "- at '': 'allOf' failed\n  - at '': both /allOf/0/$ref and  resolve to \"file:///values.schema.json#\" causing reference cycle\n  - at '': both /allOf/1/$ref and  resolve to \"file:///values.schema.json#\" causing reference cycle\n",
            ),
            (
                r##"{"$ref":"#"}"##,
                "- at '': both /$ref and  resolve to \"file:///values.schema.json#\" causing reference cycle\n",
            ),
            (
                r##"{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"properties":{"a":{"$ref":"#/definitions/a"}}}"##,
                "- at '/a': both /properties/a/$ref/$ref/$ref and /properties/a/$ref resolve to \"file:///values.schema.json#/definitions/a\" causing reference cycle\n",
            ),
            (
                r##"{"properties":{"a":{"$ref":"#/properties/a"}}}"##,
                "- at '/a': both /properties/a/$ref and /properties/a resolve to \"file:///values.schema.json#/properties/a\" causing reference cycle\n",
            ),
            (
                r##"{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"x":{"properties":{"a":{"$ref":"#/definitions/x"}},"anyOf":[{"$ref":"#/definitions/x"}]}},"$ref":"#/definitions/x"}"##,
                "- at '': validation failed\n  - at '/a': 'anyOf' failed\n    - at '/a': both /$ref/properties/a/$ref/anyOf/0/$ref and /$ref/properties/a/$ref resolve to \"file:///values.schema.json#/definitions/x\" causing reference cycle\n  - at '': 'anyOf' failed\n    - at '': both /$ref/anyOf/0/$ref and /$ref resolve to \"file:///values.schema.json#/definitions/x\" causing reference cycle\n",
            ),
        ];
        for (schema, want) in cases {
            assert_eq!(report(schema, "a: 1\n"), want, "{schema}");
        }
        // A `$ref` to an enclosing schema at a deeper value is recursion,
        // not a cycle (Helm: the type error below).
        assert_eq!(
            report(
                r##"{"properties":{"a":{"$ref":"#"}},"type":"object"}"##,
                "a: 1\n"
            ),
            "- at '/a': got number, want object\n"
        );
    }

    #[test]
    fn multiplying_refs_stop_at_the_check_limit() {
        // Two refs a level, 40 levels: 2^40 checks without a cycle (Helm
        // runs on past 20 s); chartfix stops at its limit within a second.
        let mut defs = serde_json::Map::new();
        for i in 0..40 {
            let next = serde_json::json!({"$ref": format!("#/definitions/d{}", i + 1)});
            defs.insert(format!("d{i}"), serde_json::json!({"allOf": [next, next]}));
        }
        defs.insert("d40".into(), serde_json::json!({"type": "object"}));
        let schema = serde_json::json!({"definitions": defs, "$ref": "#/definitions/d0"});
        let start = std::time::Instant::now();
        let err = validate(&chart(&schema.to_string()), &values("a: 1\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("values.schema.json: validation stopped after 1000000 checks (limit)"),
            "{err}"
        );
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
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

    #[test]
    fn numbers_as_golang_text_prints_them() {
        assert_eq!(group_float(12345.25), "12,345.25");
        assert_eq!(group_float(-5000.0), "-5,000");
        assert_eq!(group_float(999999.0), "999,999");
        assert_eq!(group_float(1e6), "1×10⁰⁶");
        assert_eq!(group_float(1000000.5), "1.0000005×10⁰⁶");
        assert_eq!(group_float(1e-7), "1×10⁻⁰⁷");
        assert_eq!(group_float(0.0001), "0.0001");
        assert_eq!(group_float(0.0), "0");
        assert_eq!(group_int(1234), "1,234");
        assert_eq!(group_int(123), "123");
    }

    #[test]
    fn several_violations_of_one_schema_are_grouped() {
        let c = chart(
            r#"{"properties":{"o":{"properties":{"b":{"minLength":3,"pattern":"^z"},"c":{"type":"string"}}}}}"#,
        );
        let err = validate(&c, &values("o: {b: x, c: 1}\n")).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "- at '/o/b': validation failed\n  - at '/o/b': minLength: got 1, want 3\n  - at '/o/b': 'x' does not match pattern '^z'\n- at '/o/c': got number, want string\n"
            ),
            "{err}"
        );
    }
}
