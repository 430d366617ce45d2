//! Template functions: dictionaries (`dict`, `get`, `set`, `unset`, `hasKey`, `merge`, `mergeOverwrite`, `keys`, `pick`, `omit`, `dig`, `deepCopy`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
