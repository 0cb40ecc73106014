//! pdm.lock parser: lock_version 4.x with and without inherited metadata, 3.x `[metadata.files]`, a
//! pyproject.toml beside the lockfile, broken files.
//!
//! Each fixture directory under `tests/data/pdm/` holds a `pdm.lock` and `expected.txt` (`CPSF_BLESS=1` rewrites
//! it; review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PdmLock, "pdm", scenario, "pdm.lock")
}

#[test]
fn v4_groups_with_pyproject() {
    let out = check("v4-inherit-metadata");
    // `default` wins over `socks`; requests and its `[socks]` entry are one component, without a self-edge.
    assert!(out.contains("component pkg:pypi/requests@2.33.0\n  at pdm.lock:Some(71) pdm.lock:Some(85) direct=Some(true) scope=Some(Required)\n  hash SHA-256 3324635456fa185245e24865e810cecec7b4caf933d7eb133dcde67d48cee69b\n  hash SHA-256 c7ebc5e8b0f21837386ad0e1c8fe8b829fa5f544d8df3b2253bff14ef29d7652\n  download https://files.pythonhosted.org/packages/7c/e4/requests-2.33.0-py3-none-any.whl\n  depends pkg:pypi/certifi@2024.12.14\n  depends pkg:pypi/pysocks@1.7.1\n"));
    // Groups told apart by pyproject.toml: `socks` is an extra (of requests: pysocks is not direct), `test`
    // and `lint` development groups.
    assert!(
        out.contains(
            "component pkg:pypi/pysocks@1.7.1\n  at pdm.lock:Some(34) direct=Some(false) scope=Some(Optional)"
        )
    );
    assert!(out.contains("component pkg:pypi/pytest@9.1.1\n  at pdm.lock:Some(44) direct=Some(true) scope=Some(Dev)"));
    assert!(out.contains("component pkg:pypi/ruff@0.8.4\n  at pdm.lock:Some(101) direct=Some(true) scope=Some(Dev)"));
    assert!(
        out.contains("component pkg:pypi/iniconfig@2.3.0\n  at pdm.lock:Some(24) direct=Some(false) scope=Some(Dev)")
    );
    assert!(out.contains(
        "component pkg:pypi/certifi@2024.12.14\n  at pdm.lock:Some(13) direct=Some(false) scope=Some(Required)"
    ));
    assert!(out.contains("component pkg:pypi/report-kit@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit.git%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  at pdm.lock:Some(58) direct=Some(true) scope=Some(Required)\n  download git+https://github.com/example-org/report-kit.git@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  depends pkg:pypi/requests@2.33.0\n"));
    // The editable local package is the project's own code; colorama (win32 only) is not locked.
    assert!(!out.contains("shared-utils") && !out.contains("colorama"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn v4_without_groups_or_pyproject() {
    let out = check("v4-cross-platform");
    assert!(out.contains(
        "component pkg:pypi/mypy@1.7.1\n  at pdm.lock:Some(10) direct=None scope=None\n  hash SHA-256 f7c5d642"
    ));
    assert!(out.contains("  depends pkg:pypi/mypy-extensions@1.0.0\n  depends pkg:pypi/typing-extensions@4.8.0\n"));
    // tomli has a marker and is not locked: no edge, no diagnostic.
    assert!(!out.contains("tomli") && !out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 3);
}

#[test]
fn v3_metadata_files() {
    let out = check("v3-metadata-files");
    assert!(out.contains("component pkg:pypi/click@8.1.3\n  at pdm.lock:Some(1) direct=None scope=None\n  hash SHA-256 bb4d8133cb15a609f44e8213d9b391b0809795062913b383c62be0ee95b1db48\n  hash SHA-256 7682dc8afb30297001674575ea00d1814d808d6a36af415a82bd481d37ba7b8e\n  depends pkg:pypi/colorama@0.4.6\n"));
    assert!(out.contains(
        "component pkg:pypi/colorama@0.4.6\n  at pdm.lock:Some(10) direct=None scope=None\n  hash SHA-256 4f1d9991"
    ));
}

#[test]
fn broken_files_and_bad_entries() {
    assert_eq!(
        check("unsupported-v5"),
        "error unsupported=true line=Some(5): pdm.lock lock_version 5.0.0 is not supported (expected 3.x or 4.x)\n"
    );
    let out = check("bad-entries");
    assert!(out.contains("component pkg:pypi/click@8.4.2\n  at pdm.lock:Some(7) direct=None scope=Some(Required)"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(20): package entry skipped: invalid type: integer `42`, expected a string"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(24): package `bad name!` skipped: not a valid project name"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(13): dependency `ghost` of `click` matches no package in the lockfile"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(14): dependency of `click` skipped: expected a version specifier"
    ));
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("pdm", "v4-inherit-metadata");
    let text = source.0.get("pdm.lock").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("pdm.lock".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::PdmLock, "pdm.lock", &tree);
        }
    }
}
