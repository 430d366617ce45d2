//! Multi-document manifest streams: splitting, reading each document once
//! into a [`Document`] (the one manifest reader), resource identity, and
//! byte-exact pass-through of documents nobody changed.

mod document;
mod identity;
pub mod mask;
pub mod quantity;
mod split;

pub use document::{
    parse, read_stream, read_value, scalar_texts, Document, DocumentError, ParseError, ReadError,
    Reader, MAX_DEPTH,
};
pub use identity::ResourceId;
pub use split::{is_marker, RawDoc, Splitter};
