//! VEX: statements read from OpenVEX, CycloneDX VEX and CSAF 2.0 VEX documents, applied to findings; OpenVEX and CycloneDX VEX written from findings.
//!
//! [`read`] detects the format of one document and returns its statements in the order in which they take
//! effect (oldest first), with a warning for every statement it had to skip. [`apply`] marks findings that a
//! statement calls not affected or fixed as suppressed; when several statements speak about the same
//! vulnerability in the same component, the last one in the slice wins, so statements of several documents are
//! passed in the order the documents were given.

mod csaf;
mod cyclonedx;
mod openvex;
pub mod write;

use cpsf_model::{Diagnostic, DiagnosticCode, Purl};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::finding::{AffectedComponent, Finding, Suppression};

/// The status a VEX statement gives a vulnerability in a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    /// The OpenVEX spelling (`not_affected`, `affected`, `fixed`, `under_investigation`).
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// Parse the OpenVEX spelling; `None` for anything else.
    pub fn from_openvex(word: &str) -> Option<VexStatus> {
        match word.trim() {
            "not_affected" => Some(VexStatus::NotAffected),
            "affected" => Some(VexStatus::Affected),
            "fixed" => Some(VexStatus::Fixed),
            "under_investigation" => Some(VexStatus::UnderInvestigation),
            _ => None,
        }
    }
}

/// One statement: these vulnerability ids, in these products, have this status.
#[derive(Debug, Clone, PartialEq)]
pub struct VexStatement {
    /// The vulnerability id and any aliases the document gives for it.
    pub vulnerabilities: Vec<String>,
    /// Products as purls (a version-less purl covers every version) or CycloneDX bom-refs.
    pub products: Vec<String>,
    pub status: VexStatus,
    /// The justification as the document spells it (OpenVEX and CSAF labels, or CycloneDX
    /// `analysis.justification` values); see [`openvex_justification`] and [`cyclonedx_justification`].
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    /// The document this statement came from (file name), for reports.
    pub source: String,
    /// When the statement was made or last updated (RFC 3339): the statement's own time when it has one, else
    /// the document's.
    pub timestamp: Option<String>,
}

/// The statements of one VEX document, in the order in which they take effect, and what was skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VexDocument {
    /// Which format the document was read as, e.g. `OpenVEX`, `CycloneDX 1.6 JSON`, `CSAF 2.0`.
    pub format: String,
    pub statements: Vec<VexStatement>,
    /// One diagnostic per statement (or product) that could not be read; the rest was kept.
    pub warnings: Vec<Diagnostic>,
}

/// A document that cannot be read as VEX at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VexError {
    #[error("{source_name}: expected UTF-8 text: {message}")]
    NotText { source_name: String, message: String },
    #[error("{source_name}: line {line}: invalid JSON: {message}")]
    Json { source_name: String, line: usize, message: String },
    #[error(
        "{source_name}: not a VEX document cpsf reads: expected OpenVEX (`@context` naming openvex.dev), CycloneDX (`bomFormat`) or CSAF 2.0 (`document.csaf_version`); {found}"
    )]
    UnknownFormat { source_name: String, found: String },
    /// The format is known but a field the whole document depends on is missing or of the wrong type.
    #[error("{source_name}: `{field}`: {message}")]
    Malformed { source_name: String, field: String, message: String },
}

/// Detect the format of `bytes` (OpenVEX JSON, CycloneDX JSON or XML, CSAF 2.0 JSON) and read its statements.
/// `source` names the document in statements, warnings and errors.
pub fn read(bytes: &[u8], source: &str) -> Result<VexDocument, VexError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| VexError::NotText { source_name: source.to_owned(), message: e.to_string() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc = if text.trim_start().starts_with('<') {
        cyclonedx::read_xml(text, source)?
    } else {
        let value: Value = serde_json::from_str(text).map_err(|e| VexError::Json {
            source_name: source.to_owned(),
            line: e.line(),
            message: e.to_string(),
        })?;
        read_value(&value, source)?
    };
    for (i, statement) in doc.statements.iter().enumerate() {
        if let Some(ts) = &statement.timestamp
            && parse_time(ts).is_none()
        {
            doc.warnings.push(warning(
                source,
                format!(
                    "statement {}: timestamp `{ts}` is not an RFC 3339 date-time; it is ordered as the oldest",
                    i + 1
                ),
            ));
        }
    }
    // A stable sort: statements without a usable time come first, equal times keep the document's order.
    doc.statements.sort_by_key(|s| s.timestamp.as_deref().and_then(parse_time));
    Ok(doc)
}

/// Read an already parsed JSON document.
fn read_value(value: &Value, source: &str) -> Result<VexDocument, VexError> {
    let Some(object) = value.as_object() else {
        return Err(VexError::UnknownFormat {
            source_name: source.to_owned(),
            found: format!("found a JSON {}, not an object", json_kind(value)),
        });
    };
    if object.get("@context").is_some_and(is_openvex_context) {
        return openvex::read(value, source);
    }
    if object.contains_key("bomFormat") {
        return cyclonedx::read_json(value, source);
    }
    if value.pointer("/document/csaf_version").is_some() {
        return csaf::read(value, source);
    }
    let found = match object.get("@context") {
        Some(context) => format!("`@context` is {context}"),
        None => {
            let keys: Vec<&str> = object.keys().take(6).map(String::as_str).collect();
            format!("found a JSON object with the keys {}", keys.join(", "))
        }
    };
    Err(VexError::UnknownFormat { source_name: source.to_owned(), found })
}

fn is_openvex_context(context: &Value) -> bool {
    match context {
        Value::String(s) => s.contains("openvex"),
        Value::Array(items) => items.iter().any(|i| i.as_str().is_some_and(|s| s.contains("openvex"))),
        _ => false,
    }
}

/// Mark the findings that `statements` call not affected or fixed as suppressed.
///
/// A statement applies to a finding when one of its vulnerability ids is the finding's `id` or one of its
/// `aliases` (CVE and GHSA ids compared without regard to case) and one of its products is the finding's
/// component: the same purl, qualifiers and subpath aside, where a statement purl without a version covers every
/// version; or a bom-ref equal to the component's. Of the statements that apply, the last in `statements`
/// wins: not affected or fixed suppresses the finding, affected or under investigation leaves it (or makes it)
/// unsuppressed. Findings no statement speaks about are left as they are.
pub fn apply(findings: &mut [Finding], statements: &[VexStatement]) {
    let prepared: Vec<Vec<Product>> =
        statements.iter().map(|s| s.products.iter().map(|p| Product::new(p)).collect()).collect();
    for finding in findings.iter_mut() {
        let component = ComponentKey::new(&finding.component);
        let winner = statements.iter().zip(&prepared).rev().find(|(statement, products)| {
            names_vulnerability(statement, finding) && products.iter().any(|p| p.matches(&component))
        });
        let Some((statement, _)) = winner else { continue };
        finding.suppression = match statement.status {
            VexStatus::NotAffected | VexStatus::Fixed => Some(Suppression {
                source: statement.source.clone(),
                status: statement.status.as_str().to_owned(),
                justification: statement.justification.clone(),
                impact_statement: statement.impact_statement.clone(),
            }),
            VexStatus::Affected | VexStatus::UnderInvestigation => None,
        };
    }
}

/// Whether `statement` names the finding's vulnerability.
fn names_vulnerability(statement: &VexStatement, finding: &Finding) -> bool {
    statement.vulnerabilities.iter().any(|v| {
        let v = v.trim();
        same_id(v, &finding.id) || finding.aliases.iter().any(|a| same_id(v, a))
    })
}

/// Vulnerability ids are equal; CVE and GHSA ids regardless of case.
pub fn same_id(a: &str, b: &str) -> bool {
    let a = a.trim();
    let b = b.trim();
    if a == b {
        return true;
    }
    let case_free = |s: &str| starts_with_ignoring_case(s, "CVE-") || starts_with_ignoring_case(s, "GHSA-");
    case_free(a) && case_free(b) && a.eq_ignore_ascii_case(b)
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// A statement's product, prepared for matching.
struct Product {
    /// The text as a bom-ref, with `%40`, `%3A` and `%2F` decoded (cpsf writes CycloneDX refs that way).
    wire: String,
    purl: Option<PurlKey>,
}

/// A purl reduced to what matching compares.
#[derive(PartialEq)]
struct PurlKey {
    /// Type, namespace and name in canonical form.
    package: String,
    version: Option<String>,
}

impl PurlKey {
    fn parse(text: &str) -> Option<PurlKey> {
        let text = text.trim();
        if !text.starts_with("pkg:") {
            return None;
        }
        let purl: Purl = text.parse().ok()?;
        Some(PurlKey { package: purl.package_key(), version: purl.version().map(str::to_owned) })
    }
}

impl Product {
    fn new(text: &str) -> Product {
        Product { wire: wire_ref(text.trim()), purl: PurlKey::parse(text) }
    }

    fn matches(&self, component: &ComponentKey) -> bool {
        if !self.wire.is_empty() && component.wire.as_deref() == Some(self.wire.as_str()) {
            return true;
        }
        match (&self.purl, &component.purl) {
            (Some(mine), Some(theirs)) => {
                mine.package == theirs.package
                    && mine.version.as_ref().is_none_or(|v| Some(v) == theirs.version.as_ref())
            }
            _ => false,
        }
    }
}

/// A finding's component, prepared for matching.
struct ComponentKey {
    wire: Option<String>,
    purl: Option<PurlKey>,
}

impl ComponentKey {
    fn new(component: &AffectedComponent) -> ComponentKey {
        let bom_ref = component.bom_ref.trim();
        let purl = if component.purl.trim().is_empty() { bom_ref } else { component.purl.as_str() };
        ComponentKey { wire: (!bom_ref.is_empty()).then(|| wire_ref(bom_ref)), purl: PurlKey::parse(purl) }
    }
}

/// A bom-ref as CycloneDX documents carry it: `%40`, `%3A` and `%2F` decoded, as cpsf writes refs.
pub(crate) fn wire_ref(bom_ref: &str) -> String {
    if !bom_ref.contains('%') {
        return bom_ref.to_owned();
    }
    bom_ref.replace("%40", "@").replace("%3A", ":").replace("%3a", ":").replace("%2F", "/").replace("%2f", "/")
}

/// The OpenVEX justifications (also the CSAF 2.0 VEX flag labels).
pub const OPENVEX_JUSTIFICATIONS: &[&str] = &[
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// The CycloneDX `analysis.justification` values.
pub const CYCLONEDX_JUSTIFICATIONS: &[&str] = &[
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

/// A justification in OpenVEX terms: an OpenVEX (or CSAF) label as is, a CycloneDX value mapped to the OpenVEX
/// label closest in meaning; `None` for any other text.
pub fn openvex_justification(justification: &str) -> Option<&'static str> {
    let j = justification.trim();
    if let Some(known) = OPENVEX_JUSTIFICATIONS.iter().find(|k| **k == j) {
        return Some(known);
    }
    Some(match j {
        "code_not_present" => "vulnerable_code_not_present",
        "code_not_reachable" => "vulnerable_code_not_in_execute_path",
        "requires_dependency" => "component_not_present",
        "requires_configuration" | "requires_environment" => "vulnerable_code_cannot_be_controlled_by_adversary",
        "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => "inline_mitigations_already_exist",
        _ => return None,
    })
}

/// A justification in CycloneDX terms: a CycloneDX value as is, an OpenVEX (or CSAF) label mapped to the
/// CycloneDX value closest in meaning; `None` for any other text.
pub fn cyclonedx_justification(justification: &str) -> Option<&'static str> {
    let j = justification.trim();
    if let Some(known) = CYCLONEDX_JUSTIFICATIONS.iter().find(|k| **k == j) {
        return Some(known);
    }
    Some(match j {
        "component_not_present" => "requires_dependency",
        "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

/// Parse an RFC 3339 date-time.
fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// A skipped statement or product.
pub(crate) fn warning(source: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, source, None, message)
}

/// A non-empty string field, trimmed.
pub(crate) fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The strings of an array field (other items skipped); empty when absent or not an array.
pub(crate) fn strings<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    match value.get(key) {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).collect()
        }
        _ => Vec::new(),
    }
}

/// The items of an array field; empty when absent or not an array.
pub(crate) fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// What kind of JSON value this is, for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Push `item` unless an equal one is already there.
pub(crate) fn push_unique(list: &mut Vec<String>, item: &str) {
    let item = item.trim();
    if !item.is_empty() && !list.iter().any(|i| i == item) {
        list.push(item.to_owned());
    }
}
