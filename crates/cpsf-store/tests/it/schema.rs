//! Migrations: applied once, idempotent on reopening, and a newer schema refused.

use cpsf_store::{Role, Store, StoreError};

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
