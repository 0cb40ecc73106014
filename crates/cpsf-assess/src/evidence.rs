//! Automatic evidence: the facts cpsf holds (products and their SBOMs, SBOM quality, advisory data, open
//! findings and their triage, supplier questionnaires, the plants' asset inventories), gathered by whoever owns the data (the server's store),
//! and the evaluation of each catalog check over them. Every result records what was observed, when, and over
//! which data.

use time::OffsetDateTime;

use cpsf_catalog::{Catalog, Check};

use crate::model::{Assessment, AutoEvidence, CheckResult, ScopeKind};

/// One product and its latest release.
#[derive(Clone, Debug, Default)]
pub struct ProductFacts {
    pub name: String,
    /// When its most recent SBOM was uploaded.
    pub last_sbom: Option<OffsetDateTime>,
    /// The release whose SBOM was uploaded last.
    pub latest_release: Option<String>,
    /// Quality scores of that SBOM: (profile, score 0–100).
    pub quality: Vec<(String, f64)>,
}

/// One open finding.
#[derive(Clone, Debug)]
pub struct FindingFacts {
    pub product: String,
    /// Severity rank: critical 5, high 4, medium 3, low 2, none 1, unknown 0.
    pub severity_rank: i64,
    pub opened: OffsetDateTime,
    pub triaged: bool,
}

/// One asset of a plant, as the `assets-inventoried` check sees it.
#[derive(Clone, Debug)]
pub struct AssetFact {
    /// The plant's site.
    pub site: String,
    pub id: String,
    /// It has vendor, model and firmware.
    pub complete: bool,
    /// When it was last confirmed (a dated fact, a sighting in a capture); `None`: never with a date.
    pub confirmed: Option<OffsetDateTime>,
}

/// What cpsf's data says at one moment.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Where the facts come from, e.g. `sqlite:/var/lib/cpsf/cpsf.db`.
    pub source: String,
    pub products: Vec<ProductFacts>,
    /// When advisory data was last imported.
    pub advisories_updated: Option<OffsetDateTime>,
    /// When the portfolio was last matched against advisory data.
    pub last_match: Option<OffsetDateTime>,
    pub open_findings: Vec<FindingFacts>,
    /// Supplier questionnaires sent and answered; `None` when the data holds none.
    pub questionnaires: Option<(usize, usize)>,
    /// The assets of every plant; `None` when the data holds no plant.
    pub assets: Option<Vec<AssetFact>>,
}

pub fn severity_rank(name: &str) -> Option<i64> {
    match name {
        "critical" => Some(5),
        "high" => Some(4),
        "medium" => Some(3),
        "low" => Some(2),
        _ => None,
    }
}

fn days_between(earlier: OffsetDateTime, later: OffsetDateTime) -> i64 {
    (later - earlier).whole_days()
}

/// Restrict `facts` to what `assessment`'s scope covers: a product scope sees only that product; a site scope whose
/// name is a plant's site sees only that plant's assets.
pub fn scoped(facts: &Facts, assessment: &Assessment) -> Facts {
    let mut out = facts.clone();
    if assessment.scope.kind == ScopeKind::Product {
        out.products.retain(|p| p.name == assessment.scope.name);
        out.open_findings.retain(|f| f.product == assessment.scope.name);
    }
    if assessment.scope.kind == ScopeKind::Site
        && let Some(assets) = &mut out.assets
        && assets.iter().any(|a| a.site == assessment.scope.name)
    {
        assets.retain(|a| a.site == assessment.scope.name);
    }
    out
}

/// At most ten names, then how many more.
fn some_names(names: &[String]) -> String {
    let mut out = names.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 10 {
        out.push_str(&format!(" and {} more", names.len() - 10));
    }
    out
}

/// Evaluate one check over `facts` at `now`.
pub fn evaluate(check: &Check, facts: &Facts, now: OffsetDateTime) -> (CheckResult, String) {
    match check {
        Check::InventoryCurrent { max_age_days } => {
            if facts.products.is_empty() {
                return (CheckResult::Unknown, "no products in the data".into());
            }
            let stale: Vec<String> = facts
                .products
                .iter()
                .filter(|p| p.last_sbom.is_none_or(|t| days_between(t, now) > i64::from(*max_age_days)))
                .map(|p| match p.last_sbom {
                    Some(t) => format!("{} ({} days)", p.name, days_between(t, now)),
                    None => format!("{} (no SBOM)", p.name),
                })
                .collect();
            let n = facts.products.len();
            if stale.is_empty() {
                (CheckResult::Met, format!("{n} of {n} products have an SBOM uploaded within {max_age_days} days"))
            } else {
                (
                    CheckResult::Unmet,
                    format!(
                        "{} of {n} products have an SBOM uploaded within {max_age_days} days; not current: {}",
                        n - stale.len(),
                        stale.join(", ")
                    ),
                )
            }
        }
        Check::SbomQuality { profile, min_score } => {
            if facts.products.is_empty() {
                return (CheckResult::Unknown, "no products in the data".into());
            }
            let mut failing = Vec::new();
            for p in &facts.products {
                let release = p.latest_release.as_deref().unwrap_or("?");
                match p.quality.iter().find(|(name, _)| name == profile) {
                    Some((_, score)) if score >= min_score => {}
                    Some((_, score)) => failing.push(format!("{} {release} ({score})", p.name)),
                    None => failing.push(format!("{} {release} (not scored)", p.name)),
                }
            }
            let n = facts.products.len();
            if failing.is_empty() {
                (CheckResult::Met, format!("{n} of {n} latest releases score at least {min_score} on {profile}"))
            } else {
                (
                    CheckResult::Unmet,
                    format!(
                        "{} of {n} latest releases score at least {min_score} on {profile}; below: {}",
                        n - failing.len(),
                        failing.join(", ")
                    ),
                )
            }
        }
        Check::AdvisoriesCurrent { max_age_days } => match (facts.advisories_updated, facts.last_match) {
            (None, _) => (CheckResult::Unmet, "no advisory data has been imported".into()),
            (Some(updated), last_match) => {
                let age = days_between(updated, now);
                let matched = last_match.is_some_and(|m| m >= updated);
                if age <= i64::from(*max_age_days) && matched {
                    (CheckResult::Met, format!("advisory data is {age} days old and the portfolio was matched since"))
                } else if !matched {
                    (
                        CheckResult::Unmet,
                        format!("advisory data is {age} days old but the portfolio was not matched since"),
                    )
                } else {
                    (CheckResult::Unmet, format!("advisory data is {age} days old (limit {max_age_days})"))
                }
            }
        },
        Check::CriticalTriaged { severity, within_days } => {
            let Some(floor) = severity_rank(severity) else {
                return (CheckResult::Unknown, format!("unknown severity `{severity}`"));
            };
            if facts.products.is_empty() {
                return (CheckResult::Unknown, "no products in the data".into());
            }
            let relevant: Vec<&FindingFacts> =
                facts.open_findings.iter().filter(|f| f.severity_rank >= floor).collect();
            let late: Vec<&&FindingFacts> = relevant
                .iter()
                .filter(|f| !f.triaged && days_between(f.opened, now) > i64::from(*within_days))
                .collect();
            if late.is_empty() {
                (
                    CheckResult::Met,
                    format!(
                        "{} open {severity}-or-worse findings; none untriaged for more than {within_days} days",
                        relevant.len()
                    ),
                )
            } else {
                (
                    CheckResult::Unmet,
                    format!(
                        "{} of {} open {severity}-or-worse findings untriaged for more than {within_days} days",
                        late.len(),
                        relevant.len()
                    ),
                )
            }
        }
        Check::AssetsInventoried { max_age_days } => {
            let Some(assets) = &facts.assets else {
                return (CheckResult::Unknown, "no plant in the data".into());
            };
            if assets.is_empty() {
                return (CheckResult::Unknown, "the plants hold no assets".into());
            }
            let n = assets.len();
            let name = |a: &AssetFact| format!("{}/{}", a.site, a.id);
            let incomplete: Vec<String> = assets.iter().filter(|a| !a.complete).map(name).collect();
            let stale: Vec<String> = assets
                .iter()
                .filter(|a| a.confirmed.is_none_or(|t| days_between(t, now) > i64::from(*max_age_days)))
                .map(|a| match a.confirmed {
                    Some(t) => format!("{} ({} days)", name(a), days_between(t, now)),
                    None => format!("{} (never dated)", name(a)),
                })
                .collect();
            let summary = format!(
                "{} of {n} assets have vendor, model and firmware; {} of {n} confirmed within {max_age_days} days",
                n - incomplete.len(),
                n - stale.len()
            );
            if incomplete.is_empty() && stale.is_empty() {
                (CheckResult::Met, summary)
            } else {
                let mut observed = summary;
                if !incomplete.is_empty() {
                    observed.push_str(&format!("; incomplete: {}", some_names(&incomplete)));
                }
                if !stale.is_empty() {
                    observed.push_str(&format!("; not confirmed: {}", some_names(&stale)));
                }
                (CheckResult::Unmet, observed)
            }
        }
        Check::QuestionnairesAnswered { min_ratio } => match facts.questionnaires {
            None | Some((0, _)) => (CheckResult::Unknown, "no supplier questionnaires have been sent".into()),
            Some((sent, answered)) => {
                let ratio = answered as f64 / sent as f64;
                let result = if ratio >= *min_ratio { CheckResult::Met } else { CheckResult::Unmet };
                (result, format!("{answered} of {sent} supplier questionnaires answered"))
            }
        },
    }
}

/// Evaluate every check of every assessed entry and store the results in `assessment` (replacing earlier
/// ones). Returns how many entries changed result.
pub fn refresh(catalog: &Catalog, assessment: &mut Assessment, facts: &Facts, now: OffsetDateTime) -> usize {
    let facts = scoped(facts, assessment);
    let stamp = crate::rfc3339(now);
    let mut changed = 0;
    let mut changes = Vec::new();
    for entry in catalog.assessable().filter(|e| !e.checks.is_empty()) {
        if assessment.result(&entry.id).is_none() {
            assessment.results.push(crate::model::EntryResult::new(entry.id.clone()));
        }
        let Some(result) = assessment.result_mut(&entry.id) else { continue };
        let before = result.automatic_result();
        result.automatic = entry
            .checks
            .iter()
            .map(|check| {
                let (outcome, observed) = evaluate(check, &facts, now);
                AutoEvidence {
                    check: check.kind().to_string(),
                    result: outcome,
                    observed,
                    evaluated: stamp.clone(),
                    data: facts.source.clone(),
                }
            })
            .collect();
        let after = result.automatic_result();
        if before != after {
            changed += 1;
            changes.push(crate::model::Change {
                at: stamp.clone(),
                by: "cpsf (automatic evidence)".into(),
                entry: Some(entry.id.clone()),
                field: "automatic".into(),
                from: before.map(|r| r.as_str().to_string()),
                to: after.map(|r| r.as_str().to_string()),
                justification: None,
            });
        }
    }
    if !changes.is_empty() {
        assessment.history.extend(changes);
        assessment.updated = stamp.clone();
    }
    crate::score::record_snapshot(catalog, assessment, &stamp);
    changed
}
