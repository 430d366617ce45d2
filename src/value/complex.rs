//! Go's `complex128`, the type of a complex constant in a template (`1i`,
//! `1+2i`). Templates can only print, compare and pass such a value: Sprig's
//! functions treat it as no number (`add 1i 1` is 1) and Go's encoders refuse
//! it (`json: unsupported type: complex128`).

use super::{Object, Value};
use std::any::Any;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    pub fn value(re: f64, im: f64) -> Value {
        Value::object(Complex { re, im })
    }

    /// The complex number a value holds, if it is one.
    pub fn of(v: &Value) -> Option<Complex> {
        match v {
            Value::Object(o) => o.as_any().downcast_ref::<Complex>().copied(),
            _ => None,
        }
    }
}

impl Object for Complex {
    fn type_name(&self) -> &str {
        "complex128"
    }

    fn kind_name(&self) -> &str {
        "complex128"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    /// `%v`: `(0+1i)`, as `fmt` prints it.
    fn format(&self) -> String {
        crate::gofmt::format_v(&Value::object(*self))
    }

    /// Go's truth of a complex number: not zero.
    fn truthy(&self) -> bool {
        self.re != 0.0 || self.im != 0.0
    }

    fn unencodable(&self) -> bool {
        true
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
