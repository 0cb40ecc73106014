//! Version ranges in the `vers` notation (`vers:npm/>=2.0.0|<2.15.0`, `vers:maven/*`): parsing, and whether a
//! version is in a range, with the ordering of the range's versioning scheme (the purl type after `vers:`).
//! Containment follows the specification's algorithm: equalities first, then the sorted comparators taken as
//! contiguous pairs that open and close intervals.

use std::cmp::Ordering;

use crate::{Scheme, sort_stable_by};

/// A comparator of one constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One `comparator version` constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub comparator: Comparator,
    pub version: String,
}

/// A parsed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersRange {
    /// The versioning scheme's name as written (`npm`, `maven`, `pypi`, ...).
    pub scheme_name: String,
    pub scheme: Scheme,
    /// `None` for `*` (every version).
    pub constraints: Option<Vec<Constraint>>,
}

/// Why a range could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}`: {reason}")]
pub struct VersError {
    pub input: String,
    pub reason: String,
}

impl VersRange {
    pub fn parse(input: &str) -> Result<VersRange, VersError> {
        let err = |reason: &str| VersError { input: input.to_owned(), reason: reason.to_owned() };
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = compact
            .strip_prefix("vers:")
            .ok_or_else(|| err("expected `vers:<scheme>/<constraints>`, e.g. vers:npm/>=1.0.0|<2.0.0"))?;
        let (scheme_name, constraints) =
            rest.split_once('/').ok_or_else(|| err("expected a `/` after the versioning scheme"))?;
        let scheme_name = scheme_name.to_ascii_lowercase();
        let scheme = Scheme::for_purl_type(&scheme_name)
            .ok_or_else(|| err(&format!("versioning scheme `{scheme_name}` is not one cpsf can order")))?;
        if constraints == "*" {
            return Ok(VersRange { scheme_name, scheme, constraints: None });
        }
        let mut list = Vec::new();
        for part in constraints.split('|') {
            if part.is_empty() {
                return Err(err("an empty constraint between `|`"));
            }
            let (comparator, version) = if let Some(v) = part.strip_prefix(">=") {
                (Comparator::Ge, v)
            } else if let Some(v) = part.strip_prefix("<=") {
                (Comparator::Le, v)
            } else if let Some(v) = part.strip_prefix("!=") {
                (Comparator::Ne, v)
            } else if let Some(v) = part.strip_prefix('>') {
                (Comparator::Gt, v)
            } else if let Some(v) = part.strip_prefix('<') {
                (Comparator::Lt, v)
            } else if let Some(v) = part.strip_prefix('=') {
                (Comparator::Eq, v)
            } else {
                (Comparator::Eq, part)
            };
            if version.is_empty() {
                return Err(err("a comparator without a version"));
            }
            let version = decode(version).ok_or_else(|| err("a bad percent-encoding in a version"))?;
            scheme.parse(&version).map_err(|e| err(&format!("version `{version}`: {}", e.reason)))?;
            list.push(Constraint { comparator, version });
        }
        Ok(VersRange { scheme_name, scheme, constraints: Some(list) })
    }

    /// Whether `version` is in the range. Versions the scheme cannot read are not in it.
    pub fn contains(&self, version: &str) -> bool {
        let Some(constraints) = &self.constraints else { return true };
        let cmp = |a: &str, b: &str| self.scheme.compare(a, b).ok();
        if self.scheme.parse(version).is_err() {
            return false;
        }
        for c in constraints {
            if cmp(version, &c.version) == Some(Ordering::Equal) {
                match c.comparator {
                    Comparator::Eq | Comparator::Le | Comparator::Ge => return true,
                    Comparator::Ne => return false,
                    _ => {}
                }
            }
        }
        let mut ranges: Vec<&Constraint> =
            constraints.iter().filter(|c| !matches!(c.comparator, Comparator::Eq | Comparator::Ne)).collect();
        sort_stable_by(&mut ranges, |a, b| cmp(&a.version, &b.version).unwrap_or(Ordering::Equal));
        let lower = |c: &Constraint| matches!(c.comparator, Comparator::Gt | Comparator::Ge);
        let upper = |c: &Constraint| matches!(c.comparator, Comparator::Lt | Comparator::Le);
        for (i, current) in ranges.iter().enumerate() {
            let order = cmp(version, &current.version);
            if i == 0 && upper(current) && order == Some(Ordering::Less) {
                return true;
            }
            if i + 1 == ranges.len() && lower(current) && order == Some(Ordering::Greater) {
                return true;
            }
            if let Some(next) = ranges.get(i + 1)
                && lower(current)
                && upper(next)
                && order == Some(Ordering::Greater)
                && cmp(version, &next.version) == Some(Ordering::Less)
            {
                return true;
            }
        }
        false
    }
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = VersRange::parse("vers:npm/>=4.0.0|<4.17.21").unwrap();
        assert!(r.contains("4.17.20") && r.contains("4.0.0"));
        assert!(!r.contains("4.17.21") && !r.contains("3.9.9"));
        let r = VersRange::parse("vers:maven/<2.0|>=2.5|!=3.0|=2.2").unwrap();
        assert!(r.contains("1.9") && r.contains("2.2") && r.contains("2.5") && r.contains("4.0"));
        assert!(!r.contains("2.1") && !r.contains("3.0"));
        let r = VersRange::parse("vers:pypi/1.0|2.0").unwrap();
        assert!(r.contains("1.0") && r.contains("2.0.0") && !r.contains("1.5"));
        assert!(VersRange::parse("vers:npm/*").unwrap().contains("0.0.1"));
        let r = VersRange::parse("vers:npm/>1.0.0").unwrap();
        assert!(r.contains("1.0.1") && !r.contains("1.0.0"));
        assert!(!r.contains("not a version"));
    }

    #[test]
    fn errors() {
        assert!(VersRange::parse(">=1.0").is_err());
        assert!(VersRange::parse("vers:npm").is_err());
        assert!(VersRange::parse("vers:unknownscheme/1.0").is_err());
        assert!(VersRange::parse("vers:npm/>=1.0.0||<2.0.0").is_err());
        assert!(VersRange::parse("vers:npm/>=").is_err());
        assert!(VersRange::parse("vers:npm/>=not-semver").is_err());
    }
}
