//! Template functions: time and dates (`now`, `date`, `dateInZone`, `toDate`, `ago`, `duration`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
