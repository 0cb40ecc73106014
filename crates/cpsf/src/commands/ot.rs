//! `cpsf asset` (import, export, list, check the assets of a plant file) and `cpsf csaf match` (device
//! advisories matched to those assets).

use std::path::Path;

use anyhow::{Context, Result, bail};
use cpsf_ot::asset::{Day, Inventory, MergeRules};
use cpsf_ot::model::{self, Plant, PlantError};
use cpsf_ot::tabular::{self, ColumnMapping, ExportOptions, HeaderLang, ImportOptions};
use cpsf_ot::{csaf, hbom};

use crate::Outcome;
use crate::cli::{
    AssetCheckArgs, AssetCommand, AssetDiscoverArgs, AssetExportArgs, AssetExportFormat, AssetImportArgs,
    AssetListArgs, CsafCommand, CsafMatchArgs, LangArg, ListFormat,
};
use crate::commands::write_output;
use crate::printer::Printer;

pub fn asset(command: AssetCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        AssetCommand::Import(args) => import(args, printer),
        AssetCommand::Export(args) => export(args),
        AssetCommand::List(args) => list(args),
        AssetCommand::Check(args) => check(args),
        AssetCommand::Discover(args) => discover(args, printer),
    }
}

pub fn csaf(command: CsafCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        CsafCommand::Match(args) => csaf_match(args, printer),
    }
}

fn read_plant(path: &Path) -> Result<Plant> {
    let text = fs_err::read_to_string(path)?;
    Ok(model::read_plant(&path.display().to_string(), &text)?)
}

fn today() -> Day {
    Day(time::OffsetDateTime::now_utc().date())
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn import(args: AssetImportArgs, printer: &Printer) -> Result<Outcome> {
    let path = &args.plant.plant;
    let mut plant = if path.exists() { read_plant(path)? } else { Plant::default() };
    let mapping = match &args.mapping {
        Some(m) => ColumnMapping::from_yaml(&m.display().to_string(), &fs_err::read_to_string(m)?)?,
        None => ColumnMapping::default(),
    };
    let date = match &args.date {
        Some(d) => d.parse::<Day>().map_err(|e| anyhow::anyhow!("--date: {e}"))?,
        None => today(),
    };
    let options = ImportOptions { mapping, date: Some(date), sheet: args.sheet.clone() };
    let mut inventory = Inventory::new(std::mem::take(&mut plant.assets));
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut reports = Vec::new();
    let mut rows = 0;
    for file in &args.files {
        let bytes = fs_err::read(file)?;
        let name =
            file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
        let imported = tabular::read(&name, &bytes, &options)?;
        rows += imported.rows;
        problems.extend(imported.problems);
        warnings.extend(imported.warnings);
        reports.push(inventory.merge(imported.assets, &MergeRules::default()));
    }
    plant.assets = inventory.assets;
    // Zones the spreadsheets name but the plant does not declare yet: added with their id only.
    let mut new_zones = Vec::new();
    for zone in plant.assets.iter().filter_map(|a| a.zone.clone()) {
        if plant.zone(&zone).is_none() && !new_zones.contains(&zone) {
            new_zones.push(zone);
        }
    }
    for id in &new_zones {
        plant.zones.push(cpsf_ot::model::Zone { id: id.clone(), ..cpsf_ot::model::Zone::default() });
    }
    let added: usize = reports.iter().map(|r| r.added.len()).sum();
    let merged: usize = reports.iter().map(|r| r.merged.len()).sum();
    let conflicts: Vec<_> = reports.iter().flat_map(|r| r.conflicts.iter()).collect();
    match args.format {
        ListFormat::Json => write_output(
            None,
            &json(&serde_json::json!({
                "rows": rows,
                "problems": problems,
                "warnings": warnings,
                "merges": reports,
                "zones_added": new_zones,
            }))?,
        )?,
        ListFormat::Text => {
            for w in &warnings {
                printer.warn(w);
            }
            let mut out = format!(
                "{rows} rows read: {} not imported, {added} assets added, {merged} merged into existing ones, {} conflicts\n",
                problems.len(),
                conflicts.len()
            );
            for p in &problems {
                out.push_str(&format!("  not imported: {p}\n"));
            }
            for z in &new_zones {
                out.push_str(&format!("  zone `{z}` added to the plant (named by the imported assets)\n"));
            }
            for c in &conflicts {
                out.push_str(&format!(
                    "  conflict: {} {}: kept `{}` ({}) over `{}` ({}): {}\n",
                    c.asset, c.field, c.kept, c.kept_source, c.dropped, c.dropped_source, c.reason
                ));
            }
            write_output(None, &out)?;
        }
    }
    if args.dry_run {
        printer.info("dry run: the plant file was not written");
    } else {
        let problems = plant.problems();
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
            bail!("{}: the merged plant would not be valid, not written:\n{}", path.display(), list.join("\n"));
        }
        fs_err::write(path, model::write_plant(&plant)?)?;
        printer.info(&format!("{} written ({} assets)", path.display(), plant.assets.len()));
    }
    Ok(if problems.is_empty() { Outcome::Clean } else { Outcome::Findings })
}

fn export(args: AssetExportArgs) -> Result<Outcome> {
    let plant = read_plant(&args.plant.plant)?;
    let lang = match args.lang {
        Some(LangArg::Ja) => HeaderLang::Ja,
        _ => HeaderLang::En,
    };
    match args.format {
        AssetExportFormat::Csv => {
            let csv = tabular::write_csv(&plant.assets, &ExportOptions { lang, bom: args.output.is_some() });
            write_output(args.output.as_deref(), &csv)?;
        }
        AssetExportFormat::Xlsx => {
            let Some(out) = &args.output else { bail!("--format xlsx needs -o FILE") };
            fs_err::write(out, tabular::write_xlsx(&plant.assets, &ExportOptions { lang, bom: false })?)?;
        }
        AssetExportFormat::Hbom => {
            let timestamp = time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .ok()
                .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
            let options = hbom::HbomOptions {
                serial_number: Some(format!("urn:uuid:{}", uuid::Uuid::new_v4())),
                timestamp,
                plant: plant.name.clone(),
                tool_version: Some(env!("CARGO_PKG_VERSION").to_string()),
            };
            write_output(args.output.as_deref(), &json(&hbom::hbom(&plant.assets, &options))?)?;
        }
    }
    Ok(Outcome::Clean)
}

fn list(args: AssetListArgs) -> Result<Outcome> {
    let plant = read_plant(&args.plant.plant)?;
    match args.format {
        ListFormat::Json => write_output(None, &json(&plant.assets)?)?,
        ListFormat::Text => {
            let header = ["id", "name", "kind", "vendor", "model", "firmware", "ip", "zone", "importance", "source"];
            let rows: Vec<Vec<String>> = plant
                .assets
                .iter()
                .map(|a| {
                    vec![
                        a.id.clone(),
                        a.name.clone().unwrap_or_default(),
                        a.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
                        a.vendor.clone().unwrap_or_default(),
                        a.model.clone().unwrap_or_default(),
                        a.firmware.clone().unwrap_or_default(),
                        a.ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" "),
                        a.zone.clone().unwrap_or_default(),
                        a.importance.map(|i| i.to_string()).unwrap_or_default(),
                        a.source.as_ref().map(|s| s.kind.as_str().to_string()).unwrap_or_else(|| "declared".into()),
                    ]
                })
                .collect();
            write_output(None, &table(&header, &rows))?;
        }
    }
    Ok(Outcome::Clean)
}

/// Columns padded to their widest cell (by characters; wide characters count as two).
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().map(|c| if c.len_utf8() >= 3 { 2 } else { 1 }).sum::<usize>();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(w.saturating_sub(width(cell)) + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn check(args: AssetCheckArgs) -> Result<Outcome> {
    let path = &args.plant.plant;
    let text = fs_err::read_to_string(path)?;
    let plant = match model::read_plant(&path.display().to_string(), &text) {
        Ok(p) => p,
        Err(PlantError::Invalid { origin, problems }) => {
            match args.format {
                ListFormat::Json => {
                    write_output(None, &json(&serde_json::json!({ "valid": false, "problems": problems }))?)?
                }
                ListFormat::Text => {
                    let mut out = format!("{origin}: {} problems\n", problems.len());
                    for p in &problems {
                        out.push_str(&format!("  - {p}\n"));
                    }
                    write_output(None, &out)?;
                }
            }
            return Ok(Outcome::Findings);
        }
        Err(e) => return Err(e).context("cannot read the plant file"),
    };
    let zones: Vec<serde_json::Value> = plant
        .zones
        .iter()
        .map(|z| {
            serde_json::json!({
                "id": z.id,
                "assets": plant.zone_assets(&z.id).count(),
                "importance": plant.zone_importance(&z.id).map(|i| i.level()),
            })
        })
        .collect();
    let gaps = plant.sl_gaps();
    let unzoned: Vec<&str> = plant.assets.iter().filter(|a| a.zone.is_none()).map(|a| a.id.as_str()).collect();
    match args.format {
        ListFormat::Json => write_output(
            None,
            &json(&serde_json::json!({ "valid": true, "zones": zones, "sl_gaps": gaps, "unzoned_assets": unzoned }))?,
        )?,
        ListFormat::Text => {
            let mut out = format!(
                "{}: valid; {} assets, {} zones, {} conduits, {} measures\n",
                path.display(),
                plant.assets.len(),
                plant.zones.len(),
                plant.conduits.len(),
                plant.measures.len()
            );
            for z in &plant.zones {
                let importance = plant.zone_importance(&z.id).map(|i| format!("{} ({})", i, i.as_str()));
                out.push_str(&format!(
                    "  zone {}: {} assets, importance {}\n",
                    z.id,
                    plant.zone_assets(&z.id).count(),
                    importance.as_deref().unwrap_or("not set")
                ));
            }
            for g in &gaps {
                out.push_str(&format!(
                    "  SL gap: zone {} {}: target {}, achieved {}\n",
                    g.zone,
                    g.fr.as_str().to_uppercase(),
                    g.target,
                    g.achieved
                ));
            }
            if !unzoned.is_empty() {
                out.push_str(&format!("  assets without a zone: {}\n", unzoned.join(", ")));
            }
            write_output(None, &out)?;
        }
    }
    Ok(if gaps.is_empty() { Outcome::Clean } else { Outcome::Findings })
}

fn csaf_match(args: CsafMatchArgs, printer: &Printer) -> Result<Outcome> {
    let plant = read_plant(&args.plant.plant)?;
    let mut advisories = Vec::new();
    for file in &args.advisories {
        let text = fs_err::read_to_string(file)?;
        let adv = csaf::read(&file.display().to_string(), &text)?;
        for w in &adv.warnings {
            printer.warn(&format!("{}: {w}", file.display()));
        }
        advisories.push(adv);
    }
    let report = csaf::match_assets(&advisories, &plant.assets);
    match args.format {
        ListFormat::Json => write_output(None, &json(&report)?)?,
        ListFormat::Text => {
            let header = ["asset", "advisory", "cve", "status", "matched by", "confidence", "cvss", "product"];
            let rows: Vec<Vec<String>> = report
                .findings
                .iter()
                .map(|f| {
                    vec![
                        f.asset.clone(),
                        f.advisory.clone(),
                        f.cve.clone().unwrap_or_default(),
                        f.status.as_str().to_string(),
                        serde_json::to_value(f.matched_by)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        serde_json::to_value(f.confidence)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        f.cvss.as_ref().and_then(|c| c.base_score).map(|s| format!("{s:.1}")).unwrap_or_default(),
                        f.product.clone(),
                    ]
                })
                .collect();
            let mut out = format!(
                "{} advisories, {} assets: {} findings, {} undetermined\n",
                advisories.len(),
                plant.assets.len(),
                report.findings.len(),
                report.undetermined.len()
            );
            if !rows.is_empty() {
                out.push_str(&table(&header, &rows));
            }
            for u in &report.undetermined {
                out.push_str(&format!(
                    "undetermined: {} {} {} (product {}, range `{}`): {}\n",
                    u.asset,
                    u.advisory,
                    u.cve.as_deref().unwrap_or("-"),
                    u.product_id,
                    u.range,
                    u.reason
                ));
            }
            write_output(None, &out)?;
        }
    }
    let affected = report.findings.iter().any(|f| f.status == csaf::Status::Affected);
    Ok(if affected || !report.undetermined.is_empty() { Outcome::Findings } else { Outcome::Clean })
}

/// `cpsf asset discover`: discovery over the captures, the conduit check against the plant, the candidates, and
/// the merge of the chosen ones (exit 1 when a flow breaks a conduit or a device is unknown).
fn discover(args: AssetDiscoverArgs, printer: &Printer) -> Result<Outcome> {
    use cpsf_ot::discovered::{self, Capture};
    let path = &args.plant.plant;
    let mut plant = read_plant(path)?;
    let options = cpsf_pcap::discover::Options { oui_files: args.oui.iter().cloned().collect(), ..Default::default() };
    let discovery = cpsf_pcap::discover::discover(&args.captures, &options);
    for w in &discovery.warnings {
        printer.warn(w);
    }
    let name = args
        .captures
        .iter()
        .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    let first = discovery.files.iter().filter_map(|f| f.first).min();
    let capture = Capture { name, date: first.and_then(Day::from_unix_micros).or_else(|| Some(today())) };
    let devices = discovered::from_discovery(&discovery);
    let candidates = discovered::candidates(&devices, &capture);
    let report = cpsf_ot::conduit::check(&plant, &discovery.flows, &[]);
    let inventory = Inventory::new(plant.assets.clone());
    let chosen: Vec<&discovered::Candidate> = if args.merge_all {
        candidates.iter().collect()
    } else {
        let mut out = Vec::new();
        for id in &args.merge {
            match candidates.iter().find(|c| &c.asset.id == id) {
                Some(c) => out.push(c),
                None => bail!("--merge: the captures have no candidate `{id}` (see the listing without --merge)"),
            }
        }
        out
    };
    let merge = if chosen.is_empty() {
        None
    } else {
        let mut merged = inventory.clone();
        let result = merged.merge(chosen.iter().map(|c| c.asset.clone()).collect(), &MergeRules::default());
        if !args.dry_run {
            plant.assets = merged.assets;
            let text = model::write_plant(&plant).context("writing the plant file")?;
            fs_err::write(path, text)?;
        }
        Some(result)
    };
    let findings = !report.violations.is_empty() || !report.unknown_devices.is_empty();
    match args.format {
        ListFormat::Json => write_output(
            None,
            &json(&serde_json::json!({
                "conduits": report,
                "candidates": candidates.iter().map(|c| serde_json::json!({
                    "candidate": c,
                    "matches": inventory.find_match(&c.asset).and_then(|(i, key)| inventory.assets.get(i).map(|a| (a.id.clone(), key))),
                })).collect::<Vec<_>>(),
                "merge": merge,
                "dry_run": args.dry_run,
            }))?,
        )?,
        ListFormat::Text => {
            let mut out = format!(
                "{} flows: {} inside a zone, {} allowed by a conduit, {} with an endpoint outside the plant\n",
                report.flows, report.inside_zone, report.allowed, report.unzoned
            );
            let end = |e: &cpsf_ot::conduit::Endpoint| {
                let addr = e.ip.map(|i| i.to_string()).or_else(|| e.mac.clone()).unwrap_or_else(|| "?".into());
                match (&e.asset, &e.zone) {
                    (Some(a), Some(z)) => format!("{a} ({addr}, zone {z})"),
                    (Some(a), None) => format!("{a} ({addr})"),
                    _ => addr,
                }
            };
            for v in &report.violations {
                let why = match &v.breach {
                    cpsf_ot::conduit::Breach::NoConduit => "no conduit joins the zones".to_string(),
                    cpsf_ot::conduit::Breach::WrongDirection { conduits } => {
                        format!("conduit {} does not allow this direction", conduits.join(", "))
                    }
                    cpsf_ot::conduit::Breach::NotAllowed { conduits } => {
                        format!("conduit {} does not allow {}", conduits.join(", "), v.protocol)
                    }
                };
                out.push_str(&format!(
                    "VIOLATION {} -> {} {} ({} packets): {why}\n",
                    end(&v.src),
                    end(&v.dst),
                    v.protocol,
                    v.packets
                ));
            }
            for u in &report.unknown_devices {
                out.push_str(&format!(
                    "UNKNOWN DEVICE {} {}: {} ({} flows)\n",
                    u.ip.map(|i| i.to_string()).unwrap_or_default(),
                    u.mac.as_deref().unwrap_or(""),
                    u.protocols.join(", "),
                    u.flows
                ));
            }
            for n in &report.new_protocols {
                out.push_str(&format!(
                    "NEW PROTOCOL {} ({}): {} as {}\n",
                    n.asset,
                    n.zone.as_deref().unwrap_or("no zone"),
                    n.protocol,
                    n.role
                ));
            }
            out.push_str(&format!("\n{} candidates (merge with --merge ID or --merge-all):\n", candidates.len()));
            for c in &candidates {
                let a = &c.asset;
                let matches = inventory.find_match(a).and_then(|(i, _)| inventory.assets.get(i)).map(|m| m.id.clone());
                out.push_str(&format!(
                    "  {:<28} {:<24} {} {} {} fw {}{}\n",
                    a.id,
                    c.suggested_kind.as_ref().map_or_else(|| "?".to_string(), |k| k.kind.as_str().to_string()),
                    a.vendor.as_deref().unwrap_or("-"),
                    a.model.as_deref().unwrap_or("-"),
                    a.ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
                    a.firmware.as_deref().unwrap_or("-"),
                    matches.map(|m| format!("  (matches asset {m})")).unwrap_or_default()
                ));
            }
            if let Some(m) = &merge {
                out.push_str(&format!(
                    "\n{}merged: {} added, {} merged into existing assets, {} conflicting values kept in the report\n",
                    if args.dry_run { "dry run, nothing written: would have " } else { "" },
                    m.added.len(),
                    m.merged.len(),
                    m.conflicts.len()
                ));
            }
            write_output(None, &out)?;
        }
    }
    Ok(if findings { Outcome::Findings } else { Outcome::Clean })
}
