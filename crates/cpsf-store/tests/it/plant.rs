//! Factory systems: plant documents per site with revisions, captures (summary always, bytes only when given),
//! device advisories replaced by tracking id, and asset findings reconciled like software findings.

use cpsf_store::{AssetFindingFilter, NewAssetFinding, NewCapture, NewDeviceAdvisory, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::macros::datetime;

use crate::harness::TestStore;

fn doc(name: &str) -> String {
    json!({ "format": "cpsf-plant/1", "name": name, "assets": [] }).to_string()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn actions(t: &TestStore, n: u32) -> Vec<String> {
    t.list_audit(n, 0).unwrap().into_iter().map(|e| e.action).collect()
}

pub fn plants_keep_revisions(t: &TestStore) {
    assert!(t.plant("kawasaki").unwrap().is_none());
    let created = t.put_plant("kawasaki", Some(0), &doc("Kawasaki"), "alice", &json!({})).unwrap();
    assert_eq!((created.revision, created.updated_by.as_str()), (1, "alice"));
    assert_eq!(t.plant("kawasaki").unwrap().unwrap(), created);
    // Creating again is a conflict; a stale revision is a conflict and stores nothing.
    assert!(matches!(t.put_plant("kawasaki", Some(0), &doc("x"), "bob", &json!({})), Err(StoreError::Conflict { .. })));
    let second = t.put_plant("kawasaki", Some(1), &doc("Kawasaki 2"), "bob", &json!({ "assets": 0 })).unwrap();
    assert_eq!((second.revision, second.updated_by.as_str()), (2, "bob"));
    match t.put_plant("kawasaki", Some(1), &doc("stale"), "carol", &json!({})) {
        Err(StoreError::Conflict { what }) => assert!(what.contains("revision 2 now"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert!(t.plant("kawasaki").unwrap().unwrap().document.contains("Kawasaki 2"), "the stale write stored nothing");
    // Unconditional writes create or replace.
    let third = t.put_plant("kawasaki", None, &doc("Kawasaki 3"), "bob", &json!({})).unwrap();
    assert_eq!(third.revision, 3);
    t.put_plant("aichi", None, &doc("Aichi"), "bob", &json!({})).unwrap();
    assert!(matches!(t.put_plant("osaka", Some(4), &doc("x"), "bob", &json!({})), Err(StoreError::NotFound { .. })));
    // Refused before the database: not a JSON object, an empty site name.
    assert!(matches!(t.put_plant("aichi", None, "[1]", "bob", &json!({})), Err(StoreError::Invalid { .. })));
    assert!(matches!(t.put_plant(" ", None, &doc("x"), "bob", &json!({})), Err(StoreError::Invalid { .. })));
    let sites: Vec<String> = t.list_plants().unwrap().into_iter().map(|p| p.site).collect();
    assert_eq!(sites, ["aichi", "kawasaki"]);
    assert_eq!(actions(t, 4), ["plant.create", "plant.update", "plant.update", "plant.create"]);
    t.delete_plant("aichi", "alice").unwrap();
    assert!(t.plant("aichi").unwrap().is_none());
    assert!(matches!(t.delete_plant("aichi", "alice"), Err(StoreError::NotFound { .. })));
}

pub fn captures_keep_summaries_and_small_bytes(t: &TestStore) {
    let bytes = b"\xd4\xc3\xb2\xa1 a tiny capture".to_vec();
    let summary =
        json!({ "devices": [{ "ips": ["10.0.0.1"] }], "flows": [], "counters": { "packets": 1 } }).to_string();
    let kept = NewCapture {
        name: "line1.pcap".into(),
        sha256: sha(&bytes),
        size: bytes.len() as i64,
        summary: summary.clone(),
        content: Some(bytes.clone()),
    };
    // A capture needs its site's plant.
    assert!(matches!(t.add_capture("nowhere", &kept, "erin"), Err(StoreError::NotFound { .. })));
    t.put_plant("kawasaki", Some(0), &doc("K"), "alice", &json!({})).unwrap();
    let first = t.add_capture("kawasaki", &kept, "erin").unwrap();
    assert!(first.has_content);
    let big = NewCapture {
        name: "week.pcapng".into(),
        sha256: "AB".repeat(32),
        size: 900_000_000,
        content: None,
        ..kept.clone()
    };
    let second = t.add_capture("kawasaki", &big, "erin").unwrap();
    assert!(!second.has_content);
    assert_eq!(second.sha256, "ab".repeat(32), "kept in lower case");
    let listed = t.list_captures("kawasaki").unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [second.id, first.id], "newest first");
    assert_eq!(listed[1].summary, summary);
    assert_eq!(t.capture("kawasaki", first.id).unwrap().unwrap(), first);
    assert!(t.capture("other", first.id).unwrap().is_none(), "a capture is found only under its site");
    assert_eq!(t.capture_content("kawasaki", first.id).unwrap(), Some(bytes.clone()));
    assert_eq!(t.capture_content("kawasaki", second.id).unwrap(), None);
    // Bytes that do not hash to the given SHA-256, a bad hash, a summary that is no object: refused.
    let lying = NewCapture { sha256: "00".repeat(32), ..kept.clone() };
    assert!(matches!(t.add_capture("kawasaki", &lying, "erin"), Err(StoreError::Invalid { .. })));
    let short = NewCapture { sha256: "abc".into(), content: None, ..kept.clone() };
    assert!(matches!(t.add_capture("kawasaki", &short, "erin"), Err(StoreError::Invalid { .. })));
    let not_object = NewCapture { summary: "[]".into(), ..kept.clone() };
    assert!(matches!(t.add_capture("kawasaki", &not_object, "erin"), Err(StoreError::Invalid { .. })));
    assert_eq!(actions(t, 2), ["capture.upload", "capture.upload"]);
    // Deleting the plant takes its captures along.
    t.delete_plant("kawasaki", "alice").unwrap();
    assert!(t.list_captures("kawasaki").unwrap().is_empty());
}

fn advisory(id: &str, title: &str) -> NewDeviceAdvisory {
    NewDeviceAdvisory {
        tracking_id: id.into(),
        title: Some(title.into()),
        publisher: Some("Example PSIRT".into()),
        document: json!({ "document": { "tracking": { "id": id }, "title": title } }).to_string(),
    }
}

fn asset_finding(asset: &str, vuln: &str, status: &str) -> NewAssetFinding {
    NewAssetFinding {
        asset_id: asset.into(),
        advisory: "EXA-2099-01".into(),
        vuln: vuln.into(),
        cve: Some(vuln.into()),
        title: Some("Buffer overflow".into()),
        product: "Example PLC 2.x".into(),
        status: status.into(),
        matched_by: "model-number".into(),
        confidence: "high".into(),
        cvss: Some(9.8),
        detail: json!({ "version_check": "confirmed" }).to_string(),
    }
}

pub fn device_advisories_and_asset_findings(t: &TestStore) {
    let (first, replaced) = t.put_device_advisory(&advisory("EXA-2099-01", "First"), "erin").unwrap();
    assert!(!replaced);
    let (again, replaced) = t.put_device_advisory(&advisory("EXA-2099-01", "Revised"), "erin").unwrap();
    assert!(replaced);
    assert_eq!((again.id, again.title.as_deref()), (first.id, Some("Revised")), "replaced by tracking id");
    assert_ne!(again.sha256, first.sha256);
    t.put_device_advisory(&advisory("ABC-1", "Other"), "erin").unwrap();
    let ids: Vec<String> = t.list_device_advisories().unwrap().into_iter().map(|a| a.tracking_id).collect();
    assert_eq!(ids, ["ABC-1", "EXA-2099-01"]);
    assert!(matches!(
        t.put_device_advisory(&NewDeviceAdvisory { document: "not json".into(), ..advisory("X", "x") }, "erin"),
        Err(StoreError::Invalid { .. })
    ));

    // Findings are reconciled per site.
    assert!(matches!(
        t.record_asset_findings("kawasaki", &[], datetime!(2026-01-01 00:00 UTC)),
        Err(StoreError::NotFound { .. })
    ));
    t.put_plant("kawasaki", Some(0), &doc("K"), "alice", &json!({})).unwrap();
    t.put_plant("aichi", Some(0), &doc("A"), "alice", &json!({})).unwrap();
    let day1 = datetime!(2026-01-01 00:00 UTC);
    let run1 = [
        asset_finding("plc-1", "CVE-2099-0001", "affected"),
        asset_finding("plc-1", "CVE-2099-0001", "fixed"), // a repeat of the key: the first counts
        asset_finding("plc-2", "CVE-2099-0001", "affected"),
    ];
    let changes = t.record_asset_findings("kawasaki", &run1, day1).unwrap();
    assert_eq!((changes.new.len(), changes.fixed.len(), changes.still_open), (2, 0, 0));
    assert_eq!(changes.new[0].status, "affected");
    assert_eq!(changes.new[0].cvss, Some(9.8));
    assert_eq!(changes.new[0].first_seen, day1);
    t.record_asset_findings("aichi", &[asset_finding("plc-9", "CVE-2099-0002", "affected")], day1).unwrap();

    // Day 2: plc-2 no longer matches (fixed), plc-1 still does, with a new status.
    let day2 = datetime!(2026-01-02 00:00 UTC);
    let changes = t
        .record_asset_findings("kawasaki", &[asset_finding("plc-1", "CVE-2099-0001", "under-investigation")], day2)
        .unwrap();
    assert_eq!((changes.new.len(), changes.fixed.len(), changes.still_open), (0, 1, 1));
    assert_eq!(changes.fixed[0].asset_id, "plc-2");
    assert_eq!(changes.fixed[0].fixed_at, Some(day2));
    let open = t
        .list_asset_findings(&AssetFindingFilter { site: Some("kawasaki".into()), ..AssetFindingFilter::default() })
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].status.as_str(), open[0].last_seen, open[0].first_seen), ("under-investigation", day2, day1));
    let all = t
        .list_asset_findings(&AssetFindingFilter {
            site: Some("kawasaki".into()),
            include_fixed: true,
            ..AssetFindingFilter::default()
        })
        .unwrap();
    assert_eq!(all.len(), 2, "nothing is deleted");
    let one_asset = t
        .list_asset_findings(&AssetFindingFilter { asset_id: Some("plc-9".into()), ..AssetFindingFilter::default() })
        .unwrap();
    assert_eq!(one_asset.iter().map(|f| f.site.as_str()).collect::<Vec<_>>(), ["aichi"]);

    // Day 3: plc-2 matches again: reopened, reported new.
    let day3 = datetime!(2026-01-03 00:00 UTC);
    let changes = t
        .record_asset_findings(
            "kawasaki",
            &[asset_finding("plc-1", "CVE-2099-0001", "affected"), asset_finding("plc-2", "CVE-2099-0001", "affected")],
            day3,
        )
        .unwrap();
    assert_eq!((changes.new.len(), changes.fixed.len(), changes.still_open), (1, 0, 1));
    assert_eq!((changes.new[0].opened_at, changes.new[0].first_seen, changes.new[0].fixed_at), (day3, day1, None));
    // A run that changes nothing writes no audit entry.
    let before = t.list_audit(1, 0).unwrap()[0].id;
    let run3 =
        [asset_finding("plc-1", "CVE-2099-0001", "affected"), asset_finding("plc-2", "CVE-2099-0001", "affected")];
    t.record_asset_findings("kawasaki", &run3, day3).unwrap();
    assert_eq!(t.list_audit(1, 0).unwrap()[0].id, before);
    // A finding without its key parts is refused before the database.
    let mut bad = asset_finding("plc-1", "CVE-2099-0001", "affected");
    bad.vuln = " ".into();
    assert!(matches!(t.record_asset_findings("kawasaki", &[bad], day3), Err(StoreError::Invalid { .. })));
}
