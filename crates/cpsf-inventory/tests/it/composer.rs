//! composer.lock parser: packages and packages-dev, dist and source, licences, edges through `require`, `replace`
//! and `provide`, direct dependencies from composer.json, path repositories, and broken files.
//!
//! Each fixture directory under `tests/data/composer/` holds a `composer.lock` (and sometimes a `composer.json`)
//! and `expected.txt`. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;
use cpsf_model::Purl;

fn check(scenario: &str) -> String {
    let out = common::check(LockfileKind::ComposerLock, "composer", scenario, "composer.lock");
    for line in out.lines().filter_map(|l| l.strip_prefix("component ")) {
        assert!(Purl::parse_strict(line).is_ok(), "{scenario}: `{line}` is a valid purl");
    }
    out
}

#[test]
fn packages_dev_packages_edges_and_manifest() {
    let out = check("app-with-manifest");
    assert_eq!(out.matches("component ").count(), 17);
    // dist URL, SHA-1 shasum, a licence list kept as written; required scope; direct from composer.json.
    assert!(out.contains(
        "component pkg:composer/acme/billing@1.4.2\n  at composer.lock:Some(10) direct=Some(true) scope=Some(Required)\n  hash SHA-1 5b1f3e0c8a9d2e4f6a7b8c9d0e1f2a3b4c5d6e7f\n  license GPL-2.0-or-later\n  license MIT\n  download https://satis.acme.example/dist/acme/billing/acme-billing-1.4.2-3f1c9a.zip\n  depends pkg:composer/guzzlehttp/guzzle@7.8.1\n  depends pkg:composer/psr/log@3.0.0\n"
    ));
    // An empty shasum is no hash; the GitHub zipball is the download location.
    assert!(out.contains(
        "component pkg:composer/psr/log@3.0.0\n  at composer.lock:Some(247) direct=Some(false) scope=Some(Required)\n  license MIT\n  download https://api.github.com/repos/psr/log/zipball/"
    ));
    // Source only: the git reference is the download location; a virtual package resolves to its provider.
    assert!(out.contains(
        "component pkg:composer/acme/legacy-sdk@dev-main\n  at composer.lock:Some(31) direct=Some(true) scope=Some(Required)\n  license proprietary\n  download git+https://git.acme.example/php/legacy-sdk.git@b7e2d9f4a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1\n  depends pkg:composer/monolog/monolog@3.5.0\n"
    ));
    // Platform requirements (php, ext-*, lib-*) are not edges.
    assert!(!out.contains("depends pkg:composer/php") && !out.contains("ext-") && !out.contains("lib-pcre"));
    assert!(out.contains("  depends pkg:composer/psr/http-message@2.0\n"));
    // packages-dev: dev scope; names compare case-insensitively (`Mockery/mockery`, `Monolog/Monolog`).
    assert!(out.contains(
        "component pkg:composer/mockery/mockery@1.6.7\n  at composer.lock:Some(349) direct=Some(true) scope=Some(Dev)"
    ));
    assert!(out.contains("component pkg:composer/monolog/monolog@3.5.0\n  at composer.lock:Some(141) direct=Some(true) scope=Some(Required)"));
    assert!(out.contains(
        "component pkg:composer/sebastian/diff@5.1.0\n  at composer.lock:Some(430) direct=Some(false) scope=Some(Dev)"
    ));
    assert!(out.contains("  depends pkg:composer/hamcrest/hamcrest-php@v2.0.1\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn without_composer_json_direct_is_unknown() {
    let out = check("no-manifest");
    assert_eq!(out.matches("component ").count(), 3);
    assert_eq!(out.matches("direct=None scope=Some(Required)").count(), 3);
    assert!(out.contains(
        "  depends pkg:composer/doctrine/inflector@2.0.8\n  depends pkg:composer/symfony/polyfill-mbstring@v1.28.0\n"
    ));
    assert!(!out.contains("diagnostic"), "`packages-dev: null` is accepted");
}

#[test]
fn path_repository_packages_are_the_project() {
    let out = check("path-repository");
    assert!(!out.contains("shared-utils"));
    assert_eq!(out.matches("component ").count(), 3);
    assert!(out.contains("component pkg:composer/ramsey/uuid@4.7.5\n  at composer.lock:Some(75) direct=Some(true)"));
    assert!(out.contains("component pkg:composer/brick/math@0.11.0\n  at composer.lock:Some(25) direct=Some(false)"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn broken_files_name_the_line() {
    assert!(check("broken-json").starts_with("error unsupported=false line=Some(14): invalid JSON"));
    assert_eq!(
        check("packages-not-array"),
        "error unsupported=false line=Some(3): expected `packages` to be an array, found an object\n"
    );
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(out.contains(
        "component pkg:composer/acme/bad-shasum@2.1.0\n  at composer.lock:Some(17) direct=None scope=Some(Required)\n  download https://satis.acme.example/dist/acme/bad-shasum-2.1.0.zip\n"
    ));
    assert!(out.contains("component pkg:composer/psr/container@2.0.2\n"));
    assert_eq!(out.matches("component ").count(), 2);
    assert!(out.contains("line=Some(3): package #1 skipped: expected an object"));
    assert!(out.contains("line=Some(3): package #2 skipped: expected `name` to be `vendor/name`, found ``"));
    assert!(out.contains("line=Some(9): package #3 skipped: expected `name` to be `vendor/name`, found `no-vendor`"));
    assert!(out.contains("line=Some(13): package `acme/no-version` skipped: expected a non-empty `version`"));
    assert!(out.contains("line=Some(17): `dist.shasum` of `acme/bad-shasum` ignored: expected 40 hex digits (SHA-1)"));
    assert!(out.contains("requirement `acme/missing` of `psr/container` matches no locked package; edge dropped"));
    assert!(out.contains("line=Some(4): composer.json is not valid JSON"));
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("composer", 3) > 100);
}

#[test]
fn byte_order_mark_is_ignored() {
    let text = "\u{feff}{\n    \"packages\": [\n        {\n            \"name\": \"psr/log\",\n            \"version\": \"3.0.0\"\n        }\n    ]\n}\n";
    let source = cpsf_inventory::MemorySource::default().with("composer.lock", text);
    let out = common::render(&common::parse(LockfileKind::ComposerLock, "composer.lock", &source));
    assert_eq!(
        out,
        "component pkg:composer/psr/log@3.0.0\n  at composer.lock:Some(4) direct=None scope=Some(Required)\n"
    );
}
