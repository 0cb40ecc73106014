//! Spreadsheets: a CSV with Japanese headers and bad rows, encodings and delimiters, a user mapping, and an
//! XLSX written by rust_xlsxwriter and read back.

use cpsf_ot::asset::{Asset, AssetKind, SourceKind};
use cpsf_ot::tabular::{self, ColumnMapping, ExportOptions, HeaderLang, ImportOptions, TabularError};

use crate::common::{read, text};

fn options() -> ImportOptions {
    ImportOptions { date: Some("2025-04-01".parse().unwrap()), ..ImportOptions::default() }
}

#[test]
fn japanese_csv_with_bad_rows() {
    let got = tabular::read("assets-ja.csv", &read("assets-ja.csv"), &options()).unwrap();
    // Title row skipped, header found on line 2; 6 data rows: 4 imported, the bad IP and the unnamed row not.
    assert_eq!(got.rows, 6);
    let ids: Vec<&str> = got.assets.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["プレス機plc", "hmi-1", "監視サーバー", "引用符付き-カンマ"]);
    let plc = &got.assets[0];
    assert_eq!(plc.kind, Some(AssetKind::Plc));
    assert_eq!(plc.vendor.as_deref(), Some("Example Controls Inc."));
    assert_eq!(plc.model.as_deref(), Some("EC-9000"));
    assert_eq!(plc.serial.as_deref(), Some("SN-0001"));
    assert_eq!(plc.firmware.as_deref(), Some("V2.9.4"));
    assert_eq!(plc.macs, ["00:1b:1b:00:00:01"]);
    assert_eq!(plc.location.text.as_deref(), Some("第1工場 A棟 ライン1"));
    assert_eq!(plc.importance.map(|i| i.level()), Some(3));
    assert_eq!(plc.owner.as_deref(), Some("山田"));
    assert_eq!(plc.zone.as_deref(), Some("control"));
    assert_eq!(plc.extra.get("棚番号").map(String::as_str), Some("R-12"));
    let source = plc.source.as_ref().unwrap();
    assert_eq!(source.kind, SourceKind::Imported);
    assert_eq!(source.to_string(), "imported 2025-04-01 assets-ja.csv (row 3)");
    assert_eq!(got.assets[1].ips.len(), 2);
    assert_eq!(got.assets[2].kind, Some(AssetKind::ScadaServer));
    assert_eq!(got.assets[3].location.text.as_deref(), Some("第1工場\nライン2"));
    // The report names file, row, column and what was expected.
    assert_eq!(got.problems.len(), 2, "{:#?}", got.problems);
    let bad_ip = &got.problems[0];
    assert_eq!((bad_ip.row, bad_ip.column.as_deref()), (6, Some("IPアドレス")));
    assert_eq!(bad_ip.found.as_deref(), Some("10.0.1.300"));
    assert_eq!(
        bad_ip.to_string(),
        "assets-ja.csv, row 6, column `IPアドレス`: expected IPv4 or IPv6 addresses, found `10.0.1.300`; row not imported"
    );
    let unnamed = &got.problems[1];
    assert_eq!(unnamed.row, 7);
    assert!(unnamed.expected.contains("asset_id, name, ip, mac, serial_number"), "{}", unnamed.expected);
    assert!(got.warnings.iter().any(|w| w.contains("棚番号")), "{:?}", got.warnings);
}

#[test]
fn shift_jis_and_utf16() {
    let utf8 = text("assets-ja.csv");
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&utf8);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&sjis).is_err());
    let got = tabular::read("sjis.csv", &sjis, &options()).unwrap();
    assert_eq!(got.assets.len(), 4);
    assert_eq!(got.assets[0].owner.as_deref(), Some("山田"));
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in utf8.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    assert_eq!(tabular::read("u16.csv", &utf16, &options()).unwrap().assets.len(), 4);
    let err = tabular::read("bin.csv", &[0xFF, 0xFF, 0x81, 0x00, 0xA0, 0xFD], &options()).unwrap_err();
    assert!(matches!(err, TabularError::Encoding { .. }), "{err}");
}

#[test]
fn mapping_file() {
    let mapping = ColumnMapping::from_yaml("mapping.yaml", &text("mapping.yaml")).unwrap();
    let opts = ImportOptions { mapping, ..options() };
    let got = tabular::read("assets-mapped.csv", &read("assets-mapped.csv"), &opts).unwrap();
    assert_eq!(got.assets.len(), 1);
    let a = &got.assets[0];
    assert_eq!((a.id.as_str(), a.name.as_deref()), ("A-1", Some("ロボット1")));
    assert_eq!(a.extra.get("棚番号").map(String::as_str), Some("R-1"));
    assert!(!a.extra.contains_key("作業メモ"), "ignored column kept: {:?}", a.extra);
    assert_eq!(got.problems.len(), 1);
    assert_eq!(got.problems[0].row, 4);
    assert_eq!(got.problems[0].column.as_deref(), Some("重要度"));
    let err = ColumnMapping::from_yaml("m.yaml", "columns:\n  X: firmware_versoin\n").unwrap_err();
    assert!(err.to_string().contains("firmware_versoin"), "{err}");
    let err = ColumnMapping::from_yaml("m.yaml", "columns: [1, 2\n").unwrap_err();
    assert!(err.to_string().contains("line"), "{err}");
}

#[test]
fn duplicate_ids_and_no_header() {
    let csv = "asset_id,name,ip\np1,A,10.0.0.1\np1,B,10.0.0.2\n";
    let got = tabular::read("dup.csv", csv.as_bytes(), &options()).unwrap();
    assert_eq!(got.assets.len(), 1);
    assert_eq!(got.problems.len(), 1);
    assert!(got.problems[0].expected.contains("row 2"), "{}", got.problems[0]);
    let err = tabular::read("x.csv", b"foo,bar\n1,2\n", &options()).unwrap_err();
    assert!(matches!(err, TabularError::NoHeader { .. }));
    assert!(err.to_string().contains("foo, bar"), "{err}");
    let semicolons = "Name;IP Address;MAC Address\nPLC;10.0.0.1;00:11:22:33:44:55\n";
    assert_eq!(tabular::read("s.csv", semicolons.as_bytes(), &options()).unwrap().assets.len(), 1);
}

#[test]
fn csv_round_trip_in_both_languages() {
    let got = tabular::read("assets-ja.csv", &read("assets-ja.csv"), &options()).unwrap();
    for lang in [HeaderLang::En, HeaderLang::Ja] {
        let csv = tabular::write_csv(&got.assets, &ExportOptions { lang, bom: true });
        assert!(csv.starts_with('\u{feff}'));
        let back = tabular::read("back.csv", csv.as_bytes(), &ImportOptions::default()).unwrap();
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.assets, got.assets, "{lang:?}");
    }
}

fn sample_assets() -> Vec<Asset> {
    tabular::read("assets-ja.csv", &read("assets-ja.csv"), &options()).unwrap().assets
}

#[test]
fn xlsx_written_then_read_back() {
    let assets = sample_assets();
    let bytes = tabular::write_xlsx(&assets, &ExportOptions::default()).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let back = tabular::read("assets.xlsx", &bytes, &ImportOptions::default()).unwrap();
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    assert_eq!(back.assets, assets);
}

#[test]
fn xlsx_with_title_rows_numbers_dates_and_a_bad_row() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("メモ").unwrap();
    notes.write_string(0, 0, "この台帳について").unwrap();
    let sheet = wb.add_worksheet();
    sheet.set_name("台帳").unwrap();
    sheet.write_string(0, 1, "設備台帳 2025").unwrap();
    for (c, h) in ["資産名", "IPアドレス", "VLAN", "導入日", "重要度"].iter().enumerate() {
        sheet.write_string(2, c as u16 + 1, *h).unwrap();
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(3, 1, "PLC-A").unwrap();
    sheet.write_string(3, 2, "10.0.0.1").unwrap();
    sheet.write_number(3, 3, 10).unwrap();
    sheet.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2021, 4, 1).unwrap(), &date_format).unwrap();
    sheet.write_number(3, 5, 3).unwrap();
    sheet.write_string(4, 1, "PLC-B").unwrap();
    sheet.write_string(4, 2, "10.0.0.2").unwrap();
    sheet.write_number(4, 3, 99999).unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    let got = tabular::read("ledger.xlsx", &bytes, &options()).unwrap();
    assert_eq!(got.assets.len(), 1);
    let a = &got.assets[0];
    assert_eq!(a.vlan, Some(10));
    assert_eq!(a.lifecycle.installed.map(|d| d.to_string()).as_deref(), Some("2021-04-01"));
    assert_eq!(a.importance.map(|i| i.level()), Some(3));
    assert_eq!(
        a.source.as_ref().map(|s| s.to_string()).as_deref(),
        Some("imported 2025-04-01 ledger.xlsx (sheet 台帳, row 4)")
    );
    assert_eq!(got.problems.len(), 1);
    let p = &got.problems[0];
    assert_eq!((p.sheet.as_deref(), p.row, p.column.as_deref()), (Some("台帳"), 5, Some("VLAN (D)")));
    assert!(
        p.to_string().starts_with("ledger.xlsx, sheet `台帳`, row 5, column `VLAN (D)`: expected a VLAN id"),
        "{p}"
    );
    assert!(got.warnings.iter().any(|w| w.contains("メモ")), "{:?}", got.warnings);

    let only = ImportOptions { sheet: Some("nope".into()), ..options() };
    let err = tabular::read("ledger.xlsx", &bytes, &only).unwrap_err();
    assert!(err.to_string().contains("台帳"), "{err}");
}
