//! The PDF report: a valid PDF whose text layer (read back with poppler's `pdftotext`) holds the Japanese and
//! English text, and whose first page renders (with `pdftoppm`) to a picture that is not blank. Skipped when
//! no Japanese font or no poppler tool is installed (CI installs fonts-ipafont-gothic and poppler-utils).

use std::path::{Path, PathBuf};
use std::process::Command;

use cpsf_catalog::Lang;
use cpsf_report::chart::format_score;
use cpsf_report::{FontSource, Format, ReportError, find_font, pdf, render};

use crate::fixture;

/// The font to use, or `None` (after printing why) when this machine has none for `lang`.
fn font(lang: Lang) -> Option<FontSource> {
    match find_font(lang) {
        Ok((path, _)) => Some(FontSource::File(path)),
        Err(e) => {
            println!("SKIPPED: no Japanese font ({e})");
            None
        }
    }
}

/// A fresh scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("cpsf-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Run a poppler tool; `None` (after printing SKIPPED) when it is not installed.
fn poppler(tool: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(tool).args(args).output() {
        Ok(out) => {
            assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
            Some(out)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("SKIPPED: {tool} not installed");
            None
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

fn pdftotext(pdf: &Path) -> Option<String> {
    let out = poppler("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])?;
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Text as pdftotext gives it, with line breaks and spaces removed (Japanese lines wrap anywhere).
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn render_to(dir: &Path, lang: Lang, font: &FontSource) -> (cpsf_report::Report, PathBuf) {
    let report = fixture::report(lang);
    let bytes = pdf::render(&report, font).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let path = dir.join(format!("report-{}.pdf", lang.code()));
    std::fs::write(&path, &bytes).unwrap();
    (report, path)
}

#[test]
fn japanese_pdf_text_can_be_extracted() {
    let Some(font) = font(Lang::Ja) else { return };
    let dir = scratch("ja-text");
    let (report, path) = render_to(&dir, Lang::Ja, &font);
    let Some(text) = pdftotext(&path) else { return };
    let flat = squeezed(&text);
    for expected in [
        "評価レポート",
        "エグゼクティブサマリー",
        "レポート試験用フレームワーク",
        "ギャップ一覧（優先度順）",
        "エビデンス付録",
        "資産管理の要件5",
        "継続的なモニタリングの要件20",
        "未確認",
        "期限超過",
        "自動エビデンスによる",
        "手作業の台帳を監査で確認済み(checkedbyaudit)",
    ] {
        assert!(flat.contains(expected), "pdftotext lacks {expected}");
    }
    let overall = format_score(report.overall.score.unwrap());
    let summary = &flat[flat.find("エグゼクティブサマリー").unwrap()..];
    assert!(summary.starts_with(&format!("エグゼクティブサマリー{overall}")), "overall score {overall} not first");
    assert!(summary.contains("総合スコア"));
    // Footer page numbers: the last page says n / n.
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 5, "{pages} pages");
    assert!(flat.contains(&format!("{pages}/{pages}")));
    // Every entry is in the appendix.
    for e in &report.entries {
        assert!(flat.contains(&squeezed(&e.id)), "{} missing", e.id);
    }
}

#[test]
fn english_pdf_text_can_be_extracted() {
    let Some(font) = font(Lang::En) else { return };
    let dir = scratch("en-text");
    let (report, path) = render_to(&dir, Lang::En, &font);
    let Some(text) = pdftotext(&path) else { return };
    for expected in ["Assessment report", "Executive summary", "Gap list (by priority)", "Evidence appendix"] {
        assert!(text.contains(expected), "pdftotext lacks {expected}");
    }
    // Latin text keeps its spaces and breaks only between words.
    assert!(text.contains("Keep <script>alert(1)</script> & \"quotes\" out"), "hostile title not kept as text");
    assert!(text.contains("Scoring method"));
    let first_gap = &report.gaps[0];
    assert!(text.contains(&first_gap.title));
    assert!(squeezed(&text).contains("本社工場<Plant1>"));
}

/// Count the pixels darker than near-white in a binary PGM (P5, 8-bit) image.
fn dark_pixels(pgm: &[u8]) -> (usize, usize) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        if pgm[i] == b'#' {
            while pgm[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..i]).to_string());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[i + 1..];
    assert_eq!(pixels.len(), w * h);
    (pixels.iter().filter(|p| **p < 200).count(), w * h)
}

fn only_file(dir: &Path, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn first_page_renders_to_a_picture_that_is_not_blank() {
    let Some(font) = font(Lang::Ja) else { return };
    let dir = scratch("ja-png");
    let (_, path) = render_to(&dir, Lang::Ja, &font);
    let pdf = path.to_str().unwrap();
    let png_prefix = dir.join("page-png");
    if poppler("pdftoppm", &["-png", "-r", "60", "-f", "1", "-l", "1", pdf, png_prefix.to_str().unwrap()]).is_none() {
        return;
    }
    let png = only_file(&dir, "png");
    let size = std::fs::metadata(&png).unwrap().len();
    assert!(size > 10_000, "page 1 PNG is only {size} bytes");
    let pgm_prefix = dir.join("page-gray");
    poppler("pdftoppm", &["-gray", "-r", "30", "-f", "1", "-l", "1", pdf, pgm_prefix.to_str().unwrap()]).unwrap();
    let pgm = std::fs::read(only_file(&dir, "pgm")).unwrap();
    let (dark, all) = dark_pixels(&pgm);
    // Text, tiles and the status table cover a few per cent of the page; a blank or tofu-free empty page
    // would have next to none, a page of black boxes far more.
    assert!(dark * 100 > all, "only {dark} of {all} pixels are dark");
    assert!(dark * 3 < all, "{dark} of {all} pixels are dark");
}

#[test]
fn both_languages_render_a_hundred_entries_in_every_format() {
    let Some(font) = font(Lang::Ja) else { return };
    for lang in [Lang::Ja, Lang::En] {
        let report = fixture::report(lang);
        assert_eq!(report.entries.len(), 100);
        for format in [Format::Html, Format::Pdf, Format::Json] {
            let bytes = render(&report, format, &font).unwrap();
            assert!(bytes.len() > 20_000, "{lang:?} {format:?}: {} bytes", bytes.len());
        }
    }
}

#[test]
fn a_missing_font_file_is_a_clear_error() {
    let report = fixture::report(Lang::Ja);
    let err = pdf::render(&report, &FontSource::File("/nonexistent/cpsf/font.ttf".into())).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ReportError::FontRead { .. }));
    assert!(message.contains("/nonexistent/cpsf/font.ttf"), "{message}");
}

#[test]
fn a_file_that_is_not_a_font_is_refused() {
    let dir = scratch("not-a-font");
    let path = dir.join("font.ttf");
    std::fs::write(&path, b"this is not a font").unwrap();
    let report = fixture::report(Lang::Ja);
    let err = pdf::render(&report, &FontSource::File(path)).unwrap_err();
    assert!(err.to_string().contains("not a TrueType/OpenType font"), "{err}");
}

#[test]
fn the_no_font_error_says_how_to_fix_it() {
    let err = ReportError::NoFont { lang: "ja".into(), tried: vec!["/a.ttf".into(), "/b.ttc".into()] };
    let message = err.to_string();
    assert!(message.contains("/a.ttf, /b.ttc"));
    assert!(message.contains("apt-get install fonts-ipafont-gothic"));
    assert!(message.contains("--font FILE"));
    assert!(message.contains("CPSF_REPORT_FONT"));
}

#[test]
fn a_latin_only_font_cannot_draw_a_japanese_report() {
    let latin = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if !latin.is_file() {
        println!("SKIPPED: DejaVuSans not installed");
        return;
    }
    let report = fixture::report(Lang::Ja);
    let err = pdf::render(&report, &FontSource::File(latin.into())).unwrap_err();
    assert!(matches!(err, ReportError::FontCoverage { .. }), "{err}");
    // It is good enough for English.
    let report = fixture::report(Lang::En);
    assert!(pdf::render(&report, &FontSource::File(latin.into())).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn a_tiny_report_and_an_oversized_one_both_render() {
    let Some(font) = font(Lang::Ja) else { return };
    let yaml = "format: cpsf-catalog/1\nid: tiny\nrevision: 1\ntitle: {en: Tiny, ja: 極小}\npublisher: {en: P, ja: P}\n\
                version: \"1\"\nsources:\n  - {id: s, title: {en: S, ja: S}}\nentries:\n\
                - {id: A-1, kind: requirement, title: {en: One, ja: 一つ}, provenance: {source: s, verified: false, note: n}}\n";
    let catalog = cpsf_catalog::load::parse("tiny.yaml", yaml).unwrap();
    let scope = cpsf_assess::Scope { name: "x".into(), kind: cpsf_assess::ScopeKind::Company };
    let assessment = cpsf_assess::Assessment::new(&catalog, scope, Lang::Ja, "2025-01-01T00:00:00Z");
    for lang in [Lang::Ja, Lang::En] {
        let report = cpsf_assess::report::build(&catalog, &assessment, lang, "2025-01-02T00:00:00Z", "2025-01-02");
        assert!(report.radar.is_empty() && report.trend.is_empty() && report.groups.is_empty());
        assert!(pdf::render(&report, &font).unwrap().starts_with(b"%PDF-"));
        let page = cpsf_report::html::render(&report);
        assert!(page.contains("</html>"));
    }
    // Text far longer than a line, a cell or a page: wrapped, cut and continued, never lost off the page.
    let mut report = fixture::report(Lang::Ja);
    let long_word = "x".repeat(3_000);
    let long_japanese = "長い説明文。".repeat(2_000);
    report.gaps[0].title = long_word.clone();
    report.gaps[1].owner = Some(long_japanese.clone());
    report.entries[0].comments = Some(format!("{long_japanese}\n{long_word}"));
    report.entries[1].title = long_japanese.chars().take(600).collect();
    report.catalog.title = long_word.chars().take(400).collect();
    let dir = scratch("oversized");
    let path = dir.join("big.pdf");
    std::fs::write(&path, pdf::render(&report, &font).unwrap()).unwrap();
    let Some(text) = pdftotext(&path) else { return };
    // The long comment is printed in full, across pages.
    assert!(squeezed(&text).matches("長い説明文。").count() >= 2_000);
}
