//! CycloneDX readers on documents cpsf did not write: fixtures under `tests/data/cyclonedx/` (a BOM from
//! other tools, legacy tools in XML, malformed files), and a sweep of damaged spec test BOMs that must never
//! make a reader panic.

use std::path::{Path, PathBuf};

use cpsf_model::{ComponentKind, DiagnosticCode, HashAlgorithm, Location, Scope};
use cpsf_sbom::{CycloneDxVersion, SbomError, SbomFormat, schema};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cyclonedx").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_bom_from_other_tools_is_read_into_the_inventory() {
    let read = cpsf_sbom::read(&fixture("foreign-1.6.json"), "foreign-1.6.json").unwrap();
    assert_eq!(read.format, SbomFormat::CycloneDxJson(CycloneDxVersion::V1_6));
    assert_eq!(read.facts.spec_version, "1.6");
    assert_eq!(read.facts.relationship_count, 4);
    let inv = &read.inventory;
    assert_eq!(inv.metadata.serial_number.as_deref(), Some("urn:uuid:0b7a7a34-8d1c-4c4e-9d61-2f0e1f5a2c11"));
    assert_eq!(inv.metadata.timestamp.as_deref(), Some("2025-02-14T08:15:00Z"));
    assert_eq!(inv.metadata.authors[0].email.as_deref(), Some("taro@example.jp"));
    let supplier = inv.metadata.supplier.as_ref().unwrap();
    assert_eq!(
        (supplier.url.as_deref(), supplier.email.as_deref()),
        (Some("https://example.jp"), Some("sales@example.jp"))
    );
    let tools: Vec<(&str, Option<&str>)> =
        inv.metadata.tools.iter().map(|t| (t.name.as_str(), t.vendor.as_deref())).collect();
    assert_eq!(
        tools,
        [
            ("cyclonedx-npm", Some("@cyclonedx")),
            ("syft", Some("Anchore, Inc.")),
            ("scan-service", Some("Acme Scanning"))
        ]
    );
    assert_eq!(inv.sources, ["package-lock.json"]);

    let root = inv.metadata.component.as_ref().unwrap();
    assert_eq!((root.bom_ref.as_str(), root.kind), ("web-frontend", ComponentKind::Application));
    assert_eq!(root.dependencies.iter().collect::<Vec<_>>(), ["pkg:npm/express@4.19.2"]);

    // Nested components are flattened; missing bom-refs are generated (purl, else name@version), unique.
    let refs: Vec<&str> = inv.components.iter().map(|c| c.bom_ref.as_str()).collect();
    assert_eq!(
        refs,
        [
            "frontend-utils@2.4.0",
            "left-pad",
            "node-runtime",
            "pkg:npm/accepts@1.3.8",
            "pkg:npm/express-internal@4.19.2",
            "pkg:npm/express-internal@4.19.2#2",
            "pkg:npm/express@4.19.2",
        ]
    );

    let express = inv.component("pkg:npm/express@4.19.2").unwrap();
    assert_eq!(express.supplier.as_ref().map(|s| s.name.as_str()), Some("OpenJS Foundation"));
    assert_eq!(express.author.as_deref(), Some("TJ Holowaychuk"));
    assert_eq!(express.scope, Some(Scope::Required));
    assert_eq!(express.direct, Some(true));
    assert_eq!(express.licenses, ["MIT"], "the concluded licence is not a declared one");
    assert_eq!(express.hashes.len(), 1);
    assert_eq!(express.hashes[0].algorithm, HashAlgorithm::Sha512);
    assert_eq!(express.download_location.as_deref(), Some("https://registry.npmjs.org/express/-/express-4.19.2.tgz"));
    assert_eq!(express.locations, [Location::new("node_modules/express/package.json", Some(1))]);
    // The edge to the service and the one to nowhere are not component edges.
    assert_eq!(express.dependencies.iter().collect::<Vec<_>>(), ["pkg:npm/accepts@1.3.8"]);

    let accepts = inv.component("pkg:npm/accepts@1.3.8").unwrap();
    assert_eq!(accepts.author.as_deref(), Some("Douglas Christopher Wilson, Jonathan Ong"));
    assert_eq!((accepts.scope, accepts.direct), (Some(Scope::Dev), Some(false)));
    assert_eq!(accepts.licenses, ["MIT OR ISC"]);
    assert_eq!(accepts.locations, [Location::new("package-lock.json", Some(88))]);

    let node = inv.component("node-runtime").unwrap();
    assert_eq!(node.kind, ComponentKind::Library);
    assert!(node.purl.is_none());
    assert_eq!(inv.component("left-pad").unwrap().scope, Some(Scope::Optional));

    let notes: Vec<String> = inv.diagnostics.iter().map(ToString::to_string).collect();
    let said = |needle: &str| notes.iter().any(|n| n.contains(needle));
    assert!(said("SHA3-384"), "{notes:?}");
    assert!(said("concluded licence"), "{notes:?}");
    assert!(said("type `platform`"), "{notes:?}");
    assert!(said("purl `not a purl`"), "{notes:?}");
    assert!(said("1 service(s)"), "{notes:?}");
    assert!(said("2 dependency edge(s)"), "{notes:?}");
    assert!(inv.diagnostics.iter().all(|d| d.code == DiagnosticCode::ConversionLoss));

    // The document itself is not valid (an unknown field, a dangling edge), which validation says.
    let report = schema::validate(&read);
    assert!(!report.valid);
    let pointers: Vec<&str> = report.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert!(pointers.contains(&"/components/3"), "{pointers:?}");
    assert!(pointers.contains(&"/dependencies/1/dependsOn/2"), "{pointers:?}");
}

#[test]
fn legacy_tools_in_xml_and_extensions_are_handled() {
    let read = cpsf_sbom::read(&fixture("legacy-tools-1.4.xml"), "legacy-tools-1.4.xml").unwrap();
    assert_eq!(read.format, SbomFormat::CycloneDxXml(CycloneDxVersion::V1_4));
    let report = schema::validate(&read);
    assert!(report.valid, "{:?}", report.errors);
    let json = read.json.as_ref().unwrap();
    assert_eq!(json["metadata"]["tools"][0]["vendor"], "CycloneDX");
    assert!(json["components"][0].get("buildInfo").is_none(), "extension elements are dropped");
    assert_eq!(json["components"][0]["description"], "Apache Commons Lang, a package of Java utility classes.");
    let inv = &read.inventory;
    assert_eq!(inv.metadata.tools[0].vendor.as_deref(), Some("CycloneDX"));
    let lang = inv.component("pkg:maven/org.apache.commons/commons-lang3@3.14.0").unwrap();
    assert_eq!(lang.group.as_deref(), Some("org.apache.commons"));
    assert_eq!(lang.licenses, ["Apache-2.0"]);
    assert_eq!(lang.hashes[0].value, "1ed471194b02f2c6cb734a0cd6f6f107c673afae");
    assert!(lang.download_location.as_deref().is_some_and(|u| u.ends_with("commons-lang3-3.14.0.jar")));
    let root = inv.metadata.component.as_ref().unwrap();
    assert_eq!(root.dependencies.len(), 1);
    assert_eq!(read.facts.relationship_count, 1);
}

fn expect_malformed(name: &str, line: Option<u32>, needle: &str) {
    match cpsf_sbom::read(&fixture(&format!("malformed/{name}")), name) {
        Err(SbomError::Malformed { line: got, message }) => {
            assert_eq!(got, line, "{name}: {message}");
            assert!(message.contains(needle), "{name}: {message}");
        }
        other => panic!("{name}: expected a malformed-document error, got {other:?}"),
    }
}

#[test]
fn malformed_documents_are_errors_with_a_line() {
    expect_malformed("missing-comma.json", Some(7), "invalid JSON");
    expect_malformed("truncated.json", Some(5), "invalid JSON");
    expect_malformed("no-spec-version.json", None, "specVersion");
    expect_malformed("mismatched-tag.xml", Some(6), "not well-formed XML");
    expect_malformed("undeclared-entity.xml", Some(5), "undeclared entity `&copy;`");
    expect_malformed("root-not-bom.xml", Some(3), "expected the root element `<bom>`");
    for name in ["spec-1.2.json", "unknown-version.xml"] {
        match cpsf_sbom::read(&fixture(&format!("malformed/{name}")), name) {
            Err(SbomError::Unsupported(message)) => assert!(message.contains("1.4"), "{name}: {message}"),
            other => panic!("{name}: expected an unsupported-version error, got {other:?}"),
        }
    }
}

fn data_root() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.join("cyclonedx-spec/test-resources").is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA/cyclonedx-spec not found");
        None
    }
}

/// Replace every value at depth `depth` (objects and arrays) by each of a few values of the wrong type.
fn damaged(value: &Value, depth: usize) -> Vec<Value> {
    let wrong = [Value::Null, Value::from(42), Value::from("x"), Value::Array(vec![]), serde_json::json!({ "k": [1] })];
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for key in map.keys() {
                if depth == 0 {
                    for w in &wrong {
                        let mut copy = value.clone();
                        copy[key.as_str()] = w.clone();
                        out.push(copy);
                    }
                } else {
                    for inner in damaged(&map[key], depth - 1) {
                        let mut copy = value.clone();
                        copy[key.as_str()] = inner;
                        out.push(copy);
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().take(2) {
                for inner in damaged(item, depth.saturating_sub(1)) {
                    let mut copy = value.clone();
                    copy[i] = inner;
                    out.push(copy);
                }
            }
        }
        _ => {}
    }
    out
}

#[test]
fn damaged_spec_boms_never_make_the_readers_panic() {
    let Some(root) = data_root() else { return };
    let mut documents = 0;
    for version in ["1.4", "1.6", "1.7"] {
        let dir = root.join("cyclonedx-spec/test-resources").join(version);
        for name in [format!("valid-bom-{version}.json"), format!("valid-dependency-{version}.json")] {
            let value: Value = serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
            for depth in 0..4 {
                for doc in damaged(&value, depth) {
                    documents += 1;
                    // Errors are fine; panics are not. Readable documents validate without panicking too.
                    if let Ok(read) = cpsf_sbom::read(doc.to_string().as_bytes(), &name) {
                        let _ = schema::validate(&read);
                    }
                }
            }
        }
        for name in [format!("valid-bom-{version}.xml"), format!("valid-vulnerability-{version}.xml")] {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            for cut in (0..text.len()).step_by(97) {
                documents += 1;
                assert!(cpsf_sbom::read(&text.as_bytes()[..cut], &name).is_err(), "{name} cut at {cut} read");
            }
            // Elements swapped for others of the namespace: readable or not, but no panic.
            for (from, to) in [("<component ", "<hashes "), ("</component>", "</hashes>"), ("<name>", "<licenses>")] {
                let first = text.replacen(from, to, 1);
                let to_end = to.replace('<', "</").replace(' ', ">");
                let from_end = from.replace('<', "</").replace(' ', ">");
                let doc = first.replacen(&from_end, &to_end, 1);
                documents += 1;
                if let Ok(read) = cpsf_sbom::read(doc.as_bytes(), &name) {
                    let _ = schema::validate(&read);
                }
            }
        }
    }
    println!("{documents} damaged documents read without a panic");
    assert!(documents > 1000);
}
