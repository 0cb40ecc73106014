//! Python vocabulary shared by the Python lockfile parsers: PEP 503 names, PEP 508 requirements,
//! PEP 440 versions and specifiers (enough to pick between locked packages), and component building.

use std::cmp::Ordering;
use std::collections::HashMap;

use cpsf_model::{Component, Hash, HashAlgorithm, Purl};

/// PEP 503 normalized project name.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// Whether `name` is a valid project name (PEP 508: ASCII letters and digits, with `-`, `_`, `.` inside).
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// A library component `pkg:pypi/<normalized name>@<version>`; `None` when the name is not a valid project name.
pub fn pypi_component(name: &str, version: Option<&str>) -> Option<Component> {
    if !is_valid_name(name.trim()) {
        return None;
    }
    let version = version.map(str::trim).filter(|v| !v.is_empty());
    let purl = Purl::new("pypi", &normalize_name(name)).ok()?.with_version(version);
    Some(Component::from_purl(purl))
}

/// Where a locked Python package comes from, as far as its purl and download location are concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A package index (simple repository) by URL; the default PyPI index adds nothing to the purl.
    Index(String),
    /// A version-control checkout, written `git+URL@REV` (the `vcs_url` of the purl and the download location).
    Vcs(String),
    /// A direct URL to an archive (wheel or sdist).
    Archive(String),
    /// A local file or directory: nothing to add.
    Local,
}

/// Whether an index URL is PyPI's own, which purls leave implicit.
pub fn is_default_index(url: &str) -> bool {
    let url = url.trim().trim_end_matches('/').to_ascii_lowercase();
    matches!(
        url.as_str(),
        "https://pypi.org/simple" | "https://pypi.python.org/simple" | "https://pypi.org/pypi" | "https://pypi.org"
    )
}

/// Whether a URL points somewhere remote (as opposed to `file:` URLs and plain paths).
pub fn is_remote_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once("://").map(|(s, _)| s).unwrap_or_default();
    let scheme = scheme.rsplit('+').next().unwrap_or(scheme);
    matches!(scheme, "http" | "https" | "ssh" | "git" | "ftp" | "svn" | "hg" | "bzr")
}

/// `KIND+URL@REV` for a version-control source (`git+https://host/repo@commit`); `url` may already carry the
/// `KIND+` prefix, and loses any query (`?rev=`, `?branch=`) and fragment.
pub fn vcs_locator(kind: &str, url: &str, rev: Option<&str>) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let url = url.split('?').next().unwrap_or(url);
    let prefix = format!("{kind}+");
    let mut out = if url.starts_with(&prefix) { url.to_owned() } else { format!("{prefix}{url}") };
    if let Some(rev) = rev.map(str::trim).filter(|r| !r.is_empty()) {
        out.push('@');
        out.push_str(rev);
    }
    out
}

/// A Python component with the purl qualifiers and download location its origin calls for; `None` when the
/// name is not a valid project name.
pub fn python_component(name: &str, version: Option<&str>, origin: &Origin) -> Option<Component> {
    if !is_valid_name(name.trim()) {
        return None;
    }
    let version = version.map(str::trim).filter(|v| !v.is_empty());
    let mut purl = Purl::new("pypi", &normalize_name(name)).ok()?.with_version(version);
    let mut download = None;
    match origin {
        Origin::Index(url) if !url.trim().is_empty() && !is_default_index(url) && is_remote_url(url) => {
            purl = purl.with_qualifier("repository_url", url.trim());
        }
        Origin::Index(_) | Origin::Local => {}
        Origin::Vcs(locator) => {
            purl = purl.with_qualifier("vcs_url", locator);
            download = Some(locator.clone());
        }
        Origin::Archive(url) => {
            if is_remote_url(url) {
                purl = purl.with_qualifier("download_url", url.trim());
                download = Some(url.trim().to_owned());
            }
        }
    }
    let mut component = Component::from_purl(purl);
    component.download_location = download;
    Some(component)
}

/// The project name and version a distribution file name carries (`pkg-1.0-py3-none-any.whl`,
/// `pkg-1.0.tar.gz`); `None` when it is neither a wheel nor an sdist, or the version is not PEP 440.
pub fn archive_name_version(file_name: &str) -> Option<(String, String)> {
    let file = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let file = file.split(['#', '?']).next().unwrap_or(file);
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let (name, version) = (parts.next()?, parts.next()?);
        // A wheel name has 5 or 6 dash-separated parts (optional build tag).
        let rest = parts.count();
        if !(3..=4).contains(&rest) || Version::parse(version).is_none() {
            return None;
        }
        return Some((name.to_owned(), version.to_owned()));
    }
    let stem = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext).filter(|s| !s.is_empty()))?;
    // sdist names may contain dashes: the version starts after the last dash that leaves a PEP 440 version.
    let (name, version) = stem.rsplit_once('-')?;
    (is_valid_name(name) && Version::parse(version).is_some()).then(|| (name.to_owned(), version.to_owned()))
}

/// The version a distribution file carries when it belongs to project `name` (compared PEP 503-normalized).
pub fn archive_version_for(name: &str, file_name: &str) -> Option<String> {
    let (file_project, version) = archive_name_version(file_name)?;
    (normalize_name(&file_project) == normalize_name(name)).then_some(version)
}

/// What a `pyproject.toml` declares: the normalized names the project depends on directly (every kind:
/// PEP 621 dependencies and extras, PEP 735 groups, Poetry's and PDM's tables), and which group names are
/// extras (optional) or development groups.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProjectManifest {
    pub direct: std::collections::BTreeSet<String>,
    pub optional_groups: std::collections::BTreeSet<String>,
    pub dev_groups: std::collections::BTreeSet<String>,
}

/// Read a `pyproject.toml`; `None` when it is not valid TOML.
pub fn read_pyproject(text: &str) -> Option<ProjectManifest> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut out = ProjectManifest::default();
    let project = doc.get("project").and_then(toml::Value::as_table);
    let tool = doc.get("tool").and_then(toml::Value::as_table);
    let poetry = tool.and_then(|t| t.get("poetry")).and_then(toml::Value::as_table);
    let pdm = tool.and_then(|t| t.get("pdm")).and_then(toml::Value::as_table);
    let uv = tool.and_then(|t| t.get("uv")).and_then(toml::Value::as_table);
    let own_name = project
        .and_then(|p| p.get("name"))
        .or_else(|| poetry.and_then(|p| p.get("name")))
        .and_then(toml::Value::as_str)
        .map(normalize_name);
    let add_strings = |out: &mut ProjectManifest, value: Option<&toml::Value>| {
        for item in value.and_then(toml::Value::as_array).into_iter().flatten() {
            if let Some(name) = item.as_str().and_then(requirement_name) {
                out.direct.insert(name);
            }
        }
    };
    add_strings(&mut out, project.and_then(|p| p.get("dependencies")));
    for (group, list) in
        project.and_then(|p| p.get("optional-dependencies")).and_then(toml::Value::as_table).into_iter().flatten()
    {
        out.optional_groups.insert(normalize_name(group));
        add_strings(&mut out, Some(list));
    }
    let dev_tables = [doc.get("dependency-groups"), pdm.and_then(|p| p.get("dev-dependencies"))];
    for table in dev_tables.into_iter().flatten().filter_map(toml::Value::as_table) {
        for (group, list) in table {
            out.dev_groups.insert(normalize_name(group));
            add_strings(&mut out, Some(list));
        }
    }
    add_strings(&mut out, uv.and_then(|u| u.get("dev-dependencies")));
    if let Some(poetry) = poetry {
        let add_keys = |out: &mut ProjectManifest, value: Option<&toml::Value>| {
            for key in value.and_then(toml::Value::as_table).into_iter().flat_map(|t| t.keys()) {
                if key != "python" && is_valid_name(key) {
                    out.direct.insert(normalize_name(key));
                }
            }
        };
        add_keys(&mut out, poetry.get("dependencies"));
        add_keys(&mut out, poetry.get("dev-dependencies"));
        if poetry.get("dev-dependencies").is_some() {
            out.dev_groups.insert("dev".to_owned());
        }
        for (group, table) in poetry.get("group").and_then(toml::Value::as_table).into_iter().flatten() {
            out.dev_groups.insert(normalize_name(group));
            add_keys(&mut out, table.get("dependencies"));
        }
        for (extra, _) in poetry.get("extras").and_then(toml::Value::as_table).into_iter().flatten() {
            out.optional_groups.insert(normalize_name(extra));
        }
    }
    if let Some(own) = own_name {
        out.direct.remove(&own);
    }
    Some(out)
}

/// The normalized project name a requirement string starts with (`-e` lines and bad strings give `None`).
fn requirement_name(text: &str) -> Option<String> {
    parse_requirement(text).ok().map(|r| normalize_name(&r.name))
}

/// A hash written `alg:hex` (pip, Poetry, uv, pdm); `None` for unknown algorithms or bad digests.
pub fn prefixed_hash(text: &str) -> Option<Hash> {
    Hash::prefixed(text.trim())
}

/// Hashes written as a table `{ sha256 = "hex", ... }` (PEP 751); unknown algorithms are ignored.
pub fn table_hashes<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Hash> {
    entries.into_iter().filter_map(|(alg, hex)| Hash::hex(HashAlgorithm::parse(alg)?, hex)).collect()
}

/// Push `hash` unless already present.
pub fn push_hash(hashes: &mut Vec<Hash>, hash: Option<Hash>) {
    if let Some(h) = hash
        && !hashes.contains(&h)
    {
        hashes.push(h);
    }
}

/// Fold components that share a `bom_ref` into one, keeping the order of first appearance.
pub fn merge_components(components: Vec<Component>) -> Vec<Component> {
    let mut out: Vec<Component> = Vec::with_capacity(components.len());
    let mut at: HashMap<String, usize> = HashMap::new();
    for c in components {
        match at.get(&c.bom_ref).and_then(|&i| out.get_mut(i)) {
            Some(existing) => existing.absorb(c),
            None => {
                at.insert(c.bom_ref.clone(), out.len());
                out.push(c);
            }
        }
    }
    out
}

/// Give each component its edges (indices into `components`, which line up with the lockfile's packages),
/// dropping self-edges and edges to packages that are not components, then fold duplicates together.
pub fn attach_edges(components: Vec<Option<Component>>, edges: &[Vec<usize>]) -> Vec<Component> {
    let refs: Vec<Option<String>> = components.iter().map(|c| c.as_ref().map(|c| c.bom_ref.clone())).collect();
    let mut out = Vec::with_capacity(components.len());
    for (i, component) in components.into_iter().enumerate() {
        let Some(mut component) = component else { continue };
        for &target in edges.get(i).map(Vec::as_slice).unwrap_or_default() {
            if let Some(Some(to)) = refs.get(target)
                && *to != component.bom_ref
            {
                component.dependencies.insert(to.clone());
            }
        }
        out.push(component);
    }
    merge_components(out)
}

/// A PEP 508 dependency specification, split into its parts (the marker is kept as text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    pub extras: Vec<String>,
    /// Version specifier as written (`>=1.0,<2`), without parentheses; empty when absent.
    pub specifier: String,
    /// Direct reference after `@`.
    pub url: Option<String>,
    pub marker: Option<String>,
}

impl Requirement {
    /// The exact version this requirement pins, if it pins one.
    pub fn pinned_version(&self) -> Option<String> {
        pinned_version(&self.specifier)
    }
}

/// Parse a PEP 508 requirement such as `name[extra]>=1.0; python_version < "3.11"` or `name @ https://...`.
pub fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let text = text.trim();
    let name_end =
        text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(text.len());
    let name = text.get(..name_end).unwrap_or_default();
    if !is_valid_name(name) {
        return Err(format!("expected a project name at the start of `{text}`"));
    }
    let mut rest = text.get(name_end..).unwrap_or_default().trim_start();
    let mut extras = Vec::new();
    if let Some(after) = rest.strip_prefix('[') {
        let close = after.find(']').ok_or_else(|| format!("expected `]` closing the extras of `{name}`"))?;
        for extra in after.get(..close).unwrap_or_default().split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !is_valid_name(extra) {
                return Err(format!("invalid extra name `{extra}` in `{name}`"));
            }
            extras.push(extra.to_owned());
        }
        rest = after.get(close + 1..).unwrap_or_default().trim_start();
    }
    let mut req = Requirement { name: name.to_owned(), extras, ..Requirement::default() };
    if let Some(after) = rest.strip_prefix('@') {
        let after = after.trim_start();
        let url_end = after.find(char::is_whitespace).unwrap_or(after.len());
        let url = after.get(..url_end).unwrap_or_default();
        if url.is_empty() {
            return Err(format!("expected a URL after `@` in `{name}`"));
        }
        req.url = Some(url.to_owned());
        rest = after.get(url_end..).unwrap_or_default().trim_start();
        if !rest.is_empty() {
            let marker = rest.strip_prefix(';').ok_or_else(|| format!("expected `;` before the marker of `{name}`"))?;
            req.marker = Some(marker.trim().to_owned()).filter(|m| !m.is_empty());
        }
        return Ok(req);
    }
    let (spec, marker) = match rest.split_once(';') {
        Some((s, m)) => (s, Some(m.trim())),
        None => (rest, None),
    };
    let mut spec = spec.trim();
    if let Some(inner) = spec.strip_prefix('(') {
        spec = inner.strip_suffix(')').ok_or_else(|| format!("expected `)` closing the specifier of `{name}`"))?.trim();
    }
    if !spec.is_empty() && !spec.starts_with(['<', '>', '=', '!', '~']) {
        return Err(format!("expected a version specifier (`==`, `>=` ...) after `{name}`, found `{spec}`"));
    }
    req.specifier = spec.to_owned();
    req.marker = marker.filter(|m| !m.is_empty()).map(str::to_owned);
    Ok(req)
}

/// The version an exact specifier (`==1.2`, `===1.2`) pins; `None` for ranges, wildcards or no specifier.
pub fn pinned_version(specifier: &str) -> Option<String> {
    let mut pinned: Option<String> = None;
    for clause in specifier.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let value = clause.strip_prefix("===").or_else(|| clause.strip_prefix("=="));
        let Some(value) = value.map(str::trim) else { continue };
        if value.is_empty() || value.contains('*') || value.contains(char::is_whitespace) {
            return None;
        }
        match &pinned {
            Some(p) if p != value => return None,
            _ => pinned = Some(value.to_owned()),
        }
    }
    pinned
}

/// A PEP 440 version, reduced to what ordering needs (the local label is ignored).
#[derive(Clone, Debug)]
pub struct Version {
    epoch: u64,
    release: Vec<u64>,
    /// (phase, number): dev-only = (-1, 0), alpha 0, beta 1, rc 2, final = (3, 0).
    pre: (i8, u64),
    post: Option<u64>,
    dev: Option<u64>,
}

impl Version {
    /// Parse a PEP 440 version (`1.2`, `v1!2.0rc1.post2.dev3+local`); `None` when it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        let s = lower.strip_prefix('v').unwrap_or(&lower);
        let s = s.split('+').next().unwrap_or_default();
        let (epoch, s) = match s.split_once('!') {
            Some((e, r)) => (e.parse().ok()?, r),
            None => (0, s),
        };
        let mut cur = Cursor(s);
        let mut release = vec![cur.number()?];
        while cur.0.starts_with('.') && cur.0.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            cur.skip(1);
            release.push(cur.number()?);
        }
        let mut pre = None;
        let mut post = None;
        let mut dev = None;
        let pre_words: [(&str, i8); 7] =
            [("alpha", 0), ("a", 0), ("beta", 1), ("b", 1), ("preview", 2), ("pre", 2), ("rc", 2)];
        let mut probe = cur.clone();
        probe.separator();
        if let Some(phase) =
            pre_words.iter().find_map(|(w, p)| probe.word(w).then_some(*p)).or_else(|| probe.word("c").then_some(2))
        {
            probe.separator();
            pre = Some((phase, probe.number().unwrap_or(0)));
            cur = probe;
        }
        let mut probe = cur.clone();
        if probe.0.starts_with('-') && probe.0.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            probe.skip(1);
            post = probe.number();
            cur = probe;
        } else {
            probe.separator();
            if probe.word("post") || probe.word("rev") || probe.word("r") {
                probe.separator();
                post = Some(probe.number().unwrap_or(0));
                cur = probe;
            }
        }
        let mut probe = cur.clone();
        probe.separator();
        if probe.word("dev") {
            probe.separator();
            dev = Some(probe.number().unwrap_or(0));
            cur = probe;
        }
        if !cur.0.is_empty() {
            return None;
        }
        let pre = match (pre, post, dev) {
            (Some(p), _, _) => p,
            (None, None, Some(_)) => (-1, 0),
            _ => (3, 0),
        };
        Some(Self { epoch, release, pre, post, dev })
    }

    fn release_at(&self, i: usize) -> u64 {
        self.release.get(i).copied().unwrap_or(0)
    }

    /// Whether the release segments start with `prefix` (for `==1.2.*` and `~=`).
    fn release_starts_with(&self, prefix: &[u64]) -> bool {
        prefix.iter().enumerate().all(|(i, p)| self.release_at(i) == *p)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.release.len().max(other.release.len());
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| {
                (0..len)
                    .map(|i| self.release_at(i).cmp(&other.release_at(i)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| self.pre.cmp(&other.pre))
            .then_with(|| self.post.map_or(-1, |p| p as i128).cmp(&other.post.map_or(-1, |p| p as i128)))
            .then_with(|| self.dev.unwrap_or(u64::MAX).cmp(&other.dev.unwrap_or(u64::MAX)))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone)]
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    fn skip(&mut self, n: usize) {
        self.0 = self.0.get(n..).unwrap_or_default();
    }
    fn number(&mut self) -> Option<u64> {
        let end = self.0.find(|c: char| !c.is_ascii_digit()).unwrap_or(self.0.len());
        let n = self.0.get(..end)?.parse().ok()?;
        self.skip(end);
        Some(n)
    }
    fn separator(&mut self) {
        if self.0.starts_with(['.', '-', '_']) {
            self.skip(1);
        }
    }
    fn word(&mut self, w: &str) -> bool {
        match self.0.strip_prefix(w) {
            Some(rest) => {
                self.0 = rest;
                true
            }
            None => false,
        }
    }
}

/// Whether `version` satisfies `specifier` (PEP 440 clauses joined by `,`, alternatives by `||`, and Poetry's
/// `^`, `~` and bare versions). `None` when either cannot be read.
pub fn specifier_allows(specifier: &str, version: &str) -> Option<bool> {
    let v = Version::parse(version)?;
    let mut any = false;
    for alternative in specifier.split("||") {
        let mut all = true;
        for clause in split_clauses(alternative) {
            all &= clause_allows(&clause, version, &v)?;
        }
        any |= all;
    }
    Some(any)
}

/// Clauses of one alternative: separated by `,` or (Poetry) whitespace, an operator written apart from its
/// version (`>= 1.0`) kept with it; `*` (anything) is dropped.
fn split_clauses(alternative: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op = false;
    for token in alternative.split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()) {
        match out.last_mut() {
            Some(last) if pending_op => last.push_str(token),
            _ => out.push(token.to_owned()),
        }
        pending_op = token.chars().all(|c| matches!(c, '<' | '>' | '=' | '!' | '~' | '^'));
    }
    out.retain(|c| c != "*");
    out
}

fn clause_allows(clause: &str, raw: &str, v: &Version) -> Option<bool> {
    const OPS: [&str; 10] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">", "^", "~"];
    let (op, rhs) =
        OPS.iter().find_map(|op| clause.strip_prefix(op).map(|r| (*op, r.trim()))).unwrap_or(("==", clause));
    if op == "===" {
        return Some(raw.trim() == rhs);
    }
    if let Some(prefix) = rhs.strip_suffix(".*") {
        let p = Version::parse(prefix)?;
        let matched = v.epoch == p.epoch && v.release_starts_with(&p.release);
        return match op {
            "==" => Some(matched),
            "!=" => Some(!matched),
            _ => None,
        };
    }
    let r = Version::parse(rhs)?;
    Some(match op {
        "==" => *v == r,
        "!=" => *v != r,
        "<=" => *v <= r,
        ">=" => *v >= r,
        "<" => *v < r,
        ">" => *v > r,
        "~=" => {
            let keep = r.release.len().checked_sub(1).filter(|k| *k > 0)?;
            *v >= r && v.release_starts_with(r.release.get(..keep)?)
        }
        "^" => {
            let first_nonzero = r.release.iter().position(|n| *n != 0).unwrap_or(r.release.len().saturating_sub(1));
            *v >= r && v.release_starts_with(r.release.get(..=first_nonzero)?)
        }
        "~" => {
            let keep = if r.release.len() >= 2 { 2 } else { 1 };
            *v >= r && v.release_starts_with(r.release.get(..keep)?)
        }
        _ => return None,
    })
}

/// Locked packages by normalized name, to resolve dependency edges.
#[derive(Debug, Default)]
pub struct NameIndex {
    by_name: HashMap<String, Vec<usize>>,
}

impl NameIndex {
    /// Index `names` (raw, normalized here) by their position.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, name) in names.into_iter().enumerate() {
            by_name.entry(normalize_name(name)).or_default().push(i);
        }
        Self { by_name }
    }

    /// Every package of that name.
    pub fn candidates(&self, name: &str) -> &[usize] {
        self.by_name.get(&normalize_name(name)).map_or(&[], Vec::as_slice)
    }

    /// The packages of that name whose version satisfies `specifier`; when none does (or the specifier is
    /// unreadable), every package of that name, so an edge is never lost.
    pub fn resolve<'v>(
        &self,
        name: &str,
        specifier: &str,
        version_of: impl Fn(usize) -> Option<&'v str>,
    ) -> Vec<usize> {
        let all = self.candidates(name);
        if all.len() <= 1 || specifier.trim().is_empty() {
            return all.to_vec();
        }
        let chosen: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| version_of(i).and_then(|v| specifier_allows(specifier, v)).unwrap_or(false))
            .collect();
        if chosen.is_empty() { all.to_vec() } else { chosen }
    }
}

/// Check the `[metadata]` lock version of a Poetry or PDM lockfile (`key` = `"2.1"`-style string): accepted when
/// its major is one of `supported` or when it is absent (as in the oldest files).
pub fn check_lock_version(
    metadata: Option<&toml::Spanned<toml::Table>>,
    lines: &crate::text::LineIndex<'_>,
    file: &str,
    key: &str,
    supported: &[u64],
    example: &str,
) -> Result<(), super::LockfileError> {
    use super::LockfileError;
    let Some(metadata) = metadata else { return Ok(()) };
    let Some(value) = metadata.get_ref().get(key) else { return Ok(()) };
    let line = lines.find(key).or(Some(lines.line_of(metadata.span().start)));
    let text = value
        .as_str()
        .ok_or_else(|| LockfileError::malformed(line, format!("expected `{key}` to be a string such as {example}")))?;
    let major = text.split('.').next().and_then(|m| m.trim().parse::<u64>().ok()).ok_or_else(|| {
        LockfileError::malformed(line, format!("expected `{key}` to read MAJOR.MINOR, found `{text}`"))
    })?;
    if !supported.contains(&major) {
        let expected: Vec<String> = supported.iter().map(|m| format!("{m}.x")).collect();
        return Err(LockfileError::unsupported(
            line,
            format!("{file} {key} {text} is not supported (expected {})", expected.join(" or ")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalize() {
        assert_eq!(normalize_name("Typing_Extensions"), "typing-extensions");
        assert_eq!(normalize_name("zope..interface"), "zope-interface");
        assert!(is_valid_name("a.b-c_d"));
        assert!(!is_valid_name("-a"));
        assert!(!is_valid_name(""));
    }

    #[test]
    fn requirements_split() {
        let r = parse_requirement("Foo_Bar[x, y] (>=1.0,<2) ; python_version < \"3.8\"").unwrap();
        assert_eq!((r.name.as_str(), r.extras.len(), r.specifier.as_str()), ("Foo_Bar", 2, ">=1.0,<2"));
        assert_eq!(r.marker.as_deref(), Some("python_version < \"3.8\""));
        let r = parse_requirement("pkg @ https://x.invalid/p.whl ; os_name == 'nt'").unwrap();
        assert_eq!(r.url.as_deref(), Some("https://x.invalid/p.whl"));
        assert!(parse_requirement("pkg 1.0").is_err());
        assert!(parse_requirement("[x]").is_err());
        assert_eq!(pinned_version("==1.2.3"), Some("1.2.3".into()));
        assert_eq!(pinned_version(">=1,==1.2"), Some("1.2".into()));
        assert_eq!(pinned_version("==1.*"), None);
        assert_eq!(pinned_version(">=1"), None);
    }

    #[test]
    fn versions_order_as_pep_440() {
        let order = ["1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1", "2!0.1"];
        for w in order.windows(2) {
            let (a, b) = (Version::parse(w[0]).unwrap(), Version::parse(w[1]).unwrap());
            assert!(a < b, "{} < {}", w[0], w[1]);
        }
        assert_eq!(Version::parse("1.0"), Version::parse("1.0.0"));
        assert!(Version::parse("1.0-foo").is_none());
    }

    #[test]
    fn specifiers_select() {
        assert_eq!(specifier_allows(">=1.22,<2", "1.26.4"), Some(true));
        assert_eq!(specifier_allows(">=2", "1.26.4"), Some(false));
        assert_eq!(specifier_allows("==1.26.*", "1.26.4"), Some(true));
        assert_eq!(specifier_allows("~=1.4", "1.9"), Some(true));
        assert_eq!(specifier_allows("~=1.4.2", "1.5"), Some(false));
        assert_eq!(specifier_allows("^0.3.1", "0.4.0"), Some(false));
        assert_eq!(specifier_allows("<1 || >=3", "3.1"), Some(true));
        assert_eq!(specifier_allows("1.0", "1.0.0"), Some(true));
        assert_eq!(specifier_allows(">=x", "1"), None);
    }

    #[test]
    fn versions_edge_cases() {
        let v = |s: &str| Version::parse(s).unwrap_or_else(|| panic!("{s} should parse"));
        assert_eq!(v("1.0-1"), v("1.0.post1"));
        assert_eq!(v("1.0RC1"), v("1.0rc1"));
        assert_eq!(v("1.0c1"), v("1.0rc1"));
        assert_eq!(v("v1.2"), v("1.2"));
        assert_eq!(v("1.0+local.7"), v("1.0"));
        assert_eq!(v("1.0-alpha.2"), v("1.0a2"));
        assert!(v("1.0a1.dev1") < v("1.0a1"));
        assert!(v("1.0.post1.dev1") < v("1.0.post1"));
        assert!(v("1.0.post1.dev1") > v("1.0"));
        assert!(v("1.0.dev1") < v("1.0a1"));
        assert!(v("1!0.1") > v("9999.0"));
        assert!(v("1.10") > v("1.9"));
        for bad in ["", "v", "1..0", "1.0.", "abc", "1.0-", "1!", "x!1.0"] {
            assert!(Version::parse(bad).is_none(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn specifiers_edge_cases() {
        assert_eq!(specifier_allows(">= 1.0, < 2.0", "1.5"), Some(true));
        assert_eq!(specifier_allows(">=1.0 <2.0", "2.0"), Some(false));
        assert_eq!(specifier_allows("^1.2", "1.9.9"), Some(true));
        assert_eq!(specifier_allows("^1.2", "2.0"), Some(false));
        assert_eq!(specifier_allows("^0.0.3", "0.0.4"), Some(false));
        assert_eq!(specifier_allows("~1.2.3", "1.2.9"), Some(true));
        assert_eq!(specifier_allows("~1.2.3", "1.3.0"), Some(false));
        assert_eq!(specifier_allows("!=1.5.*", "1.5.2"), Some(false));
        assert_eq!(specifier_allows("!=1.5.*", "1.6"), Some(true));
        assert_eq!(specifier_allows("===1.0", "1.0"), Some(true));
        assert_eq!(specifier_allows("===1.0", "1.0.0"), Some(false));
        assert_eq!(specifier_allows("*", "3.1"), Some(true));
        assert_eq!(specifier_allows("", "3.1"), Some(true));
        assert_eq!(specifier_allows("~=1", "1.0"), None);
        assert_eq!(specifier_allows(">=1", "not-a-version"), None);
    }

    #[test]
    fn requirements_edge_cases() {
        let r = parse_requirement("name@https://x.invalid/a.whl").unwrap();
        assert_eq!((r.name.as_str(), r.url.as_deref()), ("name", Some("https://x.invalid/a.whl")));
        let r = parse_requirement("requests [security] >= 2.8.1, == 2.8.*").unwrap();
        assert_eq!(
            (r.extras.clone(), r.specifier.as_str(), r.pinned_version()),
            (vec!["security".to_owned()], ">= 2.8.1, == 2.8.*", None)
        );
        assert_eq!(parse_requirement("black ===24.3.0").unwrap().pinned_version().as_deref(), Some("24.3.0"));
        assert!(parse_requirement("pkg[bad extra]").is_err());
        assert!(parse_requirement("pkg[x").is_err());
        assert!(parse_requirement("pkg @ ").is_err());
        assert!(parse_requirement("pkg @ https://x.invalid/p.whl os_name").is_err());
        assert!(parse_requirement("pkg (>=1").is_err());
        assert_eq!(parse_requirement("pkg;").unwrap().marker, None);
        assert_eq!(pinned_version("==1.0,==2.0"), None);
        assert_eq!(pinned_version("== 1.0"), Some("1.0".into()));
    }

    #[test]
    fn distribution_file_names() {
        let nv = |f: &str| archive_name_version(f);
        assert_eq!(nv("typing_extensions-4.8.0-py3-none-any.whl"), Some(("typing_extensions".into(), "4.8.0".into())));
        assert_eq!(nv("pkg-1.0-1-cp312-cp312-manylinux_2_17_x86_64.whl"), Some(("pkg".into(), "1.0".into())));
        assert_eq!(nv("pyobjc-framework-Cocoa-10.0.tar.gz"), Some(("pyobjc-framework-Cocoa".into(), "10.0".into())));
        assert_eq!(nv("https://x.invalid/d/six-1.16.0.zip#sha256=00"), Some(("six".into(), "1.16.0".into())));
        assert_eq!(nv("pkg-1.0.whl"), None);
        assert_eq!(nv("README.md"), None);
        assert_eq!(nv("-1.0.tar.gz"), None);
        assert_eq!(
            archive_version_for("Typing-Extensions", "typing_extensions-4.8.0.tar.gz").as_deref(),
            Some("4.8.0")
        );
        assert_eq!(archive_version_for("six", "typing_extensions-4.8.0.tar.gz"), None);
    }

    #[test]
    fn components_carry_their_origin() {
        let c = python_component("Django", Some("5.0.1"), &Origin::Index("https://pypi.org/simple/".into())).unwrap();
        assert_eq!(c.bom_ref, "pkg:pypi/django@5.0.1");
        let c = python_component("corp_lib", Some("1.0"), &Origin::Index("https://pypi.corp.example/simple".into()))
            .unwrap();
        assert_eq!(c.bom_ref, "pkg:pypi/corp-lib@1.0?repository_url=https:%2F%2Fpypi.corp.example%2Fsimple");
        let vcs = vcs_locator("git", "https://github.com/o/r?rev=main#0123abc", Some("0123abc"));
        assert_eq!(vcs, "git+https://github.com/o/r@0123abc");
        assert_eq!(vcs_locator("git", "git+ssh://git@host/r.git", None), "git+ssh://git@host/r.git");
        let c = python_component("r", None, &Origin::Vcs(vcs.clone())).unwrap();
        assert_eq!(c.download_location.as_deref(), Some(vcs.as_str()));
        assert!(c.bom_ref.starts_with("pkg:pypi/r?vcs_url=git%2Bhttps:"));
        let c = python_component("a", Some("1"), &Origin::Archive("file:///tmp/a-1.tar.gz".into())).unwrap();
        assert_eq!((c.bom_ref.as_str(), c.download_location), ("pkg:pypi/a@1", None));
        assert!(python_component("not valid", None, &Origin::Local).is_none());
    }

    #[test]
    fn pyproject_declarations() {
        let m = read_pyproject(
            r#"
[project]
name = "demo"
dependencies = ["Requests>=2", "demo[extra]"]
[project.optional-dependencies]
Socks = ["PySocks"]
[dependency-groups]
test = ["pytest", { include-group = "lint" }]
lint = ["ruff"]
[tool.poetry.dependencies]
python = "^3.11"
attrs = "*"
[tool.poetry.group.docs.dependencies]
mkdocs = "*"
[tool.pdm.dev-dependencies]
dev = ["-e file:///${PROJECT_ROOT}/sub#egg=sub", "black"]
"#,
        )
        .unwrap();
        let direct: Vec<&str> = m.direct.iter().map(String::as_str).collect();
        assert_eq!(direct, ["attrs", "black", "mkdocs", "pysocks", "pytest", "requests", "ruff"]);
        assert!(m.optional_groups.contains("socks"));
        assert!(m.dev_groups.contains("test") && m.dev_groups.contains("docs") && m.dev_groups.contains("dev"));
        assert!(read_pyproject("not = [toml").is_none());
    }

    #[test]
    fn name_index_picks_versions() {
        let names = ["numpy", "NumPy", "six"];
        let versions = ["1.26.4", "2.1.0", "1.16.0"];
        let idx = NameIndex::new(names);
        assert_eq!(idx.candidates("numpy"), &[0, 1]);
        assert_eq!(idx.resolve("numpy", ">=2", |i| versions.get(i).copied()), vec![1]);
        assert_eq!(idx.resolve("numpy", ">=9", |i| versions.get(i).copied()), vec![0, 1]);
        assert_eq!(idx.resolve("numpy", "", |i| versions.get(i).copied()), vec![0, 1]);
        assert!(idx.candidates("absent").is_empty());
    }
}
