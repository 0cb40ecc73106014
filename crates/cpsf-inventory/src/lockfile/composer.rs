//! Parser for PHP Composer's `composer.lock`.
//!
//! `packages` are needed at run time (scope required), `packages-dev` only for development (scope dev; the key is
//! `null` after `composer update --no-dev`). Per package: `name` (`vendor/name`, case-insensitive, so the purl
//! lower-cases it), `version` as written (`v6.4.1`, `1.2.3`, or a branch such as `dev-main`), `license` (a list of
//! SPDX identifiers or names; a single string is accepted too), `dist.url` as the download location (else a git
//! `source` as `git+URL@REFERENCE`), and `dist.shasum`, the SHA-1 of the dist archive, when it is not empty.
//! `require` becomes edges to other locked packages; platform requirements (`php`, `ext-*`, `lib-*`,
//! `composer-*-api`, which have no `/`) are not packages and are ignored. A requirement met through another
//! package's `replace` or `provide` (e.g. `psr/log-implementation`) points at the packages that replace or
//! provide it.
//!
//! Direct dependencies come from the `composer.json` beside the lockfile (`require` and `require-dev`); without
//! it, the lockfile does not say which packages are direct. Packages installed from a local `path` repository are
//! the project's own code, like Cargo path packages: not components, and what they require is direct.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl, Scope};
use serde_json::{Map, Value};

use super::entries::{ComponentMap, entry_skipped, find_json_key, json_kind};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// One package entry that survived reading.
struct Package<'a> {
    /// Lower-cased `vendor/name`.
    name: String,
    entry: &'a Map<String, Value>,
    scope: Scope,
    line: Option<u32>,
    /// Installed from a local `path` repository.
    local: bool,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    // A byte-order mark is three bytes on line 1: stripping it keeps every line number.
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    let doc: Value = serde_json::from_str(text).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of composer.lock"))?;
    let lines = LineIndex::new(text);
    let mut diagnostics = Vec::new();
    let mut packages = Vec::new();
    for (key, scope) in [("packages", Scope::Required), ("packages-dev", Scope::Dev)] {
        let list = match top.get(key) {
            Some(Value::Array(list)) => list,
            None if key == "packages" => {
                return Err(LockfileError::malformed(Some(1), "expected a `packages` array in composer.lock"));
            }
            None | Some(Value::Null) => continue,
            Some(other) => {
                let line = lines.find(&format!("\"{key}\""));
                return Err(LockfileError::malformed(
                    line,
                    format!("expected `{key}` to be an array, found {}", json_kind(other)),
                ));
            }
        };
        let start = find_json_key(text, 0, key, Some('[')).unwrap_or(0);
        read_packages(input, list, scope, start, &lines, &mut packages, &mut diagnostics);
    }
    let direct = manifest_requirements(input, &mut diagnostics);
    let components = build(input, &packages, direct, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.path != input.path, d.line));
    Ok(Parsed { components, diagnostics })
}

/// Read one of the two package lists; lines are found by each entry's `"name": "..."`, in document order.
fn read_packages<'a>(
    input: &LockfileInput<'_>,
    list: &'a [Value],
    scope: Scope,
    start: usize,
    lines: &LineIndex<'_>,
    out: &mut Vec<Package<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut offset = start;
    for (i, value) in list.iter().enumerate() {
        let Some(entry) = value.as_object() else {
            let line = Some(lines.line_of(offset));
            diagnostics.push(entry_skipped(input, line, format!("package #{} skipped: expected an object", i + 1)));
            continue;
        };
        let name = entry.get("name").and_then(Value::as_str).unwrap_or_default();
        let found = (!name.is_empty()).then(|| find_name(lines.text(), offset, name)).flatten();
        if let Some(at) = found {
            offset = at + 1;
        }
        let line = Some(lines.line_of(found.unwrap_or(offset)));
        let valid = name.split_once('/').is_some_and(|(v, n)| !v.is_empty() && !n.is_empty() && !n.contains('/'));
        if !valid {
            diagnostics.push(entry_skipped(
                input,
                line,
                format!("package #{} skipped: expected `name` to be `vendor/name`, found `{name}`", i + 1),
            ));
            continue;
        }
        let local = entry.get("dist").and_then(|d| d.get("type")).and_then(Value::as_str) == Some("path");
        out.push(Package { name: name.to_ascii_lowercase(), entry, scope, line, local });
    }
}

/// Byte offset of `"name": "<name>"` at or after `from`, whatever the spacing around the colon.
fn find_name(text: &str, from: usize, name: &str) -> Option<usize> {
    let encoded = serde_json::to_string(name).ok()?;
    let mut pos = from;
    loop {
        let at = pos + text.get(pos..)?.find("\"name\"")?;
        let rest = text.get(at + 6..)?.trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && value.trim_start().starts_with(&encoded)
        {
            return Some(at);
        }
        pos = at + 6;
    }
}

/// Lower-cased package names of the sibling `composer.json`'s `require` and `require-dev`, when it exists.
fn manifest_requirements(input: &LockfileInput<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<BTreeSet<String>> {
    let path = input.sibling("composer.json");
    let text = input.source.read(&path)?;
    let manifest: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                DiagnosticCode::LockfileEntrySkipped,
                path,
                crate::text::json_error_line(&e),
                format!("composer.json is not valid JSON ({e}); which packages are direct is unknown"),
            ));
            return None;
        }
    };
    let mut names = BTreeSet::new();
    for key in ["require", "require-dev"] {
        if let Some(map) = manifest.get(key).and_then(Value::as_object) {
            names.extend(map.keys().filter(|n| n.contains('/')).map(|n| n.to_ascii_lowercase()));
        }
    }
    Some(names)
}

/// Package names of a `require`, `replace` or `provide` map, lower-cased, platform packages left out.
fn package_names(entry: &Map<String, Value>, key: &str) -> Vec<String> {
    entry
        .get(key)
        .and_then(Value::as_object)
        .map(|m| m.keys().filter(|n| n.contains('/')).map(|n| n.to_ascii_lowercase()).collect())
        .unwrap_or_default()
}

/// The component of a package; a malformed `dist.shasum` is left out and said in `diagnostics`.
fn component(
    input: &LockfileInput<'_>,
    p: &Package<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Component, String> {
    let entry = p.entry;
    let version = match entry.get("version") {
        Some(Value::String(v)) if !v.trim().is_empty() => v.trim(),
        _ => return Err(format!("package `{}` skipped: expected a non-empty `version`", p.name)),
    };
    let (vendor, name) = p.name.split_once('/').ok_or_else(|| format!("package `{}` skipped: no vendor", p.name))?;
    let purl = Purl::new("composer", name)
        .map_err(|e| format!("package `{}` skipped: {e}", p.name))?
        .with_namespace(Some(vendor))
        .with_version(Some(version));
    let mut c = Component::from_purl(purl).at(input.path, p.line);
    c.scope = Some(p.scope);
    let field = |object: &str, key: &str| {
        entry.get(object).and_then(|o| o.get(key)).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    };
    c.download_location = field("dist", "url").map(str::to_owned).or_else(|| {
        let url = field("source", "url")?;
        match (field("source", "type"), field("source", "reference")) {
            (Some("git"), Some(reference)) => Some(format!("git+{url}@{reference}")),
            (Some("git"), None) => Some(format!("git+{url}")),
            _ => Some(url.to_owned()),
        }
    });
    if let Some(shasum) = field("dist", "shasum") {
        match Hash::hex(HashAlgorithm::Sha1, shasum) {
            Some(hash) => c.hashes.push(hash),
            None => diagnostics.push(entry_skipped(
                input,
                p.line,
                format!("`dist.shasum` of `{}` ignored: expected 40 hex digits (SHA-1), found `{shasum}`", p.name),
            )),
        }
    }
    match entry.get("license") {
        Some(Value::Array(list)) => {
            c.licenses.extend(
                list.iter().filter_map(Value::as_str).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned),
            );
        }
        Some(Value::String(l)) if !l.trim().is_empty() => c.licenses.push(l.trim().to_owned()),
        _ => {}
    }
    Ok(c)
}

fn build(
    input: &LockfileInput<'_>,
    packages: &[Package<'_>],
    manifest: Option<BTreeSet<String>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Component> {
    let mut set = ComponentMap::default();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(packages.len());
    // Lower-cased name -> bom_refs of the packages of that name, and of those that replace or provide it.
    let mut own: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stand_ins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut local_names: BTreeSet<&str> = BTreeSet::new();
    for p in packages {
        if p.local {
            local_names.insert(p.name.as_str());
            refs.push(None);
            continue;
        }
        match component(input, p, diagnostics) {
            Ok(c) => {
                let bom_ref = set.add(c);
                push_unique(own.entry(p.name.clone()).or_default(), &bom_ref);
                for name in package_names(p.entry, "replace").into_iter().chain(package_names(p.entry, "provide")) {
                    push_unique(stand_ins.entry(name).or_default(), &bom_ref);
                }
                refs.push(Some(bom_ref));
            }
            Err(message) => {
                diagnostics.push(entry_skipped(input, p.line, message));
                refs.push(None);
            }
        }
    }
    // A package's own name wins over anything that replaces or provides it.
    let resolve = |name: &str| own.get(name).or_else(|| stand_ins.get(name)).cloned();

    let mut direct: BTreeSet<String> = BTreeSet::new();
    for (p, from) in packages.iter().zip(&refs) {
        for name in package_names(p.entry, "require") {
            match resolve(&name) {
                Some(targets) => {
                    for to in &targets {
                        match from {
                            Some(from) => set.add_edge(from, to),
                            None if p.local => {
                                direct.insert(to.clone());
                            }
                            None => {}
                        }
                    }
                }
                None if local_names.contains(name.as_str()) || (from.is_none() && !p.local) => {}
                None => diagnostics.push(entry_skipped(
                    input,
                    p.line,
                    format!("requirement `{name}` of `{}` matches no locked package; edge dropped", p.name),
                )),
            }
        }
    }
    let known = manifest.is_some();
    for name in manifest.unwrap_or_default() {
        direct.extend(resolve(&name).unwrap_or_default());
    }
    set.mark_direct(&direct, known);
    set.into_components()
}

fn push_unique(list: &mut Vec<String>, bom_ref: &str) {
    if !list.iter().any(|r| r == bom_ref) {
        list.push(bom_ref.to_owned());
    }
}
