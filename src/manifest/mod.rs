//! Multi-document manifest streams: splitting, resource identity, and byte-exact
//! pass-through of documents nobody changed.
