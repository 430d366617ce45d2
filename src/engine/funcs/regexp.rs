//! Template functions: regular expressions (`regexMatch`, `regexFind`, `regexReplaceAll`, `regexSplit`, …) with Go RE2 syntax.

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
