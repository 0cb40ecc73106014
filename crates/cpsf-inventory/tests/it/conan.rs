//! Conan `conan.lock` parser: Conan 1 graph locks (0.4 with `ref`, 0.2 with `pref`) and Conan 2 lockfiles (0.5),
//! with bad entries and broken files.
//!
//! Each fixture directory under `tests/data/conan/` holds a `conan.lock` and `expected.txt`, a plain rendering of
//! what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::ConanLock, "conan", scenario, "conan.lock")
}

fn components(out: &str) -> usize {
    out.lines().filter(|l| l.starts_with("component ")).count()
}

#[test]
fn conan1_graph_lock_edges_direct_and_scopes() {
    let out = check("v1");
    // The consumer (node 0, a local conanfile) is not a component.
    assert!(!out.contains("sensor-gateway"));
    // openssl is both a host requirement of the consumer and a build-context dependency of cmake: one component,
    // required and direct, found at both nodes, with its zlib edge.
    assert!(out.contains(
        "component pkg:conan/openssl@3.0.13?rrev=a4c123b1612dd272d1371c17149d4395\n  at conan.lock:Some(18) conan.lock:Some(55) direct=Some(true) scope=Some(Required)\n  depends pkg:conan/zlib@1.3.1?rrev=bc74254770f58904dba41ecccc3fc162\n"
    ));
    assert!(out.contains("component pkg:conan/zlib@1.3.1?rrev=bc74254770f58904dba41ecccc3fc162\n  at conan.lock:Some(28) conan.lock:Some(72) direct=Some(false) scope=Some(Required)\n"));
    // Build requirements of the consumer: direct, dev (cmake in the build context, gtest as a test requirement).
    assert!(out.contains("component pkg:conan/cmake@3.28.1?rrev="));
    assert!(out.contains("  at conan.lock:Some(45) direct=Some(true) scope=Some(Dev)\n  depends pkg:conan/openssl@3.0.13?rrev=a4c123b1612dd272d1371c17149d4395\n"));
    assert!(out.contains("component pkg:conan/gtest@1.14.0?rrev="));
    assert!(out.contains("  at conan.lock:Some(65) direct=Some(true) scope=Some(Dev)\n"));
    // A python requirement: its own dev component with user, channel and revision, and an edge from its user.
    assert!(out.contains("component pkg:conan/acme-conan-base@1.4.0?channel=stable&rrev="));
    assert!(out.contains("&user=acme\n  at conan.lock:Some(41) direct=Some(false) scope=Some(Dev)\n"));
    assert!(out.contains("  depends pkg:conan/acme-conan-base@1.4.0?channel=stable&rrev="));
    // Options, package ids and package revisions are not part of the identity.
    assert!(!out.contains("shared"));
    assert!(!out.contains("prev"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(components(&out), 6);
}

#[test]
fn conan1_old_pref_format_without_revisions() {
    let out = check("v1-pref");
    // `pref` carries `:PACKAGE_ID`; `@_/_` means no user and channel; requires are maps of reference to id.
    assert_eq!(
        out,
        "component pkg:conan/openssl@1.0.2t\n  at conan.lock:Some(20) direct=Some(false) scope=Some(Required)\n  depends pkg:conan/zlib@1.2.11\n\
         component pkg:conan/poco@1.9.4?channel=stable&user=pocoproject\n  at conan.lock:Some(13) direct=Some(true) scope=Some(Required)\n  depends pkg:conan/openssl@1.0.2t\n\
         component pkg:conan/zlib@1.2.11\n  at conan.lock:Some(27) direct=Some(false) scope=Some(Required)\n"
    );
}

#[test]
fn conan1_bad_entries() {
    let out = check("v1-bad-entries");
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(4): `build_requires` of node `0` skipped: expected a list of node ids"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(21): node `2` skipped: expected an object"));
    assert!(out.contains(
        "line=Some(22): node `3` skipped: expected `NAME/VERSION[@USER/CHANNEL][#REVISION]`, found `not a reference`"
    ));
    assert!(out.contains("line=Some(26): node `5` skipped: expected a `ref` naming its package"));
    assert!(out.contains("line=Some(4): dependency of node `0` skipped: node `9` is not in the lockfile"));
    assert!(!out.contains("node `2` is not in the lockfile"), "node 2 is there, only unreadable");
    assert!(out.contains("component pkg:conan/libcurl@8.6.0?rrev="));
    assert!(out.contains("  at conan.lock:Some(14) direct=Some(true) scope=Some(Required)\n"));
    // Not reached from the consumer and not in the build context: scope unknown.
    assert!(out.contains("  at conan.lock:Some(30) direct=Some(false) scope=None\n"));
    assert_eq!(components(&out), 2);
}

#[test]
fn conan2_lists_scopes_and_qualifiers() {
    let out = check("v2");
    assert!(out.contains("component pkg:conan/openssl@3.2.1?rrev="));
    // The `%timestamp` is not part of the revision.
    assert!(!out.contains('%'));
    assert!(!out.contains("rrev=%"));
    // No edges and no direct mark in a Conan 2 lockfile.
    assert!(!out.contains("depends"));
    assert!(!out.contains("direct=Some"));
    // Host requirements are required; tool requirements and python requirements are dev.
    assert!(
        out.contains("  at conan.lock:Some(4) conan.lock:Some(19) direct=None scope=Some(Required)\n"),
        "zlib in both lists"
    );
    assert!(out.contains("component pkg:conan/cmake@3.28.1?rrev="));
    assert!(out.contains("  at conan.lock:Some(18) direct=None scope=Some(Dev)\n"));
    assert!(out.contains("component pkg:conan/acme-recipes@0.9.2?channel=stable&rrev="));
    assert!(out.contains("  at conan.lock:Some(22) direct=None scope=Some(Dev)\n"));
    // A `[reference, {package_id: prev}]` pair.
    assert!(out.contains("component pkg:conan/libpng@1.6.43?rrev="));
    assert!(out.contains("  at conan.lock:Some(7) direct=None scope=Some(Required)\n"));
    // User without channel; user and channel.
    assert!(out.contains("component pkg:conan/boost@1.84.0?rrev="));
    assert!(out.contains("&user=acme\n  at conan.lock:Some(14) direct=None"));
    assert!(out.contains("component pkg:conan/acme-hal@4.1.0?channel=stable&rrev="));
    // Configuration packages are not dependencies.
    assert!(!out.contains("acme-conan-config"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(components(&out), 9);
}

#[test]
fn conan2_bad_entries() {
    let out = check("v2-bad-entries");
    assert!(out.contains("component pkg:conan/sqlite3@3.45.2?rrev="));
    assert!(out.contains("component pkg:conan/abseil@20240116.1?rrev="));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(5): entry of `requires` skipped: expected `NAME/VERSION[@USER/CHANNEL][#REVISION]`, found `justaname`"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(3): entry of `requires` skipped: expected a reference string, found 42"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(7): entry of `requires` skipped: `protobuf/[>=3.21 <4]` is a version range, not a locked version"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(3): entry of `requires` skipped: expected a reference string, found []"));
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(11): `build_requires` skipped: expected a list of references"
    ));
    assert_eq!(components(&out), 2);
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unsupported-version"),
        "error unsupported=true line=Some(2): conan.lock version \"0.6\" is not supported (expected 0.5 for Conan 2, or a Conan 1 `graph_lock`)\n"
    );
    assert!(check("broken-json").starts_with("error unsupported=false line=Some(5): invalid JSON"));
    assert_eq!(
        check("not-a-lockfile"),
        "error unsupported=false line=Some(1): expected a Conan 1 `graph_lock` or a Conan 2 lockfile with `version` and `requires`\n"
    );
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("conan", 3) > 100);
}
