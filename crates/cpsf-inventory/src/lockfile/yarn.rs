//! Yarn `yarn.lock`: the classic v1 syntax (`# yarn lockfile v1`) and Yarn Berry's YAML (v2 and later, with
//! `__metadata`).
//!
//! Both key each entry by the descriptors (`name@range`, comma-separated) it satisfies, and list an entry's
//! dependencies as `name: range`, so an edge goes to the entry whose key holds `name@range` (Berry also
//! writes `name@npm:range` keys for plain ranges). A root `resolutions` override rewrites descriptors before
//! they are locked, leaving some with no key: such a dependency goes to the only entry of that name, when
//! there is exactly one.
//!
//! - Classic: `version`, `resolved` (the download location; a `#<sha1>` fragment on a tarball URL is the
//!   tarball's SHA-1), `integrity` (SRI hashes), `dependencies` and `optionalDependencies`. Workspaces are
//!   not in the file: the project's direct dependencies (and, without workspaces, scopes) come from the
//!   `package.json` beside the lockfile, when there is one.
//! - Berry: `resolution` (`name@npm:1.2.3`, `name@workspace:path`, `patch:`, `link:`, `portal:`, `file:`,
//!   git and tarball URLs), `version`, `dependencies` with `dependenciesMeta` (optional ones), `linkType`.
//!   Workspaces, `link:`, `portal:`, `file:` folders and other soft-linked entries are the project's own,
//!   not components; what they depend on is direct. A patched package is reported as the package it patches. Berry's `checksum` is the SHA-512
//!   of the zip archive Yarn stores in its cache (not of the published tarball), so it is not reported as a
//!   hash of the component. Yarn does not mark dev dependencies in the lockfile: scopes come from the
//!   workspaces' `package.json` files when every one of them is readable.

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic, Hash, HashAlgorithm};

use super::npm::ecosystem::{
    ComponentSet, DepGraph, DepKind, DirectKnowledge, Manifest, Node, Origin, classify, entry_skipped, git_locator,
    package_purl, read_manifest, split_descriptor, sri_hashes, with_origin,
};
use super::npm::yaml::{self, Yaml};
use super::{LockfileError, LockfileInput, Parsed};

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let berry = input.text.lines().any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"));
    if berry { parse_berry(input) } else { parse_classic(input) }
}

/// One block of a classic lockfile: the descriptors it satisfies and its fields.
#[derive(Default)]
struct ClassicEntry {
    descriptors: Vec<String>,
    line: u32,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    /// `(name, range, kind, line)` from `dependencies` and `optionalDependencies`.
    dependencies: Vec<(String, String, DepKind, u32)>,
}

/// Remove one level of double quotes, honouring backslash escapes; unquoted text is returned trimmed.
fn unquote(text: &str) -> Result<String, String> {
    let text = text.trim();
    let Some(inner) = text.strip_prefix('"') else {
        return Ok(text.to_owned());
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => break,
            },
            '"' => {
                return if chars.as_str().trim().is_empty() {
                    Ok(out)
                } else {
                    Err(format!("expected nothing after the closing quote in `{text}`"))
                };
            }
            c => out.push(c),
        }
    }
    Err(format!("expected a closing quote in `{text}`"))
}

/// Split `text` at every character matching `sep` that is outside double quotes.
fn split_outside_quotes(text: &str, sep: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if !quoted && sep(c) {
            parts.push(text.get(start..i).unwrap_or_default());
            start = i + c.len_utf8();
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

/// A `key value` line of a classic block; the key may carry a trailing colon.
fn key_value(text: &str) -> Result<(String, Option<String>), String> {
    let parts = split_outside_quotes(text, char::is_whitespace);
    let mut parts = parts.into_iter().filter(|p| !p.is_empty());
    let key = unquote(parts.next().unwrap_or_default())?;
    let key = key.strip_suffix(':').map(str::to_owned).unwrap_or(key);
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return Ok((key, None));
    }
    Ok((key, Some(unquote(&rest.join(" "))?)))
}

/// Read the blocks of a classic lockfile; syntax errors name their line.
fn read_classic(text: &str) -> Result<Vec<ClassicEntry>, LockfileError> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut section: Option<DepKind> = None;
    let mut in_section = false;
    for (n, raw) in text.lines().enumerate() {
        let line_no = (n + 1) as u32;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let malformed = |msg: String| LockfileError::malformed(Some(line_no), msg);
        if line.starts_with('\t') {
            return Err(malformed("expected spaces for indentation in yarn.lock, found a tab".into()));
        }
        let indent = line.len() - trimmed.len();
        if indent == 0 {
            let Some(keys) = trimmed.strip_suffix(':') else {
                return Err(malformed(format!("expected a package key ending with `:`, found `{trimmed}`")));
            };
            let mut descriptors = Vec::new();
            for key in split_outside_quotes(keys, |c| c == ',') {
                let d = unquote(key).map_err(&malformed)?;
                if !d.is_empty() {
                    descriptors.push(d);
                }
            }
            if descriptors.is_empty() {
                return Err(malformed("expected at least one `name@range` before `:`".into()));
            }
            entries.push(ClassicEntry { descriptors, line: line_no, ..ClassicEntry::default() });
            in_section = false;
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            return Err(malformed(format!("expected a package key before the indented line `{trimmed}`")));
        };
        let (key, value) = key_value(trimmed).map_err(&malformed)?;
        match indent {
            2 => {
                in_section = value.is_none();
                section = None;
                match (key.as_str(), value) {
                    ("dependencies", None) => section = Some(DepKind::Prod),
                    ("optionalDependencies", None) => section = Some(DepKind::Optional),
                    ("version", Some(v)) => entry.version = Some(v),
                    ("resolved", Some(v)) => entry.resolved = Some(v),
                    ("integrity", Some(v)) => entry.integrity = Some(v),
                    _ => {}
                }
            }
            4 if in_section => {
                let Some(range) = value else {
                    return Err(malformed(format!("expected `name range` in a dependency list, found `{trimmed}`")));
                };
                if let Some(kind) = section {
                    entry.dependencies.push((key, range, kind, line_no));
                }
            }
            _ => {
                return Err(malformed(format!(
                    "expected 2 spaces before a field or 4 before a dependency, found {indent} before `{trimmed}`"
                )));
            }
        }
    }
    Ok(entries)
}

/// The package name a descriptor installs: its own name, or the target of an `npm:` alias.
fn real_name(descriptor: &str) -> Option<&str> {
    let (name, range) = split_descriptor(descriptor)?;
    match range.strip_prefix("npm:").and_then(split_descriptor) {
        Some((real, _)) => Some(real),
        None => Some(name),
    }
}

/// Lockfile entries by the package name of their descriptors.
#[derive(Default)]
struct ByName<'a>(HashMap<&'a str, Vec<usize>>);

impl<'a> ByName<'a> {
    fn add(&mut self, descriptor: &'a str, node: usize) {
        if let Some((name, _)) = split_descriptor(descriptor) {
            let nodes = self.0.entry(name).or_default();
            if !nodes.contains(&node) {
                nodes.push(node);
            }
        }
    }

    /// The entry of `name`, when the lockfile has exactly one.
    fn only(&self, name: &str) -> Option<usize> {
        match self.0.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }
}

fn is_tarball_path(path: &str) -> bool {
    [".tgz", ".tar.gz", ".tar"].iter().any(|ext| path.ends_with(ext))
}

fn parse_classic(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let entries = read_classic(input.text)?;
    let mut diagnostics = Vec::new();
    let mut set = ComponentSet::default();
    let mut graph = DepGraph::default();
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    let mut by_name = ByName::default();
    let mut nodes = Vec::with_capacity(entries.len());
    for entry in &entries {
        let node = match classic_node(input, entry, &mut set) {
            Ok(node) => node,
            Err(message) => {
                diagnostics.push(entry_skipped(input, Some(entry.line), message));
                Node::Skipped
            }
        };
        let at = graph.add_node(node);
        for d in &entry.descriptors {
            by_descriptor.insert(d.as_str(), at);
            by_name.add(d, at);
        }
        nodes.push(at);
    }
    let mut key = String::new();
    for (entry, &from) in entries.iter().zip(&nodes) {
        for (name, range, kind, line) in &entry.dependencies {
            key.clear();
            key.push_str(name);
            key.push('@');
            key.push_str(range);
            match by_descriptor.get(key.as_str()).copied().or_else(|| by_name.only(name)) {
                Some(to) => graph.add_edge(from, to, *kind),
                None => diagnostics.push(entry_skipped(
                    input,
                    Some(*line),
                    format!("dependency `{name}@{range}` matches no entry of the lockfile; its edge is left out"),
                )),
            }
        }
    }
    let (direct, scopes) = match read_manifest(input, &input.sibling("package.json")) {
        Ok(Some(manifest)) => {
            let root = graph.add_node(Node::Project { top: true });
            for (name, range, kind) in &manifest.dependencies {
                let exact = by_descriptor.get(format!("{name}@{range}").as_str()).copied();
                if let Some(to) = exact.or_else(|| by_name.only(name)) {
                    graph.add_edge(root, to, *kind);
                }
            }
            // Workspaces' own dependencies are in their package.json files, which the lockfile does not list.
            if manifest.has_workspaces { (DirectKnowledge::Partial, false) } else { (DirectKnowledge::Complete, true) }
        }
        Ok(None) => (DirectKnowledge::None, false),
        Err(d) => {
            diagnostics.push(d);
            (DirectKnowledge::None, false)
        }
    };
    graph.finish(&mut set, direct, scopes);
    Ok(Parsed { components: set.into_components(), diagnostics })
}

/// The graph node of a classic entry: a component, or the project's own folder (`file:`/`link:` folders).
fn classic_node(input: &LockfileInput<'_>, entry: &ClassicEntry, set: &mut ComponentSet) -> Result<Node, String> {
    let first = entry.descriptors.first().map(String::as_str).unwrap_or_default();
    let local = entry.descriptors.iter().find_map(|d| {
        let (_, range) = split_descriptor(d)?;
        (range.starts_with("file:") || range.starts_with("link:")).then_some(range)
    });
    if let Some(range) = local
        && !is_tarball_path(range)
    {
        return Ok(Node::Project { top: false });
    }
    let name = real_name(first).ok_or_else(|| format!("expected `name@range` in the key `{first}`"))?;
    let version = entry.version.as_deref().ok_or_else(|| format!("package `{first}` has no `version`"))?;
    let purl = package_purl(name, Some(version)).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let resolved = entry.resolved.as_deref().unwrap_or_default();
    let (url, fragment) = resolved.split_once('#').unwrap_or((resolved, ""));
    let origin = match (local, classify(resolved)) {
        (Some(_), _) => Origin::Local,
        (None, git @ Origin::Git(_)) => git,
        (None, _) => classify(url),
    };
    let mut c = Component::from_purl(with_origin(purl, &origin)).at(input.path, Some(entry.line));
    c.hashes = entry.integrity.as_deref().map(sri_hashes).unwrap_or_default();
    match &origin {
        Origin::Git(locator) => c.download_location = Some(locator.clone()),
        _ => {
            // Yarn classic appends the tarball's SHA-1 to tarball URLs (a git URL's fragment is a commit).
            if let Some(h) = Hash::hex(HashAlgorithm::Sha1, fragment)
                && !c.hashes.contains(&h)
            {
                c.hashes.push(h);
            }
            c.download_location =
                Some(url.to_owned()).filter(|u| u.starts_with("http://") || u.starts_with("https://"));
        }
    }
    Ok(Node::Component(set.add(c)))
}

/// `name@reference` of a Berry `resolution`, split into name, protocol (`npm`, `workspace`, `patch`, ... or
/// the URL scheme) and the reference.
fn berry_resolution(resolution: &str) -> Option<(&str, &str, &str)> {
    let (name, reference) = split_descriptor(resolution)?;
    let protocol = reference.split_once(':').map_or("", |(p, _)| p);
    Some((name, protocol, reference))
}

/// Undo the percent-encoding Berry applies inside `patch:` references.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a Berry package comes from, by the protocol of its resolution.
fn berry_origin(protocol: &str, reference: &str) -> Origin {
    match protocol {
        "npm" | "exec" | "" => Origin::Registry,
        "patch" => {
            // `patch:<name>@<encoded source>#<patch>`: the source decides.
            let inner = reference.strip_prefix("patch:").unwrap_or_default();
            let inner = percent_decode(inner.split('#').next().unwrap_or_default());
            match split_descriptor(&inner) {
                Some((_, source)) if !source.starts_with("npm:") => match classify(source) {
                    Origin::Local => Origin::Local,
                    other => other,
                },
                _ => Origin::Registry,
            }
        }
        "file" => Origin::Local,
        _ => match git_locator(reference) {
            Some(locator) => Origin::Git(locator),
            None => classify(reference),
        },
    }
}

/// A Berry entry that survived reading.
struct BerryEntry<'a> {
    key: &'a str,
    line: u32,
    value: &'a Yaml<'a>,
    node: usize,
    /// For workspaces: the folder (relative to the lockfile) whose package.json declares its dependencies.
    workspace: Option<&'a str>,
}

fn parse_berry(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc = yaml::parse(input.text)?;
    let Yaml::Map(top) = &doc else {
        return Err(LockfileError::malformed(Some(1), "expected a YAML mapping at the top of yarn.lock"));
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut set = ComponentSet::default();
    let mut graph = DepGraph::default();
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    let mut by_name = ByName::default();
    let mut entries: Vec<BerryEntry<'_>> = Vec::new();
    for e in top {
        if e.key == "__metadata" {
            continue;
        }
        let line = Some(e.line).filter(|l| *l > 0);
        let node = match berry_node(input, &e.key, &e.value, line, &mut set) {
            Ok(node) => node,
            Err(message) => {
                diagnostics.push(entry_skipped(input, line, message));
                Node::Skipped
            }
        };
        let workspace = match (&node, e.value.get("resolution").and_then(Yaml::as_str).and_then(berry_resolution)) {
            (Node::Project { top: true }, Some((_, _, reference))) => reference.strip_prefix("workspace:"),
            _ => None,
        };
        let at = graph.add_node(node);
        for descriptor in e.key.split(',') {
            by_descriptor.insert(descriptor.trim(), at);
            by_name.add(descriptor.trim(), at);
        }
        entries.push(BerryEntry { key: &e.key, line: e.line, value: &e.value, node: at, workspace });
    }
    // Scopes need every workspace's package.json: the lockfile lists dev dependencies with the others.
    let mut manifests: HashMap<usize, Manifest> = HashMap::new();
    let mut every_manifest = true;
    for entry in entries.iter().filter(|e| e.workspace.is_some()) {
        let folder = entry.workspace.unwrap_or(".");
        match read_manifest(input, &input.sibling(&format!("{folder}/package.json"))) {
            Ok(Some(m)) => {
                manifests.insert(entry.node, m);
            }
            Ok(None) => every_manifest = false,
            Err(d) => {
                diagnostics.push(d);
                every_manifest = false;
            }
        }
    }
    let mut key = String::new();
    for entry in &entries {
        let Some(deps) = entry.value.get("dependencies") else { continue };
        let meta = entry.value.get("dependenciesMeta");
        for dep in deps.entries() {
            let Some(range) = dep.value.as_str() else {
                let line = Some(dep.line).filter(|l| *l > 0).or(Some(entry.line));
                diagnostics.push(entry_skipped(
                    input,
                    line,
                    format!("dependency `{}` of `{}` has no range; its edge is left out", dep.key, entry.key),
                ));
                continue;
            };
            let found = [false, true].iter().find_map(|&npm| {
                key.clear();
                key.push_str(&dep.key);
                key.push('@');
                if npm {
                    key.push_str("npm:");
                }
                key.push_str(range);
                by_descriptor.get(key.as_str()).copied()
            });
            // A root `resolutions` override rewrites descriptors before they are locked: when the lockfile
            // holds a single package of that name, that is the one installed.
            let found = found.or_else(|| by_name.only(&dep.key));
            let Some(to) = found else {
                let line = Some(dep.line).filter(|l| *l > 0).or(Some(entry.line));
                diagnostics.push(entry_skipped(
                    input,
                    line,
                    format!("dependency `{}@{range}` matches no entry of the lockfile; its edge is left out", dep.key),
                ));
                continue;
            };
            let optional = meta
                .and_then(|m| m.get(&dep.key))
                .and_then(|m| m.get("optional"))
                .and_then(Yaml::as_bool)
                .unwrap_or(false);
            let kind = match manifests.get(&entry.node).and_then(|m| m.kind_of(&dep.key)) {
                Some(kind) => kind,
                None if optional => DepKind::Optional,
                None => DepKind::Prod,
            };
            graph.add_edge(entry.node, to, kind);
        }
    }
    let has_workspace = entries.iter().any(|e| e.workspace.is_some());
    let direct = if has_workspace { DirectKnowledge::Complete } else { DirectKnowledge::None };
    graph.finish(&mut set, direct, has_workspace && every_manifest);
    Ok(Parsed { components: set.into_components(), diagnostics })
}

/// The graph node of a Berry entry.
fn berry_node(
    input: &LockfileInput<'_>,
    key: &str,
    entry: &Yaml,
    line: Option<u32>,
    set: &mut ComponentSet,
) -> Result<Node, String> {
    if !entry.is_map() {
        return Err(format!("expected a mapping for `{key}`, found {}", entry.kind()));
    }
    let resolution =
        entry.get("resolution").and_then(Yaml::as_str).ok_or_else(|| format!("package `{key}` has no `resolution`"))?;
    let (name, protocol, reference) =
        berry_resolution(resolution).ok_or_else(|| format!("expected `name@reference` in `{resolution}`"))?;
    match protocol {
        "workspace" => return Ok(Node::Project { top: true }),
        "link" | "portal" => return Ok(Node::Project { top: false }),
        "file" if !is_tarball_path(reference.split("::").next().unwrap_or(reference)) => {
            return Ok(Node::Project { top: false });
        }
        _ => {}
    }
    // Anything else Yarn symlinks rather than unpacks is a folder of the project too.
    if entry.get("linkType").and_then(Yaml::as_str) == Some("soft") {
        return Ok(Node::Project { top: false });
    }
    let version = entry
        .get("version")
        .and_then(Yaml::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("package `{key}` has no `version`"))?;
    let purl = package_purl(name, Some(version)).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let origin = berry_origin(protocol, reference);
    let mut c = Component::from_purl(with_origin(purl, &origin)).at(input.path, line);
    c.download_location = match origin {
        Origin::Git(url) | Origin::Tarball(url) => Some(url),
        Origin::Registry | Origin::Local => None,
    };
    Ok(Node::Component(set.add(c)))
}
