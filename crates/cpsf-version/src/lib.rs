//! Version ordering per package ecosystem: one comparator per versioning scheme, chosen from an OSV ecosystem name or a purl type. Pure: no IO.

use std::cmp::Ordering;

/// A versioning scheme: the rules one family of ecosystems uses to order its version strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// SemVer 2.0 precedence (crates.io, npm, and OSV `SEMVER` ranges); build metadata ignored.
    Semver,
    /// Go modules: SemVer with an optional `v`, `+incompatible`, pseudo-versions.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// NuGet (SemVer 2.0 plus a fourth number, case-insensitive labels).
    NuGet,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Composer (Packagist).
    Packagist,
    /// Dart pub.
    Pub,
    /// Hex (Erlang/Elixir): SemVer.
    Hex,
    /// Debian and Ubuntu dpkg versions.
    Debian,
    /// Alpine apk versions.
    Alpine,
    /// RPM EVR (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia, ...).
    Rpm,
}

/// A version string that its scheme cannot order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{scheme:?} version {version:?}: {reason}")]
pub struct VersionError {
    pub scheme: Scheme,
    pub version: String,
    pub reason: String,
}

impl Scheme {
    /// The scheme of an OSV `affected[].package.ecosystem` value; distro ecosystems carry a release
    /// suffix (`Debian:12`, `Alpine:v3.20`), which is ignored here. `None` for ecosystems we cannot order.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let _ = ecosystem;
        None
    }

    /// The scheme of a purl type (`cargo`, `npm`, `pypi`, `golang`, `maven`, `nuget`, `gem`, `composer`,
    /// `pub`, `hex`, `deb`, `apk`, `rpm`).
    pub fn for_purl_type(ty: &str) -> Option<Scheme> {
        let _ = ty;
        None
    }

    /// Parse a version string of this scheme into a value that orders by the scheme's rules.
    pub fn parse(self, version: &str) -> Result<Version, VersionError> {
        Err(VersionError { scheme: self, version: version.to_owned(), reason: "not parsed yet".into() })
    }

    /// Compare two version strings of this scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

/// A parsed version. Versions of the same scheme order by that scheme's rules; versions of different schemes
/// order by scheme first (never meaningful, but total).
#[derive(Debug, Clone)]
pub struct Version {
    scheme: Scheme,
    text: String,
}

impl Version {
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.scheme.cmp(&other.scheme).then_with(|| self.text.cmp(&other.text))
    }
}
