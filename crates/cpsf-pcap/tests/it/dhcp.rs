//! DHCP: the client and server facts of a made DISCOVER/OFFER/REQUEST/ACK exchange equal what tshark's `dhcp.*`
//! fields give (no shared capture carries DHCP).

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::dhcp;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

/// Our rules applied to tshark's field values: a client message names its hardware address, host name, vendor
/// class and its address (client address, or the one a REQUEST asks for); a server message gives the sender the
/// server role, and an ACK names the client's assigned address.
fn tshark_facts(path: &Path) -> Facts {
    let names = [
        "dhcp.type",
        "dhcp.option.dhcp",
        "dhcp.hw.mac_addr",
        "dhcp.option.hostname",
        "dhcp.option.vendor_class_id",
        "dhcp.option.requested_ip_address",
        "dhcp.ip.client",
        "dhcp.ip.your",
    ];
    let mut out = Facts::new();
    for r in tshark::fields(path, "dhcp", &names) {
        let mut f = Vec::new();
        let mut add = |field: Field, v: &str| {
            if !v.is_empty() && v != "0.0.0.0" {
                f.push(fact(field, v));
            }
        };
        if r.first(0) == "1" {
            add(Field::Role, "dhcp client");
            add(Field::DeclaredMac, r.first(2));
            add(Field::Hostname, r.first(3));
            add(Field::DeviceType, r.first(4));
            if r.first(6) != "0.0.0.0" {
                add(Field::DeclaredIp, r.first(6));
            } else if r.first(1) == "3" {
                add(Field::DeclaredIp, r.first(5));
            }
        } else {
            add(Field::Role, "dhcp server");
            if r.first(1) == "5" {
                add(Field::DeclaredMac, r.first(2));
                add(Field::DeclaredIp, r.first(7));
            }
        }
        f.sort();
        out.insert(r.frame, f);
    }
    out
}

fn ours(sink: &Sink) -> Facts {
    let mut out = Facts::new();
    for o in &sink.observations {
        let f = out.entry(o.frame).or_default();
        f.extend(o.fields.iter().cloned());
        f.sort();
    }
    out
}

const CLIENT_MAC: [u8; 6] = [0x00, 0x1b, 0x1b, 0x23, 0xeb, 0x3b];

fn bootp(op: u8, ciaddr: [u8; 4], yiaddr: [u8; 4], options: &[u8]) -> Vec<u8> {
    let mut m = vec![op, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0];
    m.extend(ciaddr);
    m.extend(yiaddr);
    m.extend([0; 8]);
    m.extend(CLIENT_MAC);
    m.extend([0; 10 + 64 + 128]);
    m.extend([0x63, 0x82, 0x53, 0x63]);
    m.extend(options);
    m
}

fn made_capture() -> Vec<Vec<u8>> {
    let client = ([0, 0, 0, 0], 68);
    let broadcast = ([255, 255, 255, 255], 67);
    let server = ([192, 168, 0, 1], 67);
    let to_client = ([255, 255, 255, 255], 68);
    let who = b"\x0c\x05hmi-1\x3c\x08MSFT 5.0";
    let mut discover = b"\x35\x01\x01".to_vec();
    discover.extend(who);
    discover.push(0xff);
    let mut request = b"\x35\x01\x03\x32\x04\xc0\xa8\x00\x0a\x36\x04\xc0\xa8\x00\x01".to_vec();
    request.extend(who);
    request.push(0xff);
    let offer = b"\x35\x01\x02\x36\x04\xc0\xa8\x00\x01\x33\x04\x00\x01\x51\x80\xff";
    let ack = b"\x35\x01\x05\x36\x04\xc0\xa8\x00\x01\x33\x04\x00\x01\x51\x80\xff";
    vec![
        frames::udp_frame(client, broadcast, &bootp(1, [0; 4], [0; 4], &discover)),
        frames::udp_frame(server, to_client, &bootp(2, [0; 4], [192, 168, 0, 10], offer)),
        frames::udp_frame(client, broadcast, &bootp(1, [0; 4], [0; 4], &request)),
        frames::udp_frame(server, to_client, &bootp(2, [0; 4], [192, 168, 0, 10], ack)),
        // A renewal: the client states its address in ciaddr.
        frames::udp_frame(([192, 168, 0, 10], 68), server, &bootp(1, [192, 168, 0, 10], [0; 4], b"\x35\x01\x03\xff")),
    ]
}

#[test]
fn exchange_matches_tshark() {
    let path = frames::write_temp("dhcp_made.pcap", &made_capture());
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let mut sink = frames::decode_udp(&frames, 67, dhcp::decode);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = ours(&sink);
    let sorted = |mut v: Vec<(Field, String)>| {
        v.sort();
        v
    };
    let client = |ip: Option<&str>| {
        let mut v = vec![
            fact(Field::Role, "dhcp client"),
            fact(Field::DeclaredMac, "00:1b:1b:23:eb:3b"),
            fact(Field::Hostname, "hmi-1"),
            fact(Field::DeviceType, "MSFT 5.0"),
        ];
        v.extend(ip.map(|ip| fact(Field::DeclaredIp, ip)));
        sorted(v)
    };
    let expected = Facts::from([
        (1, client(None)),
        (2, vec![fact(Field::Role, "dhcp server")]),
        (3, client(Some("192.168.0.10"))),
        (
            4,
            sorted(vec![
                fact(Field::Role, "dhcp server"),
                fact(Field::DeclaredMac, "00:1b:1b:23:eb:3b"),
                fact(Field::DeclaredIp, "192.168.0.10"),
            ]),
        ),
        (
            5,
            sorted(vec![
                fact(Field::Role, "dhcp client"),
                fact(Field::DeclaredMac, "00:1b:1b:23:eb:3b"),
                fact(Field::DeclaredIp, "192.168.0.10"),
            ]),
        ),
    ]);
    assert_eq!(ours, expected);
    // The server role goes to the server; the assigned address to the client's hardware address.
    let ack: Vec<_> = sink.observations.drain(..).filter(|o| o.frame == 4).collect();
    assert_eq!(ack[0].device.ip, Some("192.168.0.1".parse().unwrap()));
    assert_eq!(ack[1].device.mac, Some(cpsf_pcap::model::Mac(CLIENT_MAC)));
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
    }
}
