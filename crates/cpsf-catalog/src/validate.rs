//! Catalog validation: the JSON schema (`catalogs/schema/catalog.schema.json`) and the rules a schema cannot
//! state: unique ids, parents that resolve without cycles, provenance that names a source, no entry verified
//! without a section reference, sane check parameters, and mappings that resolve across a set of catalogs.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::model::{Catalog, Check, FORMAT};

/// The catalog schema this build checks files against.
pub const SCHEMA: &str = include_str!("../../../catalogs/schema/catalog.schema.json");

static VALIDATOR: LazyLock<Result<Validator, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| format!("embedded catalog schema: {e}"))?;
    jsonschema::options().build(&schema).map_err(|e| format!("embedded catalog schema failed to compile: {e}"))
});

/// One thing wrong with a catalog: where (catalog, entry, field) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub catalog: String,
    pub entry: Option<String>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "{}: entry `{entry}`: {}: {}", self.catalog, self.field, self.message),
            None => write!(f, "{}: {}: {}", self.catalog, self.field, self.message),
        }
    }
}

/// How demanding validation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Catalogs cpsf ships: titles in both languages, a note on every unverified entry.
    Shipped,
    /// Catalogs an organization imports: one language is enough.
    Imported,
}

/// Schema violations of a parsed document, each with its JSON pointer.
pub fn schema_problems(value: &Value) -> Vec<Problem> {
    let catalog = value.get("id").and_then(Value::as_str).unwrap_or("(catalog)").to_string();
    let validator = match &*VALIDATOR {
        Ok(v) => v,
        Err(e) => return vec![Problem { catalog, entry: None, field: "schema".into(), message: e.clone() }],
    };
    validator
        .iter_errors(value)
        .take(50)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            let entry = entry_id_at(value, &pointer);
            Problem {
                catalog: catalog.clone(),
                entry,
                field: if pointer.is_empty() { "/".to_string() } else { pointer },
                message: e.to_string(),
            }
        })
        .collect()
}

/// The id of the entry a JSON pointer such as `/entries/12/title` points into.
fn entry_id_at(value: &Value, pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/entries/")?;
    let index: usize = rest.split('/').next()?.parse().ok()?;
    value.get("entries")?.get(index)?.get("id")?.as_str().map(str::to_string)
}

/// The structural rules for one catalog.
pub fn problems(catalog: &Catalog, strictness: Strictness) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |entry: Option<&str>, field: &str, message: String| {
        out.push(Problem {
            catalog: catalog.id.clone(),
            entry: entry.map(str::to_string),
            field: field.to_string(),
            message,
        });
    };
    if catalog.format != FORMAT {
        push(None, "format", format!("expected `{FORMAT}`, found `{}`", catalog.format));
    }
    if !valid_catalog_id(&catalog.id) {
        push(None, "id", "expected lowercase letters, digits, `.` and `-`, starting with a letter or digit".into());
    }
    if catalog.title.is_empty() {
        push(None, "title", "a title is required".into());
    }
    if strictness == Strictness::Shipped && (catalog.title.en.is_empty() || catalog.title.ja.is_empty()) {
        push(None, "title", "a shipped catalog needs its title in English and Japanese".into());
    }
    if catalog.sources.is_empty() {
        push(None, "sources", "at least one source document is required".into());
    }
    let mut source_ids = HashSet::new();
    for source in &catalog.sources {
        if !source_ids.insert(source.id.as_str()) {
            push(None, "sources", format!("source id `{}` appears twice", source.id));
        }
    }
    let mut level_ids = HashSet::new();
    for level in &catalog.levels {
        if !level_ids.insert(level.id.as_str()) {
            push(None, "levels", format!("level id `{}` appears twice", level.id));
        }
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in catalog.entries.iter().enumerate() {
        if entry.id.trim().is_empty() {
            push(None, &format!("entries[{i}].id"), "an entry id must not be empty".into());
        } else if !label_id(&entry.id) {
            push(Some(&entry.id), "id", "an id has no `:`, no line breaks and no spaces at either end".into());
        } else if ids.insert(entry.id.as_str(), i).is_some() {
            push(Some(&entry.id), "id", "this id appears more than once".into());
        }
    }
    for entry in &catalog.entries {
        let id = Some(entry.id.as_str());
        if let Some(parent) = &entry.parent {
            if parent == &entry.id {
                push(id, "parent", "an entry cannot be its own parent".into());
            } else if !ids.contains_key(parent.as_str()) {
                push(id, "parent", format!("`{parent}` does not name an entry of this catalog"));
            }
        }
        if entry.title.is_empty() {
            push(id, "title", "a title is required".into());
        }
        if strictness == Strictness::Shipped && !plain_id(&entry.id) {
            push(id, "id", "a shipped entry id keeps to letters, digits, `.`, `_` and `-`".into());
        }
        if strictness == Strictness::Shipped && (entry.title.en.is_empty() || entry.title.ja.is_empty()) {
            push(id, "title", "a shipped entry needs its title in English and Japanese".into());
        }
        if let Some(w) = entry.weight
            && !(w.is_finite() && w > 0.0)
        {
            push(id, "weight", format!("expected a number above 0, found {w}"));
        }
        let p = &entry.provenance;
        if !source_ids.contains(p.source.as_str()) {
            push(id, "provenance.source", format!("`{}` does not name one of the catalog's sources", p.source));
        }
        let has_section = p.section.as_deref().is_some_and(|s| !s.trim().is_empty())
            || p.page.as_deref().is_some_and(|s| !s.trim().is_empty());
        if p.verified && !has_section {
            push(id, "provenance", "verified without a section or page reference".into());
        }
        if !p.verified && strictness == Strictness::Shipped && p.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            push(id, "provenance.note", "an unverified entry needs a note saying what to check".into());
        }
        for mapping in &entry.mappings {
            if !mapping.target_parts().is_some_and(|(c, e)| valid_catalog_id(c) && label_id(e)) {
                push(id, "mappings.target", format!("expected `<catalog id>:<entry id>`, found `{}`", mapping.target));
            }
        }
        for check in &entry.checks {
            if let Some(message) = check_problem(check) {
                push(id, &format!("checks.{}", check.kind()), message);
            }
        }
    }
    // Cycles: walk up from every entry; a chain longer than the catalog is a loop.
    for entry in &catalog.entries {
        let mut seen = HashSet::new();
        let mut current = entry.parent.as_deref();
        while let Some(pid) = current {
            if !seen.insert(pid) || pid == entry.id {
                out.push(Problem {
                    catalog: catalog.id.clone(),
                    entry: Some(entry.id.clone()),
                    field: "parent".into(),
                    message: "the parent chain loops".into(),
                });
                break;
            }
            current = ids.get(pid).and_then(|&i| catalog.entries.get(i)).and_then(|e| e.parent.as_deref());
        }
    }
    out
}

fn check_problem(check: &Check) -> Option<String> {
    match check {
        Check::InventoryCurrent { max_age_days }
        | Check::AdvisoriesCurrent { max_age_days }
        | Check::AssetsInventoried { max_age_days }
            if *max_age_days == 0 =>
        {
            Some("max_age_days must be at least 1".into())
        }
        Check::SbomQuality { profile, min_score } => {
            if !matches!(profile.as_str(), "ntia" | "meti" | "bsi") {
                Some(format!("profile must be ntia, meti or bsi, found `{profile}`"))
            } else if !(0.0..=100.0).contains(min_score) {
                Some(format!("min_score must be between 0 and 100, found {min_score}"))
            } else {
                None
            }
        }
        Check::CriticalTriaged { severity, within_days } => {
            if !matches!(severity.as_str(), "critical" | "high" | "medium" | "low") {
                Some(format!("severity must be critical, high, medium or low, found `{severity}`"))
            } else if *within_days == 0 {
                Some("within_days must be at least 1".into())
            } else {
                None
            }
        }
        Check::QuestionnairesAnswered { min_ratio } if !(0.0..=1.0).contains(min_ratio) => {
            Some(format!("min_ratio must be between 0 and 1, found {min_ratio}"))
        }
        _ => None,
    }
}

/// Mappings that do not resolve among `catalogs`, and ids shared by two catalogs of the set.
pub fn set_problems(catalogs: &[&Catalog]) -> Vec<Problem> {
    let mut out = Vec::new();
    let by_id: HashMap<&str, &Catalog> = catalogs.iter().map(|c| (c.id.as_str(), *c)).collect();
    for catalog in catalogs {
        for entry in &catalog.entries {
            for mapping in &entry.mappings {
                let Some((cid, eid)) = mapping.target_parts() else { continue };
                let message = match by_id.get(cid) {
                    None => format!("`{}`: no catalog `{cid}` is loaded", mapping.target),
                    Some(target) if target.entry(eid).is_none() => {
                        format!("`{}`: catalog `{cid}` has no entry `{eid}`", mapping.target)
                    }
                    Some(_) => continue,
                };
                out.push(Problem {
                    catalog: catalog.id.clone(),
                    entry: Some(entry.id.clone()),
                    field: "mappings.target".into(),
                    message,
                });
            }
        }
    }
    out
}

/// The schema's id rule: no `:`, no line breaks, no white space at either end.
fn label_id(id: &str) -> bool {
    !id.is_empty()
        && !id.contains([':', '\n', '\r'])
        && !id.starts_with(char::is_whitespace)
        && !id.ends_with(char::is_whitespace)
}

/// `^[A-Za-z0-9][A-Za-z0-9._-]*$`: the ids cpsf's own catalogs use (imports may carry any label without spaces
/// at the ends or colons).
fn plain_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `^[a-z0-9][a-z0-9.-]*$`
pub fn valid_catalog_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// Everything wrong with the shipped catalogs, as one list (empty when they are sound).
pub fn builtin_problems() -> Vec<Problem> {
    let mut out = Vec::new();
    let mut parsed = Vec::new();
    for (name, text) in crate::builtin::FILES {
        match crate::load::parse(name, text) {
            Ok(c) => parsed.push(c),
            Err(e) => out.push(Problem {
                catalog: (*name).to_string(),
                entry: None,
                field: "file".into(),
                message: e.to_string(),
            }),
        }
    }
    for catalog in &parsed {
        out.extend(problems(catalog, Strictness::Shipped));
    }
    out.extend(set_problems(&parsed.iter().collect::<Vec<_>>()));
    out
}
