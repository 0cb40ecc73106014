//! ARP: the sender MAC/IP pairs equal tshark's `arp.src.*` fields on the shared captures that carry ARP and on a
//! capture made here with a gratuitous announcement and a probe.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::Field;
use cpsf_pcap::proto::arp;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

fn tshark_facts(path: &Path) -> Facts {
    let mut out = Facts::new();
    for r in tshark::fields(path, "arp", &["arp.src.hw_mac", "arp.src.proto_ipv4"]) {
        let mut f = vec![fact(Field::DeclaredMac, r.first(0))];
        if r.first(1) != "0.0.0.0" {
            f.push(fact(Field::DeclaredIp, r.first(1)));
        }
        out.insert(r.frame, f);
    }
    out
}

fn check(path: &Path, frames: &[frames::Frame], expected: &Facts) {
    let sink = frames::decode_ether(frames, 0x0806, arp::decode);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = frames::facts(&sink);
    assert_eq!(&ours, expected, "{}", path.display());
    for o in &sink.observations {
        // The device is the pair the sender declares.
        let ip = o.fields.iter().find(|(f, _)| *f == Field::DeclaredIp).map(|(_, v)| v.parse().unwrap());
        assert_eq!(o.device.ip, ip);
    }
    if tshark::available() {
        assert_eq!(ours, tshark_facts(path), "{}", path.display());
    }
}

fn pair(mac: &str, ip: &str) -> Vec<(Field, String)> {
    vec![fact(Field::DeclaredMac, mac), fact(Field::DeclaredIp, ip)]
}

#[test]
fn sender_pairs_match_tshark_on_shared_captures() {
    let Some((path, frames)) = frames::shared_capture("hart-ip/hart_ip.pcap") else { return };
    // What tshark 4.0 showed when this test was written.
    let expected = Facts::from([
        (21, pair("00:0c:29:50:a9:fc", "192.168.0.101")),
        (22, pair("00:26:16:00:00:d2", "192.168.0.10")),
        (71, pair("00:26:16:00:00:d2", "192.168.0.10")),
        (72, pair("00:0c:29:50:a9:fc", "192.168.0.101")),
    ]);
    check(&path, &frames, &expected);
    let Some((path, frames)) = frames::shared_capture("s7comm/s7comm_reading_plc_status.pcap") else { return };
    let expected =
        Facts::from([(3, pair("90:e6:ba:84:5e:41", "192.168.1.10")), (4, pair("00:1b:1b:23:eb:3b", "192.168.1.40"))]);
    check(&path, &frames, &expected);
}

fn arp_frame(op: u16, sha: [u8; 6], spa: [u8; 4], tpa: [u8; 4]) -> Vec<u8> {
    let mut p = vec![0x00, 0x01, 0x08, 0x00, 6, 4];
    p.extend(op.to_be_bytes());
    p.extend(sha);
    p.extend(spa);
    p.extend([0; 6]);
    p.extend(tpa);
    frames::ethernet([0xff; 6], sha, 0x0806, &p)
}

#[test]
fn gratuitous_and_probe_match_tshark() {
    let made = [
        // Gratuitous announcement: sender and target IP are the same.
        arp_frame(1, frames::MAC_A, [10, 0, 0, 7], [10, 0, 0, 7]),
        // Probe: no sender IP yet.
        arp_frame(1, frames::MAC_B, [0, 0, 0, 0], [10, 0, 0, 8]),
    ];
    let path = frames::write_temp("arp_made.pcap", &made);
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let expected = Facts::from([
        (1, pair("00:1b:1b:23:eb:3b", "10.0.0.7")),
        (2, vec![fact(Field::DeclaredMac, "00:0c:29:50:a9:fc")]),
    ]);
    check(&path, &frames, &expected);
}
