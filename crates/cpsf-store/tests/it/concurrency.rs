//! Concurrency: parallel uploads lose nothing; one store is shared by threads; broken connections are replaced.

use std::sync::Arc;
use std::thread;

use cpsf_store::{ComponentQuery, FindingFilter, Severity, Store};
use time::macros::datetime;

use crate::fixtures::{component, finding, sbom};
use crate::harness::TestStore;

pub fn concurrent_ingests_lose_nothing(t: &TestStore) {
    // 4 threads x 6 uploads: each to its own version, plus one version all threads upload to, all with
    // auto-create of the same product racing.
    thread::scope(|s| {
        for thread in 0..4 {
            s.spawn(move || {
                for i in 0..6 {
                    let components = (0..40)
                        .map(|c| component(&format!("pkg:cargo/crate-{thread}-{i}-{c}@1.0.{c}")))
                        .collect::<Vec<_>>();
                    let version = if i % 2 == 0 { format!("{thread}.{i}") } else { "shared".to_owned() };
                    t.ingest_sbom("race", &version, &sbom(components), &format!("worker-{thread}"), true).unwrap();
                }
            });
        }
    });
    let products = t.list_products().unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].versions.len(), 13, "12 own versions and the shared one");
    let shared = t.version_by_names("race", "shared").unwrap().unwrap();
    let sboms = t.list_sboms(shared.id).unwrap();
    assert_eq!(sboms.len(), 12);
    assert_eq!(shared.current_sbom_id, Some(sboms[0].id), "the last upload is the current one");
    let mut stored_components = 0;
    for p in &products[0].versions {
        for s in t.list_sboms(p.version.id).unwrap() {
            stored_components += t.components_of_sbom(s.id).unwrap().len();
        }
    }
    assert_eq!(stored_components, 24 * 40);
    let uploads = t.list_audit(1000, 0).unwrap().into_iter().filter(|e| e.action == "sbom.upload").count();
    assert_eq!(uploads, 24);
    let creates = t.list_audit(1000, 0).unwrap().into_iter().filter(|e| e.action == "product.create").count();
    assert_eq!(creates, 1, "the product was created once");
}

pub fn a_store_is_shared_across_threads(t: &TestStore) {
    // The server's shape: one Arc<Store>, readers and writers at once.
    let store = Arc::new(t.reopen().unwrap());
    let version = store.ingest_sbom("shop", "1.0", &sbom(vec![component("pkg:npm/a@1.0.0")]), "ci", true).unwrap();
    let mut handles = Vec::new();
    for n in 0..4 {
        let store = Arc::clone(&store);
        handles.push(thread::spawn(move || {
            for i in 0..10 {
                if n == 0 {
                    let at = datetime!(2026-06-01 00:00 UTC) + time::Duration::minutes(i);
                    let found =
                        if i % 2 == 0 { vec![finding("pkg:npm/a@1.0.0", "CVE-1", Severity::High)] } else { vec![] };
                    store.record_findings(version.version_id, &found, at).unwrap();
                } else {
                    let hits = store
                        .search_components(&ComponentQuery { name: Some("a".into()), ..ComponentQuery::default() })
                        .unwrap();
                    assert_eq!(hits.len(), 1);
                    store.list_findings(&FindingFilter::default()).unwrap();
                }
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    // The last run (i = 9) found nothing: the finding is fixed.
    assert_eq!(store.count_findings(&FindingFilter::default()).unwrap(), 0);
    assert_eq!(
        store
            .count_findings(&FindingFilter { status: cpsf_store::FindingStatus::Any, ..FindingFilter::default() })
            .unwrap(),
        1
    );
}

fn assert_send_sync<T: Send + Sync>() {}

/// PostgreSQL only: cut every connection of the test database, then the store still answers.
pub fn broken_connections_are_replaced(t: &TestStore) {
    assert_send_sync::<Store>();
    t.ensure_product("before", "admin").unwrap();
    let cpsf_store::Location::Postgres(url) = &t.location else { return };
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(killed >= 1, "the store had a connection open");
    // Reads and writes go on, on a new connection.
    assert!(t.product_by_name("before").unwrap().is_some());
    t.ensure_product("after", "admin").unwrap();
    assert_eq!(t.list_products().unwrap().len(), 2);
}
