//! Settings resolved once from arguments, the configuration file and the environment into plain structs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cpsf_model::Party;
use serde::Deserialize;

/// `cpsf.toml`. Every key is optional; command-line flags win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub sbom: SbomConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SbomConfig {
    /// Supplier of the described product ("Name" or "Name <email>").
    pub supplier: Option<String>,
    /// Authors of the SBOM data.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Default output format (same names as --format).
    pub format: Option<String>,
    /// Default CycloneDX spec version.
    pub spec_version: Option<String>,
    /// Globs to exclude from discovery.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Load the config file: an explicit path must exist; `./cpsf.toml` is read when present.
pub fn load_config(explicit: Option<&Path>) -> Result<ConfigFile> {
    let path: PathBuf = match explicit {
        Some(p) => p.to_owned(),
        None => {
            let default = PathBuf::from("cpsf.toml");
            if !default.is_file() {
                return Ok(ConfigFile::default());
            }
            default
        }
    };
    let text = fs_err::read_to_string(&path)?;
    toml::from_str(&text).with_context(|| {
        format!(
            "{}: invalid configuration (expected a [sbom] table with supplier, authors, format, spec-version, exclude)",
            path.display()
        )
    })
}

/// Parse "Name <email>" or "Name" into a party.
pub fn parse_party(text: &str) -> Party {
    let text = text.trim();
    if let Some((name, rest)) = text.split_once('<')
        && let Some(email) = rest.strip_suffix('>')
    {
        return Party { name: name.trim().to_owned(), email: Some(email.trim().to_owned()), url: None };
    }
    Party::named(text)
}

/// The timestamp for a new document: SOURCE_DATE_EPOCH when set, the epoch when reproducible, else now.
pub fn document_timestamp(reproducible: bool) -> Result<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let when = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH={v}: expected whole seconds since 1970"))?;
            time::OffsetDateTime::from_unix_timestamp(secs)
                .with_context(|| format!("SOURCE_DATE_EPOCH={v}: out of range"))?
        }
        _ if reproducible => time::OffsetDateTime::UNIX_EPOCH,
        _ => time::OffsetDateTime::now_utc(),
    };
    Ok(when.format(&format)?)
}

/// Whether output must be reproducible: `--reproducible` or SOURCE_DATE_EPOCH set.
pub fn reproducible(flag: bool) -> bool {
    flag || std::env::var("SOURCE_DATE_EPOCH").is_ok_and(|v| !v.trim().is_empty())
}

/// The advisory database file: `--db`/`CPSF_DB` when given, else `cpsf/advisories.db` under the user's data
/// directory (`$XDG_DATA_HOME`, `~/.local/share`; `~/Library/Application Support` on macOS; `%LOCALAPPDATA%` on
/// Windows).
pub fn database_path(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    let env_dir = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env_dir("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env_dir("XDG_DATA_HOME").or_else(|| env_dir("HOME").map(|h| h.join(".local").join("share")))
    };
    let base = base.context("no data directory: HOME (or XDG_DATA_HOME) is not set; pass --db FILE or set CPSF_DB")?;
    Ok(base.join("cpsf").join("advisories.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parties_parse() {
        let p = parse_party("Jane Doe <jane@example.com>");
        assert_eq!(p.name, "Jane Doe");
        assert_eq!(p.email.as_deref(), Some("jane@example.com"));
        assert_eq!(parse_party("Example Corp").email, None);
    }

    #[test]
    fn config_rejects_unknown_keys() {
        assert!(toml::from_str::<ConfigFile>("[sbom]\nsuplier = 'x'").is_err());
        let c: ConfigFile = toml::from_str("[sbom]\nsupplier = 'X'\nauthors = ['A']").unwrap();
        assert_eq!(c.sbom.supplier.as_deref(), Some("X"));
    }
}
