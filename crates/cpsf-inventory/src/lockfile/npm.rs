//! npm `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! - Versions 2 and 3 list every installed package in `packages`, keyed by its folder: `""` is the project,
//!   `node_modules/a/node_modules/b` a nested copy, `packages/x` a workspace, and `node_modules/x` with
//!   `link: true` a symlink to its `resolved` folder. A dependency is found the way Node finds it: in the
//!   dependent's own `node_modules`, then in each folder above.
//! - Version 1 nests packages under `dependencies` (each with `requires`); it is flattened into the same
//!   folder paths. It does not list the project's own dependencies: a `package.json` beside it does.
//!
//! The project and its workspaces (and linked folders) are not components; the packages they depend on are
//! direct. `dev`, `optional` and `devOptional` give the scope; `integrity` the hashes; `resolved` the
//! download location (git URLs also become a `vcs_url` qualifier, non-registry tarballs `download_url`);
//! aliases (`"name": "real"`, or `npm:real@version` in version 1) are reported under the real name.

pub(crate) mod ecosystem;
pub(crate) mod yaml;

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic, Scope};
use serde_json::{Map, Value};

use self::ecosystem::{
    ComponentSet, DepGraph, DepKind, DirectKnowledge, JsonKeyCursor, Node, Origin, classify, entry_skipped,
    package_purl, read_manifest, split_descriptor, sri_hashes, with_origin,
};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// A package folder of the lockfile, whatever its version.
struct Installed<'a> {
    path: String,
    entry: &'a Map<String, Value>,
    line: Option<u32>,
    /// Dependencies by name, with their kind; resolved through `node_modules` lookup from `path`.
    requires: Vec<(String, DepKind, Requirement)>,
    /// lockfileVersion 1: `version` may hold an alias, a URL or a `file:` path.
    legacy: bool,
}

/// Whether a dependency that is not in the lockfile is worth a diagnostic.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Requirement {
    /// `dependencies`/`requires`: it must be installed.
    Needed,
    /// Optional or peer dependencies may be absent.
    MayBeAbsent,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of the npm lockfile"))?;
    // Lines for whole-file errors only: building the index costs a pass over the text.
    let line_of = |needle: &str| LineIndex::new(input.text).find(needle);
    let version_line = || line_of("\"lockfileVersion\"");
    let version = match top.get("lockfileVersion") {
        None => {
            return Err(LockfileError::malformed(Some(1), "expected a `lockfileVersion` field in the npm lockfile"));
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            LockfileError::malformed(version_line(), format!("expected `lockfileVersion` to be a number, found {v}"))
        })?,
    };
    if !(1..=3).contains(&version) {
        return Err(LockfileError::unsupported(
            version_line(),
            format!("npm lockfileVersion {version} is not supported: expected 1, 2 or 3"),
        ));
    }
    let mut diagnostics = Vec::new();
    let mut cursor = JsonKeyCursor::new(input.text);
    let mut installed = Vec::new();
    let direct = match top.get("packages") {
        Some(Value::Object(packages)) if version >= 2 => {
            cursor.next("packages", '{');
            from_packages(input, packages, &mut cursor, &mut installed, &mut diagnostics);
            if packages.contains_key("") { DirectKnowledge::Complete } else { DirectKnowledge::None }
        }
        Some(Value::Object(_)) | None => {
            if let Some(deps) = top.get("dependencies") {
                let deps = deps.as_object().ok_or_else(|| {
                    LockfileError::malformed(line_of("\"dependencies\""), "expected `dependencies` to be an object")
                })?;
                cursor.next("dependencies", '{');
                from_legacy_dependencies(input, deps, "", &mut cursor, &mut installed, &mut diagnostics);
            }
            legacy_root(input, &mut installed, &mut diagnostics)
        }
        Some(_) => {
            return Err(LockfileError::malformed(line_of("\"packages\""), "expected `packages` to be an object"));
        }
    };
    let components = build(input, &installed, direct, &mut diagnostics);
    Ok(Parsed { components, diagnostics })
}

/// Dependency names of an entry, by kind; a name that is also optional (or an optional peer) is optional.
fn requirements(entry: &Map<String, Value>, project: bool) -> Vec<(String, DepKind, Requirement)> {
    let mut out: Vec<(String, DepKind, Requirement)> = Vec::new();
    let names = |field: &str| -> Vec<String> {
        entry.get(field).and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let optional_peers: Vec<String> = entry
        .get("peerDependenciesMeta")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(_, meta)| meta.get("optional").and_then(Value::as_bool) == Some(true))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    let optional = names("optionalDependencies");
    let mut push = |name: String, kind: DepKind, need: Requirement| {
        if !out.iter().any(|(n, _, _)| *n == name) {
            out.push((name, kind, need));
        }
    };
    for name in &optional {
        push(name.clone(), DepKind::Optional, Requirement::MayBeAbsent);
    }
    for name in names("dependencies") {
        push(name, DepKind::Prod, Requirement::Needed);
    }
    if project {
        for name in names("devDependencies") {
            push(name, DepKind::Dev, Requirement::Needed);
        }
    }
    for name in names("peerDependencies") {
        let kind = if optional_peers.contains(&name) { DepKind::Optional } else { DepKind::Prod };
        push(name, kind, Requirement::MayBeAbsent);
    }
    out
}

/// lockfileVersion 2/3: `packages` keyed by install path; `""` is the project.
fn from_packages<'a>(
    input: &LockfileInput<'_>,
    packages: &'a Map<String, Value>,
    cursor: &mut JsonKeyCursor<'_>,
    installed: &mut Vec<Installed<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (path, value) in packages {
        let line = if value.is_object() { cursor.next(path, '{') } else { cursor.next_any(path) };
        let Some(entry) = value.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("expected an object for package `{path}`")));
            continue;
        };
        let requires = requirements(entry, !in_node_modules(path));
        installed.push(Installed { path: path.clone(), entry, line, requires, legacy: false });
    }
}

/// lockfileVersion 1: nested `dependencies`, flattened into the `node_modules/...` paths version 2 uses.
fn from_legacy_dependencies<'a>(
    input: &LockfileInput<'_>,
    deps: &'a Map<String, Value>,
    parent: &str,
    cursor: &mut JsonKeyCursor<'_>,
    out: &mut Vec<Installed<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (name, value) in deps {
        let line = if value.is_object() { cursor.next(name, '{') } else { cursor.next_any(name) };
        let Some(entry) = value.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("expected an object for dependency `{name}`")));
            continue;
        };
        let path =
            if parent.is_empty() { format!("node_modules/{name}") } else { format!("{parent}/node_modules/{name}") };
        let requires = entry
            .get("requires")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(|n| (n.clone(), DepKind::Prod, Requirement::Needed)).collect())
            .unwrap_or_default();
        out.push(Installed { path: path.clone(), entry, line, requires, legacy: true });
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            from_legacy_dependencies(input, nested, &path, cursor, out, diagnostics);
        }
    }
}

/// lockfileVersion 1 does not list the project: a `package.json` beside the lockfile says what it depends on.
fn legacy_root<'a>(
    input: &LockfileInput<'_>,
    installed: &mut Vec<Installed<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> DirectKnowledge {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let manifest = match read_manifest(input, &input.sibling("package.json")) {
        Ok(Some(m)) => m,
        Ok(None) => return DirectKnowledge::None,
        Err(d) => {
            diagnostics.push(d);
            return DirectKnowledge::None;
        }
    };
    let requires = manifest
        .dependencies
        .iter()
        .map(|(name, _, kind)| {
            let need = if *kind == DepKind::Optional { Requirement::MayBeAbsent } else { Requirement::Needed };
            (name.clone(), *kind, need)
        })
        .collect();
    let entry = EMPTY.get_or_init(Map::new);
    installed.push(Installed { path: String::new(), entry, line: None, requires, legacy: true });
    if manifest.has_workspaces { DirectKnowledge::Partial } else { DirectKnowledge::Complete }
}

/// Whether an install path is inside a `node_modules` folder (otherwise it is the project's own folder).
fn in_node_modules(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// The folders whose `node_modules` Node searches for a package required from `path`, nearest first
/// (folders that are themselves named `node_modules` are skipped, as Node does).
fn lookup_folders(path: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(path);
    std::iter::from_fn(move || {
        loop {
            let current = next?;
            next = if current.is_empty() {
                None
            } else {
                Some(current.rfind('/').and_then(|i| current.get(..i)).unwrap_or_default())
            };
            if !(current == "node_modules" || current.ends_with("/node_modules")) {
                return Some(current);
            }
        }
    })
}

/// Follow `link: true` entries to the folder they point at.
fn follow_links(by_path: &HashMap<&str, usize>, installed: &[Installed<'_>], mut at: usize) -> Option<usize> {
    for _ in 0..16 {
        let entry = installed.get(at)?.entry;
        if entry.get("link").and_then(Value::as_bool) != Some(true) {
            return Some(at);
        }
        let target = entry.get("resolved").and_then(Value::as_str)?;
        let target = target.strip_prefix("file:").unwrap_or(target);
        at = *by_path.get(target.trim_end_matches('/'))?;
    }
    None
}

/// Resolve `name` required from the package at `from` the way Node does.
fn resolve(by_path: &HashMap<&str, usize>, installed: &[Installed<'_>], from: &str, name: &str) -> Option<usize> {
    let mut candidate = String::new();
    for folder in lookup_folders(from) {
        candidate.clear();
        if !folder.is_empty() {
            candidate.push_str(folder);
            candidate.push('/');
        }
        candidate.push_str("node_modules/");
        candidate.push_str(name);
        if let Some(&i) = by_path.get(candidate.as_str()) {
            return follow_links(by_path, installed, i);
        }
    }
    None
}

/// What an installed package is: the project's own folder, or a package with a name, version and origin.
enum Identity {
    Project,
    Package { name: String, version: Option<String>, origin: Origin },
}

fn identity(item: &Installed<'_>) -> Identity {
    let entry = item.entry;
    if !in_node_modules(&item.path) {
        return Identity::Project;
    }
    let path_name = match item.path.rfind("node_modules/") {
        Some(i) => item.path.get(i + "node_modules/".len()..).unwrap_or_default(),
        None => &item.path,
    };
    let resolved = entry.get("resolved").and_then(Value::as_str);
    let mut origin = resolved.map_or(Origin::Registry, classify);
    let mut name = path_name.to_owned();
    if !item.legacy
        && let Some(real) = entry.get("name").and_then(Value::as_str)
    {
        name = real.to_owned();
    }
    let mut version = entry.get("version").and_then(Value::as_str).map(str::to_owned);
    if item.legacy
        && let Some(v) = version.clone()
    {
        // Version 1 writes what was installed into `version`: an alias, a URL or a local path.
        if let Some((real, v)) = v.strip_prefix("npm:").and_then(split_descriptor) {
            name = real.to_owned();
            version = Some(v.to_owned());
        } else if v.starts_with("http://") || v.starts_with("https://") {
            origin = Origin::Tarball(v);
            version = None;
        } else if !v.starts_with(|c: char| c.is_ascii_digit()) {
            match classify(&v) {
                Origin::Registry => {}
                Origin::Local => {
                    let tarball = [".tgz", ".tar.gz", ".tar"].iter().any(|ext| v.ends_with(ext));
                    if !tarball {
                        return Identity::Project;
                    }
                    origin = Origin::Local;
                    version = None;
                }
                other => {
                    origin = other;
                    version = None;
                }
            }
        }
    }
    if origin == Origin::Local && !item.legacy {
        let tarball = resolved.is_some_and(|r| [".tgz", ".tar.gz", ".tar"].iter().any(|ext| r.ends_with(ext)));
        if !tarball {
            return Identity::Project;
        }
    }
    Identity::Package { name, version, origin }
}

fn build(
    input: &LockfileInput<'_>,
    installed: &[Installed<'_>],
    direct: DirectKnowledge,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Component> {
    let by_path: HashMap<&str, usize> = installed.iter().enumerate().map(|(i, p)| (p.path.as_str(), i)).collect();
    let mut set = ComponentSet::default();
    let mut graph = DepGraph::default();
    // One graph node per entry; links get none (edges go through them to their targets).
    let mut node_of: Vec<Option<usize>> = vec![None; installed.len()];
    for (i, item) in installed.iter().enumerate() {
        let entry = item.entry;
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let node = match identity(item) {
            Identity::Project => {
                // The root and workspaces; not linked folders outside the project or local copies.
                let top = item.path.is_empty() || !(item.path.starts_with("..") || in_node_modules(&item.path));
                Node::Project { top }
            }
            Identity::Package { name, version, origin } => {
                match component(input, item, &name, version.as_deref(), &origin) {
                    Ok(c) => Node::Component(set.add(c)),
                    Err(message) => {
                        diagnostics.push(entry_skipped(input, item.line, message));
                        Node::Skipped
                    }
                }
            }
        };
        let at = graph.add_node(node);
        if let Some(slot) = node_of.get_mut(i) {
            *slot = Some(at);
        }
    }
    for (i, item) in installed.iter().enumerate() {
        let Some(&Some(from)) = node_of.get(i) else { continue };
        for (name, kind, need) in &item.requires {
            match resolve(&by_path, installed, &item.path, name).and_then(|t| node_of.get(t).copied().flatten()) {
                Some(to) => graph.add_edge(from, to, *kind),
                None if *need == Requirement::Needed => {
                    let dependent = if item.path.is_empty() { "the project" } else { item.path.as_str() };
                    diagnostics.push(entry_skipped(
                        input,
                        item.line,
                        format!("dependency `{name}` of `{dependent}` is not in the lockfile; its edge is left out"),
                    ));
                }
                None => {}
            }
        }
    }
    graph.finish(&mut set, direct, false);
    set.into_components()
}

/// The component of an installed package, with what its entry says.
fn component(
    input: &LockfileInput<'_>,
    item: &Installed<'_>,
    name: &str,
    version: Option<&str>,
    origin: &Origin,
) -> Result<Component, String> {
    let entry = item.entry;
    if version.is_none() && *origin == Origin::Registry {
        return Err(format!("package `{}` has no `version`", item.path));
    }
    let purl = package_purl(name, version).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let mut c = Component::from_purl(with_origin(purl, origin)).at(input.path, item.line);
    let flag = |key: &str| entry.get(key).and_then(Value::as_bool) == Some(true);
    c.scope = Some(if flag("dev") {
        Scope::Dev
    } else if flag("optional") || flag("devOptional") {
        Scope::Optional
    } else {
        Scope::Required
    });
    // A local tarball's integrity is the hash of that file, as for any other tarball.
    c.hashes = entry.get("integrity").and_then(Value::as_str).map(sri_hashes).unwrap_or_default();
    if *origin != Origin::Local {
        c.download_location = match origin {
            Origin::Git(url) | Origin::Tarball(url) => Some(url.clone()),
            _ => entry
                .get("resolved")
                .and_then(Value::as_str)
                .filter(|r| r.starts_with("http://") || r.starts_with("https://"))
                .map(str::to_owned),
        };
    }
    match entry.get("license") {
        Some(Value::String(l)) if !l.trim().is_empty() => c.licenses.push(l.trim().to_owned()),
        Some(Value::Object(o)) => c.licenses.extend(o.get("type").and_then(Value::as_str).map(str::to_owned)),
        _ => {}
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_walks_up_skipping_node_modules_folders() {
        let folders: Vec<&str> = lookup_folders("node_modules/a/node_modules/@s/b").collect();
        assert_eq!(
            folders,
            ["node_modules/a/node_modules/@s/b", "node_modules/a/node_modules/@s", "node_modules/a", ""]
        );
        let folders: Vec<&str> = lookup_folders("packages/x").collect();
        assert_eq!(folders, ["packages/x", "packages", ""]);
        assert_eq!(lookup_folders("").collect::<Vec<_>>(), [""]);
    }
}
