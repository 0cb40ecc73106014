//! Test-only plumbing for the protocol decoder tests: frames as `frames::read` gives them (the crate's own
//! reader), TCP stream reassembly per direction feeding a decoder's framing, a pcap writer for captures built in
//! tests, and a tshark runner to compare with.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use cpsf_pcap::model::{Field, Observation, PacketMeta, Side, Sink};
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

/// Reads every packet of a capture file (through [`crate::frames::read`]); every fragment of a fragmented IP
/// datagram counts as `Other`.
pub fn read(path: &Path) -> Vec<Frame> {
    use crate::frames::Carrier;
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    crate::frames::read(&data)
        .into_iter()
        .map(|f| {
            let kind = match f.carrier {
                _ if f.fragment => Kind::Other,
                Carrier::Tcp { seq, flags } => Kind::Tcp { seq, syn: flags & 0x02 != 0, payload: f.payload },
                Carrier::Udp => Kind::Udp(f.payload),
                Carrier::Ether(ethertype) => Kind::Ether { ethertype, payload: f.payload },
                Carrier::Other => Kind::Other,
            };
            Frame { meta: f.meta, kind }
        })
        .collect()
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
