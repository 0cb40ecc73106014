//! Discovery over capture files: every packet decoded once, counted in the communication matrix, TCP
//! connections a decoder claims reassembled, UDP datagrams and layer-2 frames handed to their decoders, and
//! the decoders' observations folded per device as they come (so memory follows the number of devices,
//! conversations and open connections, not the capture's length). At the end, addresses are merged into
//! devices and each device's identity facts are grouped by field with the frames that stated them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

use crate::capture::{CaptureReader, Format, Packet, link_type_supported};
use crate::decode::{self, Net, Transport as L4, tcp_flags};
use crate::matrix::{FlowKey, Matrix, server_port};
use crate::model::{DeviceKey, Field, Flow, Mac, Micros, PacketMeta, Side, Sink, Transport};
use crate::oui;
use crate::proto::UdpProtocol;
use crate::reassembly::{Reassembler, TcpStats};
use crate::registry::{Lookup, Registry, side};

/// How discovery runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The decoders (default: the crate's own).
    pub registry: Registry,
    /// IEEE registry CSV files to read MAC vendors from; [`oui::SYSTEM_OUI_CSV`] is read too when present and
    /// `system_oui` is set. The built-in table answers for OUIs no file names.
    pub oui_files: Vec<PathBuf>,
    pub system_oui: bool,
    /// A connection with no packet for this long (capture time) is forgotten, its buffers freed.
    pub idle_timeout: Micros,
    /// Bytes each direction of a reassembled connection may hold (in order or out of order).
    pub stream_limit: usize,
    /// At most this many frames are kept as evidence for one value of one field.
    pub max_evidence: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            registry: Registry::default(),
            oui_files: Vec::new(),
            system_oui: true,
            idle_timeout: 600 * 1_000_000,
            stream_limit: 256 * 1024,
            max_evidence: 8,
        }
    }
}

/// What discovery found, and what it could not read.
#[derive(Clone, Debug, Serialize)]
pub struct Discovery {
    pub files: Vec<FileSummary>,
    pub devices: Vec<Device>,
    pub flows: Vec<Flow>,
    pub counters: Counters,
    /// Problems worth telling: unreadable or truncated files, skipped link types.
    pub warnings: Vec<String>,
}

/// One capture file.
#[derive(Clone, Debug, Serialize)]
pub struct FileSummary {
    pub path: String,
    /// `None` when the file could not be opened or is not a capture.
    pub format: Option<Format>,
    pub packets: u64,
    /// Bytes of the file read (up to where reading stopped).
    pub bytes: u64,
    pub first: Option<Micros>,
    pub last: Option<Micros>,
    /// Why reading stopped before the end, or could not start.
    pub error: Option<String>,
}

/// Totals over all files.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counters {
    pub packets: u64,
    /// Bytes of the packets on the wire.
    pub bytes: u64,
    /// Packets that could not be read, by the layer they broke at (`link`, `vlan`, `llc`, `ipv4`, `ipv6`,
    /// `tcp`, `udp`).
    pub malformed: BTreeMap<String, u64>,
    /// Messages a decoder recognised but could not read, by protocol.
    pub malformed_messages: BTreeMap<String, u64>,
    /// Packets of link types discovery does not decode, by link type number.
    pub skipped_link_types: BTreeMap<u32, u64>,
    /// IP fragments (every fragment; only a first fragment's transport header is used).
    pub ip_fragments: u64,
    pub tcp: TcpStats,
    /// Identity observations the decoders made.
    pub observations: u64,
    /// Files that could not be read to their end.
    pub files_with_errors: u64,
}

/// A device: the addresses merged into it, its vendor by MAC, when it was seen, what it spoke, and what it
/// said about itself.
#[derive(Clone, Debug, Serialize)]
pub struct Device {
    pub ips: Vec<IpAddr>,
    pub macs: Vec<Mac>,
    /// The vendor of the first MAC whose OUI is known.
    pub mac_vendor: Option<String>,
    pub vlans: Vec<u16>,
    pub first_seen: Micros,
    pub last_seen: Micros,
    pub protocols: Vec<ProtocolUse>,
    pub identity: Vec<Fact>,
}

/// A protocol a device spoke: as client (it sent first, or towards the server port; for layer-2 protocols, the
/// sender) or as server.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ProtocolUse {
    pub protocol: String,
    pub client: bool,
    pub server: bool,
}

/// The values one field took for a device, most frequent first.
#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    pub field: Field,
    pub values: Vec<FactValue>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FactValue {
    pub value: String,
    /// How many messages stated it.
    pub count: u64,
    pub protocols: Vec<&'static str>,
    /// The first frames that stated it.
    pub evidence: Vec<Evidence>,
}

/// A frame of a file (an index into [`Discovery::files`]).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Evidence {
    pub file: usize,
    pub frame: u64,
}

impl Device {
    /// The device's key for display: its first IP and first MAC.
    pub fn key(&self) -> DeviceKey {
        DeviceKey { ip: self.ips.first().copied(), mac: self.macs.first().copied() }
    }

    /// The most frequent value of a field.
    pub fn best(&self, field: Field) -> Option<&str> {
        self.identity.iter().find(|f| f.field == field).and_then(|f| f.values.first()).map(|v| v.value.as_str())
    }

    /// Every value of a field, most frequent first.
    pub fn values(&self, field: Field) -> impl Iterator<Item = &str> {
        self.identity.iter().filter(move |f| f.field == field).flat_map(|f| f.values.iter().map(|v| v.value.as_str()))
    }
}

/// Discover devices and flows in capture files. A file that cannot be read is a warning; the others are read.
pub fn discover(paths: &[PathBuf], options: &Options) -> Discovery {
    let mut engine = Engine::new(options);
    for path in paths {
        match std::fs::File::open(path) {
            Ok(file) => engine.read(path, file),
            Err(e) => engine.unreadable(path, &e.to_string()),
        }
    }
    engine.finish()
}

/// Discover over in-memory captures (tests, fuzzing): each is (name, bytes).
pub fn discover_bytes(captures: &[(&str, &[u8])], options: &Options) -> Discovery {
    let mut engine = Engine::new(options);
    for (name, bytes) in captures {
        engine.read(Path::new(name), *bytes);
    }
    engine.finish()
}

/// Connections are looked up by both endpoints, lower first: addresses as 128-bit numbers (IPv4 in the low
/// 32 bits, told apart by `kind`), so hashing and ordering are a few integer operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct ConnKey {
    lo: (u128, u16),
    hi: (u128, u16),
    /// VLAN id + 1, 0 for none.
    vlan: u16,
    /// Bit 0: TCP; bit 1: IPv6.
    kind: u8,
}

fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_bits()),
        IpAddr::V6(v6) => v6.to_bits(),
    }
}

struct Conn {
    row: u32,
    /// The matrix direction of packets sent by `lo`.
    lo_dir: u8,
    /// Which side `lo` is of the protocol that decodes this connection (`hi` is the other).
    lo_side: Side,
    /// The UDP decoder of a UDP "connection".
    udp: Option<&'static UdpProtocol>,
    last: Micros,
    /// FIN seen from lo (bit 0) and hi (bit 1); closed on both or on RST.
    fins: u8,
    closed: bool,
    reassembly: Option<Box<Reassembler>>,
}

#[derive(Default)]
struct ObsAgg {
    count: u64,
    protocols: Vec<&'static str>,
    evidence: Vec<Evidence>,
    first: Micros,
}

/// A closed connection is kept this long (capture time) so its late packets (a last ACK, a retransmitted FIN)
/// count on the same row. Short, because a busy network closes thousands of connections a second.
const CLOSED_LINGER: Micros = 10 * 1_000_000;
/// A UDP conversation is forgotten after this long without a datagram (it holds no state but a cached row).
const UDP_IDLE: Micros = 30 * 1_000_000;
/// Connections are swept for idleness at most this often (capture time).
const SWEEP_EVERY: Micros = 5 * 1_000_000;

struct Engine<'o> {
    options: &'o Options,
    lookup: Lookup,
    matrix: Matrix,
    conns: HashMap<ConnKey, Conn>,
    next_sweep: Micros,
    sink: Sink,
    observations: HashMap<(DeviceKey, Field, String), ObsAgg>,
    files: Vec<FileSummary>,
    counters: Counters,
    warnings: Vec<String>,
    malformed: [u64; 7],
}

impl<'o> Engine<'o> {
    fn new(options: &'o Options) -> Self {
        Engine {
            options,
            lookup: Lookup::new(options.registry),
            matrix: Matrix::new(),
            conns: HashMap::with_capacity(4096),
            next_sweep: Micros::MIN,
            sink: Sink::default(),
            observations: HashMap::new(),
            files: Vec::new(),
            counters: Counters::default(),
            warnings: Vec::new(),
            malformed: [0; 7],
        }
    }

    fn unreadable(&mut self, path: &Path, why: &str) {
        self.warnings.push(format!("{}: {why}", path.display()));
        self.counters.files_with_errors += 1;
        self.files.push(FileSummary {
            path: path.display().to_string(),
            format: None,
            packets: 0,
            bytes: 0,
            first: None,
            last: None,
            error: Some(why.to_string()),
        });
    }

    fn read<R: std::io::Read>(&mut self, path: &Path, reader: R) {
        let name = path.display().to_string();
        let mut reader = match CaptureReader::new(reader) {
            Ok(r) => r,
            Err(e) => return self.unreadable(path, &e.to_string()),
        };
        let file = self.files.len();
        let mut summary = FileSummary {
            path: name.clone(),
            format: Some(reader.format()),
            packets: 0,
            bytes: 0,
            first: None,
            last: None,
            error: None,
        };
        // Connections do not carry over from one file to the next (frame numbers restart).
        self.conns.clear();
        self.next_sweep = Micros::MIN;
        let mut skipped: BTreeMap<u32, u64> = BTreeMap::new();
        let mut frame = 0u64;
        loop {
            let packet = match reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(e) => {
                    let message = match e.offset() {
                        Some(offset) => format!("{name}: byte {offset}: {e}; the packets before it were read"),
                        None => format!("{name}: {e}"),
                    };
                    self.warnings.push(message);
                    summary.error = Some(e.to_string());
                    self.counters.files_with_errors += 1;
                    break;
                }
            };
            frame += 1;
            summary.first = Some(summary.first.map_or(packet.ts, |f| f.min(packet.ts)));
            summary.last = Some(summary.last.map_or(packet.ts, |l| l.max(packet.ts)));
            if !link_type_supported(packet.link_type) {
                *skipped.entry(packet.link_type).or_default() += 1;
                self.counters.packets += 1;
                self.counters.bytes += u64::from(packet.orig_len);
                continue;
            }
            self.packet(file, frame, &packet);
        }
        summary.packets = frame;
        summary.bytes = reader.offset();
        for (link_type, n) in skipped {
            self.warnings.push(format!("{name}: {n} packets of link type {link_type} skipped (not decoded)"));
            *self.counters.skipped_link_types.entry(link_type).or_default() += n;
        }
        let mut stats = TcpStats::default();
        for conn in self.conns.values_mut() {
            if let Some(r) = &mut conn.reassembly {
                r.close(&mut stats);
            }
        }
        self.counters.tcp.gaps += stats.gaps;
        self.conns.clear();
        self.files.push(summary);
    }

    #[inline]
    fn packet(&mut self, file: usize, frame: u64, packet: &Packet<'_>) {
        self.counters.packets += 1;
        let wire = u64::from(packet.orig_len);
        self.counters.bytes += wire;
        let ts = packet.ts;
        if ts >= self.next_sweep {
            self.sweep(ts);
        }
        let f = match decode::decode(packet.link_type, packet.data) {
            Ok(f) => f,
            Err(layer) => {
                if let Some(n) = self.malformed.get_mut(layer as usize) {
                    *n += 1;
                }
                return;
            }
        };
        let mut meta = PacketMeta {
            frame,
            ts,
            src_mac: f.src_mac,
            dst_mac: f.dst_mac,
            vlan: f.vlan,
            src_ip: None,
            dst_ip: None,
            src_port: 0,
            dst_port: 0,
        };
        match f.net {
            Net::Ether { ethertype, payload } => {
                let key = FlowKey {
                    src: meta.source(),
                    dst: meta.destination(),
                    vlan: f.vlan,
                    transport: Transport::Ethernet,
                    port: ethertype,
                };
                let at = self.matrix.row(key, true);
                self.matrix.count(at, wire, ts);
                if let Some(p) = self.lookup.ether(ethertype) {
                    (p.decode)(&meta, payload, &mut self.sink);
                }
            }
            Net::Llc { dsap, .. } => {
                let key = FlowKey {
                    src: meta.source(),
                    dst: meta.destination(),
                    vlan: f.vlan,
                    transport: Transport::Ethernet,
                    port: u16::from(dsap),
                };
                let at = self.matrix.row(key, true);
                self.matrix.count(at, wire, ts);
            }
            Net::Ip(ip) => {
                meta.src_ip = Some(ip.src);
                meta.dst_ip = Some(ip.dst);
                if ip.fragment {
                    self.counters.ip_fragments += 1;
                }
                match ip.transport {
                    L4::Tcp(tcp) => {
                        meta.src_port = tcp.src_port;
                        meta.dst_port = tcp.dst_port;
                        self.connection(&meta, true, tcp.flags, wire, Some(&tcp), &[]);
                    }
                    L4::Udp { src_port, dst_port, payload } => {
                        meta.src_port = src_port;
                        meta.dst_port = dst_port;
                        self.connection(&meta, false, 0, wire, None, payload);
                    }
                    L4::LaterFragment => {}
                    L4::Other(_) => {
                        let key = FlowKey {
                            src: meta.source(),
                            dst: meta.destination(),
                            vlan: f.vlan,
                            transport: Transport::Ip,
                            port: u16::from(ip.protocol),
                        };
                        let at = self.matrix.row(key, true);
                        self.matrix.count(at, wire, ts);
                    }
                }
            }
        }
        if !self.sink.observations.is_empty() {
            self.fold(file);
        }
    }

    /// Count a TCP or UDP packet on its connection's row, and hand its payload on.
    #[inline]
    fn connection(
        &mut self,
        meta: &PacketMeta,
        is_tcp: bool,
        flags: u8,
        wire: u64,
        tcp: Option<&decode::Tcp<'_>>,
        udp_payload: &[u8],
    ) {
        let (Some(src_ip), Some(dst_ip)) = (meta.src_ip, meta.dst_ip) else { return };
        let a = (ip_bits(src_ip), meta.src_port);
        let b = (ip_bits(dst_ip), meta.dst_port);
        let from_lo = a <= b;
        let (lo, hi) = if from_lo { (a, b) } else { (b, a) };
        let vlan = meta.vlan.map_or(0, |v| v.wrapping_add(1));
        let kind = u8::from(is_tcp) | (u8::from(src_ip.is_ipv6()) << 1);
        let key = ConnKey { lo, hi, vlan, kind };
        let syn_only = is_tcp && flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN;
        let ts = meta.ts;
        let conn = match self.conns.get_mut(&key) {
            Some(c) if !(c.closed && syn_only) => c,
            _ => {
                let conn = self.open(meta, is_tcp, flags, from_lo);
                self.conns.insert(key, conn);
                match self.conns.get_mut(&key) {
                    Some(c) => c,
                    None => return,
                }
            }
        };
        conn.last = ts;
        let dir = if from_lo { conn.lo_dir } else { 1 - conn.lo_dir };
        let side = match (from_lo, conn.lo_side) {
            (true, s) => s,
            (false, Side::Client) => Side::Server,
            (false, Side::Server) => Side::Client,
            (false, Side::Unknown) => Side::Unknown,
        };
        self.matrix.count(crate::matrix::RowRef { row: conn.row, dir }, wire, ts);
        if let Some(tcp) = tcp {
            if let Some(r) = &mut conn.reassembly {
                r.segment(
                    usize::from(!from_lo),
                    tcp,
                    meta,
                    side,
                    self.options.stream_limit,
                    &mut self.sink,
                    &mut self.counters.tcp,
                );
                if r.finished() {
                    // Both directions ended or were given up: the buffers go, the connection stays counted.
                    r.close(&mut self.counters.tcp);
                    conn.reassembly = None;
                }
            }
            if flags & tcp_flags::RST != 0 {
                conn.closed = true;
            } else if flags & tcp_flags::FIN != 0 {
                conn.fins |= if from_lo { 1 } else { 2 };
                if conn.fins == 3 {
                    conn.closed = true;
                }
            }
            if conn.closed
                && let Some(r) = &mut conn.reassembly
            {
                r.close(&mut self.counters.tcp);
                conn.reassembly = None;
            }
        } else if let Some(p) = conn.udp {
            (p.decode)(meta, side, udp_payload, &mut self.sink);
        }
    }

    /// A new connection: decide the server port (a SYN says it; otherwise the port rule), find its row, and
    /// start reassembly when a decoder claims the port.
    fn open(&mut self, meta: &PacketMeta, is_tcp: bool, flags: u8, from_lo: bool) -> Conn {
        let transport = if is_tcp { Transport::Tcp } else { Transport::Udp };
        let (sp, dp) = (meta.src_port, meta.dst_port);
        let server = if is_tcp && flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN {
            dp
        } else if is_tcp && flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN | tcp_flags::ACK {
            sp
        } else {
            server_port(&self.lookup, transport, sp, dp)
        };
        // The client is the side not on the server port; when both ports are the same, the sender.
        let sender_is_client = server == dp;
        let (client, srv) =
            if sender_is_client { (meta.source(), meta.destination()) } else { (meta.destination(), meta.source()) };
        let key = FlowKey { src: client, dst: srv, vlan: meta.vlan, transport, port: server };
        let at = self.matrix.row(key, sp == dp);
        let sender_dir = if sender_is_client { at.dir } else { 1 - at.dir };
        let lo_dir = if from_lo { sender_dir } else { 1 - sender_dir };
        let other = if server == dp { sp } else { dp };
        let (reassembly, udp, ports) = if is_tcp {
            let p = self.lookup.tcp_protocol(server, other);
            (p.map(|p| Box::new(Reassembler::new(p))), None, p.map_or(&[][..], |p| p.ports))
        } else {
            let p = self.lookup.udp_protocol(sp, dp);
            (None, p, p.map_or(&[][..], |p| p.ports))
        };
        let sender_side = side(ports, sp, dp);
        let lo_side = match (from_lo, sender_side) {
            (true, s) => s,
            (false, Side::Client) => Side::Server,
            (false, Side::Server) => Side::Client,
            (false, Side::Unknown) => Side::Unknown,
        };
        Conn { row: at.row, lo_dir, lo_side, udp, last: meta.ts, fins: 0, closed: false, reassembly }
    }

    /// Forget idle connections and closed ones past their linger.
    fn sweep(&mut self, now: Micros) {
        let idle = self.options.idle_timeout;
        let mut stats = TcpStats::default();
        self.conns.retain(|k, c| {
            let quiet = now.saturating_sub(c.last);
            let keep = if c.closed {
                quiet < CLOSED_LINGER
            } else if k.kind & 1 == 0 {
                // A UDP entry only caches what its key gives again (row, direction, decoder).
                quiet < UDP_IDLE.min(idle)
            } else {
                quiet < idle
            };
            if !keep && let Some(r) = &mut c.reassembly {
                r.close(&mut stats);
            }
            keep
        });
        self.counters.tcp.gaps += stats.gaps;
        if self.conns.capacity() > 4096 && self.conns.capacity() > 4 * self.conns.len() {
            self.conns.shrink_to(2 * self.conns.len());
        }
        self.next_sweep = now.saturating_add(SWEEP_EVERY);
    }

    /// Move the decoders' observations into the per-device aggregate.
    fn fold(&mut self, file: usize) {
        let max = self.options.max_evidence;
        for o in self.sink.observations.drain(..) {
            self.counters.observations += 1;
            for (field, value) in o.fields {
                let value = value.trim().to_string();
                if value.is_empty() {
                    continue;
                }
                let agg = self
                    .observations
                    .entry((o.device, field, value))
                    .or_insert_with(|| ObsAgg { first: o.ts, ..ObsAgg::default() });
                agg.count += 1;
                if !agg.protocols.contains(&o.protocol) {
                    agg.protocols.push(o.protocol);
                }
                let ev = Evidence { file, frame: o.frame };
                if agg.evidence.len() < max && !agg.evidence.contains(&ev) {
                    agg.evidence.push(ev);
                }
            }
        }
    }

    fn finish(mut self) -> Discovery {
        for (i, n) in self.malformed.iter().enumerate() {
            if *n > 0 {
                let layer = [
                    decode::Layer::Link,
                    decode::Layer::Vlan,
                    decode::Layer::Llc,
                    decode::Layer::Ipv4,
                    decode::Layer::Ipv6,
                    decode::Layer::Tcp,
                    decode::Layer::Udp,
                ]
                .get(i)
                .map_or("other", |l| l.as_str());
                *self.counters.malformed.entry(layer.to_string()).or_default() += n;
            }
        }
        for (protocol, n) in &self.sink.malformed {
            *self.counters.malformed_messages.entry((*protocol).to_string()).or_default() += n;
        }
        let flows = self.matrix.flows(&self.lookup);
        let devices = build_devices(&flows, self.observations, self.options, &mut self.warnings);
        Discovery { files: self.files, devices, flows, counters: self.counters, warnings: self.warnings }
    }
}

/// An address that names one device (not a broadcast, multicast or unspecified one).
fn unicast_ip(ip: Option<IpAddr>) -> Option<IpAddr> {
    let ip = ip?;
    let ok = match ip {
        IpAddr::V4(v4) => !(v4.is_unspecified() || v4.is_multicast() || v4.is_broadcast()),
        IpAddr::V6(v6) => !(v6.is_unspecified() || v6.is_multicast()),
    };
    ok.then_some(ip)
}

fn unicast_mac(mac: Option<Mac>) -> Option<Mac> {
    mac.filter(|m| !m.is_multicast() && m.0 != [0; 6])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Ip(IpAddr),
    Mac(Mac),
}

/// Union-find over addresses.
struct Groups {
    index: HashMap<Node, usize>,
    parent: Vec<usize>,
    nodes: Vec<Node>,
}

impl Groups {
    fn node(&mut self, n: Node) -> usize {
        if let Some(&i) = self.index.get(&n) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.nodes.push(n);
        self.index.insert(n, i);
        i
    }

    fn root(&mut self, mut i: usize) -> usize {
        while let Some(&p) = self.parent.get(i) {
            if p == i {
                break;
            }
            let gp = self.parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(i) {
                *slot = gp;
            }
            i = p;
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb
            && let Some(slot) = self.parent.get_mut(ra.max(rb))
        {
            *slot = ra.min(rb);
        }
    }
}

/// The addresses each MAC was seen with, and which MACs belong to one host (so merge with its IPs): a MAC seen
/// with at most one IPv4 address and a few IPv6 ones. A MAC behind many addresses is a router's or a
/// multi-homed host's, and joins nothing.
fn owned_macs(keys: &[DeviceKey]) -> BTreeSet<Mac> {
    let mut ips: BTreeMap<Mac, BTreeSet<IpAddr>> = BTreeMap::new();
    for k in keys {
        if let (Some(mac), Some(ip)) = (unicast_mac(k.mac), unicast_ip(k.ip)) {
            ips.entry(mac).or_default().insert(ip);
        }
    }
    ips.into_iter()
        .filter(|(_, set)| {
            let v4 = set.iter().filter(|ip| ip.is_ipv4()).count();
            v4 <= 1 && set.len() - v4 <= 3
        })
        .map(|(mac, _)| mac)
        .collect()
}

fn build_devices(
    flows: &[Flow],
    observations: HashMap<(DeviceKey, Field, String), ObsAgg>,
    options: &Options,
    warnings: &mut Vec<String>,
) -> Vec<Device> {
    // Every address pair seen: flow ends (a destination only when it names one device) and observed devices.
    let mut keys: Vec<DeviceKey> = Vec::new();
    for f in flows {
        keys.push(f.src);
        keys.push(f.dst);
    }
    keys.extend(observations.keys().map(|(k, _, _)| *k));
    let owned = owned_macs(&keys);
    let mut groups = Groups { index: HashMap::new(), parent: Vec::new(), nodes: Vec::new() };
    // The group of a key, if it names a device.
    let group_of = |k: DeviceKey, groups: &mut Groups| -> Option<usize> {
        let ip = unicast_ip(k.ip);
        let mac = unicast_mac(k.mac);
        match (ip, mac) {
            (Some(ip), Some(mac)) if owned.contains(&mac) => {
                let a = groups.node(Node::Ip(ip));
                let b = groups.node(Node::Mac(mac));
                groups.union(a, b);
                Some(a)
            }
            (Some(ip), _) => Some(groups.node(Node::Ip(ip))),
            (None, Some(mac)) if k.ip.is_none() || owned.contains(&mac) || k.ip.is_some_and(|i| i.is_unspecified()) => {
                Some(groups.node(Node::Mac(mac)))
            }
            _ => None,
        }
    };
    struct Acc {
        vlans: BTreeSet<u16>,
        first: Micros,
        last: Micros,
        protocols: BTreeMap<String, (bool, bool)>,
        facts: BTreeMap<Field, Vec<(String, ObsAgg)>>,
    }
    let new_acc = || Acc {
        vlans: BTreeSet::new(),
        first: Micros::MAX,
        last: Micros::MIN,
        protocols: BTreeMap::new(),
        facts: BTreeMap::new(),
    };
    let mut flow_groups = Vec::with_capacity(flows.len());
    for f in flows {
        let s = group_of(f.src, &mut groups);
        let d = group_of(f.dst, &mut groups);
        flow_groups.push((s, d));
    }
    let obs: Vec<((DeviceKey, Field, String), ObsAgg)> = observations.into_iter().collect();
    let obs_groups: Vec<Option<usize>> = obs.iter().map(|((k, _, _), _)| group_of(*k, &mut groups)).collect();
    // Groups are final now; gather per root.
    let mut acc: HashMap<usize, Acc> = HashMap::new();
    for (f, (s, d)) in flows.iter().zip(flow_groups) {
        for (g, client) in [(s, true), (d, false)] {
            let Some(g) = g else { continue };
            let root = groups.root(g);
            let a = acc.entry(root).or_insert_with(new_acc);
            if let Some(v) = f.vlan {
                a.vlans.insert(v);
            }
            a.first = a.first.min(f.first);
            a.last = a.last.max(f.last);
            let e = a.protocols.entry(f.protocol.clone()).or_insert((false, false));
            if client {
                e.0 = true;
            } else {
                e.1 = true;
            }
        }
    }
    for (((_, field, value), agg), g) in obs.into_iter().zip(obs_groups) {
        let Some(g) = g else { continue };
        let root = groups.root(g);
        let a = acc.entry(root).or_insert_with(new_acc);
        a.first = a.first.min(agg.first);
        a.last = a.last.max(agg.first);
        let values = a.facts.entry(field).or_default();
        match values.iter_mut().find(|(v, _)| *v == value) {
            Some((_, have)) => {
                have.count += agg.count;
                for p in agg.protocols {
                    if !have.protocols.contains(&p) {
                        have.protocols.push(p);
                    }
                }
                // Keep the earliest frames whatever order the groups come in (the maps' order is random).
                have.evidence.extend(agg.evidence);
                have.evidence.sort_by_key(|e| (e.file, e.frame));
                have.evidence.dedup();
                have.evidence.truncate(options.max_evidence);
                have.first = have.first.min(agg.first);
            }
            None => values.push((value, agg)),
        }
    }
    // Addresses per root.
    let mut members: HashMap<usize, (BTreeSet<IpAddr>, BTreeSet<Mac>)> = HashMap::new();
    for i in 0..groups.nodes.len() {
        let root = groups.root(i);
        let e = members.entry(root).or_default();
        match groups.nodes.get(i) {
            Some(Node::Ip(ip)) => {
                e.0.insert(*ip);
            }
            Some(Node::Mac(mac)) => {
                e.1.insert(*mac);
            }
            None => {}
        }
    }
    let vendors = mac_vendors(&members, options, warnings);
    let mut devices: Vec<Device> = acc
        .into_iter()
        .map(|(root, a)| {
            let (ips, macs) = members.remove(&root).unwrap_or_default();
            let macs: Vec<Mac> = macs.into_iter().collect();
            let mac_vendor = macs.iter().find_map(|m| vendors.get(&m.oui()).cloned());
            let identity = a
                .facts
                .into_iter()
                .map(|(field, mut values)| {
                    values
                        .sort_by(|x, y| y.1.count.cmp(&x.1.count).then(x.1.first.cmp(&y.1.first)).then(x.0.cmp(&y.0)));
                    Fact {
                        field,
                        values: values
                            .into_iter()
                            .map(|(value, agg)| FactValue {
                                value,
                                count: agg.count,
                                protocols: {
                                    let mut p = agg.protocols;
                                    p.sort_unstable();
                                    p
                                },
                                evidence: agg.evidence,
                            })
                            .collect(),
                    }
                })
                .collect();
            Device {
                ips: ips.into_iter().collect(),
                macs,
                mac_vendor,
                vlans: a.vlans.into_iter().collect(),
                first_seen: if a.first == Micros::MAX { 0 } else { a.first },
                last_seen: if a.last == Micros::MIN { 0 } else { a.last },
                protocols: a
                    .protocols
                    .into_iter()
                    .map(|(protocol, (client, server))| ProtocolUse { protocol, client, server })
                    .collect(),
                identity,
            }
        })
        .collect();
    devices.sort_by(|a, b| (a.ips.first(), a.macs.first()).cmp(&(b.ips.first(), b.macs.first())));
    devices
}

/// Vendors of the devices' MACs: the built-in table's short names for industrial vendors, the registry files'
/// organization names for the others. A registry file that cannot be read is a warning.
fn mac_vendors(
    members: &HashMap<usize, (BTreeSet<IpAddr>, BTreeSet<Mac>)>,
    options: &Options,
    warnings: &mut Vec<String>,
) -> BTreeMap<[u8; 3], String> {
    let wanted: BTreeSet<[u8; 3]> =
        members.values().flat_map(|(_, macs)| macs.iter()).filter(|m| oui::has_oui(**m)).map(|m| m.oui()).collect();
    let mut vendors = BTreeMap::new();
    let mut rest = Vec::new();
    for o in wanted {
        match oui::builtin(o) {
            Some(v) => {
                vendors.insert(o, v.to_string());
            }
            None => rest.push(o),
        }
    }
    if rest.is_empty() {
        return vendors;
    }
    let mut files: Vec<PathBuf> = options.oui_files.clone();
    if options.system_oui && Path::new(oui::SYSTEM_OUI_CSV).is_file() {
        files.push(PathBuf::from(oui::SYSTEM_OUI_CSV));
    }
    for f in files {
        match oui::read_registry(&f, &rest) {
            Ok(found) => {
                for (o, name) in found {
                    vendors.entry(o).or_insert(name);
                }
            }
            Err(e) => warnings.push(format!("{}: cannot read the OUI registry: {e}", f.display())),
        }
    }
    vendors
}
