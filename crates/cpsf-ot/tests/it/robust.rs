//! No input makes a parser panic: every fixture cut at every length (or at many points, for the binary
//! workbook), and bytes garbled, through every reader.

use cpsf_ot::tabular::{self, ColumnMapping, ExportOptions, ImportOptions};
use cpsf_ot::{cpe, csaf, iotssf, model};

use crate::common::{read, text};

/// Prefixes of `s` at every char boundary (every byte for short inputs, every few for long ones).
fn prefixes(s: &str) -> impl Iterator<Item = &str> {
    let step = (s.len() / 600).max(1);
    (0..=s.len()).step_by(step).chain(std::iter::once(s.len())).filter_map(|i| s.get(..i))
}

/// Garbled copies: one byte changed at spread-out positions to a few troublesome values.
fn garbled(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let step = (bytes.len() / 150).max(1);
    for (n, i) in (0..bytes.len()).step_by(step).enumerate() {
        let mut b = bytes.to_vec();
        b[i] = [b'"', b'\n', b',', b':', b'{', b'[', 0xFF, 0x00, b'-', b'*'][n % 10];
        out.push(b);
    }
    out
}

#[test]
fn csv_and_mapping_truncated_and_garbled() {
    let opts = ImportOptions::default();
    for name in ["assets-ja.csv", "assets-mapped.csv"] {
        let t = text(name);
        for p in prefixes(&t) {
            let _ = tabular::read(name, p.as_bytes(), &opts);
        }
        for g in garbled(t.as_bytes()) {
            let _ = tabular::read(name, &g, &opts);
        }
    }
    let m = text("mapping.yaml");
    for p in prefixes(&m) {
        let _ = ColumnMapping::from_yaml("m", p);
    }
}

#[test]
fn workbook_truncated_and_garbled() {
    let assets = tabular::read("assets-ja.csv", &read("assets-ja.csv"), &ImportOptions::default()).unwrap().assets;
    let bytes = tabular::write_xlsx(&assets, &ExportOptions::default()).unwrap();
    let step = (bytes.len() / 300).max(1);
    for i in (0..bytes.len()).step_by(step) {
        let _ = tabular::read("t.xlsx", &bytes[..i], &ImportOptions::default());
    }
    for g in garbled(&bytes) {
        let _ = tabular::read("g.xlsx", &g, &ImportOptions::default());
    }
}

#[test]
fn plant_scheme_and_csaf_truncated_and_garbled() {
    let plant = text("plant.yaml");
    for p in prefixes(&plant) {
        let _ = model::read_plant("p", p);
    }
    for g in garbled(plant.as_bytes()) {
        let _ = model::read_plant("p", &String::from_utf8_lossy(&g));
    }
    let scheme = text("iotssf-scheme.yaml");
    for p in prefixes(&scheme) {
        if let Ok(s) = iotssf::Scheme::from_yaml("s", p) {
            let subject = iotssf::Subject {
                id: "x".into(),
                name: None,
                incidents: vec![iotssf::Incident {
                    description: String::new(),
                    recovery: 2,
                    economic: 3,
                    assets: vec![],
                }],
            };
            let _ = iotssf::categorize(&s, &subject);
        }
    }
    let assets = crate::common::plant().assets;
    for name in ["ec-2099-001.json", "panels-2099-002.json", "sensors-2099-003.json"] {
        let t = text(&format!("csaf/{name}"));
        for p in prefixes(&t) {
            if let Ok(adv) = csaf::read(name, p) {
                let _ = csaf::match_assets(&[adv], &assets);
            }
        }
        for g in garbled(t.as_bytes()) {
            if let Ok(adv) = csaf::read(name, &String::from_utf8_lossy(&g)) {
                let _ = csaf::match_assets(&[adv], &assets);
            }
        }
    }
}

#[test]
fn small_parsers() {
    let samples = [
        "cpe:2.3:h:examplecorp:plc-9000:2.1:*:*:*:*:*:*:*",
        "cpe:/o:examplecorp:plc%2d9000:2.1",
        "vers:generic/>=2.0|<2.9.5",
        "All versions < V3.1",
        "V1.0 - V2.3",
        ">= 2.0, < 2.5",
        "2024年3月9日",
        "discovered 2025-03-01 line 1.pcapng (frame 12, modbus)",
        "a\\*b*?c",
    ];
    for s in samples {
        for p in prefixes(s) {
            let _ = cpe::Cpe::parse(p);
            let _ = csaf::parse_range(p).map(|r| r.contains("2.1"));
            let _ = csaf::dotted(p);
            let _ = p.parse::<cpsf_ot::asset::Day>();
            let _ = p.parse::<cpsf_ot::asset::Source>();
            let _ = cpsf_ot::asset::AssetKind::parse(p);
            let _ = cpsf_ot::text::glob_match(p, s);
            let _ = cpsf_ot::text::normalize_vendor(p);
        }
    }
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let _ = csaf::read("deep.json", &format!("{{\"document\":{{}},\"product_tree\":{{\"branches\":{deep}}}}}"));
    let mut nested = String::from("{\"category\":\"vendor\",\"name\":\"v\"}");
    for _ in 0..40 {
        nested = format!("{{\"category\":\"product_family\",\"name\":\"f\",\"branches\":[{nested}]}}");
    }
    let adv = csaf::read("nested.json", &format!("{{\"document\":{{}},\"product_tree\":{{\"branches\":[{nested}]}}}}"))
        .unwrap();
    assert!(adv.warnings.iter().any(|w| w.contains("deeper")), "{:?}", adv.warnings);
}
