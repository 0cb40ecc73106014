//! Conduit checks of observed flows against the plant.

use cpsf_ot::conduit::{self, Breach};
use cpsf_pcap::model::{DeviceKey, Field, Flow, Mac, Observation, Transport};

use crate::common::plant;

fn key(ip: &str) -> DeviceKey {
    DeviceKey { ip: Some(ip.parse().unwrap()), mac: Some(Mac([0x02, 0, 0, 0, 0, 0x99])) }
}

fn flow(src: DeviceKey, dst: DeviceKey, protocol: &str, transport: Transport, port: u16) -> Flow {
    Flow {
        src,
        dst,
        vlan: None,
        transport,
        protocol: protocol.into(),
        port,
        packets: [10, 8],
        bytes: [1000, 800],
        first: 1_700_000_000_000_000,
        last: 1_700_000_100_000_000,
    }
}

#[test]
fn flows_against_conduits() {
    let p = plant();
    let (scada, plc, hmi) = (key("10.0.2.5"), key("10.0.1.10"), key("10.0.1.20"));
    let sensor = DeviceKey { ip: None, mac: Some(Mac([0x00, 0x1b, 0x1b, 0, 0, 3])) };
    let plc_l2 = DeviceKey { ip: None, mac: Some(Mac([0x00, 0x1b, 0x1b, 0, 0, 1])) };
    let flows = vec![
        flow(scada, plc, "modbus", Transport::Tcp, 502), // 0 allowed: operations → control, modbus/502
        flow(scada, plc, "s7comm", Transport::Tcp, 102), // 1 allowed: s7comm, any port
        flow(plc, scada, "modbus", Transport::Tcp, 502), // 2 wrong direction (a-to-b only)
        flow(scada, plc, "http", Transport::Tcp, 80),    // 3 not allowed
        flow(hmi, plc, "modbus", Transport::Tcp, 502),   // 4 inside the control zone
        flow(plc_l2, sensor, "pn-dcp", Transport::Ethernet, 0x8892), // 5 control ↔ field: `both`, no list: all
        flow(key("10.0.9.9"), plc, "enip", Transport::Tcp, 44818), // 6 unknown source
        flow(scada, key("10.0.1.255"), "udp/9999", Transport::Udp, 9999), // 7 unknown destination
        flow(scada, key("255.255.255.255"), "bacnet", Transport::Udp, 47808), // 8 broadcast: not a device
    ];
    let obs = vec![Observation {
        device: DeviceKey { ip: Some("10.0.1.20".parse().unwrap()), mac: None },
        protocol: "snmp",
        frame: 3,
        ts: 1_600_000_000_000_000,
        fields: vec![(Field::Description, "panel".into())],
    }];
    let r = conduit::check(&p, &flows, &obs);
    assert_eq!((r.flows, r.allowed, r.inside_zone, r.unzoned), (9, 3, 1, 3));
    let breaches: Vec<(usize, &Breach)> = r.violations.iter().map(|v| (v.flow, &v.breach)).collect();
    assert_eq!(
        breaches,
        [
            (2, &Breach::WrongDirection { conduits: vec!["ops-to-control".into()] }),
            (3, &Breach::NotAllowed { conduits: vec!["ops-to-control".into()] }),
        ]
    );
    let v = &r.violations[0];
    assert_eq!((v.src.asset.as_deref(), v.src.zone.as_deref()), (Some("plc-1"), Some("control")));
    assert_eq!((v.dst.asset.as_deref(), v.dst.zone.as_deref()), (Some("scada-1"), Some("operations")));
    assert_eq!(v.packets, 18);
    let unknown: Vec<String> =
        r.unknown_devices.iter().map(|u| u.ip.map(|i| i.to_string()).unwrap_or_default()).collect();
    assert_eq!(unknown, ["10.0.1.255", "10.0.9.9"]);
    assert_eq!(r.unknown_devices[1].protocols, ["enip"]);
    assert!(r.unknown_devices.iter().all(|u| u.mac.is_none()), "routed: MACs are the router's");
    let new: Vec<(&str, &str, &str)> =
        r.new_protocols.iter().map(|n| (n.asset.as_str(), n.protocol.as_str(), n.role)).collect();
    // plc-1 declares modbus and s7comm, its zone enip; http is new for both ends, pn-dcp for plc-1 and
    // sensor-1, udp/9999 and bacnet for scada-1, snmp for hmi-1 (from an identity message).
    assert_eq!(
        new,
        [
            ("hmi-1", "snmp", "identity"),
            ("plc-1", "http", "server"),
            ("plc-1", "pn-dcp", "client"),
            ("scada-1", "bacnet", "client"),
            ("scada-1", "udp/9999", "client"),
            ("sensor-1", "pn-dcp", "server"),
        ]
    );
    assert_eq!(r.new_protocols[0].first_seen, 1_600_000_000_000_000);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["violations"][0]["reason"], "wrong-direction");
}

#[test]
fn zone_matrix_and_declared() {
    let p = plant();
    let flows = vec![flow(key("10.0.2.5"), key("10.0.1.10"), "modbus", Transport::Tcp, 502)];
    let m = conduit::zone_matrix(&p, &flows);
    assert_eq!(m.get(&("operations".into(), "control".into(), "modbus".into())), Some(&1));
    let d = conduit::declared_protocols(&p);
    assert!(d.contains("enip") && d.contains("s7comm") && d.contains("http"));
}
