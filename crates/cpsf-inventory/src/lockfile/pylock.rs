//! Parser for PEP 751 lock files: `pylock.toml` and `pylock.<name>.toml`, `lock-version = "1.x"`.
//!
//! Each `[[packages]]` entry has a `name`, usually a `version`, and one source: `index` with `sdist`/`wheels`,
//! `vcs = { type, url | path, commit-id }`, `archive = { url | path, hashes }` or `directory = { path,
//! editable }`. Hashes are tables (`hashes = { sha256 = "..." }`) on the sdist, each wheel, and the archive.
//! `dependencies` is a list of tables holding just enough keys (`name`, and `version` or other keys of the
//! entry) to pick the entry they mean.
//!
//! An editable directory is the project's own code: not a component, and what it depends on is direct. A
//! lock file without one says nothing about which packages are direct, nor about scope (markers such as
//! `'dev' in dependency_groups` select packages at install time, they do not describe them).

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

use super::python::{NameIndex, Origin, attach_edges, normalize_name, python_component, table_hashes, vcs_locator};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

const SUPPORTED_MAJOR: u64 = 1;

#[derive(Deserialize)]
struct LockDocument {
    #[serde(rename = "lock-version")]
    lock_version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    packages: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
struct PackageEntry {
    name: String,
    version: Option<String>,
    index: Option<String>,
    vcs: Option<VcsEntry>,
    directory: Option<DirectoryEntry>,
    archive: Option<Artifact>,
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    #[serde(default)]
    dependencies: Vec<toml::Table>,
}

#[derive(Deserialize)]
struct VcsEntry {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct DirectoryEntry {
    #[serde(default)]
    editable: bool,
}

#[derive(Deserialize)]
struct Artifact {
    url: Option<String>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: LockDocument = toml::from_str(input.text).map_err(|e| LockfileError::toml(&e, input.text))?;
    let lines = LineIndex::new(input.text);
    check_version(doc.lock_version.as_ref(), &lines)?;
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    // Keep each entry's table too: dependency tables are matched against its keys.
    let mut packages: Vec<(PackageEntry, toml::Table, u32)> = Vec::with_capacity(doc.packages.len());
    for spanned in doc.packages {
        let line = lines.line_of(spanned.span().start);
        let table = spanned.into_inner();
        match toml::Value::Table(table.clone()).try_into::<PackageEntry>() {
            Ok(entry) if entry.name.trim().is_empty() => {
                diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name`".into()));
            }
            Ok(entry) => packages.push((entry, table, line)),
            Err(e) => diagnostics.push(skip(line, format!("package entry skipped: {}", e.message()))),
        }
    }

    let mut roots = Vec::new();
    let mut components: Vec<Option<Component>> = Vec::with_capacity(packages.len());
    for (i, (p, _, line)) in packages.iter().enumerate() {
        if p.directory.as_ref().is_some_and(|d| d.editable) {
            roots.push(i);
            components.push(None);
            continue;
        }
        match build_component(p, input.path, *line) {
            Ok(c) => components.push(Some(c)),
            Err(message) => {
                diagnostics.push(skip(*line, message));
                components.push(None);
            }
        }
    }

    let index = NameIndex::new(packages.iter().map(|(p, _, _)| p.name.as_str()));
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
    for (i, (p, _, line)) in packages.iter().enumerate() {
        for dep in &p.dependencies {
            let Some(name) = dep.get("name").and_then(toml::Value::as_str) else {
                diagnostics.push(skip(*line, format!("dependency of `{}` skipped: expected a `name`", p.name)));
                continue;
            };
            let targets: Vec<usize> = index
                .candidates(name)
                .iter()
                .copied()
                .filter(|&t| packages.get(t).is_some_and(|(_, table, _)| matches(dep, table)))
                .collect();
            if targets.is_empty() {
                let from = lines.find_from("dependencies", *line).unwrap_or(*line);
                let at = lines.find_from(&format!("\"{name}\""), from).unwrap_or(*line);
                diagnostics
                    .push(skip(at, format!("dependency `{name}` of `{}` matches no package in the lock file", p.name)));
            }
            if let Some(list) = edges.get_mut(i) {
                list.extend(targets);
            }
        }
    }
    if !roots.is_empty() {
        let direct: BTreeSet<usize> = roots.iter().filter_map(|&r| edges.get(r)).flatten().copied().collect();
        for (i, c) in components.iter_mut().enumerate() {
            if let Some(c) = c {
                c.direct = Some(direct.contains(&i));
            }
        }
    }
    Ok(Parsed { components: attach_edges(components, &edges), diagnostics })
}

fn check_version(version: Option<&Spanned<toml::Value>>, lines: &LineIndex<'_>) -> Result<(), LockfileError> {
    let Some(version) = version else {
        return Err(LockfileError::malformed(Some(1), "expected a top-level `lock-version` (PEP 751)"));
    };
    let line = Some(lines.line_of(version.span().start));
    let text = version
        .get_ref()
        .as_str()
        .ok_or_else(|| LockfileError::malformed(line, "expected `lock-version` to be a string such as \"1.0\""))?;
    let major = text.split('.').next().and_then(|m| m.trim().parse::<u64>().ok()).ok_or_else(|| {
        LockfileError::malformed(line, format!("expected `lock-version` to read MAJOR.MINOR, found `{text}`"))
    })?;
    if major != SUPPORTED_MAJOR {
        return Err(LockfileError::unsupported(
            line,
            format!("pylock lock-version {text} is not supported (expected {SUPPORTED_MAJOR}.x)"),
        ));
    }
    Ok(())
}

/// Whether every key of a dependency table agrees with the package entry (names compared normalized).
fn matches(dep: &toml::Table, package: &toml::Table) -> bool {
    dep.iter().all(|(key, value)| match (key.as_str(), value, package.get(key)) {
        ("name", toml::Value::String(a), Some(toml::Value::String(b))) => normalize_name(a) == normalize_name(b),
        (_, a, Some(b)) => a == b,
        (_, _, None) => false,
    })
}

fn build_component(p: &PackageEntry, path: &str, line: u32) -> Result<Component, String> {
    let origin = if let Some(vcs) = &p.vcs {
        match vcs.url.as_deref() {
            Some(url) => Origin::Vcs(vcs_locator(&vcs.kind, url, vcs.commit_id.as_deref())),
            None => Origin::Local,
        }
    } else if let Some(archive) = &p.archive {
        archive.url.clone().map_or(Origin::Local, Origin::Archive)
    } else if p.directory.is_some() {
        Origin::Local
    } else {
        Origin::Index(p.index.clone().unwrap_or_default())
    };
    let mut c = python_component(&p.name, p.version.as_deref(), &origin)
        .ok_or_else(|| format!("package `{}` skipped: not a valid project name", p.name))?
        .at(path, Some(line));
    let artifacts = || p.archive.iter().chain(&p.sdist).chain(&p.wheels);
    let mut hashes: Vec<Hash> = Vec::new();
    for a in artifacts() {
        for h in table_hashes(a.hashes.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            if !hashes.contains(&h) {
                hashes.push(h);
            }
        }
    }
    c.hashes = hashes;
    if c.download_location.is_none() && matches!(origin, Origin::Index(_)) {
        c.download_location = artifacts().find_map(|a| a.url.clone());
    }
    Ok(c)
}
