//! bun.lock parser: fixtures for lockfileVersion 1 and 0 (JSONC with comments and trailing commas, nested
//! install paths, workspaces, every kind of resolution) and broken files.
//!
//! Each fixture directory under `tests/data/bun/` holds a `bun.lock` and `expected.txt`, a plain rendering
//! of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt`.

use crate::common;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::BunLock, "bun", scenario, "bun.lock")
}

#[test]
fn basic_jsonc_nested_paths_and_scopes() {
    let out = check("basic");
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 17);
    // Integrity becomes the hash; the registry element, when not empty, the download location.
    let send = common::block(&out, "pkg:npm/send@0.18.0");
    assert!(send.starts_with(
        "component pkg:npm/send@0.18.0\n  at bun.lock:Some(45) direct=Some(true) scope=Some(Required)\n  hash SHA-512 "
    ));
    assert!(send.contains("  download https://registry.npmjs.org/send/-/send-0.18.0.tgz\n"));
    assert!(
        !common::block(&out, "pkg:npm/react@18.2.0").contains("download"),
        "an empty registry element gives no URL"
    );
    // `send/ms` is send's own copy; `@babel/highlight/js-tokens` is nested under a scoped package.
    assert!(send.ends_with("  depends pkg:npm/debug@2.6.9\n  depends pkg:npm/ms@2.1.3"));
    assert!(common::block(&out, "pkg:npm/debug@2.6.9").ends_with("  depends pkg:npm/ms@2.0.0"));
    assert!(common::block(&out, "pkg:npm/%40babel/highlight@7.22.20").ends_with("  depends pkg:npm/js-tokens@3.0.2"));
    assert!(common::block(&out, "pkg:npm/loose-envify@1.4.0").ends_with("  depends pkg:npm/js-tokens@4.0.0"));
    // Scopes from the workspace's sections; an installed peer is an edge, a missing optional peer is not.
    assert!(
        out.contains("component pkg:npm/typescript@5.3.3\n  at bun.lock:Some(51) direct=Some(true) scope=Some(Dev)\n")
    );
    assert!(
        out.contains(
            "component pkg:npm/fsevents@2.3.3\n  at bun.lock:Some(35) direct=Some(true) scope=Some(Optional)\n"
        )
    );
    assert!(
        common::block(&out, "pkg:npm/swr@2.2.4")
            .ends_with("  depends pkg:npm/client-only@0.0.1\n  depends pkg:npm/react@18.2.0")
    );
    // The alias key `string-width-cjs` holds string-width.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at bun.lock:Some(47) direct=Some(true)"));
    assert!(!out.contains("bun-app"));
}

#[test]
fn workspaces_their_own_copies_links_and_folders() {
    let out = check("workspaces");
    assert!(!out.contains("diagnostic"));
    for local in ["app", "lib", "config", "local-theme", "mono"] {
        assert!(!out.contains(&format!("pkg:npm/{local}@")) && !out.contains(&format!("pkg:npm/{local}\n")));
    }
    // `app/react` is the app workspace's own react 17; lib gets the hoisted react 18.
    assert!(common::block(&out, "pkg:npm/react@17.0.2").contains("direct=Some(true) scope=Some(Required)\n"));
    assert!(common::block(&out, "pkg:npm/react@17.0.2").ends_with("  depends pkg:npm/object-assign@4.1.1"));
    assert!(out.contains("component pkg:npm/react@18.2.0\n  at bun.lock:Some(47) direct=Some(true)"));
    assert!(
        out.contains("component pkg:npm/prettier@3.0.3\n  at bun.lock:Some(45) direct=Some(true) scope=Some(Dev)\n")
    );
    // What a `file:` folder depends on is direct.
    assert!(
        out.contains("component pkg:npm/ms@2.1.3\n  at bun.lock:Some(41) direct=Some(true) scope=Some(Required)\n")
    );
    assert!(out.contains("component pkg:npm/object-assign@4.1.1\n  at bun.lock:Some(43) direct=Some(false)"));
}

#[test]
fn sources_git_github_tarballs_and_local_tarballs() {
    let out = check("sources");
    assert!(!out.contains("diagnostic"));
    // No version is recorded for these: none is invented.
    assert!(out.contains(
        "component pkg:npm/nan?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fnodejs%2Fnan.git%403eab21924497f7d89f48438c9cfc8ed355c85606\n  at bun.lock:Some(21) direct=Some(true) scope=Some(Required)\n  download git+https://github.com/nodejs/nan.git@3eab21924497f7d89f48438c9cfc8ed355c85606\n"
    ));
    assert!(out.contains(
        "component pkg:npm/left-pad?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fleft-pad%2Fleft-pad.git%405b2fb7c\n"
    ));
    let vendored =
        common::block(&out, "pkg:npm/vendored-lib?download_url=https:%2F%2Ffiles.example.com%2Fvendored-lib-2.1.0.tgz");
    assert!(vendored.contains("  hash SHA-512 ") && vendored.ends_with("  depends pkg:npm/ms@2.1.3"));
    assert!(
        out.contains("component pkg:npm/local-pack\n  at bun.lock:Some(17) direct=Some(true) scope=Some(Required)\n")
    );
}

#[test]
fn version_0_is_read_too() {
    let out = check("v0");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(
        out.contains("component pkg:npm/ms@2.1.3\n  at bun.lock:Some(21) direct=Some(true) scope=Some(Required)\n")
    );
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.contains("line=Some(12): expected an object for workspace `packages/odd`\n"));
    assert!(out.contains("line=Some(15): `Bad Name` is not a valid npm package name\n"));
    assert!(out.contains("line=Some(17): expected `name@resolution` first in package `empty`\n"));
    assert!(out.contains(
        "line=Some(19): package `ghost` names workspace `packages/ghost`, which `workspaces` does not list\n"
    ));
    assert!(out.contains("line=Some(23): package `strange` has a resolution cpsf does not know: `catalog:`\n"));
    assert!(out.contains("line=Some(25): expected an array for package `text`\n"));
    assert!(out.contains("line=Some(21): dependency `missing` of `ok` is not in `packages`"));
    assert!(out.contains("line=Some(4): dependency `gone` of `the root workspace` is not in `packages`"));
    assert_eq!(out.matches("`maybe`").count(), 1, "only the root's required `maybe` is worth a warning");
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unclosed-comment"),
        "error unsupported=false line=Some(3): expected `*/` to close the comment that starts here\n"
    );
    assert!(
        check("broken-json").starts_with("error unsupported=false line=Some(5): invalid JSON: expected `,` or `}`")
    );
    assert_eq!(
        check("unsupported-v2"),
        "error unsupported=true line=Some(2): bun.lock lockfileVersion 2 is not supported: expected 0 or 1\n"
    );
    assert_eq!(
        check("workspaces-not-object"),
        "error unsupported=false line=Some(3): expected `workspaces` to be an object\n"
    );
}

#[test]
fn never_panics_on_odd_shapes() {
    for text in [
        "",
        "/",
        "/*",
        "{\"a\": \"\\",
        "{\"lockfileVersion\": 1, \"packages\": {\"a/b/@c\": [\"@\"], \"x\": [\"x@1.0.0\", 3, 4, 5]}}",
        "{\"lockfileVersion\": 1, \"workspaces\": {\"\": {\"dependencies\": {\"a\": 1}}}, \"packages\": {\"a\": [\"a@github:\"]}}",
        "{\"lockfileVersion\": 1, \"packages\": {\"@s/\": [\"@s/@1\", \"\", {\"dependencies\": {\"q\": \"1\"}}]}}",
        "\u{feff}{\"lockfileVersion\": 0,}",
    ] {
        let source = MemorySource::default();
        let input = LockfileInput { path: "bun.lock", text, source: &source };
        let _ = parse_lockfile(LockfileKind::BunLock, &input);
    }
}
