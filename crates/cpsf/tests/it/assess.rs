//! `cpsf assess` end to end: `init` writes an editable assessment, `set` changes it (bad values change
//! nothing), `evaluate` turns automatic evidence from no data to unmet to met as SBOMs reach the server's store,
//! and `report` writes a Japanese PDF whose text pdftotext reads back and whose first page pdftoppm renders,
//! plus HTML, JSON and OSCAL.

use std::path::Path;
use std::process::Output;

use crate::serve::{cpsf, scratch, start_server};

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// The automatic result of `entry`'s check `check` in `cpsf assess show --format json`.
fn automatic(file: &Path, entry: &str, check: &str) -> String {
    let report = json(&ok(cpsf().args(["assess", "show", "--format", "json"]).arg(file).output().unwrap()));
    let line =
        report["entries"].as_array().unwrap().iter().find(|e| e["id"] == entry).expect("entry in report").clone();
    line["automatic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["check"] == check)
        .map(|a| a["result"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| format!("no {check} result in {line}"))
}

fn tool(name: &str) -> bool {
    std::process::Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn from_init_to_pdf_with_automatic_evidence() {
    let dir = scratch("assess");
    let file = dir.join("sbom-assessment.yaml");
    let data = dir.join("data");
    ok(cpsf()
        .args(["assess", "init", "--catalog", "meti-sbom-2.0", "--scope", "panel", "--scope-kind", "product"])
        .args(["--lang", "ja", "-o"])
        .arg(&file)
        .output()
        .unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("catalog: meti-sbom-2.0") && text.contains("status: not-assessed"), "{text}");
    let again = cpsf()
        .args(["assess", "init", "--catalog", "meti-sbom-2.0", "--scope", "panel", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "an existing file is not overwritten");

    // The entry that checks NTIA quality, and one without checks, from the catalog itself.
    let catalog = json(&ok(cpsf().args(["catalog", "show", "meti-sbom-2.0", "--format", "json"]).output().unwrap()));
    let entries = catalog["entries"].as_array().unwrap();
    let assessable = |e: &serde_json::Value| {
        e["assessable"].as_bool().unwrap_or(!matches!(e["kind"].as_str(), Some("phase" | "group" | "category")))
    };
    let quality = entries
        .iter()
        .find(|e| {
            assessable(e)
                && e["checks"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|k| k["check"] == "sbom-quality" && k["params"]["profile"] == "ntia"))
        })
        .expect("an entry checks NTIA quality")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manual = entries
        .iter()
        .find(|e| assessable(e) && e["checks"].as_array().is_none_or(|c| c.is_empty()))
        .expect("an entry without checks")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A person's answer, with evidence; bad values change nothing.
    let evidence = dir.join("tool-selection.txt");
    std::fs::write(&evidence, "tool comparison minutes").unwrap();
    ok(cpsf()
        .args(["assess", "set"])
        .arg(&file)
        .arg(&manual)
        .args(["--status", "implemented", "--owner", "佐藤", "--due", "2027-03-31", "--comment", "選定済み"])
        .arg("--evidence-file")
        .arg(&evidence)
        .args(["--evidence-link", "https://intranet.example/minutes/42", "--by", "sato"])
        .output()
        .unwrap());
    let before = std::fs::read(&file).unwrap();
    for bad in [["--due", "2027-02-30"], ["--level", "nonexistent"]] {
        let out = cpsf().args(["assess", "set"]).arg(&file).arg(&manual).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(bad[0].trim_start_matches('-')), "{bad:?}: {stderr}");
    }
    let out =
        cpsf().args(["assess", "set"]).arg(&file).args(["NO-SUCH-ENTRY", "--status", "implemented"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no entry `NO-SUCH-ENTRY`"));
    assert_eq!(std::fs::read(&file).unwrap(), before, "failed edits leave the file as it was");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("sha256:") && text.contains("field: status"), "evidence hash and history: {text}");

    // No products yet: no data. A poor SBOM: unmet. A complete one as the next release: met.
    let evaluate = || ok(cpsf().args(["assess", "evaluate"]).arg(&file).arg("--data-dir").arg(&data).output().unwrap());
    let (_server, url, token) = start_server(&dir);
    evaluate();
    assert_eq!(automatic(&file, &quality, "sbom-quality"), "unknown");
    let poor = dir.join("poor.cdx.json");
    std::fs::write(
        &poor,
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}]})
        .to_string(),
    )
    .unwrap();
    let complete = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ntia/complete.cdx.json");
    for (doc, version, expected) in [(&poor, "1.0", "unmet"), (&complete, "1.1", "met")] {
        ok(cpsf()
            .arg("push")
            .arg(doc)
            .args(["--server", &url, "--product", "panel", "--version", version])
            .env("CPSF_TOKEN", &token)
            .output()
            .unwrap());
        evaluate();
        assert_eq!(automatic(&file, &quality, "sbom-quality"), expected, "after pushing {version}");
    }
    let shown = json(&ok(cpsf().args(["assess", "show", "--format", "json"]).arg(&file).output().unwrap()));
    let line = shown["entries"].as_array().unwrap().iter().find(|e| e["id"] == quality.as_str()).unwrap().clone();
    assert_eq!(line["status"], "implemented", "{line}");
    assert_eq!(line["status_automatic"], true);
    assert!(shown["trend"].as_array().unwrap().len() >= 2, "the trend has points: {}", shown["trend"]);

    // Reports.
    let html = ok(cpsf().args(["assess", "report", "--format", "html", "--lang", "en"]).arg(&file).output().unwrap());
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("Executive summary") && html.contains("<svg"), "HTML report");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http://"), "nothing fetched from outside");
    let oscal = json(&ok(cpsf().args(["assess", "report", "--format", "oscal"]).arg(&file).output().unwrap()));
    assert!(oscal["assessment-results"]["results"].is_array(), "{oscal}");
    let pdf = dir.join("report.pdf");
    let out = cpsf()
        .args(["assess", "report", "--format", "pdf", "--lang", "ja", "-o"])
        .arg(&pdf)
        .arg(&file)
        .output()
        .unwrap();
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("font") {
        eprintln!("SKIPPED: PDF report: no Japanese font here ({})", String::from_utf8_lossy(&out.stderr).trim());
        return;
    }
    ok(out);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    if !tool("pdftotext") || !tool("pdftoppm") {
        eprintln!("SKIPPED: pdftotext/pdftoppm not installed; the PDF's text and rendering were not checked");
        return;
    }
    let text = ok(std::process::Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap());
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in ["エグゼクティブサマリー", "ギャップ一覧", "panel", "佐藤", quality.as_str()] {
        assert!(text.contains(needle), "the PDF's text has `{needle}`:\n{text}");
    }
    let png = dir.join("page");
    ok(std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .output()
        .unwrap());
    let size = std::fs::metadata(dir.join("page.png")).map(|m| m.len()).unwrap_or(0);
    assert!(size > 3000, "page 1 renders to a non-trivial PNG ({size} bytes)");
    let _ = std::fs::remove_dir_all(&dir);
}
