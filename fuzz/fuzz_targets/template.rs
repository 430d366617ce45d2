//! The template engine: parse the input as a chart template and execute it.
//!
//! Input: template text, then optionally a NUL byte and a YAML/JSON blob that
//! becomes `.Values`. Limits are small so that anything the limits do not stop
//! shows up as a libFuzzer timeout (a real finding), not as a slow corpus.
#![no_main]

use chartfix::engine::{Engine, Limits, Map, Value};
use chartfix::render::capabilities::Capabilities;
use chartfix::render::files::Files;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    // Bad values still leave a template worth running.
    let values = std::str::from_utf8(values)
        .ok()
        .and_then(|v| chartfix::yaml::from_str(v).ok())
        .filter(|v| v.as_map().is_some())
        .unwrap_or_else(|| Value::map(Map::new()));

    let mut engine = Engine::new();
    engine.set_limits(Limits {
        max_include_depth: 100,
        max_template_depth: 100,
        max_tpl_depth: 100,
        max_output_bytes: 1 << 20,
        max_steps: 200_000,
        // One bcrypt hash at most: with sanitizers a 2048-bit RSA key takes
        // longer than the 10 s timeout.
        max_work: 1,
        // Limits added later start at their defaults (the target kept
        // compiling only if it names every field).
        ..Limits::default()
    });
    let name = "fuzz/templates/t.yaml";
    if engine.add(name, text).is_err() {
        return;
    }
    let _ = engine.render(name, &dot(values));
});

/// `.` as Helm gives it to a chart's template.
fn dot(values: Value) -> Value {
    let release = Map::new();
    release.insert("Name", Value::from("rel"));
    release.insert("Namespace", Value::from("default"));
    release.insert("IsInstall", Value::Bool(true));
    release.insert("IsUpgrade", Value::Bool(false));
    release.insert("Revision", Value::Int(1));
    release.insert("Service", Value::from("Helm"));
    let chart = Map::new();
    chart.insert("Name", Value::from("fuzz"));
    chart.insert("Version", Value::from("0.1.0"));
    chart.insert("AppVersion", Value::from("1.0"));
    let template = Map::new();
    template.insert("Name", Value::from("fuzz/templates/t.yaml"));
    template.insert("BasePath", Value::from("fuzz/templates"));
    let files = Files::new([
        ("files/a.txt".to_string(), b"a: 1\nb: two\n".as_slice().into()),
        ("files/b.json".to_string(), b"{\"k\": [1, 2]}".as_slice().into()),
        ("config/x.conf".to_string(), b"key=value\n".as_slice().into()),
    ]);
    let top = Map::new();
    top.insert("Values", values);
    top.insert("Release", Value::map(release));
    top.insert("Chart", Value::map(chart));
    top.insert("Template", Value::map(template));
    top.insert("Files", Value::object(files));
    top.insert("Capabilities", Value::object(Capabilities::new(None, &[])));
    top.insert("Subcharts", Value::map(Map::new()));
    Value::map(top)
}
