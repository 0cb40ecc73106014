//! Users, API tokens and per-product access. The store never sees a password or a token: callers pass an
//! Argon2id PHC string and the SHA-256 hex of a token.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::record;
use crate::db::{Db, Row};
use crate::{Store, StoreError, check_name, time_util};

/// What a user or token may do. Orders `Viewer < Editor < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything they have access to.
    Viewer,
    /// Also upload SBOMs and triage findings.
    Editor,
    /// Also manage users, tokens and access.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(StoreError::invalid(format!("role {s:?} (expected admin, editor or viewer)"))),
        }
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    /// The Argon2id PHC string the caller stored.
    pub password_hash: String,
    pub role: Role,
    pub created: OffsetDateTime,
    pub disabled: bool,
}

/// An API token (its hash is never returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    /// The token's own role; what it may do is the lesser of this and its user's role ([`TokenAuth::role`]).
    pub role: Role,
    pub label: String,
    /// The first characters of the token, to recognize it in a list.
    pub prefix: String,
    pub created: OffsetDateTime,
    pub last_used: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A token accepted by [`Store::token_by_hash`], with its (enabled) user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenAuth {
    pub token: ApiToken,
    pub user: User,
}

impl TokenAuth {
    /// What the request may do: the lesser of the token's and the user's role.
    pub fn role(&self) -> Role {
        self.token.role.min(self.user.role)
    }
}

/// A user's role on one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAccess {
    pub user_id: i64,
    pub user_name: String,
    pub product_id: i64,
    pub product_name: String,
    pub role: Role,
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.name, u.password_hash, u.role, u.created, u.disabled";
const TOKEN_COLUMNS: &str = "t.id, t.user_id, u.name, t.role, t.label, t.prefix, t.created, t.last_used, t.revoked_at";

pub(crate) fn user(row: &Row, at: usize) -> Result<User, StoreError> {
    Ok(User {
        id: row.int(at)?,
        name: row.text(at + 1)?,
        password_hash: row.text(at + 2)?,
        role: row.text(at + 3)?.parse()?,
        created: row.time(at + 4)?,
        disabled: row.bool(at + 5)?,
    })
}

fn token(row: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.int(0)?,
        user_id: row.int(1)?,
        user_name: row.text(2)?,
        role: row.text(3)?.parse()?,
        label: row.text(4)?,
        prefix: row.text(5)?,
        created: row.time(6)?,
        last_used: row.opt_time(7)?,
        revoked_at: row.opt_time(8)?,
    })
}

/// The user named `name`, inside a transaction.
fn find_user(db: &mut dyn Db, name: &str) -> Result<Option<User>, StoreError> {
    db.query_opt(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = $1"), &[name.into()])?
        .map(|r| user(&r, 0))
        .transpose()
}

fn require_user(db: &mut dyn Db, name: &str) -> Result<User, StoreError> {
    find_user(db, name)?.ok_or_else(|| StoreError::not_found(format!("user {name:?}")))
}

fn require_product(db: &mut dyn Db, name: &str) -> Result<i64, StoreError> {
    db.query_opt("SELECT id FROM products WHERE name = $1", &[name.into()])?
        .ok_or_else(|| StoreError::not_found(format!("product {name:?}")))?
        .int(0)
}

impl Store {
    /// Create a user. Audited as `user.add`. [`StoreError::Conflict`] when the name is taken.
    pub fn add_user(&self, name: &str, password_hash: &str, role: Role, who: &str) -> Result<User, StoreError> {
        check_name("user", name)?;
        if password_hash.is_empty() {
            return Err(StoreError::invalid(format!("user {name:?}: empty password hash")));
        }
        let created = time_util::now();
        self.write(|db| {
            let id = db
                .query_one(
                    "INSERT INTO users (name, password_hash, role, created) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[name.into(), password_hash.into(), role.as_str().into(), created.into()],
                )
                .map_err(|e| e.conflict_as(|| format!("user {name:?} already exists")))?
                .int(0)?;
            record(db, created, who, "user.add", &format!("user:{name}"), &json!({ "role": role }))?;
            Ok(User {
                id,
                name: name.to_owned(),
                password_hash: password_hash.to_owned(),
                role,
                created,
                disabled: false,
            })
        })
    }

    /// The user named `name`.
    pub fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.read(|db| find_user(db, name))
    }

    /// The user with id `id` (sessions keep the id).
    pub fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.read(|db| {
            db.query_opt(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"), &[id.into()])?
                .map(|r| user(&r, 0))
                .transpose()
        })
    }

    /// Every user, by name.
    pub fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.read(|db| {
            db.query(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name"), &[])?
                .iter()
                .map(|r| user(r, 0))
                .collect()
        })
    }

    /// Change a user's role. Audited as `user.role`.
    pub fn set_role(&self, name: &str, role: Role, who: &str) -> Result<(), StoreError> {
        self.update_user(name, "role = $2", role.as_str().into(), who, "user.role", json!({ "role": role }))
    }

    /// Disable (or enable again) a user: a disabled user cannot log in and their tokens are refused.
    /// Audited as `user.disable` or `user.enable`.
    pub fn set_disabled(&self, name: &str, disabled: bool, who: &str) -> Result<(), StoreError> {
        let action = if disabled { "user.disable" } else { "user.enable" };
        self.update_user(name, "disabled = $2", disabled.into(), who, action, json!({}))
    }

    /// Replace a user's password hash. Audited as `user.password`.
    pub fn set_password_hash(&self, name: &str, password_hash: &str, who: &str) -> Result<(), StoreError> {
        if password_hash.is_empty() {
            return Err(StoreError::invalid(format!("user {name:?}: empty password hash")));
        }
        self.update_user(name, "password_hash = $2", password_hash.into(), who, "user.password", json!({}))
    }

    fn update_user(
        &self,
        name: &str,
        set: &str,
        value: crate::db::Value,
        who: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let at = time_util::now();
        self.write(|db| {
            let changed =
                db.execute(&format!("UPDATE users SET {set} WHERE name = $1"), &[name.into(), value.clone()])?;
            if changed == 0 {
                return Err(StoreError::not_found(format!("user {name:?}")));
            }
            record(db, at, who, action, &format!("user:{name}"), &detail)?;
            Ok(())
        })
    }

    /// Store a new API token for `user`: `token_hash` is the SHA-256 hex of the token, `prefix` its first
    /// characters for display. A token's role may not exceed its user's. Audited as `token.create`.
    pub fn add_token(
        &self,
        user: &str,
        role: Role,
        label: &str,
        token_hash: &str,
        prefix: &str,
        who: &str,
    ) -> Result<ApiToken, StoreError> {
        if token_hash.len() != 64 || !token_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::invalid("token hash: expected 64 hexadecimal digits (SHA-256)"));
        }
        let token_hash = token_hash.to_ascii_lowercase();
        let created = time_util::now();
        self.write(|db| {
            let owner = require_user(db, user)?;
            if role > owner.role {
                return Err(StoreError::invalid(format!(
                    "a {role} token for user {user:?}, whose role is only {}",
                    owner.role
                )));
            }
            let id = db
                .query_one(
                    "INSERT INTO api_tokens (user_id, role, label, token_hash, prefix, created)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[
                        owner.id.into(),
                        role.as_str().into(),
                        label.into(),
                        token_hash.as_str().into(),
                        prefix.into(),
                        created.into(),
                    ],
                )
                .map_err(|e| e.conflict_as(|| "a token with this hash already exists".to_owned()))?
                .int(0)?;
            record(
                db,
                created,
                who,
                "token.create",
                &format!("token:{id}"),
                &json!({ "user": user, "role": role, "label": label, "prefix": prefix }),
            )?;
            Ok(ApiToken {
                id,
                user_id: owner.id,
                user_name: owner.name.clone(),
                role,
                label: label.to_owned(),
                prefix: prefix.to_owned(),
                created,
                last_used: None,
                revoked_at: None,
            })
        })
    }

    /// The token whose SHA-256 hex is `token_hash`, with its user; `None` when there is none, it was revoked, or
    /// its user is disabled.
    pub fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenAuth>, StoreError> {
        let token_hash = token_hash.to_ascii_lowercase();
        self.read(|db| {
            let sql = format!(
                "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled"
            );
            let Some(row) = db.query_opt(&sql, &[token_hash.as_str().into()])? else { return Ok(None) };
            Ok(Some(TokenAuth { token: token(&row)?, user: user(&row, 9)? }))
        })
    }

    /// Record that a token was used at `at`. Not audited (it happens on every API request).
    pub fn touch_token(&self, id: i64, at: OffsetDateTime) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute("UPDATE api_tokens SET last_used = $2 WHERE id = $1", &[id.into(), at.into()])?;
            Ok(())
        })
    }

    /// Tokens, of one user or of all, revoked ones included, newest first.
    pub fn list_tokens(&self, user: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
        self.read(|db| {
            let base = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id");
            let rows = match user {
                Some(name) => db.query(&format!("{base} WHERE u.name = $1 ORDER BY t.id DESC"), &[name.into()])?,
                None => db.query(&format!("{base} ORDER BY t.id DESC"), &[])?,
            };
            rows.iter().map(token).collect()
        })
    }

    /// Revoke a token; it is kept (for the record) but never accepted again. Audited as `token.revoke`.
    pub fn revoke_token(&self, id: i64, who: &str) -> Result<(), StoreError> {
        let at = time_util::now();
        self.write(|db| {
            let changed = db.execute(
                "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[id.into(), at.into()],
            )?;
            if changed == 0 {
                return Err(StoreError::not_found(format!("unrevoked token {id}")));
            }
            record(db, at, who, "token.revoke", &format!("token:{id}"), &json!({}))?;
            Ok(())
        })
    }

    /// Give `user` `role` on `product` (replacing any role they had there). Audited as `access.grant`.
    pub fn grant_access(&self, user: &str, product: &str, role: Role, who: &str) -> Result<(), StoreError> {
        let at = time_util::now();
        self.write(|db| {
            let user_id = require_user(db, user)?.id;
            let product_id = require_product(db, product)?;
            db.execute(
                "INSERT INTO product_access (user_id, product_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, product_id) DO UPDATE SET role = excluded.role",
                &[user_id.into(), product_id.into(), role.as_str().into()],
            )?;
            record(db, at, who, "access.grant", &format!("user:{user}"), &json!({ "product": product, "role": role }))?;
            Ok(())
        })
    }

    /// Take away `user`'s access to `product`. Audited as `access.revoke`; [`StoreError::NotFound`] when they had none.
    pub fn revoke_access(&self, user: &str, product: &str, who: &str) -> Result<(), StoreError> {
        let at = time_util::now();
        self.write(|db| {
            let user_id = require_user(db, user)?.id;
            let product_id = require_product(db, product)?;
            let changed = db.execute(
                "DELETE FROM product_access WHERE user_id = $1 AND product_id = $2",
                &[user_id.into(), product_id.into()],
            )?;
            if changed == 0 {
                return Err(StoreError::not_found(format!("access of user {user:?} to product {product:?}")));
            }
            record(db, at, who, "access.revoke", &format!("user:{user}"), &json!({ "product": product }))?;
            Ok(())
        })
    }

    /// The products `user` has been given access to, by product name.
    pub fn access_for_user(&self, user: &str) -> Result<Vec<ProductAccess>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT u.id, u.name, p.id, p.name, a.role FROM product_access a
                 JOIN users u ON u.id = a.user_id JOIN products p ON p.id = a.product_id
                 WHERE u.name = $1 ORDER BY p.name",
                &[user.into()],
            )?
            .iter()
            .map(|r| {
                Ok(ProductAccess {
                    user_id: r.int(0)?,
                    user_name: r.text(1)?,
                    product_id: r.int(2)?,
                    product_name: r.text(3)?,
                    role: r.text(4)?.parse()?,
                })
            })
            .collect()
        })
    }
}
