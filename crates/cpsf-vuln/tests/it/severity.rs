//! Severity: CVSS v2/v3.0/v3.1/v4.0 base scores against published values, the errors for what is not a vector, the preferred rating, and every `severity` entry of the shared OSV records.

use std::path::{Path, PathBuf};

use cpsf_vuln::severity::{preferred, score_osv, score_word};
use cpsf_vuln::{Rating, Score, ScoreMethod};
use serde_json::Value;

use crate::common;

/// Vectors with their published base scores (NVD, the CVSS v2 guide's examples, the FIRST v3.1 and v4.0
/// calculators).
const KNOWN: &[(&str, &str, ScoreMethod, f64, Rating)] = &[
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ScoreMethod::CvssV31, 9.8, Rating::Critical),
    ("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", ScoreMethod::CvssV3, 10.0, Rating::Critical),
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", ScoreMethod::CvssV31, 6.1, Rating::Medium),
    ("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", ScoreMethod::CvssV31, 7.8, Rating::High),
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", ScoreMethod::CvssV31, 5.9, Rating::Medium),
    ("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", ScoreMethod::CvssV3, 7.5, Rating::High),
    ("CVSS_V3", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", ScoreMethod::CvssV31, 1.6, Rating::Low),
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", ScoreMethod::CvssV31, 0.0, Rating::None),
    ("CVSS_V3", "CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:L", ScoreMethod::CvssV3, 5.7, Rating::Medium),
    // Temporal metrics do not change the base score.
    (
        "CVSS_V3",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U",
        ScoreMethod::CvssV31,
        9.8,
        Rating::Critical,
    ),
    // CVSS v2: NVD's bands have no critical.
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", ScoreMethod::CvssV2, 7.5, Rating::High),
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C", ScoreMethod::CvssV2, 10.0, Rating::High),
    ("CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N", ScoreMethod::CvssV2, 4.3, Rating::Medium),
    ("CVSS_V2", "AV:L/AC:L/Au:N/C:C/I:C/A:C", ScoreMethod::CvssV2, 7.2, Rating::High),
    // The v2 guide's CVE-2002-0392 and CVE-2003-0062.
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:N/I:N/A:C", ScoreMethod::CvssV2, 7.8, Rating::High),
    ("CVSS_V2", "AV:L/AC:H/Au:N/C:C/I:C/A:C", ScoreMethod::CvssV2, 6.2, Rating::Medium),
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:N/I:N/A:N", ScoreMethod::CvssV2, 0.0, Rating::Low),
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C", ScoreMethod::CvssV2, 10.0, Rating::High),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        9.3,
        Rating::Critical,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        ScoreMethod::CvssV4,
        10.0,
        Rating::Critical,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        8.5,
        Rating::High,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        8.2,
        Rating::High,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H",
        ScoreMethod::CvssV4,
        6.9,
        Rating::Medium,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:A/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        4.1,
        Rating::Medium,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        1.0,
        Rating::Low,
    ),
    (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
        ScoreMethod::CvssV4,
        0.0,
        Rating::None,
    ),
    // Supplemental metrics never change the score.
    (
        "CVSS_V4",
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/S:P/AU:Y/R:U",
        ScoreMethod::CvssV4,
        7.1,
        Rating::High,
    ),
];

#[test]
fn known_vectors_score_as_published() {
    for (kind, vector, method, score, rating) in KNOWN {
        let got = score_osv(kind, vector, "TEST-1").unwrap_or_else(|e| panic!("{vector} should score: {e}"));
        assert_eq!(
            got,
            Score {
                method: method.clone(),
                vector: Some((*vector).to_owned()),
                score: Some(*score),
                rating: *rating,
                source: "TEST-1".into(),
            },
            "{vector}"
        );
    }
}

#[test]
fn v4_score_is_the_base_score_without_threat_or_environmental_metrics() {
    // With E:U the full vector's CVSS-BT score is 1.7 and with E:P 5.5; the base (CVSS-B) scores are 6.3 and 6.9.
    let base_only = "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N";
    for (vector, base) in [
        (format!("{base_only}/E:U"), 6.3),
        (format!("{base_only}/E:U/MAV:L/CR:H"), 6.3),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N/E:P".to_owned(), 6.9),
    ] {
        let got = score_osv("CVSS_V4", &vector, "RUSTSEC-0000-0000").unwrap();
        assert_eq!(got.score, Some(base), "{vector}");
        assert_eq!(got.vector.as_deref(), Some(vector.as_str()), "kept as given");
    }
    // An invalid threat value still makes the vector invalid.
    let err = score_osv("CVSS_V4", &format!("{base_only}/E:Q"), "X").unwrap_err();
    assert!(err.contains("E:Q") || err.contains("`Q`"), "{err}");
}

#[test]
fn what_is_not_a_vector_is_a_clear_error() {
    let cases: &[(&str, &str, &str)] = &[
        ("CVSS_V3", "9.8", "a plain number"),
        ("CVSS_V3", " 7 ", "a plain number"),
        ("CVSS_V4", "HIGH", "a rating word"),
        ("CVSS_V2", "moderate", "a rating word"),
        ("CVSS_V3", "", "empty"),
        ("CVSS_V3", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "no `CVSS:3.0/` or `CVSS:3.1/` prefix"),
        (
            "CVSS_V3",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "names CVSS version 4.0, but CVSS_V3 takes CVSS 3.0 or 3.1",
        ),
        (
            "CVSS_V4",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "names CVSS version 3.1, but CVSS_V4 takes CVSS 4.0",
        ),
        ("CVSS_V3", "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "names CVSS version 3.2"),
        ("CVSS_V2", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", "has no `CVSS:` prefix"),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H", "missing base metric(s) I, A"),
        ("CVSS_V3", "CVSS:3.1/", "an empty metric"),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "an empty metric"),
        ("CVSS_V2", "AV:N//AC:L/Au:N/C:P/I:P/A:P", "an empty metric"),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Z", "A:Z"),
        ("CVSS_V3", "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "duplicate"),
        ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P", "missing mandatory"),
        ("CVSS_V2", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", "(AV"),
        ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H", "missing mandatory"),
        ("CVSS_V4", "CVSS:4.0", "missing mandatory"),
        ("CVSS_V5", "CVSS:5.0/AV:N", "unsupported severity type"),
        ("Ubuntu", "untriaged", "not a rating word"),
    ];
    for (kind, vector, expected) in cases {
        let err = match score_osv(kind, vector, "GHSA-xxxx-yyyy-zzzz") {
            Ok(score) => panic!("{kind} `{vector}` should be refused, scored {score:?}"),
            Err(err) => err,
        };
        assert!(
            err.starts_with(&format!("GHSA-xxxx-yyyy-zzzz: severity {kind} `{vector}`: ")),
            "names the advisory, type and vector: {err}"
        );
        assert!(err.contains(expected), "`{vector}`: expected `{expected}` in: {err}");
    }
}

#[test]
fn ubuntu_priority_is_a_source_word() {
    let got = score_osv("Ubuntu", "medium", "UBUNTU-CVE-2024-1").unwrap();
    assert_eq!(got, score_word("medium", "UBUNTU-CVE-2024-1").unwrap());
    assert_eq!(got.method, ScoreMethod::Source);
    assert_eq!(got.rating, Rating::Medium);
    assert_eq!(got.score, None);
}

#[test]
fn lowercase_v4_metrics_are_accepted_and_surrounding_space_ignored() {
    let got = score_osv("CVSS_V4", " CVSS:4.0/av:n/ac:l/at:n/pr:n/ui:n/vc:h/vi:h/va:h/sc:n/si:n/sa:n\n", "X").unwrap();
    assert_eq!(got.score, Some(9.3));
    assert_eq!(got.vector.as_deref(), Some("CVSS:4.0/av:n/ac:l/at:n/pr:n/ui:n/vc:h/vi:h/va:h/sc:n/si:n/sa:n"));
}

fn cvss(kind: &str, vector: &str) -> Score {
    score_osv(kind, vector, "A").unwrap()
}

#[test]
fn preferred_takes_the_newest_version_then_the_highest_score() {
    let v2_high = cvss("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C"); // 10.0 high
    let v30_crit = cvss("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"); // 10.0
    let v31_med = cvss("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"); // 5.9
    let v31_high = cvss("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"); // 7.8
    let v4_low = cvss("CVSS_V4", "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N"); // 1.0
    let word_crit = score_word("CRITICAL", "GHSA").unwrap();
    let word_low = score_word("low", "PYSEC").unwrap();

    assert_eq!(preferred(&[]), (Rating::Unknown, None));
    assert_eq!(preferred(&[word_low.clone(), word_crit.clone()]), (Rating::Critical, None));
    assert_eq!(preferred(&[v2_high.clone(), word_crit.clone()]), (Rating::High, Some(10.0)));
    assert_eq!(preferred(&[v2_high.clone(), v30_crit.clone()]), (Rating::Critical, Some(10.0)));
    // v3.1 beats v3.0 even with a lower score; within v3.1 the highest wins, whatever the order.
    assert_eq!(preferred(&[v30_crit.clone(), v31_med.clone(), v31_high.clone()]), (Rating::High, Some(7.8)));
    assert_eq!(preferred(&[v31_high.clone(), v31_med.clone(), v30_crit.clone()]), (Rating::High, Some(7.8)));
    assert_eq!(preferred(&[v31_high, v4_low.clone(), v2_high, word_crit]), (Rating::Low, Some(1.0)));
    // A CVSS method without a score (never produced by `score_osv`) does not count as CVSS.
    let hollow = Score { score: None, ..v4_low };
    assert_eq!(preferred(&[hollow, word_low]), (Rating::Low, None));
}

fn shared_data() -> Option<PathBuf> {
    common::shared("advisories")
}

fn files(dir: &Path, extension: &str, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recursive {
                files(&path, extension, recursive, out);
            }
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

/// One OSV record's severity entries: the record's and each `affected[]`'s.
fn severities(record: &Value) -> Vec<(String, String)> {
    let mut lists = vec![record.get("severity")];
    if let Some(Value::Array(affected)) = record.get("affected") {
        lists.extend(affected.iter().map(|a| a.get("severity")));
    }
    lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|entry| {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
            (text("type"), text("score"))
        })
        .collect()
}

/// A vector of the shape its type calls for: the right prefix, then `KEY:VALUE` metrics of letters,
/// including every base metric. Such a vector must score; anything else is clearly invalid.
fn looks_valid(kind: &str, vector: &str) -> bool {
    let (metrics, base): (&str, &[&str]) = match kind {
        "CVSS_V2" => (vector, &["AV", "AC", "Au", "C", "I", "A"]),
        "CVSS_V3" => match vector.strip_prefix("CVSS:3.1/").or_else(|| vector.strip_prefix("CVSS:3.0/")) {
            Some(rest) => (rest, &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]),
            None => return false,
        },
        "CVSS_V4" => match vector.strip_prefix("CVSS:4.0/") {
            Some(rest) => (rest, &["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"]),
            None => return false,
        },
        _ => return false,
    };
    let pairs: Vec<(&str, &str)> = metrics.split('/').filter_map(|metric| metric.split_once(':')).collect();
    pairs.len() == metrics.split('/').count()
        && pairs.iter().all(|(k, v)| {
            !k.is_empty()
                && !v.is_empty()
                && k.chars().all(|c| c.is_ascii_alphabetic())
                && v.chars().all(|c| c.is_ascii_alphabetic())
        })
        && base.iter().all(|b| pairs.iter().any(|(k, _)| k == b))
}

#[test]
fn every_severity_in_the_shared_osv_records_scores() {
    let Some(root) = shared_data() else { return };
    let mut records: Vec<(String, Value)> = Vec::new();
    let mut json_files = Vec::new();
    files(&root.join("rustsec-osv/crates"), "json", false, &mut json_files);
    files(&root.join("golang-vulndb/data/osv"), "json", false, &mut json_files);
    for path in &json_files {
        let text = std::fs::read_to_string(path).unwrap();
        let record: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        records.push((path.display().to_string(), record));
    }
    let ghsa = root.join("ghsa-maven-sample/zeppelin-server.vulnerabilities.json");
    if let Ok(text) = std::fs::read_to_string(&ghsa) {
        let doc: Value = serde_json::from_str(&text).unwrap();
        for record in doc["vulns"].as_array().into_iter().flatten() {
            records.push((ghsa.display().to_string(), record.clone()));
        }
    }
    let mut yaml_files = Vec::new();
    files(&root.join("pypa-advisory-database/vulns"), "yaml", true, &mut yaml_files);
    for path in &yaml_files {
        let text = std::fs::read_to_string(path).unwrap();
        let record: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        records.push((path.display().to_string(), record));
    }
    assert!(records.len() > 8000, "found only {} records", records.len());

    let mut scored = 0usize;
    let mut by_method = std::collections::BTreeMap::<String, usize>::new();
    let mut by_rating = std::collections::BTreeMap::<&str, usize>::new();
    let mut invalid = Vec::new();
    let mut failed = Vec::new();
    let (mut word_checked, mut word_agrees) = (0usize, 0usize);
    for (file, record) in &records {
        let id = record["id"].as_str().unwrap_or("?");
        let mut record_scores = Vec::new();
        for (kind, vector) in severities(record) {
            match score_osv(&kind, &vector, id) {
                Ok(score) => {
                    scored += 1;
                    *by_method.entry(format!("{:?}", score.method)).or_default() += 1;
                    *by_rating.entry(score.rating.as_str()).or_default() += 1;
                    record_scores.push(score);
                }
                Err(err) if looks_valid(&kind, &vector) => failed.push(format!("{file}: {err}")),
                Err(err) => invalid.push(format!("{file}: {err}")),
            }
        }
        // GitHub's own word for a GHSA record, against the rating computed from its newest vector.
        let word = record.pointer("/database_specific/severity").and_then(Value::as_str).and_then(Rating::from_word);
        if let (Some(word), (rating, Some(_))) = (word, preferred(&record_scores)) {
            word_checked += 1;
            if word == rating {
                word_agrees += 1;
            } else {
                println!("{id}: GitHub says {}, the newest vector gives {}", word.as_str(), rating.as_str());
            }
        }
    }
    println!(
        "{} records, {} severity entries scored ({by_method:?}; {by_rating:?}), {} clearly invalid",
        records.len(),
        scored,
        invalid.len()
    );
    for line in &invalid {
        println!("invalid: {line}");
    }
    println!("database_specific.severity agrees with the computed rating on {word_agrees} of {word_checked} records");
    assert!(failed.is_empty(), "vectors that look valid but failed:\n{}", failed.join("\n"));
    assert!(scored > 900, "only {scored} entries scored");
    assert!(
        word_agrees * 10 >= word_checked * 9,
        "the computed rating disagrees with GitHub's word too often: {word_agrees} of {word_checked}"
    );
}

/// Every combination of the values of `metrics` (name and values), as `name:value` lists joined by `/`.
fn all_vectors(prefix: &str, metrics: &[(&str, &[&str])]) -> Vec<String> {
    let mut vectors = vec![prefix.to_owned()];
    for (name, values) in metrics {
        vectors = vectors
            .iter()
            .flat_map(|head| {
                values.iter().map(move |value| {
                    if head.is_empty() { format!("{name}:{value}") } else { format!("{head}/{name}:{value}") }
                })
            })
            .collect();
    }
    vectors
}

#[test]
fn every_base_vector_of_each_version_scores_in_range() {
    const LMH: &[&str] = &["N", "L", "H"];
    let v2 = all_vectors(
        "",
        &[
            ("AV", &["L", "A", "N"]),
            ("AC", &["H", "M", "L"]),
            ("Au", &["M", "S", "N"]),
            ("C", &["N", "P", "C"]),
            ("I", &["N", "P", "C"]),
            ("A", &["N", "P", "C"]),
        ],
    );
    let v3 = all_vectors(
        "CVSS:3.1",
        &[
            ("AV", &["N", "A", "L", "P"]),
            ("AC", &["L", "H"]),
            ("PR", LMH),
            ("UI", &["N", "R"]),
            ("S", &["U", "C"]),
            ("C", LMH),
            ("I", LMH),
            ("A", LMH),
        ],
    );
    let v4 = all_vectors(
        "CVSS:4.0",
        &[
            ("AV", &["N", "A", "L", "P"]),
            ("AC", &["L", "H"]),
            ("AT", &["N", "P"]),
            ("PR", LMH),
            ("UI", &["N", "P", "A"]),
            ("VC", LMH),
            ("VI", LMH),
            ("VA", LMH),
            ("SC", LMH),
            ("SI", LMH),
            ("SA", LMH),
        ],
    );
    assert_eq!((v2.len(), v3.len(), v4.len()), (729, 2592, 104_976));
    let mut extremes = std::collections::BTreeMap::new();
    for (kind, vectors) in [("CVSS_V2", &v2), ("CVSS_V3", &v3), ("CVSS_V4", &v4)] {
        let (mut low, mut high) = (f64::MAX, f64::MIN);
        for vector in vectors {
            let score = score_osv(kind, vector, "X").unwrap_or_else(|e| panic!("{e}"));
            let value = score.score.unwrap();
            assert!((0.0..=10.0).contains(&value), "{vector}: {value}");
            assert_eq!((value * 10.0).round() / 10.0, value, "{vector}: one decimal");
            if kind != "CVSS_V2" {
                assert_eq!(score.rating, Rating::from_score(value), "{vector}");
            }
            low = low.min(value);
            high = high.max(value);
        }
        extremes.insert(kind, (low, high));
    }
    // Each version spans the whole scale.
    assert!(extremes.values().all(|&range| range == (0.0, 10.0)), "{extremes:?}");
}
