//! Yarn `yarn.lock`: the classic v1 syntax (`# yarn lockfile v1`) and Yarn Berry's YAML (with `__metadata`).

use std::collections::{BTreeSet, HashMap};

use cpsf_model::{Component, Diagnostic, Hash, HashAlgorithm};
use serde_norway::Value;

use super::npm::{ComponentSet, entry_skipped, manifest_dependencies, package_purl, split_descriptor};
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
    /// `(name, range)` from `dependencies` and `optionalDependencies`.
    dependencies: Vec<(String, String)>,
}

/// Remove one level of double quotes, honouring `\"` and `\\` escapes; unquoted text is returned trimmed.
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
                    Err(format!("unexpected text after the closing quote in {text}"))
                };
            }
            c => out.push(c),
        }
    }
    Err(format!("unterminated quoted string {text}"))
}

/// Split `text` at the first occurrence of `sep` that is outside double quotes.
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

fn parse_classic(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut section: Option<String> = None;
    for (n, raw) in input.text.lines().enumerate() {
        let line_no = (n + 1) as u32;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let malformed = |msg: String| LockfileError::malformed(Some(line_no), msg);
        let indent = line.len() - trimmed.len();
        if line.starts_with('\t') {
            return Err(malformed("expected spaces for indentation in yarn.lock, found a tab".into()));
        }
        if indent == 0 {
            let Some(keys) = trimmed.strip_suffix(':') else {
                return Err(malformed(format!("expected a package key ending with `:`, found `{trimmed}`")));
            };
            let mut descriptors = Vec::new();
            for key in split_outside_quotes(keys, |c| c == ',') {
                descriptors.push(unquote(key).map_err(malformed)?);
            }
            entries.push(ClassicEntry { descriptors, line: line_no, ..ClassicEntry::default() });
            section = None;
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            return Err(malformed(format!("expected a package key before the indented line `{trimmed}`")));
        };
        let (key, value) = key_value(trimmed).map_err(malformed)?;
        if indent <= 2 {
            section = None;
            match (key.as_str(), value) {
                (_, None) => section = Some(key),
                ("version", Some(v)) => entry.version = Some(v),
                ("resolved", Some(v)) => entry.resolved = Some(v),
                ("integrity", Some(v)) => entry.integrity = Some(v),
                _ => {}
            }
        } else if matches!(section.as_deref(), Some("dependencies" | "optionalDependencies"))
            && let Some(range) = value
        {
            entry.dependencies.push((key, range));
        }
    }

    let mut diagnostics = Vec::new();
    let mut set = ComponentSet::default();
    let mut by_descriptor: HashMap<&str, String> = HashMap::new();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(entries.len());
    for entry in &entries {
        let component = classic_component(input, entry);
        let bom_ref = match component {
            Ok(c) => Some(set.add(c)),
            Err(message) => {
                diagnostics.push(entry_skipped(input, Some(entry.line), message));
                None
            }
        };
        if let Some(r) = &bom_ref {
            for d in &entry.descriptors {
                by_descriptor.insert(d.as_str(), r.clone());
            }
        }
        refs.push(bom_ref);
    }
    for (entry, from) in entries.iter().zip(&refs) {
        let Some(from) = from else { continue };
        for (name, range) in &entry.dependencies {
            if let Some(to) = by_descriptor.get(format!("{name}@{range}").as_str()) {
                set.add_edge(from, to);
            }
        }
    }
    if let Some(manifest) = manifest_dependencies(input) {
        let direct: BTreeSet<String> = manifest
            .iter()
            .filter_map(|(name, range)| by_descriptor.get(format!("{name}@{range}").as_str()).cloned())
            .collect();
        set.mark_direct(&direct, true);
    }
    Ok(Parsed { components: set.into_components(), diagnostics })
}

/// The package name a descriptor installs: its own name, or the target of an `npm:` alias.
fn real_name(descriptor: &str) -> Option<&str> {
    let (name, range) = split_descriptor(descriptor)?;
    match range.strip_prefix("npm:").and_then(split_descriptor) {
        Some((real, _)) => Some(real),
        None => Some(name),
    }
}

fn classic_component(input: &LockfileInput<'_>, entry: &ClassicEntry) -> Result<Component, String> {
    let first = entry.descriptors.first().map(String::as_str).unwrap_or_default();
    let name = real_name(first).ok_or_else(|| format!("expected `name@range` in the key `{first}`"))?;
    let version = entry.version.as_deref().ok_or_else(|| format!("package `{first}` has no `version`"))?;
    let purl = package_purl(name, Some(version)).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let mut c = Component::from_purl(purl).at(input.path, Some(entry.line));
    let local = entry.descriptors.iter().any(|d| {
        split_descriptor(d).is_some_and(|(_, range)| range.starts_with("file:") || range.starts_with("link:"))
    }) || entry.resolved.as_deref().is_some_and(|r| r.starts_with("file:"));
    if !local {
        let (url, fragment) = match entry.resolved.as_deref().map(|r| r.split_once('#').unwrap_or((r, ""))) {
            Some((url, fragment)) => (Some(url), fragment),
            None => (None, ""),
        };
        let hash =
            entry.integrity.as_deref().and_then(Hash::from_sri).or_else(|| Hash::hex(HashAlgorithm::Sha1, fragment));
        c.hashes.extend(hash);
        let is_git = url.is_some_and(|u| u.starts_with("git"));
        c.download_location = entry.resolved.as_deref().filter(|_| is_git).or(url).map(str::to_owned);
    }
    Ok(c)
}

/// Where each top-level key of a Berry lockfile is, by its unquoted text.
fn berry_key_lines(text: &str) -> HashMap<String, u32> {
    let mut lines = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '#', '\t']) || line.is_empty() {
            continue;
        }
        if let Some(key) = line.strip_suffix(':') {
            let key = key.trim();
            let key = key.strip_prefix('"').and_then(|k| k.strip_suffix('"')).unwrap_or(key);
            lines.entry(key.to_owned()).or_insert((n + 1) as u32);
        }
    }
    lines
}

/// A YAML scalar as text (numbers and booleans too, as Yarn writes some versions unquoted).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn str_field<'v>(entry: &'v Value, key: &str) -> Option<&'v str> {
    entry.get(key).and_then(Value::as_str)
}

/// `(name, range)` pairs of a Berry entry's `dependencies` (Berry folds optional ones in, with `dependenciesMeta`).
fn berry_dependencies(entry: &Value) -> Vec<(String, String)> {
    let Some(map) = entry.get("dependencies").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    map.iter().filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?))).collect()
}

fn parse_berry(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_norway::from_str(input.text).map_err(|e| LockfileError::yaml(&e))?;
    let top = doc
        .as_mapping()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a YAML mapping at the top of yarn.lock"))?;
    let key_lines = berry_key_lines(input.text);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut set = ComponentSet::default();
    let mut by_descriptor: HashMap<String, String> = HashMap::new();
    // (bom_ref of the dependent or None for a workspace, its dependencies)
    let mut pending: Vec<(Option<String>, Vec<(String, String)>)> = Vec::new();
    for (key, entry) in top {
        let Some(key) = key.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let line = key_lines.get(key).copied();
        let resolution = str_field(entry, "resolution");
        let Some((name, reference)) = resolution.and_then(split_descriptor) else {
            diagnostics.push(entry_skipped(input, line, format!("package `{key}` has no valid `resolution`")));
            continue;
        };
        let protocol = reference.split_once(':').map_or("", |(p, _)| p);
        if protocol == "workspace" {
            pending.push((None, berry_dependencies(entry)));
            continue;
        }
        let name = match reference.strip_prefix("npm:").and_then(split_descriptor) {
            Some((real, _)) => real,
            None => name,
        };
        let Some(version) = entry.get("version").and_then(scalar) else {
            diagnostics.push(entry_skipped(input, line, format!("package `{key}` has no `version`")));
            continue;
        };
        let Some(purl) = package_purl(name, Some(&version)) else {
            diagnostics.push(entry_skipped(input, line, format!("`{name}` is not a valid npm package name")));
            continue;
        };
        let mut c = Component::from_purl(purl).at(input.path, line);
        let local = str_field(entry, "linkType") == Some("soft") || matches!(protocol, "portal" | "link" | "file");
        if !local && protocol != "patch" {
            let checksum = entry.get("checksum").and_then(scalar).unwrap_or_default();
            let hex = checksum.rsplit('/').next().unwrap_or_default();
            c.hashes.extend(Hash::hex(HashAlgorithm::Sha512, hex));
        }
        let bom_ref = set.add(c);
        for descriptor in key.split(',') {
            by_descriptor.insert(descriptor.trim().to_owned(), bom_ref.clone());
        }
        pending.push((Some(bom_ref), berry_dependencies(entry)));
    }
    let lookup = |name: &str, range: &str| {
        by_descriptor.get(&format!("{name}@{range}")).or_else(|| by_descriptor.get(&format!("{name}@npm:{range}")))
    };
    let mut direct = BTreeSet::new();
    let mut has_workspace = false;
    for (from, deps) in &pending {
        for (name, range) in deps {
            let Some(to) = lookup(name, range) else { continue };
            match from {
                Some(from) => set.add_edge(from, to),
                None => {
                    direct.insert(to.clone());
                }
            }
        }
        has_workspace |= from.is_none();
    }
    if has_workspace {
        set.mark_direct(&direct, true);
    }
    Ok(Parsed { components: set.into_components(), diagnostics })
}
