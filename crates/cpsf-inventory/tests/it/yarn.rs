//! yarn.lock parser: classic v1 fixtures (with and without a package.json, workspaces, broken files) and Berry
//! fixtures (lockfile versions 6 and 8, workspaces with manifests, every protocol), and the large real
//! lockfile.
//!
//! Each fixture directory under `tests/data/yarn/` holds a `yarn.lock` (and sometimes `package.json` files)
//! and `expected.txt`, a plain rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt`.

use crate::common;

use std::collections::BTreeSet;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::YarnLock, "yarn", scenario, "yarn.lock")
}

#[test]
fn classic_with_a_manifest_has_direct_dependencies_and_scopes() {
    let out = check("classic");
    assert!(!out.contains("diagnostic"));
    // Several descriptors, one entry; quoted scoped keys; SRI and the URL's SHA-1 fragment are both hashes.
    let code_frame = common::block(&out, "pkg:npm/%40babel/code-frame@7.22.13");
    assert!(code_frame.starts_with("component pkg:npm/%40babel/code-frame@7.22.13\n  at yarn.lock:Some(5) direct=Some(true) scope=Some(Required)\n  hash SHA-512 f326298d"));
    assert!(code_frame.contains("  hash SHA-1 6d56518679da9d2fd7b22f17a6301a392d7276da\n"));
    assert!(
        code_frame.contains("  download https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.22.13.tgz\n")
    );
    assert!(code_frame.contains("  depends pkg:npm/%40babel/highlight@7.22.20\n  depends pkg:npm/chalk@2.4.2"));
    // `js-tokens@^3.0.0 || ^4.0.0` (quoted, with spaces) and `js-tokens@^4.0.0` are one entry.
    assert!(common::block(&out, "pkg:npm/loose-envify@1.4.0").ends_with("  depends pkg:npm/js-tokens@4.0.0"));
    assert!(common::block(&out, "pkg:npm/%40babel/highlight@7.22.20").ends_with("  depends pkg:npm/js-tokens@4.0.0"));
    // Scopes follow the manifest's sections along the edges: chokidar is dev, its optional fsevents is also
    // an optional root dependency (optional wins over dev), react's subtree is required.
    assert!(
        out.contains("component pkg:npm/chokidar@3.5.3\n  at yarn.lock:Some(37) direct=Some(true) scope=Some(Dev)\n")
    );
    assert!(
        out.contains("component pkg:npm/anymatch@3.1.3\n  at yarn.lock:Some(25) direct=Some(false) scope=Some(Dev)\n")
    );
    assert!(out.contains(
        "component pkg:npm/fsevents@2.3.3\n  at yarn.lock:Some(46) direct=Some(true) scope=Some(Optional)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/js-tokens@4.0.0\n  at yarn.lock:Some(51) direct=Some(false) scope=Some(Required)\n"
    ));
    // Alias, git (the fragment is a commit, not a hash), GitHub tarball, local tarball, local folder.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at yarn.lock:Some(88) direct=Some(true)"));
    let nan = common::block(
        &out,
        "pkg:npm/nan@2.18.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fnodejs%2Fnan.git%40925e2cfe661a267a4b74af06e4a2c19f6dbfb2d4",
    );
    assert!(nan.contains("scope=Some(Optional)\n  download git+https://github.com/nodejs/nan.git@925e2cfe661a267a4b74af06e4a2c19f6dbfb2d4"));
    assert!(!nan.contains("hash"));
    assert!(out.contains("component pkg:npm/left-pad@1.3.0?download_url=https:%2F%2Fcodeload.github.com%2Fleft-pad%2Fleft-pad%2Ftar.gz%2F250852cec51773110e4d38acce1654b346cf778d\n"));
    let vendor = common::block(&out, "pkg:npm/vendor-pack@0.2.0");
    assert!(vendor.contains("  hash SHA-512 ") && vendor.contains("  hash SHA-1 ") && !vendor.contains("download"));
    assert!(!out.contains("local-utils"), "a file: folder is the project's own code");
    assert!(out.contains("component pkg:npm/ms@2.1.3\n  at yarn.lock:Some(72) direct=Some(true)"));
    assert_eq!(out.matches("component ").count(), 15);
}

#[test]
fn classic_without_a_manifest_says_nothing_about_direct_or_scope() {
    let out = check("classic-no-manifest");
    assert_eq!(out.matches("direct=None scope=None").count(), 3);
    assert!(common::block(&out, "pkg:npm/react@18.2.0").ends_with("  depends pkg:npm/loose-envify@1.4.0"));
}

#[test]
fn classic_workspaces_mark_only_what_the_root_manifest_says() {
    // The workspaces' own manifests are not in the lockfile: only the root's dependencies are known direct,
    // nothing is known transitive, and no scope is guessed.
    let out = check("classic-workspaces");
    assert!(out.contains("component pkg:npm/react@18.2.0\n  at yarn.lock:Some(17) direct=Some(true) scope=None\n"));
    assert_eq!(out.matches("direct=None scope=None").count(), 2);
}

#[test]
fn classic_bad_entries_are_skipped_with_diagnostics() {
    let out = check("classic-bad-entries");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(5): package `noversion@^1.0.0` has no `version`\n")
    );
    assert!(out.contains("line=Some(16): `Bad Name` is not a valid npm package name\n"));
    assert!(out.contains("line=Some(14): dependency `gone@^2.0.0` matches no entry of the lockfile"));
}

#[test]
fn classic_syntax_errors_name_the_line() {
    assert_eq!(
        check("classic-missing-colon"),
        "error unsupported=false line=Some(8): expected a package key ending with `:`, found `broken@^1.0.0`\n"
    );
    assert!(check("classic-bad-indent").starts_with(
        "error unsupported=false line=Some(7): expected 2 spaces before a field or 4 before a dependency, found 3"
    ));
    assert_eq!(
        check("classic-tab"),
        "error unsupported=false line=Some(6): expected spaces for indentation in yarn.lock, found a tab\n"
    );
    assert_eq!(
        check("classic-unclosed-quote"),
        "error unsupported=false line=Some(6): expected a closing quote in `\"1.0.0`\n"
    );
}

#[test]
fn berry_v6_workspaces_protocols_and_scopes_from_manifests() {
    let out = check("berry-v6");
    assert!(!out.contains("diagnostic"));
    // Workspaces, link: and portal: packages are not components.
    for local in ["acme", "local-config", "shared-theme"] {
        assert!(!out.contains(local), "{local} is the project's own");
    }
    // Berry's checksum hashes Yarn's cache archive, not the package: no hash is reported.
    assert!(!out.contains("hash "));
    // Registry packages have no URL in a Berry lockfile: none is invented.
    assert!(
        common::block(&out, "pkg:npm/react@18.2.0")
            .contains("direct=Some(true) scope=Some(Required)\n  depends pkg:npm/loose-envify@1.4.0")
    );
    assert!(!common::block(&out, "pkg:npm/react@18.2.0").contains("download"));
    // The compat patch of typescript is the same package as its base entry.
    assert!(out.contains("component pkg:npm/typescript@5.2.2\n  at yarn.lock:Some(154) yarn.lock:Some(164) direct=Some(true) scope=Some(Dev)\n"));
    // Scopes from the workspaces' package.json files: chokidar is a dev dependency of @acme/app, so its
    // optional fsevents (dependenciesMeta) is dev too; prettier is the root's dev dependency.
    assert!(out.contains("component pkg:npm/fsevents@2.3.3\n  at yarn.lock:Some(60) yarn.lock:Some(68) direct=Some(false) scope=Some(Dev)\n"));
    assert!(
        out.contains("component pkg:npm/prettier@3.0.3\n  at yarn.lock:Some(114) direct=Some(true) scope=Some(Dev)\n")
    );
    assert!(out.contains(
        "component pkg:npm/lodash@4.17.21\n  at yarn.lock:Some(96) direct=Some(true) scope=Some(Required)\n"
    ));
    // What a portal package depends on is direct.
    assert!(
        out.contains("component pkg:npm/ms@2.1.3\n  at yarn.lock:Some(140) direct=Some(true) scope=Some(Required)\n")
    );
    // Alias, git and tarball resolutions.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at yarn.lock:Some(147) direct=Some(true)"));
    assert!(out.contains("component pkg:npm/left-pad@1.3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fleft-pad%2Fleft-pad.git%4020880a7d3b070f0ab6bff0fe906bf0e7de358e14\n"));
    assert!(out.contains(
        "  download git+https://github.com/left-pad/left-pad.git@20880a7d3b070f0ab6bff0fe906bf0e7de358e14\n"
    ));
    assert!(out.contains(
        "component pkg:npm/vendored-lib@2.1.0?download_url=https:%2F%2Ffiles.example.com%2Fvendored-lib-2.1.0.tgz\n"
    ));
    assert_eq!(out.matches("component ").count(), 13);
}

#[test]
fn berry_v8_npm_prefixed_ranges_without_manifests() {
    let out = check("berry-v8");
    assert!(!out.contains("diagnostic"));
    assert!(!out.contains("scope=Some"), "without package.json files no scope is guessed");
    assert!(out.contains("component pkg:npm/react-dom@18.2.0\n  at yarn.lock:Some(48) direct=Some(true) scope=None\n"));
    assert!(out.contains("component pkg:npm/scheduler@0.23.0\n  at yarn.lock:Some(68) direct=Some(false)"));
    // `react: npm:>=16.8.0` has no entry of its own (a resolutions override): the only react is the one.
    assert!(common::block(&out, "pkg:npm/react-dom@18.2.0").contains("  depends pkg:npm/react@18.2.0\n"));
    // A `patch:` dependency of the workspace reaches the patched typescript.
    assert!(
        out.contains(
            "component pkg:npm/typescript@5.3.3\n  at yarn.lock:Some(77) yarn.lock:Some(84) direct=Some(true)"
        )
    );
    assert!(!out.contains("hash "));
}

#[test]
fn berry_local_folders_tarballs_and_exec() {
    let out = check("berry-local");
    assert!(!out.contains("diagnostic"));
    // A `file:` folder and an `exec:` package (linkType soft) are the project's own; a `file:` tarball is a
    // package with no download location.
    assert!(!out.contains("build-tools") && !out.contains("theme"));
    assert!(out.contains("component pkg:npm/prebuilt@3.0.1\n  at yarn.lock:Some(24) direct=Some(true) scope=None\n"));
    assert!(!common::block(&out, "pkg:npm/prebuilt@3.0.1").contains("download"));
    assert!(out.contains("component pkg:npm/ms@2.1.3\n  at yarn.lock:Some(17) direct=Some(true) scope=None\n"));
    assert_eq!(out.matches("component ").count(), 2);
}

#[test]
fn berry_bad_entries_and_broken_yaml() {
    let out = check("berry-bad-entries");
    assert_eq!(out.matches("component ").count(), 3);
    assert!(out.contains(
        "diagnostic lockfile-entry-skipped line=Some(18): package `noversion@npm:^1.0.0` has no `version`\n"
    ));
    assert!(out.contains("line=Some(24): package `noresolution@npm:^1.0.0` has no `resolution`\n"));
    assert!(out.contains("line=Some(51): expected a mapping for `scalar@npm:^1.0.0`, found a scalar\n"));
    // Two `twice` entries, neither for ^3.0.0: the edge cannot be told.
    assert!(out.contains("line=Some(13): dependency `twice@^3.0.0` matches no entry of the lockfile"));
    assert!(check("berry-broken").starts_with("error unsupported=false line=Some(12): invalid YAML"));
}

#[test]
fn never_panics_on_odd_shapes() {
    for text in [
        "",
        ":",
        "a:\n",
        "\"\":\n  version \"\"\n",
        "@:\n    x y\n",
        "__metadata:\n  version: 6\n\"@\":\n  resolution: \"@\"\n",
        "__metadata:\n  version: 6\n\"a@npm:1\":\n  resolution: \"a@patch:%ZZ\"\n  version: 1\n  dependencies: [1]\n",
        "__metadata: [\n",
    ] {
        let source = MemorySource::default();
        let input = LockfileInput { path: "yarn.lock", text, source: &source };
        let _ = parse_lockfile(LockfileKind::YarnLock, &input);
    }
}

#[test]
fn large_real_lockfile_parses_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let file = root.join("large-lockfiles/yarn/jupyterlab.yarn.lock");
    let text = std::fs::read_to_string(&file).expect("read lockfile");
    let source = MemorySource::default();
    let input = LockfileInput { path: "yarn.lock", text: &text, source: &source };
    let parsed = parse_lockfile(LockfileKind::YarnLock, &input).expect("large lockfile parses");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics.first());
    common::assert_edges_resolve("jupyterlab", &parsed);
    // Independently: distinct name@version of the entries that are not workspaces (a patch entry has the
    // same name and version as the package it patches).
    let mut expected = BTreeSet::new();
    let mut version = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("  version: ") {
            version = Some(v.trim_matches('"'));
        } else if let Some(r) = line.strip_prefix("  resolution: ") {
            let r = r.trim_matches('"');
            let at = r[1..].find('@').expect("name@reference") + 1;
            if !r[at + 1..].starts_with("workspace:") {
                expected.insert((r[..at].to_owned(), version.expect("version before resolution")));
            }
        }
    }
    assert_eq!(parsed.components.len(), expected.len());
    // cdxgen 12.8.4 reports 1,988: these 1,859 plus the 129 workspace packages (all but the root), which
    // cpsf treats as the project itself rather than as components.
    assert_eq!(parsed.components.len(), 1859);
    let direct = parsed.components.iter().filter(|c| c.direct == Some(true)).count();
    assert!((150..400).contains(&direct), "{direct} direct dependencies");
    for c in &parsed.components {
        assert!(c.version.is_some(), "{} has a version", c.bom_ref);
        assert!(c.locations.iter().all(|l| l.line.is_some()), "{} has a line", c.bom_ref);
        assert_eq!(c.scope, None, "without package.json files no scope is guessed");
    }
}
