//! Parsers for Gradle's dependency locks (`gradle.lockfile`, and the older per-configuration
//! `gradle/dependency-locks/*.lockfile`) and for its dependency verification file
//! (`gradle/verification-metadata.xml`).
//!
//! Lockfiles:
//! - Gradle 6 and later write one `gradle.lockfile` per project: `GROUP:NAME:VERSION=CONF1,CONF2` lines, an
//!   `empty=CONF1,CONF2` line naming the configurations that resolved nothing, and `#` comments.
//! - Gradle 4.8 to 5 wrote one file per configuration under `gradle/dependency-locks/`, named after it
//!   (`compileClasspath.lockfile`), with plain `GROUP:NAME:VERSION` lines.
//!
//! A lock lists the resolved graph without saying which modules were asked for or how they depend on each other,
//! so components have no `direct` mark and no edges. The scope is [`Scope::Dev`] when every configuration
//! naming a module is a test one (`test…`, or a camel-case `…Test…` such as `integrationTestRuntimeClasspath` or
//! `debugUnitTestRuntimeClasspath`), [`Scope::Required`] otherwise.
//!
//! Verification metadata: one component per `<component group name version>` of `<components>`, with the
//! checksums Gradle recorded for its main artifact: the `NAME-VERSION.EXT` file that is neither the POM nor the
//! Gradle module metadata (`.module`), or the POM itself when the component has nothing else (BOMs, parent POMs,
//! plugin marker artifacts, multiplatform roots). Sources, javadoc and other classified files, and the metadata
//! files of a component that has a main artifact, are different files: their checksums are not the component's.
//! `<also-trust>` values are further accepted checksums of the same file and are kept as extra hashes.
//! The file lists every module Gradle downloaded for the build, including build plugins and their
//! dependencies and POM-only artifacts: they are all kept, since the file does not say which ones end up in the
//! product. `<configuration>` (trusted artifacts and keys) says nothing about components and is not read.
//!
//! Purl: `pkg:maven/GROUP/NAME@VERSION`, the same as Maven's for the same module.

use std::collections::BTreeMap;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl, Scope};

use super::xml::{self, Element};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// Parse `gradle.lockfile` or a per-configuration `dependency-locks/*.lockfile`.
pub fn parse_lockfile(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    // The older layout names the configuration by the file; the newer one on every line.
    let file = input.path.rsplit('/').next().unwrap_or(input.path);
    let parent = input.path.rsplit('/').nth(1).unwrap_or("");
    let file_configuration = (parent == "dependency-locks" && file != "gradle.lockfile")
        .then(|| file.strip_suffix(".lockfile").unwrap_or(file))
        .filter(|c| !c.is_empty());

    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let mut skip = |line: u32, message: String| {
        diagnostics.push(Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message))
    };
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let entry = raw.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let (coordinates, configurations): (&str, Vec<&str>) = match entry.split_once('=') {
            Some(("empty", _)) => continue,
            Some((coordinates, list)) => {
                (coordinates.trim(), list.split(',').map(str::trim).filter(|c| !c.is_empty()).collect())
            }
            None => match file_configuration {
                Some(conf) => (entry, vec![conf]),
                None => {
                    skip(line, format!("line skipped: expected `GROUP:NAME:VERSION=CONFIGURATIONS`, found `{entry}`"));
                    continue;
                }
            },
        };
        let parts: Vec<&str> = coordinates.split(':').map(str::trim).collect();
        let [group, name, version] = parts.as_slice() else {
            skip(line, format!("line skipped: expected `GROUP:NAME:VERSION` coordinates, found `{coordinates}`"));
            continue;
        };
        if group.is_empty() || name.is_empty() || version.is_empty() {
            skip(line, format!("line skipped: `{coordinates}` has an empty group, name or version"));
            continue;
        }
        let mut component = match maven_component(group, name, version, input.path, line) {
            Ok(c) => c,
            Err(message) => {
                skip(line, message);
                continue;
            }
        };
        component.scope = match configurations.as_slice() {
            [] => None,
            list if list.iter().all(|c| is_test_configuration(c)) => Some(Scope::Dev),
            _ => Some(Scope::Required),
        };
        match components.get_mut(&component.bom_ref) {
            Some(existing) => existing.absorb(component),
            None => {
                components.insert(component.bom_ref.clone(), component);
            }
        }
    }
    Ok(Parsed { components: components.into_values().collect(), diagnostics })
}

/// Whether a Gradle configuration only serves tests: `test…`, or `…Test…` at a camel-case word boundary.
fn is_test_configuration(name: &str) -> bool {
    name.starts_with("test")
        || name.match_indices("Test").any(|(at, _)| {
            at > 0
                && name
                    .get(..at)
                    .and_then(|b| b.chars().last())
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// A `pkg:maven` component for Gradle module coordinates.
fn maven_component(group: &str, name: &str, version: &str, path: &str, line: u32) -> Result<Component, String> {
    let purl = Purl::new("maven", name)
        .map_err(|e| format!("`{group}:{name}:{version}` skipped: {e}"))?
        .with_namespace(Some(group))
        .with_version(Some(version));
    Ok(Component::from_purl(purl).at(path, Some(line)))
}

/// The checksum elements Gradle writes, by element name.
const CHECKSUMS: &[(&str, HashAlgorithm)] = &[
    ("md5", HashAlgorithm::Md5),
    ("sha1", HashAlgorithm::Sha1),
    ("sha256", HashAlgorithm::Sha256),
    ("sha512", HashAlgorithm::Sha512),
];

/// Parse `gradle/verification-metadata.xml`.
pub fn parse_verification_metadata(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let root = xml::parse(input.text)?;
    let lines = LineIndex::new(input.text);
    if root.name != "verification-metadata" {
        return Err(LockfileError::malformed(
            Some(lines.line_of(root.offset)),
            format!("expected Gradle verification metadata with a <verification-metadata> root, found <{}>", root.name),
        ));
    }
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let Some(list) = root.child("components") else {
        return Ok(Parsed::default());
    };
    for element in list.children_named("component") {
        let line = lines.line_of(element.offset);
        let mut skip = |line: u32, message: String| {
            diagnostics.push(Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, Some(line), message))
        };
        let attribute = |name: &str| element.attribute(name).map(str::trim).filter(|v| !v.is_empty());
        let (Some(group), Some(name), Some(version)) = (attribute("group"), attribute("name"), attribute("version"))
        else {
            skip(line, "component skipped: expected `group`, `name` and `version` attributes".into());
            continue;
        };
        let mut component = match maven_component(group, name, version, input.path, line) {
            Ok(c) => c,
            Err(message) => {
                skip(line, message);
                continue;
            }
        };
        // Snapshots with a unique version name their files after the timestamp, not `-SNAPSHOT`.
        let file_version = match (version.strip_suffix("-SNAPSHOT"), attribute("timestamp")) {
            (Some(base), Some(stamp)) => format!("{base}-{stamp}"),
            _ => version.to_owned(),
        };
        if let Some(artifact) = main_artifact(element, name, &file_version) {
            for hash in artifact_hashes(artifact, &lines, &mut skip, &format!("{group}:{name}:{version}")) {
                if !component.hashes.contains(&hash) {
                    component.hashes.push(hash);
                }
            }
        }
        match components.get_mut(&component.bom_ref) {
            Some(existing) => existing.absorb(component),
            None => {
                components.insert(component.bom_ref.clone(), component);
            }
        }
    }
    Ok(Parsed { components: components.into_values().collect(), diagnostics })
}

/// The artifact whose checksums are the component's: `NAME-VERSION.EXT` that is neither `.pom` nor `.module`,
/// else `NAME-VERSION.pom` when the component has no other unclassified file but Gradle module metadata.
fn main_artifact<'e>(component: &'e Element, name: &str, file_version: &str) -> Option<&'e Element> {
    let stem = format!("{name}-{file_version}.");
    let unclassified: Vec<(&'e Element, &str)> = component
        .children_named("artifact")
        .filter_map(|a| {
            let extension = a.attribute("name")?.strip_prefix(stem.as_str())?;
            (!extension.is_empty() && !extension.contains(['/', '\\'])).then_some((a, extension))
        })
        .collect();
    let binary = |wanted: Option<&str>| {
        unclassified
            .iter()
            .find(|(_, ext)| *ext != "pom" && *ext != "module" && wanted.is_none_or(|w| *ext == w))
            .map(|(a, _)| *a)
    };
    binary(Some("jar")).or_else(|| binary(None)).or_else(|| {
        let only_metadata = component
            .children_named("artifact")
            .all(|a| unclassified.iter().any(|(u, ext)| std::ptr::eq(*u, a) && (*ext == "pom" || *ext == "module")));
        only_metadata.then(|| unclassified.iter().find(|(_, ext)| *ext == "pom").map(|(a, _)| *a)).flatten()
    })
}

/// The checksums of one `<artifact>`: each algorithm's `value` and its `<also-trust>` alternatives. A value that
/// is not hex of the algorithm's length is reported and left out.
fn artifact_hashes(
    artifact: &Element,
    lines: &LineIndex<'_>,
    skip: &mut impl FnMut(u32, String),
    coordinates: &str,
) -> Vec<Hash> {
    let mut out = Vec::new();
    let file = artifact.attribute("name").unwrap_or("?");
    for checksum in &artifact.children {
        let Some((_, algorithm)) = CHECKSUMS.iter().find(|(n, _)| *n == checksum.name) else { continue };
        let values = std::iter::once(checksum)
            .chain(checksum.children_named("also-trust"))
            .filter_map(|el| el.attribute("value").map(|v| (v, lines.line_of(el.offset))));
        for (value, line) in values {
            match Hash::hex(*algorithm, value) {
                Some(hash) => out.push(hash),
                None => skip(
                    line,
                    format!(
                        "{} checksum of {file} ({coordinates}) skipped: expected {} hex digits, found `{value}`",
                        checksum.name,
                        algorithm.hex_len()
                    ),
                ),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_configurations() {
        for name in [
            "testCompileClasspath",
            "testRuntimeClasspath",
            "testFixturesRuntimeClasspath",
            "integrationTestRuntimeClasspath",
            "debugUnitTestRuntimeClasspath",
            "debugAndroidTestCompileClasspath",
            "jmh2TestRuntimeClasspath",
        ] {
            assert!(is_test_configuration(name), "{name}");
        }
        for name in ["compileClasspath", "runtimeClasspath", "annotationProcessor", "contestClasspath", "Test", "kapt"]
        {
            assert!(!is_test_configuration(name), "{name}");
        }
    }
}
