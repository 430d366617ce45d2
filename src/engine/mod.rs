//! A Go `text/template` engine with Helm's and Sprig's functions.
//!
//! Shaped like minijinja: [`lexer`] → [`parser`] (an [`ast`] with source spans) →
//! [`exec`] over [`value::Value`]s, with the function table in [`funcs`] kept apart
//! from evaluation, and Go's `fmt` in [`gofmt`]. The engine knows nothing of charts,
//! files on disk or the network: Helm's objects (`.Files`, `.Capabilities`) come in
//! as [`value::Object`]s made by the caller.

pub mod funcs;
pub mod gofmt;
pub mod value;

pub use value::{Map, Object, Value};
