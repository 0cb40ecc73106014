//! Helpers: a toy TCP protocol (one length byte, then text), addresses, and captures built in memory.

use std::net::{IpAddr, Ipv4Addr};

use cpsf_pcap::discover::{Discovery, Options, discover_bytes};
use cpsf_pcap::model::{Field, Mac, PacketMeta, Side, Sink};
use cpsf_pcap::proto::{EtherProtocol, Framing, TcpProtocol, UdpProtocol};
use cpsf_pcap::registry::Registry;
use cpsf_pcap::write::{ByteOrder, PcapWriter, frame};

pub const TOY_PORT: u16 = 9999;

/// A message is one length byte (of the text that follows) and that text; a zero byte starts no message.
fn toy_framing(b: &[u8]) -> Framing {
    match b.first() {
        None => Framing::NeedMore,
        Some(0) => Framing::NotThisProtocol,
        Some(&n) => Framing::Message(1 + usize::from(n)),
    }
}

fn toy_decode(meta: &PacketMeta, side: Side, message: &[u8], sink: &mut Sink) {
    let text = String::from_utf8_lossy(message.get(1..).unwrap_or(&[])).into_owned();
    let role = match side {
        Side::Client => "client",
        Side::Server => "server",
        Side::Unknown => "unknown",
    };
    sink.observe("toy", meta, meta.source(), vec![(Field::Name, text), (Field::Role, role.to_string())]);
}

fn toy_udp(meta: &PacketMeta, _side: Side, payload: &[u8], sink: &mut Sink) {
    let text = String::from_utf8_lossy(payload).into_owned();
    sink.observe("toyudp", meta, meta.source(), vec![(Field::ProductName, text)]);
}

fn toy_ether(meta: &PacketMeta, payload: &[u8], sink: &mut Sink) {
    let text = String::from_utf8_lossy(payload).into_owned();
    sink.observe("toyl2", meta, meta.source(), vec![(Field::DeclaredIp, text)]);
}

static TCP: [TcpProtocol; 1] =
    [TcpProtocol { name: "toy", ports: &[TOY_PORT], framing: toy_framing, decode: toy_decode }];
static UDP: [UdpProtocol; 1] = [UdpProtocol { name: "toyudp", ports: &[7777], decode: toy_udp }];
static ETHER: [EtherProtocol; 1] = [EtherProtocol { name: "toyl2", ethertype: 0x88b5, decode: toy_ether }];

pub fn toy_options() -> Options {
    Options { registry: Registry { tcp: &TCP, udp: &UDP, ether: &ETHER }, system_oui: false, ..Options::default() }
}

/// A toy message: length byte and text.
pub fn toy(text: &str) -> Vec<u8> {
    let mut m = vec![text.len() as u8];
    m.extend_from_slice(text.as_bytes());
    m
}

pub fn mac(last: u8) -> Mac {
    Mac([0x00, 0x0e, 0x8c, 0, 0, last])
}

pub fn ip4(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
}

/// A host: MAC and IP.
#[derive(Clone, Copy)]
pub struct Host {
    pub mac: Mac,
    pub ip: IpAddr,
    pub port: u16,
}

pub fn host(n: u8, port: u16) -> Host {
    Host { mac: mac(n), ip: ip4(n), port }
}

/// An Ethernet frame of a TCP segment from `a` to `b`.
pub fn tcp_frame(a: Host, b: Host, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let seg = frame::tcp(a.ip, b.ip, a.port, b.port, seq, ack, flags, payload);
    let ip = frame::ip(a.ip, b.ip, 6, &seg);
    frame::ethernet(b.mac, a.mac, &[], frame::ip_ethertype(a.ip, b.ip), &ip)
}

pub fn udp_frame(a: Host, b: Host, payload: &[u8]) -> Vec<u8> {
    let d = frame::udp(a.ip, b.ip, a.port, b.port, payload);
    let ip = frame::ip(a.ip, b.ip, 17, &d);
    frame::ethernet(b.mac, a.mac, &[], frame::ip_ethertype(a.ip, b.ip), &ip)
}

/// A classic little-endian Ethernet pcap of these frames, one millisecond apart.
pub fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), 1, false, ByteOrder::Little).expect("write to memory");
    for (i, f) in frames.iter().enumerate() {
        w.packet(1_700_000_000_000_000 + i as i64 * 1000, f).expect("write to memory");
    }
    w.into_inner()
}

pub fn run(bytes: &[u8]) -> Discovery {
    discover_bytes(&[("test.pcap", bytes)], &toy_options())
}

/// The values of a field over all devices, in device order.
pub fn values(d: &Discovery, field: Field) -> Vec<String> {
    d.devices.iter().flat_map(|dev| dev.values(field).map(str::to_string).collect::<Vec<_>>()).collect()
}

pub fn shared_data() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("CPSF_TEST_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = dir.join("ics-pcap");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: shared captures not found ({})", dir.display());
        None
    }
}
