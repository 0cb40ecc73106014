//! The result of `cpsf scan` as one value (`ScanReport`: what was scanned, with which database, the findings and their summary) and its renderers: a table for people, JSON, SARIF 2.1.0 and a CycloneDX 1.6 VDR.

pub mod json;
pub mod sarif;
pub mod table;
pub mod vdr;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::{Finding, Rating};

/// The version of the JSON shape of [`ScanReport`] (`schemas/scan-report.schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// Every rating, highest first: the order reports list severities in.
pub const RATINGS_DESC: [Rating; 6] =
    [Rating::Critical, Rating::High, Rating::Medium, Rating::Low, Rating::None, Rating::Unknown];

/// The tool that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        Self { name: "cpsf".into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}

/// The advisory database a scan used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatabaseInfo {
    pub path: String,
    /// Advisory records in the database.
    pub records: u64,
    /// The newest `modified` timestamp among the records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_modified: Option<String>,
    /// The KEV catalog's `catalogVersion`, when a catalog was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev_catalog_version: Option<String>,
    /// The date of the EPSS scores, when scores were imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_score_date: Option<String>,
}

/// Counts over a scan. Suppressed findings count only in `suppressed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Components scanned.
    pub components: usize,
    /// Components with at least one unsuppressed finding.
    pub vulnerable_components: usize,
    /// Unsuppressed findings.
    pub findings: usize,
    /// Findings suppressed by a VEX statement.
    pub suppressed: usize,
    /// Unsuppressed findings per rating; every rating is present, zero included.
    pub by_severity: BTreeMap<String, usize>,
    /// Unsuppressed findings whose vulnerability is in the KEV catalog.
    pub kev: usize,
}

/// A component with at least one finding (suppressed or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentSummary {
    pub bom_ref: String,
    pub purl: String,
    pub name: String,
    pub version: String,
    pub ecosystem: String,
    /// The ids of its findings, in report order.
    pub findings: Vec<String>,
    /// The smallest version that clears every unsuppressed finding on it; absent when one of them has no
    /// known fix, when the fixes cannot be ordered, or when every finding is suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
}

/// Everything `cpsf scan` found, ready for any renderer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The path or SBOM scanned.
    pub target: String,
    /// When the report was made (RFC 3339, UTC, whole seconds).
    pub generated: String,
    pub database: DatabaseInfo,
    pub summary: Summary,
    /// Components with findings, sorted by `bom_ref`.
    pub components: Vec<ComponentSummary>,
    /// Every finding, suppressed ones included, sorted by component, then severity (highest first), then id.
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

impl ScanReport {
    /// A report over `findings` from a scan of `components_scanned` components, stamped with the current time
    /// (set `generated` afterwards for a reproducible report). Each component's fix is ordered with the version
    /// scheme of its ecosystem.
    pub fn new(
        target: impl Into<String>,
        database: DatabaseInfo,
        components_scanned: usize,
        findings: Vec<Finding>,
        warnings: Vec<String>,
    ) -> ScanReport {
        Self::with_comparator(target, database, components_scanned, findings, warnings, compare_in_ecosystem)
    }

    /// As [`ScanReport::new`], with the version comparison given: `cmp(ecosystem, a, b)` orders two versions
    /// of that ecosystem, or says it cannot (`None`).
    pub fn with_comparator(
        target: impl Into<String>,
        database: DatabaseInfo,
        components_scanned: usize,
        mut findings: Vec<Finding>,
        warnings: Vec<String>,
        cmp: impl Fn(&str, &str, &str) -> Option<Ordering>,
    ) -> ScanReport {
        findings.sort_by(|a, b| {
            a.component
                .bom_ref
                .cmp(&b.component.bom_ref)
                .then_with(|| b.severity.cmp(&a.severity))
                .then_with(|| a.id.cmp(&b.id))
        });

        let mut by_severity: BTreeMap<String, usize> =
            RATINGS_DESC.iter().map(|r| (r.as_str().to_owned(), 0)).collect();
        let mut kev = 0;
        let mut suppressed = 0;
        for f in &findings {
            if f.suppression.is_some() {
                suppressed += 1;
                continue;
            }
            *by_severity.entry(f.severity.as_str().to_owned()).or_default() += 1;
            if f.kev.is_some() {
                kev += 1;
            }
        }

        let mut components: Vec<ComponentSummary> = Vec::new();
        for group in findings.chunk_by(|a, b| a.component.bom_ref == b.component.bom_ref) {
            let Some(first) = group.first() else { continue };
            let c = &first.component;
            let ecosystem = c.ecosystem.clone();
            let fixed_version = fix_for(group.iter(), |a, b| cmp(&ecosystem, a, b));
            components.push(ComponentSummary {
                bom_ref: c.bom_ref.clone(),
                purl: c.purl.clone(),
                name: c.name.clone(),
                version: c.version.clone(),
                ecosystem: c.ecosystem.clone(),
                findings: group.iter().map(|f| f.id.clone()).collect(),
                fixed_version,
            });
        }

        let vulnerable_components = findings
            .chunk_by(|a, b| a.component.bom_ref == b.component.bom_ref)
            .filter(|group| group.iter().any(|f| f.suppression.is_none()))
            .count();

        ScanReport {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo::default(),
            target: target.into(),
            generated: now_rfc3339(),
            database,
            summary: Summary {
                components: components_scanned,
                vulnerable_components,
                findings: findings.len() - suppressed,
                suppressed,
                by_severity,
                kev,
            },
            components,
            findings,
            warnings,
        }
    }

    /// The summary of the component `bom_ref`, if it has findings.
    pub fn component(&self, bom_ref: &str) -> Option<&ComponentSummary> {
        self.components.iter().find(|c| c.bom_ref == bom_ref)
    }

    /// Take the matcher's exact fix for each component (the smallest version outside every range of every
    /// finding, by bom-ref) in place of the highest of the findings' fixes, except on components where a VEX
    /// statement changed which findings count.
    pub fn use_exact_fixes(&mut self, fixes: &BTreeMap<String, Option<String>>) {
        let touched_by_vex: std::collections::HashSet<&str> =
            self.findings.iter().filter(|f| f.suppression.is_some()).map(|f| f.component.bom_ref.as_str()).collect();
        for component in &mut self.components {
            if touched_by_vex.contains(component.bom_ref.as_str()) {
                continue;
            }
            if let Some(fix) = fixes.get(&component.bom_ref) {
                component.fixed_version = fix.clone();
            }
        }
    }
}

/// The smallest version that clears every unsuppressed finding in `findings` (all on one component): the
/// highest of their fixed versions under `cmp`. `None` when there is no unsuppressed finding, when one of them
/// has no fixed version, or when two fixed versions cannot be ordered.
pub fn fix_for<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    cmp: impl Fn(&str, &str) -> Option<Ordering>,
) -> Option<String> {
    let mut best: Option<&str> = None;
    for f in findings.into_iter().filter(|f| f.suppression.is_none()) {
        let fixed = f.fixed_version.as_deref()?;
        best = match best {
            None => Some(fixed),
            Some(current) if current == fixed => Some(current),
            Some(current) => match cmp(current, fixed)? {
                Ordering::Less => Some(fixed),
                Ordering::Equal | Ordering::Greater => Some(current),
            },
        };
    }
    best.map(str::to_owned)
}

/// Order two versions of an OSV ecosystem with its version scheme; `None` when the ecosystem has no known
/// scheme or either version does not parse under it.
pub fn compare_in_ecosystem(ecosystem: &str, a: &str, b: &str) -> Option<Ordering> {
    if a == b {
        return Some(Ordering::Equal);
    }
    cpsf_version::Scheme::for_osv_ecosystem(ecosystem)?.compare(a, b).ok()
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The page of an advisory or vulnerability id at its publisher, chosen by the id's prefix, with the
/// publisher's name: RustSec, GitHub, PyPA, Go, NVD. `None` for other prefixes.
pub fn id_source(id: &str) -> Option<(&'static str, Option<String>)> {
    if id.starts_with("RUSTSEC-") {
        Some(("RustSec", Some(format!("https://rustsec.org/advisories/{id}"))))
    } else if id.starts_with("GHSA-") {
        Some(("GitHub", Some(format!("https://github.com/advisories/{id}"))))
    } else if id.starts_with("PYSEC-") {
        Some(("PyPA", None))
    } else if id.starts_with("GO-") {
        Some(("Go", Some(format!("https://pkg.go.dev/vuln/{id}"))))
    } else if id.starts_with("CVE-") {
        Some(("NVD", Some(format!("https://nvd.nist.gov/vuln/detail/{id}"))))
    } else {
        None
    }
}

/// The best link for a finding: the matched advisory's own URL for `finding.id`, else any matched advisory's
/// URL (the package-specific record), else the publisher page of the id.
pub fn finding_url(finding: &Finding) -> Option<String> {
    finding
        .advisories
        .iter()
        .find(|a| a.id == finding.id)
        .and_then(|a| a.url.clone())
        .or_else(|| finding.advisories.iter().find_map(|a| a.url.clone()))
        .or_else(|| id_source(&finding.id).and_then(|(_, url)| url))
}

/// Whether `s` can be written where a schema asks for a URI: an `http(s)` URL of printable ASCII, without the
/// characters RFC 3986 excludes.
pub(crate) fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}'))
}
