//! Modbus/TCP (port 502): framing by the MBAP header's length, the role of each side, and the device identity in
//! Read Device Identification answers (function 43, MEI type 14).

use super::octets::{Octets, push, text};
use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "modbus";

/// Length field of the MBAP header counts the unit id and the PDU; a PDU is at most 253 bytes.
const MAX_MBAP_LENGTH: usize = 254;

/// How long the next Modbus/TCP message in a stream is: 6 header bytes plus the MBAP length.
pub fn framing(buf: &[u8]) -> Framing {
    let mut o = Octets::new(buf);
    let (Some(_tid), Some(pid), Some(len)) = (o.u16be(), o.u16be(), o.u16be()) else {
        return Framing::NeedMore;
    };
    let len = usize::from(len);
    if pid != 0 || !(2..=MAX_MBAP_LENGTH).contains(&len) {
        return Framing::NotThisProtocol;
    }
    Framing::Message(6 + len)
}

/// Records the sender's role, and the identity objects of a Read Device Identification answer.
pub fn decode(meta: &PacketMeta, side: Side, msg: &[u8], sink: &mut Sink) {
    let mut o = Octets::new(msg);
    let (Some(_tid), Some(pid), Some(len), Some(unit), Some(fc)) = (o.u16be(), o.u16be(), o.u16be(), o.u8(), o.u8())
    else {
        sink.malformed(NAME);
        return;
    };
    if pid != 0 || usize::from(len) != msg.len().saturating_sub(6) {
        sink.malformed(NAME);
        return;
    }
    let mut fields = Vec::new();
    match side {
        Side::Server => fields.push((Field::Role, "modbus server".to_string())),
        Side::Client => fields.push((Field::Role, "modbus client".to_string())),
        Side::Unknown => {}
    }
    if side != Side::Client && fc == 43 {
        match device_identification(&mut o) {
            Some(objects) if !objects.is_empty() => {
                fields.push((Field::ProtocolAddress, unit.to_string()));
                fields.extend(objects);
            }
            Some(_) => {}
            None => sink.malformed(NAME),
        }
    }
    sink.observe(NAME, meta, meta.source(), fields);
}

/// The objects of a Read Device Identification response (`o` just past the function code), `Some(empty)` when the
/// message is another MEI type or a request, `None` when it is cut short.
fn device_identification(o: &mut Octets<'_>) -> Option<Vec<(Field, String)>> {
    if o.u8()? != 14 {
        return Some(Vec::new());
    }
    // A request is 2 bytes after the MEI type (read device id code, object id); a response has at least 5.
    if o.remaining() <= 2 {
        return Some(Vec::new());
    }
    let _read_code = o.u8()?;
    let _conformity = o.u8()?;
    let _more_follows = o.u8()?;
    let _next_object = o.u8()?;
    let count = o.u8()?;
    let mut fields = Vec::new();
    for _ in 0..count {
        let id = o.u8()?;
        let len = o.u8()?;
        let value = o.take(usize::from(len))?;
        let field = match id {
            0 => Field::VendorName,
            1 => Field::ProductCode,
            2 => Field::FirmwareVersion,
            3 => Field::Description,
            4 => Field::ProductName,
            5 => Field::ModelName,
            6 => Field::Name,
            _ => continue,
        };
        push(&mut fields, field, text(value));
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// The response in modbus_example.pcap frame 94 (Zeek's test trace), as bytes.
    const RESPONSE: &[u8] = b"\x00\x17\x00\x00\x00\x3d\x01\x2b\x0e\x01\x83\x00\x00\x03\
\x00\x10Zeek Modbus Test\x01\x18Protocol Parsing is fun!\x02\x071.2.3.6";

    #[test]
    fn framing_uses_the_mbap_length() {
        assert_eq!(framing(&RESPONSE[..5]), Framing::NeedMore);
        assert_eq!(framing(RESPONSE), Framing::Message(RESPONSE.len()));
        assert_eq!(framing(b"\x00\x01\x00\x07\x00\x06\x01\x03"), Framing::NotThisProtocol);
        assert_eq!(framing(b"\x00\x01\x00\x00\x01\x06\x01\x03"), Framing::NotThisProtocol);
    }

    #[test]
    fn decodes_read_device_identification() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, RESPONSE, &mut sink);
        assert!(sink.malformed.is_empty());
        let fields = &sink.observations[0].fields;
        assert_eq!(
            fields,
            &vec![
                (Field::Role, "modbus server".to_string()),
                (Field::ProtocolAddress, "1".to_string()),
                (Field::VendorName, "Zeek Modbus Test".to_string()),
                (Field::ProductCode, "Protocol Parsing is fun!".to_string()),
                (Field::FirmwareVersion, "1.2.3.6".to_string()),
            ]
        );
    }

    #[test]
    fn a_request_gives_only_the_client_role() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, b"\x00\x17\x00\x00\x00\x05\x01\x2b\x0e\x01\x00", &mut sink);
        assert_eq!(sink.observations[0].fields, vec![(Field::Role, "modbus client".to_string())]);
        assert!(sink.malformed.is_empty());
    }

    #[test]
    fn cut_short_objects_are_malformed() {
        let mut msg = RESPONSE[..RESPONSE.len() - 3].to_vec();
        msg[5] -= 3;
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, &msg, &mut sink);
        assert_eq!(sink.malformed, vec![(NAME, 1)]);
        assert_eq!(sink.observations[0].fields.len(), 1);
    }

    #[test]
    fn never_panics() {
        shake(RESPONSE, |m| {
            let _ = framing(m);
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), Side::Server, m, &mut sink);
            decode(&PacketMeta::default(), Side::Unknown, m, &mut sink);
        });
    }
}
