//! LLDP: the facts of advertisements made here equal tshark's `lldp.*` fields (no shared capture carries LLDP).

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::lldp;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

const CAPABILITIES: [&str; 8] =
    ["other", "repeater", "bridge", "wlan access point", "router", "telephone", "docsis cable device", "station"];

/// What tshark shows, as our facts sorted per frame.
fn tshark_facts(path: &Path) -> Facts {
    let names = [
        "lldp.chassis.id.mac",
        "lldp.chassis.id.ip4",
        "lldp.tlv.system.name",
        "lldp.tlv.system.desc",
        "lldp.tlv.enable_system_cap",
        "lldp.mgn.addr.ip4",
        "lldp.mgn.addr.ip6",
    ];
    let mut out = Facts::new();
    for r in tshark::fields(path, "lldp", &names) {
        let mut f = Vec::new();
        for (col, field) in [(0, Field::DeclaredMac), (1, Field::DeclaredIp), (2, Field::Name), (3, Field::Description)]
        {
            f.extend(r.get(col).iter().map(|v| fact(field, v)));
        }
        if let Ok(caps) = u16::from_str_radix(r.first(4).trim_start_matches("0x"), 16) {
            for (bit, name) in CAPABILITIES.iter().enumerate() {
                if caps & (1 << bit) != 0 {
                    f.push(fact(Field::Role, name));
                }
            }
        }
        f.extend(r.get(5).iter().chain(r.get(6)).map(|v| fact(Field::DeclaredIp, v)));
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

fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut t = ((kind << 9) | value.len() as u16).to_be_bytes().to_vec();
    t.extend(value);
    t
}

fn made_capture() -> Vec<Vec<u8>> {
    let nearest_bridge = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
    // A switch: chassis MAC, system name and description, bridge + router, IPv4 management address.
    let mut switch = tlv(1, b"\x04\x00\x1b\x1b\x01\x02\x03");
    switch.extend(tlv(2, b"\x05port-001"));
    switch.extend(tlv(3, b"\x00\x78"));
    switch.extend(tlv(5, b"sw-line1"));
    switch.extend(tlv(6, b"SIEMENS, SIMATIC NET, SCALANCE X208, 6GK5 208-0BA10-2AA3, HW: 7, FW: V4.1.0"));
    switch.extend(tlv(7, b"\x00\x14\x00\x14"));
    switch.extend(tlv(8, b"\x05\x01\xc0\xa8\x00\x02\x02\x00\x00\x00\x01\x00"));
    switch.extend(tlv(0, b""));
    // A station: chassis by IPv4 address, station only, IPv6 management address, no end TLV.
    let mut station = tlv(1, b"\x05\x01\xc0\xa8\x00\x0a");
    station.extend(tlv(2, b"\x03\x00\x1b\x1b\x0a\x0b\x0c"));
    station.extend(tlv(3, b"\x00\x14"));
    station.extend(tlv(5, b"plc-1"));
    station.extend(tlv(7, b"\x00\x80\x00\x80"));
    station.extend(tlv(
        8,
        b"\x11\x02\xfe\x80\x00\x00\x00\x00\x00\x00\x02\x1b\x1b\xff\xfe\x0a\x0b\x0c\x02\x00\x00\x00\x01\x00",
    ));
    station.extend(tlv(0, b""));
    vec![
        frames::ethernet(nearest_bridge, frames::MAC_A, 0x88cc, &switch),
        frames::ethernet(nearest_bridge, frames::MAC_B, 0x88cc, &station),
    ]
}

#[test]
fn advertisements_match_tshark() {
    let path = frames::write_temp("lldp_made.pcap", &made_capture());
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let sink = frames::decode_ether(&frames, 0x88cc, lldp::decode);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = ours(&sink);
    let mut switch = vec![
        fact(Field::DeclaredMac, "00:1b:1b:01:02:03"),
        fact(Field::Name, "sw-line1"),
        fact(Field::Description, "SIEMENS, SIMATIC NET, SCALANCE X208, 6GK5 208-0BA10-2AA3, HW: 7, FW: V4.1.0"),
        fact(Field::Role, "bridge"),
        fact(Field::Role, "router"),
        fact(Field::DeclaredIp, "192.168.0.2"),
    ];
    switch.sort();
    let mut station = vec![
        fact(Field::DeclaredIp, "192.168.0.10"),
        fact(Field::Name, "plc-1"),
        fact(Field::Role, "station"),
        fact(Field::DeclaredIp, "fe80::21b:1bff:fe0a:b0c"),
    ];
    station.sort();
    assert_eq!(ours, Facts::from([(1, switch), (2, station)]));
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
    }
}
