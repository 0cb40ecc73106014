//! Importing catalogs an organization already holds: OSCAL catalogs ([`oscal`]), CSV with the documented
//! column set ([`csv`], see `catalogs/README-import.md`) and CISO Assistant libraries ([`ciso`]). Each reader
//! turns its document into a [`Catalog`] in the `cpsf-catalog/1` model plus warnings; what every reader shares
//! lives here: the options, catalog id derivation, the provenance an import carries (never verified), and the
//! final repair pass that keeps the result valid (parents that resolve, no loops).
//!
//! Readers never panic on any input: a document that cannot be used at all is an error naming where and what
//! was expected; one bad row or node is a warning and is skipped, the rest is kept.

pub mod ciso;
pub mod csv;
pub mod oscal;

use std::collections::{HashMap, HashSet};

use crate::load::CatalogError;
use crate::model::{Catalog, Entry, FORMAT, Lang, Provenance, Source, Text};
use crate::validate::{self, Strictness};

/// How to read an imported document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The catalog id to give the result; when `None` it is derived from the document (or its file name),
    /// lowercased and reduced to `^[a-z0-9][a-z0-9.-]*$`.
    pub id: Option<String>,
    /// The language the document's text is in: that side of every [`Text`] is filled, the other left empty
    /// (unless the document carries a translation, as CISO Assistant libraries can).
    pub lang: Lang,
}

/// The result of an import: the catalog, and what was skipped or changed on the way, one message each.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub catalog: Catalog,
    pub warnings: Vec<String>,
}

/// The formats cpsf imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An OSCAL catalog (JSON, or the same model in YAML).
    Oscal,
    /// CSV with the column set of `catalogs/README-import.md`.
    Csv,
    /// A CISO Assistant library (YAML) holding a framework.
    Ciso,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Oscal, Format::Csv, Format::Ciso];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Oscal => "oscal",
            Format::Csv => "csv",
            Format::Ciso => "ciso",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "oscal" => Some(Format::Oscal),
            "csv" => Some(Format::Csv),
            "ciso" | "ciso-assistant" => Some(Format::Ciso),
            _ => None,
        }
    }

    /// Guess the format from the file name and the first bytes of the text: `.csv` is CSV; a document with a
    /// top-level `catalog` key is OSCAL; one with `objects` (a CISO Assistant library) is CISO. `None` when
    /// nothing fits.
    pub fn detect(origin: &str, text: &str) -> Option<Format> {
        let lower = origin.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return Some(Format::Csv);
        }
        let head: String = text.chars().take(4096).collect();
        let trimmed = head.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            return if head.contains("\"catalog\"") { Some(Format::Oscal) } else { None };
        }
        let has_key = |key: &str| head.lines().any(|l| l.starts_with(key));
        if has_key("catalog:") {
            Some(Format::Oscal)
        } else if has_key("objects:") || has_key("urn:") || lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(Format::Ciso)
        } else {
            None
        }
    }
}

/// Read `text` (named `origin` in messages) as `format`.
pub fn read(format: Format, origin: &str, text: &str, options: &ImportOptions) -> Result<Imported, CatalogError> {
    match format {
        Format::Oscal => oscal::read(origin, text, options),
        Format::Csv => csv::read(origin, text, options),
        Format::Ciso => ciso::read(origin, text, options),
    }
}

/// The id of the single source every imported entry cites.
pub const SOURCE_ID: &str = "imported";

pub(crate) fn read_error(origin: &str, message: impl Into<String>) -> CatalogError {
    CatalogError::Read { path: origin.to_string(), message: message.into() }
}

/// The provenance of every imported entry: the imported document, unverified.
pub(crate) fn provenance(origin: &str, section: Option<String>) -> Provenance {
    Provenance {
        source: SOURCE_ID.to_string(),
        section: section.filter(|s| !s.trim().is_empty()),
        page: None,
        verified: false,
        note: Some(format!("imported from {}; not checked by cpsf", file_name(origin))),
    }
}

/// The last path segment of `origin` (a path or a name).
pub(crate) fn file_name(origin: &str) -> &str {
    origin.rsplit(['/', '\\']).next().filter(|s| !s.is_empty()).unwrap_or(origin)
}

/// The file name without its extension, as a fallback for a catalog id or title.
pub(crate) fn file_stem(origin: &str) -> &str {
    let name = file_name(origin);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// `raw` reduced to a catalog id: lowercase ASCII letters and digits kept, `.` and `-` kept, anything else
/// becomes `-`; runs of `-` collapse; leading characters that are not a letter or digit are dropped. `None`
/// when nothing is left.
pub fn sanitize_id(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.trim().chars() {
        let c = c.to_ascii_lowercase();
        let mapped = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' { c } else { '-' };
        if mapped == '-' && out.ends_with('-') {
            continue;
        }
        out.push(mapped);
    }
    let start = out.find(|c: char| c.is_ascii_alphanumeric())?;
    let trimmed = out.get(start..)?.trim_end_matches(['-', '.']).to_string();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// The catalog id: the override when given (it must already be valid), else the first candidate that
/// sanitizes to something, else `imported`.
pub(crate) fn catalog_id(
    origin: &str,
    options: &ImportOptions,
    candidates: &[&str],
    warnings: &mut Vec<String>,
) -> Result<String, CatalogError> {
    if let Some(id) = &options.id {
        if validate::valid_catalog_id(id) {
            return Ok(id.clone());
        }
        return Err(read_error(
            origin,
            format!(
                "catalog id `{id}`: expected lowercase letters, digits, `.` and `-`, starting with a letter or digit"
            ),
        ));
    }
    for candidate in candidates {
        if let Some(id) = sanitize_id(candidate) {
            return Ok(id);
        }
    }
    warnings.push("no usable catalog id in the document or its file name; using `imported`".into());
    Ok("imported".into())
}

/// A text with `value` on `lang`'s side.
pub(crate) fn text_in(lang: Lang, value: impl Into<String>) -> Text {
    let value = value.into();
    match lang {
        Lang::En => Text { en: value, ja: String::new() },
        Lang::Ja => Text { en: String::new(), ja: value },
    }
}

/// Put `value` on `lang`'s side of `text` when it is not empty.
pub(crate) fn set_text(text: &mut Text, lang: Lang, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    match lang {
        Lang::En => text.en = value.to_string(),
        Lang::Ja => text.ja = value.to_string(),
    }
}

pub(crate) fn other(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::Ja,
        Lang::Ja => Lang::En,
    }
}

/// A catalog shell for an import, the single source being the imported document.
pub(crate) struct Header {
    /// The language the document is in (for text cpsf adds, such as an unknown publisher).
    pub lang: Lang,
    pub id: String,
    pub title: Text,
    pub publisher: Text,
    pub version: String,
    pub published: Option<String>,
    pub revision: u32,
}

/// Assemble the catalog, repair what would make it invalid (dangling parents, loops), and check it.
pub(crate) fn finish(
    origin: &str,
    header: Header,
    mut entries: Vec<Entry>,
    levels: Vec<crate::model::Level>,
    warnings: Vec<String>,
) -> Result<Imported, CatalogError> {
    let mut warnings = warnings;
    if entries.is_empty() {
        return Err(read_error(origin, "no entries could be read (see the format's documentation)"));
    }
    repair(&mut entries, &mut warnings);
    let mut title = header.title;
    if title.is_empty() {
        title = Text::same(file_stem(origin));
    }
    let catalog = Catalog {
        format: FORMAT.to_string(),
        id: header.id,
        revision: header.revision,
        title: title.clone(),
        publisher: if header.publisher.is_empty() { unknown_publisher(header.lang, origin) } else { header.publisher },
        version: header.version.clone(),
        published: header.published.clone(),
        description: Text::default(),
        sources: vec![Source {
            id: SOURCE_ID.to_string(),
            title: if title.is_empty() { Text::same(file_name(origin)) } else { title },
            edition: (!header.version.is_empty()).then_some(header.version),
            date: header.published,
            url: None,
        }],
        levels,
        entries,
    };
    let problems = validate::problems(&catalog, Strictness::Imported);
    if !problems.is_empty() {
        return Err(CatalogError::Invalid { path: origin.to_string(), problems });
    }
    Ok(Imported { catalog, warnings })
}

/// The publisher of a document that names none: says so, in the document's language.
fn unknown_publisher(lang: Lang, origin: &str) -> Text {
    let name = file_name(origin);
    match lang {
        Lang::En => text_in(lang, format!("(not stated in {name})")),
        Lang::Ja => text_in(lang, format!("（{name}に記載なし）")),
    }
}

/// An id as a catalog may carry it: trimmed, a line break made a space and `:` (which separates catalog and entry
/// in mapping targets) made `-`.
pub(crate) fn clean_label(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            ':' => '-',
            '\r' | '\n' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Make ids fit the format (see [`clean_label`]; parents follow), clear parents that name no entry and break
/// parent loops, with a warning for each.
fn repair(entries: &mut Vec<Entry>, warnings: &mut Vec<String>) {
    for entry in entries.iter_mut() {
        let clean = clean_label(&entry.id);
        if clean != entry.id {
            warnings
                .push(format!("entry `{}`: id written as `{clean}` (no `:`, line breaks or outer spaces)", entry.id));
            entry.id = clean;
        }
        if let Some(parent) = &entry.parent {
            entry.parent = Some(clean_label(parent)).filter(|p| !p.is_empty());
        }
        let id = entry.id.clone();
        entry.mappings.retain_mut(|m| {
            let Some((catalog, target)) = m.target.split_once(':') else { return false };
            let clean = clean_label(target);
            if clean.is_empty() || !crate::validate::valid_catalog_id(catalog) {
                warnings.push(format!("entry `{id}`: mapping `{}` skipped (expected `catalog:entry`)", m.target));
                return false;
            }
            m.target = format!("{catalog}:{clean}");
            true
        });
    }
    entries.retain(|e| {
        if e.id.is_empty() {
            warnings.push("an entry whose id is only spaces or line breaks was skipped".to_string());
        }
        !e.id.is_empty()
    });
    let ids: HashSet<String> = entries.iter().map(|e| e.id.clone()).collect();
    for entry in entries.iter_mut() {
        if let Some(parent) = &entry.parent
            && (!ids.contains(parent) || parent == &entry.id)
        {
            let why = if parent == &entry.id { "is the entry itself" } else { "is not in the catalog" };
            warnings.push(format!("entry `{}`: parent `{parent}` {why}; kept as a top-level entry", entry.id));
            entry.parent = None;
        }
    }
    // Loops: follow each chain; when it comes back to an entry already on it, cut the link into the loop.
    let index: HashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    for start in 0..entries.len() {
        let mut seen = HashSet::new();
        let mut current = start;
        loop {
            if !seen.insert(current) {
                if let Some(entry) = entries.get_mut(current) {
                    warnings.push(format!("entry `{}`: its parent chain loops; kept as a top-level entry", entry.id));
                    entry.parent = None;
                }
                break;
            }
            let Some(next) = entries.get(current).and_then(|e| e.parent.as_ref()).and_then(|p| index.get(p)) else {
                break;
            };
            current = *next;
        }
    }
}

/// The first line of `text`, at most `max` characters (cut at a character boundary, with `…`).
pub(crate) fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= max {
        line.to_string()
    } else {
        let mut out: String = line.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// `YYYY-MM-DD` from the start of a date or RFC 3339 timestamp, when it is one.
pub(crate) fn date_part(value: &str) -> Option<String> {
    let head: String = value.trim().chars().take(10).collect();
    time::Date::parse(&head, time::macros::format_description!("[year]-[month]-[day]")).ok().map(|_| head)
}

/// A positive, finite weight from a number or a numeric string.
pub(crate) fn weight_of(value: &serde_json::Value) -> Option<f64> {
    let w = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (w.is_finite() && w > 0.0).then_some(w)
}
