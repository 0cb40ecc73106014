//! Findings: one vulnerability on one component, with every advisory that reports it, its severity, KEV and EPSS data, the fix, and any VEX suppression.

use cpsf_model::{Location, Scope};
use serde::Serialize;

/// Qualitative severity (CVSS v3/v4 rating bands; v2 mapped to the same names). Orders from `None` to `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    /// Known, but with no severity from any source.
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    /// The rating band of a CVSS v3.x/v4.0 base score: 0.0 none, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
    pub fn from_score(score: f64) -> Rating {
        if score >= 9.0 {
            Rating::Critical
        } else if score >= 7.0 {
            Rating::High
        } else if score >= 4.0 {
            Rating::Medium
        } else if score > 0.0 {
            Rating::Low
        } else {
            Rating::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Unknown => "unknown",
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }

    /// Parse a source's own rating word (`LOW`, `moderate`, `Important`, ...); `None` when not a known word.
    pub fn from_word(word: &str) -> Option<Rating> {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Rating::Critical),
            "high" | "important" => Some(Rating::High),
            "medium" | "moderate" => Some(Rating::Medium),
            "low" => Some(Rating::Low),
            "none" | "informational" | "info" => Some(Rating::None),
            _ => None,
        }
    }
}

/// How a score was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScoreMethod {
    CvssV2,
    CvssV3,
    CvssV31,
    CvssV4,
    /// The advisory source's own rating word (e.g. GHSA `database_specific.severity`).
    Source,
}

/// One severity statement from one advisory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub method: ScoreMethod,
    /// The CVSS vector as given, when the method is CVSS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The base score computed from the vector (never copied from the source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub rating: Rating,
    /// The advisory id this statement comes from.
    pub source: String,
}

/// A CISA Known Exploited Vulnerabilities catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kev {
    pub cve: String,
    pub date_added: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// `knownRansomwareCampaignUse`: "Known" or "Unknown".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_ransomware_campaign_use: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_action: Option<String>,
}

/// An EPSS score for a CVE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Epss {
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, 0–1.
    pub score: f64,
    /// Percentile among all scored CVEs, 0–1.
    pub percentile: f64,
    /// The score date (the model run the file came from).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Unusable upstream data made this a guess (e.g. an open range whose only upper bound is in
    /// `database_specific`); shown, and explained in `AdvisoryMatch::note`.
    Low,
    /// Exact: ecosystem, package and version range as the OSV schema specifies.
    High,
}

/// The evidence of one advisory record matching one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryMatch {
    /// The record id (`RUSTSEC-2023-0001`, `GHSA-...`, `PYSEC-...`, `GO-...`).
    pub id: String,
    /// The record's `modified` timestamp.
    pub modified: String,
    /// The OSV ecosystem and package name the record names.
    pub ecosystem: String,
    pub package: String,
    /// The affected ranges as text, e.g. `>=1.0.0, <1.2.3` or `= 0.9.1` (explicit versions list).
    pub affected: String,
    /// Fixed versions this record names for this package.
    pub fixed: Vec<String>,
    pub confidence: Confidence,
    /// Why the confidence is low, or other remarks about the match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A link to the advisory, when the record has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The component a finding is on, as the inventory or SBOM described it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AffectedComponent {
    pub bom_ref: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// The OSV ecosystem it was matched in (`crates.io`, `npm`, `PyPI`, ...).
    pub ecosystem: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
}

/// A VEX statement that marks a finding not affected (or fixed), and so suppresses it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    /// The VEX document the statement came from.
    pub source: String,
    /// `not_affected` or `fixed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
}

/// One vulnerability on one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The id shown: the CVE when one is known, else the smallest advisory id.
    pub id: String,
    /// Every id the vulnerability is known by (the advisories' ids and their aliases), sorted, `id` included.
    pub aliases: Vec<String>,
    pub component: AffectedComponent,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The highest rating among `scores` (CVSS preferred over source words), `Unknown` when none.
    pub severity: Rating,
    /// The base score that gave `severity`, when it came from a CVSS vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    pub scores: Vec<Score>,
    /// Every advisory record that matched.
    pub advisories: Vec<AdvisoryMatch>,
    /// The smallest version above the current one that every matching advisory calls fixed; `None` when
    /// some advisory names no fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<Kev>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}
