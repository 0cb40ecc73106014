//! `cpsf sbom convert`: any supported SBOM format to any other, saying what cannot be carried over.

use anyhow::Result;
use cpsf_model::Tool;
use cpsf_sbom::SbomFormat;

use super::{output_format, read_sbom, render_document, write_output};
use crate::Outcome;
use crate::cli::ConvertArgs;
use crate::printer::Printer;
use crate::settings::ConfigFile;

pub fn run(args: ConvertArgs, config: &ConfigFile, printer: &Printer) -> Result<Outcome> {
    let format = output_format(&args.out, config)?;
    let read = read_sbom(&args.file)?;
    for lost in not_carried_over(read.format, read.json.as_ref()) {
        printer.warn(&format!(
            "{}: {lost} cannot be carried over into {format}; dropped [conversion-loss]",
            args.file.display()
        ));
    }
    let mut inventory = read.inventory;
    let cpsf = Tool { name: "cpsf".into(), version: Some(env!("CARGO_PKG_VERSION").into()), vendor: None };
    if !inventory.metadata.tools.iter().any(|t| t.name == "cpsf") {
        inventory.metadata.tools.push(cpsf);
    }
    let text = render_document(&mut inventory, format, args.out.reproducible, true, printer)?;
    write_output(args.out.output.as_deref(), &text)?;
    printer.info(&format!("{} components: {} → {format}", inventory.components.len(), read.format));
    Ok(Outcome::Clean)
}

/// Parts of the source document that cpsf's component model does not hold, named by their field.
pub fn not_carried_over(format: SbomFormat, json: Option<&serde_json::Value>) -> Vec<String> {
    let Some(obj) = json.and_then(|j| j.as_object()) else { return vec![] };
    let carried: &[&str] = match format {
        SbomFormat::CycloneDxJson(_) | SbomFormat::CycloneDxXml(_) => &[
            "$schema",
            "bomFormat",
            "specVersion",
            "serialNumber",
            "version",
            "metadata",
            "components",
            "dependencies",
        ],
        SbomFormat::SpdxJson(_) | SbomFormat::SpdxTagValue(_) | SbomFormat::SpdxYaml(_) => &[
            "spdxVersion",
            "dataLicense",
            "SPDXID",
            "name",
            "documentNamespace",
            "creationInfo",
            "packages",
            "relationships",
            "documentDescribes",
            "hasExtractedLicensingInfos",
        ],
        SbomFormat::Spdx3JsonLd => &["@context", "@graph"],
    };
    obj.iter()
        .filter(|(k, v)| !carried.contains(&k.as_str()) && !is_empty(v))
        .map(|(k, v)| match v.as_array() {
            Some(a) => format!("`{k}` ({} entries)", a.len()),
            None => format!("`{k}`"),
        })
        .collect()
}

fn is_empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.is_empty(),
        _ => false,
    }
}
