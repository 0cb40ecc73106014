//! PROFINET DCP (EtherType 0x8892, frame ids 0xFEFC-0xFEFF): the identity a device states about itself in Identify
//! responses, Hello requests and Get responses: name of station, type of station, vendor and device id, device
//! role, IP address and MAC address. Requests (Identify, Get, Set) name who they look for and are not read;
//! cyclic real-time frames on the same EtherType are not DCP and are ignored.

use std::net::Ipv4Addr;

use super::octets::{Octets, push, text};
use crate::model::{Field, Mac, PacketMeta, Sink};

pub const NAME: &str = "pn-dcp";

const HELLO: u16 = 0xFEFC;
const GET_SET: u16 = 0xFEFD;
const IDENTIFY_RESPONSE: u16 = 0xFEFF;

const SERVICE_GET: u8 = 3;
const SERVICE_IDENTIFY: u8 = 5;
const SERVICE_HELLO: u8 = 6;

/// Reads one frame's payload (after the EtherType).
pub fn decode(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) {
    let mut o = Octets::new(msg);
    let Some(frame_id) = o.u16be() else { return };
    if !(HELLO..=IDENTIFY_RESPONSE).contains(&frame_id) {
        return;
    }
    let (Some(service), Some(service_type), Some(_xid), Some(_delay), Some(len)) =
        (o.u8(), o.u8(), o.u32be(), o.u16be(), o.u16be())
    else {
        sink.malformed(NAME);
        return;
    };
    let response_ok = service_type & 0x07 == 1;
    let states_itself = match (frame_id, service) {
        (IDENTIFY_RESPONSE, SERVICE_IDENTIFY) | (GET_SET, SERVICE_GET) => response_ok,
        (HELLO, SERVICE_HELLO) => true,
        _ => false,
    };
    if !states_itself {
        return;
    }
    // The data length bounds the blocks; Ethernet padding may follow.
    let (blocks, cut) = match o.take(usize::from(len)) {
        Some(b) => (b, false),
        None => (o.rest(), true),
    };
    let mut fields = Vec::new();
    if blocks_fields(blocks, &mut fields).is_none() || cut {
        sink.malformed(NAME);
    }
    sink.observe(NAME, meta, meta.source(), fields);
}

/// Reads blocks into `fields`, up to the first one that is cut short (`None` then).
fn blocks_fields(blocks: &[u8], fields: &mut Vec<(Field, String)>) -> Option<()> {
    let mut o = Octets::new(blocks);
    while !o.is_empty() {
        let option = o.u8()?;
        let suboption = o.u8()?;
        let len = usize::from(o.u16be()?);
        let block = o.take(len)?;
        if len % 2 == 1 && !o.is_empty() {
            o.skip(1)?;
        }
        block_fields(option, suboption, block, fields);
    }
    Some(())
}

fn block_fields(option: u8, suboption: u8, block: &[u8], fields: &mut Vec<(Field, String)>) {
    let mut b = Octets::new(block);
    // Blocks in answers start with a 2-byte BlockInfo (the control option's answer has none and is not read).
    let Some(_info) = b.u16be() else { return };
    match (option, suboption) {
        (1, 1) => {
            if let Some(mac) = b.array::<6>() {
                fields.push((Field::DeclaredMac, Mac(mac).to_string()));
            }
        }
        (1, 2) | (1, 3) => {
            if let Some(ip) = b.array::<4>().map(Ipv4Addr::from).filter(|ip| !ip.is_unspecified()) {
                fields.push((Field::DeclaredIp, ip.to_string()));
            }
        }
        // Type of station (device vendor value), e.g. "S7-300" or "SCALANCE X-200".
        (2, 1) => push(fields, Field::ProductName, text(b.rest())),
        (2, 2) => push(fields, Field::Name, text(b.rest())),
        (2, 3) => {
            if let (Some(vendor), Some(device)) = (b.u16be(), b.u16be()) {
                fields.push((Field::VendorId, format!("0x{vendor:04x}")));
                fields.push((Field::ProductCode, format!("0x{device:04x}")));
            }
        }
        (2, 4) => {
            if let Some(role) = b.u8() {
                for (bit, name) in [
                    (0x01, "profinet io-device"),
                    (0x02, "profinet io-controller"),
                    (0x04, "profinet io-multidevice"),
                    (0x08, "profinet supervisor"),
                ] {
                    if role & bit != 0 {
                        fields.push((Field::Role, name.to_string()));
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// An Identify response: type of station "S7-300", name "plc-1", device id 0x002a/0x0101, role IO-Controller,
    /// IP 192.168.0.1/24, MAC 00:1b:1b:23:eb:3b.
    const IDENTIFY: &[u8] = b"\xfe\xff\x05\x01\x00\x00\x00\x01\x00\x00\x00\x3c\
\x02\x01\x00\x08\x00\x00S7-300\
\x02\x02\x00\x07\x00\x00plc-1\x00\
\x02\x03\x00\x06\x00\x00\x00\x2a\x01\x01\
\x02\x04\x00\x04\x00\x00\x02\x00\
\x01\x02\x00\x0e\x00\x01\xc0\xa8\x00\x01\xff\xff\xff\x00\x00\x00\x00\x00";

    fn fields(msg: &[u8]) -> Vec<(Field, String)> {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), msg, &mut sink);
        assert!(sink.malformed.is_empty());
        sink.observations.into_iter().flat_map(|o| o.fields).collect()
    }

    fn f(field: Field, v: &str) -> (Field, String) {
        (field, v.to_string())
    }

    #[test]
    fn decodes_identify_response() {
        assert_eq!(
            fields(IDENTIFY),
            vec![
                f(Field::ProductName, "S7-300"),
                f(Field::Name, "plc-1"),
                f(Field::VendorId, "0x002a"),
                f(Field::ProductCode, "0x0101"),
                f(Field::Role, "profinet io-controller"),
                f(Field::DeclaredIp, "192.168.0.1"),
            ]
        );
    }

    #[test]
    fn requests_and_cyclic_frames_are_not_read() {
        // Identify request with a name-of-station filter (as in PROFINET-RT.pcap).
        assert!(fields(b"\xfe\xfe\x05\x00\x03\x00\xbf\x9a\x00\x01\x00\x0b\x02\x02\x00\x07switch3\x00").is_empty());
        assert!(fields(b"\x80\x00\x01\x02\x03\x04").is_empty());
    }

    #[test]
    fn never_panics() {
        shake(IDENTIFY, |m| {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), m, &mut sink);
        });
    }
}
