//! End-to-end tests of the `cpsf` binary: exit status, stdout and stderr of real invocations on fixture trees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cpsf() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cpsf"));
    cmd.env_remove("SOURCE_DATE_EPOCH").env_remove("CPSF_CONFIG").env("NO_COLOR", "1");
    cmd
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA not found ({})", dir.display());
        None
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().expect("cpsf runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Run cpsf with `args`; check the exit code and return the run.
fn check(args: &[&str], expected_code: i32) -> Run {
    let r = run(cpsf().args(args));
    assert_eq!(r.code, expected_code, "cpsf {args:?}\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn tool_available(name: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{name} is required in CI (scripts/test.sh installs it)");
        }
        eprintln!("SKIPPED: {name} not installed");
    }
    found
}

#[test]
fn generate_writes_cyclonedx_16_with_every_ecosystem() {
    let r = check(&["sbom", "generate", data("polyglot").to_str().unwrap()], 0);
    let doc = json(&r.stdout);
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    let purls: Vec<&str> = doc["components"].as_array().unwrap().iter().filter_map(|c| c["purl"].as_str()).collect();
    for ty in [
        "pkg:cargo/",
        "pkg:npm/",
        "pkg:pypi/",
        "pkg:golang/",
        "pkg:gem/",
        "pkg:composer/",
        "pkg:nuget/",
        "pkg:maven/",
        "pkg:pub/",
        "pkg:hex/",
        "pkg:conan/",
        "pkg:swift/",
        "pkg:cocoapods/",
        "pkg:cran/",
    ] {
        assert!(purls.iter().any(|p| p.starts_with(ty)), "no {ty} component in {purls:?}");
    }
    assert!(doc["dependencies"].as_array().is_some_and(|d| !d.is_empty()), "dependency graph present");
    assert!(r.stderr.contains("components from"), "summary on stderr: {}", r.stderr);
}

#[test]
fn a_broken_lockfile_is_a_warning_and_the_rest_is_scanned() {
    let r = check(&["sbom", "generate", data("broken-tree").to_str().unwrap()], 0);
    assert!(r.stderr.contains("broken/package-lock.json:"), "warning names the file: {}", r.stderr);
    assert!(r.stderr.contains("lockfile-malformed"), "warning has its code: {}", r.stderr);
    let doc = json(&r.stdout);
    assert!(!doc["components"].as_array().unwrap().is_empty(), "the good lockfile was still read");
    let text = r.stdout;
    assert!(text.contains("broken/package-lock.json"), "the SBOM says which file was skipped");
}

#[test]
fn reproducible_output_is_byte_identical() {
    let dir = data("polyglot");
    let a = check(&["sbom", "generate", "--reproducible", dir.to_str().unwrap()], 0).stdout;
    let b = check(&["sbom", "generate", "--reproducible", dir.to_str().unwrap()], 0).stdout;
    assert_eq!(a, b);
    let c = run(cpsf().env("SOURCE_DATE_EPOCH", "1700000000").args([
        "sbom",
        "generate",
        "-f",
        "spdx-json",
        dir.to_str().unwrap(),
    ]));
    let d = run(cpsf().env("SOURCE_DATE_EPOCH", "1700000000").args([
        "sbom",
        "generate",
        "-f",
        "spdx-json",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert_eq!(c.stdout, d.stdout);
    assert!(c.stdout.contains("2023-11-14T22:13:20Z"), "timestamp from SOURCE_DATE_EPOCH");
}

#[test]
fn every_output_format_is_written_and_reads_back() {
    let dir = data("polyglot");
    let out = tempdir("formats");
    for (format, spec) in [
        ("cyclonedx-json", Some("1.4")),
        ("cyclonedx-json", Some("1.5")),
        ("cyclonedx-json", Some("1.7")),
        ("cyclonedx-xml", Some("1.6")),
        ("cyclonedx-xml", Some("1.4")),
        ("spdx-json", None),
        ("spdx-tag-value", None),
        ("spdx-yaml", None),
        ("spdx3-json", None),
    ] {
        let file = out.join(format!("sbom-{format}-{}", spec.unwrap_or("x")));
        let mut args = vec!["sbom", "generate", dir.to_str().unwrap(), "-f", format, "-o", file.to_str().unwrap()];
        if let Some(s) = spec {
            args.extend(["--spec-version", s]);
        }
        let r = check(&args, 0);
        assert!(r.stdout.is_empty(), "with -o, nothing on stdout");
        let v = check(&["sbom", "validate", file.to_str().unwrap(), "--format", "json"], 0);
        let report = json(&v.stdout);
        assert_eq!(report["schema"]["valid"], true, "{format} {spec:?}: {}", v.stdout);
    }
}

/// sbomcheck's report of one SPDX document.
fn sbomcheck(file: &Path, spec: &str) -> serde_json::Value {
    let r = run(Command::new("sbomcheck").args(["-s", spec, "-c", "ntia", "-r", "json", file.to_str().unwrap()]));
    json(&r.stdout)
}

const SPDX_OUTPUTS: [(&str, &str, &str); 3] = [
    ("spdx-json", "spdx2", "sbom.spdx.json"),
    ("spdx-tag-value", "spdx2", "sbom.spdx"),
    ("spdx3-json", "spdx3", "sbom.spdx3.json"),
];

#[test]
fn spdx_output_is_ntia_conformant_by_sbomcheck_when_the_data_is() {
    if !tool_available("sbomcheck") {
        return;
    }
    // A document whose every component has a supplier and a version: converted to each SPDX output, sbomcheck
    // finds it NTIA-conformant.
    let out = tempdir("sbomcheck-complete");
    for (format, spec, name) in SPDX_OUTPUTS {
        let file = out.join(name);
        check(
            &[
                "sbom",
                "convert",
                data("ntia/complete.cdx.json").to_str().unwrap(),
                "-f",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
            0,
        );
        let report = sbomcheck(&file, spec);
        assert_eq!(report["isNtiaConformant"], true, "{format}: {report}");
    }
}

#[test]
fn spdx_output_from_lockfiles_is_valid_and_judged_as_sbomcheck_judges_it() {
    if !tool_available("sbomcheck") {
        return;
    }
    // Lockfiles name no suppliers and cpsf invents none, so an SBOM straight from lockfiles is not NTIA-conformant;
    // it is valid, carries every other element, and cpsf's NTIA verdict is sbomcheck's.
    let out = tempdir("sbomcheck-lockfiles");
    for (format, spec, name) in SPDX_OUTPUTS {
        let file = out.join(name);
        check(
            &[
                "sbom",
                "generate",
                data("polyglot").to_str().unwrap(),
                "-f",
                format,
                "-o",
                file.to_str().unwrap(),
                "--author",
                "Hanako Sato <hanako.sato@example.co.jp>",
            ],
            0,
        );
        let report = sbomcheck(&file, spec);
        assert_eq!(report["parsingError"], serde_json::json!([]), "{format}: {report}");
        assert_eq!(report["validationMessages"], serde_json::json!([]), "{format}: {report}");
        for element in ["authorNameProvided", "timestampProvided", "dependencyRelationshipsProvided"] {
            assert_eq!(report[element], true, "{format}: {element}: {report}");
        }
        assert_eq!(report["componentNames"]["allProvided"], true, "{format}: {report}");
        assert_eq!(report["componentIdentifiers"]["allProvided"], true, "{format}: {report}");
        assert_eq!(report["componentSuppliers"]["allProvided"], false, "{format}: no supplier is invented");
        let ours = json(
            &check(&["sbom", "validate", file.to_str().unwrap(), "--profile", "ntia", "--format", "json"], 0).stdout,
        );
        assert_eq!(ours["quality"][0]["conformant"], report["isNtiaConformant"], "{format}: same NTIA verdict");
    }
}

#[test]
fn cyclonedx_output_is_schema_valid_by_cdx_validate() {
    if !tool_available("cdx-validate") {
        return;
    }
    let out = tempdir("cdx-validate");
    for spec in ["1.4", "1.5", "1.6", "1.7"] {
        let file = out.join(format!("bom-{spec}.json"));
        check(
            &[
                "sbom",
                "generate",
                data("polyglot").to_str().unwrap(),
                "--spec-version",
                spec,
                "-o",
                file.to_str().unwrap(),
            ],
            0,
        );
        let report = out.join(format!("report-{spec}.json"));
        let _ = run(Command::new("cdx-validate").args([
            "-i",
            file.to_str().unwrap(),
            "--no-deep",
            "-r",
            "json",
            "-o",
            report.to_str().unwrap(),
        ]));
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        assert!(text.contains("\"schemaValid\": true") || json(&text)["schemaValid"] == true, "{spec}: {text}");
    }
}

#[test]
fn validate_flags_an_invalid_document_with_exit_1() {
    let Some(shared) = shared_data() else { return };
    let bad = shared.join("cyclonedx-spec/test-resources/1.6/invalid-component-type-1.6.json");
    let r = check(&["sbom", "validate", bad.to_str().unwrap()], 1);
    assert!(r.stdout.to_lowercase().contains("invalid"), "{}", r.stdout);
    let good = shared.join("spdx/examples-2.3/SPDXJSONExample-v2.3.spdx.json");
    let r = check(&["sbom", "validate", good.to_str().unwrap(), "--format", "json"], 0);
    let report = json(&r.stdout);
    assert!(report["quality"].as_array().is_some_and(|q| q.len() == 3), "three profiles scored: {}", r.stdout);
    check(&["sbom", "validate", good.to_str().unwrap(), "--require", "ntia"], 1);
}

#[test]
fn diff_reports_changes_and_exits_1() {
    let out = tempdir("diff");
    let old = out.join("old.json");
    let new = out.join("new.json");
    check(&["sbom", "generate", data("diff/old").to_str().unwrap(), "-o", old.to_str().unwrap()], 0);
    check(&["sbom", "generate", data("diff/new").to_str().unwrap(), "-o", new.to_str().unwrap()], 0);
    let r = check(&["sbom", "diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"], 1);
    let text = r.stdout;
    assert!(text.contains("serde"), "{text}");
    check(&["sbom", "diff", old.to_str().unwrap(), old.to_str().unwrap()], 0);
}

#[test]
fn convert_and_merge_round_trip() {
    let out = tempdir("convert");
    let cdx = out.join("a.cdx.json");
    check(&["sbom", "generate", data("polyglot").to_str().unwrap(), "-o", cdx.to_str().unwrap()], 0);
    let spdx = out.join("a.spdx.json");
    check(&["sbom", "convert", cdx.to_str().unwrap(), "-f", "spdx-json", "-o", spdx.to_str().unwrap()], 0);
    let back = check(&["sbom", "convert", spdx.to_str().unwrap(), "-f", "cyclonedx-json"], 0);
    let a = json(&std::fs::read_to_string(&cdx).unwrap());
    let b = json(&back.stdout);
    let purls = |d: &serde_json::Value| {
        let mut v: Vec<String> =
            d["components"].as_array().unwrap().iter().filter_map(|c| c["purl"].as_str().map(str::to_owned)).collect();
        v.sort();
        v
    };
    assert_eq!(purls(&a), purls(&b), "purls survive CycloneDX → SPDX → CycloneDX");
    let merged = check(&["sbom", "merge", cdx.to_str().unwrap(), spdx.to_str().unwrap()], 0);
    assert_eq!(purls(&json(&merged.stdout)), purls(&a), "merging a document with its conversion deduplicates by purl");
}

#[test]
fn bad_arguments_and_missing_paths_exit_2() {
    let r = check(&["sbom", "generate", "/nonexistent/path"], 2);
    assert!(r.stderr.contains("/nonexistent/path"), "{}", r.stderr);
    check(&["sbom", "frobnicate"], 2);
    check(&["sbom", "generate", "-f", "spdx-json", "--spec-version", "1.5", "."], 2);
}

#[test]
fn completions_and_man_pages_come_from_the_cli() {
    let r = check(&["completions", "bash"], 0);
    assert!(r.stdout.contains("cpsf") && r.stdout.contains("generate"));
    let dir = tempdir("man");
    check(&["man", "-o", dir.to_str().unwrap()], 0);
    let page = std::fs::read_to_string(dir.join("cpsf-sbom-generate.1")).unwrap();
    // roff escapes the hyphens of option names.
    assert!(page.contains("\\-\\-reproducible"), "{page}");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let r = run(cpsf().args(["--color", "always", "sbom", "generate", data("broken-tree").to_str().unwrap()]));
    assert!(r.stderr.contains("\x1b["), "colour forced on");
    let r = run(cpsf().args(["sbom", "generate", data("broken-tree").to_str().unwrap()]));
    assert!(!r.stderr.contains("\x1b["), "NO_COLOR and no terminal: no colour");
}

#[test]
fn quiet_silences_stderr_but_not_the_product() {
    let r = check(&["--quiet", "sbom", "generate", data("broken-tree").to_str().unwrap()], 0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(!r.stdout.is_empty());
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpsf-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---- vulnerability management: db, scan, vex ----

fn scan_data(path: &str) -> String {
    data("scan").join(path).display().to_string()
}

/// A fresh advisory database holding the scan fixtures' records, KEV catalog and EPSS scores.
fn scan_db(name: &str) -> String {
    let db = tempdir(name).join("advisories.db").display().to_string();
    let r = check(&["db", "import", "--db", &db, &scan_data("advisories")], 0);
    assert!(r.stderr.contains("3 records read from 5 files: 3 added"), "{}", r.stderr);
    assert!(r.stderr.contains("KEV catalog 2099.01.01: 1 entries"), "{}", r.stderr);
    db
}

#[test]
fn db_import_and_stats_describe_what_was_loaded() {
    let db = scan_db("db-stats");
    let text = check(&["db", "stats", "--db", &db], 0).stdout;
    assert!(text.contains("records: 3 (0 withdrawn)"), "{text}");
    assert!(text.contains("KEV catalog: 2099.01.01 (1 entries)"), "{text}");
    let stats = json(&check(&["db", "stats", "--db", &db, "--format", "json"], 0).stdout);
    assert_eq!(stats["records"], 3);
    assert_eq!(stats["epss_scores"], 2);
    assert_eq!(stats["newest_modified"], "2024-02-01T00:00:00Z");
    // Re-import changes nothing.
    let again = check(&["db", "import", "--db", &db, &scan_data("advisories")], 0);
    assert!(again.stderr.contains("0 added, 0 updated, 3 unchanged"), "{}", again.stderr);
    // Nothing importable is an error (exit 2) that says so.
    let empty = tempdir("db-empty");
    let r = check(&["db", "import", "--db", &db, &empty.display().to_string()], 2);
    assert!(r.stderr.contains("nothing imported"), "{}", r.stderr);
}

#[test]
fn scan_reports_deduplicated_findings_with_severity_kev_epss_and_fix() {
    let db = scan_db("scan-json");
    let r = check(&["scan", &scan_data("project"), "--db", &db, "--format", "json"], 0);
    let report = json(&r.stdout);
    // The JSON is what its published schema says.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf-vuln/schemas/scan-report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(report["summary"]["components"], 3);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "two records of one lodash CVE are one finding: {findings:#?}");
    let lodash = findings.iter().find(|f| f["component"]["name"] == "lodash").unwrap();
    assert_eq!(lodash["id"], "CVE-2021-23337");
    assert_eq!(lodash["aliases"], serde_json::json!(["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "OSV-2021-0001"]));
    assert_eq!(lodash["advisories"].as_array().unwrap().len(), 2);
    assert_eq!(lodash["severity"], "high");
    assert_eq!(lodash["cvss_score"], 7.2);
    assert_eq!(lodash["fixed_version"], "4.17.21");
    assert_eq!(lodash["epss"]["score"], 0.01234);
    let minimist = findings.iter().find(|f| f["component"]["name"] == "minimist").unwrap();
    assert_eq!(minimist["severity"], "critical");
    assert_eq!(minimist["kev"]["date_added"], "2099-01-01");
    assert_eq!(minimist["fixed_version"], "0.2.4");
    assert_eq!(minimist["component"]["locations"][0]["line"], 26);

    // The table names both, marks KEV and the fix.
    let table = check(&["scan", &scan_data("project"), "--db", &db], 0).stdout;
    assert!(table.contains("CVE-2021-44906") && table.contains("KEV") && table.contains("fix: 4.17.21"), "{table}");
}

#[test]
fn scan_gates_and_filters_set_the_exit_status() {
    let db = scan_db("scan-gates");
    let project = scan_data("project");
    let base = ["scan", project.as_str(), "--db", db.as_str(), "--format", "json"];
    let with = |extra: &[&str], code: i32| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        json(&check(&args, code).stdout)
    };
    with(&["--fail-on", "critical"], 1);
    with(&["--fail-on-kev"], 1);
    // Only high findings are reported, and none of them is critical.
    let high = with(&["--severity", "high", "--fail-on", "critical"], 0);
    assert_eq!(high["findings"].as_array().unwrap().len(), 1);
    // With VEX marking lodash not affected, a high gate still trips on minimist, and lodash is left out...
    let vex = scan_data("vex/openvex.json");
    let r = with(&["--vex", &vex, "--fail-on", "high"], 1);
    assert_eq!(r["findings"].as_array().unwrap().len(), 1);
    assert_eq!(r["summary"]["suppressed"], 1);
    // ...unless asked for, with the justification.
    let r = with(&["--vex", &vex, "--show-suppressed", "--severity", "high", "--fail-on", "high"], 0);
    let lodash = &r["findings"][0];
    assert_eq!(lodash["suppression"]["status"], "not_affected");
    assert_eq!(lodash["suppression"]["justification"], "vulnerable_code_not_in_execute_path");
    let table = check(&["scan", &project, "--db", &db, "--vex", &vex, "--show-suppressed"], 0).stdout;
    assert!(table.contains("vulnerable_code_not_in_execute_path"), "{table}");
    // --ignore-unfixed keeps both (both have fixes).
    assert_eq!(with(&["--ignore-unfixed"], 0)["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn scan_writes_sarif_and_a_cyclonedx_vdr_and_reads_sboms() {
    let db = scan_db("scan-formats");
    let dir = tempdir("scan-formats-out");
    let project = scan_data("project");
    let sarif = json(&check(&["scan", &project, "--db", &db, "--format", "sarif"], 0).stdout);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().any(|r| r["level"] == "error" && r["ruleId"] == "CVE-2021-44906"), "{results:#?}");

    let vdr = dir.join("vdr.json");
    check(&["scan", &project, "--db", &db, "--format", "cyclonedx", "-o", &vdr.display().to_string()], 0);
    let doc = json(&std::fs::read_to_string(&vdr).unwrap());
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["vulnerabilities"].as_array().unwrap().len(), 2);
    // Schema-valid by our own validator.
    check(&["sbom", "validate", &vdr.display().to_string()], 0);

    // An SBOM of the project scans to the same findings as the project.
    let sbom = dir.join("sbom.cdx.json");
    check(&["sbom", "generate", &project, "-o", &sbom.display().to_string()], 0);
    let from_sbom = json(&check(&["scan", &sbom.display().to_string(), "--db", &db, "--format", "json"], 0).stdout);
    let ids = |r: &serde_json::Value| {
        let mut v: Vec<String> = r["findings"].as_array().unwrap().iter().map(|f| f["id"].to_string()).collect();
        v.sort();
        v
    };
    let from_tree = json(&check(&["scan", &project, "--db", &db, "--format", "json"], 0).stdout);
    assert_eq!(ids(&from_sbom), ids(&from_tree));
}

#[test]
fn vex_command_writes_openvex_and_cyclonedx_vex() {
    let db = scan_db("vex-out");
    let project = scan_data("project");
    let vex = scan_data("vex/openvex.json");
    let doc = json(
        &check(&["vex", &project, "--db", &db, "--vex", &vex, "--author", "Example Corp PSIRT", "--reproducible"], 0)
            .stdout,
    );
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(doc["author"], "Example Corp PSIRT");
    let statements = doc["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    let status = |name: &str| {
        statements
            .iter()
            .find(|s| s["products"].to_string().contains(name))
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status("lodash"), "not_affected");
    assert_eq!(status("minimist"), "under_investigation");
    // The written document works as input: it suppresses what it says is not affected.
    let dir = tempdir("vex-out-files");
    let written = dir.join("triage.openvex.json");
    std::fs::write(&written, serde_json::to_string(&doc).unwrap()).unwrap();
    let r = json(
        &check(&["scan", &project, "--db", &db, "--format", "json", "--vex", &written.display().to_string()], 0).stdout,
    );
    assert_eq!(r["summary"]["suppressed"], 1);
    // CycloneDX VEX, schema-checked before it is printed.
    let cdx = json(&check(&["vex", &project, "--db", &db, "--format", "cyclonedx", "--reproducible"], 0).stdout);
    assert_eq!(cdx["vulnerabilities"].as_array().unwrap().len(), 2);
}

#[test]
fn scan_without_a_database_says_how_to_make_one() {
    let dir = tempdir("no-db");
    let missing = dir.join("none.db").display().to_string();
    let r = check(&["scan", &scan_data("project"), "--db", &missing], 2);
    assert!(r.stderr.contains("does not exist") && r.stderr.contains("cpsf db import"), "{}", r.stderr);
    let r = check(&["scan", &scan_data("project"), "--db", &missing, "--vex", "/nonexistent/vex.json"], 2);
    assert!(r.stderr.contains("none.db") || r.stderr.contains("vex.json"), "{}", r.stderr);
}

/// `db update` against a loopback server: the npm archive is fetched, verified and imported; a missing
/// ecosystem is a warning and exit 1.
#[test]
fn db_update_downloads_from_a_local_server_and_imports() {
    use std::io::{Read, Write};
    // The archive the server hands out: the scan fixtures' records.
    let mut archive = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut archive));
        for name in ["GHSA-35jh-r3h4-6jhm.json", "GHSA-xvch-5gv4-984h.json"] {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&std::fs::read(data("scan/advisories").join(name)).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let Ok((mut stream, _)) = listener.accept() else { return };
            stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&request);
            let response = if head.starts_with("GET /npm/all.zip ") {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/zip\r\nConnection: close\r\n\r\n",
                    archive.len()
                )
                .into_bytes();
                r.extend_from_slice(&archive);
                r
            } else {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            };
            let _ = stream.write_all(&response);
        }
    });
    let dir = tempdir("db-update");
    let db = dir.join("advisories.db").display().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let r = check(
        &[
            "db",
            "update",
            "--db",
            &db,
            "--base-url",
            &base,
            "--ecosystem",
            "npm",
            "--ecosystem",
            "PyPI",
            "--no-kev",
            "--no-epss",
        ],
        1,
    );
    assert!(r.stderr.contains("2 records read") && r.stderr.contains("2 added"), "{}", r.stderr);
    assert!(r.stderr.contains("PyPI/all.zip") && r.stderr.contains("404"), "{}", r.stderr);
    server.join().unwrap();
    assert!(dir.join("downloads/npm/all.zip").is_file());
    let stats = json(&check(&["db", "stats", "--db", &db, "--format", "json"], 0).stdout);
    assert_eq!(stats["records"], 2);
}
