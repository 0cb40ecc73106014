//! Parser for PDM's `pdm.lock` (`[metadata] lock_version` 4.x, and the 3.x files before it).
//!
//! - Each `[[package]]` has `name`, `version`, `dependencies` as PEP 508 strings (`"idna>=2.8"`), and
//!   `files = [{ file | url, hash }]`; 3.x files keep the hashes in `[metadata.files]` keyed `"name version"`.
//! - Since the `inherit_metadata` strategy (lock_version 4.4), `groups` on each package names the groups that
//!   reach it: `default` is required; the others are extras or development groups, told apart by a
//!   `pyproject.toml` beside the lockfile (`[project.optional-dependencies]` → optional, `[dependency-groups]`
//!   and `[tool.pdm.dev-dependencies]` → dev) and left unknown without one.
//! - A package locked with extras appears once more with `extras = [...]`; both entries are one component.
//! - `git` + `revision`, `url` and `path` say where a package came from; an editable local package is the
//!   project's own code and not a component.
//!
//! `direct` comes from that `pyproject.toml` and is left unknown without one.

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, Scope};
use serde::Deserialize;
use toml::Spanned;

use super::python::{
    NameIndex, Origin, attach_edges, check_lock_version, normalize_name, parse_requirement, prefixed_hash, push_hash,
    python_component, read_pyproject, vcs_locator,
};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The lock_version majors this parser reads.
const SUPPORTED_MAJORS: [u64; 2] = [3, 4];

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
    version: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<FileEntry>,
    git: Option<String>,
    revision: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    url: Option<String>,
    path: Option<String>,
    #[serde(default)]
    editable: bool,
}

#[derive(Deserialize)]
struct FileEntry {
    url: Option<String>,
    hash: Option<String>,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: LockDocument = toml::from_str(input.text).map_err(|e| LockfileError::toml(&e, input.text))?;
    let lines = LineIndex::new(input.text);
    check_lock_version(doc.metadata.as_ref(), &lines, "pdm.lock", "lock_version", &SUPPORTED_MAJORS, "\"4.5.0\"")?;
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    let mut packages: Vec<(PackageEntry, u32)> = Vec::with_capacity(doc.package.len());
    for spanned in doc.package {
        let line = lines.line_of(spanned.span().start);
        match spanned.into_inner().try_into::<PackageEntry>() {
            Ok(entry) if entry.name.trim().is_empty() => {
                diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name`".into()));
            }
            Ok(entry) => packages.push((entry, line)),
            Err(e) => diagnostics.push(skip(line, format!("package entry skipped: {}", e.message()))),
        }
    }
    let old_files = metadata_files(doc.metadata.as_ref().map(|m| m.get_ref()));
    let manifest = input.source.read(&input.sibling("pyproject.toml")).and_then(|t| read_pyproject(&t));

    let mut components: Vec<Option<Component>> = Vec::with_capacity(packages.len());
    for (p, line) in &packages {
        let origin = if let Some(git) = &p.git {
            Origin::Vcs(vcs_locator("git", git, p.revision.as_deref().or(p.reference.as_deref())))
        } else if let Some(url) = &p.url {
            Origin::Archive(url.clone())
        } else if p.path.is_some() {
            if p.editable {
                components.push(None);
                continue;
            }
            Origin::Local
        } else {
            Origin::Index(String::new())
        };
        let Some(mut c) = python_component(&p.name, p.version.as_deref(), &origin) else {
            diagnostics.push(skip(*line, format!("package `{}` skipped: not a valid project name", p.name)));
            components.push(None);
            continue;
        };
        c = c.at(input.path, Some(*line));
        for f in &p.files {
            push_hash(&mut c.hashes, f.hash.as_deref().and_then(prefixed_hash));
        }
        let key = format!("{} {}", normalize_name(&p.name), p.version.as_deref().unwrap_or_default());
        for h in old_files.get(&key).map(Vec::as_slice).unwrap_or_default() {
            push_hash(&mut c.hashes, Some(h.clone()));
        }
        if c.download_location.is_none() {
            c.download_location = p.files.iter().find_map(|f| f.url.clone());
        }
        c.scope = p.groups.as_deref().and_then(|groups| {
            groups
                .iter()
                .map(|g| match normalize_name(g).as_str() {
                    "default" => Some(Scope::Required),
                    g => manifest.as_ref().and_then(|m| {
                        if m.optional_groups.contains(g) {
                            Some(Scope::Optional)
                        } else if m.dev_groups.contains(g) {
                            Some(Scope::Dev)
                        } else {
                            None
                        }
                    }),
                })
                .reduce(Scope::merge)
                .flatten()
        });
        c.direct = manifest.as_ref().map(|m| m.direct.contains(&normalize_name(&p.name)));
        components.push(Some(c));
    }

    let index = NameIndex::new(packages.iter().map(|(p, _)| p.name.as_str()));
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
    for (i, (p, line)) in packages.iter().enumerate() {
        for dep in &p.dependencies {
            let at = || lines.find_from(&format!("\"{}", dep.split('"').next().unwrap_or(dep)), *line).unwrap_or(*line);
            let req = match parse_requirement(dep.trim_start_matches("-e ")) {
                Ok(req) => req,
                Err(message) => {
                    diagnostics.push(skip(at(), format!("dependency of `{}` skipped: {message}", p.name)));
                    continue;
                }
            };
            let targets =
                index.resolve(&req.name, &req.specifier, |t| packages.get(t).and_then(|(p, _)| p.version.as_deref()));
            if targets.is_empty() && req.marker.is_none() {
                diagnostics.push(skip(
                    at(),
                    format!("dependency `{}` of `{}` matches no package in the lockfile", req.name, p.name),
                ));
            }
            if let Some(list) = edges.get_mut(i) {
                list.extend(targets);
            }
        }
    }
    Ok(Parsed { components: attach_edges(components, &edges), diagnostics })
}

/// `[metadata.files]` of 3.x lockfiles: hashes keyed `"normalized-name version"`.
fn metadata_files(metadata: Option<&toml::Table>) -> HashMap<String, Vec<Hash>> {
    let mut out: HashMap<String, Vec<Hash>> = HashMap::new();
    let files = metadata.and_then(|m| m.get("files")).and_then(toml::Value::as_table);
    for (key, list) in files.into_iter().flatten() {
        let Some((name, version)) = key.trim().split_once(' ') else { continue };
        let key = format!("{} {}", normalize_name(name), version.trim());
        for item in list.as_array().into_iter().flatten() {
            if let Some(hash) = item.get("hash").and_then(toml::Value::as_str).and_then(prefixed_hash) {
                out.entry(key.clone()).or_default().push(hash);
            }
        }
    }
    out
}
