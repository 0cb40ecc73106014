//! Robustness of every comparator: parsing arbitrary strings (fragments of the vector files, generated garbage,
//! huge numbers) never panics; comparison is antisymmetric; `sort_versions` never panics and returns the same
//! versions; and each scheme that claims to be a total order is one, so sorting any mix of its valid versions
//! leaves no two of them out of order (Maven and Packagist follow their upstream comparators pairwise and are not
//! transitive, so for them only the absence of panics is checked). Also the ecosystem and purl mappings.

use crate::common;

use std::cmp::Ordering;

use cpsf_version::{ALL_SCHEMES, Scheme, Version, sort_versions};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Strings that stress the parsers: separators, markers, letters, non-ASCII, control characters, huge numbers.
fn garbage(count: usize, seed: u64) -> Vec<String> {
    const PIECES: [&str; 40] = [
        "0",
        "1",
        "2",
        "9",
        "00",
        "01",
        "10",
        "99999999999999999999999",
        ".",
        "..",
        "-",
        "--",
        "+",
        "_",
        "~",
        "^",
        ":",
        "!",
        "#",
        "a",
        "b",
        "rc",
        "alpha",
        "beta",
        "pre",
        "post",
        "dev",
        "r",
        "p",
        "v",
        "V",
        "SNAPSHOT",
        "sp",
        "final",
        "é",
        "α",
        " ",
        "\t",
        "\u{0}",
        "-r",
    ];
    let mut rng = Rng(seed);
    let mut out = vec![
        String::new(),
        "99999999999999999999999999999999999999999999".into(),
        "1.".repeat(500),
        "9".repeat(5000),
        "\u{feff}1.0".into(),
    ];
    for _ in 0..count {
        let len = 1 + rng.below(8);
        out.push((0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect());
    }
    out
}

/// Every word of every line of the shared ordering files, plus each line's halves split at every separator.
fn vector_fragments() -> Vec<String> {
    let Some(root) = common::shared_data() else { return Vec::new() };
    let dir = root.join("osv-version-ordering");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return out };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        for (i, line) in text.lines().enumerate() {
            for word in line.split_whitespace() {
                out.push(word.to_owned());
                // Some prefixes and suffixes at separators, only for a sample of lines to bound the run time.
                if i % 97 == 0 {
                    for (pos, c) in word.char_indices() {
                        if !c.is_alphanumeric() {
                            out.push(word[..pos].to_owned());
                            out.push(word[pos..].to_owned());
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn parsing_anything_never_panics_and_compare_is_antisymmetric() {
    let mut inputs = vector_fragments();
    inputs.extend(garbage(3000, 0x5eed));
    let mut rng = Rng(42);
    for scheme in ALL_SCHEMES {
        let valid: Vec<&String> = inputs.iter().filter(|s| scheme.parse(s).is_ok()).collect();
        for s in &inputs {
            // Errors name the scheme and the input.
            if let Err(e) = scheme.parse(s) {
                assert_eq!(e.scheme, scheme);
                assert_eq!(&e.version, s);
                assert!(!e.reason.is_empty());
            }
        }
        if valid.is_empty() {
            continue;
        }
        for _ in 0..20_000 {
            let a = valid[rng.below(valid.len())];
            let b = valid[rng.below(valid.len())];
            let ab = scheme.compare(a, b).unwrap_or_else(|e| panic!("{e}"));
            let ba = scheme.compare(b, a).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ab, ba.reverse(), "{scheme}: {a:?} vs {b:?}");
            if a == b {
                assert_eq!(ab, Ordering::Equal, "{scheme}: {a:?} not equal to itself");
            }
        }
    }
}

#[test]
fn every_scheme_is_a_total_order() {
    let mut inputs = vector_fragments();
    inputs.extend(garbage(3000, 0xfeed));
    let mut rng = Rng(7);
    for scheme in ALL_SCHEMES {
        let mut versions: Vec<Version> = inputs.iter().filter_map(|s| scheme.parse(s).ok()).collect();
        // A sample keeps the quadratic check below fast; shuffle first so the sample mixes sources.
        for i in (1..versions.len()).rev() {
            versions.swap(i, rng.below(i + 1));
        }
        versions.truncate(700);
        let mut before: Vec<String> = versions.iter().map(|v| v.as_str().to_owned()).collect();
        sort_versions(&mut versions);
        let mut after: Vec<String> = versions.iter().map(|v| v.as_str().to_owned()).collect();
        before.sort_unstable();
        after.sort_unstable();
        assert_eq!(before, after, "{scheme}: sort_versions lost or invented versions");
        if !scheme.is_total_order() {
            continue;
        }
        // A total order: std's stable sort (safe here) must give the very same sequence.
        let mut by_std = versions.clone();
        by_std.reverse();
        by_std.sort();
        let mut expected = versions.clone();
        expected.reverse();
        sort_versions(&mut expected);
        assert!(
            by_std.iter().zip(&expected).all(|(x, y)| x.as_str() == y.as_str()),
            "{scheme}: sort_versions and std's stable sort disagree"
        );
        let mut bad = Vec::new();
        for i in 0..versions.len() {
            for j in i + 1..versions.len() {
                if versions[i] > versions[j] {
                    bad.push(format!("{:?} > {:?}", versions[i].as_str(), versions[j].as_str()));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "{scheme}: {} pairs out of order after sorting, e.g.\n{}",
            bad.len(),
            bad[..bad.len().min(10)].join("\n")
        );
    }
}

#[test]
fn numbers_beyond_u64_compare_by_value() {
    let big = "99999999999999999999999";
    let bigger = "100000000000000000000000";
    let cases: [(Scheme, String, String); 14] = [
        (Scheme::Semver, format!("1.{big}.0"), format!("1.{bigger}.0")),
        (Scheme::Go, format!("v1.{big}.0"), format!("v1.{bigger}.0")),
        (Scheme::Hex, format!("1.0.0-{big}"), format!("1.0.0-{bigger}")),
        (Scheme::NuGet, format!("1.0.0.{big}"), format!("1.0.0.{bigger}")),
        (Scheme::Pub, format!("1.0.0+{big}"), format!("1.0.0+{bigger}")),
        (Scheme::Pep440, format!("1.0.post{big}"), format!("1.0.post{bigger}")),
        (Scheme::Maven, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::RubyGems, format!("1.a{big}"), format!("1.a{bigger}")),
        (Scheme::Packagist, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::Debian, format!("{big}:1.0"), format!("{bigger}:0.1")),
        (Scheme::Alpine, format!("1.0-r{big}"), format!("1.0-r{bigger}")),
        (Scheme::Rpm, format!("1.0-{big}"), format!("1.0-{bigger}")),
        (Scheme::Cran, format!("1-{big}"), format!("1-{bigger}")),
        (Scheme::Hackage, format!("{big}.1"), format!("{bigger}.0")),
    ];
    for (scheme, a, b) in &cases {
        assert_eq!(scheme.compare(a, b), Ok(Ordering::Less), "{scheme}: {a} < {b}");
        assert_eq!(scheme.compare(b, a), Ok(Ordering::Greater), "{scheme}: {b} > {a}");
        // Leading zeros do not change a number (where the scheme accepts them: Go refuses them).
        let padded = a.replacen(big, &format!("000{big}"), 1);
        if scheme.is_valid(&padded) {
            assert_ne!(scheme.compare(a, &padded), Ok(Ordering::Greater), "{scheme}: {a} vs {padded}");
        }
    }
}

#[test]
fn version_accessors_and_cross_scheme_order() {
    let v = Scheme::Debian.parse("1:2.0-1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.scheme(), Scheme::Debian);
    assert_eq!(v.as_str(), "1:2.0-1");
    assert_eq!(v.to_string(), "1:2.0-1");
    let s = Scheme::Semver.parse("1.0.0").unwrap_or_else(|e| panic!("{e}"));
    // Different schemes order by scheme, never equal.
    assert_eq!(s.cmp(&v), Scheme::Semver.cmp(&Scheme::Debian));
    assert_ne!(s, Scheme::Go.parse("1.0.0").unwrap_or_else(|e| panic!("{e}")));
    let e = Scheme::Semver.parse("not a version").unwrap_err();
    assert!(e.to_string().contains("not a version"), "{e}");
}

#[test]
fn osv_ecosystems_map_to_schemes() {
    let cases = [
        ("crates.io", Some(Scheme::Semver)),
        ("npm", Some(Scheme::Semver)),
        ("PyPI", Some(Scheme::Pep440)),
        ("Go", Some(Scheme::Go)),
        ("Maven", Some(Scheme::Maven)),
        ("NuGet", Some(Scheme::NuGet)),
        ("RubyGems", Some(Scheme::RubyGems)),
        ("Packagist", Some(Scheme::Packagist)),
        ("Pub", Some(Scheme::Pub)),
        ("Hex", Some(Scheme::Hex)),
        ("Debian:12", Some(Scheme::Debian)),
        ("Debian", Some(Scheme::Debian)),
        ("Ubuntu:22.04:LTS", Some(Scheme::Debian)),
        ("Ubuntu:Pro:18.04:LTS", Some(Scheme::Debian)),
        ("Alpine:v3.20", Some(Scheme::Alpine)),
        ("Wolfi", Some(Scheme::Alpine)),
        ("Chainguard", Some(Scheme::Alpine)),
        ("Red Hat:enterprise_linux:9::appstream", Some(Scheme::Rpm)),
        ("Rocky Linux:8", Some(Scheme::Rpm)),
        ("AlmaLinux:9", Some(Scheme::Rpm)),
        ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
        ("openSUSE:Tumbleweed", Some(Scheme::Rpm)),
        ("Mageia:9", Some(Scheme::Rpm)),
        ("CRAN", Some(Scheme::Cran)),
        ("Bioconductor", Some(Scheme::Cran)),
        ("Hackage", Some(Scheme::Hackage)),
        ("SwiftURL", Some(Scheme::Semver)),
        ("Bitnami", Some(Scheme::Semver)),
        ("GIT", None),
        ("Linux", None),
        ("OSS-Fuzz", None),
        ("pypi", None),
        ("", None),
    ];
    for (ecosystem, want) in cases {
        assert_eq!(Scheme::for_osv_ecosystem(ecosystem), want, "{ecosystem:?}");
    }
}

#[test]
fn purl_types_map_to_schemes() {
    let cases = [
        ("cargo", Some(Scheme::Semver)),
        ("npm", Some(Scheme::Semver)),
        ("pypi", Some(Scheme::Pep440)),
        ("golang", Some(Scheme::Go)),
        ("maven", Some(Scheme::Maven)),
        ("nuget", Some(Scheme::NuGet)),
        ("gem", Some(Scheme::RubyGems)),
        ("composer", Some(Scheme::Packagist)),
        ("pub", Some(Scheme::Pub)),
        ("hex", Some(Scheme::Hex)),
        ("deb", Some(Scheme::Debian)),
        ("apk", Some(Scheme::Alpine)),
        ("rpm", Some(Scheme::Rpm)),
        ("cran", Some(Scheme::Cran)),
        ("hackage", Some(Scheme::Hackage)),
        ("swift", Some(Scheme::Semver)),
        ("PyPI", Some(Scheme::Pep440)),
        ("docker", None),
        ("generic", None),
        ("", None),
    ];
    for (ty, want) in cases {
        assert_eq!(Scheme::for_purl_type(ty), want, "{ty:?}");
    }
}

#[test]
fn long_inputs_are_handled_and_oversized_refused() {
    let long = [
        format!("{}a", "0.".repeat(100_000)),
        format!("1{}", ".0".repeat(100_000)),
        "9".repeat(300_000),
        format!("1{}", "-a".repeat(100_000)),
        format!("1{}-1", "-0".repeat(100_000)),
        "1a".repeat(100_000),
        format!("1{}", "_p1".repeat(60_000)),
        format!("1{}", "~".repeat(200_000)),
        format!("1.0+{}", "a.".repeat(100_000)),
    ];
    for scheme in ALL_SCHEMES {
        for s in &long {
            if scheme.is_valid(s) {
                assert_eq!(scheme.compare(s, s), Ok(Ordering::Equal), "{scheme}: a long version differs from itself");
                let _ = scheme.compare(s, "1.0");
            }
        }
        let huge = "1".repeat((1 << 20) + 1);
        let e = scheme.parse(&huge).unwrap_err();
        assert!(e.reason.contains("longer than"), "{scheme}: {}", e.reason);
    }
}
