//! Multi-document manifest streams: splitting, resource identity, and byte-exact
//! pass-through of documents nobody changed.

mod identity;
pub mod mask;
mod parse;
pub mod quantity;
mod split;
mod yaml11;

pub use identity::ResourceId;
pub use parse::{parse_document, ParseError};
pub use split::{is_marker, RawDoc, Splitter};
pub use yaml11::restore_plain_scalars;
