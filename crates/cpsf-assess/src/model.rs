//! The assessment document (`cpsf-assessment/1`): a catalog applied to a scope, one result per assessable
//! entry with status, level, owner, due date, comments, evidence, automatic results and an override, plus the
//! history of every change and the score snapshots that draw the trend. It is what `cpsf assess init` writes as
//! editable YAML and what the server stores.

use serde::{Deserialize, Serialize};

use cpsf_catalog::{Catalog, Lang};

/// The value of an assessment file's `format` key.
pub const FORMAT: &str = "cpsf-assessment/1";

/// What an assessment is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    #[default]
    Company,
    Site,
    Product,
    Supplier,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 4] = [ScopeKind::Company, ScopeKind::Site, ScopeKind::Product, ScopeKind::Supplier];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Company => "company",
            ScopeKind::Site => "site",
            ScopeKind::Product => "product",
            ScopeKind::Supplier => "supplier",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        ScopeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ScopeKind::Company, Lang::En) => "Company",
            (ScopeKind::Company, Lang::Ja) => "全社",
            (ScopeKind::Site, Lang::En) => "Site",
            (ScopeKind::Site, Lang::Ja) => "拠点",
            (ScopeKind::Product, Lang::En) => "Product",
            (ScopeKind::Product, Lang::Ja) => "製品",
            (ScopeKind::Supplier, Lang::En) => "Supplier",
            (ScopeKind::Supplier, Lang::Ja) => "サプライヤー",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub name: String,
    #[serde(default)]
    pub kind: ScopeKind,
}

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    NotAssessed,
    Implemented,
    Partially,
    NotImplemented,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::NotAssessed, Status::Implemented, Status::Partially, Status::NotImplemented, Status::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAssessed => "not-assessed",
            Status::Implemented => "implemented",
            Status::Partially => "partially",
            Status::NotImplemented => "not-implemented",
            Status::NotApplicable => "not-applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().replace('_', "-").to_ascii_lowercase();
        Status::ALL.into_iter().find(|k| k.as_str() == s).or(match s.as_str() {
            "partial" | "partially-implemented" => Some(Status::Partially),
            "n/a" | "na" => Some(Status::NotApplicable),
            _ => None,
        })
    }

    /// The value an entry in this status contributes to a score (0–1); `None` when it is not counted.
    pub fn value(self) -> Option<f64> {
        match self {
            Status::Implemented => Some(1.0),
            Status::Partially => Some(0.5),
            Status::NotImplemented => Some(0.0),
            Status::NotAssessed | Status::NotApplicable => None,
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::NotAssessed, Lang::En) => "Not assessed",
            (Status::NotAssessed, Lang::Ja) => "未評価",
            (Status::Implemented, Lang::En) => "Implemented",
            (Status::Implemented, Lang::Ja) => "実施済み",
            (Status::Partially, Lang::En) => "Partially implemented",
            (Status::Partially, Lang::Ja) => "一部実施",
            (Status::NotImplemented, Lang::En) => "Not implemented",
            (Status::NotImplemented, Lang::Ja) => "未実施",
            (Status::NotApplicable, Lang::En) => "Not applicable",
            (Status::NotApplicable, Lang::Ja) => "対象外",
        }
    }
}

/// The outcome of an automatic check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    Met,
    Unmet,
    /// The data needed is not there (e.g. no products in the store).
    Unknown,
}

impl CheckResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckResult::Met => "met",
            CheckResult::Unmet => "unmet",
            CheckResult::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<CheckResult> {
        match s.trim() {
            "met" => Some(CheckResult::Met),
            "unmet" => Some(CheckResult::Unmet),
            "unknown" => Some(CheckResult::Unknown),
            _ => None,
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CheckResult::Met, Lang::En) => "Met",
            (CheckResult::Met, Lang::Ja) => "充足",
            (CheckResult::Unmet, Lang::En) => "Unmet",
            (CheckResult::Unmet, Lang::Ja) => "未充足",
            (CheckResult::Unknown, Lang::En) => "No data",
            (CheckResult::Unknown, Lang::Ja) => "データなし",
        }
    }
}

/// Evidence a person attached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Evidence {
    /// A file, by path (CLI) or by stored id (server), with its SHA-256.
    File {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stored_id: Option<i64>,
        added: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A link to evidence kept elsewhere.
    Link {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        added: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
}

/// The last evaluation of one of the entry's automatic checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoEvidence {
    /// The check kind, e.g. `inventory-current`.
    pub check: String,
    pub result: CheckResult,
    /// What was observed, in English (the data, not a translation target).
    pub observed: String,
    /// When it was evaluated (RFC 3339).
    pub evaluated: String,
    /// Which data it was evaluated over (e.g. the store's location).
    pub data: String,
}

/// A person's override of the automatic result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub result: CheckResult,
    pub justification: String,
    pub by: String,
    pub at: String,
}

/// One assessable entry's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryResult {
    pub entry: String,
    /// The entry's title when the file was written, for people editing the YAML (not read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automatic: Vec<AutoEvidence>,
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<Override>,
}

impl EntryResult {
    pub fn new(entry: impl Into<String>) -> EntryResult {
        EntryResult {
            entry: entry.into(),
            title: None,
            status: Status::NotAssessed,
            level: None,
            owner: None,
            due: None,
            comments: None,
            evidence: Vec::new(),
            automatic: Vec::new(),
            override_: None,
        }
    }

    /// The automatic result, after a person's override: all checks met → met; any unmet → unmet; otherwise
    /// unknown. `None` when the entry has no automatic evidence.
    pub fn automatic_result(&self) -> Option<CheckResult> {
        if let Some(o) = &self.override_ {
            return Some(o.result);
        }
        if self.automatic.is_empty() {
            return None;
        }
        if self.automatic.iter().any(|a| a.result == CheckResult::Unmet) {
            Some(CheckResult::Unmet)
        } else if self.automatic.iter().all(|a| a.result == CheckResult::Met) {
            Some(CheckResult::Met)
        } else {
            Some(CheckResult::Unknown)
        }
    }

    /// The status the scores use: a person's status when set; otherwise the automatic result (met →
    /// implemented, unmet → not implemented, or partially when some checks were met).
    pub fn effective_status(&self) -> Status {
        if self.status != Status::NotAssessed {
            return self.status;
        }
        match self.automatic_result() {
            Some(CheckResult::Met) => Status::Implemented,
            Some(CheckResult::Unmet) => {
                if self.override_.is_none() && self.automatic.iter().any(|a| a.result == CheckResult::Met) {
                    Status::Partially
                } else {
                    Status::NotImplemented
                }
            }
            _ => Status::NotAssessed,
        }
    }

    /// A person said implemented while the automatic evidence says unmet.
    pub fn contradicts_evidence(&self) -> bool {
        self.status == Status::Implemented && self.automatic_result() == Some(CheckResult::Unmet)
    }
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub at: String,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// The score at one moment, for the trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSnapshot {
    pub at: String,
    /// 0–100; `None` when nothing was scored yet.
    pub overall: Option<f64>,
    /// Entries with a counted status / assessable entries.
    pub assessed: usize,
    pub assessable: usize,
}

/// An assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub format: String,
    pub id: String,
    pub catalog: String,
    pub catalog_revision: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub scope: Scope,
    pub created: String,
    pub updated: String,
    pub results: Vec<EntryResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Change>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<ScoreSnapshot>,
}

impl Assessment {
    /// A new assessment of `catalog` for `scope`: one not-assessed result per assessable entry, titles in
    /// `lang` for whoever edits the file.
    pub fn new(catalog: &Catalog, scope: Scope, lang: Lang, now: &str) -> Assessment {
        // One result per id: a catalog that repeats an id (which validation reports) must still give a file
        // that reads back.
        let mut seen = std::collections::HashSet::new();
        let results = catalog
            .assessable()
            .filter(|e| seen.insert(e.id.as_str()))
            .map(|e| EntryResult { title: Some(e.title.get(lang).to_string()), ..EntryResult::new(e.id.clone()) })
            .collect();
        Assessment {
            format: FORMAT.to_string(),
            id: uuid::Uuid::new_v4().to_string(),
            catalog: catalog.id.clone(),
            catalog_revision: catalog.revision,
            title: None,
            scope,
            created: now.to_string(),
            updated: now.to_string(),
            results,
            history: Vec::new(),
            snapshots: Vec::new(),
        }
    }

    pub fn result(&self, entry: &str) -> Option<&EntryResult> {
        self.results.iter().find(|r| r.entry == entry)
    }

    pub fn result_mut(&mut self, entry: &str) -> Option<&mut EntryResult> {
        self.results.iter_mut().find(|r| r.entry == entry)
    }
}
