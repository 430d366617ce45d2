//! Chart references, HTTP repositories, OCI pulls and the verified cache.
