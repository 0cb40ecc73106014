//! Robustness of the part-2 decoders on real bytes: every message of the shared captures, cut at every length,
//! and the same messages with bytes overwritten, go through framing and decoding without a panic; framing
//! never takes zero bytes.

use cpsf_pcap::model::{PacketMeta, Side, Sink};
use cpsf_pcap::proto::Framing;

use super::frames2::*;

const CAPTURES: &[(&str, &str)] = &[
    ("opcua", "opcua/opcua_with-gap.pcap"),
    ("opcua", "opcua/open62541_client-server-getEndpoints.pcap"),
    ("opcua", "opcua/python_opcua-client-server_minimal.pcap"),
    ("dnp3", "dnp3/DNP3-Read.pcap"),
    ("dnp3", "dnp3/DNP3-TestDataPart1.pcap"),
    ("dnp3", "dnp3/DNP3-Malformed.pcap"),
    ("iec104", "iec104/TestDissectIec104.pcap"),
    ("hart-ip", "hart-ip/hart_ip.pcap"),
];

/// Cut points: every length for short messages, a stride through long ones (plus the last bytes).
fn cuts(len: usize) -> impl Iterator<Item = usize> {
    let stride = (len / 2000).max(1);
    (0..len).step_by(stride).chain(len.saturating_sub(64)..len)
}

fn framing_takes_bytes(name: &str, framing: fn(&[u8]) -> Framing, bytes: &[u8]) {
    if let Framing::Message(n) = framing(bytes) {
        assert!(n > 0 || bytes.is_empty(), "{name}: framing took no bytes of {bytes:02x?}");
    }
}

#[test]
fn prefixes_and_mutations_of_real_messages() {
    let mut x = 0x6a09_e667_f3bc_c908u64;
    let mut decoded = 0usize;
    for (name, rel) in CAPTURES {
        let Some(path) = ics_pcap(rel) else { return };
        let proto = tcp_proto(name);
        for (meta, side, msg) in tcp_messages(&read(&path), proto) {
            for n in cuts(msg.len()) {
                let cut = &msg[..n];
                framing_takes_bytes(name, proto.framing, cut);
                (proto.decode)(&meta, side, cut, &mut Sink::default());
                decoded += 1;
            }
            for _ in 0..20 {
                let mut m = msg.clone();
                for _ in 0..1 + x % 3 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if !m.is_empty() {
                        let at = (x as usize) % m.len();
                        m[at] = (x >> 24) as u8;
                    }
                }
                framing_takes_bytes(name, proto.framing, &m);
                (proto.decode)(&meta, side, &m, &mut Sink::default());
                decoded += 1;
            }
        }
    }
    assert!(decoded > 10_000, "{decoded}");
}

#[test]
fn random_bytes_everywhere() {
    let mut x = 0xbb67_ae85_84ca_a73bu64;
    let meta = PacketMeta { src_port: 161, dst_port: 162, ..PacketMeta::default() };
    for i in 0..20_000 {
        let mut buf = Vec::new();
        for _ in 0..(x % 300) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.push(x as u8);
        }
        for p in cpsf_pcap::proto::tcp() {
            framing_takes_bytes(p.name, p.framing, &buf);
            (p.decode)(&meta, [Side::Client, Side::Server, Side::Unknown][i % 3], &buf, &mut Sink::default());
        }
        for p in cpsf_pcap::proto::udp() {
            (p.decode)(&meta, Side::Unknown, &buf, &mut Sink::default());
        }
        for p in cpsf_pcap::proto::ether() {
            (p.decode)(&meta, &buf, &mut Sink::default());
        }
    }
}
