//! EtherNet/IP (TCP and UDP 44818, UDP 2222 for I/O): framing by the encapsulation header, each side's role,
//! and the device identity in ListIdentity answers (CIP Identity item 0x000C), with vendor and device type names
//! for the common CIP codes.

use std::net::Ipv4Addr;

use super::octets::{Octets, push, text};
use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "enip";
/// Cyclic (class 0/1) I/O over UDP 2222: only the roles are recorded.
pub const IO_NAME: &str = "enip-io";

const HEADER: usize = 24;
const LIST_IDENTITY: u16 = 0x0063;
const CIP_IDENTITY_ITEM: u16 = 0x000C;

/// The encapsulation commands of the EtherNet/IP specification; anything else is not EtherNet/IP.
fn known_command(command: u16) -> bool {
    matches!(command, 0x0000 | 0x0004 | 0x0063 | 0x0064 | 0x0065 | 0x0066 | 0x006F | 0x0070 | 0x0072 | 0x0073)
}

/// How long the next encapsulation message in a stream is: the 24-byte header plus its length field.
pub fn framing(buf: &[u8]) -> Framing {
    let mut o = Octets::new(buf);
    let (Some(command), Some(len)) = (o.u16le(), o.u16le()) else {
        return Framing::NeedMore;
    };
    if !known_command(command) {
        return Framing::NotThisProtocol;
    }
    Framing::Message(HEADER + usize::from(len))
}

/// Records the sender's role, and the identity in a ListIdentity answer.
pub fn decode(meta: &PacketMeta, side: Side, msg: &[u8], sink: &mut Sink) {
    let mut o = Octets::new(msg);
    let (Some(command), Some(len)) = (o.u16le(), o.u16le()) else {
        sink.malformed(NAME);
        return;
    };
    if !known_command(command) || o.skip(HEADER - 4).is_none() {
        sink.malformed(NAME);
        return;
    }
    let mut fields = Vec::new();
    match side {
        Side::Server => fields.push((Field::Role, "enip server".to_string())),
        Side::Client => fields.push((Field::Role, "enip client".to_string())),
        Side::Unknown => {}
    }
    if command == LIST_IDENTITY && len > 0 {
        match list_identity(&mut o) {
            Some(identity) => fields.extend(identity),
            None => sink.malformed(NAME),
        }
    }
    sink.observe(NAME, meta, meta.source(), fields);
}

/// UDP 2222 carries implicit (I/O) messages between originator and target: the sender takes part in CIP I/O.
pub fn decode_io(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    if !msg.is_empty() {
        sink.observe(IO_NAME, meta, meta.source(), vec![(Field::Role, "cip i/o".to_string())]);
    }
}

/// The CIP Identity items of a ListIdentity response (`o` just past the encapsulation header).
fn list_identity(o: &mut Octets<'_>) -> Option<Vec<(Field, String)>> {
    let count = o.u16le()?;
    let mut fields = Vec::new();
    for _ in 0..count {
        let kind = o.u16le()?;
        let len = o.u16le()?;
        let item = o.take(usize::from(len))?;
        if kind == CIP_IDENTITY_ITEM {
            fields.extend(identity_item(item)?);
        }
    }
    Some(fields)
}

fn identity_item(item: &[u8]) -> Option<Vec<(Field, String)>> {
    let mut o = Octets::new(item);
    let _encapsulation_version = o.u16le()?;
    // Socket address, big-endian: family, port, address, 8 zero bytes.
    let _family = o.u16be()?;
    let _port = o.u16be()?;
    let addr = Ipv4Addr::from(o.u32be()?);
    o.skip(8)?;
    let vendor = o.u16le()?;
    let device_type = o.u16le()?;
    let product_code = o.u16le()?;
    let major = o.u8()?;
    let minor = o.u8()?;
    let status = o.u16le()?;
    let serial = o.u32le()?;
    let name_len = o.u8()?;
    let name = o.take(usize::from(name_len))?;
    let state = o.u8();

    let mut fields = vec![(Field::VendorId, vendor.to_string())];
    if let Some(vendor_name) = vendor_name(vendor) {
        fields.push((Field::VendorName, vendor_name.to_string()));
    }
    let device_type = match device_type_name(device_type) {
        Some(n) => format!("{n} ({device_type})"),
        None => device_type.to_string(),
    };
    fields.push((Field::DeviceType, device_type));
    fields.push((Field::ProductCode, product_code.to_string()));
    fields.push((Field::Revision, format!("{major}.{minor:02}")));
    let status = match state {
        Some(s) => format!("0x{status:04x}, state 0x{s:02x}"),
        None => format!("0x{status:04x}"),
    };
    fields.push((Field::Status, status));
    fields.push((Field::SerialNumber, format!("0x{serial:08x}")));
    push(&mut fields, Field::ProductName, text(name));
    if !addr.is_unspecified() {
        fields.push((Field::DeclaredIp, addr.to_string()));
    }
    Some(fields)
}

/// Names of common CIP vendor ids (the ODVA vendor list), as Wireshark's dissector shows them.
pub fn vendor_name(id: u16) -> Option<&'static str> {
    Some(match id {
        1 => "Rockwell Automation/Allen-Bradley",
        3 => "Honeywell Inc.",
        5 => "Rockwell Automation/Reliance Elec.",
        8 => "Molex Incorporated",
        12 => "Banner Engineering Corp.",
        26 => "Festo Corporation",
        40 => "Wago Corporation",
        44 => "Yaskawa Electric America, Inc.",
        46 => "ABB Industrial Systems",
        47 => "Omron Corporation",
        48 => "TURCk, Inc.",
        57 => "Pepperl + Fuchs",
        68 => "Eaton Electrical",
        82 => "Mitsubishi Electric Automation, Inc.",
        90 => "HMS Industrial Networks AB",
        97 => "Danfoss",
        108 => "Beckhoff Automation GmbH",
        145 => "Siemens Energy & Automation/Drives",
        161 => "Mitsubishi Electric Corporation",
        176 => "Red Lion Controls",
        243 => "Schneider Automation, Inc.",
        250 => "Yokogawa Electric Corporation",
        283 => "Hilscher GmbH",
        309 => "Prosoft Technology",
        315 => "SEW Eurodrive GmbH",
        356 => "Fanuc Robotics America",
        367 => "Keyence Corporation",
        562 => "Phoenix Contact",
        591 => "FANUC Ltd.",
        _ => return None,
    })
}

/// Names of common CIP device profiles (device type codes).
pub fn device_type_name(code: u16) -> Option<&'static str> {
    Some(match code {
        0 => "Generic Device (deprecated)",
        2 => "AC Drive",
        3 => "Motor Overload",
        4 => "Limit Switch",
        5 => "Inductive Proximity Switch",
        6 => "Photoelectric Sensor",
        7 => "General Purpose Discrete I/O",
        12 => "Communications Adapter",
        14 => "Programmable Logic Controller",
        16 => "Position Controller",
        19 => "DC Drive",
        21 => "Contactor",
        22 => "Motor Starter",
        23 => "Soft Start",
        24 => "Human-Machine Interface",
        34 => "Encoder",
        35 => "Safety Discrete I/O Device",
        37 => "CIP Motion Drive",
        43 => "Generic Device (keyable)",
        44 => "Managed Ethernet Switch",
        200 => "Embedded Component",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// The ListIdentity answer of enip_test.pcap frame 7.
    const ANSWER: &[u8] = b"\x63\x00\x33\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc1\xde\xbe\xd1\
\x00\x00\x00\x00\x01\x00\x0c\x00\x2d\x00\x01\x00\x00\x02\xaf\x12\x0a\x01\x01\xa4\x00\x00\x00\x00\x00\x00\x00\x00\
\x01\x00\x0c\x00\x3a\x00\x04\x03\x30\x00\x8e\x4d\x52\x00\x0b1756-ENBT/A\x03";

    #[test]
    fn framing_uses_the_header_length() {
        assert_eq!(framing(&ANSWER[..3]), Framing::NeedMore);
        assert_eq!(framing(ANSWER), Framing::Message(ANSWER.len()));
        assert_eq!(framing(b"\x99\x00\x00\x00"), Framing::NotThisProtocol);
    }

    #[test]
    fn decodes_list_identity() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, ANSWER, &mut sink);
        assert!(sink.malformed.is_empty());
        let get = |f: Field| sink.observations[0].fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str());
        assert_eq!(get(Field::Role), Some("enip server"));
        assert_eq!(get(Field::VendorId), Some("1"));
        assert_eq!(get(Field::VendorName), Some("Rockwell Automation/Allen-Bradley"));
        assert_eq!(get(Field::DeviceType), Some("Communications Adapter (12)"));
        assert_eq!(get(Field::ProductCode), Some("58"));
        assert_eq!(get(Field::Revision), Some("4.03"));
        assert_eq!(get(Field::Status), Some("0x0030, state 0x03"));
        assert_eq!(get(Field::SerialNumber), Some("0x00524d8e"));
        assert_eq!(get(Field::ProductName), Some("1756-ENBT/A"));
        assert_eq!(get(Field::DeclaredIp), Some("10.1.1.164"));
    }

    #[test]
    fn a_cut_item_is_malformed() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, &ANSWER[..ANSWER.len() - 5], &mut sink);
        assert_eq!(sink.malformed, vec![(NAME, 1)]);
    }

    #[test]
    fn never_panics() {
        shake(ANSWER, |m| {
            let _ = framing(m);
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), Side::Server, m, &mut sink);
            decode_io(&PacketMeta::default(), Side::Unknown, m, &mut sink);
        });
    }
}
