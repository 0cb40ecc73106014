//! Header decoding, seen through discovery: VLAN and QinQ tags, Linux cooked captures, raw IP, LLC/SNAP,
//! IPv6 extension headers, IPv4 fragments, and packets malformed at each layer.

use std::net::{IpAddr, Ipv6Addr};

use cpsf_pcap::decode::{self, Layer, Net, Transport};
use cpsf_pcap::model::{Field, Transport as FlowTransport};
use cpsf_pcap::write::{ByteOrder, PcapWriter, frame};

use crate::common::{self, Host, host, mac, tcp_frame, toy, udp_frame};

fn capture(link_type: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), link_type, true, ByteOrder::Big).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.packet(i as i64 * 1_000_000, f).unwrap();
    }
    w.into_inner()
}

fn vlan_tcp(a: Host, b: Host, vlans: &[u16], payload: &[u8]) -> Vec<u8> {
    let seg = frame::tcp(a.ip, b.ip, a.port, b.port, 1, 0, 0x18, payload);
    frame::ethernet(b.mac, a.mac, vlans, 0x0800, &frame::ip(a.ip, b.ip, 6, &seg))
}

#[test]
fn vlan_and_qinq_tags_give_the_inner_vlan() {
    let (c, s) = (host(1, 40000), host(2, common::TOY_PORT));
    let d =
        common::run(&capture(1, &[vlan_tcp(c, s, &[10], &toy("tagged")), vlan_tcp(c, s, &[100, 20], &toy("double"))]));
    let vlans: Vec<Option<u16>> = d.flows.iter().map(|f| f.vlan).collect();
    assert_eq!(vlans, vec![Some(10), Some(20)]);
    assert_eq!(common::values(&d, Field::Name), vec!["tagged", "double"]);
    assert_eq!(d.devices.len(), 2);
    assert_eq!(d.devices[0].vlans, vec![10, 20]);
}

#[test]
fn linux_cooked_captures_v1_and_v2() {
    let (c, s) = (host(1, 40000), host(2, common::TOY_PORT));
    let seg = frame::tcp(c.ip, s.ip, c.port, s.port, 1, 0, 0x18, &toy("cooked"));
    let ip = frame::ip(c.ip, s.ip, 6, &seg);
    for (link, f) in [(113, frame::sll(c.mac, 0x0800, &ip)), (276, frame::sll2(c.mac, 0x0800, &ip))] {
        let d = common::run(&capture(link, &[f]));
        assert_eq!(common::values(&d, Field::Name), vec!["cooked"], "link type {link}");
        assert_eq!(d.flows.len(), 1);
        assert_eq!(d.flows[0].src.mac, Some(c.mac), "link type {link}");
        assert_eq!(d.flows[0].dst.mac, None);
        assert_eq!(d.flows[0].protocol, "toy");
    }
}

#[test]
fn raw_ip_link_types() {
    let (c, s) = (host(1, 40000), host(2, common::TOY_PORT));
    let seg = frame::tcp(c.ip, s.ip, c.port, s.port, 1, 0, 0x18, &toy("raw"));
    let ip = frame::ip(c.ip, s.ip, 6, &seg);
    for link in [101, 228] {
        let d = common::run(&capture(link, std::slice::from_ref(&ip)));
        assert_eq!(common::values(&d, Field::Name), vec!["raw"], "link type {link}");
        assert_eq!(d.devices.len(), 2);
        assert!(d.devices.iter().all(|dev| dev.macs.is_empty()));
    }
}

#[test]
fn ipv6_extension_headers_are_skipped() {
    let a: Ipv6Addr = "fd00::1".parse().unwrap();
    let b: Ipv6Addr = "fd00::2".parse().unwrap();
    let seg = frame::tcp(IpAddr::V6(a), IpAddr::V6(b), 40000, common::TOY_PORT, 1, 0, 0x18, &toy("six"));
    let ext = |kind: u8, len: usize| frame::Extension { kind, body: vec![0; len] };
    let packet = frame::ipv6(a, b, &[ext(0, 4), ext(43, 12), ext(44, 6), ext(60, 20)], 6, &seg);
    let f = frame::ethernet(mac(2), mac(1), &[], 0x86dd, &packet);
    let decoded = decode::decode(1, &f).unwrap();
    let Net::Ip(ip) = decoded.net else { panic!("not IP") };
    assert_eq!(ip.protocol, 6);
    assert!(ip.fragment, "a fragment header makes it a fragment");
    let Transport::Tcp(tcp) = ip.transport else { panic!("not TCP") };
    assert_eq!(tcp.dst_port, common::TOY_PORT);
    let d = common::run(&capture(1, &[f]));
    assert_eq!(common::values(&d, Field::Name), vec!["six"]);
    assert_eq!(d.devices[0].ips, vec![IpAddr::V6(a)]);
}

#[test]
fn ipv4_fragments_use_the_first_fragments_header_only() {
    let (c, s) = (host(1, 5000), host(2, 7777));
    let datagram = frame::udp(c.ip, s.ip, c.port, s.port, b"fragmented-product-name");
    let (IpAddr::V4(a), IpAddr::V4(b)) = (c.ip, s.ip) else { unreachable!() };
    let first = frame::ipv4_fragment(a, b, 17, 7, 0, true, &datagram[..16]);
    let second = frame::ipv4_fragment(a, b, 17, 7, 16, false, &datagram[16..]);
    let frames = [first, second].map(|p| frame::ethernet(s.mac, c.mac, &[], 0x0800, &p));
    let d = common::run(&capture(1, &frames));
    assert_eq!(d.counters.ip_fragments, 2);
    assert_eq!(d.flows.len(), 1, "{:?}", d.flows);
    assert_eq!(d.flows[0].packets, [1, 0]);
    assert_eq!(d.flows[0].protocol, "toyudp");
    // The decoder saw the first fragment's bytes only.
    assert_eq!(common::values(&d, Field::ProductName), vec!["fragment"]);
}

#[test]
fn llc_snap_and_plain_llc() {
    let snap_payload = [&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x88, 0xb5][..], b"10.0.0.9"].concat();
    let mut snap = Vec::new();
    snap.extend_from_slice(&mac(9).0);
    snap.extend_from_slice(&mac(8).0);
    snap.extend_from_slice(&(snap_payload.len() as u16).to_be_bytes());
    snap.extend_from_slice(&snap_payload);
    let stp = frame::llc(cpsf_pcap::model::Mac([0x01, 0x80, 0xc2, 0, 0, 0]), mac(8), 0x42, 0x42, &[0; 35]);
    let d = common::run(&capture(1, &[snap, stp]));
    assert_eq!(common::values(&d, Field::DeclaredIp), vec!["10.0.0.9"]);
    let labels: Vec<(&str, FlowTransport)> = d.flows.iter().map(|f| (f.protocol.as_str(), f.transport)).collect();
    assert!(labels.contains(&("toyl2", FlowTransport::Ethernet)), "{labels:?}");
    assert!(labels.contains(&("stp", FlowTransport::Ethernet)), "{labels:?}");
}

#[test]
fn malformed_packets_are_counted_per_layer() {
    let (c, s) = (host(1, 40000), host(2, 80));
    let good = tcp_frame(c, s, 1, 0, 0x18, b"x");
    let mut bad_ip = good.clone();
    bad_ip[14] = 0x43; // IHL 3
    let mut bad_tcp = good.clone();
    bad_tcp[14 + 20 + 12] = 0x20; // data offset 2
    let mut bad_udp = udp_frame(c, s, b"y");
    bad_udp[14 + 20 + 4..14 + 20 + 6].copy_from_slice(&4u16.to_be_bytes());
    let short = good[..10].to_vec();
    let mut deep_vlan = frame::ethernet(mac(2), mac(1), &[1, 2, 3, 4, 5], 0x0800, &[0; 40]);
    deep_vlan.truncate(deep_vlan.len());
    let mut bad_v6 = frame::ethernet(mac(2), mac(1), &[], 0x86dd, &[0x60; 20]);
    bad_v6.truncate(30);
    let d = common::run(&capture(1, &[good, bad_ip, bad_tcp, bad_udp, short, deep_vlan, bad_v6]));
    let m = &d.counters.malformed;
    for (layer, n) in [("ipv4", 1), ("tcp", 1), ("udp", 1), ("link", 1), ("vlan", 1), ("ipv6", 1)] {
        assert_eq!(m.get(layer), Some(&n), "{layer}: {m:?}");
    }
    assert_eq!(d.counters.packets, 7);
    assert_eq!(d.flows.len(), 1);
    assert_eq!(decode::decode(1, &[0; 5]).err(), Some(Layer::Link));
}
