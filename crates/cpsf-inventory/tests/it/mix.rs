//! mix.lock parser: fixtures for today's 8-element Hex tuples, the older shorter tuples, git dependencies, the
//! `=>` map syntax, and broken files.
//!
//! Each fixture directory under `tests/data/mix/` holds a `mix.lock` and `expected.txt`, a plain rendering of
//! what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::MixLock, "mix", scenario, "mix.lock")
}

#[test]
fn phoenix_app_reads_hashes_edges_git_and_organizations() {
    let out = check("phoenix-app");
    // The outer checksum is the tarball's SHA-256; the inner one is not recorded.
    assert!(out.contains(
        "component pkg:hex/castore@1.0.5\n  at mix.lock:Some(3) direct=None scope=None\n  hash SHA-256 f5ef091a9399cceca1956b4f8b3d5ac6c33e7dc5ac964e9285bc248241e62284\n  download https://repo.hex.pm/tarballs/castore-1.0.5.tar\n"
    ));
    assert_eq!(out.matches("  hash ").count(), 17, "one hash per Hex package, none for git dependencies");
    // Edges from the deps lists; optional dependencies that are not locked are no error.
    assert!(out.contains("component pkg:hex/cowboy@2.10.0\n"));
    assert!(out.contains("  depends pkg:hex/cowlib@2.12.1\n  depends pkg:hex/ranch@1.8.0\n"));
    assert!(out.contains("  depends pkg:hex/websock_adapter@0.5.5\n"));
    assert!(out.contains("  depends pkg:hex/jason@1.4.1\n"), "a locked optional dependency is an edge");
    assert!(!out.contains("plug_cowboy") && !out.contains("phoenix_view") && !out.contains("bandit"));
    assert!(!out.contains("diagnostic"));
    // A private organization is the namespace, and its tarballs live under the organization.
    assert!(out.contains("component pkg:hex/acme/acme_billing@0.9.2\n"));
    assert!(out.contains("  download https://repo.hex.pm/repos/acme/tarballs/acme_billing-0.9.2.tar\n"));
    // Git dependencies: no version, the commit in vcs_url, the sparse folder after `#`.
    assert!(out.contains(
        "component pkg:hex/phoenix_live_view?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fphoenixframework%2Fphoenix_live_view.git%408e2f1b0c9d7a6e5f4b3c2d1e0f9a8b7c6d5e4f3a\n  at mix.lock:Some(12)"
    ));
    assert!(out.contains("  download git+https://github.com/tailwindlabs/heroicons.git@88ab3a0d790e6a47404cba02800a6b25d2afae50#optimized\n"));
    assert!(!out.contains("direct=Some"), "mix.lock does not say what is direct");
    assert_eq!(out.matches("component ").count(), 19);
}

#[test]
fn legacy_tuples_of_every_length_still_parse() {
    let out = check("legacy-tuples");
    assert_eq!(out.matches("component ").count(), 8);
    // 3 elements: name and version only.
    assert!(out.contains("component pkg:hex/plug@1.0.0\n  at mix.lock:Some(5) direct=None scope=None\n  download"));
    // 4, 6 and 7 elements carry only the inner checksum: no hash.
    assert!(!out.contains("hash"));
    // Old dependency options without `repo:` still give edges.
    assert!(out.contains("component pkg:hex/idna@5.1.0\n  at mix.lock:Some(4) direct=None scope=None\n  download https://repo.hex.pm/tarballs/idna-5.1.0.tar\n  depends pkg:hex/unicode_util_compat@0.3.1\n"));
    assert!(out.contains("  depends pkg:hex/cowlib@1.0.2\n  depends pkg:hex/ranch@1.3.2\n"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn arrow_keys_aliases_and_escapes() {
    let out = check("arrow-keys");
    // The purl names the Hex package, not the app alias.
    assert!(out.contains("component pkg:hex/jason@1.2.2\n  at mix.lock:Some(4)"));
    assert!(out.contains("component pkg:hex/jason@1.4.1\n  at mix.lock:Some(3)"));
    assert!(out.contains(
        "  download git+https://git.example.com/team/tz.git@3f5c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a#apps/tz\n"
    ));
    assert!(!out.contains("legacy_json"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.starts_with("component pkg:hex/jason@1.4.1\n  at mix.lock:Some(3)"));
    assert!(out.contains(
        "line=Some(2): entry `bad_checksum` skipped: expected the outer checksum to be 64 hex digits (SHA-256)"
    ));
    assert!(out.contains("line=Some(4): duplicate entry `good` skipped"));
    assert!(out.contains("line=Some(5): entry `no_version` skipped: expected a version string"));
    assert!(out.contains("line=Some(6): entry `not_a_tuple` skipped: expected a tuple"));
    assert!(out.contains("line=Some(7): entry `path_dep` skipped: unknown source `:path`"));
    assert!(out.contains("line=Some(8): entry `weird` skipped: expected the source atom"));
    assert!(out.contains("line=Some(3): dependency `decimal` of `good` is not in the lock; edge skipped"));
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(check("broken-syntax"), "error unsupported=false line=Some(3): invalid mix.lock: expected `,` or `}`\n");
    assert_eq!(
        check("unterminated-string"),
        "error unsupported=false line=Some(3): invalid mix.lock: unterminated string\n"
    );
    assert_eq!(
        check("not-a-map"),
        "error unsupported=false line=Some(2): expected a map `%{...}` at the top of mix.lock, found a list\n"
    );
}

#[test]
fn every_edge_points_at_a_component() {
    for scenario in ["phoenix-app", "legacy-tuples"] {
        let source = common::load_fixture("mix", scenario);
        let parsed = common::parse(LockfileKind::MixLock, "mix.lock", &source).expect("parses");
        assert!(parsed.components.iter().any(|c| !c.dependencies.is_empty()), "{scenario} has edges");
        common::assert_edges_resolve(scenario, &parsed);
    }
}
