//! Parser for Poetry's `poetry.lock`, lock-version 1.x (Poetry 1) and 2.x (Poetry 1.x late and Poetry 2).
//!
//! - Poetry 1 marks each package `category = "main"` or `"dev"`; the oldest files keep hashes apart, in
//!   `[metadata.files]` keyed by package name, later ones in `files = [{ file, hash }]` on each package.
//! - Poetry 2 lists the dependency groups that reach a package (`groups = ["main", "dev"]`) and its `markers`.
//! - `optional = true` marks a package only an extra pulls in.
//! - `[package.dependencies]` maps names to a constraint, a table (`version`, `markers`, `optional`, ...) or a
//!   list of those; each becomes an edge to the locked package(s) of that name whose version satisfies it.
//! - `[package.source]` says where a package came from: `git` (with `resolved_reference`), `url`, `file`,
//!   `directory`, or a repository (`legacy`, ...) by URL.
//!
//! Scope: `main` → required (optional when `optional = true`), only other groups or `dev` → dev. The lockfile
//! does not say which packages the project names itself: `direct` comes from a `pyproject.toml` beside it
//! (PEP 621, PEP 735 and `[tool.poetry]` tables) and is left unknown without one.

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, Scope};
use serde::Deserialize;
use toml::Spanned;

use super::python::{
    NameIndex, Origin, archive_version_for, attach_edges, check_lock_version, normalize_name, prefixed_hash, push_hash,
    python_component, read_pyproject, vcs_locator,
};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

#[derive(Deserialize)]
struct LockDocument {
    #[serde(default)]
    package: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    metadata: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
struct PackageEntry {
    name: String,
    version: String,
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    groups: Option<Vec<String>>,
    #[serde(default)]
    files: Vec<FileEntry>,
    #[serde(default)]
    dependencies: toml::Table,
    source: Option<SourceEntry>,
}

#[derive(Deserialize)]
struct FileEntry {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct SourceEntry {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    reference: Option<String>,
    resolved_reference: Option<String>,
}

/// One constraint on a dependency: the version range, and whether the dependency may legitimately be absent
/// from the lockfile (an extra, or markers that exclude it).
struct Constraint {
    version: String,
    conditional: bool,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: LockDocument = toml::from_str(input.text).map_err(|e| LockfileError::toml(&e, input.text))?;
    let lines = LineIndex::new(input.text);
    check_lock_version(doc.metadata.as_ref(), &lines, "poetry.lock", "lock-version", &[1, 2], "\"2.1\"")?;
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    let mut packages: Vec<(PackageEntry, u32)> = Vec::with_capacity(doc.package.len());
    for spanned in doc.package {
        let line = lines.line_of(spanned.span().start);
        match spanned.into_inner().try_into::<PackageEntry>() {
            Ok(entry) if entry.name.trim().is_empty() || entry.version.trim().is_empty() => {
                diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name` and `version`".into()));
            }
            Ok(entry) => packages.push((entry, line)),
            Err(e) => diagnostics.push(skip(line, format!("package entry skipped: {}", e.message()))),
        }
    }
    let old_files = metadata_files(doc.metadata.as_ref().map(|m| m.get_ref()));
    let index = NameIndex::new(packages.iter().map(|(p, _)| p.name.as_str()));
    let manifest = input.source.read(&input.sibling("pyproject.toml")).and_then(|t| read_pyproject(&t));

    let mut components: Vec<Option<Component>> = Vec::with_capacity(packages.len());
    for (p, line) in &packages {
        let origin = origin_of(p.source.as_ref());
        let Some(mut c) = python_component(&p.name, Some(&p.version), &origin) else {
            diagnostics.push(skip(*line, format!("package `{}` skipped: not a valid project name", p.name)));
            components.push(None);
            continue;
        };
        c = c.at(input.path, Some(*line));
        for f in &p.files {
            push_hash(&mut c.hashes, f.hash.as_deref().and_then(prefixed_hash));
        }
        let shared_name = index.candidates(&p.name).len() > 1;
        for (file, hash) in old_files.get(&normalize_name(&p.name)).map(Vec::as_slice).unwrap_or_default() {
            // With several versions of one name, a file counts only when its name carries this version.
            if !shared_name || archive_version_for(&p.name, file).is_some_and(|v| v == p.version) {
                push_hash(&mut c.hashes, Some(hash.clone()));
            }
        }
        c.scope = scope_of(p);
        c.direct = manifest.as_ref().map(|m| m.direct.contains(&normalize_name(&p.name)));
        components.push(Some(c));
    }

    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
    for (i, (p, line)) in packages.iter().enumerate() {
        for (dep_name, value) in &p.dependencies {
            let constraints = constraints_of(value);
            let mut found = false;
            for constraint in &constraints {
                let targets =
                    index.resolve(dep_name, &constraint.version, |t| packages.get(t).map(|(p, _)| p.version.as_str()));
                found |= !targets.is_empty();
                if let Some(list) = edges.get_mut(i) {
                    list.extend(targets);
                }
            }
            if !found && !constraints.iter().any(|c| c.conditional) {
                let at = lines.find_from(&format!("\n{dep_name} ="), *line).map_or(*line, |l| l + 1);
                diagnostics.push(skip(
                    at,
                    format!("dependency `{dep_name}` of `{}` matches no package in the lockfile", p.name),
                ));
            }
        }
    }
    Ok(Parsed { components: attach_edges(components, &edges), diagnostics })
}

/// `[metadata.files]` of old lockfiles: file names and hashes by normalized package name.
fn metadata_files(metadata: Option<&toml::Table>) -> HashMap<String, Vec<(String, Hash)>> {
    let mut out: HashMap<String, Vec<(String, Hash)>> = HashMap::new();
    let files = metadata.and_then(|m| m.get("files")).and_then(toml::Value::as_table);
    for (name, list) in files.into_iter().flatten() {
        for item in list.as_array().into_iter().flatten() {
            let file = item.get("file").and_then(toml::Value::as_str).unwrap_or_default();
            if let Some(hash) = item.get("hash").and_then(toml::Value::as_str).and_then(prefixed_hash) {
                out.entry(normalize_name(name)).or_default().push((file.to_owned(), hash));
            }
        }
    }
    out
}

fn origin_of(source: Option<&SourceEntry>) -> Origin {
    let Some(source) = source else { return Origin::Index(String::new()) };
    let url = source.url.clone().unwrap_or_default();
    match source.kind.as_str() {
        "git" => {
            Origin::Vcs(vcs_locator("git", &url, source.resolved_reference.as_deref().or(source.reference.as_deref())))
        }
        "url" => Origin::Archive(url),
        "file" | "directory" => Origin::Local,
        _ => Origin::Index(url),
    }
}

fn scope_of(p: &PackageEntry) -> Option<Scope> {
    let main = match (&p.groups, p.category.as_deref()) {
        (Some(groups), _) => groups.iter().any(|g| g == "main"),
        (None, Some("main")) => true,
        (None, Some("dev")) => false,
        _ => return None,
    };
    Some(match (main, p.optional) {
        (true, false) => Scope::Required,
        (true, true) => Scope::Optional,
        (false, _) => Scope::Dev,
    })
}

/// The constraints a `[package.dependencies]` value states: `">=1"`, `{ version, markers, optional, python }`,
/// or a list of tables (one per environment).
fn constraints_of(value: &toml::Value) -> Vec<Constraint> {
    match value {
        toml::Value::String(s) => vec![Constraint { version: s.clone(), conditional: false }],
        toml::Value::Table(t) => {
            let version = t.get("version").and_then(toml::Value::as_str).unwrap_or_default().to_owned();
            let conditional = t.get("optional").and_then(toml::Value::as_bool).unwrap_or(false)
                || t.contains_key("markers")
                || t.contains_key("python")
                || t.contains_key("platform");
            vec![Constraint { version, conditional }]
        }
        toml::Value::Array(items) => items.iter().flat_map(constraints_of).collect(),
        _ => Vec::new(),
    }
}
