//! Users, API tokens and per-product access.

use cpsf_store::{Role, StoreError};
use time::macros::datetime;

use crate::fixtures::small_app;
use crate::harness::TestStore;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

fn token_hash(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

pub fn users_and_roles(t: &TestStore) {
    let alice = t.add_user("alice", HASH, Role::Admin, "cli").unwrap();
    assert_eq!((alice.name.as_str(), alice.role, alice.disabled), ("alice", Role::Admin, false));
    t.add_user("bob", HASH, Role::Viewer, "alice").unwrap();
    match t.add_user("alice", HASH, Role::Viewer, "cli") {
        Err(StoreError::Conflict { what }) => assert!(what.contains("alice"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert!(matches!(t.add_user("", HASH, Role::Viewer, "cli"), Err(StoreError::Invalid { .. })));
    assert!(matches!(t.add_user("carol", "", Role::Viewer, "cli"), Err(StoreError::Invalid { .. })));

    assert_eq!(t.user_by_name("alice").unwrap().unwrap(), alice);
    assert_eq!(t.user_by_id(alice.id).unwrap().unwrap(), alice);
    assert!(t.user_by_name("nobody").unwrap().is_none());
    t.set_role("bob", Role::Editor, "alice").unwrap();
    t.set_password_hash("bob", "$argon2id$new", "bob").unwrap();
    let bob = t.user_by_name("bob").unwrap().unwrap();
    assert_eq!((bob.role, bob.password_hash.as_str()), (Role::Editor, "$argon2id$new"));
    assert!(matches!(t.set_role("nobody", Role::Admin, "alice"), Err(StoreError::NotFound { .. })));
    let names: Vec<String> = t.list_users().unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["alice", "bob"]);
    let actions: Vec<String> = t.list_audit(10, 0).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["user.password", "user.role", "user.add", "user.add"]);
    assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Admin);
    assert_eq!("editor".parse::<Role>().unwrap(), Role::Editor);
    assert!("root".parse::<Role>().is_err());
}

pub fn tokens_of_disabled_users_are_refused(t: &TestStore) {
    t.add_user("ci", HASH, Role::Editor, "admin").unwrap();
    let token = t.add_token("ci", Role::Editor, "pipeline", &token_hash(1), "cpsf_ab", "admin").unwrap();
    let viewer =
        t.add_token("ci", Role::Viewer, "dashboard", &token_hash(2).to_uppercase(), "cpsf_cd", "admin").unwrap();
    assert_eq!((token.user_name.as_str(), token.role, token.last_used), ("ci", Role::Editor, None));

    let auth = t.token_by_hash(&token_hash(1)).unwrap().unwrap();
    assert_eq!(auth.token, token);
    assert_eq!(auth.user.name, "ci");
    assert_eq!(auth.role(), Role::Editor);
    // Hashes are compared in lower case.
    assert_eq!(t.token_by_hash(&token_hash(2)).unwrap().unwrap().token.id, viewer.id);
    assert!(t.token_by_hash(&token_hash(3)).unwrap().is_none());

    let used = datetime!(2026-04-01 12:00:00.123456 UTC);
    t.touch_token(token.id, used).unwrap();
    assert_eq!(t.token_by_hash(&token_hash(1)).unwrap().unwrap().token.last_used, Some(used));

    // A disabled user's tokens are refused; enabled again, accepted again.
    t.set_disabled("ci", true, "admin").unwrap();
    assert!(t.token_by_hash(&token_hash(1)).unwrap().is_none());
    assert!(t.user_by_name("ci").unwrap().unwrap().disabled);
    t.set_disabled("ci", false, "admin").unwrap();
    assert!(t.token_by_hash(&token_hash(1)).unwrap().is_some());
    // A lowered user role limits what the token may do.
    t.set_role("ci", Role::Viewer, "admin").unwrap();
    assert_eq!(t.token_by_hash(&token_hash(1)).unwrap().unwrap().role(), Role::Viewer);

    // Revoked: refused, but still listed.
    t.revoke_token(token.id, "admin").unwrap();
    assert!(t.token_by_hash(&token_hash(1)).unwrap().is_none());
    assert!(matches!(t.revoke_token(token.id, "admin"), Err(StoreError::NotFound { .. })));
    let listed = t.list_tokens(Some("ci")).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].id, token.id);
    assert!(listed[1].revoked_at.is_some());
    assert!(t.list_tokens(Some("nobody")).unwrap().is_empty());
    assert_eq!(t.list_tokens(None).unwrap().len(), 2);

    // Refused: a role above the user's, a malformed hash, an unknown user, a hash used twice.
    assert!(matches!(
        t.add_token("ci", Role::Admin, "x", &token_hash(4), "p", "admin"),
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(t.add_token("ci", Role::Viewer, "x", "abc", "p", "admin"), Err(StoreError::Invalid { .. })));
    assert!(matches!(
        t.add_token("nobody", Role::Viewer, "x", &token_hash(4), "p", "admin"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        t.add_token("ci", Role::Viewer, "x", &token_hash(2), "p", "admin"),
        Err(StoreError::Conflict { .. })
    ));
    let actions: Vec<String> = t.list_audit(3, 0).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["token.revoke", "user.role", "user.enable"]);
}

pub fn product_access_is_granted_and_revoked(t: &TestStore) {
    t.add_user("dana", HASH, Role::Viewer, "admin").unwrap();
    t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap();
    t.ensure_product("blog", "admin").unwrap();
    t.grant_access("dana", "shop", Role::Viewer, "admin").unwrap();
    t.grant_access("dana", "blog", Role::Viewer, "admin").unwrap();
    t.grant_access("dana", "blog", Role::Editor, "admin").unwrap();
    let access: Vec<(String, Role)> =
        t.access_for_user("dana").unwrap().into_iter().map(|a| (a.product_name, a.role)).collect();
    assert_eq!(access, [("blog".to_owned(), Role::Editor), ("shop".to_owned(), Role::Viewer)]);
    t.revoke_access("dana", "shop", "admin").unwrap();
    assert_eq!(t.access_for_user("dana").unwrap().len(), 1);
    assert!(matches!(t.revoke_access("dana", "shop", "admin"), Err(StoreError::NotFound { .. })));
    assert!(matches!(t.grant_access("dana", "nothing", Role::Viewer, "admin"), Err(StoreError::NotFound { .. })));
    assert!(matches!(t.grant_access("nobody", "shop", Role::Viewer, "admin"), Err(StoreError::NotFound { .. })));
    let actions: Vec<String> = t.list_audit(4, 0).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["access.revoke", "access.grant", "access.grant", "access.grant"]);
}

pub fn sessions_expire_and_end(t: &TestStore) {
    t.add_user("web", HASH, Role::Viewer, "admin").unwrap();
    let now = datetime!(2026-01-01 00:00 UTC);
    let later = datetime!(2026-01-01 08:00 UTC);
    t.create_session("web", &token_hash(7), "csrf-1", later).unwrap();
    let s = t.session(&token_hash(7), now).unwrap().expect("a live session");
    assert_eq!((s.user.name.as_str(), s.csrf.as_str()), ("web", "csrf-1"));
    assert!(t.session(&token_hash(7), later).unwrap().is_none(), "expired at its expiry");
    assert!(t.session(&token_hash(8), now).unwrap().is_none(), "an unknown cookie");
    t.set_disabled("web", true, "admin").unwrap();
    assert!(t.session(&token_hash(7), now).unwrap().is_none(), "a disabled user's session is dead");
    t.set_disabled("web", false, "admin").unwrap();
    t.delete_session(&token_hash(7)).unwrap();
    assert!(t.session(&token_hash(7), now).unwrap().is_none(), "logged out");
    t.delete_session(&token_hash(7)).unwrap();
    assert!(matches!(t.create_session("nobody", &token_hash(9), "c", later), Err(StoreError::NotFound { .. })));
    let actions: Vec<String> = t.list_audit(10, 0).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"session.login".to_owned()), "{actions:?}");
}
