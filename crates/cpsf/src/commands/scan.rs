//! `cpsf scan` and `cpsf vex`: read a tree, a lockfile or an SBOM, match it against the advisory database, apply VEX, filter, render, and set the exit status from the gates.

use std::path::Path;

use anyhow::{Context, Result};
use cpsf_inventory::LockfileKind;
use cpsf_model::Inventory;
use cpsf_vuln::matcher::{MatchOutput, match_components};
use cpsf_vuln::report::{DatabaseInfo, ScanReport};
use cpsf_vuln::store::Store;
use cpsf_vuln::vex::{self, VexStatement};
use cpsf_vuln::{Finding, Rating};

use super::generate::{discover_options, read_tree};
use super::{read_sbom, write_output};
use crate::Outcome;
use crate::cli::{DiscoverArgs, ScanArgs, ScanFormat, SeverityArg, VexArgs, VexFormat};
use crate::printer::Printer;
use crate::settings::{ConfigFile, database_path, document_timestamp};

/// Findings of one target, with the database they came from.
struct Scanned {
    target: String,
    database: DatabaseInfo,
    matched: MatchOutput,
}

/// The inventory of a directory, a lockfile, or an SBOM.
fn inventory_of(path: &Path, discover: &DiscoverArgs, config: &ConfigFile, printer: &Printer) -> Result<Inventory> {
    let is_lockfile = path.is_file() && LockfileKind::detect(&path.to_string_lossy()).is_some();
    if path.is_dir() || is_lockfile {
        return read_tree(path, &discover_options(discover, config), printer);
    }
    let read = read_sbom(path)?;
    printer.detail(&format!("{}: read as {:?}", path.display(), read.format));
    Ok(read.inventory)
}

fn scan(
    path: &Path,
    db: Option<&Path>,
    vex_files: &[std::path::PathBuf],
    discover: &DiscoverArgs,
    config: &ConfigFile,
    printer: &Printer,
) -> Result<Scanned> {
    let inventory = inventory_of(path, discover, config, printer)?;
    let db_path = database_path(db)?;
    let store = Store::open_read_only(&db_path)?;
    let stats = store.info()?;
    let mut matched = match_components(&store, &inventory.components)?;
    printer.warn_many(&matched.warnings, 20);
    // The process ends soon after a scan; freeing thousands of components one by one costs more than the
    // scan of a lockfile's advisories, so the inventory is left for the exit to reclaim.
    std::mem::forget(inventory);
    let statements = read_vex(vex_files, printer)?;
    vex::apply(&mut matched.findings, &statements);
    let database = DatabaseInfo {
        path: db_path.display().to_string(),
        records: stats.records,
        newest_modified: stats.newest_modified,
        kev_catalog_version: stats.kev_catalog_version,
        epss_score_date: stats.epss_score_date,
    };
    Ok(Scanned { target: path.display().to_string(), database, matched })
}

fn read_vex(files: &[std::path::PathBuf], printer: &Printer) -> Result<Vec<VexStatement>> {
    let mut statements = Vec::new();
    for file in files {
        let bytes = fs_err::read(file)?;
        let name = file.display().to_string();
        let document = vex::read(&bytes, &name).with_context(|| format!("{name}: cannot read VEX"))?;
        for w in &document.warnings {
            printer.warn(&w.to_string());
        }
        printer.detail(&format!("{name}: {} VEX statements", document.statements.len()));
        statements.extend(document.statements);
    }
    Ok(statements)
}

fn rating_of(arg: SeverityArg) -> Rating {
    match arg {
        SeverityArg::Unknown => Rating::Unknown,
        SeverityArg::None => Rating::None,
        SeverityArg::Low => Rating::Low,
        SeverityArg::Medium => Rating::Medium,
        SeverityArg::High => Rating::High,
        SeverityArg::Critical => Rating::Critical,
    }
}

/// Whether a finding reaches a `--fail-on` threshold. A finding nobody has rated reaches every threshold:
/// an unrated vulnerability is not a safe one.
fn reaches(finding: &Finding, threshold: Rating) -> bool {
    finding.severity == Rating::Unknown || finding.severity >= threshold
}

pub fn run(args: ScanArgs, config: &ConfigFile, printer: &Printer) -> Result<Outcome> {
    let Scanned { target, database, matched } =
        scan(&args.path, args.db.db.as_deref(), &args.vex, &args.discover, config, printer)?;
    let wanted: Vec<Rating> = args.severity.iter().copied().map(rating_of).collect();
    let mut findings = matched.findings;
    findings.retain(|f| {
        (!args.ignore_unfixed || f.fixed_version.is_some()) && (wanted.is_empty() || wanted.contains(&f.severity))
    });
    let gate = findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .any(|f| args.fail_on.is_some_and(|t| reaches(f, rating_of(t))) || (args.fail_on_kev && f.kev.is_some()));
    let mut report = ScanReport::new(target, database, matched.components_scanned, findings, matched.warnings);
    report.use_exact_fixes(&matched.component_fixes);
    if args.format != ScanFormat::Table && !args.show_suppressed {
        report.findings.retain(|f| f.suppression.is_none());
    }
    let text = match args.format {
        ScanFormat::Table => cpsf_vuln::report::table::to_table(
            &report,
            printer.color_stdout && args.output.is_none(),
            args.show_suppressed,
        ),
        ScanFormat::Json => cpsf_vuln::report::json::to_json(&report),
        ScanFormat::Sarif => cpsf_vuln::report::sarif::to_sarif(&report),
        ScanFormat::CycloneDx => cpsf_vuln::report::vdr::to_vdr(&report),
    };
    write_output(args.output.as_deref(), &text)?;
    let s = &report.summary;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    printer.info(&format!(
        "{} checked, {} on {} ({} suppressed by VEX)",
        plural(s.components, "component", "components"),
        plural(s.findings, "finding", "findings"),
        plural(s.vulnerable_components, "component", "components"),
        s.suppressed
    ));
    // As with the inventory: the exit reclaims the report faster than dropping it would.
    std::mem::forget(report);
    Ok(if gate { Outcome::Findings } else { Outcome::Clean })
}

pub fn run_vex(args: VexArgs, config: &ConfigFile, printer: &Printer) -> Result<Outcome> {
    let Scanned { matched, .. } = scan(&args.path, args.db.db.as_deref(), &args.vex, &args.discover, config, printer)?;
    let timestamp = document_timestamp(args.reproducible)?;
    // The document id is derived from what it says, so the same findings at the same time give the same id.
    let digest_input = serde_json::to_string(&matched.findings)? + &timestamp + &args.author;
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, digest_input.as_bytes());
    let document = match args.format {
        VexFormat::Openvex => {
            vex::write::openvex(&matched.findings, &args.author, &timestamp, &format!("urn:uuid:{uuid}"))
        }
        VexFormat::CycloneDx => {
            let value = vex::write::cyclonedx(&matched.findings, &timestamp, &format!("urn:uuid:{uuid}"));
            let verdict = cpsf_sbom::schema::validate_cyclonedx(&value, cpsf_sbom::CycloneDxVersion::V1_6);
            if !verdict.valid {
                anyhow::bail!(
                    "the CycloneDX VEX document breaks the 1.6 schema (a cpsf bug): {}",
                    verdict
                        .errors
                        .iter()
                        .map(|e| format!("{}: {}", e.pointer, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            value
        }
    };
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    write_output(args.output.as_deref(), &text)?;
    printer.info(&format!("{} statements written", matched.findings.len()));
    Ok(Outcome::Clean)
}
