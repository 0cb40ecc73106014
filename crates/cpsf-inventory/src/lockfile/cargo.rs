//! Parser for Rust's `Cargo.lock`, lockfile versions 1 to 4.
//!
//! - Version 1 has no `version` key and keeps checksums in a `[metadata]` table keyed
//!   `"checksum NAME VERSION (SOURCE)"`; its dependency strings always read `NAME VERSION (SOURCE)`.
//! - Version 2 (also without a `version` key), 3 and 4 put `checksum` on each package and shorten dependency
//!   strings to `NAME`, or `NAME VERSION` (plus `(SOURCE)`) only when the name alone is ambiguous.
//!   Version 4 may keep `?branch=`/`?tag=`/`?rev=` on git source URLs.
//!
//! Packages without `source` are the workspace's own crates and path dependencies: they are not reported
//! as components, and the components they depend on are marked direct. crates.io packages get
//! `pkg:cargo/NAME@VERSION`; other registries add the `repository_url` qualifier; git packages add
//! `vcs_url` (`git+URL@COMMIT`), which is also their download location.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl};
use serde::Deserialize;
use toml::Spanned;

use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The newest lockfile version this parser understands.
const NEWEST_VERSION: i64 = 4;
const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE_INDEX: &str = "https://index.crates.io/";

/// The document as written; packages stay loose so that one bad entry does not sink the file.
#[derive(Deserialize)]
struct LockDocument {
    version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    package: Vec<Spanned<toml::Table>>,
    /// Version 1 checksums (and anything else tools put there).
    #[serde(default)]
    metadata: toml::Table,
}

/// One `[[package]]` entry.
#[derive(Deserialize)]
struct PackageEntry {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// Where a package comes from, read from its `source` string.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SourceKind {
    /// No `source`: a workspace member or a path dependency.
    Local,
    CratesIo,
    /// Another registry, by index URL.
    Registry(String),
    /// A git repository: URL without query or fragment, and the locked commit when present.
    Git {
        url: String,
        commit: Option<String>,
    },
}

fn classify_source(source: Option<&str>) -> SourceKind {
    let Some(source) = source else { return SourceKind::Local };
    if let Some(url) = source.strip_prefix("registry+") {
        if url.trim_end_matches('/') == CRATES_IO_GIT_INDEX {
            SourceKind::CratesIo
        } else {
            SourceKind::Registry(url.to_owned())
        }
    } else if let Some(url) = source.strip_prefix("sparse+") {
        if url.trim_end_matches('/') == CRATES_IO_SPARSE_INDEX.trim_end_matches('/') {
            SourceKind::CratesIo
        } else {
            SourceKind::Registry(source.to_owned())
        }
    } else if let Some(rest) = source.strip_prefix("git+") {
        let (without_fragment, commit) = match rest.split_once('#') {
            Some((u, c)) => (u, Some(c.to_owned()).filter(|c| !c.is_empty())),
            None => (rest, None),
        };
        let url = without_fragment.split('?').next().unwrap_or(without_fragment).to_owned();
        SourceKind::Git { url, commit }
    } else if source.starts_with("path+") {
        SourceKind::Local
    } else {
        SourceKind::Registry(source.to_owned())
    }
}

/// A dependency reference inside `dependencies = [...]`: `NAME`, `NAME VERSION` or `NAME VERSION (SOURCE)`.
struct DependencyRef<'a> {
    name: &'a str,
    version: Option<&'a str>,
    source: Option<&'a str>,
}

fn parse_dependency_ref(text: &str) -> Option<DependencyRef<'_>> {
    let text = text.trim();
    let (head, source) = match text.find('(') {
        Some(open) => {
            let inner = text.get(open + 1..)?.strip_suffix(')')?;
            (text.get(..open)?, Some(inner.trim()))
        }
        None => (text, None),
    };
    let mut words = head.split_whitespace();
    let name = words.next()?;
    let version = words.next();
    if words.next().is_some() {
        return None;
    }
    Some(DependencyRef { name, version, source })
}

/// A package that survived reading, with what is needed to resolve edges to it.
struct Package {
    entry: PackageEntry,
    kind: SourceKind,
    line: u32,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: LockDocument = toml::from_str(input.text).map_err(|e| LockfileError::toml(&e, input.text))?;
    let lines = LineIndex::new(input.text);
    check_version(&doc, &lines)?;
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    let v1_checksums = read_v1_checksums(&doc.metadata);
    let mut packages: Vec<Package> = Vec::with_capacity(doc.package.len());
    let mut seen: BTreeSet<(String, String, Option<String>)> = BTreeSet::new();
    for spanned in doc.package {
        let line = lines.line_of(spanned.span().start);
        let entry: PackageEntry = match spanned.into_inner().try_into() {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(skip(line, format!("package entry skipped: {}", e.message())));
                continue;
            }
        };
        if entry.name.trim().is_empty() || entry.version.trim().is_empty() {
            diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name` and `version`".into()));
            continue;
        }
        let key = (entry.name.clone(), entry.version.clone(), entry.source.clone());
        if !seen.insert(key) {
            diagnostics.push(skip(
                line,
                format!("duplicate package `{} {}` skipped: it is already listed", entry.name, entry.version),
            ));
            continue;
        }
        let kind = classify_source(entry.source.as_deref());
        packages.push(Package { entry, kind, line });
    }

    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.entry.name.as_str()).or_default().push(i);
    }

    // Build one component per non-local package (indices line up with `packages`).
    let mut components: Vec<Option<Component>> = Vec::with_capacity(packages.len());
    for p in &packages {
        let component = match build_component(p, input.path, &v1_checksums) {
            Ok(c) => c,
            Err(message) => {
                diagnostics.push(skip(p.line, message));
                None
            }
        };
        components.push(component);
    }

    // Resolve edges; local packages hand their targets the `direct` mark instead.
    let mut direct: BTreeSet<usize> = BTreeSet::new();
    let mut edges: Vec<BTreeSet<String>> = vec![BTreeSet::new(); packages.len()];
    for (i, p) in packages.iter().enumerate() {
        for dep in &p.entry.dependencies {
            let target = match resolve(dep, &packages, &by_name) {
                Ok(t) => t,
                Err(message) => {
                    let line = lines.find_from(&format!("\"{dep}\""), p.line).unwrap_or(p.line);
                    diagnostics.push(skip(line, format!("dependency of `{}`: {message}", p.entry.name)));
                    continue;
                }
            };
            let Some(Some(target_component)) = components.get(target) else { continue };
            if p.kind == SourceKind::Local {
                direct.insert(target);
            } else if let Some(set) = edges.get_mut(i) {
                set.insert(target_component.bom_ref.clone());
            }
        }
    }

    let has_local = packages.iter().any(|p| p.kind == SourceKind::Local);
    let mut out = Vec::with_capacity(components.len());
    for (i, (component, deps)) in components.into_iter().zip(edges).enumerate() {
        let Some(mut component) = component else { continue };
        component.dependencies = deps;
        // Without any local package the lockfile does not say what the root depends on.
        component.direct = has_local.then(|| direct.contains(&i));
        out.push(component);
    }
    Ok(Parsed { components: out, diagnostics })
}

/// Accept `version = 1..=4` or no `version` key (formats 1 and 2, which the resolution below treats alike).
fn check_version(doc: &LockDocument, lines: &LineIndex<'_>) -> Result<(), LockfileError> {
    match &doc.version {
        None => Ok(()),
        Some(v) => {
            let line = Some(lines.line_of(v.span().start));
            match v.get_ref() {
                toml::Value::Integer(n) if (1..=NEWEST_VERSION).contains(n) => Ok(()),
                toml::Value::Integer(n) => Err(LockfileError::unsupported(
                    line,
                    format!("Cargo.lock version {n} is not supported (expected 1 to {NEWEST_VERSION})"),
                )),
                other => Err(LockfileError::malformed(
                    line,
                    format!("expected `version` to be an integer, found {}", other.type_str()),
                )),
            }
        }
    }
}

/// `[metadata]` entries `"checksum NAME VERSION (SOURCE)" = "HEX"` of version 1 lockfiles, by that key's words.
fn read_v1_checksums(metadata: &toml::Table) -> BTreeMap<(String, String, Option<String>), String> {
    let mut out = BTreeMap::new();
    for (key, value) in metadata {
        let Some(rest) = key.strip_prefix("checksum ") else { continue };
        let (Some(reference), Some(value)) = (parse_dependency_ref(rest), value.as_str()) else { continue };
        let Some(version) = reference.version else { continue };
        out.insert(
            (reference.name.to_owned(), version.to_owned(), reference.source.map(str::to_owned)),
            value.to_owned(),
        );
    }
    out
}

fn build_component(
    p: &Package,
    path: &str,
    v1_checksums: &BTreeMap<(String, String, Option<String>), String>,
) -> Result<Option<Component>, String> {
    let entry = &p.entry;
    let base = Purl::new("cargo", &entry.name)
        .map_err(|e| format!("package `{}` skipped: {e}", entry.name))?
        .with_version(Some(&entry.version));
    let (purl, download) = match &p.kind {
        SourceKind::Local => return Ok(None),
        SourceKind::CratesIo => {
            let url = format!(
                "https://static.crates.io/crates/{name}/{name}-{version}.crate",
                name = entry.name,
                version = entry.version
            );
            (base, Some(url))
        }
        SourceKind::Registry(url) => (base.with_qualifier("repository_url", url), None),
        SourceKind::Git { url, commit } => {
            let vcs = match commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            };
            (base.with_qualifier("vcs_url", &vcs), Some(vcs))
        }
    };
    let mut component = Component::from_purl(purl).at(path, Some(p.line));
    component.download_location = download;
    let checksum = entry
        .checksum
        .clone()
        .or_else(|| v1_checksums.get(&(entry.name.clone(), entry.version.clone(), entry.source.clone())).cloned());
    if let Some(checksum) = checksum.filter(|c| c != "<none>") {
        match Hash::hex(HashAlgorithm::Sha256, &checksum) {
            Some(h) => component.hashes.push(h),
            None => {
                return Err(format!(
                    "package `{} {}` skipped: expected `checksum` to be 64 hex digits (SHA-256), found `{checksum}`",
                    entry.name, entry.version
                ));
            }
        }
    }
    Ok(Some(component))
}

/// The index of the package a dependency string names.
fn resolve(text: &str, packages: &[Package], by_name: &BTreeMap<&str, Vec<usize>>) -> Result<usize, String> {
    let reference = parse_dependency_ref(text)
        .ok_or_else(|| format!("expected `NAME`, `NAME VERSION` or `NAME VERSION (SOURCE)`, found `{text}`"))?;
    let candidates: Vec<usize> = by_name
        .get(reference.name)
        .map(|v| v.as_slice())
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|&i| {
            packages.get(i).is_some_and(|p| {
                reference.version.is_none_or(|v| p.entry.version == v)
                    && reference.source.is_none_or(|s| p.entry.source.as_deref() == Some(s))
            })
        })
        .collect();
    // Cargo writes no source for path packages, so when a registry package shares the name and version,
    // a reference without `(SOURCE)` names the path package.
    let candidates = if candidates.len() > 1 && reference.source.is_none() {
        let local: Vec<usize> =
            candidates.iter().copied().filter(|&i| packages.get(i).is_some_and(|p| p.entry.source.is_none())).collect();
        if local.len() == 1 { local } else { candidates }
    } else {
        candidates
    };
    match candidates.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("`{text}` matches no package in the lockfile")),
        _ => Err(format!("`{text}` matches {} packages; expected a version to tell them apart", candidates.len())),
    }
}
