//! Reading catalog files (YAML or JSON in the `cpsf-catalog/1` format) and the set of catalogs cpsf knows:
//! the ones it ships, plus the ones an organization keeps in a catalog directory.

use std::path::{Path, PathBuf};

use crate::builtin;
use crate::model::Catalog;
use crate::validate::{self, Problem};

/// Why a catalog could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: not a valid catalog:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { path: String, problems: Vec<Problem> },
    #[error("no catalog with id `{0}` (see `cpsf catalog list`)")]
    Unknown(String),
}

/// Parse `text` (named `origin` in messages) as a catalog: YAML (a superset of JSON). Syntax errors carry
/// the line and column; the schema and the structural rules are checked by [`validate`].
pub fn parse(origin: &str, text: &str) -> Result<Catalog, CatalogError> {
    let value: serde_json::Value = serde_norway::from_str(text)
        .map_err(|e| CatalogError::Read { path: origin.to_string(), message: yaml_message(&e) })?;
    let problems = validate::schema_problems(&value);
    if !problems.is_empty() {
        return Err(CatalogError::Invalid { path: origin.to_string(), problems });
    }
    serde_json::from_value(value).map_err(|e| CatalogError::Read { path: origin.to_string(), message: e.to_string() })
}

fn yaml_message(e: &serde_norway::Error) -> String {
    match e.location() {
        Some(loc) => format!("line {}, column {}: {e}", loc.line(), loc.column()),
        None => e.to_string(),
    }
}

/// Read and parse one catalog file.
pub fn read_file(path: &Path) -> Result<Catalog, CatalogError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CatalogError::Read { path: path.display().to_string(), message: e.to_string() })?;
    parse(&path.display().to_string(), &text)
}

/// Where a catalog in a [`CatalogSet`] came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// The catalogs cpsf knows, by id. A file in the catalog directory with the id of a shipped catalog replaces
/// it only when its `revision` is higher.
#[derive(Clone, Debug, Default)]
pub struct CatalogSet {
    catalogs: Vec<(Catalog, Origin)>,
    /// Files in the catalog directory that could not be used, as messages.
    pub warnings: Vec<String>,
}

impl CatalogSet {
    /// The shipped catalogs only.
    pub fn builtin() -> CatalogSet {
        let mut set = CatalogSet::default();
        for catalog in builtin::all() {
            set.catalogs.push((catalog.clone(), Origin::Builtin));
        }
        set
    }

    /// The shipped catalogs plus every `*.yaml`, `*.yml` and `*.json` catalog in `dir` (if it exists). A file
    /// that cannot be read, fails the schema or breaks a structural rule (duplicate ids, dangling parents, ...)
    /// becomes a warning and is not loaded; the others are kept. Mappings that do not resolve are warnings only.
    pub fn with_dir(dir: Option<&Path>) -> CatalogSet {
        let mut set = CatalogSet::builtin();
        let Some(dir) = dir else { return set };
        let Ok(read) = std::fs::read_dir(dir) else { return set };
        let mut paths: Vec<PathBuf> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
            .collect();
        paths.sort();
        for path in paths {
            match read_file(&path) {
                Ok(catalog) => {
                    let problems = validate::problems(&catalog, validate::Strictness::Imported);
                    if problems.is_empty() {
                        set.add(catalog, Origin::File(path));
                    } else {
                        set.warnings.push(
                            CatalogError::Invalid { path: path.display().to_string(), problems }.to_string()
                                + "\n  (not loaded; `cpsf catalog validate FILE` explains)",
                        );
                    }
                }
                Err(e) => set.warnings.push(e.to_string()),
            }
        }
        let problems = validate::set_problems(&set.catalogs.iter().map(|(c, _)| c).collect::<Vec<_>>());
        for p in problems {
            set.warnings.push(p.to_string());
        }
        set
    }

    /// Add `catalog`, replacing one with the same id unless that one has a higher revision.
    pub fn add(&mut self, catalog: Catalog, origin: Origin) {
        if let Some(slot) = self.catalogs.iter_mut().find(|(c, _)| c.id == catalog.id) {
            if catalog.revision >= slot.0.revision {
                *slot = (catalog, origin);
            } else {
                let where_ = match &origin {
                    Origin::File(p) => p.display().to_string(),
                    Origin::Builtin => "built in".to_string(),
                };
                self.warnings.push(format!(
                    "{where_}: catalog `{}` revision {} ignored: revision {} is already loaded",
                    catalog.id, catalog.revision, slot.0.revision
                ));
            }
        } else {
            self.catalogs.push((catalog, origin));
        }
    }

    pub fn get(&self, id: &str) -> Result<&Catalog, CatalogError> {
        self.catalogs
            .iter()
            .find(|(c, _)| c.id == id)
            .map(|(c, _)| c)
            .ok_or_else(|| CatalogError::Unknown(id.to_string()))
    }

    pub fn origin(&self, id: &str) -> Option<&Origin> {
        self.catalogs.iter().find(|(c, _)| c.id == id).map(|(_, o)| o)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Catalog> {
        self.catalogs.iter().map(|(c, _)| c)
    }
}
