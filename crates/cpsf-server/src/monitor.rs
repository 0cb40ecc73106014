//! Matching stored SBOMs against the advisory database: after an upload (one version), and again for every
//! version's current SBOM when the advisory data changes. Results are reconciled by the store (new, still open,
//! fixed); new and fixed findings are queued for the webhook.

use std::path::Path;

use cpsf_store::{FindingChanges, NewFinding, Severity, Store, StoreError};
use cpsf_vuln::Rating;
use time::OffsetDateTime;

/// What matching one version gave.
#[derive(Debug, Default)]
pub struct Rematch {
    pub changes: FindingChanges,
    /// Why no matching happened (no advisory database), if so.
    pub skipped: Option<String>,
}

fn severity_of(rating: Rating) -> Severity {
    match rating {
        Rating::Unknown => Severity::Unknown,
        Rating::None => Severity::None,
        Rating::Low => Severity::Low,
        Rating::Medium => Severity::Medium,
        Rating::High => Severity::High,
        Rating::Critical => Severity::Critical,
    }
}

/// Match the components of `sbom_id` and record the result on `version_id`.
pub fn rematch_version(
    store: &Store,
    advisory_db: Option<&Path>,
    version_id: i64,
    sbom_id: i64,
    at: OffsetDateTime,
) -> Result<Rematch, StoreError> {
    let Some(db_path) = advisory_db.filter(|p| p.is_file()) else {
        return Ok(Rematch {
            changes: FindingChanges::default(),
            skipped: Some("no advisory database; run `cpsf db update` or `cpsf db import` on the server".into()),
        });
    };
    let advisories = open_advisories(db_path)?;
    let changes = match_and_record(store, &advisories, version_id, sbom_id, at)?;
    Ok(Rematch { changes, skipped: None })
}

fn advisory_error(e: cpsf_vuln::store::StoreError) -> StoreError {
    StoreError::Invalid { what: format!("advisory database: {e}") }
}

fn open_advisories(path: &Path) -> Result<cpsf_vuln::store::Store, StoreError> {
    cpsf_vuln::store::Store::open_read_only(path).map_err(advisory_error)
}

/// Match the components of `sbom_id` against an open advisory database, record the result on `version_id` and
/// queue the webhook for what changed.
fn match_and_record(
    store: &Store,
    advisories: &cpsf_vuln::store::Store,
    version_id: i64,
    sbom_id: i64,
    at: OffsetDateTime,
) -> Result<FindingChanges, StoreError> {
    let components = store.model_components(sbom_id)?;
    let matched = cpsf_vuln::matcher::match_components(advisories, &components).map_err(advisory_error)?;
    let findings: Vec<NewFinding> = matched
        .findings
        .into_iter()
        .map(|f| NewFinding {
            bom_ref: f.component.bom_ref,
            purl: f.component.purl,
            component_name: f.component.name,
            component_version: Some(f.component.version),
            vuln_id: f.id,
            aliases: f.aliases,
            summary: f.summary,
            severity: severity_of(f.severity),
            cvss_score: f.cvss_score,
            kev: f.kev.is_some(),
            epss: f.epss.map(|e| e.score),
            fixed_version: f.fixed_version,
        })
        .collect();
    let changes = store.record_findings(version_id, &findings, at)?;
    queue_changes(store, &changes, at)?;
    Ok(changes)
}

/// Queue a webhook event for new and fixed findings (nothing when there are none).
pub fn queue_changes(store: &Store, changes: &FindingChanges, at: OffsetDateTime) -> Result<(), StoreError> {
    if changes.new.is_empty() && changes.fixed.is_empty() {
        return Ok(());
    }
    let brief = |f: &cpsf_store::StoredFinding| {
        serde_json::json!({
            "id": f.id, "product": f.product, "version": f.version, "purl": f.purl, "vulnerability": f.vuln_id,
            "severity": f.severity.as_str(), "kev": f.kev, "fixed_version": f.fixed_version,
        })
    };
    let payload = serde_json::json!({
        "event": "findings.changed",
        "new": changes.new.iter().map(brief).collect::<Vec<_>>(),
        "fixed": changes.fixed.iter().map(brief).collect::<Vec<_>>(),
    });
    store.enqueue_webhook("findings.changed", &payload.to_string(), at)?;
    Ok(())
}

/// Match every version's current SBOM again (after the advisory data changed). Returns the total new and fixed
/// counts; a version that fails is reported and the others go on.
pub fn rematch_all(
    store: &Store,
    advisory_db: &Path,
    at: OffsetDateTime,
) -> Result<(usize, usize, Vec<String>), StoreError> {
    let mut new = 0;
    let mut fixed = 0;
    let mut errors = Vec::new();
    // One connection to the advisory database for the whole portfolio.
    let advisories = open_advisories(advisory_db)?;
    for current in store.current_sboms()? {
        match match_and_record(store, &advisories, current.version_id, current.sbom_id, at) {
            Ok(changes) => {
                new += changes.new.len();
                fixed += changes.fixed.len();
            }
            Err(e) => errors.push(format!("{} {}: {e}", current.product, current.version)),
        }
    }
    Ok((new, fixed, errors))
}
