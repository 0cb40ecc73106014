//! FIRST EPSS score files (`epss_scores-YYYY-MM-DD.csv`, uncompressed): parse them into per-CVE scores, one bad row a warning.
//!
//! The file's shape: an optional comment line `#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000`,
//! a header `cve,epss,percentile`, then one row per CVE. The `.csv.gz` form FIRST publishes is not read
//! here: decompress it first.

use std::collections::HashSet;

use crate::finding::Epss;
use crate::kev::is_cve_id;

/// A parsed EPSS file.
#[derive(Debug, Clone, PartialEq)]
pub struct EpssFile {
    /// `model_version` from the comment line, e.g. `v2025.03.14`.
    pub model_version: Option<String>,
    /// `score_date` from the comment line, as given (e.g. `2025-08-25T00:00:00+0000`); copied into each score.
    pub score_date: Option<String>,
    /// The usable rows, in file order; a CVE listed twice is kept once (the first).
    pub scores: Vec<Epss>,
    /// One line per skipped row or ignored line, naming the file and the line number.
    pub warnings: Vec<String>,
}

/// Where each column is.
struct Columns {
    cve: usize,
    epss: usize,
    percentile: usize,
    /// How many fields a row must have at least.
    needed: usize,
}

const STANDARD_COLUMNS: Columns = Columns { cve: 0, epss: 1, percentile: 2, needed: 3 };

/// Parse an EPSS CSV. The comment line is optional; the header (the first line naming any of the columns)
/// names the columns (`cve`, `epss`,
/// `percentile` in any order, extra columns ignored); a file whose first data line comes without a header
/// is read in the standard order, with a warning. A row with a bad CVE id, a missing field, or a value
/// that is not a number within 0..=1 is skipped with a warning naming its line. An input with neither a
/// header nor any row is an error, as is a header without the three columns.
pub fn parse_epss(text: &str, file: &str) -> Result<EpssFile, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut model_version = None;
    let mut score_date = None;
    let mut columns: Option<Columns> = None;
    let mut scores = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    let mut any_line = false;

    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        any_line = true;
        if let Some(comment) = line.strip_prefix('#') {
            if columns.is_some() {
                warnings.push(format!("{file}:{number}: comment line after the header; ignored"));
                continue;
            }
            read_comment(comment, file, number, &mut model_version, &mut score_date, &mut warnings);
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if columns.is_none() {
            if fields
                .iter()
                .any(|field| ["cve", "epss", "percentile"].iter().any(|name| field.eq_ignore_ascii_case(name)))
            {
                columns = Some(read_header(&fields, file, number)?);
                continue;
            }
            warnings
                .push(format!("{file}:{number}: no `cve,epss,percentile` header; reading the columns in that order"));
            columns = Some(STANDARD_COLUMNS);
        }
        let Some(layout) = &columns else {
            continue;
        };
        match read_row(&fields, layout, score_date.as_deref()) {
            Ok(epss) => {
                if seen.insert(epss.cve.clone()) {
                    scores.push(epss);
                } else {
                    warnings.push(format!("{file}:{number}: {} is listed again; the first row is kept", epss.cve));
                }
            }
            Err(problem) => warnings.push(format!("{file}:{number}: {problem}; row skipped")),
        }
    }

    if !any_line {
        return Err(format!("{file}: empty, expected an EPSS CSV"));
    }
    if columns.is_none() {
        return Err(format!("{file}: no `cve,epss,percentile` header and no rows"));
    }
    Ok(EpssFile { model_version, score_date, scores, warnings })
}

/// The `key:value,key:value` pairs of the comment line; unknown keys are ignored.
fn read_comment(
    comment: &str,
    file: &str,
    number: usize,
    model_version: &mut Option<String>,
    score_date: &mut Option<String>,
    warnings: &mut Vec<String>,
) {
    for pair in comment.split(',') {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        let Some((key, value)) = pair.split_once(':') else {
            warnings.push(format!("{file}:{number}: comment `{pair}` is not `key:value`; ignored"));
            continue;
        };
        let value = value.trim();
        let slot = match key.trim() {
            "model_version" => &mut *model_version,
            "score_date" => &mut *score_date,
            _ => continue,
        };
        if value.is_empty() {
            warnings.push(format!("{file}:{number}: `{}` has no value; ignored", key.trim()));
        } else {
            *slot = Some(value.to_owned());
        }
    }
}

fn read_header(fields: &[&str], file: &str, number: usize) -> Result<Columns, String> {
    let find = |name: &str| fields.iter().position(|field| field.eq_ignore_ascii_case(name));
    match (find("cve"), find("epss"), find("percentile")) {
        (Some(cve), Some(epss), Some(percentile)) => {
            Ok(Columns { cve, epss, percentile, needed: cve.max(epss).max(percentile) + 1 })
        }
        _ => Err(format!(
            "{file}:{number}: header `{}` lacks one of the columns cve, epss, percentile",
            fields.join(",")
        )),
    }
}

fn read_row(fields: &[&str], layout: &Columns, date: Option<&str>) -> Result<Epss, String> {
    if fields.len() < layout.needed {
        return Err(format!("{} field(s), expected at least {}", fields.len(), layout.needed));
    }
    let cve = fields.get(layout.cve).copied().unwrap_or_default();
    if !is_cve_id(cve) {
        return Err(format!("`{cve}` is not a CVE id (CVE-YYYY-NNNN)"));
    }
    let score = probability(fields.get(layout.epss).copied(), "epss")?;
    let percentile = probability(fields.get(layout.percentile).copied(), "percentile")?;
    Ok(Epss { cve: cve.to_owned(), score, percentile, date: date.map(str::to_owned) })
}

/// A number within 0..=1.
fn probability(field: Option<&str>, name: &str) -> Result<f64, String> {
    let text = field.unwrap_or_default();
    let value: f64 = text.parse().map_err(|_| format!("{name} `{text}` is not a number"))?;
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{name} `{text}` is outside 0..=1"))
    }
}
