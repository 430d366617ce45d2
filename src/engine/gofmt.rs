//! Go's `fmt`: `Sprint`, `Sprintln` and `Sprintf` with its verbs, flags, widths
//! and precisions, over template [`Value`]s.

#[allow(unused_imports)]
use super::value::Value;
