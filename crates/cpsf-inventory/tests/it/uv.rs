//! uv.lock parser: fixtures for each revision and source kind, broken files, and the large real lockfiles.
//!
//! Each fixture directory under `tests/data/uv/` holds a `uv.lock` and `expected.txt` (`CPSF_BLESS=1` rewrites
//! it; review the diff before keeping it).

use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::{HashAlgorithm, Scope};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::UvLock, "uv", scenario, "uv.lock")
}

#[test]
fn large_real_lockfiles_parse_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let dir = root.join("large-lockfiles/uv");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut counts = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read lockfile");
        let packages = text.lines().filter(|l| *l == "[[package]]").count();
        let own = text
            .lines()
            .filter(|l| l.starts_with("source = { editable") || l.starts_with("source = { virtual"))
            .count();
        let source = MemorySource::default();
        let input = LockfileInput { path: "uv.lock", text: &text, source: &source };
        let parsed = parse_lockfile(LockfileKind::UvLock, &input).expect("large lockfile parses");
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics.first());
        common::assert_edges_resolve(&name, &parsed);
        assert_eq!(parsed.components.len(), packages - own, "{name}: one component per package but the project's own");
        let mut direct = 0;
        for c in &parsed.components {
            let purl = c.purl.as_ref().expect("purl");
            assert_eq!(purl.ty(), "pypi");
            assert!(c.version.is_some(), "{name}: {} has a version", c.bom_ref);
            assert!(c.scope.is_some(), "{name}: {} is reached from the project", c.bom_ref);
            assert!(
                purl.qualifier("vcs_url").is_some() || c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha256),
                "{name}: {} has a SHA-256",
                c.bom_ref
            );
            direct += usize::from(c.direct == Some(true));
        }
        assert!(direct > 5 && direct < parsed.components.len(), "{name}: {direct} direct dependencies");
        let scopes = |s| parsed.components.iter().filter(|c| c.scope == Some(s)).count();
        counts.insert(
            name,
            (parsed.components.len(), direct, scopes(Scope::Required), scopes(Scope::Optional), scopes(Scope::Dev)),
        );
    }
    eprintln!("components, direct, required, optional, dev: {counts:?}");
    // pydantic: 176 [[package]] entries, two of them the workspace's own (pydantic, pydantic-core).
    if let Some((total, ..)) = counts.get("pydantic.uv.lock") {
        assert_eq!(*total, 174);
    }
}

#[test]
fn revision1_virtual_root_scopes_and_direct() {
    let out = check("revision1-virtual");
    assert!(!out.contains("pkg:pypi/backend"), "the virtual project is not a component");
    assert!(out.contains("component pkg:pypi/django@6.0.8\n  at uv.lock:Some(33) direct=Some(true) scope=Some(Required)\n  hash SHA-256 cb0bd962d27fc866f3c514b20aae6a7df56ec80b488f9899da46d675cd051526\n  hash SHA-256 9b98b7e1902e0e575ea4f42c175fc9512784f7f2580898286aee3388b322219d\n  download https://files.pythonhosted.org/packages/6e/1d/django-6.0.8.tar.gz\n  depends pkg:pypi/asgiref@3.12.1\n  depends pkg:pypi/sqlparse@0.5.5\n  depends pkg:pypi/tzdata@2025.2\n"));
    assert!(out.contains("component pkg:pypi/pytest@9.1.1\n  at uv.lock:Some(56) direct=Some(true) scope=Some(Dev)"));
    // Reached from both django (required) and pytest (dev): required wins.
    assert!(
        out.contains(
            "component pkg:pypi/sqlparse@0.5.5\n  at uv.lock:Some(66) direct=Some(false) scope=Some(Required)"
        )
    );
    assert!(
        out.contains("component pkg:pypi/iniconfig@2.3.0\n  at uv.lock:Some(47) direct=Some(false) scope=Some(Dev)")
    );
    assert!(!out.contains("diagnostic"));
}

#[test]
fn revision3_workspace_forks_sources_and_extras() {
    let out = check("revision3-workspace");
    assert!(!out.contains("pkg:pypi/acme-"), "workspace members are not components");
    // acme-core's dependencies are direct too.
    assert!(out.contains("component pkg:pypi/vendored-parser@1.0.0\n  at uv.lock:Some(140) direct=Some(true) scope=Some(Required)\n  depends pkg:pypi/shapely@2.0.6?download_url="));
    assert!(out.contains("component pkg:pypi/local-wheel@0.3.0\n  at uv.lock:Some(82) direct=Some(true) scope=Some(Required)\n  hash SHA-256 2b4d6f8a"));
    // Fork duplicates: both numpy versions, each picked by `version`, optional through the `fast` extra.
    assert!(
        out.contains("component pkg:pypi/numpy@2.2.6\n  at uv.lock:Some(90) direct=Some(true) scope=Some(Optional)")
    );
    assert!(
        out.contains("component pkg:pypi/numpy@2.3.4\n  at uv.lock:Some(99) direct=Some(true) scope=Some(Optional)")
    );
    // Dev through `coverage[toml]`: the extra's dependency is reached and is an edge of coverage.
    assert!(out.contains("component pkg:pypi/coverage@7.6.10\n  at uv.lock:Some(65) direct=Some(true) scope=Some(Dev)\n  hash SHA-256 7fb10532"));
    assert!(out.contains("  depends pkg:pypi/tomli@2.2.1\n"));
    assert!(out.contains("component pkg:pypi/tomli@2.2.1\n  at uv.lock:Some(134) direct=Some(false) scope=Some(Dev)"));
    // Sources.
    assert!(out.contains("component pkg:pypi/internal-theme@3.0.1?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple\n  at uv.lock:Some(76) direct=Some(true) scope=Some(Dev)\n  hash SHA-256 6d4f2a8c1e3b5d7f9a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f\n  download https://pypi.corp.example/packages/internal_theme-3.0.1.tar.gz\n"));
    assert!(out.contains("component pkg:pypi/report-kit@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  at uv.lock:Some(108) direct=Some(true) scope=Some(Dev)\n  download git+https://github.com/example-org/report-kit@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  depends pkg:pypi/requests@2.33.0\n"));
    assert!(out.contains("component pkg:pypi/shapely@2.0.6?download_url=https:%2F%2Fgithub.com%2Fshapely%2Fshapely%2Freleases%2Fdownload%2F2.0.6%2Fshapely-2.0.6.tar.gz\n  at uv.lock:Some(128) direct=Some(false) scope=Some(Required)\n  hash SHA-256 997f6159"));
    assert!(out.contains(
        "component pkg:pypi/certifi@2024.12.14\n  at uv.lock:Some(56) direct=Some(false) scope=Some(Required)"
    ));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unsupported-v2"),
        "error unsupported=true line=Some(1): uv.lock version 2 is not supported (expected 1)\n"
    );
    assert_eq!(
        check("missing-version"),
        "error unsupported=false line=Some(1): expected a top-level `version = 1` in uv.lock\n"
    );
    assert!(check("broken-toml").starts_with("error unsupported=false line=Some(8): invalid TOML"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(
        out.contains("component pkg:pypi/six@1.17.0\n  at uv.lock:Some(19) direct=Some(true) scope=Some(Required)")
    );
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(15): package entry skipped: missing field `name`")
    );
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(25): package `mystery` skipped: expected `source` to name a registry, git, url, path or directory"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(30): package `bad name!` skipped: not a valid project name"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(11): dependency `ghost` of `app` matches no package in the lockfile"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(12): dependency `six` of `app` matches no package in the lockfile"
    ));
    assert_eq!(out.matches("component ").count(), 1);
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("uv", "revision3-workspace");
    let text = source.0.get("uv.lock").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("uv.lock".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::UvLock, "uv.lock", &tree);
        }
    }
}
