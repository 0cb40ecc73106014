//! BACnet/IP: the device facts of I-Am and of ReadProperty / ReadPropertyMultiple answers equal what tshark shows
//! on the shared captures and on a capture made here (every device property, three character sets, a forwarded
//! I-Am); a routed I-Am is the one deliberate difference; the vendor names equal tshark's table.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::bacnet;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

/// What tshark shows as device facts: I-Am fields, and the device properties of complex ACKs from the packet
/// details (tshark has no fields for most property values: lines read `model-name: UTF-8 'HIY-054'`).
fn tshark_facts(path: &Path) -> Facts {
    let vendor_names = tshark::value_names("bacapp.vendor_identifier");
    let mut out = Facts::new();
    let i_am = "bacapp.type == 1 && bacapp.unconfirmed_service == 0 && bacnet.control_src == 0";
    for r in tshark::fields(path, i_am, &["bacapp.objectType", "bacapp.instance_number", "bacapp.vendor_identifier"]) {
        let mut f = Vec::new();
        if r.first(0) == "8" {
            f.push(fact(Field::ProtocolAddress, r.first(1)));
        }
        let vendor: u16 = r.first(2).parse().unwrap();
        f.push(fact(Field::VendorId, r.first(2)));
        // Names are kept for common vendors only: where we keep one, it is tshark's.
        if bacnet::vendor_name(vendor).is_some() {
            f.push(fact(Field::VendorName, &vendor_names[&u32::from(vendor)]));
        }
        out.insert(r.frame, f);
    }
    let acks = "bacapp.type == 3 && (bacapp.confirmed_service == 12 || bacapp.confirmed_service == 14) \
                && bacnet.control_src == 0";
    for (frame, lines) in tshark::details(path, acks, "bacapp") {
        let mut f = Vec::new();
        let mut device = None;
        for line in &lines {
            let line = line.trim();
            if let Some(id) = line.strip_prefix("ObjectIdentifier: ") {
                device = id.strip_prefix("device, ").map(str::to_string);
                continue;
            }
            let Some(instance) = &device else { continue };
            let value = if let Some(name) = line.strip_prefix("Object Name: ") {
                Some((Field::Name, name.to_string()))
            } else if let Some(n) = line.strip_prefix("vendor-identifier: (Unsigned) ") {
                Some((Field::VendorId, n.to_string()))
            } else {
                line.split_once(": ").and_then(|(property, rest)| {
                    let field = match property {
                        "vendor-name" => Field::VendorName,
                        "model-name" => Field::ModelName,
                        "firmware-revision" => Field::FirmwareVersion,
                        "application-software-version" => Field::SoftwareVersion,
                        "location" => Field::Location,
                        "description" => Field::Description,
                        _ => return None,
                    };
                    // "<character set> 'text'"
                    let text = rest.get(rest.find('\'')? + 1..rest.rfind('\'')?)?;
                    Some((field, text.to_string()))
                })
            };
            if let Some(v) = value {
                if f.is_empty() {
                    f.push(fact(Field::ProtocolAddress, instance));
                }
                f.push(v);
            }
        }
        if !f.is_empty() {
            out.insert(frame, f);
        }
    }
    out
}

fn decode(frames: &[frames::Frame]) -> Sink {
    frames::decode_udp(frames, 47808, bacnet::decode)
}

#[test]
fn device_facts_match_tshark_on_shared_captures() {
    for rel in
        ["bacnet/bacnet_example.pcap", "bacnet/bacnet_segmented_data.pcap", "bacnet/bacnet_error_reject_abort.pcap"]
    {
        let Some((path, frames)) = frames::shared_capture(rel) else { return };
        let sink = decode(&frames);
        assert!(sink.malformed.is_empty(), "{rel}: {:?}", sink.malformed);
        let ours = frames::facts(&sink);
        match rel {
            "bacnet/bacnet_example.pcap" => {
                // What tshark 4.0 showed when this test was written: 210 I-Am and 600 device property answers
                // (object name, model name, firmware and application version, location of 120 devices).
                assert_eq!(ours.len(), 810);
                let first_iam = vec![fact(Field::ProtocolAddress, "721"), fact(Field::VendorId, "15")];
                let iam = ours[&74].iter().filter(|(f, _)| *f != Field::VendorName).cloned().collect::<Vec<_>>();
                assert_eq!(iam, first_iam);
                assert!(ours[&74].contains(&fact(Field::VendorName, "Cornell University")));
                assert_eq!(ours[&133], vec![fact(Field::ProtocolAddress, "501"), fact(Field::Name, "PLC_28")]);
                assert_eq!(ours[&137], vec![fact(Field::ProtocolAddress, "501"), fact(Field::ModelName, "HIY-054")]);
                assert_eq!(
                    ours[&141],
                    vec![fact(Field::ProtocolAddress, "501"), fact(Field::FirmwareVersion, "4.2.1")]
                );
                assert_eq!(
                    ours[&145],
                    vec![fact(Field::ProtocolAddress, "501"), fact(Field::SoftwareVersion, "0.5.7")]
                );
                assert_eq!(ours[&150], vec![fact(Field::ProtocolAddress, "501"), fact(Field::Location, "bay_7080")]);
            }
            "bacnet/bacnet_segmented_data.pcap" => {
                // I-Am of devices 0 and 254 (vendor 154, no name kept); the segmented answer is an object list.
                assert_eq!(ours.len(), 7);
                assert_eq!(ours[&6], vec![fact(Field::ProtocolAddress, "254"), fact(Field::VendorId, "154")]);
            }
            _ => {
                // Error/reject/abort samples; tshark marks two frames malformed (not I-Am or answers).
                assert_eq!(
                    ours,
                    Facts::from([(29, vec![fact(Field::ProtocolAddress, "101"), fact(Field::VendorId, "1337")])])
                );
            }
        }
        if tshark::available() {
            assert_eq!(ours, tshark_facts(&path), "{rel}");
        }
    }
}

fn char_string(set: u8, text: &[u8]) -> Vec<u8> {
    let n = text.len() + 1;
    let mut v = if n >= 5 { vec![0x75, n as u8] } else { vec![0x70 | n as u8] };
    v.push(set);
    v.extend(text);
    v
}

fn bvlc(function: u8, extra: &[u8], npdu: &[u8]) -> Vec<u8> {
    let mut m = vec![0x81, function];
    m.extend(((4 + extra.len() + npdu.len()) as u16).to_be_bytes());
    m.extend(extra);
    m.extend(npdu);
    m
}

fn device_id(instance: u32) -> [u8; 4] {
    ((8 << 22) | instance).to_be_bytes()
}

/// ReadPropertyMultiple answer with every device property read (UTF-8 and ISO 8859-1), a ReadProperty answer in
/// UCS-2, a forwarded I-Am and an I-Am routed from network 13.
fn made_capture() -> Vec<Vec<u8>> {
    let mut rpm = vec![0x01, 0x00, 0x30, 0x05, 0x0e, 0x0c];
    rpm.extend(device_id(1234));
    rpm.push(0x1e);
    let props: [(u8, u8, &[u8]); 7] = [
        (121, 0, b"Acme Controls"),
        (70, 0, b"AC-100"),
        (44, 0, b"2.1.0"),
        (12, 0, b"5.4"),
        (77, 0, b"AHU-1"),
        (58, 5, b"Dachgeschoss \xdf"),
        (28, 0, b"Air handler"),
    ];
    for (property, set, text) in props {
        rpm.extend([0x29, property, 0x4e]);
        rpm.extend(char_string(set, text));
        rpm.push(0x4f);
    }
    rpm.extend(b"\x29\x78\x4e\x21\x05\x4f\x29\x55\x5e\x91\x02\x91\x20\x5f\x1f");

    let mut rp = vec![0x01, 0x00, 0x30, 0x07, 0x0c, 0x0c];
    rp.extend(device_id(77));
    rp.extend([0x19, 0x4d, 0x3e]);
    rp.extend(char_string(4, b"\x00B\x00o\x00i\x00l\x00e\x00r"));
    rp.push(0x3f);

    let mut i_am = vec![0x01, 0x00, 0x10, 0x00, 0xc4];
    i_am.extend(device_id(4000));
    i_am.extend(b"\x22\x05\xc4\x91\x03\x21\x24");
    let mut routed = vec![0x01, 0x08, 0x00, 0x0d, 0x01, 0x05, 0x10, 0x00, 0xc4];
    routed.extend(device_id(5001));
    routed.extend(b"\x22\x01\xe0\x91\x00\x21\x08");

    let port = 47808;
    vec![
        frames::udp_frame(([192, 168, 5, 10], port), ([192, 168, 5, 1], port), &bvlc(0x0a, &[], &rpm)),
        frames::udp_frame(([192, 168, 5, 11], port), ([192, 168, 5, 1], port), &bvlc(0x0a, &[], &rp)),
        frames::udp_frame(
            ([192, 168, 5, 2], port),
            ([192, 168, 5, 255], port),
            &bvlc(0x04, &[192, 168, 9, 9, 0xba, 0xc0], &i_am),
        ),
        frames::udp_frame(([192, 168, 5, 3], port), ([192, 168, 5, 255], port), &bvlc(0x0b, &[], &routed)),
    ]
}

#[test]
fn every_device_property_matches_tshark() {
    let path = frames::write_temp("bacnet_made.pcap", &made_capture());
    let frames = frames::read(&std::fs::read(&*path).unwrap());
    let sink = decode(&frames);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = frames::facts(&sink);
    let expected = Facts::from([
        (
            1,
            vec![
                fact(Field::ProtocolAddress, "1234"),
                fact(Field::VendorName, "Acme Controls"),
                fact(Field::ModelName, "AC-100"),
                fact(Field::FirmwareVersion, "2.1.0"),
                fact(Field::SoftwareVersion, "5.4"),
                fact(Field::Name, "AHU-1"),
                fact(Field::Location, "Dachgeschoss ß"),
                fact(Field::Description, "Air handler"),
                fact(Field::VendorId, "5"),
            ],
        ),
        (2, vec![fact(Field::ProtocolAddress, "77"), fact(Field::Name, "Boiler")]),
        (
            3,
            vec![
                fact(Field::ProtocolAddress, "4000"),
                fact(Field::VendorId, "36"),
                fact(Field::VendorName, "Tridium Inc."),
            ],
        ),
    ]);
    assert_eq!(ours, expected);
    // The forwarded I-Am describes the device at the address the BBMD forwarded it from.
    let forwarded = sink.observations.iter().find(|o| o.frame == 3).unwrap();
    assert_eq!(forwarded.device.ip, Some("192.168.9.9".parse().unwrap()));
    // The routed I-Am: the IP sender is a router; the device behind it is not given the router's address.
    let routed: Vec<_> = sink.observations.iter().filter(|o| o.frame == 4).collect();
    assert_eq!(routed.len(), 1);
    assert_eq!(routed[0].fields, vec![fact(Field::Role, "bacnet router")]);
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
        // tshark shows the routed I-Am as device 5001.
        let routed = tshark::fields(&path, "bacnet.control_src == 1", &["bacapp.instance_number"]);
        assert_eq!(routed.len(), 1);
        assert_eq!((routed[0].frame, routed[0].first(0)), (4, "5001"));
    }
}

#[test]
fn vendor_names_agree_with_tshark() {
    assert_eq!(bacnet::vendor_name(15), Some("Cornell University"));
    if !tshark::available() {
        return;
    }
    let theirs = tshark::value_names("bacapp.vendor_identifier");
    let mut checked = 0;
    for id in 0..=u16::MAX {
        if let Some(name) = bacnet::vendor_name(id) {
            assert_eq!(Some(name), theirs.get(&u32::from(id)).map(String::as_str), "vendor {id}");
            checked += 1;
        }
    }
    assert!(checked > 20);
}
