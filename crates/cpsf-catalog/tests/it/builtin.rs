//! The shipped catalogs: every file passes the schema and the structural rules (unique ids, parents and
//! mappings resolve, provenance present, nothing verified without a section reference), and each holds the
//! structure its framework is known to have.

use cpsf_catalog::validate::{self, Strictness};
use cpsf_catalog::{Catalog, Kind, builtin};

fn get(id: &str) -> &'static Catalog {
    builtin::get(id).unwrap_or_else(|| panic!("shipped catalog `{id}` is missing or does not parse"))
}

fn count(c: &Catalog, kind: Kind) -> usize {
    c.entries.iter().filter(|e| e.kind == kind).count()
}

#[test]
fn every_shipped_catalog_is_valid() {
    let problems = validate::builtin_problems();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(builtin::all().len(), builtin::FILES.len(), "every file parses");
}

#[test]
fn the_seven_catalogs_are_shipped_with_their_ids() {
    for id in [
        "meti-cmg-3.0",
        "meti-cpsf-1.0",
        "meti-factory-1.0",
        "meti-iot-ssf-1.0",
        "meti-sbom-2.0",
        "meti-oss-2021",
        "nist-csf-2.0",
    ] {
        let c = get(id);
        assert!(!c.entries.is_empty(), "{id} has entries");
        assert!(c.assessable().count() > 0, "{id} has something to assess");
    }
}

#[test]
fn provenance_is_present_and_verified_entries_cite_a_section() {
    for c in builtin::all() {
        for e in &c.entries {
            let p = &e.provenance;
            assert!(c.source(&p.source).is_some(), "{}:{} cites an unknown source", c.id, e.id);
            if p.verified {
                assert!(
                    p.section.as_deref().is_some_and(|s| !s.trim().is_empty())
                        || p.page.as_deref().is_some_and(|s| !s.trim().is_empty()),
                    "{}:{} is verified without a section",
                    c.id,
                    e.id
                );
            } else {
                assert!(p.note.as_deref().is_some_and(|n| !n.trim().is_empty()), "{}:{} lacks a note", c.id, e.id);
            }
            assert!(!e.title.en.is_empty() && !e.title.ja.is_empty(), "{}:{} needs both titles", c.id, e.id);
        }
    }
}

#[test]
fn management_guidelines_have_three_principles_and_ten_items() {
    let c = get("meti-cmg-3.0");
    assert_eq!(count(c, Kind::Principle), 3);
    assert_eq!(count(c, Kind::Item), 10);
}

#[test]
fn cpsf_has_its_layers_components_categories_and_only_confirmed_requirements() {
    let c = get("meti-cpsf-1.0");
    assert_eq!(count(c, Kind::Layer), 3);
    assert_eq!(count(c, Kind::Component), 6);
    assert_eq!(count(c, Kind::Category), 20);
    let reqs: Vec<&str> =
        c.entries.iter().filter(|e| e.kind == Kind::MeasureRequirement).map(|e| e.id.as_str()).collect();
    assert_eq!(reqs.len(), 15, "{reqs:?}");
    for id in ["CPS.AM-1", "CPS.RA-1", "CPS.MA-1", "CPS.SC-1", "CPS.IP-9", "CPS.RP-1"] {
        assert!(reqs.contains(&id), "{id}");
    }
    // The automatic checks the issue names.
    let kinds =
        |id: &str| c.entry(id).map(|e| e.checks.iter().map(|k| k.kind()).collect::<Vec<_>>()).unwrap_or_default();
    assert!(kinds("CPS.AM-1").contains(&"inventory-current"));
    assert!(kinds("CPS.RA-1").contains(&"critical-triaged"));
    assert!(kinds("CPS.MA-1").contains(&"critical-triaged"));
    // The crosswalk: every CPSF category maps into NIST CSF 2.0.
    for cat in c.entries.iter().filter(|e| e.kind == Kind::Category) {
        assert!(
            cat.mappings.iter().any(|m| m.target.starts_with("nist-csf-2.0:")),
            "{} has no NIST CSF 2.0 mapping",
            cat.id
        );
    }
}

#[test]
fn nist_csf_has_six_functions_22_categories_106_subcategories() {
    let c = get("nist-csf-2.0");
    assert_eq!(count(c, Kind::Function), 6);
    assert_eq!(count(c, Kind::Category), 22);
    assert_eq!(count(c, Kind::Subcategory), 106);
    let gv = c.entry("GV.OC-01").expect("GV.OC-01");
    assert_eq!(gv.parent.as_deref(), Some("GV.OC"));
}

#[test]
fn sbom_guidance_checks_sbom_quality() {
    let c = get("meti-sbom-2.0");
    assert_eq!(count(c, Kind::Phase), 3);
    assert!(c.entries.iter().flat_map(|e| &e.checks).any(|k| k.kind() == "sbom-quality"));
}

#[test]
fn the_validator_catches_what_it_claims_to() {
    let text = r#"
format: cpsf-catalog/1
id: broken
revision: 1
title: {en: Broken, ja: 壊れた}
publisher: {en: Us, ja: 当方}
version: "1"
sources: [{id: s, title: {en: S, ja: S}}]
entries:
  - {id: A, kind: category, title: {en: A, ja: A}, provenance: {source: s, verified: false, note: n}}
  - {id: A, kind: item, title: {en: dup, ja: dup}, provenance: {source: s, verified: false, note: n}}
  - {id: B, parent: Q, kind: item, title: {en: B, ja: B}, provenance: {source: nowhere, verified: false, note: n}}
  - {id: C, kind: item, title: {en: C}, provenance: {source: s, verified: false, note: n}}
  - id: D
    kind: item
    title: {en: D, ja: D}
    mappings: [{target: "nist-csf-2.0:XX.YY-99", relationship: related, verified: false}]
    provenance: {source: s, verified: false, note: n}
  - {id: E, parent: F, kind: item, title: {en: E, ja: E}, provenance: {source: s, verified: false, note: n}}
  - {id: F, parent: E, kind: item, title: {en: F, ja: F}, provenance: {source: s, verified: false, note: n}}
"#;
    let c = cpsf_catalog::load::parse("broken.yaml", text).expect("schema-valid");
    let found: Vec<String> = validate::problems(&c, Strictness::Shipped).iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| found.iter().any(|p| p.contains(needle));
    assert!(has("entry `A`: id: this id appears more than once"), "{found:#?}");
    assert!(has("entry `B`: parent: `Q` does not name an entry"), "{found:#?}");
    assert!(has("entry `B`: provenance.source"), "{found:#?}");
    assert!(has("entry `C`: title: a shipped entry needs its title in English and Japanese"), "{found:#?}");
    assert!(has("entry `E`: parent: the parent chain loops"), "{found:#?}");
    assert!(
        validate::problems(&c, Strictness::Imported).iter().all(|p| p.entry.as_deref() != Some("C")),
        "one language is enough for an imported catalog"
    );
    let mut set: Vec<&Catalog> = builtin::all().iter().collect();
    set.push(&c);
    let cross: Vec<String> = validate::set_problems(&set).iter().map(|p| p.to_string()).collect();
    assert!(cross.iter().any(|p| p.contains("catalog `nist-csf-2.0` has no entry `XX.YY-99`")), "{cross:#?}");
}

#[test]
fn the_schema_names_the_entry_and_field() {
    let text = r#"
format: cpsf-catalog/1
id: schema-broken
revision: 1
title: {en: X, ja: X}
publisher: {en: Us, ja: 当方}
sources: [{id: s, title: {en: S}}]
entries:
  - {id: A, kind: item, title: {en: A}, provenance: {source: s, verified: true}}
  - {id: B, kind: item, title: {en: B}, provenance: {source: s, verified: false}}
  - {id: C, kind: item, title: {en: C}, checks: [{check: sbom-quality, params: {profile: spdx, min_score: 80}}], provenance: {source: s, verified: false, note: n}}
  - {id: D, kind: gadget, title: {en: D}, provenance: {source: s, verified: false, note: n}}
"#;
    let err = cpsf_catalog::load::parse("schema-broken.yaml", text).unwrap_err().to_string();
    for needle in [
        "schema-broken.yaml: not a valid catalog",
        "entry `A`: /entries/0/provenance",
        "entry `B`: /entries/1/provenance",
        "entry `C`: /entries/2/checks/0/params/profile",
        "entry `D`: /entries/3/kind",
    ] {
        assert!(err.contains(needle), "`{needle}` in:\n{err}");
    }
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let err = cpsf_catalog::load::parse("x.yaml", "format: cpsf-catalog/1\nid: [\n").unwrap_err().to_string();
    assert!(err.starts_with("x.yaml: line "), "{err}");
}
