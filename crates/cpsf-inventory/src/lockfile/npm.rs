//! npm `package-lock.json` / `npm-shrinkwrap.json` (lockfileVersion 1, 2 and 3), and the npm-ecosystem pieces the
//! yarn, pnpm and bun parsers share: purls, `name@range` splitting, de-duplicated component collection.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, Purl, Scope};
use serde_json::{Map, Value};

use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The purl of an npm package; a scoped name `@scope/name` becomes namespace `@scope` and name `name`.
pub(crate) fn package_purl(name: &str, version: Option<&str>) -> Option<Purl> {
    let name = name.trim();
    let (namespace, base) = match name.split_once('/') {
        Some((scope, base)) if scope.starts_with('@') && scope.len() > 1 => (Some(scope), base),
        Some(_) => return None,
        None => (None, name),
    };
    if base.is_empty() || base.contains('/') {
        return None;
    }
    Some(Purl::new("npm", base).ok()?.with_namespace(namespace).with_version(version))
}

/// Split a `name@range` descriptor at the `@` that ends the (possibly scoped) name.
pub(crate) fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    Some((descriptor.get(..at)?, descriptor.get(at + 1..)?))
}

/// A `lockfile-entry-skipped` diagnostic for this lockfile.
pub(crate) fn entry_skipped(input: &LockfileInput<'_>, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, line, message)
}

/// Components keyed by `bom_ref`: a package seen several times (nested copies, peer variants) becomes one.
#[derive(Default)]
pub(crate) struct ComponentSet {
    by_ref: BTreeMap<String, Component>,
}

impl ComponentSet {
    /// Add or fold in a component; returns its `bom_ref`.
    pub(crate) fn add(&mut self, component: Component) -> String {
        let bom_ref = component.bom_ref.clone();
        match self.by_ref.get_mut(&bom_ref) {
            Some(existing) => existing.absorb(component),
            None => {
                self.by_ref.insert(bom_ref.clone(), component);
            }
        }
        bom_ref
    }

    pub(crate) fn get_mut(&mut self, bom_ref: &str) -> Option<&mut Component> {
        self.by_ref.get_mut(bom_ref)
    }

    /// Record that `from` depends on `to` (self-edges are dropped).
    pub(crate) fn add_edge(&mut self, from: &str, to: &str) {
        if from != to
            && let Some(c) = self.by_ref.get_mut(from)
        {
            c.dependencies.insert(to.to_owned());
        }
    }

    /// Mark these components direct and, when `others_transitive`, every other one transitive.
    pub(crate) fn mark_direct(&mut self, direct: &BTreeSet<String>, others_transitive: bool) {
        for (bom_ref, c) in &mut self.by_ref {
            if direct.contains(bom_ref) {
                c.direct = Some(true);
            } else if others_transitive && c.direct.is_none() {
                c.direct = Some(false);
            }
        }
    }

    pub(crate) fn into_components(self) -> Vec<Component> {
        self.by_ref.into_values().collect()
    }
}

/// Byte offset of `"key"` used as an object key whose value opens with `opener` (`{` or `[`), at or after `from`.
pub(crate) fn find_json_key(text: &str, from: usize, key: &str, opener: char) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut pos = from;
    loop {
        let start = pos + text.get(pos..)?.find(&needle)?;
        let after = start + needle.len();
        let rest = text.get(after..)?.trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && value.trim_start().starts_with(opener)
        {
            return Some(start);
        }
        pos = after;
    }
}

/// Finds entry lines in document order: each search starts where the previous hit was, so a pass is linear.
pub(crate) struct JsonKeyCursor<'a> {
    lines: LineIndex<'a>,
    offset: usize,
}

impl<'a> JsonKeyCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { lines: LineIndex::new(text), offset: 0 }
    }

    /// Line of the next `"key": <opener>` after the cursor; moves the cursor past it when found.
    pub(crate) fn next(&mut self, key: &str, opener: char) -> Option<u32> {
        let at = find_json_key(self.lines.text(), self.offset, key, opener)?;
        self.offset = at + key.len() + 2;
        Some(self.lines.line_of(at))
    }
}

/// Names of the packages a sibling `package.json` declares (all dependency kinds), when there is one.
pub(crate) fn manifest_dependencies(input: &LockfileInput<'_>) -> Option<Vec<(String, String)>> {
    let text = input.source.read(&input.sibling("package.json"))?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    let mut out = Vec::new();
    for kind in ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] {
        if let Some(map) = manifest.get(kind).and_then(Value::as_object) {
            for (name, range) in map {
                out.push((name.clone(), range.as_str().unwrap_or_default().to_owned()));
            }
        }
    }
    Some(out)
}

/// A package installed at a `node_modules` path (or a workspace folder), whatever the lockfile version.
struct Installed<'a> {
    path: String,
    entry: &'a Map<String, Value>,
    line: Option<u32>,
    /// Names this package depends on (resolved through `node_modules` lookup from `path`).
    requires: Vec<String>,
    /// lockfileVersion 1: the package is found by `version`, which may be `npm:<real>@<version>` for aliases.
    legacy: bool,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of the npm lockfile"))?;
    let index = LineIndex::new(input.text);
    let version_line = index.find("\"lockfileVersion\"");
    let version = match top.get("lockfileVersion") {
        None => {
            return Err(LockfileError::malformed(Some(1), "expected a `lockfileVersion` field in the npm lockfile"));
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            LockfileError::malformed(version_line, format!("expected `lockfileVersion` to be a number, found {v}"))
        })?,
    };
    if !(1..=3).contains(&version) {
        return Err(LockfileError::unsupported(
            version_line,
            format!("npm lockfileVersion {version} is not supported: expected 1, 2 or 3"),
        ));
    }
    let mut diagnostics = Vec::new();
    let mut cursor = JsonKeyCursor::new(input.text);
    let (installed, root_deps) = match top.get("packages") {
        Some(Value::Object(packages)) if version >= 2 => {
            cursor.next("packages", '{');
            from_packages(input, packages, &mut cursor, &mut diagnostics)
        }
        Some(Value::Object(_)) | None => {
            let mut installed = Vec::new();
            if let Some(deps) = top.get("dependencies") {
                let deps = deps.as_object().ok_or_else(|| {
                    LockfileError::malformed(index.find("\"dependencies\""), "expected `dependencies` to be an object")
                })?;
                cursor.next("dependencies", '{');
                from_legacy_dependencies(input, deps, "", &mut cursor, &mut installed, &mut diagnostics);
            }
            let root = manifest_dependencies(input).map(|deps| deps.into_iter().map(|(name, _)| name).collect());
            (installed, root)
        }
        Some(_) => {
            return Err(LockfileError::malformed(index.find("\"packages\""), "expected `packages` to be an object"));
        }
    };
    let components = build(input, &installed, root_deps, &mut diagnostics);
    Ok(Parsed { components, diagnostics })
}

/// lockfileVersion 2/3: `packages` keyed by install path; `""` is the project itself.
fn from_packages<'a>(
    input: &LockfileInput<'_>,
    packages: &'a Map<String, Value>,
    cursor: &mut JsonKeyCursor<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Installed<'a>>, Option<Vec<String>>) {
    let mut installed = Vec::new();
    let mut root = None;
    for (path, value) in packages {
        let line = cursor.next(path, '{');
        let Some(entry) = value.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("expected an object for package `{path}`")));
            continue;
        };
        let requires = dependency_names(entry, &["dependencies", "optionalDependencies", "peerDependencies"]);
        if path.is_empty() {
            root = Some(dependency_names(
                entry,
                &["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"],
            ));
            continue;
        }
        installed.push(Installed { path: path.clone(), entry, line, requires, legacy: false });
    }
    (installed, root)
}

/// lockfileVersion 1: nested `dependencies`, flattened into the `node_modules/...` paths v2 would use.
fn from_legacy_dependencies<'a>(
    input: &LockfileInput<'_>,
    deps: &'a Map<String, Value>,
    parent: &str,
    cursor: &mut JsonKeyCursor<'_>,
    out: &mut Vec<Installed<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (name, value) in deps {
        let line = cursor.next(name, '{');
        let Some(entry) = value.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("expected an object for dependency `{name}`")));
            continue;
        };
        let path =
            if parent.is_empty() { format!("node_modules/{name}") } else { format!("{parent}/node_modules/{name}") };
        let requires = dependency_names(entry, &["requires"]);
        out.push(Installed { path: path.clone(), entry, line, requires, legacy: true });
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            from_legacy_dependencies(input, nested, &path, cursor, out, diagnostics);
        }
    }
}

fn dependency_names(entry: &Map<String, Value>, kinds: &[&str]) -> Vec<String> {
    kinds
        .iter()
        .filter_map(|kind| entry.get(*kind).and_then(Value::as_object))
        .flat_map(|map| map.keys().cloned())
        .collect()
}

/// Whether an install path is inside a `node_modules` folder (otherwise it is a workspace or linked folder).
fn in_node_modules(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// The folder whose `node_modules` Node searches next after `path`'s own.
fn parent_folder(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let up = path.rfind('/').and_then(|i| path.get(..i)).unwrap_or_default();
    Some(if up == "node_modules" { "" } else { up.strip_suffix("/node_modules").unwrap_or(up) })
}

/// Resolve `name` required from the package at `from` the way Node does, following `link: true` entries.
fn resolve(by_path: &HashMap<&str, usize>, installed: &[Installed<'_>], from: &str, name: &str) -> Option<usize> {
    let mut folder = Some(from);
    let mut found = None;
    while let Some(dir) = folder {
        let candidate =
            if dir.is_empty() { format!("node_modules/{name}") } else { format!("{dir}/node_modules/{name}") };
        if let Some(&i) = by_path.get(candidate.as_str()) {
            found = Some(i);
            break;
        }
        folder = parent_folder(dir);
    }
    let mut at = found?;
    for _ in 0..8 {
        let entry = installed.get(at)?.entry;
        if entry.get("link").and_then(Value::as_bool) != Some(true) {
            return Some(at);
        }
        let target = entry.get("resolved").and_then(Value::as_str)?;
        at = *by_path.get(target)?;
    }
    None
}

/// Name and version of an installed package, following aliases (`name` field, `npm:real@version`).
fn identity(item: &Installed<'_>) -> (String, Option<String>) {
    let path_name = match item.path.rfind("node_modules/") {
        Some(i) => item.path.get(i + "node_modules/".len()..).unwrap_or_default(),
        None => item.path.rsplit('/').next().unwrap_or(&item.path),
    };
    let mut name = item.entry.get("name").and_then(Value::as_str).unwrap_or(path_name).to_owned();
    let mut version = item.entry.get("version").and_then(Value::as_str).map(str::to_owned);
    if item.legacy
        && let Some(alias) = version.as_deref().and_then(|v| v.strip_prefix("npm:"))
        && let Some((real, v)) = split_descriptor(alias)
    {
        name = real.to_owned();
        version = Some(v.to_owned());
    }
    if item.legacy && version.as_deref().is_some_and(|v| v.starts_with("file:") || v.starts_with("link:")) {
        version = None;
    }
    (name, version)
}

fn build(
    input: &LockfileInput<'_>,
    installed: &[Installed<'_>],
    root_deps: Option<Vec<String>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Component> {
    let by_path: HashMap<&str, usize> = installed.iter().enumerate().map(|(i, p)| (p.path.as_str(), i)).collect();
    let mut set = ComponentSet::default();
    let mut refs: Vec<Option<String>> = vec![None; installed.len()];
    let mut direct = BTreeSet::new();
    for (i, item) in installed.iter().enumerate() {
        let entry = item.entry;
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let workspace = !in_node_modules(&item.path);
        let (name, version) = identity(item);
        if version.is_none() && !workspace && !item.legacy {
            diagnostics.push(entry_skipped(input, item.line, format!("package `{}` has no `version`", item.path)));
            continue;
        }
        let Some(purl) = package_purl(&name, version.as_deref()) else {
            diagnostics.push(entry_skipped(input, item.line, format!("`{name}` is not a valid npm package name")));
            continue;
        };
        let mut c = Component::from_purl(purl).at(input.path, item.line);
        let flag = |key: &str| entry.get(key).and_then(Value::as_bool) == Some(true);
        c.scope = Some(if workspace {
            Scope::Required
        } else if flag("dev") {
            Scope::Dev
        } else if flag("optional") || flag("devOptional") {
            Scope::Optional
        } else {
            Scope::Required
        });
        let resolved = entry.get("resolved").and_then(Value::as_str);
        let local = workspace || resolved.is_some_and(|r| r.starts_with("file:") || r.starts_with("link:"));
        if !local {
            c.hashes.extend(entry.get("integrity").and_then(Value::as_str).and_then(Hash::from_sri));
            c.download_location = resolved.map(str::to_owned);
        }
        match entry.get("license") {
            Some(Value::String(l)) if !l.trim().is_empty() => c.licenses.push(l.trim().to_owned()),
            Some(Value::Object(o)) => c.licenses.extend(o.get("type").and_then(Value::as_str).map(str::to_owned)),
            _ => {}
        }
        let bom_ref = set.add(c);
        if workspace {
            direct.insert(bom_ref.clone());
        }
        refs[i] = Some(bom_ref);
    }
    for (i, item) in installed.iter().enumerate() {
        let Some(from) = &refs[i] else { continue };
        let workspace = !in_node_modules(&item.path);
        for name in &item.requires {
            if let Some(to) = resolve(&by_path, installed, &item.path, name).and_then(|t| refs[t].as_ref()) {
                set.add_edge(from, to);
                if workspace {
                    direct.insert(to.clone());
                }
            }
        }
    }
    let known = root_deps.is_some();
    for name in root_deps.unwrap_or_default() {
        if let Some(to) = resolve(&by_path, installed, "", &name).and_then(|t| refs[t].as_ref()) {
            direct.insert(to.clone());
        }
    }
    set.mark_direct(&direct, known);
    set.into_components()
}
