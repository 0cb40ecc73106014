//! Parser for Bundler's `Gemfile.lock` (and `gems.locked`, the same format under another name).
//!
//! The file is a list of sections, each a header at column 0 followed by indented lines:
//! - source sections `GEM`, `GIT`, `PATH` and `PLUGIN SOURCE`: `  key: value` options (`remote`, `revision`,
//!   `branch`, `tag`, ...), then `  specs:` with one gem per 4-space line `name (version[-platform])` and that
//!   gem's dependencies on the 6-space lines below it (`name (requirement)`), which become edges;
//! - `DEPENDENCIES`: what the Gemfile asks for (direct), `name!` when it comes from a non-rubygems source;
//! - `CHECKSUMS` (Bundler 2.5+): `name (version[-platform]) sha256=HEX[,...]`;
//! - `PLATFORMS`, `RUBY VERSION` and `BUNDLED WITH`, which describe the environment and are not components.
//!
//! As Bundler does, the text inside the parentheses of a spec is split at its first `-`: before it the version,
//! after it the platform, which becomes the purl qualifier `platform` (`pkg:gem/nokogiri@1.16.0?platform=x86_64-linux`).
//! A `GEM` source other than rubygems.org adds `repository_url`; a gem from a source with one remote gets the
//! download URL gem servers use (`REMOTE/gems/NAME-VERSION[-PLATFORM].gem`). `GIT` gems get `vcs_url`
//! (`git+REMOTE@REVISION`), which is also their download location. `PATH` gems are the project's own gemspec or
//! local path gems: like Cargo path packages they are not components, and what they depend on is direct.
//! A dependency names a gem, not a platform build of it, so an edge goes to every platform variant locked for
//! that name. Gemfile.lock does not record groups (development, test), so no scope is set.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, Hash, Purl};

use super::entries::{ComponentMap, entry_skipped};
use super::{LockfileError, LockfileInput, Parsed};

const RUBYGEMS_ORG: &str = "https://rubygems.org";

/// The section a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Index into the sources read so far.
    Source(usize),
    Dependencies,
    Checksums,
    /// `PLATFORMS`, `RUBY VERSION`, `BUNDLED WITH` and sections this parser does not know.
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceType {
    Gem,
    Git,
    Path,
    Plugin,
}

struct Source {
    ty: SourceType,
    /// Options in file order; `remote` may repeat in old `GEM` sections.
    options: Vec<(String, String)>,
}

impl Source {
    fn option(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn remotes(&self) -> Vec<&str> {
        self.options.iter().filter(|(k, _)| k == "remote").map(|(_, v)| v.as_str()).collect()
    }
}

struct Spec {
    name: String,
    version: String,
    platform: Option<String>,
    source: usize,
    line: u32,
    /// Names of the gems it depends on, with their lines.
    dependencies: Vec<(String, u32)>,
}

/// The parts of `name`, `name (inner)`, `name!`, `name (inner)! rest` or `name (inner) rest`.
struct NameLine<'a> {
    name: &'a str,
    inner: Option<&'a str>,
    rest: &'a str,
}

fn name_line(text: &str) -> Option<NameLine<'_>> {
    let (name, inner, rest) = match text.find(" (") {
        Some(open) => {
            let after = text.get(open + 2..)?;
            let close = after.find(')')?;
            (text.get(..open)?, Some(after.get(..close)?), after.get(close + 1..)?)
        }
        None => match text.find(' ') {
            Some(space) => (text.get(..space)?, None, text.get(space..)?),
            None => (text, None, ""),
        },
    };
    let name = name.strip_suffix('!').unwrap_or(name);
    let rest = rest.strip_prefix('!').unwrap_or(rest).trim();
    (!name.is_empty() && !name.chars().any(char::is_whitespace)).then_some(NameLine { name, inner, rest })
}

/// Bundler's split of `1.16.0-x86_64-linux` into version and platform; `ruby` is the default platform.
fn version_platform(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once('-') {
        Some((version, platform)) => (version, Some(platform).filter(|p| !p.is_empty() && *p != "ruby")),
        None => (inner, None),
    }
}

/// Everything read from the file before components are built.
#[derive(Default)]
struct Lock {
    sources: Vec<Source>,
    specs: Vec<Spec>,
    /// Names under `DEPENDENCIES`, or `None` when the section is absent.
    dependencies: Option<BTreeSet<String>>,
    /// (name, version, platform) -> hashes.
    checksums: BTreeMap<(String, String, Option<String>), Vec<Hash>>,
    /// The spec that 6-space dependency lines belong to: the last one read, unless something else came since.
    current: Option<usize>,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let mut diagnostics = Vec::new();
    let lock = read(input, &mut diagnostics)?;
    let components = build(input, &lock, &mut diagnostics);
    diagnostics.sort_by_key(|d| d.line);
    Ok(Parsed { components, diagnostics })
}

fn read(input: &LockfileInput<'_>, diagnostics: &mut Vec<Diagnostic>) -> Result<Lock, LockfileError> {
    let mut lock = Lock::default();
    let mut section: Option<Section> = None;
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"].iter().any(|m| raw.starts_with(m)) {
            return Err(LockfileError::malformed(
                Some(line),
                "the lockfile contains a merge conflict marker: expected a resolved Gemfile.lock",
            ));
        }
        if raw.trim().is_empty() {
            continue;
        }
        if !raw.starts_with([' ', '\t']) {
            section = Some(header(raw.trim_end(), line, &mut lock)?);
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let text = raw.trim();
        let Some(current) = section else {
            return Err(LockfileError::malformed(
                Some(line),
                "expected a section header such as `GEM` before the first indented line",
            ));
        };
        let mut skip = |message: String| diagnostics.push(entry_skipped(input, Some(line), message));
        if raw.get(indent..).is_some_and(|r| r.starts_with('\t')) {
            skip(format!("line skipped: expected indentation with spaces, found a tab in `{text}`"));
            continue;
        }
        match current {
            Section::Ignored => {}
            Section::Dependencies => {
                if indent != 2 {
                    skip(format!("line skipped: expected a dependency indented by 2 spaces, found {indent}"));
                } else if let Some(entry) = name_line(text) {
                    lock.dependencies.get_or_insert_default().insert(entry.name.to_owned());
                } else {
                    skip(format!("line skipped: expected `NAME` or `NAME (REQUIREMENT)`, found `{text}`"));
                }
            }
            Section::Checksums => {
                if let Err(message) = checksum(text, indent, &mut lock) {
                    skip(message);
                }
            }
            Section::Source(source) => {
                if let Err(message) = source_line(text, indent, source, line, &mut lock) {
                    skip(message);
                }
            }
        }
    }
    Ok(lock)
}

/// Start a section from its header line.
fn header(text: &str, line: u32, lock: &mut Lock) -> Result<Section, LockfileError> {
    lock.current = None;
    let source_type = match text {
        "GEM" => Some(SourceType::Gem),
        "GIT" => Some(SourceType::Git),
        "PATH" => Some(SourceType::Path),
        "PLUGIN SOURCE" => Some(SourceType::Plugin),
        _ => None,
    };
    if let Some(ty) = source_type {
        lock.sources.push(Source { ty, options: Vec::new() });
        return Ok(Section::Source(lock.sources.len() - 1));
    }
    Ok(match text {
        "DEPENDENCIES" => {
            lock.dependencies.get_or_insert_default();
            Section::Dependencies
        }
        "CHECKSUMS" => Section::Checksums,
        other
            if other.starts_with(|c: char| c.is_ascii_alphanumeric())
                && other.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ') =>
        {
            Section::Ignored
        }
        other => {
            return Err(LockfileError::malformed(
                Some(line),
                format!("expected a section header such as `GEM` or `DEPENDENCIES`, found `{other}`"),
            ));
        }
    })
}

/// One indented line of a source section: an option, `specs:`, a spec or a dependency of the last spec.
fn source_line(text: &str, indent: usize, source: usize, line: u32, lock: &mut Lock) -> Result<(), String> {
    if indent != 6 {
        lock.current = None;
    }
    match indent {
        2 if text == "specs:" => Ok(()),
        2 => {
            let (key, value) = text
                .split_once(": ")
                .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()))
                .ok_or_else(|| format!("line skipped: expected `key: value` or `specs:`, found `{text}`"))?;
            if let Some(s) = lock.sources.get_mut(source) {
                s.options.push((key.to_owned(), value.trim().to_owned()));
            }
            Ok(())
        }
        4 => {
            let entry = name_line(text)
                .filter(|e| e.rest.is_empty())
                .ok_or_else(|| format!("gem skipped: expected `NAME (VERSION)`, found `{text}`"))?;
            let inner = entry.inner.ok_or_else(|| format!("gem `{}` skipped: expected `(VERSION)`", entry.name))?;
            let (version, platform) = version_platform(inner.trim());
            if version.is_empty() || version.chars().any(char::is_whitespace) {
                return Err(format!("gem `{}` skipped: expected a version, found `({inner})`", entry.name));
            }
            lock.specs.push(Spec {
                name: entry.name.to_owned(),
                version: version.to_owned(),
                platform: platform.map(str::to_owned),
                source,
                line,
                dependencies: Vec::new(),
            });
            lock.current = Some(lock.specs.len() - 1);
            Ok(())
        }
        6 => {
            let entry = name_line(text)
                .ok_or_else(|| format!("dependency skipped: expected `NAME (REQUIREMENT)`, found `{text}`"))?;
            match lock.current.and_then(|i| lock.specs.get_mut(i)) {
                Some(spec) => {
                    spec.dependencies.push((entry.name.to_owned(), line));
                    Ok(())
                }
                None => Err(format!("dependency `{}` skipped: it follows no gem", entry.name)),
            }
        }
        other => Err(format!("line skipped: expected an indentation of 2, 4 or 6 spaces, found {other}: `{text}`")),
    }
}

/// `name (version[-platform]) alg=HEX[,alg=HEX]` under `CHECKSUMS`; a gem without a digest is fine.
fn checksum(text: &str, indent: usize, lock: &mut Lock) -> Result<(), String> {
    if indent != 2 {
        return Err(format!("checksum skipped: expected an entry indented by 2 spaces, found {indent}"));
    }
    let entry = name_line(text)
        .ok_or_else(|| format!("checksum skipped: expected `NAME (VERSION) ALG=HEX`, found `{text}`"))?;
    let inner = entry.inner.ok_or_else(|| format!("checksum of `{}` skipped: expected `(VERSION)`", entry.name))?;
    if entry.rest.is_empty() {
        return Ok(());
    }
    let mut hashes = Vec::new();
    for digest in entry.rest.split(',').map(str::trim) {
        let hash = Hash::prefixed(digest).ok_or_else(|| {
            format!(
                "checksum of `{} ({inner})` skipped: expected `ALGORITHM=HEX` such as `sha256=...`, found `{digest}`",
                entry.name
            )
        })?;
        hashes.push(hash);
    }
    let (version, platform) = version_platform(inner.trim());
    lock.checksums.insert((entry.name.to_owned(), version.to_owned(), platform.map(str::to_owned)), hashes);
    Ok(())
}

/// A URL without `user:password@`, which must not travel into an SBOM.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest.get(..authority_end).and_then(|a| a.rfind('@')) {
        Some(at) => format!("{scheme}://{}", rest.get(at + 1..).unwrap_or_default()),
        None => url.to_owned(),
    }
}

/// A git remote as a `git+` URL: scp-like `user@host:path` becomes `ssh://user@host/path`.
fn git_url(remote: &str) -> String {
    if remote.starts_with("git+") || remote.starts_with("git://") {
        return remote.to_owned();
    }
    if !remote.contains("://")
        && let Some((host, path)) = remote.split_once(':')
        && host.contains('@')
        && !path.starts_with('/')
    {
        return format!("git+ssh://{host}/{path}");
    }
    format!("git+{}", without_userinfo(remote))
}

/// The component of a gem from a non-local source, with purl qualifiers and download location.
fn component(input: &LockfileInput<'_>, spec: &Spec, source: &Source) -> Result<Component, String> {
    let mut purl = Purl::new("gem", &spec.name)
        .map_err(|e| format!("gem `{}` skipped: {e}", spec.name))?
        .with_version(Some(&spec.version));
    if let Some(platform) = &spec.platform {
        purl = purl.with_qualifier("platform", platform);
    }
    let mut download = None;
    match source.ty {
        SourceType::Gem => {
            if let [remote] = source.remotes().as_slice() {
                let remote = without_userinfo(remote);
                let base = remote.trim_end_matches('/');
                if base != RUBYGEMS_ORG {
                    purl = purl.with_qualifier("repository_url", base);
                }
                let platform = spec.platform.as_deref().map(|p| format!("-{p}")).unwrap_or_default();
                download = Some(format!("{base}/gems/{}-{}{platform}.gem", spec.name, spec.version));
            }
        }
        SourceType::Git => {
            if let Some(remote) = source.option("remote") {
                let vcs = match source.option("revision") {
                    Some(rev) => format!("{}@{rev}", git_url(remote)),
                    None => git_url(remote),
                };
                purl = purl.with_qualifier("vcs_url", &vcs);
                download = Some(vcs);
            }
        }
        SourceType::Plugin | SourceType::Path => {}
    }
    let mut c = Component::from_purl(purl).at(input.path, Some(spec.line));
    c.download_location = download;
    Ok(c)
}

fn build(input: &LockfileInput<'_>, lock: &Lock, diagnostics: &mut Vec<Diagnostic>) -> Vec<Component> {
    let mut set = ComponentMap::default();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(lock.specs.len());
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut local_names: BTreeSet<&str> = BTreeSet::new();
    for spec in &lock.specs {
        let Some(source) = lock.sources.get(spec.source) else {
            refs.push(None);
            continue;
        };
        if source.ty == SourceType::Path {
            local_names.insert(spec.name.as_str());
            refs.push(None);
            continue;
        }
        match component(input, spec, source) {
            Ok(mut c) => {
                let key = (spec.name.clone(), spec.version.clone(), spec.platform.clone());
                c.hashes.extend(lock.checksums.get(&key).into_iter().flatten().cloned());
                let bom_ref = set.add(c);
                let targets = by_name.entry(spec.name.as_str()).or_default();
                if !targets.contains(&bom_ref) {
                    targets.push(bom_ref.clone());
                }
                refs.push(Some(bom_ref));
            }
            Err(message) => {
                diagnostics.push(entry_skipped(input, Some(spec.line), message));
                refs.push(None);
            }
        }
    }

    let mut direct: BTreeSet<String> = BTreeSet::new();
    for (spec, from) in lock.specs.iter().zip(&refs) {
        let is_local = lock.sources.get(spec.source).is_some_and(|s| s.ty == SourceType::Path);
        for (name, line) in &spec.dependencies {
            match by_name.get(name.as_str()) {
                Some(targets) => {
                    for to in targets {
                        if is_local {
                            direct.insert(to.clone());
                        } else if let Some(from) = from {
                            set.add_edge(from, to);
                        }
                    }
                }
                // Bundler itself is never locked as a spec; local gems are not components.
                None if name == "bundler" || local_names.contains(name.as_str()) => {}
                None if from.is_none() && !is_local => {}
                None => diagnostics.push(entry_skipped(
                    input,
                    Some(*line),
                    format!("dependency `{name}` of `{}` matches no gem in the lockfile; edge dropped", spec.name),
                )),
            }
        }
    }
    if let Some(names) = &lock.dependencies {
        for name in names {
            direct.extend(by_name.get(name.as_str()).into_iter().flatten().cloned());
        }
    }
    set.mark_direct(&direct, lock.dependencies.is_some());
    set.into_components()
}
