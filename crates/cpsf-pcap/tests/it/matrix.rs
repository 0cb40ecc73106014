//! The communication matrix and devices: rows per conversation with packets and bytes per direction, the
//! server side from a SYN or the port rule, UDP and layer-2 rows, and addresses merged into devices.

use cpsf_pcap::model::{Field, Mac, Transport};

use crate::common::{self, Host, host, tcp_frame, toy, udp_frame};

#[test]
fn rows_count_packets_and_bytes_per_direction() {
    let (c, s) = (host(1, 50000), host(2, 8080));
    let a = tcp_frame(c, s, 1, 0, 0x02, &[]);
    let b = tcp_frame(s, c, 1, 2, 0x12, &[]);
    let x = tcp_frame(c, s, 2, 2, 0x18, &[1; 100]);
    let (la, lb, lx) = (a.len() as u64, b.len() as u64, x.len() as u64);
    let d = common::run(&common::pcap(&[a, b, x]));
    assert_eq!(d.flows.len(), 1);
    let f = &d.flows[0];
    assert_eq!((f.src.ip, f.dst.ip, f.port, f.transport), (Some(c.ip), Some(s.ip), 8080, Transport::Tcp));
    assert_eq!(f.packets, [2, 1]);
    assert_eq!(f.bytes, [la + lx, lb]);
    assert_eq!(f.protocol, "tcp/8080");
    assert_eq!(f.last - f.first, 2000);
    assert_eq!(d.counters.packets, 3);
    assert_eq!(d.counters.bytes, la + lb + lx);
}

#[test]
fn a_syn_says_which_side_serves_even_on_a_high_port() {
    // Client port 80, server port 40000: only the SYN can tell.
    let (c, s) = (host(1, 80), host(2, 40000));
    let d = common::run(&common::pcap(&[tcp_frame(c, s, 1, 0, 0x02, &[]), tcp_frame(s, c, 1, 2, 0x12, &[])]));
    assert_eq!(d.flows[0].port, 40000);
    assert_eq!(d.flows[0].src.ip, Some(c.ip));
    // Without it the lower port is taken for the server's.
    let d = common::run(&common::pcap(&[tcp_frame(c, s, 1, 0, 0x18, b"x"), tcp_frame(s, c, 1, 2, 0x18, b"y")]));
    assert_eq!(d.flows[0].port, 80);
    assert_eq!(d.flows[0].src.ip, Some(s.ip));
}

#[test]
fn udp_rows_and_decoders() {
    let (c, s) = (host(1, 5555), host(2, 7777));
    let peer = host(3, 7777);
    let d = common::run(&common::pcap(&[
        udp_frame(c, s, b"widget"),
        udp_frame(s, c, b"widget"),
        udp_frame(s, peer, b"same port"),
        udp_frame(peer, s, b"same port back"),
    ]));
    assert_eq!(d.flows.len(), 2, "{:#?}", d.flows);
    assert!(d.flows.iter().all(|f| f.protocol == "toyudp" && f.transport == Transport::Udp));
    let same = d.flows.iter().find(|f| f.dst.ip == Some(peer.ip) || f.src.ip == Some(peer.ip)).unwrap();
    // Both on the protocol's port: the first sender is the row's source.
    assert_eq!((same.src.ip, same.packets), (Some(s.ip), [1, 1]));
    assert_eq!(d.counters.observations, 4);
}

#[test]
fn layer2_frames_have_rows_by_ethertype() {
    let bcast = Mac([0xff; 6]);
    let f1 = cpsf_pcap::write::frame::ethernet(bcast, common::mac(1), &[], 0x88b5, b"10.0.0.1");
    let f2 = cpsf_pcap::write::frame::ethernet(bcast, common::mac(1), &[], 0x1234, &[0; 46]);
    let d = common::run(&common::pcap(&[f1.clone(), f1, f2]));
    let rows: Vec<(&str, u16, [u64; 2])> = d.flows.iter().map(|f| (f.protocol.as_str(), f.port, f.packets)).collect();
    assert_eq!(rows, vec![("ethertype/0x1234", 0x1234, [1, 0]), ("toyl2", 0x88b5, [2, 0])]);
    // The broadcast address is no device.
    assert_eq!(d.devices.len(), 1);
    assert_eq!(d.devices[0].macs, vec![common::mac(1)]);
    assert_eq!(d.devices[0].values(Field::DeclaredIp).collect::<Vec<_>>(), vec!["10.0.0.1"]);
    assert_eq!(d.devices[0].mac_vendor.as_deref(), Some("Siemens"), "00:0e:8c is Siemens's OUI");
}

#[test]
fn a_mac_seen_with_one_ip_merges_and_a_routers_mac_does_not() {
    let bcast = Mac([0xff; 6]);
    let plc = host(1, 40000);
    let hmi = host(2, common::TOY_PORT);
    // The PLC's layer-2 announcement (MAC only) and its TCP traffic (MAC + IP): one device.
    let announce = cpsf_pcap::write::frame::ethernet(bcast, plc.mac, &[], 0x88b5, b"10.0.0.1");
    // Two remote hosts behind one router MAC: separate devices, the router's MAC on neither.
    let router = common::mac(0xfe);
    let far1 = Host { mac: router, ip: "192.168.7.1".parse().unwrap(), port: 40001 };
    let far2 = Host { mac: router, ip: "192.168.7.2".parse().unwrap(), port: 40002 };
    let d = common::run(&common::pcap(&[
        announce,
        tcp_frame(plc, hmi, 1, 1, 0x18, &toy("plc-1")),
        tcp_frame(far1, hmi, 1, 1, 0x18, &toy("far-1")),
        tcp_frame(far2, hmi, 1, 1, 0x18, &toy("far-2")),
    ]));
    let plc_dev = d.devices.iter().find(|dev| dev.ips == vec![plc.ip]).expect("the PLC");
    assert_eq!(plc_dev.macs, vec![plc.mac]);
    assert_eq!(plc_dev.best(Field::DeclaredIp), Some("10.0.0.1"));
    assert_eq!(plc_dev.best(Field::Name), Some("plc-1"));
    let protocols: Vec<&str> = plc_dev.protocols.iter().map(|p| p.protocol.as_str()).collect();
    assert_eq!(protocols, vec!["toy", "toyl2"]);
    for far in [far1, far2] {
        let dev = d.devices.iter().find(|dev| dev.ips == vec![far.ip]).expect("a remote host");
        assert!(dev.macs.is_empty(), "{:?}", dev.macs);
    }
    assert_eq!(d.devices.len(), 4);
}

#[test]
fn conflicting_values_are_kept_most_frequent_first() {
    let (c, s) = (host(1, 40000), host(2, common::TOY_PORT));
    let frames: Vec<Vec<u8>> = ["v1", "v2", "v2", "v2", "v1", "v3"]
        .iter()
        .enumerate()
        .map(|(i, v)| tcp_frame(c, s, 1 + 3 * i as u32, 1, 0x18, &toy(v)))
        .collect();
    let d = common::run(&common::pcap(&frames));
    let fact = d.devices[0].identity.iter().find(|f| f.field == Field::Name).unwrap();
    let got: Vec<(&str, u64, Vec<u64>)> =
        fact.values.iter().map(|v| (v.value.as_str(), v.count, v.evidence.iter().map(|e| e.frame).collect())).collect();
    assert_eq!(got, vec![("v2", 3, vec![2, 3, 4]), ("v1", 2, vec![1, 5]), ("v3", 1, vec![6])]);
    assert_eq!(fact.values[0].protocols, vec!["toy"]);
}
