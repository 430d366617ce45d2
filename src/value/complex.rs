//! Go's `complex128`, the type of a complex constant in a template (`1i`,
//! `1+2i`). Templates can only print, compare and pass such a value: Sprig's
//! functions treat it as no number (`add 1i 1` is 1) and Go's encoders refuse
//! it (`json: unsupported type: complex128`).

use super::{Object, Value};
use crate::strconv::format_float_g;
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

    /// `%v`: `(0+1i)`, as `fmt` prints it: each part as `%g`, the
    /// imaginary one always with its sign (`+NaN` too, where a lone NaN has
    /// none). `gofmt` prints the other verbs.
    fn format(&self) -> String {
        let part = |x: f64, plus: bool| {
            let text = format_float_g(x);
            if plus && !text.starts_with(['-', '+']) {
                format!("+{text}")
            } else {
                text
            }
        };
        format!("({}{}i)", part(self.re, false), part(self.im, true))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_fmt_does() {
        let show = |re, im| Complex { re, im }.format();
        assert_eq!(show(0.0, 1.0), "(0+1i)");
        assert_eq!(show(1.5, -2.0), "(1.5-2i)");
        assert_eq!(show(f64::INFINITY, f64::NAN), "(+Inf+NaNi)");
        assert_eq!(show(f64::NAN, f64::NEG_INFINITY), "(NaN-Infi)");
        assert_eq!(show(1e21, -0.0), "(1e+21-0i)");
        // The same as fmt's `%v`.
        for (re, im) in [(0.0, 1.0), (1e21, -0.0), (f64::INFINITY, f64::NAN)] {
            let v = Complex::value(re, im);
            assert_eq!(crate::gofmt::format_v(&v), Complex { re, im }.format());
        }
    }
}
