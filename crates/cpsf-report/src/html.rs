//! The HTML report: one self-contained HTML5 file (inline CSS and SVG, no script, nothing loaded from
//! elsewhere) with the title block, executive summary, scores and charts, gap list, scoring method and the
//! evidence appendix, printable on A4.

use std::collections::HashMap;
use std::fmt::Write as _;

use cpsf_assess::Status;
use cpsf_assess::report::{EntryLine, GapLine, Report};
use cpsf_catalog::Lang;

use crate::chart::{self, format_score};
use crate::text::{self, t};

/// `text` with the characters HTML gives meaning to replaced by references, safe in element content and in
/// quoted attribute values. Control characters other than tab and newline are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const FONTS_JA: &str = r#""Noto Sans CJK JP","IPAexGothic","IPAGothic","Hiragino Sans","Yu Gothic",sans-serif"#;
const FONTS_EN: &str = r#""Noto Sans","Segoe UI","Helvetica Neue",Arial,"Liberation Sans","Noto Sans CJK JP","IPAexGothic","IPAGothic","Hiragino Sans","Yu Gothic",sans-serif"#;

const CSS: &str = r#"
:root { --ink:#1a1a1a; --muted:#5f666d; --accent:#1f4e79; --line:#d5dae0; --soft:#f3f6f9; }
* { box-sizing: border-box; }
body { font-family: var(--fonts); color: var(--ink); margin: 0 auto; max-width: 62rem; padding: 2rem 1.5rem 4rem;
  line-height: 1.6; font-size: 15px; }
h1 { font-size: 1.8rem; margin: .2rem 0 .4rem; color: var(--accent); }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .8rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0; font-size: .85rem; }
.subtitle { margin: 0 0 .6rem; font-size: 1.1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1.2rem; margin: .8rem 0; }
dl.meta dt, .entry dt { color: var(--muted); }
dl.meta dd, .entry dd { margin: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: .8rem; margin: .8rem 0 1rem; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: .7rem 1rem; min-width: 11rem; background: var(--soft); }
.tile .big { font-size: 1.9rem; font-weight: 700; color: var(--accent); line-height: 1.2; }
.tile .small { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.muted { color: var(--muted); }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 3px; margin-left: .3rem;
  vertical-align: .1em; line-height: 1.5; white-space: nowrap; }
.badge.unverified { background: #fff3e0; color: #8a4500; border: 1px solid #e3a35c; }
.badge.auto { background: #e8f0f8; color: var(--accent); border: 1px solid #9db8d3; }
.overdue { color: #b00020; font-weight: 600; white-space: nowrap; }
.status { font-weight: 600; }
.s-implemented { color: #1b6e3a; } .s-partially { color: #8a6100; } .s-not-implemented { color: #b00020; }
.s-not-assessed, .s-not-applicable { color: var(--muted); }
.note { border-left: 4px solid #e3a35c; background: #fffaf3; padding: .5rem .8rem; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { max-width: 100%; height: auto; display: block; }
ol.top-gaps { padding-left: 1.4rem; margin: .3rem 0; }
.entry { border-top: 1px solid var(--line); padding: .6rem 0 .4rem; }
.entry h3 { margin: .2rem 0 .3rem; }
.entry .id, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em; }
.entry dl { display: grid; grid-template-columns: 9rem 1fr; gap: .15rem 1rem; margin: .3rem 0; }
.entry .summary { color: var(--muted); margin: 0 0 .3rem; }
.pre { white-space: pre-wrap; }
ul.evidence { margin: 0; padding-left: 1.1rem; }
table.auto { margin: .1rem 0 .2rem; font-size: .85rem; }
a { color: var(--accent); }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  h3, figcaption { break-after: avoid; }
  .entry, figure, tr, .tile { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  #appendix { break-before: page; }
}
"#;

/// The whole report as one HTML5 document.
pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::with_capacity(64 * 1024 + report.entries.len() * 2048);
    let fonts = if lang == Lang::Ja { FONTS_JA } else { FONTS_EN };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cpsf\">\n<title>{} — {} — {}</title>\n\
         <style>:root {{ --fonts: {fonts}; }}{CSS}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(t(lang, "report")),
        escape(&report.catalog.title),
        escape(&report.assessment.scope_name),
    );
    title_block(&mut out, report);
    out.push_str("<main>\n");
    let anchors = Anchors::new(report);
    summary(&mut out, report, &anchors);
    scores(&mut out, report);
    gaps(&mut out, report, &anchors);
    let _ = write!(
        out,
        "<section id=\"method\">\n<h2>{}</h2>\n<p>{}</p>\n</section>\n",
        escape(t(lang, "method")),
        escape(&report.method)
    );
    appendix(&mut out, report);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn title_block(out: &mut String, report: &Report) {
    let lang = report.lang;
    let c = &report.catalog;
    let a = &report.assessment;
    let _ =
        write!(out, "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n", escape(t(lang, "report")), escape(&c.title));
    if let Some(title) = a.title.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(title));
    }
    out.push_str("<dl class=\"meta\">\n");
    let mut row = |key: &str, value: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", escape(key));
    };
    row(t(lang, "catalog"), escape(&text::catalog_line(report)));
    row(t(lang, "scope"), escape(&format!("{} ({})", a.scope_name, a.scope_kind)));
    row(t(lang, "generated"), escape(&report.generated));
    row(t(lang, "updated"), escape(&text::updated_line(report)));
    out.push_str("</dl>\n</header>\n");
}

fn status_class(status: Status) -> String {
    format!("status s-{}", status.as_str())
}

fn unverified_badge(lang: Lang) -> String {
    format!("<span class=\"badge unverified\">{}</span>", escape(t(lang, "unverified")))
}

fn summary(out: &mut String, report: &Report, anchors: &Anchors<'_>) {
    let lang = report.lang;
    let _ = writeln!(out, "<section id=\"summary\">\n<h2>{}</h2>\n<div class=\"tiles\">", escape(t(lang, "summary")));
    let overall = text::score_or(lang, report.overall.score);
    let _ = writeln!(
        out,
        "<div class=\"tile\"><div class=\"big\">{}</div><div class=\"small\">{}</div></div>",
        escape(&overall),
        escape(t(lang, "overall"))
    );
    let (done, all) = text::coverage(report);
    let _ = writeln!(
        out,
        "<div class=\"tile\"><div class=\"big\">{done} / {all}</div><div class=\"small\">{}</div></div>",
        escape(t(lang, "entries_assessed"))
    );
    if let Some(m) = &report.maturity {
        let _ = writeln!(
            out,
            "<div class=\"tile\"><div class=\"big\">{}</div><div class=\"small\">{}<br>{}</div></div>",
            escape(&format_score(m.average)),
            escape(t(lang, "maturity")),
            escape(&text::maturity_line(lang, m))
        );
    }
    out.push_str("</div>\n<table class=\"statuses\">\n<thead><tr>");
    for (id, title, _) in &report.status_counts {
        let class = Status::parse(id).map_or_else(|| "status".to_string(), status_class);
        let _ = write!(out, "<th class=\"num\"><span class=\"{class}\">{}</span></th>", escape(title));
    }
    out.push_str("</tr></thead>\n<tbody><tr>");
    for (_, _, count) in &report.status_counts {
        let _ = write!(out, "<td class=\"num\">{count}</td>");
    }
    out.push_str("</tr></tbody>\n</table>\n");
    let _ = writeln!(out, "<h3>{}</h3>", escape(text::extra(lang, "top_gaps")));
    if report.gaps.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(t(lang, "no_gaps")));
    } else {
        out.push_str("<ol class=\"top-gaps\">\n");
        for gap in report.gaps.iter().take(5) {
            let _ = writeln!(
                out,
                "<li><a class=\"id\" href=\"#{}\">{}</a> {}{} — <span class=\"muted\">{}</span></li>",
                anchors.get(&gap.entry),
                escape(&gap.entry),
                escape(&gap.title),
                if gap.verified { String::new() } else { unverified_badge(lang) },
                escape(&gap.reason_title)
            );
        }
        out.push_str("</ol>\n");
        if report.gaps.len() > 5 {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&text::more_gaps(lang, report.gaps.len() - 5)));
        }
    }
    if report.unverified_entries > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} {} {}</p>",
            unverified_badge(lang),
            escape(&text::unverified_count(lang, report.unverified_entries, report.entries.len())),
            escape(t(lang, "unverified_note"))
        );
    }
    out.push_str("</section>\n");
}

/// The fragment ids of the entries' appendix blocks, by entry id.
struct Anchors<'a>(HashMap<&'a str, usize>);

impl<'a> Anchors<'a> {
    fn new(report: &'a Report) -> Anchors<'a> {
        Anchors(report.entries.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect())
    }

    fn get(&self, entry: &str) -> String {
        self.0.get(entry).map_or_else(|| "appendix".to_string(), |i| format!("entry-{i}"))
    }
}

fn scores(out: &mut String, report: &Report) {
    let lang = report.lang;
    let _ = writeln!(out, "<section id=\"scores\">\n<h2>{}</h2>", escape(t(lang, "scores")));
    if report.groups.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(t(lang, "none")));
    } else {
        let _ = writeln!(
            out,
            "<table class=\"scores\">\n<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>\
             <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>",
            escape(t(lang, "group")),
            escape(text::extra(lang, "kind")),
            escape(t(lang, "score")),
            escape(t(lang, "counted")),
            escape(Status::NotApplicable.title(lang)),
            escape(Status::NotAssessed.title(lang)),
        );
        for g in &report.groups {
            let score = text::score_or(lang, g.score.score);
            let _ = writeln!(
                out,
                "<tr><td style=\"padding-left:{:.1}rem\"><span class=\"id\">{}</span> {}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                0.5 + 1.2 * g.depth.min(8) as f64,
                escape(&g.id),
                escape(&g.title),
                escape(&g.kind),
                escape(&score),
                g.score.counted,
                g.score.assessable,
                g.score.not_applicable,
                g.score.not_assessed
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(out, "<figure class=\"radar\">\n<figcaption>{}</figcaption>", escape(t(lang, "radar")));
    let svg = chart::radar_svg(&report.radar, 360.0);
    if svg.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(text::extra(lang, "radar_too_few")));
    } else {
        out.push_str(&svg);
        out.push('\n');
    }
    out.push_str("</figure>\n");
    let _ = writeln!(out, "<figure class=\"trend\">\n<figcaption>{}</figcaption>", escape(t(lang, "trend")));
    out.push_str(&chart::trend_svg(&report.trend, 640.0, 200.0));
    out.push('\n');
    if !report.trend.iter().any(|p| p.overall.is_some()) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(text::extra(lang, "trend_none")));
    }
    out.push_str("</figure>\n</section>\n");
}

fn due_cell(lang: Lang, due: Option<&str>, overdue: bool) -> String {
    let mut cell = escape(due.unwrap_or(""));
    if overdue {
        let _ = write!(cell, " <span class=\"overdue\">{}</span>", escape(t(lang, "overdue")));
    }
    cell
}

fn gaps(out: &mut String, report: &Report, anchors: &Anchors<'_>) {
    let lang = report.lang;
    let _ = writeln!(out, "<section id=\"gaps\">\n<h2>{}</h2>", escape(t(lang, "gaps")));
    if report.gaps.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(t(lang, "no_gaps")));
        return;
    }
    let _ = writeln!(
        out,
        "<table class=\"gaps\">\n<thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th></tr></thead>\n<tbody>",
        escape(t(lang, "rank")),
        escape(t(lang, "entry")),
        escape(t(lang, "reason")),
        escape(t(lang, "owner")),
        escape(t(lang, "due")),
    );
    for g in &report.gaps {
        gap_row(out, report, anchors, g);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn gap_row(out: &mut String, report: &Report, anchors: &Anchors<'_>, g: &GapLine) {
    let lang = report.lang;
    let _ = writeln!(
        out,
        "<tr class=\"gap\"><td class=\"num\">{}</td><td><a class=\"id\" href=\"#{}\">{}</a> {}{}</td><td>{}</td>\
         <td>{}</td><td class=\"nowrap\">{}</td></tr>",
        g.rank,
        anchors.get(&g.entry),
        escape(&g.entry),
        escape(&g.title),
        if g.verified { String::new() } else { unverified_badge(lang) },
        escape(&g.reason_title),
        escape(g.owner.as_deref().unwrap_or("")),
        due_cell(lang, g.due.as_deref(), g.overdue),
    );
}

fn appendix(out: &mut String, report: &Report) {
    let lang = report.lang;
    let _ = writeln!(out, "<section id=\"appendix\">\n<h2>{}</h2>", escape(t(lang, "appendix")));
    let overdue: HashMap<&str, bool> = report.gaps.iter().map(|g| (g.entry.as_str(), g.overdue)).collect();
    for (i, e) in report.entries.iter().enumerate() {
        entry(out, lang, i, e, overdue.get(e.id.as_str()).copied().unwrap_or(false));
    }
    out.push_str("</section>\n");
}

fn entry(out: &mut String, lang: Lang, index: usize, e: &EntryLine, overdue: bool) {
    let _ = writeln!(
        out,
        "<article class=\"entry\" id=\"entry-{index}\">\n<h3><span class=\"id\">{}</span> {}{}</h3>",
        escape(&e.id),
        escape(&e.title),
        if e.verified { String::new() } else { unverified_badge(lang) }
    );
    if !e.summary.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"summary\">{}</p>", escape(&e.summary));
    }
    out.push_str("<dl>\n");
    let mut row = |key: &str, value: &str| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", escape(key));
    };
    let mut status = format!("<span class=\"{}\">{}</span>", status_class(e.status), escape(&e.status_title));
    if e.status_automatic {
        let _ = write!(status, "<span class=\"badge auto\">{}</span>", escape(text::extra(lang, "auto_status")));
    }
    row(t(lang, "status"), &status);
    if let Some(level) = &e.level {
        row(t(lang, "level"), &escape(level));
    }
    row(t(lang, "owner"), &escape(e.owner.as_deref().unwrap_or("—")));
    let due = if e.due.is_some() { due_cell(lang, e.due.as_deref(), overdue) } else { "—".to_string() };
    row(t(lang, "due"), &due);
    if let Some(comments) = e.comments.as_deref().filter(|c| !c.trim().is_empty()) {
        row(t(lang, "comments"), &format!("<span class=\"pre\">{}</span>", escape(comments)));
    }
    let evidence = if e.evidence.is_empty() {
        escape(t(lang, "none"))
    } else {
        let mut list = String::from("<ul class=\"evidence\">");
        for ev in &e.evidence {
            let _ = write!(list, "<li>{}: {}", escape(&ev.kind), escape(&ev.label));
            if let Some(detail) = ev.detail.as_deref().filter(|d| *d != ev.label) {
                let _ = write!(list, " <span class=\"muted\">{}</span>", escape(detail));
            }
            let _ = write!(list, " <span class=\"muted\">({})</span></li>", escape(&ev.added));
        }
        list.push_str("</ul>");
        list
    };
    row(t(lang, "evidence"), &evidence);
    if !e.automatic.is_empty() {
        let mut table = format!(
            "<table class=\"auto\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            escape(text::extra(lang, "check")),
            escape(text::extra(lang, "result")),
            escape(text::extra(lang, "observed")),
            escape(text::extra(lang, "evaluated")),
        );
        for a in &e.automatic {
            let _ = write!(
                table,
                "<tr><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{}<br><span class=\"muted\">{}</span></td></tr>",
                escape(&a.requirement),
                escape(&a.result_title),
                escape(&a.observed),
                escape(&a.evaluated),
                escape(&a.data),
            );
        }
        table.push_str("</tbody></table>");
        row(t(lang, "automatic"), &table);
    }
    if let Some((result, justification, by_at)) = &e.override_ {
        row(
            t(lang, "override"),
            &format!(
                "{} — {}: {} <span class=\"muted\">({})</span>",
                escape(result),
                escape(text::extra(lang, "justification")),
                escape(justification),
                escape(by_at)
            ),
        );
    }
    let mut provenance = escape(&e.provenance);
    if !e.verified {
        provenance.push_str(&unverified_badge(lang));
    }
    row(t(lang, "provenance"), &provenance);
    out.push_str("</dl>\n</article>\n");
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_neutralises_markup() {
        // A comment holding `<script>` must come out as text, never as markup.
        assert_eq!(
            escape("<!-- <script>alert('x')</script> -->"),
            "&lt;!-- &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; --&gt;"
        );
        assert_eq!(escape("a & \"b\""), "a &amp; &quot;b&quot;");
        assert_eq!(escape("評価\u{0}\u{7}"), "評価");
        assert_eq!(escape("line\nnext"), "line\nnext");
    }
}
