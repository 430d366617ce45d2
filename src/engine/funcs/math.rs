//! Template functions: integer and float arithmetic (`add`, `sub`, `mul`, `div`, `mod`, `max`, `min`, `floor`, `ceil`, `round`, `addf`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
