//! Quality profiles: NTIA (as ntia-conformance-checker 6.0 decides), METI and BSI, on documents built in code.

use cpsf_model::{Component, Hash, HashAlgorithm, Inventory, Party, Tool};
use cpsf_sbom::format::DocumentFacts;
use cpsf_sbom::quality::{self, ElementId as E, Profile, Requirement, Status};
use cpsf_sbom::schema::{SchemaError, SchemaReport};
use cpsf_sbom::{CycloneDxVersion, ReadSbom, SbomFormat, SpdxVersion};

const SPDX: SbomFormat = SbomFormat::SpdxJson(SpdxVersion::V2_3);
const CDX: SbomFormat = SbomFormat::CycloneDxJson(CycloneDxVersion::V1_6);

fn pkg(purl: &str) -> Component {
    Component::from_purl(purl.parse().expect("test purl"))
}

fn supplied(mut c: Component, name: &str) -> Component {
    c.supplier = Some(Party::named(name));
    c
}

fn depends(mut c: Component, on: &[&str]) -> Component {
    c.dependencies.extend(on.iter().map(|s| s.to_string()));
    c
}

const ROOT: &str = "SPDXRef-app";
const SERDE: &str = "pkg:cargo/serde@1.0.210";
const TOKIO: &str = "pkg:cargo/tokio@1.40.0";
const BYTES: &str = "pkg:cargo/bytes@1.7.2";

/// An SPDX 2.3 document that NTIA-conforms: app DESCRIBES, app → serde, tokio; tokio → bytes.
fn baseline() -> ReadSbom {
    let mut inv = Inventory::default();
    inv.metadata.timestamp = Some("2024-10-01T12:00:00Z".into());
    inv.metadata.tools.push(Tool { name: "cpsf".into(), version: Some("0.1.0".into()), vendor: None });
    let root = Component {
        bom_ref: ROOT.into(),
        name: "app".into(),
        version: Some("0.3.0".into()),
        supplier: Some(Party::named("Acme Corp")),
        ..Component::default()
    };
    inv.metadata.component = Some(depends(root, &[SERDE, TOKIO]));
    inv.extend_components([
        supplied(pkg(SERDE), "David Tolnay"),
        depends(supplied(pkg(TOKIO), "Tokio Contributors"), &[BYTES]),
        supplied(pkg(BYTES), "Tokio Contributors"),
    ]);
    ReadSbom {
        format: SPDX,
        inventory: inv,
        json: None,
        facts: DocumentFacts {
            relationship_count: 4,
            describes: vec![ROOT.into()],
            unrelated: vec![],
            spec_version: "SPDX-2.3".into(),
        },
    }
}

fn component<'a>(read: &'a mut ReadSbom, bom_ref: &str) -> &'a mut Component {
    read.inventory.components.iter_mut().find(|c| c.bom_ref == bom_ref).expect("component in fixture")
}

fn valid_schema() -> SchemaReport {
    SchemaReport { schema: "test schema".into(), valid: true, errors: vec![] }
}

/// One NTIA scenario: a change to the baseline, then what the checker would say.
struct Case {
    name: &'static str,
    change: fn(&mut ReadSbom),
    conformant: bool,
    /// (bom_ref, missing required element ids) expected in the component gaps, exactly.
    gaps: &'static [(&'static str, &'static [E])],
    /// Failing document elements, exactly.
    document_gaps: &'static [E],
    evaluated: usize,
    score: f64,
}

#[test]
fn ntia_follows_the_checker() {
    let cases = [
        Case {
            name: "baseline conforms",
            change: |_| {},
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 4,
            score: 100.0,
        },
        Case {
            name: "a component without supplier",
            change: |r| component(r, SERDE).supplier = None,
            conformant: false,
            gaps: &[(SERDE, &[E::Supplier])],
            document_gaps: &[],
            evaluated: 4,
            // 8 elements; supplier 3/4: (7 + 0.75) / 8 = 96.875, rounded down.
            score: 96.8,
        },
        Case {
            name: "NOASSERTION supplier is missing, as the checker counts it",
            change: |r| component(r, SERDE).supplier = Some(Party::named("NOASSERTION")),
            conformant: false,
            gaps: &[(SERDE, &[E::Supplier])],
            document_gaps: &[],
            evaluated: 4,
            score: 96.8,
        },
        Case {
            name: "noassertion in any case and blank names are missing too",
            change: |r| {
                component(r, SERDE).supplier = Some(Party::named(" noassertion "));
                component(r, TOKIO).supplier = Some(Party::named("  "));
            },
            conformant: false,
            gaps: &[(SERDE, &[E::Supplier]), (TOKIO, &[E::Supplier])],
            document_gaps: &[],
            evaluated: 4,
            // (7 + 2/4) / 8 = 93.75
            score: 93.7,
        },
        Case {
            name: "NOASSERTION version counts as a version, as the checker counts it",
            change: |r| component(r, BYTES).version = Some("NOASSERTION".into()),
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 4,
            score: 100.0,
        },
        Case {
            name: "missing version and blank name",
            change: |r| {
                component(r, BYTES).version = None;
                component(r, BYTES).name = " ".into();
            },
            conformant: false,
            gaps: &[(BYTES, &[E::Name, E::Version])],
            document_gaps: &[],
            evaluated: 4,
            // name 3/4, version 3/4: (6 + 1.5) / 8 = 93.75
            score: 93.7,
        },
        Case {
            name: "a floating component is not evaluated",
            change: |r| r.inventory.extend_components([pkg("pkg:cargo/orphan@0.1.0")]),
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 4,
            score: 100.0,
        },
        Case {
            name: "no DESCRIBES: nothing evaluated, every component element fails",
            change: |r| r.facts.describes.clear(),
            conformant: false,
            gaps: &[],
            document_gaps: &[E::DependencyRelationship],
            evaluated: 0,
            // author, timestamp and schema pass: 3 / 8
            score: 37.5,
        },
        Case {
            name: "a tool alone is an author",
            change: |r| r.inventory.metadata.authors.clear(),
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 4,
            score: 100.0,
        },
        Case {
            name: "no author and no tool",
            change: |r| r.inventory.metadata.tools.clear(),
            conformant: false,
            gaps: &[],
            document_gaps: &[E::Author],
            evaluated: 4,
            score: 87.5,
        },
        Case {
            name: "no timestamp",
            change: |r| r.inventory.metadata.timestamp = None,
            conformant: false,
            gaps: &[],
            document_gaps: &[E::Timestamp],
            evaluated: 4,
            score: 87.5,
        },
        Case {
            name: "a timestamp that is not RFC 3339",
            change: |r| r.inventory.metadata.timestamp = Some("2024-10-01 noon".into()),
            conformant: false,
            gaps: &[],
            document_gaps: &[E::Timestamp],
            evaluated: 4,
            score: 87.5,
        },
        Case {
            name: "CycloneDX: metadata.component is the described root",
            change: |r| {
                r.format = CDX;
                r.facts.describes.clear();
            },
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 4,
            score: 100.0,
        },
        Case {
            name: "CycloneDX without metadata.component",
            change: |r| {
                r.format = CDX;
                r.facts.describes.clear();
                r.inventory.metadata.component = None;
            },
            conformant: false,
            gaps: &[],
            document_gaps: &[E::DependencyRelationship],
            evaluated: 0,
            score: 37.5,
        },
        Case {
            name: "CycloneDX root without edges: only the root is evaluated",
            change: |r| {
                r.format = CDX;
                if let Some(root) = &mut r.inventory.metadata.component {
                    root.dependencies.clear();
                }
                component(r, SERDE).supplier = None;
            },
            conformant: true,
            gaps: &[],
            document_gaps: &[],
            evaluated: 1,
            score: 100.0,
        },
    ];
    for case in cases {
        let mut read = baseline();
        (case.change)(&mut read);
        let report = quality::score_with_schema(&read, &[Profile::Ntia], Some(&valid_schema()));
        let ntia = report.profile(Profile::Ntia).expect("ntia scored");
        assert_eq!(ntia.conformant, case.conformant, "{}: conformant", case.name);
        assert_eq!(ntia.score, case.score, "{}: score", case.name);
        assert_eq!(ntia.components_evaluated, case.evaluated, "{}: evaluated", case.name);
        let gaps: Vec<(&str, Vec<E>)> =
            ntia.component_gaps.iter().map(|g| (g.bom_ref.as_str(), g.missing.clone())).collect();
        let mut want: Vec<(&str, Vec<E>)> = case.gaps.iter().map(|(r, m)| (*r, m.to_vec())).collect();
        let mut got = gaps.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}: component gaps", case.name);
        let doc: Vec<E> = ntia.document_gaps.iter().map(|g| g.element).collect();
        assert_eq!(doc, case.document_gaps, "{}: document gaps", case.name);
    }
}

#[test]
fn ntia_unevaluated_components_fail_every_component_element() {
    let mut read = baseline();
    read.facts.describes.clear();
    let report = quality::score_with_schema(&read, &[Profile::Ntia], Some(&valid_schema()));
    let ntia = &report.profiles[0];
    for id in [E::Supplier, E::Name, E::Version, E::UniqueIdentifier] {
        let e = ntia.element(id).expect("element reported");
        assert_eq!(e.status, Status::Fail, "{id}");
    }
    // Identifiers are counted over all components even when none is reachable, as the checker does.
    let ids = ntia.element(E::UniqueIdentifier).expect("element");
    assert_eq!((ids.passed, ids.total), (4, 4));
}

#[test]
fn ntia_floating_components_are_named_in_a_note() {
    let mut read = baseline();
    read.inventory.extend_components([pkg("pkg:cargo/orphan@0.1.0"), pkg("pkg:cargo/orphan2@0.1.0")]);
    let report = quality::score_with_schema(&read, &[Profile::Ntia], Some(&valid_schema()));
    let ntia = &report.profiles[0];
    assert_eq!((ntia.components_evaluated, ntia.components_total), (4, 6));
    assert!(ntia.notes.iter().any(|n| n.starts_with("2 of 6 components are not reachable")), "{:?}", ntia.notes);
    // Identifiers are checked over all six.
    assert_eq!(ntia.element(E::UniqueIdentifier).map(|e| e.total), Some(6));
}

#[test]
fn schema_errors_break_conformance_and_a_missing_report_is_not_counted() {
    let read = baseline();
    let invalid = SchemaReport {
        schema: "SPDX 2.3 JSON schema".into(),
        valid: false,
        errors: vec![SchemaError {
            pointer: "/packages/0".into(),
            message: "\"SPDXID\" is a required property".into(),
        }],
    };
    let report = quality::score_with_schema(&read, &[Profile::Ntia], Some(&invalid));
    let ntia = &report.profiles[0];
    assert!(!ntia.conformant);
    assert_eq!(ntia.score, 87.5);
    let gap = ntia.document_gaps.iter().find(|g| g.element == E::SchemaValid).expect("schema gap");
    assert!(gap.message.contains("/packages/0"), "{}", gap.message);

    let report = quality::score_with_schema(&read, &[Profile::Ntia], None);
    let ntia = &report.profiles[0];
    assert!(ntia.conformant);
    assert_eq!(ntia.score, 100.0);
    assert_eq!(ntia.element(E::SchemaValid).map(|e| e.status), Some(Status::NotChecked));
    // `score` without JSON behaves the same: nothing to validate.
    assert!(quality::score(&read, &[Profile::Ntia]).profiles[0].conformant);
}

fn meti_baseline() -> ReadSbom {
    let mut read = baseline();
    if let Some(root) = &mut read.inventory.metadata.component {
        root.purl = Some("pkg:generic/acme/app@0.3.0".parse().expect("purl"));
    }
    read
}

#[test]
fn meti_takes_the_ntia_elements_by_meaning() {
    let read = meti_baseline();
    let report = quality::score_with_schema(&read, &[Profile::Meti], Some(&valid_schema()));
    let meti = &report.profiles[0];
    assert!(meti.conformant, "{:#?}", meti.component_gaps);
    assert_eq!(meti.score, 100.0);
    // Licences and hashes are recommended: reported, not scored.
    let license = meti.element(E::License).expect("license element");
    assert_eq!(
        (license.requirement, license.status, license.passed, license.total),
        (Requirement::Recommended, Status::Fail, 0, 4)
    );
    let serde = meti.component_gap(SERDE).expect("gap");
    assert!(serde.missing.is_empty());
    assert_eq!(serde.missing_recommended, vec![E::License, E::Hash]);

    // What NTIA lets pass, METI does not: NOASSERTION versions, missing purls, floating components.
    let mut read = meti_baseline();
    component(&mut read, BYTES).version = Some("NOASSERTION".into());
    component(&mut read, SERDE).purl = None;
    read.inventory.extend_components([supplied(pkg("pkg:cargo/orphan@0.1.0"), "Someone")]);
    let report = quality::score_with_schema(&read, &[Profile::Ntia, Profile::Meti], Some(&valid_schema()));
    assert!(report.profile(Profile::Ntia).is_some_and(|p| p.conformant));
    let meti = report.profile(Profile::Meti).expect("meti");
    assert!(!meti.conformant);
    assert!(!report.conformant());
    assert_eq!(meti.component_gap(BYTES).map(|g| g.missing.clone()), Some(vec![E::Version]));
    assert_eq!(meti.component_gap(SERDE).map(|g| g.missing.clone()), Some(vec![E::UniqueIdentifier]));
    assert_eq!(
        meti.component_gap("pkg:cargo/orphan@0.1.0").map(|g| g.missing.clone()),
        Some(vec![E::DependencyRelationship])
    );
    // 5 components: version 4/5, purl 4/5, relationship 4/5, the rest pass: (5 + 3 * 0.8) / 8 = 92.5
    assert_eq!(meti.score, 92.5);
}

const SHA512: &str = "a4f2b8c1d9e0f3a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2";

fn bsi_component(purl: &str, file: &str) -> Component {
    let mut c = pkg(purl);
    c.supplier = Some(Party { name: "Example".into(), email: None, url: Some("https://example.org".into()) });
    c.licenses.push("MIT OR Apache-2.0".into());
    c.hashes.push(Hash::hex(HashAlgorithm::Sha512, SHA512).expect("hex"));
    c.download_location = Some(format!("https://registry.npmjs.org/x/-/{file}"));
    c
}

fn bsi_baseline() -> ReadSbom {
    let mut inv = Inventory::default();
    inv.metadata.timestamp = Some("2024-10-01T12:00:00+09:00".into());
    inv.metadata.authors.push(Party { name: "Acme PSIRT".into(), email: Some("psirt@acme.example".into()), url: None });
    inv.metadata.serial_number = Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into());
    let root = depends(bsi_component("pkg:npm/acme-app@2.0.0", "acme-app-2.0.0.tgz"), &["pkg:npm/lodash@4.17.21"]);
    inv.metadata.component = Some(root);
    inv.extend_components([
        depends(bsi_component("pkg:npm/lodash@4.17.21", "lodash-4.17.21.tgz"), &["pkg:npm/ms@2.1.3"]),
        bsi_component("pkg:npm/ms@2.1.3", "ms-2.1.3.tgz"),
    ]);
    ReadSbom { format: CDX, inventory: inv, json: None, facts: DocumentFacts::default() }
}

#[test]
fn bsi_required_fields() {
    let report = quality::score_with_schema(&bsi_baseline(), &[Profile::Bsi], Some(&valid_schema()));
    let bsi = &report.profiles[0];
    assert!(bsi.conformant, "{:#?} {:#?}", bsi.document_gaps, bsi.component_gaps);
    assert_eq!(bsi.score, 100.0);
    assert!(bsi.notes.iter().any(|n| n.contains("executable, archive and structured")));

    type Change = fn(&mut ReadSbom);
    type Gaps = &'static [(&'static str, &'static [E])];
    let cases: [(&str, Change, &[E], Gaps); 8] = [
        (
            "CycloneDX 1.4 is too old",
            |r| r.format = SbomFormat::CycloneDxJson(CycloneDxVersion::V1_4),
            &[E::SbomFormat],
            &[],
        ),
        (
            "tag-value is neither JSON nor XML",
            |r| {
                // SPDX says what it describes with DESCRIBES; without it nothing would be reachable.
                r.format = SbomFormat::SpdxTagValue(SpdxVersion::V2_3);
                r.facts.describes = vec!["pkg:npm/acme-app@2.0.0".into()];
            },
            &[E::SbomFormat],
            &[],
        ),
        (
            "an author without email or URL",
            |r| r.inventory.metadata.authors = vec![Party::named("Acme PSIRT")],
            &[E::SbomCreator],
            &[],
        ),
        (
            "a tool is no SBOM creator for BSI",
            |r| {
                r.inventory.metadata.authors.clear();
                r.inventory.metadata.tools.push(Tool { name: "cpsf".into(), version: None, vendor: None });
            },
            &[E::SbomCreator],
            &[],
        ),
        (
            "SHA-256 only",
            |r| {
                let c = component(r, "pkg:npm/ms@2.1.3");
                c.hashes = vec![Hash::hex(HashAlgorithm::Sha256, &"ab".repeat(32)).expect("hex")];
            },
            &[],
            &[("pkg:npm/ms@2.1.3", &[E::HashSha512])],
        ),
        (
            "a download URL that names no file, and a supplier without contact",
            |r| {
                let c = component(r, "pkg:npm/ms@2.1.3");
                c.download_location = Some("https://crates.io/api/v1/crates/ms/2.1.3/download".into());
                c.supplier = Some(Party::named("Vercel"));
            },
            &[],
            &[("pkg:npm/ms@2.1.3", &[E::Creator, E::Filename])],
        ),
        (
            "a dependency that is not in the SBOM",
            |r| {
                component(r, "pkg:npm/ms@2.1.3").dependencies.insert("pkg:npm/missing@1.0.0".into());
            },
            &[],
            &[("pkg:npm/ms@2.1.3", &[E::Dependencies])],
        ),
        (
            "NOASSERTION licence and no purl",
            |r| {
                let c = component(r, "pkg:npm/lodash@4.17.21");
                c.licenses = vec!["NOASSERTION".into()];
                c.purl = None;
            },
            &[],
            &[("pkg:npm/lodash@4.17.21", &[E::License, E::UniqueIdentifier])],
        ),
    ];
    for (name, change, doc_gaps, comp_gaps) in cases {
        let mut read = bsi_baseline();
        change(&mut read);
        let report = quality::score_with_schema(&read, &[Profile::Bsi], Some(&valid_schema()));
        let bsi = &report.profiles[0];
        assert!(!bsi.conformant, "{name}");
        assert!(bsi.score < 100.0, "{name}");
        let doc: Vec<E> =
            bsi.document_gaps.iter().filter(|g| g.requirement == Requirement::Required).map(|g| g.element).collect();
        assert_eq!(doc, doc_gaps, "{name}");
        let comps: Vec<(&str, Vec<E>)> =
            bsi.component_gaps.iter().map(|g| (g.bom_ref.as_str(), g.missing.clone())).collect();
        let want: Vec<(&str, Vec<E>)> = comp_gaps.iter().map(|(r, m)| (*r, m.to_vec())).collect();
        assert_eq!(comps, want, "{name}");
    }
}

#[test]
fn bsi_recommended_fields_do_not_change_the_verdict() {
    let mut read = bsi_baseline();
    read.inventory.metadata.serial_number = None;
    let report = quality::score_with_schema(&read, &[Profile::Bsi], Some(&valid_schema()));
    let bsi = &report.profiles[0];
    assert!(bsi.conformant);
    assert_eq!(bsi.score, 100.0);
    let gap = bsi.document_gaps.iter().find(|g| g.element == E::SbomUri).expect("sbom-uri gap");
    assert_eq!(gap.requirement, Requirement::Recommended);
}

#[test]
fn report_serializes_with_stable_names() {
    let mut read = baseline();
    component(&mut read, SERDE).supplier = None;
    let report = quality::score_with_schema(&read, &[Profile::Ntia, Profile::Meti, Profile::Bsi, Profile::Ntia], None);
    assert_eq!(report.profiles.len(), 3, "a repeated profile is scored once");
    let json = serde_json::to_value(&report).expect("serialize");
    assert_eq!(json["profiles"][0]["profile"], "ntia");
    assert_eq!(json["profiles"][1]["profile"], "meti");
    assert_eq!(json["profiles"][2]["profile"], "bsi");
    assert_eq!(json["profiles"][0]["component_gaps"][0]["bom_ref"], SERDE);
    assert_eq!(json["profiles"][0]["component_gaps"][0]["missing"][0], "supplier");
    let ids: Vec<&str> =
        json["profiles"][0]["elements"].as_array().expect("array").iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "supplier",
            "name",
            "version",
            "unique-identifier",
            "dependency-relationship",
            "author",
            "timestamp",
            "schema-valid"
        ]
    );
    for p in json["profiles"].as_array().expect("array") {
        for e in p["elements"].as_array().expect("array") {
            let id = e["id"].as_str().expect("id");
            assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()), "{id}");
        }
    }
    assert_eq!(Profile::parse("NTIA"), Some(Profile::Ntia));
    assert_eq!(Profile::parse("bsi"), Some(Profile::Bsi));
    assert_eq!(Profile::parse("cra"), None);
}

#[test]
fn text_groups_gaps_worst_first_and_caps_lists() {
    let mut read = baseline();
    // 12 more reachable components without supplier, and one of them without version too.
    let mut extra = Vec::new();
    for i in 0..12 {
        extra.push(pkg(&format!("pkg:cargo/crate{i:02}@1.0.{i}")));
    }
    if let Some(c) = extra.first_mut() {
        c.version = None;
    }
    if let Some(root) = &mut read.inventory.metadata.component {
        root.dependencies.extend(extra.iter().map(|c| c.bom_ref.clone()));
    }
    read.inventory.extend_components(extra);
    let report =
        quality::score_with_schema(&read, &[Profile::Ntia, Profile::Meti, Profile::Bsi], Some(&valid_schema()));
    let text = quality::render_text(&report);
    assert!(text.contains("[ntia]: score "), "{text}");
    assert!(text.contains("NOT conformant"), "{text}");
    assert!(text.contains("16 of 16 components evaluated"), "{text}");
    let supplier = text.lines().find(|l| l.contains("✗ supplier:")).expect("supplier line");
    assert!(supplier.contains("missing in 12 of 16"), "{supplier}");
    assert!(supplier.ends_with("... and 4 more"), "{supplier}");
    // Worst first: supplier (4/16) before version (15/16).
    let at = |needle: &str| text.find(needle).expect(needle);
    assert!(at("✗ supplier:") < at("✗ version:"), "{text}");
    assert!(
        text.contains("passed: name, unique-identifier, dependency-relationship, author, timestamp, schema-valid"),
        "{text}"
    );
}

#[test]
fn text_of_a_conformant_document_is_short() {
    let report = quality::score_with_schema(&baseline(), &[Profile::Ntia], Some(&valid_schema()));
    let text = quality::render_text(&report);
    assert!(text.contains("score 100.0/100, conformant"), "{text}");
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn score_validates_the_json_form_against_the_official_schema() {
    let mut read = baseline();
    read.format = CDX;
    read.json = Some(serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}));
    let ntia = quality::score(&read, &[Profile::Ntia]).profiles.remove(0);
    assert_eq!(ntia.element(E::SchemaValid).map(|e| e.status), Some(Status::Pass));
    assert!(ntia.conformant);

    read.json = Some(serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": "one"}));
    let ntia = quality::score(&read, &[Profile::Ntia]).profiles.remove(0);
    assert_eq!(ntia.element(E::SchemaValid).map(|e| e.status), Some(Status::Fail));
    assert!(!ntia.conformant);
}
