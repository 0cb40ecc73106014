//! Parser for Swift Package Manager's `Package.resolved`, versions 1 to 3; also three helpers the other parsers
//! of this group share: the JSON position finder (`renv.rs`), repository-URL splitting (`renv.rs`) and the
//! `git+URL@REVISION#PATH` download-location form (all of them).
//!
//! - Version 1 keeps its pins under `object.pins[]` as `{ package, repositoryURL, state { branch, revision,
//!   version } }`.
//! - Version 2 has top-level `pins[]` of `{ identity, kind, location, state }`, `kind` being
//!   `remoteSourceControl`, `localSourceControl` or `registry`; version 3 adds `originHash` (a hash of the
//!   manifests the pins were resolved from, not of any package) and changes nothing else we read.
//!
//! A source-control pin becomes `pkg:swift/<host>/<owner path>/<repository>@<version>`, read from its URL (`.git`
//! stripped, case kept). A pin on a branch or a bare revision has no version: its commit goes in the `vcs_url`
//! qualifier (`git+URL@REVISION`) so that two such pins stay apart. Every pin with a revision gets
//! `git+URL@REVISION` as its download location (an scp-like `git@host:path` written `ssh://git@host/path`).
//! Registry pins are `pkg:swift/<scope>/<name>@<version>` from their `scope.name` identity, with the registry
//! URL in `repository_url` when the pin records one (SwiftPM usually writes an empty `location`). Local checkouts (`localSourceControl`, or a version-1 URL that is a local path)
//! are the developer's own folders, not external components, and are left out. The file records no edges and
//! does not say which packages the root depends on directly, so `direct` stays unknown.

use std::collections::BTreeSet;

use cpsf_model::{Component, Diagnostic, Purl};
use serde_json::Value;

use super::entries::{entry_skipped, json_kind};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The newest `Package.resolved` version this parser understands.
const NEWEST_VERSION: u64 = 3;

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let root = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of Package.resolved"))?;
    let lines = LineIndex::new(input.text);
    let locator = JsonLocator::new(input.text);
    let version_line = locator.path(&["version"]).map(|o| lines.line_of(o));
    let version = match root.get("version") {
        None if root.contains_key("object") => 1,
        None => 2,
        Some(v) => v.as_u64().ok_or_else(|| {
            LockfileError::malformed(version_line, format!("expected `version` to be an integer, found `{v}`"))
        })?,
    };
    if !(1..=NEWEST_VERSION).contains(&version) {
        return Err(LockfileError::unsupported(
            version_line,
            format!("Package.resolved version {version} is not supported (expected 1 to {NEWEST_VERSION})"),
        ));
    }
    let pins_path: &[&str] = if version == 1 { &["object", "pins"] } else { &["pins"] };
    let pins = match pins_path.iter().try_fold(&doc, |v, key| v.get(key)) {
        Some(Value::Array(pins)) => pins.as_slice(),
        None => &[],
        Some(other) => {
            let line = locator.path(pins_path).map(|o| lines.line_of(o));
            return Err(LockfileError::malformed(
                line,
                format!("expected `{}` to be an array, found {}", pins_path.join("."), json_kind(other)),
            ));
        }
    };
    let pin_lines: Vec<u32> = locator
        .path(pins_path)
        .map(|o| locator.elements(o).into_iter().map(|e| lines.line_of(e)).collect())
        .unwrap_or_default();

    let mut components = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, pin) in pins.iter().enumerate() {
        let line = pin_lines.get(i).copied();
        let label = ["identity", "package", "location", "repositoryURL"]
            .iter()
            .find_map(|key| str_field(pin, key))
            .map_or_else(|| "pin".to_owned(), |name| format!("pin `{name}`"));
        let pin = if version == 1 { read_v1_pin(pin) } else { read_v2_pin(pin) };
        let pin = match pin {
            Ok(Some(pin)) => pin,
            Ok(None) => continue,
            Err(message) => {
                diagnostics.push(entry_skipped(input, line, format!("{label} skipped: {message}")));
                continue;
            }
        };
        match build_component(&pin) {
            Ok(purl) => {
                let mut component = Component::from_purl(purl).at(input.path, line);
                if !seen.insert(component.bom_ref.clone()) {
                    diagnostics.push(entry_skipped(
                        input,
                        line,
                        format!("duplicate pin `{}` skipped: it is already listed", component.bom_ref),
                    ));
                    continue;
                }
                if let (PinKind::Remote(location), Some(revision)) = (&pin.kind, &pin.revision) {
                    component.download_location = Some(git_location(location, Some(revision), None));
                }
                components.push(component);
            }
            Err(message) => diagnostics.push(entry_skipped(input, line, format!("{label} skipped: {message}"))),
        }
    }
    Ok(Parsed { components, diagnostics })
}

/// Where a pin comes from.
enum PinKind {
    /// A remote git repository, by URL.
    Remote(String),
    /// A package registry, by `scope.name` identity, with the registry's URL when the pin records one.
    Registry { identity: String, location: Option<String> },
}

/// A pin of either layout, read.
struct Pin {
    kind: PinKind,
    version: Option<String>,
    revision: Option<String>,
}

/// `{ package, repositoryURL, state }`; `Ok(None)` for a local checkout.
fn read_v1_pin(pin: &Value) -> Result<Option<Pin>, String> {
    let location = str_field(pin, "repositoryURL").ok_or("expected a string `repositoryURL`")?;
    if is_local_path(location) {
        return Ok(None);
    }
    let (version, revision) = read_state(pin)?;
    Ok(Some(Pin { kind: PinKind::Remote(location.to_owned()), version, revision }))
}

/// `{ identity, kind, location, state }`; `Ok(None)` for a local checkout.
fn read_v2_pin(pin: &Value) -> Result<Option<Pin>, String> {
    let identity = str_field(pin, "identity").ok_or("expected a string `identity`")?;
    let kind = match str_field(pin, "kind") {
        Some("localSourceControl") => return Ok(None),
        Some("remoteSourceControl") => {
            let location = str_field(pin, "location").ok_or("expected a string `location`")?;
            PinKind::Remote(location.to_owned())
        }
        Some("registry") => {
            let location = str_field(pin, "location").map(str::trim).filter(|l| l.contains("://"));
            PinKind::Registry { identity: identity.to_owned(), location: location.map(str::to_owned) }
        }
        Some(other) => {
            return Err(format!(
                "unknown kind `{other}` (expected `remoteSourceControl`, `localSourceControl` or `registry`)"
            ));
        }
        None => return Err("expected a string `kind`".into()),
    };
    let (version, revision) = read_state(pin)?;
    Ok(Some(Pin { kind, version, revision }))
}

/// `state.version` and `state.revision` (`null` or absent means none).
fn read_state(pin: &Value) -> Result<(Option<String>, Option<String>), String> {
    let state = pin.get("state").filter(|s| s.is_object()).ok_or("expected an object `state`")?;
    let text = |key: &str| -> Result<Option<String>, String> {
        match state.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(format!("expected `state.{key}` to be a string, found {}", json_kind(other))),
        }
    };
    Ok((text("version")?, text("revision")?))
}

fn build_component(pin: &Pin) -> Result<Purl, String> {
    let purl = match &pin.kind {
        PinKind::Remote(location) => {
            let (host, path) = split_repository_url(location)
                .ok_or_else(|| format!("cannot read a host and path from `{location}`"))?;
            let (owner, name) = match path.rsplit_once('/') {
                Some((owner, name)) => (Some(owner), name),
                None => (None, path.as_str()),
            };
            let namespace = match owner {
                Some(owner) => format!("{host}/{owner}"),
                None => host.clone(),
            };
            let mut purl = Purl::new("swift", name)
                .map_err(|e| e.to_string())?
                .with_namespace(Some(&namespace))
                .with_version(pin.version.as_deref());
            if pin.version.is_none() {
                let revision = pin.revision.as_deref().ok_or("expected `state.version` or `state.revision`")?;
                purl = purl.with_qualifier("vcs_url", &git_location(location, Some(revision), None));
            }
            purl
        }
        PinKind::Registry { identity, location } => {
            let (scope, name) = identity
                .split_once('.')
                .filter(|(s, n)| !s.is_empty() && !n.is_empty())
                .ok_or_else(|| format!("expected a registry identity `scope.name`, found `{identity}`"))?;
            let version = pin.version.as_deref().ok_or("a registry pin needs `state.version`")?;
            let purl = Purl::new("swift", name)
                .map_err(|e| e.to_string())?
                .with_namespace(Some(scope))
                .with_version(Some(version));
            match location {
                Some(url) => purl.with_qualifier("repository_url", url),
                None => purl,
            }
        }
    };
    purl.validate().map_err(|e| e.to_string())?;
    Ok(purl)
}

fn str_field<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// A local folder rather than a URL: an absolute or home-relative path, a Windows drive path, or `file:`.
fn is_local_path(location: &str) -> bool {
    let l = location.trim();
    l.starts_with('/')
        || l.starts_with('~')
        || l.starts_with("file:")
        || l.as_bytes().get(1..3).is_some_and(|b| b == b":\\" || b == b":/")
}

/// Split a repository URL into a lower-cased host and the path on it, without `.git`, user, port, query or
/// fragment: `https://github.com/Alamofire/Alamofire.git` gives (`github.com`, `Alamofire/Alamofire`), and the
/// scp-like `git@github.com:owner/repo.git` gives (`github.com`, `owner/repo`).
pub(super) fn split_repository_url(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let (authority, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').unwrap_or((rest, "")),
        // scp-like `user@host:path`; a colon after a slash would make it a relative path instead.
        None => {
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') {
                return None;
            }
            (authority, path)
        }
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim().to_ascii_lowercase();
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if host.is_empty() || path.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    Some((host, path.join("/")))
}

/// A git source in SPDX download-location form, `git+URL[@REVISION][#SUBPATH]`, as also used for purl `vcs_url`
/// qualifiers. An scp-like `user@host:path` is written `ssh://user@host/path`, since the form needs a scheme.
pub(super) fn git_location(url: &str, revision: Option<&str>, subpath: Option<&str>) -> String {
    let url = url.trim();
    let url = url.strip_prefix("git+").unwrap_or(url);
    let mut out = match url.split_once(':') {
        Some((authority, path)) if !url.contains("://") && !authority.contains('/') && !authority.is_empty() => {
            format!("git+ssh://{authority}/{}", path.trim_start_matches('/'))
        }
        _ => format!("git+{url}"),
    };
    if let Some(revision) = revision.map(str::trim).filter(|r| !r.is_empty()) {
        out = format!("{out}@{revision}");
    }
    if let Some(subpath) = subpath.map(|p| p.trim().trim_matches('/')).filter(|p| !p.is_empty() && *p != ".") {
        out = format!("{out}#{}", subpath.trim_start_matches("./"));
    }
    out
}

/// Byte offsets of values inside a JSON document that serde_json has already accepted, so that entries read
/// through `serde_json::Value` can still be given a line.
pub(super) struct JsonLocator<'a> {
    text: &'a str,
}

impl<'a> JsonLocator<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self { text }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn skip_ws(&self, mut pos: usize) -> usize {
        while self.bytes().get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
            pos += 1;
        }
        pos
    }

    /// From an opening quote, the offset just after the closing one.
    fn skip_string(&self, pos: usize) -> Option<usize> {
        let mut i = pos + 1;
        loop {
            match self.bytes().get(i)? {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
    }

    /// From the first byte of any value, the offset just after it.
    fn skip_value(&self, pos: usize) -> Option<usize> {
        match self.bytes().get(pos)? {
            b'"' => self.skip_string(pos),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut i = pos;
                loop {
                    match self.bytes().get(i)? {
                        b'"' => {
                            i = self.skip_string(i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {
                let mut i = pos;
                while self.bytes().get(i).is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    i += 1;
                }
                Some(i)
            }
        }
    }

    /// The members of the object opening at `pos`: each key (decoded), the offset of the key and of its value.
    pub(super) fn members(&self, pos: usize) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        if self.bytes().get(pos) != Some(&b'{') {
            return out;
        }
        let mut i = self.skip_ws(pos + 1);
        while self.bytes().get(i) == Some(&b'"') {
            let Some(key_end) = self.skip_string(i) else { break };
            let key: String = self.text.get(i..key_end).and_then(|k| serde_json::from_str(k).ok()).unwrap_or_default();
            let colon = self.skip_ws(key_end);
            if self.bytes().get(colon) != Some(&b':') {
                break;
            }
            let value = self.skip_ws(colon + 1);
            out.push((key, i, value));
            let Some(after) = self.skip_value(value) else { break };
            let next = self.skip_ws(after);
            if self.bytes().get(next) != Some(&b',') {
                break;
            }
            i = self.skip_ws(next + 1);
        }
        out
    }

    /// The offsets of the elements of the array opening at `pos`.
    pub(super) fn elements(&self, pos: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if self.bytes().get(pos) != Some(&b'[') {
            return out;
        }
        let mut i = self.skip_ws(pos + 1);
        while self.bytes().get(i).is_some_and(|b| *b != b']') {
            out.push(i);
            let Some(after) = self.skip_value(i) else { break };
            let next = self.skip_ws(after);
            if self.bytes().get(next) != Some(&b',') {
                break;
            }
            i = self.skip_ws(next + 1);
        }
        out
    }

    /// The offset of the value reached from the top-level object through `keys` (the first member of each name).
    pub(super) fn path(&self, keys: &[&str]) -> Option<usize> {
        let mut pos = self.skip_ws(0);
        for key in keys {
            pos = self.members(pos).into_iter().find(|(k, _, _)| k == key)?.2;
        }
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_repository_urls() {
        let split = |u: &str| split_repository_url(u);
        assert_eq!(
            split("https://github.com/Alamofire/Alamofire.git"),
            Some(("github.com".into(), "Alamofire/Alamofire".into()))
        );
        assert_eq!(split("git@GitHub.com:owner/repo.git"), Some(("github.com".into(), "owner/repo".into())));
        assert_eq!(
            split("ssh://git@gitlab.example.com:2222/group/sub/repo/"),
            Some(("gitlab.example.com".into(), "group/sub/repo".into()))
        );
        assert_eq!(split("https://example.com"), None);
        assert_eq!(split("relative/path:x"), None);
    }

    #[test]
    fn writes_git_locations() {
        assert_eq!(
            git_location("git@github.com:apple/swift-crypto.git", Some("f0525da"), None),
            "git+ssh://git@github.com/apple/swift-crypto.git@f0525da"
        );
        assert_eq!(git_location("https://h/r.git", None, Some("./pkg/a/")), "git+https://h/r.git#pkg/a");
        assert_eq!(git_location("git+https://h/r", Some(" "), Some(".")), "git+https://h/r");
    }

    #[test]
    fn locates_json_members_and_elements() {
        let text = "{\n \"a\": [1, {\"x\": \"]\"}, 3],\n \"b\\\"\": {\"c\": null}\n}";
        let loc = JsonLocator::new(text);
        let members = loc.members(0);
        assert_eq!(members.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["a", "b\""]);
        let a = loc.path(&["a"]).unwrap();
        assert_eq!(loc.elements(a).len(), 3);
        assert!(loc.path(&["b\"", "c"]).is_some());
        assert!(loc.path(&["missing"]).is_none());
    }
}
