//! Template functions: type conversions (`int`, `int64`, `float64`, `toString`, `atoi`, …) and the casting helpers other families share (Go `cast` semantics).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
