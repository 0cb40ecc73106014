//! Test-only capture handling: a small pcap / pcapng frame extractor (Ethernet, 802.1Q, Linux cooked, IPv4/IPv6,
//! TCP/UDP) giving each frame's metadata and payload, in-order TCP stream concatenation cut into messages by a
//! decoder's framing, and a pcap writer with frame builders for captures made in the tests. It is just enough for
//! the decoder tests; the crate's own capture reader is tested on its own.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use cpsf_pcap::model::{Mac, PacketMeta, Side, Sink};
use cpsf_pcap::proto::Framing;

/// What a frame carries after its headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    Tcp {
        seq: u32,
        flags: u8,
    },
    Udp,
    /// A layer-2 payload by EtherType.
    Ether(u16),
    Other,
}

#[derive(Clone, Debug)]
pub struct Frame {
    pub meta: PacketMeta,
    pub carrier: Carrier,
    pub payload: Vec<u8>,
}

/// The shared test data root (`CPSF_TEST_DATA`, default `../shared/data` beside the repository), or `None` with a
/// SKIPPED line.
pub fn shared_data() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.join("ics-pcap").is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA ({}) has no ics-pcap", root.display());
        None
    }
}

/// A capture of the shared data (`ics-pcap/<rel>`), read into frames.
pub fn shared_capture(rel: &str) -> Option<(PathBuf, Vec<Frame>)> {
    let path = shared_data()?.join("ics-pcap").join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let frames = read(&bytes);
    assert!(!frames.is_empty(), "{}: no frames", path.display());
    Some((path, frames))
}

fn u16_at(b: &[u8], at: usize, le: bool) -> Option<u16> {
    let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if le { u16::from_le_bytes(x) } else { u16::from_be_bytes(x) })
}

fn u32_at(b: &[u8], at: usize, le: bool) -> Option<u32> {
    let x: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if le { u32::from_le_bytes(x) } else { u32::from_be_bytes(x) })
}

/// Every frame of a pcap or pcapng file, numbered from 1 as Wireshark does.
pub fn read(file: &[u8]) -> Vec<Frame> {
    let mut out = Vec::new();
    let mut number = 0u64;
    let mut push = |link: u16, ts: i64, data: &[u8]| {
        number += 1;
        out.push(frame(number, ts, link, data));
    };
    match u32_at(file, 0, true) {
        // Classic pcap, either byte order, microsecond or nanosecond times.
        Some(m @ (0xa1b2c3d4 | 0xd4c3b2a1 | 0xa1b23c4d | 0x4d3cb2a1)) => {
            let le = m == 0xa1b2c3d4 || m == 0xa1b23c4d;
            let nanos = m == 0xa1b23c4d || m == 0x4d3cb2a1;
            let link = u32_at(file, 20, le).unwrap_or(1) as u16;
            let mut at = 24;
            while let (Some(sec), Some(frac), Some(len)) =
                (u32_at(file, at, le), u32_at(file, at + 4, le), u32_at(file, at + 8, le))
            {
                let Some(data) = file.get(at + 16..at + 16 + len as usize) else { break };
                let frac = if nanos { i64::from(frac) / 1000 } else { i64::from(frac) };
                push(link, i64::from(sec) * 1_000_000 + frac, data);
                at += 16 + len as usize;
            }
        }
        // pcapng: section header, interface descriptions, enhanced and simple packet blocks.
        Some(0x0a0d0d0a) => {
            let mut le = true;
            let mut links: Vec<u16> = Vec::new();
            let mut at = 0;
            while let Some(kind) = u32_at(file, at, le) {
                if kind == 0x0a0d0d0a {
                    le = u32_at(file, at + 8, true) == Some(0x1a2b3c4d);
                    links.clear();
                }
                let Some(len) = u32_at(file, at + 4, le).map(|l| l as usize) else { break };
                let Some(block) = file.get(at..at + len) else { break };
                match kind {
                    1 => links.push(u16_at(block, 8, le).unwrap_or(1)),
                    6 => {
                        let iface = u32_at(block, 8, le).unwrap_or(0) as usize;
                        let ts = (u64::from(u32_at(block, 12, le).unwrap_or(0)) << 32)
                            | u64::from(u32_at(block, 16, le).unwrap_or(0));
                        let cap = u32_at(block, 20, le).unwrap_or(0) as usize;
                        if let Some(data) = block.get(28..28 + cap) {
                            push(links.get(iface).copied().unwrap_or(1), ts as i64, data);
                        }
                    }
                    3 => {
                        let data = block.get(12..len.saturating_sub(4)).unwrap_or(&[]);
                        push(links.first().copied().unwrap_or(1), 0, data);
                    }
                    _ => {}
                }
                if len < 12 {
                    break;
                }
                at += len;
            }
        }
        _ => {}
    }
    out
}

/// One frame's metadata and payload by link type (1 Ethernet, 113 Linux cooked, 0 BSD loopback).
fn frame(number: u64, ts: i64, link: u16, data: &[u8]) -> Frame {
    let mut meta = PacketMeta { frame: number, ts, ..PacketMeta::default() };
    let other = |meta| Frame { meta, carrier: Carrier::Other, payload: Vec::new() };
    let (mut ethertype, mut at) = match link {
        1 => {
            let mac = |at: usize| data.get(at..at + 6).and_then(|m| <[u8; 6]>::try_from(m).ok()).map(Mac);
            meta.dst_mac = mac(0);
            meta.src_mac = mac(6);
            (u16_at(data, 12, false).unwrap_or(0), 14)
        }
        113 => (u16_at(data, 14, false).unwrap_or(0), 16),
        0 => match u32_at(data, 0, true) {
            Some(2) => (0x0800, 4),
            Some(24 | 28 | 30) => (0x86dd, 4),
            _ => return other(meta),
        },
        _ => return other(meta),
    };
    while ethertype == 0x8100 || ethertype == 0x88a8 {
        meta.vlan = u16_at(data, at, false).map(|tci| tci & 0x0fff);
        ethertype = u16_at(data, at + 2, false).unwrap_or(0);
        at += 4;
    }
    let l3 = data.get(at..).unwrap_or(&[]);
    let (proto, l4) = match ethertype {
        0x0800 => {
            let Some(&vihl) = l3.first() else { return other(meta) };
            let ihl = usize::from(vihl & 0x0f) * 4;
            let total = usize::from(u16_at(l3, 2, false).unwrap_or(0)).min(l3.len());
            let fragment = u16_at(l3, 6, false).unwrap_or(0) & 0x1fff;
            let addr = |at: usize| l3.get(at..at + 4).and_then(|a| <[u8; 4]>::try_from(a).ok());
            meta.src_ip = addr(12).map(|a| IpAddr::V4(Ipv4Addr::from(a)));
            meta.dst_ip = addr(16).map(|a| IpAddr::V4(Ipv4Addr::from(a)));
            if fragment != 0 {
                return other(meta);
            }
            (l3.get(9).copied().unwrap_or(0), l3.get(ihl..total).unwrap_or(&[]))
        }
        0x86dd => {
            let total = (40 + usize::from(u16_at(l3, 4, false).unwrap_or(0))).min(l3.len());
            let addr = |at: usize| l3.get(at..at + 16).and_then(|a| <[u8; 16]>::try_from(a).ok());
            meta.src_ip = addr(8).map(|a| IpAddr::V6(Ipv6Addr::from(a)));
            meta.dst_ip = addr(24).map(|a| IpAddr::V6(Ipv6Addr::from(a)));
            (l3.get(6).copied().unwrap_or(0), l3.get(40..total).unwrap_or(&[]))
        }
        _ => return Frame { meta, carrier: Carrier::Ether(ethertype), payload: l3.to_vec() },
    };
    meta.src_port = u16_at(l4, 0, false).unwrap_or(0);
    meta.dst_port = u16_at(l4, 2, false).unwrap_or(0);
    match proto {
        6 => {
            let off = usize::from(l4.get(12).copied().unwrap_or(0) >> 4) * 4;
            let carrier =
                Carrier::Tcp { seq: u32_at(l4, 4, false).unwrap_or(0), flags: l4.get(13).copied().unwrap_or(0) };
            Frame { meta, carrier, payload: l4.get(off..).unwrap_or(&[]).to_vec() }
        }
        17 => {
            let len = usize::from(u16_at(l4, 4, false).unwrap_or(0)).clamp(8, l4.len().max(8));
            Frame { meta, carrier: Carrier::Udp, payload: l4.get(8..len).unwrap_or(&[]).to_vec() }
        }
        _ => other(meta),
    }
}

/// Which side sent a segment or datagram, by the protocol's well-known port.
pub fn side(meta: &PacketMeta, port: u16) -> Side {
    if meta.dst_port == port {
        Side::Client
    } else if meta.src_port == port {
        Side::Server
    } else {
        Side::Unknown
    }
}

/// One application message out of a TCP stream: the metadata of the frame that completed it.
pub struct Message {
    pub meta: PacketMeta,
    pub side: Side,
    pub bytes: Vec<u8>,
}

/// The messages of every TCP stream to or from `port`, by concatenating each direction's payloads in sequence
/// order (retransmitted bytes dropped, a gap restarts the stream) and cutting them with `framing`.
pub fn tcp_messages(frames: &[Frame], port: u16, framing: fn(&[u8]) -> Framing) -> Vec<Message> {
    struct Stream {
        key: (Option<IpAddr>, u16, Option<IpAddr>, u16),
        next: Option<u32>,
        buf: Vec<u8>,
        abandoned: bool,
    }
    let mut streams: Vec<Stream> = Vec::new();
    let mut out = Vec::new();
    for f in frames {
        let Carrier::Tcp { seq, flags } = f.carrier else { continue };
        let m = &f.meta;
        if m.src_port != port && m.dst_port != port {
            continue;
        }
        let key = (m.src_ip, m.src_port, m.dst_ip, m.dst_port);
        let i = match streams.iter().position(|s| s.key == key) {
            Some(i) => i,
            None => {
                streams.push(Stream { key, next: None, buf: Vec::new(), abandoned: false });
                streams.len() - 1
            }
        };
        let s = &mut streams[i];
        if flags & 0x02 != 0 {
            *s = Stream { key, next: Some(seq.wrapping_add(1)), buf: Vec::new(), abandoned: false };
            continue;
        }
        if f.payload.is_empty() || s.abandoned {
            continue;
        }
        let next = *s.next.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next) as i32;
        let data: &[u8] = if ahead > 0 {
            // Bytes were not captured: start again at this segment.
            s.buf.clear();
            &f.payload
        } else {
            let seen = ahead.unsigned_abs() as usize;
            if seen >= f.payload.len() {
                continue;
            }
            &f.payload[seen..]
        };
        s.buf.extend_from_slice(data);
        s.next = Some(seq.wrapping_add(f.payload.len() as u32));
        loop {
            match framing(&s.buf) {
                Framing::Message(n) if n <= s.buf.len() => {
                    let bytes: Vec<u8> = s.buf.drain(..n).collect();
                    out.push(Message { meta: *m, side: side(m, port), bytes });
                }
                Framing::Message(_) | Framing::NeedMore => break,
                Framing::NotThisProtocol => {
                    s.abandoned = true;
                    s.buf.clear();
                    break;
                }
            }
        }
    }
    out
}

/// Runs a TCP decoder over the messages of a capture's streams.
pub fn decode_tcp(
    frames: &[Frame],
    port: u16,
    framing: fn(&[u8]) -> Framing,
    decode: fn(&PacketMeta, Side, &[u8], &mut Sink),
) -> Sink {
    let mut sink = Sink::default();
    for m in tcp_messages(frames, port, framing) {
        decode(&m.meta, m.side, &m.bytes, &mut sink);
    }
    sink
}

/// Runs a UDP decoder over the datagrams to or from `port`.
pub fn decode_udp(frames: &[Frame], port: u16, decode: fn(&PacketMeta, Side, &[u8], &mut Sink)) -> Sink {
    let mut sink = Sink::default();
    for f in frames.iter().filter(|f| f.carrier == Carrier::Udp) {
        if f.meta.src_port == port || f.meta.dst_port == port {
            decode(&f.meta, side(&f.meta, port), &f.payload, &mut sink);
        }
    }
    sink
}

/// Runs a layer-2 decoder over the frames of one EtherType.
pub fn decode_ether(frames: &[Frame], ethertype: u16, decode: fn(&PacketMeta, &[u8], &mut Sink)) -> Sink {
    let mut sink = Sink::default();
    for f in frames.iter().filter(|f| f.carrier == Carrier::Ether(ethertype)) {
        decode(&f.meta, &f.payload, &mut sink);
    }
    sink
}

// ---- Building captures -------------------------------------------------------------------------------------

/// A classic pcap file (Ethernet, microseconds) of these frames, one second apart.
pub fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(0xa1b2c3d4u32.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend([0; 8]);
    out.extend(65535u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        out.extend((1_700_000_000 + i as u32).to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend((f.len() as u32).to_le_bytes());
        out.extend(f);
    }
    out
}

/// A made capture written under the system's temporary folder, removed when dropped.
pub struct TempCapture(pub PathBuf);

impl Drop for TempCapture {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl std::ops::Deref for TempCapture {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// Writes a made capture to a fresh file under the system's temporary folder.
pub fn write_temp(name: &str, frames: &[Vec<u8>]) -> TempCapture {
    let dir = std::env::temp_dir().join(format!("cpsf-pcap-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pcap(frames)).unwrap();
    TempCapture(path)
}

pub fn ethernet(dst: [u8; 6], src: [u8; 6], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = dst.to_vec();
    f.extend(src);
    f.extend(ethertype.to_be_bytes());
    f.extend(payload);
    // Short frames are padded to the Ethernet minimum, as on the wire.
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0];
    h[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
    h.extend(src);
    h.extend(dst);
    let sum = h.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))).sum::<u32>();
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = !(((sum & 0xffff) + (sum >> 16)) as u16);
    h[10..12].copy_from_slice(&sum.to_be_bytes());
    h.extend(l4);
    h
}

pub const MAC_A: [u8; 6] = [0x00, 0x1b, 0x1b, 0x23, 0xeb, 0x3b];
pub const MAC_B: [u8; 6] = [0x00, 0x0c, 0x29, 0x50, 0xa9, 0xfc];

/// An Ethernet/IPv4/UDP frame.
pub fn udp_frame(src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) -> Vec<u8> {
    let mut u = src.1.to_be_bytes().to_vec();
    u.extend(dst.1.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    ethernet(MAC_B, MAC_A, 0x0800, &ipv4(src.0, dst.0, 17, &u))
}

/// An Ethernet/IPv4/TCP frame (PSH+ACK) at sequence number `seq`.
pub fn tcp_frame(src: ([u8; 4], u16), dst: ([u8; 4], u16), seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut t = src.1.to_be_bytes().to_vec();
    t.extend(dst.1.to_be_bytes());
    t.extend(seq.to_be_bytes());
    t.extend(1u32.to_be_bytes());
    t.extend([0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend(payload);
    ethernet(MAC_B, MAC_A, 0x0800, &ipv4(src.0, dst.0, 6, &t))
}

// ---- Reading what the decoders reported ------------------------------------------------------------------

/// Per frame, the facts the decoders reported (every observation of the frame together), roles left out.
pub fn facts(sink: &Sink) -> std::collections::BTreeMap<u64, Vec<(cpsf_pcap::model::Field, String)>> {
    let mut out: std::collections::BTreeMap<u64, Vec<_>> = std::collections::BTreeMap::new();
    for o in &sink.observations {
        let facts: Vec<_> = o.fields.iter().filter(|(f, _)| *f != cpsf_pcap::model::Field::Role).cloned().collect();
        if !facts.is_empty() {
            out.entry(o.frame).or_default().extend(facts);
        }
    }
    out
}

/// The roles reported, with how many messages reported each.
pub fn roles(sink: &Sink) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for o in &sink.observations {
        for (f, v) in &o.fields {
            if *f == cpsf_pcap::model::Field::Role {
                *out.entry(v.clone()).or_insert(0) += 1;
            }
        }
    }
    out
}

/// Shorthand for an expected fact.
pub fn fact(field: cpsf_pcap::model::Field, value: &str) -> (cpsf_pcap::model::Field, String) {
    (field, value.to_string())
}
