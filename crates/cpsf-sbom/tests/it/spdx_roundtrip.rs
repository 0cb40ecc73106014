//! Write → `cpsf_sbom::read` → the same inventory facts, for SPDX 2.3 and 2.2 JSON, YAML and tag-value and
//! SPDX 3.0 JSON-LD; and reading a written document twice gives the same document again.

use crate::spdx_support;

use cpsf_model::Inventory;
use cpsf_sbom::{SbomFormat, SpdxVersion, read, write};
use spdx_support::{assert_same_facts, sample_inventory};

const FORMATS: &[SbomFormat] = &[
    SbomFormat::SpdxJson(SpdxVersion::V2_3),
    SbomFormat::SpdxYaml(SpdxVersion::V2_3),
    SbomFormat::SpdxTagValue(SpdxVersion::V2_3),
    SbomFormat::SpdxJson(SpdxVersion::V2_2),
    SbomFormat::SpdxYaml(SpdxVersion::V2_2),
    SbomFormat::SpdxTagValue(SpdxVersion::V2_2),
    SbomFormat::Spdx3JsonLd,
];

fn round_trip(inventory: &Inventory, format: SbomFormat) -> cpsf_sbom::ReadSbom {
    let (text, _) = write(inventory, format).unwrap_or_else(|e| panic!("{format}: {e}"));
    spdx_support::dump(&format!("roundtrip {format}").replace(' ', "_"), &text);
    let read = read(text.as_bytes(), "written").unwrap_or_else(|e| panic!("{format}: {e}\n{text}"));
    assert_eq!(read.format, format);
    read
}

#[test]
fn every_format_keeps_the_inventory_facts() {
    let inventory = sample_inventory();
    for format in FORMATS {
        let read = round_trip(&inventory, *format);
        assert_same_facts(&inventory, &read.inventory, &format.to_string());
        assert!(read.inventory.diagnostics.is_empty(), "{format}: {:?}", read.inventory.diagnostics);
    }
}

#[test]
fn document_facts_are_reported() {
    for format in FORMATS {
        let read = round_trip(&sample_inventory(), *format);
        let facts = &read.facts;
        assert_eq!(facts.relationship_count, 7, "{format}");
        assert_eq!(facts.describes.len(), 1, "{format}: {:?}", facts.describes);
        assert!(facts.unrelated.is_empty(), "{format}: {:?}", facts.unrelated);
        let expected = match format {
            SbomFormat::Spdx3JsonLd => "3.0.1",
            SbomFormat::SpdxJson(v) | SbomFormat::SpdxYaml(v) | SbomFormat::SpdxTagValue(v) => v.as_str(),
            _ => unreachable!(),
        };
        assert_eq!(facts.spec_version, expected);
    }
}

#[test]
fn reading_and_writing_again_is_stable() {
    for format in FORMATS {
        let (first, _) = write(&sample_inventory(), *format).unwrap();
        let again = read(first.as_bytes(), "first").unwrap();
        let (second, _) = write(&again.inventory, *format).unwrap();
        if matches!(format, SbomFormat::Spdx3JsonLd) {
            // The product's `bom_ref` becomes its SPDX id; everything else is identical.
            assert_same_facts(&again.inventory, &read(second.as_bytes(), "second").unwrap().inventory, "again");
        } else {
            assert_eq!(first, second, "{format}");
        }
    }
}

#[test]
fn without_a_product_nothing_is_made_up() {
    let mut inventory = sample_inventory();
    inventory.metadata.component = None;
    inventory.metadata.supplier = None;
    for format in FORMATS {
        let read = round_trip(&inventory, *format);
        assert!(read.inventory.metadata.component.is_none(), "{format}");
        assert_eq!(read.inventory.components.len(), inventory.components.len(), "{format}");
        assert_eq!(read.facts.describes.len(), 5, "{format}: the five direct dependencies");
    }
}

#[test]
fn without_authors_cpsf_is_the_creator() {
    let mut inventory = sample_inventory();
    inventory.metadata.authors.clear();
    for format in FORMATS {
        let read = round_trip(&inventory, *format);
        assert_same_facts(&inventory, &read.inventory, &format.to_string());
    }
    let (text, _) = write(&inventory, SbomFormat::Spdx3JsonLd).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let creation = &doc["@graph"][0];
    let agent = creation["createdBy"][0].as_str().unwrap();
    let agent = doc["@graph"].as_array().unwrap().iter().find(|e| e["spdxId"] == agent).unwrap();
    assert_eq!(agent["type"], "SoftwareAgent");
    assert_eq!(agent["name"], format!("cpsf-{}", env!("CARGO_PKG_VERSION")));
}
