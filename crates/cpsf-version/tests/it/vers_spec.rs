//! The vers-spec version comparison tests (`vers-spec/tests/{alpine,maven,nuget}_version_cmp_test.json`):
//! `equality` cases say whether two versions are equal; `comparison` cases give the two versions sorted
//! (in normalised spelling, so each sorted version must equal the expected one by the scheme's rules).

use crate::common;

use std::cmp::Ordering;

use common::{shared_data, symbol};
use cpsf_version::Scheme;
use serde_json::Value;

fn check(file: &str, scheme: Scheme) {
    let Some(root) = shared_data() else { return };
    let path = root.join("vers-spec/tests").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tests = doc["tests"].as_array().unwrap_or_else(|| panic!("{file}: no tests array"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for (i, case) in tests.iter().enumerate() {
        let kind = case["test_type"].as_str().unwrap_or("");
        let versions: Vec<&str> =
            case["input"]["versions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let expected_failure = case["expected_failure"].as_bool().unwrap_or(false);
        let [a, b] = versions[..] else {
            failures.push(format!("{file} test #{i}: expected two versions, got {versions:?}"));
            continue;
        };
        checked += 1;
        let ord = match (scheme.compare(a, b), scheme.compare(b, a)) {
            (Ok(o), Ok(r)) if o == r.reverse() => o,
            (Ok(o), Ok(r)) => {
                failures.push(format!("{file} test #{i}: {a} {} {b} but {b} {} {a}", symbol(o), symbol(r)));
                continue;
            }
            (Err(e), _) | (_, Err(e)) => {
                if !expected_failure {
                    failures.push(format!("{file} test #{i}: {a} vs {b}: {e}"));
                }
                continue;
            }
        };
        if expected_failure {
            failures.push(format!("{file} test #{i}: {a} vs {b} should fail but compared {}", symbol(ord)));
            continue;
        }
        match kind {
            "equality" => {
                let want = case["expected_output"].as_bool();
                if want != Some(ord == Ordering::Equal) {
                    failures.push(format!(
                        "{file} test #{i}: equality of {a} and {b} expected {want:?}, computed {a} {} {b}",
                        symbol(ord)
                    ));
                }
            }
            "comparison" => {
                let want: Vec<&str> =
                    case["expected_output"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                // Two versions: put the greater second (no std sort on a scheme that may not be a total order).
                let sorted = if ord == Ordering::Greater { [b, a] } else { [a, b] };
                // The expected output may be normalised (NuGet labels lower-cased): compare by the scheme's equality.
                let same = want.len() == 2
                    && sorted.iter().zip(&want).all(|(x, y)| scheme.compare(x, y) == Ok(Ordering::Equal));
                if !same {
                    failures.push(format!(
                        "{file} test #{i}: sorted {versions:?} expected {want:?}, computed {a} {} {b}",
                        symbol(ord)
                    ));
                }
            }
            other => failures.push(format!("{file} test #{i}: unknown test_type {other:?}")),
        }
    }
    println!("{file} ({scheme}): {checked} cases checked, {} failed", failures.len());
    assert!(checked > 0, "{file}: no cases");
    assert!(
        failures.is_empty(),
        "{} of {} cases of {file} failed:\n{}",
        failures.len(),
        tests.len(),
        failures.join("\n")
    );
}

#[test]
fn alpine() {
    check("alpine_version_cmp_test.json", Scheme::Alpine);
}

#[test]
fn maven() {
    check("maven_version_cmp_test.json", Scheme::Maven);
}

#[test]
fn nuget() {
    check("nuget_version_cmp_test.json", Scheme::NuGet);
}

/// The vers-spec containment tests (`npm_range_containment_test.json`, `pypi_range_containment_test.json`):
/// whether a version is in a `vers` range.
#[test]
fn containment_vectors() {
    let Some(root) = shared_data() else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in ["npm_range_containment_test.json", "pypi_range_containment_test.json"] {
        let path = root.join("vers-spec/tests").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (i, case) in doc["tests"].as_array().into_iter().flatten().enumerate() {
            let (Some(range), Some(version), Some(expected)) =
                (case["input"]["vers"].as_str(), case["input"]["version"].as_str(), case["expected_output"].as_bool())
            else {
                failures.push(format!("{file} test #{i}: unexpected shape"));
                continue;
            };
            checked += 1;
            match cpsf_version::vers::VersRange::parse(range) {
                Ok(r) if r.contains(version) == expected => {}
                Ok(_) => failures.push(format!("{file} test #{i}: {version} in {range} should be {expected}")),
                Err(e) => failures.push(format!("{file} test #{i}: {e}")),
            }
        }
    }
    assert!(checked >= 11, "containment vectors missing ({checked})");
    assert!(failures.is_empty(), "{failures:#?}");
}
