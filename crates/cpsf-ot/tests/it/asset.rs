//! Assets: field access, provenance, identity, and the inventory merge rules.

use cpsf_ot::asset::{Asset, AssetField, Conflict, Day, Inventory, MatchKey, MergeRules, Source, SourceKind};

fn day(s: &str) -> Option<Day> {
    Some(s.parse().unwrap())
}

fn asset(id: &str, source: Source) -> Asset {
    Asset { id: id.into(), source: Some(source), ..Asset::default() }
}

#[test]
fn set_and_get_fields() {
    let mut a = Asset::new("x");
    a.set(AssetField::Ip, "10.0.0.1, 10.0.0.2;10.0.0.1").unwrap();
    assert_eq!(a.get(AssetField::Ip), ["10.0.0.1", "10.0.0.2"]);
    a.set(AssetField::Mac, "00-1B-1B-AA-BB-CC").unwrap();
    assert_eq!(a.macs, ["00:1b:1b:aa:bb:cc"]);
    let err = a.set(AssetField::Vlan, "5000").unwrap_err();
    assert!(err.contains("VLAN") && err.contains("5000"), "{err}");
    assert!(a.set(AssetField::Importance, "高").is_ok());
    assert_eq!(a.importance.map(|i| i.level()), Some(3));
    assert!(a.set(AssetField::EndOfSupport, "2030/4/1").is_ok());
    assert_eq!(a.get(AssetField::EndOfSupport), ["2030-04-01"]);
    a.set(AssetField::Sboms, "controller-fw@2.9.4; hmi-app").unwrap();
    assert_eq!(a.sboms.len(), 2);
    assert_eq!(a.sboms[0].version.as_deref(), Some("2.9.4"));
    let before = a.clone();
    assert!(a.set(AssetField::Ip, "10.0.0.1; nonsense").is_err());
    assert_eq!(a, before, "a failed set leaves the asset unchanged");
}

#[test]
fn identity_from_asset() {
    let mut a = Asset::new("plc");
    a.vendor = Some("Example Controls Inc.".into());
    a.model = Some("EC-9000".into());
    a.product_code = Some("EC9-CPU-01".into());
    a.software = Some("1.0".into());
    let id = a.identity();
    assert_eq!(id.product.as_deref(), Some("EC-9000"));
    assert_eq!(id.model.as_deref(), Some("EC9-CPU-01"));
    assert_eq!(id.version.as_deref(), Some("1.0"), "software stands in when there is no firmware");
    a.firmware = Some("2.9.4".into());
    assert_eq!(a.identity().version.as_deref(), Some("2.9.4"));
}

#[test]
fn source_round_trip() {
    let s =
        Source::new(SourceKind::Discovered, day("2025-03-01"), Some("line 1.pcapng")).with_detail("frame 12, modbus");
    let text = s.to_string();
    assert_eq!(text, "discovered 2025-03-01 line 1.pcapng (frame 12, modbus)");
    assert_eq!(text.parse::<Source>().unwrap(), s);
    assert_eq!("imported".parse::<Source>().unwrap(), Source::new(SourceKind::Imported, None, None));
    assert!("guessed 2025-01-01".parse::<Source>().is_err());
}

#[test]
fn dedupe_keys_in_order() {
    let declared = Source::declared();
    let inv = Inventory::new(vec![
        Asset {
            serial: Some("SN-1".into()),
            vendor: Some("Example Controls Inc.".into()),
            ..asset("a", declared.clone())
        },
        Asset { macs: vec!["00:1b:1b:00:00:02".into()], ..asset("b", declared.clone()) },
        Asset { ips: vec!["10.0.0.3".parse().unwrap()], vlan: Some(10), ..asset("c", declared.clone()) },
        Asset { name: Some("Line HMI".into()), ..asset("d", declared.clone()) },
    ]);
    let found = |a: &Asset| inv.find_match(a).map(|(i, k)| (inv.assets[i].id.clone(), k));
    // Serial + vendor (vendor spelled differently) beats a MAC that points elsewhere.
    let x = Asset {
        serial: Some("sn-1".into()),
        vendor: Some("EXAMPLE CONTROLS".into()),
        macs: vec!["00:1b:1b:00:00:02".into()],
        ..Asset::new("new")
    };
    assert_eq!(found(&x), Some(("a".into(), MatchKey::SerialVendor)));
    // A serial alone (no vendor) is not a key.
    let x = Asset { serial: Some("SN-1".into()), ..Asset::new("new") };
    assert_eq!(found(&x), None);
    let x = Asset { macs: vec!["00:1b:1b:00:00:02".into()], ..Asset::new("new") };
    assert_eq!(found(&x), Some(("b".into(), MatchKey::Mac)));
    // IP with an equal or unknown VLAN matches; a different VLAN does not.
    let ip = vec!["10.0.0.3".parse().unwrap()];
    assert_eq!(
        found(&Asset { ips: ip.clone(), vlan: Some(10), ..Asset::new("n") }),
        Some(("c".into(), MatchKey::IpVlan))
    );
    assert_eq!(found(&Asset { ips: ip.clone(), ..Asset::new("n") }), Some(("c".into(), MatchKey::IpVlan)));
    assert_eq!(found(&Asset { ips: ip, vlan: Some(20), ..Asset::new("n") }), None);
    assert_eq!(
        found(&Asset { name: Some(" line hmi ".into()), ..Asset::new("n") }),
        Some(("d".into(), MatchKey::Name))
    );
    assert_eq!(found(&Asset::new("c")), Some(("c".into(), MatchKey::Id)));
}

#[test]
fn merge_rules_and_conflicts() {
    let mut existing = asset("plc-1", Source::new(SourceKind::Imported, day("2025-01-01"), Some("ledger.xlsx")));
    existing.name = Some("Press PLC".into());
    existing.firmware = Some("2.9.3".into());
    existing.vendor = Some("Example Controls Inc.".into());
    existing.owner = Some("Yamada".into());
    existing.ips = vec!["10.0.1.10".parse().unwrap()];
    existing.protocols = vec!["modbus".into()];
    existing.provenance.insert("owner".into(), Source::declared());
    let mut inv = Inventory::new(vec![existing]);

    // Discovered: weaker than imported, so its differing firmware loses; new facts are taken; lists unite.
    let mut seen =
        asset("discovered-10-0-1-10", Source::new(SourceKind::Discovered, day("2025-06-01"), Some("cap.pcapng")));
    seen.ips = vec!["10.0.1.10".parse().unwrap()];
    seen.firmware = Some("2.9.4".into());
    seen.serial = Some("SN-0001".into());
    seen.vendor = Some("EXAMPLE CONTROLS, INC".into());
    seen.protocols = vec!["Modbus".into(), "s7comm".into()];
    let report = inv.merge(vec![seen], &MergeRules::default());
    assert_eq!(report.merged.len(), 1);
    assert_eq!(report.merged[0].matched_by, MatchKey::IpVlan);
    let plc = inv.get("plc-1").unwrap();
    assert_eq!(plc.firmware.as_deref(), Some("2.9.3"));
    assert_eq!(plc.serial.as_deref(), Some("SN-0001"));
    assert_eq!(plc.source_of("serial_number").kind, SourceKind::Discovered);
    assert_eq!(plc.source_of("firmware_version").kind, SourceKind::Imported);
    assert_eq!(plc.protocols, ["modbus", "s7comm"]);
    assert_eq!(report.conflicts.len(), 1, "the vendor differs only in spelling: {:?}", report.conflicts);
    let c: &Conflict = &report.conflicts[0];
    assert_eq!((c.field.as_str(), c.kept.as_str(), c.dropped.as_str()), ("firmware_version", "2.9.3", "2.9.4"));
    assert_eq!(c.reason, "stronger source");

    // A newer import beats the older one; a declared owner beats any import.
    let mut newer = asset("plc-1", Source::new(SourceKind::Imported, day("2025-09-01"), Some("ledger-v2.xlsx")));
    newer.firmware = Some("2.9.5".into());
    newer.owner = Some("Sato".into());
    let report = inv.merge(vec![newer.clone()], &MergeRules::default());
    let plc = inv.get("plc-1").unwrap();
    assert_eq!(plc.firmware.as_deref(), Some("2.9.5"));
    assert_eq!(plc.owner.as_deref(), Some("Yamada"));
    assert_eq!(report.conflicts.len(), 2);
    assert!(report.conflicts.iter().any(|c| c.field == "firmware_version" && c.reason == "newer fact"));
    assert!(report.conflicts.iter().any(|c| c.field == "owner" && c.kept == "Yamada"));

    // With newer_wins off, the same kind keeps the inventory's value.
    newer.firmware = Some("3.0".into());
    newer.source = Some(Source::new(SourceKind::Imported, day("2026-01-01"), None));
    let rules = MergeRules { newer_wins: false, ..MergeRules::default() };
    inv.merge(vec![newer], &rules);
    assert_eq!(inv.get("plc-1").unwrap().firmware.as_deref(), Some("2.9.5"));
}

#[test]
fn merge_adds_and_renames() {
    let mut inv = Inventory::new(vec![Asset { name: Some("A".into()), ..Asset::new("a") }]);
    let incoming = vec![
        Asset { name: Some("B".into()), ips: vec!["10.0.0.9".parse().unwrap()], ..Asset::new("") },
        // Same IP as the previous incoming one: merged into it, not added twice.
        Asset { ips: vec!["10.0.0.9".parse().unwrap()], owner: Some("x".into()), ..Asset::new("zzz") },
    ];
    let report = inv.merge(incoming, &MergeRules::default());
    assert_eq!(report.added, ["b"]);
    assert_eq!(report.merged.len(), 1);
    assert_eq!(inv.assets.len(), 2);
    assert_eq!(inv.get("b").and_then(|a| a.owner.as_deref()), Some("x"));
    assert_eq!(inv.free_id("a"), "a-2");
}
