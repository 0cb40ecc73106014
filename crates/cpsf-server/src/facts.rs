//! The facts automatic evidence is evaluated over, gathered from the store and the advisory database: each
//! product's latest SBOM and its quality scores (NTIA, METI, BSI), when advisory data was refreshed and when the
//! portfolio was last matched against it, the open findings and whether they are triaged, how many supplier
//! questionnaires were answered, and the plants' assets (`ot_api::asset_facts`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, Mutex, PoisonError};

use cpsf_assess::evidence::{Facts, FindingFacts, ProductFacts};
use cpsf_sbom::quality::{self, Profile};
use cpsf_store::{Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::serve::{ADVISORY_MATCHED_AT, advisory_signature};

/// Quality scores already computed, by the document's SHA-256: a score depends on the document alone, so the cache
/// is right for any store; it is emptied when it grows past [`CACHE_LIMIT`] documents.
/// (profile, score 0–100) for each profile.
type Scores = Vec<(String, f64)>;
static QUALITY_CACHE: LazyLock<Mutex<HashMap<String, Scores>>> = LazyLock::new(Mutex::default);
const CACHE_LIMIT: usize = 4_096;

/// The quality scores of one stored SBOM: (profile, score 0–100) for every profile, or none when the document can
/// no longer be read (it was read when it was uploaded, so that means a reader changed; the check then says "not
/// scored" rather than guessing).
pub fn sbom_quality(store: &Store, sbom_id: i64) -> Result<Scores, StoreError> {
    let Some(info) = store.sbom(sbom_id)? else { return Ok(Vec::new()) };
    if let Some(scores) = QUALITY_CACHE.lock().unwrap_or_else(PoisonError::into_inner).get(&info.sha256) {
        return Ok(scores.clone());
    }
    let document = store.sbom_document(sbom_id)?;
    let Ok(read) = cpsf_sbom::read(&document, &format!("sbom-{sbom_id}")) else { return Ok(Vec::new()) };
    let report = quality::score(&read, Profile::ALL);
    let scores: Vec<(String, f64)> = report.profiles.iter().map(|p| (p.profile.as_str().to_owned(), p.score)).collect();
    let mut cache = QUALITY_CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(info.sha256, scores.clone());
    Ok(scores)
}

/// When a file was last modified.
fn modified(path: &Path) -> Option<OffsetDateTime> {
    let time = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(OffsetDateTime::from(time))
}

/// Gather the facts as they stand at `now`: a recorded match time after `now` (the clock was set back) is not
/// trusted.
pub fn gather(store: &Store, advisory_db: Option<&Path>, now: OffsetDateTime) -> Result<Facts, StoreError> {
    let mut products = Vec::new();
    for latest in store.latest_sboms()? {
        let mut facts = ProductFacts { name: latest.product.clone(), ..ProductFacts::default() };
        if let Some((sbom_id, version, uploaded_at)) = latest.sbom {
            facts.last_sbom = Some(uploaded_at);
            facts.latest_release = Some(version);
            facts.quality = sbom_quality(store, sbom_id)?;
        }
        products.push(facts);
    }
    let db = advisory_db.filter(|p| p.is_file());
    let advisories_updated = db.and_then(modified);
    // When the portfolio was last matched: the time the server recorded after a full re-match; failing that, the
    // advisory file's own time if the store has matched exactly this state of the file.
    let recorded =
        store.meta(ADVISORY_MATCHED_AT)?.and_then(|s| OffsetDateTime::parse(&s, &Rfc3339).ok()).filter(|t| *t <= now);
    let last_match = recorded.or_else(|| {
        let db = db?;
        let current = advisory_signature(db)?;
        let seen = store.meta("advisory_signature").ok().flatten()?;
        (seen == current).then_some(advisories_updated).flatten()
    });
    let open_findings = store
        .open_finding_facts()?
        .into_iter()
        .map(|f| FindingFacts {
            product: f.product,
            severity_rank: f.severity.rank(),
            opened: f.opened_at,
            triaged: f.triaged,
        })
        .collect();
    let (sent, answered) = store.questionnaire_counts()?;
    let questionnaires = (sent > 0)
        .then(|| (usize::try_from(sent).unwrap_or(usize::MAX), usize::try_from(answered).unwrap_or(usize::MAX)));
    Ok(Facts {
        source: store.display_name().to_owned(),
        products,
        advisories_updated,
        last_match,
        open_findings,
        questionnaires,
        assets: crate::ot_api::asset_facts(store)?,
    })
}
