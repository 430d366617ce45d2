//! Pre-deploy checks on manifests: images (tags exist, platforms), fit of pods on
//! a node, and kinds the cluster lacks.
