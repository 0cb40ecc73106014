//! The team server's store: products, versions, SBOMs, components, findings and their triage, users, API tokens
//! and the audit log, on SQLite (one file, the default) or PostgreSQL (for several servers sharing one database).
//!
//! [`Store`] is synchronous and `Send + Sync`: share it in an `Arc` and call it from blocking threads. Every
//! operation is one transaction. Writes done for a user take a `who` and add their audit entry in the same
//! transaction (the method documentation names the action); the exceptions say so.
//!
//! The operations live by domain noun: [`users`] (users, tokens, product access), [`catalog`] (products,
//! versions, SBOM ingest, components, portfolio search), [`findings`] (reconciling match results, listing,
//! triage), [`audit`] (the audit log, settings, the webhook queue), [`assessments`] (assessments, evidence files,
//! supplier questionnaires and the facts automatic evidence reads), [`plant`] (factory systems: each site's plant
//! document, captures and their discovery summaries, device advisories and the findings they give on assets).

pub mod assessments;
pub mod audit;
pub mod catalog;
mod db;
mod error;
pub mod findings;
mod migrations;
pub mod plant;
mod postgres;
pub mod sessions;
mod sqlite;
mod time_util;
pub mod users;

use std::path::{Path, PathBuf};

pub use assessments::{
    EvidenceFileInfo, Invite, LatestSbom, NewAssessment, NewEvidenceFile, OpenFindingFact, Questionnaire,
    StoredAssessment, Submission, SupplierRow,
};
pub use audit::{AuditEntry, WebhookDelivery};
pub use catalog::{
    ComponentHit, ComponentQuery, CurrentSbom, Edge, Ingested, NewSbom, Product, ProductSummary, SbomInfo,
    StoredComponent, VersionInfo, VersionSummary,
};
pub use error::StoreError;
pub use findings::{
    Analysis, AnalysisEntry, AnalysisState, FindingChanges, FindingFilter, FindingStatus, Justification, NewFinding,
    Response, Severity, SeverityCounts, StateFilter, StoredFinding,
};
pub use plant::{
    AssetFindingChanges, AssetFindingFilter, CaptureInfo, DeviceAdvisory, NewAssetFinding, NewCapture,
    NewDeviceAdvisory, StoredAssetFinding, StoredPlant,
};
pub use sessions::Session;
pub use users::{ApiToken, ProductAccess, Role, TokenAuth, User};

use db::Db;

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file; its parent directories are created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:port/database`).
    Postgres(String),
}

impl Location {
    /// Choose the backend from the scheme: `postgres://` and `postgresql://` URLs are PostgreSQL;
    /// `sqlite://PATH` and a plain path are a SQLite file.
    pub fn parse(s: &str) -> Result<Location, StoreError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(StoreError::invalid("empty database location"));
        }
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Location::Postgres(s.to_owned()));
        }
        if let Some(path) = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::invalid(format!("{s:?}: no SQLite file path after the scheme")));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            return Err(StoreError::invalid(format!(
                "{s:?}: unknown database scheme {scheme:?} (use postgres://, postgresql://, sqlite:// or a file path)"
            )));
        }
        Ok(Location::Sqlite(PathBuf::from(s)))
    }

    /// The location with any password left out, for messages and logs.
    pub fn display_name(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => postgres::without_password(url),
        }
    }
}

/// The store. Open it once and share it (`Arc<Store>`); it keeps its own connections.
pub struct Store {
    backend: Backend,
    /// Where it lives, for messages and evidence records (no password).
    name: String,
}

enum Backend {
    Sqlite(sqlite::SqliteBackend),
    Postgres(postgres::PgBackend),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend_name()).finish_non_exhaustive()
    }
}

impl Store {
    /// Open the store at `location`, creating it if needed, and apply the migrations it lacks (in one
    /// transaction). Fails with [`StoreError::SchemaTooNew`] when a newer cpsf has migrated it further.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        let backend = match location {
            Location::Sqlite(path) => Backend::Sqlite(sqlite::SqliteBackend::open(path)?),
            Location::Postgres(url) => Backend::Postgres(postgres::PgBackend::open(url)?),
        };
        let name = match location {
            Location::Sqlite(path) => format!("sqlite:{}", path.display()),
            Location::Postgres(_) => location.display_name(),
        };
        Ok(Store { backend, name })
    }

    /// Where the store lives, without any password: `sqlite:/path/to/server.db` or `postgres://user@host/db`
    /// (what automatic evidence names as its data).
    pub fn display_name(&self) -> &str {
        &self.name
    }

    /// Open a SQLite store at `path` (shorthand for [`Store::open`]).
    pub fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        Store::open(&Location::Sqlite(path.to_owned()))
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The schema version the database is at (the highest applied migration).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|db| db.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?.int(0))
    }

    /// The schema version this build migrates to.
    pub fn known_schema_version() -> i64 {
        migrations::latest(sqlite::MIGRATIONS)
    }

    /// Run `f` in one write transaction; it commits only if `f` succeeds. On PostgreSQL `f` may run a second
    /// time when the connection broke before the commit, so it must not have effects outside the transaction.
    fn write<T>(&self, mut f: impl FnMut(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.write(|db| f(db)),
            Backend::Postgres(b) => b.write(f),
        }
    }

    /// Run `f` in one read-only transaction (one consistent snapshot).
    fn read<T>(&self, mut f: impl FnMut(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.read(|db| f(db)),
            Backend::Postgres(b) => b.read(f),
        }
    }
}

/// Reject an empty or control-character name before it reaches the database.
pub(crate) fn check_name(kind: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(format!("{kind} name is empty")));
    }
    if value.chars().any(char::is_control) {
        return Err(StoreError::invalid(format!("{kind} name {value:?} contains control characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Location;
    use std::path::PathBuf;

    #[test]
    fn location_is_chosen_by_scheme() {
        assert_eq!(Location::parse("postgres://u@h/db").ok(), Some(Location::Postgres("postgres://u@h/db".into())));
        assert_eq!(Location::parse("postgresql://h/db").ok(), Some(Location::Postgres("postgresql://h/db".into())));
        assert_eq!(
            Location::parse("sqlite:///var/lib/cpsf/store.db").ok(),
            Some(Location::Sqlite(PathBuf::from("/var/lib/cpsf/store.db")))
        );
        assert_eq!(Location::parse("data/store.db").ok(), Some(Location::Sqlite(PathBuf::from("data/store.db"))));
        assert!(Location::parse("mysql://h/db").is_err());
        assert!(Location::parse("sqlite://").is_err());
        assert!(Location::parse("  ").is_err());
    }
}
