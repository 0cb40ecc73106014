//! Writing captures: classic pcap (either byte order, micro- or nanosecond timestamps) and pcapng (either byte
//! order, interfaces with their timestamp resolution, enhanced, simple and obsolete packet blocks, and any
//! other block), and [`frame`] builders for Ethernet, VLAN tags, Linux cooked headers, IPv4, IPv6 with
//! extension headers, TCP and UDP with correct checksums. Tests, the benchmark's generator and the demo use
//! them; discovery never writes.

use std::io::{self, Write};

use crate::model::Micros;

/// Byte order of a written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
}

impl ByteOrder {
    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }

    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }

    fn u64(self, v: u64) -> [u8; 8] {
        match self {
            ByteOrder::Little => v.to_le_bytes(),
            ByteOrder::Big => v.to_be_bytes(),
        }
    }
}

/// A classic pcap file being written.
pub struct PcapWriter<W: Write> {
    out: W,
    order: ByteOrder,
    nanos: bool,
}

impl<W: Write> PcapWriter<W> {
    /// Write the file header: link type, nanosecond timestamps or micro, byte order; snapshot length 262144.
    pub fn new(mut out: W, link_type: u32, nanos: bool, order: ByteOrder) -> io::Result<Self> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        out.write_all(&order.u32(magic))?;
        out.write_all(&order.u16(2))?;
        out.write_all(&order.u16(4))?;
        out.write_all(&order.u32(0))?;
        out.write_all(&order.u32(0))?;
        out.write_all(&order.u32(262_144))?;
        out.write_all(&order.u32(link_type))?;
        Ok(PcapWriter { out, order, nanos })
    }

    /// One packet, captured whole.
    pub fn packet(&mut self, ts: Micros, data: &[u8]) -> io::Result<()> {
        self.packet_cut(ts, data, data.len())
    }

    /// One packet of `orig_len` bytes on the wire, of which `data` was captured.
    pub fn packet_cut(&mut self, ts: Micros, data: &[u8], orig_len: usize) -> io::Result<()> {
        let secs = ts.div_euclid(1_000_000);
        let micros = ts.rem_euclid(1_000_000);
        let frac = if self.nanos { micros * 1000 } else { micros };
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&self.order.u32(secs as u32));
        header[4..8].copy_from_slice(&self.order.u32(frac as u32));
        header[8..12].copy_from_slice(&self.order.u32(data.len() as u32));
        header[12..16].copy_from_slice(&self.order.u32(orig_len as u32));
        self.out.write_all(&header)?;
        self.out.write_all(data)
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A pcapng file being written: one section.
pub struct PcapngWriter<W: Write> {
    out: W,
    order: ByteOrder,
    /// Per interface: timestamp units per second.
    units: Vec<u64>,
}

impl<W: Write> PcapngWriter<W> {
    /// Write the section header block.
    pub fn new(out: W, order: ByteOrder) -> io::Result<Self> {
        let mut w = PcapngWriter { out, order, units: Vec::new() };
        let mut body = Vec::new();
        body.extend_from_slice(&order.u32(0x1a2b_3c4d));
        body.extend_from_slice(&order.u16(1));
        body.extend_from_slice(&order.u16(0));
        body.extend_from_slice(&order.u64(u64::MAX));
        w.block(0x0a0d_0d0a, &body)?;
        Ok(w)
    }

    /// Describe an interface; `tsresol` is the if_tsresol option's byte (None: the default, microseconds).
    /// Returns its index.
    pub fn interface(&mut self, link_type: u16, tsresol: Option<u8>) -> io::Result<u32> {
        let o = self.order;
        let mut body = Vec::new();
        body.extend_from_slice(&o.u16(link_type));
        body.extend_from_slice(&o.u16(0));
        body.extend_from_slice(&o.u32(262_144));
        let units = match tsresol {
            Some(r) if r & 0x80 == 0 => 10u64.checked_pow(u32::from(r)).unwrap_or(u64::MAX),
            Some(r) => 1u64.checked_shl(u32::from(r & 0x7f)).unwrap_or(u64::MAX),
            None => 1_000_000,
        };
        if let Some(r) = tsresol {
            body.extend_from_slice(&o.u16(9));
            body.extend_from_slice(&o.u16(1));
            body.extend_from_slice(&[r, 0, 0, 0]);
            body.extend_from_slice(&o.u16(0));
            body.extend_from_slice(&o.u16(0));
        }
        self.block(1, &body)?;
        self.units.push(units);
        Ok((self.units.len() - 1) as u32)
    }

    fn units(&self, interface: u32, ts: Micros) -> u64 {
        let per_sec = self.units.get(interface as usize).copied().unwrap_or(1_000_000);
        (i128::from(ts) * i128::from(per_sec) / 1_000_000) as u64
    }

    /// An enhanced packet block.
    pub fn packet(&mut self, interface: u32, ts: Micros, data: &[u8]) -> io::Result<()> {
        let o = self.order;
        let units = self.units(interface, ts);
        let mut body = Vec::with_capacity(20 + data.len() + 3);
        body.extend_from_slice(&o.u32(interface));
        body.extend_from_slice(&o.u32((units >> 32) as u32));
        body.extend_from_slice(&o.u32(units as u32));
        body.extend_from_slice(&o.u32(data.len() as u32));
        body.extend_from_slice(&o.u32(data.len() as u32));
        body.extend_from_slice(data);
        self.block(6, &body)
    }

    /// A simple packet block (interface 0, no timestamp).
    pub fn simple_packet(&mut self, data: &[u8]) -> io::Result<()> {
        let mut body = Vec::with_capacity(4 + data.len() + 3);
        body.extend_from_slice(&self.order.u32(data.len() as u32));
        body.extend_from_slice(data);
        self.block(3, &body)
    }

    /// An obsolete packet block (type 2), as old writers made them.
    pub fn obsolete_packet(&mut self, interface: u16, ts: Micros, data: &[u8]) -> io::Result<()> {
        let o = self.order;
        let units = self.units(u32::from(interface), ts);
        let mut body = Vec::new();
        body.extend_from_slice(&o.u16(interface));
        body.extend_from_slice(&o.u16(0));
        body.extend_from_slice(&o.u32((units >> 32) as u32));
        body.extend_from_slice(&o.u32(units as u32));
        body.extend_from_slice(&o.u32(data.len() as u32));
        body.extend_from_slice(&o.u32(data.len() as u32));
        body.extend_from_slice(data);
        self.block(2, &body)
    }

    /// Any block: type and body (padded to 4 bytes here).
    pub fn block(&mut self, block_type: u32, body: &[u8]) -> io::Result<()> {
        let pad = (4 - body.len() % 4) % 4;
        let len = (12 + body.len() + pad) as u32;
        self.out.write_all(&self.order.u32(block_type))?;
        self.out.write_all(&self.order.u32(len))?;
        self.out.write_all(body)?;
        self.out.write_all(&[0u8; 3][..pad])?;
        self.out.write_all(&self.order.u32(len))
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Frame builders. Each returns the bytes of one header plus what it carries.
pub mod frame {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use crate::model::Mac;

    /// An Ethernet II frame with 802.1Q tags (outermost first; more than one is QinQ, the outer one 0x88a8).
    pub fn ethernet(dst: Mac, src: Mac, vlans: &[u16], ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = Vec::with_capacity(14 + 4 * vlans.len() + payload.len());
        f.extend_from_slice(&dst.0);
        f.extend_from_slice(&src.0);
        for (i, v) in vlans.iter().enumerate() {
            let tpid: u16 = if i + 1 < vlans.len() { 0x88a8 } else { 0x8100 };
            f.extend_from_slice(&tpid.to_be_bytes());
            f.extend_from_slice(&(v & 0x0fff).to_be_bytes());
        }
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    /// An 802.3 frame with an LLC header (DSAP, SSAP, control 0x03) and payload.
    pub fn llc(dst: Mac, src: Mac, dsap: u8, ssap: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = Vec::with_capacity(17 + payload.len());
        f.extend_from_slice(&dst.0);
        f.extend_from_slice(&src.0);
        f.extend_from_slice(&((3 + payload.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[dsap, ssap, 0x03]);
        f.extend_from_slice(payload);
        f
    }

    /// A Linux cooked capture v1 header (packet type 0, ARPHRD_ETHER, the sender's MAC) before `payload`.
    pub fn sll(src: Mac, protocol: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = Vec::with_capacity(16 + payload.len());
        f.extend_from_slice(&0u16.to_be_bytes());
        f.extend_from_slice(&1u16.to_be_bytes());
        f.extend_from_slice(&6u16.to_be_bytes());
        f.extend_from_slice(&src.0);
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&protocol.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    /// A Linux cooked capture v2 header (interface 1, ARPHRD_ETHER, packet type 0, the sender's MAC).
    pub fn sll2(src: Mac, protocol: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = Vec::with_capacity(20 + payload.len());
        f.extend_from_slice(&protocol.to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&1u32.to_be_bytes());
        f.extend_from_slice(&1u16.to_be_bytes());
        f.push(0);
        f.push(6);
        f.extend_from_slice(&src.0);
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    /// The Internet checksum of `data` with an initial sum.
    pub fn checksum(initial: u32, data: &[u8]) -> u16 {
        let mut sum = initial;
        let mut chunks = data.chunks_exact(2);
        for c in &mut chunks {
            sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            sum += u32::from(*last) << 8;
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    fn pseudo_sum(src: IpAddr, dst: IpAddr, protocol: u8, len: usize) -> u32 {
        let mut sum = 0u32;
        let mut add = |b: &[u8]| {
            for c in b.chunks(2) {
                sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
            }
        };
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                add(&s.octets());
                add(&d.octets());
            }
            (s, d) => {
                add(&to_v6(s).octets());
                add(&to_v6(d).octets());
            }
        }
        sum + u32::from(protocol) + len as u32
    }

    fn to_v6(ip: IpAddr) -> Ipv6Addr {
        match ip {
            IpAddr::V4(v4) => v4.to_ipv6_mapped(),
            IpAddr::V6(v6) => v6,
        }
    }

    /// An IPv4 packet (no options, DF set, TTL 64) with its header checksum.
    pub fn ipv4(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, payload: &[u8]) -> Vec<u8> {
        ipv4_fragment(src, dst, protocol, 0, 0, false, payload)
    }

    /// One fragment of an IPv4 datagram: `offset` in bytes (a multiple of 8), `more` fragments follow.
    pub fn ipv4_fragment(
        src: Ipv4Addr,
        dst: Ipv4Addr,
        protocol: u8,
        id: u16,
        offset: usize,
        more: bool,
        payload: &[u8],
    ) -> Vec<u8> {
        let total = 20 + payload.len();
        let mut p = Vec::with_capacity(total);
        p.extend_from_slice(&[0x45, 0]);
        p.extend_from_slice(&(total as u16).to_be_bytes());
        p.extend_from_slice(&id.to_be_bytes());
        let flags: u16 = if more {
            0x2000
        } else if offset == 0 {
            0x4000
        } else {
            0
        };
        p.extend_from_slice(&(flags | ((offset / 8) as u16 & 0x1fff)).to_be_bytes());
        p.extend_from_slice(&[64, protocol, 0, 0]);
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&dst.octets());
        let sum = checksum(0, &p);
        p[10..12].copy_from_slice(&sum.to_be_bytes());
        p.extend_from_slice(payload);
        p
    }

    /// An IPv6 extension header: its type (0 hop-by-hop, 43 routing, 44 fragment, 60 destination options) and
    /// body after the next-header and length bytes (padded here to a multiple of 8 with the two).
    #[derive(Clone, Debug)]
    pub struct Extension {
        pub kind: u8,
        pub body: Vec<u8>,
    }

    /// An IPv6 packet with extension headers, then `protocol`'s payload.
    pub fn ipv6(src: Ipv6Addr, dst: Ipv6Addr, extensions: &[Extension], protocol: u8, payload: &[u8]) -> Vec<u8> {
        let mut ext = Vec::new();
        for (i, e) in extensions.iter().enumerate() {
            let next = extensions.get(i + 1).map_or(protocol, |n| n.kind);
            let mut body = e.body.clone();
            if e.kind == 44 {
                body.resize(6, 0);
                ext.push(next);
                ext.push(0);
            } else {
                while (body.len() + 2) % 8 != 0 {
                    body.push(0);
                }
                ext.push(next);
                ext.push(((body.len() + 2) / 8 - 1) as u8);
            }
            ext.extend_from_slice(&body);
        }
        let first = extensions.first().map_or(protocol, |e| e.kind);
        let plen = ext.len() + payload.len();
        let mut p = Vec::with_capacity(40 + plen);
        p.extend_from_slice(&[0x60, 0, 0, 0]);
        p.extend_from_slice(&(plen as u16).to_be_bytes());
        p.push(first);
        p.push(64);
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&dst.octets());
        p.extend_from_slice(&ext);
        p.extend_from_slice(payload);
        p
    }

    /// A TCP segment (20-byte header, window 65535) with its checksum over the given addresses.
    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        src: IpAddr,
        dst: IpAddr,
        src_port: u16,
        dst_port: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut s = Vec::with_capacity(20 + payload.len());
        s.extend_from_slice(&src_port.to_be_bytes());
        s.extend_from_slice(&dst_port.to_be_bytes());
        s.extend_from_slice(&seq.to_be_bytes());
        s.extend_from_slice(&ack.to_be_bytes());
        s.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        s.extend_from_slice(payload);
        let sum = checksum(pseudo_sum(src, dst, 6, s.len()), &s);
        s[16..18].copy_from_slice(&sum.to_be_bytes());
        s
    }

    /// A UDP datagram with its checksum over the given addresses.
    pub fn udp(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
        let len = 8 + payload.len();
        let mut d = Vec::with_capacity(len);
        d.extend_from_slice(&src_port.to_be_bytes());
        d.extend_from_slice(&dst_port.to_be_bytes());
        d.extend_from_slice(&(len as u16).to_be_bytes());
        d.extend_from_slice(&[0, 0]);
        d.extend_from_slice(payload);
        let mut sum = checksum(pseudo_sum(src, dst, 17, len), &d);
        if sum == 0 {
            sum = 0xffff;
        }
        d[6..8].copy_from_slice(&sum.to_be_bytes());
        d
    }

    /// An IP packet (v4 or v6 by the addresses; mixed families are carried as IPv6 with mapped addresses).
    pub fn ip(src: IpAddr, dst: IpAddr, protocol: u8, payload: &[u8]) -> Vec<u8> {
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => ipv4(s, d, protocol, payload),
            (s, d) => ipv6(to_v6(s), to_v6(d), &[], protocol, payload),
        }
    }

    /// The EtherType of an IP packet built by [`ip`].
    pub fn ip_ethertype(src: IpAddr, dst: IpAddr) -> u16 {
        if src.is_ipv4() && dst.is_ipv4() { 0x0800 } else { 0x86dd }
    }
}
