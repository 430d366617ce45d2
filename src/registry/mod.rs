//! Access to OCI registries shared by chart fetching and image checks:
//! credentials, mirrors (k3s `registries.yaml`), retries.
