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
    let name_end = text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(text.len());
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
        if let Some(phase) = pre_words.iter().find_map(|(w, p)| probe.word(w).then_some(*p)).or_else(|| probe.word("c").then_some(2)) {
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
            .then_with(|| (0..len).map(|i| self.release_at(i).cmp(&other.release_at(i))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal))
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
        for clause in alternative.split(',').map(str::trim).filter(|c| !c.is_empty() && *c != "*") {
            all &= clause_allows(clause, version, &v)?;
        }
        any |= all;
    }
    Some(any)
}

fn clause_allows(clause: &str, raw: &str, v: &Version) -> Option<bool> {
    const OPS: [&str; 10] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">", "^", "~"];
    let (op, rhs) = OPS
        .iter()
        .find_map(|op| clause.strip_prefix(op).map(|r| (*op, r.trim())))
        .unwrap_or(("==", clause));
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
    pub fn resolve<'v>(&self, name: &str, specifier: &str, version_of: impl Fn(usize) -> Option<&'v str>) -> Vec<usize> {
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
}
