//! Template functions: lists (`list`, `first`, `rest`, `append`, `concat`, `uniq`, `has`, `without`, `sortAlpha`, `until`, `seq`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
