//! The catalog model: one framework as a flat list of entries with parents, in the standards' own vocabulary
//! (principle, layer, category, measure requirement, step, ...), each with bilingual text in our own words,
//! mappings to other catalogs, automatic evidence checks and provenance.

use serde::{Deserialize, Serialize};

/// The value of a catalog file's `format` key.
pub const FORMAT: &str = "cpsf-catalog/1";

/// A language cpsf speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en`, `ja`, and regional forms such as `ja-JP` or `ja_JP.UTF-8`.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_', '.']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ja" | "jp" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The language of the user's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), English when it names neither.
    pub fn from_locale() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or(Lang::En)
    }
}

/// Text in English and Japanese. Either may be empty in an imported catalog; [`Text::get`] falls back to the
/// other language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ja: String,
}

impl Text {
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Text {
        Text { en: en.into(), ja: ja.into() }
    }

    /// The same text in both languages (imported data that has one).
    pub fn same(text: impl Into<String>) -> Text {
        let text = text.into();
        Text { ja: text.clone(), en: text }
    }

    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::En => (&self.en, &self.ja),
            Lang::Ja => (&self.ja, &self.en),
        };
        if first.is_empty() { second } else { first }
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.ja.is_empty()
    }
}

/// One framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub format: String,
    pub id: String,
    /// Our revision of this data (the source's edition is `version`).
    pub revision: u32,
    pub title: Text,
    pub publisher: Text,
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
    pub entries: Vec<Entry>,
}

/// A document that entries' provenance cites.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A maturity level the framework defines, lowest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What an entry is in its framework's structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Principle,
    Item,
    Group,
    Layer,
    Component,
    Function,
    Category,
    Subcategory,
    MeasureRequirement,
    Phase,
    Step,
    Element,
    Topic,
    Axis,
    ChecklistItem,
    Control,
    Requirement,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::Principle,
        Kind::Item,
        Kind::Group,
        Kind::Layer,
        Kind::Component,
        Kind::Function,
        Kind::Category,
        Kind::Subcategory,
        Kind::MeasureRequirement,
        Kind::Phase,
        Kind::Step,
        Kind::Element,
        Kind::Topic,
        Kind::Axis,
        Kind::ChecklistItem,
        Kind::Control,
        Kind::Requirement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Principle => "principle",
            Kind::Item => "item",
            Kind::Group => "group",
            Kind::Layer => "layer",
            Kind::Component => "component",
            Kind::Function => "function",
            Kind::Category => "category",
            Kind::Subcategory => "subcategory",
            Kind::MeasureRequirement => "measure-requirement",
            Kind::Phase => "phase",
            Kind::Step => "step",
            Kind::Element => "element",
            Kind::Topic => "topic",
            Kind::Axis => "axis",
            Kind::ChecklistItem => "checklist-item",
            Kind::Control => "control",
            Kind::Requirement => "requirement",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether entries of this kind are assessed unless the catalog says otherwise.
    pub fn assessable_by_default(self) -> bool {
        matches!(
            self,
            Kind::Item
                | Kind::Subcategory
                | Kind::MeasureRequirement
                | Kind::Step
                | Kind::Element
                | Kind::Topic
                | Kind::ChecklistItem
                | Kind::Control
                | Kind::Requirement
        )
    }

    pub fn title(self, lang: Lang) -> &'static str {
        let (en, ja) = match self {
            Kind::Principle => ("Principle", "原則"),
            Kind::Item => ("Item", "項目"),
            Kind::Group => ("Group", "区分"),
            Kind::Layer => ("Layer", "層"),
            Kind::Component => ("Component", "構成要素"),
            Kind::Function => ("Function", "機能"),
            Kind::Category => ("Category", "カテゴリー"),
            Kind::Subcategory => ("Subcategory", "サブカテゴリー"),
            Kind::MeasureRequirement => ("Measure requirement", "対策要件"),
            Kind::Phase => ("Phase", "フェーズ"),
            Kind::Step => ("Step", "ステップ"),
            Kind::Element => ("Element", "要素"),
            Kind::Topic => ("Topic", "トピック"),
            Kind::Axis => ("Axis", "評価軸"),
            Kind::ChecklistItem => ("Checklist item", "チェック項目"),
            Kind::Control => ("Control", "管理策"),
            Kind::Requirement => ("Requirement", "要求事項"),
        };
        if lang == Lang::Ja { ja } else { en }
    }
}

/// One node of a framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub kind: Kind,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub summary: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Mapping>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    pub provenance: Provenance,
}

impl Entry {
    pub fn is_assessable(&self) -> bool {
        self.assessable.unwrap_or_else(|| self.kind.assessable_by_default())
    }

    pub fn weight(&self) -> f64 {
        self.weight.unwrap_or(1.0)
    }
}

/// How a mapped entry relates to its target (NIST OLIR's set relationships, plus a loose `related`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    Equal,
    Subset,
    Superset,
    Intersect,
    Related,
}

impl Relationship {
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equal => "equal",
            Relationship::Subset => "subset",
            Relationship::Superset => "superset",
            Relationship::Intersect => "intersect",
            Relationship::Related => "related",
        }
    }
}

/// A link from an entry to an entry of another (or the same) catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// `<catalog id>:<entry id>`.
    pub target: String,
    pub relationship: Relationship,
    #[serde(default)]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Mapping {
    /// The target split into catalog id and entry id; entry ids may contain colons, catalog ids may not.
    pub fn target_parts(&self) -> Option<(&str, &str)> {
        self.target.split_once(':').filter(|(c, e)| !c.is_empty() && !e.is_empty())
    }
}

/// A check cpsf evaluates over its own data to produce automatic evidence for an entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", content = "params", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// Every product has an SBOM uploaded within `max_age_days`.
    InventoryCurrent { max_age_days: u32 },
    /// Every product's latest release has an SBOM scoring at least `min_score` on `profile`.
    SbomQuality { profile: String, min_score: f64 },
    /// Advisory data refreshed within `max_age_days`, and the portfolio matched since.
    AdvisoriesCurrent { max_age_days: u32 },
    /// Every open finding at or above `severity` older than `within_days` has a triage analysis.
    CriticalTriaged { severity: String, within_days: u32 },
    /// At least `min_ratio` of the supplier questionnaires sent have been answered.
    QuestionnairesAnswered { min_ratio: f64 },
    /// Every asset of the plant has vendor, model and firmware, and was confirmed (declared with a date or
    /// discovered) within `max_age_days`.
    AssetsInventoried { max_age_days: u32 },
}

impl Check {
    pub fn kind(&self) -> &'static str {
        match self {
            Check::InventoryCurrent { .. } => "inventory-current",
            Check::SbomQuality { .. } => "sbom-quality",
            Check::AdvisoriesCurrent { .. } => "advisories-current",
            Check::CriticalTriaged { .. } => "critical-triaged",
            Check::QuestionnairesAnswered { .. } => "questionnaires-answered",
            Check::AssetsInventoried { .. } => "assets-inventoried",
        }
    }

    /// A one-line statement of what the check requires.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Check::InventoryCurrent { max_age_days }, Lang::En) => {
                format!("Every product has an SBOM uploaded within {max_age_days} days")
            }
            (Check::InventoryCurrent { max_age_days }, Lang::Ja) => {
                format!("すべての製品に{max_age_days}日以内に登録されたSBOMがある")
            }
            (Check::SbomQuality { profile, min_score }, Lang::En) => {
                format!(
                    "Each product's latest release has an SBOM scoring at least {min_score} on the {profile} profile"
                )
            }
            (Check::SbomQuality { profile, min_score }, Lang::Ja) => {
                format!("各製品の最新リリースのSBOMが{profile}プロファイルで{min_score}点以上")
            }
            (Check::AdvisoriesCurrent { max_age_days }, Lang::En) => {
                format!("Advisory data refreshed within {max_age_days} days and the portfolio matched since")
            }
            (Check::AdvisoriesCurrent { max_age_days }, Lang::Ja) => {
                format!("脆弱性情報が{max_age_days}日以内に更新され、その後に照合済み")
            }
            (Check::CriticalTriaged { severity, within_days }, Lang::En) => {
                format!("Every open {severity}-or-worse finding is triaged within {within_days} days")
            }
            (Check::CriticalTriaged { severity, within_days }, Lang::Ja) => {
                format!("深刻度{severity}以上の未解決の検出がすべて{within_days}日以内にトリアージ済み")
            }
            (Check::QuestionnairesAnswered { min_ratio }, Lang::En) => {
                format!("At least {:.0}% of supplier questionnaires answered", min_ratio * 100.0)
            }
            (Check::QuestionnairesAnswered { min_ratio }, Lang::Ja) => {
                format!("サプライヤー質問票の{:.0}%以上が回答済み", min_ratio * 100.0)
            }
            (Check::AssetsInventoried { max_age_days }, Lang::En) => {
                format!(
                    "Every asset of the plant has vendor, model and firmware and was confirmed within {max_age_days} days"
                )
            }
            (Check::AssetsInventoried { max_age_days }, Lang::Ja) => {
                format!("工場のすべての資産にメーカー・型式・ファームウェアがあり、{max_age_days}日以内に確認済み")
            }
        }
    }
}

/// Where an entry comes from and whether a source confirms it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Catalog {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The entries whose parent is `id` (`None`: the roots), in document order.
    pub fn children<'a>(&'a self, id: Option<&'a str>) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.parent.as_deref() == id)
    }

    /// The chain of ancestors of `id`, nearest first (stops at a cycle, which validation reports).
    pub fn ancestors<'a>(&'a self, id: &str) -> Vec<&'a Entry> {
        let mut out: Vec<&Entry> = Vec::new();
        let mut current = self.entry(id).and_then(|e| e.parent.as_deref());
        while let Some(pid) = current {
            let Some(parent) = self.entry(pid) else { break };
            if out.iter().any(|e| e.id == parent.id) || parent.id == id {
                break;
            }
            out.push(parent);
            current = parent.parent.as_deref();
        }
        out
    }

    pub fn assessable(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.is_assessable())
    }

    /// Number of entries a source confirms.
    pub fn verified_count(&self) -> usize {
        self.entries.iter().filter(|e| e.provenance.verified).count()
    }
}
