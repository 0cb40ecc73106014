//! NTIA minimum-elements conformance of written SPDX documents, checked by the SPDX project's own checker
//! (`sbomcheck` from ntia-conformance-checker) in a subprocess. Without `sbomcheck` on PATH the tests print
//! `SKIPPED: sbomcheck not installed` and pass; CI installs it.

use crate::spdx_support;

use cpsf_sbom::{SbomFormat, SpdxVersion, write};
use serde_json::Value;
use spdx_support::{sample_inventory, sbomcheck, sbomcheck_available};

fn assert_conformant(report: &Value, what: &str) {
    assert_eq!(report["isNtiaConformant"], true, "{what}: {report:#}");
    assert_eq!(report["validationMessages"], serde_json::json!([]), "{what}");
    assert_eq!(report["parsingError"], serde_json::json!([]), "{what}");
    assert_eq!(report["graphValidation"]["floatingComponents"]["floatingComponentCount"], 0, "{what}: {report:#}");
    assert_eq!(report["graphValidation"]["unknownPointers"]["hasUnknownPointers"], false, "{what}");
    // The product and its seven components.
    assert_eq!(report["totalNumberComponents"], 8, "{what}");
}

#[test]
fn spdx_2_documents_are_ntia_conformant() {
    if !sbomcheck_available() {
        return;
    }
    let inventory = sample_inventory();
    for (format, name) in [
        (SbomFormat::SpdxJson(SpdxVersion::V2_3), "sbom.spdx.json"),
        (SbomFormat::SpdxYaml(SpdxVersion::V2_3), "sbom.spdx.yaml"),
        (SbomFormat::SpdxTagValue(SpdxVersion::V2_3), "sbom.spdx"),
        (SbomFormat::SpdxJson(SpdxVersion::V2_2), "sbom-2.2.spdx.json"),
    ] {
        let (text, _) = write(&inventory, format).unwrap();
        let report = sbomcheck(&text, name, "spdx2");
        assert_conformant(&report, &format.to_string());
        assert_eq!(report["sbomName"], "acme-webshop-2.4.0");
    }
}

#[test]
fn spdx_3_document_is_ntia_conformant() {
    if !sbomcheck_available() {
        return;
    }
    let (text, _) = write(&sample_inventory(), SbomFormat::Spdx3JsonLd).unwrap();
    let report = sbomcheck(&text, "sbom.spdx3.json", "spdx3");
    assert_conformant(&report, "SPDX 3");
    assert_eq!(report["conformanceMessages"], serde_json::json!([]), "the root element is an SBOM: {report:#}");
}

/// An unknown supplier is written as NOASSERTION (SPDX 2) or left out (SPDX 3), never made up, and the
/// checker names the component.
#[test]
fn an_unknown_supplier_is_reported_not_invented() {
    if !sbomcheck_available() {
        return;
    }
    let mut inventory = sample_inventory();
    let serde = inventory.components.iter_mut().find(|c| c.name == "serde").unwrap();
    serde.supplier = None;
    for (format, name, spec) in [
        (SbomFormat::SpdxJson(SpdxVersion::V2_3), "unknown-supplier.spdx.json", "spdx2"),
        (SbomFormat::Spdx3JsonLd, "unknown-supplier.spdx3.json", "spdx3"),
    ] {
        let (text, _) = write(&inventory, format).unwrap();
        let report = sbomcheck(&text, name, spec);
        assert_eq!(report["isNtiaConformant"], false, "{format}");
        assert_eq!(report["componentSuppliers"]["nonconformantComponents"], serde_json::json!(["serde"]), "{format}");
        assert_eq!(report["validationMessages"], serde_json::json!([]), "{format}: still a valid document");
    }
}

/// Without a product, the document describes the direct dependencies, and is still conformant.
#[test]
fn without_a_product_the_documents_stay_conformant() {
    if !sbomcheck_available() {
        return;
    }
    let mut inventory = sample_inventory();
    inventory.metadata.component = None;
    for (format, name, spec) in [
        (SbomFormat::SpdxTagValue(SpdxVersion::V2_3), "no-product.spdx", "spdx2"),
        (SbomFormat::Spdx3JsonLd, "no-product.spdx3.json", "spdx3"),
    ] {
        let (text, _) = write(&inventory, format).unwrap();
        let report = sbomcheck(&text, name, spec);
        assert_eq!(report["isNtiaConformant"], true, "{format}: {report:#}");
        assert_eq!(report["totalNumberComponents"], 7, "{format}");
        assert_eq!(
            report["graphValidation"]["floatingComponents"]["floatingComponentCount"], 0,
            "{format}: {report:#}"
        );
    }
}
