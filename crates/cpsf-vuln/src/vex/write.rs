//! VEX writers: an OpenVEX 0.2.0 or a CycloneDX 1.6 VEX document from current findings, for triage.
//!
//! Each finding becomes one statement: `under_investigation` (CycloneDX `in_triage`) when nothing suppresses
//! it, else its suppression's status and justification, with the justification translated to the vocabulary
//! of the target format ([`super::openvex_justification`], [`super::cyclonedx_justification`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{cyclonedx_justification, openvex_justification, wire_ref};
use crate::finding::{Finding, ScoreMethod, Suppression};

/// The OpenVEX context this writer follows.
pub const OPENVEX_CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// An OpenVEX 0.2.0 document: one statement per (finding id, component), sorted by id then product.
/// `timestamp` is RFC 3339; `id` is the document's IRI.
pub fn openvex(findings: &[Finding], author: &str, timestamp: &str, id: &str) -> Value {
    let mut statements: BTreeMap<(String, String), Value> = BTreeMap::new();
    for finding in findings {
        let product = product_id(finding);
        let key = (finding.id.clone(), product.clone());
        if statements.contains_key(&key) {
            continue;
        }
        let mut vulnerability = Map::new();
        vulnerability.insert("name".into(), json!(finding.id));
        let aliases = aliases(finding);
        if !aliases.is_empty() {
            vulnerability.insert("aliases".into(), json!(aliases));
        }
        let mut statement = Map::new();
        statement.insert("vulnerability".into(), Value::Object(vulnerability));
        statement.insert("products".into(), json!([{ "@id": product }]));
        match &finding.suppression {
            None => {
                statement.insert("status".into(), json!("under_investigation"));
            }
            Some(suppression) => openvex_suppression(suppression, &mut statement),
        }
        statements.insert(key, Value::Object(statement));
    }
    json!({
        "@context": OPENVEX_CONTEXT,
        "@id": id,
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "tooling": format!("cpsf {}", env!("CARGO_PKG_VERSION")),
        "statements": statements.into_values().collect::<Vec<_>>(),
    })
}

/// Status, justification and impact statement of a suppressed finding. OpenVEX requires a `not_affected`
/// statement to carry a justification or an impact statement: a justification that is no OpenVEX label is
/// written as the impact statement, and when the VEX document gave neither, the impact statement says so.
fn openvex_suppression(suppression: &Suppression, statement: &mut Map<String, Value>) {
    let status = if suppression.status == "fixed" { "fixed" } else { "not_affected" };
    statement.insert("status".into(), json!(status));
    let mut impact = suppression.impact_statement.clone();
    if status == "not_affected" {
        match suppression.justification.as_deref() {
            Some(j) => match openvex_justification(j) {
                Some(label) => {
                    statement.insert("justification".into(), json!(label));
                }
                None => impact = Some(impact.map_or_else(|| j.to_owned(), |i| format!("{j}: {i}"))),
            },
            None if impact.is_none() => {
                impact =
                    Some(format!("Not affected according to {}, which gives no justification.", suppression.source));
            }
            None => {}
        }
    }
    if let Some(impact) = impact {
        statement.insert("impact_statement".into(), json!(impact));
    }
}

/// A CycloneDX 1.6 VEX document: the findings' components in `components[]`, one `vulnerabilities[]` entry per
/// (finding id, component) pointing at its component through `affects[].ref`. `serial` is a
/// `urn:uuid:` serial number, `timestamp` RFC 3339.
pub fn cyclonedx(findings: &[Finding], timestamp: &str, serial: &str) -> Value {
    let mut components: BTreeMap<String, Value> = BTreeMap::new();
    let mut vulnerabilities: BTreeMap<(String, String), Value> = BTreeMap::new();
    for finding in findings {
        let c = &finding.component;
        let reference = component_ref(finding);
        components.entry(reference.clone()).or_insert_with(|| {
            let mut component = Map::new();
            component.insert("type".into(), json!("library"));
            component.insert("bom-ref".into(), json!(reference));
            let name = [c.name.as_str(), c.purl.as_str(), reference.as_str()]
                .into_iter()
                .map(str::trim)
                .find(|s| !s.is_empty())
                .unwrap_or("unnamed");
            component.insert("name".into(), json!(name));
            if !c.version.trim().is_empty() {
                component.insert("version".into(), json!(c.version));
            }
            if !c.purl.trim().is_empty() {
                component.insert("purl".into(), json!(c.purl));
            }
            Value::Object(component)
        });
        let key = (finding.id.clone(), reference.clone());
        if vulnerabilities.contains_key(&key) {
            continue;
        }
        vulnerabilities.insert(key, cyclonedx_vulnerability(finding, &reference));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": { "components": [{
                "type": "application",
                "name": "cpsf",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
        },
        "components": components.into_values().collect::<Vec<_>>(),
        "vulnerabilities": vulnerabilities.into_values().collect::<Vec<_>>(),
    })
}

fn cyclonedx_vulnerability(finding: &Finding, reference: &str) -> Value {
    let mut v = Map::new();
    v.insert("id".into(), json!(finding.id));
    v.insert("source".into(), advisory_source(&finding.id));
    let references: Vec<Value> =
        aliases(finding).into_iter().map(|alias| json!({ "id": alias, "source": advisory_source(alias) })).collect();
    if !references.is_empty() {
        v.insert("references".into(), Value::Array(references));
    }
    let ratings: Vec<Value> = finding
        .scores
        .iter()
        .map(|score| {
            let mut rating = Map::new();
            rating.insert("source".into(), json!({ "name": score.source }));
            if let Some(value) = score.score.filter(|s| s.is_finite()) {
                rating.insert("score".into(), json!(value));
            }
            rating.insert("severity".into(), json!(score.rating.as_str()));
            let method = match score.method {
                ScoreMethod::CvssV2 => "CVSSv2",
                ScoreMethod::CvssV3 => "CVSSv3",
                ScoreMethod::CvssV31 => "CVSSv31",
                ScoreMethod::CvssV4 => "CVSSv4",
                ScoreMethod::Source => "other",
            };
            rating.insert("method".into(), json!(method));
            if let Some(vector) = &score.vector {
                rating.insert("vector".into(), json!(vector));
            }
            Value::Object(rating)
        })
        .collect();
    if !ratings.is_empty() {
        v.insert("ratings".into(), Value::Array(ratings));
    }
    if let Some(summary) = finding.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        v.insert("description".into(), json!(summary));
    }
    let mut analysis = Map::new();
    match &finding.suppression {
        None => {
            analysis.insert("state".into(), json!("in_triage"));
        }
        Some(suppression) => {
            let fixed = suppression.status == "fixed";
            analysis.insert("state".into(), json!(if fixed { "resolved" } else { "not_affected" }));
            let mut detail = suppression.impact_statement.clone();
            if let Some(j) = suppression.justification.as_deref().filter(|_| !fixed) {
                match cyclonedx_justification(j) {
                    Some(value) => {
                        analysis.insert("justification".into(), json!(value));
                    }
                    None => detail = Some(detail.map_or_else(|| j.to_owned(), |d| format!("{j}: {d}"))),
                }
            }
            if let Some(detail) = detail {
                analysis.insert("detail".into(), json!(detail));
            }
        }
    }
    v.insert("analysis".into(), Value::Object(analysis));
    v.insert("affects".into(), json!([{ "ref": reference }]));
    Value::Object(v)
}

/// The product of a finding in OpenVEX: its component's purl, else its bom-ref.
fn product_id(finding: &Finding) -> String {
    let c = &finding.component;
    if c.purl.trim().is_empty() { c.bom_ref.trim().to_owned() } else { c.purl.trim().to_owned() }
}

/// The component's bom-ref as cpsf writes it in CycloneDX (`%40`, `%3A`, `%2F` decoded); its purl, or a name
/// made of name and version, when it has none.
fn component_ref(finding: &Finding) -> String {
    let c = &finding.component;
    let base = [c.bom_ref.trim(), c.purl.trim()].into_iter().find(|s| !s.is_empty()).map(str::to_owned);
    wire_ref(&base.unwrap_or_else(|| format!("{}@{}", c.name.trim(), c.version.trim())))
}

/// The finding's aliases other than its id, in their order.
fn aliases(finding: &Finding) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for alias in &finding.aliases {
        let alias = alias.trim();
        if !alias.is_empty() && !super::same_id(alias, &finding.id) && !out.contains(&alias) {
            out.push(alias);
        }
    }
    out
}

/// The database that publishes an advisory id, by the id's prefix.
fn advisory_source(id: &str) -> Value {
    let upper = id.to_ascii_uppercase();
    if upper.starts_with("CVE-") {
        json!({ "name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{id}") })
    } else if upper.starts_with("GHSA-") {
        json!({ "name": "GitHub", "url": format!("https://github.com/advisories/{id}") })
    } else {
        json!({ "name": "OSV", "url": format!("https://osv.dev/vulnerability/{id}") })
    }
}
