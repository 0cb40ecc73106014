//! poetry.lock parser: fixtures for lock-version 1.x and 2.x, sources, pyproject.toml beside the lockfile,
//! broken files, and the large real lockfile.
//!
//! Each fixture directory under `tests/data/poetry/` holds a `poetry.lock` and `expected.txt` (`CPSF_BLESS=1`
//! rewrites it; review the diff before keeping it).

use crate::common;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::{HashAlgorithm, Scope};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PoetryLock, "poetry", scenario, "poetry.lock")
}

#[test]
fn large_real_lockfile_parses_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let file = root.join("large-lockfiles/poetry/poetry.poetry.lock");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let packages = text.lines().filter(|l| *l == "[[package]]").count();
    let source = MemorySource::default();
    let input = LockfileInput { path: "poetry.lock", text: &text, source: &source };
    let parsed = parse_lockfile(LockfileKind::PoetryLock, &input).expect("large lockfile parses");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics.first());
    common::assert_edges_resolve("poetry.lock", &parsed);
    assert_eq!(parsed.components.len(), packages);
    assert_eq!(packages, 78);
    for c in &parsed.components {
        assert!(c.version.is_some() && c.scope.is_some(), "{} has a version and a scope", c.bom_ref);
        assert_eq!(c.direct, None, "{}: no pyproject.toml, so direct is unknown", c.bom_ref);
        let git = c.purl.as_ref().and_then(|p| p.qualifier("vcs_url")).is_some();
        assert!(git || c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha256), "{} has a SHA-256", c.bom_ref);
    }
    let edges: usize = parsed.components.iter().map(|c| c.dependencies.len()).sum();
    let required = parsed.components.iter().filter(|c| c.scope == Some(Scope::Required)).count();
    eprintln!("components {}, edges {edges}, required {required}", parsed.components.len());
    assert!(edges > 50);
    assert!(required > 30 && required < packages);
}

#[test]
fn v1_categories_and_metadata_files() {
    let out = check("v1-metadata-files");
    assert!(out.contains("component pkg:pypi/colorama@0.4.6\n  at poetry.lock:Some(1) direct=None scope=Some(Dev)\n  hash SHA-256 4f1d9991"));
    // `optional = true` in main: only an extra pulls it in. Hashes come from [metadata.files] under `PySocks`.
    assert!(out.contains("component pkg:pypi/pysocks@1.7.1\n  at poetry.lock:Some(9) direct=None scope=Some(Optional)\n  hash SHA-256 08e69f09"));
    assert!(
        out.contains("component pkg:pypi/requests@2.28.1\n  at poetry.lock:Some(32) direct=None scope=Some(Required)")
    );
    assert!(out.contains("  depends pkg:pypi/pysocks@1.7.1\n  depends pkg:pypi/urllib3@1.26.13\n"));
    // pytest's tomli dependency is conditional (markers) and not locked: no edge, no diagnostic.
    assert!(out.contains("component pkg:pypi/pytest@7.2.0\n  at poetry.lock:Some(17) direct=None scope=Some(Dev)\n  hash SHA-256 892f933d339f068883b6fd5a459f03d85bfcb355e4981e146d2c7616c21fef71\n  hash SHA-256 c4014eb40e10f11f355ad4e3c2fb2c6c6d1919c73f3b5a433de4708202cade59\n  depends pkg:pypi/colorama@0.4.6\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn v1_files_per_package() {
    let out = check("v1-files");
    assert!(out.contains("component pkg:pypi/django@6.0.8\n  at poetry.lock:Some(18) direct=None scope=Some(Required)\n  hash SHA-256 9b98b7e1"));
    assert!(out.contains("  depends pkg:pypi/asgiref@3.12.1\n  depends pkg:pypi/sqlparse@0.5.5\n"));
    assert!(!out.contains("tzdata") && !out.contains("diagnostic"));
}

#[test]
fn v2_groups_sources_forks_and_pyproject() {
    let out = check("v2-groups");
    // Direct from pyproject.toml (PEP 621 + [tool.poetry] + groups); certifi is only transitive.
    assert!(out.contains(
        "component pkg:pypi/requests@2.33.0\n  at poetry.lock:Some(132) direct=Some(true) scope=Some(Required)"
    ));
    assert!(out.contains(
        "component pkg:pypi/certifi@2024.12.14\n  at poetry.lock:Some(3) direct=Some(false) scope=Some(Required)"
    ));
    assert!(
        out.contains("component pkg:pypi/pytest@9.1.1\n  at poetry.lock:Some(98) direct=Some(true) scope=Some(Dev)")
    );
    assert!(out.contains(
        "component pkg:pypi/colorama@0.4.6\n  at poetry.lock:Some(15) direct=Some(false) scope=Some(Required)"
    ));
    assert!(out.contains(
        "component pkg:pypi/pysocks@1.7.1\n  at poetry.lock:Some(85) direct=Some(true) scope=Some(Optional)"
    ));
    // Sources: legacy repository, git, url, directory.
    assert!(
        out.contains("component pkg:pypi/internal-auth@1.4.2?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple\n")
    );
    assert!(out.contains("component pkg:pypi/report-kit@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit.git%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n"));
    assert!(out.contains(
        "  download git+https://github.com/example-org/report-kit.git@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n"
    ));
    assert!(out.contains("component pkg:pypi/shapely@2.0.6?download_url=https:%2F%2Ffiles.pythonhosted.org%2Fpackages%2Fshapely-2.0.6.tar.gz\n"));
    assert!(out.contains("component pkg:pypi/toolbox@0.1.0\n"));
    // Two numpy versions: pandas' two constraints pick one each; shapely's range takes both.
    assert!(out.contains("component pkg:pypi/pandas@2.2.3\n  at poetry.lock:Some(68) direct=Some(false) scope=Some(Required)\n  hash SHA-256 4f18ba62b61d7e192368b84517265a99b4d7ee8912f8708660fb4a366cc82667\n  depends pkg:pypi/numpy@2.2.6\n  depends pkg:pypi/numpy@2.3.4\n"));
    assert!(out.contains("component pkg:pypi/report-kit@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit.git%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  at poetry.lock:Some(113) direct=Some(true) scope=Some(Required)\n  download git+https://github.com/example-org/report-kit.git@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  depends pkg:pypi/requests@2.33.0\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unsupported-v3"),
        "error unsupported=true line=Some(8): poetry.lock lock-version 3.0 is not supported (expected 1.x or 2.x)\n"
    );
    assert!(check("broken-toml").starts_with("error unsupported=false line=Some(7): invalid TOML"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(out.contains("component pkg:pypi/click@8.4.2\n  at poetry.lock:Some(1) direct=None scope=Some(Required)"));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(15): package entry skipped: missing field `version`")
    );
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(20): package `bad name!` skipped: not a valid project name"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(25): package entry skipped: expected a non-empty `name` and `version`"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(13): dependency `missing-lib` of `click` matches no package in the lockfile"));
    assert_eq!(out.matches("component ").count(), 1);
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("poetry", "v2-groups");
    let text = source.0.get("poetry.lock").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("poetry.lock".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::PoetryLock, "poetry.lock", &tree);
        }
    }
}
