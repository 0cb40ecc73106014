//! Link, network and transport headers: Ethernet II and 802.3/LLC (SNAP gives an EtherType), 802.1Q and QinQ
//! tags, Linux cooked captures (v1, v2), raw IP; IPv4 (options, fragments), IPv6 (hop-by-hop, routing,
//! fragment, destination options and authentication headers skipped); TCP and UDP. A packet that cannot be
//! read at some layer is reported as malformed at that layer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::capture::{
    LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
    LINKTYPE_NULL, LINKTYPE_RAW,
};
use crate::model::Mac;

/// The layer a packet was malformed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Link,
    Vlan,
    Llc,
    Ipv4,
    Ipv6,
    Tcp,
    Udp,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Vlan => "vlan",
            Layer::Llc => "llc",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
        }
    }
}

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
/// At most this many VLAN tags are read; a frame with more is malformed.
const MAX_TAGS: usize = 4;

/// TCP flag bits.
pub mod tcp_flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const ACK: u8 = 0x10;
}

/// A decoded frame.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    pub src_mac: Option<Mac>,
    pub dst_mac: Option<Mac>,
    /// The innermost VLAN id (the customer tag of a QinQ frame).
    pub vlan: Option<u16>,
    pub net: Net<'a>,
}

/// What a frame carries above the link layer.
#[derive(Clone, Copy, Debug)]
pub enum Net<'a> {
    /// A frame for a layer-2 protocol: its EtherType and payload.
    Ether { ethertype: u16, payload: &'a [u8] },
    /// An 802.3 frame with an LLC header that is not SNAP: its DSAP and the bytes after the LLC header.
    Llc { dsap: u8, payload: &'a [u8] },
    /// An IP packet.
    Ip(Ip<'a>),
}

#[derive(Clone, Copy, Debug)]
pub struct Ip<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// The transport protocol number (after IPv6 extension headers).
    pub protocol: u8,
    /// True for every fragment of a fragmented datagram.
    pub fragment: bool,
    pub transport: Transport<'a>,
}

#[derive(Clone, Copy, Debug)]
pub enum Transport<'a> {
    Tcp(Tcp<'a>),
    Udp {
        src_port: u16,
        dst_port: u16,
        payload: &'a [u8],
    },
    /// A non-first fragment: no transport header.
    LaterFragment,
    /// Another protocol (ICMP, ...), its bytes.
    Other(&'a [u8]),
}

#[derive(Clone, Copy, Debug)]
pub struct Tcp<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload: &'a [u8],
}

#[inline]
fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

#[inline]
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?]))
}

#[inline]
fn mac(b: &[u8], at: usize) -> Option<Mac> {
    let s = b.get(at..at + 6)?;
    let mut m = [0u8; 6];
    m.copy_from_slice(s);
    Some(Mac(m))
}

/// Decode a packet of `link_type` (one of [`crate::capture::link_type_supported`]).
#[inline]
pub fn decode(link_type: u32, data: &[u8]) -> Result<Frame<'_>, Layer> {
    match link_type {
        LINKTYPE_ETHERNET => ethernet(data),
        LINKTYPE_LINUX_SLL => {
            // packet type u16, ARPHRD u16, address length u16, address [8], protocol u16.
            let hatype = be16(data, 2).ok_or(Layer::Link)?;
            let alen = be16(data, 4).ok_or(Layer::Link)?;
            let protocol = be16(data, 14).ok_or(Layer::Link)?;
            let src_mac = if hatype == 1 && alen == 6 { mac(data, 6) } else { None };
            let payload = data.get(16..).ok_or(Layer::Link)?;
            cooked(src_mac, protocol, payload)
        }
        LINKTYPE_LINUX_SLL2 => {
            // protocol u16, reserved u16, interface index u32, ARPHRD u16, packet type u8, address length u8,
            // address [8].
            let protocol = be16(data, 0).ok_or(Layer::Link)?;
            let hatype = be16(data, 8).ok_or(Layer::Link)?;
            let alen = *data.get(11).ok_or(Layer::Link)?;
            let src_mac = if hatype == 1 && alen == 6 { mac(data, 12) } else { None };
            let payload = data.get(20..).ok_or(Layer::Link)?;
            cooked(src_mac, protocol, payload)
        }
        LINKTYPE_RAW => match data.first().map(|b| b >> 4) {
            Some(4) => Ok(Frame { src_mac: None, dst_mac: None, vlan: None, net: Net::Ip(ipv4(data)?) }),
            Some(6) => Ok(Frame { src_mac: None, dst_mac: None, vlan: None, net: Net::Ip(ipv6(data)?) }),
            _ => Err(Layer::Link),
        },
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            // The address family: 2 is IPv4 everywhere; IPv6 is 10, 24, 28 or 30 depending on the OS. Either
            // byte order (LINKTYPE_NULL is written in the capturing host's).
            let family: [u8; 4] = data.get(..4).and_then(|b| b.try_into().ok()).ok_or(Layer::Link)?;
            let family = u32::from_le_bytes(family).min(u32::from_be_bytes(family));
            let payload = data.get(4..).ok_or(Layer::Link)?;
            let ip = match family {
                2 => ipv4(payload)?,
                10 | 24 | 28 | 30 => ipv6(payload)?,
                _ => return Err(Layer::Link),
            };
            Ok(Frame { src_mac: None, dst_mac: None, vlan: None, net: Net::Ip(ip) })
        }
        LINKTYPE_IPV4 => Ok(Frame { src_mac: None, dst_mac: None, vlan: None, net: Net::Ip(ipv4(data)?) }),
        LINKTYPE_IPV6 => Ok(Frame { src_mac: None, dst_mac: None, vlan: None, net: Net::Ip(ipv6(data)?) }),
        _ => Err(Layer::Link),
    }
}

/// A Linux cooked capture's payload: `protocol` is an EtherType, or 0x0004 for an 802.2 LLC frame.
fn cooked(src_mac: Option<Mac>, protocol: u16, payload: &[u8]) -> Result<Frame<'_>, Layer> {
    let (vlan, net) = match protocol {
        0x0004 => (None, llc(payload)?),
        0x0001 | 0x0002 | 0x0003 | 0x0005..=0x05ff => return Err(Layer::Link),
        t => above_ethertype(t, payload)?,
    };
    Ok(Frame { src_mac, dst_mac: None, vlan, net })
}

#[inline]
fn ethernet(data: &[u8]) -> Result<Frame<'_>, Layer> {
    let dst_mac = mac(data, 0).ok_or(Layer::Link)?;
    let src_mac = mac(data, 6).ok_or(Layer::Link)?;
    let ethertype = be16(data, 12).ok_or(Layer::Link)?;
    let payload = data.get(14..).ok_or(Layer::Link)?;
    let (vlan, net) = if ethertype <= 1500 {
        // 802.3 length: trim the padding, then the LLC header.
        let payload = payload.get(..usize::from(ethertype)).unwrap_or(payload);
        (None, llc(payload)?)
    } else {
        above_ethertype(ethertype, payload)?
    };
    Ok(Frame { src_mac: Some(src_mac), dst_mac: Some(dst_mac), vlan, net })
}

/// Past the MAC addresses: VLAN tags, then the network layer.
#[inline]
fn above_ethertype(mut ethertype: u16, mut payload: &[u8]) -> Result<(Option<u16>, Net<'_>), Layer> {
    let mut vlan = None;
    let mut tags = 0;
    while matches!(ethertype, ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD) {
        tags += 1;
        if tags > MAX_TAGS {
            return Err(Layer::Vlan);
        }
        let tci = be16(payload, 0).ok_or(Layer::Vlan)?;
        ethertype = be16(payload, 2).ok_or(Layer::Vlan)?;
        payload = payload.get(4..).ok_or(Layer::Vlan)?;
        vlan = Some(tci & 0x0fff);
        if ethertype <= 1500 {
            let payload = payload.get(..usize::from(ethertype)).unwrap_or(payload);
            return Ok((vlan, llc(payload)?));
        }
    }
    let net = match ethertype {
        ETHERTYPE_IPV4 => Net::Ip(ipv4(payload)?),
        ETHERTYPE_IPV6 => Net::Ip(ipv6(payload)?),
        _ => Net::Ether { ethertype, payload },
    };
    Ok((vlan, net))
}

/// An 802.2 LLC header: SNAP (AA AA 03, OUI, EtherType) continues as that EtherType; others are reported by DSAP.
fn llc(payload: &[u8]) -> Result<Net<'_>, Layer> {
    let dsap = *payload.first().ok_or(Layer::Llc)?;
    let ssap = *payload.get(1).ok_or(Layer::Llc)?;
    let control = *payload.get(2).ok_or(Layer::Llc)?;
    // Control: 1 byte for U frames (low bits 11), 2 bytes for I and S frames.
    let header = if control & 0x03 == 0x03 { 3 } else { 4 };
    if dsap == 0xaa && ssap == 0xaa && control == 0x03 {
        let ethertype = be16(payload, 6).ok_or(Layer::Llc)?;
        let rest = payload.get(8..).ok_or(Layer::Llc)?;
        if ethertype <= 1500 {
            return Err(Layer::Llc);
        }
        return Ok(above_ethertype(ethertype, rest)?.1);
    }
    let rest = payload.get(header..).ok_or(Layer::Llc)?;
    Ok(Net::Llc { dsap, payload: rest })
}

#[inline]
fn ipv4(data: &[u8]) -> Result<Ip<'_>, Layer> {
    let first = *data.first().ok_or(Layer::Ipv4)?;
    if first >> 4 != 4 {
        return Err(Layer::Ipv4);
    }
    let ihl = usize::from(first & 0x0f) * 4;
    let total = usize::from(be16(data, 2).ok_or(Layer::Ipv4)?);
    if ihl < 20 || total < ihl || data.len() < ihl {
        return Err(Layer::Ipv4);
    }
    let frag = be16(data, 6).ok_or(Layer::Ipv4)?;
    let more_fragments = frag & 0x2000 != 0;
    let offset = frag & 0x1fff;
    let protocol = *data.get(9).ok_or(Layer::Ipv4)?;
    let src = IpAddr::V4(Ipv4Addr::from(be32(data, 12).ok_or(Layer::Ipv4)?));
    let dst = IpAddr::V4(Ipv4Addr::from(be32(data, 16).ok_or(Layer::Ipv4)?));
    // Ethernet padding past the total length is dropped; a packet cut by the snapshot length keeps what it has.
    let payload = data.get(ihl..total.min(data.len())).unwrap_or(&[]);
    let transport = if offset > 0 { Transport::LaterFragment } else { transport(protocol, payload)? };
    Ok(Ip { src, dst, protocol, fragment: more_fragments || offset > 0, transport })
}

fn ipv6(data: &[u8]) -> Result<Ip<'_>, Layer> {
    let first = *data.first().ok_or(Layer::Ipv6)?;
    if first >> 4 != 6 || data.len() < 40 {
        return Err(Layer::Ipv6);
    }
    let plen = usize::from(be16(data, 4).ok_or(Layer::Ipv6)?);
    let mut next = *data.get(6).ok_or(Layer::Ipv6)?;
    let mut s = [0u8; 16];
    s.copy_from_slice(data.get(8..24).ok_or(Layer::Ipv6)?);
    let mut d = [0u8; 16];
    d.copy_from_slice(data.get(24..40).ok_or(Layer::Ipv6)?);
    let src = IpAddr::V6(Ipv6Addr::from(s));
    let dst = IpAddr::V6(Ipv6Addr::from(d));
    // Payload length 0 is a jumbogram (or a packet with only extension headers): take what was captured.
    let end = if plen == 0 { data.len() } else { (40 + plen).min(data.len()) };
    let mut rest = data.get(40..end).unwrap_or(&[]);
    let mut fragment = false;
    let mut later = false;
    for _ in 0..16 {
        match next {
            // Hop-by-hop, routing, destination options: (length + 1) × 8 bytes.
            0 | 43 | 60 => {
                let n = *rest.first().ok_or(Layer::Ipv6)?;
                let len = (usize::from(*rest.get(1).ok_or(Layer::Ipv6)?) + 1) * 8;
                rest = rest.get(len..).ok_or(Layer::Ipv6)?;
                next = n;
            }
            // Fragment: 8 bytes, offset in the top 13 bits of bytes 2-3.
            44 => {
                let n = *rest.first().ok_or(Layer::Ipv6)?;
                let off = be16(rest, 2).ok_or(Layer::Ipv6)?;
                fragment = true;
                later = off >> 3 != 0;
                rest = rest.get(8..).ok_or(Layer::Ipv6)?;
                next = n;
                if later {
                    break;
                }
            }
            // Authentication header: (length + 2) × 4 bytes.
            51 => {
                let n = *rest.first().ok_or(Layer::Ipv6)?;
                let len = (usize::from(*rest.get(1).ok_or(Layer::Ipv6)?) + 2) * 4;
                rest = rest.get(len..).ok_or(Layer::Ipv6)?;
                next = n;
            }
            _ => break,
        }
    }
    if matches!(next, 0 | 43 | 60 | 51) && !later {
        return Err(Layer::Ipv6);
    }
    let transport = if later { Transport::LaterFragment } else { transport(next, rest)? };
    Ok(Ip { src, dst, protocol: next, fragment, transport })
}

#[inline]
fn transport(protocol: u8, b: &[u8]) -> Result<Transport<'_>, Layer> {
    match protocol {
        6 => {
            let src_port = be16(b, 0).ok_or(Layer::Tcp)?;
            let dst_port = be16(b, 2).ok_or(Layer::Tcp)?;
            let seq = be32(b, 4).ok_or(Layer::Tcp)?;
            let ack = be32(b, 8).ok_or(Layer::Tcp)?;
            let off = usize::from(*b.get(12).ok_or(Layer::Tcp)? >> 4) * 4;
            let flags = *b.get(13).ok_or(Layer::Tcp)?;
            if off < 20 {
                return Err(Layer::Tcp);
            }
            let payload = b.get(off..).ok_or(Layer::Tcp)?;
            Ok(Transport::Tcp(Tcp { src_port, dst_port, seq, ack, flags, payload }))
        }
        17 => {
            let src_port = be16(b, 0).ok_or(Layer::Udp)?;
            let dst_port = be16(b, 2).ok_or(Layer::Udp)?;
            let len = usize::from(be16(b, 4).ok_or(Layer::Udp)?);
            if len < 8 {
                return Err(Layer::Udp);
            }
            let payload = b.get(8..len.min(b.len())).unwrap_or(&[]);
            Ok(Transport::Udp { src_port, dst_port, payload })
        }
        _ => Ok(Transport::Other(b)),
    }
}
