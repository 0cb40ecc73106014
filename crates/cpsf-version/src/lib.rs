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
//! Every scheme but two is a total order. Maven and Packagist follow their ecosystem's own comparator pair by pair
//! (Maven's `ComparableVersion`; PHP's `version_compare` as osv-scalibr applies it), and those are not transitive
//! on some inputs (`2.9.0.RC1 < 2.9.0 < 2.9.0-1` yet `2.9.0-1 < 2.9.0.RC1` in Maven; `1.2.3.# = 1.2.3` and
//! `1.2.3.# = 1.2.3.1` yet `1.2.3 < 1.2.3.1` in Packagist). std's sorts may panic on such an order, so sort
//! versions with [`sort_versions`] (or items carrying versions with [`sort_stable_by`]), which never panic and
//! give the sorted order whenever the versions at hand are totally ordered. The Maven parse also allocates (its
//! lists, and a lower-cased copy when the version has capitals).
//!
//! An unparseable version is a [`VersionError`] with the reason.

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
pub mod vers;

/// A versioning scheme: the rules one family of ecosystems uses to order its version strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// SemVer 2.0 precedence (crates.io, npm, and OSV `SEMVER` ranges); build metadata ignored.
    Semver,
    /// Go modules: SemVer with an optional `v`, `+incompatible`, pseudo-versions.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven `ComparableVersion`, pairwise (not transitive on some inputs: see [`sort_versions`]).
    Maven,
    /// NuGet (SemVer 2.0 plus a fourth number, case-insensitive labels).
    NuGet,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Composer (Packagist): PHP `version_compare`, pairwise (not transitive on some inputs: see
    /// [`sort_versions`]).
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

    /// Whether this scheme's comparison is a total order on all its versions. `false` for [`Scheme::Maven`] and
    /// [`Scheme::Packagist`], which follow their ecosystem's comparator pair by pair; sort those (and, to be safe,
    /// any versions) with [`sort_versions`].
    pub fn is_total_order(self) -> bool {
        !matches!(self, Scheme::Maven | Scheme::Packagist)
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
/// Versions of different schemes order by scheme. Versions of one scheme order by its rules, which for every scheme
/// but [`Scheme::Maven`] and [`Scheme::Packagist`] is a total order. Those two follow upstream pair by pair (Maven's
/// `ComparableVersion`, PHP's `version_compare`) and are not guaranteed transitive, nor is their equality: each
/// single comparison is right, but a chain of them may contradict another. std's `sort`, `sort_unstable`,
/// `BinaryHeap` and `BTreeMap` assume a total order (std's sorts may panic when they notice it is not), so sort
/// versions with [`sort_versions`].
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.scheme
            .cmp(&other.scheme)
            .then_with(|| compare_parsed(&self.text, &self.parsed, &other.text, &other.parsed))
    }
}

/// Sort versions in place, stably, in O(n log n) comparisons, using nothing but [`Version`]'s `cmp`.
///
/// When the versions at hand are totally ordered (always so for every scheme but Maven and Packagist, and for
/// those whenever the set holds no cycle), the result is the sorted order: it agrees with the comparison of every
/// pair, and equal versions keep their relative order. When they are not, no order can agree with every pair; it
/// then still returns a permutation of the input (an order a merge sort reaches from those answers) and never
/// panics. Prefer it to std's sorts for versions of any scheme; [`sort_stable_by`] does the same for items that
/// carry a version.
pub fn sort_versions(versions: &mut [Version]) {
    sort_stable_by(versions, Version::cmp);
}

/// Sort any items in place, stably, in O(n log n) calls of `cmp`, never panicking whatever `cmp` answers: the
/// general form of [`sort_versions`], for items that carry a version (`(Version, T)` pairs, OSV range events with
/// a tie-break, ...). With a `cmp` that is a total order on the items at hand, the result is the sorted order.
pub fn sort_stable_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    // Two items (an OSV range's `introduced` and `fixed`, most often): the one merge the sort would make,
    // without its index lists.
    if let [first, second] = items {
        if cmp(second, first) == Ordering::Less {
            items.swap(0, 1);
        }
        return;
    }
    let order = merge_sort_indices(items.len(), |i, j| match (items.get(i), items.get(j)) {
        (Some(a), Some(b)) => cmp(a, b),
        _ => Ordering::Equal,
    });
    // `dest[i]`: where the element now at `i` goes. Each swap puts one element in its place.
    let mut dest = vec![0; order.len()];
    for (to, &from) in order.iter().enumerate() {
        if let Some(d) = dest.get_mut(from) {
            *d = to;
        }
    }
    for i in 0..dest.len() {
        loop {
            let d = dest.get(i).copied().unwrap_or(i);
            if d == i || d >= items.len() {
                break;
            }
            items.swap(i, d);
            dest.swap(i, d);
        }
    }
}

/// The indices `0..n` in stable merge-sorted order by `cmp`, bottom up. Only the results of `cmp` steer it, so an
/// inconsistent `cmp` yields some permutation, never a panic.
fn merge_sort_indices(n: usize, cmp: impl Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut src: Vec<usize> = (0..n).collect();
    let mut dst: Vec<usize> = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        dst.clear();
        for chunk in src.chunks(2 * width) {
            let (left, right) = chunk.split_at(width.min(chunk.len()));
            let (mut l, mut r) = (left.iter().peekable(), right.iter().peekable());
            loop {
                match (l.peek(), r.peek()) {
                    (Some(&&x), Some(&&y)) => {
                        // Take from the right only when strictly smaller: stable.
                        if cmp(y, x) == Ordering::Less {
                            dst.push(y);
                            r.next();
                        } else {
                            dst.push(x);
                            l.next();
                        }
                    }
                    (Some(_), None) => dst.extend(l.by_ref()),
                    (None, Some(_)) => dst.extend(r.by_ref()),
                    (None, None) => break,
                }
            }
        }
        std::mem::swap(&mut src, &mut dst);
        width = width.saturating_mul(2);
    }
    src
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(scheme: Scheme, texts: &[&str]) -> Vec<Version> {
        texts.iter().map(|t| scheme.parse(t).unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    #[test]
    fn sort_versions_sorts_stably() {
        let mut v = parse_all(Scheme::Semver, &["1.10.0", "1.2.0", "0.1.0", "1.2.0+b", "1.2.0+a", "2.0.0-rc.1"]);
        sort_versions(&mut v);
        let got: Vec<&str> = v.iter().map(Version::as_str).collect();
        assert_eq!(got, ["0.1.0", "1.2.0", "1.2.0+b", "1.2.0+a", "1.10.0", "2.0.0-rc.1"]);
        let mut empty: Vec<Version> = Vec::new();
        sort_versions(&mut empty);
        let mut one = parse_all(Scheme::Semver, &["1.0.0"]);
        sort_versions(&mut one);
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn sort_versions_survives_cycles() {
        // Maven's cycle, in every starting order: a permutation comes back, no panic.
        let texts = ["2.9.0-1", "2.9.0.RC1", "2.9.0", "2.9.0.RC1", "2.9.0-1"];
        for rot in 0..texts.len() {
            let mut rotated = texts.to_vec();
            rotated.rotate_left(rot);
            let mut v = parse_all(Scheme::Maven, &rotated);
            sort_versions(&mut v);
            let mut got: Vec<&str> = v.iter().map(Version::as_str).collect();
            got.sort_unstable();
            let mut want = texts.to_vec();
            want.sort_unstable();
            assert_eq!(got, want);
        }
        let mut v = parse_all(Scheme::Packagist, &["1.2.3.1", "1.2.3.#", "1.2.3", "1.2.3.#", "1.2.3.1"]);
        sort_versions(&mut v);
        assert_eq!(v.len(), 5);
        // Any comparator, however inconsistent, and any length.
        let mut n: Vec<u32> = (0..1000).rev().collect();
        sort_stable_by(&mut n, |a, b| (a % 7).cmp(&(b % 3)));
        assert_eq!(n.len(), 1000);
        let mut n: Vec<u32> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        sort_stable_by(&mut n, |a, b| (a / 10).cmp(&(b / 10)));
        assert!(n.windows(2).all(|w| w[0] / 10 <= w[1] / 10));
        // Stable: within a block of ten, the original order (by `(i * 7919) % 1000`) is kept.
        let block: Vec<u32> = n.iter().copied().filter(|x| x / 10 == 0).collect();
        let original: Vec<u32> = (0..1000).map(|i| (i * 7919) % 1000).filter(|x| x / 10 == 0).collect();
        assert_eq!(block, original);
        assert!(!Scheme::Maven.is_total_order() && !Scheme::Packagist.is_total_order());
        assert!(Scheme::Semver.is_total_order());
    }
}
