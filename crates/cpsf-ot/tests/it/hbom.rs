//! The hardware BOM: CycloneDX 1.6 device components, checked against the official schema.

use cpsf_ot::hbom::{self, HbomOptions};
use cpsf_sbom::format::CycloneDxVersion;

use crate::common::plant;

#[test]
fn devices_with_firmware_and_properties() {
    let mut assets = plant().assets;
    assets[0].serial = Some("SN-0001".into());
    assets[0].source = Some("discovered 2025-06-01 line1.pcapng".parse().unwrap());
    let doc = hbom::hbom(
        &assets,
        &HbomOptions {
            serial_number: Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into()),
            timestamp: Some("2025-06-01T00:00:00Z".into()),
            plant: Some("Example molding plant".into()),
            tool_version: Some("0.1.0".into()),
        },
    );
    let report = cpsf_sbom::schema::validate_cyclonedx(&doc, CycloneDxVersion::V1_6);
    assert!(report.valid, "{:#?}", report.errors);
    let plc = &doc["components"][0];
    assert_eq!(plc["type"], "device");
    assert_eq!(plc["bom-ref"], "asset:plc-1");
    assert_eq!(plc["manufacturer"]["name"], "Example Controls Inc.");
    assert_eq!(plc["components"][0]["type"], "firmware");
    assert_eq!(plc["components"][0]["version"], "V2.9.4");
    let props = plc["properties"].as_array().unwrap();
    let prop = |name: &str| -> Vec<&str> {
        props.iter().filter(|p| p["name"] == name).filter_map(|p| p["value"].as_str()).collect()
    };
    assert_eq!(prop("cpsf:zone"), ["control"]);
    assert_eq!(prop("cpsf:serial_number"), ["SN-0001"]);
    assert_eq!(prop("cpsf:ip"), ["10.0.1.10"]);
    assert_eq!(prop("cpsf:mac"), ["00:1b:1b:00:00:01"]);
    assert_eq!(prop("cpsf:source"), ["discovered 2025-06-01 line1.pcapng"]);
    // Nothing invented: the HMI has no vendor, version or firmware.
    let hmi = &doc["components"][1];
    assert!(hmi.get("manufacturer").is_none() && hmi.get("version").is_none() && hmi.get("components").is_none());
    let bare = hbom::hbom(&[], &HbomOptions::default());
    assert!(cpsf_sbom::schema::validate_cyclonedx(&bare, CycloneDxVersion::V1_6).valid);
}
