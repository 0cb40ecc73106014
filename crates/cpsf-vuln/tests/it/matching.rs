//! Matcher fixtures (`tests/data/matching/<case>/`): each case's lockfile is read as `cpsf sbom generate` reads it, the case's advisories are imported into a fresh database, and the matches must equal `expected.txt` line for line (`<purl> <advisory id>[ low]`).

use std::path::{Path, PathBuf};

use cpsf_inventory::{DiscoverOptions, DiscoverProgress, discover};
use cpsf_vuln::Confidence;
use cpsf_vuln::import::import_paths;
use cpsf_vuln::matcher::match_components;
use cpsf_vuln::store::Store;

use crate::common;

struct Quiet;
impl DiscoverProgress for Quiet {}

/// Run one case; returns the differences as text (empty when it passes).
fn run_case(case: &Path, data: Option<&Path>) -> Result<String, String> {
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let db_dir = std::env::temp_dir().join(format!("cpsf-matching-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&db_dir);
    std::fs::create_dir_all(&db_dir).unwrap();
    let mut store = Store::open(&db_dir.join("db.sqlite")).unwrap();

    let advisories = case.join("advisories");
    let mut inputs: Vec<PathBuf> = Vec::new();
    let records = advisories.join("records.txt");
    if records.is_file() {
        let Some(data) = data else { return Err(format!("SKIPPED: {name} needs CPSF_TEST_DATA")) };
        for line in std::fs::read_to_string(&records).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            inputs.push(data.join("advisories").join(line.trim()));
        }
    }
    for entry in std::fs::read_dir(&advisories).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            inputs.push(path);
        }
    }
    let report = import_paths(&mut store, &inputs, &|_| {}).unwrap();
    assert_eq!(report.rejected, 0, "{name}: {:#?}", report.warnings);

    // Discover only the lockfile (the advisories directory holds JSON files, none of them lockfiles).
    let inventory = discover(case, &DiscoverOptions::default(), &Quiet).unwrap();
    let output = match_components(&store, &inventory.components).unwrap();
    let mut got: Vec<String> = Vec::new();
    for finding in &output.findings {
        for m in &finding.advisories {
            let low = if m.confidence == Confidence::Low { " low" } else { "" };
            got.push(format!("{} {}{low}", finding.component.purl, m.id));
        }
    }
    got.sort();
    let expected_text = std::fs::read_to_string(case.join("expected.txt")).unwrap();
    let expected: Vec<&str> =
        expected_text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let mut diff = String::new();
    for line in &expected {
        if !got.iter().any(|g| g == line) {
            diff.push_str(&format!("  missing:    {line}\n"));
        }
    }
    for line in &got {
        if !expected.contains(&line.as_str()) {
            diff.push_str(&format!("  unexpected: {line}\n"));
        }
    }
    let _ = std::fs::remove_dir_all(&db_dir);
    Ok(diff)
}

#[test]
fn matching_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching");
    let data = Some(common::shared_root()).filter(|d| d.is_dir());
    if data.is_none() {
        println!("SKIPPED: shared test data not found; cases with real advisories are skipped (set CPSF_TEST_DATA)");
    }
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 20, "fixture cases missing");
    let mut failures = String::new();
    let mut ran = 0;
    for case in &cases {
        match run_case(case, data.as_deref()) {
            Ok(diff) if diff.is_empty() => ran += 1,
            Ok(diff) => {
                ran += 1;
                failures.push_str(&format!("{}:\n{diff}", case.file_name().unwrap().to_string_lossy()));
            }
            Err(skip) => println!("{skip}"),
        }
    }
    println!("{ran} of {} matching cases ran", cases.len());
    assert!(failures.is_empty(), "matching fixtures differ:\n{failures}");
}
