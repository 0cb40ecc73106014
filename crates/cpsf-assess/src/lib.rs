//! Assessments against framework catalogs. An [`Assessment`] applies a catalog to a scope (company, site,
//! product, supplier) and records, per assessable entry, a status, a maturity level, owner, due date,
//! comments, evidence, automatic evidence and an override, with the history of every change.
//!
//! [`edit`] changes an assessment and records history, [`evidence`] evaluates the catalog's automatic checks
//! over cpsf's own data, [`score`] computes scores and the gap list, and [`report`] builds the model every
//! report rendering (HTML, PDF, JSON, OSCAL) draws from.

pub mod edit;
pub mod evidence;
pub mod io;
pub mod model;
pub mod oscal;
pub mod report;
pub mod score;

pub use io::AssessError;
pub use model::{Assessment, AutoEvidence, CheckResult, EntryResult, Evidence, Override, Scope, ScopeKind, Status};

/// `time` as RFC 3339 in UTC, seconds precision.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The date part (YYYY-MM-DD) of `time` in UTC.
pub fn date(at: time::OffsetDateTime) -> String {
    rfc3339(at).chars().take(10).collect()
}
