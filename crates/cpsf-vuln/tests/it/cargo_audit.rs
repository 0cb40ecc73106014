//! crates.io agreement with cargo-audit: on each large Cargo.lock of the shared data, with the same RustSec snapshot (OSV branch for cpsf, native branch for cargo-audit), cpsf reports the same advisories on the same package versions as `cargo audit` recorded in `tests/data/cargo-audit/` (regenerate with `bench/cargo-audit-oracle.sh`); every difference must be listed here with its reason.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cpsf_inventory::{DiscoverOptions, DiscoverProgress, discover};
use cpsf_vuln::import::import_paths;
use cpsf_vuln::matcher::match_components;
use cpsf_vuln::store::Store;

use crate::common;

struct Quiet;
impl DiscoverProgress for Quiet {}

/// Differences from cargo-audit that are expected, with the reason: (lockfile, "package version advisory", why).
const EXPLAINED: &[(&str, &str, &str)] = &[];

#[test]
fn same_findings_as_cargo_audit() {
    let Some(data) = common::shared("") else { return };
    let dir = common::scratch("oracle");
    let mut store = Store::open(&dir.join("db.sqlite")).unwrap();
    let report = import_paths(&mut store, &[data.join("advisories/rustsec-osv")], &|_| {}).unwrap();
    assert!(report.records > 1000);

    let oracle_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cargo-audit");
    let mut oracles: Vec<PathBuf> = std::fs::read_dir(&oracle_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    oracles.sort();
    assert_eq!(oracles.len(), 4, "one oracle per large Cargo.lock");
    let mut problems = String::new();
    for oracle in oracles {
        let name = oracle.file_stem().unwrap().to_string_lossy().to_string();
        let expected: BTreeSet<String> = std::fs::read_to_string(&oracle)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .collect();
        // Under its real name, as a project would have it.
        let lock = dir.join(&name).join("Cargo.lock");
        std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
        std::fs::copy(data.join(format!("large-lockfiles/cargo/{name}.Cargo.lock")), &lock).unwrap();
        let inventory = discover(&lock, &DiscoverOptions::default(), &Quiet).unwrap();
        let output = match_components(&store, &inventory.components).unwrap();
        let got: BTreeSet<String> = output
            .findings
            .iter()
            .flat_map(|f| {
                f.advisories.iter().map(move |m| format!("{} {} {}", f.component.name, f.component.version, m.id))
            })
            .collect();
        let explained = |line: &str| EXPLAINED.iter().any(|(lock, l, _)| *lock == name && *l == line);
        for line in expected.difference(&got) {
            if !explained(line) {
                problems.push_str(&format!("{name}: cargo-audit reports, cpsf does not: {line}\n"));
            }
        }
        for line in got.difference(&expected) {
            if !explained(line) {
                problems.push_str(&format!("{name}: cpsf reports, cargo-audit does not: {line}\n"));
            }
        }
        println!(
            "{name}: {} components, cargo-audit {} entries, cpsf {}",
            inventory.components.len(),
            expected.len(),
            got.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "unexplained differences from cargo-audit:\n{problems}");
}
