//! YAML the way Helm reads it (YAML 1.1 booleans, every number a float64) and the
//! way go-yaml writes it (`toYaml`).
