//! Every comparator against every line of the OSV version-ordering vectors (osv-scalibr `semantic/testdata`,
//! in the shared data as `osv-version-ordering/`): each `A op B` must hold as written and reversed (`B op' A`),
//! and the versions of each file, sorted, must agree with every assertion of the file.
//!
//! The comparators are total orders (a sort must never see an inconsistent comparison). Where the reference
//! data records an ecosystem comparator's cycle, no total order can satisfy every line; those lines are listed in
//! `KNOWN_DEVIATIONS` with the cycle they belong to, and the test fails if any other line fails or if a listed
//! line starts to pass.

mod common;

use std::cmp::Ordering;
use std::collections::BTreeSet;

use common::{Assertion, read_assertions, shared_data, symbol};
use cpsf_version::{Scheme, Version};

/// Lines of the reference data that a total order cannot satisfy: (file, line, why).
const KNOWN_DEVIATIONS: &[(&str, usize, &str)] = &[
    (
        "maven-versions-generated.txt",
        2786,
        "Maven cycle: 1.0.0.RC8-beta < 1.0.0 (line 2782) < 1.0.0-gradle-rework-beta1 < ... < 1.0.0.RC7-3 < 1.0.0.RC8, \
         yet an RC of 1.0.0 is below 1.0.0; we keep 1.0.0.RC7-3 < 1.0.0 < 1.0.0-gradle-rework-beta3",
    ),
    (
        "maven-versions-generated.txt",
        5776,
        "Maven cycle: 2.9.0-1 < 2.9.0.RC1 (a number beats a '-' list) but 2.9.0.RC1 < 2.9.0 < 2.9.0-1; \
         we keep 2.9.0.RC1 < 2.9.0 < 2.9.0-1",
    ),
    (
        "maven-versions-generated.txt",
        12642,
        "Maven cycle: 1.1.0-01-glassfish < 1.1.0.Beta1 but 1.1.0.Beta1 < 1.1.0 < 1.1.0-01-glassfish; \
         we keep the latter",
    ),
    (
        "packagist-versions.txt",
        96,
        "1.2.3.# = 1.2.3 (line 94) and 1.2.3.# = 1.2.3.1 cannot both hold with 1.2.3 < 1.2.3.1; \
         '#' counts as the end of the version, as in PHP's version_compare",
    ),
];

/// Check one file, printing its counts. Panics with every failing line that is not a known deviation.
fn check_file(file: &str, scheme: Scheme) {
    let Some(root) = shared_data() else { return };
    let path = root.join("osv-version-ordering").join(file);
    assert!(path.is_file(), "{} is missing", path.display());
    let (assertions, mut failures) = read_assertions(&path);
    for Assertion { line, text, a, b, expected } in &assertions {
        let (va, vb) = match (scheme.parse(a), scheme.parse(b)) {
            (Ok(va), Ok(vb)) => (va, vb),
            (ra, rb) => {
                let errors: Vec<String> = [ra.err(), rb.err()].into_iter().flatten().map(|e| e.to_string()).collect();
                failures.push(format!("{file}:{line}: {text}: not parsed: {}", errors.join("; ")));
                continue;
            }
        };
        let forward = va.cmp(&vb);
        let backward = vb.cmp(&va);
        if forward != *expected {
            failures.push(format!("{file}:{line}: {text}: computed {a} {} {b}", symbol(forward)));
        } else if backward != expected.reverse() {
            failures.push(format!("{file}:{line}: {text}: reversed, computed {b} {} {a}", symbol(backward)));
        } else if scheme.compare(a, b).ok() != Some(forward) {
            failures.push(format!("{file}:{line}: {text}: Scheme::compare disagrees with Version::cmp"));
        }
    }
    check_sorted_order(file, scheme, &assertions, &mut failures);
    let failed_lines: BTreeSet<usize> = failures.iter().filter_map(|f| line_of(file, f)).collect();
    let known: BTreeSet<usize> =
        KNOWN_DEVIATIONS.iter().filter(|(f, _, _)| *f == file).map(|&(_, line, _)| line).collect();
    println!(
        "{file} ({scheme}): {} assertions checked, {} lines failed ({} known deviations)",
        assertions.len(),
        failed_lines.len(),
        failed_lines.intersection(&known).count()
    );
    let unexpected: Vec<&String> =
        failures.iter().filter(|f| line_of(file, f).is_none_or(|l| !known.contains(&l))).collect();
    let fixed: Vec<&usize> = known.difference(&failed_lines).collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{} of {} lines of {file} failed unexpectedly:\n{}\nknown deviations that now pass (remove them): {fixed:?}",
        unexpected.len(),
        assertions.len(),
        unexpected.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// The line number a failure message starts with (`file:line: ...`).
fn line_of(file: &str, failure: &str) -> Option<usize> {
    failure.strip_prefix(file)?.strip_prefix(':')?.split(':').next()?.parse().ok()
}

/// Sort every version of the file (duplicates kept) and check that each assertion agrees with the positions:
/// a total order puts `a < b` strictly before, and `a = b` in one run of equal values.
fn check_sorted_order(file: &str, scheme: Scheme, assertions: &[Assertion], failures: &mut Vec<String>) {
    let mut versions: Vec<Version> =
        assertions.iter().flat_map(|x| [x.a.as_str(), x.b.as_str()]).filter_map(|s| scheme.parse(s).ok()).collect();
    // A deterministic shuffle, so the sort starts from an order unlike the file's.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..versions.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        versions.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    versions.sort();
    for w in versions.windows(2) {
        if w[0] > w[1] {
            failures.push(format!("{file}: sorted list out of order: {} after {}", w[1].as_str(), w[0].as_str()));
        }
    }
    // Rank of each distinct value: index of the first element equal to it.
    let rank = |s: &str| -> Option<usize> {
        let v = scheme.parse(s).ok()?;
        Some(versions.partition_point(|x| x < &v))
    };
    for x in assertions {
        if let (Some(ra), Some(rb)) = (rank(&x.a), rank(&x.b)) {
            let by_rank = ra.cmp(&rb);
            if by_rank != x.expected {
                failures.push(format!(
                    "{file}:{}: {}: in the sorted list {} is at {ra} and {} at {rb}",
                    x.line, x.text, x.a, x.b
                ));
            }
        }
    }
}

macro_rules! ordering_tests {
    ($($name:ident: $file:literal => $scheme:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check_file($file, $scheme);
            }
        )*
    };
}

ordering_tests! {
    semver: "semver-versions.txt" => Scheme::Semver;
    pypi: "pypi-versions.txt" => Scheme::Pep440;
    pypi_generated: "pypi-versions-generated.txt" => Scheme::Pep440;
    maven: "maven-versions.txt" => Scheme::Maven;
    maven_generated: "maven-versions-generated.txt" => Scheme::Maven;
    nuget: "nuget-versions.txt" => Scheme::NuGet;
    rubygems: "rubygems-versions.txt" => Scheme::RubyGems;
    rubygems_generated: "rubygems-versions-generated.txt" => Scheme::RubyGems;
    packagist: "packagist-versions.txt" => Scheme::Packagist;
    packagist_generated: "packagist-versions-generated.txt" => Scheme::Packagist;
    pub_: "pub-versions.txt" => Scheme::Pub;
    debian: "debian-versions.txt" => Scheme::Debian;
    debian_generated: "debian-versions-generated.txt" => Scheme::Debian;
    alpine: "alpine-versions.txt" => Scheme::Alpine;
    alpine_generated: "alpine-versions-generated.txt" => Scheme::Alpine;
    redhat: "redhat-versions.txt" => Scheme::Rpm;
    cran: "cran-versions.txt" => Scheme::Cran;
    cran_generated: "cran-versions-generated.txt" => Scheme::Cran;
    hackage: "hackage-versions.txt" => Scheme::Hackage;
}

#[test]
fn equal_lines_are_equal_both_ways() {
    // Covered by check_file; this guards the reading itself: a file with `=` lines yields Equal expectations.
    let Some(root) = shared_data() else { return };
    let (assertions, bad) = read_assertions(&root.join("osv-version-ordering/semver-versions.txt"));
    assert!(bad.is_empty(), "{bad:?}");
    assert!(assertions.iter().any(|a| a.expected == Ordering::Equal));
    assert!(assertions.iter().any(|a| a.expected == Ordering::Less));
    assert!(assertions.iter().any(|a| a.expected == Ordering::Greater));
}
