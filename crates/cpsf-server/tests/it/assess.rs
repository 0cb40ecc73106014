//! Catalogs, assessments and supplier questionnaires over HTTP, in-process: every new API route with each role,
//! entry edits that refuse bad values without storing anything, automatic evidence turning from unmet to met when
//! a good SBOM arrives, evidence files, reports, and a supplier answering a questionnaire through the public page.

use axum::http::{Method, StatusCode, header};
use cpsf_catalog::{CatalogSet, Origin};
use cpsf_server::Config;
use serde_json::{Value, json};

use crate::common::{TestServer, call, sbom, server_with_catalogs};
use crate::web::{FORM, csrf_of, log_in, send};

/// A small catalog of our own, so the tests do not depend on the shipped catalogs' contents.
pub const TEST_CATALOG: &str = r#"
format: cpsf-catalog/1
id: test-assess
revision: 1
title: {en: "Test framework", ja: "テスト用フレームワーク"}
publisher: {en: "cpsf tests", ja: "cpsf テスト"}
version: "1"
sources:
  - {id: t, title: {en: "Test source", ja: "テスト原典"}}
levels:
  - {id: basic, title: {en: Basic, ja: 基本}, verified: false, note: "test level"}
  - {id: advanced, title: {en: Advanced, ja: 発展}, verified: false, note: "test level"}
entries:
  - id: G1
    kind: category
    title: {en: "Inventory", ja: "資産の把握"}
    provenance: {source: t, verified: true, section: "1"}
  - id: G1-1
    parent: G1
    kind: measure-requirement
    title: {en: "SBOM quality", ja: "SBOM の品質"}
    checks:
      - {check: sbom-quality, params: {profile: ntia, min_score: 90}}
    provenance: {source: t, verified: true, section: "1.1"}
  - id: G1-2
    parent: G1
    kind: measure-requirement
    title: {en: "Inventory kept current", ja: "資産台帳の更新"}
    checks:
      - {check: inventory-current, params: {max_age_days: 30}}
    provenance: {source: t, verified: false, note: "test entry"}
  - id: G2
    kind: category
    title: {en: "Suppliers", ja: "サプライヤー"}
    provenance: {source: t, verified: false, note: "test entry"}
  - id: G2-1
    parent: G2
    kind: measure-requirement
    weight: 2
    title: {en: "Supplier contracts", ja: "サプライヤー契約"}
    provenance: {source: t, verified: false, note: "test entry"}
  - id: G2-2
    parent: G2
    kind: measure-requirement
    title: {en: "Supplier questionnaires", ja: "サプライヤー質問票"}
    checks:
      - {check: questionnaires-answered, params: {min_ratio: 0.5}}
    provenance: {source: t, verified: false, note: "test entry"}
"#;

pub fn catalogs() -> CatalogSet {
    let mut set = CatalogSet::builtin();
    let catalog = cpsf_catalog::load::parse("test-assess.yaml", TEST_CATALOG).expect("the test catalog parses");
    set.add(catalog, Origin::File("test-assess.yaml".into()));
    set
}

pub fn server(name: &str) -> TestServer {
    server_with_catalogs(name, Config::default(), catalogs())
}

const JSON: &str = "application/json";

/// A CycloneDX 1.6 SBOM that meets every NTIA minimum element: supplier, name, version and id of every component,
/// the described component, author and timestamp.
pub fn good_sbom() -> String {
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{ "name": "QA team" }],
            "component": { "type": "application", "name": "shop", "version": "2.0", "bom-ref": "shop",
                           "supplier": { "name": "ACME" } }
        },
        "components": [
            { "type": "library", "name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21",
              "bom-ref": "pkg:npm/lodash@4.17.21", "supplier": { "name": "OpenJS Foundation" } },
            { "type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0",
              "bom-ref": "pkg:npm/left-pad@1.3.0", "supplier": { "name": "left-pad maintainers" } }
        ],
        "dependencies": [
            { "ref": "shop", "dependsOn": ["pkg:npm/lodash@4.17.21"] },
            { "ref": "pkg:npm/lodash@4.17.21", "dependsOn": ["pkg:npm/left-pad@1.3.0"] },
            { "ref": "pkg:npm/left-pad@1.3.0", "dependsOn": [] }
        ]
    })
    .to_string()
}

async fn create_assessment(s: &TestServer, token: &str, kind: &str, name: &str) -> (StatusCode, Value) {
    let body = json!({ "catalog": "test-assess", "scope": { "name": name, "kind": kind }, "lang": "en" });
    call(&s.app, Method::POST, "/api/v1/assessments", Some(token), Some(JSON), body.to_string()).await
}

async fn patch(s: &TestServer, id: &str, entry: &str, body: Value) -> (StatusCode, Value) {
    let uri = format!("/api/v1/assessments/{id}/entries/{entry}");
    call(&s.app, Method::PATCH, &uri, Some(&s.editor), Some(JSON), body.to_string()).await
}

async fn get_assessment(s: &TestServer, id: &str) -> Value {
    let (status, body) =
        call(&s.app, Method::GET, &format!("/api/v1/assessments/{id}"), Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn result<'a>(assessment: &'a Value, entry: &str) -> &'a Value {
    assessment["assessment"]["results"].as_array().unwrap().iter().find(|r| r["entry"] == entry).unwrap()
}

#[tokio::test]
async fn entries_are_edited_and_bad_values_store_nothing() {
    let s = server("assess-edit");
    let (status, list) = call(&s.app, Method::GET, "/api/v1/catalogs", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let ours = list["catalogs"].as_array().unwrap().iter().find(|c| c["id"] == "test-assess").expect("listed");
    assert_eq!(
        (ours["entries"].as_u64(), ours["assessable"].as_u64(), ours["verified"].as_u64()),
        (Some(6), Some(4), Some(2))
    );
    assert_eq!(ours["origin"], "file");
    let (status, catalog) = call(&s.app, Method::GET, "/api/v1/catalogs/test-assess", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(catalog["entries"][1]["checks"][0]["check"], "sbom-quality");
    let (status, _) = call(&s.app, Method::GET, "/api/v1/catalogs/nope", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, created) = create_assessment(&s, &s.viewer, "company", "ACME").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer may not create: {created}");
    let (status, created) = create_assessment(&s, &s.editor, "planet", "ACME").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(created["message"].as_str().unwrap().contains("scope.kind"), "{created}");
    let (status, created) = create_assessment(&s, &s.editor, "company", "ACME").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["revision"], 1);
    assert_eq!(created["assessment"]["results"].as_array().unwrap().len(), 4, "one result per assessable entry");
    assert_eq!(created["scores"]["overall"]["assessable"], 4);

    // A good edit.
    let (status, body) = patch(
        &s,
        &id,
        "G2-1",
        json!({ "status": "partially", "level": "basic", "owner": "Sato", "due": "2026-12-31", "comments": "draft" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["revision"].as_i64(), body["changes"].as_i64()), (Some(2), Some(5)));
    assert_eq!(body["result"]["status"], "partially");
    // The same values again change nothing and write nothing.
    let (_, body) = patch(&s, &id, "G2-1", json!({ "status": "partially", "owner": "Sato" })).await;
    assert_eq!((body["revision"].as_i64(), body["changes"].as_i64()), (Some(2), Some(0)));

    // Bad values: 400 naming the field; nothing stored.
    let before = get_assessment(&s, &id).await;
    for (bad, field) in [
        (json!({ "status": "done" }), "status"),
        (json!({ "status": "implemented", "level": "expert" }), "level"),
        (json!({ "status": "implemented", "due": "tomorrow" }), "due"),
        (json!({ "override": { "result": "met", "justification": " " } }), "override.justification"),
        (json!({ "override": { "result": "perfect", "justification": "x" } }), "override.result"),
        (json!({ "owner": "a\u{7}b" }), "owner"),
        (json!({ "colour": "red" }), "colour"),
    ] {
        let (status, body) = patch(&s, &id, "G2-1", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{bad}: the message names `{field}`: {body}");
    }
    let (status, _) = patch(&s, &id, "G1", json!({ "status": "implemented" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a category is not assessed itself");
    let (status, _) = patch(&s, &id, "NOPE", json!({ "status": "implemented" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = patch(&s, &id, "G2-1", json!({ "status": "implemented", "revision": 1 })).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale revision: {body}");
    let after = get_assessment(&s, &id).await;
    assert_eq!(after["revision"], before["revision"], "no bad request changed the revision");
    assert_eq!(after["assessment"], before["assessment"], "nor the document");
    let (status, body) = call(
        &s.app,
        Method::PATCH,
        &format!("/api/v1/assessments/{id}/entries/G2-1"),
        Some(&s.viewer),
        Some(JSON),
        json!({ "status": "implemented" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // An override with a justification, kept in the history.
    let (status, body) =
        patch(&s, &id, "G1-2", json!({ "override": { "result": "met", "justification": "asset DB audited" } })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["override"]["by"], "erin");
    let now = get_assessment(&s, &id).await;
    let history = now["assessment"]["history"].as_array().unwrap();
    assert!(history.iter().any(|h| h["field"] == "override" && h["justification"] == "asset DB audited"), "{now}");
    assert_eq!(now["scores"]["status_counts"]["implemented"], 1, "the override counts as implemented: {now}");
    assert_eq!(now["scores"]["status_counts"]["partially"], 1);

    // Evidence: a link (http/https only) and files; files download as attachments.
    let uri = format!("/api/v1/assessments/{id}/entries/G2-1/evidence");
    let link = json!({ "url": "https://intranet.example/contracts", "title": "Contracts" }).to_string();
    let (status, body) = call(&s.app, Method::POST, &uri, Some(&s.editor), Some(JSON), link).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bad_link = json!({ "url": "javascript:alert(1)" }).to_string();
    let (status, _) = call(&s.app, Method::POST, &uri, Some(&s.editor), Some(JSON), bad_link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let form = "--E\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../contract.pdf\"\r\n\
                Content-Type: application/pdf\r\n\r\n%PDF-1.7 test\r\n--E--\r\n";
    let (status, body) =
        call(&s.app, Method::POST, &uri, Some(&s.editor), Some("multipart/form-data; boundary=E"), form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["files"][0]["name"], "contract.pdf", "directories are dropped");
    assert_eq!(body["files"][0]["media_type"], "application/pdf");
    let file = body["files"][0]["id"].as_i64().unwrap();
    let evidence = body["result"]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(evidence[1]["stored_id"], file);
    let (status, _) = call(&s.app, Method::POST, &uri, Some(&s.editor), Some("text/plain"), "x").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, headers, text) =
        send(&s.app, Method::GET, &format!("/api/v1/assessments/{id}/evidence/{file}"), None, None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text} {headers:?}");
    let response = crate::assess::get_raw(&s, &format!("/api/v1/assessments/{id}/evidence/{file}"), &s.viewer).await;
    assert_eq!(response.0, StatusCode::OK);
    assert_eq!(response.1.get(header::CONTENT_TYPE).unwrap(), "application/octet-stream");
    assert!(response.1.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("attachment"));
    assert_eq!(response.2, b"%PDF-1.7 test");

    // The report, JSON, in both languages; other formats are refused by name.
    let (status, report) =
        call(&s.app, Method::GET, &format!("/api/v1/assessments/{id}/report?lang=ja"), Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["lang"], "ja");
    assert_eq!(report["catalog"]["title"], "テスト用フレームワーク");
    assert!(report["gaps"].as_array().unwrap().iter().any(|g| g["entry"] == "G2-1"), "partially is a gap: {report}");
    let (_, report) = call(
        &s.app,
        Method::GET,
        &format!("/api/v1/assessments/{id}/report?format=json&lang=en"),
        Some(&s.viewer),
        None,
        "",
    )
    .await;
    assert_eq!(report["catalog"]["title"], "Test framework");
    // HTML and PDF come from cpsf-report; an unknown format is refused by name.
    let (status, headers, html) =
        get_raw(&s, &format!("/api/v1/assessments/{id}/report?format=html&lang=ja"), &s.viewer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("lang=\"ja\"") && html.contains("テスト用フレームワーク"), "the HTML report in Japanese");
    let (status, headers, pdf) =
        get_raw(&s, &format!("/api/v1/assessments/{id}/report?format=pdf&lang=en"), &s.viewer).await;
    if status == StatusCode::INTERNAL_SERVER_ERROR && String::from_utf8_lossy(&pdf).contains("font") {
        eprintln!("SKIPPED: PDF over the API: no font here ({})", String::from_utf8_lossy(&pdf));
    } else {
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(headers[axum::http::header::CONTENT_TYPE], "application/pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }
    let (status, oscal) =
        call(&s.app, Method::GET, &format!("/api/v1/assessments/{id}/report?format=oscal"), Some(&s.viewer), None, "")
            .await;
    assert_eq!(status, StatusCode::OK);
    assert!(oscal["assessment-results"]["results"][0]["findings"].is_array(), "{oscal}");
    let (status, body) =
        call(&s.app, Method::GET, &format!("/api/v1/assessments/{id}/report?format=docx"), Some(&s.viewer), None, "")
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("format: expected json, html, pdf or oscal"), "{body}");
}

/// GET with a token; status, headers and raw body.
pub async fn get_raw(s: &TestServer, uri: &str, token: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use tower::ServiceExt;
    let request = axum::http::Request::builder().uri(uri).header("x-api-key", token).body(axum::body::Body::empty());
    let response = s.app.clone().oneshot(request.unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, bytes.to_vec())
}

async fn evaluate(s: &TestServer, id: &str) -> Value {
    let (status, body) =
        call(&s.app, Method::POST, &format!("/api/v1/assessments/{id}/evaluate"), Some(&s.editor), None, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn automatic<'a>(evaluated: &'a Value, entry: &str) -> &'a Value {
    evaluated["automatic"].as_array().unwrap().iter().find(|a| a["entry"] == entry).unwrap()
}

/// The issue's requirement: automatic evidence turns from unmet to met when the data changes, here when an SBOM
/// that passes the quality profile is uploaded.
#[tokio::test]
async fn sbom_quality_turns_met_after_a_good_sbom_is_uploaded() {
    let s = server("assess-evidence");
    let (_, created) = create_assessment(&s, &s.editor, "company", "ACME").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let evaluated = evaluate(&s, &id).await;
    assert_eq!(automatic(&evaluated, "G1-1")["result"], "unknown", "no products yet: {evaluated}");

    // An SBOM without suppliers, author or timestamp: below the NTIA minimum.
    let uri = "/api/v1/products/shop/versions/1.0/sboms";
    let (status, _) = call(&s.app, Method::POST, uri, Some(&s.editor), Some(JSON), sbom("4.17.20")).await;
    assert_eq!(status, StatusCode::CREATED);
    let evaluated = evaluate(&s, &id).await;
    let check = automatic(&evaluated, "G1-1");
    assert_eq!(check["result"], "unmet", "{evaluated}");
    assert!(check["checks"][0]["observed"].as_str().unwrap().contains("shop 1.0"), "{check}");
    assert_eq!(automatic(&evaluated, "G1-2")["result"], "met", "an SBOM was uploaded today");
    assert_eq!(result(&get_assessment(&s, &id).await, "G1-1")["automatic"][0]["result"], "unmet");

    // A release whose SBOM meets every element: met, and the history records the change.
    let (status, _) = call(
        &s.app,
        Method::POST,
        "/api/v1/products/shop/versions/2.0/sboms",
        Some(&s.editor),
        Some(JSON),
        good_sbom(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let evaluated = evaluate(&s, &id).await;
    let check = automatic(&evaluated, "G1-1");
    assert_eq!(check["result"], "met", "{evaluated}");
    assert!(check["checks"][0]["observed"].as_str().unwrap().contains("1 of 1"), "{check}");
    assert!(check["checks"][0]["data"].as_str().unwrap().starts_with("sqlite:"), "{check}");
    let now = get_assessment(&s, &id).await;
    let history = now["assessment"]["history"].as_array().unwrap();
    assert!(
        history.iter().any(|h| h["entry"] == "G1-1" && h["from"] == "unmet" && h["to"] == "met"),
        "the change is in the history: {history:?}"
    );
    assert_eq!(result(&now, "G1-1")["status"], "not-assessed", "a person's status is left alone");
    assert_eq!(now["scores"]["status_counts"]["implemented"], 2, "met checks count as implemented: {now}");
    // Questionnaires: none sent is "no data"; the store's facts say so.
    assert_eq!(automatic(&evaluated, "G2-2")["result"], "unknown");
}

/// Every new route with no credentials, a wrong token, and each role.
#[tokio::test]
async fn every_assessment_route_with_every_role() {
    let s = server("assess-roles");
    let (_, created) = create_assessment(&s, &s.admin, "company", "ACME").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/assessments/{id}/entries/G2-1/evidence");
    let form = "--E\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nA\r\n--E--\r\n";
    let (_, body) =
        call(&s.app, Method::POST, &uri, Some(&s.admin), Some("multipart/form-data; boundary=E"), form).await;
    let file = body["files"][0]["id"].as_i64().unwrap();
    let (_, q) = call(
        &s.app,
        Method::POST,
        "/api/v1/questionnaires",
        Some(&s.admin),
        Some(JSON),
        json!({ "title": "Q", "catalog": "test-assess", "entries": ["G2"] }).to_string(),
    )
    .await;
    let qid = q["id"].as_i64().unwrap();
    let new = json!({ "catalog": "test-assess", "scope": { "name": "Plant", "kind": "site" } }).to_string();
    let link = json!({ "url": "https://example.com/x" }).to_string();
    let questionnaire = json!({ "title": "Q2", "catalog": "test-assess", "entries": ["G2-1"] }).to_string();
    let invite = json!({ "supplier": "Parts Co", "contact": "qa@parts.example" }).to_string();
    // (method, uri, body, least role that succeeds: 1 = viewer, 2 = editor)
    let routes: Vec<(Method, String, String, u8)> = vec![
        (Method::GET, "/api/v1/catalogs".into(), String::new(), 1),
        (Method::GET, "/api/v1/catalogs/test-assess".into(), String::new(), 1),
        (Method::GET, "/api/v1/assessments".into(), String::new(), 1),
        (Method::POST, "/api/v1/assessments".into(), new, 2),
        (Method::GET, format!("/api/v1/assessments/{id}"), String::new(), 1),
        (Method::PATCH, format!("/api/v1/assessments/{id}/entries/G2-1"), json!({"owner": "x"}).to_string(), 2),
        (Method::POST, uri.clone(), link, 2),
        (Method::GET, format!("/api/v1/assessments/{id}/evidence/{file}"), String::new(), 1),
        (Method::POST, format!("/api/v1/assessments/{id}/evaluate"), String::new(), 2),
        (Method::GET, format!("/api/v1/assessments/{id}/report?lang=en"), String::new(), 1),
        (Method::GET, "/api/v1/questionnaires".into(), String::new(), 1),
        (Method::POST, "/api/v1/questionnaires".into(), questionnaire, 2),
        (Method::GET, format!("/api/v1/questionnaires/{qid}"), String::new(), 1),
        (Method::POST, format!("/api/v1/questionnaires/{qid}/invites"), invite, 2),
    ];
    assert_eq!(routes.len(), ROUTES.len(), "every new route is walked");
    for (method, path) in ROUTES {
        assert!(
            routes.iter().any(|(m, u, _, _)| m.as_str() == *method && matches_template(path, u)),
            "{method} {path} is walked"
        );
    }
    let wrong = "cpsf_notarealtokennotarealtokennotarealtokenxx".to_owned();
    let callers: Vec<(u8, Option<&String>)> =
        vec![(0, None), (0, Some(&wrong)), (1, Some(&s.viewer)), (2, Some(&s.editor)), (3, Some(&s.admin))];
    for (method, uri, body, needed) in &routes {
        for (level, token) in &callers {
            let (status, answer) = call(
                &s.app,
                method.clone(),
                uri,
                token.map(String::as_str),
                (!body.is_empty()).then_some(JSON),
                body.clone(),
            )
            .await;
            if level >= needed {
                assert!(status.is_success(), "{method} {uri} as level {level}: {status} {answer}");
            } else if *level == 0 {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri} without valid credentials: {answer}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri} as level {level}: {answer}");
            }
        }
    }
}

/// The routes of this module, as `api_routes()` lists them (the role walk of `api.rs` leaves these to this one).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/catalogs"),
    ("GET", "/api/v1/catalogs/{id}"),
    ("GET", "/api/v1/assessments"),
    ("POST", "/api/v1/assessments"),
    ("GET", "/api/v1/assessments/{id}"),
    ("PATCH", "/api/v1/assessments/{id}/entries/{entry}"),
    ("POST", "/api/v1/assessments/{id}/entries/{entry}/evidence"),
    ("GET", "/api/v1/assessments/{id}/evidence/{file}"),
    ("POST", "/api/v1/assessments/{id}/evaluate"),
    ("GET", "/api/v1/assessments/{id}/report"),
    ("GET", "/api/v1/questionnaires"),
    ("POST", "/api/v1/questionnaires"),
    ("GET", "/api/v1/questionnaires/{id}"),
    ("POST", "/api/v1/questionnaires/{id}/invites"),
];

/// Whether `uri` (query aside) fits the route template `path`.
fn matches_template(path: &str, uri: &str) -> bool {
    let uri = uri.split('?').next().unwrap_or_default();
    let (a, b): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), uri.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(t, u)| t.starts_with('{') || t == u)
}

/// The multipart body of the public questionnaire form.
fn answer_form(csrf: &str, parts: &[(&str, &str)], files: &[(&str, &str, &str)]) -> String {
    let mut body = format!("--Q\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    for (name, value) in parts {
        body.push_str(&format!("--Q\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    for (name, file, content) in files {
        body.push_str(&format!(
            "--Q\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str("--Q--\r\n");
    body
}

fn cookie_of(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_supplier_answers_a_questionnaire_over_http() {
    let s = server("assess-questionnaire");
    // A questionnaire over one entry and one group (which stands for both entries under it).
    let body = json!({ "title": "Supplier check 2026", "catalog": "test-assess", "entries": ["G1-1", "G2"] });
    let (status, q) =
        call(&s.app, Method::POST, "/api/v1/questionnaires", Some(&s.editor), Some(JSON), body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{q}");
    assert_eq!(q["entries"], json!(["G1-1", "G2-1", "G2-2"]));
    let qid = q["id"].as_i64().unwrap();
    let bad = json!({ "title": "X", "catalog": "test-assess", "entries": ["NOPE"] });
    let (status, body) =
        call(&s.app, Method::POST, "/api/v1/questionnaires", Some(&s.editor), Some(JSON), bad.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("entries"), "{body}");

    let invite = json!({ "supplier": "Parts Co", "contact": "qa@parts.example", "expires_days": 14 });
    let (status, created) = call(
        &s.app,
        Method::POST,
        &format!("/api/v1/questionnaires/{qid}/invites"),
        Some(&s.editor),
        Some(JSON),
        invite.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let link = created["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("/q/cpsfq_"), "{link}");
    let (_, detail) =
        call(&s.app, Method::GET, &format!("/api/v1/questionnaires/{qid}"), Some(&s.viewer), None, "").await;
    assert!(!detail.to_string().contains(&link[3..]), "the token is never listed: {detail}");
    assert_eq!(detail["invites"][0]["submitted"], false);

    // The page, without an account: English, then Japanese by ?lang= (which also sets the cookie).
    let (status, headers, page) = send(&s.app, Method::GET, &link, None, None, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<html lang=\"en\">") && page.contains("Supplier check 2026"), "{page}");
    assert!(page.contains("Supplier contracts") && page.contains("Submit answers"), "{page}");
    assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    let csrf_cookie = cookie_of(&headers, "cpsf_q_csrf").expect("a form cookie");
    let (status, headers, page) = send(&s.app, Method::GET, &format!("{link}?lang=ja"), None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<html lang=\"ja\">") && page.contains("サプライヤー契約") && page.contains("回答を送信"),
        "{page}"
    );
    assert_eq!(cookie_of(&headers, "cpsf_lang").as_deref(), Some("cpsf_lang=ja"));
    let (_, _, page) = send(&s.app, Method::GET, &link, Some(&format!("cpsf_lang=ja; {csrf_cookie}")), None, "").await;
    assert!(page.contains("<html lang=\"ja\">"), "the cookie keeps the language");
    let csrf = csrf_of(&page);
    assert_eq!(format!("cpsf_q_csrf={csrf}"), csrf_cookie, "the form carries the cookie's value");

    let answers = [
        ("status-0", "implemented"),
        ("comments-0", "SBOM per release"),
        ("status-1", "partially"),
        ("status-2", "not-applicable"),
    ];
    let files = [("files-0", "bom.cdx.json", good_sbom()), ("files-1", "contract.txt", "signed".to_owned())];
    let files: Vec<(&str, &str, &str)> = files.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
    let multipart = "multipart/form-data; boundary=Q";
    // Without the cookie (a post from another site) or with a forged token: refused, nothing stored.
    let form = answer_form(&csrf, &answers, &files);
    let (status, _, _) = send(&s.app, Method::POST, &link, None, Some(multipart), form.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let forged = answer_form("forged-forged-forged", &answers, &files);
    let (status, _, _) = send(&s.app, Method::POST, &link, Some(&csrf_cookie), Some(multipart), forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, detail) =
        call(&s.app, Method::GET, &format!("/api/v1/questionnaires/{qid}"), Some(&s.viewer), None, "").await;
    assert_eq!(detail["answered"], 0);

    let (status, _, page) = send(&s.app, Method::POST, &link, Some(&csrf_cookie), Some(multipart), form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Your answers were received") && page.contains("questionnaire-"), "{page}");

    // The invitation is answered; the supplier's assessment has the statuses, comments and files.
    let (_, detail) =
        call(&s.app, Method::GET, &format!("/api/v1/questionnaires/{qid}"), Some(&s.viewer), None, "").await;
    assert_eq!(detail["answered"], 1, "{detail}");
    let invite = &detail["invites"][0];
    assert_eq!(invite["submitted"], true);
    assert!(invite["answered_at"].is_string());
    let aid = invite["assessment"].as_str().unwrap().to_owned();
    let assessment = get_assessment(&s, &aid).await;
    assert_eq!(assessment["assessment"]["scope"], json!({ "name": "Parts Co", "kind": "supplier" }));
    assert_eq!(result(&assessment, "G1-1")["status"], "implemented");
    assert_eq!(result(&assessment, "G1-1")["comments"], "SBOM per release");
    assert_eq!(result(&assessment, "G2-1")["status"], "partially");
    assert_eq!(result(&assessment, "G2-2")["status"], "not-applicable");
    assert_eq!(result(&assessment, "G1-1")["evidence"][0]["name"], "bom.cdx.json");
    assert_eq!(result(&assessment, "G2-1")["evidence"][0]["name"], "contract.txt");
    let history = assessment["assessment"]["history"].as_array().unwrap();
    assert!(history.iter().all(|h| h["by"] == "supplier:Parts Co"), "{history:?}");
    // The SBOM is in the portfolio as the supplier's product, monitored like any upload.
    let (_, products) = call(&s.app, Method::GET, "/api/v1/products", Some(&s.viewer), None, "").await;
    let parts = products.as_array().unwrap().iter().find(|p| p["name"] == "Parts Co").expect("the supplier's product");
    assert!(parts["versions"][0]["version"].as_str().unwrap().starts_with("questionnaire-"), "{parts}");
    assert_eq!(parts["versions"][0]["components"], 2, "lodash and left-pad");

    // Answering again updates the same assessment.
    let again = answer_form(&csrf, &[("status-1", "implemented")], &[]);
    let (status, _, _) = send(&s.app, Method::POST, &link, Some(&csrf_cookie), Some(multipart), again).await;
    assert_eq!(status, StatusCode::OK);
    let assessment = get_assessment(&s, &aid).await;
    assert_eq!(result(&assessment, "G2-1")["status"], "implemented");
    let (_, page) = call(&s.app, Method::GET, "/api/v1/assessments", Some(&s.viewer), None, "").await;
    assert_eq!(page["assessments"].as_array().unwrap().len(), 1, "still one supplier assessment");
    // The organization's questionnaires-answered check now has data.
    let (_, created) = create_assessment(&s, &s.editor, "company", "ACME").await;
    let evaluated = evaluate(&s, created["id"].as_str().unwrap()).await;
    assert_eq!(automatic(&evaluated, "G2-2")["result"], "met", "1 of 1 answered: {evaluated}");

    // Unknown and expired links: 404 in both languages.
    let (status, _, page) = send(&s.app, Method::GET, "/q/cpsfq_unknown", None, None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("unknown or has expired") && page.contains("有効期限が切れています"), "{page}");
    let store = cpsf_store::Store::open_sqlite(&s.dir.join("store.db")).unwrap();
    let expired_token = "cpsfq_expiredexpiredexpiredexpiredexpiredexp";
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    store.create_invite(qid, "Late Ltd", "", &cpsf_server::auth::token_digest(expired_token), past, "test").unwrap();
    let (status, _, page) = send(&s.app, Method::GET, &format!("/q/{expired_token}"), None, None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("有効期限"), "{page}");
    let late = answer_form(&csrf, &[("status-0", "implemented")], &[]);
    let (status, _, _) =
        send(&s.app, Method::POST, &format!("/q/{expired_token}"), Some(&csrf_cookie), Some(multipart), late).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an expired link takes no answers");
}

/// The pages with no session and each role's session; forms that change data need the editor role.
#[tokio::test]
async fn assessment_pages_with_every_role() {
    let s = server("assess-pages");
    let (_, created) = create_assessment(&s, &s.admin, "company", "ACME").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, q) = call(
        &s.app,
        Method::POST,
        "/api/v1/questionnaires",
        Some(&s.admin),
        Some(JSON),
        json!({ "title": "Q", "catalog": "test-assess", "entries": ["G2"] }).to_string(),
    )
    .await;
    let qid = q["id"].as_i64().unwrap();
    let pages = [
        "/catalogs".to_owned(),
        "/catalogs/test-assess".into(),
        "/assessments".into(),
        format!("/assessments/{id}"),
        format!("/assessments/{id}/report?format=json&lang=ja"),
        "/questionnaires".into(),
        "/questionnaires?catalog=test-assess".into(),
        format!("/questionnaires/{qid}"),
        "/suppliers".into(),
    ];
    for page in &pages {
        let (status, headers, _) = send(&s.app, Method::GET, page, None, None, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page} without a session");
        assert_eq!(headers.get(header::LOCATION).unwrap(), "/login");
    }
    for user in ["victor", "erin", "alice"] {
        let cookie = log_in(&s.app, user).await;
        for page in &pages {
            let (status, _, text) = send(&s.app, Method::GET, page, Some(&cookie), None, "").await;
            assert_eq!(status, StatusCode::OK, "{page} as {user}: {text}");
        }
        let (_, _, page) = send(&s.app, Method::GET, &format!("/assessments/{id}"), Some(&cookie), None, "").await;
        let csrf = csrf_of(&page);
        let editor = user != "victor";
        assert_eq!(page.contains("/entries/G2-1\""), editor, "edit forms only for editors ({user})");
        let form =
            format!("csrf={csrf}&status=implemented&owner=Tanaka&due=&comments=ok&level=advanced&override_result=");
        let (status, headers, text) =
            send(&s.app, Method::POST, &format!("/assessments/{id}/entries/G2-1"), Some(&cookie), Some(FORM), form)
                .await;
        if editor {
            assert_eq!(status, StatusCode::SEE_OTHER, "{user}: {text}");
            assert!(headers.get(header::LOCATION).unwrap().to_str().unwrap().contains("saved=G2-1"));
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {text}");
        }
        let (status, _, _) = send(
            &s.app,
            Method::POST,
            &format!("/assessments/{id}/evaluate"),
            Some(&cookie),
            Some(FORM),
            format!("csrf={csrf}"),
        )
        .await;
        assert_eq!(status, if editor { StatusCode::OK } else { StatusCode::FORBIDDEN }, "evaluate as {user}");
        let (status, _, _) = send(
            &s.app,
            Method::POST,
            &format!("/assessments/{id}/entries/G2-1"),
            Some(&cookie),
            Some(FORM),
            "csrf=forged&status=implemented",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a forged CSRF token ({user})");
    }
    // Through the forms: a bad value is refused and stores nothing; a good one shows on the page.
    let cookie = log_in(&s.app, "erin").await;
    let (_, _, page) = send(&s.app, Method::GET, &format!("/assessments/{id}"), Some(&cookie), None, "").await;
    let csrf = csrf_of(&page);
    assert!(page.contains("Tanaka"), "the saved owner is shown");
    let before = get_assessment(&s, &id).await;
    let (status, _, text) = send(
        &s.app,
        Method::POST,
        &format!("/assessments/{id}/entries/G2-1"),
        Some(&cookie),
        Some(FORM),
        format!("csrf={csrf}&status=implemented&due=31%2F12%2F2026"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("due"), "{text}");
    assert_eq!(get_assessment(&s, &id).await["revision"], before["revision"]);
    // Creating an assessment and a questionnaire through the forms.
    let (status, headers, text) = send(
        &s.app,
        Method::POST,
        "/assessments",
        Some(&cookie),
        Some(FORM),
        format!("csrf={csrf}&catalog=test-assess&scope_name=Plant+2&scope_kind=site&title="),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    assert!(headers.get(header::LOCATION).unwrap().to_str().unwrap().starts_with("/assessments/"));
    let (status, headers, text) = send(
        &s.app,
        Method::POST,
        "/questionnaires",
        Some(&cookie),
        Some(FORM),
        format!("csrf={csrf}&catalog=test-assess&title=Form+made&entry=G1-1&entry=G2-2"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let location = headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
    let (status, _, page) = send(
        &s.app,
        Method::POST,
        &location,
        Some(&cookie),
        Some(FORM),
        format!("csrf={csrf}&supplier=Bolt+Inc&contact=&expires_days=7"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("/q/cpsfq_") && page.contains("Bolt Inc"), "the link is shown once: {page}");
    let (_, _, page) = send(&s.app, Method::GET, &location, Some(&cookie), None, "").await;
    assert!(!page.contains("/q/cpsfq_"), "and never again");
    let (_, _, page) = send(&s.app, Method::GET, "/suppliers", Some(&cookie), None, "").await;
    assert!(page.contains("Bolt Inc") && page.contains("Inventory"), "{page}");
}

/// `advisories-current` reads when the portfolio was last matched: the time a full re-match records, else the
/// advisory file's own time when the store matched exactly that state of the file.
#[tokio::test]
async fn a_portfolio_rematch_is_recorded_for_advisories_current() {
    use cpsf_assess::CheckResult;
    use cpsf_assess::evidence::evaluate;
    use cpsf_catalog::Check;
    use cpsf_server::serve::{ADVISORY_MATCHED_AT, rematch_if_changed};

    let s = server("assess-advisories");
    let uri = "/api/v1/products/shop/versions/1.0/sboms";
    let (status, _) = call(&s.app, Method::POST, uri, Some(&s.editor), Some(JSON), sbom("4.17.20")).await;
    assert_eq!(status, StatusCode::CREATED);
    let store = cpsf_store::Store::open_sqlite(&s.dir.join("store.db")).unwrap();
    let db = s.dir.join("advisories.db");
    let check = Check::AdvisoriesCurrent { max_age_days: 30 };
    let now = time::OffsetDateTime::now_utc();

    let before = cpsf_server::facts::gather(&store, Some(&db), now).unwrap();
    assert!(before.advisories_updated.is_some(), "the advisory file's time");
    assert_eq!(before.last_match, None, "an upload matches one version, not the portfolio");
    let (result, observed) = evaluate(&check, &before, now);
    assert_eq!(result, CheckResult::Unmet, "{observed}");
    assert!(observed.contains("not matched since"), "{observed}");
    assert_eq!(before.products.len(), 1);
    assert_eq!(before.products[0].latest_release.as_deref(), Some("1.0"));
    assert_eq!(before.products[0].quality.len(), 3, "ntia, meti and bsi scores");
    assert!(before.open_findings.iter().any(|f| f.product == "shop" && !f.triaged), "lodash 4.17.20's finding");
    assert_eq!(before.questionnaires, None, "none sent");

    assert!(rematch_if_changed(&store, &db).unwrap().is_some(), "the first check matches the portfolio");
    assert!(store.meta(ADVISORY_MATCHED_AT).unwrap().is_some());
    let later = time::OffsetDateTime::now_utc();
    let after = cpsf_server::facts::gather(&store, Some(&db), later).unwrap();
    assert!(after.last_match >= after.advisories_updated, "{:?} {:?}", after.last_match, after.advisories_updated);
    assert_eq!(evaluate(&check, &after, later).0, CheckResult::Met);
    // Without a readable recorded time, the signature the store matched stands for the file's time.
    store.set_meta(ADVISORY_MATCHED_AT, "not a time").unwrap();
    let fallback = cpsf_server::facts::gather(&store, Some(&db), later).unwrap();
    assert_eq!(fallback.last_match, fallback.advisories_updated);
    // No advisory database at all: nothing imported.
    let none = cpsf_server::facts::gather(&store, None, later).unwrap();
    assert_eq!(evaluate(&check, &none, later).0, CheckResult::Unmet);
    assert!(none.source.starts_with("sqlite:") && none.source.ends_with("store.db"), "{}", none.source);
}
