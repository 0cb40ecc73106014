//! Discovered devices as candidate assets, and merging them into an inventory.

use cpsf_ot::asset::{AssetKind, Inventory, MergeRules, SourceKind};
use cpsf_ot::discovered::{self, Capture, DiscoveredDevice, DiscoveredFact};
use cpsf_pcap::model::{DeviceKey, Field, Mac, Observation};

fn fact(field: Field, value: &str, protocol: &str, frame: u64) -> DiscoveredFact {
    DiscoveredFact { field, value: value.into(), protocol: protocol.into(), frame }
}

fn capture() -> Capture {
    Capture { name: "line1.pcapng".into(), date: Some("2025-06-01".parse().unwrap()) }
}

fn device(ip: &str, facts: Vec<DiscoveredFact>) -> DiscoveredDevice {
    DiscoveredDevice {
        key: DeviceKey { ip: Some(ip.parse().unwrap()), mac: Some(Mac([0, 0x1b, 0x1b, 0, 0, 1])) },
        vlan: Some(10),
        facts,
        protocols: vec!["modbus".into()],
    }
}

#[test]
fn candidate_from_enip_identity() {
    let d = device(
        "10.0.1.10",
        vec![
            fact(Field::VendorName, "Example Controls", "enip", 5),
            fact(Field::DeviceType, "Programmable Logic Controller", "enip", 5),
            fact(Field::ProductName, "EC-9000 CPU", "enip", 5),
            fact(Field::ProductCode, "55", "enip", 5),
            fact(Field::Revision, "2.9", "enip", 5),
            fact(Field::SerialNumber, "0x00c0ffee", "enip", 5),
            fact(Field::SerialNumber, "0x00c0ffee", "enip", 40),
            fact(Field::SerialNumber, "0x0badf00d", "enip", 90),
            fact(Field::VendorId, "9999", "enip", 5),
            fact(Field::ProtocolAddress, "1", "modbus", 7),
        ],
    );
    let c = discovered::candidates(&[d], &capture()).remove(0);
    let a = &c.asset;
    assert_eq!(a.id, "discovered-10-0-1-10");
    assert_eq!(a.vendor.as_deref(), Some("Example Controls"));
    assert_eq!(a.model.as_deref(), Some("EC-9000 CPU"));
    assert_eq!(a.product_code.as_deref(), Some("55"));
    assert_eq!(a.firmware.as_deref(), Some("2.9"), "revision stands in for firmware");
    assert_eq!(a.serial.as_deref(), Some("0x00c0ffee"), "the most frequent value wins");
    assert_eq!(c.alternatives.len(), 1);
    assert_eq!((c.alternatives[0].value.as_str(), c.alternatives[0].frame), ("0x0badf00d", 90));
    assert_eq!(a.extra.get("vendor_id").map(String::as_str), Some("9999"));
    assert_eq!(a.extra.get("modbus_address").map(String::as_str), Some("1"));
    assert_eq!(a.kind, Some(AssetKind::Plc));
    assert!(c.suggested_kind.as_ref().unwrap().reason.contains("Programmable Logic Controller"));
    assert_eq!(a.protocols, ["enip", "modbus"]);
    assert_eq!(a.vlan, Some(10));
    assert_eq!(a.macs, ["00:1b:1b:00:00:01"]);
    let src = a.source_of("serial_number");
    assert_eq!(src.to_string(), "discovered 2025-06-01 line1.pcapng (frame 5, enip)");
    assert_eq!(a.source_of("asset_type").kind, SourceKind::Discovered);
}

#[test]
fn kinds_from_protocol_roles() {
    let suggest = |facts: Vec<DiscoveredFact>| discovered::suggest_kind(&device("10.0.0.1", facts)).map(|s| s.kind);
    assert_eq!(suggest(vec![fact(Field::VendorName, "X", "modbus", 1)]), Some(AssetKind::Plc));
    assert_eq!(
        suggest(vec![fact(Field::VendorName, "X", "enip", 1), fact(Field::DeviceType, "AC Drive", "enip", 1)]),
        Some(AssetKind::Drive),
        "the device type overrides the protocol"
    );
    assert_eq!(
        suggest(vec![fact(Field::DeviceType, "Communications Adapter", "enip", 1)]),
        Some(AssetKind::NetworkDevice)
    );
    assert_eq!(suggest(vec![fact(Field::Name, "plc-a", "pn-dcp", 1)]), Some(AssetKind::Plc));
    assert_eq!(suggest(vec![fact(Field::Role, "master", "dnp3", 1)]), Some(AssetKind::ScadaServer));
    assert_eq!(suggest(vec![fact(Field::Role, "outstation", "dnp3", 1)]), Some(AssetKind::Plc));
    assert_eq!(suggest(vec![fact(Field::Role, "server", "opcua", 1)]), Some(AssetKind::ScadaServer));
    assert_eq!(suggest(vec![fact(Field::ClientId, "sensor-17", "mqtt", 1)]), Some(AssetKind::IotDevice));
    assert_eq!(
        suggest(vec![fact(Field::Description, "Industrial Ethernet Switch", "lldp", 1)]),
        Some(AssetKind::NetworkDevice)
    );
    assert_eq!(suggest(vec![fact(Field::Hostname, "pc-17", "dhcp", 1)]), None);
}

#[test]
fn from_observations_then_merge() {
    let key = DeviceKey { ip: Some("10.0.1.10".parse().unwrap()), mac: None };
    let obs = vec![
        Observation {
            device: key,
            protocol: "modbus",
            frame: 9,
            ts: 0,
            fields: vec![(Field::VendorName, "Example Controls".into())],
        },
        Observation {
            device: key,
            protocol: "modbus",
            frame: 2,
            ts: 0,
            fields: vec![(Field::FirmwareVersion, "V2.9.4".into())],
        },
    ];
    let devices = discovered::from_observations(&obs);
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].facts[0].frame, 2, "facts in frame order");
    let candidates = discovered::candidates(&devices, &capture());
    let plant = crate::common::plant();
    let mut inv = Inventory::new(plant.assets.clone());
    let report = inv.merge(candidates.into_iter().map(|c| c.asset).collect(), &MergeRules::default());
    assert_eq!(report.merged.len(), 1);
    assert_eq!(report.merged[0].into, "plc-1");
    // plc-1 declares firmware V2.9.4 and the vendor: nothing to change, no conflict; kind is declared.
    assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
    assert_eq!(inv.get("plc-1").unwrap().kind, Some(AssetKind::Plc));
}
