//! One chart and its values → Helm's ordered stream of documents
//! (`# Source:` comments, hooks last, NOTES left out).
