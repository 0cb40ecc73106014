//! Test data built in code: components from purls, SBOM uploads, findings.

use std::str::FromStr;

use cpsf_model::{Component, Purl, Scope};
use cpsf_store::{NewFinding, NewSbom, Severity};

/// A library component from a purl (bom-ref = the canonical purl).
pub fn component(purl: &str) -> Component {
    Component::from_purl(Purl::from_str(purl).expect("test purl"))
}

/// An upload of these components with a small JSON document naming them.
pub fn sbom(components: Vec<Component>) -> NewSbom {
    let refs: Vec<&str> = components.iter().map(|c| c.bom_ref.as_str()).collect();
    NewSbom {
        format: "cyclonedx-json-1.6".into(),
        document: serde_json::to_vec(&serde_json::json!({ "bomFormat": "CycloneDX", "components": refs }))
            .expect("document"),
        components,
    }
}

/// A small application: an app depending on two libraries, one of which depends on the third.
pub fn small_app(log4j_version: &str) -> NewSbom {
    let mut app = component("pkg:maven/com.example/app@1.0.0");
    app.direct = Some(true);
    app.scope = Some(Scope::Required);
    app.licenses = vec!["Apache-2.0".into()];
    let mut log4j = component(&format!("pkg:maven/org.apache.logging.log4j/log4j-core@{log4j_version}"));
    log4j.scope = Some(Scope::Required);
    log4j.direct = Some(true);
    log4j.licenses = vec!["Apache-2.0".into(), "MIT OR BSD-3-Clause".into()];
    let api = component(&format!("pkg:maven/org.apache.logging.log4j/log4j-api@{log4j_version}"));
    let mut junit = component("pkg:maven/junit/junit@4.13.2");
    junit.scope = Some(Scope::Dev);
    junit.direct = Some(false);
    app.dependencies.insert(log4j.bom_ref.clone());
    app.dependencies.insert(junit.bom_ref.clone());
    log4j.dependencies.insert(api.bom_ref.clone());
    sbom(vec![app, log4j, api, junit])
}

/// A finding on a purl.
pub fn finding(purl: &str, vuln: &str, severity: Severity) -> NewFinding {
    let parsed = Purl::from_str(purl).expect("test purl");
    NewFinding {
        bom_ref: purl.to_owned(),
        purl: purl.to_owned(),
        component_name: parsed.name().to_owned(),
        component_version: parsed.version().map(str::to_owned),
        vuln_id: vuln.to_owned(),
        aliases: vec![vuln.to_owned()],
        summary: Some(format!("{vuln} in {}", parsed.name())),
        severity,
        cvss_score: None,
        kev: false,
        epss: None,
        fixed_version: None,
    }
}
