//! Parser for CocoaPods' `Podfile.lock` (YAML).
//!
//! - `PODS` lists every resolved pod as `Name (version)`, or as a one-key mapping `Name (version): [deps]` whose
//!   items (`Dep`, `Dep (~> 1.0)`, `Dep (= 1.0)`) are the edges. A subspec `Name/Sub` is its own component,
//!   `pkg:cocoapods/Name@version#Sub`, as the purl type definition puts subspecs in the subpath.
//! - `DEPENDENCIES` are what the Podfile asks for: those pods are direct, every other pod is transitive.
//! - `SPEC REPOS` says which specs repository each pod came from; one other than the public trunk (CDN or the
//!   old `CocoaPods/Specs` git repository) goes in the `repository_url` qualifier when it is a URL.
//! - `EXTERNAL SOURCES` and `CHECKOUT OPTIONS`: a pod from `:git:` gets `vcs_url` (`git+URL@COMMIT`, or the tag
//!   when no commit is recorded), also its download location; a `:path:` pod is the developer's own code: not
//!   a component, and the pods it depends on are direct.
//! - `SPEC CHECKSUMS` are SHA-1 digests of each pod's podspec (its JSON form), not of the pod's source, so they
//!   are not recorded as component hashes. `PODFILE CHECKSUM` (of the Podfile) and `COCOAPODS` (the tool's
//!   version) describe the project, not a component.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, Purl};
use serde_norway::{Mapping, Value};

use super::entries::entry_skipped;
use super::pubspec::yaml_child_lines;
use super::swift::git_location;
use super::{LockfileError, LockfileInput, Parsed};

/// Specs repositories that mean the public CocoaPods trunk.
const TRUNK_REPOS: &[&str] = &[
    "trunk",
    "https://cdn.cocoapods.org",
    "https://github.com/cocoapods/specs.git",
    "https://github.com/cocoapods/specs",
];

/// One `PODS` entry as read.
struct Pod {
    /// Full name, `Root` or `Root/Sub/...`.
    name: String,
    version: String,
    dependencies: Vec<String>,
    line: Option<u32>,
}

/// Where a root pod's source comes from, per `EXTERNAL SOURCES` and `CHECKOUT OPTIONS`.
enum External {
    /// `:path:`: the developer's own pod.
    Local,
    /// `:git:` with the resolved commit or tag when recorded.
    Git(String),
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_norway::from_str(input.text).map_err(|e| LockfileError::yaml(&e))?;
    let top_line = |key: &str| yaml_child_lines(input.text, None).into_iter().find(|(k, _)| k == key).map(|(_, l)| l);
    let top = doc.as_mapping().ok_or_else(|| {
        LockfileError::malformed(Some(1), "expected a YAML mapping with `PODS` at the top of Podfile.lock")
    })?;
    let entries = match top.get("PODS") {
        Some(Value::Sequence(s)) => s.as_slice(),
        Some(Value::Null) => &[],
        None => return Err(LockfileError::malformed(Some(1), "expected a `PODS` list at the top of Podfile.lock")),
        Some(_) => {
            return Err(LockfileError::malformed(
                top_line("PODS"),
                "expected `PODS` to be a list of `Name (version)` entries",
            ));
        }
    };
    let pod_line_list = yaml_child_lines(input.text, Some("PODS"));
    // In block style every item has one line at the items' indentation, so position gives the line; when the
    // counts differ (flow style, odd layout), fall back to finding the entry's text.
    let positional = pod_line_list.len() == entries.len();
    let pod_lines = first_lines(pod_line_list.clone());
    let line_of = |i: usize, head: Option<&str>| {
        if positional { pod_line_list.get(i).map(|(_, l)| *l) } else { head.and_then(|h| pod_lines.get(h).copied()) }
    };
    let dependency_lines = first_lines(yaml_child_lines(input.text, Some("DEPENDENCIES")));
    let repos = spec_repos(top);
    let externals = external_sources(top);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();

    // Read the entries.
    let mut pods: Vec<Pod> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let (head, deps) = match entry {
            Value::String(s) => (s.clone(), Vec::new()),
            Value::Mapping(m) if m.len() == 1 => {
                let Some((key, value)) = m.iter().next() else { continue };
                let Some(key) = key.as_str() else {
                    let message = "pod skipped: expected `Name (version)` as the key";
                    diagnostics.push(entry_skipped(input, line_of(index, None), message));
                    continue;
                };
                let deps = match value {
                    Value::Sequence(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    Value::Null => Vec::new(),
                    _ => {
                        let line = line_of(index, Some(key));
                        let message = format!("pod `{key}` skipped: expected a list of dependencies");
                        diagnostics.push(entry_skipped(input, line, message));
                        continue;
                    }
                };
                (key.to_owned(), deps)
            }
            _ => {
                let message = "pod skipped: expected `Name (version)` or a mapping `Name (version): [dependencies]`";
                diagnostics.push(entry_skipped(input, line_of(index, None), message));
                continue;
            }
        };
        let line = line_of(index, Some(&head));
        let Some((name, version)) = split_head(&head) else {
            let message = format!("pod `{head}` skipped: expected `Name (version)`");
            diagnostics.push(entry_skipped(input, line, message));
            continue;
        };
        if by_name.contains_key(name) {
            diagnostics.push(entry_skipped(
                input,
                line,
                format!("duplicate pod `{name}` skipped: it is already listed"),
            ));
            continue;
        }
        by_name.insert(name.to_owned(), pods.len());
        pods.push(Pod { name: name.to_owned(), version: version.to_owned(), dependencies: deps, line });
    }

    // One component per pod that is not the developer's own (indices line up with `pods`).
    let mut components: Vec<Option<Component>> = Vec::with_capacity(pods.len());
    let mut local: BTreeSet<usize> = BTreeSet::new();
    for (i, pod) in pods.iter().enumerate() {
        let root = root_of(&pod.name);
        let external = externals.get(root);
        if matches!(external, Some(External::Local)) {
            local.insert(i);
            components.push(None);
            continue;
        }
        match build_component(pod, repos.get(root).map(String::as_str), external) {
            Ok(c) => components.push(Some(c.at(input.path, pod.line))),
            Err(message) => {
                diagnostics.push(entry_skipped(input, pod.line, format!("pod `{}` skipped: {message}", pod.name)));
                components.push(None);
            }
        }
    }
    let bom_ref = |i: usize| components.get(i).and_then(Option::as_ref).map(|c| c.bom_ref.clone());

    // Edges; the developer's own pods hand the pods they use the `direct` mark instead.
    let mut direct: BTreeSet<usize> = BTreeSet::new();
    let mut edges: Vec<BTreeSet<String>> = vec![BTreeSet::new(); pods.len()];
    for (i, pod) in pods.iter().enumerate() {
        for dep in &pod.dependencies {
            let name = requirement_name(dep);
            let Some(&target) = by_name.get(name) else {
                let message = format!("dependency `{dep}` of `{}` matches no pod in PODS; edge skipped", pod.name);
                diagnostics.push(entry_skipped(input, pod.line, message));
                continue;
            };
            let Some(target_ref) = bom_ref(target) else { continue };
            if local.contains(&i) {
                direct.insert(target);
            } else if let Some(set) = edges.get_mut(i)
                && target != i
            {
                set.insert(target_ref);
            }
        }
    }
    let declared = top.get("DEPENDENCIES").and_then(Value::as_sequence);
    for dep in declared.into_iter().flatten().filter_map(Value::as_str) {
        let name = requirement_name(dep);
        match by_name.get(name) {
            Some(&target) => {
                direct.insert(target);
            }
            None => {
                let line = dependency_lines.get(dep).copied();
                let message = format!("declared dependency `{dep}` matches no pod in PODS");
                diagnostics.push(entry_skipped(input, line, message));
            }
        }
    }

    let mut out = Vec::with_capacity(components.len());
    for (i, (component, deps)) in components.into_iter().zip(edges).enumerate() {
        let Some(mut component) = component else { continue };
        component.dependencies = deps;
        component.direct = (declared.is_some() || !local.is_empty()).then(|| direct.contains(&i));
        out.push(component);
    }
    Ok(Parsed { components: out, diagnostics })
}

fn first_lines(lines: Vec<(String, u32)>) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for (key, line) in lines {
        out.entry(key).or_insert(line);
    }
    out
}

/// `Name (1.2.3)` → (`Name`, `1.2.3`).
fn split_head(head: &str) -> Option<(&str, &str)> {
    let (name, rest) = head.trim().split_once(" (")?;
    let version = rest.strip_suffix(')')?.trim();
    let name = name.trim();
    (!name.is_empty() && !version.is_empty() && !name.contains(char::is_whitespace)).then_some((name, version))
}

/// The pod a requirement names: `Name (~> 1.0)`, `Name (from `../x`)` or `Name` → `Name`.
fn requirement_name(text: &str) -> &str {
    let text = text.trim();
    text.split_once(" (").map_or(text, |(name, _)| name).trim()
}

fn root_of(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// `SPEC REPOS` as root pod → repository.
fn spec_repos(top: &Mapping) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(repos) = top.get("SPEC REPOS").and_then(Value::as_mapping) else { return out };
    for (repo, pods) in repos {
        let Some(repo) = repo.as_str() else { continue };
        for pod in pods.as_sequence().into_iter().flatten().filter_map(Value::as_str) {
            out.insert(pod.to_owned(), repo.trim().to_owned());
        }
    }
    out
}

/// A value of an `EXTERNAL SOURCES` / `CHECKOUT OPTIONS` entry, written `:git:` (key `:git`) or `git:`.
fn option(entry: Option<&Mapping>, key: &str) -> Option<String> {
    let entry = entry?;
    let value = entry.get(format!(":{key}").as_str()).or_else(|| entry.get(key))?;
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `EXTERNAL SOURCES` with `CHECKOUT OPTIONS`, as root pod → source.
fn external_sources(top: &Mapping) -> BTreeMap<String, External> {
    let mut out = BTreeMap::new();
    let Some(sources) = top.get("EXTERNAL SOURCES").and_then(Value::as_mapping) else { return out };
    let checkouts = top.get("CHECKOUT OPTIONS").and_then(Value::as_mapping);
    for (pod, source) in sources {
        let Some(pod) = pod.as_str() else { continue };
        let source = source.as_mapping();
        let checkout = checkouts.and_then(|c| c.get(pod)).and_then(Value::as_mapping);
        if option(source, "path").is_some() {
            out.insert(pod.to_owned(), External::Local);
        } else if let Some(url) = option(checkout, "git").or_else(|| option(source, "git")) {
            let reference = option(checkout, "commit")
                .or_else(|| option(checkout, "tag"))
                .or_else(|| option(source, "commit"))
                .or_else(|| option(source, "tag"));
            out.insert(pod.to_owned(), External::Git(git_location(&url, reference.as_deref(), None)));
        }
    }
    out
}

fn build_component(pod: &Pod, repo: Option<&str>, external: Option<&External>) -> Result<Component, String> {
    let (root, subspec) = match pod.name.split_once('/') {
        Some((root, sub)) => (root, Some(sub)),
        None => (pod.name.as_str(), None),
    };
    let mut purl =
        Purl::new("cocoapods", root).map_err(|e| e.to_string())?.with_version(Some(&pod.version)).with_subpath(subspec);
    let mut download = None;
    if let Some(External::Git(vcs)) = external {
        purl = purl.with_qualifier("vcs_url", vcs);
        download = Some(vcs.clone());
    } else if let Some(repo) = repo {
        let is_trunk = TRUNK_REPOS.contains(&repo.trim_end_matches('/').to_ascii_lowercase().as_str());
        if !is_trunk && (repo.contains("://") || repo.starts_with("git@")) {
            purl = purl.with_qualifier("repository_url", repo);
        }
    }
    purl.validate().map_err(|e| e.to_string())?;
    let mut component = Component::from_purl(purl);
    component.download_location = download;
    Ok(component)
}
