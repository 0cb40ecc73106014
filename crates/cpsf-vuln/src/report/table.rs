//! The table rendering of a scan report, for people: findings grouped by component, severities coloured, KEV marked, fixes named, and a summary line.

use std::collections::BTreeMap;

use unicode_width::UnicodeWidthChar;

use super::{RATINGS_DESC, ScanReport};
use crate::finding::{Finding, Rating};

/// The width the rows are fitted to.
pub const WIDTH: usize = 120;
/// The widest the id column gets: as many of the first two aliases as fit are shown, the rest counted.
const ID_WIDTH_MAX: usize = 40;
/// The narrowest a row's summary gets, however wide the other columns are.
const SUMMARY_WIDTH_MIN: usize = 20;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";

/// The ANSI style of a severity word.
fn severity_style(rating: Rating) -> &'static str {
    match rating {
        Rating::Critical => "\x1b[1;31m",
        Rating::High => "\x1b[31m",
        Rating::Medium => "\x1b[33m",
        Rating::Low => "\x1b[34m",
        Rating::None | Rating::Unknown => "\x1b[2m",
    }
}

/// The report as a table: one block per component (highest severity first, then by name), one row per
/// finding (highest severity first, then by id), then the summary. `color` adds ANSI styles; suppressed
/// findings are left out unless `show_suppressed`.
pub fn to_table(report: &ScanReport, color: bool, show_suppressed: bool) -> String {
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if f.suppression.is_none() || show_suppressed {
            groups.entry(f.component.bom_ref.as_str()).or_default().push(f);
        }
    }
    let mut groups: Vec<Vec<&Finding>> = groups.into_values().collect();
    for g in &mut groups {
        g.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    }
    groups.sort_by(|a, b| {
        let (sa, sb) = (a.first().map(|f| f.severity), b.first().map(|f| f.severity));
        let (ca, cb) = (a.first().map(|f| &f.component), b.first().map(|f| &f.component));
        sb.cmp(&sa)
            .then_with(|| ca.map(|c| &c.name).cmp(&cb.map(|c| &c.name)))
            .then_with(|| ca.map(|c| &c.version).cmp(&cb.map(|c| &c.version)))
            .then_with(|| ca.map(|c| &c.bom_ref).cmp(&cb.map(|c| &c.bom_ref)))
    });

    let rows: Vec<Vec<Row>> = groups.iter().map(|g| g.iter().map(|f| Row::of(f)).collect()).collect();
    let all = rows.iter().flatten();
    let id_width = all.clone().map(|r| width(&r.id)).max().unwrap_or(0).min(ID_WIDTH_MAX);
    let fix_width = all.clone().map(|r| width(&r.fix)).max().unwrap_or(0).min(24);
    // Two spaces of indent, then id, severity (8), score (4), KEV (3), EPSS (6), fix, summary, two spaces apart.
    let fixed = 2 + id_width + 2 + 8 + 2 + 4 + 2 + 3 + 2 + 6 + 2 + fix_width + 2;
    let summary_width = WIDTH.saturating_sub(fixed).max(SUMMARY_WIDTH_MIN);

    let mut out = String::new();
    for (group, rows) in groups.iter().zip(&rows) {
        let Some(first) = group.first() else { continue };
        out.push_str(&component_line(report, first, color));
        out.push('\n');
        for (f, row) in group.iter().zip(rows) {
            let sev = f.severity.as_str().to_ascii_uppercase();
            let sev = if color { paint(severity_style(f.severity), &sev, 8) } else { pad(&sev, 8) };
            let kev = if f.kev.is_some() && color { paint(BOLD, "KEV", 3) } else { pad(&row.kev, 3) };
            let line = format!(
                "  {}  {}  {}  {}  {}  {}  {}",
                pad(&fit(&row.id, id_width), id_width),
                sev,
                pad_left(&row.score, 4),
                kev,
                pad_left(&row.epss, 6),
                pad(&fit(&row.fix, fix_width), fix_width),
                fit(&row.summary, summary_width),
            );
            out.push_str(line.trim_end());
            out.push('\n');
            if let Some(s) = &f.suppression {
                let mut why = format!("suppressed by VEX: {}", s.status);
                if let Some(j) = &s.justification {
                    why.push_str(&format!(", {j}"));
                }
                why.push_str(&format!(" ({})", s.source));
                if let Some(impact) = &s.impact_statement {
                    why.push_str(&format!(": {impact}"));
                }
                out.push_str("    ");
                out.push_str(&fit(&clean(&why), WIDTH - 4));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out.push_str(&summary_lines(report, show_suppressed));
    out
}

/// The plain text of one finding's columns.
struct Row {
    id: String,
    score: String,
    kev: String,
    epss: String,
    fix: String,
    summary: String,
}

impl Row {
    fn of(f: &Finding) -> Row {
        let id = id_text(f);
        let score = f.cvss_score.filter(|s| s.is_finite()).map_or("-".into(), |s| format!("{s:.1}"));
        let epss =
            f.epss.as_ref().filter(|e| e.score.is_finite()).map_or("-".into(), |e| format!("{:.1}%", e.score * 100.0));
        let fix = f.fixed_version.as_deref().map_or("-".into(), clean);
        let summary = f.summary.as_deref().map(clean).unwrap_or_default();
        Row { id, score, kev: if f.kev.is_some() { "KEV".into() } else { String::new() }, epss, fix, summary }
    }
}

/// The id and up to two of its aliases, as many as fit the id column, and a count of the others:
/// `CVE-2020-26235 (GHSA-wcg3-cvx6-7396, +1)`.
fn id_text(f: &Finding) -> String {
    let others: Vec<String> = f.aliases.iter().filter(|a| **a != f.id).map(|a| clean(a)).collect();
    let id = clean(&f.id);
    for shown in (0..=others.len().min(2)).rev() {
        let mut parts: Vec<String> = others.iter().take(shown).cloned().collect();
        if others.len() > shown {
            parts.push(format!("+{}", others.len() - shown));
        }
        let text = if parts.is_empty() { id.clone() } else { format!("{id} ({})", parts.join(", ")) };
        if shown == 0 || width(&text) <= ID_WIDTH_MAX {
            return text;
        }
    }
    id
}

fn component_line(report: &ScanReport, f: &Finding, color: bool) -> String {
    let c = &f.component;
    let name = clean(&c.name);
    let mut line = if color { format!("{BOLD}{name}{RESET}") } else { name };
    for part in [&c.version, &c.ecosystem] {
        if !part.is_empty() {
            line.push(' ');
            line.push_str(&clean(part));
        }
    }
    if let Some(loc) = c.locations.first() {
        line.push_str("  ");
        line.push_str(&clean(&loc.path));
        if let Some(n) = loc.line {
            line.push_str(&format!(":{n}"));
        }
        if c.locations.len() > 1 {
            line.push_str(&format!(" (+{} more)", c.locations.len() - 1));
        }
    }
    let summary = report.component(&c.bom_ref);
    let all_suppressed =
        report.findings.iter().filter(|g| g.component.bom_ref == c.bom_ref).all(|g| g.suppression.is_some());
    line.push_str("  ");
    match summary.and_then(|s| s.fixed_version.as_deref()) {
        _ if all_suppressed => line.push_str("suppressed by VEX"),
        Some(v) => line.push_str(&format!("fix: {}", clean(v))),
        None => line.push_str("no fix"),
    }
    line
}

fn summary_lines(report: &ScanReport, show_suppressed: bool) -> String {
    let s = &report.summary;
    let mut out = String::new();
    if s.findings == 0 {
        let noun = if s.components == 1 { "component" } else { "components" };
        out.push_str(&format!("No known vulnerabilities in {} {noun}.", s.components));
    } else {
        let counts: Vec<String> = RATINGS_DESC
            .iter()
            .filter_map(|r| {
                let n = s.by_severity.get(r.as_str()).copied().unwrap_or(0);
                let always = matches!(r, Rating::Critical | Rating::High | Rating::Medium | Rating::Low);
                (always || n > 0).then(|| format!("{n} {}", r.as_str()))
            })
            .collect();
        out.push_str(&format!(
            "{} {} in {} of {} components: {}; {} in the CISA KEV catalog.",
            s.findings,
            if s.findings == 1 { "vulnerability" } else { "vulnerabilities" },
            s.vulnerable_components,
            s.components,
            counts.join(", "),
            s.kev,
        ));
    }
    if s.suppressed > 0 {
        let how = if show_suppressed { "shown above" } else { "use --show-suppressed" };
        out.push_str(&format!(" {} suppressed by VEX ({how}).", s.suppressed));
    }
    out.push('\n');
    let db = &report.database;
    out.push_str(&format!("Advisory database: {}, {} records", clean(&db.path), db.records));
    if let Some(m) = &db.newest_modified {
        out.push_str(&format!(", newest modified {}", clean(m)));
    }
    if let Some(v) = &db.kev_catalog_version {
        out.push_str(&format!(", KEV catalog {}", clean(v)));
    }
    if let Some(d) = &db.epss_score_date {
        out.push_str(&format!(", EPSS {}", clean(d)));
    }
    out.push_str(".\n");
    for w in &report.warnings {
        out.push_str(&format!("warning: {}\n", clean(w)));
    }
    out
}

/// Text from advisories and lockfiles made safe and flat for a terminal: control characters (escape
/// sequences included) become spaces, and runs of whitespace one space.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Display width: East Asian wide and fullwidth characters take two columns, combining marks none.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cut to at most `max` columns, ending with `…` when cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

fn pad(s: &str, cols: usize) -> String {
    format!("{s}{}", " ".repeat(cols.saturating_sub(width(s))))
}

fn pad_left(s: &str, cols: usize) -> String {
    format!("{}{s}", " ".repeat(cols.saturating_sub(width(s))))
}

/// `word` in `style`, padded to `cols` outside the style.
fn paint(style: &str, word: &str, cols: usize) -> String {
    format!("{style}{word}{RESET}{}", " ".repeat(cols.saturating_sub(width(word))))
}
