//! LLDP (EtherType 0x88cc): what a device advertises about itself: chassis MAC or address, system name and
//! description, enabled capabilities (as roles: bridge, router, ...) and management addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::octets::{Octets, push, text};
use crate::model::{Field, Mac, PacketMeta, Sink};

pub const NAME: &str = "lldp";

/// The capability bits of IEEE 802.1AB, lowest first.
const CAPABILITIES: [&str; 11] = [
    "other",
    "repeater",
    "bridge",
    "wlan access point",
    "router",
    "telephone",
    "docsis cable device",
    "station",
    "c-vlan component",
    "s-vlan component",
    "two-port mac relay",
];

/// Reads one LLDPDU (the frame's payload after the EtherType).
pub fn decode(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) {
    let mut fields = Vec::new();
    if tlvs(msg, &mut fields).is_none() {
        sink.malformed(NAME);
    }
    sink.observe(NAME, meta, meta.source(), fields);
}

fn tlvs(msg: &[u8], fields: &mut Vec<(Field, String)>) -> Option<()> {
    let mut o = Octets::new(msg);
    loop {
        let head = o.u16be()?;
        let kind = head >> 9;
        let value = o.take(usize::from(head & 0x01FF))?;
        let mut v = Octets::new(value);
        match kind {
            0 => return Some(()),
            1 => match v.u8()? {
                4 => fields.push((Field::DeclaredMac, Mac(v.array::<6>()?).to_string())),
                5 => {
                    if let Some(ip) = address(v.u8()?, v.rest()) {
                        fields.push((Field::DeclaredIp, ip.to_string()));
                    }
                }
                _ => {}
            },
            5 => push(fields, Field::Name, text(value)),
            6 => push(fields, Field::Description, text(value)),
            7 => {
                let _system = v.u16be()?;
                let enabled = v.u16be()?;
                for (bit, name) in CAPABILITIES.iter().enumerate() {
                    if enabled & (1 << bit) != 0 {
                        fields.push((Field::Role, (*name).to_string()));
                    }
                }
            }
            8 => {
                let len = usize::from(v.u8()?);
                let addr = v.take(len)?;
                let mut a = Octets::new(addr);
                let subtype = a.u8()?;
                if subtype == 6 {
                    if let Some(mac) = a.array::<6>() {
                        fields.push((Field::DeclaredMac, Mac(mac).to_string()));
                    }
                } else if let Some(ip) = address(subtype, a.rest()) {
                    fields.push((Field::DeclaredIp, ip.to_string()));
                }
            }
            _ => {}
        }
        if o.is_empty() {
            // No End TLV: tolerated.
            return Some(());
        }
    }
}

/// An IANA address family number (1 IPv4, 2 IPv6) and address bytes as an IP address.
fn address(family: u8, bytes: &[u8]) -> Option<IpAddr> {
    match family {
        1 => <[u8; 4]>::try_from(bytes).ok().map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        2 => <[u8; 16]>::try_from(bytes).ok().map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    /// Chassis MAC, port "1/1", TTL 120, system name "sw-line1", description "SCALANCE X208", capabilities bridge +
    /// router enabled, management address 192.168.0.2, end.
    const PDU: &[u8] = b"\x02\x07\x04\x00\x1b\x1b\x01\x02\x03\
\x04\x04\x051/1\
\x06\x02\x00\x78\
\x0a\x08sw-line1\
\x0c\x0dSCALANCE X208\
\x0e\x04\x00\x14\x00\x14\
\x10\x0c\x05\x01\xc0\xa8\x00\x02\x02\x00\x00\x00\x01\x00\
\x00\x00";

    #[test]
    fn decodes_the_advertisement() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), PDU, &mut sink);
        assert!(sink.malformed.is_empty());
        let v = |f: Field, s: &str| (f, s.to_string());
        assert_eq!(
            sink.observations[0].fields,
            vec![
                v(Field::DeclaredMac, "00:1b:1b:01:02:03"),
                v(Field::Name, "sw-line1"),
                v(Field::Description, "SCALANCE X208"),
                v(Field::Role, "bridge"),
                v(Field::Role, "router"),
                v(Field::DeclaredIp, "192.168.0.2"),
            ]
        );
    }

    #[test]
    fn never_panics() {
        shake(PDU, |m| {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), m, &mut sink);
        });
    }
}
