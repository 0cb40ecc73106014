//! Reading a catalog from CSV with the column set documented in `catalogs/README-import.md`:
//! `id,parent,kind,title_en,title_ja,summary_en,summary_ja,assessable,weight,section,mappings` (plus `title`
//! and `summary` for text in the import's language). A header row is required; columns may come in any
//! order; unknown columns are ignored with one warning. Fields follow RFC 4180: quoted fields may hold
//! commas, line breaks and doubled quotes. A row without an id or a title is skipped with a warning naming
//! its line; a bad cell (kind, assessable, weight, a mapping) is dropped with a warning and the row kept.

use std::collections::{HashMap, HashSet};

use super::{Header, ImportOptions, Imported, provenance, read_error, text_in};
use crate::load::CatalogError;
use crate::model::{Entry, Kind, Mapping, Relationship, Text};
use crate::validate::valid_catalog_id;

/// The columns cpsf reads, in the documented order.
pub const COLUMNS: [&str; 11] = [
    "id",
    "parent",
    "kind",
    "title_en",
    "title_ja",
    "summary_en",
    "summary_ja",
    "assessable",
    "weight",
    "section",
    "mappings",
];

/// Columns also accepted: text in the import's language.
const LANG_COLUMNS: [&str; 2] = ["title", "summary"];

/// One CSV record: its fields and the line it starts on (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Split comma-separated `text` into RFC 4180 records (see [`records_delimited`]).
pub fn records(text: &str, warnings: &mut Vec<String>) -> Vec<Record> {
    records_delimited(text, ',', warnings)
}

/// Split `text` into RFC 4180 records with `delimiter` between fields. Line breaks are CRLF, LF or CR; a line
/// break inside quotes is kept (as LF). Lenient where the RFC is strict: a quote inside an unquoted field is
/// kept as a character, and text after a closing quote is appended to the field with a warning. A quote left
/// open at the end skips that last record with a warning. Blank lines are not records (a line holding only
/// `""` is: one empty field). Shared by every CSV reader of cpsf (catalog imports, asset inventories).
pub fn records_delimited(text: &str, delimiter: char, warnings: &mut Vec<String>) -> Vec<Record> {
    let mut out = Vec::new();
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut after_quote = false;
    let mut quote_line = 1usize;
    let mut warned_after_quote = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    field.push('\n');
                }
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            c if c == delimiter => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                let record = std::mem::take(&mut fields);
                if !(record.len() == 1 && record.first().is_some_and(String::is_empty) && !after_quote) {
                    out.push(Record { line: record_line, fields: record });
                }
                line += 1;
                record_line = line;
                after_quote = false;
                warned_after_quote = false;
            }
            '"' if field.is_empty() && !after_quote => {
                in_quotes = true;
                quote_line = line;
            }
            _ => {
                if after_quote && !warned_after_quote {
                    warnings.push(format!("line {line}: text after a closing quote; kept as part of the field"));
                    warned_after_quote = true;
                }
                field.push(c);
            }
        }
    }
    if in_quotes {
        warnings.push(format!(
            "line {quote_line}: a quoted field is not closed before the end of the file; the record from line {record_line} is skipped"
        ));
    } else if !field.is_empty() || !fields.is_empty() || after_quote {
        fields.push(field);
        out.push(Record { line: record_line, fields });
    }
    out
}

/// A header cell as a column name: trimmed, lowercase, spaces and `-` as `_`.
fn column_name(cell: &str) -> String {
    cell.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_")
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Read `text` (named `origin`) as a CSV catalog.
pub fn read(origin: &str, text: &str, options: &ImportOptions) -> Result<Imported, CatalogError> {
    let mut warnings = Vec::new();
    let mut all = records(text, &mut warnings).into_iter();
    let Some(header) = all.next() else {
        return Err(read_error(
            origin,
            "line 1: expected a header row naming the columns (see catalogs/README-import.md)",
        ));
    };
    let mut columns: HashMap<String, usize> = HashMap::new();
    let mut unknown = Vec::new();
    for (i, cell) in header.fields.iter().enumerate() {
        let name = column_name(cell);
        if name.is_empty() {
            continue;
        }
        if !COLUMNS.contains(&name.as_str()) && !LANG_COLUMNS.contains(&name.as_str()) {
            unknown.push(cell.trim().to_string());
            continue;
        }
        if columns.contains_key(&name) {
            warnings.push(format!("line {}: column `{name}` appears twice; the first one is read", header.line));
            continue;
        }
        columns.insert(name, i);
    }
    let has_title = ["title_en", "title_ja", "title"].iter().any(|c| columns.contains_key(*c));
    if !columns.contains_key("id") || !has_title {
        let found: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
        let hint = match header.fields.as_slice() {
            [only] if only.contains(';') => " (the file seems to use `;` between fields; save it comma-separated)",
            [only] if only.contains('\t') => " (the file seems to use tabs between fields; save it comma-separated)",
            _ => "",
        };
        return Err(read_error(
            origin,
            format!(
                "line {}: expected a header row with an `id` column and a title column (title_en, title_ja or title); found: {}{hint}",
                header.line,
                found.join(", ")
            ),
        ));
    }
    if !unknown.is_empty() {
        warnings.push(format!(
            "line {}: unknown columns ignored: {} (known: {})",
            header.line,
            unknown.join(", "),
            COLUMNS.join(", ")
        ));
    }
    let width = header.fields.len();
    let lang = options.lang;
    let mut entries: Vec<Entry> = Vec::new();
    let mut explicit_kind: Vec<bool> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for record in all {
        let line = record.line;
        let cell = |name: &str| -> &str {
            columns.get(name).and_then(|&i| record.fields.get(i)).map(|s| s.trim()).unwrap_or("")
        };
        if record.fields.len() > width {
            warnings.push(format!(
                "line {line}: {} fields but the header has {width}; the extra fields are ignored",
                record.fields.len()
            ));
        }
        let id = cell("id").to_string();
        if id.is_empty() {
            warnings.push(format!("line {line}: no id; row skipped"));
            continue;
        }
        let mut title = Text::new(cell("title_en"), cell("title_ja"));
        super::set_text(&mut title, lang, cell("title"));
        if title.is_empty() {
            warnings.push(format!("line {line}: entry `{id}` has no title (title_en, title_ja or title); row skipped"));
            continue;
        }
        if let Some(first) = first_line.get(&id) {
            warnings.push(format!("line {line}: id `{id}` is already used on line {first}; row skipped"));
            continue;
        }
        first_line.insert(id.clone(), line);
        let mut summary = Text::new(cell("summary_en"), cell("summary_ja"));
        super::set_text(&mut summary, lang, cell("summary"));
        let kind = match cell("kind") {
            "" => None,
            k => match Kind::parse(&k.to_ascii_lowercase().replace([' ', '_'], "-")) {
                Some(kind) => Some(kind),
                None => {
                    warnings.push(format!(
                        "line {line}: kind `{k}` is not one of {}; the default is used",
                        Kind::ALL.map(Kind::as_str).join(", ")
                    ));
                    None
                }
            },
        };
        let assessable = match cell("assessable") {
            "" => None,
            a => parse_bool(a).or_else(|| {
                warnings.push(format!("line {line}: assessable `{a}`: expected true or false; ignored"));
                None
            }),
        };
        let weight = match cell("weight") {
            "" => None,
            w => match w.parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => Some(v),
                _ => {
                    warnings.push(format!("line {line}: weight `{w}`: expected a number above 0; ignored"));
                    None
                }
            },
        };
        let mut mappings = Vec::new();
        for target in cell("mappings").split('|').map(str::trim).filter(|t| !t.is_empty()) {
            match target.split_once(':') {
                Some((c, e)) if valid_catalog_id(c.trim()) && !e.trim().is_empty() => mappings.push(Mapping {
                    target: format!("{}:{}", c.trim(), e.trim()),
                    relationship: Relationship::Related,
                    verified: false,
                    note: None,
                }),
                _ => warnings
                    .push(format!("line {line}: mapping `{target}`: expected `<catalog id>:<entry id>`; ignored")),
            }
        }
        let parent = Some(cell("parent").to_string()).filter(|p| !p.is_empty());
        explicit_kind.push(kind.is_some());
        entries.push(Entry {
            id,
            parent,
            kind: kind.unwrap_or(Kind::Requirement),
            title,
            summary,
            assessable,
            weight,
            mappings,
            checks: Vec::new(),
            provenance: provenance(origin, Some(cell("section").to_string())),
        });
    }
    // Rows without a kind: `group` when other rows sit under them, `requirement` otherwise.
    let parents: HashSet<String> = entries.iter().filter_map(|e| e.parent.clone()).collect();
    for (entry, explicit) in entries.iter_mut().zip(explicit_kind) {
        if !explicit && parents.contains(&entry.id) {
            entry.kind = Kind::Group;
        }
    }
    let stem = super::file_stem(origin);
    let id = super::catalog_id(origin, options, &[stem], &mut warnings)?;
    let header = Header {
        lang: options.lang,
        id,
        title: text_in(lang, stem),
        publisher: Text::default(),
        version: String::new(),
        published: None,
        revision: 1,
    };
    super::finish(origin, header, entries, Vec::new(), warnings)
}
