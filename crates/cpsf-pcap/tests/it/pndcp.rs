//! PROFINET DCP: the facts of Identify responses, Hello and Get responses equal tshark's `pn_dcp.*` fields on a
//! capture made here; the shared PROFINET-RT.pcap holds only Identify requests, which state nothing about their
//! sender, and gives nothing either way.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::pndcp;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

const ANSWERS: &str = "(pn_dcp.service_id == 5 && pn_dcp.service_type == 1) \
                       || (pn_dcp.service_id == 3 && pn_dcp.service_type == 1) || pn_dcp.service_id == 6";

/// What tshark shows for DCP answers and Hello, as our facts (in the order of our decoder: it reads blocks in
/// message order, and the made capture puts them in this order).
fn tshark_facts(path: &Path) -> Facts {
    let names = [
        "pn_dcp.suboption_device_devicevendorvalue",
        "pn_dcp.suboption_device_nameofstation",
        "pn_dcp.suboption_vendor_id",
        "pn_dcp.suboption_device_id",
        "pn_dcp.suboption_device_role",
        "pn_dcp.suboption_ip_ip",
        "pn_dcp.suboption_ip_mac_address",
    ];
    let mut out = Facts::new();
    for r in tshark::fields(path, ANSWERS, &names) {
        let mut f = Vec::new();
        let mut add = |field: Field, v: &str| {
            if !v.is_empty() {
                f.push(fact(field, v));
            }
        };
        add(Field::ProductName, r.first(0));
        add(Field::Name, r.first(1));
        add(Field::VendorId, r.first(2));
        add(Field::ProductCode, r.first(3));
        if let Ok(role) = u8::from_str_radix(r.first(4).trim_start_matches("0x"), 16) {
            for (bit, name) in [
                (1, "profinet io-device"),
                (2, "profinet io-controller"),
                (4, "profinet io-multidevice"),
                (8, "profinet supervisor"),
            ] {
                if role & bit != 0 {
                    add(Field::Role, name);
                }
            }
        }
        if r.first(5) != "0.0.0.0" {
            add(Field::DeclaredIp, r.first(5));
        }
        add(Field::DeclaredMac, r.first(6));
        out.insert(r.frame, f);
    }
    out
}

/// Every fact of each frame, roles included (DCP roles are identity here).
fn all_facts(sink: &Sink) -> Facts {
    let mut out = Facts::new();
    for o in &sink.observations {
        out.entry(o.frame).or_default().extend(o.fields.iter().cloned());
    }
    out
}

fn decode(frames: &[frames::Frame]) -> Sink {
    frames::decode_ether(frames, 0x8892, pndcp::decode)
}

#[test]
fn identify_requests_give_nothing() {
    for rel in ["profinet/PROFINET-RT.pcap", "profinet/profinet.pcap", "profinet/profinet_io_cm_connect_minimal.pcapng"]
    {
        let Some((path, frames)) = frames::shared_capture(rel) else { return };
        let sink = decode(&frames);
        assert!(sink.malformed.is_empty() && sink.observations.is_empty(), "{rel}: {sink:?}");
        if rel == "profinet/PROFINET-RT.pcap" {
            assert_eq!(frames.iter().filter(|f| f.carrier == frames::Carrier::Ether(0x8892)).count(), 14);
        }
        if tshark::available() {
            assert!(tshark_facts(&path).is_empty(), "{rel}");
        }
    }
}

fn dcp(frame_id: u16, service: u8, service_type: u8, blocks: &[(u8, u8, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (option, suboption, data) in blocks {
        body.extend([*option, *suboption]);
        body.extend((data.len() as u16).to_be_bytes());
        body.extend(*data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut m = frame_id.to_be_bytes().to_vec();
    m.extend([service, service_type, 0x01, 0x00, 0x00, 0x2a, 0x00, 0x00]);
    m.extend((body.len() as u16).to_be_bytes());
    m.extend(body);
    frames::ethernet([0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00], frames::MAC_A, 0x8892, &m)
}

fn made_capture() -> Vec<Vec<u8>> {
    vec![
        // Identify response of an IO controller.
        dcp(
            0xfeff,
            5,
            1,
            &[
                (2, 1, b"\x00\x00S7-1500"),
                (2, 2, b"\x00\x00plc-line1"),
                (2, 3, b"\x00\x00\x00\x2a\x01\x0e"),
                (2, 4, b"\x00\x00\x02\x00"),
                (1, 2, b"\x00\x01\xc0\xa8\x00\x01\xff\xff\xff\x00\x00\x00\x00\x00"),
            ],
        ),
        // Hello of an IO device.
        dcp(
            0xfefc,
            6,
            0,
            &[
                (2, 2, b"\x00\x00io-dev-7"),
                (1, 2, b"\x00\x01\xc0\xa8\x00\x32\xff\xff\xff\x00\xc0\xa8\x00\x01"),
                (2, 3, b"\x00\x00\x00\xb0\x01\x41"),
                (2, 4, b"\x00\x00\x01\x00"),
            ],
        ),
        // Get response: MAC address and the control option's answer.
        dcp(0xfefd, 3, 1, &[(1, 1, b"\x00\x00\x00\x1b\x1b\x23\xeb\x3b"), (5, 4, b"\x01\x01\x00")]),
        // Identify request for a name: nothing about the sender.
        dcp(0xfefe, 5, 0, &[(2, 2, b"plc-line1")]),
    ]
}

#[test]
fn answers_and_hello_match_tshark() {
    let path = frames::write_temp("pndcp_made.pcap", &made_capture());
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let sink = decode(&frames);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = all_facts(&sink);
    let expected = Facts::from([
        (
            1,
            vec![
                fact(Field::ProductName, "S7-1500"),
                fact(Field::Name, "plc-line1"),
                fact(Field::VendorId, "0x002a"),
                fact(Field::ProductCode, "0x010e"),
                fact(Field::Role, "profinet io-controller"),
                fact(Field::DeclaredIp, "192.168.0.1"),
            ],
        ),
        (
            2,
            vec![
                fact(Field::Name, "io-dev-7"),
                fact(Field::DeclaredIp, "192.168.0.50"),
                fact(Field::VendorId, "0x00b0"),
                fact(Field::ProductCode, "0x0141"),
                fact(Field::Role, "profinet io-device"),
            ],
        ),
        (3, vec![fact(Field::DeclaredMac, "00:1b:1b:23:eb:3b")]),
    ]);
    assert_eq!(ours, expected);
    assert!(sink.observations.iter().all(|o| o.device.mac == Some(cpsf_pcap::model::Mac(frames::MAC_A))));
    if tshark::available() {
        // tshark's columns come in a fixed order; compare as sets per frame.
        let sorted = |m: &Facts| -> Facts {
            m.iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    v.sort();
                    (*k, v)
                })
                .collect()
        };
        assert_eq!(sorted(&ours), sorted(&tshark_facts(&path)));
    }
}
