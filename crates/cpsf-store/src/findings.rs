//! Findings per version: reconciling each match result with what is stored (new, still present, fixed,
//! reopened; never deleted), listing them with filters, and triage as CycloneDX analysis with its history.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{list_text, record};
use crate::db::{Db, LockClass, Params, Row, Value};
use crate::{Store, StoreError, time_util};

/// An enum stored as its text: `as_str`, `Display`, `FromStr`, `ALL`, serde as the same text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored and shown (CycloneDX's own words where CycloneDX defines them).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = StoreError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(StoreError::invalid(format!(
                        "{} {s:?} (expected one of: {})",
                        $what,
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}

text_enum! {
    /// Qualitative severity, ordered from `Unknown` to `Critical` (the words of cpsf-vuln's `Rating`).
    Severity ("severity") {
        /// No severity from any source.
        Unknown => "unknown",
        None => "none",
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

impl Severity {
    /// The order as a number, 0 (unknown) to 5 (critical); stored beside the text for "at least" filters.
    pub fn rank(self) -> i64 {
        match self {
            Severity::Unknown => 0,
            Severity::None => 1,
            Severity::Low => 2,
            Severity::Medium => 3,
            Severity::High => 4,
            Severity::Critical => 5,
        }
    }
}

text_enum! {
    /// CycloneDX `analysis.state`.
    AnalysisState ("analysis state") {
        InTriage => "in_triage",
        Exploitable => "exploitable",
        Resolved => "resolved",
        ResolvedWithPedigree => "resolved_with_pedigree",
        FalsePositive => "false_positive",
        NotAffected => "not_affected",
    }
}

impl AnalysisState {
    /// Whether a finding in this state no longer counts against the version (it was resolved, is a false positive,
    /// or does not affect it).
    pub fn suppresses(self) -> bool {
        matches!(
            self,
            AnalysisState::Resolved
                | AnalysisState::ResolvedWithPedigree
                | AnalysisState::FalsePositive
                | AnalysisState::NotAffected
        )
    }
}

/// The suppressing states as an SQL list: `'resolved', ...`.
pub(crate) fn suppressing_states_sql() -> String {
    AnalysisState::ALL
        .iter()
        .filter(|s| s.suppresses())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

text_enum! {
    /// CycloneDX `analysis.justification`: why a component is not affected.
    Justification ("analysis justification") {
        CodeNotPresent => "code_not_present",
        CodeNotReachable => "code_not_reachable",
        RequiresConfiguration => "requires_configuration",
        RequiresDependency => "requires_dependency",
        RequiresEnvironment => "requires_environment",
        ProtectedByCompiler => "protected_by_compiler",
        ProtectedAtRuntime => "protected_at_runtime",
        ProtectedAtPerimeter => "protected_at_perimeter",
        ProtectedByMitigatingControl => "protected_by_mitigating_control",
    }
}

text_enum! {
    /// CycloneDX `analysis.response`: what is done about it.
    Response ("analysis response") {
        CanNotFix => "can_not_fix",
        WillNotFix => "will_not_fix",
        Update => "update",
        Rollback => "rollback",
        WorkaroundAvailable => "workaround_available",
    }
}

/// A triage decision, as CycloneDX's vulnerability `analysis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub state: AnalysisState,
    pub justification: Option<Justification>,
    pub responses: Vec<Response>,
    pub detail: Option<String>,
}

/// One triage decision in a finding's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisEntry {
    pub id: i64,
    pub finding_id: i64,
    pub analysis: Analysis,
    pub who: String,
    pub at: OffsetDateTime,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub unknown: i64,
    pub none: i64,
    pub low: i64,
    pub medium: i64,
    pub high: i64,
    pub critical: i64,
}

impl SeverityCounts {
    pub fn total(&self) -> i64 {
        self.unknown + self.none + self.low + self.medium + self.high + self.critical
    }

    /// The count of one severity.
    pub fn get(&self, severity: Severity) -> i64 {
        match severity {
            Severity::Unknown => self.unknown,
            Severity::None => self.none,
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }
}

pub(crate) fn add_counts(counts: &mut SeverityCounts, severity: &str, n: i64) -> Result<(), StoreError> {
    let slot = match severity.parse::<Severity>()? {
        Severity::Unknown => &mut counts.unknown,
        Severity::None => &mut counts.none,
        Severity::Low => &mut counts.low,
        Severity::Medium => &mut counts.medium,
        Severity::High => &mut counts.high,
        Severity::Critical => &mut counts.critical,
    };
    *slot += n;
    Ok(())
}

/// One finding of a match run: a vulnerability on a component of the version's SBOM.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    pub bom_ref: String,
    /// The component's purl; with the version and `vuln_id` it identifies the finding.
    pub purl: String,
    pub component_name: String,
    pub component_version: Option<String>,
    /// The CVE when there is one, else the first advisory id.
    pub vuln_id: String,
    /// Every id it is known by.
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    /// In CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
    /// EPSS probability, 0-1.
    pub epss: Option<f64>,
    /// The smallest version that fixes it, if every advisory names one.
    pub fixed_version: Option<String>,
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFinding {
    pub id: i64,
    pub product_id: i64,
    pub product: String,
    pub version_id: i64,
    pub version: String,
    pub bom_ref: String,
    pub purl: String,
    pub component_name: String,
    pub component_version: Option<String>,
    pub vuln_id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub kev: bool,
    pub epss: Option<f64>,
    pub fixed_version: Option<String>,
    /// When it was first recorded.
    pub first_seen: OffsetDateTime,
    /// When it was last opened: `first_seen`, or the time it reappeared after being fixed.
    pub opened_at: OffsetDateTime,
    /// The last match run that found it.
    pub last_seen: OffsetDateTime,
    /// When a match run no longer found it; `None` while open.
    pub fixed_at: Option<OffsetDateTime>,
    /// The current triage state; `None` before any triage.
    pub state: Option<AnalysisState>,
}

/// What [`Store::record_findings`] changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingChanges {
    /// Findings new to the version, and fixed ones that reappeared (reopened).
    pub new: Vec<StoredFinding>,
    /// Open findings the match run no longer found, now marked fixed.
    pub fixed: Vec<StoredFinding>,
    /// Open findings found again.
    pub still_open: usize,
}

/// Open, fixed, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindingStatus {
    #[default]
    Open,
    Fixed,
    Any,
}

/// A triage-state filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Never triaged.
    Untriaged,
    /// In this state.
    Is(AnalysisState),
    /// Not in a suppressing state (untriaged, in triage, or exploitable).
    Active,
}

/// Which findings [`Store::list_findings`] returns. The default: every open finding, 100 at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingFilter {
    pub product: Option<String>,
    /// A version text (with `product`).
    pub version: Option<String>,
    pub version_id: Option<i64>,
    /// Only these products (the ones a user may see); `None` for all.
    pub product_ids: Option<Vec<i64>>,
    /// Severity at least this.
    pub min_severity: Option<Severity>,
    pub kev_only: bool,
    /// Only findings with a known fixed version.
    pub fixable_only: bool,
    pub state: Option<StateFilter>,
    pub status: FindingStatus,
    /// Changed at or after this time: opened (for open findings) or fixed (for fixed ones).
    pub since: Option<OffsetDateTime>,
    /// A vulnerability id: the finding's id, or one of its aliases ignoring case.
    pub vuln_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for FindingFilter {
    fn default() -> Self {
        FindingFilter {
            product: None,
            version: None,
            version_id: None,
            product_ids: None,
            min_severity: None,
            kev_only: false,
            fixable_only: false,
            state: None,
            status: FindingStatus::Open,
            since: None,
            vuln_id: None,
            limit: 100,
            offset: 0,
        }
    }
}

const FINDING_COLUMNS: &str = "f.id, v.product_id, p.name, f.version_id, v.version, f.bom_ref, f.purl, f.component_name, \
     f.component_version, f.vuln_id, f.aliases, f.summary, f.severity, f.cvss_score, f.kev, f.epss, f.fixed_version, \
     f.first_seen, f.opened_at, f.last_seen, f.fixed_at, f.state";
const FINDING_FROM: &str = "findings f JOIN versions v ON v.id = f.version_id JOIN products p ON p.id = v.product_id";

fn finding(row: &Row) -> Result<StoredFinding, StoreError> {
    Ok(StoredFinding {
        id: row.int(0)?,
        product_id: row.int(1)?,
        product: row.text(2)?,
        version_id: row.int(3)?,
        version: row.text(4)?,
        bom_ref: row.text(5)?,
        purl: row.text(6)?,
        component_name: row.text(7)?,
        component_version: row.opt_text(8)?,
        vuln_id: row.text(9)?,
        aliases: row.string_list(10)?,
        summary: row.opt_text(11)?,
        severity: row.text(12)?.parse()?,
        cvss_score: row.opt_real(13)?,
        kev: row.bool(14)?,
        epss: row.opt_real(15)?,
        fixed_version: row.opt_text(16)?,
        first_seen: row.time(17)?,
        opened_at: row.time(18)?,
        last_seen: row.time(19)?,
        fixed_at: row.opt_time(20)?,
        state: row.opt_text(21)?.map(|s| s.parse()).transpose()?,
    })
}

fn analysis_entry(row: &Row) -> Result<AnalysisEntry, StoreError> {
    let responses = row.string_list(4)?.iter().map(|r| r.parse()).collect::<Result<Vec<Response>, _>>()?;
    Ok(AnalysisEntry {
        id: row.int(0)?,
        finding_id: row.int(1)?,
        analysis: Analysis {
            state: row.text(2)?.parse()?,
            justification: row.opt_text(3)?.map(|s| s.parse()).transpose()?,
            responses,
            detail: row.opt_text(5)?,
        },
        who: row.text(6)?,
        at: row.time(7)?,
    })
}

/// The findings with these ids, in id order.
fn findings_by_ids(db: &mut dyn Db, ids: &[i64]) -> Result<Vec<StoredFinding>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let marks: Vec<String> = chunk.iter().map(|id| params.push(*id)).collect();
        let sql =
            format!("SELECT {FINDING_COLUMNS} FROM {FINDING_FROM} WHERE f.id IN ({}) ORDER BY f.id", marks.join(", "));
        for row in db.query(&sql, &params.0)? {
            out.push(finding(&row)?);
        }
    }
    Ok(out)
}

/// The values a match run sets on a finding it found (the parameters after `$1`, the finding's id).
fn match_values(f: &NewFinding) -> Vec<Value> {
    vec![
        f.bom_ref.as_str().into(),
        f.component_name.as_str().into(),
        f.component_version.as_deref().into(),
        list_text(&f.aliases),
        f.summary.as_deref().into(),
        f.severity.as_str().into(),
        f.severity.rank().into(),
        f.cvss_score.into(),
        f.kev.into(),
        f.epss.into(),
        f.fixed_version.as_deref().into(),
    ]
}

const MATCH_SET: &str = "bom_ref = $2, component_name = $3, component_version = $4, aliases = $5, summary = $6, \
     severity = $7, severity_rank = $8, cvss_score = $9, kev = $10, epss = $11, fixed_version = $12, last_seen = $13";

/// The WHERE clause and parameters of a filter.
fn filter_sql(filter: &FindingFilter) -> (String, Params) {
    let mut params = Params::default();
    let mut conditions: Vec<String> = Vec::new();
    if let Some(product) = &filter.product {
        conditions.push(format!("p.name = {}", params.push(product.as_str())));
    }
    if let Some(version) = &filter.version {
        conditions.push(format!("v.version = {}", params.push(version.as_str())));
    }
    if let Some(id) = filter.version_id {
        conditions.push(format!("f.version_id = {}", params.push(id)));
    }
    if let Some(ids) = &filter.product_ids {
        if ids.is_empty() {
            conditions.push("1 = 0".to_owned());
        } else {
            let marks: Vec<String> = ids.iter().map(|id| params.push(*id)).collect();
            conditions.push(format!("v.product_id IN ({})", marks.join(", ")));
        }
    }
    if let Some(min) = filter.min_severity {
        conditions.push(format!("f.severity_rank >= {}", params.push(min.rank())));
    }
    if filter.kev_only {
        conditions.push(format!("f.kev = {}", params.push(true)));
    }
    if filter.fixable_only {
        conditions.push("f.fixed_version IS NOT NULL".to_owned());
    }
    match filter.state {
        None => {}
        Some(StateFilter::Untriaged) => conditions.push("f.state IS NULL".to_owned()),
        Some(StateFilter::Is(state)) => conditions.push(format!("f.state = {}", params.push(state.as_str()))),
        Some(StateFilter::Active) => {
            conditions.push(format!("(f.state IS NULL OR f.state NOT IN ({}))", suppressing_states_sql()));
        }
    }
    match (filter.status, filter.since) {
        (FindingStatus::Open, None) => conditions.push("f.fixed_at IS NULL".to_owned()),
        (FindingStatus::Fixed, None) => conditions.push("f.fixed_at IS NOT NULL".to_owned()),
        (FindingStatus::Any, None) => {}
        (FindingStatus::Open, Some(since)) => {
            conditions.push(format!("f.fixed_at IS NULL AND f.opened_at >= {}", params.push(since)));
        }
        (FindingStatus::Fixed, Some(since)) => conditions.push(format!("f.fixed_at >= {}", params.push(since))),
        (FindingStatus::Any, Some(since)) => {
            let mark = params.push(since);
            conditions.push(format!("(f.opened_at >= {mark} OR f.fixed_at >= {mark})"));
        }
    }
    if let Some(id) = &filter.vuln_id {
        // Aliases are a JSON array of strings; an element match is `"ID"` inside it, compared in lower case on
        // both backends (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
        let quoted = serde_json::to_string(&id.to_lowercase()).unwrap_or_default();
        let id_mark = params.push(id.as_str());
        let alias_mark = params.push(format!("%{}%", like_escape(&quoted)));
        conditions.push(format!("(f.vuln_id = {id_mark} OR LOWER(f.aliases) LIKE {alias_mark} ESCAPE '!')"));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    (clause, params)
}

/// Escape `%`, `_` and the escape character itself for a `LIKE ... ESCAPE '!'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

impl Store {
    /// Reconcile a version's findings with a new match result, in one transaction, at time `at`:
    /// - a finding not stored before is inserted (`first_seen` = `opened_at` = `at`) and reported new;
    /// - an open one found again gets `last_seen` = `at` and the run's severity, KEV, EPSS and fix;
    /// - an open one not found any more gets `fixed_at` = `at` and is reported fixed;
    /// - a fixed one found again is reopened (`fixed_at` cleared, `opened_at` = `at`) and reported new.
    ///
    /// Findings are identified by (version, purl, `vuln_id`); a repeated one in `findings` counts once (the first).
    /// Nothing is deleted. Audited as `findings.record` by `system` when anything is new or fixed (a run that
    /// changes nothing but `last_seen` writes no entry).
    pub fn record_findings(
        &self,
        version_id: i64,
        findings: &[NewFinding],
        at: OffsetDateTime,
    ) -> Result<FindingChanges, StoreError> {
        let at = time_util::normalize(at);
        self.write(|db| {
            let target = match db.query_opt(
                "SELECT p.name, v.version FROM versions v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
                &[version_id.into()],
            )? {
                Some(row) => format!("product:{}/{}", row.text(0)?, row.text(1)?),
                None => return Err(StoreError::not_found(format!("version {version_id}"))),
            };
            db.lock(LockClass::Version, version_id)?;
            let mut stored: HashMap<(String, String), (i64, bool)> = HashMap::new();
            for row in db.query("SELECT id, purl, vuln_id, fixed_at FROM findings WHERE version_id = $1", &[version_id.into()])? {
                stored.insert((row.text(1)?, row.text(2)?), (row.int(0)?, row.opt_time(3)?.is_some()));
            }
            let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
            let mut new_ids = Vec::new();
            let mut still_open = 0;
            for f in findings {
                let key = (f.purl.clone(), f.vuln_id.clone());
                if !seen.insert(key.clone()) {
                    continue;
                }
                match stored.get(&key) {
                    Some(&(id, fixed)) => {
                        let mut params = vec![Value::Int(id)];
                        params.extend(match_values(f));
                        params.push(at.into());
                        if fixed {
                            db.execute(
                                &format!("UPDATE findings SET {MATCH_SET}, fixed_at = NULL, opened_at = $13 WHERE id = $1"),
                                &params,
                            )?;
                            new_ids.push(id);
                        } else {
                            db.execute(&format!("UPDATE findings SET {MATCH_SET} WHERE id = $1"), &params)?;
                            still_open += 1;
                        }
                    }
                    None => {
                        let mut params = vec![Value::Int(version_id), f.purl.as_str().into(), f.vuln_id.as_str().into()];
                        params.extend(match_values(f));
                        params.push(at.into());
                        let id = db
                            .query_one(
                                "INSERT INTO findings (version_id, purl, vuln_id, bom_ref, component_name,
                                     component_version, aliases, summary, severity, severity_rank, cvss_score, kev, epss,
                                     fixed_version, first_seen, opened_at, last_seen)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15)
                                 RETURNING id",
                                &params,
                            )?
                            .int(0)?;
                        new_ids.push(id);
                    }
                }
            }
            let mut fixed_ids: Vec<i64> = stored
                .iter()
                .filter(|(key, (_, fixed))| !fixed && !seen.contains(*key))
                .map(|(_, (id, _))| *id)
                .collect();
            fixed_ids.sort_unstable();
            for id in &fixed_ids {
                db.execute("UPDATE findings SET fixed_at = $2 WHERE id = $1", &[(*id).into(), at.into()])?;
            }
            new_ids.sort_unstable();
            let changes = FindingChanges {
                new: findings_by_ids(db, &new_ids)?,
                fixed: findings_by_ids(db, &fixed_ids)?,
                still_open,
            };
            if !new_ids.is_empty() || !fixed_ids.is_empty() {
                record(
                    db,
                    at,
                    "system",
                    "findings.record",
                    &target,
                    &json!({ "new": new_ids.len(), "fixed": fixed_ids.len(), "still_open": still_open }),
                )?;
            }
            Ok(changes)
        })
    }

    /// Findings matching `filter`, most severe first (then by product, version, vulnerability id).
    pub fn list_findings(&self, filter: &FindingFilter) -> Result<Vec<StoredFinding>, StoreError> {
        let (clause, mut params) = filter_sql(filter);
        let limit = params.push(i64::from(filter.limit));
        let offset = params.push(i64::from(filter.offset));
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM {FINDING_FROM}{clause}
             ORDER BY f.severity_rank DESC, p.name, v.version, f.vuln_id, f.id LIMIT {limit} OFFSET {offset}"
        );
        self.read(|db| db.query(&sql, &params.0)?.iter().map(finding).collect())
    }

    /// How many findings match `filter` (its limit and offset aside).
    pub fn count_findings(&self, filter: &FindingFilter) -> Result<i64, StoreError> {
        let (clause, params) = filter_sql(filter);
        let sql = format!("SELECT COUNT(*) FROM {FINDING_FROM}{clause}");
        self.read(|db| db.query_one(&sql, &params.0)?.int(0))
    }

    /// The finding with id `id`.
    pub fn finding(&self, id: i64) -> Result<Option<StoredFinding>, StoreError> {
        self.read(|db| Ok(findings_by_ids(db, &[id])?.into_iter().next()))
    }

    /// Record a triage decision on a finding: appended to its history, made its current state, and audited as
    /// `finding.triage` by `who`, in one transaction.
    pub fn triage(&self, finding_id: i64, analysis: &Analysis, who: &str) -> Result<AnalysisEntry, StoreError> {
        let at = time_util::now();
        let responses: Vec<String> = analysis.responses.iter().map(|r| r.as_str().to_owned()).collect();
        self.write(|db| {
            let changed = db.execute(
                "UPDATE findings SET state = $2 WHERE id = $1",
                &[finding_id.into(), analysis.state.as_str().into()],
            )?;
            if changed == 0 {
                return Err(StoreError::not_found(format!("finding {finding_id}")));
            }
            let id = db
                .query_one(
                    "INSERT INTO finding_analyses (finding_id, state, justification, responses, detail, who, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        finding_id.into(),
                        analysis.state.as_str().into(),
                        analysis.justification.map(Justification::as_str).into(),
                        list_text(&responses),
                        analysis.detail.as_deref().into(),
                        who.into(),
                        at.into(),
                    ],
                )?
                .int(0)?;
            record(
                db,
                at,
                who,
                "finding.triage",
                &format!("finding:{finding_id}"),
                &json!({
                    "state": analysis.state,
                    "justification": analysis.justification,
                    "responses": analysis.responses,
                    "detail": analysis.detail,
                }),
            )?;
            Ok(AnalysisEntry { id, finding_id, analysis: analysis.clone(), who: who.to_owned(), at })
        })
    }

    /// A finding's triage history, oldest first.
    pub fn finding_history(&self, finding_id: i64) -> Result<Vec<AnalysisEntry>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT id, finding_id, state, justification, responses, detail, who, at FROM finding_analyses
                 WHERE finding_id = $1 ORDER BY id",
                &[finding_id.into()],
            )?
            .iter()
            .map(analysis_entry)
            .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_enums_read_back_what_they_write() {
        for s in AnalysisState::ALL {
            assert_eq!(s.as_str().parse::<AnalysisState>().ok(), Some(*s));
        }
        for j in Justification::ALL {
            assert_eq!(j.as_str().parse::<Justification>().ok(), Some(*j));
        }
        for r in Response::ALL {
            assert_eq!(r.as_str().parse::<Response>().ok(), Some(*r));
        }
        let ranks: Vec<i64> = Severity::ALL.iter().map(|s| s.rank()).collect();
        assert_eq!(ranks, vec![0, 1, 2, 3, 4, 5]);
        assert!("nope".parse::<Severity>().is_err());
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a%b_c!d"), "a!%b!_c!!d");
    }
}
