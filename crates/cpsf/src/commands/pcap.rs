//! `cpsf pcap discover`: passive device discovery from capture files, rendered as a table, JSON, CSV or a
//! CycloneDX 1.6 hardware inventory (checked against the official schema before it is written).

use anyhow::{Result, bail};
use cpsf_pcap::discover::{Options, discover as run_discovery};
use cpsf_pcap::output::{self, BomMeta};
use cpsf_sbom::CycloneDxVersion;

use super::write_output;
use crate::Outcome;
use crate::cli::{PcapDiscoverArgs, PcapFormat};
use crate::printer::Printer;
use crate::settings;

pub fn discover(args: PcapDiscoverArgs, printer: &Printer) -> Result<Outcome> {
    let mut options = Options::default();
    if let Some(oui) = &args.oui {
        if !oui.is_file() {
            bail!("{}: no such OUI registry file", oui.display());
        }
        options.oui_files.push(oui.clone());
    }
    let spinner = printer.spinner("reading captures");
    let found = run_discovery(&args.files, &options);
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    for w in &found.warnings {
        printer.warn(w);
    }
    if found.files.iter().all(|f| f.format.is_none()) {
        bail!("no capture could be read");
    }
    printer.detail(&format!(
        "{} packets in {} files: {} devices, {} flows",
        found.counters.packets,
        found.files.len(),
        found.devices.len(),
        found.flows.len()
    ));
    let text = match args.format {
        PcapFormat::Table => output::table(&found, true),
        PcapFormat::Json => format!("{}\n", serde_json::to_string_pretty(&output::json(&found))?),
        PcapFormat::Csv if args.flows => output::csv_flows(&found),
        PcapFormat::Csv => output::csv_devices(&found),
        PcapFormat::Cyclonedx => cyclonedx(&found, args.reproducible, printer)?,
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}

/// The CycloneDX document, with its timestamp and serial number, validated in process.
fn cyclonedx(found: &cpsf_pcap::Discovery, reproducible: bool, printer: &Printer) -> Result<String> {
    let reproducible = settings::reproducible(reproducible);
    let mut meta = BomMeta {
        serial_number: None,
        timestamp: Some(settings::document_timestamp(reproducible)?),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let serial = if reproducible {
        let probe = serde_json::to_string(&output::cyclonedx(found, &meta))?;
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, probe.as_bytes())
    } else {
        uuid::Uuid::new_v4()
    };
    meta.serial_number = Some(format!("urn:uuid:{serial}"));
    let doc = output::cyclonedx(found, &meta);
    let report = cpsf_sbom::schema::validate_cyclonedx(&doc, CycloneDxVersion::V1_6);
    if !report.valid {
        let details: Vec<String> =
            report.errors.iter().take(10).map(|e| format!("{}: {}", e.pointer, e.message)).collect();
        bail!(
            "internal error: the CycloneDX document cpsf wrote does not validate against {}:\n  {}",
            report.schema,
            details.join("\n  ")
        );
    }
    printer.detail(&format!("checked against {}: valid", report.schema));
    Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?))
}
