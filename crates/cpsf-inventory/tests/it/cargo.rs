//! Cargo.lock parser: fixtures for every lockfile version and broken files, and the large real lockfiles.
//!
//! Each fixture directory under `tests/data/cargo/` holds a `Cargo.lock` and `expected.txt`, a plain rendering
//! of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use std::path::PathBuf;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::HashAlgorithm;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::CargoLock, "cargo", scenario, "Cargo.lock")
}

#[test]
fn v1_reads_metadata_checksums_and_full_dependency_strings() {
    let out = check("v1");
    assert!(out.contains("component pkg:cargo/rand@0.8.5\n  at Cargo.lock:Some(28) direct=Some(true)"));
    assert!(out.contains("  hash SHA-256 34af8d1a0e25924bc5b7c43c079c942339d8f0a8b57c39049bef581b46327404\n"));
    // `<none>` in [metadata] means no checksum.
    assert!(out.contains(
        "component pkg:cargo/serde@1.0.228\n  at Cargo.lock:Some(45) direct=Some(true) scope=None\n  download"
    ));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn v2_resolves_ambiguous_names_by_version() {
    let out = check("v2");
    assert!(out.contains("component pkg:cargo/getrandom@0.3.3\n  at Cargo.lock:Some(27) direct=Some(true)"));
    assert!(out.contains("component pkg:cargo/getrandom@0.2.16\n  at Cargo.lock:Some(17) direct=Some(false)"));
    assert!(out.contains("component pkg:cargo/rand_core@0.6.4\n"));
    assert!(!out.contains("demo"), "the root package is not a component");
}

#[test]
fn v3_workspace_path_git_and_alternative_registry() {
    let out = check("v3");
    assert!(out.contains(
        "component pkg:cargo/regex-lite@0.1.7?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frust-lang%2Fregex%401a069b9232c607b34c4937122361aa075ef573fa\n"
    ));
    assert!(
        out.contains("  download git+https://github.com/rust-lang/regex@1a069b9232c607b34c4937122361aa075ef573fa\n")
    );
    assert!(out.contains(
        "component pkg:cargo/internal-metrics@3.1.0?repository_url=https:%2F%2Fcrates.example.com%2Fgit%2Findex\n"
    ));
    // serde_derive is only reached through serde: transitive.
    assert!(out.contains("component pkg:cargo/serde_derive@1.0.228\n  at Cargo.lock:Some(58) direct=Some(false)"));
}

#[test]
fn v4_sparse_registries_and_one_crate_from_three_sources() {
    let out = check("v4");
    assert_eq!(out.matches("component pkg:cargo/memchr@").count(), 3);
    assert!(out.contains("component pkg:cargo/memchr@2.8.1\n  at Cargo.lock:Some(14) direct=Some(true)"));
    assert!(out.contains("component pkg:cargo/memchr@2.8.3\n  at Cargo.lock:Some(25) direct=Some(false)"));
    assert!(out.contains(
        "vcs_url=git%2Bhttps:%2F%2Fgithub.com%2FBurntSushi%2Fmemchr%408a4ad3f3ee4cd2c3b9e9f3e8ed1f22a7a9d2a1b4"
    ));
    assert!(out.contains("?repository_url=sparse%2Bhttps:%2F%2Fcargo.cloudsmith.io%2Facme%2Ftools%2F\n"));
    assert!(out.contains("  depends pkg:cargo/memchr@2.8.3\n"));
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unsupported-v5"),
        "error unsupported=true line=Some(3): Cargo.lock version 5 is not supported (expected 1 to 4)\n"
    );
    assert_eq!(
        check("version-not-integer"),
        "error unsupported=false line=Some(2): expected `version` to be an integer, found string\n"
    );
    assert!(check("broken-toml").starts_with("error unsupported=false line=Some(6): invalid TOML"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(out.contains("component pkg:cargo/libc@0.2.186\n  at Cargo.lock:Some(12) direct=Some(true)"));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(18): package entry skipped: missing field `version`")
    );
    assert!(out.contains("line=Some(22): package `itoa 1.0.15` skipped: expected `checksum` to be 64 hex digits"));
    assert!(out.contains("line=Some(28): duplicate package `libc 0.2.186` skipped"));
    assert!(out.contains("line=Some(9): dependency of `app`: `memchr 9.9.9` matches no package in the lockfile"));
    assert!(out.contains("line=Some(8): dependency of `app`: `serde` matches no package in the lockfile"));
}

#[test]
fn large_real_lockfiles_parse_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let dir = root.join("large-lockfiles/cargo");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read lockfile");
        let packages = text.lines().filter(|l| *l == "[[package]]").count();
        let local = text.split("[[package]]").skip(1).filter(|block| !block.contains("\nsource = ")).count();
        let source = MemorySource::default();
        let input = LockfileInput { path: "Cargo.lock", text: &text, source: &source };
        let parsed = parse_lockfile(LockfileKind::CargoLock, &input).expect("large lockfile parses");
        let name = file.display();
        assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics.first());
        assert_eq!(parsed.components.len(), packages - local, "{name}: one component per non-local package");
        let mut direct = 0;
        for c in &parsed.components {
            let purl = c.purl.as_ref().expect("purl");
            assert_eq!(purl.ty(), "cargo");
            assert!(c.version.is_some(), "{name}: {} has a version", c.bom_ref);
            let git = purl.qualifier("vcs_url").is_some();
            assert!(
                git || c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha256),
                "{name}: {} has a SHA-256",
                c.bom_ref
            );
            for d in &c.dependencies {
                assert!(parsed.components.iter().any(|o| &o.bom_ref == d), "{name}: edge to {d} resolves");
            }
            direct += usize::from(c.direct == Some(true));
        }
        assert!(direct > 10 && direct < parsed.components.len() / 2, "{name}: {direct} direct dependencies");
    }
}
