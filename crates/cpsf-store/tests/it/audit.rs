//! The audit log, `meta` settings and the webhook delivery queue.

use serde_json::json;
use time::macros::datetime;

use crate::harness::TestStore;

pub fn audit_entries_are_listed_newest_first(t: &TestStore) {
    let at = datetime!(2026-05-01 08:00:00.000001 UTC);
    for i in 0..5 {
        t.audit(at, "alice", "login", &format!("user:alice#{i}"), &json!({ "n": i, "ip": "127.0.0.1" })).unwrap();
    }
    let entries = t.list_audit(2, 0).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].target, "user:alice#4");
    assert_eq!(entries[0].detail, json!({ "n": 4, "ip": "127.0.0.1" }));
    assert_eq!(entries[0].at, at);
    assert_eq!((entries[0].who.as_str(), entries[0].action.as_str()), ("alice", "login"));
    let page: Vec<String> = t.list_audit(2, 3).unwrap().into_iter().map(|e| e.target).collect();
    assert_eq!(page, ["user:alice#1", "user:alice#0"]);
    assert!(t.list_audit(10, 5).unwrap().is_empty());
}

pub fn meta_and_webhook_queue(t: &TestStore) {
    assert_eq!(t.meta("advisories").unwrap(), None);
    t.set_meta("advisories", "2026-05-01").unwrap();
    t.set_meta("advisories", "2026-05-02").unwrap();
    assert_eq!(t.meta("advisories").unwrap().as_deref(), Some("2026-05-02"));

    let t0 = datetime!(2026-05-01 00:00 UTC);
    let t1 = datetime!(2026-05-01 00:01 UTC);
    let t2 = datetime!(2026-05-01 00:05 UTC);
    let a = t.enqueue_webhook("findings.changed", r#"{"new":1}"#, t0).unwrap();
    let b = t.enqueue_webhook("findings.changed", r#"{"new":2}"#, t1).unwrap();
    let due: Vec<i64> = t.due_webhooks(t1, 10).unwrap().iter().map(|d| d.id).collect();
    assert_eq!(due, [a, b]);
    // a fails and is due again at t2; b is delivered.
    t.webhook_attempted(a, t1, Some("connection refused"), Some(t2)).unwrap();
    t.webhook_attempted(b, t1, None, None).unwrap();
    assert!(t.due_webhooks(t1, 10).unwrap().is_empty());
    let again = t.due_webhooks(t2, 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (a, 1));
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));
    assert_eq!(again[0].payload, r#"{"new":1}"#);
    // Given up: not due any more.
    t.webhook_attempted(a, t2, Some("still refused"), None).unwrap();
    assert!(t.due_webhooks(datetime!(2027-01-01 00:00 UTC), 10).unwrap().is_empty());
    assert!(t.webhook_attempted(a + b + 100, t2, None, None).is_err());
}
