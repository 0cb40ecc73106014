//! The JSON rendering of a scan report: the `ScanReport` value as is, described by `schemas/scan-report.schema.json`.

use super::ScanReport;

/// The JSON Schema (draft 2020-12) of what [`to_json`] writes.
pub const SCHEMA: &str = include_str!("../../schemas/scan-report.schema.json");

/// The report as pretty-printed JSON, ending with a newline.
pub fn to_json(report: &ScanReport) -> String {
    // Serializing plain structs with string keys cannot fail; the fallback keeps the no-panic rule anyway.
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": {}}}", serde_json::Value::String(e.to_string())));
    text.push('\n');
    text
}
