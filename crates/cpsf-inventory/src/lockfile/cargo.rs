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

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Location, Purl};
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

/// One `[[package]]` entry as the TOML reader owns it.
#[derive(Deserialize)]
struct OwnedEntry {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl OwnedEntry {
    fn as_entry(&self) -> PackageEntry<'_> {
        PackageEntry {
            name: &self.name,
            version: &self.version,
            source: self.source.as_deref(),
            checksum: self.checksum.as_deref(),
            dependencies: self.dependencies.iter().map(String::as_str).collect(),
        }
    }
}

/// One `[[package]]` entry, its strings borrowed from the lockfile text (fast reader) or from the TOML
/// reader's [`OwnedEntry`]s, so reading copies no string.
#[derive(Debug, PartialEq)]
struct PackageEntry<'a> {
    name: &'a str,
    version: &'a str,
    source: Option<&'a str>,
    checksum: Option<&'a str>,
    dependencies: Vec<&'a str>,
}

/// Version 1 checksums by the words of their `[metadata]` key: name, version, source.
type V1Checksums<'a> = BTreeMap<(&'a str, &'a str, Option<&'a str>), &'a str>;

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
    // A bare name, as Cargo writes a reference whenever the name alone is unambiguous: nothing to trim or split.
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic() && b != b'(') {
        return Some(DependencyRef { name: text, version: None, source: None });
    }
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
struct Package<'a> {
    entry: &'a PackageEntry<'a>,
    kind: SourceKind,
    line: u32,
}

/// The lockfile's entries with their lines, read by either path.
struct Read<'a> {
    entries: Vec<(u32, Result<PackageEntry<'a>, String>)>,
    v1_checksums: V1Checksums<'a>,
}

/// What the TOML reader read, owned; [`TomlRead::view`] lends it out as a [`Read`].
struct TomlRead {
    entries: Vec<(u32, Result<OwnedEntry, String>)>,
    metadata: toml::Table,
}

impl TomlRead {
    fn view(&self) -> Read<'_> {
        let entries = self
            .entries
            .iter()
            .map(|(line, entry)| (*line, entry.as_ref().map(OwnedEntry::as_entry).map_err(String::clone)))
            .collect();
        let v1_checksums =
            read_v1_checksums(self.metadata.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v))));
        Read { entries, v1_checksums }
    }
}

/// Read with the TOML parser: any valid TOML, any layout.
fn read_toml(text: &str, lines: &LineIndex<'_>) -> Result<TomlRead, LockfileError> {
    let doc: LockDocument = toml::from_str(text).map_err(|e| LockfileError::toml(&e, text))?;
    check_version(&doc, lines)?;
    let entries = doc
        .package
        .into_iter()
        .map(|spanned| {
            let line = lines.line_of(spanned.span().start);
            let entry = spanned.into_inner().try_into().map_err(|e: toml::de::Error| e.message().to_owned());
            (line, entry)
        })
        .collect();
    Ok(TomlRead { entries, metadata: doc.metadata })
}

/// A `[[package]]` block being read by [`read_fast`].
#[derive(Default)]
struct Partial<'a> {
    line: u32,
    name: Option<&'a str>,
    version: Option<&'a str>,
    source: Option<&'a str>,
    checksum: Option<&'a str>,
    dependencies: Vec<&'a str>,
}

/// Read a lockfile laid out exactly as Cargo writes it (one key a line, `[[package]]` blocks, multi-line
/// `dependencies` arrays of plain strings, `[metadata]` checksums) without a TOML parser: several times
/// faster on large lockfiles. Anything else, including any escape in a string, returns `None` and the file
/// goes through [`read_toml`], so both paths give the same result on what this one accepts.
fn read_fast(text: &str) -> Option<Read<'_>> {
    /// `"..."` with no escapes; the rest of the line must be empty.
    fn string(value: &str) -> Option<&str> {
        let inner = value.strip_prefix('"')?.strip_suffix('"')?;
        (!scan::contains_either(inner.as_bytes(), b'"', b'\\')).then_some(inner)
    }
    enum Section {
        Top,
        Package,
        Metadata,
    }
    let mut section = Section::Top;
    let mut entries: Vec<(u32, Result<PackageEntry<'_>, String>)> = Vec::new();
    let mut current: Option<Partial<'_>> = None;
    let mut in_dependencies = false;
    let mut v1 = Vec::new();
    let mut rest = text;
    let mut line_no: u32 = 0;
    // Line by line as `str::lines` splits them (the `\r` of a `\r\n` goes with the trailing whitespace).
    while !rest.is_empty() {
        let (raw, after) = match scan::find(rest.as_bytes(), b'\n') {
            Some(end) => (rest.get(..end)?, rest.get(end + 1..)?),
            None => (rest, ""),
        };
        rest = after;
        line_no = line_no.checked_add(1)?;
        let line = trim_end(raw);
        if in_dependencies {
            let item = trim_start(line);
            if item == "]" {
                in_dependencies = false;
                continue;
            }
            let dep = string(item.strip_suffix(',')?)?;
            current.as_mut()?.dependencies.push(dep);
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[package]]" {
            finish(&mut current, &mut entries);
            current = Some(Partial { line: line_no, ..Partial::default() });
            section = Section::Package;
            continue;
        }
        if line == "[metadata]" {
            finish(&mut current, &mut entries);
            section = Section::Metadata;
            continue;
        }
        // `key = value`: keys here are bare words, so the first `=` is the separator.
        let equals = scan::find(line.as_bytes(), b'=')?;
        let key = line.get(..equals)?.strip_suffix(' ')?;
        let value = line.get(equals + 1..)?.strip_prefix(' ')?;
        match section {
            Section::Top => {
                let n: i64 = (key == "version").then(|| value.parse().ok()).flatten()?;
                if !(1..=NEWEST_VERSION).contains(&n) {
                    return None;
                }
            }
            Section::Metadata => v1.push((string(key)?, string(value)?)),
            Section::Package => {
                let entry = current.as_mut()?;
                let slot = match key {
                    "name" => &mut entry.name,
                    "version" => &mut entry.version,
                    "source" => &mut entry.source,
                    "checksum" => &mut entry.checksum,
                    "dependencies" if value == "[" => {
                        in_dependencies = true;
                        // Room for most packages' dependencies in one allocation.
                        entry.dependencies.reserve(8);
                        continue;
                    }
                    "dependencies" if value == "[]" => continue,
                    _ => return None,
                };
                if slot.is_some() {
                    return None;
                }
                *slot = Some(string(value)?);
            }
        }
    }
    if in_dependencies {
        return None;
    }
    finish(&mut current, &mut entries);
    let v1_checksums = read_v1_checksums(v1.into_iter());
    Some(Read { entries, v1_checksums })
}

/// Byte searches eight bytes at a time, for [`read_fast`]: its lines and values are short, and a byte loop
/// (or `str::lines`, `str::find`) costs several times more per line.
mod scan {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

    /// The word of eight bytes, the first in its lowest byte.
    fn word(eight: &[u8]) -> u64 {
        let mut word = [0; 8];
        word.copy_from_slice(eight);
        u64::from_le_bytes(word)
    }

    /// Nonzero when a byte of `x` is zero; the lowest byte flagged is the first zero byte (bytes above it may be
    /// flagged by the borrow).
    fn zero_bytes(x: u64) -> u64 {
        x.wrapping_sub(ONES) & !x & HIGHS
    }

    /// The position of the first `needle`.
    pub fn find(bytes: &[u8], needle: u8) -> Option<usize> {
        let pattern = u64::from_ne_bytes([needle; 8]);
        let mut words = bytes.chunks_exact(8);
        let mut offset = 0;
        for eight in &mut words {
            let zero = zero_bytes(word(eight) ^ pattern);
            if zero != 0 {
                return Some(offset + (zero.trailing_zeros() / 8) as usize);
            }
            offset += 8;
        }
        words.remainder().iter().position(|&b| b == needle).map(|at| offset + at)
    }

    /// Whether `a` or `b` is among the bytes.
    pub fn contains_either(bytes: &[u8], a: u8, b: u8) -> bool {
        let (pattern_a, pattern_b) = (u64::from_ne_bytes([a; 8]), u64::from_ne_bytes([b; 8]));
        let mut words = bytes.chunks_exact(8);
        for eight in &mut words {
            let w = word(eight);
            if zero_bytes(w ^ pattern_a) | zero_bytes(w ^ pattern_b) != 0 {
                return true;
            }
        }
        words.remainder().iter().any(|&c| c == a || c == b)
    }
}

/// `str::trim_end`, without its scan when the text ends in a visible ASCII character (as Cargo's lines do).
fn trim_end(text: &str) -> &str {
    match text.as_bytes().last() {
        Some(&last) if last.is_ascii() && !char::from(last).is_whitespace() => text,
        _ => text.trim_end(),
    }
}

/// `str::trim_start`, without its scan when the text is the one space Cargo indents an array item with,
/// then a visible ASCII character.
fn trim_start(text: &str) -> &str {
    match text.strip_prefix(' ') {
        Some(rest) if rest.as_bytes().first().is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace()) => rest,
        _ => text.trim_start(),
    }
}

/// The end of a `[[package]]` block in [`read_fast`]: its entry, or what it lacks.
fn finish<'a>(current: &mut Option<Partial<'a>>, entries: &mut Vec<(u32, Result<PackageEntry<'a>, String>)>) {
    if let Some(p) = current.take() {
        let entry = match (p.name, p.version) {
            (Some(name), Some(version)) => {
                Ok(PackageEntry { name, version, source: p.source, checksum: p.checksum, dependencies: p.dependencies })
            }
            (None, _) => Err("missing field `name`".to_owned()),
            (_, None) => Err("missing field `version`".to_owned()),
        };
        entries.push((p.line, entry));
    }
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    // The line index is built only when needed: the fast reader counts lines itself.
    let lines = std::cell::OnceCell::new();
    let lines = || lines.get_or_init(|| LineIndex::new(input.text));
    let toml_read;
    let Read { entries, v1_checksums } = match read_fast(input.text) {
        Some(read) => read,
        None => {
            toml_read = read_toml(input.text, lines())?;
            toml_read.view()
        }
    };
    let mut diagnostics = Vec::new();
    let skip = |line: u32, message: String| {
        Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message)
    };

    let mut packages: Vec<Package> = Vec::with_capacity(entries.len());
    let mut by_name = ByName::with_capacity(entries.len());
    for (line, entry) in &entries {
        let line = *line;
        let entry: &PackageEntry = match entry {
            Ok(entry) => entry,
            Err(message) => {
                diagnostics.push(skip(line, format!("package entry skipped: {message}")));
                continue;
            }
        };
        if entry.name.trim().is_empty() || entry.version.trim().is_empty() {
            diagnostics.push(skip(line, "package entry skipped: expected a non-empty `name` and `version`".into()));
            continue;
        }
        // A package listed twice (same name, version and source) is kept once.
        let same = |i: usize| {
            packages
                .get(i)
                .is_some_and(|p: &Package<'_>| p.entry.version == entry.version && p.entry.source == entry.source)
        };
        if !by_name.add(entry.name, packages.len(), same) {
            diagnostics.push(skip(
                line,
                format!("duplicate package `{} {}` skipped: it is already listed", entry.name, entry.version),
            ));
            continue;
        }
        let kind = classify_source(entry.source);
        packages.push(Package { entry, kind, line });
    }

    // Build one component per non-local package; `slot` says which component, by package.
    let mut out: Vec<Component> = Vec::with_capacity(packages.len());
    let mut slot: Vec<Option<usize>> = Vec::with_capacity(packages.len());
    for p in &packages {
        match build_component(p, input.path, &v1_checksums) {
            Ok(Some(component)) => {
                slot.push(Some(out.len()));
                out.push(component);
            }
            Ok(None) => slot.push(None),
            Err(message) => {
                diagnostics.push(skip(p.line, message));
                slot.push(None);
            }
        }
    }

    // Resolve edges (by component); local packages hand their targets the `direct` mark instead.
    let mut direct = vec![false; out.len()];
    let mut edges: Vec<BTreeSet<String>> = vec![BTreeSet::new(); out.len()];
    for (p, own) in packages.iter().zip(&slot) {
        let mut set = BTreeSet::new();
        for dep in &p.entry.dependencies {
            let target = match resolve(dep, &packages, &by_name) {
                Ok(t) => t,
                Err(message) => {
                    let line = lines().find_from(&format!("\"{dep}\""), p.line).unwrap_or(p.line);
                    diagnostics.push(skip(line, format!("dependency of `{}`: {message}", p.entry.name)));
                    continue;
                }
            };
            let Some(&Some(target)) = slot.get(target) else { continue };
            let Some(target_component) = out.get(target) else { continue };
            if p.kind == SourceKind::Local {
                if let Some(mark) = direct.get_mut(target) {
                    *mark = true;
                }
            } else {
                set.insert(target_component.bom_ref.clone());
            }
        }
        if let Some(deps) = own.and_then(|own| edges.get_mut(own)) {
            *deps = set;
        }
    }

    let has_local = packages.iter().any(|p| p.kind == SourceKind::Local);
    for (component, (deps, is_direct)) in out.iter_mut().zip(edges.into_iter().zip(direct)) {
        component.dependencies = deps;
        // Without any local package the lockfile does not say what the root depends on.
        component.direct = has_local.then_some(is_direct);
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
fn read_v1_checksums<'a>(metadata: impl Iterator<Item = (&'a str, &'a str)>) -> V1Checksums<'a> {
    let mut out = BTreeMap::new();
    for (key, value) in metadata {
        let Some(rest) = key.strip_prefix("checksum ") else { continue };
        let Some(reference) = parse_dependency_ref(rest) else { continue };
        let Some(version) = reference.version else { continue };
        out.insert((reference.name, version, reference.source), value);
    }
    out
}

fn build_component(p: &Package, path: &str, v1_checksums: &V1Checksums<'_>) -> Result<Option<Component>, String> {
    let entry = &p.entry;
    let base = || {
        Purl::new("cargo", entry.name)
            .map(|purl| purl.with_version(Some(entry.version)))
            .map_err(|e| format!("package `{}` skipped: {e}", entry.name))
    };
    let (purl, download) = match &p.kind {
        SourceKind::Local => return Ok(None),
        SourceKind::CratesIo => (base()?, Some(crates_io_download(entry.name, entry.version))),
        SourceKind::Registry(url) => (base()?.with_qualifier("repository_url", url), None),
        SourceKind::Git { url, commit } => {
            let vcs = match commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            };
            (base()?.with_qualifier("vcs_url", &vcs), Some(vcs))
        }
    };
    let mut component = Component::from_purl(purl);
    // Lists of one, allocated at that size.
    component.locations = vec![Location::new(path, Some(p.line))];
    component.download_location = download;
    let checksum = entry.checksum.or_else(|| v1_checksums.get(&(entry.name, entry.version, entry.source)).copied());
    if let Some(checksum) = checksum.filter(|c| *c != "<none>") {
        match sha256(checksum) {
            Some(h) => component.hashes = vec![h],
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

/// Where crates.io serves a crate's archive.
fn crates_io_download(name: &str, version: &str) -> String {
    const HOST: &str = "https://static.crates.io/crates/";
    let mut url = String::with_capacity(HOST.len() + 2 * name.len() + version.len() + 8);
    for part in [HOST, name, "/", name, "-", version, ".crate"] {
        url.push_str(part);
    }
    url
}

/// A `checksum` as a SHA-256 hash. Cargo writes lower-case hex, which is kept as it is; anything else goes
/// through [`Hash::hex`]'s trimming, case folding and checks.
fn sha256(checksum: &str) -> Option<Hash> {
    let canonical = checksum.len() == HashAlgorithm::Sha256.hex_len()
        && checksum.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if canonical {
        Some(Hash { algorithm: HashAlgorithm::Sha256, value: checksum.to_owned() })
    } else {
        Hash::hex(HashAlgorithm::Sha256, checksum)
    }
}

/// The packages of each name, in lockfile order, without a list per name: the first and last package of
/// a name, and from each package the next one of its name.
struct ByName<'a> {
    ends: foldhash::HashMap<&'a str, (usize, usize)>,
    next: Vec<Option<usize>>,
}

impl<'a> ByName<'a> {
    fn with_capacity(n: usize) -> Self {
        Self { ends: foldhash::HashMap::with_capacity_and_hasher(n, Default::default()), next: Vec::with_capacity(n) }
    }

    /// Add package `index` (one past the last one added) under `name`, unless `same` says a package already
    /// there is this one: then add nothing and return `false`.
    fn add(&mut self, name: &'a str, index: usize, same: impl Fn(usize) -> bool) -> bool {
        match self.ends.entry(name) {
            Entry::Occupied(mut ends) => {
                let (first, last) = *ends.get();
                let mut at = Some(first);
                while let Some(i) = at {
                    if same(i) {
                        return false;
                    }
                    at = self.next.get(i).copied().flatten();
                }
                if let Some(slot) = self.next.get_mut(last) {
                    *slot = Some(index);
                }
                ends.get_mut().1 = index;
            }
            Entry::Vacant(ends) => {
                ends.insert((index, index));
            }
        }
        self.next.push(None);
        true
    }

    fn packages(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.ends.get(name).map(|&(first, _)| first), |&i| self.next.get(i).copied().flatten())
    }
}

/// The index of the package a dependency string names.
fn resolve(text: &str, packages: &[Package], by_name: &ByName<'_>) -> Result<usize, String> {
    let reference = parse_dependency_ref(text)
        .ok_or_else(|| format!("expected `NAME`, `NAME VERSION` or `NAME VERSION (SOURCE)`, found `{text}`"))?;
    let same_name = || by_name.packages(reference.name);
    let named = |i: &usize| {
        packages.get(*i).is_some_and(|p| {
            reference.version.is_none_or(|v| p.entry.version == v)
                && reference.source.is_none_or(|s| p.entry.source == Some(s))
        })
    };
    let mut candidates = same_name().filter(named);
    let (first, second) = (candidates.next(), candidates.next());
    match (first, second) {
        (Some(one), None) => return Ok(one),
        (None, _) => return Err(format!("`{text}` matches no package in the lockfile")),
        (Some(_), Some(_)) => {}
    }
    // Cargo writes no source for path packages, so when a registry package shares the name and version,
    // a reference without `(SOURCE)` names the path package.
    if reference.source.is_none() {
        let is_local = |i: &usize| packages.get(*i).is_some_and(|p| p.entry.source.is_none());
        let mut local = same_name().filter(named).filter(is_local);
        if let (Some(one), None) = (local.next(), local.next()) {
            return Ok(one);
        }
    }
    let count = same_name().filter(named).count();
    Err(format!("`{text}` matches {count} packages; expected a version to tell them apart"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Cargo.lock the fast reader accepts reads the same as with the TOML parser: the fixtures and,
    /// when the shared data is there, the large real lockfiles.
    #[test]
    fn fast_reader_agrees_with_toml() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut stack = vec![root.join("tests/data/cargo")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n == "Cargo.lock") {
                    files.push(path);
                }
            }
        }
        let shared = std::env::var_os("CPSF_TEST_DATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("../../../shared/data"))
            .join("large-lockfiles/cargo");
        if let Ok(dir) = std::fs::read_dir(&shared) {
            files.extend(dir.map(|e| e.unwrap().path()));
        }
        let mut fast = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let Some(quick) = read_fast(&text) else { continue };
            fast += 1;
            let lines = LineIndex::new(&text);
            let owned = read_toml(&text, &lines).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
            let slow = owned.view();
            assert_eq!(quick.entries, slow.entries, "{}", file.display());
            assert_eq!(quick.v1_checksums, slow.v1_checksums, "{}", file.display());
        }
        assert!(fast >= files.len() / 2, "the fast reader took only {fast} of {} lockfiles", files.len());
        println!("{fast} of {} lockfiles read by the fast path, all equal", files.len());
    }

    #[test]
    fn word_searches_agree_with_byte_loops() {
        let text: Vec<u8> = (0..200u32).map(|i| b"ab=\"\\\n c\xc3\xa9"[(i * 7 % 10) as usize]).collect();
        for start in 0..text.len() {
            for end in start..text.len().min(start + 40) {
                let part = &text[start..end];
                for needle in [b'\n', b'=', b'"', b'z'] {
                    assert_eq!(scan::find(part, needle), part.iter().position(|&b| b == needle), "{part:?}");
                }
                let either = part.iter().any(|&b| b == b'"' || b == b'\\');
                assert_eq!(scan::contains_either(part, b'"', b'\\'), either, "{part:?}");
            }
        }
    }

    #[test]
    fn fast_reader_refuses_what_it_does_not_know() {
        for text in [
            "[[package]]\nname = \"a\\u0062\"\nversion = \"1\"\n",
            "[[package]]\nname = 'a'\nversion = \"1\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\nreplace = \"b\"\n",
            "version = 9\n",
            "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n \"b\",\n",
            "[patch.unused]\n",
            "[[package]]\nname = \"a\"\nname = \"b\"\n",
        ] {
            assert!(read_fast(text).is_none(), "{text}");
        }
    }
}
