//! Version ordering per package ecosystem: one comparator per versioning scheme, chosen from an OSV ecosystem name or a purl type. Pure: no IO.
//!
//! Each scheme lives in its own module and offers the same two operations: `parse` (validate a string and record
//! where its parts are, as byte spans into the string, so a parse allocates little or nothing) and `compare` (order
//! two parsed strings of that scheme). [`Version`] owns the string and its parsed form; [`Scheme::compare`] orders
//! two borrowed strings without copying them.
//!
//! Numbers are never converted to machine integers: digit runs are compared by length after dropping leading zeros,
//! then digit by digit, so `99999999999999999999999` orders correctly and nothing overflows.
//!
//! Every scheme is a total order, so sorting versions never meets an inconsistent comparison (std's sort may
//! panic on one). Where an ecosystem's own comparator is not transitive (Maven's `ComparableVersion`, PHP's
//! `version_compare` on `#`), the scheme gives the nearest total order; the module documentation says where it
//! departs. An unparseable version is a [`VersionError`] with the reason.

use std::cmp::Ordering;
use std::fmt;

mod alpine;
mod cran;
mod debian;
mod hackage;
mod maven;
mod num;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

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
    /// R `package_version` (CRAN, Bioconductor): numbers separated by `.` or `-`.
    Cran,
    /// Haskell `Data.Version` (Hackage): numbers separated by `.`.
    Hackage,
}

/// A version string that its scheme cannot order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{scheme:?} version {version:?}: {reason}")]
pub struct VersionError {
    pub scheme: Scheme,
    pub version: String,
    pub reason: String,
}

/// Every scheme, in declaration order.
pub const ALL_SCHEMES: [Scheme; 14] = [
    Scheme::Semver,
    Scheme::Go,
    Scheme::Pep440,
    Scheme::Maven,
    Scheme::NuGet,
    Scheme::RubyGems,
    Scheme::Packagist,
    Scheme::Pub,
    Scheme::Hex,
    Scheme::Debian,
    Scheme::Alpine,
    Scheme::Rpm,
    Scheme::Cran,
    Scheme::Hackage,
];

impl Scheme {
    /// The scheme of an OSV `affected[].package.ecosystem` value; distro ecosystems carry a release
    /// suffix (`Debian:12`, `Alpine:v3.20`), which is ignored here. `None` for ecosystems we cannot order.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or("").trim();
        Some(match base {
            "crates.io" | "npm" | "SwiftURL" | "Bitnami" => Scheme::Semver,
            "Go" => Scheme::Go,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "NuGet" => Scheme::NuGet,
            "RubyGems" => Scheme::RubyGems,
            "Packagist" => Scheme::Packagist,
            "Pub" => Scheme::Pub,
            "Hex" => Scheme::Hex,
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Alpine" | "Wolfi" | "Chainguard" | "MinimOS" => Scheme::Alpine,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia" | "openEuler" | "Azure Linux"
            | "Photon OS" => Scheme::Rpm,
            "CRAN" | "Bioconductor" => Scheme::Cran,
            "Hackage" => Scheme::Hackage,
            _ => return None,
        })
    }

    /// The scheme of a purl type (`cargo`, `npm`, `pypi`, `golang`, `maven`, `nuget`, `gem`, `composer`,
    /// `pub`, `hex`, `deb`, `apk`, `rpm`, `cran`, `hackage`, `swift`, `bitnami`). Purl types are case-insensitive.
    pub fn for_purl_type(ty: &str) -> Option<Scheme> {
        let ty = ty.trim().to_ascii_lowercase();
        Some(match ty.as_str() {
            "cargo" | "npm" | "swift" | "bitnami" => Scheme::Semver,
            "golang" => Scheme::Go,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "nuget" => Scheme::NuGet,
            "gem" => Scheme::RubyGems,
            "composer" => Scheme::Packagist,
            "pub" => Scheme::Pub,
            "hex" => Scheme::Hex,
            "deb" => Scheme::Debian,
            "apk" => Scheme::Alpine,
            "rpm" => Scheme::Rpm,
            "cran" => Scheme::Cran,
            "hackage" => Scheme::Hackage,
            _ => return None,
        })
    }

    /// A short lower-case name for messages (`semver`, `pep440`, `debian`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::NuGet => "nuget",
            Scheme::RubyGems => "rubygems",
            Scheme::Packagist => "packagist",
            Scheme::Pub => "pub",
            Scheme::Hex => "hex",
            Scheme::Debian => "debian",
            Scheme::Alpine => "alpine",
            Scheme::Rpm => "rpm",
            Scheme::Cran => "cran",
            Scheme::Hackage => "hackage",
        }
    }

    /// Parse a version string of this scheme into a value that orders by the scheme's rules.
    pub fn parse(self, version: &str) -> Result<Version, VersionError> {
        let parsed = self.parse_repr(version)?;
        Ok(Version { scheme: self, text: version.to_owned(), parsed })
    }

    /// Whether `version` is a valid version of this scheme.
    pub fn is_valid(self, version: &str) -> bool {
        self.parse_repr(version).is_ok()
    }

    /// Compare two version strings of this scheme (without copying either).
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let pa = self.parse_repr(a)?;
        let pb = self.parse_repr(b)?;
        Ok(compare_parsed(a, &pa, b, &pb))
    }

    fn parse_repr(self, version: &str) -> Result<Parsed, VersionError> {
        let fail = |reason: String| VersionError { scheme: self, version: version.to_owned(), reason };
        if version.len() > num::MAX_LEN {
            return Err(fail(format!("longer than {} bytes", num::MAX_LEN)));
        }
        let parsed = match self {
            Scheme::Semver => semver::parse(version, semver::Flavor::Semver).map(Parsed::Semver),
            Scheme::Hex => semver::parse(version, semver::Flavor::Semver).map(Parsed::Semver),
            Scheme::Go => semver::parse(version, semver::Flavor::Go).map(Parsed::Semver),
            Scheme::NuGet => semver::parse(version, semver::Flavor::NuGet).map(Parsed::NuGet),
            Scheme::Pub => semver::parse(version, semver::Flavor::Pub).map(Parsed::Pub),
            Scheme::Pep440 => pep440::parse(version).map(Parsed::Pep440),
            Scheme::Maven => maven::parse(version).map(Parsed::Maven),
            Scheme::RubyGems => rubygems::parse(version).map(Parsed::RubyGems),
            Scheme::Packagist => packagist::parse(version).map(Parsed::Packagist),
            Scheme::Debian => debian::parse(version).map(Parsed::Debian),
            Scheme::Alpine => alpine::parse(version).map(Parsed::Alpine),
            Scheme::Rpm => rpm::parse(version).map(Parsed::Rpm),
            Scheme::Cran => cran::parse(version).map(Parsed::Cran),
            Scheme::Hackage => hackage::parse(version).map(Parsed::Hackage),
        };
        parsed.map_err(fail)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The parsed form of a version, one variant per comparator. Spans inside point into the version's own string.
#[derive(Debug, Clone)]
enum Parsed {
    Semver(semver::Parsed),
    NuGet(semver::Parsed),
    Pub(semver::Parsed),
    Pep440(pep440::Parsed),
    Maven(maven::Parsed),
    RubyGems(rubygems::Parsed),
    Packagist(packagist::Parsed),
    Debian(debian::Parsed),
    Alpine(alpine::Parsed),
    Rpm(rpm::Parsed),
    Cran(cran::Parsed),
    Hackage(hackage::Parsed),
}

impl Parsed {
    fn rank(&self) -> u8 {
        match self {
            Parsed::Semver(_) => 0,
            Parsed::NuGet(_) => 1,
            Parsed::Pub(_) => 2,
            Parsed::Pep440(_) => 3,
            Parsed::Maven(_) => 4,
            Parsed::RubyGems(_) => 5,
            Parsed::Packagist(_) => 6,
            Parsed::Debian(_) => 7,
            Parsed::Alpine(_) => 8,
            Parsed::Rpm(_) => 9,
            Parsed::Cran(_) => 10,
            Parsed::Hackage(_) => 11,
        }
    }
}

fn compare_parsed(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    match (pa, pb) {
        (Parsed::Semver(x), Parsed::Semver(y)) => semver::compare(a, x, b, y, semver::Flavor::Semver),
        (Parsed::NuGet(x), Parsed::NuGet(y)) => semver::compare(a, x, b, y, semver::Flavor::NuGet),
        (Parsed::Pub(x), Parsed::Pub(y)) => semver::compare(a, x, b, y, semver::Flavor::Pub),
        (Parsed::Pep440(x), Parsed::Pep440(y)) => pep440::compare(a, x, b, y),
        (Parsed::Maven(x), Parsed::Maven(y)) => maven::compare(a, x, b, y),
        (Parsed::RubyGems(x), Parsed::RubyGems(y)) => rubygems::compare(a, x, b, y),
        (Parsed::Packagist(x), Parsed::Packagist(y)) => packagist::compare(a, x, b, y),
        (Parsed::Debian(x), Parsed::Debian(y)) => debian::compare(a, x, b, y),
        (Parsed::Alpine(x), Parsed::Alpine(y)) => alpine::compare(a, x, b, y),
        (Parsed::Rpm(x), Parsed::Rpm(y)) => rpm::compare(a, x, b, y),
        (Parsed::Cran(x), Parsed::Cran(y)) => cran::compare(a, x, b, y),
        (Parsed::Hackage(x), Parsed::Hackage(y)) => hackage::compare(a, x, b, y),
        _ => pa.rank().cmp(&pb.rank()),
    }
}

/// A parsed version. Versions of the same scheme order by that scheme's rules; versions of different schemes
/// order by scheme first (never meaningful, but total).
#[derive(Debug, Clone)]
pub struct Version {
    scheme: Scheme,
    text: String,
    parsed: Parsed,
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

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
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
        self.scheme
            .cmp(&other.scheme)
            .then_with(|| compare_parsed(&self.text, &self.parsed, &other.text, &other.parsed))
    }
}
