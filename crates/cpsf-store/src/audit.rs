//! The audit log (who did what to what, when), the `meta` key/value settings, and the webhook delivery queue.

use serde_json::Value as Json;
use time::OffsetDateTime;

use crate::db::{Db, Row, Value};
use crate::{Store, StoreError, time_util};

/// One audit log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: OffsetDateTime,
    /// The user name, `token:<label>`, or a system actor such as `system`.
    pub who: String,
    /// A stable dotted name: `user.add`, `sbom.upload`, `finding.triage`, ...
    pub action: String,
    /// What was acted on, e.g. `user:alice`, `product:web/1.2.0`, `finding:42`.
    pub target: String,
    /// Details as a JSON object.
    pub detail: Json,
}

/// A queued webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The event name, e.g. `findings.changed`.
    pub event: String,
    /// The JSON body to POST.
    pub payload: String,
    pub created: OffsetDateTime,
    /// Attempts made so far.
    pub attempts: i64,
    pub next_attempt: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

/// Append an audit entry inside the caller's transaction.
pub(crate) fn record(
    db: &mut dyn Db,
    at: OffsetDateTime,
    who: &str,
    action: &str,
    target: &str,
    detail: &Json,
) -> Result<i64, StoreError> {
    let row = db.query_one(
        "INSERT INTO audit_log (at, who, action, target, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[at.into(), who.into(), action.into(), target.into(), detail.to_string().into()],
    )?;
    row.int(0)
}

fn audit_entry(row: &Row) -> Result<AuditEntry, StoreError> {
    let detail_text = row.text(5)?;
    let detail = serde_json::from_str(&detail_text)
        .map_err(|e| StoreError::invalid(format!("audit entry detail {detail_text:?}: {e}")))?;
    Ok(AuditEntry {
        id: row.int(0)?,
        at: row.time(1)?,
        who: row.text(2)?,
        action: row.text(3)?,
        target: row.text(4)?,
        detail,
    })
}

const WEBHOOK_COLUMNS: &str = "id, event, payload, created, attempts, next_attempt, delivered_at, last_error";

fn webhook(row: &Row) -> Result<WebhookDelivery, StoreError> {
    Ok(WebhookDelivery {
        id: row.int(0)?,
        event: row.text(1)?,
        payload: row.text(2)?,
        created: row.time(3)?,
        attempts: row.int(4)?,
        next_attempt: row.time(5)?,
        delivered_at: row.opt_time(6)?,
        last_error: row.opt_text(7)?,
    })
}

impl Store {
    /// Append an entry to the audit log on its own (for events that change nothing else in the store, such as a
    /// login or a failed login). Its id.
    pub fn audit(
        &self,
        at: OffsetDateTime,
        who: &str,
        action: &str,
        target: &str,
        detail: &Json,
    ) -> Result<i64, StoreError> {
        self.write(|db| record(db, at, who, action, target, detail))
    }

    /// Audit entries, newest first.
    pub fn list_audit(&self, limit: u32, offset: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT id, at, who, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2",
                &[i64::from(limit).into(), i64::from(offset).into()],
            )?
            .iter()
            .map(audit_entry)
            .collect()
        })
    }

    /// A setting from the `meta` table (e.g. the advisory data version last matched).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            db.query_opt("SELECT value FROM meta WHERE key = $1", &[key.into()])?.map(|r| r.text(0)).transpose()
        })
    }

    /// Set a `meta` value (not audited: settings are the server's bookkeeping).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[key.into(), value.into()],
            )?;
            Ok(())
        })
    }

    /// Queue a webhook delivery, due at `at`. Its id.
    pub fn enqueue_webhook(&self, event: &str, payload: &str, at: OffsetDateTime) -> Result<i64, StoreError> {
        self.write(|db| {
            db.query_one(
                "INSERT INTO webhook_deliveries (event, payload, created, next_attempt) VALUES ($1, $2, $3, $3) RETURNING id",
                &[event.into(), payload.into(), at.into()],
            )?
            .int(0)
        })
    }

    /// Undelivered webhooks whose next attempt is due at `now`, oldest first.
    pub fn due_webhooks(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<WebhookDelivery>, StoreError> {
        self.read(|db| {
            db.query(
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhook_deliveries
                     WHERE delivered_at IS NULL AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2"
                ),
                &[now.into(), i64::from(limit).into()],
            )?
            .iter()
            .map(webhook)
            .collect()
        })
    }

    /// Record an attempt: delivered at `at` when `error` is `None`, else failed and due again at `retry_at`
    /// (`None`: give up, marking it delivered-with-error so it is not retried).
    pub fn webhook_attempted(
        &self,
        id: i64,
        at: OffsetDateTime,
        error: Option<&str>,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        self.write(|db| {
            let delivered_at = match (error, retry_at) {
                (Some(_), Some(_)) => None,
                _ => Some(at),
            };
            let changed = db.execute(
                "UPDATE webhook_deliveries
                 SET attempts = attempts + 1, last_error = $2, delivered_at = $3, next_attempt = $4
                 WHERE id = $1",
                &[id.into(), error.into(), delivered_at.into(), retry_at.unwrap_or(at).into()],
            )?;
            if changed == 0 {
                return Err(StoreError::not_found(format!("webhook delivery {id}")));
            }
            Ok(())
        })
    }

    /// The time now as the store records it (UTC, whole microseconds).
    pub fn now() -> OffsetDateTime {
        time_util::now()
    }
}

/// A JSON array of strings, as the store keeps lists in text columns.
pub(crate) fn list_text(items: &[String]) -> Value {
    Value::Text(serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned()))
}
