//! SPDX 2.2/2.3 (JSON, YAML, tag-value) and SPDX 3.0 JSON-LD: the public writers and readers, and the
//! vocabulary the SPDX modules share (package purposes, dependency relationship types, the comment lines that
//! say where a component was found).
//!
//! Every SPDX 2 syntax goes through one JSON shape: the writers build the document as JSON (`v2_write`) and
//! serialize it as JSON, YAML or tag-value; the readers turn YAML and tag-value into that JSON shape and read
//! the inventory from it (`v2_read`), so all three syntaxes carry exactly the same information.

pub mod json;
pub mod tagvalue;
pub mod v3;

mod graph;
pub(crate) mod identifiers;
pub(crate) mod license;
mod v2_read;
mod v2_write;

use cpsf_model::{Component, ComponentKind, Location, Scope, SkippedFile};

/// The cpsf version written into `Tool:` creators.
pub(crate) const CPSF_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The SPDX License List version the licence identifiers come from (`license.rs`).
pub(crate) const LICENSE_LIST_VERSION: &str = "3.27";

/// SPDX 2.3 `primaryPackagePurpose` (JSON spelling) of a component kind.
pub(crate) fn purpose_of(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Application => "APPLICATION",
        ComponentKind::Framework => "FRAMEWORK",
        ComponentKind::Library => "LIBRARY",
        ComponentKind::Container => "CONTAINER",
        ComponentKind::OperatingSystem => "OPERATING_SYSTEM",
        ComponentKind::Device => "DEVICE",
        ComponentKind::Firmware => "FIRMWARE",
        ComponentKind::File => "FILE",
    }
}

/// The component kind of an SPDX 2 `primaryPackagePurpose` or SPDX 3 `software_primaryPurpose`; `None` for
/// purposes with no kind of their own (source, archive, install, other, ...).
pub(crate) fn kind_of_purpose(purpose: &str) -> Option<ComponentKind> {
    let p: String = purpose.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    Some(match p.as_str() {
        "application" => ComponentKind::Application,
        "framework" => ComponentKind::Framework,
        "library" => ComponentKind::Library,
        "container" => ComponentKind::Container,
        "operatingsystem" => ComponentKind::OperatingSystem,
        "device" => ComponentKind::Device,
        "firmware" => ComponentKind::Firmware,
        "file" => ComponentKind::File,
        _ => return None,
    })
}

/// What a component is called in an SPDX package `name`: the ecosystem's full name (`@scope/name`,
/// `group:artifact` for Maven, `namespace/name` otherwise).
pub(crate) fn display_name(component: &Component) -> String {
    match (&component.group, component.purl_type()) {
        (Some(group), Some("maven")) => format!("{group}:{}", component.name),
        (Some(group), _) => format!("{group}/{}", component.name),
        (None, _) => component.name.clone(),
    }
}

/// The text an SPDX identifier of a component is made from: `type/namespace/name@version` from the purl, or
/// `group/name@version`.
pub(crate) fn id_seed(component: &Component) -> String {
    let (ty, group, name, version) = match &component.purl {
        Some(p) => (Some(p.ty()), p.namespace(), p.name(), p.version()),
        None => (None, component.group.as_deref(), component.name.as_str(), component.version.as_deref()),
    };
    let mut seed = String::new();
    for part in [ty, group].into_iter().flatten() {
        seed.push_str(part);
        seed.push('/');
    }
    seed.push_str(name);
    if let Some(v) = version {
        seed.push('@');
        seed.push_str(v);
    }
    seed
}

/// What an SPDX download location holds: a URL a consumer can fetch (`http(s)`, `ftp`, `sftp`, `ssh`, `git`,
/// `svn` and the `git+`/`hg+`/`svn+`/`bzr+` VCS forms), nothing else. Other locations (`file:`, workspace paths)
/// are not download locations.
pub(crate) fn is_download_location(text: &str) -> bool {
    const SCHEMES: &[&str] = &["http://", "https://", "ftp://", "sftp://", "ssh://", "git://", "svn://"];
    if text.is_empty() || text.contains(char::is_whitespace) {
        return false;
    }
    let rest = ["git+", "hg+", "svn+", "bzr+"].iter().find_map(|p| text.strip_prefix(p)).unwrap_or(text);
    if rest.starts_with("git@") && rest.contains(':') {
        return true;
    }
    SCHEMES.iter().find_map(|s| rest.strip_prefix(s)).is_some_and(|host| {
        let host = host.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        // The host grammar SPDX tools check: labels of letters, digits and `-`, and a top-level label of two to
        // five letters (`registry.npmjs.org` passes, `git.acme.example` does not).
        let labels: Vec<&str> = host.split('.').collect();
        labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            && labels
                .last()
                .is_some_and(|tld| (2..=5).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic()))
    })
}

/// The scope word of a component comment line (`scope: development`).
fn scope_word(scope: Scope) -> &'static str {
    match scope {
        Scope::Required => "required",
        Scope::Optional => "optional",
        Scope::Dev => "development",
    }
}

/// The lines cpsf writes into a package comment: where the component was found, whether it is a direct or
/// transitive dependency, and its scope. `None` when there is nothing to say.
///
/// ```text
/// found in: package-lock.json:12
/// direct dependency
/// scope: development
/// ```
pub(crate) fn component_note(component: &Component) -> Option<String> {
    let mut lines: Vec<String> = component
        .locations
        .iter()
        .map(|l| match l.line {
            Some(line) => format!("found in: {}:{line}", l.path),
            None => format!("found in: {}", l.path),
        })
        .collect();
    match component.direct {
        Some(true) => lines.push("direct dependency".into()),
        Some(false) => lines.push("transitive dependency".into()),
        None => {}
    }
    if let Some(scope) = component.scope {
        lines.push(format!("scope: {}", scope_word(scope)));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// What a package comment in the form of [`component_note`] says; lines of any other form are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ComponentNote {
    pub locations: Vec<Location>,
    pub direct: Option<bool>,
    pub scope: Option<Scope>,
}

pub(crate) fn parse_component_note(text: &str) -> ComponentNote {
    let mut note = ComponentNote::default();
    for line in text.lines().map(str::trim) {
        if let Some(place) = line.strip_prefix("found in: ") {
            let place = place.trim();
            let location = match place.rsplit_once(':') {
                Some((path, n)) if !path.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    match n.parse::<u32>() {
                        Ok(line) => Location::new(path, Some(line)),
                        Err(_) => Location::new(place, None),
                    }
                }
                _ => Location::new(place, None),
            };
            if !place.is_empty() && !note.locations.contains(&location) {
                note.locations.push(location);
            }
        } else if line == "direct dependency" {
            note.direct = Some(true);
        } else if line == "transitive dependency" {
            note.direct = Some(false);
        } else if let Some(word) = line.strip_prefix("scope: ") {
            note.scope = match word.trim() {
                "required" => Some(Scope::Required),
                "optional" => Some(Scope::Optional),
                "development" => Some(Scope::Dev),
                _ => note.scope,
            };
        }
    }
    note
}

/// The lines cpsf writes into a document comment: the lockfiles read and those skipped, with the reason.
///
/// ```text
/// lockfile read: package-lock.json
/// lockfile skipped: vendor/yarn.lock: line 3: expected a version
/// ```
pub(crate) fn document_note(sources: &[String], skipped: &[SkippedFile]) -> Option<String> {
    let lines: Vec<String> = sources
        .iter()
        .map(|s| format!("lockfile read: {}", one_line(s)))
        .chain(skipped.iter().map(|s| format!("lockfile skipped: {}: {}", one_line(&s.path), one_line(&s.reason))))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The sources and skipped files a document comment in the form of [`document_note`] lists.
pub(crate) fn parse_document_note(text: &str) -> (Vec<String>, Vec<SkippedFile>) {
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(path) = line.strip_prefix("lockfile read: ") {
            sources.push(path.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("lockfile skipped: ")
            && let Some((path, reason)) = rest.split_once(": ")
        {
            skipped.push(SkippedFile { path: path.trim().to_owned(), reason: reason.trim().to_owned() });
        }
    }
    (sources, skipped)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_notes_round_trip() {
        let c = Component {
            locations: vec![
                Location::new("a/package-lock.json", Some(12)),
                Location::new("weird:name/Cargo.lock", None),
            ],
            direct: Some(false),
            scope: Some(Scope::Dev),
            ..Component::default()
        };
        let note = component_note(&c).unwrap();
        assert_eq!(
            note,
            "found in: a/package-lock.json:12\nfound in: weird:name/Cargo.lock\ntransitive dependency\nscope: development"
        );
        let parsed = parse_component_note(&note);
        assert_eq!(parsed.locations, c.locations);
        assert_eq!((parsed.direct, parsed.scope), (Some(false), Some(Scope::Dev)));
        assert_eq!(parse_component_note("Some free text from another tool"), ComponentNote::default());
        assert!(component_note(&Component::default()).is_none());
    }

    #[test]
    fn document_notes_round_trip() {
        let skipped = vec![SkippedFile { path: "x/yarn.lock".into(), reason: "line 3: expected a version".into() }];
        let note = document_note(&["Cargo.lock".into()], &skipped).unwrap();
        assert_eq!(parse_document_note(&note), (vec!["Cargo.lock".to_owned()], skipped));
    }

    #[test]
    fn download_locations() {
        assert!(is_download_location("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"));
        assert!(is_download_location("git+https://github.com/a/b.git#abc"));
        assert!(is_download_location("git+git@github.com:a/b.git"));
        assert!(!is_download_location("file:../local"));
        assert!(!is_download_location("https://localhost/x"));
        assert!(!is_download_location("git+https://git.acme.example/php/sdk.git@b7e2d9f4"));
        assert!(!is_download_location("https://example.com/a b"));
        assert!(!is_download_location("NOASSERTION"));
    }

    #[test]
    fn purposes_map_both_ways() {
        for kind in [ComponentKind::Application, ComponentKind::OperatingSystem, ComponentKind::File] {
            assert_eq!(kind_of_purpose(purpose_of(kind)), Some(kind));
        }
        assert_eq!(kind_of_purpose("OPERATING-SYSTEM"), Some(ComponentKind::OperatingSystem));
        assert_eq!(kind_of_purpose("operatingSystem"), Some(ComponentKind::OperatingSystem));
        assert_eq!(kind_of_purpose("SOURCE"), None);
    }
}
