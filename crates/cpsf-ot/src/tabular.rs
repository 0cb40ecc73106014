//! Assets to and from spreadsheets: CSV (RFC 4180, UTF-8, UTF-16 with a BOM or Shift_JIS; `,` `;` tab or `|`
//! between fields, sniffed from the header) and workbooks (XLSX, and XLS/XLSB/ODS as the reader accepts them).
//!
//! # Columns
//!
//! Every [`AssetField`] has a column, named by [`AssetField::name`] in exports (or [`AssetField::name_ja`]
//! with [`HeaderLang::Ja`]), plus `source` (the row's provenance) and one column per `extra` attribute. The
//! default set follows the attributes of CISA's 2025 OT asset inventory guidance as far as cpsf's reference
//! notes give them (MAC and IP address, protocols, criticality, manufacturer, model, operating system,
//! physical location, ports/services, user accounts, logging) and the practical columns a plant keeps.
//!
//! On import a header is recognised by its name or an alias ([`ALIASES`]), compared after folding case and
//! full-width letters and dropping spaces and punctuation (`IP Address`, `ip_address` and `ＩＰアドレス` are one
//! key). Aliases include CISO Assistant's data wizard names (`ref_id`, `name`, `description`) and common
//! Japanese headers (資産名, 機器種別, メーカー, 型式, シリアル番号, ファームウェア, IPアドレス, MACアドレス,
//! 設置場所, 重要度, 担当者, ...): our own choice. A [`ColumnMapping`] (YAML, `header: field`) overrides them;
//! its targets are field names, `source`, `ignore`, `extra` (kept under the header's text) or `extra.NAME`.
//! Other columns are kept as `extra` attributes under their header, with one warning.
//!
//! The header row is the first row (of the first 20) naming at least two known columns, so title rows above
//! it are skipped. List cells separate items with `;`, `|`, `、` or line breaks (addresses also with `,` and
//! spaces).
//!
//! # Rows that cannot be read
//!
//! A row with a cell its field cannot hold (an IP address `10.0.0.300`, an importance `5`, a date
//! `31/12/2024`), with no identifying value (none of id, name, IP, MAC, serial number), or repeating an id
//! of an earlier row is not imported; each reason is a [`RowProblem`] naming the file, sheet, row number,
//! column and what was expected. Every other row is imported. Blank rows are skipped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde::{Deserialize, Serialize};

use crate::asset::{Asset, AssetField, Day, Source, SourceKind};

/// Column aliases: a field and the headers read as it (besides its own name and Japanese header).
pub const ALIASES: &[(AssetField, &[&str])] = &[
    (AssetField::Id, &["id", "ref_id", "asset id", "asset tag", "tag", "資産番号", "管理番号", "機器ID", "機器番号"]),
    (
        AssetField::Name,
        &["asset name", "device name", "hostname", "host name", "機器名", "設備名", "名称", "ホスト名", "資産名称"],
    ),
    (
        AssetField::Kind,
        &["asset type", "device type", "type of asset", "kind", "種別", "機器種類", "資産種別", "機器区分"],
    ),
    (
        AssetField::Vendor,
        &[
            "manufacturer",
            "maker",
            "make",
            "vendor name",
            "メーカ",
            "製造元",
            "製造者",
            "製造業者",
            "ベンダー",
            "ベンダ",
        ],
    ),
    (AssetField::Model, &["model name", "model number", "型番", "機種", "モデル", "形式", "形名"]),
    (
        AssetField::ProductCode,
        &["product code", "order number", "part number", "catalog number", "品番", "注文番号", "製品番号", "発注型式"],
    ),
    (AssetField::Serial, &["serial", "serial no", "s/n", "sn", "シリアル", "シリアルno", "製造番号", "製番"]),
    (
        AssetField::Firmware,
        &[
            "firmware",
            "fw",
            "fw version",
            "firmware revision",
            "ファームウェアバージョン",
            "ファーム",
            "FWバージョン",
            "ファームウェア版数",
        ],
    ),
    (AssetField::Software, &["software", "sw version", "application version", "ソフトウェア"]),
    (AssetField::Hardware, &["hardware", "hw version", "hardware revision", "ハードウェア"]),
    (AssetField::Os, &["operating system", "os version", "オペレーティングシステム"]),
    (AssetField::Ip, &["ip address", "ip addresses", "ipv4", "ipv4 address", "ipv6", "IP", "IPアドレス"]),
    (AssetField::Mac, &["mac address", "mac addresses", "MACアドレス"]),
    (AssetField::Vlan, &["vlan id", "VLAN ID"]),
    (
        AssetField::Protocols,
        &["protocol", "active communication protocols", "communication protocols", "プロトコル", "通信方式"],
    ),
    (AssetField::Services, &["ports/services", "ports", "services", "open ports", "ポート", "サービス", "使用ポート"]),
    (AssetField::Zone, &["security zone", "network zone", "segment", "セグメント", "ネットワークゾーン"]),
    (AssetField::PurdueLevel, &["purdue", "purdue model level", "パデューモデル"]),
    (AssetField::Site, &["plant", "facility", "工場", "事業所"]),
    (AssetField::Building, &["棟"]),
    (AssetField::Line, &["production line", "製造ライン", "生産ライン"]),
    (AssetField::Cell, &["工程"]),
    (AssetField::Location, &["location", "physical location", "場所", "所在地", "設置箇所"]),
    (AssetField::Importance, &["criticality", "asset criticality", "重要性", "重要区分"]),
    (AssetField::Owner, &["asset owner", "responsible", "管理者", "責任者", "所有者", "管理部署", "担当"]),
    (AssetField::UserAccounts, &["accounts", "user accounts", "アカウント"]),
    (AssetField::Logging, &["logs", "log", "ログ"]),
    (AssetField::Installed, &["install date", "installation date", "commissioned", "設置日", "稼働開始日"]),
    (
        AssetField::EndOfSupport,
        &["end of support", "eos", "eol", "end of life", "サポート期限", "保守期限", "保守終了日"],
    ),
    (AssetField::LastSeen, &["last seen"]),
    (AssetField::Sboms, &["sbom"]),
    (AssetField::Cpes, &["cpe"]),
    (AssetField::Description, &["notes", "note", "comment", "comments", "remarks", "備考", "メモ", "摘要"]),
];

/// Headers read as the row's provenance.
const SOURCE_ALIASES: &[&str] = &["source", "情報源", "出典"];

/// Where a column's cells go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Field(AssetField),
    Source,
    Ignore,
    /// An `extra` attribute under this name.
    Extra(String),
}

impl Target {
    fn parse(text: &str, header: &str) -> Option<Target> {
        let t = text.trim();
        match t {
            "ignore" => Some(Target::Ignore),
            "source" => Some(Target::Source),
            "extra" => Some(Target::Extra(header.trim().to_string())),
            _ => {
                if let Some(name) = t.strip_prefix("extra.").filter(|n| !n.trim().is_empty()) {
                    return Some(Target::Extra(name.trim().to_string()));
                }
                AssetField::from_name(t).or_else(|| alias_field(t)).map(Target::Field)
            }
        }
    }
}

/// A header as a comparison key: full-width ASCII folded, lower case, only letters and digits kept.
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn alias_field(header: &str) -> Option<AssetField> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    AssetField::ALL.into_iter().find(|f| header_key(f.name()) == key || header_key(f.name_ja()) == key).or_else(|| {
        ALIASES.iter().find(|(_, names)| names.iter().any(|n| header_key(n) == key)).map(|(field, _)| *field)
    })
}

/// The default target of a header, if it is a known column.
pub fn default_target(header: &str) -> Option<Target> {
    let key = header_key(header);
    if SOURCE_ALIASES.iter().any(|a| header_key(a) == key) {
        return Some(Target::Source);
    }
    alias_field(header).map(Target::Field)
}

/// A user's column mapping, read from YAML:
///
/// ```yaml
/// columns:
///   設備名: name
///   管理No: asset_id
///   棚番号: extra          # kept as extra attribute `棚番号`
///   作業メモ: ignore
/// sheet: 台帳              # optional: read only this sheet
/// header_row: 3            # optional: the header's row number (1-based)
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<usize>,
}

impl ColumnMapping {
    /// Read a mapping file; every target must be a field name (or alias), `source`, `ignore`, `extra` or
    /// `extra.NAME`.
    pub fn from_yaml(origin: &str, text: &str) -> Result<ColumnMapping, TabularError> {
        let mapping: ColumnMapping = serde_norway::from_str(text).map_err(|e| TabularError::Mapping {
            origin: origin.to_string(),
            message: match e.location() {
                Some(l) => format!("line {}, column {}: {e}", l.line(), l.column()),
                None => e.to_string(),
            },
        })?;
        for (header, target) in &mapping.columns {
            if Target::parse(target, header).is_none() {
                let fields: Vec<&str> = AssetField::ALL.iter().map(|f| f.name()).collect();
                return Err(TabularError::Mapping {
                    origin: origin.to_string(),
                    message: format!(
                        "column `{header}`: `{target}` is not a target; expected one of {}, source, ignore, extra, extra.NAME",
                        fields.join(", ")
                    ),
                });
            }
        }
        Ok(mapping)
    }

    fn target(&self, header: &str) -> Option<Target> {
        let key = header_key(header);
        let user =
            self.columns.iter().find(|(h, _)| h.trim() == header.trim() || (!key.is_empty() && header_key(h) == key));
        match user {
            Some((_, target)) => Target::parse(target, header),
            None => default_target(header),
        }
    }
}

/// A file-level failure: nothing could be imported.
#[derive(Debug, thiserror::Error)]
pub enum TabularError {
    #[error("{origin}: {message}")]
    Encoding { origin: String, message: String },
    #[error("{origin}: {message}")]
    NoHeader { origin: String, message: String },
    #[error("{origin}: not a readable workbook: {message}")]
    Workbook { origin: String, message: String },
    #[error("{origin}: column mapping: {message}")]
    Mapping { origin: String, message: String },
    #[error("writing the workbook: {0}")]
    Write(String),
}

/// Why one row was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row number (the line of the CSV record, the spreadsheet's row).
    pub row: usize,
    /// The column's header (and letter, in a workbook).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet `{sheet}`")?;
        }
        write!(f, ", row {}", self.row)?;
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        write!(f, ": expected {}", self.expected)?;
        if let Some(found) = &self.found {
            write!(f, ", found `{found}`")?;
        }
        f.write_str("; row not imported")
    }
}

/// What an import read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Imported {
    pub assets: Vec<Asset>,
    /// Rows not imported, one entry per reason.
    pub problems: Vec<RowProblem>,
    pub warnings: Vec<String>,
    /// Data rows seen (blank rows not counted).
    pub rows: usize,
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub mapping: ColumnMapping,
    /// The date of the import (each asset's source is `imported DATE FILE (row N)`); `None` leaves it out.
    pub date: Option<Day>,
    /// The sheet to read (overrides the mapping's); `None`: every sheet with a header row.
    pub sheet: Option<String>,
}

/// One table row: its 1-based row number and cells as text.
struct Row {
    number: usize,
    cells: Vec<String>,
}

/// Read a file by content: a workbook when it starts like one (ZIP or OLE2), CSV text otherwise.
pub fn read(file: &str, bytes: &[u8], options: &ImportOptions) -> Result<Imported, TabularError> {
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if workbook { read_workbook(file, bytes, options) } else { read_csv(file, bytes, options) }
}

/// Decode CSV bytes: UTF-8 (BOM dropped), UTF-16 with a BOM, or Shift_JIS (Windows-31J) when they are not
/// UTF-8.
pub fn decode_text(file: &str, bytes: &[u8]) -> Result<String, TabularError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or(&[]);
        return encoding.decode_without_bom_handling_and_without_replacement(body).map(|s| s.into_owned()).ok_or_else(
            || TabularError::Encoding {
                origin: file.to_string(),
                message: format!("the file starts with a {} byte-order mark but is not valid {0}", encoding.name()),
            },
        );
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or_else(|| TabularError::Encoding {
            origin: file.to_string(),
            message: "expected text in UTF-8, UTF-16 (with a byte-order mark) or Shift_JIS".into(),
        })
}

/// Read a CSV file (see the module documentation).
pub fn read_csv(file: &str, bytes: &[u8], options: &ImportOptions) -> Result<Imported, TabularError> {
    let text = decode_text(file, bytes)?;
    let mut warnings = Vec::new();
    let delimiter = sniff_delimiter(&text);
    let rows: Vec<Row> = csv_records(&text, delimiter, &mut warnings)
        .into_iter()
        .map(|(line, cells)| Row { number: line, cells })
        .collect();
    let mut out = Imported { warnings, ..Imported::default() };
    let mut ids = BTreeMap::new();
    match import_table(file, None, &rows, options, &mut out, &mut ids, column_letter) {
        true => Ok(out),
        false => Err(no_header(file, &rows)),
    }
}

fn no_header(file: &str, rows: &[Row]) -> TabularError {
    let found =
        rows.first().map(|r| r.cells.iter().map(|c| c.trim()).collect::<Vec<_>>().join(", ")).unwrap_or_default();
    TabularError::NoHeader {
        origin: file.to_string(),
        message: format!(
            "no header row: expected a row (within the first 20) naming at least two known columns such as name, ip, mac, vendor, model, serial_number{}",
            if found.is_empty() { String::new() } else { format!("; the first row is: {found}") }
        ),
    }
}

/// Read every sheet of a workbook that has a header row (or only the chosen sheet).
pub fn read_workbook(file: &str, bytes: &[u8], options: &ImportOptions) -> Result<Imported, TabularError> {
    let wb_err = |message: String| TabularError::Workbook { origin: file.to_string(), message };
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| wb_err(e.to_string()))?;
    let names = workbook.sheet_names();
    let wanted = options.sheet.clone().or_else(|| options.mapping.sheet.clone());
    if let Some(want) = &wanted
        && !names.contains(want)
    {
        return Err(wb_err(format!("no sheet named `{want}`; the sheets are: {}", names.join(", "))));
    }
    let mut out = Imported::default();
    let mut ids = BTreeMap::new();
    let mut any_header = false;
    let mut first_rows: Option<Vec<Row>> = None;
    for name in &names {
        if wanted.as_ref().is_some_and(|w| w != name) {
            continue;
        }
        let range = match workbook.worksheet_range(name) {
            Ok(r) => r,
            Err(e) => {
                out.warnings.push(format!("{file}, sheet `{name}`: not read: {e}"));
                continue;
            }
        };
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let rows: Vec<Row> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| Row { number: row0 as usize + i + 1, cells: cells.iter().map(cell_text).collect() })
            .collect();
        let letter = |i: usize| column_letter(col0 as usize + i);
        if import_table(file, Some(name), &rows, options, &mut out, &mut ids, letter) {
            any_header = true;
        } else if !rows.is_empty() {
            out.warnings.push(format!("{file}, sheet `{name}`: no header row naming known columns; sheet skipped"));
            if first_rows.is_none() {
                first_rows = Some(rows);
            }
        }
    }
    if any_header { Ok(out) } else { Err(no_header(file, first_rows.as_deref().unwrap_or(&[]))) }
}

/// A spreadsheet column's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_datetime() && v.is_finite() && (1.0..2_958_466.0).contains(&v) {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                number_text(v)
            }
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// The most frequent of `,` `;` tab `|` outside quotes over the first 20 lines (`,` when none), so a title
/// line above the header does not decide.
fn sniff_delimiter(text: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0), ('|', 0)];
    let mut quoted = false;
    let mut lines = 0;
    for c in text.trim_start_matches('\u{feff}').chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => {
                lines += 1;
                if lines >= 20 {
                    break;
                }
            }
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == c) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    let best = counts.iter().max_by_key(|(_, n)| *n).copied().unwrap_or((',', 0));
    if best.1 == 0 { ',' } else { best.0 }
}

/// RFC 4180 records with the line each starts on, read by the reader catalog imports use too
/// ([`cpsf_catalog::import::csv::records_delimited`]).
fn csv_records(text: &str, delimiter: char, warnings: &mut Vec<String>) -> Vec<(usize, Vec<String>)> {
    cpsf_catalog::import::csv::records_delimited(text, delimiter, warnings)
        .into_iter()
        .map(|r| (r.line, r.fields))
        .collect()
}

/// Import the rows of one table into `out`; `false` when no header row was found. `ids` holds the ids taken
/// so far (id → row) across the file's sheets.
fn import_table(
    file: &str,
    sheet: Option<&str>,
    rows: &[Row],
    options: &ImportOptions,
    out: &mut Imported,
    ids: &mut BTreeMap<String, usize>,
    column_label: impl Fn(usize) -> String,
) -> bool {
    let mapping = &options.mapping;
    let header_at = match mapping.header_row {
        Some(n) => rows.iter().position(|r| r.number == n),
        None => rows.iter().take(20).position(|r| {
            r.cells.iter().filter(|c| matches!(mapping.target(c), Some(Target::Field(_) | Target::Source))).count() >= 2
        }),
    };
    let Some(header_at) = header_at else { return false };
    let Some(header) = rows.get(header_at) else { return false };
    let where_ = || match sheet {
        Some(s) => format!("{file}, sheet `{s}`"),
        None => file.to_string(),
    };
    // Resolve the columns.
    let mut targets: Vec<Option<Target>> = Vec::new();
    let mut unknown = Vec::new();
    let mut seen: BTreeMap<AssetField, String> = BTreeMap::new();
    for cell in &header.cells {
        let name = cell.trim();
        if name.is_empty() {
            targets.push(None);
            continue;
        }
        let target = mapping.target(name).unwrap_or_else(|| {
            unknown.push(name.to_string());
            Target::Extra(name.to_string())
        });
        if let Target::Field(f) = &target
            && !f.is_list()
        {
            if let Some(first) = seen.get(f) {
                out.warnings.push(format!(
                    "{}, row {}: columns `{first}` and `{name}` both map to `{f}`; the first non-empty cell is used",
                    where_(),
                    header.number
                ));
            } else {
                seen.insert(*f, name.to_string());
            }
        }
        targets.push(Some(target));
    }
    if !unknown.is_empty() {
        out.warnings.push(format!(
            "{}, row {}: columns kept as extra attributes: {}",
            where_(),
            header.number,
            unknown.join(", ")
        ));
    }
    let label = |i: usize| -> String {
        let name = header.cells.get(i).map(|s| s.trim()).unwrap_or("");
        if sheet.is_some() { format!("{name} ({})", column_label(i)) } else { name.to_string() }
    };
    for row in rows.iter().skip(header_at + 1) {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let problem = |column: Option<String>, expected: String, found: Option<String>| RowProblem {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
            row: row.number,
            column,
            expected,
            found,
        };
        let mut problems = Vec::new();
        if row.cells.len() > header.cells.len()
            && row.cells.iter().skip(header.cells.len()).any(|c| !c.trim().is_empty())
        {
            out.warnings.push(format!(
                "{}, row {}: {} cells but the header has {}; the cells past the header are ignored",
                where_(),
                row.number,
                row.cells.len(),
                header.cells.len()
            ));
        }
        // Gather cell text per field (lists joined, scalars: first non-empty).
        let mut values: BTreeMap<AssetField, (usize, String)> = BTreeMap::new();
        let mut asset = Asset::default();
        let mut row_source: Option<Source> = None;
        for (i, target) in targets.iter().enumerate() {
            let Some(target) = target else { continue };
            let text = row.cells.get(i).map(|s| s.trim()).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            match target {
                Target::Ignore => {}
                Target::Extra(name) => {
                    asset.extra.insert(name.clone(), text.to_string());
                }
                Target::Source => match text.parse::<Source>() {
                    Ok(s) => row_source = Some(s),
                    Err(_) => problems.push(problem(
                        Some(label(i)),
                        "a source as `declared|imported|discovered [YYYY-MM-DD] [file]`".into(),
                        Some(text.to_string()),
                    )),
                },
                Target::Field(f) => match values.get_mut(f) {
                    Some((_, existing)) if f.is_list() => {
                        existing.push(';');
                        existing.push_str(text);
                    }
                    Some(_) => {}
                    None => {
                        values.insert(*f, (i, text.to_string()));
                    }
                },
            }
        }
        for (field, (col, text)) in &values {
            if let Err(message) = asset.set(*field, text) {
                let expected = message.split(", found").next().unwrap_or(&message).trim_start_matches("expected ");
                problems.push(problem(Some(label(*col)), expected.to_string(), Some(text.clone())));
            }
        }
        let identifying = [AssetField::Id, AssetField::Name, AssetField::Ip, AssetField::Mac, AssetField::Serial];
        if problems.is_empty() && !identifying.iter().any(|f| values.contains_key(f)) {
            problems.push(problem(
                None,
                "at least one of asset_id, name, ip, mac, serial_number to identify the asset".into(),
                None,
            ));
        }
        if problems.is_empty() {
            if values.contains_key(&AssetField::Id) {
                if let Some(first) = ids.get(&asset.id) {
                    let col = values.get(&AssetField::Id).map(|(c, _)| label(*c));
                    problems.push(problem(
                        col,
                        format!("an asset id not used by an earlier row (row {first} has it)"),
                        Some(asset.id.clone()),
                    ));
                }
            } else {
                let base = asset.suggested_id();
                let mut id = base.clone();
                let mut n = 2;
                while ids.contains_key(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                asset.id = id;
            }
        }
        if !problems.is_empty() {
            out.problems.extend(problems);
            continue;
        }
        ids.insert(asset.id.clone(), row.number);
        let detail = match sheet {
            Some(s) => format!("sheet {s}, row {}", row.number),
            None => format!("row {}", row.number),
        };
        asset.source = Some(match row_source {
            Some(s) => s,
            None => Source::new(SourceKind::Imported, options.date, Some(file)).with_detail(detail),
        });
        out.assets.push(asset);
    }
    true
}

/// The language of exported headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeaderLang {
    #[default]
    En,
    Ja,
}

/// How to export.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExportOptions {
    pub lang: HeaderLang,
    /// Start a CSV with a UTF-8 byte-order mark (Excel then reads Japanese text right).
    pub bom: bool,
}

/// The exported table: header and rows of text. Columns: every field, `source`, then every `extra` name in
/// use (sorted).
pub fn table(assets: &[Asset], lang: HeaderLang) -> (Vec<String>, Vec<Vec<String>>) {
    let extras: BTreeSet<&String> = assets.iter().flat_map(|a| a.extra.keys()).collect();
    let mut header: Vec<String> = AssetField::ALL
        .iter()
        .map(|f| match lang {
            HeaderLang::En => f.name().to_string(),
            HeaderLang::Ja => f.name_ja().to_string(),
        })
        .collect();
    header.push(match lang {
        HeaderLang::En => "source".into(),
        HeaderLang::Ja => "情報源".into(),
    });
    header.extend(extras.iter().map(|e| (*e).clone()));
    let rows = assets
        .iter()
        .map(|a| {
            let mut row: Vec<String> = AssetField::ALL.iter().map(|f| a.get(*f).join("; ")).collect();
            row.push(a.source.as_ref().map(Source::to_string).unwrap_or_default());
            row.extend(extras.iter().map(|e| a.extra.get(*e).cloned().unwrap_or_default()));
            row
        })
        .collect();
    (header, rows)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r', ';', '\t']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The assets as CSV (RFC 4180: CRLF line ends, fields quoted when needed).
pub fn write_csv(assets: &[Asset], options: &ExportOptions) -> String {
    let (header, rows) = table(assets, options.lang);
    let mut out = String::new();
    if options.bom {
        out.push('\u{feff}');
    }
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The assets as an XLSX workbook with one sheet `assets` (bold, frozen header with a filter).
pub fn write_xlsx(assets: &[Asset], options: &ExportOptions) -> Result<Vec<u8>, TabularError> {
    let err = |e: rust_xlsxwriter::XlsxError| TabularError::Write(e.to_string());
    let (header, rows) = table(assets, options.lang);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("assets").map_err(err)?;
    for (c, name) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| TabularError::Write("too many columns".into()))?;
        sheet.write_string_with_format(0, col, name, &bold).map_err(err)?;
        let width = rows.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0);
        let width = width.max(name.chars().count() * 2).clamp(8, 60);
        sheet.set_column_width(col, width as f64).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rnum = u32::try_from(r + 1).map_err(|_| TabularError::Write("too many rows".into()))?;
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = u16::try_from(c).map_err(|_| TabularError::Write("too many columns".into()))?;
            sheet.write_string(rnum, col, value).map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    let last_col = u16::try_from(header.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, last_col).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_unambiguous() {
        let mut keys: BTreeMap<String, AssetField> = BTreeMap::new();
        for f in AssetField::ALL {
            for name in [f.name(), f.name_ja()] {
                let key = header_key(name);
                if let Some(other) = keys.insert(key.clone(), f) {
                    assert_eq!(other, f, "{key} is both {other} and {f}");
                }
            }
        }
        for (f, names) in ALIASES {
            for name in *names {
                let key = header_key(name);
                if let Some(other) = keys.insert(key.clone(), *f) {
                    assert_eq!(other, *f, "alias {name} ({key}) is both {other} and {f}");
                }
            }
        }
        assert_eq!(header_key("ＩＰアドレス"), "ipアドレス");
        assert_eq!(alias_field("IP Address"), Some(AssetField::Ip));
        assert_eq!(alias_field("ＩＰアドレス"), Some(AssetField::Ip));
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_reader() {
        let mut w = Vec::new();
        let recs = csv_records("a;b\r\n\"x;y\";\"q\"\"\"\n\n\"multi\nline\";z", ';', &mut w);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].1, vec!["x;y".to_string(), "q\"".to_string()]);
        assert_eq!(recs[2].0, 4);
        assert_eq!(recs[2].1, vec!["multi\nline".to_string(), "z".to_string()]);
        assert!(w.is_empty());
        let recs = csv_records("a,b\n\"open", ',', &mut w);
        assert_eq!(recs.len(), 1);
        assert_eq!(w.len(), 1);
        assert_eq!(sniff_delimiter("title\na;b;c\n1;2,3"), ';');
        assert_eq!(sniff_delimiter("a\tb\n"), '\t');
        assert_eq!(sniff_delimiter("abc"), ',');
    }
}
