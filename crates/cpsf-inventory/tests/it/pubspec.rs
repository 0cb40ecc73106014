//! pubspec.lock parser: fixtures for the Dart 3 / Flutter layout, the older layouts, and broken files.
//!
//! Each fixture directory under `tests/data/pubspec/` holds a `pubspec.lock` and `expected.txt`, a plain
//! rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PubspecLock, "pubspec", scenario, "pubspec.lock")
}

#[test]
fn flutter_app_reads_dependency_kinds_hashes_and_sources() {
    let out = check("flutter-app");
    // `direct main`, `direct dev`, `direct overridden` and `transitive`.
    assert!(out.contains(
        "component pkg:pub/http@1.2.1\n  at pubspec.lock:Some(45) direct=Some(true) scope=Some(Required)\n  hash SHA-256 951a54c6"
    ));
    assert!(out.contains(
        "component pkg:pub/flutter_lints@3.0.2\n  at pubspec.lock:Some(32) direct=Some(true) scope=Some(Dev)"
    ));
    assert!(
        out.contains("component pkg:pub/collection@1.18.0\n  at pubspec.lock:Some(12) direct=Some(true) scope=None")
    );
    assert!(out.contains("component pkg:pub/async@2.11.0\n  at pubspec.lock:Some(4) direct=Some(false) scope=None"));
    // A private repository is named; pub.dev is not.
    assert!(out.contains(
        "component pkg:pub/internal_auth@2.4.1?repository_url=https:%2F%2Fdart.cloudsmith.io%2Facme-corp%2Fpub%2F\n"
    ));
    assert!(!out.contains("repository_url=https:%2F%2Fpub.dev"));
    // Git packages: the resolved commit, and the subfolder when there is one.
    assert!(out.contains(
        "  download git+https://github.com/flutter/packages.git@0c9c7a8d2b6f4e1a3e5d7c9b1a3f5e7d9c1b3a5f#packages/webview_flutter/webview_flutter\n"
    ));
    assert!(out.contains(
        "  download git+https://github.com/asjqkkkk/markdown_widget.git@7d3c2e1b9a8f6e5d4c3b2a1908f7e6d5c4b3a291\n"
    ));
    // SDK packages have no version (pub's `0.0.0` is a placeholder), and a diagnostic says so once per SDK.
    assert!(
        out.contains("component pkg:pub/flutter\n  at pubspec.lock:Some(27) direct=Some(true) scope=Some(Required)\n")
    );
    assert!(out.contains("component pkg:pub/sky_engine\n  at pubspec.lock:Some(110) direct=Some(false)"));
    assert!(!out.contains("0.0.0"));
    assert_eq!(out.matches("diagnostic unpinned-requirement").count(), 1);
    assert!(out.contains("`flutter`, `flutter_test`, `sky_engine` come from the flutter SDK"));
    assert!(out.contains("constrains the flutter SDK to `>=3.19.0`"));
    // Path packages are the project's own; no edges are invented.
    assert!(!out.contains("design_system"));
    assert!(!out.contains("depends"));
    assert_eq!(out.matches("component ").count(), 16);
}

#[test]
fn older_layouts_without_sha256_or_dependency_kind() {
    let out = check("legacy-pub-dartlang");
    assert!(
        out.contains(
            "component pkg:pub/args@2.3.1\n  at pubspec.lock:Some(4) direct=Some(true) scope=Some(Required)\n"
        )
    );
    assert!(
        out.contains("component pkg:pub/test@1.21.4\n  at pubspec.lock:Some(25) direct=Some(true) scope=Some(Dev)\n")
    );
    assert!(!out.contains("hash"), "no sha256 in the file, so no hash");
    assert!(!out.contains("repository_url"), "pub.dartlang.org is pub.dev's old name");

    let out = check("ancient-dart1");
    assert!(out.contains("component pkg:pub/args@0.12.0%2B2\n  at pubspec.lock:Some(4) direct=None scope=None\n"));
    assert!(out.contains("component pkg:pub/stack_trace@1.1.1\n  at pubspec.lock:Some(12) direct=None scope=None\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(out.starts_with("component pkg:pub/async@2.11.0\n  at pubspec.lock:Some(3)"));
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.contains("line=Some(11): package `broken_list` skipped: expected a mapping"));
    assert!(out.contains("line=Some(14): package `mystery` skipped: unknown source `third_party`"));
    assert!(out.contains("line=Some(19): package `no_version` skipped: expected a `version`"));
    assert!(
        out.contains("line=Some(25): package `short_hash` skipped: expected `description.sha256` to be 64 hex digits")
    );
    assert!(out.contains("line=Some(33): package `git_without_url` skipped: a git package needs `description.url`"));
    assert!(out.contains("line=Some(40): package `no_source` skipped: expected a `source`"));
}

#[test]
fn broken_files_name_the_line() {
    assert!(check("broken-yaml").starts_with("error unsupported=false line=Some(14): invalid YAML"));
    assert_eq!(
        check("packages-not-mapping"),
        "error unsupported=false line=Some(4): expected `packages` to be a mapping from package names to entries\n"
    );
    assert_eq!(check("no-packages"), "");
}
