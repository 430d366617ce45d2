//! Helm's values: coalescing chart defaults with user values, and `--set` parsing.
