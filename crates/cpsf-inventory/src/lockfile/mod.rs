//! Lockfile kinds, their detection by file name, and the dispatch to one parser module per format.
//!
//! Every parser has the same shape: `pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError>`.
//! A parser never touches the disk; files it needs beside the lockfile (go.sum, `-r` includes, parent POMs)
//! come through [`FileSource`].

use std::collections::BTreeMap;

use cpsf_model::{Component, Diagnostic};

pub mod bun;
pub mod cargo;
pub mod cocoapods;
pub mod composer;
pub mod conan;
mod entries;
pub mod gemfile;
pub mod gomod;
pub mod gradle;
pub mod maven;
pub mod mix;
pub mod npm;
pub mod nuget;
pub mod pdm;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
pub mod pubspec;
pub mod pylock;
pub mod python;
pub mod renv;
pub mod requirements;
pub mod swift;
pub mod uv;
mod xml;
pub mod yarn;

/// Every lockfile format cpsf reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockfileKind {
    CargoLock,
    NpmPackageLock,
    YarnLock,
    PnpmLock,
    BunLock,
    Requirements,
    PoetryLock,
    PipfileLock,
    UvLock,
    PdmLock,
    PyLock,
    GoMod,
    GemfileLock,
    ComposerLock,
    NugetPackagesLock,
    NugetPackagesConfig,
    MavenPom,
    GradleLockfile,
    GradleVerificationMetadata,
    PubspecLock,
    MixLock,
    ConanLock,
    SwiftPackageResolved,
    PodfileLock,
    RenvLock,
}

impl LockfileKind {
    pub const ALL: &'static [LockfileKind] = &[
        Self::CargoLock,
        Self::NpmPackageLock,
        Self::YarnLock,
        Self::PnpmLock,
        Self::BunLock,
        Self::Requirements,
        Self::PoetryLock,
        Self::PipfileLock,
        Self::UvLock,
        Self::PdmLock,
        Self::PyLock,
        Self::GoMod,
        Self::GemfileLock,
        Self::ComposerLock,
        Self::NugetPackagesLock,
        Self::NugetPackagesConfig,
        Self::MavenPom,
        Self::GradleLockfile,
        Self::GradleVerificationMetadata,
        Self::PubspecLock,
        Self::MixLock,
        Self::ConanLock,
        Self::SwiftPackageResolved,
        Self::PodfileLock,
        Self::RenvLock,
    ];

    /// A short stable name, used in diagnostics and as the fuzz target name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CargoLock => "cargo-lock",
            Self::NpmPackageLock => "npm-package-lock",
            Self::YarnLock => "yarn-lock",
            Self::PnpmLock => "pnpm-lock",
            Self::BunLock => "bun-lock",
            Self::Requirements => "pip-requirements",
            Self::PoetryLock => "poetry-lock",
            Self::PipfileLock => "pipfile-lock",
            Self::UvLock => "uv-lock",
            Self::PdmLock => "pdm-lock",
            Self::PyLock => "pylock",
            Self::GoMod => "go-mod",
            Self::GemfileLock => "gemfile-lock",
            Self::ComposerLock => "composer-lock",
            Self::NugetPackagesLock => "nuget-packages-lock",
            Self::NugetPackagesConfig => "nuget-packages-config",
            Self::MavenPom => "maven-pom",
            Self::GradleLockfile => "gradle-lockfile",
            Self::GradleVerificationMetadata => "gradle-verification-metadata",
            Self::PubspecLock => "pubspec-lock",
            Self::MixLock => "mix-lock",
            Self::ConanLock => "conan-lock",
            Self::SwiftPackageResolved => "swift-package-resolved",
            Self::PodfileLock => "podfile-lock",
            Self::RenvLock => "renv-lock",
        }
    }

    /// Whether the format records dependency edges between packages. Components of formats that do not have
    /// unknown (not empty) dependencies.
    pub fn records_edges(self) -> bool {
        !matches!(
            self,
            Self::Requirements
                | Self::PipfileLock
                | Self::GoMod
                | Self::NugetPackagesConfig
                | Self::MavenPom
                | Self::GradleLockfile
                | Self::GradleVerificationMetadata
                | Self::PubspecLock
                | Self::SwiftPackageResolved
        )
    }

    /// Which kind a file is, from its path relative to the scanned root (`/`-separated).
    pub fn detect(path: &str) -> Option<Self> {
        let file = path.rsplit('/').next().unwrap_or(path);
        let parent = path.rsplit('/').nth(1).unwrap_or("");
        Some(match file {
            "Cargo.lock" => Self::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::NpmPackageLock,
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "bun.lock" => Self::BunLock,
            "poetry.lock" => Self::PoetryLock,
            "Pipfile.lock" => Self::PipfileLock,
            "uv.lock" => Self::UvLock,
            "pdm.lock" => Self::PdmLock,
            "pylock.toml" => Self::PyLock,
            "go.mod" => Self::GoMod,
            "Gemfile.lock" | "gems.locked" => Self::GemfileLock,
            "composer.lock" => Self::ComposerLock,
            "packages.lock.json" => Self::NugetPackagesLock,
            "packages.config" => Self::NugetPackagesConfig,
            "pom.xml" => Self::MavenPom,
            "gradle.lockfile" | "buildscript-gradle.lockfile" | "settings-gradle.lockfile" => Self::GradleLockfile,
            "verification-metadata.xml" if parent == "gradle" => Self::GradleVerificationMetadata,
            "pubspec.lock" => Self::PubspecLock,
            "mix.lock" => Self::MixLock,
            "conan.lock" => Self::ConanLock,
            "Package.resolved" => Self::SwiftPackageResolved,
            "Podfile.lock" => Self::PodfileLock,
            "renv.lock" => Self::RenvLock,
            f if f.starts_with("pylock.") && f.ends_with(".toml") => Self::PyLock,
            f if f.ends_with(".txt") && (f.starts_with("requirements") || parent == "requirements") => {
                Self::Requirements
            }
            f if f.ends_with(".lockfile") && parent == "dependency-locks" => Self::GradleLockfile,
            _ => return None,
        })
    }
}

impl std::fmt::Display for LockfileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Read access to other files of the scanned tree, by `/`-separated path relative to its root.
pub trait FileSource: Sync {
    fn read(&self, path: &str) -> Option<String>;
    /// Every file of the tree that discovery saw as a lockfile candidate (used to find parent POMs).
    fn list(&self) -> Vec<String>;
}

/// An in-memory tree, for tests and for single files.
#[derive(Default, Debug, Clone)]
pub struct MemorySource(pub BTreeMap<String, String>);

impl MemorySource {
    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.0.insert(path.to_owned(), text.to_owned());
        self
    }
}

impl FileSource for MemorySource {
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
    fn list(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

/// What a parser gets: the lockfile's path (relative, `/`-separated), its text, and the rest of the tree.
pub struct LockfileInput<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub source: &'a dyn FileSource,
}

impl<'a> LockfileInput<'a> {
    /// Resolve `relative` against the directory of this lockfile, normalizing `.` and `..`.
    pub fn sibling(&self, relative: &str) -> String {
        let dir = match self.path.rfind('/') {
            Some(i) => &self.path[..i],
            None => "",
        };
        join_normalized(dir, relative)
    }
}

/// Join a `/`-separated directory and a relative path, resolving `.` and `..` (never above the root).
pub fn join_normalized(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> =
        if relative.starts_with('/') { vec![] } else { dir.split('/').filter(|s| !s.is_empty()).collect() };
    for seg in relative.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// What a parser returns: the components it found, and warnings about entries it had to skip.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub components: Vec<Component>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a whole lockfile could not be used. The message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LockfileError {
    pub line: Option<u32>,
    pub message: String,
    /// True when the file is well-formed but of a version or variant cpsf does not read.
    pub unsupported: bool,
}

impl LockfileError {
    pub fn malformed(line: Option<u32>, message: impl Into<String>) -> Self {
        Self { line, message: message.into(), unsupported: false }
    }
    pub fn unsupported(line: Option<u32>, message: impl Into<String>) -> Self {
        Self { line, message: message.into(), unsupported: true }
    }
    /// From a serde_json error, keeping its line.
    pub fn json(e: &serde_json::Error) -> Self {
        Self::malformed(crate::text::json_error_line(e), format!("invalid JSON: {e}"))
    }
    /// From a toml error, keeping its line.
    pub fn toml(e: &toml::de::Error, text: &str) -> Self {
        let line = e.span().map(|s| crate::text::LineIndex::new(text).line_of(s.start));
        Self::malformed(line, format!("invalid TOML: {}", e.message()))
    }
    /// From a YAML error, keeping its line.
    pub fn yaml(e: &serde_norway::Error) -> Self {
        Self::malformed(e.location().map(|l| l.line() as u32), format!("invalid YAML: {e}"))
    }
}

/// Parse one lockfile of a known kind.
pub fn parse_lockfile(kind: LockfileKind, input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    match kind {
        LockfileKind::CargoLock => cargo::parse(input),
        LockfileKind::NpmPackageLock => npm::parse(input),
        LockfileKind::YarnLock => yarn::parse(input),
        LockfileKind::PnpmLock => pnpm::parse(input),
        LockfileKind::BunLock => bun::parse(input),
        LockfileKind::Requirements => requirements::parse(input),
        LockfileKind::PoetryLock => poetry::parse(input),
        LockfileKind::PipfileLock => pipfile::parse(input),
        LockfileKind::UvLock => uv::parse(input),
        LockfileKind::PdmLock => pdm::parse(input),
        LockfileKind::PyLock => pylock::parse(input),
        LockfileKind::GoMod => gomod::parse(input),
        LockfileKind::GemfileLock => gemfile::parse(input),
        LockfileKind::ComposerLock => composer::parse(input),
        LockfileKind::NugetPackagesLock => nuget::parse_packages_lock(input),
        LockfileKind::NugetPackagesConfig => nuget::parse_packages_config(input),
        LockfileKind::MavenPom => maven::parse(input),
        LockfileKind::GradleLockfile => gradle::parse_lockfile(input),
        LockfileKind::GradleVerificationMetadata => gradle::parse_verification_metadata(input),
        LockfileKind::PubspecLock => pubspec::parse(input),
        LockfileKind::MixLock => mix::parse(input),
        LockfileKind::ConanLock => conan::parse(input),
        LockfileKind::SwiftPackageResolved => swift::parse(input),
        LockfileKind::PodfileLock => cocoapods::parse(input),
        LockfileKind::RenvLock => renv::parse(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_name() {
        assert_eq!(LockfileKind::detect("a/b/Cargo.lock"), Some(LockfileKind::CargoLock));
        assert_eq!(LockfileKind::detect("requirements-dev.txt"), Some(LockfileKind::Requirements));
        assert_eq!(LockfileKind::detect("requirements/base.txt"), Some(LockfileKind::Requirements));
        assert_eq!(
            LockfileKind::detect("x/gradle/verification-metadata.xml"),
            Some(LockfileKind::GradleVerificationMetadata)
        );
        assert_eq!(LockfileKind::detect("verification-metadata.xml"), None);
        assert_eq!(LockfileKind::detect("app/buildscript-gradle.lockfile"), Some(LockfileKind::GradleLockfile));
        assert_eq!(LockfileKind::detect("README.md"), None);
        let names: std::collections::BTreeSet<_> = LockfileKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), LockfileKind::ALL.len());
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join_normalized("a/b", "../c.txt"), "a/c.txt");
        assert_eq!(join_normalized("", "./x/y"), "x/y");
        assert_eq!(join_normalized("a", "../../z"), "z");
    }
}
