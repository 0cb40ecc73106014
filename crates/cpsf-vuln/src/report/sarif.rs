//! The SARIF 2.1.0 rendering of a scan report: one run, one rule per vulnerability id, one result per finding and location, VEX suppressions as external suppressions.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{ScanReport, finding_url, is_web_url};
use crate::finding::{Finding, Rating};

/// The `$schema` written into every log.
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF `level` of a severity: critical and high are errors, medium a warning, the rest notes.
pub fn level(rating: Rating) -> &'static str {
    match rating {
        Rating::Critical | Rating::High => "error",
        Rating::Medium => "warning",
        Rating::Low | Rating::None | Rating::Unknown => "note",
    }
}

/// The report as a SARIF 2.1.0 log (pretty-printed JSON, ending with a newline).
pub fn to_sarif(report: &ScanReport) -> String {
    let mut text = serde_json::to_string_pretty(&sarif_value(report)).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as a SARIF 2.1.0 log value.
pub fn sarif_value(report: &ScanReport) -> Value {
    // One rule per vulnerability id, in id order; the rule carries the highest severity any finding gives it.
    let mut by_id: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_id.entry(f.id.as_str()).or_default().push(f);
    }
    let rule_index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<Value> = by_id.iter().map(|(id, findings)| rule(id, findings)).collect();

    let mut results = Vec::new();
    for f in &report.findings {
        let index = rule_index.get(f.id.as_str()).copied().unwrap_or_default();
        if f.component.locations.is_empty() {
            results.push(result(f, index, &report.target, None));
        } else {
            for loc in &f.component.locations {
                results.push(result(f, index, &loc.path, loc.line));
            }
        }
    }

    let mut driver = Map::new();
    driver.insert("name".into(), json!(report.tool.name));
    driver.insert("version".into(), json!(report.tool.version));
    let repository = env!("CARGO_PKG_REPOSITORY");
    if is_web_url(repository) {
        driver.insert("informationUri".into(), json!(repository));
    }
    driver.insert("rules".into(), Value::Array(rules));

    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "properties": {
                "target": report.target,
                "database": report.database.path,
                "databaseRecords": report.database.records,
            },
        }],
    })
}

fn rule(id: &str, findings: &[&Finding]) -> Value {
    let worst = findings.iter().max_by(|a, b| {
        a.severity.cmp(&b.severity).then_with(|| a.cvss_score.unwrap_or(-1.0).total_cmp(&b.cvss_score.unwrap_or(-1.0)))
    });
    let severity = worst.map_or(Rating::Unknown, |f| f.severity);
    let summary = findings.iter().find_map(|f| f.summary.as_deref()).filter(|s| !s.trim().is_empty());

    let mut r = Map::new();
    r.insert("id".into(), json!(id));
    r.insert("shortDescription".into(), json!({ "text": summary.unwrap_or(id) }));
    if let Some(url) = findings.iter().find_map(|f| finding_url(f)).filter(|u| is_web_url(u)) {
        r.insert("helpUri".into(), json!(url));
    }
    let mut properties = Map::new();
    if let Some(score) = worst.and_then(|f| f.cvss_score).filter(|s| s.is_finite()) {
        properties.insert("security-severity".into(), json!(format!("{score:.1}")));
    }
    properties.insert("tags".into(), json!([severity.as_str(), "security", "vulnerability"]));
    r.insert("properties".into(), Value::Object(properties));
    Value::Object(r)
}

fn result(f: &Finding, rule_index: usize, path: &str, line: Option<u32>) -> Value {
    let c = &f.component;
    let fix = match &f.fixed_version {
        Some(v) => format!("fixed in {v}"),
        None => "no fixed version is known".to_owned(),
    };
    let mut text = format!("{} {} is affected by {} ({}); {}.", c.name, c.version, f.id, f.severity.as_str(), fix);
    if let Some(summary) = f.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push(' ');
        text.push_str(summary.trim());
    }

    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), json!({ "uri": path_uri(path) }));
    if let Some(line) = line.filter(|l| *l >= 1) {
        physical.insert("region".into(), json!({ "startLine": line }));
    }

    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.id));
    r.insert("ruleIndex".into(), json!(rule_index));
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": text }));
    r.insert("locations".into(), json!([{ "physicalLocation": physical }]));
    r.insert("partialFingerprints".into(), json!({ "cpsfFinding/v1": format!("{}|{}|{}", f.id, c.bom_ref, path) }));
    if let Some(s) = &f.suppression {
        let mut justification = format!("VEX {} ({})", s.status, s.source);
        if let Some(j) = &s.justification {
            justification.push_str(": ");
            justification.push_str(j);
        }
        if let Some(impact) = &s.impact_statement {
            justification.push_str(". ");
            justification.push_str(impact);
        }
        r.insert("suppressions".into(), json!([{ "kind": "external", "justification": justification }]));
    }

    let mut properties = Map::new();
    properties.insert("purl".into(), json!(c.purl));
    properties.insert("aliases".into(), json!(f.aliases));
    if let Some(v) = &f.fixed_version {
        properties.insert("fixedVersion".into(), json!(v));
    }
    if let Some(kev) = &f.kev {
        properties.insert("kev".into(), json!(kev.date_added));
    }
    if let Some(epss) = f.epss.as_ref().filter(|e| e.score.is_finite() && e.percentile.is_finite()) {
        properties.insert("epss".into(), json!(epss.score));
        properties.insert("epssPercentile".into(), json!(epss.percentile));
    }
    r.insert("properties".into(), Value::Object(properties));
    Value::Object(r)
}

/// A file path as a URI reference: `\` becomes `/`, and every byte outside RFC 3986's unreserved characters,
/// and `/` is percent-encoded (a `:` too, so that no first segment reads as a scheme).
pub fn path_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
