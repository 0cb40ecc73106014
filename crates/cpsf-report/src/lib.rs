//! Assessment reports in three formats drawn from one [`Report`] model (cpsf-assess): a self-contained HTML
//! file ([`html`]), an A4 PDF with an embedded font that can draw Japanese ([`pdf`], fonts found by
//! [`find_font`]), and the model itself as JSON.

pub mod chart;
mod font;
pub mod html;
mod layout;
pub mod pdf;
mod text;

pub use cpsf_assess::report::Report;
pub use font::{FONT_ENV, FontSource, find_font};

/// The output format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Json => "json",
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "no font for a {lang} PDF report was found; tried: {}.\nInstall a Japanese font (Debian/Ubuntu: `apt-get install \
         fonts-ipafont-gothic`; Fedora: `dnf install ipa-gothic-fonts`), or name a font file with `--font FILE` or the \
         CPSF_REPORT_FONT environment variable",
        tried.join(", ")
    )]
    NoFont { lang: String, tried: Vec<String> },
    #[error("font {path}: {message}")]
    FontRead { path: String, message: String },
    #[error(
        "font {path} cannot draw a {lang} report (it lacks the letters{}); choose another with `--font FILE` or \
         CPSF_REPORT_FONT",
        if lang == "ja" { " or the kana and kanji" } else { "" }
    )]
    FontCoverage { path: String, lang: String },
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
    #[error("writing the JSON failed: {0}")]
    Json(String),
}

/// Render `report` as `format`. `font` is used by the PDF only.
pub fn render(report: &Report, format: Format, font: &FontSource) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Html => Ok(html::render(report).into_bytes()),
        Format::Pdf => pdf::render(report, font),
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(report).map_err(|e| ReportError::Json(e.to_string()))?;
            out.push(b'\n');
            Ok(out)
        }
    }
}
