//! Loading charts from folders and archives: `Chart.yaml`, templates, files,
//! subcharts, `.helmignore`, dependencies and schema. Knows nothing of where an
//! archive came from.
