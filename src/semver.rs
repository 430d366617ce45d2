//! Semantic versions and Masterminds constraints (`~18.6`, `^13`, `18.x`,
//! `>=1.2 <2`, `1.2 - 1.4 || 2.x`), shared by `semverCompare` in templates and by
//! chart version resolution.
