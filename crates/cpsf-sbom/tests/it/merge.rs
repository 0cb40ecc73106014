//! Merging inventories: identity, combined fields, re-pointed edges, roots, metadata and conflicts.

use cpsf_model::{
    Component, DiagnosticCode, Hash, HashAlgorithm, Inventory, Location, Party, Scope, SkippedFile, Tool,
};
use cpsf_sbom::merge::merge;

fn pkg(purl: &str) -> Component {
    Component::from_purl(purl.parse().expect("test purl"))
}

fn inventory(root: Option<Component>, components: Vec<Component>) -> Inventory {
    let mut inv = Inventory::default();
    inv.metadata.component = root;
    inv.extend_components(components);
    inv
}

fn app(name: &str, deps: &[&str]) -> Component {
    Component {
        bom_ref: format!("root-{name}"),
        name: name.into(),
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        ..Component::default()
    }
}

fn sha(alg: HashAlgorithm, fill: &str) -> Hash {
    Hash::hex(alg, &fill.repeat(alg.hex_len() / fill.len())).expect("hex")
}

const LODASH: &str = "pkg:npm/lodash@4.17.21";
const EXPRESS: &str = "pkg:npm/express@4.21.0";
const REACT: &str = "pkg:npm/react@18.3.1";

#[test]
fn a_shared_purl_becomes_one_component_with_combined_fields_and_repointed_edges() {
    // Input 1 was read from a CycloneDX document with its own bom-refs; input 2 uses canonical purls.
    let mut lodash1 = pkg(LODASH).at("backend/package-lock.json", Some(812));
    lodash1.bom_ref = "comp-7".into();
    lodash1.scope = Some(Scope::Dev);
    lodash1.hashes.push(sha(HashAlgorithm::Sha512, "ab"));
    let mut express = pkg(EXPRESS).at("backend/package-lock.json", Some(40));
    express.bom_ref = "comp-1".into();
    express.dependencies.insert("comp-7".into());
    let one = inventory(Some(app("backend", &["comp-1"])), vec![express, lodash1]);

    let mut lodash2 = pkg(LODASH).at("frontend/yarn.lock", Some(3051));
    lodash2.scope = Some(Scope::Required);
    lodash2.hashes.push(sha(HashAlgorithm::Sha1, "cd"));
    lodash2.licenses.push("MIT".into());
    let mut react = pkg(REACT).at("frontend/yarn.lock", Some(4410));
    react.dependencies.insert(LODASH.into());
    let two = inventory(Some(app("frontend", &[REACT])), vec![lodash2, react]);

    let product = Component { bom_ref: "product".into(), name: "product".into(), ..Component::default() };
    let merged = merge(vec![one, two], Some(product));

    let refs: Vec<&str> = merged.components.iter().map(|c| c.bom_ref.as_str()).collect();
    assert_eq!(refs, [EXPRESS, LODASH, REACT], "one lodash, canonical purls, sorted");
    let lodash = merged.component(LODASH).expect("lodash");
    assert_eq!(
        lodash.locations,
        vec![Location::new("backend/package-lock.json", Some(812)), Location::new("frontend/yarn.lock", Some(3051))]
    );
    assert_eq!(lodash.hashes.len(), 2, "different algorithms are combined");
    assert_eq!(lodash.scope, Some(Scope::Required), "required wins over dev");
    assert_eq!(lodash.licenses, ["MIT"]);
    // Edges from both inputs now point at the survivor.
    assert!(merged.component(EXPRESS).is_some_and(|c| c.dependencies.contains(LODASH)));
    assert!(merged.component(REACT).is_some_and(|c| c.dependencies.contains(LODASH)));
    // The inputs' roots are gone; their direct dependencies are the new root's.
    let root = merged.metadata.component.as_ref().expect("root");
    assert_eq!(root.bom_ref, "product");
    assert_eq!(root.dependencies.iter().map(String::as_str).collect::<Vec<_>>(), [EXPRESS, REACT]);
    assert!(merged.diagnostics.is_empty(), "{:?}", merged.diagnostics);
}

#[test]
fn conflicting_digests_keep_the_first_and_say_so() {
    let mut a = pkg(LODASH);
    a.hashes.push(sha(HashAlgorithm::Sha512, "ab"));
    a.supplier = Some(Party::named("OpenJS Foundation"));
    let mut b = pkg(LODASH);
    b.hashes.push(sha(HashAlgorithm::Sha512, "ef"));
    b.supplier = Some(Party::named("John-David Dalton"));
    let merged = merge(vec![inventory(None, vec![a]), inventory(None, vec![b])], None);
    let lodash = merged.component(LODASH).expect("lodash");
    assert_eq!(lodash.hashes, vec![sha(HashAlgorithm::Sha512, "ab")]);
    assert_eq!(lodash.supplier.as_ref().map(|p| p.name.as_str()), Some("OpenJS Foundation"));
    let codes: Vec<(DiagnosticCode, &str)> = merged.diagnostics.iter().map(|d| (d.code, d.path.as_str())).collect();
    assert_eq!(codes, [(DiagnosticCode::ConversionLoss, "input 2"), (DiagnosticCode::ConversionLoss, "input 2")]);
    assert!(merged.diagnostics[0].message.contains(LODASH), "{}", merged.diagnostics[0]);
    assert!(merged.diagnostics[0].message.contains("SHA-512"), "{}", merged.diagnostics[0]);
    assert!(merged.diagnostics[1].message.contains("supplier `John-David Dalton`"), "{}", merged.diagnostics[1]);
}

#[test]
fn components_without_purl_are_matched_by_group_name_and_version() {
    let named = |bom_ref: &str, group: Option<&str>, name: &str, version: &str, path: &str| Component {
        bom_ref: bom_ref.into(),
        group: group.map(str::to_owned),
        name: name.into(),
        version: Some(version.into()),
        locations: vec![Location::new(path, None)],
        ..Component::default()
    };
    let one = inventory(
        None,
        vec![named("a-1", Some("vendor"), "zlib", "1.3.1", "one"), named("a-2", None, "zlib", "1.3.1", "one")],
    );
    let two = inventory(
        None,
        vec![
            named("b-1", Some("vendor"), "zlib", "1.3.1", "two"),
            named("b-2", Some("vendor"), "zlib", "1.2.13", "two"),
        ],
    );
    let merged = merge(vec![one, two], None);
    let summary: Vec<(&str, Option<&str>, Option<&str>, usize)> = merged
        .components
        .iter()
        .map(|c| (c.bom_ref.as_str(), c.group.as_deref(), c.version.as_deref(), c.locations.len()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a-1", Some("vendor"), Some("1.3.1"), 2),
            ("a-2", None, Some("1.3.1"), 1),
            ("b-2", Some("vendor"), Some("1.2.13"), 1),
        ]
    );
}

#[test]
fn a_bom_ref_taken_by_another_component_is_renamed_and_edges_follow() {
    let thing = |name: &str, deps: &[&str]| Component {
        bom_ref: format!("{name}-ref"),
        name: name.into(),
        version: Some("1".into()),
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        ..Component::default()
    };
    // Both inputs call different things `shared`.
    let mut a = thing("alpha", &[]);
    a.bom_ref = "shared".into();
    let mut b = thing("beta", &[]);
    b.bom_ref = "shared".into();
    let user = thing("user", &["shared"]);
    let merged = merge(vec![inventory(None, vec![a]), inventory(None, vec![b, user])], None);
    let by_name = |n: &str| merged.components.iter().find(|c| c.name == n).expect(n);
    assert_eq!(by_name("alpha").bom_ref, "shared");
    assert_eq!(by_name("beta").bom_ref, "shared~2");
    assert_eq!(by_name("user").dependencies.iter().collect::<Vec<_>>(), ["shared~2"]);
}

#[test]
fn without_a_root_the_first_input_root_is_kept_and_others_are_lifted() {
    let one = inventory(Some(app("backend", &[EXPRESS])), vec![pkg(EXPRESS)]);
    let two = inventory(Some(app("frontend", &[REACT])), vec![pkg(REACT)]);
    let merged = merge(vec![one, two], None);
    let root = merged.metadata.component.as_ref().expect("root");
    assert_eq!(root.name, "backend");
    assert_eq!(root.dependencies.iter().map(String::as_str).collect::<Vec<_>>(), [EXPRESS, REACT]);
    assert!(merged.components.iter().all(|c| !c.name.ends_with("end")), "input roots are not components");
}

#[test]
fn lifted_roots_without_edges_give_their_inputs_direct_dependencies() {
    // Input 2 has a root without edges; its components say which are direct.
    let mut react = pkg(REACT);
    react.direct = Some(true);
    let mut scheduler = pkg("pkg:npm/scheduler@0.23.2");
    scheduler.direct = Some(false);
    let one = inventory(Some(app("backend", &[EXPRESS])), vec![pkg(EXPRESS)]);
    let two = inventory(Some(app("frontend", &[])), vec![react, scheduler]);
    let merged = merge(vec![one, two], None);
    let root = merged.metadata.component.as_ref().expect("root");
    assert_eq!(root.dependencies.iter().map(String::as_str).collect::<Vec<_>>(), [EXPRESS, REACT]);
}

#[test]
fn an_input_root_that_is_a_component_elsewhere_is_absorbed_into_it() {
    // The app depends on a library; the library's own SBOM (whose root is the library) is merged in.
    const LIB: &str = "pkg:npm/acme-lib@2.1.0";
    let app_inv = inventory(Some(app("app", &[LIB])), vec![pkg(LIB)]);
    let mut lib_root = pkg(LIB);
    lib_root.supplier = Some(Party::named("Acme"));
    lib_root.dependencies.insert(LODASH.into());
    let lib_inv = inventory(Some(lib_root), vec![pkg(LODASH)]);
    let merged = merge(vec![app_inv, lib_inv], None);
    let root = merged.metadata.component.as_ref().expect("root");
    assert_eq!(root.name, "app");
    assert_eq!(root.dependencies.iter().collect::<Vec<_>>(), [LIB], "the library's deps stay the library's");
    let lib = merged.component(LIB).expect("lib");
    assert_eq!(lib.supplier.as_ref().map(|p| p.name.as_str()), Some("Acme"));
    assert_eq!(lib.dependencies.iter().collect::<Vec<_>>(), [LODASH]);
}

#[test]
fn metadata_is_a_union_and_the_merge_is_a_new_document() {
    let mut one = inventory(None, vec![pkg(LODASH)]);
    one.metadata.timestamp = Some("2024-01-01T00:00:00Z".into());
    one.metadata.serial_number = Some("urn:uuid:1".into());
    one.metadata.authors.push(Party::named("Alice"));
    one.metadata.tools.push(Tool { name: "cpsf".into(), version: Some("0.1.0".into()), vendor: None });
    one.metadata.supplier = Some(Party::named("Acme"));
    one.sources.push("package-lock.json".into());
    one.skipped.push(SkippedFile { path: "broken.lock".into(), reason: "malformed".into() });
    let mut two = inventory(None, vec![pkg(REACT)]);
    two.metadata.authors.push(Party::named("Alice"));
    two.metadata.authors.push(Party::named("Bob"));
    two.metadata.tools.push(Tool { name: "cpsf".into(), version: Some("0.1.0".into()), vendor: None });
    two.metadata.tools.push(Tool { name: "syft".into(), version: Some("1.51.0".into()), vendor: None });
    two.metadata.supplier = Some(Party::named("Other"));
    two.sources.push("package-lock.json".into());
    two.sources.push("yarn.lock".into());
    let merged = merge(vec![one, two], None);
    let m = &merged.metadata;
    assert_eq!(m.authors.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Alice", "Bob"]);
    assert_eq!(m.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["cpsf", "syft"]);
    assert_eq!(m.supplier.as_ref().map(|p| p.name.as_str()), Some("Acme"));
    assert_eq!((m.timestamp.as_deref(), m.serial_number.as_deref()), (None, None));
    assert_eq!(merged.sources, ["package-lock.json", "yarn.lock"]);
    assert_eq!(merged.skipped.len(), 1);
    assert_eq!(m.component, None);
}

#[test]
fn dangling_edges_are_dropped_and_a_lone_input_is_kept() {
    let mut express = pkg(EXPRESS);
    express.dependencies.insert("pkg:npm/not-here@1.0.0".into());
    express.dependencies.insert(LODASH.into());
    let merged = merge(vec![inventory(Some(app("backend", &[EXPRESS])), vec![express, pkg(LODASH)])], None);
    assert_eq!(merged.component(EXPRESS).map(|c| c.dependencies.len()), Some(1));
    assert_eq!(merged.components.len(), 2);
    assert_eq!(merged.metadata.component.as_ref().map(|r| r.bom_ref.as_str()), Some("root-backend"));
    assert!(merge(vec![], None).components.is_empty());
}

#[test]
fn a_component_that_is_the_new_root_is_folded_into_it() {
    const LIB: &str = "pkg:npm/acme-lib@2.1.0";
    let mut lib_root = pkg(LIB);
    lib_root.dependencies.insert(LODASH.into());
    let lib_inv = inventory(Some(lib_root), vec![pkg(LODASH)]);
    let app_inv = inventory(Some(app("app", &[LIB])), vec![pkg(LIB).at("app/package-lock.json", Some(12))]);
    let merged = merge(vec![lib_inv, app_inv], None);
    let root = merged.metadata.component.as_ref().expect("root");
    assert_eq!(root.bom_ref, LIB);
    assert_eq!(root.locations, vec![Location::new("app/package-lock.json", Some(12))]);
    assert_eq!(root.dependencies.iter().collect::<Vec<_>>(), [LODASH], "no edge from the root to itself");
    assert_eq!(merged.components.iter().map(|c| c.bom_ref.as_str()).collect::<Vec<_>>(), [LODASH]);
}
