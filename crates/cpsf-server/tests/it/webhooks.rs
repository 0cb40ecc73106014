//! Webhook delivery against a receiver on 127.0.0.1 that fails at first: the failure is recorded and retried
//! later with backoff, the retry succeeds, and a delivered webhook is not sent again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use cpsf_server::serve::{WebhookTarget, deliver_webhooks_at};
use cpsf_store::Store;
use time::OffsetDateTime;

/// A receiver answering each request with the next status of `statuses` (200 once they run out); returns its URL
/// and the bodies received.
fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&bodies);
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && !line.trim().is_empty() {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            seen.lock().unwrap().push(String::from_utf8_lossy(&body).into_owned());
            let status = statuses.next().unwrap_or(200);
            let _ = write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, bodies)
}

#[test]
fn failed_deliveries_are_retried_with_backoff() {
    let dir = std::env::temp_dir().join(format!("cpsf-server-webhooks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open_sqlite(&dir.join("store.db")).unwrap();
    let (url, bodies) = receiver(vec![500]);
    let target = WebhookTarget { url, secret: "s".into() };
    let t0 = OffsetDateTime::now_utc();
    store.enqueue_webhook("findings.changed", "{\"n\":1}", t0).unwrap();

    assert_eq!(deliver_webhooks_at(&store, &target, t0).unwrap(), 0, "the receiver failed");
    let pending = store.due_webhooks(t0 + time::Duration::hours(1), 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert!(pending[0].last_error.as_deref().unwrap_or_default().contains("500"), "{:?}", pending[0].last_error);
    assert!(pending[0].next_attempt > t0, "retried later, not at once");
    assert!(store.due_webhooks(t0, 10).unwrap().is_empty(), "not due again immediately");

    let later = pending[0].next_attempt;
    assert_eq!(deliver_webhooks_at(&store, &target, later).unwrap(), 1, "the retry is delivered");
    assert!(store.due_webhooks(later + time::Duration::days(1), 10).unwrap().is_empty(), "delivered once");
    assert_eq!(*bodies.lock().unwrap(), ["{\"n\":1}", "{\"n\":1}"]);
    let _ = std::fs::remove_dir_all(&dir);
}
