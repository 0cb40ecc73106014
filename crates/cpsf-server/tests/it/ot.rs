//! Factory systems over the API and the pages: roles, the plant PUT (validated; nothing stored on error), asset
//! changes with provenance, captures (the demo's generated capture and, when present, shared ICS captures) with
//! conduit checks, discovered candidates and their merge, CSAF advisories giving findings on the right asset, and
//! CSV/XLSX export read back by the import.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use cpsf_ot::asset::Day;
use cpsf_server::demo;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{TestServer, call, server};
use crate::web::{FORM, csrf_of, log_in, send};

const SITE: &str = demo::SITE;
const YAML: &str = "application/yaml";

fn today() -> Day {
    Day(time::OffsetDateTime::now_utc().date())
}

/// A request returning the raw body.
async fn raw(s: &TestServer, method: Method, uri: &str, token: &str, body: impl Into<Body>) -> (StatusCode, Vec<u8>) {
    let request = Request::builder().method(method).uri(uri).header("x-api-key", token).body(body.into()).unwrap();
    let response = s.app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (status, axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec())
}

/// A multipart body of (field, file name, bytes) parts (no file name: a text field).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "cpsfOTboundary";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = file {
            body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn put_demo_plant(s: &TestServer) {
    let (status, body) = call(
        &s.app,
        Method::PUT,
        &format!("/api/v1/sites/{SITE}/plant"),
        Some(&s.editor),
        Some(YAML),
        demo::plant_yaml(today()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn upload_demo_capture(s: &TestServer) -> Value {
    let bytes = demo::capture(time::OffsetDateTime::now_utc().unix_timestamp() * 1_000_000).unwrap();
    let uri = format!("/api/v1/sites/{SITE}/captures?name={}", demo::CAPTURE_NAME);
    let (status, body) =
        call(&s.app, Method::POST, &uri, Some(&s.editor), Some("application/vnd.tcpdump.pcap"), bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn plant_put_is_validated_and_roles_apply() {
    let s = server("ot-plant");
    let plant_uri = format!("/api/v1/sites/{SITE}/plant");
    // Authentication and roles.
    let (status, _) = call(&s.app, Method::GET, "/api/v1/sites", None, None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let yaml = demo::plant_yaml(today());
    let (status, _) = call(&s.app, Method::PUT, &plant_uri, Some(&s.viewer), Some(YAML), yaml.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer may not write plants");

    // A plant with a bad reference and an impossible security level: 400 naming both fields; nothing stored.
    let bad = yaml
        .replace(
            "zone: cell, purdue_level: \"1\", importance: 3",
            "zone: shop-floor, purdue_level: \"1\", importance: 3",
        )
        .replace("sl_target: {iac: 1, uc: 1", "sl_target: {iac: 5, uc: 1");
    let (status, body) = call(&s.app, Method::PUT, &plant_uri, Some(&s.editor), Some(YAML), bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let paths: Vec<&str> = body["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"assets[0].zone"), "{paths:?}");
    assert!(paths.contains(&"zones[0].sl_target.iac"), "{paths:?}");
    assert!(body["problems"][0]["line"].is_number(), "block-style items carry their line: {body}");
    let (status, _) = call(&s.app, Method::GET, &plant_uri, Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was stored");
    // A syntax error names its line; a wrong type names its field.
    let (status, body) =
        call(&s.app, Method::PUT, &plant_uri, Some(&s.editor), Some(YAML), "format: cpsf-plant/1\nzones: [\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("line"), "{body}");
    let (status, body) = call(
        &s.app,
        Method::PUT,
        &plant_uri,
        Some(&s.editor),
        Some("application/json"),
        json!({ "format": "cpsf-plant/1", "assets": [{ "id": "x", "importance": 7 }] }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("importance"), "{body}");
    let (status, _) = call(&s.app, Method::GET, &plant_uri, Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "still nothing stored");
    let (status, _) = call(&s.app, Method::PUT, &plant_uri, Some(&s.editor), Some("text/csv"), "a,b").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // The valid plant: created, read back as JSON and YAML.
    put_demo_plant(&s).await;
    let (status, body) = call(&s.app, Method::GET, &plant_uri, Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["revision"], 1);
    assert_eq!(body["plant"]["zones"].as_array().unwrap().len(), 4);
    let (status, text) = raw(&s, Method::GET, &format!("{plant_uri}?format=yaml"), &s.viewer, "").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("format: cpsf-plant/1"), "{text}");
    // A stale revision is a conflict.
    let (status, body) =
        call(&s.app, Method::PUT, &format!("{plant_uri}?revision=7"), Some(&s.editor), Some(YAML), text.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) =
        call(&s.app, Method::PUT, &format!("{plant_uri}?revision=1"), Some(&s.editor), Some(YAML), text).await;
    assert_eq!((status, body["revision"].as_i64()), (StatusCode::OK, Some(2)));
    let (_, body) = call(&s.app, Method::GET, "/api/v1/sites", Some(&s.viewer), None, "").await;
    assert_eq!(body["sites"][0]["assets"], 12);

    // Assets: filtered list, one asset, a change declared by the caller.
    let (_, body) = call(
        &s.app,
        Method::GET,
        &format!("/api/v1/sites/{SITE}/assets?zone=cell&kind=plc"),
        Some(&s.viewer),
        None,
        "",
    )
    .await;
    let ids: Vec<&str> = body["assets"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["plc-press", "plc-weld", "plc-pack"]);
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets?vendor=sample"), Some(&s.viewer), None, "")
            .await;
    assert_eq!(body["assets"].as_array().unwrap().len(), 3, "Sample Controls, Sample Robotics, Sample Sensing");
    let asset_uri = format!("/api/v1/sites/{SITE}/assets/scada-1");
    let patch = json!({ "firmware_version": "7.1.4", "extra.cabinet": "B2" }).to_string();
    let (status, _) =
        call(&s.app, Method::PATCH, &asset_uri, Some(&s.viewer), Some("application/json"), patch.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        call(&s.app, Method::PATCH, &asset_uri, Some(&s.editor), Some("application/json"), patch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["asset"]["firmware"], "7.1.4");
    assert_eq!(body["asset"]["provenance"]["firmware_version"]["kind"], "declared");
    assert_eq!(body["asset"]["provenance"]["firmware_version"]["from"], "user erin");
    for (bad, field) in [
        (json!({ "ip": "10.0.0.300" }), "ip:"),
        (json!({ "colour": "red" }), "colour:"),
        (json!({ "asset_id": "x" }), "asset_id:"),
    ] {
        let (status, body) =
            call(&s.app, Method::PATCH, &asset_uri, Some(&s.editor), Some("application/json"), bad.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"].as_str().unwrap().starts_with(field), "{body}");
    }
    let (status, body) = call(&s.app, Method::GET, &asset_uri, Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let facts = body["facts"].as_array().unwrap();
    let firmware = facts.iter().find(|f| f["field"] == "firmware_version").unwrap();
    assert!(firmware["provenance"].as_str().unwrap().starts_with("declared "), "{firmware}");
    let (status, _) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets/nope"), Some(&s.viewer), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_generated_capture_shows_the_violation_and_candidates_merge() {
    let s = server("ot-capture");
    put_demo_plant(&s).await;
    let bytes = demo::capture(1_767_225_600_000_000).unwrap();
    let (status, _) = call(
        &s.app,
        Method::POST,
        &format!("/api/v1/sites/{SITE}/captures"),
        Some(&s.viewer),
        Some("application/octet-stream"),
        bytes.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer may not upload captures");
    let (status, body) = call(
        &s.app,
        Method::POST,
        &format!("/api/v1/sites/{SITE}/captures"),
        Some(&s.editor),
        Some("application/octet-stream"),
        b"this is no capture".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("not a pcap"), "{body}");

    let uploaded = upload_demo_capture(&s).await;
    let id = uploaded["capture"]["id"].as_i64().unwrap();
    assert_eq!(uploaded["capture"]["kept"], true, "a small capture is kept");
    let violations = uploaded["conduits"]["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(
        (
            violations[0]["src"]["asset"].as_str(),
            violations[0]["dst"]["asset"].as_str(),
            violations[0]["protocol"].as_str()
        ),
        (Some("sensor-1"), Some("historian-1"), Some("mqtt"))
    );
    assert_eq!(violations[0]["reason"], "no-conduit");
    let unknown = uploaded["conduits"]["unknown_devices"].as_array().unwrap();
    assert!(unknown.iter().any(|u| u["ip"] == "10.20.1.99"), "{unknown:?}");
    let new_protocols = uploaded["conduits"]["new_protocols"].as_array().unwrap();
    assert!(new_protocols.iter().any(|n| n["asset"] == "hmi-line1" && n["protocol"] == "opcua"), "{new_protocols:?}");
    // The stored capture reads back byte for byte, and its check is the same from the violations route.
    let (status, pcap) = raw(&s, Method::GET, &format!("/api/v1/sites/{SITE}/captures/{id}/pcap"), &s.viewer, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pcap.len(), demo::capture(0).unwrap().len());
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/violations"), Some(&s.viewer), None, "").await;
    assert_eq!(body["captures"][0]["report"]["violations"].as_array().unwrap().len(), 1);
    let (_, body) = call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/matrix"), Some(&s.viewer), None, "").await;
    let flows = body["flows"].as_array().unwrap();
    assert!(
        flows.iter().any(|f| f["src"]["asset"] == "sensor-1" && f["dst"]["zone"] == "dmz" && f["protocol"] == "mqtt")
    );

    // Candidates: the laptop is new; the welding PLC matches its asset, with a serial number that disagrees.
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/discovered"), Some(&s.viewer), None, "").await;
    let candidates = body["captures"][0]["candidates"].as_array().unwrap();
    let laptop = candidates.iter().find(|c| c["id"] == "discovered-10-20-1-99").expect("the laptop is a candidate");
    assert!(laptop["matches"].is_null());
    let weld = candidates.iter().find(|c| c["matches"]["asset"] == "plc-weld").expect("the welding PLC matches");
    assert_eq!(weld["suggested_kind"]["kind"], "plc");
    let conflict = weld["conflicts"].as_array().unwrap().iter().find(|c| c["field"] == "serial_number").unwrap();
    assert_eq!((conflict["kept"].as_str(), conflict["dropped"].as_str()), (Some("SCL300-4711"), Some("0x00004712")));
    let press = candidates.iter().find(|c| c["matches"]["asset"] == "plc-press").unwrap();
    assert_eq!(press["asset"]["vendor"], "Example Automation");
    assert!(
        press["asset"]["provenance"]["vendor"]["detail"].as_str().unwrap().contains("modbus"),
        "each fact names its frame and protocol: {press}"
    );

    // Merge the laptop (as an IT device) and the welding PLC.
    let merge = |candidates: Value| {
        json!({ "capture": id, "candidates": candidates, "kinds": { "discovered-10-20-1-99": "it-server" } })
            .to_string()
    };
    let uri = format!("/api/v1/sites/{SITE}/discovered/merge");
    let (status, _) = call(
        &s.app,
        Method::POST,
        &uri,
        Some(&s.viewer),
        Some("application/json"),
        merge(json!(["discovered-10-20-1-99"])),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        call(&s.app, Method::POST, &uri, Some(&s.editor), Some("application/json"), merge(json!(["nope"]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("nope"), "{body}");
    let chosen = json!(["discovered-10-20-1-99", weld["id"].as_str().unwrap()]);
    let (status, body) =
        call(&s.app, Method::POST, &uri, Some(&s.editor), Some("application/json"), merge(chosen)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["added"], json!(["discovered-10-20-1-99"]));
    assert_eq!(body["merged"][0]["into"], "plc-weld");
    assert!(
        body["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "serial_number" && c["kept"] == "SCL300-4711")
    );
    let (_, body) = call(
        &s.app,
        Method::GET,
        &format!("/api/v1/sites/{SITE}/assets/discovered-10-20-1-99"),
        Some(&s.viewer),
        None,
        "",
    )
    .await;
    assert_eq!(body["asset"]["kind"], "it-server");
    assert_eq!(body["asset"]["source"]["kind"], "discovered");
    assert_eq!(body["asset"]["source"]["from"], demo::CAPTURE_NAME);
    assert_eq!(body["asset"]["source"]["at"], today().to_string(), "the day of the capture's first packet");
    // The welding PLC kept its declared serial number and gained the discovered product name as an extra fact.
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets/plc-weld"), Some(&s.viewer), None, "").await;
    assert_eq!(body["asset"]["serial"], "SCL300-4711");
    assert_eq!(body["asset"]["extra"]["device_type"], "Programmable Logic Controller (14)");
    // After the merge, the laptop is no longer an unknown device.
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/violations"), Some(&s.viewer), None, "").await;
    let unknown = body["captures"][0]["report"]["unknown_devices"].as_array().unwrap();
    assert!(!unknown.iter().any(|u| u["ip"] == "10.20.1.99"), "{unknown:?}");
}

#[tokio::test]
async fn a_csaf_advisory_gives_a_finding_on_the_right_asset() {
    let s = server("ot-csaf");
    put_demo_plant(&s).await;
    let csaf = demo::csaf();
    let (status, _) = call(
        &s.app,
        Method::POST,
        "/api/v1/device-advisories",
        Some(&s.viewer),
        Some("application/json"),
        csaf.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewers do not upload advisories");
    let (status, body) = call(
        &s.app,
        Method::POST,
        "/api/v1/device-advisories",
        Some(&s.editor),
        Some("application/json"),
        "{\"x\": 1}",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(
        &s.app,
        Method::POST,
        "/api/v1/device-advisories",
        Some(&s.editor),
        Some("application/json"),
        csaf.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["tracking_id"], "EXA-SA-2099-001");
    assert_eq!(body["sites"][SITE]["new"], 2);

    let findings_uri = format!("/api/v1/sites/{SITE}/asset-findings");
    let (_, body) = call(&s.app, Method::GET, &findings_uri, Some(&s.viewer), None, "").await;
    let findings = body["findings"].as_array().unwrap();
    let by_asset: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| (f["asset"].as_str().unwrap(), f["cve"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(by_asset, [("hmi-line1", "CVE-2099-0002", "affected"), ("plc-press", "CVE-2099-0001", "affected")]);
    let press = findings.iter().find(|f| f["asset"] == "plc-press").unwrap();
    assert_eq!((press["matched_by"].as_str(), press["cvss"].as_f64()), (Some("model-number"), Some(9.8)));
    assert_eq!(press["detail"]["version_check"], "confirmed");
    // The same asset of the same vendor with another model (the drive) has none.
    let (_, body) =
        call(&s.app, Method::GET, &format!("{findings_uri}?asset=drive-1"), Some(&s.viewer), None, "").await;
    assert!(body["findings"].as_array().unwrap().is_empty());
    let (_, body) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets/plc-press"), Some(&s.viewer), None, "").await;
    assert_eq!(body["device_findings"][0]["advisory"], "EXA-SA-2099-001");

    // The firmware is updated: the finding is fixed (kept, no longer open).
    let (status, _) = call(
        &s.app,
        Method::PATCH,
        &format!("/api/v1/sites/{SITE}/assets/plc-press"),
        Some(&s.editor),
        Some("application/json"),
        json!({ "firmware_version": "2.5.0" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(&s.app, Method::GET, &findings_uri, Some(&s.viewer), None, "").await;
    let open: Vec<&str> = body["findings"].as_array().unwrap().iter().map(|f| f["asset"].as_str().unwrap()).collect();
    assert!(!open.contains(&"plc-press"), "{open:?}");
    let (_, body) =
        call(&s.app, Method::GET, &format!("{findings_uri}?status=any&asset=plc-press"), Some(&s.viewer), None, "")
            .await;
    let all = body["findings"].as_array().unwrap();
    assert!(
        all.iter().any(|f| f["cve"] == "CVE-2099-0001" && f["status"] == "affected" && f["fixed_at"].is_string()),
        "{all:?}"
    );
    // Uploading it again replaces it.
    let (status, body) =
        call(&s.app, Method::POST, "/api/v1/device-advisories", Some(&s.admin), Some("application/json"), csaf).await;
    assert_eq!((status, body["replaced"].as_bool()), (StatusCode::OK, Some(true)));
    let (_, body) = call(&s.app, Method::GET, "/api/v1/device-advisories", Some(&s.viewer), None, "").await;
    assert_eq!(body["advisories"].as_array().unwrap().len(), 1);

    // IoT-SSF: the plant's subjects categorized, marked unverified; one more categorized on request.
    let (_, body) = call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/iotssf"), Some(&s.viewer), None, "").await;
    assert_eq!(body["scheme"]["verified"], false);
    let subjects = body["subjects"].as_array().unwrap();
    assert_eq!(subjects[0]["categorization"]["category"], "III");
    assert_eq!(subjects[1]["categorization"]["category"], "IV");
    assert_eq!(subjects[1]["categorization"]["verified"], false);
    let subject = json!({ "id": "gw", "incidents": [{ "description": "x", "recovery": 1, "economic": 1 }] });
    let (status, body) = call(
        &s.app,
        Method::POST,
        "/api/v1/iotssf/categorize",
        Some(&s.viewer),
        Some("application/json"),
        subject.to_string(),
    )
    .await;
    assert_eq!((status, body["category"].as_str()), (StatusCode::OK, Some("I")));
    let subject = json!({ "id": "gw", "incidents": [{ "description": "x", "recovery": 9, "economic": 1 }] });
    let (status, _) = call(
        &s.app,
        Method::POST,
        "/api/v1/iotssf/categorize",
        Some(&s.viewer),
        Some("application/json"),
        subject.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn csv_and_xlsx_exports_import_back() {
    let s = server("ot-export");
    put_demo_plant(&s).await;
    let (_, original) =
        call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets"), Some(&s.viewer), None, "").await;
    let original = original["assets"].as_array().unwrap().clone();
    let (status, hbom) = raw(&s, Method::GET, &format!("/api/v1/sites/{SITE}/assets?format=hbom"), &s.viewer, "").await;
    assert_eq!(status, StatusCode::OK);
    let hbom: Value = serde_json::from_slice(&hbom).unwrap();
    assert_eq!(hbom["specVersion"], "1.6");
    assert_eq!(hbom["components"].as_array().unwrap().len(), original.len());

    for (format, lang) in [("csv", "en"), ("xlsx", "ja")] {
        let (status, bytes) =
            raw(&s, Method::GET, &format!("/api/v1/sites/{SITE}/assets?format={format}&lang={lang}"), &s.viewer, "")
                .await;
        assert_eq!(status, StatusCode::OK);
        let target = format!("copy-{format}");
        let (status, _) = call(
            &s.app,
            Method::PUT,
            &format!("/api/v1/sites/{target}/plant"),
            Some(&s.editor),
            Some(YAML),
            "format: cpsf-plant/1\n",
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let file = format!("assets.{format}");
        let (ct, form) = multipart(&[("file", Some(&file), &bytes)]);
        let (status, _) = call(
            &s.app,
            Method::POST,
            &format!("/api/v1/sites/{target}/assets"),
            Some(&s.viewer),
            Some(&ct),
            form.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, report) =
            call(&s.app, Method::POST, &format!("/api/v1/sites/{target}/assets"), Some(&s.editor), Some(&ct), form)
                .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
        assert_eq!(report["added"], original.len());
        assert_eq!(report["zones_added"].as_array().unwrap().len(), 4, "zones named by the rows are added");
        let (_, copy) =
            call(&s.app, Method::GET, &format!("/api/v1/sites/{target}/assets"), Some(&s.viewer), None, "").await;
        let copy = copy["assets"].as_array().unwrap();
        for (a, b) in original.iter().zip(copy) {
            for key in
                ["id", "name", "kind", "vendor", "model", "product_code", "firmware", "ips", "macs", "zone", "sboms"]
            {
                assert_eq!(a[key], b[key], "{format}: {key} of {}", a["id"]);
            }
        }
    }
    // A spreadsheet with a bad row: the row is reported, the rest imported; a dry run stores nothing.
    let csv = "asset_id,name,ip,importance\nk-1,Good,10.0.0.1,2\nk-2,Bad,10.0.0.300,2\n";
    let (ct, form) = multipart(&[("file", Some("k.csv"), csv.as_bytes()), ("dry_run", None, b"true")]);
    let (status, report) =
        call(&s.app, Method::POST, &format!("/api/v1/sites/{SITE}/assets"), Some(&s.editor), Some(&ct), form).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["stored"].as_bool(), report["added"].as_u64()), (Some(false), Some(1)));
    let problem = &report["problems"][0];
    assert_eq!((problem["row"].as_u64(), problem["column"].as_str()), (Some(3), Some("ip")), "{report}");
    let (_, body) = call(&s.app, Method::GET, &format!("/api/v1/sites/{SITE}/assets"), Some(&s.viewer), None, "").await;
    assert_eq!(body["assets"].as_array().unwrap().len(), original.len(), "the dry run stored nothing");
}

/// A capture from the shared ICS captures: discovery through the upload finds identities (S7 SZL, ENIP).
#[tokio::test]
async fn shared_ics_captures_upload() {
    let base = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("ics-pcap");
    if !base.is_dir() {
        println!("SKIPPED: shared ICS captures not found at {}", base.display());
        return;
    }
    let s = server("ot-shared");
    let (status, _) = call(
        &s.app,
        Method::PUT,
        "/api/v1/sites/lab/plant",
        Some(&s.editor),
        Some(YAML),
        "format: cpsf-plant/1\nzones: [{id: lab}]\n",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The S7 station is a PLC; the EtherNet/IP one says it is a communications adapter.
    for (file, kind) in [("s7comm/s7ident.pcap", "plc"), ("enip/enip_test.pcap", "network-device")] {
        let path = base.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            println!("SKIPPED: {} is missing", path.display());
            continue;
        };
        let (ct, form) = multipart(&[("file", Some(file.rsplit('/').next().unwrap()), &bytes)]);
        let (status, body) =
            call(&s.app, Method::POST, "/api/v1/sites/lab/captures", Some(&s.editor), Some(&ct), form).await;
        assert_eq!(status, StatusCode::CREATED, "{file}: {body}");
        assert!(body["capture"]["devices"].as_u64().unwrap() > 0, "{file}: {body}");
        assert!(
            !body["conduits"]["unknown_devices"].as_array().unwrap().is_empty(),
            "{file}: an empty inventory knows nothing"
        );
        let id = body["capture"]["id"].as_i64().unwrap();
        let (_, body) =
            call(&s.app, Method::GET, &format!("/api/v1/sites/lab/discovered?capture={id}"), Some(&s.viewer), None, "")
                .await;
        let candidates = body["captures"][0]["candidates"].as_array().unwrap();
        assert!(
            candidates.iter().any(|c| c["asset"]["product_code"].is_string() && c["suggested_kind"]["kind"] == kind),
            "{file}: a {kind} with its product code: {candidates:?}"
        );
    }
}

/// The pages: the zone diagram with the violation in red, the candidates with checkboxes, a merge through the form
/// (CSRF checked), the merged device in the asset table, the device advisories page.
#[tokio::test]
async fn pages_show_the_plant_and_merge_by_form() {
    let s = server("ot-web");
    put_demo_plant(&s).await;
    upload_demo_capture(&s).await;
    let (status, _) = call(
        &s.app,
        Method::POST,
        "/api/v1/device-advisories",
        Some(&s.editor),
        Some("application/json"),
        demo::csaf(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let cookie = log_in(&s.app, "erin").await;
    let get = |uri: String| {
        let (app, cookie) = (s.app.clone(), cookie.clone());
        async move { send(&app, Method::GET, &uri, Some(&cookie), None, "").await }
    };

    let (status, _, page) = get("/sites".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/sites/{SITE}\"")), "{page}");
    assert!(page.contains("href=\"/device-advisories\""), "the navigation links the pages");
    let (status, _, page) = get(format!("/sites/{SITE}/zones")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg class=\"zones\" role=\"img\""), "an inline SVG diagram");
    let violation = page.find("<g class=\"violation\">").expect("a violation drawn");
    assert!(page[violation..].contains("stroke=\"#c0392b\""), "in red");
    assert!(
        page.contains(">c-control-cell</tspan>") && page.contains(">modbus/502, enip/44818, s7comm/102</tspan>"),
        "conduits labelled with protocols"
    );
    assert!(page.contains("<tr class=\"violation\">") && page.contains("sensor-1 (cell)"), "and listed");
    assert!(page.contains("hmi-line1</a>: opcua"), "the new protocol listed");
    let (_, _, page) = get(format!("/sites/{SITE}/discovered")).await;
    assert!(page.contains("name=\"candidate\" value=\"discovered-10-20-1-99\""), "a checkbox per candidate");
    let link =
        page.split("href=\"/sites/example-works/captures/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (status, headers, _) = get(format!("/sites/{SITE}/captures/{link}")).await;
    assert_eq!(status, StatusCode::OK, "the capture downloads with the session");
    assert!(headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains(demo::CAPTURE_NAME));
    assert!(page.contains("SCL300-4711") && page.contains("0x00004712"), "conflicting values shown");
    let csrf = csrf_of(&page);
    let capture = page.split("name=\"capture\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    // Without the CSRF token the merge is refused.
    let form = format!("capture={capture}&candidate=discovered-10-20-1-99");
    let uri = format!("/sites/{SITE}/discovered/merge");
    let (status, _, _) = send(&s.app, Method::POST, &uri, Some(&cookie), Some(FORM), form.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = format!("csrf={csrf}&{form}&kind-discovered-10-20-1-99=engineering-workstation");
    let (status, _, page) = send(&s.app, Method::POST, &uri, Some(&cookie), Some(FORM), form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("discovered-10-20-1-99"), "{page}");
    let (_, _, page) = get(format!("/sites/{SITE}/assets?kind=engineering-workstation")).await;
    assert!(
        page.contains(&format!("href=\"/sites/{SITE}/assets/discovered-10-20-1-99\"")),
        "the merged device in the table"
    );
    assert!(page.contains(">discovered<"), "with its source");

    // The asset page shows provenance and both kinds of findings.
    let (_, _, page) = get(format!("/sites/{SITE}/assets/hmi-line1")).await;
    assert!(page.contains("CVE-2099-0002"), "the device advisory finding");
    assert!(page.contains("class=\"software-findings\""), "software findings of the linked SBOM");
    assert!(page.contains("declared "), "facts with provenance");
    let (_, _, page) = get("/device-advisories".into()).await;
    assert!(page.contains("EXA-SA-2099-001") && page.contains("plc-press"), "{page}");
    let (_, _, page) = get(format!("/sites/{SITE}/iotssf")).await;
    assert!(page.contains("class=\"badge unverified\""), "IoT-SSF output is marked unverified");
    let (_, _, page) = get(format!("/sites/{SITE}/matrix")).await;
    assert!(page.contains("mqtt"));
    // Japanese pages.
    let (_, _, page) =
        send(&s.app, Method::GET, &format!("/sites/{SITE}/zones"), Some(&format!("{cookie}; cpsf_lang=ja")), None, "")
            .await;
    assert!(page.contains("コンジットに違反する通信"), "{page}");
    // Viewers read but see no forms.
    let viewer = log_in(&s.app, "victor").await;
    let (status, _, page) =
        send(&s.app, Method::GET, &format!("/sites/{SITE}/discovered"), Some(&viewer), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("name=\"candidate\""));
    let (status, _, _) = send(&s.app, Method::GET, "/sites/nowhere/zones", Some(&viewer), None, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The factory routes, walked by [`every_ot_route_with_every_role`].
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/sites"),
    ("GET", "/api/v1/sites/{site}/plant"),
    ("PUT", "/api/v1/sites/{site}/plant"),
    ("GET", "/api/v1/sites/{site}/assets"),
    ("POST", "/api/v1/sites/{site}/assets"),
    ("GET", "/api/v1/sites/{site}/assets/{asset}"),
    ("PATCH", "/api/v1/sites/{site}/assets/{asset}"),
    ("GET", "/api/v1/sites/{site}/captures"),
    ("POST", "/api/v1/sites/{site}/captures"),
    ("GET", "/api/v1/sites/{site}/captures/{id}"),
    ("GET", "/api/v1/sites/{site}/captures/{id}/pcap"),
    ("GET", "/api/v1/sites/{site}/discovered"),
    ("POST", "/api/v1/sites/{site}/discovered/merge"),
    ("GET", "/api/v1/sites/{site}/matrix"),
    ("GET", "/api/v1/sites/{site}/violations"),
    ("GET", "/api/v1/sites/{site}/asset-findings"),
    ("GET", "/api/v1/sites/{site}/iotssf"),
    ("GET", "/api/v1/device-advisories"),
    ("POST", "/api/v1/device-advisories"),
    ("POST", "/api/v1/iotssf/categorize"),
];

/// Every factory route with no credentials, a wrong token, and each role.
#[tokio::test]
async fn every_ot_route_with_every_role() {
    let s = server("ot-roles");
    put_demo_plant(&s).await;
    let capture = upload_demo_capture(&s).await["capture"]["id"].as_i64().unwrap();
    let pcap = demo::capture(0).unwrap();
    let (import_type, import) = multipart(&[("file", Some("a.csv"), b"asset_id,name\nx-1,Extra\n")]);
    let json_type = "application/json";
    let base = format!("/api/v1/sites/{SITE}");
    // (method, uri, content type, body, least role that succeeds: 1 = viewer, 2 = editor)
    let routes: Vec<(Method, String, &str, Vec<u8>, u8)> = vec![
        (Method::GET, "/api/v1/sites".into(), "", Vec::new(), 1),
        (Method::GET, format!("{base}/plant"), "", Vec::new(), 1),
        (Method::PUT, format!("{base}/plant"), YAML, demo::plant_yaml(today()).into_bytes(), 2),
        (Method::GET, format!("{base}/assets"), "", Vec::new(), 1),
        (Method::POST, format!("{base}/assets"), &import_type, import, 2),
        (Method::GET, format!("{base}/assets/plc-press"), "", Vec::new(), 1),
        (Method::PATCH, format!("{base}/assets/plc-press"), json_type, br#"{"owner": "maintenance"}"#.to_vec(), 2),
        (Method::GET, format!("{base}/captures"), "", Vec::new(), 1),
        (Method::POST, format!("{base}/captures?name=x.pcapng"), "application/vnd.tcpdump.pcap", pcap, 2),
        (Method::GET, format!("{base}/captures/{capture}"), "", Vec::new(), 1),
        (Method::GET, format!("{base}/captures/{capture}/pcap"), "", Vec::new(), 1),
        (Method::GET, format!("{base}/discovered"), "", Vec::new(), 1),
        (
            Method::POST,
            format!("{base}/discovered/merge"),
            json_type,
            json!({ "capture": capture, "candidates": ["discovered-10-20-1-99"] }).to_string().into_bytes(),
            2,
        ),
        (Method::GET, format!("{base}/matrix"), "", Vec::new(), 1),
        (Method::GET, format!("{base}/violations"), "", Vec::new(), 1),
        (Method::GET, format!("{base}/asset-findings"), "", Vec::new(), 1),
        (Method::GET, format!("{base}/iotssf"), "", Vec::new(), 1),
        (Method::GET, "/api/v1/device-advisories".into(), "", Vec::new(), 1),
        (Method::POST, "/api/v1/device-advisories".into(), json_type, demo::csaf().into_bytes(), 2),
        (
            Method::POST,
            "/api/v1/iotssf/categorize".into(),
            json_type,
            br#"{"id": "s", "incidents": [{"description": "d", "recovery": 2, "economic": 3}]}"#.to_vec(),
            1,
        ),
    ];
    assert_eq!(routes.len(), ROUTES.len(), "every route is walked");
    for (method, path) in ROUTES {
        let template: Vec<&str> = path.split('/').collect();
        assert!(
            routes.iter().any(|(m, u, ..)| {
                let parts: Vec<&str> = u.split('?').next().unwrap().split('/').collect();
                m.as_str() == *method
                    && parts.len() == template.len()
                    && template.iter().zip(&parts).all(|(t, p)| t.starts_with('{') || t == p)
            }),
            "{method} {path} is walked"
        );
    }
    let wrong = "cpsf_notarealtokennotarealtokennotarealtokenxx".to_owned();
    let callers: Vec<(u8, Option<&String>)> =
        vec![(0, None), (0, Some(&wrong)), (1, Some(&s.viewer)), (2, Some(&s.editor)), (3, Some(&s.admin))];
    for (method, uri, content_type, body, needed) in &routes {
        for (level, token) in &callers {
            let (status, answer) = call(
                &s.app,
                method.clone(),
                uri,
                token.map(String::as_str),
                (!content_type.is_empty()).then_some(*content_type),
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
