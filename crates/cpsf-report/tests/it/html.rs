//! The HTML report: one self-contained document with every section, the gap list in priority order, every
//! piece of text escaped, and nothing loaded from elsewhere.

use cpsf_catalog::Lang;
use cpsf_report::{FontSource, Format, html, render};

use crate::fixture;

fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("<section id=\"{id}\">")).unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// The entry ids of `class="id" href=...>ID</a>` links, in document order.
fn linked_ids(fragment: &str) -> Vec<String> {
    fragment
        .split("<a class=\"id\" href=\"#")
        .skip(1)
        .map(|rest| {
            let text = &rest[rest.find('>').unwrap() + 1..];
            text[..text.find("</a>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn japanese_report_has_every_section() {
    let report = fixture::report(Lang::Ja);
    let page = html::render(&report);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
    assert!(page.contains(r#""Noto Sans CJK JP","IPAexGothic","IPAGothic","Hiragino Sans","Yu Gothic",sans-serif"#));
    for title in [
        "エグゼクティブサマリー",
        "スコア",
        "カテゴリー別スコア",
        "スコアの推移",
        "ギャップ一覧（優先度順）",
        "スコアの算出方法",
        "エビデンス付録",
    ] {
        assert!(page.contains(title), "missing {title}");
    }
    assert!(page.contains("レポート試験用フレームワーク"));
    assert!(page.contains("本社工場 &lt;Plant 1&gt;"));
    assert!(page.contains("2025-06-01T09:00:00Z"));
    // Radar with one spoke per category and a value polygon; the trend with its points.
    let scores = section(&page, "scores");
    let radar = &scores[scores.find("<svg class=\"chart radar\"").expect("radar svg")..];
    let radar = &radar[..radar.find("</svg>").unwrap()];
    assert_eq!(radar.matches("<line ").count(), 5);
    assert!(radar.contains("class=\"value\""));
    assert!(radar.contains("資産管理") && radar.contains("リスク評価"));
    assert!(scores.contains("<svg class=\"chart trend\""));
    assert!(scores.matches("<circle").count() >= 5 + report.trend.len());
    // Every assessable entry is in the appendix, every group in the scores table.
    assert_eq!(section(&page, "appendix").matches("<article class=\"entry\"").count(), 100);
    assert_eq!(scores.matches("<tr><td style=\"padding-left").count(), report.groups.len());
    // The summary: overall score, coverage, the status counts and the unverified note.
    let summary = section(&page, "summary");
    let overall = cpsf_report::chart::format_score(report.overall.score.unwrap());
    assert!(summary.contains(&format!("<div class=\"big\">{overall}</div>")), "{summary}");
    assert!(summary.contains("平均成熟度レベル"));
    assert!(summary.contains(&format!("100項目中{}項目が未確認です。", report.unverified_entries)));
    assert!(summary.contains("「未確認」の項目は原典との照合が済んでいません。"));
    assert_eq!(linked_ids(summary), report.gaps.iter().take(5).map(|g| g.entry.clone()).collect::<Vec<_>>());
}

#[test]
fn gap_list_is_in_priority_order_with_badges_and_overdue_marks() {
    let report = fixture::report(Lang::Ja);
    let page = html::render(&report);
    let gaps = section(&page, "gaps");
    let ids = linked_ids(gaps);
    assert_eq!(ids, report.gaps.iter().map(|g| g.entry.clone()).collect::<Vec<_>>());
    // Not implemented before partially implemented before not assessed.
    let rank = |reason: &str| match reason {
        "contradicts-evidence" | "not-implemented" => 0,
        "partially" => 1,
        _ => 2,
    };
    let reasons: Vec<u8> =
        report.gaps.iter().map(|g| rank(serde_json::to_value(g.reason).unwrap().as_str().unwrap())).collect();
    assert!(reasons.windows(2).all(|w| w[0] <= w[1]), "{reasons:?}");
    assert!(reasons.first() == Some(&0) && reasons.last() == Some(&2));
    let overdue = report.gaps.iter().filter(|g| g.overdue).count();
    assert!(overdue > 0);
    assert_eq!(gaps.matches("<span class=\"overdue\">期限超過</span>").count(), overdue);
    let unverified = report.gaps.iter().filter(|g| !g.verified).count();
    assert_eq!(gaps.matches("<span class=\"badge unverified\">未確認</span>").count(), unverified);
}

#[test]
fn every_piece_of_text_is_escaped() {
    let report = fixture::report(Lang::En);
    let page = html::render(&report);
    assert!(!page.contains("<script"), "unescaped script tag");
    assert!(!page.contains("<b>"));
    assert!(page.contains("Keep &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; out"));
    assert!(page.contains("&lt;!-- &lt;script&gt;document.write(&#39;x&#39;)&lt;/script&gt; --&gt; reviewed"));
    assert!(page.contains("https://intranet.example/policies/4?a=1&amp;b=2"));
}

#[test]
fn nothing_is_loaded_from_elsewhere() {
    for lang in [Lang::Ja, Lang::En] {
        let page = html::render(&fixture::report(lang));
        for forbidden in
            ["<script", "<link", "<img", "<iframe", "<object", "<embed", "src=", "@import", "url(", "xmlns"]
        {
            assert!(!page.contains(forbidden), "{forbidden} in the {lang:?} report");
        }
        // Links only jump within the page; a URL appears only as text.
        for href in page.split("href=\"").skip(1) {
            assert!(href.starts_with('#'), "outside link: {}", &href[..href.len().min(60)]);
        }
        assert!(!page.contains("=\"http"));
    }
}

#[test]
fn english_report_speaks_english_and_marks_evidence() {
    let report = fixture::report(Lang::En);
    let page = html::render(&report);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    for text in ["Executive summary", "Gap list (by priority)", "Evidence appendix", "Scoring method", "Access control"]
    {
        assert!(page.contains(text), "missing {text}");
    }
    assert!(page.contains(&report.method));
    let appendix = section(&page, "appendix");
    assert!(appendix.contains("from automatic evidence"));
    assert!(appendix.contains("Every product has an SBOM uploaded within 90 days"));
    assert!(appendix.contains("sqlite:/var/lib/cpsf/cpsf.db"));
    assert!(appendix.contains("手作業の台帳を監査で確認済み (checked by audit)"));
    assert!(appendix.contains("SHA-256 9f86d081"));
    assert!(appendix.contains("Test source, Table ID.AM, p. 4 (verified)"));
    assert!(appendix.contains("(unverified) — Not yet checked against the source."));
}

#[test]
fn a_report_without_enough_categories_says_why_there_is_no_radar() {
    let mut report = fixture::report(Lang::En);
    report.radar.truncate(2);
    report.trend.clear();
    let page = html::render(&report);
    assert!(!page.contains("chart radar"));
    assert!(page.contains("The chart needs at least three categories"));
    assert!(page.contains("No score has been recorded over time yet."));
}

#[test]
fn render_dispatches_html() {
    let report = fixture::report(Lang::Ja);
    let bytes = render(&report, Format::Html, &FontSource::Auto).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), html::render(&report));
}
