//! `cpsf db import|update|stats`: fill the local advisory database from files or downloads, and describe it.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Result, bail};
use cpsf_vuln::download::{Progress as Download, UpdatePlan, update};
use cpsf_vuln::import::{ImportReport, import_paths};
use cpsf_vuln::store::Store;
use indicatif::ProgressBar;

use crate::Outcome;
use crate::cli::{DbImportArgs, DbStatsArgs, DbUpdateArgs, ReportFormat};
use crate::printer::Printer;
use crate::settings::database_path;

pub fn import(args: DbImportArgs, printer: &Printer) -> Result<Outcome> {
    let path = database_path(args.db.db.as_deref())?;
    let mut store = Store::open(&path)?;
    let report = run_import(&mut store, &args.paths, printer)?;
    if report.records == 0 && report.kev.is_none() && report.epss.is_none() {
        bail!("nothing imported from {}: no OSV record, KEV catalog or EPSS file found", join(&args.paths));
    }
    Ok(Outcome::Clean)
}

fn join(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn run_import(store: &mut Store, paths: &[PathBuf], printer: &Printer) -> Result<ImportReport> {
    let spinner = Mutex::new(printer.spinner("reading advisories"));
    let progress = |origin: &str| {
        printer.detail(&format!("reading {origin}"));
        if let Ok(guard) = spinner.lock()
            && let Some(bar) = guard.as_ref()
        {
            bar.inc(1);
        }
    };
    let report = import_paths(store, paths, &progress)?;
    if let Ok(guard) = spinner.lock()
        && let Some(bar) = guard.as_ref()
    {
        bar.finish_and_clear();
    }
    printer.warn_many(&report.warnings, 20);
    let c = report.counts;
    printer.info(&format!(
        "{}: {} records read from {} files: {} added, {} updated, {} unchanged ({} withdrawn); {} break the OSV schema, {} unusable",
        store.path().display(),
        report.records,
        report.files,
        c.added,
        c.updated,
        c.unchanged,
        c.withdrawn,
        report.schema_violations,
        report.rejected
    ));
    if let Some((version, n)) = &report.kev {
        printer.info(&format!("KEV catalog {version}: {n} entries"));
    }
    if let Some((date, n)) = &report.epss {
        printer.info(&format!("EPSS scores of {}: {n} CVEs", date.as_deref().unwrap_or("unknown date")));
    }
    Ok(report)
}

pub fn update_db(args: DbUpdateArgs, printer: &Printer) -> Result<Outcome> {
    let path = database_path(args.db.db.as_deref())?;
    let cache_dir = match args.cache_dir {
        Some(dir) => dir,
        None => path.parent().map_or_else(|| PathBuf::from("downloads"), |p| p.join("downloads")),
    };
    let mut plan = UpdatePlan::new(cache_dir);
    plan.base_url = args.base_url;
    if !args.ecosystems.is_empty() {
        plan.ecosystems = args.ecosystems;
    }
    plan.kev_url = (!args.no_kev).then_some(args.kev_url);
    plan.epss_url = (!args.no_epss).then_some(args.epss_url);
    let mut bar: Option<ProgressBar> = None;
    let mut on_progress = |event: Download| match event {
        Download::Started { url, total, resumed_from } => {
            bar = printer.bytes_progress(total, &url);
            if let Some(b) = &bar {
                b.set_position(resumed_from);
            }
            if resumed_from > 0 {
                printer.detail(&format!("{url}: resuming at byte {resumed_from}"));
            }
        }
        Download::Advanced { bytes, .. } => {
            if let Some(b) = &bar {
                b.set_position(bytes);
            }
        }
        Download::Finished { url, bytes, unchanged } => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            if unchanged {
                printer.info(&format!("{url}: unchanged"));
            } else {
                printer.info(&format!("{url}: {bytes} bytes"));
            }
        }
        Download::Failed { url, reason } => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            printer.warn(&format!("{url}: {reason}"));
        }
    };
    let outcome = update(&plan, &mut on_progress)?;
    let files: Vec<PathBuf> = outcome.files.iter().map(|f| f.path.clone()).collect();
    let mut store = Store::open(&path)?;
    run_import(&mut store, &files, printer)?;
    if outcome.failures.is_empty() { Ok(Outcome::Clean) } else { Ok(Outcome::Findings) }
}

pub fn stats(args: DbStatsArgs, printer: &Printer) -> Result<Outcome> {
    let path = database_path(args.db.db.as_deref())?;
    let store = Store::open_read_only(&path)?;
    let stats = store.stats()?;
    let text = match args.format {
        ReportFormat::Json => serde_json::to_string_pretty(&stats)? + "\n",
        ReportFormat::Text => {
            let mut out =
                format!("database: {}\nrecords: {} ({} withdrawn)\n", stats.path, stats.records, stats.withdrawn);
            out.push_str(&format!("newest modified: {}\n", stats.newest_modified.as_deref().unwrap_or("-")));
            out.push_str(&format!(
                "KEV catalog: {} ({} entries)\nEPSS scores: {} ({} CVEs)\n\n",
                stats.kev_catalog_version.as_deref().unwrap_or("not imported"),
                stats.kev_entries,
                stats.epss_score_date.as_deref().unwrap_or("not imported"),
                stats.epss_scores
            ));
            let width = stats.by_ecosystem.iter().map(|(e, _, _)| e.len()).max().unwrap_or(9).max(9);
            out.push_str(&format!("{:<width$}  {:<8}  {:>8}\n", "ecosystem", "source", "records"));
            for (ecosystem, source, n) in &stats.by_ecosystem {
                out.push_str(&format!("{ecosystem:<width$}  {source:<8}  {n:>8}\n"));
            }
            out
        }
    };
    super::write_output(None, &text)?;
    let _ = printer;
    Ok(Outcome::Clean)
}
