//! Template functions: encodings (`b64enc`, `b32enc`, `toYaml`, `fromYaml`, `toJson`, `fromJson`, `toToml`, `fromToml`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
