//! CSAF 2.0: reading our own test advisories and matching them to assets.

use cpsf_ot::asset::Asset;
use cpsf_ot::csaf::{self, Confidence, MatchedBy, Status, VersionCheck, VersionSpec};
use cpsf_ot::identity::DeviceIdentity;

use crate::common::text;

fn advisory(name: &str) -> csaf::Advisory {
    csaf::read(name, &text(&format!("csaf/{name}"))).unwrap_or_else(|e| panic!("{e}"))
}

fn all() -> Vec<csaf::Advisory> {
    ["ec-2099-001.json", "panels-2099-002.json", "sensors-2099-003.json"].iter().map(|n| advisory(n)).collect()
}

#[test]
fn reads_the_product_tree() {
    let adv = advisory("ec-2099-001.json");
    assert_eq!(adv.id, "EC-2099-001");
    assert_eq!(adv.publisher.as_deref(), Some("Example Controls PSIRT"));
    assert!(adv.warnings.is_empty(), "{:?}", adv.warnings);
    let old = &adv.products["EC9000-OLD"];
    assert_eq!(old.vendor.as_deref(), Some("Example Controls, Inc."));
    assert_eq!(old.product_name.as_deref(), Some("EC-9000"));
    assert_eq!(old.version, Some(VersionSpec::Range("vers:generic/>=2.0|<2.9.5".into())));
    assert_eq!(old.helper.model_numbers, ["EC-9*"]);
    assert_eq!(adv.vulnerabilities.len(), 2);
    let v = &adv.vulnerabilities[0];
    assert_eq!(v.cve.as_deref(), Some("CVE-2099-0001"));
    assert_eq!(v.summary.as_deref(), Some("Our own test text."));
    assert_eq!(v.status.len(), 3);
    let rel = advisory("panels-2099-002.json");
    let r = rel.products["XP700-FW120"].relationship.as_ref().unwrap();
    assert_eq!((r.component.as_str(), r.platform.as_str()), ("XPFW-120", "XP700"));
    assert_eq!(rel.vulnerabilities[0].remediations[0].products, ["XP700-FW120", "SCADA-41"], "group expanded");
}

fn plc(version: Option<&str>) -> Asset {
    Asset {
        id: "plc-1".into(),
        vendor: Some("Example Controls Inc.".into()),
        model: Some("EC-9000".into()),
        firmware: version.map(str::to_string),
        ..Asset::default()
    }
}

#[test]
fn model_number_and_range() {
    let report = csaf::match_assets(&all(), &[plc(Some("V2.9.4"))]);
    let f: Vec<(&str, Status, MatchedBy, Confidence)> = report
        .findings
        .iter()
        .map(|f| (f.cve.as_deref().unwrap_or(""), f.status, f.matched_by, f.confidence))
        .collect();
    assert_eq!(f, [("CVE-2099-0001", Status::Affected, MatchedBy::ModelNumber, Confidence::Medium)]);
    let finding = &report.findings[0];
    assert_eq!(finding.advisory, "EC-2099-001");
    assert_eq!(finding.product_id, "EC9000-OLD");
    assert_eq!(finding.version_check, VersionCheck::Confirmed);
    assert_eq!(finding.cvss.as_ref().and_then(|c| c.base_score), Some(8.1));
    assert_eq!(finding.remediation[0].category, "vendor_fix");
    // The autumn product (same vendor and product name) has its range in words: reported, not guessed.
    assert_eq!(report.undetermined.len(), 1);
    assert_eq!(report.undetermined[0].product_id, "EC9000-AUTUMN");

    let fixed = csaf::match_assets(&all(), &[plc(Some("2.9.5"))]);
    assert_eq!(fixed.findings.len(), 1);
    assert_eq!((fixed.findings[0].status, fixed.findings[0].product_id.as_str()), (Status::Fixed, "EC9000-FIXED"));
    assert!(csaf::match_assets(&all(), &[plc(Some("3.0"))]).findings.is_empty());
    // Version unknown: every status the model appears in, low confidence.
    let unknown = csaf::match_assets(&all(), &[plc(None)]);
    assert!(
        unknown
            .findings
            .iter()
            .all(|f| f.confidence == Confidence::Low && f.version_check == VersionCheck::DeviceVersionUnknown)
    );
    assert_eq!(unknown.findings.len(), 2);
}

#[test]
fn name_match_and_range_not_understood() {
    // By name: the vendor and the product name `EC-9000` match the autumn product, whose range is prose.
    let mut asset = plc(Some("2.9.4"));
    asset.product_code = Some("EC9-CPU".into());
    asset.model = Some("EC-9000".into());
    let report = csaf::match_assets(&all(), &[asset]);
    assert_eq!(report.undetermined.len(), 1, "{:?}", report.undetermined);
    let u = &report.undetermined[0];
    assert_eq!((u.cve.as_deref(), u.product_id.as_str()), (Some("CVE-2099-0002"), "EC9000-AUTUMN"));
    assert!(u.reason.starts_with("range not understood"), "{}", u.reason);
    // A version the range cannot compare is undetermined too.
    let report = csaf::match_assets(&all(), &[plc(Some("2.9.4-beta"))]);
    assert!(
        report.undetermined.iter().any(|u| u.product_id == "EC9000-OLD" && u.reason.contains("cannot be compared"))
    );
    // Another vendor with the same model name does not match.
    let mut other = plc(Some("2.9.4"));
    other.vendor = Some("Someone Else Ltd.".into());
    assert!(csaf::match_assets(&all(), &[other]).findings.is_empty());
}

#[test]
fn relationship_cpe_and_serial() {
    let panel = Asset {
        id: "hmi-1".into(),
        vendor: Some("Example Panels GmbH".into()),
        model: Some("XP-700".into()),
        firmware: Some("1.2".into()),
        ..Asset::default()
    };
    let scada = Asset {
        id: "scada-1".into(),
        cpes: vec!["cpe:2.3:a:example_soft:scada_suite:4.1:*:*:*:*:*:*:*".into()],
        ..Asset::default()
    };
    let sensor = Asset {
        id: "sensor-1".into(),
        vendor: Some("Example Sensors".into()),
        serial: Some("SN-0200".into()),
        ..Asset::default()
    };
    let report = csaf::match_assets(&all(), &[panel, scada, sensor]);
    let got: Vec<(&str, &str, Status, MatchedBy, Confidence)> = report
        .findings
        .iter()
        .map(|f| (f.asset.as_str(), f.product_id.as_str(), f.status, f.matched_by, f.confidence))
        .collect();
    assert_eq!(
        got,
        [
            ("hmi-1", "XP700-FW120", Status::Affected, MatchedBy::ModelNumber, Confidence::High),
            ("scada-1", "SCADA-41", Status::Affected, MatchedBy::Cpe, Confidence::High),
            ("sensor-1", "TS1-UNIT", Status::NotAffected, MatchedBy::SerialNumber, Confidence::High),
        ]
    );
    assert_eq!(report.findings[0].remediation[0].details, "Restrict access to the panel's network.");
    assert_eq!(report.findings[1].cvss.as_ref().and_then(|c| c.severity.as_deref()), Some("MEDIUM"));
    // The panel's firmware differs: the relationship product does not apply.
    let other = Asset { firmware: Some("1.3".into()), ..report_asset("hmi-1", "Example Panels", "XP-700") };
    assert!(csaf::match_assets(&all(), &[other]).findings.is_empty());
    // A CPE of another version does not match.
    let scada2 = Asset { id: "s".into(), cpes: vec!["cpe:/a:example_soft:scada_suite:4.2".into()], ..Asset::default() };
    assert!(csaf::match_assets(&all(), &[scada2]).findings.is_empty());
}

fn report_asset(id: &str, vendor: &str, model: &str) -> Asset {
    Asset { id: id.into(), vendor: Some(vendor.into()), model: Some(model.into()), ..Asset::default() }
}

#[test]
fn identity_without_vendor_is_weaker() {
    let adv = advisory("ec-2099-001.json");
    let identity =
        DeviceIdentity { model: Some("EC-9000".into()), version: Some("2.1".into()), ..DeviceIdentity::default() };
    let mut report = csaf::MatchReport::default();
    csaf::match_identities(&adv, &[("x".into(), identity)], &mut report);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].confidence, Confidence::Low, "wildcard model (medium), vendor unknown: one lower");
}

#[test]
fn not_csaf() {
    let err = csaf::read("x.json", "{\"document\": 3}").unwrap_err();
    assert!(err.to_string().contains("`document` as a number"), "{err}");
    let err = csaf::read("x.json", "{\n  \"document\": {,}\n}").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    let adv = csaf::read("x.json", r#"{"document": {}, "vulnerabilities": {"a": 1}, "product_tree": {"branches": 5}}"#)
        .unwrap();
    assert_eq!(adv.id, "x.json");
    assert_eq!(adv.warnings.len(), 3, "{:?}", adv.warnings);
}
