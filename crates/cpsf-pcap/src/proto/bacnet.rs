//! BACnet/IP (UDP 47808): BVLC, NPDU (network-layer messages skipped, routed messages recognised) and the device
//! identity in I-Am (device instance, vendor id) and in ReadProperty / ReadPropertyMultiple answers about the
//! device object (vendor and model name, firmware and application version, object name, location, description).

use std::net::{IpAddr, Ipv4Addr};

use super::octets::{Octets, latin1, text};
use crate::model::{DeviceKey, Field, PacketMeta, Side, Sink};

pub const NAME: &str = "bacnet";

const BVLC_BACNET_IP: u8 = 0x81;
const OBJECT_DEVICE: u32 = 8;

/// Reads one BACnet/IP datagram.
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    match datagram(meta, msg, sink) {
        Some(()) => {}
        None => sink.malformed(NAME),
    }
}

fn datagram(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) -> Option<()> {
    let mut o = Octets::new(msg);
    if o.u8()? != BVLC_BACNET_IP {
        return Some(());
    }
    let function = o.u8()?;
    let _len = o.u16be()?;
    let mut device = meta.source();
    match function {
        // Forwarded-NPDU: the original sender's B/IP address comes first, the NPDU is the original's.
        0x04 => {
            let ip = o.array::<4>()?;
            let _port = o.u16be()?;
            device = DeviceKey { ip: Some(IpAddr::V4(Ipv4Addr::from(ip))), mac: None };
        }
        0x09..=0x0B => {}
        // Result, broadcast distribution table and foreign device management: no NPDU.
        _ => return Some(()),
    }
    // NPDU: version, control, optional destination (DNET, DLEN, DADR), optional source (SNET, SLEN, SADR), hop count.
    let _version = o.u8()?;
    let control = o.u8()?;
    if control & 0x20 != 0 {
        let _dnet = o.u16be()?;
        let dlen = o.u8()?;
        o.skip(usize::from(dlen))?;
    }
    let routed = control & 0x08 != 0;
    if routed {
        let _snet = o.u16be()?;
        let slen = o.u8()?;
        o.skip(usize::from(slen))?;
    }
    if control & 0x20 != 0 {
        let _hop_count = o.u8()?;
    }
    if routed {
        // The message comes from a device on another BACnet network through this router: the router's address
        // does not belong to that device, and the model has no key for a device known only by network + MAC.
        sink.observe(NAME, meta, device, vec![(Field::Role, "bacnet router".to_string())]);
        return Some(());
    }
    if control & 0x80 != 0 {
        // A network-layer message (Who-Is-Router-To-Network, ...): no APDU.
        return Some(());
    }
    let fields = apdu(&mut o)?;
    sink.observe(NAME, meta, device, fields);
    Some(())
}

/// The identity facts of an APDU; `Some(empty)` for messages that carry none.
fn apdu(o: &mut Octets<'_>) -> Option<Vec<(Field, String)>> {
    let head = o.u8()?;
    match head >> 4 {
        // Unconfirmed request: I-Am is service 0.
        1 => {
            if o.u8()? == 0 {
                i_am(o)
            } else {
                Some(Vec::new())
            }
        }
        // Complex ACK.
        3 => {
            let _invoke_id = o.u8()?;
            if head & 0x08 != 0 {
                // Segmented: only the first segment starts with the service's own header.
                let sequence = o.u8()?;
                let _window = o.u8()?;
                if sequence != 0 {
                    return Some(Vec::new());
                }
            }
            let service = o.u8()?;
            let segmented = head & 0x08 != 0;
            match service {
                12 => read_property_ack(o, segmented),
                14 => read_property_multiple_ack(o, segmented),
                _ => Some(Vec::new()),
            }
        }
        _ => Some(Vec::new()),
    }
}

/// I-Am: device object identifier, max APDU length, segmentation, vendor id.
fn i_am(o: &mut Octets<'_>) -> Option<Vec<(Field, String)>> {
    let (object_type, instance) = object_id(app_value(o, 12)?)?;
    let _max_apdu = app_value(o, 2)?;
    let _segmentation = app_value(o, 9)?;
    let vendor = unsigned(app_value(o, 2)?)?;
    let mut fields = Vec::new();
    if object_type == OBJECT_DEVICE {
        fields.push((Field::ProtocolAddress, instance.to_string()));
    }
    fields.push((Field::VendorId, vendor.to_string()));
    if let Some(name) = u16::try_from(vendor).ok().and_then(vendor_name) {
        fields.push((Field::VendorName, name.to_string()));
    }
    Some(fields)
}

/// ReadProperty-ACK: object id [0], property id [1], optional array index [2], value in [3] ... [3].
fn read_property_ack(o: &mut Octets<'_>, segmented: bool) -> Option<Vec<(Field, String)>> {
    let (object_type, instance) = object_id(context_value(o, 0)?)?;
    let property = unsigned(context_value(o, 1)?)?;
    let mut tag = read_tag(o)?;
    let mut indexed = false;
    if tag.context && tag.number == 2 && matches!(tag.kind, Kind::Value(_)) {
        skip_value(o, &tag)?;
        indexed = true;
        tag = read_tag(o)?;
    }
    if !(tag.context && tag.number == 3 && tag.kind == Kind::Open) {
        return None;
    }
    let mut fields = Vec::new();
    if object_type != OBJECT_DEVICE || indexed {
        return Some(fields);
    }
    match property_value(o, property) {
        Some(Some(fact)) => {
            fields.push((Field::ProtocolAddress, instance.to_string()));
            fields.push(fact);
        }
        Some(None) => {}
        // The first segment of a segmented answer may stop inside the value.
        None if segmented => {}
        None => return None,
    }
    Some(fields)
}

/// ReadPropertyMultiple-ACK: for each object, object id [0] and results in [1] ... [1]; each result is a property
/// id [2], optional array index [3], and a value in [4] ... [4] or an error in [5] ... [5].
fn read_property_multiple_ack(o: &mut Octets<'_>, segmented: bool) -> Option<Vec<(Field, String)>> {
    let mut fields = Vec::new();
    let mut instance_seen = None;
    let mut run = || -> Option<()> {
        while !o.is_empty() {
            let (object_type, instance) = object_id(context_value(o, 0)?)?;
            expect_open(o, 1)?;
            loop {
                let tag = read_tag(o)?;
                if tag.context && tag.number == 1 && tag.kind == Kind::Close {
                    break;
                }
                if !(tag.context && tag.number == 2) {
                    return None;
                }
                let property = unsigned(value_bytes(o, &tag)?)?;
                let mut tag = read_tag(o)?;
                let mut indexed = false;
                if tag.context && tag.number == 3 && matches!(tag.kind, Kind::Value(_)) {
                    skip_value(o, &tag)?;
                    indexed = true;
                    tag = read_tag(o)?;
                }
                match (tag.context, tag.number, tag.kind) {
                    (true, 4, Kind::Open) => {
                        if object_type == OBJECT_DEVICE && !indexed {
                            if let Some(fact) = property_value(o, property)? {
                                if instance_seen != Some(instance) {
                                    fields.push((Field::ProtocolAddress, instance.to_string()));
                                    instance_seen = Some(instance);
                                }
                                fields.push(fact);
                            }
                        } else {
                            skip_to_close(o, 4)?;
                        }
                    }
                    (true, 5, Kind::Open) => skip_to_close(o, 5)?,
                    _ => return None,
                }
            }
        }
        Some(())
    };
    match run() {
        Some(()) => Some(fields),
        None if segmented => Some(fields),
        None => None,
    }
}

/// The fact a device property's value gives, reading up to and including the closing tag of the value's
/// context (`o` just past its opening tag). `Some(None)` for properties that are not identity.
fn property_value(o: &mut Octets<'_>, property: u32) -> Option<Option<(Field, String)>> {
    let field = match property {
        121 => Field::VendorName,
        120 => Field::VendorId,
        70 => Field::ModelName,
        44 => Field::FirmwareVersion,
        12 => Field::SoftwareVersion,
        77 => Field::Name,
        58 => Field::Location,
        28 => Field::Description,
        _ => {
            skip_to_close(o, 0xFF)?;
            return Some(None);
        }
    };
    let tag = read_tag(o)?;
    let bytes = match tag.kind {
        Kind::Value(_) => value_bytes(o, &tag)?,
        // No value at all.
        Kind::Close => return Some(None),
        // A constructed value: not the text or number an identity property has.
        Kind::Open => {
            skip_to_close(o, 0xFF)?;
            skip_to_close(o, 0xFF)?;
            return Some(None);
        }
    };
    let value = match (tag.context, tag.number, field) {
        (false, 2, Field::VendorId) => unsigned(bytes).map(|v| v.to_string()),
        (false, 7, f) if f != Field::VendorId => Some(char_string(bytes)),
        _ => None,
    };
    skip_to_close(o, 0xFF)?;
    Some(value.filter(|v| !v.is_empty()).map(|v| (field, v)))
}

/// A character string: a character set byte, then the text in that set.
fn char_string(bytes: &[u8]) -> String {
    let Some((&set, body)) = bytes.split_first() else { return String::new() };
    match set {
        // UCS-2, big-endian.
        4 => {
            let units = body.chunks_exact(2).filter_map(|c| c.try_into().ok()).map(u16::from_be_bytes);
            let s: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
            s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string()
        }
        // UCS-4, big-endian.
        3 => {
            let s: String = body
                .chunks_exact(4)
                .filter_map(|c| c.try_into().ok())
                .map(|c| char::from_u32(u32::from_be_bytes(c)).unwrap_or('\u{FFFD}'))
                .collect();
            s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string()
        }
        5 => latin1(body),
        _ => text(body),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Value(usize),
    Open,
    Close,
}

#[derive(Clone, Copy, Debug)]
struct Tag {
    number: u8,
    context: bool,
    kind: Kind,
    /// For application booleans the value is the length field itself.
    boolean: bool,
}

fn read_tag(o: &mut Octets<'_>) -> Option<Tag> {
    let b = o.u8()?;
    let mut number = b >> 4;
    if number == 0x0F {
        number = o.u8()?;
    }
    let context = b & 0x08 != 0;
    let lvt = b & 0x07;
    let kind = match (context, lvt) {
        (true, 6) => Kind::Open,
        (true, 7) => Kind::Close,
        (false, _) if number == 1 => return Some(Tag { number, context, kind: Kind::Value(0), boolean: true }),
        (_, 5) => match o.u8()? {
            254 => Kind::Value(usize::from(o.u16be()?)),
            255 => Kind::Value(usize::try_from(o.u32be()?).ok()?),
            n => Kind::Value(usize::from(n)),
        },
        (_, n) => Kind::Value(usize::from(n)),
    };
    Some(Tag { number, context, kind, boolean: false })
}

fn value_bytes<'a>(o: &mut Octets<'a>, tag: &Tag) -> Option<&'a [u8]> {
    match tag.kind {
        Kind::Value(n) if !tag.boolean => o.take(n),
        Kind::Value(_) => Some(&[]),
        _ => None,
    }
}

fn skip_value(o: &mut Octets<'_>, tag: &Tag) -> Option<()> {
    value_bytes(o, tag).map(|_| ())
}

/// Skips tags up to the closing tag that ends the current context (nested contexts included). `number` checks the
/// closing tag's number when it is not 0xFF.
fn skip_to_close(o: &mut Octets<'_>, number: u8) -> Option<()> {
    let mut depth = 0usize;
    loop {
        let tag = read_tag(o)?;
        match tag.kind {
            Kind::Open => depth += 1,
            Kind::Close if depth == 0 => return (number == 0xFF || tag.number == number).then_some(()),
            Kind::Close => depth -= 1,
            Kind::Value(_) => skip_value(o, &tag)?,
        }
    }
}

fn expect_open(o: &mut Octets<'_>, number: u8) -> Option<()> {
    let tag = read_tag(o)?;
    (tag.context && tag.number == number && tag.kind == Kind::Open).then_some(())
}

fn app_value<'a>(o: &mut Octets<'a>, number: u8) -> Option<&'a [u8]> {
    let tag = read_tag(o)?;
    if tag.context || tag.number != number {
        return None;
    }
    value_bytes(o, &tag)
}

fn context_value<'a>(o: &mut Octets<'a>, number: u8) -> Option<&'a [u8]> {
    let tag = read_tag(o)?;
    if !tag.context || tag.number != number {
        return None;
    }
    value_bytes(o, &tag)
}

fn unsigned(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

/// Object type (10 bits) and instance (22 bits).
fn object_id(bytes: &[u8]) -> Option<(u32, u32)> {
    let v = u32::from_be_bytes(bytes.try_into().ok()?);
    Some((v >> 22, v & 0x3F_FFFF))
}

/// Names of common BACnet vendor ids (ASHRAE's vendor list), as Wireshark's dissector shows them.
pub fn vendor_name(id: u16) -> Option<&'static str> {
    Some(match id {
        0 => "ASHRAE",
        1 => "NIST",
        2 => "The Trane Company",
        3 => "Daikin Applied Americas",
        4 => "PolarSoft",
        5 => "Johnson Controls, Inc.",
        6 => "ABB (Formerly American Auto-Matrix)",
        7 => "Siemens Schweiz AG (Formerly: Landis & Staefa Division Europe)",
        8 => "Delta Controls",
        9 => "Siemens Schweiz AG",
        10 => "Schneider Electric",
        11 => "TAC",
        14 => "Cimetrics Technology",
        15 => "Cornell University",
        16 => "United Technologies Carrier",
        17 => "Honeywell Inc.",
        18 => "Alerton / Honeywell",
        22 => "Siemens Schweiz AG (Formerly: Cerberus AG)",
        23 => "York Controls Group",
        24 => "Automated Logic Corporation",
        28 => "KMC Controls, Inc.",
        35 => "Reliable Controls Corporation",
        36 => "Tridium Inc.",
        245 => "Contemporary Control Systems, Inc.",
        284 => "BELIMO Automation AG",
        313 => "Siemens Industry, Inc.",
        332 => "Distech Controls SAS",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// An I-Am with the values of bacnet_error_reject_abort.pcap frame 29: device 101, vendor 1337.
    const I_AM: &[u8] = b"\x81\x0a\x00\x15\x01\x00\x10\x00\xc4\x02\x00\x00\x65\x22\x04\x00\x91\x00\x22\x05\x39";
    /// ReadProperty-ACK, device 501, model-name "HIY-054" (bacnet_example.pcap frame 137).
    const MODEL: &[u8] = b"\x81\x0a\x00\x1c\x01\x00\x30\x02\x0c\x0c\x02\x00\x01\xf5\x19\x46\x3e\x75\x08\x00HIY-054\x3f";

    fn fields(msg: &[u8]) -> Vec<(Field, String)> {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Unknown, msg, &mut sink);
        assert!(sink.malformed.is_empty(), "{msg:02x?}");
        sink.observations.into_iter().flat_map(|o| o.fields).collect()
    }

    fn f(field: Field, v: &str) -> (Field, String) {
        (field, v.to_string())
    }

    #[test]
    fn decodes_i_am() {
        assert_eq!(fields(I_AM), vec![f(Field::ProtocolAddress, "101"), f(Field::VendorId, "1337")]);
    }

    #[test]
    fn decodes_read_property_ack() {
        assert_eq!(fields(MODEL), vec![f(Field::ProtocolAddress, "501"), f(Field::ModelName, "HIY-054")]);
    }

    #[test]
    fn decodes_read_property_multiple_ack() {
        // Device 7: object-name "AHU" (UCS-2), vendor-identifier 15, present-value error, location "Roof" (8859-1).
        let msg = b"\x81\x0a\x00\x00\x01\x00\x30\x05\x0e\x0c\x02\x00\x00\x07\x1e\
\x29\x4d\x4e\x75\x07\x04\x00A\x00H\x00U\x4f\
\x29\x78\x4e\x21\x0f\x4f\
\x29\x55\x5e\x91\x02\x91\x20\x5f\
\x29\x3a\x4e\x75\x05\x05Roof\x4f\
\x1f";
        assert_eq!(
            fields(msg),
            vec![
                f(Field::ProtocolAddress, "7"),
                f(Field::Name, "AHU"),
                f(Field::VendorId, "15"),
                f(Field::Location, "Roof"),
            ]
        );
    }

    #[test]
    fn routed_and_network_messages_give_no_identity() {
        // I-Am with a source specifier (SNET 13, SADR 1 byte): only the router's role.
        let routed =
            b"\x81\x0a\x00\x19\x01\x08\x00\x0d\x01\x05\x10\x00\xc4\x02\x00\x00\x65\x22\x04\x00\x91\x00\x21\x0f";
        assert_eq!(fields(routed), vec![f(Field::Role, "bacnet router")]);
        // Who-Is-Router-To-Network (network-layer message).
        assert!(fields(b"\x81\x0b\x00\x06\x01\x80\x00").is_empty());
    }

    #[test]
    fn later_segments_are_skipped() {
        let segment = b"\x81\x0a\x00\x10\x01\x04\x3c\x5e\x01\x04\x0c\x0c\x02\x00";
        assert!(fields(segment).is_empty());
    }

    #[test]
    fn never_panics() {
        for msg in [I_AM, MODEL] {
            shake(msg, |m| {
                let mut sink = Sink::default();
                decode(&PacketMeta::default(), Side::Unknown, m, &mut sink);
            });
        }
    }
}
