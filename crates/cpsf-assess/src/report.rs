//! The report model: everything a report shows, computed once from a catalog, an assessment and a language,
//! so that the HTML, PDF and JSON renderings say the same thing. Text is already in the report's language.

use serde::Serialize;

use cpsf_catalog::{Catalog, Lang};

use crate::model::{Assessment, CheckResult, Evidence, Status};
use crate::score::{self, GapReason, Score};

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub lang: Lang,
    pub generated: String,
    pub catalog: CatalogInfo,
    pub assessment: AssessmentInfo,
    pub method: String,
    pub overall: Score,
    /// Effective status counts, in [`Status::ALL`] order: (status id, title, count).
    pub status_counts: Vec<(String, String, usize)>,
    pub maturity: Option<Maturity>,
    /// Rolled-up scores of the non-assessable nodes, in catalog order, with depth for indentation.
    pub groups: Vec<GroupScore>,
    /// The radar chart's axes (at least three, or empty).
    pub radar: Vec<RadarAxis>,
    pub trend: Vec<TrendPoint>,
    pub gaps: Vec<GapLine>,
    pub entries: Vec<EntryLine>,
    /// Assessable entries a source does not confirm.
    pub unverified_entries: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CatalogInfo {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub version: String,
    pub revision: u32,
    pub entries: usize,
    pub verified: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssessmentInfo {
    pub id: String,
    pub title: Option<String>,
    pub scope_name: String,
    pub scope_kind: String,
    pub created: String,
    pub updated: String,
    pub changes: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Maturity {
    pub average: f64,
    pub entries: usize,
    pub levels: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupScore {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub depth: usize,
    pub score: Score,
}

#[derive(Clone, Debug, Serialize)]
pub struct RadarAxis {
    pub id: String,
    pub label: String,
    /// 0–100; 0 when nothing under it is counted yet (`counted` says so).
    pub value: f64,
    pub counted: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrendPoint {
    pub at: String,
    pub overall: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GapLine {
    pub rank: usize,
    pub entry: String,
    pub title: String,
    pub reason: GapReason,
    pub reason_title: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
    pub verified: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct AutoLine {
    pub check: String,
    pub requirement: String,
    pub result: CheckResult,
    pub result_title: String,
    pub observed: String,
    pub evaluated: String,
    pub data: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvidenceLine {
    pub kind: String,
    pub label: String,
    pub detail: Option<String>,
    pub added: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntryLine {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub kind: String,
    pub status: Status,
    pub status_title: String,
    /// True when the status comes from automatic evidence rather than a person.
    pub status_automatic: bool,
    pub level: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub comments: Option<String>,
    pub evidence: Vec<EvidenceLine>,
    pub automatic: Vec<AutoLine>,
    pub override_: Option<(String, String, String)>,
    pub verified: bool,
    pub provenance: String,
}

fn provenance_text(catalog: &Catalog, entry: &cpsf_catalog::Entry, lang: Lang) -> String {
    let p = &entry.provenance;
    let source = catalog.source(&p.source).map_or(p.source.clone(), |s| s.title.get(lang).to_string());
    let mut parts = vec![source];
    if let Some(s) = &p.section {
        parts.push(s.clone());
    }
    if let Some(s) = &p.page {
        parts.push(s.clone());
    }
    let mark = match (p.verified, lang) {
        (true, Lang::En) => "verified",
        (true, Lang::Ja) => "確認済み",
        (false, Lang::En) => "unverified",
        (false, Lang::Ja) => "未確認",
    };
    let mut text = format!("{} ({mark})", parts.join(", "));
    if let Some(note) = &p.note {
        text.push_str(" — ");
        text.push_str(note);
    }
    text
}

/// Build the report of `assessment` in `lang`, as of `today` (YYYY-MM-DD, for overdue dates).
pub fn build(catalog: &Catalog, assessment: &Assessment, lang: Lang, generated: &str, today: &str) -> Report {
    let scores = score::compute(catalog, assessment);
    let title_of = |id: &str| catalog.entry(id).map_or(id.to_string(), |e| e.title.get(lang).to_string());
    let depth_of = |id: &str| catalog.ancestors(id).len();
    let groups = catalog
        .entries
        .iter()
        .filter(|e| !e.is_assessable())
        .filter_map(|e| {
            let s = scores.by_entry.get(&e.id)?;
            (s.assessable > 0).then(|| GroupScore {
                id: e.id.clone(),
                kind: e.kind.title(lang).to_string(),
                title: e.title.get(lang).to_string(),
                depth: depth_of(&e.id),
                score: s.clone(),
            })
        })
        .collect();
    let radar = score::radar_axes(catalog, &scores)
        .into_iter()
        .map(|e| {
            let s = scores.by_entry.get(&e.id).cloned().unwrap_or_default();
            RadarAxis {
                id: e.id.clone(),
                label: e.title.get(lang).to_string(),
                value: s.score.unwrap_or(0.0),
                counted: s.counted,
            }
        })
        .collect();
    let gaps = score::gaps(catalog, assessment, today)
        .into_iter()
        .enumerate()
        .map(|(i, g)| GapLine {
            rank: i + 1,
            title: title_of(&g.entry),
            verified: catalog.entry(&g.entry).is_some_and(|e| e.provenance.verified),
            reason_title: g.reason.title(lang).to_string(),
            entry: g.entry,
            reason: g.reason,
            owner: g.owner,
            due: g.due,
            overdue: g.overdue,
        })
        .collect();
    let entries = catalog
        .assessable()
        .map(|e| {
            let r = assessment.result(&e.id);
            let status = r.map_or(Status::NotAssessed, |r| r.effective_status());
            EntryLine {
                id: e.id.clone(),
                title: e.title.get(lang).to_string(),
                summary: e.summary.get(lang).to_string(),
                kind: e.kind.title(lang).to_string(),
                status,
                status_title: status.title(lang).to_string(),
                status_automatic: r.is_some_and(|r| r.status == Status::NotAssessed && status != Status::NotAssessed),
                level: r.and_then(|r| r.level.as_ref()).map(|l| {
                    catalog.levels.iter().find(|x| &x.id == l).map_or(l.clone(), |x| x.title.get(lang).to_string())
                }),
                owner: r.and_then(|r| r.owner.clone()),
                due: r.and_then(|r| r.due.clone()),
                comments: r.and_then(|r| r.comments.clone()),
                evidence: r
                    .map(|r| {
                        r.evidence
                            .iter()
                            .map(|ev| match ev {
                                Evidence::File { name, sha256, added, .. } => EvidenceLine {
                                    kind: if lang == Lang::Ja { "ファイル" } else { "File" }.into(),
                                    label: name.clone(),
                                    detail: sha256.as_ref().map(|h| format!("SHA-256 {h}")),
                                    added: added.clone(),
                                },
                                Evidence::Link { url, title, added, .. } => EvidenceLine {
                                    kind: if lang == Lang::Ja { "リンク" } else { "Link" }.into(),
                                    label: title.clone().unwrap_or_else(|| url.clone()),
                                    detail: Some(url.clone()),
                                    added: added.clone(),
                                },
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                automatic: r
                    .map(|r| {
                        r.automatic
                            .iter()
                            .map(|a| AutoLine {
                                requirement: e
                                    .checks
                                    .iter()
                                    .find(|c| c.kind() == a.check)
                                    .map_or(a.check.clone(), |c| c.describe(lang)),
                                check: a.check.clone(),
                                result: a.result,
                                result_title: a.result.title(lang).to_string(),
                                observed: a.observed.clone(),
                                evaluated: a.evaluated.clone(),
                                data: a.data.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                override_: r
                    .and_then(|r| r.override_.as_ref())
                    .map(|o| (o.result.title(lang).to_string(), o.justification.clone(), format!("{} {}", o.by, o.at))),
                verified: e.provenance.verified,
                provenance: provenance_text(catalog, e, lang),
            }
        })
        .collect::<Vec<_>>();
    let unverified_entries = entries.iter().filter(|e: &&EntryLine| !e.verified).count();
    Report {
        lang,
        generated: generated.to_string(),
        catalog: CatalogInfo {
            id: catalog.id.clone(),
            title: catalog.title.get(lang).to_string(),
            publisher: catalog.publisher.get(lang).to_string(),
            version: catalog.version.clone(),
            revision: catalog.revision,
            entries: catalog.entries.len(),
            verified: catalog.verified_count(),
        },
        assessment: AssessmentInfo {
            id: assessment.id.clone(),
            title: assessment.title.clone(),
            scope_name: assessment.scope.name.clone(),
            scope_kind: assessment.scope.kind.title(lang).to_string(),
            created: assessment.created.clone(),
            updated: assessment.updated.clone(),
            changes: assessment.history.len(),
        },
        method: score::method(lang).to_string(),
        overall: scores.overall.clone(),
        status_counts: scores
            .status_counts
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), s.title(lang).to_string(), *n))
            .collect(),
        maturity: scores.maturity.map(|(average, n)| Maturity {
            average,
            entries: n,
            levels: catalog.levels.iter().map(|l| l.title.get(lang).to_string()).collect(),
        }),
        groups,
        radar,
        trend: assessment.snapshots.iter().map(|s| TrendPoint { at: s.at.clone(), overall: s.overall }).collect(),
        gaps,
        entries,
        unverified_entries,
    }
}

/// Labels used by every rendering, in the report's language.
pub fn label(lang: Lang, key: &str) -> &'static str {
    LABELS.iter().find(|(k, _, _)| *k == key).map_or("", |(_, en, ja)| if lang == Lang::Ja { ja } else { en })
}

const LABELS: &[(&str, &str, &str)] = &[
    ("report", "Assessment report", "評価レポート"),
    ("summary", "Executive summary", "エグゼクティブサマリー"),
    ("scope", "Scope", "対象範囲"),
    ("catalog", "Framework", "フレームワーク"),
    ("generated", "Generated", "作成日時"),
    ("updated", "Last updated", "最終更新"),
    ("overall", "Overall score", "総合スコア"),
    ("coverage", "Assessed", "評価済み"),
    ("maturity", "Average maturity level", "平均成熟度レベル"),
    ("scores", "Scores", "スコア"),
    ("radar", "Scores by category", "カテゴリー別スコア"),
    ("trend", "Score over time", "スコアの推移"),
    ("gaps", "Gap list (by priority)", "ギャップ一覧（優先度順）"),
    ("appendix", "Evidence appendix", "エビデンス付録"),
    ("method", "Scoring method", "スコアの算出方法"),
    ("entry", "Entry", "項目"),
    ("status", "Status", "状態"),
    ("level", "Level", "レベル"),
    ("owner", "Owner", "担当"),
    ("due", "Due", "期限"),
    ("comments", "Comments", "コメント"),
    ("evidence", "Evidence", "エビデンス"),
    ("automatic", "Automatic evidence", "自動エビデンス"),
    ("override", "Override", "上書き"),
    ("provenance", "Provenance", "出典"),
    ("reason", "Reason", "理由"),
    ("rank", "#", "順位"),
    ("overdue", "overdue", "期限超過"),
    ("unverified", "unverified", "未確認"),
    (
        "unverified_note",
        "Entries marked unverified are not confirmed against the source document; check them before relying on them.",
        "「未確認」の項目は原典との照合が済んでいません。利用前に原典で確認してください。",
    ),
    ("no_gaps", "No gaps.", "ギャップはありません。"),
    ("none", "None", "なし"),
    ("not_scored", "not scored yet", "未算出"),
    ("entries_assessed", "entries assessed", "項目を評価済み"),
    ("group", "Node", "ノード"),
    ("score", "Score", "スコア"),
    ("counted", "Counted", "算入"),
];
