//! Migrations: applied once, idempotent on reopening, and a newer schema refused.

use cpsf_store::{Location, Role, Store, StoreError};

use crate::harness::TestStore;

pub fn migrations_are_applied_once(t: &TestStore) {
    assert_eq!(t.schema_version().unwrap(), Store::known_schema_version());
    assert!(Store::known_schema_version() >= 1);
    t.add_user("alice", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Role::Admin, "test").unwrap();
    // Opening again (a restart, or a second server) applies nothing and keeps the data.
    let again = t.reopen().unwrap();
    assert_eq!(again.schema_version().unwrap(), Store::known_schema_version());
    assert!(again.user_by_name("alice").unwrap().is_some());
    let third = t.reopen().unwrap();
    assert_eq!(third.list_users().unwrap().len(), 1);
    // A SQLite file holds password hashes: only its owner may read it.
    #[cfg(unix)]
    if let cpsf_store::Location::Sqlite(path) = &t.location {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

pub fn a_newer_schema_is_refused(t: &TestStore) {
    let known = Store::known_schema_version();
    t.execute_raw(&format!(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'from-the-future', '2099-01-01T00:00:00.000000Z')",
        known + 998
    ));
    match t.reopen() {
        Err(StoreError::SchemaTooNew { found, known: k }) => {
            assert_eq!(found, known + 998);
            assert_eq!(k, known);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    let message = t.reopen().unwrap_err().to_string();
    assert!(message.contains("newer"), "{message}");
}

/// Four servers open one new database at once: all succeed and the schema is migrated once.
pub fn concurrent_opens_migrate_once(location: Location) {
    let stores: Vec<Store> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| Store::open(&location))).collect();
        handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect()
    });
    for (i, store) in stores.iter().enumerate() {
        assert_eq!(store.schema_version().unwrap(), Store::known_schema_version());
        store.ensure_product(&format!("p{i}"), "test").unwrap();
    }
    assert_eq!(stores[0].list_products().unwrap().len(), 4);
    let applied = match &location {
        Location::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        Location::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
            .unwrap()
            .query_one("SELECT COUNT(*) FROM schema_migrations", &[])
            .unwrap()
            .get::<_, i64>(0),
    };
    assert_eq!(applied, Store::known_schema_version());
}
