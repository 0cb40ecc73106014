//! `cpsf catalog`: the shipped catalogs listed, shown (unverified entries marked) and validated; a broken file
//! refused with the entry named; an OSCAL export imported back as an organization catalog that `list` then shows;
//! a CSV import that skips a bad row with a warning naming its line.

use crate::serve::{cpsf, scratch};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cpsf().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_show_and_validate_the_shipped_catalogs() {
    let dir = scratch("catalog-list");
    let empty = dir.join("none");
    let (code, stdout, _) = run(&["catalog", "list", "--format", "json", "--catalog-dir", empty.to_str().unwrap()]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in [
        "meti-cmg-3.0",
        "meti-cpsf-1.0",
        "meti-factory-1.0",
        "meti-iot-ssf-1.0",
        "meti-sbom-2.0",
        "meti-oss-2021",
        "nist-csf-2.0",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let (code, tree, _) = run(&["catalog", "show", "meti-cpsf-1.0", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(tree.contains("CPS.AM-1") && tree.contains("[unverified]"), "{tree}");
    let (code, tree_ja, _) = run(&["catalog", "show", "meti-cpsf-1.0", "--lang", "ja"]);
    assert_eq!(code, 0);
    assert!(tree_ja.contains("［未確認］"), "{tree_ja}");
    let (code, one, _) = run(&["catalog", "show", "meti-cpsf-1.0", "--entry", "CPS.AM-1", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(one.contains("inventory-current") && one.contains("provenance:"), "{one}");
    let (code, _, stderr) = run(&["catalog", "validate"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&["catalog", "show", "no-such-catalog"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no catalog with id `no-such-catalog`"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_catalog_file_is_refused_naming_the_entry() {
    let dir = scratch("catalog-broken");
    let file = dir.join("mine.yaml");
    std::fs::write(
        &file,
        "format: cpsf-catalog/1\nid: mine\nrevision: 1\ntitle: {en: Mine}\npublisher: {en: Us}\nversion: '1'\n\
         sources: [{id: s, title: {en: S}}]\nentries:\n  - {id: A, parent: NOPE, kind: item, title: {en: A}, provenance: {source: s, verified: false, note: n}}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["catalog", "validate", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("entry `A`: parent: `NOPE` does not name an entry"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oscal_export_imports_back_as_an_organization_catalog() {
    let dir = scratch("catalog-oscal");
    let oscal = dir.join("cpsf.oscal.json");
    let catalogs = dir.join("catalogs");
    let (code, _, stderr) = run(&[
        "catalog",
        "export",
        "meti-cpsf-1.0",
        "--format",
        "oscal",
        "--lang",
        "en",
        "-o",
        oscal.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&oscal).unwrap()).unwrap();
    assert!(doc["catalog"]["groups"].is_array(), "OSCAL catalog with groups");
    let (code, _, stderr) = run(&[
        "catalog",
        "import",
        oscal.to_str().unwrap(),
        "--id",
        "acme-cpsf",
        "--catalog-dir",
        catalogs.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(catalogs.join("acme-cpsf.yaml").is_file());
    let (code, stdout, stderr) = run(&["catalog", "list", "--catalog-dir", catalogs.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("acme-cpsf"), "{stdout}");
    let (code, one, stderr) =
        run(&["catalog", "show", "acme-cpsf", "--entry", "CPS.AM-1", "--catalog-dir", catalogs.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(one.contains("UNVERIFIED"), "an import never claims verified: {one}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_import_skips_a_bad_row_and_names_its_line() {
    let dir = scratch("catalog-csv");
    let csv = dir.join("controls.csv");
    std::fs::write(
        &csv,
        "id,parent,kind,title_en,title_ja,summary_en\n\
         G1,,group,Governance,ガバナンス,\n\
         G1-1,G1,requirement,\"Policy, approved\",方針,\"A policy, with \"\"quotes\"\"\"\n\
         ,G1,requirement,No id,,\n",
    )
    .unwrap();
    let out = dir.join("controls.yaml");
    let (code, _, stderr) =
        run(&["catalog", "import", csv.to_str().unwrap(), "--id", "acme-controls", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("line 4"), "the bad row is named: {stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Policy, approved") && text.contains("A policy, with \"quotes\""), "{text}");
    let (code, _, stderr) = run(&["catalog", "validate", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
