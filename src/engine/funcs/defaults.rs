//! Template functions: defaults and flow (`default`, `empty`, `coalesce`, `ternary`, `required` is Helm's and lives with the executor).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
