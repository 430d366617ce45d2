//! Kubernetes reads manifests as YAML 1.1 (go-yaml v2 through sigs.k8s.io/yaml),
//! where plain `yes`, `off`, `0755` or `1_000` are booleans and numbers; the
//! YAML 1.2 reader used for speed reads them as strings. A document passed
//! through untouched keeps its meaning anyway; a document that is re-emitted
//! would carry them as quoted strings (`defaultMode: '0755'`, which the API
//! server rejects). This restores their 1.1 meaning before re-emitting.

use serde_json::Value;

/// The YAML 1.1 value of a plain scalar the 1.2 reader left as a string.
fn yaml11_value(s: &str) -> Option<Value> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Some(Value::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Some(Value::Bool(false)),
        _ => {}
    }
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let parsed = if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        i64::from_str_radix(digits, 8).ok()
    } else if digits.contains('_')
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        digits.replace('_', "").parse::<i64>().ok()
    } else {
        None
    }?;
    Some(Value::from(if neg { -parsed } else { parsed }))
}

/// Whether `token` appears in `text` as a plain scalar value: after `: ` or
/// `- `, alone before an optional comment. Quoted occurrences do not count.
fn appears_plain(text: &str, token: &str) -> bool {
    text.lines().any(|line| {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        }
        .trim_end();
        line.strip_suffix(token).is_some_and(|before| {
            // `key: TOKEN`, `- TOKEN`, `- - TOKEN`: an indicator, then a space.
            let b = before.trim_end();
            b.len() < before.len()
                && (b.ends_with(':') || b.trim_start() == "-" || b.ends_with(" -"))
        })
    })
}

/// Turns strings that were plain YAML 1.1 booleans and numbers in `text` back
/// into booleans and numbers, in the values (not the keys) of `doc`.
pub fn restore_plain_scalars(doc: &mut Value, text: &str) {
    fn walk(v: &mut Value, text: &str, cache: &mut Vec<(String, bool)>) {
        match v {
            Value::String(s) => {
                if let Some(new) = yaml11_value(s) {
                    let plain = match cache.iter().find(|(t, _)| t == s) {
                        Some((_, p)) => *p,
                        None => {
                            let p = appears_plain(text, s);
                            cache.push((s.clone(), p));
                            p
                        }
                    };
                    if plain {
                        *v = new;
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, text, cache)),
            Value::Object(map) => map.values_mut().for_each(|i| walk(i, text, cache)),
            _ => {}
        }
    }
    walk(doc, text, &mut Vec::new());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_octal_and_booleans_regain_their_meaning() {
        let text = "mode: 0755\nq: '0644'\nflag: yes\nlist:\n- off\nn: 1_000\nname: no # c\n";
        let mut v = crate::manifest::parse_document(text).unwrap();
        restore_plain_scalars(&mut v, text);
        assert_eq!(
            v,
            json!({"mode": 493, "q": "0644", "flag": true, "list": [false], "n": 1000, "name": false})
        );
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let text = "a: \"yes\"\nb: '0755'\n";
        let mut v = crate::manifest::parse_document(text).unwrap();
        restore_plain_scalars(&mut v, text);
        assert_eq!(v, json!({"a": "yes", "b": "0755"}));
    }
}
