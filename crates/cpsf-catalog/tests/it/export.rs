//! The OSCAL export: valid against NIST's schema, deterministic, and read back by the OSCAL importer with
//! the same ids, parents, titles and kinds.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

use cpsf_catalog::export::oscal;
use cpsf_catalog::import::{self, ImportOptions};
use cpsf_catalog::{Catalog, Lang};

/// NIST's OSCAL JSON schema (all models), see `schemas/README.md`.
static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/oscal_complete_schema.json");
    let text = std::fs::read_to_string(&path).expect("read the OSCAL schema");
    let schema: Value = serde_json::from_str(&text).expect("parse the OSCAL schema");
    jsonschema::options().build(&schema).expect("compile the OSCAL schema")
});

pub fn schema_errors(document: &Value) -> Vec<String> {
    SCHEMA.iter_errors(document).take(20).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

const CATALOG: &str = r#"
format: cpsf-catalog/1
id: example-ot
revision: 4
title: {en: "Example OT framework", ja: "OTフレームワークの例"}
publisher: {en: "Example Works", ja: "サンプル製作所"}
version: "1.0"
published: "2023-10-02"
description: {en: "An invented catalog for tests.", ja: "テスト用の架空のカタログ"}
sources:
  - {id: doc, title: {en: "Example document", ja: "例の文書"}, edition: "1.0", date: "2023-10-02", url: "https://example.invalid/doc.pdf"}
levels:
  - {id: basic, title: {en: Basic, ja: 基本}}
  - {id: advanced, title: {en: Advanced, ja: 発展}}
entries:
  - {id: CPS, kind: layer, title: {en: "First layer", ja: 第1層}, provenance: {source: doc, verified: true, section: "Part I"}}
  - {id: CPS.AM, parent: CPS, kind: category, title: {en: "Asset management", ja: 資産管理}, summary: {en: "Know what you run.", ja: 稼働中のものを把握する。}, provenance: {source: doc, verified: false, note: "check"}}
  - id: CPS.AM-1
    parent: CPS.AM
    kind: measure-requirement
    weight: 2
    title: {en: "Keep an inventory", ja: 台帳を維持する}
    summary: {en: "An inventory of\nsoftware and hardware.", ja: ソフトウェアとハードウェアの台帳。}
    mappings: [{target: "nist-csf-2.0:ID.AM-08", relationship: intersect}, {target: "example-ot:1.2", relationship: related}]
    checks: [{check: inventory-current, params: {max_age_days: 90}}]
    provenance: {source: doc, verified: true, section: "Table 3", page: "p. 12"}
  - {id: CPS.AM-1a, parent: CPS.AM-1, kind: measure-requirement, title: {en: "Include firmware", ja: ファームウェアも含める}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: "1.2", kind: item, title: {en: "Item starting with a digit", ja: 数字で始まる項目}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: MIX, kind: function, title: {en: "A node with mixed children", ja: 混在}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: MIX.G, parent: MIX, kind: category, title: {en: "Not assessed child", ja: 評価しない子}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: MIX.G-1, parent: MIX.G, kind: subcategory, title: {en: "Grandchild", ja: 孫}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: MIX-1, parent: MIX, kind: control, assessable: true, title: {en: "Assessed child", ja: 評価する子}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: "cps.am-1", parent: MIX, kind: topic, assessable: false, title: {en: "Clashes with CPS.AM-1 as a token", ja: 衝突}, provenance: {source: doc, verified: false, note: "check"}}
  - {id: "第1条", kind: requirement, title: {en: "Japanese id", ja: 日本語のID}, provenance: {source: doc, verified: false, note: "check"}}
"#;

fn catalog() -> Catalog {
    cpsf_catalog::load::parse("example-ot.yaml", CATALOG).expect("test catalog")
}

fn walk<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    for key in ["groups", "controls"] {
        for child in node.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.push(child);
            walk(child, out);
        }
    }
}

#[test]
fn tokens_and_uuids() {
    assert_eq!(oscal::token("CPS.AM-1"), "cps.am-1");
    assert_eq!(oscal::token("1.2"), "_1.2");
    assert_eq!(oscal::token("第1条"), "_1_");
    assert_eq!(oscal::token("ID.AM-08 (x)"), "id.am-08__x_");
    let u = oscal::uuid("catalog/x");
    assert_eq!(u, oscal::uuid("catalog/x"));
    assert_ne!(u, oscal::uuid("catalog/y"));
    assert_eq!(u.chars().nth(14), Some('5'), "a v5 UUID: {u}");
    assert_eq!(oscal::datetime("2023-10-02").as_deref(), Some("2023-10-02T00:00:00Z"));
    assert_eq!(oscal::datetime("2024-05-01T09:00:00+09:00").as_deref(), Some("2024-05-01T00:00:00Z"));
    assert_eq!(oscal::datetime("yesterday"), None);
    assert_eq!(oscal::percent_decode(&oscal::percent_encode("GV.OC-01 第1条:x")).as_deref(), Some("GV.OC-01 第1条:x"));
    assert_eq!(oscal::percent_decode("%zz"), None);
}

#[test]
fn exported_catalog_is_valid_oscal_and_deterministic() {
    let c = catalog();
    for lang in Lang::ALL {
        let doc = oscal::catalog(&c, lang);
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{lang:?}: {errors:#?}\n{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        assert_eq!(doc, oscal::catalog(&c, lang), "the same catalog exports to the same document");
    }
    let doc = oscal::catalog(&c, Lang::Ja);
    let root = &doc["catalog"];
    assert_eq!(root["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(root["metadata"]["title"], "OTフレームワークの例");
    assert_eq!(root["metadata"]["published"], "2023-10-02T00:00:00Z");
    assert_eq!(root["metadata"]["parties"][0]["name"], "サンプル製作所");
    assert_ne!(root["uuid"], oscal::catalog(&c, Lang::En)["catalog"]["uuid"], "one document per language");
    let resource = &root["back-matter"]["resources"][0];
    assert_eq!(resource["rlinks"][0]["href"], "https://example.invalid/doc.pdf");
    let mut nodes = Vec::new();
    walk(root, &mut nodes);
    let by_label: HashMap<&str, &Value> = nodes
        .iter()
        .filter_map(|n| {
            let label = n["props"].as_array()?.iter().find(|p| p["name"] == "label")?["value"].as_str()?;
            Some((label, *n))
        })
        .collect();
    assert_eq!(by_label.len(), c.entries.len(), "every entry exported once");
    let am1 = by_label["CPS.AM-1"];
    assert_eq!(am1["id"], "cps.am-1");
    assert_eq!(am1["class"], "measure-requirement");
    assert_eq!(am1["parts"][0]["name"], "statement");
    assert_eq!(am1["links"][0]["href"], "urn:cpsf:mapping:nist-csf-2.0:ID.AM-08");
    assert_eq!(am1["links"][0]["rel"], "intersect");
    assert_eq!(by_label["cps.am-1"]["id"], "cps.am-1-2", "a clashing token gets a suffix");
    assert_eq!(by_label["1.2"]["id"], "_1.2");
    // CPS.AM-1 has a child: controls nest controls.
    assert_eq!(am1["controls"][0]["id"], "cps.am-1a");
    // MIX mixes assessed and not assessed children: all of them are controls, MIX itself a group.
    let mix = by_label["MIX"];
    assert!(mix.get("groups").is_none());
    assert_eq!(mix["controls"].as_array().map(Vec::len), Some(3));
    // Not assessed, top level: a group; the catalog holds groups and controls side by side.
    assert!(root["groups"].as_array().is_some_and(|g| g.iter().any(|g| g["id"] == "cps")));
    assert!(root["controls"].as_array().is_some_and(|g| g.iter().any(|g| g["id"] == "_1.2")));
}

#[test]
fn export_then_import_keeps_ids_parents_titles_and_kinds() {
    let original = catalog();
    for lang in Lang::ALL {
        let doc = oscal::catalog(&original, lang);
        let text = serde_json::to_string_pretty(&doc).expect("serialize");
        let imported =
            import::oscal::read("example-ot.json", &text, &ImportOptions { id: None, lang }).expect("import");
        let back = &imported.catalog;
        assert_eq!(back.id, original.id, "the catalog id travels in a property");
        assert_eq!(back.revision, original.revision);
        assert_eq!(back.version, original.version);
        assert_eq!(back.published, original.published);
        assert_eq!(back.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["basic", "advanced"]);
        assert_eq!(back.entries.len(), original.entries.len(), "{:?}", imported.warnings);
        for entry in &original.entries {
            let other = back.entry(&entry.id).unwrap_or_else(|| panic!("`{}` lost", entry.id));
            assert_eq!(other.parent, entry.parent, "{}", entry.id);
            assert_eq!(other.kind, entry.kind, "{}", entry.id);
            assert_eq!(other.is_assessable(), entry.is_assessable(), "{}", entry.id);
            assert_eq!(other.title.get(lang), entry.title.get(lang), "{}", entry.id);
            assert_eq!(other.weight, entry.weight, "{}", entry.id);
            let targets = |e: &cpsf_catalog::Entry| {
                e.mappings.iter().map(|m| (m.target.clone(), m.relationship)).collect::<Vec<_>>()
            };
            assert_eq!(targets(other), targets(entry), "{}", entry.id);
            assert!(!other.provenance.verified, "an import never claims verified");
        }
        assert_eq!(
            back.entry("CPS.AM-1").map(|e| e.summary.get(lang)),
            original.entry("CPS.AM-1").map(|e| e.summary.get(lang))
        );
        assert_eq!(back.entry("CPS.AM-1").and_then(|e| e.provenance.section.as_deref()), Some("Table 3"));
    }
}

#[test]
fn shipped_catalogs_export_to_valid_oscal() {
    let catalogs = cpsf_catalog::builtin::all();
    assert!(!catalogs.is_empty());
    for c in catalogs {
        let doc = oscal::catalog(c, Lang::Ja);
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{}: {errors:#?}", c.id);
        let imported = import::oscal::read(&format!("{}.json", c.id), &doc.to_string(), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", c.id));
        assert_eq!(imported.catalog.entries.len(), c.entries.len(), "{}: {:?}", c.id, imported.warnings);
    }
}

/// The schema check itself bites: a control id that is not a token, a missing title and a version-4-less
/// UUID are each reported.
#[test]
fn schema_check_rejects_broken_documents() {
    let good = oscal::catalog(&catalog(), Lang::En);
    assert!(schema_errors(&good).is_empty());
    let mut bad_id = good.clone();
    bad_id["catalog"]["controls"][0]["id"] = Value::from("1.2");
    assert!(!schema_errors(&bad_id).is_empty(), "an id starting with a digit is not a token");
    let mut no_title = good.clone();
    if let Some(m) = no_title["catalog"]["metadata"].as_object_mut() {
        m.remove("title");
    }
    assert!(!schema_errors(&no_title).is_empty());
    let mut bad_uuid = good;
    bad_uuid["catalog"]["uuid"] = Value::from("not-a-uuid");
    assert!(!schema_errors(&bad_uuid).is_empty());
}
