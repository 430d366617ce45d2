//! Stacks: several releases and raw manifests rendered, rewritten and checked as one.
