//! OSV records: the parts of the OSV schema that matching and reporting use, read tolerantly from JSON values so that one bad field is a warning naming its path and the rest of the record is kept.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One advisory record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    /// A rating word the source gives beside the vectors (GHSA `database_specific.severity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_severity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

/// One `severity[]` entry: a type (`CVSS_V3`, ...) and its vector or value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityEntry {
    pub kind: String,
    pub score: String,
}

/// One `references[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub kind: String,
    pub url: String,
}

/// One `affected[]` entry: a package and the versions of it the record covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The ecosystem as written, release suffix included (`Debian:12`).
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    /// GHSA's `database_specific.last_known_affected_version_range` (`<= 2.3.1`), which the OSV range
    /// itself does not carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known_affected: Option<String>,
    /// RustSec's `database_specific.informational` (`unmaintained`, `unsound`, `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

/// A range type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    Semver,
    Ecosystem,
    Git,
    Other(String),
}

/// One `ranges[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub kind: RangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

/// One range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

impl Affected {
    /// The ecosystem without its release suffix (`Debian:12` → `Debian`).
    pub fn base_ecosystem(&self) -> &str {
        base_ecosystem(&self.ecosystem)
    }
}

/// The ecosystem name without a release suffix.
pub fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem.split_once(':').map_or(ecosystem, |(base, _)| base)
}

/// A record that could not be used at all (no `id`, or not an object).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RecordError {
    pub field: String,
    pub reason: String,
}

/// Read one record from a JSON value. Problems in optional parts are returned as warnings (`field: reason`)
/// and the part is left out; a record without a usable `id` or `modified` is an error.
pub fn parse_record(value: &Value) -> Result<(Advisory, Vec<String>), RecordError> {
    let mut warnings = Vec::new();
    let obj = value
        .as_object()
        .ok_or_else(|| RecordError { field: "(record)".into(), reason: "expected a JSON object".into() })?;
    let id = required_string(obj.get("id"), "id")?;
    let modified = match required_string(obj.get("modified"), "modified") {
        Ok(m) => m,
        Err(e) => {
            // `modified` is required by the schema; without it the record can still match, but re-import
            // cannot order it. Keep it with the epoch so any dated copy replaces it.
            warnings.push(e.to_string());
            "1970-01-01T00:00:00Z".to_owned()
        }
    };
    let published = optional_string(obj.get("published"), "published", &mut warnings);
    let withdrawn = optional_string(obj.get("withdrawn"), "withdrawn", &mut warnings);
    let aliases = string_list(obj.get("aliases"), "aliases", &mut warnings);
    let upstream = string_list(obj.get("upstream"), "upstream", &mut warnings);
    let summary = optional_string(obj.get("summary"), "summary", &mut warnings).or_else(|| {
        // Records without a summary (many PYSEC ones) get the first line of `details`.
        obj.get("details")
            .and_then(Value::as_str)
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(|l| truncate_chars(l, 200))
    });
    let severity = severity_list(obj.get("severity"), "severity", &mut warnings);
    let source_severity =
        obj.get("database_specific").and_then(|d| d.get("severity")).and_then(Value::as_str).map(str::to_owned);
    let mut affected = Vec::new();
    match obj.get("affected") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match parse_affected(item, &format!("affected[{i}]"), &mut warnings) {
                    Ok(a) => affected.push(a),
                    Err(e) => warnings.push(format!("{e}; entry skipped")),
                }
            }
        }
        Some(_) => warnings.push("affected: expected an array".into()),
    }
    let mut references = Vec::new();
    if let Some(Value::Array(items)) = obj.get("references") {
        for item in items {
            if let (Some(kind), Some(url)) =
                (item.get("type").and_then(Value::as_str), item.get("url").and_then(Value::as_str))
            {
                references.push(Reference { kind: kind.to_owned(), url: url.to_owned() });
            }
        }
    }
    let advisory = Advisory {
        id,
        modified,
        published,
        withdrawn,
        aliases,
        upstream,
        summary,
        severity,
        source_severity,
        affected,
        references,
    };
    Ok((advisory, warnings))
}

fn parse_affected(value: &Value, path: &str, warnings: &mut Vec<String>) -> Result<Affected, RecordError> {
    let obj =
        value.as_object().ok_or_else(|| RecordError { field: path.to_owned(), reason: "expected an object".into() })?;
    let package = obj.get("package").and_then(Value::as_object).ok_or_else(|| RecordError {
        field: format!("{path}.package"),
        reason: "missing; the entry names no package".into(),
    })?;
    let ecosystem = required_string(package.get("ecosystem"), &format!("{path}.package.ecosystem"))?;
    let name = required_string(package.get("name"), &format!("{path}.package.name"))?;
    let purl = optional_string(package.get("purl"), &format!("{path}.package.purl"), warnings);
    let mut ranges = Vec::new();
    if let Some(value) = obj.get("ranges") {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let rpath = format!("{path}.ranges[{i}]");
                    match parse_range(item, &rpath) {
                        Ok(r) => ranges.push(r),
                        Err(e) => warnings.push(format!("{e}; range skipped")),
                    }
                }
            }
            Value::Null => {}
            _ => warnings.push(format!("{path}.ranges: expected an array")),
        }
    }
    let versions = string_list(obj.get("versions"), &format!("{path}.versions"), warnings);
    let severity = severity_list(obj.get("severity"), &format!("{path}.severity"), warnings);
    let db = obj.get("database_specific");
    let last_known_affected =
        db.and_then(|d| d.get("last_known_affected_version_range")).and_then(Value::as_str).map(str::to_owned);
    let informational = db.and_then(|d| d.get("informational")).and_then(Value::as_str).map(str::to_owned);
    Ok(Affected { ecosystem, name, purl, ranges, versions, severity, last_known_affected, informational })
}

fn parse_range(value: &Value, path: &str) -> Result<Range, RecordError> {
    let obj =
        value.as_object().ok_or_else(|| RecordError { field: path.to_owned(), reason: "expected an object".into() })?;
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some("SEMVER") => RangeKind::Semver,
        Some("ECOSYSTEM") => RangeKind::Ecosystem,
        Some("GIT") => RangeKind::Git,
        Some(other) => RangeKind::Other(other.to_owned()),
        None => {
            return Err(RecordError {
                field: format!("{path}.type"),
                reason: "missing; expected SEMVER, ECOSYSTEM or GIT".into(),
            });
        }
    };
    let repo = obj.get("repo").and_then(Value::as_str).map(str::to_owned);
    let items = obj.get("events").and_then(Value::as_array).ok_or_else(|| RecordError {
        field: format!("{path}.events"),
        reason: "missing; expected an array of events".into(),
    })?;
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let epath = format!("{path}.events[{i}]");
        let map = item
            .as_object()
            .ok_or_else(|| RecordError { field: epath.clone(), reason: "expected an object".into() })?;
        if map.len() != 1 {
            return Err(RecordError {
                field: epath,
                reason: format!("expected exactly one of introduced, fixed, last_affected, limit; found {}", map.len()),
            });
        }
        let Some((key, value)) = map.iter().next() else { continue };
        let Some(version) = value.as_str() else {
            return Err(RecordError { field: format!("{epath}.{key}"), reason: "expected a string".into() });
        };
        let version = version.to_owned();
        events.push(match key.as_str() {
            "introduced" => Event::Introduced(version),
            "fixed" => Event::Fixed(version),
            "last_affected" => Event::LastAffected(version),
            "limit" => Event::Limit(version),
            other => {
                return Err(RecordError {
                    field: format!("{epath}.{other}"),
                    reason: "unknown event; expected introduced, fixed, last_affected or limit".into(),
                });
            }
        });
    }
    if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
        return Err(RecordError { field: format!("{path}.events"), reason: "no `introduced` event".into() });
    }
    Ok(Range { kind, repo, events })
}

fn required_string(value: Option<&Value>, field: &str) -> Result<String, RecordError> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(RecordError { field: field.to_owned(), reason: "empty".into() }),
        Some(_) => Err(RecordError { field: field.to_owned(), reason: "expected a string".into() }),
        None => Err(RecordError { field: field.to_owned(), reason: "missing".into() }),
    }
}

fn optional_string(value: Option<&Value>, field: &str, warnings: &mut Vec<String>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            warnings.push(format!("{field}: expected a string"));
            None
        }
    }
}

fn string_list(value: Option<&Value>, field: &str, warnings: &mut Vec<String>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => warnings.push(format!("{field}[{i}]: expected a string")),
                }
            }
            out
        }
        Some(_) => {
            warnings.push(format!("{field}: expected an array of strings"));
            Vec::new()
        }
    }
}

fn severity_list(value: Option<&Value>, field: &str, warnings: &mut Vec<String>) -> Vec<SeverityEntry> {
    let Some(Value::Array(items)) = value else {
        if !matches!(value, None | Some(Value::Null)) {
            warnings.push(format!("{field}: expected an array"));
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match (item.get("type").and_then(Value::as_str), item.get("score").and_then(Value::as_str)) {
            (Some(kind), Some(score)) => out.push(SeverityEntry { kind: kind.to_owned(), score: score.to_owned() }),
            _ => warnings.push(format!("{field}[{i}]: expected {{type, score}} strings")),
        }
    }
    out
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_parts_become_warnings() {
        let v = json!({
            "id": "X-1", "modified": "2024-01-01T00:00:00Z",
            "aliases": ["CVE-1", 3],
            "affected": [
                {"package": {"ecosystem": "npm", "name": "a"},
                 "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]},
                            {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]},
                {"package": {"ecosystem": "npm"}}
            ]
        });
        let (adv, warnings) = parse_record(&v).unwrap();
        assert_eq!(adv.aliases, vec!["CVE-1"]);
        assert_eq!(adv.affected.len(), 1);
        assert_eq!(adv.affected[0].ranges.len(), 1);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.starts_with("affected[1].package.name: missing")));
        assert!(warnings.iter().any(|w| w.starts_with("affected[0].ranges[0].events: no `introduced`")));
    }

    #[test]
    fn record_without_id_is_an_error() {
        let err = parse_record(&json!({"modified": "x"})).unwrap_err();
        assert_eq!(err.field, "id");
        assert!(parse_record(&json!([1])).is_err());
    }
}
