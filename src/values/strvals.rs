//! The grammar of `--set`, `--set-string`, `--set-json` and `--set-file`:
//! `a.b=v,c[0]=w,d={x,y}`, with `\` escaping any character, as Helm's strvals.
//!
//! `--set` types its values as Helm does: `true`/`false`/`null` (any case),
//! integers without a leading zero become int64, everything else a string
//! (`1.5` stays a string).

use crate::value::{Map, Value};

/// Helm's maximum list index and key nesting.
const MAX_INDEX: usize = 65536;
const MAX_NESTING: usize = 30;

/// How the right-hand side of `key=value` becomes a value.
pub enum Mode<'a> {
    /// `--set`: typed scalars.
    Typed,
    /// `--set-string`: always strings.
    Strings,
    /// `--set-json`: a JSON value.
    Json,
    /// `--set-file`: the value names a file whose text becomes the value.
    File(&'a dyn Fn(&str) -> Result<Value, String>),
}

/// Parses one flag's argument into `dest`, later keys overwriting earlier ones.
pub fn parse_into(input: &str, dest: &Map, mode: Mode<'_>) -> Result<(), String> {
    Parser::new(input, mode).run(dest)
}

/// The key paths one flag's argument assigns, in order, list indexes left
/// out (`a.b=1,c[0].d=2` → `a.b`, `c.d`): read with the same grammar that
/// sets them, so `{x,y}` lists and JSON values are not taken for keys. A
/// `--set-file` argument's files are not read. Paths up to an error count.
pub fn assigned_keys(input: &str, mode: Mode<'_>) -> Vec<Vec<String>> {
    let mode = match mode {
        Mode::File(_) => Mode::Strings,
        other => other,
    };
    let mut p = Parser::new(input, mode);
    let _ = p.run(&Map::new());
    p.assigned
}

enum Stop {
    Eof,
    Error(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Stop {
        Stop::Error(s)
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
    /// The keys leading to where the parser is (list indexes left out).
    path: Vec<String>,
    /// Every key path assigned so far, for [`assigned_keys`].
    assigned: Vec<Vec<String>>,
}

impl<'a> Parser<'a> {
    fn new(input: &str, mode: Mode<'a>) -> Parser<'a> {
        Parser {
            chars: input.chars().collect(),
            pos: 0,
            mode,
            path: Vec::new(),
            assigned: Vec::new(),
        }
    }

    fn run(&mut self, dest: &Map) -> Result<(), String> {
        loop {
            match self.key(dest, 0) {
                Ok(()) => continue,
                Err(Stop::Eof) => return Ok(()),
                Err(Stop::Error(e)) => return Err(e),
            }
        }
    }

    /// Notes that the current path, and `key` under it, is assigned.
    fn note(&mut self, key: Option<&str>) {
        let mut path = self.path.clone();
        path.extend(key.filter(|k| !k.is_empty()).map(str::to_string));
        if !path.is_empty() {
            self.assigned.push(path);
        }
    }

    /// Reads up to one of `stop` (unescaping `\x`); `None` as the stop char at the end.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            self.pos += 1;
            if stop.contains(&c) {
                return (out, Some(c));
            }
            if c == '\\' {
                match self.chars.get(self.pos) {
                    Some(n) => {
                        out.push(*n);
                        self.pos += 1;
                    }
                    None => return (out, None),
                }
            } else {
                out.push(c);
            }
        }
        (out, None)
    }

    fn key(&mut self, data: &Map, level: usize) -> Result<(), Stop> {
        let (k, last) = self.until(&['=', '[', ',', '.']);
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    Err(format!("key {k:?} has no value").into())
                }
            }
            Some('[') => {
                let i = self
                    .index()
                    .map_err(|e| format!("error parsing index: {e}"))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => {
                        return Err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            other.type_name()
                        )
                        .into())
                    }
                };
                self.path.push(k.clone());
                let (list, res) = self.list_item(list, i, level);
                self.path.pop();
                set(data, &k, Value::list(list));
                res
            }
            Some('=') => {
                self.note(Some(&k));
                let v = self.value()?;
                match v {
                    Got::Value(v) => {
                        set(data, &k, v);
                        Ok(())
                    }
                    Got::Eof(v) => {
                        set(data, &k, v);
                        Err(Stop::Eof)
                    }
                }
            }
            Some(',') => {
                self.note(Some(&k));
                set(data, &k, Value::str(""));
                Err(format!("key {k:?} has no value (cannot end with ,)").into())
            }
            Some(_) => {
                // '.': a nested map.
                let level = level + 1;
                if level > MAX_NESTING {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTING}"
                    )
                    .into());
                }
                let inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m, _)) => (*m).clone(),
                    Some(other) => {
                        return Err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            other.type_name()
                        )
                        .into())
                    }
                };
                self.path.push(k.clone());
                let res = self.key(&inner, level);
                self.path.pop();
                if res.is_ok() && inner.is_empty() {
                    return Err(format!("key map {k:?} has no value").into());
                }
                if !inner.is_empty() {
                    set(data, &k, Value::map(inner));
                }
                res
            }
        }
    }

    fn index(&mut self) -> Result<usize, String> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err("EOF".into());
        }
        let i: i64 = v
            .parse()
            .map_err(|_| format!("strconv.Atoi: parsing {v:?}: invalid syntax"))?;
        if i < 0 {
            return Err(format!("negative {i} index not allowed"));
        }
        Ok(i as usize)
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: usize,
        level: usize,
    ) -> (Vec<Value>, Result<(), Stop>) {
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Err(format!("unexpected data at end of array index: {k:?}").into()),
            );
        }
        match last {
            None => (list, Err(Stop::Eof)),
            Some('=') => {
                self.note(None);
                match self.value() {
                    Err(e) => (list, Err(e)),
                    Ok(Got::Value(v)) => match set_index(&mut list, i, v) {
                        Ok(()) => (list, Ok(())),
                        Err(e) => (list, Err(e.into())),
                    },
                    Ok(Got::Eof(v)) => match set_index(&mut list, i, v) {
                        Ok(()) => (list, Err(Stop::Eof)),
                        Err(e) => (list, Err(e.into())),
                    },
                }
            }
            Some('[') => {
                // Nested lists count against the same nesting limit as keys.
                let level = level + 1;
                if level > MAX_NESTING {
                    return (
                        list,
                        Err(format!(
                            "value name nested level is greater than maximum supported nested level of {MAX_NESTING}"
                        )
                        .into()),
                    );
                }
                let next = match self.index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(format!("error parsing index: {e}").into())),
                };
                let inner = match list.get(i) {
                    Some(Value::List(l)) => l.to_vec(),
                    _ => Vec::new(),
                };
                let (inner, res) = self.list_item(inner, next, level);
                if let Err(e) = res {
                    if !matches!(e, Stop::Eof) {
                        return (list, Err(e));
                    }
                    let r = set_index(&mut list, i, Value::list(inner)).map_err(Stop::from);
                    return (list, r.and(Err(Stop::Eof)));
                }
                let r = set_index(&mut list, i, Value::list(inner)).map_err(Stop::from);
                (list, r)
            }
            Some(_) => {
                // '.': a map inside the list.
                let inner = match list.get(i) {
                    Some(Value::Map(m, _)) => (**m).clone(),
                    _ => Map::new(),
                };
                let res = self.key(&inner, level);
                if let Err(Stop::Error(e)) = res {
                    return (list, Err(Stop::Error(e)));
                }
                let r = set_index(&mut list, i, Value::map(inner)).map_err(Stop::from);
                (list, r.and(res))
            }
        }
    }

    /// The value after `=`: a `{a,b}` list, a JSON value, or a scalar.
    fn value(&mut self) -> Result<Got, Stop> {
        if let Mode::Json = self.mode {
            return self.json_value();
        }
        if self.pos >= self.chars.len() {
            return Ok(Got::Eof(Value::str("")));
        }
        if self.chars[self.pos] == '{' {
            self.pos += 1;
            let mut items = Vec::new();
            loop {
                let (rs, last) = self.until(&[',', '}']);
                match last {
                    None => return Err("list must terminate with '}'".to_string().into()),
                    Some('}') => {
                        if self.chars.get(self.pos) == Some(&',') {
                            self.pos += 1;
                        }
                        items.push(self.convert(&rs)?);
                        return Ok(Got::Value(Value::list(items)));
                    }
                    Some(_) => items.push(self.convert(&rs)?),
                }
            }
        }
        let (rs, last) = self.until(&[',']);
        let v = self.convert(&rs)?;
        Ok(if last.is_none() {
            Got::Eof(v)
        } else {
            Got::Value(v)
        })
    }

    fn json_value(&mut self) -> Result<Got, Stop> {
        if self.skip_empty() {
            return Ok(Got::Value(Value::Nil));
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        crate::yaml::check_json_size(&rest)?;
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let v = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(e.to_string().into()),
            None => return Err("unexpected end of JSON input".to_string().into()),
        };
        let used = rest[..stream.byte_offset()].chars().count();
        self.pos += used;
        self.skip_empty();
        Ok(Got::Value(Value::from_json(&v)))
    }

    /// Skips blanks and one comma; true when nothing but that was left.
    fn skip_empty(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if c == ',' {
                return true;
            }
            if !c.is_whitespace() {
                self.pos -= 1;
                return false;
            }
        }
        true
    }

    fn convert(&self, raw: &str) -> Result<Value, Stop> {
        match &self.mode {
            Mode::Strings => Ok(Value::str(raw)),
            Mode::File(read) => read(raw).map_err(Stop::Error),
            _ => Ok(typed(raw)),
        }
    }
}

enum Got {
    Value(Value),
    /// The value ended the input.
    Eof(Value),
}

fn set(data: &Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key, v);
    }
}

fn set_index(list: &mut Vec<Value>, i: usize, v: Value) -> Result<(), String> {
    if i > MAX_INDEX {
        return Err(format!(
            "index of {i} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    Ok(())
}

/// `--set`'s typing of a scalar.
pub fn typed(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    // strconv.ParseInt(s, 10, 64): an int64.
    if s == "0" {
        return Value::Int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int64(i);
        }
    }
    Value::str(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Result<String, String> {
        let m = Map::new();
        parse_into(s, &m, Mode::Typed)?;
        Ok(Value::map(m).to_string())
    }

    #[test]
    fn typed_scalars() {
        assert_eq!(
            set("a=1,b=true,c=007,d=1.5,e=null,f=").unwrap(),
            "map[a:1 b:true c:007 d:1.5 e:<nil> f:]"
        );
        assert!(matches!(typed("12"), Value::Int64(12)));
        assert!(matches!(typed("-3"), Value::Int64(-3)));
        assert!(matches!(typed("+3"), Value::Int64(3)));
    }

    #[test]
    fn nesting_lists_and_escapes() {
        assert_eq!(set("a.b.c=x").unwrap(), "map[a:map[b:map[c:x]]]");
        assert_eq!(set("l[1]=x").unwrap(), "map[l:[<nil> x]]");
        assert_eq!(set("l[0].n=x,l[0].m=y").unwrap(), "map[l:[map[m:y n:x]]]");
        assert_eq!(set("a={x,y},b=z").unwrap(), "map[a:[x y] b:z]");
        assert_eq!(set(r"a\.b=c\,d").unwrap(), "map[a.b:c,d]");
        assert_eq!(set("m[0][1]=x").unwrap(), "map[m:[[<nil> x]]]");
    }

    #[test]
    fn errors_as_helm() {
        assert_eq!(set("a").unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            set("a,b=c").unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(set("a={x").unwrap_err(), "list must terminate with '}'");
        assert!(set("a[x]=1")
            .unwrap_err()
            .starts_with("error parsing index"));
    }

    #[test]
    fn assigned_keys_follow_the_grammar() {
        let keys = |s, mode| -> Vec<String> {
            assigned_keys(s, mode).iter().map(|k| k.join(".")).collect()
        };
        assert_eq!(
            keys(r"a.b=1,c[0].d=2,e\.f=3,l={x,y.z},m[1][0]=v", Mode::Typed),
            ["a.b", "c.d", "e.f", "l", "m"]
        );
        assert_eq!(keys(r#"a={"b,c=1":2},d.e=[1,2]"#, Mode::Json), ["a", "d.e"]);
        let never = |_: &str| -> Result<Value, String> { panic!("read a file") };
        assert_eq!(
            keys("cfg.text=/etc/x,y=z", Mode::File(&never)),
            ["cfg.text", "y"]
        );
        assert_eq!(keys("a=1,b", Mode::Typed), ["a"]);
    }

    #[test]
    fn strings_and_json() {
        let m = Map::new();
        parse_into("a=1,b=true", &m, Mode::Strings).unwrap();
        assert_eq!(m.get("a"), Some(Value::str("1")));
        let m = Map::new();
        parse_into(r#"a={"x":[1,2]},b="s",c="#, &m, Mode::Json).unwrap();
        assert_eq!(Value::map(m).to_string(), "map[a:map[x:[1 2]] b:s c:<nil>]");
    }
}
