//! `StoreError`: the one error type of the store; each message names what failed.

use std::path::PathBuf;

/// Anything the store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named thing does not exist (a product, a version, a user, a finding...).
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The write would break a uniqueness rule (a user name taken, a duplicate `bom-ref` in one SBOM...).
    #[error("conflict: {what}")]
    Conflict { what: String },
    /// The database was migrated by a newer cpsf than this one.
    #[error(
        "the database schema is version {found}, newer than the {known} this cpsf knows; upgrade cpsf or use another database"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// A value given to the store, or read from it, is not acceptable.
    #[error("invalid: {what}")]
    Invalid { what: String },
    /// SQLite failed.
    #[error("SQLite: {context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    /// PostgreSQL failed (or could not be reached).
    #[error("PostgreSQL: {context}: {source}")]
    Postgres {
        context: String,
        #[source]
        source: postgres::Error,
    },
    /// The database's directory could not be created.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// If this is a [`StoreError::Conflict`], replace its description with a better one (the operation knows
    /// what the unique key means; the database only knows its index).
    pub(crate) fn conflict_as(self, what: impl FnOnce() -> String) -> StoreError {
        match self {
            StoreError::Conflict { .. } => StoreError::Conflict { what: what() },
            other => other,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>) -> StoreError {
        StoreError::Invalid { what: what.into() }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> StoreError {
        StoreError::NotFound { what: what.into() }
    }
}
