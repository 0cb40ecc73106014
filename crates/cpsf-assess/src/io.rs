//! Reading and writing assessment files (YAML or JSON), and reconciling an assessment with its catalog:
//! results for entries the catalog no longer has are reported, entries it gained get a not-assessed result.

use std::path::Path;

use cpsf_catalog::Catalog;

use crate::model::{Assessment, EntryResult, FORMAT};

/// Why an assessment could not be read or does not fit its catalog.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: {message}")]
    Write { path: String, message: String },
    #[error("{0}")]
    Edit(String),
}

/// Parse an assessment from YAML or JSON text, `origin` naming it in messages.
pub fn parse(origin: &str, text: &str) -> Result<Assessment, AssessError> {
    let assessment: Assessment = serde_norway::from_str(text).map_err(|e| AssessError::Read {
        path: origin.to_string(),
        message: match e.location() {
            Some(loc) => format!("line {}, column {}: {e}", loc.line(), loc.column()),
            None => e.to_string(),
        },
    })?;
    if assessment.format != FORMAT {
        return Err(AssessError::Invalid {
            path: origin.to_string(),
            message: format!("format: expected `{FORMAT}`, found `{}`", assessment.format),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for r in &assessment.results {
        if !seen.insert(r.entry.as_str()) {
            return Err(AssessError::Invalid {
                path: origin.to_string(),
                message: format!("results: entry `{}` appears twice", r.entry),
            });
        }
        if let Some(due) = &r.due
            && time::Date::parse(due, time::macros::format_description!("[year]-[month]-[day]")).is_err()
        {
            return Err(AssessError::Invalid {
                path: origin.to_string(),
                message: format!("results: entry `{}`: due: expected a date YYYY-MM-DD, found `{due}`", r.entry),
            });
        }
    }
    Ok(assessment)
}

pub fn read_file(path: &Path) -> Result<Assessment, AssessError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AssessError::Read { path: path.display().to_string(), message: e.to_string() })?;
    parse(&path.display().to_string(), &text)
}

/// The assessment as YAML, with a header comment saying how to edit it.
pub fn to_yaml(assessment: &Assessment) -> String {
    let body = serde_norway::to_string(assessment).unwrap_or_default();
    format!(
        "# cpsf assessment of catalog `{}` for {} `{}`.\n# Edit status (not-assessed, implemented, partially, not-implemented, not-applicable), level, owner,\n# due (YYYY-MM-DD) and comments per entry, or use `cpsf assess set`. `title` is informative only.\n{body}",
        assessment.catalog,
        assessment.scope.kind.as_str(),
        assessment.scope.name
    )
}

/// Write `assessment` to `path` atomically (a temporary file renamed over it), as YAML unless the path ends
/// in `.json`.
pub fn write_file(path: &Path, assessment: &Assessment) -> Result<(), AssessError> {
    let text = if path.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(assessment).unwrap_or_default() + "\n"
    } else {
        to_yaml(assessment)
    };
    let tmp = path.with_extension("tmp~");
    let fail = |e: std::io::Error| AssessError::Write { path: path.display().to_string(), message: e.to_string() };
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

/// Fit `assessment` to `catalog`: add not-assessed results for assessable entries it lacks, put results in
/// catalog order, and return the results that name no assessable entry (kept at the end, reported as warnings).
pub fn reconcile(assessment: &mut Assessment, catalog: &Catalog) -> Vec<String> {
    let mut warnings = Vec::new();
    if assessment.catalog != catalog.id {
        warnings.push(format!("the assessment is of catalog `{}`, not `{}`", assessment.catalog, catalog.id));
        return warnings;
    }
    let mut old: Vec<EntryResult> = std::mem::take(&mut assessment.results);
    let mut results = Vec::with_capacity(old.len());
    let mut seen = std::collections::HashSet::new();
    for entry in catalog.assessable().filter(|e| seen.insert(e.id.as_str())) {
        match old.iter().position(|r| r.entry == entry.id) {
            Some(i) => results.push(old.swap_remove(i)),
            None => results.push(EntryResult::new(entry.id.clone())),
        }
    }
    for r in old {
        warnings.push(format!(
            "result for `{}` kept, but catalog `{}` (revision {}) has no assessable entry with that id",
            r.entry, catalog.id, catalog.revision
        ));
        results.push(r);
    }
    assessment.results = results;
    if assessment.catalog_revision != catalog.revision {
        warnings.push(format!(
            "the assessment was made against revision {} of `{}`; revision {} is loaded",
            assessment.catalog_revision, catalog.id, catalog.revision
        ));
    }
    warnings
}
