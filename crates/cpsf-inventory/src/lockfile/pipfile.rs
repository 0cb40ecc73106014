//! Parser for Pipenv's `Pipfile.lock` (JSON, pipfile-spec 6).
//!
//! `default` holds the packages the project needs at run time (required), `develop` those for development
//! (dev); newer Pipenv adds a section per custom category, whose scope the lockfile does not say. Each entry is
//! keyed by name with `version: "==x"`, `hashes: ["sha256:..."]`, `markers`, `index` (a name from
//! `_meta.sources`), or a `git` + `ref`, `file` (URL) or `path` source. An editable path is the project's own
//! code and not a component.
//!
//! Every entry is pinned, but the lockfile does not say which ones the project asked for: `direct` comes from a
//! `Pipfile` beside it (its package tables) and is left unknown without one. There are no edges.

use std::collections::{BTreeSet, HashMap};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Scope};
use serde_json::{Map, Value};

use super::entries::JsonKeyCursor;
use super::python::{
    Origin, archive_version_for, is_remote_url, merge_components, normalize_name, pinned_version, prefixed_hash,
    push_hash, python_component, vcs_locator,
};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// Pipfile tables that are not package categories.
const PIPFILE_NON_PACKAGE_TABLES: [&str; 4] = ["source", "requires", "scripts", "pipenv"];

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of Pipfile.lock"))?;
    let mut cursor = JsonKeyCursor::new(input.text);
    let lines = LineIndex::new(input.text);
    let sources = read_sources(top.get("_meta"));
    let declared = input.source.read(&input.sibling("Pipfile")).and_then(|t| pipfile_names(&t));
    let mut diagnostics = Vec::new();
    let mut components = Vec::new();
    for (section, value) in top {
        if section == "_meta" {
            continue;
        }
        let section_line = cursor.next(section, '{');
        let Some(entries) = value.as_object() else {
            if value.is_array() || value.is_string() {
                let line = section_line.or_else(|| cursor.next(section, '['));
                diagnostics.push(Diagnostic::new(
                    DiagnosticCode::LockfileEntrySkipped,
                    input.path,
                    line,
                    format!("section `{section}` skipped: expected an object of packages"),
                ));
            }
            continue;
        };
        let scope = match section.as_str() {
            "default" => Some(Scope::Required),
            "develop" => Some(Scope::Dev),
            _ => None,
        };
        for (name, entry) in entries {
            let line = cursor.next(name, '{');
            let Some(entry) = entry.as_object() else {
                let from = section_line.unwrap_or(1);
                let line = line.or_else(|| lines.find_from(&format!("\"{name}\""), from)).or(section_line);
                diagnostics.push(Diagnostic::new(
                    DiagnosticCode::LockfileEntrySkipped,
                    input.path,
                    line,
                    format!("package `{name}` skipped: expected an object"),
                ));
                continue;
            };
            let Some(mut c) = read_entry(input, name, entry, line, &sources, &mut diagnostics) else { continue };
            c.scope = scope;
            c.direct = declared.as_ref().map(|d| d.contains(&normalize_name(name)));
            components.push(c);
        }
    }
    Ok(Parsed { components: merge_components(components), diagnostics })
}

/// `_meta.sources`: index URLs by source name.
fn read_sources(meta: Option<&Value>) -> HashMap<String, String> {
    let list = meta.and_then(|m| m.get("sources")).and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|s| Some((s.get("name")?.as_str()?.to_owned(), s.get("url")?.as_str()?.to_owned())))
        .collect()
}

fn read_entry(
    input: &LockfileInput<'_>,
    name: &str,
    entry: &Map<String, Value>,
    line: Option<u32>,
    sources: &HashMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Component> {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let flag = |key: &str| entry.get(key).and_then(Value::as_bool).unwrap_or(false);
    let written = text("version");
    let mut version = written.and_then(pinned_version);
    let mut pinned_by_source = false;
    let origin = if let Some(git) = text("git") {
        pinned_by_source = text("ref").is_some();
        Origin::Vcs(vcs_locator("git", git, text("ref")))
    } else if let Some(file) = text("file") {
        version = version.or_else(|| archive_version_for(name, file));
        if is_remote_url(file) { Origin::Archive(file.to_owned()) } else { Origin::Local }
    } else if let Some(path) = text("path") {
        if flag("editable") {
            return None;
        }
        version = version.or_else(|| archive_version_for(name, path));
        Origin::Local
    } else {
        Origin::Index(text("index").and_then(|i| sources.get(i)).cloned().unwrap_or_default())
    };
    let Some(c) = python_component(name, version.as_deref(), &origin) else {
        diagnostics.push(Diagnostic::new(
            DiagnosticCode::LockfileEntrySkipped,
            input.path,
            line,
            format!("package `{name}` skipped: not a valid project name"),
        ));
        return None;
    };
    let mut c = c.at(input.path, line);
    for h in entry.get("hashes").and_then(Value::as_array).into_iter().flatten() {
        match h.as_str().and_then(prefixed_hash) {
            Some(h) => push_hash(&mut c.hashes, Some(h)),
            None => diagnostics.push(Diagnostic::new(
                DiagnosticCode::LockfileEntrySkipped,
                input.path,
                line,
                format!("hash {h} of `{name}` ignored: expected `ALG:HEX`"),
            )),
        }
    }
    if version.is_none() && !pinned_by_source {
        diagnostics.push(Diagnostic::new(
            DiagnosticCode::UnpinnedRequirement,
            input.path,
            line,
            format!(
                "`{name}` has no exact version (found {}): reported without a version",
                written.map_or("none".to_owned(), |w| format!("`{w}`"))
            ),
        ));
    }
    Some(c)
}

/// Normalized names of every package a `Pipfile` declares, in any category; `None` when it is not TOML.
fn pipfile_names(text: &str) -> Option<BTreeSet<String>> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    Some(
        doc.iter()
            .filter(|(key, _)| !PIPFILE_NON_PACKAGE_TABLES.contains(&key.as_str()))
            .filter_map(|(_, value)| value.as_table())
            .flat_map(|table| table.keys())
            .map(|name| normalize_name(name))
            .collect(),
    )
}
