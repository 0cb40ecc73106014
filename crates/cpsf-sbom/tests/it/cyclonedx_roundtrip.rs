//! CycloneDX writers and readers together: a rich inventory written in every version as JSON and XML, read
//! back (through `cpsf_sbom::read`, so format detection too), validated against the official schema, and
//! written again; conversion losses reported as diagnostics; deterministic output; a large inventory.

use std::collections::BTreeSet;

use cpsf_model::{
    Component, ComponentKind, DiagnosticCode, Hash, HashAlgorithm, Inventory, Location, Party, Purl, Scope,
    SkippedFile, Tool,
};
use cpsf_sbom::{CycloneDxVersion, SbomFormat, schema};

fn purl(text: &str) -> Purl {
    text.parse().unwrap()
}

fn hex(algorithm: HashAlgorithm, byte: char) -> Hash {
    Hash::hex(algorithm, &byte.to_string().repeat(algorithm.hex_len())).unwrap()
}

/// An inventory using everything the CycloneDX writers carry, in the canonical order they write it
/// (hashes, licences and locations sorted), so reading it back must give it exactly.
fn rich_inventory() -> Inventory {
    let mut lodash = Component::from_purl(purl("pkg:npm/lodash@4.17.21"))
        .at("web/package-lock.json", Some(12))
        .at("web/yarn.lock", None);
    lodash.scope = Some(Scope::Required);
    lodash.direct = Some(true);
    lodash.hashes = vec![hex(HashAlgorithm::Sha1, 'a'), hex(HashAlgorithm::Sha512, 'b')];
    lodash.licenses = vec!["MIT".into()];
    lodash.download_location = Some("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz".into());
    lodash.dependencies = BTreeSet::from(["pkg:npm/%40types/node@20.11.5".to_owned()]);

    let mut types_node =
        Component::from_purl(purl("pkg:npm/%40types/node@20.11.5")).at("web/package-lock.json", Some(40));
    types_node.scope = Some(Scope::Dev);
    types_node.direct = Some(false);
    types_node.licenses = vec!["MIT".into()];

    let mut serde = Component::from_purl(purl("pkg:cargo/serde@1.0.197")).at("Cargo.lock", Some(300));
    serde.scope = Some(Scope::Optional);
    serde.direct = Some(true);
    serde.hashes = vec![hex(HashAlgorithm::Sha256, 'c')];
    // Several entries, one of them an expression: 1.5 and 1.6 cannot mix them (written as names there).
    serde.licenses = vec!["Apache-2.0".into(), "MIT OR Apache-2.0".into()];
    serde.dependencies = BTreeSet::from(["pkg:cargo/serde_derive@1.0.197".to_owned()]);

    let mut serde_derive = Component::from_purl(purl("pkg:cargo/serde_derive@1.0.197")).at("Cargo.lock", Some(320));
    serde_derive.direct = Some(false);
    serde_derive.licenses = vec!["MIT OR Apache-2.0".into()];

    let mut bouncy =
        Component::from_purl(purl("pkg:maven/org.bouncycastle/bcprov-jdk18on@1.77")).at("service/pom.xml", Some(88));
    bouncy.kind = ComponentKind::Framework;
    bouncy.direct = Some(true);
    bouncy.licenses = vec!["Bouncy Castle Licence".into()];
    bouncy.supplier = Some(Party {
        name: "Legion of the Bouncy Castle Inc.".into(),
        email: Some("feedback-crypto@bouncycastle.org".into()),
        url: Some("https://www.bouncycastle.org".into()),
    });
    bouncy.author = Some("The Legion of the Bouncy Castle".into());
    bouncy.description =
        Some("The Bouncy Castle Crypto package is a Java implementation of cryptographic algorithms.".into());
    bouncy.hashes =
        vec![hex(HashAlgorithm::Md5, 'd'), hex(HashAlgorithm::Sha3_256, 'e'), hex(HashAlgorithm::Blake3, 'f')];

    // A component without a purl, known only by name and version.
    let firmware = Component {
        bom_ref: "vendor-blob@2.1".into(),
        kind: ComponentKind::Firmware,
        name: "vendor-blob".into(),
        version: Some("2.1".into()),
        locations: vec![Location::new("firmware/manifest.txt", Some(3))],
        ..Component::default()
    };

    let root = Component {
        bom_ref: "pkg:generic/acme/shop@3.2.0".into(),
        kind: ComponentKind::Application,
        group: Some("acme".into()),
        name: "shop".into(),
        version: Some("3.2.0".into()),
        purl: Some(purl("pkg:generic/acme/shop@3.2.0")),
        licenses: vec!["LicenseRef-acme-proprietary".into()],
        supplier: Some(Party::named("ACME Corporation")),
        dependencies: BTreeSet::from([
            "pkg:cargo/serde@1.0.197".to_owned(),
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.77".to_owned(),
            "pkg:npm/lodash@4.17.21".to_owned(),
            "vendor-blob@2.1".to_owned(),
        ]),
        ..Component::default()
    };

    let mut inventory = Inventory::default();
    inventory.metadata.timestamp = Some("2024-05-01T09:30:00Z".into());
    inventory.metadata.serial_number = Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into());
    inventory.metadata.authors =
        vec![Party { name: "Hanako Yamada".into(), email: Some("hanako@example.jp".into()), url: None }];
    inventory.metadata.supplier =
        Some(Party { name: "ACME Corporation".into(), email: None, url: Some("https://acme.example".into()) });
    inventory.metadata.tools =
        vec![Tool { name: "cpsf".into(), version: Some("0.1.0".into()), vendor: Some("cpsf project".into()) }];
    inventory.metadata.component = Some(root);
    inventory.sources = vec!["Cargo.lock".into(), "service/pom.xml".into(), "web/package-lock.json".into()];
    inventory.skipped =
        vec![SkippedFile { path: "legacy/yarn.lock".into(), reason: "line 3: expected a version".into() }];
    inventory.extend_components([lodash, types_node, serde, serde_derive, bouncy, firmware]);
    inventory
}

fn formats() -> Vec<SbomFormat> {
    CycloneDxVersion::ALL.iter().flat_map(|v| [SbomFormat::CycloneDxJson(*v), SbomFormat::CycloneDxXml(*v)]).collect()
}

/// Write, read back, check the schema verdict and the reader's silence; the inventory read and the text.
fn write_and_read(inventory: &Inventory, format: SbomFormat) -> (Inventory, String, Vec<cpsf_model::Diagnostic>) {
    let (text, diagnostics) = cpsf_sbom::write(inventory, format).unwrap_or_else(|e| panic!("{format}: {e}"));
    assert!(text.ends_with('\n'), "{format}: no trailing newline");
    let read = cpsf_sbom::read(text.as_bytes(), "written").unwrap_or_else(|e| panic!("{format}: {e}\n{text}"));
    assert_eq!(read.format, format);
    let report = schema::validate(&read);
    assert!(report.valid, "{format}: written document is invalid: {:?}\n{text}", report.errors);
    assert!(read.inventory.diagnostics.is_empty(), "{format}: reader diagnostics {:?}", read.inventory.diagnostics);
    (read.inventory, text, diagnostics)
}

#[test]
fn rich_inventory_round_trips_in_every_version_and_encoding() {
    let original = rich_inventory();
    for format in formats() {
        let (first, text, diagnostics) = write_and_read(&original, format);
        assert_eq!(first, original, "{format}: the inventory read back differs\n{text}");
        let (second, text_again, _) = write_and_read(&first, format);
        assert_eq!(second, first, "{format}");
        assert_eq!(text_again, text, "{format}: write → read → write changed the document");

        let version = match format {
            SbomFormat::CycloneDxJson(v) | SbomFormat::CycloneDxXml(v) => v,
            _ => unreachable!(),
        };
        // Only 1.4 to 1.6 lose something: a licence expression beside other licences becomes a name (their XML
        // schemas allow an expression only alone, and one document tree serves both encodings).
        let losses: Vec<&str> = diagnostics.iter().map(|d| d.path.as_str()).collect();
        if version < CycloneDxVersion::V1_7 {
            assert_eq!(losses, ["pkg:cargo/serde@1.0.197"], "{format}: {diagnostics:?}");
            assert!(diagnostics.iter().all(|d| d.code == DiagnosticCode::ConversionLoss));
        } else {
            assert!(diagnostics.is_empty(), "{format}: {diagnostics:?}");
        }
    }
}

#[test]
fn json_documents_have_the_shape_of_their_version() {
    let inventory = rich_inventory();
    for version in CycloneDxVersion::ALL.iter().copied() {
        let (text, _) = cpsf_sbom::write(&inventory, SbomFormat::CycloneDxJson(version)).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["bomFormat"], "CycloneDX");
        assert_eq!(doc["specVersion"], version.as_str());
        assert_eq!(doc["serialNumber"], "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
        assert_eq!(doc["version"], 1);
        let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["bomFormat", "specVersion", "serialNumber", "version", "metadata", "components", "dependencies"]
        );
        let metadata = &doc["metadata"];
        assert_eq!(metadata["timestamp"], "2024-05-01T09:30:00Z");
        assert_eq!(metadata["component"]["bom-ref"], "pkg:generic/acme/shop@3.2.0");
        assert_eq!(metadata["component"]["licenses"][0]["expression"], "LicenseRef-acme-proprietary");
        assert_eq!(metadata["authors"][0]["email"], "hanako@example.jp");
        assert_eq!(metadata["supplier"]["url"][0], "https://acme.example");
        if version == CycloneDxVersion::V1_4 {
            assert_eq!(metadata["tools"][0]["vendor"], "cpsf project");
        } else {
            assert_eq!(metadata["tools"]["components"][0]["name"], "cpsf");
        }
        let property = |c: &serde_json::Value, name: &str| -> Vec<String> {
            c["properties"]
                .as_array()
                .map(|p| {
                    p.iter().filter(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap().to_owned()).collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(property(metadata, "cpsf:skipped"), ["legacy/yarn.lock: line 3: expected a version"]);
        let components = doc["components"].as_array().unwrap();
        let refs: Vec<&str> = components.iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
        let mut sorted = refs.clone();
        sorted.sort_unstable();
        assert_eq!(refs, sorted, "components are sorted by bom-ref");
        let lodash = components.iter().find(|c| c["name"] == "lodash").unwrap();
        assert_eq!(lodash["scope"], "required");
        assert_eq!(lodash["licenses"][0]["license"]["id"], "MIT");
        assert_eq!(lodash["externalReferences"][0]["type"], "distribution");
        assert_eq!(lodash["hashes"][1]["alg"], "SHA-512");
        assert_eq!(property(lodash, "cpsf:dependency"), ["direct"]);
        let types_node = components.iter().find(|c| c["name"] == "node").unwrap();
        assert_eq!(types_node["scope"], "excluded");
        assert_eq!(types_node["group"], "@types");
        assert_eq!(property(types_node, "cpsf:dependency"), ["transitive"]);
        let bouncy = components.iter().find(|c| c["name"] == "bcprov-jdk18on").unwrap();
        assert_eq!(bouncy["licenses"][0]["license"]["name"], "Bouncy Castle Licence");
        assert_eq!(bouncy["supplier"]["contact"][0]["email"], "feedback-crypto@bouncycastle.org");
        let derive = components.iter().find(|c| c["name"] == "serde_derive").unwrap();
        assert_eq!(derive["licenses"], serde_json::json!([{ "expression": "MIT OR Apache-2.0" }]));
        if version >= CycloneDxVersion::V1_6 {
            assert_eq!(bouncy["authors"][0]["name"], "The Legion of the Bouncy Castle");
            assert!(bouncy.get("author").is_none());
            assert_eq!(
                lodash["evidence"]["occurrences"][0],
                serde_json::json!({ "location": "web/package-lock.json", "line": 12 })
            );
            assert_eq!(lodash["evidence"]["occurrences"][1], serde_json::json!({ "location": "web/yarn.lock" }));
            assert!(property(lodash, "cpsf:location").is_empty());
        } else {
            assert_eq!(bouncy["author"], "The Legion of the Bouncy Castle");
            assert!(lodash.get("evidence").is_none());
            assert_eq!(property(lodash, "cpsf:location"), ["web/package-lock.json:12", "web/yarn.lock"]);
        }
        // Every component has a dependency entry; the product's entry lists the direct dependencies.
        let dependencies = doc["dependencies"].as_array().unwrap();
        assert_eq!(dependencies.len(), components.len() + 1);
        let root = dependencies.iter().find(|d| d["ref"] == "pkg:generic/acme/shop@3.2.0").unwrap();
        assert_eq!(root["dependsOn"].as_array().unwrap().len(), 4);
        let leaf = dependencies.iter().find(|d| d["ref"] == "vendor-blob@2.1").unwrap();
        // A leaf is declared with an empty `dependsOn`, as the specification asks.
        assert_eq!(leaf["dependsOn"], serde_json::json!([]));
    }
}

#[test]
fn xml_documents_use_the_version_namespace_and_attributes() {
    let inventory = rich_inventory();
    for version in CycloneDxVersion::ALL.iter().copied() {
        let (text, _) = cpsf_sbom::write(&inventory, SbomFormat::CycloneDxXml(version)).unwrap();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        assert!(
            text.contains(&format!(
                "<bom xmlns=\"http://cyclonedx.org/schema/bom/{}\" serialNumber=\"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\" version=\"1\">",
                version.as_str()
            )),
            "{text}"
        );
        assert!(text.contains("<component type=\"library\" bom-ref=\"pkg:npm/lodash@4.17.21\">"));
        assert!(text.contains("<hash alg=\"SHA-512\">"));
        assert!(text.contains("<property name=\"cpsf:dependency\">direct</property>"));
        assert!(text.contains("<reference type=\"distribution\">"));
        assert!(text.contains(
            "<dependency ref=\"pkg:npm/lodash@4.17.21\">\n      <dependency ref=\"pkg:npm/@types/node@20.11.5\"/>"
        ));
        // Element order of the XML schema: group before name before version before ... purl.
        let lodash = text.find("bom-ref=\"pkg:npm/lodash@4.17.21\"").unwrap();
        let section = &text[lodash..];
        let at = |needle: &str| section.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        assert!(at("<name>") < at("<version>"));
        assert!(at("<version>") < at("<scope>"));
        assert!(at("<scope>") < at("<hashes>"));
        assert!(at("<hashes>") < at("<licenses>"));
        assert!(at("<licenses>") < at("<purl>"));
        assert!(at("<purl>") < at("<externalReferences>"));
        assert!(at("<externalReferences>") < at("<properties>"));
    }
}

#[test]
fn what_a_version_cannot_carry_is_reported() {
    let mut inventory = rich_inventory();
    inventory.metadata.timestamp = Some("yesterday".into());
    inventory.metadata.serial_number = Some("https://spdx.org/spdxdocs/shop-1".into());
    inventory.metadata.authors[0].url = Some("https://hanako.example.jp".into());
    let mut odd = Component::from_purl(purl("pkg:npm/odd@1.0.0"));
    odd.download_location = Some("git+ssh://git@github.com:acme/odd.git".into());
    odd.dependencies = BTreeSet::from(["pkg:npm/missing@1.0.0".to_owned()]);
    inventory.extend_components([odd]);
    for format in formats() {
        let (text, diagnostics) = cpsf_sbom::write(&inventory, format).unwrap();
        let read = cpsf_sbom::read(text.as_bytes(), "written").unwrap();
        let report = schema::validate(&read);
        assert!(report.valid, "{format}: {:?}", report.errors);
        let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let said = |needle: &str| messages.iter().any(|m| m.contains(needle));
        assert!(said("timestamp `yesterday`"), "{format}: {messages:?}");
        assert!(said("serial number"), "{format}: {messages:?}");
        assert!(said("author URL"), "{format}: {messages:?}");
        assert!(said("git+ssh://git@github.com:acme/odd.git"), "{format}: {messages:?}");
        assert!(said("pkg:npm/missing@1.0.0"), "{format}: {messages:?}");
        assert!(diagnostics.iter().all(|d| d.code == DiagnosticCode::ConversionLoss));
        assert!(read.inventory.metadata.timestamp.is_none());
        assert!(read.inventory.component("pkg:npm/odd@1.0.0").unwrap().dependencies.is_empty());
    }
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let inventory = rich_inventory();
    let mut shuffled = inventory.clone();
    shuffled.components.reverse();
    for c in &mut shuffled.components {
        c.hashes.reverse();
        c.licenses.reverse();
        c.locations.reverse();
    }
    for format in formats() {
        let (a, _) = cpsf_sbom::write(&inventory, format).unwrap();
        let (b, _) = cpsf_sbom::write(&shuffled, format).unwrap();
        assert_eq!(a, b, "{format}");
    }
}

/// A generated inventory of `n` components in a chain-and-fan graph.
fn large_inventory(n: usize) -> Inventory {
    let mut inventory = Inventory::default();
    let mut components = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = Component::from_purl(purl(&format!("pkg:npm/package-{i}@1.{}.{}", i % 7, i % 13)))
            .at("package-lock.json", Some(u32::try_from(i).unwrap() * 10 + 1));
        c.direct = Some(i % 50 == 0);
        c.hashes = vec![Hash::hex(HashAlgorithm::Sha512, &format!("{:0128x}", i)).unwrap()];
        c.licenses = vec![if i % 3 == 0 { "MIT".into() } else { "ISC OR MIT".into() }];
        c.download_location = Some(format!("https://registry.npmjs.org/package-{i}/-/package-{i}-1.0.0.tgz"));
        for j in [i + 1, i * 2 + 1, i * 3 + 2] {
            if j < n {
                c.dependencies.insert(format!("pkg:npm/package-{j}@1.{}.{}", j % 7, j % 13));
            }
        }
        components.push(c);
    }
    inventory.extend_components(components);
    inventory.metadata.component = Some(Component {
        bom_ref: "app".into(),
        kind: ComponentKind::Application,
        name: "app".into(),
        ..Component::default()
    });
    inventory
}

#[test]
fn a_large_inventory_round_trips() {
    let inventory = large_inventory(3000);
    for format in [SbomFormat::CycloneDxJson(CycloneDxVersion::V1_6), SbomFormat::CycloneDxXml(CycloneDxVersion::V1_5)]
    {
        let started = std::time::Instant::now();
        let (text, diagnostics) = cpsf_sbom::write(&inventory, format).unwrap();
        let written = started.elapsed();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let started = std::time::Instant::now();
        let read = cpsf_sbom::read(text.as_bytes(), "large").unwrap();
        let read_in = started.elapsed();
        println!("{format}: 3000 components written in {written:?} ({} bytes), read in {read_in:?}", text.len());
        assert_eq!(read.inventory.components.len(), 3000);
        let root = read.inventory.metadata.component.as_ref().unwrap();
        assert_eq!(root.dependencies.len(), 60);
        let edges: usize = read.inventory.components.iter().map(|c| c.dependencies.len()).sum();
        let expected: usize = inventory.components.iter().map(|c| c.dependencies.len()).sum();
        assert_eq!(edges, expected);
        assert_eq!(read.facts.relationship_count, expected + 60);
        assert_eq!(read.inventory.components, inventory.components);
    }
}

#[test]
fn unknown_dependencies_stay_out_of_the_graph_and_come_back_unknown() {
    let mut inventory = cpsf_model::Inventory::default();
    let mut leaf = cpsf_model::Component::from_purl("pkg:cargo/itoa@1.0.15".parse().unwrap());
    leaf.dependencies_unknown = false;
    let mut unknown = cpsf_model::Component::from_purl("pkg:golang/github.com/sirupsen/logrus@v1.9.3".parse().unwrap());
    unknown.dependencies_unknown = true;
    inventory.extend_components([leaf, unknown]);
    for version in CycloneDxVersion::ALL.iter().copied() {
        for format in [SbomFormat::CycloneDxJson(version), SbomFormat::CycloneDxXml(version)] {
            let (text, _) = cpsf_sbom::write(&inventory, format).unwrap();
            assert!(
                !text.contains("dependency ref=\"pkg:golang") && !text.contains("\"ref\": \"pkg:golang"),
                "{format}: {text}"
            );
            let back = cpsf_sbom::read(text.as_bytes(), "test").unwrap().inventory;
            let go = back.component("pkg:golang/github.com/sirupsen/logrus@v1.9.3").unwrap();
            let itoa = back.component("pkg:cargo/itoa@1.0.15").unwrap();
            assert!(go.dependencies_unknown && !itoa.dependencies_unknown, "{format}");
        }
    }
}
