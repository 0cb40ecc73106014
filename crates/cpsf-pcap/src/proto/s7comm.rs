//! Siemens S7 communication on ISO-on-TCP (port 102): TPKT framing, COTP data units, each side's role (S7comm
//! and S7comm-plus), and the identity in read-SZL answers: module identification (SZL 0x..11: order number,
//! hardware and firmware versions) and component identification (SZL 0x..1C: names, plant id, serial number).

use super::octets::{Octets, push, text};
use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "s7comm";

const TPKT_VERSION: u8 = 3;
const COTP_DT: u8 = 0xF0;
const S7COMM: u8 = 0x32;
const S7COMM_PLUS: u8 = 0x72;
const ROSCTR_USERDATA: u8 = 7;

/// How long the next TPKT packet in a stream is (its header's length counts itself).
pub fn framing(buf: &[u8]) -> Framing {
    let mut o = Octets::new(buf);
    let (Some(version), Some(_reserved), Some(len)) = (o.u8(), o.u8(), o.u16be()) else {
        return Framing::NeedMore;
    };
    // The smallest TPKT carries a 3-byte COTP header.
    if version != TPKT_VERSION || len < 7 {
        return Framing::NotThisProtocol;
    }
    Framing::Message(usize::from(len))
}

/// Records the sender's role for S7comm and S7comm-plus data, and the identity in read-SZL answers.
pub fn decode(meta: &PacketMeta, side: Side, msg: &[u8], sink: &mut Sink) {
    let mut o = Octets::new(msg);
    let (Some(TPKT_VERSION), Some(_), Some(_len), Some(li)) = (o.u8(), o.u8(), o.u16be(), o.u8()) else {
        sink.malformed(NAME);
        return;
    };
    let Some(cotp) = o.take(usize::from(li)) else {
        sink.malformed(NAME);
        return;
    };
    // Only data units carry S7 messages (connection request/confirm and the rest carry none).
    if cotp.first().map(|t| t & 0xF0) != Some(COTP_DT) {
        return;
    }
    let payload = o.rest();
    let protocol = match payload.first() {
        Some(&S7COMM) => "s7comm",
        Some(&S7COMM_PLUS) => "s7comm-plus",
        _ => return,
    };
    let mut fields = Vec::new();
    match side {
        Side::Server => fields.push((Field::Role, format!("{protocol} server"))),
        Side::Client => fields.push((Field::Role, format!("{protocol} client"))),
        Side::Unknown => {}
    }
    if protocol == "s7comm" {
        match szl_answer(payload) {
            Some(identity) => fields.extend(identity),
            None => sink.malformed(NAME),
        }
    }
    sink.observe(NAME, meta, meta.source(), fields);
}

/// The identity in an S7comm read-SZL answer; `Some(empty)` for any other S7comm message, `None` when the message
/// is cut short before its SZL header.
fn szl_answer(pdu: &[u8]) -> Option<Vec<(Field, String)>> {
    let mut o = Octets::new(pdu);
    let _protocol = o.u8()?;
    if o.u8()? != ROSCTR_USERDATA {
        return Some(Vec::new());
    }
    let _reserved = o.u16be()?;
    let _pdu_ref = o.u16be()?;
    let param_len = o.u16be()?;
    let data_len = o.u16be()?;
    let param = o.take(usize::from(param_len))?;
    // Parameter: 3-byte head, length, method, type (high nibble) + function group (low nibble), subfunction, ...
    let mut p = Octets::new(param);
    p.skip(4)?;
    let _method = p.u8()?;
    let type_group = p.u8()?;
    let subfunction = p.u8()?;
    // A response (type 8) of the CPU functions group (4), read SZL (1).
    if type_group != 0x84 || subfunction != 1 {
        return Some(Vec::new());
    }
    // When the answer is split, later data units go on where the first stopped: only the first has the SZL header,
    // so it is the one read; a continuation fails the record-length check below and gives nothing.
    let data = o.take(usize::from(data_len)).unwrap_or_else(|| o.rest());
    let mut d = Octets::new(data);
    let return_code = d.u8()?;
    let _transport_size = d.u8()?;
    let _len = d.u16be()?;
    if return_code != 0xFF {
        return Some(Vec::new());
    }
    let szl_id = d.u16be()?;
    let _index = d.u16be()?;
    let record_len = usize::from(d.u16be()?);
    let count = d.u16be()?;
    let mut fields = Vec::new();
    match (szl_id & 0xFF, record_len) {
        (0x11, 28) => module_identification(&mut d, count, &mut fields),
        (0x1C, 34) => component_identification(&mut d, count, &mut fields),
        _ => {}
    }
    Some(fields)
}

/// SZL 0x..11 records (28 bytes): index, MLFB (20 chars), module type id, Ausbg, Ausbe.
fn module_identification(d: &mut Octets<'_>, count: u16, fields: &mut Vec<(Field, String)>) {
    let mut basic_hardware = None;
    let mut have_module = false;
    for _ in 0..count {
        let Some(record) = d.take(28) else { break };
        let mut r = Octets::new(record);
        let (Some(index), Some(mlfb), Some(_bgtyp), Some(ausbg), Some(ausbe)) =
            (r.u16be(), r.take(20), r.u16be(), r.u16be(), r.u16be())
        else {
            break;
        };
        match index {
            // The module itself: its order number and hardware version.
            0x0001 => {
                have_module = true;
                push(fields, Field::OrderNumber, text(mlfb));
                fields.push((Field::HardwareVersion, version(ausbg, ausbe)));
            }
            // The basic hardware: used when the module record is missing.
            0x0006 => basic_hardware = Some((text(mlfb), version(ausbg, ausbe))),
            // The basic firmware (operating system).
            0x0007 => fields.push((Field::FirmwareVersion, version(ausbg, ausbe))),
            _ => {}
        }
    }
    if let (false, Some((mlfb, hw))) = (have_module, basic_hardware) {
        push(fields, Field::OrderNumber, mlfb);
        fields.push((Field::HardwareVersion, hw));
    }
}

/// A module version: `V x.y.z` when Ausbg's high byte is the letter 'V' (firmware records: x in Ausbg's low byte, y
/// and z in Ausbe's bytes), otherwise Ausbg as a number (the module's product version).
fn version(ausbg: u16, ausbe: u16) -> String {
    let [hi, lo] = ausbg.to_be_bytes();
    let [y, z] = ausbe.to_be_bytes();
    if hi == b'V' { format!("V{lo}.{y}.{z}") } else { ausbg.to_string() }
}

/// SZL 0x..1C records (34 bytes): index, then text (or ids for index 9).
fn component_identification(d: &mut Octets<'_>, count: u16, fields: &mut Vec<(Field, String)>) {
    for _ in 0..count {
        let Some(record) = d.take(34) else { break };
        let mut r = Octets::new(record);
        let Some(index) = r.u16be() else { break };
        let body = r.rest();
        // Each text has its own width; the bytes after it are reserved.
        let (field, width) = match index {
            0x0001 => (Field::Name, 24),
            0x0003 => (Field::PlantId, 32),
            // The copyright entry ("Original Siemens Equipment").
            0x0004 => (Field::Description, 26),
            0x0005 => (Field::SerialNumber, 24),
            0x0007 => (Field::ProductName, 32),
            0x000B => (Field::Location, 32),
            0x0009 => {
                // Manufacturer id (PROFIBUS/PROFINET vendor registry), profile id, profile type.
                if let Some(id) = Octets::new(body).u16be().filter(|&id| id != 0) {
                    fields.push((Field::VendorId, format!("0x{id:04x}")));
                }
                continue;
            }
            _ => continue,
        };
        let value = body.get(..width).unwrap_or(body);
        let value = value.split(|&b| b == 0).next().unwrap_or(&[]);
        push(fields, field, text(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    fn tpkt(s7: &[u8]) -> Vec<u8> {
        let len = (s7.len() + 7) as u16;
        let mut m = vec![3, 0];
        m.extend(len.to_be_bytes());
        m.extend([2, 0xF0, 0x80]);
        m.extend(s7);
        m
    }

    fn szl_answer_pdu(szl_id: u16, record_len: u16, records: &[Vec<u8>]) -> Vec<u8> {
        let mut data = vec![0xFF, 0x09];
        let body_len = 8 + records.iter().map(Vec::len).sum::<usize>();
        data.extend((body_len as u16).to_be_bytes());
        data.extend(szl_id.to_be_bytes());
        data.extend(0u16.to_be_bytes());
        data.extend(record_len.to_be_bytes());
        data.extend((records.len() as u16).to_be_bytes());
        for r in records {
            data.extend(r);
        }
        let param = [0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
        let mut s7 = vec![0x32, 7, 0, 0, 1, 0];
        s7.extend((param.len() as u16).to_be_bytes());
        s7.extend((data.len() as u16).to_be_bytes());
        s7.extend(param);
        s7.extend(data);
        tpkt(&s7)
    }

    fn module_record(index: u16, mlfb: &str, ausbg: u16, ausbe: u16) -> Vec<u8> {
        let mut r = index.to_be_bytes().to_vec();
        let mut m = mlfb.as_bytes().to_vec();
        m.resize(20, b' ');
        r.extend(m);
        r.extend([0x00, 0xC0]);
        r.extend(ausbg.to_be_bytes());
        r.extend(ausbe.to_be_bytes());
        r
    }

    fn component_record(index: u16, s: &[u8]) -> Vec<u8> {
        let mut r = index.to_be_bytes().to_vec();
        let mut m = s.to_vec();
        m.resize(32, 0);
        r.extend(m);
        r
    }

    fn module_answer() -> Vec<u8> {
        szl_answer_pdu(
            0x0011,
            28,
            &[
                module_record(1, "6ES7 315-2EH14-0AB0", 4, 1),
                module_record(6, "6ES7 315-2EH14-0AB0", 4, 1),
                module_record(7, "", 22019, 518),
                module_record(0x81, "Boot Loader", 16672, 2313),
            ],
        )
    }

    fn fields_of(msg: &[u8]) -> Vec<(Field, String)> {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, msg, &mut sink);
        assert!(sink.malformed.is_empty());
        sink.observations.into_iter().flat_map(|o| o.fields).collect()
    }

    #[test]
    fn framing_uses_the_tpkt_length() {
        let m = module_answer();
        assert_eq!(framing(&m[..3]), Framing::NeedMore);
        assert_eq!(framing(&m), Framing::Message(m.len()));
        assert_eq!(framing(b"\x04\x00\x00\x10"), Framing::NotThisProtocol);
        assert_eq!(framing(b"\x03\x00\x00\x03"), Framing::NotThisProtocol);
    }

    #[test]
    fn decodes_module_identification() {
        assert_eq!(
            fields_of(&module_answer()),
            vec![
                (Field::Role, "s7comm server".to_string()),
                (Field::OrderNumber, "6ES7 315-2EH14-0AB0".to_string()),
                (Field::HardwareVersion, "4".to_string()),
                (Field::FirmwareVersion, "V3.2.6".to_string()),
            ]
        );
    }

    #[test]
    fn decodes_component_identification() {
        let m = szl_answer_pdu(
            0x001C,
            34,
            &[
                component_record(1, b"SNAP7-SERVER"),
                component_record(2, b"CPU 315-2 PN/DP"),
                component_record(3, b""),
                component_record(4, b"Original Siemens Equipment"),
                component_record(5, b"S C-C2UR28922012"),
                component_record(7, b"CPU 315-2 PN/DP"),
                component_record(9, b"\x00\x2a\xf6\x00"),
            ],
        );
        assert_eq!(
            fields_of(&m),
            vec![
                (Field::Role, "s7comm server".to_string()),
                (Field::Name, "SNAP7-SERVER".to_string()),
                (Field::Description, "Original Siemens Equipment".to_string()),
                (Field::SerialNumber, "S C-C2UR28922012".to_string()),
                (Field::ProductName, "CPU 315-2 PN/DP".to_string()),
                (Field::VendorId, "0x002a".to_string()),
            ]
        );
    }

    #[test]
    fn s7comm_plus_gives_a_role() {
        let m = tpkt(&[0x72, 0x01, 0x00, 0x10]);
        assert_eq!(fields_of(&m), vec![(Field::Role, "s7comm-plus server".to_string())]);
        // A connection request (COTP CR) gives nothing.
        assert!(fields_of(b"\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x01\x00").is_empty());
    }

    #[test]
    fn a_split_answer_gives_the_records_of_its_first_part() {
        let mut m = module_answer();
        m.truncate(m.len() - 28 * 2 - 5);
        let f = fields_of(&m);
        assert_eq!(f.len(), 3, "{f:?}");
    }

    #[test]
    fn never_panics() {
        let m = module_answer();
        shake(&m, |x| {
            let _ = framing(x);
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), Side::Server, x, &mut sink);
        });
    }
}
