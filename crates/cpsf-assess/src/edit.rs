//! Changing an assessment: every change to an entry's status, level, owner, due date, comments, evidence or
//! override is applied through [`apply`], which records it in the history with who and when.

use cpsf_catalog::Catalog;

use crate::io::AssessError;
use crate::model::{Assessment, Change, CheckResult, Evidence, Override, Status};

/// One requested change to one entry. Fields left `None` stay as they are; `Some("")` clears a text field.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub status: Option<Status>,
    pub level: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub comments: Option<String>,
    pub add_evidence: Vec<Evidence>,
    /// Override the automatic result (with a justification, required).
    pub override_result: Option<(CheckResult, String)>,
    /// Remove a person's override.
    pub clear_override: bool,
}

/// Apply `update` to `entry`, by `who` at `now`. Errors name the field and what was expected; nothing is
/// changed when any part is invalid.
pub fn apply(
    assessment: &mut Assessment,
    catalog: &Catalog,
    entry: &str,
    update: &Update,
    who: &str,
    now: &str,
) -> Result<usize, AssessError> {
    let Some(catalog_entry) = catalog.entry(entry) else {
        return Err(AssessError::Edit(format!("catalog `{}` has no entry `{entry}`", catalog.id)));
    };
    if !catalog_entry.is_assessable() {
        return Err(AssessError::Edit(format!(
            "entry `{entry}` is a {} and is not assessed itself; assess the entries under it",
            catalog_entry.kind.as_str()
        )));
    }
    if let Some(level) = update.level.as_deref().filter(|l| !l.is_empty()) {
        if catalog.levels.is_empty() {
            return Err(AssessError::Edit(format!("level: catalog `{}` defines no levels", catalog.id)));
        }
        if !catalog.levels.iter().any(|l| l.id == level) {
            let known: Vec<&str> = catalog.levels.iter().map(|l| l.id.as_str()).collect();
            return Err(AssessError::Edit(format!("level: expected one of {}, found `{level}`", known.join(", "))));
        }
    }
    if let Some(due) = update.due.as_deref().filter(|d| !d.is_empty())
        && time::Date::parse(due, time::macros::format_description!("[year]-[month]-[day]")).is_err()
    {
        return Err(AssessError::Edit(format!("due: expected a date YYYY-MM-DD, found `{due}`")));
    }
    if let Some((_, justification)) = &update.override_result
        && justification.trim().is_empty()
    {
        return Err(AssessError::Edit("override: a justification is required".into()));
    }
    if assessment.result(entry).is_none() {
        assessment.results.push(crate::model::EntryResult::new(entry));
    }
    let mut changes = Vec::new();
    let Some(result) = assessment.result_mut(entry) else {
        return Err(AssessError::Edit(format!("entry `{entry}` has no result")));
    };
    let mut record = |field: &str, from: Option<String>, to: Option<String>, justification: Option<String>| {
        if from != to || justification.is_some() {
            changes.push(Change {
                at: now.to_string(),
                by: who.to_string(),
                entry: Some(entry.to_string()),
                field: field.to_string(),
                from,
                to,
                justification,
            });
        }
    };
    if let Some(status) = update.status {
        record("status", Some(result.status.as_str().into()), Some(status.as_str().into()), None);
        result.status = status;
    }
    let text_fields: [(&str, &Option<String>); 4] =
        [("level", &update.level), ("owner", &update.owner), ("due", &update.due), ("comments", &update.comments)];
    for (field, value) in text_fields {
        let Some(value) = value else { continue };
        let new = if value.is_empty() { None } else { Some(value.clone()) };
        let slot = match field {
            "level" => &mut result.level,
            "owner" => &mut result.owner,
            "due" => &mut result.due,
            _ => &mut result.comments,
        };
        record(field, slot.clone(), new.clone(), None);
        *slot = new;
    }
    for evidence in &update.add_evidence {
        let label = match evidence {
            Evidence::File { name, .. } => format!("file {name}"),
            Evidence::Link { url, .. } => format!("link {url}"),
        };
        record("evidence", None, Some(label), None);
        result.evidence.push(evidence.clone());
    }
    if update.clear_override && result.override_.is_some() {
        let from = result.override_.as_ref().map(|o| o.result.as_str().to_string());
        record("override", from, None, None);
        result.override_ = None;
    }
    if let Some((value, justification)) = &update.override_result {
        let from = result.automatic_result().map(|r| r.as_str().to_string());
        record("override", from, Some(value.as_str().into()), Some(justification.clone()));
        result.override_ = Some(Override {
            result: *value,
            justification: justification.clone(),
            by: who.to_string(),
            at: now.to_string(),
        });
    }
    let count = changes.len();
    if count > 0 {
        assessment.history.extend(changes);
        assessment.updated = now.to_string();
    }
    Ok(count)
}
