//! EtherNet/IP ListIdentity: the decoder's facts equal tshark's `enip.lir.*` fields on the shared captures and on
//! a ListIdentity answer over UDP made here; the vendor and device type names equal tshark's tables.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::enip;

use crate::frames::{self, Carrier, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

/// What tshark shows for each ListIdentity answer, as our facts.
fn tshark_facts(path: &Path) -> Facts {
    let names = [
        "enip.lir.vendor",
        "enip.lir.devtype",
        "enip.lir.prodcode",
        "enip.lir.revision",
        "enip.lir.status",
        "enip.lir.state",
        "enip.lir.serial",
        "enip.lir.name",
        "enip.sinaddr",
    ];
    let details: BTreeMap<u64, Vec<String>> = tshark::details(path, "enip.lir.name", "enip").into_iter().collect();
    let mut out = Facts::new();
    for r in tshark::fields(path, "enip.lir.name", &names) {
        let vendor = u16::from_str_radix(r.first(0).trim_start_matches("0x"), 16).unwrap();
        let revision: u16 = r.first(3).parse().unwrap();
        let lines = &details[&r.frame];
        // The names tshark shows: "Vendor ID: NAME (0x0001)", "Device Type: NAME (12)".
        let shown = |label: &str| {
            lines.iter().find_map(|l| l.trim().strip_prefix(label).map(str::to_string)).unwrap_or_default()
        };
        let mut f = vec![fact(Field::VendorId, &vendor.to_string())];
        let vendor_shown = shown("Vendor ID: ");
        if let Some((name, _)) = vendor_shown.rsplit_once(" (0x") {
            f.push(fact(Field::VendorName, name));
        }
        f.push(fact(Field::DeviceType, &shown("Device Type: ")));
        f.push(fact(Field::ProductCode, r.first(2)));
        f.push(fact(Field::Revision, &format!("{}.{:02}", revision >> 8, revision & 0xff)));
        f.push(fact(Field::Status, &format!("{}, state {}", r.first(4), r.first(5))));
        f.push(fact(Field::SerialNumber, r.first(6)));
        f.push(fact(Field::ProductName, r.first(7)));
        if r.first(8) != "0.0.0.0" {
            f.push(fact(Field::DeclaredIp, r.first(8)));
        }
        out.insert(r.frame, f);
    }
    out
}

fn decode_capture(frames: &[frames::Frame]) -> Sink {
    let mut sink = frames::decode_tcp(frames, 44818, enip::framing, enip::decode);
    let udp = frames::decode_udp(frames, 44818, enip::decode);
    sink.observations.extend(udp.observations);
    sink.malformed.extend(udp.malformed);
    sink
}

#[test]
fn list_identity_matches_tshark_on_shared_captures() {
    for rel in ["enip/enip_test.pcap", "enip/cip-multiple-1.pcap", "enip/cip_start_plc.pcap"] {
        let Some((path, frames)) = frames::shared_capture(rel) else { return };
        let sink = decode_capture(&frames);
        assert!(sink.malformed.is_empty(), "{rel}: {:?}", sink.malformed);
        let ours = frames::facts(&sink);
        if rel == "enip/enip_test.pcap" {
            // What tshark 4.0 showed for frame 7 when this test was written.
            let expected = vec![
                fact(Field::VendorId, "1"),
                fact(Field::VendorName, "Rockwell Automation/Allen-Bradley"),
                fact(Field::DeviceType, "Communications Adapter (12)"),
                fact(Field::ProductCode, "58"),
                fact(Field::Revision, "4.03"),
                fact(Field::Status, "0x0030, state 0x03"),
                fact(Field::SerialNumber, "0x00524d8e"),
                fact(Field::ProductName, "1756-ENBT/A"),
                fact(Field::DeclaredIp, "10.1.1.164"),
            ];
            assert_eq!(ours, Facts::from([(7, expected)]));
            let roles = frames::roles(&sink);
            assert_eq!(roles.get("enip server"), Some(&1), "{roles:?}");
            assert_eq!(roles.get("enip client"), Some(&1), "{roles:?}");
        } else {
            assert!(ours.is_empty(), "{rel}: {ours:?}");
        }
        if tshark::available() {
            assert_eq!(ours, tshark_facts(&path), "{rel}");
        }
    }
}

#[test]
fn list_identity_over_udp_matches_tshark() {
    let Some((_, frames)) = frames::shared_capture("enip/enip_test.pcap") else { return };
    let answer = frames.iter().find(|f| f.meta.frame == 7).unwrap();
    assert!(matches!(answer.carrier, Carrier::Tcp { .. }));
    // The same answer as a UDP datagram (as to a broadcast ListIdentity), and a CIP I/O datagram on port 2222.
    let made = [
        frames::udp_frame(([10, 1, 1, 164], 44818), ([10, 1, 1, 167], 50000), &answer.payload),
        frames::udp_frame(
            ([10, 1, 1, 164], 2222),
            ([10, 1, 1, 167], 2222),
            b"\x02\x00\x02\x80\x08\x00\x01\x00\x00\x00\x05\x00\x00\x00\xb1\x00\x04\x00\x05\x00\xaa\xbb",
        ),
    ];
    let path = frames::write_temp("enip_udp.pcap", &made);
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let sink = decode_capture(&frames);
    let io = frames::decode_udp(&frames, 2222, enip::decode_io);
    assert_eq!(frames::roles(&io).get("cip i/o"), Some(&1));
    let ours = frames::facts(&sink);
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[&1].iter().find(|(f, _)| *f == Field::ProductName).unwrap().1, "1756-ENBT/A");
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
    }
}

/// The vendor and device type names we keep are the ones tshark shows for the same codes.
#[test]
fn name_tables_agree_with_tshark() {
    assert_eq!(enip::vendor_name(1), Some("Rockwell Automation/Allen-Bradley"));
    assert_eq!(enip::device_type_name(14), Some("Programmable Logic Controller"));
    if !tshark::available() {
        return;
    }
    let vendors = tshark::value_names("enip.lir.vendor");
    let types = tshark::value_names("enip.lir.devtype");
    let mut checked = 0;
    for id in 0..=u16::MAX {
        if let Some(name) = enip::vendor_name(id) {
            assert_eq!(Some(name), vendors.get(&u32::from(id)).map(String::as_str), "vendor {id}");
            checked += 1;
        }
        if let Some(name) = enip::device_type_name(id) {
            assert_eq!(Some(name), types.get(&u32::from(id)).map(String::as_str), "device type {id}");
            checked += 1;
        }
    }
    assert!(checked > 40);
}
