//! Scores and the gap list.
//!
//! Method (stated in every report): each assessable entry's effective status counts as implemented = 1,
//! partially = 0.5, not implemented = 0; not applicable and not assessed are excluded. A score is the weighted
//! average (catalog weights, default 1) of the counted entries under a node, times 100, rounded to one
//! decimal. Maturity, where the catalog defines levels, is the average level rank (1 = lowest) of entries that
//! have one.

use std::collections::HashMap;

use serde::Serialize;

use cpsf_catalog::{Catalog, Kind};

use crate::model::{Assessment, EntryResult, ScoreSnapshot, Status};

/// The method, in words, for reports.
pub fn method(lang: cpsf_catalog::Lang) -> &'static str {
    match lang {
        cpsf_catalog::Lang::En => {
            "Each assessed entry counts as implemented = 1, partially implemented = 0.5, not implemented = 0; \
             not applicable and not assessed entries are excluded. A score is the weighted average of the counted \
             entries under a node (catalog weights, default 1), times 100. An entry without a status of its own \
             takes the result of its automatic checks (all met = implemented, some met = partially, none = not \
             implemented), after any override a person recorded."
        }
        cpsf_catalog::Lang::Ja => {
            "評価済みの各項目を、実施済み=1、一部実施=0.5、未実施=0として数え、対象外と未評価は除外します。\
             スコアは各ノード配下で数えた項目の加重平均（カタログの重み、既定値1）を100倍した値です。\
             担当者が状態を入力していない項目は、自動チェックの結果（すべて充足=実施済み、一部充足=一部実施、\
             充足なし=未実施、担当者による上書きがあればそれを優先）を用います。"
        }
    }
}

/// A score over some entries.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Score {
    /// 0–100, one decimal; `None` when no entry was counted.
    pub score: Option<f64>,
    /// Entries counted in the score.
    pub counted: usize,
    /// Assessable entries under the node (counted, not assessed, not applicable).
    pub assessable: usize,
    pub not_applicable: usize,
    pub not_assessed: usize,
}

#[derive(Default)]
struct Acc {
    weighted: f64,
    weights: f64,
    counted: usize,
    assessable: usize,
    not_applicable: usize,
    not_assessed: usize,
}

impl Acc {
    fn add(&mut self, status: Status, weight: f64) {
        self.assessable += 1;
        match status.value() {
            Some(v) => {
                self.weighted += v * weight;
                self.weights += weight;
                self.counted += 1;
            }
            None if status == Status::NotApplicable => self.not_applicable += 1,
            None => self.not_assessed += 1,
        }
    }

    fn finish(&self) -> Score {
        Score {
            score: (self.weights > 0.0).then(|| round1(self.weighted / self.weights * 100.0)),
            counted: self.counted,
            assessable: self.assessable,
            not_applicable: self.not_applicable,
            not_assessed: self.not_assessed,
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Every score of an assessment.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Scores {
    pub overall: Score,
    /// By catalog entry id: the entry itself (assessable) or everything under it.
    pub by_entry: HashMap<String, Score>,
    /// Count of entries in each effective status.
    pub status_counts: Vec<(Status, usize)>,
    /// Average maturity level rank (1-based) over entries with a level, and how many had one.
    pub maturity: Option<(f64, usize)>,
}

/// Compute the scores of `assessment` against `catalog`.
pub fn compute(catalog: &Catalog, assessment: &Assessment) -> Scores {
    let results: HashMap<&str, &EntryResult> = assessment.results.iter().map(|r| (r.entry.as_str(), r)).collect();
    let mut overall = Acc::default();
    let mut per: HashMap<String, Acc> = HashMap::new();
    let mut counts: HashMap<Status, usize> = HashMap::new();
    let mut levels = (0.0, 0usize);
    for entry in catalog.assessable() {
        let result = results.get(entry.id.as_str());
        let status = result.map_or(Status::NotAssessed, |r| r.effective_status());
        *counts.entry(status).or_default() += 1;
        let weight = entry.weight();
        overall.add(status, weight);
        per.entry(entry.id.clone()).or_default().add(status, weight);
        for ancestor in catalog.ancestors(&entry.id) {
            per.entry(ancestor.id.clone()).or_default().add(status, weight);
        }
        if let Some(level) = result.and_then(|r| r.level.as_deref())
            && let Some(rank) = catalog.levels.iter().position(|l| l.id == level)
        {
            levels.0 += (rank + 1) as f64;
            levels.1 += 1;
        }
    }
    Scores {
        overall: overall.finish(),
        by_entry: per.into_iter().map(|(k, v)| (k, v.finish())).collect(),
        status_counts: Status::ALL.into_iter().map(|s| (s, counts.get(&s).copied().unwrap_or(0))).collect(),
        maturity: (levels.1 > 0).then(|| (round1(levels.0 / levels.1 as f64), levels.1)),
    }
}

/// A snapshot of the current scores for the trend.
pub fn snapshot(catalog: &Catalog, assessment: &Assessment, now: &str) -> ScoreSnapshot {
    let scores = compute(catalog, assessment);
    ScoreSnapshot {
        at: now.to_string(),
        overall: scores.overall.score,
        assessed: scores.overall.counted + scores.overall.not_applicable,
        assessable: scores.overall.assessable,
    }
}

/// Append a snapshot unless the last one has the same figures.
pub fn record_snapshot(catalog: &Catalog, assessment: &mut Assessment, now: &str) {
    let snap = snapshot(catalog, assessment, now);
    let same = assessment.snapshots.last().is_some_and(|last| {
        last.overall == snap.overall && last.assessed == snap.assessed && last.assessable == snap.assessable
    });
    if !same {
        assessment.snapshots.push(snap);
    }
}

/// The entries the radar chart shows: categories when at least three have scored entries under them;
/// otherwise the first tree level with at least three such nodes.
pub fn radar_axes<'a>(catalog: &'a Catalog, scores: &Scores) -> Vec<&'a cpsf_catalog::Entry> {
    let has_assessable =
        |e: &cpsf_catalog::Entry| scores.by_entry.get(&e.id).is_some_and(|s| s.assessable > 0) && !e.is_assessable();
    let categories: Vec<_> = catalog.entries.iter().filter(|e| e.kind == Kind::Category && has_assessable(e)).collect();
    if categories.len() >= 3 {
        return categories;
    }
    let mut level: Vec<&cpsf_catalog::Entry> = catalog.children(None).collect();
    for _ in 0..8 {
        let with: Vec<_> = level.iter().copied().filter(|e| has_assessable(e)).collect();
        if with.len() >= 3 {
            return with;
        }
        level = level.iter().flat_map(|e| catalog.children(Some(e.id.as_str()))).collect();
        if level.is_empty() {
            break;
        }
    }
    Vec::new()
}

/// Why an entry is on the gap list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapReason {
    /// Marked implemented, but the automatic evidence says unmet.
    ContradictsEvidence,
    NotImplemented,
    Partially,
    NotAssessed,
}

impl GapReason {
    pub fn title(self, lang: cpsf_catalog::Lang) -> &'static str {
        match (self, lang) {
            (GapReason::ContradictsEvidence, cpsf_catalog::Lang::En) => "Marked implemented; automatic evidence unmet",
            (GapReason::ContradictsEvidence, cpsf_catalog::Lang::Ja) => "実施済みとされているが自動エビデンスが未充足",
            (GapReason::NotImplemented, cpsf_catalog::Lang::En) => "Not implemented",
            (GapReason::NotImplemented, cpsf_catalog::Lang::Ja) => "未実施",
            (GapReason::Partially, cpsf_catalog::Lang::En) => "Partially implemented",
            (GapReason::Partially, cpsf_catalog::Lang::Ja) => "一部実施",
            (GapReason::NotAssessed, cpsf_catalog::Lang::En) => "Not assessed",
            (GapReason::NotAssessed, cpsf_catalog::Lang::Ja) => "未評価",
        }
    }
}

/// One gap.
#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    pub entry: String,
    pub reason: GapReason,
    pub weight: f64,
    pub overdue: bool,
    pub due: Option<String>,
    pub owner: Option<String>,
}

/// The gap list, highest priority first: contradicted and not implemented entries before partially
/// implemented before not assessed; within each, overdue first, then higher weight, then catalog order.
pub fn gaps(catalog: &Catalog, assessment: &Assessment, today: &str) -> Vec<Gap> {
    let results: HashMap<&str, &EntryResult> = assessment.results.iter().map(|r| (r.entry.as_str(), r)).collect();
    let mut out: Vec<(usize, Gap)> = Vec::new();
    for (order, entry) in catalog.assessable().enumerate() {
        let result = results.get(entry.id.as_str()).copied();
        let status = result.map_or(Status::NotAssessed, |r| r.effective_status());
        let reason = if result.is_some_and(|r| r.contradicts_evidence()) {
            GapReason::ContradictsEvidence
        } else {
            match status {
                Status::NotImplemented => GapReason::NotImplemented,
                Status::Partially => GapReason::Partially,
                Status::NotAssessed => GapReason::NotAssessed,
                Status::Implemented | Status::NotApplicable => continue,
            }
        };
        let due = result.and_then(|r| r.due.clone());
        let overdue = due.as_deref().is_some_and(|d| d < today);
        out.push((
            order,
            Gap {
                entry: entry.id.clone(),
                reason,
                weight: entry.weight(),
                overdue,
                due,
                owner: result.and_then(|r| r.owner.clone()),
            },
        ));
    }
    let rank = |r: GapReason| match r {
        GapReason::ContradictsEvidence | GapReason::NotImplemented => 0,
        GapReason::Partially => 1,
        GapReason::NotAssessed => 2,
    };
    out.sort_by(|(oa, a), (ob, b)| {
        rank(a.reason)
            .cmp(&rank(b.reason))
            .then(b.overdue.cmp(&a.overdue))
            .then(b.weight.total_cmp(&a.weight))
            .then(oa.cmp(ob))
    });
    out.into_iter().map(|(_, g)| g).collect()
}
