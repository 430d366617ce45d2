//! Template functions: strings (`trim`, `upper`, `replace`, `quote`, `indent`, `nindent`, `printf`, `split`, `join`, `trunc`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
