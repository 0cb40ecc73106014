//! Pipfile.lock parser: default and develop sections, sources, git/file/path entries, a Pipfile beside the
//! lockfile, custom categories, broken files.
//!
//! Each fixture directory under `tests/data/pipfile/` holds a `Pipfile.lock` and `expected.txt`
//! (`CPSF_BLESS=1` rewrites it; review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PipfileLock, "pipfile", scenario, "Pipfile.lock")
}

#[test]
fn sections_sources_and_pipfile() {
    let out = check("with-pipfile");
    // Direct from the Pipfile; certifi is only transitive.
    assert!(out.contains("component pkg:pypi/requests@2.33.0\n  at Pipfile.lock:Some(56) direct=Some(true) scope=Some(Required)\n  hash SHA-256 3324635456fa185245e24865e810cecec7b4caf933d7eb133dcde67d48cee69b\n  hash SHA-256 c7ebc5e8"));
    assert!(out.contains(
        "component pkg:pypi/certifi@2024.12.14\n  at Pipfile.lock:Some(24) direct=Some(false) scope=Some(Required)"
    ));
    assert!(
        out.contains("component pkg:pypi/pytest@9.1.1\n  at Pipfile.lock:Some(83) direct=Some(true) scope=Some(Dev)")
    );
    // In both sections: one component, required, found twice.
    assert!(out.contains("component pkg:pypi/colorama@0.4.6\n  at Pipfile.lock:Some(33) Pipfile.lock:Some(67) direct=Some(false) scope=Some(Required)"));
    // `index` names a source of `_meta`.
    assert!(out.contains("component pkg:pypi/internal-auth@1.4.2?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple\n  at Pipfile.lock:Some(45) direct=Some(true)"));
    assert!(out.contains("component pkg:pypi/report-kit?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample-org%2Freport-kit.git%404c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n  at Pipfile.lock:Some(52) direct=Some(true) scope=Some(Required)\n  download git+https://github.com/example-org/report-kit.git@4c1f0e2d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d\n"));
    assert!(!out.contains("ingest"), "the editable project itself is not a component");
    assert!(!out.contains("diagnostic") && !out.contains("depends"));
}

#[test]
fn custom_categories_files_and_unpinned() {
    let out = check("custom-categories");
    assert!(out.contains("component pkg:pypi/six@1.17.0\n  at Pipfile.lock:Some(9) direct=None scope=Some(Required)"));
    assert!(out.contains("component pkg:pypi/attrs@24.3.0?download_url=https:%2F%2Ffiles.pythonhosted.org%2Fpackages%2F89%2Faa%2Fattrs-24.3.0-py3-none-any.whl\n  at Pipfile.lock:Some(13) direct=None scope=Some(Required)\n  hash SHA-256 ac96cd03"));
    assert!(out.contains(
        "component pkg:pypi/local-tools@0.2.0\n  at Pipfile.lock:Some(17) direct=None scope=Some(Required)\n"
    ));
    // A custom category says nothing about scope.
    assert!(out.contains("component pkg:pypi/mkdocs@1.6.1\n  at Pipfile.lock:Some(23) direct=None scope=None"));
    assert!(out.contains("component pkg:pypi/sphinx\n  at Pipfile.lock:Some(27) direct=None scope=None"));
    assert!(out.contains("diagnostic unpinned-requirement line=Some(27): `sphinx` has no exact version (found `*`): reported without a version\n"));
    assert_eq!(out.matches("diagnostic").count(), 1);
}

#[test]
fn broken_files_and_bad_entries() {
    assert!(check("broken-json").starts_with("error unsupported=false line=Some(4): invalid JSON"));
    assert_eq!(
        check("not-object"),
        "error unsupported=false line=Some(1): expected a JSON object at the top of Pipfile.lock\n"
    );
    let out = check("bad-entries");
    assert!(out.contains("component pkg:pypi/idna@3.15\n  at Pipfile.lock:Some(4) direct=None scope=Some(Required)\n  hash SHA-256 ca962446ea538f7092a95e057da437618e886f4d349216d2b1e294abfdb65fdc\n"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(4): hash \"md5:nothex\" of `idna` ignored: expected `ALG:HEX`"
    ));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(4): hash 7 of `idna` ignored"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(8): package `bad name!` skipped: not a valid project name"
    ));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(9): package `urllib3` skipped: expected an object")
    );
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(11): section `develop` skipped: expected an object of packages"
    ));
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("pipfile", "with-pipfile");
    let text = source.0.get("Pipfile.lock").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("Pipfile.lock".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::PipfileLock, "Pipfile.lock", &tree);
        }
    }
}
