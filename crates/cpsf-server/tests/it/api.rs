//! The API end to end in-process: uploads in our form and Dependency-Track's, findings and triage, search,
//! bad input, and every route with every role and with no credentials.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cpsf_server::Config;
use cpsf_server::dtrack::project_uuid;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{call, sbom, server, server_with};

async fn upload(
    s: &crate::common::TestServer,
    token: &str,
    product: &str,
    version: &str,
    doc: &str,
) -> (StatusCode, Value) {
    let uri = format!("/api/v1/products/{product}/versions/{version}/sboms");
    call(&s.app, Method::POST, &uri, Some(token), Some("application/json"), doc.to_owned()).await
}

#[tokio::test]
async fn upload_match_triage_and_search() {
    let s = server("flow");
    let (status, body) = upload(&s, &s.editor, "shop", "1.0", &sbom("4.17.20")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["components"], 2);
    assert_eq!(body["edges"], 1);
    assert!(body["findings"]["new"].as_u64().unwrap() >= 1, "{body}");
    assert_eq!(body["matching_skipped"], Value::Null);

    let (status, list) = call(&s.app, Method::GET, "/api/v1/findings?product=shop", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let findings = list["findings"].as_array().unwrap();
    let lodash = findings.iter().find(|f| f["component"]["name"] == "lodash").expect("lodash finding");
    assert_eq!(lodash["fixed_version"], "4.17.21");
    assert_eq!(lodash["state"], Value::Null);
    let id = lodash["id"].as_i64().unwrap();

    // A viewer may not triage; an editor may, and the history keeps it.
    let analysis =
        json!({"state": "not_affected", "justification": "code_not_reachable", "detail": "only the CLI uses it"});
    let uri = format!("/api/v1/findings/{id}/analysis");
    let (status, _) =
        call(&s.app, Method::POST, &uri, Some(&s.viewer), Some("application/json"), analysis.to_string()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        call(&s.app, Method::POST, &uri, Some(&s.editor), Some("application/json"), analysis.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, one) = call(&s.app, Method::GET, &format!("/api/v1/findings/{id}"), Some(&s.viewer), None, "").await;
    assert_eq!(one["state"], "not_affected");
    assert_eq!(one["history"][0]["by"], "erin");
    assert_eq!(one["history"][0]["justification"], "code_not_reachable");
    // The exports carry the triage; the VEX is valid CycloneDX 1.6.
    let (status, vex) =
        call(&s.app, Method::GET, "/api/v1/products/shop/versions/1.0/vex", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let report = cpsf_sbom::schema::validate_cyclonedx(&vex, cpsf_sbom::CycloneDxVersion::V1_6);
    assert!(report.valid, "{:?}", report.errors);
    let analysed = vex["vulnerabilities"].as_array().unwrap().iter().find(|v| v["analysis"]["state"] == "not_affected");
    assert_eq!(analysed.expect("the triaged finding")["analysis"]["justification"], "code_not_reachable");
    let response = s
        .app
        .clone()
        .oneshot(
            axum::http::Request::builder()
                .uri("/api/v1/products/shop/versions/1.0/findings.csv")
                .header("x-api-key", &s.viewer)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csv =
        String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(csv.starts_with("product,version,vulnerability,"), "{csv}");
    assert!(csv.lines().any(|l| l.contains("lodash") && l.contains("not_affected")), "{csv}");
    let bad = json!({"state": "fine"}).to_string();
    let (status, body) = call(&s.app, Method::POST, &uri, Some(&s.editor), Some("application/json"), bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("state"), "{body}");

    // A new SBOM without the vulnerable version closes the finding.
    let (status, body) = upload(&s, &s.editor, "shop", "1.0", &sbom("4.17.21")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["findings"]["fixed"].as_u64().unwrap() >= 1, "{body}");
    let (_, fixed) =
        call(&s.app, Method::GET, "/api/v1/findings?product=shop&status=fixed", Some(&s.viewer), None, "").await;
    assert!(fixed["findings"].as_array().unwrap().iter().any(|f| f["id"] == id), "{fixed}");

    // Which releases ship lodash 4.17.21? Only the current SBOM of shop 1.0.
    let (status, hits) =
        call(&s.app, Method::GET, "/api/v1/components?name=LODASH&version=4.17.21", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hits["hits"].as_array().unwrap().len(), 1, "{hits}");
    assert_eq!(hits["hits"][0]["product"], "shop");
    let (_, ranged) = call(
        &s.app,
        Method::GET,
        "/api/v1/components?name=lodash&range=vers:npm/%3E%3D4.17.0%7C%3C4.17.22",
        Some(&s.viewer),
        None,
        "",
    )
    .await;
    assert_eq!(ranged["hits"].as_array().unwrap().len(), 1, "{ranged}");
    let (_, outside) = call(
        &s.app,
        Method::GET,
        "/api/v1/components?name=lodash&range=vers:npm/%3C4.17.21",
        Some(&s.viewer),
        None,
        "",
    )
    .await;
    assert!(outside["hits"].as_array().unwrap().is_empty(), "{outside}");
    let (status, _) =
        call(&s.app, Method::GET, "/api/v1/components?name=lodash&range=%3E%3D1", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, none) =
        call(&s.app, Method::GET, "/api/v1/components?purl=pkg:npm/lodash@4.17.20", Some(&s.viewer), None, "").await;
    assert!(none["hits"].as_array().unwrap().is_empty(), "superseded SBOMs are not searched by default: {none}");
}

#[tokio::test]
async fn dependency_track_uploads_and_projects() {
    let s = server("dtrack");
    let doc = sbom("4.17.20");
    let body =
        json!({"projectName": "shop", "projectVersion": "2.0", "autoCreate": true, "bom": STANDARD.encode(&doc)});
    let (status, answer) =
        call(&s.app, Method::PUT, "/api/v1/bom", Some(&s.editor), Some("application/json"), body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["token"].as_str().expect("a token").to_owned();
    let (status, processing) =
        call(&s.app, Method::GET, &format!("/api/v1/bom/token/{token}"), Some(&s.editor), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(processing["processing"], false);

    // Without autoCreate an unknown project is refused and nothing is stored.
    let body = json!({"projectName": "other", "projectVersion": "1", "bom": STANDARD.encode(&doc)});
    let (status, _) =
        call(&s.app, Method::PUT, "/api/v1/bom", Some(&s.editor), Some("application/json"), body.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The multipart form, by project UUID.
    let uuid = project_uuid("shop", "2.0").to_string();
    let boundary = "XyZ";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"project\"\r\n\r\n{uuid}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"bom\"; filename=\"bom.json\"\r\nContent-Type: application/json\r\n\r\n{doc}\r\n--{boundary}--\r\n"
    );
    let (status, answer) = call(
        &s.app,
        Method::POST,
        "/api/v1/bom",
        Some(&s.editor),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, projects) = call(&s.app, Method::GET, "/api/v1/project", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let projects = projects.as_array().unwrap();
    assert_eq!(projects.len(), 1, "{projects:?}");
    assert_eq!(projects[0]["uuid"], uuid.as_str());
    assert_eq!(projects[0]["name"], "shop");
    assert_eq!(projects[0]["version"], "2.0");
    let (status, one) =
        call(&s.app, Method::GET, "/api/v1/project/lookup?name=shop&version=2.0", Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["uuid"], uuid.as_str());
    let (_, products) = call(&s.app, Method::GET, "/api/v1/products", Some(&s.viewer), None, "").await;
    assert_eq!(products[0]["versions"][0]["components"], 2);
}

#[tokio::test]
async fn bad_uploads_store_nothing() {
    let s = server_with("bad", Config { max_upload: 2_000, ..Config::default() });
    let (status, body) = upload(&s, &s.editor, "shop", "1", "{\"bomFormat\": \"CycloneDX\", ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("could not be read"), "{body}");
    let (status, body) = upload(&s, &s.editor, "shop", "1", "just text").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let big = sbom("4.17.20") + &" ".repeat(3_000);
    let (status, body) = upload(&s, &s.editor, "shop", "1", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["message"].as_str().unwrap().contains("limit is 2000 bytes"), "{body}");
    let body = json!({"projectName": "shop", "projectVersion": "1", "autoCreate": true, "bom": "%%%"});
    let (status, _) =
        call(&s.app, Method::PUT, "/api/v1/bom", Some(&s.editor), Some("application/json"), body.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, products) = call(&s.app, Method::GET, "/api/v1/products", Some(&s.admin), None, "").await;
    assert_eq!(products, json!([]), "nothing was stored");
}

/// Every route with no credentials, a wrong token, and each role: the answer class each must give.
#[tokio::test]
async fn every_route_with_every_role() {
    let s = server("roles");
    let (status, _) = upload(&s, &s.admin, "shop", "1.0", &sbom("4.17.20")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = call(&s.app, Method::GET, "/api/v1/findings", Some(&s.admin), None, "").await;
    let finding = list["findings"][0]["id"].as_i64().unwrap();
    let sbom_id = 1;
    let uuid = project_uuid("shop", "1.0");
    let triage = json!({"state": "in_triage"}).to_string();
    let multipart = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"projectName\"\r\n\r\nshop\r\n--XyZ\r\nContent-Disposition: form-data; name=\"projectVersion\"\r\n\r\n1.0\r\n--XyZ\r\nContent-Disposition: form-data; name=\"bom\"\r\n\r\n{}\r\n--XyZ--\r\n",
        sbom("4.17.20")
    );
    let advisory = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf/tests/data/scan/advisories/OSV-2021-0001.json"),
    )
    .unwrap();
    let put =
        json!({"projectName": "shop", "projectVersion": "1.0", "bom": STANDARD.encode(sbom("4.17.20"))}).to_string();
    // (method, uri, body, least role that succeeds: 0 = anyone, 1 = viewer, 2 = editor, 3 = admin)
    let routes: Vec<(Method, String, String, u8)> = vec![
        (Method::GET, "/api/version".into(), String::new(), 0),
        (Method::GET, "/api/openapi.json".into(), String::new(), 0),
        (Method::PUT, "/api/v1/bom".into(), put, 2),
        (Method::GET, format!("/api/v1/bom/token/{uuid}"), String::new(), 1),
        (Method::GET, format!("/api/v1/event/token/{uuid}"), String::new(), 1),
        (Method::GET, "/api/v1/project".into(), String::new(), 1),
        (Method::GET, "/api/v1/project/lookup?name=shop&version=1.0".into(), String::new(), 1),
        (Method::GET, "/api/v1/products".into(), String::new(), 1),
        (Method::POST, "/api/v1/products/shop/versions/1.0/sboms".into(), sbom("4.17.20"), 2),
        (Method::GET, format!("/api/v1/sboms/{sbom_id}/document"), String::new(), 1),
        (Method::GET, "/api/v1/products/shop/versions/1.0/findings.csv".into(), String::new(), 1),
        (Method::GET, "/api/v1/products/shop/versions/1.0/vex".into(), String::new(), 1),
        (Method::GET, "/api/v1/findings".into(), String::new(), 1),
        (Method::GET, format!("/api/v1/findings/{finding}"), String::new(), 1),
        (Method::POST, format!("/api/v1/findings/{finding}/analysis"), triage, 2),
        (Method::GET, "/api/v1/components?name=lodash".into(), String::new(), 1),
        (Method::POST, "/api/v1/advisories?name=OSV-2021-0001.json".into(), advisory, 3),
        (Method::POST, "/api/v1/bom".into(), multipart, 2),
    ];
    // The assessment and questionnaire routes are walked by `assess::every_assessment_route_with_every_role`, the
    // factory routes by `ot::every_ot_route_with_every_role`.
    assert_eq!(
        routes.len() + crate::assess::ROUTES.len() + crate::ot::ROUTES.len(),
        cpsf_server::app::api_routes().len(),
        "every route is walked"
    );
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
                (!body.is_empty()).then_some(if body.starts_with("--XyZ") {
                    "multipart/form-data; boundary=XyZ"
                } else {
                    "application/json"
                }),
                body.clone(),
            )
            .await;
            let expected_ok = level >= needed;
            if expected_ok {
                assert!(status.is_success(), "{method} {uri} as level {level}: {status} {answer}");
            } else if *level == 0 {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri} without valid credentials: {answer}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri} as level {level}: {answer}");
            }
        }
    }
}

#[tokio::test]
async fn advisory_upload_rematches_the_portfolio() {
    let s = server("advisory-upload");
    let (status, _) = upload(&s, &s.editor, "shop", "1.0", &sbom("4.17.21")).await;
    assert_eq!(status, StatusCode::CREATED);
    let record = json!({
        "schema_version": "1.6.0", "id": "OSV-TEST-LEFTPAD", "modified": "2026-11-01T00:00:00Z",
        "summary": "a test advisory for left-pad",
        "affected": [{ "package": { "ecosystem": "npm", "name": "left-pad" },
                       "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }, { "fixed": "1.3.1" }] }] }]
    })
    .to_string();
    let (status, body) =
        call(&s.app, Method::POST, "/api/v1/advisories?name=left-pad.json", Some(&s.editor), None, record.clone())
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors may not change advisory data: {body}");
    let (status, body) =
        call(&s.app, Method::POST, "/api/v1/advisories?name=../../left-pad.json", Some(&s.admin), None, record).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["added"], 1, "{body}");
    assert!(body["rematched"]["new"].as_u64().unwrap() >= 1, "{body}");
    let (_, list) =
        call(&s.app, Method::GET, "/api/v1/findings?vulnerability=OSV-TEST-LEFTPAD", Some(&s.viewer), None, "").await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["findings"][0]["fixed_version"], "1.3.1");
}

/// A user granted one product sees only it, and may upload only where the grant's role allows.
#[tokio::test]
async fn per_product_access() {
    let s = server("access");
    for product in ["shop", "bank"] {
        let (status, _) = upload(&s, &s.admin, product, "1.0", &sbom("4.17.20")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let store = cpsf_store::Store::open_sqlite(&s.dir.join("store.db")).unwrap();
    store.grant_access("victor", "shop", cpsf_store::Role::Viewer, "test").unwrap();
    store.grant_access("erin", "bank", cpsf_store::Role::Editor, "test").unwrap();
    let names = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };
    let (_, products) = call(&s.app, Method::GET, "/api/v1/products", Some(&s.viewer), None, "").await;
    assert_eq!(names(&products), ["shop"]);
    let (_, findings) = call(&s.app, Method::GET, "/api/v1/findings", Some(&s.viewer), None, "").await;
    assert!(findings["findings"].as_array().unwrap().iter().all(|f| f["product"] == "shop"), "{findings}");
    let (_, hits) = call(&s.app, Method::GET, "/api/v1/components?name=lodash", Some(&s.viewer), None, "").await;
    assert!(hits["hits"].as_array().unwrap().iter().all(|h| h["product"] == "shop"), "{hits}");
    let (status, _) = upload(&s, &s.editor, "shop", "2.0", &sbom("4.17.21")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "erin's grant is for bank only");
    let (status, _) = upload(&s, &s.editor, "bank", "2.0", &sbom("4.17.21")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, products) = call(&s.app, Method::GET, "/api/v1/products", Some(&s.admin), None, "").await;
    assert_eq!(names(&products), ["bank", "shop"], "an admin sees everything");
}

/// SPDX JSON and CycloneDX XML are stored as uploaded and read like CycloneDX JSON.
#[tokio::test]
async fn spdx_and_xml_uploads() {
    let s = server("formats");
    let spdx = json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "shop",
        "documentNamespace": "https://example.com/spdx/shop-1", "creationInfo": { "created": "2026-01-01T00:00:00Z", "creators": ["Tool: test"] },
        "packages": [{ "SPDXID": "SPDXRef-lodash", "name": "lodash", "versionInfo": "4.17.20", "downloadLocation": "NOASSERTION",
            "externalRefs": [{ "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/lodash@4.17.20" }] }]
    })
    .to_string();
    let (status, body) = upload(&s, &s.editor, "shop", "spdx", &spdx).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["components"], 1);
    assert!(body["findings"]["new"].as_u64().unwrap() >= 1, "{body}");
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="library" bom-ref="pkg:npm/lodash@4.17.20"><name>lodash</name><version>4.17.20</version><purl>pkg:npm/lodash@4.17.20</purl></component>
  </components>
</bom>"#;
    let uri = "/api/v1/products/shop/versions/xml/sboms";
    let (status, body) =
        call(&s.app, Method::POST, uri, Some(&s.editor), Some("application/xml"), xml.to_owned()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["sbom"].as_i64().unwrap();
    let response = s
        .app
        .clone()
        .oneshot(
            axum::http::Request::builder()
                .uri(format!("/api/v1/sboms/{id}/document"))
                .header("x-api-key", &s.viewer)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/xml");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(&bytes[..], xml.as_bytes(), "exported exactly as uploaded");
}
