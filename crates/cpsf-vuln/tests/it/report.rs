//! The scan report renderers on hand-built findings: summary and per-component fix, the table (compared with
//! `tests/data/report/*.txt`; `CPSF_BLESS=1` rewrites them, review the diff), JSON against its own schema,
//! SARIF against the official SARIF 2.1.0 schema, and the CycloneDX VDR against the official CycloneDX 1.6 schema.

use std::cmp::Ordering;
use std::path::PathBuf;

use cpsf_model::{Location, Scope};
use cpsf_sbom::CycloneDxVersion;
use cpsf_vuln::report::{
    DatabaseInfo, ScanReport, fix_for, json::to_json, sarif::sarif_value, table, table::to_table, vdr::vdr_value,
};
use cpsf_vuln::{
    AdvisoryMatch, AffectedComponent, Confidence, Epss, Finding, Kev, Rating, Score, ScoreMethod, Suppression,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------

fn component(
    ecosystem: &str,
    purl_type: &str,
    name: &str,
    version: &str,
    path: &str,
    line: Option<u32>,
) -> AffectedComponent {
    let purl = format!("pkg:{purl_type}/{name}@{version}");
    AffectedComponent {
        bom_ref: purl.clone(),
        name: name.into(),
        version: version.into(),
        purl,
        ecosystem: ecosystem.into(),
        locations: vec![Location::new(path, line)],
        scope: Some(Scope::Required),
        direct: Some(true),
    }
}

fn advisory(id: &str, c: &AffectedComponent, fixed: &[&str], url: Option<&str>) -> AdvisoryMatch {
    AdvisoryMatch {
        id: id.into(),
        modified: "2024-06-01T00:00:00Z".into(),
        ecosystem: c.ecosystem.clone(),
        package: c.name.clone(),
        affected: match fixed.first() {
            Some(f) => format!(">=0, <{f}"),
            None => ">=0".into(),
        },
        fixed: fixed.iter().map(|s| s.to_string()).collect(),
        confidence: Confidence::High,
        note: None,
        url: url.map(str::to_owned),
    }
}

fn cvss(method: ScoreMethod, vector: &str, score: f64, source: &str) -> Score {
    Score {
        method,
        vector: Some(vector.into()),
        score: Some(score),
        rating: Rating::from_score(score),
        source: source.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    id: &str,
    aliases: &[&str],
    c: &AffectedComponent,
    summary: Option<&str>,
    scores: Vec<Score>,
    advisories: Vec<AdvisoryMatch>,
    fixed: Option<&str>,
) -> Finding {
    let best = scores
        .iter()
        .filter(|s| s.score.is_some())
        .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)));
    let severity = best.map(|s| s.rating).or_else(|| scores.iter().map(|s| s.rating).max()).unwrap_or(Rating::Unknown);
    let mut all: Vec<String> = aliases.iter().map(|s| s.to_string()).collect();
    all.push(id.into());
    all.sort();
    all.dedup();
    Finding {
        id: id.into(),
        aliases: all,
        component: c.clone(),
        summary: summary.map(str::to_owned),
        severity,
        cvss_score: best.and_then(|s| s.score),
        scores,
        advisories,
        fixed_version: fixed.map(str::to_owned),
        kev: None,
        epss: None,
        references: Vec::new(),
        suppression: None,
    }
}

const JA_SUMMARY: &str = "urllib3 において、リダイレクト時に Proxy-Authorization ヘッダが削除されないため、認証情報が第三者に漏えいする可能性がある脆弱性";

fn findings() -> Vec<Finding> {
    let log4j = component("Maven", "maven", "org.apache.logging.log4j/log4j-core", "2.14.1", "pom.xml", None);
    let mut log4shell = finding(
        "CVE-2021-44228",
        &["GHSA-jfh8-c2jp-5v3q"],
        &log4j,
        Some("Remote code injection in Log4j"),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "GHSA-jfh8-c2jp-5v3q")],
        vec![advisory(
            "GHSA-jfh8-c2jp-5v3q",
            &log4j,
            &["2.15.0"],
            Some("https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"),
        )],
        Some("2.15.0"),
    );
    log4shell.kev = Some(Kev {
        cve: "CVE-2021-44228".into(),
        date_added: "2021-12-10".into(),
        due_date: Some("2021-12-24".into()),
        known_ransomware_campaign_use: Some("Known".into()),
        required_action: None,
    });
    log4shell.epss = Some(Epss {
        cve: "CVE-2021-44228".into(),
        score: 0.94358,
        percentile: 0.99957,
        date: Some("2025-01-15".into()),
    });
    log4shell.references = vec!["https://logging.apache.org/log4j/2.x/security.html".into(), "not a url".into()];
    let second = finding(
        "CVE-2021-45046",
        &["GHSA-7rjr-3q55-vv33"],
        &log4j,
        Some("Incomplete fix for Apache Log4j vulnerability"),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0, "GHSA-7rjr-3q55-vv33")],
        vec![advisory("GHSA-7rjr-3q55-vv33", &log4j, &["2.16.0"], None)],
        Some("2.16.0"),
    );

    let lodash = component("npm", "npm", "lodash", "4.17.15", "package-lock.json", Some(40));
    let proto = finding(
        "CVE-2020-8203",
        &["GHSA-p6mc-m468-83gw"],
        &lodash,
        Some("Prototype Pollution in lodash"),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", 7.4, "GHSA-p6mc-m468-83gw")],
        vec![advisory("GHSA-p6mc-m468-83gw", &lodash, &["4.17.19"], None)],
        Some("4.17.19"),
    );
    let mut injection = finding(
        "CVE-2021-23337",
        &["GHSA-35jh-r3h4-6jhm"],
        &lodash,
        Some("Command Injection in lodash"),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, "GHSA-35jh-r3h4-6jhm")],
        vec![advisory("GHSA-35jh-r3h4-6jhm", &lodash, &["4.17.21"], None)],
        Some("4.17.21"),
    );
    injection.suppression = Some(Suppression {
        source: "vex.openvex.json".into(),
        status: "not_affected".into(),
        justification: Some("vulnerable_code_cannot_be_controlled_by_adversary".into()),
        impact_statement: Some("templates are never built from user input".into()),
    });

    let time = component("crates.io", "cargo", "time", "0.1.43", "Cargo.lock", Some(120));
    let segfault = finding(
        "CVE-2020-26235",
        &["GHSA-wcg3-cvx6-7396", "RUSTSEC-2020-0071"],
        &time,
        Some("Potential segfault in the time crate"),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.2, "RUSTSEC-2020-0071")],
        vec![
            advisory("GHSA-wcg3-cvx6-7396", &time, &["0.2.23"], None),
            advisory(
                "RUSTSEC-2020-0071",
                &time,
                &["0.2.23"],
                Some("https://rustsec.org/advisories/RUSTSEC-2020-0071.html"),
            ),
        ],
        Some("0.2.23"),
    );

    let urllib3 = component("PyPI", "pypi", "urllib3", "1.26.4", "requirements.txt", Some(7));
    let mut leak = finding(
        "CVE-2023-43804",
        &["GHSA-v845-jxx5-vc9f", "PYSEC-2023-192", "JVNDB-2023-000000"],
        &urllib3,
        Some(JA_SUMMARY),
        vec![cvss(ScoreMethod::CvssV31, "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:N", 5.9, "GHSA-v845-jxx5-vc9f")],
        vec![
            advisory("GHSA-v845-jxx5-vc9f", &urllib3, &["1.26.17"], None),
            advisory("PYSEC-2023-192", &urllib3, &[], None),
        ],
        Some("1.26.17"),
    );
    leak.epss = Some(Epss { cve: "CVE-2023-43804".into(), score: 0.00123, percentile: 0.4, date: None });
    let mut nofix = finding(
        "PYSEC-2021-108",
        &[],
        &urllib3,
        None,
        vec![Score {
            method: ScoreMethod::Source,
            vector: None,
            score: None,
            rating: Rating::Low,
            source: "PYSEC-2021-108".into(),
        }],
        vec![advisory("PYSEC-2021-108", &urllib3, &[], None)],
        None,
    );
    nofix.advisories[0].confidence = Confidence::Low;
    nofix.advisories[0].note = Some("open range".into());

    let xnet = component("Go", "golang", "golang.org/x/net", "0.7.0", "go.mod", Some(5));
    let mut go = finding(
        "GO-2023-1988",
        &["GHSA-2wrh-6pvc-2jm9"],
        &xnet,
        Some("Improper rendering of text nodes in golang.org/x/net/html"),
        Vec::new(),
        vec![advisory("GO-2023-1988", &xnet, &["0.13.0"], None)],
        Some("0.13.0"),
    );
    go.suppression = Some(Suppression {
        source: "vex.openvex.json".into(),
        status: "not_affected".into(),
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        impact_statement: None,
    });

    let minimist = component("npm", "npm", "minimist", "1.2.5", "package-lock.json", Some(88));
    let unknown = finding(
        "GHSA-xvch-5gv4-984h",
        &[],
        &minimist,
        Some("Prototype Pollution in minimist"),
        Vec::new(),
        Vec::new(),
        Some("1.2.6"),
    );

    vec![nofix, go, leak, segfault, injection, proto, second, log4shell, unknown]
}

/// Dotted numbers compared number by number; `None` when a part is not a number.
fn numeric(a: &str, b: &str) -> Option<Ordering> {
    let parse = |s: &str| s.split('.').map(|p| p.parse::<u64>().ok()).collect::<Option<Vec<u64>>>();
    Some(parse(a)?.cmp(&parse(b)?))
}

fn report() -> ScanReport {
    let database = DatabaseInfo {
        path: "/home/user/.cache/cpsf/advisories.db".into(),
        records: 123_456,
        newest_modified: Some("2025-01-15T08:00:00Z".into()),
        kev_catalog_version: Some("2025.01.14".into()),
        epss_score_date: Some("2025-01-15".into()),
    };
    let mut r = ScanReport::with_comparator(
        "examples/app",
        database,
        42,
        findings(),
        vec!["requirements-dev.txt: 2 requirements without a pinned version were not checked".into()],
        |_, a, b| numeric(a, b),
    );
    r.generated = "2025-01-15T09:30:00Z".into();
    r
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/report")
}

/// Compare `actual` with the expected file `name`, or rewrite it under `CPSF_BLESS=1`.
fn expect_file(name: &str, actual: &str) {
    let path = data_dir().join(name);
    if std::env::var_os("CPSF_BLESS").is_some() {
        std::fs::create_dir_all(data_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with CPSF_BLESS=1 to create it)", path.display()));
    assert!(expected == actual, "{} differs (CPSF_BLESS=1 rewrites it):\n{actual}", path.display());
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// Summary and fixes
// ---------------------------------------------------------------------------------------------------------

#[test]
fn summary_counts_unsuppressed_findings() {
    let r = report();
    let s = &r.summary;
    assert_eq!(s.components, 42);
    assert_eq!(s.findings, 7);
    assert_eq!(s.suppressed, 2);
    // golang.org/x/net has only a suppressed finding.
    assert_eq!(s.vulnerable_components, 5);
    assert_eq!(r.components.len(), 6);
    assert_eq!(s.kev, 1);
    let counts: Vec<(&str, usize)> = s.by_severity.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(counts, [("critical", 2), ("high", 1), ("low", 1), ("medium", 2), ("none", 0), ("unknown", 1)]);
    // Findings sorted by component, then severity (highest first), then id.
    let order: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "CVE-2020-26235",
            "GO-2023-1988",
            "CVE-2021-44228",
            "CVE-2021-45046",
            "CVE-2020-8203",
            "CVE-2021-23337",
            "GHSA-xvch-5gv4-984h",
            "CVE-2023-43804",
            "PYSEC-2021-108",
        ]
    );
}

#[test]
fn component_fix_is_the_highest_fix_of_its_unsuppressed_findings() {
    let r = report();
    let fix = |name: &str| r.components.iter().find(|c| c.name == name).and_then(|c| c.fixed_version.clone());
    // Two findings fixed in 2.15.0 and 2.16.0: only 2.16.0 clears both.
    assert_eq!(fix("org.apache.logging.log4j/log4j-core").as_deref(), Some("2.16.0"));
    // The suppressed finding (fixed in 4.17.21) does not raise the fix.
    assert_eq!(fix("lodash").as_deref(), Some("4.17.19"));
    // One finding has no fix.
    assert_eq!(fix("urllib3"), None);
    // Everything suppressed: nothing to fix.
    assert_eq!(fix("golang.org/x/net"), None);
    assert_eq!(fix("time").as_deref(), Some("0.2.23"));
    let log4j = r.components.iter().find(|c| c.name.ends_with("log4j-core")).unwrap();
    assert_eq!(log4j.findings, ["CVE-2021-44228", "CVE-2021-45046"]);
}

#[test]
fn fix_for_gives_up_when_versions_cannot_be_ordered() {
    let all = findings();
    let log4j: Vec<&Finding> = all.iter().filter(|f| f.component.name.ends_with("log4j-core")).collect();
    assert_eq!(fix_for(log4j.iter().copied(), numeric).as_deref(), Some("2.16.0"));
    assert_eq!(fix_for(log4j.iter().copied(), |_, _| None), None);
    // Equal fixes need no comparison.
    let time: Vec<&Finding> = all.iter().filter(|f| f.component.name == "time").collect();
    assert_eq!(fix_for(time.iter().copied(), |_, _| None).as_deref(), Some("0.2.23"));
    assert_eq!(fix_for(std::iter::empty(), numeric), None);
}

#[test]
fn new_uses_the_ecosystem_scheme_and_stamps_the_time() {
    let r = ScanReport::new("x", DatabaseInfo::default(), 3, findings(), Vec::new());
    // Equal fixed versions need no scheme; whatever the scheme says, a single fix is that fix.
    assert_eq!(r.component("pkg:cargo/time@0.1.43").and_then(|c| c.fixed_version.as_deref()), Some("0.2.23"));
    assert_eq!(r.component("pkg:npm/minimist@1.2.5").and_then(|c| c.fixed_version.as_deref()), Some("1.2.6"));
    assert!(r.generated.len() == 20 && r.generated.ends_with('Z'), "{}", r.generated);
    assert_eq!(r.tool.name, "cpsf");
}

// ---------------------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------------------

#[test]
fn table_matches_expected() {
    let r = report();
    expect_file("table.txt", &to_table(&r, false, false));
    expect_file("table-show-suppressed.txt", &to_table(&r, false, true));
}

#[test]
fn table_fits_120_columns_and_cuts_wide_text() {
    let r = report();
    for show in [false, true] {
        let text = to_table(&r, false, show);
        for line in text.lines().filter(|l| l.starts_with("  ")) {
            assert!(table::width(line) <= table::WIDTH, "{} columns: {line}", table::width(line));
        }
    }
    let text = to_table(&r, false, false);
    let row = text.lines().find(|l| l.contains("CVE-2023-43804")).unwrap();
    assert!(row.contains("urllib3 において"), "{row}");
    assert!(row.ends_with('…'), "{row}");
    assert!(!row.contains(JA_SUMMARY));
    assert_eq!(table::width("漏えい"), 6);
    assert_eq!(table::fit("漏えいする", 5), "漏え…");
}

#[test]
fn table_order_aliases_and_markers() {
    let r = report();
    let text = to_table(&r, false, false);
    let heads: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ') && !l.is_empty()).collect();
    assert!(
        heads[0].starts_with("org.apache.logging.log4j/log4j-core 2.14.1 Maven  pom.xml  fix: 2.16.0"),
        "{}",
        heads[0]
    );
    assert!(heads[1].starts_with("lodash 4.17.15 npm  package-lock.json:40  fix: 4.17.19"), "{}", heads[1]);
    assert!(heads[2].starts_with("time "), "{}", heads[2]);
    assert!(heads[3].starts_with("urllib3 1.26.4 PyPI  requirements.txt:7  no fix"), "{}", heads[3]);
    assert!(heads[4].starts_with("minimist "), "{}", heads[4]);
    // Critical rows: the KEV one first (same severity, id order), with EPSS.
    let log4shell = text.lines().find(|l| l.contains("CVE-2021-44228")).unwrap();
    assert!(log4shell.contains("CVE-2021-44228 (GHSA-jfh8-c2jp-5v3q)"));
    assert!(log4shell.contains("CRITICAL"));
    assert!(log4shell.contains("10.0  KEV   94.4%  2.15.0"), "{log4shell}");
    // Up to two aliases, then a count.
    assert!(text.contains("CVE-2023-43804 (GHSA-v845-jxx5-vc9f, +2) "));
    assert!(text.contains("CVE-2020-26235 (GHSA-wcg3-cvx6-7396, +1) "));
    assert!(!text.contains("GO-2023-1988"));
    assert!(!text.contains("CVE-2021-23337"));
    assert!(text.contains("7 vulnerabilities in 5 of 42 components: 2 critical, 1 high, 2 medium, 1 low, 1 unknown; 1 in the CISA KEV catalog. 2 suppressed by VEX (use --show-suppressed)."), "{text}");

    let shown = to_table(&r, false, true);
    assert!(shown.contains("golang.org/x/net 0.7.0 Go  go.mod:5  suppressed by VEX"));
    assert!(
        shown.contains(
            "\n    suppressed by VEX: not_affected, vulnerable_code_not_in_execute_path (vex.openvex.json)\n"
        )
    );
    assert!(shown.contains("2 suppressed by VEX (shown above)."));
}

#[test]
fn table_colours_are_ansi_and_only_decoration() {
    let r = report();
    let coloured = to_table(&r, true, true);
    assert!(coloured.contains("\x1b[1;31mCRITICAL\x1b[0m"));
    assert!(coloured.contains("\x1b[31mHIGH\x1b[0m"));
    assert!(coloured.contains("\x1b[33mMEDIUM\x1b[0m"));
    assert!(coloured.contains("\x1b[34mLOW\x1b[0m"));
    assert!(coloured.contains("\x1b[2mUNKNOWN\x1b[0m"));
    assert!(coloured.contains("\x1b[1mKEV\x1b[0m"));
    assert_eq!(strip_ansi(&coloured), to_table(&r, false, true));
    assert!(!to_table(&r, false, true).contains('\x1b'));
}

#[test]
fn table_neutralises_control_characters_from_advisories() {
    let mut all = findings();
    all[0].summary = Some("evil\x1b[2J summary\nsecond line".into());
    let r = ScanReport::with_comparator("t", DatabaseInfo::default(), 1, all, Vec::new(), |_, a, b| numeric(a, b));
    let text = to_table(&r, false, false);
    assert!(!text.contains('\x1b'));
    assert!(text.contains("evil [2J summary"), "{text}");
}

#[test]
fn table_without_findings() {
    let r = ScanReport::new(
        "t",
        DatabaseInfo { path: "db".into(), records: 5, ..Default::default() },
        12,
        Vec::new(),
        Vec::new(),
    );
    assert_eq!(
        to_table(&r, true, false),
        "No known vulnerabilities in 12 components.\nAdvisory database: db, 5 records.\n"
    );
}

// ---------------------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------------------

fn json_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(cpsf_vuln::report::json::SCHEMA).unwrap();
    jsonschema::draft202012::options().should_validate_formats(true).build(&schema).unwrap()
}

fn errors(v: &jsonschema::Validator, value: &Value) -> Vec<String> {
    v.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn json_output_matches_its_schema() {
    let v = json_validator();
    let r = report();
    let value: Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(errors(&v, &value), Vec::<String>::new());
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["summary"]["by_severity"]["critical"], 2);
    let log4j =
        value["components"].as_array().unwrap().iter().find(|c| c["name"] == "org.apache.logging.log4j/log4j-core");
    assert_eq!(log4j.unwrap()["fixed_version"], "2.16.0");
    assert!(value["components"][0].get("fixed_version").is_some());
    assert!(value["components"].as_array().unwrap().iter().any(|c| c.get("fixed_version").is_none()));
    // A report with every optional field absent is valid too.
    let empty = ScanReport::new("t", DatabaseInfo::default(), 0, Vec::new(), Vec::new());
    let value: Value = serde_json::from_str(&to_json(&empty)).unwrap();
    assert_eq!(errors(&v, &value), Vec::<String>::new());
}

#[test]
fn json_schema_is_not_vacuous() {
    let v = json_validator();
    let good: Value = serde_json::from_str(&to_json(&report())).unwrap();
    type Mutation = Box<dyn Fn(&mut Value)>;
    let mutations: Vec<(&str, Mutation)> = vec![
        ("no generated", Box::new(|d| drop(d.as_object_mut().unwrap().remove("generated")))),
        ("no finding id", Box::new(|d| drop(d["findings"][0].as_object_mut().unwrap().remove("id")))),
        (
            "no component purl",
            Box::new(|d| drop(d["findings"][0]["component"].as_object_mut().unwrap().remove("purl"))),
        ),
        ("bad rating", Box::new(|d| d["findings"][0]["severity"] = "severe".into())),
        ("bad confidence", Box::new(|d| d["findings"][0]["advisories"][0]["confidence"] = "medium".into())),
        ("bad method", Box::new(|d| d["findings"][0]["scores"][0]["method"] = "cvss-v5".into())),
        ("unknown field", Box::new(|d| d["summary"]["extra"] = 1.into())),
        ("bad timestamp", Box::new(|d| d["generated"] = "yesterday".into())),
        ("null optional", Box::new(|d| d["findings"][0]["fixed_version"] = Value::Null)),
    ];
    for (what, mutate) in mutations {
        let mut doc = good.clone();
        mutate(&mut doc);
        assert!(!v.is_valid(&doc), "schema accepted a report with {what}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------------------------

/// The official SARIF 2.1.0 schema, with one correction made in memory (the file stays as published): the
/// `language` patterns of `run` and `toolComponent` carry a stray `]` that makes them invalid regular
/// expressions, so the validator would not compile; they get the pattern the sarif-spec repository's later
/// copy has. cpsf writes no `language`, so the correction cannot make its output pass.
fn sarif_validator() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for owner in ["run", "toolComponent"] {
        let pattern = schema.pointer_mut(&format!("/definitions/{owner}/properties/language/pattern")).unwrap();
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "the published pattern changed");
        *pattern = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$".into();
    }
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let v = sarif_validator();
    let r = report();
    let log = sarif_value(&r);
    assert_eq!(errors(&v, &log), Vec::<String>::new());
    let text = cpsf_vuln::report::sarif::to_sarif(&r);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), log);

    // Not vacuous: a log without a version, or with a bad level, is rejected.
    let mut bad = log.clone();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!v.is_valid(&bad));
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "critical".into();
    assert!(!v.is_valid(&bad));
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = serde_json::json!({ "startLine": 0 });
    assert!(!v.is_valid(&bad));
}

#[test]
fn sarif_rules_results_and_suppressions() {
    let r = report();
    let log = sarif_value(&r);
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "cpsf");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), r.findings.len());
    let rule = |id: &str| rules.iter().find(|x| x["id"] == id).unwrap();
    let log4shell = rule("CVE-2021-44228");
    assert_eq!(log4shell["shortDescription"]["text"], "Remote code injection in Log4j");
    assert_eq!(log4shell["helpUri"], "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q");
    assert_eq!(log4shell["properties"]["security-severity"], "10.0");
    assert_eq!(log4shell["properties"]["tags"], serde_json::json!(["critical", "security", "vulnerability"]));
    // No CVSS score: no security-severity; the help link falls back to the id's publisher.
    let go = rule("GO-2023-1988");
    assert!(go["properties"].get("security-severity").is_none());
    assert_eq!(go["helpUri"], "https://pkg.go.dev/vuln/GO-2023-1988");
    assert_eq!(rule("PYSEC-2021-108")["shortDescription"]["text"], "PYSEC-2021-108");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), r.findings.len());
    let result = |id: &str| results.iter().find(|x| x["ruleId"] == id).unwrap();
    let res = result("CVE-2021-44228");
    assert_eq!(res["level"], "error");
    assert_eq!(rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"], "CVE-2021-44228");
    let text = res["message"]["text"].as_str().unwrap();
    assert!(text.contains("org.apache.logging.log4j/log4j-core 2.14.1") && text.contains("fixed in 2.15.0"), "{text}");
    let physical = &res["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "pom.xml");
    assert!(physical.get("region").is_none());
    assert!(res["partialFingerprints"]["cpsfFinding/v1"].as_str().unwrap().starts_with("CVE-2021-44228|"));
    assert!(res.get("suppressions").is_none());
    assert_eq!(result("CVE-2020-26235")["locations"][0]["physicalLocation"]["region"]["startLine"], 120);
    assert_eq!(result("CVE-2020-26235")["level"], "warning");
    assert_eq!(result("CVE-2020-8203")["level"], "error");
    assert_eq!(result("PYSEC-2021-108")["level"], "note");
    assert_eq!(result("GHSA-xvch-5gv4-984h")["level"], "note");
    assert!(result("PYSEC-2021-108")["message"]["text"].as_str().unwrap().contains("no fixed version is known"));

    let suppressed = &result("GO-2023-1988")["suppressions"];
    assert_eq!(suppressed[0]["kind"], "external");
    let why = suppressed[0]["justification"].as_str().unwrap();
    assert!(
        why.contains("not_affected")
            && why.contains("vulnerable_code_not_in_execute_path")
            && why.contains("vex.openvex.json")
    );
}

#[test]
fn sarif_one_result_per_location_and_uri_escaping() {
    let mut all = findings();
    all[0].component.locations =
        vec![Location::new("sub dir/requirements.txt", Some(3)), Location::new("C:\\src\\req#1.txt", None)];
    let r = ScanReport::with_comparator("t", DatabaseInfo::default(), 1, all, Vec::new(), |_, a, b| numeric(a, b));
    let log = sarif_value(&r);
    assert_eq!(errors(&sarif_validator(), &log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .filter(|x| x["ruleId"] == "PYSEC-2021-108")
        .map(|x| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["sub%20dir/requirements.txt", "C%3A/src/req%231.txt"]);
    // A finding without locations points at the scan target.
    let mut all = findings();
    all[0].component.locations.clear();
    let r = ScanReport::with_comparator("my sbom.json", DatabaseInfo::default(), 1, all, Vec::new(), |_, a, b| {
        numeric(a, b)
    });
    let log = sarif_value(&r);
    let res = log["runs"][0]["results"].as_array().unwrap().iter().find(|x| x["ruleId"] == "PYSEC-2021-108").unwrap();
    assert_eq!(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "my%20sbom.json");
}

// ---------------------------------------------------------------------------------------------------------
// CycloneDX VDR
// ---------------------------------------------------------------------------------------------------------

#[test]
fn vdr_validates_against_cyclonedx_1_6() {
    let r = report();
    let bom = vdr_value(&r);
    let report = cpsf_sbom::schema::validate_cyclonedx(&bom, CycloneDxVersion::V1_6);
    assert!(report.valid, "{:#?}", report.errors);
    let text = cpsf_vuln::report::vdr::to_vdr(&r);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), bom);

    // Not vacuous: a bad analysis state, rating method or affected status is rejected.
    for (pointer, value) in [
        ("/vulnerabilities/0/analysis", serde_json::json!({ "state": "ignored" })),
        ("/vulnerabilities/0/ratings/0/method", serde_json::json!("CVSSv5")),
        ("/vulnerabilities/0/affects/0/versions/0/status", serde_json::json!("vulnerable")),
    ] {
        let mut bad = bom.clone();
        match bad.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                bad.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.into(), value);
            }
        }
        assert!(!cpsf_sbom::schema::validate_cyclonedx(&bad, CycloneDxVersion::V1_6).valid, "{pointer} accepted");
    }

    // What the schema cannot say (and cpsf-sbom's reference check does not cover for vulnerabilities): every
    // bom-ref is unique and every `affects[].ref` names a component.
    let mut refs = std::collections::BTreeSet::new();
    let components: Vec<&str> =
        bom["components"].as_array().unwrap().iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
    for r in components
        .iter()
        .copied()
        .chain(bom["vulnerabilities"].as_array().unwrap().iter().map(|v| v["bom-ref"].as_str().unwrap()))
    {
        assert!(refs.insert(r), "bom-ref {r} repeated");
    }
    for v in bom["vulnerabilities"].as_array().unwrap() {
        for a in v["affects"].as_array().unwrap() {
            assert!(components.contains(&a["ref"].as_str().unwrap()), "{}", a["ref"]);
        }
    }
}

#[test]
fn vdr_content() {
    let r = report();
    let bom = vdr_value(&r);
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2025-01-15T09:30:00Z");
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "cpsf");
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), 6);
    let log4j = components.iter().find(|c| c["name"] == "org.apache.logging.log4j/log4j-core").unwrap();
    assert_eq!(log4j["purl"], "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_eq!(log4j["version"], "2.14.1");

    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), r.findings.len());
    let vuln = |id: &str| vulns.iter().find(|v| v["id"] == id).unwrap();

    let v = vuln("CVE-2021-44228");
    assert_eq!(
        v["source"],
        serde_json::json!({ "name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228" })
    );
    assert_eq!(
        v["references"],
        serde_json::json!([{ "id": "GHSA-jfh8-c2jp-5v3q", "source": { "name": "GitHub", "url": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q" } }])
    );
    assert_eq!(v["ratings"][0]["method"], "CVSSv31");
    assert_eq!(v["ratings"][0]["score"], 10.0);
    assert_eq!(v["ratings"][0]["severity"], "critical");
    assert_eq!(v["ratings"][0]["vector"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
    assert_eq!(v["description"], "Remote code injection in Log4j");
    assert_eq!(v["recommendation"], "Upgrade org.apache.logging.log4j/log4j-core to 2.15.0 or later.");
    // Advisory URLs and references that are URLs; the non-URL reference is left out.
    assert_eq!(
        v["advisories"],
        serde_json::json!([{ "url": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q" }, { "url": "https://logging.apache.org/log4j/2.x/security.html" }])
    );
    assert_eq!(
        v["affects"],
        serde_json::json!([{ "ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "versions": [{ "version": "2.14.1", "status": "affected" }] }])
    );
    assert_eq!(
        v["properties"],
        serde_json::json!([
            { "name": "cpsf:kev", "value": "2021-12-10" },
            { "name": "cpsf:epss", "value": "0.94358" },
            { "name": "cpsf:epss-percentile", "value": "0.99957" },
        ])
    );
    assert!(v.get("analysis").is_none());
    // A suppressed finding: its version is unaffected, and no upgrade is recommended.
    let suppressed = vuln("CVE-2021-23337");
    assert_eq!(suppressed["affects"][0]["versions"][0]["status"], "unaffected");
    assert!(suppressed.get("recommendation").is_none());

    // Sources by prefix: RustSec (the advisory's own URL wins), PyPA, Go; unknown prefixes get an empty source.
    let refs = &vuln("CVE-2020-26235")["references"];
    assert_eq!(
        refs[1],
        serde_json::json!({ "id": "RUSTSEC-2020-0071", "source": { "name": "RustSec", "url": "https://rustsec.org/advisories/RUSTSEC-2020-0071.html" } })
    );
    let refs = vuln("CVE-2023-43804")["references"].as_array().unwrap().clone();
    assert!(refs.contains(&serde_json::json!({ "id": "PYSEC-2023-192", "source": { "name": "PyPA" } })));
    assert!(refs.contains(&serde_json::json!({ "id": "JVNDB-2023-000000", "source": {} })));
    assert_eq!(
        vuln("GO-2023-1988")["source"],
        serde_json::json!({ "name": "Go", "url": "https://pkg.go.dev/vuln/GO-2023-1988" })
    );
    // A source's own rating word is method `other`, with no score.
    let low = &vuln("PYSEC-2021-108")["ratings"][0];
    assert_eq!(low, &serde_json::json!({ "source": { "name": "PyPA" }, "severity": "low", "method": "other" }));
    assert!(vuln("PYSEC-2021-108").get("recommendation").is_none());

    // Suppressed: OpenVEX justification mapped where CycloneDX has the same meaning, else only the detail.
    let go = &vuln("GO-2023-1988")["analysis"];
    assert_eq!(go["state"], "not_affected");
    assert_eq!(go["justification"], "code_not_reachable");
    let lodash = &vuln("CVE-2021-23337")["analysis"];
    assert_eq!(lodash["state"], "not_affected");
    assert!(lodash.get("justification").is_none());
    let detail = lodash["detail"].as_str().unwrap();
    assert!(
        detail.contains("vulnerable_code_cannot_be_controlled_by_adversary")
            && detail.contains("never built from user input"),
        "{detail}"
    );
}

#[test]
fn vdr_bom_refs_are_decoded_like_the_sbom_writer() {
    let mut all = findings();
    for f in &mut all {
        if f.component.name == "lodash" {
            f.component.bom_ref = "pkg:npm/%40scope/lodash@4.17.15".into();
            f.component.purl = "pkg:npm/%40scope/lodash@4.17.15".into();
        }
    }
    let r = ScanReport::with_comparator("t", DatabaseInfo::default(), 1, all, Vec::new(), |_, a, b| numeric(a, b));
    let bom = vdr_value(&r);
    assert!(cpsf_sbom::schema::validate_cyclonedx(&bom, CycloneDxVersion::V1_6).valid);
    let c = bom["components"].as_array().unwrap().iter().find(|c| c["name"] == "lodash").unwrap();
    assert_eq!(c["bom-ref"], "pkg:npm/@scope/lodash@4.17.15");
    assert_eq!(c["purl"], "pkg:npm/%40scope/lodash@4.17.15");
    let v = bom["vulnerabilities"].as_array().unwrap().iter().find(|v| v["id"] == "CVE-2020-8203").unwrap();
    assert_eq!(v["affects"][0]["ref"], "pkg:npm/@scope/lodash@4.17.15");
    assert_eq!(v["bom-ref"], "CVE-2020-8203/pkg:npm/@scope/lodash@4.17.15");
}
