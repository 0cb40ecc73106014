//! pylock.toml (PEP 751) parser: index, VCS, archive and directory sources, hashes tables, dependency tables,
//! named lock files, broken files.
//!
//! Each fixture directory under `tests/data/pylock/` holds a lock file and `expected.txt` (`CPSF_BLESS=1`
//! rewrites it; review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str, file: &str) -> String {
    common::check(LockfileKind::PyLock, "pylock", scenario, file)
}

#[test]
fn sources_hashes_and_the_project_entry() {
    let out = check("with-project", "pylock.toml");
    assert!(!out.contains("inventory-service"), "the editable project is not a component");
    assert!(out.contains("component pkg:pypi/requests@2.33.0\n  at pylock.toml:Some(55) direct=Some(true) scope=None\n  hash SHA-256 c7ebc5e8b0f21837386ad0e1c8fe8b829fa5f544d8df3b2253bff14ef29d7652\n  hash SHA-256 3324635456fa185245e24865e810cecec7b4caf933d7eb133dcde67d48cee69b\n  download https://files.pythonhosted.org/packages/5f/e1/requests-2.33.0.tar.gz\n  depends pkg:pypi/certifi@2024.12.14\n  depends pkg:pypi/pysocks@1.7.1?download_url="));
    // The project's dependency table names numpy 2.3.4: only that one is direct.
    assert!(out.contains("component pkg:pypi/numpy@2.3.4\n  at pylock.toml:Some(33) direct=Some(true)"));
    assert!(out.contains("component pkg:pypi/numpy@2.2.6\n  at pylock.toml:Some(26) direct=Some(false)"));
    assert!(out.contains("component pkg:pypi/pytest@9.1.1?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple\n  at pylock.toml:Some(40) direct=Some(true) scope=None\n  hash SHA-256 37a86b45efb9a47a61a36449063e8e18d0cab3161329fc099eb21783169c4f0c\n  download https://pypi.corp.example/packages/pytest-9.1.1-py3-none-any.whl\n"));
    assert!(out.contains("component pkg:pypi/report-kit@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit.git%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  at pylock.toml:Some(49) direct=Some(true) scope=None\n  download git+https://github.com/example-org/report-kit.git@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  depends pkg:pypi/requests@2.33.0\n"));
    assert!(out.contains("component pkg:pypi/pysocks@1.7.1?download_url=https:%2F%2Ffiles.pythonhosted.org%2Fpackages%2F8d%2F59%2FPySocks-1.7.1-py3-none-any.whl\n  at pylock.toml:Some(66) direct=Some(false) scope=None\n  hash SHA-256 2725bd0a"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn named_lock_file_without_a_project_entry() {
    let out = check("named-no-root", "pylock.docs.toml");
    assert!(out.contains(
        "component pkg:pypi/mkdocs@1.6.1\n  at pylock.docs.toml:Some(5) direct=None scope=None\n  hash SHA-256 db917596"
    ));
    assert!(out.contains("  depends pkg:pypi/jinja2@3.1.6\n"));
    // A non-editable directory is a component of its own.
    assert!(
        out.contains("component pkg:pypi/docs-theme@2.0.0\n  at pylock.docs.toml:Some(18) direct=None scope=None\n")
    );
}

#[test]
fn broken_files_and_bad_entries() {
    assert_eq!(
        check("unsupported-v2", "pylock.toml"),
        "error unsupported=true line=Some(2): pylock lock-version 2.0 is not supported (expected 1.x)\n"
    );
    assert_eq!(
        check("missing-lock-version", "pylock.toml"),
        "error unsupported=false line=Some(1): expected a top-level `lock-version` (PEP 751)\n"
    );
    let out = check("bad-entries", "pylock.toml");
    assert!(out.contains("component pkg:pypi/six@1.17.0\n  at pylock.toml:Some(4) direct=None scope=None\n"));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(10): package entry skipped: missing field `name`")
    );
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(13): package `bad name!` skipped: not a valid project name"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(8): dependency `ghost` of `six` matches no package in the lock file"));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(4): dependency of `six` skipped: expected a `name`")
    );
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(8): dependency `six` of `six` matches no package in the lock file"
    ));
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("pylock", "with-project");
    let text = source.0.get("pylock.toml").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("pylock.toml".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::PyLock, "pylock.toml", &tree);
        }
    }
}
