//! Exports of a product version's findings: CSV for spreadsheets, and a CycloneDX 1.6 VEX document carrying each
//! finding's triage as `analysis` (state, justification, responses, detail), for customers and auditors.

use cpsf_store::{AnalysisEntry, StoredFinding};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// A time as RFC 3339 text (empty in the impossible case that it cannot be written).
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// One CSV field, quoted when it holds a comma, quote, or line break; a leading `=`, `+`, `-` or `@` is prefixed
/// with `'` so a spreadsheet does not run it as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The findings as CSV with a header row (RFC 4180, CRLF line ends).
pub fn csv(findings: &[StoredFinding]) -> String {
    let mut out = String::from(
        "product,version,vulnerability,aliases,component,component_version,purl,severity,cvss_score,kev,epss,fixed_version,state,first_seen,fixed_at\r\n",
    );
    for f in findings {
        let row = [
            f.product.clone(),
            f.version.clone(),
            f.vuln_id.clone(),
            f.aliases.join(" "),
            f.component_name.clone(),
            f.component_version.clone().unwrap_or_default(),
            f.purl.clone(),
            f.severity.as_str().to_owned(),
            f.cvss_score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            f.kev.to_string(),
            f.epss.map(|e| format!("{e:.5}")).unwrap_or_default(),
            f.fixed_version.clone().unwrap_or_default(),
            f.state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            rfc3339(f.first_seen),
            f.fixed_at.map(rfc3339).unwrap_or_default(),
        ];
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CycloneDX 1.6 VEX: one vulnerability per finding, affecting the component by purl, with the latest analysis
/// from `history` (the finding's triage entries, any order).
pub fn cyclonedx_vex(findings: &[(StoredFinding, Vec<AnalysisEntry>)], serial: &str, timestamp: &str) -> Value {
    let vulnerabilities: Vec<Value> = findings
        .iter()
        .map(|(f, history)| {
            let mut v = json!({
                "id": f.vuln_id,
                "bom-ref": format!("{}#{}", f.vuln_id, f.purl),
                "affects": [ { "ref": f.purl } ],
            });
            if !f.aliases.is_empty() {
                v["references"] = json!(
                    f.aliases
                        .iter()
                        .filter(|a| *a != &f.vuln_id)
                        .map(|a| json!({ "id": a, "source": { "name": crate::export::source_of(a) } }))
                        .collect::<Vec<_>>()
                );
            }
            if let Some(latest) = history.iter().max_by_key(|h| (h.at, h.id)) {
                let mut analysis = json!({ "state": latest.analysis.state.as_str() });
                if let Some(j) = latest.analysis.justification {
                    analysis["justification"] = json!(j.as_str());
                }
                if !latest.analysis.responses.is_empty() {
                    analysis["response"] =
                        json!(latest.analysis.responses.iter().map(|r| r.as_str()).collect::<Vec<_>>());
                }
                if let Some(d) = &latest.analysis.detail {
                    analysis["detail"] = json!(d);
                }
                analysis["lastUpdated"] = json!(rfc3339(latest.at));
                v["analysis"] = analysis;
            }
            v
        })
        .collect();
    let components: Vec<Value> = {
        let mut seen = std::collections::BTreeMap::new();
        for (f, _) in findings {
            seen.entry(f.purl.clone()).or_insert_with(|| {
                let mut c = json!({ "type": "library", "bom-ref": f.purl, "name": f.component_name, "purl": f.purl });
                if let Some(v) = &f.component_version {
                    c["version"] = json!(v);
                }
                c
            });
        }
        seen.into_values().collect()
    };
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": { "timestamp": timestamp, "tools": { "components": [ { "type": "application", "name": "cpsf", "version": env!("CARGO_PKG_VERSION") } ] } },
        "components": components,
        "vulnerabilities": vulnerabilities,
    })
}

/// The database an advisory id comes from, by its prefix.
pub fn source_of(id: &str) -> &'static str {
    match id.split('-').next().unwrap_or_default() {
        "CVE" => "NVD",
        "GHSA" => "GitHub",
        "PYSEC" => "PyPA",
        "RUSTSEC" => "RustSec",
        "GO" => "Go",
        "OSV" => "OSV",
        _ => "OSV",
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("-x,y"), "\"'-x,y\"");
    }
}
