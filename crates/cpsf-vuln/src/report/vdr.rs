//! The CycloneDX 1.6 rendering of a scan report: a vulnerability disclosure report (VDR) listing every vulnerable component and one `vulnerabilities[]` entry per finding, with VEX suppressions as impact analyses.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{ScanReport, id_source, is_web_url};
use crate::finding::{Finding, Score, ScoreMethod};

/// The report as a CycloneDX 1.6 JSON VDR (pretty-printed, ending with a newline).
pub fn to_vdr(report: &ScanReport) -> String {
    let mut text = serde_json::to_string_pretty(&vdr_value(report)).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as a CycloneDX 1.6 VDR value.
pub fn vdr_value(report: &ScanReport) -> Value {
    let mut components = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &report.findings {
        let c = &f.component;
        if !seen.insert(c.bom_ref.as_str()) {
            continue;
        }
        let mut component = Map::new();
        component.insert("type".into(), json!("library"));
        component.insert("bom-ref".into(), json!(wire_ref(&c.bom_ref)));
        component.insert("name".into(), json!(c.name));
        if !c.version.is_empty() {
            component.insert("version".into(), json!(c.version));
        }
        if !c.purl.is_empty() {
            component.insert("purl".into(), json!(c.purl));
        }
        components.push(Value::Object(component));
    }

    let mut refs = BTreeSet::new();
    let vulnerabilities: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            // A bom-ref is unique in a document: a repeated (id, component) pair gets a counter.
            let base = format!("{}/{}", f.id, wire_ref(&f.component.bom_ref));
            let mut bom_ref = base.clone();
            let mut n = 1;
            while !refs.insert(bom_ref.clone()) {
                n += 1;
                bom_ref = format!("{base}#{n}");
            }
            vulnerability(f, bom_ref)
        })
        .collect();

    let mut metadata = Map::new();
    metadata.insert("timestamp".into(), json!(report.generated));
    metadata.insert(
        "tools".into(),
        json!({ "components": [{ "type": "application", "name": report.tool.name, "version": report.tool.version }] }),
    );
    metadata.insert(
        "properties".into(),
        json!([
            { "name": "cpsf:scan-target", "value": report.target },
            { "name": "cpsf:advisory-database", "value": report.database.path },
        ]),
    );

    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "vulnerabilities": vulnerabilities,
    })
}

/// `bom_ref` as CycloneDX documents from cpsf carry it: `%40`, `%3A` and `%2F` decoded, as in the SBOM writer,
/// so that the VDR's references meet the SBOM's components.
fn wire_ref(bom_ref: &str) -> String {
    bom_ref.replace("%40", "@").replace("%3A", ":").replace("%3a", ":").replace("%2F", "/").replace("%2f", "/")
}

fn source_of(id: &str, url: Option<&str>) -> Value {
    let mut source = Map::new();
    let known = id_source(id);
    if let Some((name, _)) = &known {
        source.insert("name".into(), json!(name));
    }
    let url = url.map(str::to_owned).or_else(|| known.and_then(|(_, url)| url));
    if let Some(url) = url.filter(|u| is_web_url(u)) {
        source.insert("url".into(), json!(url));
    }
    Value::Object(source)
}

fn vulnerability(f: &Finding, bom_ref: String) -> Value {
    let c = &f.component;
    let own_url = f.advisories.iter().find(|a| a.id == f.id).and_then(|a| a.url.as_deref());

    let mut v = Map::new();
    v.insert("bom-ref".into(), json!(bom_ref));
    v.insert("id".into(), json!(f.id));
    v.insert("source".into(), source_of(&f.id, own_url));

    let references: Vec<Value> = f
        .aliases
        .iter()
        .filter(|a| **a != f.id)
        .map(|alias| {
            let url = f.advisories.iter().find(|a| a.id == *alias).and_then(|a| a.url.as_deref());
            json!({ "id": alias, "source": source_of(alias, url) })
        })
        .collect();
    if !references.is_empty() {
        v.insert("references".into(), Value::Array(references));
    }

    let ratings: Vec<Value> = f.scores.iter().map(rating).collect();
    if !ratings.is_empty() {
        v.insert("ratings".into(), Value::Array(ratings));
    }
    if let Some(summary) = f.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        v.insert("description".into(), json!(summary));
    }
    if let Some(fix) = f.fixed_version.as_ref().filter(|_| f.suppression.is_none()) {
        v.insert("recommendation".into(), json!(format!("Upgrade {} to {} or later.", c.name, fix)));
    }

    let mut urls: Vec<&str> = Vec::new();
    for url in f.advisories.iter().filter_map(|a| a.url.as_deref()).chain(f.references.iter().map(String::as_str)) {
        if is_web_url(url) && !urls.contains(&url) {
            urls.push(url);
        }
    }
    if !urls.is_empty() {
        v.insert("advisories".into(), Value::Array(urls.iter().map(|u| json!({ "url": u })).collect()));
    }

    if let Some(s) = &f.suppression {
        let mut analysis = Map::new();
        analysis.insert("state".into(), json!(if s.status == "fixed" { "resolved" } else { "not_affected" }));
        if let Some(j) = s.justification.as_deref().and_then(cyclonedx_justification) {
            analysis.insert("justification".into(), json!(j));
        }
        let mut detail = format!("VEX {} in {}", s.status, s.source);
        if let Some(j) = &s.justification {
            detail.push_str(&format!("; justification: {j}"));
        }
        if let Some(impact) = &s.impact_statement {
            detail.push_str(&format!("; {impact}"));
        }
        analysis.insert("detail".into(), json!(detail));
        v.insert("analysis".into(), Value::Object(analysis));
    }

    let mut affected = Map::new();
    affected.insert("ref".into(), json!(wire_ref(&c.bom_ref)));
    if !c.version.is_empty() {
        // A VEX statement (not affected, or fixed in this product) makes the version unaffected.
        let status = if f.suppression.is_some() { "unaffected" } else { "affected" };
        affected.insert("versions".into(), json!([{ "version": c.version, "status": status }]));
    }
    v.insert("affects".into(), json!([affected]));

    let mut properties = Vec::new();
    if let Some(kev) = &f.kev {
        properties.push(json!({ "name": "cpsf:kev", "value": kev.date_added }));
    }
    if let Some(epss) = f.epss.as_ref().filter(|e| e.score.is_finite() && e.percentile.is_finite()) {
        properties.push(json!({ "name": "cpsf:epss", "value": epss.score.to_string() }));
        properties.push(json!({ "name": "cpsf:epss-percentile", "value": epss.percentile.to_string() }));
    }
    if !properties.is_empty() {
        v.insert("properties".into(), Value::Array(properties));
    }
    Value::Object(v)
}

fn rating(score: &Score) -> Value {
    let mut r = Map::new();
    r.insert("source".into(), source_of(&score.source, None));
    if let Some(s) = score.score.filter(|s| s.is_finite()) {
        r.insert("score".into(), json!(s));
    }
    r.insert("severity".into(), json!(score.rating.as_str()));
    r.insert("method".into(), json!(method(&score.method)));
    if let Some(vector) = &score.vector {
        r.insert("vector".into(), json!(vector));
    }
    Value::Object(r)
}

/// The CycloneDX `scoreMethod` of a score: the CVSS version, or `other` for a source's own rating word.
fn method(method: &ScoreMethod) -> &'static str {
    match method {
        ScoreMethod::CvssV2 => "CVSSv2",
        ScoreMethod::CvssV3 => "CVSSv3",
        ScoreMethod::CvssV31 => "CVSSv31",
        ScoreMethod::CvssV4 => "CVSSv4",
        ScoreMethod::Source => "other",
    }
}

/// The CycloneDX `impactAnalysisJustification` of a VEX justification. OpenVEX and CSAF words map where the
/// meaning is the same; CycloneDX words pass through. `None` when no CycloneDX value says the same thing
/// (`vulnerable_code_cannot_be_controlled_by_adversary` could be any of three `requires_*` values).
pub fn cyclonedx_justification(word: &str) -> Option<&'static str> {
    Some(match word.trim() {
        "component_not_present" | "vulnerable_code_not_present" | "code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" | "code_not_reachable" => "code_not_reachable",
        "inline_mitigations_already_exist" | "protected_by_mitigating_control" => "protected_by_mitigating_control",
        "requires_configuration" => "requires_configuration",
        "requires_dependency" => "requires_dependency",
        "requires_environment" => "requires_environment",
        "protected_by_compiler" => "protected_by_compiler",
        "protected_at_runtime" => "protected_at_runtime",
        "protected_at_perimeter" => "protected_at_perimeter",
        _ => return None,
    })
}
