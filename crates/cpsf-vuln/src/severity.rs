//! Severity from CVSS vectors (v2, v3.0, v3.1, v4.0): parse, compute the base score, rate; and from a source's own rating word.
//!
//! Parsing and the scoring equations are the RustSec `cvss` crate's. What this module adds: the OSV
//! `severity[].type` must agree with the vector's version, a v3 vector must carry all eight base metrics
//! (the crate would score a partial one), the score is always the *base* score (CVSS-B for v4: threat,
//! environmental and supplemental metrics are set aside), v2 is rated with the NVD v2 bands, and the
//! choice of the one rating a finding shows ([`preferred`]).

use crate::finding::{Rating, Score, ScoreMethod};

/// The CVSS v4.0 base metrics; the score of a vector cut down to these is its CVSS-B score.
const V4_BASE_METRICS: [&str; 11] = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"];

/// Score an OSV `severity[]` entry (`type` is `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or another source's type
/// such as `Ubuntu`). `source` is the advisory id. An invalid vector is an error naming what is wrong.
///
/// The score is computed from the vector, never taken from the source. `CVSS_V3` takes `CVSS:3.0/...`
/// or `CVSS:3.1/...`, `CVSS_V4` takes `CVSS:4.0/...` and `CVSS_V2` takes the prefix-less v2 form
/// (`AV:N/AC:L/Au:N/C:P/I:P/A:P`). `Ubuntu` entries carry a priority word, rated like [`score_word`].
pub fn score_osv(kind: &str, vector: &str, source: &str) -> Result<Score, String> {
    let text = vector.trim();
    let fail = |problem: String| format!("{source}: severity {kind} `{vector}`: {problem}");
    let (method, score) = match kind {
        "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => cvss_base_score(kind, text).map_err(fail)?,
        "Ubuntu" => {
            return score_word(text, source)
                .ok_or_else(|| fail("not a rating word (expected low, medium, high or critical)".into()));
        }
        _ => {
            return Err(fail("unsupported severity type (expected CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu)".into()));
        }
    };
    let rating = if method == ScoreMethod::CvssV2 { v2_rating(score) } else { Rating::from_score(score) };
    Ok(Score { method, vector: Some(text.to_owned()), score: Some(score), rating, source: source.to_owned() })
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

/// The rating a finding shows, and the CVSS base score it came from: the newest CVSS version present
/// (v4.0, then v3.1, v3.0, v2) with the highest score within that version; without any CVSS score, the
/// highest of the sources' own words; `Unknown` when there is neither.
pub fn preferred(scores: &[Score]) -> (Rating, Option<f64>) {
    let newest_highest = scores
        .iter()
        .filter_map(|s| {
            let rank = version_rank(&s.method)?;
            s.score.map(|value| (rank, value, s.rating))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    if let Some((_, value, rating)) = newest_highest {
        return (rating, Some(value));
    }
    let word = scores.iter().filter(|s| s.method == ScoreMethod::Source).map(|s| s.rating).max();
    (word.unwrap_or(Rating::Unknown), None)
}

/// How new a CVSS version is (higher is newer); `None` for a source's word.
fn version_rank(method: &ScoreMethod) -> Option<u8> {
    match method {
        ScoreMethod::CvssV2 => Some(1),
        ScoreMethod::CvssV3 => Some(2),
        ScoreMethod::CvssV31 => Some(3),
        ScoreMethod::CvssV4 => Some(4),
        ScoreMethod::Source => None,
    }
}

/// The NVD rating bands of a CVSS v2 base score: 0.0–3.9 low, 4.0–6.9 medium, 7.0–10.0 high.
fn v2_rating(score: f64) -> Rating {
    if score >= 7.0 {
        Rating::High
    } else if score >= 4.0 {
        Rating::Medium
    } else {
        Rating::Low
    }
}

/// The method and base score of a vector given under the OSV type `kind`, or what is wrong with it.
fn cvss_base_score(kind: &str, text: &str) -> Result<(ScoreMethod, f64), String> {
    if text.is_empty() {
        return Err("empty, expected a CVSS vector".into());
    }
    if text.parse::<f64>().is_ok() {
        return Err("a plain number, not a CVSS vector (the score is computed from a vector, \
                    never taken as given)"
            .into());
    }
    if Rating::from_word(text).is_some() {
        return Err("a rating word, not a CVSS vector".into());
    }
    if text.split('/').any(str::is_empty) {
        return Err("an empty metric (a stray `/`)".into());
    }
    // The version a prefixed vector names (`CVSS:3.1/...` names `3.1`); v2 vectors have no prefix.
    let named = text.strip_prefix("CVSS:").map(|rest| rest.split('/').next().unwrap_or(rest));
    let (method, score) = match (kind, named) {
        ("CVSS_V2", None) => (ScoreMethod::CvssV2, v2_base_score(text)?),
        ("CVSS_V3", Some("3.0" | "3.1")) => v3_base_score(text)?,
        ("CVSS_V4", Some("4.0")) => (ScoreMethod::CvssV4, v4_base_score(text)?),
        ("CVSS_V2", Some(version)) => {
            return Err(format!(
                "names CVSS {version}, but a CVSS v2 vector has no `CVSS:` prefix \
                 (`AV:N/AC:L/Au:N/C:P/I:P/A:P`)"
            ));
        }
        (_, None) => {
            let expected = if kind == "CVSS_V3" { "`CVSS:3.0/` or `CVSS:3.1/`" } else { "`CVSS:4.0/`" };
            return Err(format!("no {expected} prefix (the vector must name its CVSS version)"));
        }
        (_, Some(version)) => {
            let expected = if kind == "CVSS_V3" { "3.0 or 3.1" } else { "4.0" };
            return Err(format!("names CVSS version {version}, but {kind} takes CVSS {expected}"));
        }
    };
    if !(0.0..=10.0).contains(&score) {
        return Err(format!("computed a base score of {score}, outside 0–10"));
    }
    Ok((method, score))
}

fn v2_base_score(text: &str) -> Result<f64, String> {
    let vector: cvss::v2::Vector = text.parse().map_err(|e: cvss::Error| e.to_string())?;
    Ok(vector.score().value())
}

/// A v3.0/v3.1 base score; every base metric must be present (the crate scores a missing one as 0).
fn v3_base_score(text: &str) -> Result<(ScoreMethod, f64), String> {
    let vector: cvss::v3::Vector = text.parse().map_err(|e: cvss::Error| e.to_string())?;
    let present = [
        ("AV", vector.av.is_some()),
        ("AC", vector.ac.is_some()),
        ("PR", vector.pr.is_some()),
        ("UI", vector.ui.is_some()),
        ("S", vector.s.is_some()),
        ("C", vector.c.is_some()),
        ("I", vector.i.is_some()),
        ("A", vector.a.is_some()),
    ];
    let missing: Vec<&str> = present.iter().filter(|(_, here)| !here).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        return Err(format!("missing base metric(s) {}", missing.join(", ")));
    }
    let method = if vector.minor_version == 0 { ScoreMethod::CvssV3 } else { ScoreMethod::CvssV31 };
    Ok((method, vector.base_score().value()))
}

/// A v4.0 CVSS-B score: the whole vector must parse; the score is that of its base metrics alone.
fn v4_base_score(text: &str) -> Result<f64, String> {
    let _: cvss::v4::Vector = text.parse().map_err(|e: cvss::Error| e.to_string())?;
    let base: Vec<&str> = text
        .split('/')
        .skip(1)
        .filter(|metric| {
            let name = metric.split(':').next().unwrap_or(metric);
            V4_BASE_METRICS.iter().any(|base| base.eq_ignore_ascii_case(name))
        })
        .collect();
    let base_vector = format!("CVSS:4.0/{}", base.join("/"));
    let vector: cvss::v4::Vector = base_vector.parse().map_err(|e: cvss::Error| e.to_string())?;
    Ok(vector.score().value())
}
