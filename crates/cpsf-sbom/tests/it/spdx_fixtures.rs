//! Hand-made SPDX documents (`tests/data/spdx/`): a third-party-style tag-value SBOM, and malformed input.
//! A broken document is an error naming the line (tag-value, YAML) and what was expected; a bad entry is a
//! diagnostic and the rest is kept.

use crate::spdx_support;

use cpsf_model::{DiagnosticCode, Scope};
use cpsf_sbom::{ReadSbom, SbomError, SbomFormat, SpdxVersion, read, schema};
use spdx_support::fixture;

fn read_fixture(name: &str) -> Result<ReadSbom, SbomError> {
    let bytes = std::fs::read(fixture(name)).unwrap();
    read(&bytes, name)
}

fn error(name: &str) -> (Option<u32>, String) {
    match read_fixture(name) {
        Err(SbomError::Malformed { line, message }) => (line, message),
        Err(other) => panic!("{name}: expected Malformed, got {other:?}"),
        Ok(r) => panic!("{name}: expected an error, read {} components", r.inventory.components.len()),
    }
}

#[test]
fn a_third_party_tag_value_sbom() {
    let read = read_fixture("go-service.spdx").unwrap();
    assert_eq!(read.format, SbomFormat::SpdxTagValue(SpdxVersion::V2_3));
    assert!(schema::validate(&read).valid, "{:?}", schema::validate(&read).errors);
    assert!(read.inventory.diagnostics.is_empty(), "{:?}", read.inventory.diagnostics);
    let inventory = &read.inventory;
    let product = inventory.metadata.component.as_ref().unwrap();
    assert_eq!((product.name.as_str(), product.version.as_deref()), ("billing-service", Some("1.8.2")));
    assert_eq!(inventory.metadata.supplier.as_ref().unwrap().name, "Example Payments Ltd");
    assert_eq!(inventory.metadata.authors[0].email.as_deref(), Some("sbom@payments.example.com"));
    assert_eq!(inventory.metadata.tools[0].name, "syft");
    assert_eq!(inventory.metadata.tools[0].version.as_deref(), Some("0.105.1"));

    let uuid = inventory.component("pkg:golang/github.com/google/uuid@v1.6.0").unwrap();
    assert_eq!(uuid.direct, Some(true));
    assert_eq!(uuid.licenses, ["BSD-3-Clause"]);
    assert_eq!(uuid.hashes.len(), 1);
    assert!(uuid.dependencies.contains("pkg:golang/golang.org/x/text@v0.14.0"), "DEPENDENCY_OF, reversed");
    let text = inventory.component("pkg:golang/golang.org/x/text@v0.14.0").unwrap();
    assert_eq!(text.direct, Some(false));
    assert!(text.locations.is_empty(), "a free-text comment is not read as locations");
    let testify = inventory.component("pkg:golang/github.com/stretchr/testify@v1.9.0").unwrap();
    assert_eq!((testify.scope, testify.direct, &testify.supplier), (Some(Scope::Dev), Some(true), &None));
    assert!(product.dependencies.contains(&testify.bom_ref));
    assert_eq!(read.facts.relationship_count, 3);

    let shape = read.json.as_ref().unwrap();
    assert_eq!(shape["packages"][2]["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
    assert_eq!(
        shape["packages"][2]["externalRefs"][0]["comment"],
        "The category is written with an underscore, as SPDX 2.2 tools did."
    );
    assert_eq!(
        shape["packages"][2]["comment"],
        "Pulled in by github.com/google/uuid's tests\nand by the service's i18n package."
    );
    assert_eq!(shape["relationships"][2]["comment"], "Stated from the dependency's side.");
}

#[test]
fn tag_value_errors_name_the_line() {
    let (line, message) = error("bad-line.spdx");
    assert_eq!(line, Some(21));
    assert_eq!(message, "expected `Tag: value`, found `this line has no tag`");

    let (line, message) = error("bad-relationship.spdx");
    assert_eq!(line, Some(20));
    assert!(message.contains("expected `Relationship: SPDXRef-A RELATIONSHIP_TYPE SPDXRef-B`"), "{message}");

    let (line, message) = error("unclosed-text.spdx");
    assert_eq!(line, Some(20));
    assert_eq!(message, "`PackageDescription`: `<text>` is never closed by `</text>`");

    let (line, message) = error("bad-checksum.spdx");
    assert_eq!(line, Some(25));
    assert!(message.contains("expected `PackageChecksum: ALGORITHM: hex-digest`"), "{message}");

    let (line, message) = error("tag-outside-package.spdx");
    assert_eq!(line, Some(8));
    assert!(message.starts_with("`PackageVersion` belongs to a package"), "{message}");

    let err = read_fixture("bad-line.spdx").unwrap_err().to_string();
    assert!(err.starts_with("line 21: "), "{err}");
}

#[test]
fn an_unknown_tag_is_a_diagnostic_and_the_rest_is_kept() {
    let read = read_fixture("misspelt-tag.spdx").unwrap();
    let d = &read.inventory.diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].code, d[0].line), (DiagnosticCode::SbomMalformed, Some(22)));
    assert!(d[0].message.contains("unknown tag `PackageVersoin`"));
    assert_eq!(read.inventory.components.len(), 1);
    assert_eq!(read.inventory.components[0].version, None, "the misspelt version is not guessed");
}

#[test]
fn bad_json_entries_are_diagnostics_and_the_rest_is_kept() {
    let read = read_fixture("bad-entries.spdx.json").unwrap();
    let messages: Vec<String> =
        read.inventory.diagnostics.iter().map(|d| format!("{} {}", d.path, d.message)).collect();
    let expect = [
        "/packages/1/checksums/0 package `SPDXRef-react`: `not-a-digest` is not a SHA512 digest; it was ignored",
        "/packages/2 package `SPDXRef-nameless` has no name; it was skipped",
        "/packages/3/externalRefs/0 package `SPDXRef-loose-envify`: purl `npm:loose-envify@1.4.0` is not valid",
        "/relationships/3 a relationship needs `spdxElementId`, `relationshipType` and `relatedSpdxElement`",
    ];
    for e in expect {
        assert!(messages.iter().any(|m| m.starts_with(e)), "missing `{e}` in {messages:#?}");
    }
    assert_eq!(messages.len(), expect.len(), "{messages:#?}");
    let inventory = &read.inventory;
    assert_eq!(inventory.components.len(), 2, "react and loose-envify");
    let react = inventory.component("pkg:npm/react@18.2.0").unwrap();
    assert_eq!(react.hashes.len(), 1);
    assert_eq!(react.supplier.as_ref().unwrap().name, "Meta Platforms, Inc.");
    assert!(react.dependencies.contains("SPDXRef-loose-envify"), "a package without a purl keeps its SPDXID");
    assert_eq!(react.dependencies.len(), 1, "the edge to an element not in the document is not kept");
}

#[test]
fn unsupported_versions_and_broken_syntax_are_errors() {
    let err = read_fixture("wrong-version.spdx.json").unwrap_err().to_string();
    assert_eq!(err, "`spdxVersion` is `SPDX-1.2`, expected `SPDX-2.0` to `SPDX-2.3`");
    let (line, message) = error("broken.spdx.yaml");
    assert_eq!(line, Some(7), "{message}");
    assert!(message.starts_with("invalid SPDX YAML"), "{message}");
    let (line, message) = error("spdx3-no-document.json");
    assert_eq!((line, message.as_str()), (None, "the SPDX 3 `@graph` has no `SpdxDocument` element"));
}

#[test]
fn bad_spdx_3_entries_are_diagnostics_and_the_rest_is_kept() {
    let read = read_fixture("spdx3-bad-entries.json").unwrap();
    let messages: Vec<String> =
        read.inventory.diagnostics.iter().map(|d| format!("{} [{}]", d.message, d.code)).collect();
    for e in [
        "`short` is not a sha256 digest; it was ignored [sbom-malformed]",
        "crystalsKyber hashes are not kept [conversion-loss]",
        "a package without a name was skipped [sbom-malformed]",
        "a relationship without `from` was skipped [sbom-malformed]",
    ] {
        assert!(messages.iter().any(|m| m == e), "missing `{e}` in {messages:#?}");
    }
    let product = read.inventory.metadata.component.as_ref().unwrap();
    assert_eq!(product.name, "storefront");
    assert!(product.dependencies.contains("pkg:npm/react@18.2.0"));
    assert_eq!(read.inventory.components.len(), 1);
}

/// Truncated and byte-flipped documents never make a reader panic.
#[test]
fn damaged_documents_do_not_panic() {
    let inventory = spdx_support::sample_inventory();
    let mut documents: Vec<String> = [
        SbomFormat::SpdxJson(SpdxVersion::V2_3),
        SbomFormat::SpdxYaml(SpdxVersion::V2_3),
        SbomFormat::SpdxTagValue(SpdxVersion::V2_3),
        SbomFormat::Spdx3JsonLd,
    ]
    .iter()
    .map(|f| cpsf_sbom::write(&inventory, *f).unwrap().0)
    .collect();
    documents.push(std::fs::read_to_string(fixture("go-service.spdx")).unwrap());
    for doc in &documents {
        let bytes = doc.as_bytes();
        for cut in (0..bytes.len()).step_by(97) {
            let _ = read(&bytes[..cut], "truncated");
        }
        let mut flipped = bytes.to_vec();
        for i in (13..flipped.len()).step_by(211) {
            flipped[i] = match flipped[i] {
                b'"' => b':',
                b':' => b'\n',
                b'\n' => b'"',
                b'[' => b'{',
                _ => b'<',
            };
            let _ = read(&flipped, "flipped");
        }
    }
}
