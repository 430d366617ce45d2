//! Template functions: semantic versions and Masterminds constraints (`semver`, `semverCompare`).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
