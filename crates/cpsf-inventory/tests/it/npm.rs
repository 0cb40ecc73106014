//! npm `package-lock.json` / `npm-shrinkwrap.json` parser: fixtures for lockfileVersion 1, 2 and 3,
//! workspaces, every kind of source, broken files, and the large real lockfiles.
//!
//! Each fixture directory under `tests/data/npm/` holds the lockfile (and sometimes a `package.json`) and
//! `expected.txt`, a plain rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt`.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::{HashAlgorithm, Scope};
use serde_json::Value;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::NpmPackageLock, "npm", scenario, "package-lock.json")
}

#[test]
fn v3_resolves_nested_copies_like_node() {
    let out = check("v3");
    assert!(!out.contains("diagnostic"));
    assert!(!out.contains("demo-api"), "the project itself is not a component");
    // Root dependencies of each kind are direct, with the scope npm's flags give.
    assert!(out.contains("component pkg:npm/%40babel/code-frame@7.22.13\n  at package-lock.json:Some(24) direct=Some(true) scope=Some(Required)\n"));
    assert!(out.contains(
        "component pkg:npm/chalk@4.1.2\n  at package-lock.json:Some(126) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/fsevents@2.3.3\n  at package-lock.json:Some(174) direct=Some(true) scope=Some(Optional)\n"
    ));
    // devOptional: optional in a production install.
    assert!(out.contains("component pkg:npm/%40types/node@20.8.7\n  at package-lock.json:Some(106) direct=Some(true) scope=Some(Optional)\n"));
    assert!(out.contains("component pkg:npm/undici-types@5.25.3\n  at package-lock.json:Some(254) direct=Some(false) scope=Some(Optional)\n"));
    // `send` requires debug 2.6.9 and ms 2.1.3 from its own node_modules, and that debug its own ms 2.0.0;
    // the hoisted debug 4.3.4 gets ms 2.1.2.
    let send = common::block(&out, "pkg:npm/send@0.18.0");
    assert!(send.contains("  depends pkg:npm/debug@2.6.9\n  depends pkg:npm/mime@1.6.0\n  depends pkg:npm/ms@2.1.3"));
    assert!(common::block(&out, "pkg:npm/debug@2.6.9").ends_with("  depends pkg:npm/ms@2.0.0"));
    assert!(common::block(&out, "pkg:npm/debug@4.3.4").ends_with("  depends pkg:npm/ms@2.1.2"));
    // chalk 2 is nested under @babel/highlight and finds its ansi-styles 3 there, not the hoisted 4.
    assert!(common::block(&out, "pkg:npm/%40babel/highlight@7.22.20").contains("  depends pkg:npm/chalk@2.4.2\n"));
    assert!(common::block(&out, "pkg:npm/chalk@2.4.2").contains("  depends pkg:npm/ansi-styles@3.2.1\n"));
    assert!(common::block(&out, "pkg:npm/chalk@4.1.2").contains("  depends pkg:npm/ansi-styles@4.3.0\n"));
    // Hashes: sha512, sha1-only, and both of a two-token integrity string; licence and download location.
    assert!(out.contains("  hash SHA-1 066b2bc2f7805c2ec75ebec95916a02fc934b796\n"));
    let js_tokens = common::block(&out, "pkg:npm/js-tokens@4.0.0");
    assert!(js_tokens.contains("  hash SHA-512 bfc095fd"));
    assert!(js_tokens.contains("  hash SHA-1 f8543461d9fbfd50338eceabe4be08b0bde00469\n"));
    assert!(!js_tokens.contains("license"), "no licence is invented");
    assert!(send.contains("  license MIT\n  download https://registry.npmjs.org/send/-/send-0.18.0.tgz\n"));
    assert_eq!(out.matches("component ").count(), 27);
}

#[test]
fn v2_reads_packages_not_the_legacy_section() {
    let out = check("v2");
    assert_eq!(out.matches("component ").count(), 4);
    assert!(out.contains("component pkg:npm/semver@7.5.4\n  at package-lock.json:Some(33) direct=Some(true)"));
    assert!(out.contains("component pkg:npm/lru-cache@6.0.0\n  at package-lock.json:Some(24) direct=Some(false)"));
    assert!(out.contains("  license ISC\n"), "licences come from `packages`");
    assert!(common::block(&out, "pkg:npm/semver@7.5.4").ends_with("  depends pkg:npm/lru-cache@6.0.0"));
}

#[test]
fn v1_nested_dependencies_with_a_manifest() {
    let out = check("v1");
    assert!(!out.contains("diagnostic"));
    // Nested copies and `requires` edges.
    assert!(out.contains(
        "component pkg:npm/debug@2.6.9\n  at package-lock.json:Some(16) direct=Some(false) scope=Some(Required)\n"
    ));
    assert!(
        common::block(&out, "pkg:npm/body-parser@1.20.1")
            .contains("  depends pkg:npm/bytes@3.1.2\n  depends pkg:npm/debug@2.6.9")
    );
    assert!(common::block(&out, "pkg:npm/debug@4.3.4").contains("direct=Some(true) scope=Some(Dev)"));
    // An `npm:` alias is reported as the real package.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at package-lock.json:Some(66) direct=Some(true)"));
    assert!(!out.contains("string-width-cjs"));
    // Git and tarball versions: no version is made up; the source goes into the purl and download location.
    assert!(out.contains("component pkg:npm/nan?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fnodejs%2Fnan.git%40925e2cfe661a267a4b74af06e4a2c19f6dbfb2d4\n  at package-lock.json:Some(61) direct=Some(true) scope=Some(Optional)\n  download git+https://github.com/nodejs/nan.git@925e2cfe661a267a4b74af06e4a2c19f6dbfb2d4\n"));
    assert!(out.contains("component pkg:npm/left-pad?download_url=https:%2F%2Fcodeload.github.com%2Fleft-pad%2Fleft-pad%2Ftar.gz%2F5b2fb7c41ea0a7b8bc0b6d54ea2bb0c1ea0b7d8e\n"));
    // A `file:` folder is the project's own code: not a component; what it requires is direct.
    assert!(!out.contains("local-utils"));
    assert!(out.contains("component pkg:npm/bytes@3.1.2\n  at package-lock.json:Some(31) direct=Some(true)"));
}

#[test]
fn v1_without_a_manifest_leaves_direct_unknown() {
    let out = check("v1-no-manifest");
    assert_eq!(out.matches("direct=None").count(), 3);
    assert!(!out.contains("direct=Some"));
}

#[test]
fn a_broken_manifest_is_a_diagnostic_not_a_failure() {
    let out = check("bad-manifest");
    assert!(out.contains("component pkg:npm/bytes@3.1.2\n  at package-lock.json:Some(6) direct=None"));
    assert!(out.contains("diagnostic lockfile-malformed line=Some(5): invalid JSON in package.json: trailing comma"));
}

#[test]
fn workspaces_are_not_components_and_their_dependencies_are_direct() {
    let out = check("workspaces");
    assert!(!out.contains("diagnostic"));
    assert!(!out.contains("acme"), "workspace packages and their links are not components");
    assert_eq!(out.matches("component ").count(), 5);
    // packages/server has its own lodash 3 beside the root's lodash 4 (which packages/shared uses).
    assert!(out.contains(
        "component pkg:npm/lodash@3.10.1\n  at package-lock.json:Some(63) direct=Some(true) scope=Some(Required)\n"
    ));
    assert!(out.contains("component pkg:npm/lodash@4.17.21\n  at package-lock.json:Some(25) direct=Some(true)"));
    assert!(out.contains(
        "component pkg:npm/vitest@0.34.6\n  at package-lock.json:Some(69) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains("component pkg:npm/uuid@9.0.1\n  at package-lock.json:Some(42) direct=Some(true)"));
}

#[test]
fn sources_aliases_git_tarballs_local_and_bundled() {
    let out = check("sources");
    assert!(!out.contains("diagnostic"));
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at package-lock.json:Some(64) direct=Some(true)"));
    assert!(out.contains(
        "component pkg:npm/jsdoc-template@1.0.0?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Facme%2Fjsdoc-template.git%406db7e9688935c32e6a9d998afe36faf2e10fb9d7\n"
    ));
    assert!(out.contains(
        "  download git+ssh://git@github.com/acme/jsdoc-template.git@6db7e9688935c32e6a9d998afe36faf2e10fb9d7\n"
    ));
    let vendored = common::block(
        &out,
        "pkg:npm/vendored-lib@2.1.0?download_url=https:%2F%2Ffiles.example.com%2Fvendored-lib-2.1.0.tgz",
    );
    assert!(vendored.contains("  license BSD-3-Clause\n  download https://files.example.com/vendored-lib-2.1.0.tgz"));
    // A local tarball keeps its integrity but has no download location.
    let local = common::block(&out, "pkg:npm/local-pack@0.1.0");
    assert!(local.contains("  hash SHA-512 ") && !local.contains("download"));
    // A linked folder outside the project is not a component; its own node_modules are its dependencies.
    assert!(!out.contains("shared-utils"));
    assert!(out.contains("component pkg:npm/ms@2.1.3\n  at package-lock.json:Some(26) direct=Some(true)"));
    // A bundled dependency is a component of its own, reached through the package that bundles it.
    assert!(out.contains("component pkg:npm/abbrev@2.0.0\n  at package-lock.json:Some(55) direct=Some(false) scope=Some(Required)\n  license ISC\n"));
    assert!(common::block(&out, "pkg:npm/npm@10.2.4").ends_with("  depends pkg:npm/abbrev@2.0.0"));
}

#[test]
fn shrinkwrap_reads_the_same_way() {
    let out = common::check(LockfileKind::NpmPackageLock, "npm", "shrinkwrap", "npm-shrinkwrap.json");
    assert!(out.contains("component pkg:npm/yargs-parser@21.1.1\n  at npm-shrinkwrap.json:Some(14) direct=Some(true)"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.contains("component pkg:npm/ok@1.0.0\n  at package-lock.json:Some(21) direct=Some(true)"));
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(15): `Bad Name` is not a valid npm package name\n")
    );
    assert!(out.contains("line=Some(18): package `node_modules/noversion` has no `version`\n"));
    assert!(out.contains("line=Some(33): expected an object for package `node_modules/weird`\n"));
    assert!(out.contains("line=Some(6): dependency `missing` of `the project` is not in the lockfile"));
    assert!(out.contains("line=Some(21): dependency `gone` of `node_modules/ok` is not in the lockfile"));
    assert!(!out.contains("maybe"), "a missing optional dependency is not worth a warning");
}

#[test]
fn broken_files_name_the_line() {
    assert!(
        check("broken-json").starts_with("error unsupported=false line=Some(6): invalid JSON: expected `,` or `}`")
    );
    assert_eq!(
        check("unsupported-v4"),
        "error unsupported=true line=Some(3): npm lockfileVersion 4 is not supported: expected 1, 2 or 3\n"
    );
    assert_eq!(
        check("version-not-number"),
        "error unsupported=false line=Some(3): expected `lockfileVersion` to be a number, found \"3\"\n"
    );
    assert_eq!(
        check("packages-not-object"),
        "error unsupported=false line=Some(4): expected `packages` to be an object\n"
    );
}

#[test]
fn never_panics_on_odd_shapes() {
    for text in [
        "",
        "[]",
        "{\"lockfileVersion\": 3, \"packages\": {\"\": 1, \"node_modules/a\": {\"version\": 2, \"dependencies\": []}}}",
        "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"version\": \"npm:@\", \"requires\": {\"b\": 1}}}}",
        "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"link\": true, \"resolved\": \"node_modules/a\"}}}",
        "{\"lockfileVersion\": 1, \"dependencies\": []}",
    ] {
        let source = MemorySource::default();
        let input = LockfileInput { path: "package-lock.json", text, source: &source };
        let _ = parse_lockfile(LockfileKind::NpmPackageLock, &input);
    }
}

/// Distinct `name@version` of the installed (non-link) packages, computed straight from the JSON.
fn distinct_installed(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, entry) in doc["packages"].as_object().expect("packages") {
        let Some(i) = path.rfind("node_modules/") else { continue };
        if entry.get("link").is_some() {
            continue;
        }
        let name = entry.get("name").and_then(Value::as_str).unwrap_or(&path[i + 13..]);
        out.insert((name.to_owned(), entry["version"].as_str().expect("version").to_owned()));
    }
    out
}

#[test]
fn large_real_lockfiles_parse_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let dir = root.join("large-lockfiles/npm");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    assert_eq!(files.len(), 3);
    for file in files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).expect("read lockfile");
        let doc: Value = serde_json::from_str(&text).expect("JSON");
        let source = MemorySource::default();
        let input = LockfileInput { path: "package-lock.json", text: &text, source: &source };
        let parsed = parse_lockfile(LockfileKind::NpmPackageLock, &input).expect("large lockfile parses");
        assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics.first());
        common::assert_edges_resolve(&name, &parsed);
        // One component per distinct installed name@version (nested copies of one version are one).
        assert_eq!(parsed.components.len(), distinct_installed(&doc).len(), "{name}");
        if name.contains("node-red") {
            // cdxgen 12.8.4 counts 939 components here too.
            assert_eq!(parsed.components.len(), 939);
        }
        // The project's own dependencies (of every kind) are exactly the direct components.
        let root_entry = &doc["packages"][""];
        let declared: BTreeSet<&str> = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]
            .iter()
            .filter_map(|k| root_entry.get(*k).and_then(Value::as_object))
            .flat_map(|m| m.keys().map(String::as_str))
            .collect();
        let direct: Vec<_> = parsed.components.iter().filter(|c| c.direct == Some(true)).collect();
        assert_eq!(direct.len(), declared.len(), "{name}");
        for c in &parsed.components {
            assert!(c.version.is_some(), "{name}: {} has a version", c.bom_ref);
            assert!(c.scope.is_some(), "{name}: {} has a scope", c.bom_ref);
            assert!(c.locations.iter().all(|l| l.line.is_some()), "{name}: {} has a line", c.bom_ref);
            let git = c.purl.as_ref().and_then(|p| p.qualifier("vcs_url")).is_some();
            let bundled = c.download_location.is_none();
            assert!(
                git || bundled || c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha512),
                "{name}: {} has a SHA-512",
                c.bom_ref
            );
        }
        assert!(parsed.components.iter().any(|c| c.scope == Some(Scope::Dev)));
        assert!(parsed.components.iter().any(|c| c.scope == Some(Scope::Required)));
    }
}
