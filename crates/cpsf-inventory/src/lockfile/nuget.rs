//! Parsers for NuGet's `packages.lock.json` (lock versions 1 and 2) and the older `packages.config`.
//!
//! `packages.lock.json` keeps one package map per target framework under `dependencies` (`net8.0`, and for
//! runtime-specific restores `net8.0/linux-x64`). Each package has a `type`: `Direct` (direct), `Transitive` and,
//! in version 2 with central package management, `CentralTransitive` (both transitive), or `Project` (a referenced
//! project of the same build: not a component, and no edges to it). `resolved` is the version, `contentHash` the
//! base64 SHA-512 of the `.nupkg`, and `dependencies` maps names to version ranges, which become edges to the
//! package of that name resolved for the same framework (a runtime-specific section falls back to its framework's
//! section). A package resolved the same under several frameworks is one component with every location.
//! The lockfile records neither development-only use nor download URLs, so neither is set.
//!
//! `packages.config` lists one `<package id version targetFramework>` per installed package. NuGet writes the
//! packages a project installs together with everything they pulled in, all alike, so the file does not say which
//! ones are direct and `direct` stays unset. `developmentDependency="true"` gives scope dev, anything else required.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, Hash, Purl, Scope};
use serde_json::{Map, Value};

use super::entries::{ComponentMap, JsonKeyCursor, entry_skipped};
use super::xml;
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The newest `packages.lock.json` version this parser understands.
const NEWEST_VERSION: u64 = 2;

/// A package read from one framework section, kept for resolving its edges.
struct Resolved<'a> {
    framework: &'a str,
    name: &'a str,
    bom_ref: String,
    dependencies: Option<&'a Map<String, Value>>,
    line: Option<u32>,
}

pub fn parse_packages_lock(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    // A byte-order mark is three bytes on line 1: stripping it keeps every line number.
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    let doc: Value = serde_json::from_str(text).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of packages.lock.json"))?;
    let lines = LineIndex::new(text);
    let version_line = lines.find("\"version\"");
    match top.get("version") {
        None => return Err(LockfileError::malformed(Some(1), "expected a `version` field in packages.lock.json")),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=NEWEST_VERSION).contains(&n) => {}
            Some(n) => {
                return Err(LockfileError::unsupported(
                    version_line,
                    format!("packages.lock.json version {n} is not supported (expected 1 or {NEWEST_VERSION})"),
                ));
            }
            None => {
                return Err(LockfileError::malformed(
                    version_line,
                    format!("expected `version` to be a positive integer, found {v}"),
                ));
            }
        },
    }
    let frameworks = match top.get("dependencies") {
        Some(Value::Object(map)) => map,
        None => {
            return Err(LockfileError::malformed(Some(1), "expected a `dependencies` object in packages.lock.json"));
        }
        Some(_) => {
            return Err(LockfileError::malformed(
                lines.find("\"dependencies\""),
                "expected `dependencies` to be an object keyed by target framework",
            ));
        }
    };

    let mut diagnostics = Vec::new();
    let mut set = ComponentMap::default();
    let mut cursor = JsonKeyCursor::new(text);
    cursor.next("dependencies", '{');
    let mut resolved: Vec<Resolved<'_>> = Vec::new();
    // (framework, lower-cased name) -> bom_ref, or `None` for a project reference.
    let mut by_name: BTreeMap<(&str, String), Option<String>> = BTreeMap::new();
    for (framework, packages) in frameworks {
        let framework_line = opener(packages).and_then(|o| cursor.next(framework, o));
        let Some(packages) = packages.as_object() else {
            diagnostics.push(entry_skipped(
                input,
                framework_line,
                format!("target framework `{framework}` skipped: expected an object of packages"),
            ));
            continue;
        };
        for (name, entry) in packages {
            let line = opener(entry).and_then(|o| cursor.next(name, o));
            let Some(entry) = entry.as_object() else {
                diagnostics.push(entry_skipped(
                    input,
                    line,
                    format!("package `{name}` ({framework}) skipped: expected an object"),
                ));
                continue;
            };
            let ty = entry.get("type").and_then(Value::as_str);
            if ty == Some("Project") {
                by_name.insert((framework.as_str(), name.to_lowercase()), None);
                continue;
            }
            let version = entry.get("resolved").and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
            let Some(version) = version else {
                diagnostics.push(entry_skipped(
                    input,
                    line,
                    format!("package `{name}` ({framework}) skipped: expected a non-empty `resolved` version"),
                ));
                continue;
            };
            let purl = match Purl::new("nuget", name.trim()) {
                Ok(p) => p.with_version(Some(version)),
                Err(e) => {
                    diagnostics.push(entry_skipped(
                        input,
                        line,
                        format!("package `{name}` ({framework}) skipped: {e}"),
                    ));
                    continue;
                }
            };
            let mut c = Component::from_purl(purl).at(input.path, line);
            c.direct = match ty {
                Some("Direct") => Some(true),
                Some("Transitive" | "CentralTransitive") => Some(false),
                _ => None,
            };
            if let Some(hash) = entry.get("contentHash").and_then(Value::as_str) {
                match Hash::from_sri(&format!("sha512-{}", hash.trim())) {
                    Some(h) => c.hashes.push(h),
                    None => diagnostics.push(entry_skipped(
                        input,
                        line,
                        format!(
                            "`contentHash` of `{name} {version}` ignored: expected the base64 of a SHA-512 digest, \
                             found `{hash}`"
                        ),
                    )),
                }
            }
            let bom_ref = set.add(c);
            by_name.insert((framework.as_str(), name.to_lowercase()), Some(bom_ref.clone()));
            resolved.push(Resolved {
                framework,
                name,
                bom_ref,
                dependencies: entry.get("dependencies").and_then(Value::as_object),
                line,
            });
        }
    }

    for package in &resolved {
        for dep in package.dependencies.into_iter().flat_map(|m| m.keys()) {
            let key = dep.to_lowercase();
            let base = package.framework.split('/').next().unwrap_or(package.framework);
            let target = by_name.get(&(package.framework, key.clone())).or_else(|| by_name.get(&(base, key)));
            match target {
                Some(Some(to)) => set.add_edge(&package.bom_ref, to),
                Some(None) => {}
                None => diagnostics.push(entry_skipped(
                    input,
                    package.line,
                    format!(
                        "dependency `{dep}` of `{}` ({}) matches no package of that framework; edge dropped",
                        package.name, package.framework
                    ),
                )),
            }
        }
    }
    diagnostics.sort_by_key(|d| d.line);
    Ok(Parsed { components: set.into_components(), diagnostics })
}

/// The first character of a JSON value as written, for finding its key (numbers, booleans and null: none).
fn opener(value: &Value) -> Option<char> {
    match value {
        Value::Object(_) => Some('{'),
        Value::Array(_) => Some('['),
        Value::String(_) => Some('"'),
        _ => None,
    }
}

pub fn parse_packages_config(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    let root = xml::parse(text)?;
    let lines = LineIndex::new(text);
    if root.name != "packages" {
        return Err(LockfileError::malformed(
            Some(lines.line_of(root.offset)),
            format!("expected a <packages> root element in packages.config, found <{}>", root.name),
        ));
    }
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut set = ComponentMap::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for package in root.children_named("package") {
        let line = Some(lines.line_of(package.offset));
        let id = package.attribute("id").map(str::trim).filter(|s| !s.is_empty());
        let version = package.attribute("version").map(str::trim).filter(|s| !s.is_empty());
        let (Some(id), Some(version)) = (id, version) else {
            diagnostics.push(entry_skipped(
                input,
                line,
                "<package> skipped: expected non-empty `id` and `version` attributes",
            ));
            continue;
        };
        let purl = match Purl::new("nuget", id) {
            Ok(p) => p.with_version(Some(version)),
            Err(e) => {
                diagnostics.push(entry_skipped(input, line, format!("package `{id}` skipped: {e}")));
                continue;
            }
        };
        if !seen.insert(purl.to_string()) {
            diagnostics.push(entry_skipped(
                input,
                line,
                format!("duplicate package `{id} {version}` skipped: it is already listed"),
            ));
            continue;
        }
        let dev = package.attribute("developmentDependency").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let mut c = Component::from_purl(purl).at(input.path, line);
        c.scope = Some(if dev { Scope::Dev } else { Scope::Required });
        set.add(c);
    }
    Ok(Parsed { components: set.into_components(), diagnostics })
}
