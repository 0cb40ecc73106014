//! pnpm `pnpm-lock.yaml`, lockfileVersion 5.x (pnpm 7), 6.x (pnpm 8) and 9.0 (pnpm 9 and 10).
//!
//! - Packages are keyed `/name/version` (5.x), `/name@version` (6.x) or `name@version` (9.0); a dependency
//!   resolved against peers carries them as a suffix (`_peer@1.0.0` in 5.x, `(peer@1.0.0)` later). The
//!   suffix is kept to follow edges and dropped from the purl, so peer variants are one component.
//! - 9.0 splits each package into `packages` (resolution, metadata; keys without peers) and `snapshots`
//!   (dependencies; keys with peers).
//! - `importers` are the workspace's projects (without it, the top-level `dependencies`,
//!   `devDependencies` and `optionalDependencies` are the single project's). Projects and `link:` targets
//!   are not components; what an importer lists is direct, with the scope of its section.
//! - Scope: 5.x and 6.x mark `dev: true` (dev only), `dev: false` (production only; no mark means both)
//!   and `optional: true`; 9.0 has no marks, so scopes are worked out from the importers' sections along
//!   the dependency edges (optional edges make optional, dev sections make dev).
//! - `resolution`: `integrity` gives the hashes, `tarball` the download location (a tarball outside the
//!   registry layout also becomes the `download_url` qualifier), `{type: git, repo, commit}` the `vcs_url`
//!   qualifier, and `{type: directory}` marks a local folder (the project's own code, not a component).

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic, Scope};

use super::npm::ecosystem::{
    ComponentSet, DepGraph, DepKind, DirectKnowledge, Node, Origin, classify, entry_skipped, git_locator, package_purl,
    split_descriptor, sri_hashes, with_origin,
};
use super::npm::yaml::{self, Entry, Yaml};
use super::{LockfileError, LockfileInput, Parsed};

/// How package keys and dependency references are spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// 5.x: `/name/version_peers`.
    V5,
    /// 6.x: `/name@version(peers)`.
    V6,
    /// 9.0: `name@version(peers)`, with `snapshots`.
    V9,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc = yaml::parse(input.text)?;
    let Yaml::Map(top) = &doc else {
        return Err(LockfileError::malformed(Some(1), "expected a YAML mapping at the top of pnpm-lock.yaml"));
    };
    let style = lockfile_style(top)?;
    let mut diagnostics = Vec::new();
    let mut set = ComponentSet::default();
    let mut graph = DepGraph::default();
    let packages = section(input, top, "packages", &mut diagnostics);
    let snapshots = section(input, top, "snapshots", &mut diagnostics);

    // Nodes by the key dependency references resolve to: snapshot keys in 9.0, package keys before.
    let mut node_by_key: HashMap<&str, usize> = HashMap::new();
    // (node, the entry holding its dependencies, its line)
    let mut dependents: Vec<(usize, &Yaml, u32)> = Vec::new();
    if style == Style::V9 {
        let by_key: HashMap<&str, &Entry> = packages.iter().map(|e| (&*e.key, e)).collect();
        // One component per package entry, shared by its peer variants.
        let mut built: HashMap<&str, Node> = HashMap::new();
        for snap in snapshots {
            let base = strip_peers(&snap.key);
            let node = match by_key.get(base) {
                Some(package) => match built.get(base) {
                    Some(node) => node.clone(),
                    None => {
                        let node = package_node(input, style, package, &mut set, &mut diagnostics);
                        built.insert(base, node.clone());
                        node
                    }
                },
                None => {
                    diagnostics.push(entry_skipped(
                        input,
                        line(snap.line),
                        format!("snapshot `{}` has no entry `{base}` under `packages`", snap.key),
                    ));
                    Node::Skipped
                }
            };
            let at = graph.add_node(node);
            node_by_key.insert(&snap.key, at);
            dependents.push((at, &snap.value, snap.line));
        }
        for package in packages {
            if built.contains_key(&*package.key) {
                continue;
            }
            let node = package_node(input, style, package, &mut set, &mut diagnostics);
            let at = graph.add_node(node);
            node_by_key.insert(&package.key, at);
            dependents.push((at, &package.value, package.line));
        }
    } else {
        for package in packages {
            let node = package_node(input, style, package, &mut set, &mut diagnostics);
            let at = graph.add_node(node);
            node_by_key.insert(&package.key, at);
            dependents.push((at, &package.value, package.line));
        }
    }

    let resolver = Resolver { style, node_by_key };
    for (from, entry, entry_line) in dependents {
        for (field, kind) in [("dependencies", DepKind::Prod), ("optionalDependencies", DepKind::Optional)] {
            for dep in entry.get(field).map(Yaml::entries).unwrap_or_default() {
                resolver.edge(input, &mut graph, from, dep, kind, entry_line, &mut diagnostics);
            }
        }
    }

    // The projects: `importers`, or the top-level sections of a single-project lockfile.
    let importers: Vec<&Yaml> = match top.iter().find(|e| e.key == "importers") {
        Some(e) => e.value.entries().iter().map(|i| &i.value).collect(),
        None => vec![&doc],
    };
    let mut any_importer = false;
    for importer in importers {
        let root = graph.add_node(Node::Project { top: true });
        for (field, kind) in [
            ("dependencies", DepKind::Prod),
            ("devDependencies", DepKind::Dev),
            ("optionalDependencies", DepKind::Optional),
        ] {
            let Some(deps) = importer.get(field) else { continue };
            any_importer = true;
            for dep in deps.entries() {
                resolver.edge(input, &mut graph, root, dep, kind, dep.line, &mut diagnostics);
            }
        }
    }
    let has_importers = top.iter().any(|e| e.key == "importers");
    let direct = if has_importers || any_importer { DirectKnowledge::Complete } else { DirectKnowledge::None };
    graph.finish(&mut set, direct, style == Style::V9);
    Ok(Parsed { components: set.into_components(), diagnostics })
}

fn line(line: u32) -> Option<u32> {
    Some(line).filter(|l| *l > 0)
}

/// The key style, from `lockfileVersion`.
fn lockfile_style(top: &[Entry]) -> Result<Style, LockfileError> {
    let Some(entry) = top.iter().find(|e| e.key == "lockfileVersion") else {
        return Err(LockfileError::malformed(Some(1), "expected a `lockfileVersion` field in pnpm-lock.yaml"));
    };
    let at = line(entry.line);
    let Some(text) = entry.value.as_str() else {
        return Err(LockfileError::malformed(
            at,
            format!("expected `lockfileVersion` to be a version, found {}", entry.value.kind()),
        ));
    };
    let major = text.split('.').next().and_then(|m| m.trim().parse::<u32>().ok());
    match major {
        Some(5) => Ok(Style::V5),
        Some(6) => Ok(Style::V6),
        Some(7..=9) => Ok(Style::V9),
        Some(_) => Err(LockfileError::unsupported(
            at,
            format!("pnpm lockfileVersion {text} is not supported: expected 5.x, 6.x or 9.0"),
        )),
        None => {
            Err(LockfileError::malformed(at, format!("expected `lockfileVersion` to be a version, found `{text}`")))
        }
    }
}

/// The entries of a top-level mapping section (empty when absent; a diagnostic when it is not a mapping).
fn section<'a>(
    input: &LockfileInput<'_>,
    top: &'a [Entry<'a>],
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> &'a [Entry<'a>] {
    match top.iter().find(|e| e.key == name) {
        Some(Entry { value: Yaml::Map(entries), .. }) => entries,
        Some(Entry { value: Yaml::Null, .. }) | None => &[],
        Some(e) => {
            diagnostics.push(entry_skipped(
                input,
                line(e.line),
                format!("expected `{name}` to be a mapping, found {}; it is skipped", e.value.kind()),
            ));
            &[]
        }
    }
}

/// A key without its peer suffix (`(peer@1.0.0)...` in 6.x and 9.0, `_peer@1.0.0` after the version in 5.x).
fn strip_peers(key: &str) -> &str {
    if key.ends_with(')')
        && let Some(open) = key.find('(')
    {
        return key.get(..open).unwrap_or(key);
    }
    key
}

/// Name and (for registry keys) version written in a package key.
fn parse_key(style: Style, key: &str) -> Option<(&str, Option<&str>)> {
    let key = strip_peers(key);
    let (name, version) = match style {
        Style::V5 => {
            let rest = key.strip_prefix('/')?;
            let split = if rest.starts_with('@') { rest.match_indices('/').nth(1)?.0 } else { rest.find('/')? };
            let (name, version) = (rest.get(..split)?, rest.get(split + 1..)?);
            (name, version.split('_').next().unwrap_or(version))
        }
        Style::V6 => split_descriptor(key.strip_prefix('/')?)?,
        Style::V9 => split_descriptor(key)?,
    };
    Some((name, version.starts_with(|c: char| c.is_ascii_digit()).then_some(version)))
}

/// The node of one package entry: a component, or a local folder of the project.
fn package_node(
    input: &LockfileInput<'_>,
    style: Style,
    package: &Entry,
    set: &mut ComponentSet,
    diagnostics: &mut Vec<Diagnostic>,
) -> Node {
    match package_component(input, style, package) {
        Ok(Some(c)) => Node::Component(set.add(c)),
        Ok(None) => Node::Project { top: false },
        Err(message) => {
            diagnostics.push(entry_skipped(input, line(package.line), message));
            Node::Skipped
        }
    }
}

fn package_component(input: &LockfileInput<'_>, style: Style, package: &Entry) -> Result<Option<Component>, String> {
    let entry = &package.value;
    let key = &*package.key;
    if !entry.is_map() {
        return Err(format!("expected a mapping for package `{key}`, found {}", entry.kind()));
    }
    let resolution = entry.get("resolution");
    let field = |name: &str| resolution.and_then(|r| r.get(name)).and_then(Yaml::as_str);
    if field("type") == Some("directory") || field("directory").is_some() {
        return Ok(None);
    }
    let from_key = parse_key(style, key);
    let name = entry.get("name").and_then(Yaml::as_str).or(from_key.map(|(n, _)| n));
    let version = entry.get("version").and_then(Yaml::as_str).or(from_key.and_then(|(_, v)| v));
    let Some(name) = name else {
        return Err(format!("package `{key}` has no `name` (and its key is not `name@version`)"));
    };
    let Some(version) = version else {
        return Err(format!("package `{key}` has no `version` (and its key holds no version)"));
    };
    let purl = package_purl(name, Some(version)).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let tarball = field("tarball");
    let origin = if field("type") == Some("git") {
        let repo = field("repo").ok_or_else(|| format!("git package `{key}` has no `repo`"))?;
        let spec = match field("commit") {
            Some(commit) => format!("{repo}#{commit}"),
            None => repo.to_owned(),
        };
        Origin::Git(git_locator(&spec).unwrap_or_else(|| match field("commit") {
            Some(commit) => format!("git+{repo}@{commit}"),
            None => format!("git+{repo}"),
        }))
    } else {
        match tarball {
            Some(t) if t.starts_with("file:") => Origin::Local,
            Some(t) => classify(t),
            None => Origin::Registry,
        }
    };
    let mut c = Component::from_purl(with_origin(purl, &origin)).at(input.path, line(package.line));
    c.hashes = field("integrity").map(sri_hashes).unwrap_or_default();
    c.download_location = match &origin {
        Origin::Git(locator) => Some(locator.clone()),
        Origin::Tarball(url) => Some(url.clone()),
        Origin::Registry => {
            tarball.filter(|t| t.starts_with("http://") || t.starts_with("https://")).map(str::to_owned)
        }
        Origin::Local => None,
    };
    if style != Style::V9 {
        let flag = |name: &str| entry.get(name).and_then(Yaml::as_bool);
        c.scope = Some(match (flag("dev"), flag("optional")) {
            (Some(true), _) => Scope::Dev,
            (_, Some(true)) => Scope::Optional,
            _ => Scope::Required,
        });
    }
    Ok(Some(c))
}

/// Turns `name: reference` into the key of the package it names.
struct Resolver<'a> {
    style: Style,
    node_by_key: HashMap<&'a str, usize>,
}

impl Resolver<'_> {
    fn find(&self, name: &str, reference: &str) -> Option<usize> {
        let get = |key: &str| self.node_by_key.get(key).copied();
        match self.style {
            Style::V5 => get(&format!("/{name}/{reference}"))
                .or_else(|| get(reference))
                .or_else(|| get(&format!("/{reference}"))),
            Style::V6 => get(&format!("/{name}@{reference}"))
                .or_else(|| get(reference))
                .or_else(|| get(&format!("/{reference}"))),
            Style::V9 => get(&format!("{name}@{reference}")).or_else(|| get(reference)),
        }
    }

    /// Add the edge for one `name: reference` (or `name: {specifier, version}`) dependency of `from`.
    #[allow(clippy::too_many_arguments)]
    fn edge(
        &self,
        input: &LockfileInput<'_>,
        graph: &mut DepGraph,
        from: usize,
        dep: &Entry,
        kind: DepKind,
        fallback_line: u32,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let reference = match &dep.value {
            Yaml::Str(s) => Some(&**s),
            map @ Yaml::Map(_) => map.get("version").and_then(Yaml::as_str),
            _ => None,
        };
        let at = line(dep.line).or(line(fallback_line));
        let Some(reference) = reference else {
            diagnostics.push(entry_skipped(
                input,
                at,
                format!("dependency `{}` has no version; its edge is left out", dep.key),
            ));
            return;
        };
        // `link:` points at another project of the workspace (or a folder): not a package entry.
        if reference.starts_with("link:") {
            return;
        }
        match self.find(&dep.key, reference) {
            Some(to) => graph.add_edge(from, to, kind),
            None => diagnostics.push(entry_skipped(
                input,
                at,
                format!(
                    "dependency `{}: {reference}` matches no package of the lockfile; its edge is left out",
                    dep.key
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_by_style() {
        assert_eq!(
            parse_key(Style::V5, "/@babel/core/7.20.0_supports-color@8.1.1"),
            Some(("@babel/core", Some("7.20.0")))
        );
        assert_eq!(parse_key(Style::V5, "/string_decoder/1.3.0"), Some(("string_decoder", Some("1.3.0"))));
        assert_eq!(parse_key(Style::V6, "/react-dom@18.2.0(react@18.2.0)"), Some(("react-dom", Some("18.2.0"))));
        assert_eq!(parse_key(Style::V9, "@types/node@20.0.0"), Some(("@types/node", Some("20.0.0"))));
        assert_eq!(parse_key(Style::V9, "a@https://x.example/a.tgz"), Some(("a", None)));
        assert_eq!(parse_key(Style::V6, "github.com/u/r/abc"), None);
        assert_eq!(strip_peers("a@1.0.0(b@2.0.0)(c@3.0.0)"), "a@1.0.0");
    }
}
