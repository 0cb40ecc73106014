//! Every comparator against every line of the OSV version-ordering vectors (osv-scalibr `semantic/testdata`,
//! in the shared data as `osv-version-ordering/`): each `A op B` must hold as written and reversed (`B op' A`),
//! with no exceptions; any failing line fails the test.
//!
//! For the schemes that are total orders, the versions of each file are also shuffled, sorted with
//! `sort_versions`, and the positions must agree with every assertion of the file. Maven and Packagist follow
//! their upstream comparators pair by pair, which are not transitive (the Maven file itself holds
//! `2.9.0-1 < 2.9.0.RC1` beside `2.9.0.RC1 < 2.9.0 < 2.9.0-1`), so no sorted list can agree with every line of
//! their files; for them the sort is only checked to return every version without panicking.

use crate::common;

use std::cmp::Ordering;
use std::collections::BTreeSet;

use common::{Assertion, read_assertions, shared_data, symbol};
use cpsf_version::{Scheme, Version, sort_versions};

/// Check one file, printing its counts. Panics listing every failure.
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
    println!(
        "{file} ({scheme}): {} assertions checked, {} passed, {} lines failed",
        assertions.len(),
        assertions.len().saturating_sub(failed_lines.len()),
        failed_lines.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures in {file} ({} assertions):\n{}",
        failures.len(),
        assertions.len(),
        failures.join("\n")
    );
}

/// The line number a failure message starts with (`file:line: ...`).
fn line_of(file: &str, failure: &str) -> Option<usize> {
    failure.strip_prefix(file)?.strip_prefix(':')?.split(':').next()?.parse().ok()
}

/// Sort every version of the file (duplicates kept) with `sort_versions` and, for a total order, check that each
/// assertion agrees with the positions: `a < b` strictly before, and `a = b` in one run of equal values. For the
/// schemes that are not total orders, only check that the sort returns the same versions.
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
    let mut before: Vec<String> = versions.iter().map(|v| v.as_str().to_owned()).collect();
    sort_versions(&mut versions);
    let mut after: Vec<String> = versions.iter().map(|v| v.as_str().to_owned()).collect();
    before.sort_unstable();
    after.sort_unstable();
    if before != after {
        failures.push(format!("{file}: sort_versions did not return the same versions"));
    }
    if !scheme.is_total_order() {
        return;
    }
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
