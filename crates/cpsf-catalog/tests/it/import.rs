//! The importers: concrete ids, parents, kinds, texts and warnings from small invented fixtures, the
//! validity of every result, and no panic on damaged input.

use cpsf_catalog::import::{self, Format, ImportOptions, Imported};
use cpsf_catalog::validate::{self, Strictness};
use cpsf_catalog::{Catalog, Kind, Lang, Relationship};

use crate::fixture;

fn options() -> ImportOptions {
    ImportOptions { id: None, lang: Lang::En }
}

fn parent<'a>(catalog: &'a Catalog, id: &str) -> Option<&'a str> {
    catalog.entry(id).unwrap_or_else(|| panic!("no entry `{id}`")).parent.as_deref()
}

fn has_warning(imported: &Imported, needle: &str) -> bool {
    imported.warnings.iter().any(|w| w.contains(needle))
}

/// Every import is valid as an imported catalog, unverified, citing the imported document, and survives
/// being written as YAML and loaded like a file in the catalog directory.
fn assert_sound(imported: &Imported) {
    let catalog = &imported.catalog;
    let problems = validate::problems(catalog, Strictness::Imported);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(catalog.format, "cpsf-catalog/1");
    assert_eq!(catalog.sources.len(), 1);
    for entry in &catalog.entries {
        assert!(!entry.provenance.verified, "{} claims verified", entry.id);
        assert_eq!(entry.provenance.source, "imported");
        let note = entry.provenance.note.as_deref().unwrap_or("");
        assert!(note.starts_with("imported from ") && note.ends_with("; not checked by cpsf"), "{note}");
        assert!(entry.mappings.iter().all(|m| !m.verified));
    }
    let yaml = serde_norway::to_string(catalog).expect("serialize");
    let back = cpsf_catalog::load::parse("imported.yaml", &yaml).expect("an imported catalog loads as a file");
    assert_eq!(&back, catalog);
}

#[test]
fn oscal_catalog_groups_controls_labels_and_statements() {
    let (origin, text) = fixture("oscal-tiny.json");
    let imported = import::oscal::read(&origin, &text, &options()).expect("import");
    assert_sound(&imported);
    let c = &imported.catalog;
    assert_eq!(c.id, "oscal-tiny");
    assert_eq!(c.title.en, "Example Plant Floor Controls");
    assert!(c.title.ja.is_empty());
    assert_eq!(c.publisher.en, "Example Works Security Office");
    assert_eq!(c.version, "2.1");
    assert_eq!(c.published.as_deref(), Some("2024-05-01"));
    let ids: Vec<&str> = c.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["pf", "pf.net", "PF-1", "PF-1(1)", "group-1", "sp-1", "gen-1"]);
    assert_eq!(parent(c, "pf"), None);
    assert_eq!(parent(c, "pf.net"), Some("pf"));
    assert_eq!(parent(c, "PF-1"), Some("pf.net"));
    assert_eq!(parent(c, "PF-1(1)"), Some("PF-1"));
    assert_eq!(parent(c, "sp-1"), Some("group-1"));
    assert_eq!(parent(c, "gen-1"), None);
    let pf1 = c.entry("PF-1").expect("PF-1");
    assert_eq!(pf1.kind, Kind::Control);
    assert!(pf1.is_assessable());
    assert_eq!(pf1.title.en, "Segment the cell network");
    assert_eq!(
        pf1.summary.en,
        "The operator:\na. Separates cell networks from the office network within [pf-01_odp] days;\nb. Reviews the separation yearly."
    );
    let group = c.entry("pf").expect("pf");
    assert_eq!(group.kind, Kind::Group);
    assert!(!group.is_assessable());
    assert_eq!(group.summary.en, "Controls for the production floor.");
    assert!(has_warning(&imported, "1 withdrawn controls left out"), "{:?}", imported.warnings);
    assert!(
        has_warning(&imported, "/catalog/groups/0/groups/0/controls/2 (`PF-3`): no title"),
        "{:?}",
        imported.warnings
    );
    assert!(has_warning(&imported, "/catalog/groups/1: group without an id; given `group-1`"));
}

#[test]
fn oscal_in_japanese_fills_the_japanese_side_and_takes_the_id_override() {
    let (origin, text) = fixture("oscal-tiny.json");
    let options = ImportOptions { id: Some("plant-floor".into()), lang: Lang::Ja };
    let imported = import::oscal::read(&origin, &text, &options).expect("import");
    assert_sound(&imported);
    assert_eq!(imported.catalog.id, "plant-floor");
    let pf1 = imported.catalog.entry("PF-1").expect("PF-1");
    assert_eq!(pf1.title.ja, "Segment the cell network");
    assert!(pf1.title.en.is_empty());
    let bad = ImportOptions { id: Some("Not An Id".into()), lang: Lang::En };
    let err = import::oscal::read(&origin, &text, &bad).expect_err("an invalid id override is an error");
    assert!(err.to_string().contains("catalog id `Not An Id`"), "{err}");
}

#[test]
fn oscal_errors_name_what_was_expected() {
    let err = import::oscal::read("p.json", r#"{"profile": {"uuid": "x"}}"#, &options()).expect_err("profile");
    assert!(err.to_string().contains("OSCAL profile"), "{err}");
    let err = import::oscal::read("x.json", "{\"catalog\": [1,\n", &options()).expect_err("syntax");
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = import::oscal::read("e.json", r#"{"catalog": {"uuid": "x", "metadata": {}}}"#, &options())
        .expect_err("no controls");
    assert!(err.to_string().contains("no entries"), "{err}");
}

#[test]
fn csv_with_quoted_fields_bad_rows_and_defaults() {
    let (origin, text) = fixture("import.csv");
    let imported = import::csv::read(&origin, &text, &options()).expect("import");
    assert_sound(&imported);
    let c = &imported.catalog;
    assert_eq!(c.id, "import");
    assert_eq!(c.publisher.en, "(not stated in import.csv)");
    let ids: Vec<&str> = c.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["GOV", "GOV-1", "GOV-3", "OPS", "OPS-1"]);
    let gov1 = c.entry("GOV-1").expect("GOV-1");
    assert_eq!(gov1.title.en, "Name a security lead, with a deputy");
    assert_eq!(gov1.title.ja, "セキュリティ責任者を任命する");
    assert_eq!(gov1.summary.en, "The lead:\n- reports to the board\n- says \"no\" when needed");
    assert_eq!(gov1.weight, Some(2.0));
    assert_eq!(gov1.kind, Kind::Requirement);
    assert_eq!(gov1.provenance.section.as_deref(), Some("Part 1, §1"));
    let targets: Vec<&str> = gov1.mappings.iter().map(|m| m.target.as_str()).collect();
    assert_eq!(targets, ["meti-cmg-3.0:ITEM-1", "nist-csf-2.0:GV.RR-02"]);
    assert!(gov1.mappings.iter().all(|m| m.relationship == Relationship::Related));
    assert_eq!(c.entry("GOV").map(|e| e.kind), Some(Kind::Category));
    // No kind, rows under it: a group; no kind, nothing under it: a requirement.
    assert_eq!(c.entry("OPS").map(|e| e.kind), Some(Kind::Group));
    assert_eq!(
        c.entry("OPS-1").map(|e| (e.kind, e.weight, e.assessable)),
        Some((Kind::Requirement, Some(1.5), Some(true)))
    );
    let gov3 = c.entry("GOV-3").expect("GOV-3");
    assert_eq!((gov3.assessable, gov3.weight, gov3.mappings.len()), (None, None, 0));
    let w = &imported.warnings;
    assert!(has_warning(&imported, "line 1: unknown columns ignored: owner_team"), "{w:?}");
    assert!(has_warning(&imported, "line 6: no id; row skipped"), "{w:?}");
    assert!(has_warning(&imported, "line 7: entry `GOV-2` has no title"), "{w:?}");
    assert!(has_warning(&imported, "line 8: assessable `maybe`"), "{w:?}");
    assert!(has_warning(&imported, "line 8: weight `-1`"), "{w:?}");
    assert!(has_warning(&imported, "line 8: mapping `broken-mapping`"), "{w:?}");
    assert!(has_warning(&imported, "line 11: id `GOV-1` is already used on line 3; row skipped"), "{w:?}");
    assert_eq!(w.iter().filter(|x| x.contains("unknown columns")).count(), 1);
}

#[test]
fn csv_reader_follows_rfc_4180() {
    let mut warnings = Vec::new();
    let records = import::csv::records("a,\"b,1\",\"c\"\"d\"\r\n\r\n\"x\ny\",,z\n", &mut warnings);
    assert!(warnings.is_empty(), "{warnings:?}");
    let fields: Vec<Vec<&str>> = records.iter().map(|r| r.fields.iter().map(String::as_str).collect()).collect();
    assert_eq!(fields, [vec!["a", "b,1", "c\"d"], vec!["x\ny", "", "z"]]);
    assert_eq!(records.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3]);
    let records = import::csv::records("id,title\n1,\"open", &mut warnings);
    assert_eq!(records.len(), 1);
    assert!(warnings.iter().any(|w| w.contains("line 2: a quoted field is not closed")), "{warnings:?}");
}

#[test]
fn csv_without_a_header_is_an_error_naming_line_1() {
    let err = import::csv::read("x.csv", "CPS.AM-1,,Inventory\n", &options()).expect_err("no header");
    let message = err.to_string();
    assert!(message.contains("line 1") && message.contains("`id` column"), "{message}");
    let err = import::csv::read("x.csv", "id;title_en\nA;a\n", &options()).expect_err("semicolons");
    assert!(err.to_string().contains("seems to use `;`"), "{err}");
    let err = import::csv::read("x.csv", "", &options()).expect_err("empty");
    assert!(err.to_string().contains("header"), "{err}");
}

#[test]
fn csv_parent_loops_and_dangling_parents_are_repaired() {
    let text = "id,parent,title\nA,B,a\nB,A,b\nC,Z,c\n";
    let imported = import::csv::read("loop.csv", text, &options()).expect("import");
    assert_sound(&imported);
    assert!(has_warning(&imported, "parent chain loops"), "{:?}", imported.warnings);
    assert!(has_warning(&imported, "entry `C`: parent `Z` is not in the catalog"), "{:?}", imported.warnings);
    assert_eq!(parent(&imported.catalog, "C"), None);
}

#[test]
fn ciso_library_nodes_translations_levels_and_mappings() {
    let (origin, text) = fixture("ciso-tiny.yaml");
    let imported = import::ciso::read(&origin, &text, &options()).expect("import");
    assert_sound(&imported);
    let c = &imported.catalog;
    assert_eq!(c.id, "plant-baseline-v1");
    assert_eq!((c.title.en.as_str(), c.title.ja.as_str()), ("Plant baseline", "工場ベースライン"));
    assert_eq!(c.publisher.en, "Example Works");
    assert_eq!((c.version.as_str(), c.revision), ("3", 3));
    assert_eq!(c.published.as_deref(), Some("2024-02-01"));
    let levels: Vec<&str> = c.levels.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(levels, ["initial", "defined", "managed"]);
    assert_eq!(c.levels.last().map(|l| l.title.ja.as_str()), Some("管理されている"));
    let ids: Vec<&str> = c.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["AC", "AC-01", "ac-02a", "ac-02b", "node5", "OR-1"]);
    let ac = c.entry("AC").expect("AC");
    assert_eq!(
        (ac.kind, ac.title.ja.as_str(), ac.summary.ja.as_str()),
        (Kind::Group, "アクセス", "誰が何に触れてよいか。")
    );
    let ac01 = c.entry("AC-01").expect("AC-01");
    assert_eq!(ac01.kind, Kind::Requirement);
    assert!(ac01.is_assessable());
    assert_eq!(ac01.parent.as_deref(), Some("AC"));
    assert_eq!(ac01.title.en, "AC-01");
    assert_eq!(ac01.summary.ja, "エンジニアリング端末には個人ログインを必須とする。");
    assert_eq!(c.entry("node5").map(|e| e.title.en.as_str()), Some("Notes on remote maintenance"));
    let b = c.entry("ac-02b").expect("ac-02b");
    assert_eq!(b.weight, Some(2.0));
    assert_eq!(b.mappings.len(), 1);
    assert_eq!(b.mappings[0].target, "plant-baseline-v1:ac-02a");
    assert_eq!(b.mappings[0].relationship, Relationship::Subset);
    assert!(c.entry("AC-01").is_some_and(|e| e.mappings.is_empty()), "not_related is no mapping");
    assert_eq!(parent(c, "OR-1"), None);
    let w = &imported.warnings;
    assert!(has_warning(&imported, "requirement_nodes[5] (`OR-1`): parent_urn"), "{w:?}");
    assert!(has_warning(&imported, "requirement_nodes[6]: no urn; skipped"), "{w:?}");
    assert!(has_warning(&imported, "objects.requirement_mapping_sets[1]: maps"), "{w:?}");
    // The same mapping set resolves inside the catalog set too.
    assert!(validate::set_problems(&[c]).is_empty());
}

#[test]
fn ciso_errors_name_what_is_missing() {
    let err =
        import::ciso::read("m.yaml", "urn: x\nobjects:\n  risk_matrix: []\n", &options()).expect_err("no framework");
    assert!(err.to_string().contains("objects.framework"), "{err}");
    let err = import::ciso::read("m.yaml", "urn: [x\n", &options()).expect_err("syntax");
    assert!(err.to_string().contains("line "), "{err}");
}

#[test]
fn format_detection() {
    let (_, oscal) = fixture("oscal-tiny.json");
    let (_, ciso) = fixture("ciso-tiny.yaml");
    assert_eq!(Format::detect("x.json", &oscal), Some(Format::Oscal));
    assert_eq!(Format::detect("lib.yaml", &ciso), Some(Format::Ciso));
    assert_eq!(Format::detect("rows.CSV", "id,title\n"), Some(Format::Csv));
    assert_eq!(Format::detect("x.json", "{\"other\": 1}"), None);
    assert_eq!(Format::parse("ciso-assistant"), Some(Format::Ciso));
}

/// A small deterministic generator (xorshift), so damaged inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Truncations and byte-level damage of every fixture through every reader: any result is fine, a panic is
/// not, and whatever is returned as a catalog is valid.
#[test]
fn readers_never_panic_on_damaged_input() {
    let fixtures = ["oscal-tiny.json", "import.csv", "ciso-tiny.yaml"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let noise = [b'"', b',', b'\n', b'{', b'}', b'[', b':', b'-', b' ', 0xe3, b'\r', b'%'];
    for name in fixtures {
        let (_, text) = fixture(name);
        let bytes = text.as_bytes();
        let mut inputs: Vec<String> = Vec::new();
        for cut in (0..bytes.len()).step_by(7) {
            inputs.push(String::from_utf8_lossy(bytes.get(..cut).unwrap_or_default()).into_owned());
        }
        for _ in 0..300 {
            let mut damaged = bytes.to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % damaged.len().max(1);
                let byte = noise[(rng.next() as usize) % noise.len()];
                match rng.next() % 3 {
                    0 => damaged.insert(at, byte),
                    1 if at < damaged.len() => {
                        damaged.remove(at);
                    }
                    _ => {
                        if let Some(b) = damaged.get_mut(at) {
                            *b = byte;
                        }
                    }
                }
            }
            inputs.push(String::from_utf8_lossy(&damaged).into_owned());
        }
        for input in &inputs {
            for format in Format::ALL {
                if let Ok(imported) = import::read(format, name, input, &options()) {
                    let problems = validate::problems(&imported.catalog, Strictness::Imported);
                    assert!(problems.is_empty(), "{name} as {format:?}: {problems:?}");
                }
            }
        }
    }
}
