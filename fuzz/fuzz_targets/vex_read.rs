//! Fuzz target: VEX read must never panic, whatever the bytes; statements read are applied to findings built
//! from them, and both VEX writers' output of those findings must read back.
#![no_main]

use cpsf_vuln::vex::{self, VexStatement};
use cpsf_vuln::{AffectedComponent, Finding, Rating};

/// A finding on the first product of `statement`, with its ids.
fn finding(statement: &VexStatement) -> Option<Finding> {
    let id = statement.vulnerabilities.first()?.clone();
    let product = statement.products.first()?.clone();
    let purl = if product.starts_with("pkg:") { product.clone() } else { String::new() };
    Some(Finding {
        id,
        aliases: statement.vulnerabilities.clone(),
        component: AffectedComponent {
            bom_ref: product.clone(),
            name: product,
            version: String::new(),
            purl,
            ecosystem: String::new(),
            locations: Vec::new(),
            scope: None,
            direct: None,
        },
        summary: None,
        severity: Rating::Unknown,
        cvss_score: None,
        scores: Vec::new(),
        advisories: Vec::new(),
        fixed_version: None,
        kev: None,
        epss: None,
        references: Vec::new(),
        suppression: None,
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(doc) = vex::read(data, "fuzz") else { return };
    let mut findings: Vec<Finding> = doc.statements.iter().take(64).filter_map(finding).collect();
    vex::apply(&mut findings, &doc.statements);
    let timestamp = "2024-01-01T00:00:00Z";
    let openvex = vex::write::openvex(&findings, "fuzz", timestamp, "https://example.invalid/vex");
    if let Err(e) = vex::read(openvex.to_string().as_bytes(), "fuzz-openvex") {
        panic!("written OpenVEX does not read back: {e}\n{openvex}");
    }
    let cyclonedx = vex::write::cyclonedx(&findings, timestamp, "urn:uuid:00000000-0000-4000-8000-000000000000");
    if let Err(e) = vex::read(cyclonedx.to_string().as_bytes(), "fuzz-cyclonedx") {
        panic!("written CycloneDX VEX does not read back: {e}\n{cyclonedx}");
    }
});
