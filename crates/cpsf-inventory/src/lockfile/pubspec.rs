//! Parser for Dart and Flutter's `pubspec.lock` (YAML); also the YAML line finder that `cocoapods.rs` shares.
//!
//! Each entry of `packages` names its `source`:
//! - `hosted`: `pkg:pub/NAME@VERSION`; `description.sha256` (pub's SHA-256 of the package archive, written since
//!   Dart 2.19) is the component's hash; a repository other than pub.dev (`description.url`) goes in the
//!   `repository_url` qualifier.
//! - `git`: `pkg:pub/NAME@VERSION?vcs_url=git+URL@RESOLVED-REF`, with `#PATH` when the package lives in a
//!   subfolder of the repository; the same string is the download location.
//! - `path`: the project's own packages; not external components.
//! - `sdk`: packages that come with the Flutter (or Dart) SDK, such as `flutter` and `sky_engine`. They are
//!   reported, because the framework code is compiled into the shipped app, but pub writes the placeholder
//!   version `0.0.0` for them, so they get no version; one `unpinned-requirement` diagnostic per SDK says so and
//!   quotes the SDK constraint from `sdks`.
//!
//! `dependency` says how the root package depends on each one: `direct main` (direct, required), `direct dev`
//! (direct, development), `direct overridden` (direct, scope not recorded) or `transitive`. Lockfiles older than
//! that field leave `direct` unknown. The file records no edges between packages.

use std::collections::BTreeMap;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl, Scope};
use serde_norway::{Mapping, Value};

use super::entries::entry_skipped;
use super::swift::git_location;
use super::{LockfileError, LockfileInput, Parsed};

/// Repository URLs that mean pub.dev itself.
const DEFAULT_HOSTS: &[&str] = &["https://pub.dev", "https://pub.dartlang.org"];

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_norway::from_str(input.text).map_err(|e| LockfileError::yaml(&e))?;
    let top = match &doc {
        Value::Mapping(m) => m,
        // An empty file (or only comments) lists nothing.
        Value::Null => return Ok(Parsed::default()),
        _ => {
            return Err(LockfileError::malformed(
                Some(1),
                "expected a YAML mapping with `packages` at the top of pubspec.lock",
            ));
        }
    };
    let empty = Mapping::new();
    let packages = match top.get("packages") {
        None | Some(Value::Null) => &empty,
        Some(Value::Mapping(m)) => m,
        Some(_) => {
            let line = yaml_child_lines(input.text, None).into_iter().find(|(k, _)| k == "packages").map(|(_, l)| l);
            return Err(LockfileError::malformed(
                line,
                "expected `packages` to be a mapping from package names to entries",
            ));
        }
    };
    let mut lines: BTreeMap<String, u32> = BTreeMap::new();
    for (key, line) in yaml_child_lines(input.text, Some("packages")) {
        lines.entry(key).or_insert(line);
    }
    let sdk_constraints: BTreeMap<String, String> = top
        .get("sdks")
        .and_then(Value::as_mapping)
        .map(|m| m.iter().filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?))).collect())
        .unwrap_or_default();

    let mut components = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    // SDK name → (first line, package names) of the SDK packages reported without a version.
    let mut unversioned: BTreeMap<String, (Option<u32>, Vec<String>)> = BTreeMap::new();
    for (key, entry) in packages {
        let Some(name) = scalar(key) else {
            diagnostics.push(entry_skipped(input, None, "package skipped: expected its name as the key"));
            continue;
        };
        let line = lines.get(&name).copied();
        let Some(entry) = entry.as_mapping() else {
            diagnostics.push(entry_skipped(input, line, format!("package `{name}` skipped: expected a mapping")));
            continue;
        };
        match build_component(&name, entry) {
            Ok(Built::Component(c)) => components.push(c.at(input.path, line)),
            Ok(Built::SdkComponent(c, sdk)) => {
                let slot = unversioned.entry(sdk).or_insert((line, Vec::new()));
                slot.1.push(name);
                components.push(c.at(input.path, line));
            }
            Ok(Built::Local) => {}
            Err(message) => {
                diagnostics.push(entry_skipped(input, line, format!("package `{name}` skipped: {message}")))
            }
        }
    }
    for (sdk, (line, names)) in unversioned {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let constraint = match sdk_constraints.get(&sdk) {
            Some(c) => format!("; the lockfile constrains the {sdk} SDK to `{c}`"),
            None => String::new(),
        };
        diagnostics.push(Diagnostic::new(
            DiagnosticCode::UnpinnedRequirement,
            input.path,
            line,
            format!(
                "{} come from the {sdk} SDK; pubspec.lock records no version for them, so they are reported without one{constraint}",
                names.join(", ")
            ),
        ));
    }
    Ok(Parsed { components, diagnostics })
}

/// What one entry turned into.
enum Built {
    Component(Component),
    /// A package of this SDK whose version pub does not record.
    SdkComponent(Component, String),
    /// A path package: the project's own.
    Local,
}

fn build_component(name: &str, entry: &Mapping) -> Result<Built, String> {
    let source = entry.get("source").and_then(scalar).ok_or("expected a `source`")?;
    let description = entry.get("description");
    let field = |key: &str| description.and_then(|d| d.get(key)).and_then(scalar).filter(|s| !s.trim().is_empty());
    let version = entry.get("version").and_then(scalar).filter(|v| !v.trim().is_empty());
    let base = Purl::new("pub", name).map_err(|e| e.to_string())?;
    let mut sdk = None;
    let mut hash = None;
    let mut download = None;
    let purl = match source.as_str() {
        "path" => return Ok(Built::Local),
        "hosted" => {
            let version = version.ok_or("expected a `version`")?;
            if let Some(sha) = field("sha256") {
                hash = Some(Hash::hex(HashAlgorithm::Sha256, &sha).ok_or_else(|| {
                    format!("expected `description.sha256` to be 64 hex digits (SHA-256), found `{sha}`")
                })?);
            }
            let purl = base.with_version(Some(&version));
            match field("url") {
                Some(url) if !DEFAULT_HOSTS.contains(&url.trim().trim_end_matches('/')) => {
                    purl.with_qualifier("repository_url", url.trim())
                }
                _ => purl,
            }
        }
        "git" => {
            let url = field("url").ok_or("a git package needs `description.url`")?;
            let vcs = git_location(&url, field("resolved-ref").as_deref(), field("path").as_deref());
            download = Some(vcs.clone());
            base.with_version(version.as_deref()).with_qualifier("vcs_url", &vcs)
        }
        "sdk" => {
            let sdk_name = description.and_then(scalar).unwrap_or_else(|| "unnamed".to_owned());
            // pub writes `0.0.0` for SDK packages: a placeholder, not their version.
            let version = version.filter(|v| v != "0.0.0");
            if version.is_none() {
                sdk = Some(sdk_name);
            }
            base.with_version(version.as_deref())
        }
        other => return Err(format!("unknown source `{other}` (expected `hosted`, `git`, `path` or `sdk`)")),
    };
    purl.validate().map_err(|e| e.to_string())?;
    let mut component = Component::from_purl(purl);
    component.hashes.extend(hash);
    component.download_location = download;
    let dependency = entry.get("dependency").and_then(scalar);
    (component.direct, component.scope) = match dependency.as_deref() {
        Some("direct main") => (Some(true), Some(Scope::Required)),
        Some("direct dev") => (Some(true), Some(Scope::Dev)),
        Some("direct overridden") => (Some(true), None),
        Some("transitive") => (Some(false), None),
        _ => (None, None),
    };
    Ok(match sdk {
        Some(sdk) => Built::SdkComponent(component, sdk),
        None => Built::Component(component),
    })
}

/// A YAML scalar as text (pub quotes its versions, but a hand-edited file may not).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 1-based lines of the children of a top-level key of a block-style YAML document: each mapping key
/// (`  name:`) or sequence item (`  - Name (1.0)` or `  - Name (1.0):`) at the first indentation found under
/// `top_key`, as its unquoted text without the trailing colon. With `top_key` `None`, the top-level keys
/// themselves.
pub(super) fn yaml_child_lines(text: &str, top_key: Option<&str>) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut child_indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
        let trimmed = raw.trim_end();
        let content = trimmed.trim_start();
        if content.is_empty() || content.starts_with('#') || content.starts_with("---") {
            continue;
        }
        let indent = trimmed.len() - content.len();
        let Some(top_key) = top_key else {
            if indent == 0 && !content.starts_with('-') {
                out.push((item_text(content), line));
            }
            continue;
        };
        // A block sequence may sit at the parent's own indentation.
        let sequence_at_zero = indent == 0 && content.starts_with('-') && inside && child_indent.is_none_or(|c| c == 0);
        if indent == 0 && !sequence_at_zero {
            inside = item_text(content) == top_key;
            child_indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        if *child_indent.get_or_insert(indent) == indent {
            out.push((item_text(content), line));
        }
    }
    out
}

/// `- "Name (1.0)":` → `Name (1.0)`; `name: value` → `name`.
fn item_text(content: &str) -> String {
    let s = match content.strip_prefix("- ") {
        Some(rest) => rest.trim_start(),
        None if content == "-" => "",
        None => content,
    };
    for quote in ['"', '\''] {
        if let Some(rest) = s.strip_prefix(quote)
            && let Some((inside, _)) = rest.split_once(quote)
        {
            return inside.to_owned();
        }
    }
    let key = match s.find(": ") {
        Some(i) => s.get(..i).unwrap_or(s),
        None => s.strip_suffix(':').unwrap_or(s),
    };
    key.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_child_lines() {
        let text = "# c\nPODS:\n  - A (1.0):\n    - B\n  - \"C/D+e (2.0)\"\n\nDEPENDENCIES:\n  - A\npackages:\n  async:\n    x: 1\n";
        assert_eq!(
            yaml_child_lines(text, Some("PODS")),
            vec![("A (1.0)".to_owned(), 3), ("C/D+e (2.0)".to_owned(), 5)]
        );
        assert_eq!(yaml_child_lines(text, Some("packages")), vec![("async".to_owned(), 10)]);
        let top: Vec<String> = yaml_child_lines(text, None).into_iter().map(|(k, _)| k).collect();
        assert_eq!(top, ["PODS", "DEPENDENCIES", "packages"]);
        assert_eq!(yaml_child_lines("L:\n- a\n- b\nM: 1\n", Some("L")).len(), 2);
    }
}
