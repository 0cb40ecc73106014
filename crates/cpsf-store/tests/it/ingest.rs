//! SBOM ingest: what goes in reads back, the current SBOM, auto-create, all-or-nothing uploads, 10,000 components.

use cpsf_model::Scope;
use cpsf_store::{ComponentQuery, Edge, StoreError};
use sha2::{Digest, Sha256};

use crate::fixtures::{component, sbom, small_app};
use crate::harness::TestStore;

pub fn an_sbom_reads_back_as_uploaded(t: &TestStore) {
    let upload = small_app("2.14.1");
    let got = t.ingest_sbom("shop", "1.0.0", &upload, "ci", true).unwrap();
    assert!(got.created_product && got.created_version);
    assert_eq!(got.component_count, 4);
    assert_eq!(got.edge_count, 3);
    let expected_sha: String = Sha256::digest(&upload.document).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got.sha256, expected_sha);

    // The document comes back byte for byte.
    assert_eq!(t.sbom_document(got.sbom_id).unwrap(), upload.document);
    let info = t.sbom(got.sbom_id).unwrap().unwrap();
    assert_eq!(info.format, "cyclonedx-json-1.6");
    assert_eq!(info.uploaded_by, "ci");
    assert_eq!(info.component_count, 4);
    assert_eq!(info.size, upload.document.len() as i64);
    assert_eq!(info.version_id, got.version_id);

    // Components, sorted by bom-ref, with every stored field.
    let components = t.components_of_sbom(got.sbom_id).unwrap();
    let refs: Vec<&str> = components.iter().map(|c| c.bom_ref.as_str()).collect();
    assert_eq!(
        refs,
        [
            "pkg:maven/com.example/app@1.0.0",
            "pkg:maven/junit/junit@4.13.2",
            "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ]
    );
    let log4j = &components[3];
    assert_eq!(log4j.name, "log4j-core");
    assert_eq!(log4j.group.as_deref(), Some("org.apache.logging.log4j"));
    assert_eq!(log4j.version.as_deref(), Some("2.14.1"));
    assert_eq!(log4j.purl.as_deref(), Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
    assert_eq!(log4j.kind, "library");
    assert_eq!(log4j.licenses, ["Apache-2.0", "MIT OR BSD-3-Clause"]);
    assert_eq!(log4j.scope, Some(Scope::Required));
    assert_eq!(log4j.direct, Some(true));
    let junit = &components[1];
    assert_eq!(junit.scope, Some(Scope::Dev));
    assert_eq!(junit.direct, Some(false));
    assert!(components[2].licenses.is_empty());
    assert_eq!(components[2].scope, None);
    assert_eq!(components[2].direct, None);

    // Edges, and the domain model with its dependencies rebuilt from them.
    let edges = t.edges_of_sbom(got.sbom_id).unwrap();
    assert_eq!(
        edges,
        [
            Edge { from: "pkg:maven/com.example/app@1.0.0".into(), to: "pkg:maven/junit/junit@4.13.2".into() },
            Edge {
                from: "pkg:maven/com.example/app@1.0.0".into(),
                to: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into()
            },
            Edge {
                from: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into(),
                to: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1".into()
            },
        ]
    );
    let model = t.model_components(got.sbom_id).unwrap();
    let mut expected = upload.components.clone();
    expected.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    assert_eq!(model, expected, "components read back equal the ones uploaded");

    // The catalog.
    let version = t.version_by_names("shop", "1.0.0").unwrap().unwrap();
    assert_eq!(version.id, got.version_id);
    assert_eq!(version.current_sbom_id, Some(got.sbom_id));
    assert_eq!(t.version_by_id(got.version_id).unwrap().unwrap(), version);
    assert_eq!(t.product_by_name("shop").unwrap().unwrap().id, got.product_id);
    assert!(t.version_by_names("shop", "9.9.9").unwrap().is_none());
    let (current, current_components) = t.current_components(got.version_id).unwrap().unwrap();
    assert_eq!(current, got.sbom_id);
    assert_eq!(current_components, components);
    let products = t.list_products().unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].product.name, "shop");
    assert_eq!(products[0].versions.len(), 1);
    assert_eq!(products[0].versions[0].component_count, 4);
    assert_eq!(products[0].versions[0].open.total(), 0);

    // One audit entry per thing created, in the same transactions.
    let actions: Vec<String> = t.list_audit(10, 0).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["sbom.upload", "version.create", "product.create"]);
    let upload_entry = &t.list_audit(1, 0).unwrap()[0];
    assert_eq!(upload_entry.who, "ci");
    assert_eq!(upload_entry.target, "product:shop/1.0.0");
    assert_eq!(upload_entry.detail["components"], 4);
    assert_eq!(upload_entry.detail["sbom_id"], got.sbom_id);
}

pub fn a_new_upload_becomes_the_current_sbom(t: &TestStore) {
    let first = t.ingest_sbom("shop", "1.0.0", &small_app("2.14.1"), "ci", true).unwrap();
    let second = t.ingest_sbom("shop", "1.0.0", &small_app("2.17.1"), "ci", false).unwrap();
    assert!(!second.created_product && !second.created_version);
    assert_eq!(second.version_id, first.version_id);
    assert_ne!(second.sbom_id, first.sbom_id);
    let version = t.version_by_names("shop", "1.0.0").unwrap().unwrap();
    assert_eq!(version.current_sbom_id, Some(second.sbom_id));
    let sboms: Vec<i64> = t.list_sboms(first.version_id).unwrap().iter().map(|s| s.id).collect();
    assert_eq!(sboms, [second.sbom_id, first.sbom_id], "newest first");
    let current = t.current_sboms().unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!((current[0].product.as_str(), current[0].version.as_str()), ("shop", "1.0.0"));
    assert_eq!(current[0].sbom_id, second.sbom_id);
    // The older SBOM is kept.
    assert_eq!(t.components_of_sbom(first.sbom_id).unwrap().len(), 4);
    // ensure_* find what exists.
    assert_eq!(t.ensure_product("shop", "admin").unwrap(), first.product_id);
    assert_eq!(t.ensure_version("shop", "1.0.0", "admin").unwrap(), first.version_id);
    let v2 = t.ensure_version("shop", "2.0.0", "admin").unwrap();
    assert_ne!(v2, first.version_id);
    assert_eq!(t.current_components(v2).unwrap(), None);
    assert!(matches!(t.current_components(v2 + 1000), Err(StoreError::NotFound { .. })));
}

pub fn without_auto_create_unknown_products_are_not_found(t: &TestStore) {
    match t.ingest_sbom("ghost", "1.0", &small_app("2.14.1"), "ci", false) {
        Err(StoreError::NotFound { what }) => assert!(what.contains("ghost"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    t.ensure_product("ghost", "admin").unwrap();
    match t.ingest_sbom("ghost", "1.0", &small_app("2.14.1"), "ci", false) {
        Err(StoreError::NotFound { what }) => assert!(what.contains("1.0"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let products = t.list_products().unwrap();
    assert_eq!(products.len(), 1);
    assert!(products[0].versions.is_empty());
    assert!(t.current_sboms().unwrap().is_empty());
    assert!(matches!(t.ingest_sbom("", "1.0", &small_app("1"), "ci", true), Err(StoreError::Invalid { .. })));
}

pub fn a_failed_upload_leaves_nothing(t: &TestStore) {
    // Two components with one bom-ref: the unique index fails after the product, version, SBOM row and the
    // first components were written; all of it must be rolled back.
    let mut components: Vec<_> = (0..50).map(|i| component(&format!("pkg:npm/lib{i}@1.0.0"))).collect();
    let mut duplicate = component("pkg:npm/other@2.0.0");
    duplicate.bom_ref = "pkg:npm/lib7@1.0.0".into();
    components.push(duplicate);
    match t.ingest_sbom("broken", "1.0", &sbom(components.clone()), "ci", true) {
        Err(StoreError::Conflict { what }) => assert!(what.contains("pkg:npm/lib7@1.0.0"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert!(t.list_products().unwrap().is_empty(), "the product created by the failed upload is gone");
    assert!(t.list_audit(10, 0).unwrap().is_empty(), "no audit entry for what was rolled back");
    let query = ComponentQuery { purl: Some("pkg:npm/lib1".into()), current_only: false, ..ComponentQuery::default() };
    assert!(t.search_components(&query).unwrap().is_empty());

    // On an existing version, a failed upload leaves the current SBOM as it was.
    let good = t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap();
    assert!(t.ingest_sbom("shop", "1.0", &sbom(components), "ci", true).is_err());
    let version = t.version_by_names("shop", "1.0").unwrap().unwrap();
    assert_eq!(version.current_sbom_id, Some(good.sbom_id));
    assert_eq!(t.list_sboms(good.version_id).unwrap().len(), 1);
    assert_eq!(t.list_audit(10, 0).unwrap().len(), 3, "product, version and the one good upload");
}

pub fn ten_thousand_components_are_ingested(t: &TestStore) {
    let mut components: Vec<_> = (0..10_000)
        .map(|i| component(&format!("pkg:npm/%40scope{}/package-{i}@{}.{}.0", i % 10, i % 7, i % 13)))
        .collect();
    for i in 0..9_999 {
        let next = components[i + 1].bom_ref.clone();
        components[i].dependencies.insert(next);
        components[i].licenses = vec!["MIT".into()];
    }
    let got = t.ingest_sbom("big", "1.0", &sbom(components), "ci", true).unwrap();
    assert_eq!(got.component_count, 10_000);
    assert_eq!(got.edge_count, 9_999);
    assert_eq!(t.components_of_sbom(got.sbom_id).unwrap().len(), 10_000);
    assert_eq!(t.edges_of_sbom(got.sbom_id).unwrap().len(), 9_999);
    let hits = t
        .search_components(&ComponentQuery { name: Some("PACKAGE-4242".into()), ..ComponentQuery::default() })
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].component.group.as_deref(), Some("@scope2"));
}
