//! VEX: reading OpenVEX, CycloneDX (JSON and XML) and CSAF 2.0 VEX fixtures, applying statements to findings,
//! precedence, malformed documents, and the OpenVEX/CycloneDX writers read back and schema-checked.

use std::path::PathBuf;

use cpsf_vuln::vex::{self, VexDocument, VexError, VexStatement, VexStatus, write};
use cpsf_vuln::{AffectedComponent, Finding, Rating, Score, ScoreMethod, Suppression};

use crate::common;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/vex").join(name)
}

fn read(name: &str) -> VexDocument {
    let bytes = std::fs::read(data(name)).unwrap();
    match vex::read(&bytes, name) {
        Ok(doc) => doc,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn read_err(name: &str) -> VexError {
    let bytes = std::fs::read(data(name)).unwrap();
    match vex::read(&bytes, name) {
        Ok(doc) => panic!("{name}: expected an error, read {doc:?}"),
        Err(e) => e,
    }
}

/// A finding of `id` (with `aliases`) on the component with this purl (its bom-ref is the purl without qualifiers).
fn finding(id: &str, aliases: &[&str], purl: &str) -> Finding {
    let base = purl.split(['?', '#']).next().unwrap_or(purl);
    let (name_part, version) = base.rsplit_once('@').unwrap_or((base, ""));
    let name = name_part.rsplit('/').next().unwrap_or(name_part);
    let mut all: Vec<String> = aliases.iter().map(|a| a.to_string()).collect();
    all.push(id.to_owned());
    all.sort();
    Finding {
        id: id.to_owned(),
        aliases: all,
        component: AffectedComponent {
            bom_ref: base.to_owned(),
            name: name.to_owned(),
            version: version.to_owned(),
            purl: purl.to_owned(),
            ecosystem: String::new(),
            locations: Vec::new(),
            scope: None,
            direct: None,
        },
        summary: None,
        severity: Rating::Unknown,
        cvss_score: None,
        scores: Vec::new(),
        advisories: Vec::new(),
        fixed_version: None,
        kev: None,
        epss: None,
        references: Vec::new(),
        suppression: None,
    }
}

fn statement_about<'a>(doc: &'a VexDocument, id: &str) -> Vec<&'a VexStatement> {
    doc.statements.iter().filter(|s| s.vulnerabilities.iter().any(|v| v == id)).collect()
}

fn suppression(status: &str, source: &str, justification: Option<&str>, impact: Option<&str>) -> Option<Suppression> {
    Some(Suppression {
        source: source.to_owned(),
        status: status.to_owned(),
        justification: justification.map(str::to_owned),
        impact_statement: impact.map(str::to_owned),
    })
}

#[test]
fn openvex_0_2_0_statements() {
    let doc = read("openvex-0.2.0.json");
    assert_eq!(doc.format, "OpenVEX");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.statements.len(), 7);

    let [http2] = statement_about(&doc, "CVE-2023-44487")[..] else { panic!() };
    assert_eq!(
        http2.vulnerabilities,
        [
            "CVE-2023-44487",
            "https://nvd.nist.gov/vuln/detail/CVE-2023-44487",
            "GHSA-qppj-fm5r-hxr3",
            "GHSA-4374-p667-p6c8"
        ]
    );
    // The product has subcomponents: the statement is about them, not about the image.
    assert_eq!(http2.products, ["pkg:golang/golang.org/x/net@v0.15.0"]);
    assert_eq!(http2.status, VexStatus::NotAffected);
    assert_eq!(http2.justification.as_deref(), Some("vulnerable_code_not_in_execute_path"));
    assert!(http2.impact_statement.as_deref().unwrap().starts_with("The agent only speaks HTTP/1.1"));
    assert_eq!(http2.source, "openvex-0.2.0.json");
    assert_eq!(http2.timestamp.as_deref(), Some("2024-03-01T09:00:00Z"));

    let [lodash] = statement_about(&doc, "GHSA-35jh-r3h4-6jhm")[..] else { panic!() };
    assert_eq!(lodash.products, ["https://example.com/products/hmi-web", "pkg:npm/lodash"]);

    let [h2] = statement_about(&doc, "RUSTSEC-2024-0003")[..] else { panic!() };
    assert_eq!(h2.status, VexStatus::Affected);
    assert_eq!(h2.action_statement.as_deref(), Some("Upgrade h2 to 0.3.24 or later."));

    // A statement without its own time takes the document's.
    let [urllib3] = statement_about(&doc, "CVE-2023-45803")[..] else { panic!() };
    assert_eq!(urllib3.timestamp.as_deref(), Some("2024-03-01T09:00:00Z"));
    assert_eq!(urllib3.status, VexStatus::Fixed);

    // Ordered by time: the older not_affected about requests comes before the newer affected, although the
    // document lists them the other way round.
    let requests = statement_about(&doc, "CVE-2024-35195");
    assert_eq!(requests.iter().map(|s| s.status).collect::<Vec<_>>(), [VexStatus::NotAffected, VexStatus::Affected]);
    let times: Vec<&str> = doc.statements.iter().map(|s| s.timestamp.as_deref().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[test]
fn openvex_applied_to_findings() {
    let doc = read("openvex-0.2.0.json");
    let mut findings = vec![
        finding("CVE-2023-44487", &["GHSA-qppj-fm5r-hxr3"], "pkg:golang/golang.org/x/net@v0.15.0"),
        finding("CVE-2023-44487", &[], "pkg:golang/golang.org/x/net@v0.17.0"),
        finding("CVE-2023-44487", &[], "pkg:oci/gateway-agent@sha256%3A4b3c2a"),
        // Found by its alias, in upper case; a version-less product purl covers every version.
        finding("CVE-2021-23337", &["GHSA-35JH-R3H4-6JHM"], "pkg:npm/lodash@4.17.20"),
        finding("CVE-2021-23337", &["GHSA-35jh-r3h4-6jhm"], "pkg:npm/lodash-es@4.17.20"),
        finding("RUSTSEC-2024-0003", &["CVE-2023-50782"], "pkg:cargo/h2@0.3.21"),
        finding("CVE-2024-35195", &[], "pkg:pypi/requests@2.31.0"),
        // The statement's purl has a qualifier, the component's none: qualifiers are not compared.
        finding("PYSEC-2023-212", &["CVE-2023-45803"], "pkg:pypi/urllib3@2.0.7"),
        finding("CVE-2023-45803", &[], "pkg:pypi/urllib3@2.0.6"),
        finding("CVE-2024-0001", &[], "pkg:maven/org.example/telemetry-core@1.4.2"),
    ];
    // An earlier suppression of a finding that an applying `affected` statement now covers is lifted.
    findings[5].suppression = suppression("not_affected", "old.json", None, Some("old"));
    vex::apply(&mut findings, &doc.statements);
    let source = "openvex-0.2.0.json";
    assert_eq!(
        findings[0].suppression,
        suppression(
            "not_affected",
            source,
            Some("vulnerable_code_not_in_execute_path"),
            Some("The agent only speaks HTTP/1.1 to the field bus gateway; the HTTP/2 server is never started.")
        )
    );
    assert_eq!(findings[1].suppression, None, "another version of x/net");
    assert_eq!(findings[2].suppression, None, "the image itself is not the subcomponent");
    assert_eq!(
        findings[3].suppression.as_ref().unwrap().justification.as_deref(),
        Some("vulnerable_code_cannot_be_controlled_by_adversary")
    );
    assert_eq!(findings[4].suppression, None, "lodash-es is not lodash");
    assert_eq!(findings[5].suppression, None, "affected");
    assert_eq!(findings[6].suppression, None, "the later affected statement wins over the earlier not_affected");
    assert_eq!(findings[7].suppression, suppression("fixed", source, None, None));
    assert_eq!(findings[8].suppression, None);
    assert_eq!(findings[9].suppression, None, "under investigation");
}

#[test]
fn openvex_0_0_x_spellings() {
    let doc = read("openvex-0.0.2.json");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.statements.len(), 2);
    let text = &doc.statements[0];
    assert_eq!(text.vulnerabilities, ["CVE-2022-32149"]);
    assert_eq!(text.products, ["pkg:golang/golang.org/x/text@v0.3.7"]);
    assert_eq!(text.justification.as_deref(), Some("vulnerable_code_not_present"));
    assert_eq!(text.timestamp.as_deref(), Some("2023-06-12T12:00:00-04:00"));
    let log4j = &doc.statements[1];
    assert_eq!(log4j.products, ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]);
    assert_eq!(log4j.status, VexStatus::Fixed);

    let mut findings = vec![finding("GO-2022-1059", &["CVE-2022-32149"], "pkg:golang/golang.org/x/text@v0.3.7")];
    vex::apply(&mut findings, &doc.statements);
    assert_eq!(findings[0].suppression.as_ref().unwrap().status, "not_affected");
}

#[test]
fn cyclonedx_json_statements() {
    let doc = read("cyclonedx-1.5.vex.json");
    assert_eq!(doc.format, "CycloneDX 1.5 JSON");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert_eq!(doc.statements.len(), 6);

    let [jackson] = statement_about(&doc, "CVE-2022-42003")[..] else { panic!() };
    assert_eq!(jackson.vulnerabilities, ["CVE-2022-42003", "GHSA-jjjh-jjxp-wpff"]);
    // The bom-ref, and the purl of the component it names.
    assert_eq!(jackson.products, ["jackson-databind", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4"]);
    assert_eq!(jackson.status, VexStatus::NotAffected);
    assert_eq!(jackson.justification.as_deref(), Some("code_not_reachable"));
    assert!(jackson.impact_statement.as_deref().unwrap().starts_with("UNWRAP_SINGLE_VALUE_ARRAYS"));
    assert_eq!(jackson.timestamp.as_deref(), Some("2024-04-09T00:00:00Z"));

    let [logback] = statement_about(&doc, "CVE-2023-6378")[..] else { panic!() };
    assert_eq!(logback.status, VexStatus::Fixed);
    assert_eq!(logback.products, ["pkg:maven/ch.qos.logback/logback-classic@1.2.13"]);
    assert_eq!(logback.timestamp.as_deref(), Some("2024-04-10T07:15:00Z"));

    // A BOM-Link names a bom-ref of another BOM; its fragment is URL-encoded.
    let [snakeyaml] = statement_about(&doc, "CVE-2022-1471")[..] else { panic!() };
    assert_eq!(snakeyaml.products, ["pkg:maven/org.yaml/snakeyaml@1.33"]);
    assert_eq!(snakeyaml.status, VexStatus::NotAffected);
    assert_eq!(snakeyaml.justification.as_deref(), Some("false_positive"));

    // A component nested in another is found too.
    let [netty] = statement_about(&doc, "CVE-2023-44487")[..] else { panic!() };
    assert_eq!(netty.products, ["netty-handler", "pkg:maven/io.netty/netty-handler@4.1.94.Final"]);
    assert_eq!(netty.justification.as_deref(), Some("requires_configuration"));

    let [log4j] = statement_about(&doc, "CVE-2021-44228")[..] else { panic!() };
    assert_eq!(log4j.status, VexStatus::Affected);
    assert_eq!(log4j.action_statement.as_deref(), Some("Upgrade log4j-core to 2.17.1."));

    let [spring] = statement_about(&doc, "CVE-2024-22259")[..] else { panic!() };
    assert_eq!(spring.status, VexStatus::UnderInvestigation);
}

#[test]
fn cyclonedx_applied_by_purl_and_by_bom_ref() {
    let doc = read("cyclonedx-1.5.vex.json");
    let mut by_ref = finding("CVE-2023-44487", &[], "");
    by_ref.component.bom_ref = "netty-handler".into();
    let mut findings = vec![
        finding(
            "GHSA-jjjh-jjxp-wpff",
            &["CVE-2022-42003"],
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
        ),
        finding("CVE-2022-42003", &[], "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.5"),
        finding("CVE-2022-1471", &[], "pkg:maven/org.yaml/snakeyaml@1.33?type=jar"),
        by_ref,
        finding("CVE-2021-44228", &[], "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
    ];
    vex::apply(&mut findings, &doc.statements);
    let source = "cyclonedx-1.5.vex.json";
    assert_eq!(
        findings[0].suppression,
        suppression(
            "not_affected",
            source,
            Some("code_not_reachable"),
            Some(
                "UNWRAP_SINGLE_VALUE_ARRAYS is never enabled; the historian's ObjectMapper is built once with defaults."
            )
        )
    );
    assert_eq!(findings[1].suppression, None);
    assert_eq!(findings[2].suppression.as_ref().unwrap().justification.as_deref(), Some("false_positive"));
    assert_eq!(findings[3].suppression.as_ref().unwrap().justification.as_deref(), Some("requires_configuration"));
    assert_eq!(findings[4].suppression, None);
}

#[test]
fn cyclonedx_xml_statements() {
    let doc = read("cyclonedx-1.6.vex.xml");
    assert_eq!(doc.format, "CycloneDX 1.6 XML");
    let [zlib] = &doc.statements[..] else { panic!("{doc:?}") };
    assert_eq!(zlib.vulnerabilities, ["CVE-2023-45853"]);
    assert_eq!(zlib.products, ["zlib", "pkg:generic/zlib@1.2.13"]);
    assert_eq!(zlib.status, VexStatus::NotAffected);
    assert_eq!(zlib.justification.as_deref(), Some("code_not_present"));
    assert_eq!(zlib.impact_statement.as_deref(), Some("minizip is not built; only the core library is shipped."));
    assert_eq!(zlib.timestamp.as_deref(), Some("2024-05-02T12:00:00Z"));
}

#[test]
fn csaf_statements() {
    let doc = read("csaf-2.0-vex.json");
    assert_eq!(doc.format, "CSAF 2.0");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let time = Some("2024-04-17T08:00:00+00:00");

    let openssl = statement_about(&doc, "CVE-2024-0727");
    let [not_affected, fixed] = openssl[..] else { panic!("{openssl:?}") };
    // `edge-gateway-4:openssl` is a relationship: it stands for the component `openssl` and its purl.
    assert_eq!(not_affected.products, ["pkg:deb/debian/openssl?distro=debian-12"]);
    assert_eq!(not_affected.status, VexStatus::NotAffected);
    assert_eq!(not_affected.justification.as_deref(), Some("vulnerable_code_not_in_execute_path"));
    // The impact threat naming the product, not the document-wide severity threat.
    assert_eq!(
        not_affected.impact_statement.as_deref(),
        Some("The gateway never loads PKCS12 files; certificates are provisioned as PEM.")
    );
    assert_eq!(not_affected.timestamp.as_deref(), time);
    assert_eq!(fixed.products, ["pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64"]);
    assert_eq!(fixed.status, VexStatus::Fixed);
    assert_eq!(fixed.justification, None);
    assert_eq!(fixed.action_statement.as_deref(), Some("Fixed in Edge Gateway 5.0.3 (openssl 3.0.13-1~deb12u1)."));

    // Flags and threats through a product group; both gateways' libxml2 share one purl and one statement.
    let [libxml2] = statement_about(&doc, "CVE-2024-25062")[..] else { panic!() };
    assert_eq!(libxml2.products, ["pkg:deb/debian/libxml2"]);
    assert_eq!(libxml2.justification.as_deref(), Some("vulnerable_code_not_present"));
    assert_eq!(libxml2.impact_statement.as_deref(), Some("libxml2 is built without the xmlreader API."));

    let [busybox] = statement_about(&doc, "CVE-2022-48174")[..] else { panic!() };
    assert_eq!(busybox.status, VexStatus::Affected);
    assert_eq!(busybox.products, ["pkg:deb/debian/busybox@1.35.0-4"]);
    assert_eq!(
        busybox.action_statement.as_deref(),
        Some("Edge Gateway 4 is out of support; migrate to Edge Gateway 5.")
    );

    let [shipper] = statement_about(&doc, "GHSA-9wv6-86v2-598j")[..] else { panic!() };
    assert_eq!(shipper.status, VexStatus::UnderInvestigation);
    assert_eq!(shipper.products, ["pkg:npm/%40example/log-shipper@2.3.0"]);

    // No purl: the product name stands in. `recommended` gives no statement.
    let [updater] = statement_about(&doc, "CVE-2024-3094")[..] else { panic!() };
    assert_eq!(updater.products, ["Field firmware updater 1.0"]);
    assert_eq!(updater.justification.as_deref(), Some("component_not_present"));
    assert_eq!(doc.statements.len(), 6);
}

#[test]
fn csaf_applied_to_findings() {
    let doc = read("csaf-2.0-vex.json");
    let mut findings = vec![
        finding("CVE-2024-0727", &[], "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"),
        // Both the version-less not_affected and the fixed statement apply; the fixed one comes later.
        finding("CVE-2024-0727", &[], "pkg:deb/debian/openssl@3.0.13-1~deb12u1"),
        finding("CVE-2024-25062", &[], "pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1"),
        finding("CVE-2022-48174", &[], "pkg:deb/debian/busybox@1.35.0-4"),
        finding("GHSA-9wv6-86v2-598j", &[], "pkg:npm/%40example/log-shipper@2.3.0"),
    ];
    vex::apply(&mut findings, &doc.statements);
    assert_eq!(findings[0].suppression.as_ref().unwrap().status, "not_affected");
    assert_eq!(findings[1].suppression.as_ref().unwrap().status, "fixed");
    assert_eq!(
        findings[2].suppression,
        suppression(
            "not_affected",
            "csaf-2.0-vex.json",
            Some("vulnerable_code_not_present"),
            Some("libxml2 is built without the xmlreader API.")
        )
    );
    assert_eq!(findings[3].suppression, None);
    assert_eq!(findings[4].suppression, None);
}

#[test]
fn the_last_document_wins() {
    let bytes = |status: &str, justification: &str| {
        format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z",
               "statements": [{{"vulnerability": {{"name": "CVE-2024-1111"}}, "products": [{{"@id": "pkg:npm/left-pad"}}],
               "status": "{status}"{justification}}}]}}"#
        )
    };
    let first =
        vex::read(bytes("not_affected", r#", "justification": "component_not_present""#).as_bytes(), "first.json")
            .unwrap()
            .statements;
    // Older by its timestamp, but given later: the later document still wins.
    let second =
        vex::read(bytes("affected", r#", "action_statement": "update""#).as_bytes(), "second.json").unwrap().statements;
    let mut findings = vec![finding("CVE-2024-1111", &[], "pkg:npm/left-pad@1.3.0")];
    vex::apply(&mut findings, &[first.clone(), second.clone()].concat());
    assert_eq!(findings[0].suppression, None);
    vex::apply(&mut findings, &[second, first].concat());
    assert_eq!(findings[0].suppression, suppression("not_affected", "first.json", Some("component_not_present"), None));
}

#[test]
fn ids_compare_without_case_only_for_cve_and_ghsa() {
    assert!(vex::same_id("cve-2024-0001", "CVE-2024-0001"));
    assert!(vex::same_id("ghsa-abcd-efgh-ijkl", "GHSA-ABCD-EFGH-IJKL"));
    assert!(!vex::same_id("rustsec-2024-0001", "RUSTSEC-2024-0001"));
    assert!(!vex::same_id("CVE-2024-0001", "CVE-2024-00011"));
    assert!(!vex::same_id("é", "É"));
}

#[test]
fn malformed_documents_are_errors_naming_file_and_field() {
    let e = read_err("malformed/truncated.json");
    assert!(matches!(e, VexError::Json { line: 4, .. }), "{e:?}");
    assert!(e.to_string().starts_with("malformed/truncated.json: line 4: invalid JSON"), "{e}");

    let e = read_err("malformed/spdx-not-vex.json");
    assert!(matches!(e, VexError::UnknownFormat { .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("malformed/spdx-not-vex.json") && message.contains("spdxVersion"), "{message}");

    let e = read_err("malformed/openvex-statements-object.json");
    assert_eq!(
        e.to_string(),
        "malformed/openvex-statements-object.json: `statements`: expected an array of statements, found a object"
    );

    let e = read_err("malformed/cyclonedx-vulnerabilities-string.json");
    assert!(matches!(&e, VexError::Malformed { field, .. } if field == "vulnerabilities"), "{e:?}");
    let e = read_err("malformed/csaf-vulnerabilities-object.json");
    assert!(matches!(&e, VexError::Malformed { field, .. } if field == "vulnerabilities"), "{e:?}");

    let e = vex::read(b"{\"a\": \"\xff\"}", "bytes.json").unwrap_err();
    assert!(matches!(e, VexError::NotText { .. }), "{e:?}");
    let e = vex::read(b"[1, 2]", "array.json").unwrap_err();
    assert!(e.to_string().contains("found a JSON array"), "{e}");
    let e = vex::read(b"<html><body/></html>", "page.html").unwrap_err();
    assert!(e.to_string().starts_with("page.html: `bom`:"), "{e}");
}

fn warning_messages(doc: &VexDocument) -> Vec<String> {
    doc.warnings.iter().map(|w| w.message.clone()).collect()
}

#[test]
fn malformed_statements_are_warnings() {
    let doc = read("malformed/openvex-bad-statements.json");
    let ids: Vec<&str> = doc.statements.iter().map(|s| s.vulnerabilities[0].as_str()).collect();
    assert_eq!(ids, ["CVE-2024-0006", "CVE-2024-0001"], "an unreadable time orders first");
    let messages = warning_messages(&doc);
    assert_eq!(messages.len(), 7, "{messages:#?}");
    assert!(messages[0].starts_with("/statements/1: no `vulnerability`"), "{messages:#?}");
    assert!(messages[1].contains("`status` is `wont_fix`"), "{messages:#?}");
    assert!(messages[2].contains("`products`: expected an array, found a number"), "{messages:#?}");
    assert!(messages[3].starts_with("/statements/4: no product"), "{messages:#?}");
    assert!(messages[4].starts_with("/statements/5: expected an object, found a string"), "{messages:#?}");
    assert!(messages[5].starts_with("/statements/6: `vulnerability` has neither"), "{messages:#?}");
    assert!(messages[6].contains("timestamp `last tuesday` is not an RFC 3339"), "{messages:#?}");
    assert!(doc.warnings.iter().all(|w| w.path == "malformed/openvex-bad-statements.json"));

    let doc = read("malformed/cyclonedx-bad-entries.json");
    assert_eq!(doc.statements.len(), 1);
    let messages = warning_messages(&doc);
    assert_eq!(messages.len(), 6, "{messages:#?}");
    assert!(messages[0].starts_with("/vulnerabilities/1: `analysis.state` is `wont_fix`"), "{messages:#?}");
    assert!(messages[1].starts_with("/vulnerabilities/2: no `affects[].ref`"), "{messages:#?}");
    assert!(messages[2].starts_with("/vulnerabilities/3: no `id`"), "{messages:#?}");
    assert!(messages[3].starts_with("/vulnerabilities/4: no `analysis`"), "{messages:#?}");
    assert!(messages[4].starts_with("/vulnerabilities/5: no `affects[].ref`"), "{messages:#?}");
    assert!(messages[5].starts_with("/vulnerabilities/6: expected an object"), "{messages:#?}");

    let doc = read("malformed/csaf-bad-entries.json");
    let [kept] = &doc.statements[..] else { panic!("{doc:?}") };
    assert_eq!(kept.products, ["pkg:npm/left-pad@1.3.0"]);
    assert_eq!(kept.justification.as_deref(), Some("component_not_present"));
    let messages = warning_messages(&doc);
    assert_eq!(messages.len(), 5, "{messages:#?}");
    assert!(messages[0].contains("product id `P-MISSING` is not in the product tree"), "{messages:#?}");
    assert!(messages[1].starts_with("/vulnerabilities/1: neither `cve` nor `ids[].text`"), "{messages:#?}");
    assert!(messages[2].starts_with("/vulnerabilities/2/product_status/fixed: expected an array"), "{messages:#?}");
    assert!(messages[3].starts_with("/vulnerabilities/3: no `product_status`"), "{messages:#?}");
    assert!(messages[4].starts_with("/vulnerabilities/4: expected an object, found a string"), "{messages:#?}");
}

const FIXTURES: &[&str] = &[
    "openvex-0.2.0.json",
    "openvex-0.0.2.json",
    "cyclonedx-1.5.vex.json",
    "cyclonedx-1.6.vex.xml",
    "csaf-2.0-vex.json",
];

#[test]
fn truncated_fixtures_never_panic() {
    for name in FIXTURES {
        let bytes = std::fs::read(data(name)).unwrap();
        for cut in (0..bytes.len()).step_by(13) {
            let _ = vex::read(&bytes[..cut], name);
        }
    }
}

/// What the fuzz target does, on fixtures with one byte replaced: read, apply to findings made from the
/// statements, write both formats, read those back.
#[test]
fn mutated_fixtures_read_apply_write_and_read_back() {
    let mut documents_read = 0;
    for name in FIXTURES {
        let original = std::fs::read(data(name)).unwrap();
        for at in (0..original.len()).step_by(19) {
            for replacement in [b'"', b'{', b']', b'0', b'%', b' '] {
                let mut bytes = original.clone();
                bytes[at] = replacement;
                let Ok(doc) = vex::read(&bytes, name) else { continue };
                documents_read += 1;
                let mut findings: Vec<Finding> = doc
                    .statements
                    .iter()
                    .filter_map(|s| {
                        let product = s.products.first()?;
                        let mut f = finding(s.vulnerabilities.first()?, &[], product);
                        f.aliases = s.vulnerabilities.clone();
                        f.component.bom_ref = product.clone();
                        Some(f)
                    })
                    .collect();
                vex::apply(&mut findings, &doc.statements);
                let openvex = write::openvex(&findings, "t", "2024-01-01T00:00:00Z", "https://example.invalid/v");
                vex::read(openvex.to_string().as_bytes(), "openvex").unwrap();
                let cdx = write::cyclonedx(
                    &findings,
                    "2024-01-01T00:00:00Z",
                    "urn:uuid:00000000-0000-4000-8000-000000000000",
                );
                vex::read(cdx.to_string().as_bytes(), "cdx").unwrap();
            }
        }
    }
    assert!(documents_read > 100, "{documents_read}");
}

/// Findings as a scan would give them: some suppressed by each kind of VEX, one open.
fn triage_findings() -> Vec<Finding> {
    let mut open = finding("CVE-2024-35195", &["GHSA-9wx4-h78v-vm56"], "pkg:pypi/requests@2.31.0");
    open.summary =
        Some("Requests Session object does not verify requests after making first request with verify=False".into());
    open.severity = Rating::Medium;
    open.cvss_score = Some(5.6);
    open.scores = vec![
        Score {
            method: ScoreMethod::CvssV31,
            vector: Some("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N".into()),
            score: Some(5.6),
            rating: Rating::Medium,
            source: "GHSA-9wx4-h78v-vm56".into(),
        },
        Score {
            method: ScoreMethod::Source,
            vector: None,
            score: None,
            rating: Rating::Medium,
            source: "GHSA-9wx4-h78v-vm56".into(),
        },
    ];
    let mut openvex_suppressed = finding("CVE-2021-23337", &["GHSA-35jh-r3h4-6jhm"], "pkg:npm/%40scope/lodash@4.17.20");
    openvex_suppressed.suppression = suppression(
        "not_affected",
        "product.openvex.json",
        Some("vulnerable_code_cannot_be_controlled_by_adversary"),
        Some("template() is only called with constant strings."),
    );
    let mut cdx_suppressed = finding(
        "CVE-2022-42003",
        &["GHSA-jjjh-jjxp-wpff"],
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
    );
    cdx_suppressed.suppression = suppression("not_affected", "vendor.cdx.json", Some("code_not_reachable"), None);
    let mut fixed = finding("CVE-2023-45803", &[], "pkg:pypi/urllib3@2.0.7");
    fixed.suppression = suppression("fixed", "vendor.csaf.json", None, None);
    let mut bare = finding("CVE-2024-3094", &[], "pkg:deb/debian/xz-utils@5.4.1-0.2?arch=amd64");
    bare.suppression = suppression("not_affected", "vendor.csaf.json", None, None);
    let mut free_text = finding("CVE-2022-1471", &[], "pkg:maven/org.yaml/snakeyaml@1.33");
    free_text.suppression =
        suppression("not_affected", "vendor.cdx.json", Some("false_positive"), Some("wrong project"));
    vec![open, openvex_suppressed, cdx_suppressed, fixed, bare, free_text]
}

/// Suppressions as the written document gives them back, for comparison with the originals.
fn reapplied(written: &serde_json::Value, name: &str) -> Vec<Option<Suppression>> {
    let doc = vex::read(written.to_string().as_bytes(), name).unwrap();
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let mut fresh = triage_findings();
    for f in &mut fresh {
        f.suppression = None;
    }
    vex::apply(&mut fresh, &doc.statements);
    fresh.into_iter().map(|f| f.suppression).collect()
}

#[test]
fn openvex_written_and_read_back() {
    let findings = triage_findings();
    let written = write::openvex(&findings, "Example PSIRT", "2024-06-01T00:00:00Z", "https://vex.example.com/cpsf/1");
    assert_eq!(written["@context"], "https://openvex.dev/ns/v0.2.0");
    let statements = written["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 6);
    let open = statements.iter().find(|s| s["vulnerability"]["name"] == "CVE-2024-35195").unwrap();
    assert_eq!(open["status"], "under_investigation");
    assert_eq!(open["vulnerability"]["aliases"], serde_json::json!(["GHSA-9wx4-h78v-vm56"]));
    assert_eq!(open["products"], serde_json::json!([{ "@id": "pkg:pypi/requests@2.31.0" }]));
    // A CycloneDX justification becomes the OpenVEX label; one with no OpenVEX label becomes the impact statement.
    let jackson = statements.iter().find(|s| s["vulnerability"]["name"] == "CVE-2022-42003").unwrap();
    assert_eq!(jackson["justification"], "vulnerable_code_not_in_execute_path");
    let snakeyaml = statements.iter().find(|s| s["vulnerability"]["name"] == "CVE-2022-1471").unwrap();
    assert_eq!(snakeyaml.get("justification"), None);
    assert_eq!(snakeyaml["impact_statement"], "false_positive: wrong project");
    // not_affected needs a justification or an impact statement: the writer says none was given.
    let xz = statements.iter().find(|s| s["vulnerability"]["name"] == "CVE-2024-3094").unwrap();
    assert_eq!(xz["impact_statement"], "Not affected according to vendor.csaf.json, which gives no justification.");

    let back = reapplied(&written, "written.openvex.json");
    let source = "written.openvex.json";
    assert_eq!(back[0], None);
    assert_eq!(
        back[1],
        suppression(
            "not_affected",
            source,
            Some("vulnerable_code_cannot_be_controlled_by_adversary"),
            Some("template() is only called with constant strings.")
        )
    );
    assert_eq!(back[2], suppression("not_affected", source, Some("vulnerable_code_not_in_execute_path"), None));
    assert_eq!(back[3], suppression("fixed", source, None, None));
    assert!(back[4].as_ref().is_some_and(|s| s.status == "not_affected"));
    assert_eq!(back[5], suppression("not_affected", source, None, Some("false_positive: wrong project")));
}

#[test]
fn cyclonedx_written_validates_and_reads_back() {
    let findings = triage_findings();
    let written = write::cyclonedx(&findings, "2024-06-01T00:00:00Z", "urn:uuid:5b0b5c2e-7f39-4f7e-9d6a-0b8f0f6b1c2d");
    let report = cpsf_sbom::schema::validate_cyclonedx(&written, cpsf_sbom::CycloneDxVersion::V1_6);
    assert!(report.valid, "{:#?}\n{written:#}", report.errors);

    let vulnerabilities = written["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulnerabilities.len(), 6);
    let components = written["components"].as_array().unwrap();
    assert_eq!(components.len(), 6);
    // bom-refs are written as cpsf writes them in SBOMs (`%40` decoded), and affects points at them.
    let lodash = vulnerabilities.iter().find(|v| v["id"] == "CVE-2021-23337").unwrap();
    assert_eq!(lodash["affects"], serde_json::json!([{ "ref": "pkg:npm/@scope/lodash@4.17.20" }]));
    assert!(
        components
            .iter()
            .any(|c| c["bom-ref"] == "pkg:npm/@scope/lodash@4.17.20" && c["purl"] == "pkg:npm/%40scope/lodash@4.17.20")
    );
    assert_eq!(lodash["analysis"]["justification"], "requires_environment");
    assert_eq!(
        lodash["references"],
        serde_json::json!([{ "id": "GHSA-35jh-r3h4-6jhm", "source": { "name": "GitHub", "url": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm" } }])
    );
    let open = vulnerabilities.iter().find(|v| v["id"] == "CVE-2024-35195").unwrap();
    assert_eq!(open["analysis"], serde_json::json!({ "state": "in_triage" }));
    assert_eq!(open["ratings"][0]["method"], "CVSSv31");
    assert_eq!(open["ratings"][0]["score"], 5.6);
    assert_eq!(open["ratings"][1]["method"], "other");
    let fixed = vulnerabilities.iter().find(|v| v["id"] == "CVE-2023-45803").unwrap();
    assert_eq!(fixed["analysis"]["state"], "resolved");

    let back = reapplied(&written, "written.cdx.json");
    let source = "written.cdx.json";
    assert_eq!(back[0], None);
    assert_eq!(
        back[1],
        suppression(
            "not_affected",
            source,
            Some("requires_environment"),
            Some("template() is only called with constant strings.")
        )
    );
    assert_eq!(back[2], suppression("not_affected", source, Some("code_not_reachable"), None));
    assert_eq!(back[3], suppression("fixed", source, None, None));
    assert_eq!(back[4], suppression("not_affected", source, None, None));
    assert_eq!(back[5], suppression("not_affected", source, None, Some("false_positive: wrong project")));
}

#[test]
fn written_documents_are_equivalent_when_read_back() {
    // Each statement read back names the finding's id and aliases, its component, and its status.
    let findings = triage_findings();
    let written = [
        write::openvex(&findings, "a", "2024-06-01T00:00:00Z", "https://vex.example.com/2"),
        write::cyclonedx(&findings, "2024-06-01T00:00:00Z", "urn:uuid:5b0b5c2e-7f39-4f7e-9d6a-0b8f0f6b1c2d"),
    ];
    for document in written {
        let doc = vex::read(document.to_string().as_bytes(), "w").unwrap();
        assert_eq!(doc.statements.len(), findings.len());
        for f in &findings {
            let s = doc.statements.iter().find(|s| s.vulnerabilities[0] == f.id).unwrap();
            let mut ids = s.vulnerabilities.clone();
            ids.sort();
            assert_eq!(ids, f.aliases, "{}", f.id);
            assert!(s.products.contains(&f.component.purl), "{s:?}");
            let expected = match f.suppression.as_ref().map(|s| s.status.as_str()) {
                None => VexStatus::UnderInvestigation,
                Some("fixed") => VexStatus::Fixed,
                Some(_) => VexStatus::NotAffected,
            };
            assert_eq!(s.status, expected, "{}", f.id);
            assert_eq!(s.timestamp.as_deref(), Some("2024-06-01T00:00:00Z"));
        }
    }
}

#[test]
fn justification_vocabularies_map_both_ways() {
    for j in vex::OPENVEX_JUSTIFICATIONS {
        let cdx = vex::cyclonedx_justification(j).unwrap();
        assert!(vex::CYCLONEDX_JUSTIFICATIONS.contains(&cdx));
        assert_eq!(vex::openvex_justification(cdx), Some(*j), "{j} → {cdx} → back");
    }
    for j in vex::CYCLONEDX_JUSTIFICATIONS {
        assert!(vex::OPENVEX_JUSTIFICATIONS.contains(&vex::openvex_justification(j).unwrap()));
    }
    assert_eq!(vex::openvex_justification("because"), None);
}

/// The CycloneDX specification's vulnerability examples (JSON and XML, 1.4 to 1.7), when the shared data is there.
#[test]
fn cyclonedx_specification_examples() {
    let Some(dir) = common::shared("cyclonedx-spec/test-resources") else { return };
    let mut read_count = 0;
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        for ext in ["json", "xml"] {
            let path = dir.join(version).join(format!("valid-vulnerability-{version}.{ext}"));
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let doc = vex::read(&bytes, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
            let [s] = &doc.statements[..] else { panic!("{}: {doc:?}", path.display()) };
            assert_eq!(
                s.vulnerabilities,
                ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111", "CVE-2018-7489"],
                "{}",
                path.display()
            );
            assert_eq!(s.status, VexStatus::NotAffected);
            assert_eq!(s.justification.as_deref(), Some("code_not_reachable"));
            assert!(s.products.iter().any(|p| p == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4"));
            read_count += 1;
        }
    }
    assert!(read_count >= 4, "read {read_count} examples");
}
