//! Template functions: types (`typeOf`, `typeIs`, `kindOf`, `kindIs`, `deepEqual`).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
