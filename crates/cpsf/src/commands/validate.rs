//! `cpsf sbom validate`: schema validity and quality scores of one SBOM, for people or programs, and the gates
//! (`--require`, `--min-score`) that turn them into an exit status.

use anyhow::Result;
use cpsf_sbom::quality::{self, Profile, QualityReport};
use cpsf_sbom::schema::{SchemaError, SchemaReport};
use cpsf_sbom::{SbomError, read};
use serde::Serialize;

use super::write_output;
use crate::Outcome;
use crate::cli::{ProfileArg, ReportFormat, ValidateArgs};
use crate::printer::{Printer, Style};

/// Schema errors listed in the text report before "... and N more".
const TEXT_ERROR_LIMIT: usize = 20;

/// The JSON report (`--format json`).
#[derive(Serialize)]
struct ValidationReport {
    file: String,
    /// The detected format, e.g. `CycloneDX 1.6 JSON`; absent when the document could not be parsed.
    format: Option<String>,
    schema: SchemaReport,
    /// One entry per scored profile; empty when the document could not be parsed.
    quality: Vec<quality::ProfileReport>,
    /// Why the exit status is 1, one line per reason; empty when it is 0.
    failures: Vec<String>,
}

fn profile(arg: ProfileArg) -> Profile {
    match arg {
        ProfileArg::Ntia => Profile::Ntia,
        ProfileArg::Meti => Profile::Meti,
        ProfileArg::Bsi => Profile::Bsi,
    }
}

pub fn run(args: ValidateArgs, printer: &Printer) -> Result<Outcome> {
    let bytes = fs_err::read(&args.file)?;
    let name = args.file.display().to_string();
    let mut profiles: Vec<Profile> = args.profile.iter().copied().map(profile).collect();
    if profiles.is_empty() {
        profiles = vec![Profile::Ntia, Profile::Meti, Profile::Bsi];
    }
    for required in &args.require {
        if !profiles.contains(&profile(*required)) {
            profiles.push(profile(*required));
        }
    }

    let report = match read(&bytes, &name) {
        Ok(document) => {
            let schema = cpsf_sbom::schema::validate(&document);
            let quality = quality::score_with_schema(&document, &profiles, Some(&schema));
            let failures = gate_failures(&schema, &quality, &args);
            ValidationReport {
                file: name.clone(),
                format: Some(document.format.to_string()),
                schema,
                quality: quality.profiles,
                failures,
            }
        }
        // Not an SBOM at all, or an encoding problem: an error, not a verdict.
        Err(SbomError::UnknownFormat(message)) => anyhow::bail!("{message}"),
        // A document of a known format that cannot be parsed is invalid.
        Err(e) => {
            let message = format!("the document cannot be parsed: {e}");
            ValidationReport {
                file: name.clone(),
                format: None,
                schema: SchemaReport {
                    schema: "none: the document could not be parsed".into(),
                    valid: false,
                    errors: vec![SchemaError { pointer: String::new(), message: message.clone() }],
                },
                quality: vec![],
                failures: vec![message],
            }
        }
    };

    let text = match args.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        ReportFormat::Text => render_text(&report, &profiles, printer),
    };
    write_output(args.output.as_deref(), &text)?;
    if report.failures.is_empty() {
        printer.info(&format!("{name}: valid"));
        Ok(Outcome::Clean)
    } else {
        for f in &report.failures {
            printer.detail(f);
        }
        Ok(Outcome::Findings)
    }
}

/// Reasons for exit status 1: an invalid document, a required profile not met, a score below the minimum.
fn gate_failures(schema: &SchemaReport, quality: &QualityReport, args: &ValidateArgs) -> Vec<String> {
    let mut failures = Vec::new();
    if !schema.valid {
        failures.push(format!("invalid against {} ({} errors)", schema.schema, schema.errors.len()));
    }
    for required in &args.require {
        let p = profile(*required);
        if let Some(r) = quality.profile(p)
            && !r.conformant
        {
            failures.push(format!("does not conform to {} (--require {})", r.title, p.as_str()));
        }
    }
    if let Some(min) = args.min_score {
        for r in &quality.profiles {
            if r.score < f64::from(min) {
                failures.push(format!("{} score {:.1} is below --min-score {min}", r.title, r.score));
            }
        }
    }
    failures
}

fn render_text(report: &ValidationReport, profiles: &[Profile], printer: &Printer) -> String {
    let paint = |style: Style, text: &str| printer.paint(printer.color_stdout, style, text);
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {}\n",
        paint(Style::Bold, &report.file),
        report.format.as_deref().unwrap_or("unreadable")
    ));
    if report.schema.valid {
        out.push_str(&format!("schema: {} ({})\n", paint(Style::Ok, "valid"), report.schema.schema));
    } else {
        out.push_str(&format!(
            "schema: {} ({}), {} errors\n",
            paint(Style::Error, "INVALID"),
            report.schema.schema,
            report.schema.errors.len()
        ));
        for e in report.schema.errors.iter().take(TEXT_ERROR_LIMIT) {
            let at = if e.pointer.is_empty() { "(document)" } else { e.pointer.as_str() };
            out.push_str(&format!("  {at}: {}\n", e.message));
        }
        if report.schema.errors.len() > TEXT_ERROR_LIMIT {
            out.push_str(&format!("  ... and {} more\n", report.schema.errors.len() - TEXT_ERROR_LIMIT));
        }
    }
    if !report.quality.is_empty() {
        let quality =
            QualityReport { format: report.format.clone().unwrap_or_default(), profiles: report.quality.clone() };
        out.push('\n');
        out.push_str(&quality::render_text(&quality));
    } else if !profiles.is_empty() {
        out.push_str("quality: not scored (the document could not be parsed)\n");
    }
    if report.failures.is_empty() {
        out.push_str(&format!("\nresult: {}\n", paint(Style::Ok, "ok")));
    } else {
        out.push_str(&format!("\nresult: {}\n", paint(Style::Error, "FAILED")));
        for f in &report.failures {
            out.push_str(&format!("  - {f}\n"));
        }
    }
    out
}
