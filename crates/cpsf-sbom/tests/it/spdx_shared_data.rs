//! Every SPDX document of the shared test data: SPDX 2.2/2.3 (JSON, YAML, tag-value) and SPDX 3.0 JSON-LD are
//! read, and the SPDX 2 ones (as read, or converted to the JSON shape) validate against the SPDX 2.3 schema;
//! RDF/XML and XML are refused with a clear `UnknownFormat` error. The same document in different syntaxes
//! or SPDX versions reads to the same inventory.

use crate::spdx_support;

use std::path::{Path, PathBuf};

use cpsf_model::{DiagnosticCode, Inventory};
use cpsf_sbom::{ReadSbom, SbomError, SbomFormat, read, schema};
use spdx_support::{facts, files_under, shared_data};

fn read_file(path: &Path) -> Result<ReadSbom, SbomError> {
    let bytes = std::fs::read(path).unwrap();
    read(&bytes, &path.display().to_string())
}

fn spdx_files(root: &Path) -> Vec<PathBuf> {
    let mut files = files_under(&root.join("spdx/spdx-examples"));
    files.extend(files_under(&root.join("spdx/examples-2.3")));
    files.retain(|p| p.extension().is_none_or(|e| e != "md"));
    files
}

#[test]
fn every_spdx_document_is_read() {
    let Some(root) = shared_data() else { return };
    let (mut spdx2, mut spdx3, mut xml) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in spdx_files(&root) {
        let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        if path.extension().is_some_and(|e| e == "xml") {
            match read_file(&path) {
                Err(SbomError::UnknownFormat(message)) if message.contains("SPDX RDF/XML is not read") => xml += 1,
                other => failures.push(format!("{name}: expected UnknownFormat, got {:?}", other.map(|r| r.format))),
            }
            continue;
        }
        let read = match read_file(&path) {
            Ok(read) => read,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let malformed: Vec<String> = read
            .inventory
            .diagnostics
            .iter()
            .filter(|d| d.code == DiagnosticCode::SbomMalformed)
            .map(|d| d.to_string())
            .collect();
        if !malformed.is_empty() {
            failures.push(format!("{name}: {malformed:?}"));
        }
        if read.facts.describes.is_empty() || read.facts.spec_version.is_empty() {
            failures.push(format!("{name}: no describes / spec version: {:?}", read.facts));
        }
        if read.inventory.metadata.timestamp.is_none() {
            failures.push(format!("{name}: no timestamp"));
        }
        match read.format {
            SbomFormat::Spdx3JsonLd => spdx3 += 1,
            SbomFormat::SpdxJson(_) | SbomFormat::SpdxYaml(_) | SbomFormat::SpdxTagValue(_) => {
                spdx2 += 1;
                let report = schema::validate(&read);
                if !report.valid {
                    failures.push(format!("{name}: {:?}", report.errors.iter().take(3).collect::<Vec<_>>()));
                }
            }
            other => failures.push(format!("{name}: read as {other}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The documents of the pinned spdx-spec and spdx-examples commits.
    assert_eq!((spdx2, spdx3, xml), (33, 26, 2));
}

fn read_shared(root: &Path, path: &str) -> ReadSbom {
    read_file(&root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn component<'a>(inventory: &'a Inventory, name: &str) -> &'a cpsf_model::Component {
    inventory.components.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no component {name}"))
}

#[test]
fn the_specification_example_reads_the_same_in_json_yaml_and_tag_value() {
    let Some(root) = shared_data() else { return };
    let json = read_shared(&root, "spdx/examples-2.3/SPDXJSONExample-v2.3.spdx.json");
    let yaml = read_shared(&root, "spdx/examples-2.3/SPDXYAMLExample-2.3.spdx.yaml");
    let tv = read_shared(&root, "spdx/examples-2.3/SPDXTagExample-v2.3.spdx");
    assert_eq!(facts(&json.inventory), facts(&yaml.inventory));
    assert_eq!(facts(&json.inventory), facts(&tv.inventory));
    for other in [&yaml, &tv] {
        assert_eq!(json.facts.describes, other.facts.describes);
        assert_eq!(json.facts.unrelated, other.facts.unrelated);
        assert_eq!(json.facts.relationship_count, other.facts.relationship_count);
    }

    let inventory = &tv.inventory;
    let glibc = inventory.metadata.component.as_ref().unwrap();
    assert_eq!((glibc.name.as_str(), glibc.version.as_deref()), ("glibc", Some("2.11.1")));
    assert_eq!(glibc.supplier.as_ref().unwrap().email.as_deref(), Some("jane.doe@example.com"));
    assert_eq!(glibc.author.as_deref(), Some("ExampleCodeInspect (contact@example.com)"));
    assert_eq!(glibc.licenses, ["(LGPL-2.0-only AND LicenseRef-3)"]);
    assert_eq!(glibc.hashes.len(), 3, "MD5, SHA1, SHA256; BLAKE2b-384 is not kept");
    assert!(glibc.dependencies.contains("SPDXRef-Saxon"), "DYNAMIC_LINK is a dependency");
    let saxon = component(inventory, "Saxon");
    assert_eq!((saxon.licenses.as_slice(), saxon.direct), (&["MPL-1.0".to_owned()][..], Some(true)));
    let jena = component(inventory, "apache-jena");
    assert_eq!(jena.bom_ref, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
    assert_eq!(jena.group.as_deref(), Some("org.apache.jena"));
    assert_eq!(inventory.metadata.tools[0].name, "LicenseFind");
    assert_eq!(inventory.metadata.authors.len(), 2);
    assert_eq!(tv.facts.describes, ["SPDXRef-File", "SPDXRef-Package"]);
    assert_eq!(tv.facts.unrelated, ["SPDXRef-fromDoap-1"]);
    // DYNAMIC_LINK, the JenaLib file CONTAINS the package, and the package contains four files.
    assert_eq!(tv.facts.relationship_count, 6);
    assert!(
        tv.inventory.diagnostics.iter().any(|d| d.code == DiagnosticCode::ConversionLoss
            && d.line == Some(71)
            && d.message.contains("BLAKE2b-384")),
        "{:?}",
        tv.inventory.diagnostics
    );

    // The converted JSON shape carries the whole document, not only what the inventory keeps.
    let shape = tv.json.as_ref().unwrap();
    assert_eq!(shape["snippets"][0]["ranges"][0]["startPointer"]["offset"], 310);
    assert_eq!(shape["snippets"][0]["ranges"][0]["startPointer"]["reference"], "SPDXRef-DoapSource");
    assert_eq!(shape["packages"][0]["annotations"][0]["comment"], "Package level annotation");
    assert_eq!(shape["annotations"].as_array().unwrap().len(), 3);
    assert_eq!(shape["hasExtractedLicensingInfos"][4]["seeAlsos"].as_array().unwrap().len(), 2);
    assert_eq!(shape["externalDocumentRefs"][0]["checksum"]["algorithm"], "SHA1");
    assert_eq!(
        shape["packages"][0]["packageVerificationCode"]["packageVerificationCodeExcludedFiles"][0],
        "./package.spdx"
    );
}

#[test]
fn spdx_2_2_and_3_0_of_the_same_project_agree() {
    let Some(root) = shared_data() else { return };
    let v2 = read_shared(&root, "spdx/spdx-examples/software/example9/spdx2.2/appbomination.spdx.json");
    let v3 = read_shared(&root, "spdx/spdx-examples/software/example9/spdx3.0/appbomination.spdx3.json");
    // Components with a purl have the same identity in both; the others are named by their SPDX ids.
    let purl_facts = |i: &Inventory| -> Vec<String> {
        i.components
            .iter()
            .filter(|c| c.purl.is_some())
            .map(|c| {
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?}",
                    c.bom_ref, c.version, c.licenses, c.direct, c.scope, c.dependencies
                )
            })
            .collect()
    };
    assert_eq!(purl_facts(&v2.inventory), purl_facts(&v3.inventory));
    assert_eq!(purl_facts(&v3.inventory).len(), 4);
    let junit = component(&v3.inventory, "junit");
    assert_eq!(junit.scope, Some(cpsf_model::Scope::Dev), "a test dependency of the product");
    assert!(junit.dependencies.contains("pkg:maven/org.hamcrest/hamcrest-core@1.3"));
    let (r2, r3) = (v2.inventory.metadata.component.unwrap(), v3.inventory.metadata.component.unwrap());
    assert_eq!(
        (&r2.name, &r2.version, &r2.supplier, &r2.dependencies),
        (&r3.name, &r3.version, &r3.supplier, &r3.dependencies)
    );
    assert_eq!(v2.inventory.metadata.authors, v3.inventory.metadata.authors);
    assert_eq!(v2.inventory.metadata.timestamp, v3.inventory.metadata.timestamp);
    assert_eq!(v3.facts.spec_version, "3.0.1");
}

#[test]
fn spdx_3_agents_purposes_and_graph() {
    let Some(root) = shared_data() else { return };
    let read = read_shared(&root, "spdx/spdx-examples/software/example13/spdx3.0/example13.spdx3.json");
    let inventory = &read.inventory;
    let product = inventory.metadata.component.as_ref().unwrap();
    assert_eq!((product.name.as_str(), product.version.as_deref()), ("Acme Application", Some("1.3")));
    assert_eq!(inventory.metadata.supplier.as_ref().unwrap().name, "Acme Company");
    assert_eq!(inventory.metadata.authors[0].email.as_deref(), Some("jane-doe-1@acme.com"));
    assert_eq!(product.dependencies.len(), 2, "contains elliptic, dependsOn alpine");
    let alpine = component(inventory, "alpine:latest");
    assert_eq!(alpine.kind, cpsf_model::ComponentKind::Container);
    assert_eq!(alpine.supplier.as_ref().unwrap().name, "Alpine Linux");
    assert_eq!(alpine.dependencies.len(), 1);
    assert_eq!(component(inventory, "openssl").direct, Some(false));
    assert_eq!(component(inventory, "npm-elliptic").supplier.as_ref().unwrap().name, "Fedor Indutny");
    assert_eq!(read.facts.describes, ["urn:product-acme-application-1.3-4fe40e24-20e3-11ee-be56-0242ac120002"]);

    let golang = read_shared(&root, "spdx/spdx-examples/software/example7/spdx3.0/example7-golang.spdx3.json");
    let go = golang.inventory.metadata.component.as_ref().unwrap();
    assert_eq!(go.hashes[0].value, "7154e88f5a8047aad4b80ebace58a059e36e7e2e4eb3b383127a28c711b4ff59");
    assert_eq!(go.author.as_deref(), Some("golang.org"));
    assert_eq!(go.download_location.as_deref(), Some("https://golang.org/dl/go1.16.4.linux-amd64.tar.gz"));
}

#[test]
fn spdx_xml_is_refused_clearly() {
    let Some(root) = shared_data() else { return };
    for path in ["spdx/examples-2.3/SPDXRdfExample-v2.3.spdx.rdf.xml", "spdx/examples-2.3/SPDXXMLExample-v2.3.spdx.xml"]
    {
        let err = read_file(&root.join(path)).unwrap_err();
        assert!(matches!(err, SbomError::UnknownFormat(_)), "{path}: {err:?}");
        assert!(err.to_string().contains("SPDX RDF/XML is not read"), "{err}");
    }
}
