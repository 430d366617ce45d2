//! Whether the subcharts Chart.yaml declares are there. Which of them are on
//! and what they export is a matter of values: [`crate::values::dependencies`].

use super::{Chart, ChartError};

/// Helm's `CheckDependencies`: every dependency Chart.yaml declares must be
/// present under `charts/`.
pub fn check_present(chart: &Chart) -> Result<(), ChartError> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ChartError::new(format!(
        "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )))
}
