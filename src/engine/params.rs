//! Go's conversion of a call's arguments to the function's parameter types
//! (text/template's `evalArg` and `validateType`), for the typed parameters of
//! [`super::funcs::signatures`].
//!
//! Constants are converted by their syntax: a number constant whose value is
//! whole is an integer (`until 3.0`, `trunc 1e2`), any number a float; a
//! constant of the wrong kind is refused by its text (`expected string; found
//! 1`). Values computed at run time are not converted: they must already have
//! the parameter's type (`wrong type for value; expected int; got float64`),
//! and a nil taken out of a map or list is an `interface {}`.

use super::ast::Arg;
use super::funcs::signatures::Param;
use crate::value::complex::Complex;
use crate::value::Value;

/// A literal argument converted to `param`, or Go's complaint about it.
/// `None` when the argument is not a constant (it is evaluated, then
/// [`check_value`]).
pub(super) fn convert_constant(arg: &Arg, param: Param) -> Option<Result<Value, String>> {
    let found = |text: &str| -> String {
        match param {
            Param::Str => format!("expected string; found {text}"),
            Param::Int => format!("expected integer; found {text}"),
            Param::Uint32 => format!("expected unsigned integer; found {text}"),
            Param::Float => format!("expected float; found {text}"),
            Param::Bool => format!("expected bool; found {text}"),
            Param::Map | Param::Writer | Param::Any => {
                format!("can't handle {text} for arg of type {}", param.go_name())
            }
        }
    };
    Some(match arg {
        Arg::Nil(_) => match param {
            // A nil map is a map, a nil interface an interface.
            Param::Map | Param::Writer => Ok(Value::Nil),
            _ => Err(format!("cannot assign nil to {}", param.go_name())),
        },
        Arg::Bool(_, b) => match param {
            Param::Bool => Ok(Value::Bool(*b)),
            _ => Err(found(if *b { "true" } else { "false" })),
        },
        Arg::String { quoted, value, .. } => match param {
            Param::Str => Ok(value.clone()),
            _ => Err(found(quoted)),
        },
        Arg::Number { text, value, .. } => {
            let value = match value {
                Ok(v) => v,
                Err(msg) => return Some(Err(msg.clone())),
            };
            // A complex constant with no imaginary part is also a float (and
            // an int when whole) to Go's parser: `until 3+0i` is `until 3`.
            let real;
            let value = match Complex::of(value) {
                Some(c) if c.im == 0.0 => {
                    real = Value::Float(c.re);
                    &real
                }
                _ => value,
            };
            match (param, value) {
                (Param::Int, Value::Int(_) | Value::Int64(_)) => Ok(value.clone()),
                (Param::Int, Value::Float(f)) => match whole(*f) {
                    Some(i) => Ok(Value::Int(i)),
                    None => Err(found(text)),
                },
                (Param::Uint32, Value::Int(i) | Value::Int64(i)) if *i >= 0 => Ok(Value::Int(*i)),
                (Param::Uint32, Value::Float(f)) => match whole(*f) {
                    Some(i) if i >= 0 => Ok(Value::Int(i)),
                    _ => Err(found(text)),
                },
                (Param::Float, Value::Int(i) | Value::Int64(i)) => Ok(Value::Float(*i as f64)),
                (Param::Float, Value::Float(_)) => Ok(value.clone()),
                _ => Err(found(text)),
            }
        }
        _ => return None,
    })
}

/// Go's `float64(int64(f)) == f`: the float is a whole number an int holds.
fn whole(f: f64) -> Option<i64> {
    // -2^63 ..= 2^63 exclusive at the top: `as` saturates, so compare first.
    if f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// Go's `validateType`: a computed value must already have the parameter's
/// type. `boxed` says the value came out of a map, a list or an interface
/// field, where Go's nil has the type `interface {}`.
pub(super) fn check_value(value: &Value, boxed: bool, param: Param) -> Result<(), String> {
    let fits = match (param, value) {
        (Param::Any, _) => true,
        // An untyped nil: Go's zero value where the type can be nil.
        (Param::Map | Param::Writer, Value::Nil) => !boxed,
        (_, Value::Nil) if !boxed => {
            return Err(format!("invalid value; expected {}", param.go_name()));
        }
        (Param::Str, Value::String(_) | Value::RawString(_)) => true,
        (Param::Int, Value::Int(_)) => true,
        (Param::Float, Value::Float(_)) => true,
        (Param::Bool, Value::Bool(_)) => true,
        (Param::Map, Value::Map(_, _)) => true,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    let got = match value {
        Value::Nil => "interface {}",
        v => v.type_name(),
    };
    Err(format!(
        "wrong type for value; expected {}; got {got}",
        param.go_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str, value: Value) -> Arg {
        Arg::Number {
            pos: 0,
            text: text.into(),
            value: Ok(value),
        }
    }

    #[test]
    fn whole_floats_are_integers() {
        let three = number("3.0", Value::Float(3.0));
        assert_eq!(
            convert_constant(&three, Param::Int),
            Some(Ok(Value::Int(3)))
        );
        let half = number("2.5", Value::Float(2.5));
        assert_eq!(
            convert_constant(&half, Param::Int),
            Some(Err("expected integer; found 2.5".into()))
        );
        let two = number("2", Value::Int(2));
        assert_eq!(
            convert_constant(&two, Param::Float),
            Some(Ok(Value::Float(2.0)))
        );
        assert_eq!(
            convert_constant(&two, Param::Str),
            Some(Err("expected string; found 2".into()))
        );
        assert_eq!(
            convert_constant(&number("-1", Value::Int(-1)), Param::Uint32),
            Some(Err("expected unsigned integer; found -1".into()))
        );
        assert_eq!(whole(1e19), None);
        assert_eq!(whole(i64::MIN as f64), Some(i64::MIN));
    }

    #[test]
    fn computed_values_keep_their_type() {
        assert!(check_value(&Value::Int(1), false, Param::Int).is_ok());
        assert_eq!(
            check_value(&Value::Int64(1), false, Param::Int).unwrap_err(),
            "wrong type for value; expected int; got int64"
        );
        assert_eq!(
            check_value(&Value::Nil, true, Param::Str).unwrap_err(),
            "wrong type for value; expected string; got interface {}"
        );
        assert_eq!(
            check_value(&Value::Nil, false, Param::Str).unwrap_err(),
            "invalid value; expected string"
        );
        assert!(check_value(&Value::Nil, false, Param::Map).is_ok());
    }
}
