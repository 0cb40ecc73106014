//! uv.lock parser: fixtures for each revision and source kind, broken files, and the large real lockfiles.
//!
//! Each fixture directory under `tests/data/uv/` holds a `uv.lock` and `expected.txt` (`CPSF_BLESS=1` rewrites
//! it; review the diff before keeping it).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};
use cpsf_model::{HashAlgorithm, Scope};

fn check(scenario: &str) -> String {
    common::check(LockfileKind::UvLock, "uv", scenario, "uv.lock")
}

#[test]
fn large_real_lockfiles_parse_cleanly() {
    let Some(root) = common::shared_data() else { return };
    let dir = root.join("large-lockfiles/uv");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut counts = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read lockfile");
        let packages = text.lines().filter(|l| *l == "[[package]]").count();
        let own = text.lines().filter(|l| l.starts_with("source = { editable") || l.starts_with("source = { virtual")).count();
        let source = MemorySource::default();
        let input = LockfileInput { path: "uv.lock", text: &text, source: &source };
        let parsed = parse_lockfile(LockfileKind::UvLock, &input).expect("large lockfile parses");
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics.first());
        common::assert_edges_resolve(&name, &parsed);
        assert_eq!(parsed.components.len(), packages - own, "{name}: one component per package but the project's own");
        let mut direct = 0;
        for c in &parsed.components {
            let purl = c.purl.as_ref().expect("purl");
            assert_eq!(purl.ty(), "pypi");
            assert!(c.version.is_some(), "{name}: {} has a version", c.bom_ref);
            assert!(c.scope.is_some(), "{name}: {} is reached from the project", c.bom_ref);
            assert!(
                purl.qualifier("vcs_url").is_some() || c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha256),
                "{name}: {} has a SHA-256",
                c.bom_ref
            );
            direct += usize::from(c.direct == Some(true));
        }
        assert!(direct > 5 && direct < parsed.components.len(), "{name}: {direct} direct dependencies");
        let scopes = |s| parsed.components.iter().filter(|c| c.scope == Some(s)).count();
        counts.insert(name, (parsed.components.len(), direct, scopes(Scope::Required), scopes(Scope::Optional), scopes(Scope::Dev)));
    }
    eprintln!("components, direct, required, optional, dev: {counts:?}");
    // pydantic: 176 [[package]] entries, two of them the workspace's own (pydantic, pydantic-core).
    if let Some((total, ..)) = counts.get("pydantic.uv.lock") {
        assert_eq!(*total, 174);
    }
}
