//! Modbus/TCP Read Device Identification: the decoder's facts equal tshark's `modbus.object_*` fields on the
//! shared captures and on a capture made here with every standard object in an answer split over two segments.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::modbus;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

fn object_field(id: u8) -> Option<Field> {
    Some(match id {
        0 => Field::VendorName,
        1 => Field::ProductCode,
        2 => Field::FirmwareVersion,
        3 => Field::Description,
        4 => Field::ProductName,
        5 => Field::ModelName,
        6 => Field::Name,
        _ => return None,
    })
}

/// What tshark shows for each Read Device Identification answer, as our facts.
fn tshark_facts(path: &Path) -> Facts {
    let rows = tshark::fields(
        path,
        "modbus.object_str_value",
        &["mbtcp.unit_id", "modbus.object_id", "modbus.object_str_value"],
    );
    let mut out = Facts::new();
    for r in rows {
        let mut f = vec![fact(Field::ProtocolAddress, r.first(0))];
        // String objects are the standard ones (ids 0-6); tshark lists their values in order.
        let ids = r.get(1).iter().map(|i| i.parse::<u8>().unwrap()).filter(|&i| i < 7);
        for (id, value) in ids.zip(r.get(2)) {
            f.push((object_field(id).unwrap(), value.trim().to_string()));
        }
        out.insert(r.frame, f);
    }
    out
}

fn decode(frames: &[frames::Frame]) -> Sink {
    frames::decode_tcp(frames, 502, modbus::framing, modbus::decode)
}

#[test]
fn device_identification_matches_tshark_on_shared_captures() {
    for rel in ["modbus/modbus_example.pcap", "modbus/modbus_test_data_part1.pcap", "modbus/fuzz-1011.pcap"] {
        let Some((path, frames)) = frames::shared_capture(rel) else { return };
        let sink = decode(&frames);
        let ours = frames::facts(&sink);
        if rel == "modbus/modbus_example.pcap" {
            // What tshark 4.0 showed for frame 94 when this test was written.
            let expected = vec![
                fact(Field::ProtocolAddress, "1"),
                fact(Field::VendorName, "Zeek Modbus Test"),
                fact(Field::ProductCode, "Protocol Parsing is fun!"),
                fact(Field::FirmwareVersion, "1.2.3.6"),
            ];
            assert_eq!(ours, Facts::from([(94, expected)]));
            assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
            let roles = frames::roles(&sink);
            assert!(roles["modbus server"] > 20 && roles["modbus client"] > 20, "{roles:?}");
        } else {
            // modbus_test_data_part1.pcap asks twice (frames 32, 34) and gets no answer.
            assert!(ours.is_empty(), "{rel}: {ours:?}");
        }
        if tshark::available() {
            assert_eq!(ours, tshark_facts(&path), "{rel}");
        }
    }
}

/// A request and an answer with all seven standard objects and one private object, the answer cut in two TCP
/// segments.
fn made_capture() -> Vec<Vec<u8>> {
    let request = b"\x00\x05\x00\x00\x00\x05\x11\x2b\x0e\x03\x00";
    let objects: [(u8, &[u8]); 8] = [
        (0, b"Schneider Electric"),
        (1, b"BMXP342020"),
        (2, b"v2.70"),
        (3, b"http://www.example.com"),
        (4, b"Modicon M340"),
        (5, b"BMX P34 2020"),
        (6, b"Line 3 PLC"),
        (0x80, b"\x01\x02\x03"),
    ];
    let mut pdu = vec![0x11, 0x2b, 0x0e, 0x03, 0x83, 0x00, 0x00, objects.len() as u8];
    for (id, v) in objects {
        pdu.extend([id, v.len() as u8]);
        pdu.extend(v);
    }
    let mut answer = vec![0x00, 0x05, 0x00, 0x00];
    answer.extend((pdu.len() as u16).to_be_bytes());
    answer.extend(pdu);
    let client = ([192, 168, 10, 20], 50123);
    let server = ([192, 168, 10, 5], 502);
    vec![
        frames::tcp_frame(client, server, 1000, request),
        frames::tcp_frame(server, client, 7000, &answer[..20]),
        frames::tcp_frame(server, client, 7020, &answer[20..]),
    ]
}

#[test]
fn a_split_answer_with_every_object_matches_tshark() {
    let path = frames::write_temp("modbus_fc43.pcap", &made_capture());
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let sink = decode(&frames);
    assert!(sink.malformed.is_empty());
    let ours = frames::facts(&sink);
    let expected = vec![
        fact(Field::ProtocolAddress, "17"),
        fact(Field::VendorName, "Schneider Electric"),
        fact(Field::ProductCode, "BMXP342020"),
        fact(Field::FirmwareVersion, "v2.70"),
        fact(Field::Description, "http://www.example.com"),
        fact(Field::ProductName, "Modicon M340"),
        fact(Field::ModelName, "BMX P34 2020"),
        fact(Field::Name, "Line 3 PLC"),
    ];
    // The answer is complete in frame 3, where tshark also shows it reassembled.
    assert_eq!(ours, Facts::from([(3, expected)]));
    let device = sink.observations.iter().find(|o| o.frame == 3).unwrap().device;
    assert_eq!(device.ip, Some("192.168.10.5".parse().unwrap()));
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
    }
}
