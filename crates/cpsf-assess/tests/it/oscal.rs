//! The OSCAL assessment-results export: valid against NIST's schema, deterministic, one finding per assessed
//! entry with the right state, one observation per evidence item, control ids that match the catalog export.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::Value;

use cpsf_assess::model::{Assessment, AutoEvidence, CheckResult, Evidence, Override, Scope, ScopeKind, Status};
use cpsf_catalog::{Catalog, Lang};

/// NIST's OSCAL JSON schema, kept with the catalog crate (see `crates/cpsf-catalog/schemas/README.md`).
static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf-catalog/schemas/oscal_complete_schema.json");
    let text = std::fs::read_to_string(&path).expect("read the OSCAL schema");
    let schema: Value = serde_json::from_str(&text).expect("parse the OSCAL schema");
    jsonschema::options().build(&schema).expect("compile the OSCAL schema")
});

fn schema_errors(document: &Value) -> Vec<String> {
    SCHEMA.iter_errors(document).take(20).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

const CATALOG: &str = r#"
format: cpsf-catalog/1
id: example-ot
revision: 2
title: {en: "Example OT framework", ja: "OTフレームワークの例"}
publisher: {en: "Example Works", ja: "サンプル製作所"}
version: "1.0"
sources:
  - {id: doc, title: {en: "Example document", ja: "例の文書"}}
entries:
  - {id: CPS.AM, kind: category, title: {en: "Asset management", ja: 資産管理}, provenance: {source: doc, verified: false, note: "n"}}
  - id: CPS.AM-1
    parent: CPS.AM
    kind: measure-requirement
    title: {en: "Keep an inventory", ja: 台帳を維持する}
    checks: [{check: inventory-current, params: {max_age_days: 90}}]
    provenance: {source: doc, verified: false, note: "n"}
  - {id: CPS.AM-2, parent: CPS.AM, kind: measure-requirement, title: {en: "Name owners", ja: 責任者を決める}, provenance: {source: doc, verified: false, note: "n"}}
  - {id: CPS.AM-3, parent: CPS.AM, kind: measure-requirement, title: {en: "Third", ja: 三}, provenance: {source: doc, verified: false, note: "n"}}
  - {id: "1.4", parent: CPS.AM, kind: measure-requirement, title: {en: "Fourth", ja: 四}, provenance: {source: doc, verified: false, note: "n"}}
  - {id: CPS.AM-5, parent: CPS.AM, kind: measure-requirement, title: {en: "Fifth", ja: 五}, provenance: {source: doc, verified: false, note: "n"}}
"#;

fn catalog() -> Catalog {
    cpsf_catalog::load::parse("example-ot.yaml", CATALOG).expect("test catalog")
}

const NOW: &str = "2025-03-01T10:00:00Z";

fn assessment(catalog: &Catalog) -> Assessment {
    let scope = Scope { name: "Plant A".into(), kind: ScopeKind::Site };
    let mut a = Assessment::new(catalog, scope, Lang::En, "2025-01-10T08:00:00Z");
    a.id = "6c0e7a52-2b9d-4c55-9d7e-2f3a1b4c5d6e".into();
    a.updated = "2025-02-20T12:30:00Z".into();
    let r = a.result_mut("CPS.AM-1").expect("AM-1");
    // Said implemented, automatic evidence unmet: a contradiction, one observation per check.
    r.status = Status::Implemented;
    r.automatic.push(AutoEvidence {
        check: "inventory-current".into(),
        result: CheckResult::Unmet,
        observed: "1 of 2 products have an SBOM uploaded within 90 days; not current: pump (120 days)".into(),
        evaluated: "2025-02-19T00:00:00Z".into(),
        data: "sqlite:/var/lib/cpsf/cpsf.db".into(),
    });
    r.evidence.push(Evidence::File {
        name: "inventory 2025.xlsx".into(),
        path: Some("evidence/inventory 2025.xlsx".into()),
        sha256: Some("ab".repeat(32)),
        stored_id: None,
        added: "2025-02-01T09:00:00Z".into(),
        by: Some("sato".into()),
    });
    r.evidence.push(Evidence::Link {
        url: "https://intranet.example.invalid/assets".into(),
        title: Some("Asset register".into()),
        added: "not a date".into(),
        by: None,
    });
    let r = a.result_mut("CPS.AM-2").expect("AM-2");
    r.status = Status::Partially;
    r.comments = Some("Owners named for two of three lines.".into());
    r.owner = Some("suzuki".into());
    r.due = Some("2025-06-30".into());
    a.result_mut("CPS.AM-3").expect("AM-3").status = Status::NotApplicable;
    a.result_mut("1.4").expect("1.4").status = Status::NotImplemented;
    let r = a.result_mut("CPS.AM-5").expect("AM-5");
    r.override_ = Some(Override {
        result: CheckResult::Met,
        justification: "Checked by hand".into(),
        by: "tanaka".into(),
        at: "2025-02-02T00:00:00Z".into(),
    });
    a
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["assessment-results"]["results"][0]["findings"].as_array().expect("findings")
}

fn finding<'a>(doc: &'a Value, target: &str) -> &'a Value {
    findings(doc)
        .iter()
        .find(|f| f["target"]["target-id"] == target)
        .unwrap_or_else(|| panic!("no finding for {target}"))
}

fn prop<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    node["props"].as_array()?.iter().find(|p| p["name"] == name)?["value"].as_str()
}

#[test]
fn assessment_results_are_valid_oscal_and_deterministic() {
    let c = catalog();
    let a = assessment(&c);
    for lang in Lang::ALL {
        let doc = cpsf_assess::oscal::assessment_results(&c, &a, lang, NOW);
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{lang:?}: {errors:#?}\n{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        assert_eq!(doc, cpsf_assess::oscal::assessment_results(&c, &a, lang, NOW));
    }
}

#[test]
fn findings_observations_and_control_ids() {
    let c = catalog();
    let a = assessment(&c);
    let doc = cpsf_assess::oscal::assessment_results(&c, &a, Lang::En, NOW);
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(ar["metadata"]["last-modified"], NOW);
    assert_eq!(ar["metadata"]["title"], "Assessment of Example OT framework for Plant A");
    let plan = ar["import-ap"]["href"].as_str().expect("href");
    let resources = ar["back-matter"]["resources"].as_array().expect("resources");
    assert!(resources.iter().any(|r| format!("#{}", r["uuid"].as_str().unwrap_or("")) == plan), "import-ap resolves");
    let result = &ar["results"][0];
    assert_eq!(result["start"], "2025-01-10T08:00:00Z");
    assert_eq!(result["end"], "2025-02-20T12:30:00Z");

    // Five entries assessed (AM-5 through its override), none left out, in catalog order.
    let reviewed: Vec<&str> = result["reviewed-controls"]["control-selections"][0]["include-controls"]
        .as_array()
        .expect("include-controls")
        .iter()
        .filter_map(|c| c["control-id"].as_str())
        .collect();
    assert_eq!(reviewed, ["cps.am-1", "cps.am-2", "cps.am-3", "_1.4", "cps.am-5"]);
    assert_eq!(findings(&doc).len(), 5);

    // The ids are the catalog export's control ids.
    let exported = cpsf_catalog::export::oscal::catalog(&c, Lang::En).to_string();
    for id in &reviewed {
        assert!(exported.contains(&format!("\"id\":\"{id}\"")), "{id} not in the exported catalog");
    }

    let am1 = finding(&doc, "cps.am-1");
    assert_eq!(am1["target"]["type"], "objective-id");
    assert_eq!(am1["target"]["status"]["state"], "satisfied");
    assert_eq!(prop(am1, "status"), Some("implemented"));
    assert_eq!(prop(am1, "status-source"), Some("person"));
    assert_eq!(prop(am1, "automatic"), Some("unmet"));
    assert_eq!(prop(am1, "contradicts-evidence"), Some("true"));
    assert_eq!(am1["related-observations"].as_array().map(Vec::len), Some(3));
    let am2 = finding(&doc, "cps.am-2");
    assert_eq!(
        (am2["target"]["status"]["state"].as_str(), prop(am2, "status")),
        (Some("not-satisfied"), Some("partially"))
    );
    assert_eq!(am2["description"], "Owners named for two of three lines.");
    assert_eq!((prop(am2, "owner"), prop(am2, "due")), (Some("suzuki"), Some("2025-06-30")));
    assert_eq!(finding(&doc, "cps.am-3")["target"]["status"]["state"], "satisfied");
    assert_eq!(prop(finding(&doc, "cps.am-3"), "status"), Some("not-applicable"));
    assert_eq!(finding(&doc, "_1.4")["target"]["status"]["reason"], "fail");
    let am5 = finding(&doc, "cps.am-5");
    assert_eq!((prop(am5, "status"), prop(am5, "status-source")), (Some("implemented"), Some("automatic")));
    assert_eq!(prop(am5, "override"), Some("met"));

    let observations = result["observations"].as_array().expect("observations");
    assert_eq!(observations.len(), 3);
    let test = observations.iter().find(|o| o["methods"][0] == "TEST").expect("automatic observation");
    assert_eq!(test["collected"], "2025-02-19T00:00:00Z");
    assert_eq!(prop(test, "result"), Some("unmet"));
    assert_eq!(test["title"], "Every product has an SBOM uploaded within 90 days");
    let file = observations.iter().find(|o| prop(o, "evidence-kind") == Some("file")).expect("file");
    assert_eq!(file["methods"][0], "EXAMINE");
    assert_eq!(file["relevant-evidence"][0]["href"], "evidence/inventory%202025.xlsx");
    assert_eq!(file["collected"], "2025-02-01T09:00:00Z");
    let link = observations.iter().find(|o| prop(o, "evidence-kind") == Some("link")).expect("link");
    assert_eq!(link["relevant-evidence"][0]["href"], "https://intranet.example.invalid/assets");
    assert_eq!(link["collected"], NOW, "an unreadable date falls back to the generation time");
    let uuids: HashSet<&str> = observations.iter().chain(findings(&doc)).filter_map(|o| o["uuid"].as_str()).collect();
    assert_eq!(uuids.len(), 8, "every observation and finding has its own UUID");
}

#[test]
fn an_assessment_with_nothing_assessed_is_still_valid() {
    let c = catalog();
    let scope = Scope { name: "Plant B".into(), kind: ScopeKind::Company };
    let a = Assessment::new(&c, scope, Lang::Ja, "2025-01-10T08:00:00Z");
    let doc = cpsf_assess::oscal::assessment_results(&c, &a, Lang::Ja, "not a time");
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let result = &doc["assessment-results"]["results"][0];
    assert!(result.get("findings").is_none());
    assert!(result["reviewed-controls"]["control-selections"][0].get("include-all").is_some());
    assert_eq!(doc["assessment-results"]["metadata"]["title"], "OTフレームワークの例の評価（Plant B）");
    assert_eq!(doc["assessment-results"]["metadata"]["last-modified"], "2025-01-10T08:00:00Z");
}
