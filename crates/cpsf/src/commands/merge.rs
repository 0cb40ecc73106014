//! `cpsf sbom merge`: several SBOMs into one, deduplicated by purl.

use anyhow::Result;
use cpsf_model::{Component, ComponentKind, Tool};

use super::{output_format, read_sbom, render_document, write_output};
use crate::Outcome;
use crate::cli::MergeArgs;
use crate::printer::Printer;
use crate::settings::ConfigFile;

pub fn run(args: MergeArgs, config: &ConfigFile, printer: &Printer) -> Result<Outcome> {
    let format = output_format(&args.out, config)?;
    let mut inventories = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let read = read_sbom(file)?;
        printer.detail(&format!(
            "{}: {} with {} components",
            file.display(),
            read.format,
            read.inventory.components.len()
        ));
        inventories.push(read.inventory);
    }
    let root = args.name.as_ref().map(|name| Component {
        bom_ref: format!("cpsf-root:{name}"),
        kind: ComponentKind::Application,
        name: name.clone(),
        ..Component::default()
    });
    let mut merged = cpsf_sbom::merge::merge(inventories, root);
    for d in &merged.diagnostics {
        printer.warn(&d.to_string());
    }
    if !merged.metadata.tools.iter().any(|t| t.name == "cpsf") {
        merged.metadata.tools.push(Tool {
            name: "cpsf".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            vendor: None,
        });
    }
    let text = render_document(&mut merged, format, args.out.reproducible, false, printer)?;
    write_output(args.out.output.as_deref(), &text)?;
    printer.info(&format!("{} SBOMs merged: {} components → {format}", args.files.len(), merged.components.len()));
    Ok(Outcome::Clean)
}
