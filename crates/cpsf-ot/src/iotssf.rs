//! IoT-SSF categorisation: a device's or system's assumed incidents placed on the framework's two axes
//! (how hard the impact is to recover from, and how large its economic impact is), the category that
//! follows, and the measure viewpoints the category calls for.
//!
//! **Not verified.** The sources cpsf was built from confirm that IoT-SSF judges risk by the impact of
//! incidents (likelihood left out), that devices and systems are placed into categories, and that each
//! category calls for security-safety requirement viewpoints. They do not give the axes' level labels, the
//! number of categories or the category-to-viewpoint table (see the `meti-iot-ssf-1.0` catalog). The
//! built-in [`Scheme::builtin`] is therefore cpsf's own: three levels per axis, four categories (I–IV) and
//! five viewpoints, in our own words. Every [`Categorization`] it yields says `verified: false` with a note.
//! An organization that holds the official tables writes them as a scheme file ([`Scheme::from_yaml`],
//! format `cpsf-iotssf-scheme/1`) and marks it `verified: true`.
//!
//! The built-in category table (rows: recovery difficulty, columns: economic impact):
//!
//! | | economic 1 | economic 2 | economic 3 |
//! |---|---|---|---|
//! | recovery 1 | I | I | II |
//! | recovery 2 | II | III | III |
//! | recovery 3 | III | IV | IV |
//!
//! A subject's category is the highest category among its incidents.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The value of a scheme file's `format` key.
pub const SCHEME_FORMAT: &str = "cpsf-iotssf-scheme/1";

const UNVERIFIED_NOTE: &str = "cpsf's own scale: the IoT-SSF axis levels, number of categories and category-to-viewpoint table were not confirmed in the sources; load the official tables with a scheme file";

/// One level of an axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxisLevel {
    /// 1 is the lowest.
    pub level: u8,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_ja: Option<String>,
}

/// An evaluation axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axis {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_ja: Option<String>,
    pub levels: Vec<AxisLevel>,
}

/// A category, lowest first in [`Scheme::categories`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub title: String,
}

/// A measure viewpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewpoint {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a category asks of one viewpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub viewpoint: String,
    /// How strongly (free text: `basic`, `enhanced`, `independently assured`).
    pub strength: String,
}

/// The viewpoints one category calls for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRequirements {
    pub category: String,
    pub requirements: Vec<Requirement>,
}

/// A categorisation scheme: the two axes, the categories, the table from axis levels to category, and the
/// viewpoints per category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub format: String,
    pub id: String,
    /// Whether the tables come from the framework document.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Recovery difficulty (severity) first, economic impact second.
    pub axes: [Axis; 2],
    pub categories: Vec<Category>,
    /// `table[r][e]`: the category id for recovery level `r + 1` and economic level `e + 1`.
    pub table: Vec<Vec<String>>,
    pub viewpoints: Vec<Viewpoint>,
    pub requirements: Vec<CategoryRequirements>,
}

/// Why a scheme or an assessment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IotSsfError {
    #[error("{origin}: {message}")]
    Read { origin: String, message: String },
    #[error("{origin}: not a valid scheme: {}", problems.join("; "))]
    Invalid { origin: String, problems: Vec<String> },
    #[error("incident {index} of `{subject}`: {message}")]
    Incident { subject: String, index: usize, message: String },
    #[error("`{0}` records no incident to categorise")]
    NoIncident(String),
}

fn level(level: u8, label: &str, label_ja: &str) -> AxisLevel {
    AxisLevel { level, label: label.into(), label_ja: Some(label_ja.into()) }
}

fn requirement(viewpoint: &str, strength: &str) -> Requirement {
    Requirement { viewpoint: viewpoint.into(), strength: strength.into() }
}

impl Scheme {
    /// cpsf's own scheme (not verified; see the module documentation).
    pub fn builtin() -> Scheme {
        let viewpoint = |id: &str, title: &str, ja: &str, description: &str| Viewpoint {
            id: id.into(),
            title: title.into(),
            title_ja: Some(ja.into()),
            description: Some(description.into()),
        };
        let cat = |id: &str, title: &str| Category { id: id.into(), title: title.into() };
        let reqs = |category: &str, list: Vec<Requirement>| CategoryRequirements {
            category: category.into(),
            requirements: list,
        };
        Scheme {
            format: SCHEME_FORMAT.into(),
            id: "cpsf-iotssf-default".into(),
            verified: false,
            note: Some(UNVERIFIED_NOTE.into()),
            axes: [
                Axis {
                    id: "recovery".into(),
                    title: "Difficulty of recovering from the impact".into(),
                    title_ja: Some("影響からの回復困難度".into()),
                    levels: vec![
                        level(
                            1,
                            "Recoverable: data or service loss the operator can restore",
                            "回復可能：運用者が復旧できるデータ・サービスの損失",
                        ),
                        level(
                            2,
                            "Hard to recover: lasting damage to property or to the environment",
                            "回復困難：財産・環境への永続的な損害",
                        ),
                        level(3, "Irreversible: harm to life or body", "回復不能：生命・身体への危害"),
                    ],
                },
                Axis {
                    id: "economic".into(),
                    title: "Size of the economic impact".into(),
                    title_ja: Some("経済的影響の度合い".into()),
                    levels: vec![
                        level(1, "Limited: one user or one organization", "限定的：一利用者・一組織"),
                        level(2, "Significant: many users or business partners", "大きい：多数の利用者・取引先"),
                        level(3, "Widespread: society or critical services", "広範：社会・重要サービス"),
                    ],
                },
            ],
            categories: vec![
                cat("I", "Category I"),
                cat("II", "Category II"),
                cat("III", "Category III"),
                cat("IV", "Category IV"),
            ],
            table: vec![
                vec!["I".into(), "I".into(), "II".into()],
                vec!["II".into(), "III".into(), "III".into()],
                vec!["III".into(), "IV".into(), "IV".into()],
            ],
            viewpoints: vec![
                viewpoint(
                    "design",
                    "Security and safety by design",
                    "設計時の考慮",
                    "Security and safety requirements stated and reflected in the design.",
                ),
                viewpoint(
                    "verification",
                    "Verification before release",
                    "出荷前の検証",
                    "Tests showing the design requirements are met.",
                ),
                viewpoint(
                    "operation",
                    "Operation and maintenance",
                    "運用・保守",
                    "Monitoring, updates and incident handling through the device's life.",
                ),
                viewpoint(
                    "supply-chain",
                    "Components and suppliers",
                    "部品・供給者の管理",
                    "Knowing the components (hardware and software) and their suppliers.",
                ),
                viewpoint(
                    "assurance",
                    "Independent assurance",
                    "第三者による確認",
                    "A party other than the maker confirms the measures.",
                ),
            ],
            requirements: vec![
                reqs("I", vec![requirement("design", "basic"), requirement("operation", "basic")]),
                reqs(
                    "II",
                    vec![
                        requirement("design", "basic"),
                        requirement("verification", "basic"),
                        requirement("operation", "basic"),
                        requirement("supply-chain", "basic"),
                    ],
                ),
                reqs(
                    "III",
                    vec![
                        requirement("design", "enhanced"),
                        requirement("verification", "enhanced"),
                        requirement("operation", "enhanced"),
                        requirement("supply-chain", "enhanced"),
                        requirement("assurance", "basic"),
                    ],
                ),
                reqs(
                    "IV",
                    vec![
                        requirement("design", "enhanced"),
                        requirement("verification", "independently assured"),
                        requirement("operation", "enhanced"),
                        requirement("supply-chain", "enhanced"),
                        requirement("assurance", "independently assured"),
                    ],
                ),
            ],
        }
    }

    /// Read a scheme file (YAML or JSON) and check it ([`Scheme::problems`]).
    pub fn from_yaml(origin: &str, text: &str) -> Result<Scheme, IotSsfError> {
        let scheme: Scheme = serde_norway::from_str(text).map_err(|e| IotSsfError::Read {
            origin: origin.to_string(),
            message: match e.location() {
                Some(l) => format!("line {}, column {}: {e}", l.line(), l.column()),
                None => e.to_string(),
            },
        })?;
        let problems = scheme.problems();
        if problems.is_empty() {
            Ok(scheme)
        } else {
            Err(IotSsfError::Invalid { origin: origin.to_string(), problems })
        }
    }

    /// Structural rules: the format; each axis has levels 1..n in order; categories and viewpoints have unique
    /// ids; the table has one row per recovery level and one cell per economic level, each naming a category;
    /// requirements name known categories and viewpoints.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.format != SCHEME_FORMAT {
            out.push(format!("format: expected `{SCHEME_FORMAT}`, found `{}`", self.format));
        }
        for axis in &self.axes {
            if axis.levels.is_empty() {
                out.push(format!("axis `{}` has no levels", axis.id));
            }
            for (i, l) in axis.levels.iter().enumerate() {
                if usize::from(l.level) != i + 1 {
                    out.push(format!(
                        "axis `{}`: level {} is listed as number {}; expected levels 1, 2, ... in order",
                        axis.id,
                        l.level,
                        i + 1
                    ));
                }
            }
        }
        let mut categories = BTreeSet::new();
        for c in &self.categories {
            if !categories.insert(c.id.as_str()) {
                out.push(format!("category `{}` is listed twice", c.id));
            }
        }
        let mut viewpoints = BTreeSet::new();
        for v in &self.viewpoints {
            if !viewpoints.insert(v.id.as_str()) {
                out.push(format!("viewpoint `{}` is listed twice", v.id));
            }
        }
        let [recovery, economic] = &self.axes;
        if self.table.len() != recovery.levels.len() {
            out.push(format!(
                "table: expected {} rows (one per `{}` level), found {}",
                recovery.levels.len(),
                recovery.id,
                self.table.len()
            ));
        }
        for (r, row) in self.table.iter().enumerate() {
            if row.len() != economic.levels.len() {
                out.push(format!(
                    "table row {}: expected {} cells (one per `{}` level), found {}",
                    r + 1,
                    economic.levels.len(),
                    economic.id,
                    row.len()
                ));
            }
            for cell in row {
                if !categories.contains(cell.as_str()) {
                    out.push(format!("table row {}: `{cell}` is not a category", r + 1));
                }
            }
        }
        for cr in &self.requirements {
            if !categories.contains(cr.category.as_str()) {
                out.push(format!("requirements: `{}` is not a category", cr.category));
            }
            for r in &cr.requirements {
                if !viewpoints.contains(r.viewpoint.as_str()) {
                    out.push(format!("requirements of `{}`: `{}` is not a viewpoint", cr.category, r.viewpoint));
                }
            }
        }
        out
    }

    fn category_rank(&self, id: &str) -> usize {
        self.categories.iter().position(|c| c.id == id).unwrap_or(0)
    }

    /// The category of one incident's levels.
    pub fn category_of(&self, recovery: u8, economic: u8) -> Option<&Category> {
        let id = self.table.get(usize::from(recovery).checked_sub(1)?)?.get(usize::from(economic).checked_sub(1)?)?;
        self.categories.iter().find(|c| &c.id == id)
    }
}

/// One assumed incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub description: String,
    /// Level on the first axis (recovery difficulty).
    pub recovery: u8,
    /// Level on the second axis (economic impact).
    pub economic: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
}

/// A device or system and its assumed incidents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// An asset id or a system's name.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub incidents: Vec<Incident>,
}

/// A requirement with its viewpoint's title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ViewpointCall {
    pub viewpoint: String,
    pub title: String,
    pub strength: String,
}

/// The category of a subject and what it calls for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Categorization {
    pub subject: String,
    pub category: String,
    pub category_title: String,
    /// The index of the incident that set the category (the first of the highest).
    pub driving_incident: usize,
    pub viewpoints: Vec<ViewpointCall>,
    pub scheme: String,
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Categorise a subject by its incidents under a scheme.
pub fn categorize(scheme: &Scheme, subject: &Subject) -> Result<Categorization, IotSsfError> {
    let mut best: Option<(usize, &Category)> = None;
    let [recovery, economic] = &scheme.axes;
    for (i, incident) in subject.incidents.iter().enumerate() {
        let bad = |message: String| IotSsfError::Incident { subject: subject.id.clone(), index: i, message };
        for (axis, value) in [(recovery, incident.recovery), (economic, incident.economic)] {
            if value == 0 || usize::from(value) > axis.levels.len() {
                return Err(bad(format!("`{}` level {value} is not one of 1..{}", axis.id, axis.levels.len())));
            }
        }
        let category = scheme
            .category_of(incident.recovery, incident.economic)
            .ok_or_else(|| bad("the scheme's table has no category for these levels".into()))?;
        if best.is_none_or(|(_, b)| scheme.category_rank(&category.id) > scheme.category_rank(&b.id)) {
            best = Some((i, category));
        }
    }
    let (driving_incident, category) = best.ok_or_else(|| IotSsfError::NoIncident(subject.id.clone()))?;
    let viewpoints = scheme
        .requirements
        .iter()
        .filter(|r| r.category == category.id)
        .flat_map(|r| r.requirements.iter())
        .map(|r| ViewpointCall {
            viewpoint: r.viewpoint.clone(),
            title: scheme.viewpoints.iter().find(|v| v.id == r.viewpoint).map(|v| v.title.clone()).unwrap_or_default(),
            strength: r.strength.clone(),
        })
        .collect();
    Ok(Categorization {
        subject: subject.id.clone(),
        category: category.id.clone(),
        category_title: category.title.clone(),
        driving_incident,
        viewpoints,
        scheme: scheme.id.clone(),
        verified: scheme.verified,
        note: if scheme.verified {
            scheme.note.clone()
        } else {
            Some(scheme.note.clone().unwrap_or_else(|| UNVERIFIED_NOTE.to_string()))
        },
    })
}
