//! TCP reassembly with the toy protocol (one length byte, then text): messages spanning segments, several
//! messages in one segment, out-of-order and retransmitted segments, sequence wrap-around, gaps past the
//! bound, streams that are not the protocol's, resets and idle connections.

use cpsf_pcap::decode::Tcp;
use cpsf_pcap::discover::{Options, discover_bytes};
use cpsf_pcap::model::{Field, PacketMeta, Side, Sink};
use cpsf_pcap::reassembly::{Reassembler, TcpStats};

use crate::common::{self, Host, host, tcp_frame, toy};

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const FIN_ACK: u8 = 0x11;
const RST: u8 = 0x04;

fn pair() -> (Host, Host) {
    (host(1, 40001), host(2, common::TOY_PORT))
}

/// The three-way handshake with client ISN `c_isn` and server ISN `s_isn`.
fn handshake(c: Host, s: Host, c_isn: u32, s_isn: u32) -> Vec<Vec<u8>> {
    vec![
        tcp_frame(c, s, c_isn, 0, SYN, &[]),
        tcp_frame(s, c, s_isn, c_isn.wrapping_add(1), SYN | ACK, &[]),
        tcp_frame(c, s, c_isn.wrapping_add(1), s_isn.wrapping_add(1), ACK, &[]),
    ]
}

fn names(d: &cpsf_pcap::Discovery) -> Vec<String> {
    common::values(d, Field::Name)
}

#[test]
fn a_message_spanning_three_segments_is_decoded_once_on_its_last_frame() {
    let (c, s) = pair();
    let m = toy("identity spread over segments");
    let mut frames = handshake(c, s, 100, 5000);
    frames.push(tcp_frame(c, s, 101, 5001, PSH_ACK, &m[..5]));
    frames.push(tcp_frame(c, s, 106, 5001, PSH_ACK, &m[5..20]));
    frames.push(tcp_frame(c, s, 121, 5001, PSH_ACK, &m[20..]));
    let d = common::run(&common::pcap(&frames));
    assert_eq!(names(&d), vec!["identity spread over segments"]);
    let fact = &d.devices[0].identity.iter().find(|f| f.field == Field::Name).unwrap().values[0];
    assert_eq!(fact.evidence[0].frame, 6);
    assert_eq!(d.counters.tcp.messages, 1);
    assert_eq!(d.devices[0].values(Field::Role).collect::<Vec<_>>(), vec!["client"]);
}

#[test]
fn several_messages_in_one_segment_and_both_directions() {
    let (c, s) = pair();
    let mut frames = handshake(c, s, 1, 1);
    frames.push(tcp_frame(c, s, 2, 2, PSH_ACK, &[toy("a"), toy("bb"), toy("ccc")].concat()));
    frames.push(tcp_frame(s, c, 2, 10, PSH_ACK, &toy("answer")));
    let d = common::run(&common::pcap(&frames));
    assert_eq!(d.counters.tcp.messages, 4);
    let server = d.devices.iter().find(|dev| dev.ips == vec![s.ip]).unwrap();
    assert_eq!(server.best(Field::Name), Some("answer"));
    assert_eq!(server.values(Field::Role).collect::<Vec<_>>(), vec!["server"]);
    let client = d.devices.iter().find(|dev| dev.ips == vec![c.ip]).unwrap();
    assert_eq!(client.values(Field::Name).collect::<Vec<_>>().len(), 3);
}

#[test]
fn out_of_order_segments_are_held_and_retransmissions_dropped() {
    let (c, s) = pair();
    let m1 = toy("first message");
    let m2 = toy("second");
    let stream = [m1.clone(), m2.clone()].concat();
    let mut frames = handshake(c, s, 1000, 1);
    // Bytes 10.. arrive first, then 0..10, then 0..10 again (whole retransmission), then 5..12 (partial).
    frames.push(tcp_frame(c, s, 1011, 2, PSH_ACK, &stream[10..]));
    frames.push(tcp_frame(c, s, 1011, 2, PSH_ACK, &stream[10..]));
    frames.push(tcp_frame(c, s, 1001, 2, PSH_ACK, &stream[..10]));
    frames.push(tcp_frame(c, s, 1001, 2, PSH_ACK, &stream[..10]));
    frames.push(tcp_frame(c, s, 1006, 2, PSH_ACK, &stream[5..12]));
    let d = common::run(&common::pcap(&frames));
    assert_eq!(names(&d), vec!["first message", "second"]);
    assert_eq!(d.counters.tcp.messages, 2);
    assert_eq!(d.counters.tcp.out_of_order, 1);
    assert_eq!(d.counters.tcp.retransmissions, 3);
}

#[test]
fn sequence_numbers_wrap_around() {
    let (c, s) = pair();
    let m = toy("across the wrap");
    let isn = u32::MAX - 3;
    let mut frames = handshake(c, s, isn, 7);
    frames.push(tcp_frame(c, s, isn.wrapping_add(1), 8, PSH_ACK, &m[..6]));
    frames.push(tcp_frame(c, s, isn.wrapping_add(7), 8, PSH_ACK, &m[6..]));
    let d = common::run(&common::pcap(&frames));
    assert_eq!(names(&d), vec!["across the wrap"]);
}

#[test]
fn a_connection_seen_mid_stream_starts_at_its_first_segment() {
    let (c, s) = pair();
    let frames = vec![tcp_frame(c, s, 777, 1, PSH_ACK, &toy("mid")), tcp_frame(s, c, 1, 781, PSH_ACK, &toy("reply"))];
    let d = common::run(&common::pcap(&frames));
    assert_eq!(d.counters.tcp.messages, 2);
    assert_eq!(d.flows.len(), 1);
    assert_eq!(d.flows[0].src.ip, Some(c.ip), "the client is the side away from the protocol's port");
    assert_eq!(d.flows[0].port, common::TOY_PORT);
    assert_eq!(d.flows[0].packets, [1, 1]);
}

#[test]
fn a_hole_past_the_bound_resynchronises_and_counts_a_gap() {
    let (c, s) = pair();
    let options = Options { stream_limit: 64, ..common::toy_options() };
    let mut frames = handshake(c, s, 0, 0);
    // Bytes 1..=20 are never captured; 100 bytes of whole messages wait behind the hole, more than the bound.
    let mut seq = 21u32;
    for i in 0..10 {
        let m = toy(&format!("msg-{i:05}"));
        frames.push(tcp_frame(c, s, seq, 1, PSH_ACK, &m));
        seq += m.len() as u32;
    }
    let d = discover_bytes(&[("gap.pcap", &common::pcap(&frames))], &options);
    assert_eq!(d.counters.tcp.gaps, 1, "{:?}", d.counters.tcp);
    // The segments held before the bound was passed were dropped with the hole; those after it are decoded.
    let got = names(&d);
    assert!(!got.is_empty() && got.len() < 10, "{got:?}");
    assert_eq!(got.last().map(String::as_str), Some("msg-00009"));
}

#[test]
fn a_stream_that_is_not_the_protocol_is_abandoned() {
    let (c, s) = pair();
    let mut frames = handshake(c, s, 0, 0);
    frames.push(tcp_frame(c, s, 1, 1, PSH_ACK, &[0, 1, 2, 3]));
    frames.push(tcp_frame(c, s, 5, 1, PSH_ACK, &toy("ignored")));
    let d = common::run(&common::pcap(&frames));
    assert!(names(&d).is_empty());
    assert_eq!(d.counters.tcp.abandoned, 1);
    assert_eq!(d.flows[0].packets, [4, 1], "abandoned streams are still counted");
}

#[test]
fn reset_and_a_new_connection_on_the_same_ports() {
    let (c, s) = pair();
    let mut frames = handshake(c, s, 0, 0);
    frames.push(tcp_frame(c, s, 1, 1, PSH_ACK, &toy("before")[..3]));
    frames.push(tcp_frame(s, c, 1, 4, RST | ACK, &[]));
    frames.extend(handshake(c, s, 90_000, 50));
    frames.push(tcp_frame(c, s, 90_001, 51, PSH_ACK, &toy("after")));
    frames.push(tcp_frame(c, s, 90_007, 51, FIN_ACK, &[]));
    frames.push(tcp_frame(s, c, 51, 90_008, FIN_ACK, &[]));
    let d = common::run(&common::pcap(&frames));
    assert_eq!(names(&d), vec!["after"]);
    assert_eq!(d.flows.len(), 1, "one row for both connections");
    assert_eq!(d.flows[0].packets, [7, 4]);
}

#[test]
fn an_idle_connection_is_forgotten_with_its_buffers() {
    let (c, s) = pair();
    let m = toy("slow");
    let frames = [tcp_frame(c, s, 1, 1, PSH_ACK, &m[..2]), tcp_frame(c, s, 3, 1, PSH_ACK, &m[2..])];
    let mut w = cpsf_pcap::write::PcapWriter::new(Vec::new(), 1, false, cpsf_pcap::write::ByteOrder::Little).unwrap();
    w.packet(0, &frames[0]).unwrap();
    w.packet(3600 * 1_000_000, &frames[1]).unwrap();
    let d = common::run(&w.into_inner());
    assert!(names(&d).is_empty(), "the first half was dropped with the idle connection");
    assert_eq!(d.flows[0].packets, [2, 0]);
}

#[test]
fn buffered_bytes_stay_bounded() {
    fn framing(_: &[u8]) -> cpsf_pcap::proto::Framing {
        cpsf_pcap::proto::Framing::NeedMore
    }
    fn decode(_: &PacketMeta, _: Side, _: &[u8], _: &mut Sink) {}
    static NEVER: cpsf_pcap::proto::TcpProtocol =
        cpsf_pcap::proto::TcpProtocol { name: "never", ports: &[1], framing, decode };
    let mut r = Reassembler::new(&NEVER);
    let mut sink = Sink::default();
    let mut stats = TcpStats::default();
    let meta = PacketMeta::default();
    let payload = [0u8; 1000];
    let limit = 16 * 1024;
    // Out of order: every segment leaves a hole before it.
    for i in 0..200u32 {
        let tcp = Tcp { src_port: 2, dst_port: 1, seq: 10 + i * 2000, ack: 0, flags: 0x18, payload: &payload };
        r.segment(0, &tcp, &meta, Side::Client, limit, &mut sink, &mut stats);
        assert!(r.buffered() <= 2 * limit, "{} bytes buffered", r.buffered());
    }
    assert!(stats.gaps > 0);
    // In order, never a whole message: the direction is given up past the bound.
    let mut r = Reassembler::new(&NEVER);
    for i in 0..200u32 {
        let tcp = Tcp { src_port: 2, dst_port: 1, seq: i * 1000, ack: 0, flags: 0x18, payload: &payload };
        r.segment(1, &tcp, &meta, Side::Server, limit, &mut sink, &mut stats);
        assert!(r.buffered() <= 2 * limit);
    }
    assert_eq!(stats.abandoned, 1);
}
