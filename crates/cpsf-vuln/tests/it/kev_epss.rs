//! KEV and EPSS: the real CISA KEV catalog from the shared data, KEV documents with bad entries, and the EPSS CSV fixtures (regular and malformed).

use std::path::{Path, PathBuf};

use cpsf_vuln::Kev;
use cpsf_vuln::epss::parse_epss;
use cpsf_vuln::kev::parse_kev;

use crate::common;

fn shared_kev() -> Option<PathBuf> {
    common::shared("advisories/cisa-kev/known_exploited_vulnerabilities.json")
}

#[test]
fn real_kev_catalog() {
    let Some(path) = shared_kev() else { return };
    let bytes = std::fs::read(&path).unwrap();
    let catalog = parse_kev(&bytes, "known_exploited_vulnerabilities.json").unwrap();
    assert_eq!(catalog.catalog_version, "2025.08.25");
    assert_eq!(catalog.date_released, "2025-08-25T17:04:19.9796Z");
    assert_eq!(catalog.entries.len(), 1404);
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);

    let log4shell = catalog.entries.iter().find(|k| k.cve == "CVE-2021-44228").expect("Log4Shell is in the catalog");
    assert_eq!(
        *log4shell,
        Kev {
            cve: "CVE-2021-44228".into(),
            date_added: "2021-12-10".into(),
            due_date: Some("2021-12-24".into()),
            known_ransomware_campaign_use: Some("Known".into()),
            required_action: Some(
                "For all affected software assets for which updates exist, the only acceptable remediation \
                 actions are: 1) Apply updates; OR 2) remove affected assets from agency networks. Temporary \
                 mitigations using one of the measures provided at \
                 https://www.cisa.gov/uscert/ed-22-02-apache-log4j-recommended-mitigation-measures are only \
                 acceptable until updates are available."
                    .into()
            ),
        }
    );
    // File order is kept: the newest addition comes first.
    let first = &catalog.entries[0];
    assert_eq!(first.cve, "CVE-2025-48384");
    assert_eq!(first.date_added, "2025-08-25");
    assert_eq!(first.due_date.as_deref(), Some("2025-09-15"));
    assert_eq!(first.known_ransomware_campaign_use.as_deref(), Some("Unknown"));
    let known = catalog.entries.iter().filter(|k| k.known_ransomware_campaign_use.as_deref() == Some("Known")).count();
    assert_eq!(known, 293);
}

const KEV_HEAD: &str = r#"{"title": "t", "catalogVersion": "2025.01.02", "dateReleased": "2025-01-02T10:00:00.000Z""#;

#[test]
fn kev_bad_entries_are_warnings_and_the_rest_is_kept() {
    let doc = format!(
        r#"{KEV_HEAD}, "count": 9, "unknownTopLevel": true, "vulnerabilities": [
        {{"cveID": "CVE-2024-0001", "dateAdded": "2024-02-01", "dueDate": "2024-02-22",
          "knownRansomwareCampaignUse": "Unknown", "requiredAction": "Patch.", "vendorProject": "V", "futureField": [1]}},
        {{"dateAdded": "2024-02-01"}},
        {{"cveID": "GHSA-xxxx-yyyy-zzzz", "dateAdded": "2024-02-01"}},
        {{"cveID": 42, "dateAdded": "2024-02-01"}},
        {{"cveID": "CVE-2024-0002", "dateAdded": "01/02/2024"}},
        "CVE-2024-0003",
        {{"cveID": "CVE-2024-0004", "dateAdded": "2024-03-01", "dueDate": "2024-13-01",
          "knownRansomwareCampaignUse": 1, "requiredAction": "  "}},
        {{"cveID": "CVE-2024-0001", "dateAdded": "2024-05-01"}},
        {{"cveID": "CVE-2024-123456", "dateAdded": "2024-03-02", "dueDate": null}}
    ]}}"#
    );
    let catalog = parse_kev(doc.as_bytes(), "kev.json").unwrap();
    assert_eq!(catalog.catalog_version, "2025.01.02");
    let cves: Vec<&str> = catalog.entries.iter().map(|k| k.cve.as_str()).collect();
    assert_eq!(cves, ["CVE-2024-0001", "CVE-2024-0004", "CVE-2024-123456"]);
    assert_eq!(
        catalog.entries[0],
        Kev {
            cve: "CVE-2024-0001".into(),
            date_added: "2024-02-01".into(),
            due_date: Some("2024-02-22".into()),
            known_ransomware_campaign_use: Some("Unknown".into()),
            required_action: Some("Patch.".into()),
        }
    );
    assert_eq!(
        catalog.entries[1],
        Kev {
            cve: "CVE-2024-0004".into(),
            date_added: "2024-03-01".into(),
            due_date: None,
            known_ransomware_campaign_use: None,
            required_action: None,
        }
    );
    assert_eq!(
        catalog.warnings,
        [
            "kev.json: vulnerabilities[1]: no `cveID`; entry skipped",
            "kev.json: vulnerabilities[2].cveID: `GHSA-xxxx-yyyy-zzzz` is not a CVE id (CVE-YYYY-NNNN); entry skipped",
            "kev.json: vulnerabilities[3].cveID: expected a string, found a number; entry skipped",
            "kev.json: vulnerabilities[4].dateAdded (CVE-2024-0002): `01/02/2024` is not a date (YYYY-MM-DD); entry skipped",
            "kev.json: vulnerabilities[5]: expected an object, found a string; entry skipped",
            "kev.json: vulnerabilities[6].dueDate (CVE-2024-0004): `2024-13-01` is not a date (YYYY-MM-DD); field dropped",
            "kev.json: vulnerabilities[6].knownRansomwareCampaignUse (CVE-2024-0004): expected a string, found a number; field dropped",
            "kev.json: vulnerabilities[6].requiredAction (CVE-2024-0004): empty; field dropped",
            "kev.json: vulnerabilities[7]: CVE-2024-0001 is listed again; the first entry is kept",
        ]
    );
}

#[test]
fn kev_count_mismatch_is_a_warning() {
    let doc = format!(
        r#"{KEV_HEAD}, "count": 2, "vulnerabilities": [{{"cveID": "CVE-2024-0001", "dateAdded": "2024-02-01"}}]}}"#
    );
    let catalog = parse_kev(doc.as_bytes(), "kev.json").unwrap();
    assert_eq!(catalog.entries.len(), 1);
    assert_eq!(catalog.warnings, ["kev.json: `count` says 2, but `vulnerabilities` has 1 entries"]);
}

#[test]
fn kev_document_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "kev.json: not valid JSON"),
        ("{", "kev.json: not valid JSON"),
        ("[]", "kev.json: expected a JSON object (the KEV catalog), found an array"),
        (r#"{"dateReleased": "x", "vulnerabilities": []}"#, "kev.json: no `catalogVersion` (is this a KEV catalog?)"),
        (
            r#"{"catalogVersion": 2025, "dateReleased": "x", "vulnerabilities": []}"#,
            "kev.json: `catalogVersion` should be a string, found a number",
        ),
        (r#"{"catalogVersion": "1", "dateReleased": "x"}"#, "kev.json: no `vulnerabilities` array"),
        (
            r#"{"catalogVersion": "1", "dateReleased": "x", "vulnerabilities": {}}"#,
            "kev.json: `vulnerabilities` should be an array, found an object",
        ),
    ];
    for (doc, expected) in cases {
        let err = parse_kev(doc.as_bytes(), "kev.json").unwrap_err();
        assert!(err.starts_with(expected), "{doc}: {err}");
    }
    // Empty catalog is a catalog.
    let empty =
        parse_kev(br#"{"catalogVersion": "1", "dateReleased": "x", "vulnerabilities": []}"#, "kev.json").unwrap();
    assert!(empty.entries.is_empty() && empty.warnings.is_empty());
}

fn epss_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/epss").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn epss_regular_file() {
    let file = parse_epss(&epss_fixture("epss_scores-2025-08-25.csv"), "epss_scores-2025-08-25.csv").unwrap();
    assert_eq!(file.model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(file.score_date.as_deref(), Some("2025-08-25T00:00:00+0000"));
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert_eq!(file.scores.len(), 38);
    let first = &file.scores[0];
    assert_eq!(first.cve, "CVE-1999-0001");
    assert_eq!(first.score, 0.01141);
    assert_eq!(first.percentile, 0.77846);
    assert_eq!(first.date.as_deref(), Some("2025-08-25T00:00:00+0000"));
    let log4shell = file.scores.iter().find(|s| s.cve == "CVE-2021-44228").unwrap();
    assert_eq!((log4shell.score, log4shell.percentile), (0.94358, 0.99958));
    assert_eq!(file.scores.last().unwrap().cve, "CVE-2025-9999");
    assert!(file.scores.iter().all(|s| s.date.as_deref() == Some("2025-08-25T00:00:00+0000")));
}

#[test]
fn epss_without_comment_or_header() {
    let file = parse_epss(&epss_fixture("no_comment.csv"), "no_comment.csv").unwrap();
    assert_eq!((file.model_version, file.score_date), (None, None));
    assert_eq!(file.scores.len(), 5);
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert!(file.scores.iter().all(|s| s.date.is_none()));

    let file = parse_epss(&epss_fixture("no_header.csv"), "no_header.csv").unwrap();
    assert_eq!(file.scores.len(), 4);
    assert_eq!(file.scores[3].cve, "CVE-2010-2568");
    assert_eq!(file.warnings, ["no_header.csv:1: no `cve,epss,percentile` header; reading the columns in that order"]);
}

#[test]
fn epss_columns_by_header_name_with_bom_and_crlf() {
    let file = parse_epss(&epss_fixture("reordered_crlf.csv"), "r.csv").unwrap();
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert_eq!(file.score_date.as_deref(), Some("2025-08-24T00:00:00+0000"));
    assert_eq!(file.model_version.as_deref(), Some("v2025.03.14"));
    let rows: Vec<(&str, f64, f64)> = file.scores.iter().map(|s| (s.cve.as_str(), s.score, s.percentile)).collect();
    assert_eq!(
        rows,
        [
            ("CVE-2021-44228", 0.94358, 0.99958),
            ("CVE-1999-0001", 0.01141, 0.77846),
            ("CVE-2006-3581", 0.00471, 0.63480),
        ]
    );
}

#[test]
fn epss_bad_rows_are_warnings_with_line_numbers() {
    let file = parse_epss(&epss_fixture("malformed.csv"), "malformed.csv").unwrap();
    let rows: Vec<(&str, f64, f64)> = file.scores.iter().map(|s| (s.cve.as_str(), s.score, s.percentile)).collect();
    assert_eq!(
        rows,
        [("CVE-2021-44228", 0.94358, 0.99958), ("CVE-2014-0160", 0.94476, 0.99988), ("CVE-2017-5638", 1.0, 0.0),]
    );
    assert_eq!(
        file.warnings,
        [
            "malformed.csv:4: epss `1.2` is outside 0..=1; row skipped",
            "malformed.csv:5: percentile `-0.01` is outside 0..=1; row skipped",
            "malformed.csv:6: epss `abc` is not a number; row skipped",
            "malformed.csv:7: 2 field(s), expected at least 3; row skipped",
            "malformed.csv:8: `cve-2022-0005` is not a CVE id (CVE-YYYY-NNNN); row skipped",
            "malformed.csv:9: `CVE-22-0006` is not a CVE id (CVE-YYYY-NNNN); row skipped",
            "malformed.csv:10: epss `NaN` is outside 0..=1; row skipped",
            "malformed.csv:11: percentile `inf` is outside 0..=1; row skipped",
            "malformed.csv:13: CVE-2021-44228 is listed again; the first row is kept",
            "malformed.csv:15: comment line after the header; ignored",
            "malformed.csv:16: epss `` is not a number; row skipped",
        ]
    );
}

#[test]
fn epss_file_errors_and_edge_cases() {
    let err = parse_epss(&epss_fixture("bad_header.csv"), "bad_header.csv").unwrap_err();
    assert_eq!(err, "bad_header.csv:2: header `cve,score` lacks one of the columns cve, epss, percentile");
    let err = parse_epss(&epss_fixture("comment_only.csv"), "c.csv").unwrap_err();
    assert_eq!(err, "c.csv: no `cve,epss,percentile` header and no rows");
    assert_eq!(parse_epss("", "e.csv").unwrap_err(), "e.csv: empty, expected an EPSS CSV");
    assert_eq!(parse_epss("\n \n", "e.csv").unwrap_err(), "e.csv: empty, expected an EPSS CSV");

    let file = parse_epss(&epss_fixture("header_only.csv"), "h.csv").unwrap();
    assert!(file.scores.is_empty());
    assert_eq!(file.model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(file.warnings, ["h.csv:1: comment `broken` is not `key:value`; ignored"]);
}
