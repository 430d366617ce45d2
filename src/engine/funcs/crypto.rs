//! Template functions: hashes, random strings, passwords, keys and certificates (`sha256sum`, `randAlphaNum`, `htpasswd`, `genCA`, …).

use super::FuncTable;

pub fn register(table: &mut FuncTable) {
    let _ = table;
}
