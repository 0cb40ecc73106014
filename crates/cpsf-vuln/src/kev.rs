//! The CISA Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`): parse it into KEV entries, one bad entry a warning.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::finding::Kev;

/// A parsed KEV catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevCatalog {
    /// `catalogVersion`, e.g. `2025.08.25`.
    pub catalog_version: String,
    /// `dateReleased`, as given (e.g. `2025-08-25T17:04:19.9796Z`).
    pub date_released: String,
    /// The usable entries, in file order; a CVE listed twice is kept once (the first).
    pub entries: Vec<Kev>,
    /// One line per skipped entry, dropped field or inconsistency, naming the file and the entry's index.
    pub warnings: Vec<String>,
}

/// Parse a KEV catalog. The document must be a JSON object with string `catalogVersion` and `dateReleased`
/// and an array `vulnerabilities`; otherwise this is an error. An entry without a valid `cveID` or
/// `dateAdded` is skipped with a warning; a malformed optional field (`dueDate`,
/// `knownRansomwareCampaignUse`, `requiredAction`) is dropped with a warning and the entry kept. Unknown
/// fields are ignored.
pub fn parse_kev(bytes: &[u8], file: &str) -> Result<KevCatalog, String> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| format!("{file}: not valid JSON: {e}"))?;
    parse_kev_value(root, file)
}

/// [`parse_kev`] of a document already parsed as JSON.
pub fn parse_kev_value(root: Value, file: &str) -> Result<KevCatalog, String> {
    let Value::Object(root) = root else {
        return Err(format!("{file}: expected a JSON object (the KEV catalog), found {}", json_kind(&root)));
    };
    let catalog_version = required_string(&root, "catalogVersion", file)?;
    let date_released = required_string(&root, "dateReleased", file)?;
    let list = match root.get("vulnerabilities") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(format!("{file}: `vulnerabilities` should be an array, found {}", json_kind(other)));
        }
        None => return Err(format!("{file}: no `vulnerabilities` array")),
    };

    let mut warnings = Vec::new();
    let mut entries = Vec::with_capacity(list.len());
    let mut seen = HashSet::new();
    for (index, item) in list.iter().enumerate() {
        let at = format!("{file}: vulnerabilities[{index}]");
        let Some(kev) = parse_entry(item, &at, &mut warnings) else {
            continue;
        };
        if seen.insert(kev.cve.clone()) {
            entries.push(kev);
        } else {
            warnings.push(format!("{at}: {} is listed again; the first entry is kept", kev.cve));
        }
    }

    match root.get("count") {
        Some(Value::Number(n)) if n.as_u64() == Some(list.len() as u64) => {}
        Some(Value::Number(n)) => {
            warnings.push(format!("{file}: `count` says {n}, but `vulnerabilities` has {} entries", list.len()))
        }
        Some(other) => warnings.push(format!("{file}: `count` should be an integer, found {}", json_kind(other))),
        None => {}
    }

    Ok(KevCatalog { catalog_version, date_released, entries, warnings })
}

/// One catalog entry, or `None` (with a warning) when it has no usable `cveID` or `dateAdded`.
fn parse_entry(item: &Value, at: &str, warnings: &mut Vec<String>) -> Option<Kev> {
    let Value::Object(entry) = item else {
        warnings.push(format!("{at}: expected an object, found {}; entry skipped", json_kind(item)));
        return None;
    };
    let cve = match entry.get("cveID") {
        Some(Value::String(id)) if is_cve_id(id) => id.clone(),
        Some(Value::String(id)) => {
            warnings.push(format!("{at}.cveID: `{id}` is not a CVE id (CVE-YYYY-NNNN); entry skipped"));
            return None;
        }
        Some(other) => {
            warnings.push(format!("{at}.cveID: expected a string, found {}; entry skipped", json_kind(other)));
            return None;
        }
        None => {
            warnings.push(format!("{at}: no `cveID`; entry skipped"));
            return None;
        }
    };
    let date_added = match entry.get("dateAdded") {
        Some(Value::String(date)) if is_date(date) => date.clone(),
        Some(Value::String(date)) => {
            warnings.push(format!("{at}.dateAdded ({cve}): `{date}` is not a date (YYYY-MM-DD); entry skipped"));
            return None;
        }
        Some(other) => {
            warnings
                .push(format!("{at}.dateAdded ({cve}): expected a string, found {}; entry skipped", json_kind(other)));
            return None;
        }
        None => {
            warnings.push(format!("{at} ({cve}): no `dateAdded`; entry skipped"));
            return None;
        }
    };
    let due_date = optional_string(entry, "dueDate", at, &cve, warnings).and_then(|date| {
        if is_date(&date) {
            Some(date)
        } else {
            warnings.push(format!("{at}.dueDate ({cve}): `{date}` is not a date (YYYY-MM-DD); field dropped"));
            None
        }
    });
    let known_ransomware_campaign_use = optional_string(entry, "knownRansomwareCampaignUse", at, &cve, warnings);
    let required_action = optional_string(entry, "requiredAction", at, &cve, warnings);
    Some(Kev { cve, date_added, due_date, known_ransomware_campaign_use, required_action })
}

fn required_string(root: &Map<String, Value>, key: &str, file: &str) -> Result<String, String> {
    match root.get(key) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(format!("{file}: `{key}` should be a string, found {}", json_kind(other))),
        None => Err(format!("{file}: no `{key}` (is this a KEV catalog?)")),
    }
}

/// A string field that may be absent; a non-string or blank value is dropped with a warning.
fn optional_string(
    entry: &Map<String, Value>,
    key: &str,
    at: &str,
    cve: &str,
    warnings: &mut Vec<String>,
) -> Option<String> {
    match entry.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.trim().is_empty() => {
            warnings.push(format!("{at}.{key} ({cve}): empty; field dropped"));
            None
        }
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            warnings.push(format!("{at}.{key} ({cve}): expected a string, found {}; field dropped", json_kind(other)));
            None
        }
    }
}

/// `CVE-YYYY-NNNN...`: a four-digit year and at least four digits (the catalog schema's pattern).
pub(crate) fn is_cve_id(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=19).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD` with a month 01–12 and a day 01–31.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range.clone())
            .filter(|part| part.iter().all(u8::is_ascii_digit))
            .and_then(|_| text.get(range))
            .and_then(|part| part.parse::<u32>().ok())
    };
    bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && digits(0..4).is_some()
        && digits(5..7).is_some_and(|month| (1..=12).contains(&month))
        && digits(8..10).is_some_and(|day| (1..=31).contains(&day))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
