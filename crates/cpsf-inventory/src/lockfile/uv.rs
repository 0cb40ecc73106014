//! Parser for uv's `uv.lock` (version 1, revisions 1 to 3).
//!
//! Each `[[package]]` has a `source`: `registry` (an index URL or a local folder), `git` (URL with the locked
//! commit as fragment), `url`, `path`, `directory`, `editable` or `virtual`. Editable and virtual packages, and
//! the workspace members named in `[manifest]`, are the project's own: they are not components, and what they
//! depend on is direct: `dependencies` (required), `[package.optional-dependencies]` (extras: optional) and
//! `[package.dev-dependencies]` (development and PEP 735 groups: dev). Scope spreads from those roots along
//! the edges, extras included only where a dependency asks for them; required wins over optional over dev.
//!
//! Dependencies are tables `{ name, version?, source?, marker?, extra? }`: one name may be locked at several
//! versions (resolution forks), and then `version` (and `source`) say which. `sdist.hash` and `wheels[].hash`
//! are the package's hashes; the sdist URL (or else the first wheel's) is its download location.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Scope};
use serde::Deserialize;
use toml::Spanned;

use super::python::{
    NameIndex, Origin, attach_edges, normalize_name, prefixed_hash, push_hash, python_component, vcs_locator,
};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

const SUPPORTED_VERSION: i64 = 1;

#[derive(Deserialize)]
struct LockDocument {
    version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    package: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    manifest: toml::Table,
}

#[derive(Deserialize)]
struct PackageEntry {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: toml::Table,
    #[serde(default)]
    dependencies: Vec<DependencyEntry>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<DependencyEntry>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<DependencyEntry>>,
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
}

#[derive(Deserialize)]
struct DependencyEntry {
    name: String,
    version: Option<String>,
    source: Option<toml::Table>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct Artifact {
    url: Option<String>,
    hash: Option<String>,
}

/// An edge once resolved: the target package and the extras it asks of it.
#[derive(Clone)]
struct Edge {
    target: usize,
    extras: Vec<String>,
}

/// A package's resolved edges, by kind.
#[derive(Default)]
struct Edges {
    required: Vec<Edge>,
    optional: BTreeMap<String, Vec<Edge>>,
    dev: Vec<Edge>,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: LockDocument = toml::from_str(input.text).map_err(|e| LockfileError::toml(&e, input.text))?;
    let lines = LineIndex::new(input.text);
    check_version(doc.version.as_ref(), &lines)?;
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    let members: HashSet<String> = doc
        .manifest
        .get("members")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .map(normalize_name)
        .collect();
    let mut packages: Vec<(PackageEntry, u32)> = Vec::with_capacity(doc.package.len());
    for spanned in doc.package {
        let line = lines.line_of(spanned.span().start);
        match spanned.into_inner().try_into::<PackageEntry>() {
            Ok(entry) if entry.name.trim().is_empty() => {
                diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name`".into()));
            }
            Ok(entry) => packages.push((entry, line)),
            Err(e) => diagnostics.push(skip(line, format!("package entry skipped: {}", e.message()))),
        }
    }
    let is_root: Vec<bool> = packages
        .iter()
        .map(|(p, _)| {
            p.source.contains_key("editable")
                || p.source.contains_key("virtual")
                || members.contains(&normalize_name(&p.name))
        })
        .collect();
    let has_root = is_root.contains(&true);

    let mut components: Vec<Option<Component>> = Vec::with_capacity(packages.len());
    for (i, (p, line)) in packages.iter().enumerate() {
        if is_root.get(i).copied().unwrap_or(false) {
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

    // Resolve every dependency table to a package index.
    let index = NameIndex::new(packages.iter().map(|(p, _)| p.name.as_str()));
    let mut resolved: Vec<Edges> = Vec::with_capacity(packages.len());
    for (p, line) in &packages {
        let resolve_all = |list: &[DependencyEntry], diagnostics: &mut Vec<Diagnostic>| -> Vec<Edge> {
            let mut out = Vec::new();
            for dep in list {
                let targets = resolve(dep, &packages, &index);
                if targets.is_empty() {
                    let needle = match &dep.version {
                        Some(v) => format!("{{ name = \"{}\", version = \"{v}\"", dep.name),
                        None => format!("{{ name = \"{}\"", dep.name),
                    };
                    let at = lines.find_from(&needle, *line).unwrap_or(*line);
                    diagnostics.push(skip(
                        at,
                        format!("dependency `{}` of `{}` matches no package in the lockfile", dep.name, p.name),
                    ));
                }
                out.extend(targets.into_iter().map(|target| Edge { target, extras: dep.extra.clone() }));
            }
            out
        };
        let required = resolve_all(&p.dependencies, &mut diagnostics);
        let optional = p
            .optional_dependencies
            .iter()
            .map(|(extra, list)| (normalize_name(extra), resolve_all(list, &mut diagnostics)))
            .collect();
        let dev = p.dev_dependencies.values().flat_map(|list| resolve_all(list, &mut diagnostics)).collect();
        resolved.push(Edges { required, optional, dev });
    }

    // Edges of components: their dependencies and those of their (locked, hence used) extras.
    let edges: Vec<Vec<usize>> = resolved
        .iter()
        .map(|e| e.required.iter().chain(e.optional.values().flatten()).map(|edge| edge.target).collect())
        .collect();

    if has_root {
        let roots = || resolved.iter().zip(&is_root).filter(|(_, root)| **root).map(|(e, _)| e);
        let required = reach(roots().flat_map(|e| e.required.iter().cloned()), &resolved);
        let optional = reach(roots().flat_map(|e| e.optional.values().flatten().cloned()), &resolved);
        let dev = reach(roots().flat_map(|e| e.dev.iter().cloned()), &resolved);
        let direct: BTreeSet<usize> = roots()
            .flat_map(|e| e.required.iter().chain(e.optional.values().flatten()).chain(&e.dev))
            .map(|edge| edge.target)
            .collect();
        for (i, c) in components.iter_mut().enumerate() {
            let Some(c) = c else { continue };
            c.direct = Some(direct.contains(&i));
            let at = |set: &[bool]| set.get(i).copied().unwrap_or(false);
            c.scope = if at(&required) {
                Some(Scope::Required)
            } else if at(&optional) {
                Some(Scope::Optional)
            } else if at(&dev) {
                Some(Scope::Dev)
            } else {
                None
            };
        }
    }
    Ok(Parsed { components: attach_edges(components, &edges), diagnostics })
}

fn check_version(version: Option<&Spanned<toml::Value>>, lines: &LineIndex<'_>) -> Result<(), LockfileError> {
    let Some(version) = version else {
        return Err(LockfileError::malformed(Some(1), "expected a top-level `version = 1` in uv.lock"));
    };
    let line = Some(lines.line_of(version.span().start));
    match version.get_ref() {
        toml::Value::Integer(SUPPORTED_VERSION) => Ok(()),
        toml::Value::Integer(n) => Err(LockfileError::unsupported(
            line,
            format!("uv.lock version {n} is not supported (expected {SUPPORTED_VERSION})"),
        )),
        other => Err(LockfileError::malformed(
            line,
            format!("expected `version` to be an integer, found {}", other.type_str()),
        )),
    }
}

fn build_component(p: &PackageEntry, path: &str, line: u32) -> Result<Component, String> {
    let text = |key: &str| p.source.get(key).and_then(toml::Value::as_str);
    let origin = if let Some(url) = text("registry") {
        Origin::Index(url.to_owned())
    } else if let Some(git) = text("git") {
        let commit = git.split_once('#').map(|(_, c)| c);
        Origin::Vcs(vcs_locator("git", git, commit))
    } else if let Some(url) = text("url") {
        Origin::Archive(url.to_owned())
    } else if text("path").is_some() || text("directory").is_some() {
        Origin::Local
    } else {
        return Err(format!(
            "package `{}` skipped: expected `source` to name a registry, git, url, path or directory",
            p.name
        ));
    };
    let mut c = python_component(&p.name, p.version.as_deref(), &origin)
        .ok_or_else(|| format!("package `{}` skipped: not a valid project name", p.name))?
        .at(path, Some(line));
    for artifact in p.sdist.iter().chain(&p.wheels) {
        push_hash(&mut c.hashes, artifact.hash.as_deref().and_then(prefixed_hash));
    }
    if c.download_location.is_none() && matches!(origin, Origin::Index(_)) {
        c.download_location = p.sdist.iter().chain(&p.wheels).find_map(|a| a.url.clone());
    }
    Ok(c)
}

/// The packages a dependency table names: by name, then by `version` and `source` when given.
fn resolve(dep: &DependencyEntry, packages: &[(PackageEntry, u32)], index: &NameIndex) -> Vec<usize> {
    index
        .candidates(&dep.name)
        .iter()
        .copied()
        .filter(|&i| {
            packages.get(i).is_some_and(|(p, _)| {
                dep.version.as_ref().is_none_or(|v| p.version.as_ref() == Some(v))
                    && dep.source.as_ref().is_none_or(|s| *s == p.source)
            })
        })
        .collect()
}

/// Which packages the seed edges reach, following dependencies and, for each extra asked of a package, the
/// dependencies of that extra. Each (package, extra) is visited once.
fn reach(seeds: impl Iterator<Item = Edge>, resolved: &[Edges]) -> Vec<bool> {
    let mut reached = vec![false; resolved.len()];
    let mut seen: HashSet<(usize, Option<String>)> = HashSet::new();
    let mut stack: Vec<(usize, Option<String>)> = Vec::new();
    let push = |edge: &Edge, stack: &mut Vec<(usize, Option<String>)>| {
        stack.push((edge.target, None));
        stack.extend(edge.extras.iter().map(|x| (edge.target, Some(normalize_name(x)))));
    };
    for edge in seeds {
        push(&edge, &mut stack);
    }
    while let Some(node) = stack.pop() {
        if !seen.insert(node.clone()) {
            continue;
        }
        let (i, extra) = node;
        if let Some(r) = reached.get_mut(i) {
            *r = true;
        }
        let Some(edges) = resolved.get(i) else { continue };
        let next = match &extra {
            None => edges.required.as_slice(),
            Some(x) => edges.optional.get(x).map(Vec::as_slice).unwrap_or_default(),
        };
        for edge in next {
            push(edge, &mut stack);
        }
    }
    reached
}
