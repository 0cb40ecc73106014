//! Words the renderings share: the report model's fixed labels, the few phrases only the renderings need, and
//! the summary lines both the HTML and the PDF print, in the report's language.

use cpsf_assess::report::{Maturity, Report, label};
use cpsf_catalog::Lang;

use crate::chart::format_score;

/// A fixed label: the report model's, else one of ours.
pub(crate) fn t(lang: Lang, key: &str) -> &'static str {
    let text = label(lang, key);
    if text.is_empty() { extra(lang, key) } else { text }
}

const EXTRA: &[(&str, &str, &str)] = &[
    (
        "radar_too_few",
        "The chart needs at least three categories with assessable entries; the scores table above has the figures.",
        "レーダーチャートには評価対象の項目を含むカテゴリーが3つ以上必要です。数値は上のスコア表をご覧ください。",
    ),
    ("trend_none", "No score has been recorded over time yet.", "スコアの推移はまだ記録されていません。"),
    ("top_gaps", "Top gaps", "優先度の高いギャップ"),
    ("kind", "Kind", "種別"),
    ("auto_status", "from automatic evidence", "自動エビデンスによる"),
    ("check", "Check", "チェック"),
    ("result", "Result", "結果"),
    ("observed", "Observed", "観測内容"),
    ("evaluated", "Evaluated / data", "評価日時・データ"),
    ("justification", "justification", "理由"),
    ("statuses", "Entries by status", "状態別の項目数"),
];

/// One of the phrases only the renderings use.
pub(crate) fn extra(lang: Lang, key: &str) -> &'static str {
    EXTRA.iter().find(|(k, _, _)| *k == key).map_or("", |(_, en, ja)| if lang == Lang::Ja { ja } else { en })
}

/// The framework line of the title block: title, edition, id and our data revision.
pub(crate) fn catalog_line(report: &Report) -> String {
    let c = &report.catalog;
    match report.lang {
        Lang::En => format!("{} (version {}; {} revision {}; {})", c.title, c.version, c.id, c.revision, c.publisher),
        Lang::Ja => format!("{}（第{}版、{} 改訂{}、{}）", c.title, c.version, c.id, c.revision, c.publisher),
    }
}

/// When the assessment was last changed and how many changes its history holds.
pub(crate) fn updated_line(report: &Report) -> String {
    let a = &report.assessment;
    match report.lang {
        Lang::En => format!("{} ({} recorded changes since {})", a.updated, a.changes, a.created),
        Lang::Ja => format!("{}（{}以降の変更 {}件）", a.updated, a.created, a.changes),
    }
}

/// (entries with a status, counted or not applicable; assessable entries).
pub(crate) fn coverage(report: &Report) -> (usize, usize) {
    let o = &report.overall;
    (o.counted + o.not_applicable, o.assessable)
}

/// How many entries have a level and what the level numbers mean.
pub(crate) fn maturity_line(lang: Lang, m: &Maturity) -> String {
    let scale: Vec<String> = m.levels.iter().enumerate().map(|(i, l)| format!("{} = {l}", i + 1)).collect();
    match lang {
        Lang::En => format!("{} entries with a level; {}", m.entries, scale.join(", ")),
        Lang::Ja => format!("レベル設定済み {}項目（{}）", m.entries, scale.join("、")),
    }
}

pub(crate) fn more_gaps(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("… and {n} more in the gap list."),
        Lang::Ja => format!("ほか{n}件はギャップ一覧をご覧ください。"),
    }
}

pub(crate) fn unverified_count(lang: Lang, unverified: usize, entries: usize) -> String {
    match lang {
        Lang::En => format!("{unverified} of {entries} entries are unverified."),
        Lang::Ja => format!("{entries}項目中{unverified}項目が未確認です。"),
    }
}

/// The overall score as printed, or the "not scored" label.
pub(crate) fn score_or(lang: Lang, score: Option<f64>) -> String {
    score.map_or_else(|| t(lang, "not_scored").to_string(), format_score)
}
