//! Helm's functions that run templates: `include` and `tpl`.
//!
//! Both execute with a fresh variable scope, as Go's `ExecuteTemplate` does, and
//! share one count of nested `include`s per render (Helm's `includedNames`), so
//! unbounded recursion ends with Helm's error rather than a crash.

use super::error::{Cause, ErrorKind};
use super::exec::{Exec, TreeMap};
use crate::value::Value;
use std::sync::Arc;

impl Exec<'_> {
    /// Helm's `include`: executes a named template into a string.
    pub(super) fn include(&mut self, vals: &[Value]) -> Result<Value, Cause> {
        let name = vals.first().and_then(Value::as_str).unwrap_or("");
        let data = vals.get(1).cloned().unwrap_or(Value::Nil);
        let count = self.include_counts.get(name).copied().unwrap_or(0);
        if count > self.limits().max_include_depth {
            return Err(Cause::IncludeOther(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        let Some(target) = self.lookup(name) else {
            return Err(Cause::IncludeOther(format!(
                "template: no template {} associated with template \"gotpl\"",
                crate::strconv::go_quote(name)
            )));
        };
        let key = target.name.clone();
        *self.include_counts.entry(key.clone()).or_insert(0) += 1;
        let mut buf = String::new();
        let result = self.execute(&target, data, &mut buf);
        if let Some(c) = self.include_counts.get_mut(&key) {
            *c = c.saturating_sub(1);
        }
        match result {
            Ok(()) => Ok(Value::from(buf)),
            Err(e) if matches!(e.kind(), ErrorKind::Limit) => Err(Cause::Fatal(Box::new(e))),
            Err(e) => Err(Cause::Include(Box::new(e))),
        }
    }

    /// Helm's `tpl`: parses a string as a template among the current set (its
    /// `define`s visible only to it) and executes it with the given data.
    pub(super) fn tpl(&mut self, vals: &[Value]) -> Result<Value, Cause> {
        let text = vals.first().and_then(Value::as_str).unwrap_or("");
        let data = vals.get(1).cloned().unwrap_or(Value::Nil);
        let quoted = crate::strconv::go_quote(text);
        let trees = super::parser::parse("gotpl", text).map_err(|e| {
            Cause::Call(format!(
                "error calling tpl: cannot parse template {quoted}: {}",
                e.go_message()
            ))
        })?;
        let mut set = TreeMap::default();
        let mut top = None;
        for t in trees {
            let t = Arc::new(t);
            if &*t.name == "gotpl" {
                top = Some(t.clone());
            }
            set.insert(t.name.clone(), t);
        }
        let Some(top) = top else {
            return Ok(Value::from(""));
        };
        self.overlays.push(Arc::new(set));
        let mut buf = String::new();
        let result = self.execute(&top, data, &mut buf);
        self.overlays.pop();
        match result {
            Ok(()) => Ok(Value::from(buf.replace("<no value>", ""))),
            Err(e) if matches!(e.kind(), ErrorKind::Limit) => Err(Cause::Fatal(Box::new(e))),
            Err(e) => Err(Cause::Call(format!(
                "error calling tpl: error during tpl function execution for {quoted}: {}",
                e.go_message()
            ))),
        }
    }
}
