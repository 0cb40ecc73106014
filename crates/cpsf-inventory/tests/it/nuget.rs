//! NuGet parsers: packages.lock.json versions 1 and 2 (several target frameworks, runtime sections, Project
//! entries, CentralTransitive) and packages.config, plus broken files.
//!
//! Each fixture directory under `tests/data/nuget/` holds a `packages.lock.json` or a `packages.config` and
//! `expected.txt`. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;
use cpsf_model::Purl;

fn check(kind: LockfileKind, scenario: &str, file: &str) -> String {
    let out = common::check(kind, "nuget", scenario, file);
    for line in out.lines().filter_map(|l| l.strip_prefix("component ")) {
        assert!(Purl::parse_strict(line).is_ok(), "{scenario}: `{line}` is a valid purl");
    }
    out
}

fn lock(scenario: &str) -> String {
    check(LockfileKind::NugetPackagesLock, scenario, "packages.lock.json")
}

fn config(scenario: &str) -> String {
    check(LockfileKind::NugetPackagesConfig, scenario, "packages.config")
}

#[test]
fn lock_v1_merges_frameworks_and_skips_projects() {
    let out = lock("lock-v1-multi-target");
    assert_eq!(out.matches("component ").count(), 9);
    // One package under two frameworks: one component, both locations, the contentHash as SHA-512 hex.
    assert!(out.contains(
        "component pkg:nuget/Newtonsoft.Json@13.0.3\n  at packages.lock.json:Some(14) packages.lock.json:Some(51) direct=Some(true) scope=None\n  hash SHA-512 1eb0b9057765d3420ff73795fb467ce3c4163c0a02afd3f76c311982e23e8242dc04a00ec62c7fb4b1000070be52f0cd3efe1ad9df0f5e11ba250b37fa55fa84\n"
    ));
    assert!(out.contains("component pkg:nuget/System.Threading.Tasks.Extensions@4.5.4\n  at packages.lock.json:Some(25) direct=Some(false)"));
    assert!(out.contains("  depends pkg:nuget/System.Runtime.CompilerServices.Unsafe@4.5.3\n"));
    // Edges stay within a framework; a runtime section resolves through its framework's section.
    assert!(out.contains(
        "component pkg:nuget/Microsoft.Data.SqlClient@5.1.4\n  at packages.lock.json:Some(41) direct=Some(true) scope=None\n  hash SHA-512 "
    ));
    assert!(out.contains(
        "  depends pkg:nuget/Microsoft.Data.SqlClient.SNI.runtime@5.1.1\n  depends pkg:nuget/System.Runtime.Caching@6.0.0\n"
    ));
    assert!(out.contains("component pkg:nuget/System.Runtime.Caching@6.0.0\n  at packages.lock.json:Some(73) packages.lock.json:Some(95) direct=Some(false)"));
    assert!(out.contains("  depends pkg:nuget/System.Configuration.ConfigurationManager@6.0.0\n"));
    // Project entries (either spelling) are not components.
    assert!(!out.to_lowercase().contains("acme.core"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn lock_v2_central_transitive() {
    let out = lock("lock-v2-central");
    assert_eq!(out.matches("component ").count(), 7);
    assert!(out.contains("component pkg:nuget/System.Text.Json@8.0.0\n  at packages.lock.json:Some(51) direct=Some(false) scope=None\n  hash SHA-512 "));
    // The edge goes to the version resolved, whatever range the dependant asked for.
    assert_eq!(out.matches("  depends pkg:nuget/System.Text.Json@8.0.0\n").count(), 2);
    assert!(out.contains("component pkg:nuget/xunit@2.6.6\n  at packages.lock.json:Some(16) direct=Some(true)"));
    assert!(out.contains("  depends pkg:nuget/xunit.core@2.6.6\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn broken_lockfiles_name_the_line() {
    assert_eq!(
        lock("lock-unsupported-v3"),
        "error unsupported=true line=Some(2): packages.lock.json version 3 is not supported (expected 1 or 2)\n"
    );
    assert_eq!(
        lock("lock-version-string"),
        "error unsupported=false line=Some(2): expected `version` to be a positive integer, found \"1\"\n"
    );
    assert!(lock("lock-broken-json").starts_with("error unsupported=false line=Some(8): invalid JSON"));
}

#[test]
fn bad_lock_entries_are_skipped_with_diagnostics() {
    let out = lock("lock-bad-entries");
    assert!(
        out.contains(
            "component pkg:nuget/Dapper@2.1.28\n  at packages.lock.json:Some(8) direct=Some(true) scope=None\n"
        )
    );
    assert!(!out.contains("Dapper@2.1.28\n  at packages.lock.json:Some(8) direct=Some(true) scope=None\n  hash"));
    assert!(out.contains("component pkg:nuget/MediatR@12.2.0\n"));
    assert_eq!(out.matches("component ").count(), 2);
    assert!(out.contains("line=Some(5): package `Polly` (net8.0) skipped: expected a non-empty `resolved` version"));
    assert!(
        out.contains("line=Some(8): `contentHash` of `Dapper 2.1.28` ignored: expected the base64 of a SHA-512 digest")
    );
    assert!(out.contains("line=Some(14): dependency `MediatR.Contracts` of `MediatR` (net8.0) matches no package"));
    assert!(out.contains("line=Some(23): package `FluentValidation` (net8.0) skipped: expected an object"));
    assert!(out.contains("line=Some(25): target framework `net7.0` skipped: expected an object of packages"));
}

#[test]
fn packages_config_lists_packages_with_dev_flags() {
    let out = config("config");
    assert_eq!(out.matches("component ").count(), 10);
    // packages.config does not tell direct from transitive packages.
    assert_eq!(out.matches("direct=None").count(), 10);
    assert!(out.contains(
        "component pkg:nuget/Antlr@3.5.0.2\n  at packages.config:Some(3) direct=None scope=Some(Required)\n"
    ));
    assert!(out.contains(
        "component pkg:nuget/Microsoft.CodeDom.Providers.DotNetCompilerPlatform@2.0.1\n  at packages.config:Some(9) direct=None scope=Some(Dev)\n"
    ));
    assert!(
        out.contains("component pkg:nuget/NUnit@3.14.0\n  at packages.config:Some(13) direct=None scope=Some(Dev)\n")
    );
    assert!(out.contains(
        "component pkg:nuget/Newtonsoft.Json@13.0.3\n  at packages.config:Some(11) direct=None scope=Some(Required)\n"
    ));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn packages_config_bad_entries_and_broken_files() {
    let out = config("config-bad-entries");
    assert!(out.starts_with(
        "component pkg:nuget/log4net@2.0.15\n  at packages.config:Some(3) direct=None scope=Some(Required)\n"
    ));
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.contains("line=Some(4): <package> skipped: expected non-empty `id` and `version` attributes"));
    assert!(out.contains("line=Some(5): <package> skipped"));
    assert!(out.contains("line=Some(6): duplicate package `log4net 2.0.15` skipped"));
    assert!(out.contains("line=Some(8): <package> skipped"));
    assert_eq!(
        config("config-wrong-root"),
        "error unsupported=false line=Some(2): expected a <packages> root element in packages.config, found <configuration>\n"
    );
    assert!(config("config-broken-xml").starts_with("error unsupported=false line=Some(4): invalid XML"));
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("nuget", 3) > 100);
}

#[test]
fn byte_order_mark_is_ignored() {
    let config = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<packages>\r\n  <package id=\"Dapper\" version=\"2.1.28\" targetFramework=\"net48\" />\r\n</packages>\r\n";
    let lock = "\u{feff}{\n  \"version\": 1,\n  \"dependencies\": {\n    \"net8.0\": {\n      \"Dapper\": {\n        \"type\": \"Direct\",\n        \"resolved\": \"2.1.28\"\n      }\n    }\n  }\n}\n";
    let source =
        cpsf_inventory::MemorySource::default().with("packages.config", config).with("packages.lock.json", lock);
    let out = common::render(&common::parse(LockfileKind::NugetPackagesConfig, "packages.config", &source));
    assert_eq!(
        out,
        "component pkg:nuget/Dapper@2.1.28\n  at packages.config:Some(3) direct=None scope=Some(Required)\n"
    );
    let out = common::render(&common::parse(LockfileKind::NugetPackagesLock, "packages.lock.json", &source));
    assert_eq!(
        out,
        "component pkg:nuget/Dapper@2.1.28\n  at packages.lock.json:Some(5) direct=Some(true) scope=None\n"
    );
}
