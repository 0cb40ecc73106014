//! `cpsf asset` and `cpsf csaf`: a spreadsheet merged into a plant file (bad rows named, exit 1), the plant
//! checked, exported as XLSX and read back, as a hardware BOM that validates, and CSAF advisories matched.
//! Fixtures are cpsf-ot's own (crates/cpsf-ot/tests/fixtures).

use std::path::PathBuf;

use crate::serve::{cpsf, scratch};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cpsf-ot/tests/fixtures").join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cpsf().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn asset_import_check_export_and_csaf_match() {
    let dir = scratch("ot");
    let plant = dir.join("plant.yaml");
    std::fs::copy(fixture("plant.yaml"), &plant).unwrap();
    let p = plant.to_str().unwrap();

    let (code, out, err) = run(&["asset", "check", "--plant", p]);
    assert_eq!(code, 1, "SL gaps are findings: {out}{err}");
    assert!(out.contains("SL gap: zone operations IAC: target 2, achieved 1"), "{out}");

    let csv = fixture("assets-ja.csv");
    let (code, out, err) = run(&["asset", "import", csv.to_str().unwrap(), "--plant", p, "--date", "2025-04-01"]);
    assert_eq!(code, 1, "two rows not imported: {out}{err}");
    assert!(out.contains("assets-ja.csv, row 6, column `IPアドレス`"), "{out}");
    assert!(out.contains("4 merged into existing ones"), "{out}");
    let (code, out, _) = run(&["asset", "list", "--plant", p, "--format", "json"]);
    assert_eq!(code, 0);
    let assets: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(assets[0]["serial"], "SN-0001", "merged from the spreadsheet");
    assert_eq!(assets[0]["provenance"]["serial_number"]["kind"], "imported");

    let xlsx = dir.join("assets.xlsx");
    let (code, _, err) =
        run(&["asset", "export", "--plant", p, "--format", "xlsx", "--lang", "ja", "-o", xlsx.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let other = dir.join("other.yaml");
    let (code, out, err) = run(&["asset", "import", xlsx.to_str().unwrap(), "--plant", other.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 assets added") && out.contains("zone `control` added"), "{out}");

    let hbom = dir.join("hbom.json");
    let (code, _, err) = run(&["asset", "export", "--plant", p, "--format", "hbom", "-o", hbom.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["sbom", "validate", hbom.to_str().unwrap()]);
    assert!(out.contains("schema: valid"), "{code} {out}{err}");

    let advisories: Vec<String> = ["ec-2099-001.json", "panels-2099-002.json", "sensors-2099-003.json"]
        .iter()
        .map(|n| fixture(&format!("csaf/{n}")).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["csaf", "match", "--plant", p, "--format", "json"];
    args.extend(advisories.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "affected findings: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["asset"] == "plc-1" && f["cve"] == "CVE-2099-0001" && f["status"] == "affected"));
    assert_eq!(report["undetermined"][0]["product_id"], "EC9000-AUTUMN");
    let _ = std::fs::remove_dir_all(&dir);
}
