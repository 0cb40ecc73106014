//! Fuzz target: scoring an OSV severity entry must never panic, and a score it gives is a valid one.
//!
//! Input: `<type>\n<vector>` (the OSV `severity[].type` on the first line, the score text after it); an
//! input without a newline is tried as the vector of each CVSS type.
#![no_main]

use cpsf_vuln::severity::{preferred, score_osv};
use cpsf_vuln::{Rating, Score, ScoreMethod};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut scores = Vec::new();
    match text.split_once('\n') {
        Some((kind, vector)) => check(kind, vector, &mut scores),
        None => {
            for kind in ["CVSS_V2", "CVSS_V3", "CVSS_V4"] {
                check(kind, text, &mut scores);
            }
        }
    }
    let (rating, value) = preferred(&scores);
    assert!(value.is_none() || scores.iter().any(|s| s.score == value && s.rating == rating));
});

fn check(kind: &str, vector: &str, scores: &mut Vec<Score>) {
    let Ok(score) = score_osv(kind, vector, "FUZZ-1") else { return };
    if score.method != ScoreMethod::Source {
        let value = score.score.expect("a CVSS score has a value");
        assert!((0.0..=10.0).contains(&value), "score {value} out of range for `{vector}`");
        let expected = if score.method == ScoreMethod::CvssV2 {
            if value >= 7.0 {
                Rating::High
            } else if value >= 4.0 {
                Rating::Medium
            } else {
                Rating::Low
            }
        } else {
            Rating::from_score(value)
        };
        assert_eq!(score.rating, expected, "rating of `{vector}`");
        // The kept vector scores the same again.
        let kept = score.vector.as_deref().expect("a CVSS score keeps its vector");
        let again = score_osv(kind, kept, "FUZZ-1").expect("the kept vector scores again");
        assert_eq!(again.score, score.score, "`{vector}` rescored");
    }
    scores.push(score);
}
