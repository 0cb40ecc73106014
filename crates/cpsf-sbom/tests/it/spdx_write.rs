//! SPDX 2.2/2.3 writers: every written document validates against the SPDX 2.3 JSON schema, is deterministic
//! and says what the inventory says (and `NOASSERTION` where it says nothing).

use crate::spdx_support;

use cpsf_sbom::{SbomFormat, SpdxVersion, read, schema, write};
use serde_json::Value;
use spdx_support::{dump, sample_inventory};

const FORMATS: &[(SbomFormat, &str)] = &[
    (SbomFormat::SpdxJson(SpdxVersion::V2_3), "sample-2.3.spdx.json"),
    (SbomFormat::SpdxYaml(SpdxVersion::V2_3), "sample-2.3.spdx.yaml"),
    (SbomFormat::SpdxTagValue(SpdxVersion::V2_3), "sample-2.3.spdx"),
    (SbomFormat::SpdxJson(SpdxVersion::V2_2), "sample-2.2.spdx.json"),
    (SbomFormat::SpdxYaml(SpdxVersion::V2_2), "sample-2.2.spdx.yaml"),
    (SbomFormat::SpdxTagValue(SpdxVersion::V2_2), "sample-2.2.spdx"),
];

fn json_of(format: SbomFormat) -> Value {
    let (text, _) = write(&sample_inventory(), format).unwrap();
    read(text.as_bytes(), "written").unwrap().json.unwrap()
}

#[test]
fn every_written_document_validates_against_the_schema() {
    let inventory = sample_inventory();
    for (format, name) in FORMATS {
        let (text, losses) = write(&inventory, *format).unwrap();
        dump(name, &text);
        let read = read(text.as_bytes(), name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read.format, *format, "{name}");
        let report = schema::validate(&read);
        assert!(report.valid, "{name}: {:#?}", report.errors);
        assert!(read.inventory.diagnostics.is_empty(), "{name}: {:?}", read.inventory.diagnostics);
        if *format == SbomFormat::SpdxJson(SpdxVersion::V2_3) {
            assert!(losses.is_empty(), "{name}: {losses:?}");
        }
    }
}

#[test]
fn output_is_deterministic() {
    for (format, name) in FORMATS {
        let a = write(&sample_inventory(), *format).unwrap().0;
        let b = write(&sample_inventory(), *format).unwrap().0;
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn document_creation_information() {
    let doc = json_of(SbomFormat::SpdxJson(SpdxVersion::V2_3));
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "acme-webshop-2.4.0");
    assert_eq!(
        doc["documentNamespace"],
        "https://spdx.org/spdxdocs/acme-webshop-2.4.0-3e671687-395b-41f5-a30f-a58921a69b79"
    );
    assert_eq!(doc["creationInfo"]["created"], "2026-11-25T09:30:00Z");
    let creators: Vec<&str> =
        doc["creationInfo"]["creators"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(
        creators,
        ["Person: Hanako Yamada (hanako@acme.example)".to_owned(), format!("Tool: cpsf-{}", env!("CARGO_PKG_VERSION"))]
    );
    assert!(
        doc["comment"].as_str().unwrap().contains("lockfile skipped: legacy/yarn.lock: line 7: expected `version`")
    );
}

fn package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

fn relationships(doc: &Value) -> Vec<String> {
    doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["spdxElementId"].as_str().unwrap(),
                r["relationshipType"].as_str().unwrap(),
                r["relatedSpdxElement"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn packages_say_what_the_inventory_says() {
    let doc = json_of(SbomFormat::SpdxJson(SpdxVersion::V2_3));
    let root = package(&doc, "acme-webshop");
    assert_eq!(root["SPDXID"], "SPDXRef-Root-acme-webshop-2.4.0");
    assert_eq!(root["supplier"], "Organization: ACME Corp");
    assert_eq!(root["primaryPackagePurpose"], "APPLICATION");

    let express = package(&doc, "express");
    assert_eq!(express["SPDXID"], "SPDXRef-Package-npm-express-4.18.2");
    assert_eq!(express["versionInfo"], "4.18.2");
    assert_eq!(express["supplier"], "Organization: OpenJS Foundation");
    assert_eq!(express["downloadLocation"], "https://registry.npmjs.org/express/-/express-4.18.2.tgz");
    assert_eq!(express["filesAnalyzed"], false);
    assert_eq!(express["checksums"][0]["algorithm"], "SHA512");
    assert_eq!(express["licenseDeclared"], "MIT");
    assert_eq!(express["licenseConcluded"], "NOASSERTION");
    assert_eq!(express["copyrightText"], "NOASSERTION");
    assert_eq!(express["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
    assert_eq!(express["externalRefs"][0]["referenceType"], "purl");
    assert_eq!(express["externalRefs"][0]["referenceLocator"], "pkg:npm/express@4.18.2");
    assert_eq!(express["primaryPackagePurpose"], "LIBRARY");
    assert_eq!(express["comment"], "found in: web/package-lock.json:12\ndirect dependency\nscope: required");

    let accepts = package(&doc, "accepts");
    assert_eq!(accepts["supplier"], "Person: Douglas Christopher Wilson (doug@somethingdoug.com)");
    assert_eq!(accepts["originator"], "Person: Douglas Christopher Wilson (doug@somethingdoug.com)");
    assert_eq!(accepts["downloadLocation"], "NOASSERTION");

    assert_eq!(package(&doc, "@types/node")["SPDXID"], "SPDXRef-Package-npm-types-node-20.11.5");
    assert_eq!(package(&doc, "serde")["licenseDeclared"], "MIT OR Apache-2.0");
    let lang3 = package(&doc, "org.apache.commons:commons-lang3");
    assert_eq!(lang3["licenseDeclared"], "LicenseRef-Apache-License-Version-2.0");
    let extracted = &doc["hasExtractedLicensingInfos"][0];
    assert_eq!(extracted["licenseId"], "LicenseRef-Apache-License-Version-2.0");
    assert_eq!(extracted["name"], "Apache License, Version 2.0");
    assert_eq!(doc["hasExtractedLicensingInfos"].as_array().unwrap().len(), 1);
}

#[test]
fn relationships_follow_scope_and_edges() {
    let doc = json_of(SbomFormat::SpdxJson(SpdxVersion::V2_3));
    let rels = relationships(&doc);
    let root = "SPDXRef-Root-acme-webshop-2.4.0";
    for expected in [
        format!("SPDXRef-DOCUMENT DESCRIBES {root}"),
        format!("{root} DEPENDS_ON SPDXRef-Package-npm-express-4.18.2"),
        format!("{root} DEPENDS_ON SPDXRef-Package-cargo-serde-1.0.197"),
        format!("{root} DEPENDS_ON SPDXRef-Package-maven-org.apache.commons-commons-lang3-3.14.0"),
        format!("{root} DEPENDS_ON SPDXRef-Package-npm-types-node-20.11.5"),
        format!("SPDXRef-Package-npm-types-node-20.11.5 DEV_DEPENDENCY_OF {root}"),
        format!("{root} DEPENDS_ON SPDXRef-Package-pypi-requests-2.31.0"),
        format!("SPDXRef-Package-pypi-requests-2.31.0 OPTIONAL_DEPENDENCY_OF {root}"),
        "SPDXRef-Package-npm-express-4.18.2 DEPENDS_ON SPDXRef-Package-npm-accepts-1.3.8".to_owned(),
        "SPDXRef-Package-npm-types-node-20.11.5 DEPENDS_ON SPDXRef-Package-npm-undici-types-5.26.5".to_owned(),
    ] {
        assert!(rels.contains(&expected), "missing `{expected}` in {rels:#?}");
    }
    assert_eq!(rels.len(), 10, "{rels:#?}");
    let read = read(serde_json::to_string(&doc).unwrap().as_bytes(), "written").unwrap();
    assert_eq!(read.facts.relationship_count, 7, "one per edge: 5 from the product, 2 between components");
}

#[test]
fn unknown_supplier_and_bad_location_are_noassertion() {
    let mut inventory = sample_inventory();
    let c = inventory.components.iter_mut().find(|c| c.name == "serde").unwrap();
    c.supplier = None;
    c.download_location = Some("file:../vendor/serde".into());
    c.licenses.clear();
    let (text, _) = write(&inventory, SbomFormat::SpdxJson(SpdxVersion::V2_3)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let serde = package(&doc, "serde");
    assert_eq!(serde["supplier"], "NOASSERTION");
    assert_eq!(serde["downloadLocation"], "NOASSERTION");
    assert_eq!(serde["sourceInfo"], "recorded location (not a download location): file:../vendor/serde");
    assert_eq!(serde["licenseDeclared"], "NOASSERTION");
}

#[test]
fn without_a_product_the_direct_dependencies_are_described() {
    let mut inventory = sample_inventory();
    inventory.metadata.component = None;
    let (text, _) = write(&inventory, SbomFormat::SpdxJson(SpdxVersion::V2_3)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["name"], "sbom");
    let described: Vec<String> =
        relationships(&doc).into_iter().filter(|r| r.starts_with("SPDXRef-DOCUMENT DESCRIBES ")).collect();
    assert_eq!(described.len(), 5, "{described:?}");
    assert!(!text.contains("SPDXRef-Root"));
}

#[test]
fn spdx_2_2_has_no_2_3_fields() {
    let mut inventory = sample_inventory();
    inventory.components[0]
        .hashes
        .push(cpsf_model::Hash::hex(cpsf_model::HashAlgorithm::Blake3, &"ab".repeat(32)).unwrap());
    let (text, losses) = write(&inventory, SbomFormat::SpdxJson(SpdxVersion::V2_2)).unwrap();
    assert!(text.contains("\"spdxVersion\": \"SPDX-2.2\""));
    assert!(!text.contains("primaryPackagePurpose"));
    assert!(!text.contains("BLAKE3"));
    assert_eq!(losses.len(), 1, "{losses:?}");
    assert!(losses[0].message.contains("SPDX 2.2 has no BLAKE3 checksum"), "{losses:?}");
}

#[test]
fn tag_value_follows_the_specification() {
    let (text, _) = write(&sample_inventory(), SbomFormat::SpdxTagValue(SpdxVersion::V2_3)).unwrap();
    let head: Vec<&str> = text.lines().take(10).map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        head,
        [
            "SPDXVersion",
            "DataLicense",
            "SPDXID",
            "DocumentName",
            "DocumentNamespace",
            "LicenseListVersion",
            "Creator",
            "Creator",
            "Created",
            "DocumentComment"
        ]
    );
    let express_start = text.find("PackageName: express\n").unwrap();
    let express: Vec<&str> =
        text[express_start..].lines().take_while(|l| !l.is_empty()).map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        express,
        [
            "PackageName",
            "SPDXID",
            "PackageVersion",
            "PackageSupplier",
            "PackageDownloadLocation",
            "FilesAnalyzed",
            "PackageChecksum",
            "PackageLicenseConcluded",
            "PackageLicenseDeclared",
            "PackageCopyrightText",
            "PackageComment",
            "direct dependency",
            "scope",
            "ExternalRef",
            "PrimaryPackagePurpose"
        ]
    );
    assert!(
        text.contains(
            "PackageComment: <text>found in: web/package-lock.json:12\ndirect dependency\nscope: required</text>\n"
        ),
        "{text}"
    );
    assert!(text.contains("ExternalRef: PACKAGE-MANAGER purl pkg:npm/express@4.18.2\n"));
    assert!(
        text.contains("PackageChecksum: SHA256: 3fb1c873e1b9b056a4dc4c0c198b24c3ffa059243875552b2bd0933b1aee4ce2\n")
    );
    assert!(text.contains(
        "Relationship: SPDXRef-Package-npm-types-node-20.11.5 DEV_DEPENDENCY_OF SPDXRef-Root-acme-webshop-2.4.0\n"
    ));
    assert!(text.contains("LicenseID: LicenseRef-Apache-License-Version-2.0\nExtractedText: Apache License, Version 2.0\nLicenseName: Apache License, Version 2.0\n"));
}
