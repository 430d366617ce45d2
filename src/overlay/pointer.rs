//! JSON Pointers (RFC 6901): the paths of `set`, `remove` and `patch`, and the
//! paths provenance records name.

use serde_json::Value;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<String>,
}

impl Pointer {
    pub fn parse(text: &str) -> Result<Pointer, String> {
        if text.is_empty() {
            return Ok(Pointer {
                text: String::new(),
                tokens: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "invalid JSON pointer {text:?}: it must start with `/`, e.g. /spec/replicas \
                 (escape `/` in a key as ~1 and `~` as ~0)"
            ));
        };
        let mut tokens = Vec::new();
        for raw in rest.split('/') {
            let mut token = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => token.push('~'),
                        Some('1') => token.push('/'),
                        _ => {
                            return Err(format!(
                                "invalid JSON pointer {text:?}: `~` must be followed by 0 (for ~) or 1 (for /)"
                            ))
                        }
                    }
                } else {
                    token.push(c);
                }
            }
            tokens.push(token);
        }
        Ok(Pointer {
            text: text.to_string(),
            tokens,
        })
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Pointer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = super::params::ParamString::deserialize(d)?;
        Pointer::parse(&s.0).map_err(serde::de::Error::custom)
    }
}

/// Escapes one key for use in a pointer.
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// `base` extended by one key or index.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

fn index(token: &str, len: usize, allow_end: bool) -> Option<usize> {
    if token == "-" {
        return allow_end.then_some(len);
    }
    // RFC 6901: no leading zeros, no signs.
    if token.is_empty()
        || (token.len() > 1 && token.starts_with('0'))
        || !token.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let i: usize = token.parse().ok()?;
    (i < len || allow_end && i == len).then_some(i)
}

pub fn get<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |v, t| match v {
        Value::Object(m) => m.get(t),
        Value::Array(a) => index(t, a.len(), false).and_then(|i| a.get(i)),
        _ => None,
    })
}

pub fn get_mut<'a>(doc: &'a mut Value, tokens: &[String]) -> Option<&'a mut Value> {
    tokens.iter().try_fold(doc, |v, t| match v {
        Value::Object(m) => m.get_mut(t),
        Value::Array(a) => {
            let len = a.len();
            index(t, len, false).and_then(move |i| a.get_mut(i))
        }
        _ => None,
    })
}

/// Writes `value` at the pointer, creating missing mappings on the way (the
/// `set` operation), and returns what was there. An existing scalar or list in
/// the way is an error: `set` extends documents, it does not reshape them.
pub fn set(doc: &mut Value, tokens: &[String], value: Value) -> Result<Option<Value>, String> {
    let Some((last, parents)) = tokens.split_last() else {
        return Ok(Some(std::mem::replace(doc, value)));
    };
    let mut cur = doc;
    for (depth, t) in parents.iter().enumerate() {
        if cur.is_null() {
            *cur = Value::Object(Default::default());
        }
        cur = match cur {
            Value::Object(m) => m.entry(t.clone()).or_insert(Value::Null),
            Value::Array(a) => {
                let len = a.len();
                let i = index(t, len, false).ok_or_else(|| no_index(t, &tokens[..=depth]))?;
                &mut a[i]
            }
            _ => {
                return Err(format!(
                    "{} is not a mapping or a list",
                    render(&tokens[..depth])
                ))
            }
        };
    }
    if cur.is_null() {
        *cur = Value::Object(Default::default());
    }
    match cur {
        Value::Object(m) => Ok(m.insert(last.clone(), value)),
        Value::Array(a) => {
            let len = a.len();
            let i = index(last, len, true).ok_or_else(|| no_index(last, tokens))?;
            if i == len {
                a.push(value);
                Ok(None)
            } else {
                Ok(Some(std::mem::replace(&mut a[i], value)))
            }
        }
        _ => Err(format!("{} is not a mapping or a list", render(parents))),
    }
}

/// RFC 6902 `add`: the parent must exist; into a list it inserts.
pub fn add(doc: &mut Value, tokens: &[String], value: Value) -> Result<Option<Value>, String> {
    let Some((last, parents)) = tokens.split_last() else {
        return Ok(Some(std::mem::replace(doc, value)));
    };
    match get_mut(doc, parents) {
        Some(Value::Object(m)) => Ok(m.insert(last.clone(), value)),
        Some(Value::Array(a)) => {
            let i = index(last, a.len(), true).ok_or_else(|| no_index(last, tokens))?;
            a.insert(i, value);
            Ok(None)
        }
        Some(_) => Err(format!("{} is not a mapping or a list", render(parents))),
        None => Err(format!("{} does not exist", render(parents))),
    }
}

/// Removes what the pointer names and returns it (`None` when absent).
pub fn remove(doc: &mut Value, tokens: &[String]) -> Option<Value> {
    let (last, parents) = tokens.split_last()?;
    match get_mut(doc, parents)? {
        Value::Object(m) => m.shift_remove(last),
        Value::Array(a) => {
            let i = index(last, a.len(), false)?;
            Some(a.remove(i))
        }
        _ => None,
    }
}

fn no_index(t: &str, at: &[String]) -> String {
    format!("{}: {t:?} is not an index of the list", render(at))
}

/// Writes tokens back as pointer text.
pub fn render(tokens: &[String]) -> String {
    tokens.iter().fold(String::new(), |acc, t| join(&acc, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Vec<String> {
        Pointer::parse(s).unwrap().tokens().to_vec()
    }

    #[test]
    fn parses_escapes() {
        assert_eq!(p("/a~1b/c~0d"), ["a/b", "c~d"]);
        assert_eq!(p(""), Vec::<String>::new());
        assert!(Pointer::parse("a/b").is_err());
        assert!(Pointer::parse("/a~2").is_err());
        assert_eq!(join("/x", "kubernetes.io/arch"), "/x/kubernetes.io~1arch");
    }

    #[test]
    fn set_creates_mappings() {
        let mut d = json!({"spec": {"l": [1, 2]}});
        assert_eq!(
            set(&mut d, &p("/spec/nodeSelector/a~1b"), json!("x")).unwrap(),
            None
        );
        assert_eq!(
            set(&mut d, &p("/spec/l/0"), json!(9)).unwrap(),
            Some(json!(1))
        );
        set(&mut d, &p("/spec/l/-"), json!(3)).unwrap();
        assert_eq!(
            d,
            json!({"spec": {"l": [9, 2, 3], "nodeSelector": {"a/b": "x"}}})
        );
        assert!(set(&mut d, &p("/spec/l/7"), json!(0)).is_err());
        assert!(set(&mut d, &p("/spec/l/0/x"), json!(0)).is_err());
    }

    #[test]
    fn add_get_remove() {
        let mut d = json!({"a": [1, 3]});
        add(&mut d, &p("/a/1"), json!(2)).unwrap();
        assert_eq!(get(&d, &p("/a")), Some(&json!([1, 2, 3])));
        assert!(add(&mut d, &p("/b/c"), json!(2)).is_err());
        assert_eq!(remove(&mut d, &p("/a/0")), Some(json!(1)));
        assert_eq!(remove(&mut d, &p("/a/01")), None);
        assert_eq!(remove(&mut d, &p("/zz")), None);
        assert_eq!(d, json!({"a": [2, 3]}));
    }
}
