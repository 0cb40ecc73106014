//! `cpsf sbom diff`: what changed between two SBOMs. Exit 1 when they differ, as `diff` does.

use anyhow::Result;

use super::{read_sbom, write_output};
use crate::Outcome;
use crate::cli::{DiffArgs, ReportFormat};
use crate::printer::Printer;

pub fn run(args: DiffArgs, printer: &Printer) -> Result<Outcome> {
    let old = read_sbom(&args.old)?;
    let new = read_sbom(&args.new)?;
    let diff = cpsf_sbom::diff::diff(&old.inventory, &new.inventory);
    let text = match args.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string_pretty(&diff)?),
        ReportFormat::Text => cpsf_sbom::diff::render_text(&diff),
    };
    write_output(args.output.as_deref(), &text)?;
    if diff.is_empty() {
        printer.info("no differences");
        Ok(Outcome::Clean)
    } else {
        Ok(Outcome::Findings)
    }
}
