//! Test-only capture handling for the decoder tests: each frame's metadata and payload (read with the crate's own
//! capture reader and header decoder), in-order TCP stream concatenation cut into messages by a decoder's framing,
//! and a pcap writer with frame builders for captures made in the tests.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use cpsf_pcap::model::{PacketMeta, Side, Sink};
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
    /// Part of a fragmented IP datagram.
    pub fragment: bool,
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

/// Every frame of a pcap or pcapng file, numbered from 1 as Wireshark does, read with the crate's own capture
/// reader and header decoder (the decoder tests check the decoders, not the reader; the reader has its own tests).
/// A first IP fragment keeps its transport header, as the decoders would see it.
pub fn read(file: &[u8]) -> Vec<Frame> {
    let mut out = Vec::new();
    let Ok(mut reader) = cpsf_pcap::capture::CaptureReader::new(file) else { return out };
    let mut number = 0u64;
    while let Ok(Some(packet)) = reader.next_packet() {
        number += 1;
        out.push(frame(number, packet.ts, packet.link_type, packet.data));
    }
    out
}

/// One frame's metadata and payload.
fn frame(number: u64, ts: i64, link: u32, data: &[u8]) -> Frame {
    use cpsf_pcap::decode::{Net, Transport};
    let mut meta = PacketMeta { frame: number, ts, ..PacketMeta::default() };
    let other = |meta| Frame { meta, carrier: Carrier::Other, payload: Vec::new(), fragment: false };
    let Ok(decoded) = cpsf_pcap::decode::decode(link, data) else { return other(meta) };
    meta.src_mac = decoded.src_mac;
    meta.dst_mac = decoded.dst_mac;
    meta.vlan = decoded.vlan;
    let ip = match decoded.net {
        Net::Ether { ethertype, payload } => {
            return Frame { meta, carrier: Carrier::Ether(ethertype), payload: payload.to_vec(), fragment: false };
        }
        Net::Llc { .. } => return other(meta),
        Net::Ip(ip) => ip,
    };
    meta.src_ip = Some(ip.src);
    meta.dst_ip = Some(ip.dst);
    let (carrier, payload) = match ip.transport {
        Transport::Tcp(tcp) => {
            meta.src_port = tcp.src_port;
            meta.dst_port = tcp.dst_port;
            (Carrier::Tcp { seq: tcp.seq, flags: tcp.flags }, tcp.payload)
        }
        Transport::Udp { src_port, dst_port, payload } => {
            meta.src_port = src_port;
            meta.dst_port = dst_port;
            (Carrier::Udp, payload)
        }
        Transport::LaterFragment | Transport::Other(_) => (Carrier::Other, &[][..]),
    };
    Frame { meta, carrier, payload: payload.to_vec(), fragment: ip.fragment }
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
