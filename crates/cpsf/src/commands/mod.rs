//! One module per command; shared plumbing for reading SBOMs and writing the product.

pub mod assess;
pub mod catalog;
pub mod convert;
pub mod db;
pub mod demo;
pub mod diff;
pub mod generate;
pub mod merge;
pub mod meta;
pub mod ot;
pub mod pcap;
pub mod scan;
pub mod server;
pub mod validate;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use cpsf_model::Inventory;
use cpsf_sbom::{CycloneDxVersion, ReadSbom, SbomFormat, SpdxVersion};

use crate::cli::{CdxSpecVersion, SbomOutputArgs, SbomOutputFormat};
use crate::printer::Printer;
use crate::settings::{self, ConfigFile};

/// Write the product to a file or to standard output.
pub fn write_output(path: Option<&Path>, content: &str) -> Result<()> {
    match path {
        Some(p) => fs_err::write(p, content).map_err(Into::into),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(content.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Read and parse an SBOM file of any supported format.
pub fn read_sbom(path: &Path) -> Result<ReadSbom> {
    let bytes = fs_err::read(path)?;
    let name = path.display().to_string();
    cpsf_sbom::read(&bytes, &name).with_context(|| format!("{name}: cannot read SBOM"))
}

/// The output format chosen by flags, then the config file, then the default (CycloneDX 1.6 JSON).
pub fn output_format(args: &SbomOutputArgs, config: &ConfigFile) -> Result<SbomFormat> {
    let format = match (args.format, config.sbom.format.as_deref()) {
        (Some(f), _) => f,
        (None, Some(name)) => <SbomOutputFormat as clap::ValueEnum>::from_str(name, true)
            .map_err(|_| anyhow::anyhow!("config: unknown sbom.format `{name}` (expected cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value, spdx-yaml or spdx3-json)"))?,
        (None, None) => SbomOutputFormat::CycloneDxJson,
    };
    let cdx = match (args.spec_version, config.sbom.spec_version.as_deref()) {
        (Some(v), _) => match v {
            CdxSpecVersion::V1_4 => CycloneDxVersion::V1_4,
            CdxSpecVersion::V1_5 => CycloneDxVersion::V1_5,
            CdxSpecVersion::V1_6 => CycloneDxVersion::V1_6,
            CdxSpecVersion::V1_7 => CycloneDxVersion::V1_7,
        },
        (None, Some(v)) => CycloneDxVersion::parse(v).ok_or_else(|| {
            anyhow::anyhow!("config: unknown sbom.spec-version `{v}` (expected 1.4, 1.5, 1.6 or 1.7)")
        })?,
        (None, None) => CycloneDxVersion::V1_6,
    };
    if args.spec_version.is_some()
        && !matches!(format, SbomOutputFormat::CycloneDxJson | SbomOutputFormat::CycloneDxXml)
    {
        bail!("--spec-version applies to CycloneDX output only");
    }
    Ok(match format {
        SbomOutputFormat::CycloneDxJson => SbomFormat::CycloneDxJson(cdx),
        SbomOutputFormat::CycloneDxXml => SbomFormat::CycloneDxXml(cdx),
        SbomOutputFormat::SpdxJson => SbomFormat::SpdxJson(SpdxVersion::V2_3),
        SbomOutputFormat::SpdxTagValue => SbomFormat::SpdxTagValue(SpdxVersion::V2_3),
        SbomOutputFormat::SpdxYaml => SbomFormat::SpdxYaml(SpdxVersion::V2_3),
        SbomOutputFormat::Spdx3Json => SbomFormat::Spdx3JsonLd,
    })
}

/// Serialize an inventory, set its timestamp and serial number, check the result against the official schema
/// in process, and return the document text.
/// `keep_timestamp` keeps a timestamp the inventory already has (conversion), unless output must be reproducible.
pub fn render_document(
    inventory: &mut Inventory,
    format: SbomFormat,
    reproducible: bool,
    keep_timestamp: bool,
    printer: &Printer,
) -> Result<String> {
    let reproducible = settings::reproducible(reproducible);
    if reproducible || !keep_timestamp || inventory.metadata.timestamp.is_none() {
        inventory.metadata.timestamp = Some(settings::document_timestamp(reproducible)?);
    }
    let serial = if reproducible {
        inventory.metadata.serial_number = None;
        let (probe, _) = cpsf_sbom::write(inventory, format)?;
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, probe.as_bytes())
    } else {
        uuid::Uuid::new_v4()
    };
    inventory.metadata.serial_number = Some(format!("urn:uuid:{serial}"));
    let (text, losses, report) = cpsf_sbom::write_checked(inventory, format)
        .with_context(|| format!("internal error: the {format} document cpsf wrote cannot be checked"))?;
    for d in &losses {
        printer.warn(&d.to_string());
    }
    if !report.valid && !report.errors.is_empty() {
        let details: Vec<String> =
            report.errors.iter().take(10).map(|e| format!("{}: {}", e.pointer, e.message)).collect();
        bail!(
            "internal error: the {format} document cpsf wrote does not validate against {}:\n  {}",
            report.schema,
            details.join("\n  ")
        );
    }
    printer.detail(&format!("checked against {}: valid", report.schema));
    Ok(text)
}
