//! Differences between two manifest sets: resource matching, changed fields,
//! text, markdown and JSON reports.
