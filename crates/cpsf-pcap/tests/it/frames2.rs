//! Test-only plumbing for the protocol decoder tests: a small capture reader (classic pcap and pcapng
//! enhanced/simple packet blocks; Ethernet, 802.1Q, BSD loopback, Linux cooked, raw IP; IPv4, IPv6, TCP, UDP)
//! independent of the crate's own reader, TCP stream reassembly per direction feeding a decoder's framing,
//! a pcap writer for captures built in tests, and a tshark runner to compare with.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::Command;

use cpsf_pcap::model::{Field, Mac, Observation, PacketMeta, Side, Sink};
use cpsf_pcap::proto::{EtherProtocol, Framing, TcpProtocol, UdpProtocol};

/// One captured packet as far as the decoder tests need it.
pub struct Frame {
    pub meta: PacketMeta,
    pub kind: Kind,
}

pub enum Kind {
    Tcp { seq: u32, syn: bool, payload: Vec<u8> },
    Udp(Vec<u8>),
    Ether { ethertype: u16, payload: Vec<u8> },
    Other,
}

/// The shared captures folder, or `None` (after printing why) when it is absent.
pub fn ics_pcap(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join("ics-pcap").join(rel);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("SKIPPED: {} not found (CPSF_TEST_DATA)", path.display());
        None
    }
}

struct Bytes<'a> {
    b: &'a [u8],
    big: bool,
}

impl Bytes<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let s: [u8; 2] = self.b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big { u16::from_be_bytes(s) } else { u16::from_le_bytes(s) })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let s: [u8; 4] = self.b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big { u32::from_be_bytes(s) } else { u32::from_le_bytes(s) })
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads every packet of a capture file.
pub fn read(path: &Path) -> Vec<Frame> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let raw = if data.get(..4) == Some(&[0x0a, 0x0d, 0x0d, 0x0a]) { pcapng(&data) } else { pcap(&data) };
    raw.into_iter()
        .enumerate()
        .map(|(i, (link, ts, bytes))| {
            let mut meta = PacketMeta { frame: i as u64 + 1, ts, ..PacketMeta::default() };
            let kind = link_layer(link, &bytes, &mut meta).unwrap_or(Kind::Other);
            Frame { meta, kind }
        })
        .collect()
}

type Raw = (u32, i64, Vec<u8>);

fn pcap(data: &[u8]) -> Vec<Raw> {
    let magic = data.get(..4).expect("pcap header");
    let (big, nanos) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
        _ => panic!("not a capture"),
    };
    let r = Bytes { b: data, big };
    let link = r.u32(20).expect("link type") & 0xffff;
    let mut out = Vec::new();
    let mut at = 24;
    while let (Some(sec), Some(frac), Some(len)) = (r.u32(at), r.u32(at + 4), r.u32(at + 8)) {
        let Some(bytes) = data.get(at + 16..at + 16 + len as usize) else { break };
        let micros = if nanos { i64::from(frac) / 1000 } else { i64::from(frac) };
        out.push((link, i64::from(sec) * 1_000_000 + micros, bytes.to_vec()));
        at += 16 + len as usize;
    }
    out
}

fn pcapng(data: &[u8]) -> Vec<Raw> {
    let mut out = Vec::new();
    let mut links: Vec<(u32, u64)> = Vec::new();
    let mut big = false;
    let mut at = 0;
    loop {
        if data.get(at..at + 4) == Some(&[0x0a, 0x0d, 0x0d, 0x0a]) {
            big = data.get(at + 8..at + 12) == Some(&[0x1a, 0x2b, 0x3c, 0x4d]);
            links.clear();
        }
        let r = Bytes { b: data, big };
        let (Some(kind), Some(len)) = (r.u32(at), r.u32(at + 4)) else { break };
        let len = len as usize;
        if len < 12 {
            break;
        }
        match kind {
            1 => {
                let link = u32::from(r.u16(at + 8).unwrap_or(1));
                // if_tsresol (option 9): a power of ten, or of two with the top bit set.
                let mut per_sec = 1_000_000u64;
                let mut o = at + 16;
                while let (Some(code), Some(olen)) = (r.u16(o), r.u16(o + 2)) {
                    if code == 0 || o >= at + len - 4 {
                        break;
                    }
                    if code == 9
                        && let Some(&v) = data.get(o + 4)
                    {
                        per_sec = if v & 0x80 == 0 { 10u64.pow(u32::from(v)) } else { 1u64 << (v & 0x7f) };
                    }
                    o += 4 + usize::from(olen).div_ceil(4) * 4;
                }
                links.push((link, per_sec));
            }
            6 => {
                let iface = r.u32(at + 8).unwrap_or(0) as usize;
                let ts = (u64::from(r.u32(at + 12).unwrap_or(0)) << 32) | u64::from(r.u32(at + 16).unwrap_or(0));
                let cap = r.u32(at + 20).unwrap_or(0) as usize;
                let (link, per_sec) = links.get(iface).copied().unwrap_or((1, 1_000_000));
                let micros = (u128::from(ts) * 1_000_000 / u128::from(per_sec)) as i64;
                let bytes = data.get(at + 28..at + 28 + cap).unwrap_or_default().to_vec();
                out.push((link, micros, bytes));
            }
            3 => {
                let (link, _) = links.first().copied().unwrap_or((1, 1_000_000));
                let orig = r.u32(at + 8).unwrap_or(0) as usize;
                let cap = orig.min(len.saturating_sub(16));
                out.push((link, 0, data.get(at + 12..at + 12 + cap).unwrap_or_default().to_vec()));
            }
            _ => {}
        }
        at += len;
    }
    out
}

fn link_layer(link: u32, b: &[u8], meta: &mut PacketMeta) -> Option<Kind> {
    match link {
        // Ethernet.
        1 => {
            meta.dst_mac = Some(Mac(b.get(0..6)?.try_into().ok()?));
            meta.src_mac = Some(Mac(b.get(6..12)?.try_into().ok()?));
            let mut ethertype = be16(b, 12)?;
            let mut at = 14;
            while matches!(ethertype, 0x8100 | 0x88a8) {
                meta.vlan.get_or_insert(be16(b, at)? & 0x0fff);
                ethertype = be16(b, at + 2)?;
                at += 4;
            }
            network(ethertype, b.get(at..)?, meta)
        }
        // BSD loopback: the address family in host byte order.
        0 => {
            let family = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
            let family = if family > 0xffff { family.swap_bytes() } else { family };
            let ethertype = if family == 2 { 0x0800 } else { 0x86dd };
            network(ethertype, b.get(4..)?, meta)
        }
        // Linux cooked v1 and v2.
        113 => network(be16(b, 14)?, b.get(16..)?, meta),
        276 => network(be16(b, 0)?, b.get(20..)?, meta),
        // Raw IP.
        12 | 101 | 228 | 229 => {
            let ethertype = if b.first()? >> 4 == 4 { 0x0800 } else { 0x86dd };
            network(ethertype, b, meta)
        }
        _ => None,
    }
}

fn network(ethertype: u16, b: &[u8], meta: &mut PacketMeta) -> Option<Kind> {
    let (proto, payload) = match ethertype {
        0x0800 => {
            let ihl = usize::from(b.first()? & 0x0f) * 4;
            let total = usize::from(be16(b, 2)?);
            let frag = be16(b, 6)?;
            if frag & 0x3fff != 0 {
                return Some(Kind::Other);
            }
            meta.src_ip = Some(IpAddr::V4(Ipv4Addr::from(be32(b, 12)?)));
            meta.dst_ip = Some(IpAddr::V4(Ipv4Addr::from(be32(b, 16)?)));
            (*b.get(9)?, b.get(ihl..total.min(b.len()))?)
        }
        0x86dd => {
            let plen = usize::from(be16(b, 4)?);
            let src: [u8; 16] = b.get(8..24)?.try_into().ok()?;
            let dst: [u8; 16] = b.get(24..40)?.try_into().ok()?;
            meta.src_ip = Some(IpAddr::V6(Ipv6Addr::from(src)));
            meta.dst_ip = Some(IpAddr::V6(Ipv6Addr::from(dst)));
            let mut next = *b.get(6)?;
            let mut rest = b.get(40..(40 + plen).min(b.len()))?;
            while matches!(next, 0 | 43 | 60) {
                next = *rest.first()?;
                rest = rest.get((usize::from(*rest.get(1)?) + 1) * 8..)?;
            }
            (next, rest)
        }
        _ => return Some(Kind::Ether { ethertype, payload: b.to_vec() }),
    };
    meta.src_port = be16(payload, 0)?;
    meta.dst_port = be16(payload, 2)?;
    match proto {
        6 => {
            let off = usize::from(payload.get(12)? >> 4) * 4;
            let syn = payload.get(13)? & 0x02 != 0;
            Some(Kind::Tcp { seq: be32(payload, 4)?, syn, payload: payload.get(off..)?.to_vec() })
        }
        17 => {
            let len = usize::from(be16(payload, 4)?);
            Some(Kind::Udp(payload.get(8..len.clamp(8, payload.len()))?.to_vec()))
        }
        _ => Some(Kind::Other),
    }
}

fn side(ports: &[u16], meta: &PacketMeta) -> Option<Side> {
    if ports.contains(&meta.dst_port) {
        Some(Side::Client)
    } else if ports.contains(&meta.src_port) {
        Some(Side::Server)
    } else {
        None
    }
}

#[derive(Default)]
struct Direction {
    next: Option<u32>,
    buf: Vec<u8>,
    abandoned: bool,
}

/// What a decoder produced over a capture, and how many messages it was handed.
pub struct Run {
    pub sink: Sink,
    pub messages: usize,
}

/// The messages of a TCP protocol in a capture: each direction's bytes are put in sequence order
/// (retransmitted bytes dropped, a gap restarts the stream) and cut by the protocol's framing; each message
/// comes with the metadata of the frame that completed it (as Wireshark reports a reassembled message).
pub fn tcp_messages(frames: &[Frame], proto: &TcpProtocol) -> Vec<(PacketMeta, Side, Vec<u8>)> {
    let mut streams: HashMap<(Option<IpAddr>, u16, Option<IpAddr>, u16), Direction> = HashMap::new();
    let mut out = Vec::new();
    for f in frames {
        let Kind::Tcp { seq, syn, payload } = &f.kind else { continue };
        let Some(side) = side(proto.ports, &f.meta) else { continue };
        let m = &f.meta;
        let d = streams.entry((m.src_ip, m.src_port, m.dst_ip, m.dst_port)).or_default();
        let mut seq = *seq;
        if *syn {
            seq = seq.wrapping_add(1);
            d.next = Some(seq);
        }
        if payload.is_empty() || d.abandoned {
            continue;
        }
        let next = *d.next.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next) as i32;
        let mut data = payload.as_slice();
        if ahead < 0 {
            let old = ahead.unsigned_abs() as usize;
            if old >= data.len() {
                continue;
            }
            data = &data[old..];
        } else if ahead > 0 {
            d.buf.clear();
        }
        d.buf.extend_from_slice(data);
        d.next = Some(seq.wrapping_add(payload.len() as u32));
        loop {
            match (proto.framing)(&d.buf) {
                Framing::NeedMore => break,
                Framing::NotThisProtocol => {
                    d.abandoned = true;
                    d.buf.clear();
                    break;
                }
                Framing::Message(n) => {
                    assert!(n > 0, "{}: framing took no bytes", proto.name);
                    if n > d.buf.len() {
                        break;
                    }
                    out.push((*m, side, d.buf.drain(..n).collect()));
                }
            }
        }
    }
    out
}

/// Runs a TCP protocol's decoder over the messages [`tcp_messages`] finds.
pub fn run_tcp(frames: &[Frame], proto: &TcpProtocol) -> Run {
    let mut run = Run { sink: Sink::default(), messages: 0 };
    for (meta, side, msg) in tcp_messages(frames, proto) {
        run.messages += 1;
        (proto.decode)(&meta, side, &msg, &mut run.sink);
    }
    run
}

/// Runs a UDP protocol over a capture, one datagram at a time.
pub fn run_udp(frames: &[Frame], proto: &UdpProtocol) -> Run {
    let mut run = Run { sink: Sink::default(), messages: 0 };
    for f in frames {
        let Kind::Udp(payload) = &f.kind else { continue };
        let Some(side) = side(proto.ports, &f.meta) else { continue };
        run.messages += 1;
        (proto.decode)(&f.meta, side, payload, &mut run.sink);
    }
    run
}

/// Runs a layer-2 protocol over a capture.
pub fn run_ether(frames: &[Frame], proto: &EtherProtocol) -> Run {
    let mut run = Run { sink: Sink::default(), messages: 0 };
    for f in frames {
        let Kind::Ether { ethertype, payload } = &f.kind else { continue };
        if *ethertype == proto.ethertype {
            run.messages += 1;
            (proto.decode)(&f.meta, payload, &mut run.sink);
        }
    }
    run
}

pub fn tcp_proto(name: &str) -> &'static TcpProtocol {
    cpsf_pcap::proto::tcp().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} registered"))
}

pub fn udp_proto(name: &str) -> &'static UdpProtocol {
    cpsf_pcap::proto::udp().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} registered"))
}

pub fn ether_proto(name: &str) -> &'static EtherProtocol {
    cpsf_pcap::proto::ether().iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} registered"))
}

/// Observations as one line each: `frame ip field=value; field=value`, for readable assertions.
pub fn lines(obs: &[Observation]) -> Vec<String> {
    obs.iter()
        .map(|o| {
            let who = match (o.device.ip, o.device.mac) {
                (Some(ip), _) => ip.to_string(),
                (None, Some(mac)) => mac.to_string(),
                (None, None) => "?".into(),
            };
            let fields: Vec<String> = o.fields.iter().map(|(f, v)| format!("{}={v}", f.as_str())).collect();
            format!("{} {who} {}", o.frame, fields.join("; "))
        })
        .collect()
}

/// The values of one field, per frame, over all observations.
pub fn values(obs: &[Observation], field: Field) -> BTreeMap<u64, Vec<String>> {
    let mut out: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for o in obs {
        for (f, v) in &o.fields {
            if *f == field {
                let e = out.entry(o.frame).or_default();
                if !e.contains(v) {
                    e.push(v.clone());
                }
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// Whether tshark can be run; prints the skip notice when not.
pub fn have_tshark() -> bool {
    let ok = Command::new("tshark").arg("-v").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: tshark not installed");
    }
    ok
}

/// tshark's values for `fields` on the frames `filter` selects: per frame, per field, every occurrence.
pub fn tshark(path: &Path, opts: &[&str], filter: &str, fields: &[&str]) -> BTreeMap<u64, Vec<Vec<String>>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(path);
    for o in opts {
        cmd.arg("-o").arg(o);
    }
    cmd.args(["-Y", filter, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=\u{1e}"]);
    cmd.args(["-e", "frame.number"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut cols = line.split('\t');
        let Some(frame) = cols.next().and_then(|f| f.parse::<u64>().ok()) else { continue };
        let vals = cols
            .map(|c| if c.is_empty() { Vec::new() } else { c.split('\u{1e}').map(str::to_string).collect() })
            .collect();
        rows.insert(frame, vals);
    }
    rows
}

/// Sorted, deduplicated.
pub fn set(v: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

/// Writes a classic pcap (Ethernet, microseconds) of IPv4 TCP or UDP packets built in a test.
pub struct PcapOut {
    pub bytes: Vec<u8>,
    count: u32,
}

pub struct Endpoint {
    pub mac: [u8; 6],
    pub ip: [u8; 4],
    pub port: u16,
}

impl PcapOut {
    pub fn new() -> Self {
        let mut bytes = Vec::new();
        bytes.extend(0xa1b2_c3d4u32.to_le_bytes());
        bytes.extend(2u16.to_le_bytes());
        bytes.extend(4u16.to_le_bytes());
        bytes.extend([0u8; 8]);
        bytes.extend(65535u32.to_le_bytes());
        bytes.extend(1u32.to_le_bytes());
        PcapOut { bytes, count: 0 }
    }

    /// One IPv4 packet; `tcp_seq` makes it a TCP segment (PSH+ACK) with that sequence number, else UDP.
    pub fn packet(&mut self, from: &Endpoint, to: &Endpoint, tcp_seq: Option<u32>, payload: &[u8]) {
        let mut l4 = Vec::new();
        l4.extend(from.port.to_be_bytes());
        l4.extend(to.port.to_be_bytes());
        let proto = match tcp_seq {
            Some(seq) => {
                l4.extend(seq.to_be_bytes());
                l4.extend(1u32.to_be_bytes());
                l4.extend([0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
                6
            }
            None => {
                l4.extend(((8 + payload.len()) as u16).to_be_bytes());
                l4.extend([0, 0]);
                17
            }
        };
        l4.extend_from_slice(payload);
        let mut ip = vec![0x45, 0];
        ip.extend(((20 + l4.len()) as u16).to_be_bytes());
        ip.extend([0, 1, 0x40, 0, 64, proto, 0, 0]);
        ip.extend(from.ip);
        ip.extend(to.ip);
        let s = ip.chunks(2).fold(0u32, |s, c| s + u32::from(u16::from_be_bytes([c[0], c[1]])));
        let checksum = !(((s & 0xffff) + (s >> 16)) as u16);
        ip[10..12].copy_from_slice(&checksum.to_be_bytes());
        ip.extend(l4);
        let mut frame = Vec::new();
        frame.extend(to.mac);
        frame.extend(from.mac);
        frame.extend(0x0800u16.to_be_bytes());
        frame.extend(ip);
        self.count += 1;
        self.bytes.extend((1_700_000_000u32 + self.count).to_le_bytes());
        self.bytes.extend(0u32.to_le_bytes());
        self.bytes.extend((frame.len() as u32).to_le_bytes());
        self.bytes.extend((frame.len() as u32).to_le_bytes());
        self.bytes.extend(frame);
    }

    /// Writes the capture to a file in the temporary folder, removed when the result is dropped; with
    /// `CPSF_PCAP_KEEP=DIR` it is written to `DIR/NAME` and kept (to look at it with tshark).
    pub fn write(&self, name: &str) -> TempFile {
        let keep = std::env::var_os("CPSF_PCAP_KEEP").map(PathBuf::from);
        let path = match &keep {
            Some(dir) => dir.join(name),
            None => std::env::temp_dir().join(format!("cpsf-pcap-it-{}-{name}", std::process::id())),
        };
        std::fs::write(&path, &self.bytes).expect("write capture");
        TempFile(path, keep.is_some())
    }
}

/// A file that is removed when dropped (unless kept).
pub struct TempFile(PathBuf, bool);

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}
