//! DHCP (UDP 67/68): clients by hardware address, with the host name (option 12), vendor class (option 60) and
//! the address they request or are assigned; servers by role ("dhcp server", named by option 54 when a relay
//! agent sends the answer).

use std::net::{IpAddr, Ipv4Addr};

use super::octets::{Octets, push, text};
use crate::model::{DeviceKey, Field, Mac, PacketMeta, Side, Sink};

pub const NAME: &str = "dhcp";

const MAGIC: u32 = 0x6382_5363;
const BOOTREQUEST: u8 = 1;
const BOOTREPLY: u8 = 2;
const REQUEST: u8 = 3;
const ACK: u8 = 5;

/// Reads one DHCP (or BOOTP) message.
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    if message(meta, msg, sink).is_none() {
        sink.malformed(NAME);
    }
}

#[derive(Default)]
struct Options<'a> {
    message_type: Option<u8>,
    hostname: Option<&'a [u8]>,
    vendor_class: Option<&'a [u8]>,
    requested_ip: Option<Ipv4Addr>,
    server_id: Option<Ipv4Addr>,
}

fn message(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) -> Option<()> {
    let mut o = Octets::new(msg);
    let op = o.u8()?;
    let htype = o.u8()?;
    let hlen = o.u8()?;
    let _hops = o.u8()?;
    let _xid = o.u32be()?;
    let _secs = o.u16be()?;
    let _flags = o.u16be()?;
    let ciaddr = Ipv4Addr::from(o.array::<4>()?);
    let yiaddr = Ipv4Addr::from(o.array::<4>()?);
    let _siaddr = o.array::<4>()?;
    let _giaddr = o.array::<4>()?;
    let chaddr = o.array::<16>()?;
    o.skip(64 + 128)?;
    let options = if o.remaining() >= 4 && o.u32be()? == MAGIC { options(&mut o)? } else { Options::default() };

    // Only Ethernet hardware addresses name a device here.
    let mac = match (htype, hlen, chaddr.get(..6).and_then(|m| <[u8; 6]>::try_from(m).ok())) {
        (1, 6, Some(m)) if m != [0; 6] => Some(Mac(m)),
        _ => None,
    };
    let ip = |a: Ipv4Addr| (!a.is_unspecified()).then_some(IpAddr::V4(a));
    match op {
        BOOTREQUEST => {
            let mut fields = vec![(Field::Role, "dhcp client".to_string())];
            if let Some(m) = mac {
                fields.push((Field::DeclaredMac, m.to_string()));
            }
            push(&mut fields, Field::Hostname, options.hostname.map(text).unwrap_or_default());
            push(&mut fields, Field::DeviceType, options.vendor_class.map(text).unwrap_or_default());
            let declared = ip(ciaddr)
                .or_else(|| options.requested_ip.filter(|_| options.message_type == Some(REQUEST)).and_then(ip));
            if let Some(a) = declared {
                fields.push((Field::DeclaredIp, a.to_string()));
            }
            // The client is known by its hardware address (a relay agent may have sent the message).
            sink.observe(NAME, meta, DeviceKey { ip: ip(ciaddr), mac: mac.or(meta.src_mac) }, fields);
        }
        BOOTREPLY => {
            let server = match options.server_id.and_then(ip) {
                Some(id) if Some(id) != meta.src_ip => DeviceKey { ip: Some(id), mac: None },
                _ => meta.source(),
            };
            sink.observe(NAME, meta, server, vec![(Field::Role, "dhcp server".to_string())]);
            if options.message_type == Some(ACK)
                && let (Some(m), Some(a)) = (mac, ip(yiaddr))
            {
                let fields = vec![(Field::DeclaredMac, m.to_string()), (Field::DeclaredIp, a.to_string())];
                sink.observe(NAME, meta, DeviceKey { ip: Some(a), mac: Some(m) }, fields);
            }
        }
        _ => {}
    }
    Some(())
}

fn options<'a>(o: &mut Octets<'a>) -> Option<Options<'a>> {
    let mut out = Options::default();
    while let Some(code) = o.u8() {
        match code {
            0 => continue,
            255 => break,
            _ => {}
        }
        let len = o.u8()?;
        let value = o.take(usize::from(len))?;
        let v4 = || <[u8; 4]>::try_from(value).ok().map(Ipv4Addr::from);
        match code {
            12 => out.hostname = Some(value),
            50 => out.requested_ip = v4(),
            53 => out.message_type = value.first().copied(),
            54 => out.server_id = v4(),
            60 => out.vendor_class = Some(value),
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::octets::testing::shake;

    fn bootp(op: u8, ciaddr: [u8; 4], yiaddr: [u8; 4], mac: [u8; 6], options: &[u8]) -> Vec<u8> {
        let mut m = vec![op, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0];
        m.extend(ciaddr);
        m.extend(yiaddr);
        m.extend([0; 8]);
        m.extend(mac);
        m.extend([0; 10 + 64 + 128]);
        m.extend(MAGIC.to_be_bytes());
        m.extend(options);
        m
    }

    const MAC: [u8; 6] = [0x00, 0x1b, 0x1b, 0x23, 0xeb, 0x3b];

    fn request() -> Vec<u8> {
        bootp(1, [0; 4], [0; 4], MAC, b"\x35\x01\x03\x32\x04\xc0\xa8\x00\x0a\x0c\x05hmi-1\x3c\x08MSFT 5.0\xff")
    }

    #[test]
    fn decodes_a_request() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, &request(), &mut sink);
        let v = |f: Field, s: &str| (f, s.to_string());
        assert_eq!(
            sink.observations[0].fields,
            vec![
                v(Field::Role, "dhcp client"),
                v(Field::DeclaredMac, "00:1b:1b:23:eb:3b"),
                v(Field::Hostname, "hmi-1"),
                v(Field::DeviceType, "MSFT 5.0"),
                v(Field::DeclaredIp, "192.168.0.10"),
            ]
        );
    }

    #[test]
    fn decodes_an_ack() {
        let ack = bootp(2, [0; 4], [192, 168, 0, 10], MAC, b"\x35\x01\x05\x36\x04\xc0\xa8\x00\x01\xff");
        let meta = PacketMeta { src_ip: Some("192.168.0.1".parse().unwrap()), ..PacketMeta::default() };
        let mut sink = Sink::default();
        decode(&meta, Side::Server, &ack, &mut sink);
        assert_eq!(sink.observations.len(), 2);
        assert_eq!(sink.observations[0].device.ip, meta.src_ip);
        assert_eq!(sink.observations[0].fields, vec![(Field::Role, "dhcp server".into())]);
        assert_eq!(sink.observations[1].device.ip, Some("192.168.0.10".parse().unwrap()));
        assert_eq!(
            sink.observations[1].fields,
            vec![(Field::DeclaredMac, "00:1b:1b:23:eb:3b".into()), (Field::DeclaredIp, "192.168.0.10".into())]
        );
    }

    #[test]
    fn never_panics() {
        shake(&request(), |m| {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), Side::Unknown, m, &mut sink);
        });
    }
}
