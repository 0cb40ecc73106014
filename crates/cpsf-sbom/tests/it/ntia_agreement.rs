//! The NTIA profile agrees with ntia-conformance-checker (`sbomcheck`) on every SPDX document of the shared test
//! data that cpsf reads (SPDX 2.2/2.3 JSON, YAML and tag-value; SPDX 3 JSON-LD).

use std::path::{Path, PathBuf};
use std::process::Command;

use cpsf_sbom::SbomFormat;
use cpsf_sbom::quality::{self, Profile};

fn shared_data() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA ({}) not found", root.display());
        None
    }
}

fn sbomcheck_installed() -> bool {
    let found = Command::new("sbomcheck").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "sbomcheck is required in CI (scripts/test.sh installs it)");
        eprintln!("SKIPPED: sbomcheck not installed");
    }
    found
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "spdx") {
            out.push(path);
        }
    }
}

/// `sbomcheck`'s NTIA verdict, or why it gave none.
fn sbomcheck_verdict(path: &Path, spec: &str) -> Result<bool, String> {
    let out = Command::new("sbomcheck")
        .args(["-s", spec, "-c", "ntia", "-r", "json"])
        .arg(path)
        .output()
        .map_err(|e| format!("sbomcheck did not run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("sbomcheck printed no JSON report ({e}): {text}"))?;
    report["isNtiaConformant"].as_bool().ok_or_else(|| format!("no isNtiaConformant in {text}"))
}

/// A document, and cpsf's and sbomcheck's NTIA verdicts on it (or why sbomcheck gave none).
type Comparison = (PathBuf, Result<(bool, bool), String>);

#[test]
fn ntia_profile_agrees_with_sbomcheck_on_shared_spdx_documents() {
    let Some(root) = shared_data() else { return };
    if !sbomcheck_installed() {
        return;
    }
    let mut paths = Vec::new();
    files(&root.join("spdx"), &mut paths);
    paths.retain(|p| !p.to_string_lossy().contains("/schema/") && !p.to_string_lossy().contains("license-list"));
    paths.sort();
    // One sbomcheck process per document (about a second each): spread them over the cores.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunks: Vec<Vec<PathBuf>> =
        (0..workers).map(|w| paths.iter().skip(w).step_by(workers).cloned().collect()).collect();
    let results: Vec<Comparison> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .filter_map(|path| {
                            let bytes = std::fs::read(&path).ok()?;
                            // Documents cpsf does not read (e.g. JSON that is no SBOM) are not compared.
                            let read = cpsf_sbom::read(&bytes, &path.display().to_string()).ok()?;
                            let spec = if read.format == SbomFormat::Spdx3JsonLd { "spdx3" } else { "spdx2" };
                            let ours = quality::score(&read, &[Profile::Ntia]).conformant();
                            let theirs = sbomcheck_verdict(&path, spec);
                            Some((path, theirs.map(|t| (ours, t))))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker")).collect()
    });
    let mut disagreements = Vec::new();
    let (mut conformant, mut not_conformant) = (0, 0);
    for (path, result) in &results {
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        match result {
            Ok((ours, theirs)) if ours == theirs => {
                if *ours {
                    conformant += 1
                } else {
                    not_conformant += 1
                }
            }
            Ok((ours, theirs)) => disagreements.push(format!("{name}: cpsf says {ours}, sbomcheck says {theirs}")),
            Err(why) => disagreements.push(format!("{name}: {why}")),
        }
    }
    eprintln!(
        "NTIA agreement with sbomcheck: {} documents compared ({conformant} conformant, {not_conformant} not), {} disagreements",
        results.len(),
        disagreements.len()
    );
    assert!(results.len() >= 50, "expected the shared SPDX documents, compared {}", results.len());
    assert!(conformant > 0 && not_conformant > 0, "both verdicts occur in the corpus");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
