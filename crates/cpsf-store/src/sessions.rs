//! Web sessions: a browser's login, kept in the store (so every server behind a load balancer knows it) under the
//! SHA-256 of its cookie value, with the CSRF token its forms must carry and an expiry.

use time::OffsetDateTime;

use crate::users::User;
use crate::{Store, StoreError, time_util};

/// A live session with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// The token every form of this session must send back.
    pub csrf: String,
    pub expires: OffsetDateTime,
}

impl Store {
    /// Start a session for `user` (its cookie value's SHA-256 hex is `id_hash`). Audited as `session.login`.
    pub fn create_session(
        &self,
        user: &str,
        id_hash: &str,
        csrf: &str,
        expires: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let now = time_util::now();
        let expires = time_util::normalize(expires);
        self.write(|db| {
            let Some(row) = db.query_opt("SELECT id FROM users WHERE name = $1 AND NOT disabled", &[user.into()])?
            else {
                return Err(StoreError::not_found(format!("enabled user {user:?}")));
            };
            let user_id = row.int(0)?;
            db.execute("DELETE FROM sessions WHERE expires <= $1", &[now.into()])?;
            db.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf, created, expires) VALUES ($1, $2, $3, $4, $5)",
                &[id_hash.into(), user_id.into(), csrf.into(), now.into(), expires.into()],
            )?;
            crate::audit::record(db, now, user, "session.login", &format!("user:{user}"), &serde_json::json!({}))?;
            Ok(())
        })
    }

    /// The session whose cookie hashes to `id_hash`, if it has not expired and its user is enabled.
    pub fn session(&self, id_hash: &str, now: OffsetDateTime) -> Result<Option<Session>, StoreError> {
        let now = time_util::normalize(now);
        self.read(|db| {
            let sql = format!(
                "SELECT {}, s.csrf, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = $1 AND s.expires > $2 AND NOT u.disabled",
                crate::users::USER_COLUMNS
            );
            let Some(row) = db.query_opt(&sql, &[id_hash.into(), now.into()])? else { return Ok(None) };
            Ok(Some(Session { user: crate::users::user(&row, 0)?, csrf: row.text(6)?, expires: row.time(7)? }))
        })
    }

    /// End a session (log out). Not an error when it is already gone.
    pub fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute("DELETE FROM sessions WHERE id_hash = $1", &[id_hash.into()])?;
            Ok(())
        })
    }
}
