//! Severity from CVSS vectors (v2, v3.0, v3.1, v4.0): parse, compute the base score, rate; and from a source's own rating word.

use crate::finding::{Rating, Score, ScoreMethod};

/// Score an OSV `severity[]` entry (`type` is `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or another source's type
/// such as `Ubuntu`). `source` is the advisory id. An invalid vector is an error naming what is wrong.
pub fn score_osv(kind: &str, vector: &str, source: &str) -> Result<Score, String> {
    let _ = (kind, vector, source);
    Err("CVSS scoring is not wired yet".into())
}

/// A score from a source's own rating word (`database_specific.severity` of GHSA records, say).
pub fn score_word(word: &str, source: &str) -> Option<Score> {
    Rating::from_word(word).map(|rating| Score {
        method: ScoreMethod::Source,
        vector: None,
        score: None,
        rating,
        source: source.to_owned(),
    })
}

/// TEMP
pub fn preferred(scores: &[Score]) -> (Rating, Option<f64>) {
    (scores.iter().map(|s| s.rating).max().unwrap_or(Rating::Unknown), None)
}
