//! pnpm-lock.yaml parser: fixtures for lockfileVersion 5.4, 6.0 and 9.0 (single project and workspaces,
//! peer suffixes, aliases, git, tarball and directory resolutions), broken files, and the large real
//! lockfiles.
//!
//! Each fixture directory under `tests/data/pnpm/` holds a `pnpm-lock.yaml` and `expected.txt`, a plain
//! rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt`.

use crate::common;

use std::collections::BTreeSet;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::{HashAlgorithm, Scope};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PnpmLock, "pnpm", scenario, "pnpm-lock.yaml")
}

#[test]
fn v5_single_project_with_dev_marks_and_peer_suffixes() {
    let out = check("v5");
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 13);
    // `/react-dom/18.2.0_react@18.2.0`: the peer suffix is not part of the purl; the edges are kept.
    let react_dom = common::block(&out, "pkg:npm/react-dom@18.2.0");
    assert!(react_dom.starts_with(
        "component pkg:npm/react-dom@18.2.0\n  at pnpm-lock.yaml:Some(66) direct=Some(true) scope=Some(Required)\n  hash SHA-512 "
    ));
    assert!(react_dom.ends_with(
        "  depends pkg:npm/loose-envify@1.4.0\n  depends pkg:npm/react@18.2.0\n  depends pkg:npm/scheduler@0.23.0"
    ));
    // `dev: true` is dev, `dev: false` + `optional: true` is optional, no `dev` mark means both: required.
    assert!(out.contains(
        "component pkg:npm/typescript@5.2.2\n  at pnpm-lock.yaml:Some(93) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/fsevents@2.3.3\n  at pnpm-lock.yaml:Some(47) direct=Some(true) scope=Some(Optional)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/react@18.2.0\n  at pnpm-lock.yaml:Some(76) direct=Some(true) scope=Some(Required)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/%40types/scheduler@0.16.8\n  at pnpm-lock.yaml:Some(39) direct=Some(false) scope=Some(Dev)\n"
    ));
    // An alias (`/string-width/4.2.3`) and a GitHub tarball keyed by its path, with `name` and `version`.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at pnpm-lock.yaml:Some(88) direct=Some(true)"));
    assert!(out.contains(
        "component pkg:npm/left-pad@1.3.0?download_url=https:%2F%2Fcodeload.github.com%2Fleft-pad%2Fleft-pad%2Ftar.gz%2F250852cec51773110e4d38acce1654b346cf778d\n  at pnpm-lock.yaml:Some(99) direct=Some(true) scope=Some(Required)\n  download https://codeload.github.com/left-pad/left-pad/tar.gz/250852cec51773110e4d38acce1654b346cf778d\n"
    ));
}

#[test]
fn v6_workspace_importers_and_registry_tarballs() {
    let out = check("v6");
    assert!(!out.contains("diagnostic"));
    assert!(!out.contains("acme/utils"), "a link: to another importer is not a component");
    // Each importer's dependencies are direct: the root's prettier, app's react, utils' lodash.
    assert!(out.contains(
        "component pkg:npm/prettier@3.0.3\n  at pnpm-lock.yaml:Some(71) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/lodash@4.17.21\n  at pnpm-lock.yaml:Some(60) direct=Some(true) scope=Some(Required)\n"
    ));
    assert!(out.contains("component pkg:npm/clsx@2.0.0\n  at pnpm-lock.yaml:Some(51) direct=Some(false)"));
    // A tarball in the registry layout of another registry: its URL is the download location, no qualifier.
    let ui = common::block(&out, "pkg:npm/%40acme/ui@2.0.1");
    assert!(ui.contains("  download https://npm.acme.example/@acme/ui/-/ui-2.0.1.tgz\n  depends pkg:npm/clsx@2.0.0\n  depends pkg:npm/react@18.2.0"));
    assert!(ui.contains("  hash SHA-512 "));
}

#[test]
fn v9_packages_snapshots_and_scopes_from_importers() {
    let out = check("v9");
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 16);
    assert!(!out.contains("eslint-config-local"), "a directory dependency is the project's own code");
    assert!(!out.contains("acme/ui"));
    // 9.0 has no dev marks: scopes follow the importers' sections along the snapshots' edges.
    assert!(out.contains(
        "component pkg:npm/%40types/react@18.2.37\n  at pnpm-lock.yaml:Some(61) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/csstype@3.1.3\n  at pnpm-lock.yaml:Some(64) direct=Some(false) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/fsevents@2.3.3\n  at pnpm-lock.yaml:Some(70) direct=Some(true) scope=Some(Optional)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/typescript@5.3.3\n  at pnpm-lock.yaml:Some(116) direct=Some(true) scope=Some(Dev)\n"
    ));
    assert!(out.contains(
        "component pkg:npm/yallist@4.0.0\n  at pnpm-lock.yaml:Some(121) direct=Some(false) scope=Some(Required)\n"
    ));
    // What the directory dependency depends on is direct.
    assert!(out.contains(
        "component pkg:npm/semver@7.5.4\n  at pnpm-lock.yaml:Some(107) direct=Some(true) scope=Some(Required)\n"
    ));
    // The snapshot `react-dom@18.2.0(react@18.2.0)` gives the edges of the package `react-dom@18.2.0`.
    assert!(common::block(&out, "pkg:npm/react-dom@18.2.0").ends_with(
        "  depends pkg:npm/loose-envify@1.4.0\n  depends pkg:npm/react@18.2.0\n  depends pkg:npm/scheduler@0.23.0"
    ));
    // An alias importer version `string-width@4.2.3`, a git resolution, a GitHub tarball.
    assert!(out.contains("component pkg:npm/string-width@4.2.3\n  at pnpm-lock.yaml:Some(112) direct=Some(true)"));
    assert!(out.contains(
        "component pkg:npm/left-pad@1.3.0?vcs_url=git%2Bhttps:%2F%2Fgitlab.com%2Facme%2Fleft-pad.git%40cabcd2cdb3c0209e8270b6a99f0803612e820871\n  at pnpm-lock.yaml:Some(83) direct=Some(true) scope=Some(Required)\n  download git+https://gitlab.com/acme/left-pad.git@cabcd2cdb3c0209e8270b6a99f0803612e820871\n"
    ));
    assert!(out.contains("component pkg:npm/is-positive@3.1.0?download_url=https:%2F%2Fcodeload.github.com%2Fkevva%2Fis-positive%2Ftar.gz%2Fe2f62cdbde96b3166cfe6ba3124716184c0059c6\n"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 1);
    assert!(out.contains("component pkg:npm/ok@1.0.0\n  at pnpm-lock.yaml:Some(18) direct=Some(true)"));
    assert!(out.contains("line=Some(35): snapshot `orphan@1.0.0` has no entry `orphan@1.0.0` under `packages`\n"));
    assert!(out.contains("line=Some(21): expected a mapping for package `not-a-map@1.0.0`, found a scalar\n"));
    assert!(out.contains("line=Some(23): `Bad Name` is not a valid npm package name\n"));
    assert!(out.contains("line=Some(26): package `no-version@https://example.com/no-version.tgz` has no `version`"));
    assert!(out.contains("line=Some(33): dependency `gone: 2.0.0` matches no package of the lockfile"));
    assert!(out.contains("line=Some(10): dependency `missing: 1.0.0` matches no package of the lockfile"));
    assert!(out.contains("line=Some(13): dependency `weird` has no version"));
}

#[test]
fn broken_files_name_the_line() {
    assert!(check("broken-yaml").starts_with("error unsupported=false line=Some(9): invalid YAML"));
    assert_eq!(
        check("unsupported-v4"),
        "error unsupported=true line=Some(1): pnpm lockfileVersion 4.0 is not supported: expected 5.x, 6.x or 9.0\n"
    );
    assert_eq!(
        check("no-version"),
        "error unsupported=false line=Some(1): expected a `lockfileVersion` field in pnpm-lock.yaml\n"
    );
    assert_eq!(
        check("version-not-a-number"),
        "error unsupported=false line=Some(2): expected `lockfileVersion` to be a version, found `nine`\n"
    );
}

#[test]
fn never_panics_on_odd_shapes() {
    for text in [
        "",
        "- a\n",
        "lockfileVersion: 9.0\npackages: [1]\nsnapshots: x\nimporters:\n  .: 3\n",
        "lockfileVersion: '6.0'\npackages:\n  /@: {}\n  /a@(: {}\n  '': {}\n",
        "lockfileVersion: 5.4\npackages:\n  /@s: {}\n  /x:\n    dependencies: {a: [1]}\n",
        "lockfileVersion: '9.0'\nsnapshots:\n  a@1(: {}\n  (): {}\n",
    ] {
        let source = MemorySource::default();
        let input = LockfileInput { path: "pnpm-lock.yaml", text, source: &source };
        let _ = parse_lockfile(LockfileKind::PnpmLock, &input);
    }
}

#[test]
fn large_real_lockfiles_parse_cleanly() {
    let Some(root) = common::shared_data() else { return };
    for (file, expected_count) in [("hoppscotch.pnpm-lock.yaml", 2607), ("ciso-assistant-frontend.pnpm-lock.yaml", 851)]
    {
        let path = root.join("large-lockfiles/pnpm").join(file);
        let text = std::fs::read_to_string(&path).expect("read lockfile");
        let source = MemorySource::default();
        let input = LockfileInput { path: "pnpm-lock.yaml", text: &text, source: &source };
        let parsed = parse_lockfile(LockfileKind::PnpmLock, &input).expect("large lockfile parses");
        assert!(parsed.diagnostics.is_empty(), "{file}: {:?}", parsed.diagnostics.first());
        common::assert_edges_resolve(file, &parsed);
        // Independently: the keys under `packages` (one per name@version, without peers), minus local
        // directories. cdxgen 12.8.4 also counts 2,607 for hoppscotch.
        let section =
            text.split("\npackages:\n").nth(1).and_then(|s| s.split("\nsnapshots:\n").next()).expect("packages");
        let keys: BTreeSet<&str> = section.lines().filter(|l| l.starts_with("  ") && !l.starts_with("   ")).collect();
        let directories = section.matches("type: directory}").count();
        assert_eq!(parsed.components.len(), keys.len() - directories, "{file}");
        assert_eq!(parsed.components.len(), expected_count, "{file}");
        let direct = parsed.components.iter().filter(|c| c.direct == Some(true)).count();
        assert!(direct > 30 && direct < parsed.components.len() / 4, "{file}: {direct} direct");
        for c in &parsed.components {
            assert!(c.version.is_some(), "{file}: {} has a version", c.bom_ref);
            assert!(c.scope.is_some(), "{file}: {} is reachable from an importer", c.bom_ref);
            assert!(c.locations.iter().all(|l| l.line.is_some()), "{file}: {} has a line", c.bom_ref);
            assert!(
                c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha512),
                "{file}: {} has a SHA-512",
                c.bom_ref
            );
        }
        for scope in [Scope::Required, Scope::Dev, Scope::Optional] {
            assert!(parsed.components.iter().any(|c| c.scope == Some(scope)), "{file}: some {scope:?}");
        }
    }
}
