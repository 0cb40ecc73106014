//! `cpsf db import`: read OSV records (JSON, YAML, directories of them, OSV's per-ecosystem `all.zip` archives), the CISA KEV catalog and EPSS scores, check records against the OSV schema, and store them; every problem is a warning naming the file and field, and the rest is imported.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonschema::Validator;
use serde_json::Value;

use crate::epss::{EpssFile, parse_epss};
use crate::kev::{KevCatalog, parse_kev_value};
use crate::osv::parse_record;
use crate::store::{ImportCounts, Prepared, Store, StoreError};

/// The OSV schema this build checks records against (see `schemas/README.md`).
pub const OSV_SCHEMA: &str = include_str!("../schemas/osv-schema.json");

static OSV_VALIDATOR: LazyLock<Result<Validator, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(OSV_SCHEMA).map_err(|e| format!("embedded OSV schema: {e}"))?;
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("embedded OSV schema failed to compile: {e}"))
});

/// What an import read and changed.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Files (and archive entries) read.
    pub files: usize,
    /// OSV records read and usable.
    pub records: usize,
    pub counts: ImportCounts,
    /// Records stored although they break the OSV schema (each has a warning).
    pub schema_violations: usize,
    /// Records that could not be used at all.
    pub rejected: usize,
    /// KEV catalog version and entries, when a catalog was imported.
    pub kev: Option<(String, usize)>,
    /// EPSS score date and scores, when a score file was imported.
    pub epss: Option<(Option<String>, usize)>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
    Csv,
    /// Gzip-compressed CSV (EPSS publishes `.csv.gz`).
    CsvGz,
}

struct Unit {
    origin: String,
    data: Data,
    format: Format,
}

enum Data {
    File(PathBuf),
    Bytes(Vec<u8>),
}

#[derive(Default)]
struct Outcome {
    records: Vec<Prepared>,
    kev: Option<KevCatalog>,
    epss: Option<EpssFile>,
    schema_violations: usize,
    rejected: usize,
    warnings: Vec<String>,
}

/// Import every path (files, directories searched recursively, zip archives) into the store. `progress` is
/// told each unit read. Only a store failure is an error; unreadable inputs are warnings.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut units = Vec::new();
    for path in paths {
        collect(path, true, &mut units, &mut report.warnings);
    }
    report.files = units.len();
    let outcomes = parse_all(units, progress);
    let mut records = Vec::new();
    let mut kev = None;
    let mut epss = None;
    for outcome in outcomes {
        report.records += outcome.records.len();
        report.schema_violations += outcome.schema_violations;
        report.rejected += outcome.rejected;
        report.warnings.extend(outcome.warnings);
        records.extend(outcome.records);
        if let Some(catalog) = outcome.kev {
            kev = Some(catalog);
        }
        if let Some(file) = outcome.epss {
            epss = Some(file);
        }
    }
    report.counts = store.import(records)?;
    if let Some(catalog) = kev {
        store.replace_kev(&catalog.catalog_version, &catalog.date_released, &catalog.entries)?;
        report.kev = Some((catalog.catalog_version, catalog.entries.len()));
    }
    if let Some(file) = epss {
        store.replace_epss(file.score_date.as_deref(), &file.scores)?;
        report.epss = Some((file.score_date, file.scores.len()));
    }
    Ok(report)
}

/// Turn a path into units of work. Zip archives are opened here (their entries become byte units) so that
/// parsing can run on every core.
fn collect(path: &Path, explicit: bool, units: &mut Vec<Unit>, warnings: &mut Vec<String>) {
    let display = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            warnings.push(format!("{display}: cannot read: {e}"));
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                warnings.push(format!("{display}: cannot list: {e}"));
                return;
            }
        };
        entries.sort();
        for entry in entries {
            let hidden = entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if !hidden {
                collect(&entry, false, units, warnings);
            }
        }
        return;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let format = if name.ends_with(".json") {
        Format::Json
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Format::Yaml
    } else if name.ends_with(".csv") {
        Format::Csv
    } else if name.ends_with(".csv.gz") {
        Format::CsvGz
    } else if name.ends_with(".zip") {
        read_zip(path, units, warnings);
        return;
    } else if explicit {
        // Named on the command line: sniff the content.
        match std::fs::read(path) {
            Ok(bytes) if bytes.starts_with(&[0x1f, 0x8b]) => {
                units.push(Unit { origin: display, data: Data::Bytes(bytes), format: Format::CsvGz });
                return;
            }
            Ok(bytes) if bytes.starts_with(b"PK\x03\x04") => {
                read_zip(path, units, warnings);
                return;
            }
            Ok(bytes) => {
                let format = sniff(&bytes);
                units.push(Unit { origin: display, data: Data::Bytes(bytes), format });
                return;
            }
            Err(e) => {
                warnings.push(format!("{display}: cannot read: {e}"));
                return;
            }
        }
    } else {
        return;
    };
    units.push(Unit { origin: display, data: Data::File(path.to_owned()), format });
}

fn sniff(bytes: &[u8]) -> Format {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    let first = text.trim_start();
    if first.starts_with('{') || first.starts_with('[') {
        Format::Json
    } else if first.starts_with("#model_version") || first.to_ascii_lowercase().starts_with("cve,epss") {
        Format::Csv
    } else {
        Format::Yaml
    }
}

fn read_zip(path: &Path, units: &mut Vec<Unit>, warnings: &mut Vec<String>) {
    let display = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            warnings.push(format!("{display}: cannot read: {e}"));
            return;
        }
    };
    let mut archive = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => {
            warnings.push(format!("{display}: not a readable zip archive: {e}"));
            return;
        }
    };
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(format!("{display}: entry {i}: {e}"));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                warnings.push(format!("{display}: entry {i} has an unreadable name: {e}"));
                continue;
            }
        };
        let lower = name.to_ascii_lowercase();
        let format = if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else {
            continue;
        };
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 24) as usize);
        if let Err(e) = entry.read_to_end(&mut bytes) {
            warnings.push(format!("{display}!/{name}: cannot read the entry: {e}"));
            continue;
        }
        units.push(Unit { origin: format!("{display}!/{name}"), data: Data::Bytes(bytes), format });
    }
}

fn parse_all(units: Vec<Unit>, progress: &(dyn Fn(&str) + Sync)) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(units.len().max(1));
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Outcome>> = Vec::new();
    slots.resize_with(units.len(), || None);
    let results: Vec<Vec<(usize, Outcome)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = units.get(i) else { break };
                        progress(&unit.origin);
                        done.push((i, parse_unit(unit)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        usize::MAX,
                        Outcome { warnings: vec!["a parser thread failed".into()], ..Outcome::default() },
                    )]
                })
            })
            .collect()
    });
    let mut extra = Vec::new();
    for (i, outcome) in results.into_iter().flatten() {
        match slots.get_mut(i) {
            Some(slot) => *slot = Some(outcome),
            None => extra.push(outcome),
        }
    }
    slots.into_iter().flatten().chain(extra).collect()
}

fn parse_unit(unit: &Unit) -> Outcome {
    let mut out = Outcome::default();
    let bytes = match &unit.data {
        Data::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
        Data::File(path) => match std::fs::read(path) {
            Ok(b) => std::borrow::Cow::Owned(b),
            Err(e) => {
                out.warnings.push(format!("{}: cannot read: {e}", unit.origin));
                return out;
            }
        },
    };
    let bytes = if unit.format == Format::CsvGz {
        let mut text = Vec::new();
        if let Err(e) = flate2::read::GzDecoder::new(bytes.as_ref()).read_to_end(&mut text) {
            out.warnings.push(format!("{}: not a readable gzip file: {e}", unit.origin));
            return out;
        }
        std::borrow::Cow::Owned(text)
    } else {
        bytes
    };
    match unit.format {
        Format::Csv | Format::CsvGz => {
            let text = String::from_utf8_lossy(&bytes);
            match parse_epss(&text, &unit.origin) {
                Ok(file) => {
                    out.warnings.extend(file.warnings.iter().cloned());
                    out.epss = Some(file);
                }
                Err(e) => out.warnings.push(e),
            }
        }
        Format::Json => {
            let value: Value = match serde_json::from_slice(&bytes) {
                Ok(v) => v,
                Err(e) => {
                    out.warnings.push(format!(
                        "{}: line {} column {}: not valid JSON: {e}",
                        unit.origin,
                        e.line(),
                        e.column()
                    ));
                    return out;
                }
            };
            if value.get("catalogVersion").is_some() && value.get("vulnerabilities").is_some() {
                match parse_kev_value(value, &unit.origin) {
                    Ok(catalog) => {
                        out.warnings.extend(catalog.warnings.iter().cloned());
                        out.kev = Some(catalog);
                    }
                    Err(e) => out.warnings.push(e),
                }
                return out;
            }
            records_of(value, &unit.origin, &mut out);
        }
        Format::Yaml => {
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    out.warnings.push(format!("{}: not UTF-8 text: {e}", unit.origin));
                    return out;
                }
            };
            match serde_norway::from_str::<Value>(text) {
                Ok(value) => records_of(value, &unit.origin, &mut out),
                Err(e) => {
                    let at = e.location().map(|l| format!("line {}: ", l.line())).unwrap_or_default();
                    out.warnings.push(format!("{}: {at}not valid YAML: {e}", unit.origin));
                }
            }
        }
    }
    out
}

/// A single record, a list of records, or `{"vulns": [...]}` (the shape OSV's query API and some exports use).
fn records_of(value: Value, origin: &str, out: &mut Outcome) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                record(&item, &format!("{origin} [{i}]"), out);
            }
        }
        Value::Object(mut map) if !map.contains_key("id") && map.get("vulns").is_some_and(Value::is_array) => {
            if let Some(Value::Array(items)) = map.remove("vulns") {
                for (i, item) in items.into_iter().enumerate() {
                    record(&item, &format!("{origin} vulns[{i}]"), out);
                }
            }
        }
        other @ Value::Object(_) => record(&other, origin, out),
        _ => out
            .warnings
            .push(format!("{origin}: expected an OSV record (a JSON object), a list of them, or a KEV catalog")),
    }
}

fn record(value: &Value, origin: &str, out: &mut Outcome) {
    if value.is_object() && ["id", "modified", "affected"].iter().all(|k| value.get(k).is_none()) {
        // A JSON file beside the records that is not one (a schema, a manifest): say so, no more.
        out.warnings.push(format!("{origin}: not an OSV record (no id, modified or affected); skipped"));
        return;
    }
    let label = match value.get("id").and_then(Value::as_str) {
        Some(id) if !origin.contains(id) => format!("{origin} ({id})"),
        _ => origin.to_owned(),
    };
    match &*OSV_VALIDATOR {
        Ok(validator) => {
            let errors: Vec<String> = validator
                .iter_errors(value)
                .take(4)
                .map(|e| {
                    let at = e.instance_path().to_string();
                    format!("{}: {e}", if at.is_empty() { "(record)".to_owned() } else { at })
                })
                .collect();
            if !errors.is_empty() {
                out.schema_violations += 1;
                out.warnings.push(format!("{label}: breaks the OSV schema: {}", errors.join("; ")));
            }
        }
        Err(e) => out.warnings.push(e.clone()),
    }
    match parse_record(value) {
        Ok((advisory, warnings)) => {
            out.warnings.extend(warnings.into_iter().map(|w| format!("{label}: {w}")));
            out.records.push(Prepared { advisory, origin: origin.to_owned() });
        }
        Err(e) => {
            out.rejected += 1;
            out.warnings.push(format!("{label}: {e}; record skipped"));
        }
    }
}
