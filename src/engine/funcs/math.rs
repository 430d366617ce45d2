//! Template functions: arithmetic. Integer functions (`add`, `add1`, `sub`,
//! `mul`, `div`, `mod`, `max`, `min`, `biggest`, `randInt`) cast their
//! arguments with `cast.ToInt64` and return Go's int64; float functions
//! (`addf`, `add1f`, `subf`, `mulf`, `divf`, `maxf`, `minf`, `floor`, `ceil`,
//! `round`) return float64.
//!
//! Sprig's `addf`, `subf`, `mulf` and `divf` compute in decimal (shopspring's
//! `decimal`, starting from each float's shortest decimal form) and convert
//! back to float64 only at the end, so `addf 0.1 0.2` is `0.3`, not
//! `0.30000000000000004`; division keeps 16 decimal places.

use super::conv::{arg_int, arity, arity_at_least, to_f64, to_i64};
use super::FuncTable;
use crate::strconv::shortest_digits;
use crate::value::Value;
use rand::Rng;

// Sprig's integer arithmetic works in int64 and returns int64.
pub fn register(table: &mut FuncTable) {
    table.add("add", |a| {
        Ok(Value::Int64(
            a.iter().map(to_i64).fold(0i64, i64::wrapping_add),
        ))
    });
    table.add("add1", |a| {
        arity("add1", a, 1)?;
        Ok(Value::Int64(to_i64(&a[0]).wrapping_add(1)))
    });
    table.add("sub", |a| int2("sub", a, |x, y| Ok(x.wrapping_sub(y))));
    table.add("div", |a| {
        int2("div", a, |x, y| {
            x.checked_div(y)
                .or_else(|| (y != 0).then(|| x.wrapping_div(y)))
                .ok_or_else(|| "error calling div: runtime error: integer divide by zero".into())
        })
    });
    table.add("mod", |a| {
        int2("mod", a, |x, y| {
            x.checked_rem(y)
                .or_else(|| (y != 0).then_some(0))
                .ok_or_else(|| "error calling mod: runtime error: integer divide by zero".into())
        })
    });
    table.add("mul", |a| {
        arity_at_least("mul", a, 1)?;
        Ok(Value::Int64(
            a.iter().map(to_i64).fold(1i64, i64::wrapping_mul),
        ))
    });
    table.add("max", |a| int_fold("max", a, i64::max));
    table.add("biggest", |a| int_fold("biggest", a, i64::max));
    table.add("min", |a| int_fold("min", a, i64::min));
    table.add("maxf", |a| float_fold("maxf", a, go_max));
    table.add("minf", |a| float_fold("minf", a, go_min));
    table.add("floor", |a| float1("floor", a, f64::floor));
    table.add("ceil", |a| float1("ceil", a, f64::ceil));
    table.add("round", round);
    table.add("randInt", rand_int);
    table.add("addf", |a| {
        decimal_op("addf", &Value::Float(0.0), a, Dec::add)
    });
    table.add("add1f", |a| {
        arity("add1f", a, 1)?;
        decimal_op("add1f", &a[0], &[Value::Float(1.0)], Dec::add)
    });
    table.add("subf", |a| {
        arity_at_least("subf", a, 1)?;
        decimal_op("subf", &a[0], &a[1..], Dec::sub)
    });
    table.add("mulf", |a| {
        arity_at_least("mulf", a, 1)?;
        decimal_op("mulf", &a[0], &a[1..], Dec::mul)
    });
    table.add("divf", |a| {
        arity_at_least("divf", a, 1)?;
        decimal_op("divf", &a[0], &a[1..], Dec::div)
    });
}

fn int2(
    name: &str,
    args: &[Value],
    f: impl Fn(i64, i64) -> Result<i64, String>,
) -> Result<Value, String> {
    arity(name, args, 2)?;
    f(to_i64(&args[0]), to_i64(&args[1])).map(Value::Int64)
}

fn int_fold(name: &str, args: &[Value], f: fn(i64, i64) -> i64) -> Result<Value, String> {
    arity_at_least(name, args, 1)?;
    let first = to_i64(&args[0]);
    Ok(Value::Int64(args[1..].iter().map(to_i64).fold(first, f)))
}

fn float_fold(name: &str, args: &[Value], f: fn(f64, f64) -> f64) -> Result<Value, String> {
    arity_at_least(name, args, 1)?;
    let first = to_f64(&args[0]);
    Ok(Value::Float(args[1..].iter().map(to_f64).fold(first, f)))
}

fn float1(name: &str, args: &[Value], f: fn(f64) -> f64) -> Result<Value, String> {
    arity(name, args, 1)?;
    Ok(Value::Float(f(to_f64(&args[0]))))
}

/// Go's `math.Max`: NaN wins, and +0 is larger than -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_positive() {
            a
        } else {
            b
        }
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

/// A float64 parameter: Go converts integer constants, so integers pass.
fn arg_float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        other => Err(super::conv::wrong_type("float64", other)),
    }
}

/// `round X PLACES [ROUND_ON]`: rounds up when the fraction past PLACES is at
/// least ROUND_ON (0.5 by default), else down; so -2.5 rounds to -3.
fn round(args: &[Value]) -> Result<Value, String> {
    arity_at_least("round", args, 2)?;
    let x = to_f64(&args[0]);
    let places = arg_int(&args[1])? as f64;
    let round_on = match args.get(2) {
        Some(v) => arg_float(v)?,
        None => 0.5,
    };
    let pow = 10f64.powf(places);
    let digit = pow * x;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(r / pow))
}

/// `randInt MIN MAX`: MIN ≤ n < MAX.
fn rand_int(args: &[Value]) -> Result<Value, String> {
    arity("randInt", args, 2)?;
    let (min, max) = (arg_int(&args[0])?, arg_int(&args[1])?);
    match max.checked_sub(min) {
        Some(n) if n > 0 => Ok(Value::Int(min + rand::thread_rng().gen_range(0..n))),
        _ => Err("error calling randInt: invalid argument to Intn".into()),
    }
}

/// An exact decimal `mantissa × 10^exp`, or a float once a result outgrows
/// 128 bits (where the decimal and binary answers agree to the last bit in
/// all but contrived cases).
#[derive(Clone, Copy, Debug)]
enum Dec {
    Exact(i128, i32),
    Approx(f64),
}

/// Decimal places `divf` keeps (shopspring's `DivisionPrecision`).
const DIVISION_PRECISION: i32 = 16;

impl Dec {
    /// shopspring's `NewFromFloat`: the shortest decimal that reads back as x.
    fn from_f64(x: f64) -> Dec {
        let (digits, dp) = shortest_digits(x.abs());
        let Ok(m) = digits.parse::<i128>() else {
            return Dec::Exact(0, 0);
        };
        let m = if x < 0.0 { -m } else { m };
        Dec::Exact(m, (dp - digits.len() as i64) as i32)
    }

    fn to_f64(self) -> f64 {
        match self {
            Dec::Exact(m, e) => format!("{m}e{e}").parse().unwrap_or(f64::NAN),
            Dec::Approx(f) => f,
        }
    }

    fn pow10(n: i32) -> Option<i128> {
        10i128.checked_pow(u32::try_from(n).ok()?)
    }

    /// Both mantissas at the smaller exponent.
    fn align(a: (i128, i32), b: (i128, i32)) -> Option<(i128, i128, i32)> {
        let e = a.1.min(b.1);
        let ma = a.0.checked_mul(Dec::pow10(a.1 - e)?)?;
        let mb = b.0.checked_mul(Dec::pow10(b.1 - e)?)?;
        Some((ma, mb, e))
    }

    fn exact_or(
        self,
        other: Dec,
        exact: impl Fn((i128, i32), (i128, i32)) -> Option<Dec>,
        approx: fn(f64, f64) -> f64,
    ) -> Dec {
        if let (Dec::Exact(m1, e1), Dec::Exact(m2, e2)) = (self, other) {
            if let Some(d) = exact((m1, e1), (m2, e2)) {
                return d;
            }
        }
        Dec::Approx(approx(self.to_f64(), other.to_f64()))
    }

    fn add(self, other: Dec) -> Result<Dec, String> {
        Ok(self.exact_or(
            other,
            |a, b| {
                let (x, y, e) = Dec::align(a, b)?;
                Some(Dec::Exact(x.checked_add(y)?, e))
            },
            |x, y| x + y,
        ))
    }

    fn sub(self, other: Dec) -> Result<Dec, String> {
        Ok(self.exact_or(
            other,
            |a, b| {
                let (x, y, e) = Dec::align(a, b)?;
                Some(Dec::Exact(x.checked_sub(y)?, e))
            },
            |x, y| x - y,
        ))
    }

    fn mul(self, other: Dec) -> Result<Dec, String> {
        Ok(self.exact_or(
            other,
            |a, b| Some(Dec::Exact(a.0.checked_mul(b.0)?, a.1.checked_add(b.1)?)),
            |x, y| x * y,
        ))
    }

    /// shopspring's `Div`: the quotient rounded half away from zero to 16
    /// decimal places.
    fn div(self, other: Dec) -> Result<Dec, String> {
        if other.to_f64() == 0.0 {
            return Err("decimal division by 0".into());
        }
        Ok(self.exact_or(
            other,
            |a, b| {
                let k = a.1 - b.1 + DIVISION_PRECISION;
                let (num, den) = if k >= 0 {
                    (a.0.checked_mul(Dec::pow10(k)?)?, b.0)
                } else {
                    (a.0, b.0.checked_mul(Dec::pow10(-k)?)?)
                };
                let q = num.checked_div(den)?;
                let r = num.checked_rem(den)?;
                let half_or_more = r.unsigned_abs().checked_mul(2)? >= den.unsigned_abs();
                let away = if (num < 0) != (den < 0) { -1 } else { 1 };
                let q = if half_or_more { q + away } else { q };
                Some(Dec::Exact(q, -DIVISION_PRECISION))
            },
            |x, y| x / y,
        ))
    }
}

/// Sprig's `execDecimalOp`: folds `op` over the arguments in decimal.
fn decimal_op(
    name: &str,
    first: &Value,
    rest: &[Value],
    op: fn(Dec, Dec) -> Result<Dec, String>,
) -> Result<Value, String> {
    let dec = |v: &Value| {
        let x = to_f64(v);
        if x.is_finite() {
            Ok(Dec::from_f64(x))
        } else {
            Err(format!(
                "error calling {name}: Cannot create a Decimal from {}",
                crate::strconv::format_float_g(x)
            ))
        }
    };
    let mut acc = dec(first)?;
    for v in rest {
        acc = op(acc, dec(v)?).map_err(|e| format!("error calling {name}: {e}"))?;
    }
    Ok(Value::Float(acc.to_f64()))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::Value;

    fn out(name: &str, args: &[Value]) -> String {
        (table().get(name).expect(name).func)(args)
            .map(|v| format!("{v}|{}", v.type_name()))
            .unwrap_or_else(|e| e)
    }

    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    // Expected values printed by Helm 4.2.3 (typeOf says int64 for the
    // integer functions; `Value::Int` prints as Go's int).
    #[test]
    fn decimal_float_functions() {
        assert_eq!(out("addf", &[f(0.1), f(0.2)]), "0.3|float64");
        assert_eq!(out("mulf", &[f(0.1), i(3)]), "0.3|float64");
        assert_eq!(out("divf", &[i(1), i(3)]), "0.3333333333333333|float64");
        assert_eq!(out("divf", &[i(10), i(4)]), "2.5|float64");
        assert_eq!(out("subf", &[i(1), f(0.9)]), "0.1|float64");
        assert_eq!(out("mulf", &[f(1.1), f(1.1)]), "1.21|float64");
        assert_eq!(out("divf", &[i(2), i(3)]), "0.6666666666666667|float64");
        assert_eq!(out("addf", &[f(1e20), i(1)]), "1e+20|float64");
        assert_eq!(
            out("mulf", &[f(123456789.123), f(987654321.987)]),
            "1.219326313559686e+17|float64"
        );
        assert_eq!(out("divf", &[i(1), i(7)]), "0.1428571428571429|float64");
        assert_eq!(out("subf", &[i(10)]), "10|float64");
        assert_eq!(out("divf", &[f(1e-20), i(3)]), "0|float64");
        assert_eq!(out("addf", &[f(0.1), s("0.2")]), "0.3|float64");
        assert_eq!(out("addf", &[]), "0|float64");
        assert_eq!(out("add1f", &[s("1.5")]), "2.5|float64");
        assert_eq!(
            out("divf", &[i(1), i(0)]),
            "error calling divf: decimal division by 0"
        );
        assert_eq!(out("addf", &[f(1e300), f(1e300)]), "2e+300|float64");
    }

    #[test]
    fn integer_and_rounding_functions() {
        // Sprig's integer arithmetic gives int64 (recorded with helm-oracle).
        assert_eq!(out("div", &[i(7), i(2)]), "3|int64");
        assert_eq!(out("div", &[i(-7), i(2)]), "-3|int64");
        assert_eq!(out("mod", &[i(-7), i(3)]), "-1|int64");
        assert_eq!(out("max", &[i(1), s("5"), f(3.5)]), "5|int64");
        assert_eq!(out("min", &[i(4), f(2.9)]), "2|int64");
        assert_eq!(out("maxf", &[i(1), s("5.5"), i(3)]), "5.5|float64");
        assert_eq!(out("minf", &[i(2), f(1.5)]), "1.5|float64");
        assert_eq!(out("round", &[f(2.555), i(2)]), "2.56|float64");
        assert_eq!(out("round", &[f(2.5), i(0)]), "3|float64");
        assert_eq!(out("round", &[f(2.4), i(0), f(0.4)]), "2|float64");
        assert_eq!(out("round", &[f(-2.5), i(0)]), "-3|float64");
        assert_eq!(out("floor", &[s("3.7")]), "3|float64");
        assert_eq!(out("ceil", &[f(3.2)]), "4|float64");
        assert_eq!(out("biggest", &[i(3), i(9)]), "9|int64");
        assert_eq!(out("add", &[s("a"), i(1)]), "1|int64");
        assert_eq!(out("mul", &[i(2), s("3")]), "6|int64");
        assert_eq!(out("add", &[]), "0|int64");
        assert_eq!(out("add1", &[f(2.7)]), "3|int64");
        assert_eq!(out("sub", &[i(5), f(2.5)]), "3|int64");
        assert_eq!(
            out("mod", &[i(1), i(0)]),
            "error calling mod: runtime error: integer divide by zero"
        );
        assert_eq!(
            out("div", &[i(i64::MIN), i(-1)]),
            format!("{}|int64", i64::MIN)
        );
        let r = (table().get("randInt").unwrap().func)(&[i(3), i(5)]).unwrap();
        assert!(matches!(r, Value::Int(3 | 4)));
        assert!((table().get("randInt").unwrap().func)(&[i(5), i(5)]).is_err());
    }
}
