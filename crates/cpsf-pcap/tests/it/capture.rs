//! Captures written by our writer in every supported shape and read back: classic pcap in both byte orders with
//! micro- and nanosecond timestamps, pcapng sections in both byte orders with several interfaces, simple and
//! obsolete packet blocks and blocks to skip; truncated and corrupt files.

use std::io::Read;

use cpsf_pcap::capture::{CaptureError, CaptureReader, Format};
use cpsf_pcap::write::{ByteOrder, PcapWriter, PcapngWriter};

use crate::common::{self, host, tcp_frame};

/// Link type, time, bytes and wire length of each packet read.
type ReadBack = Vec<(u32, i64, Vec<u8>, u32)>;

fn read_all<R: Read>(r: R) -> (ReadBack, Option<CaptureError>) {
    let mut reader = CaptureReader::new(r).expect("a capture");
    let mut out = Vec::new();
    loop {
        match reader.next_packet() {
            Ok(Some(p)) => out.push((p.link_type, p.ts, p.data.to_vec(), p.orig_len)),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

fn packets() -> Vec<Vec<u8>> {
    vec![vec![1, 2, 3], vec![], (0..=255u8).collect(), vec![7; 1500]]
}

#[test]
fn pcap_round_trips_in_both_byte_orders_and_resolutions() {
    for order in [ByteOrder::Little, ByteOrder::Big] {
        for nanos in [false, true] {
            let mut w = PcapWriter::new(Vec::new(), 1, nanos, order).unwrap();
            for (i, p) in packets().iter().enumerate() {
                w.packet(1_600_000_000_123_456 + i as i64, p).unwrap();
            }
            w.packet_cut(5, &[9, 9], 60).unwrap();
            let bytes = w.into_inner();
            assert_eq!(CaptureReader::new(&bytes[..]).unwrap().format(), Format::Pcap);
            let (got, err) = read_all(&bytes[..]);
            assert!(err.is_none(), "{order:?} {nanos}: {err:?}");
            assert_eq!(got.len(), 5);
            for (i, p) in packets().iter().enumerate() {
                assert_eq!(
                    got[i],
                    (1, 1_600_000_000_123_456 + i as i64, p.clone(), p.len() as u32),
                    "{order:?} {nanos}"
                );
            }
            assert_eq!(got[4], (1, 5, vec![9, 9], 60));
        }
    }
}

#[test]
fn a_tiny_read_buffer_changes_nothing() {
    // A reader that returns one byte per call: every refill path is taken.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }
    let mut w = PcapngWriter::new(Vec::new(), ByteOrder::Big).unwrap();
    w.interface(1, None).unwrap();
    for (i, p) in packets().iter().enumerate() {
        w.packet(0, i as i64, p).unwrap();
    }
    let bytes = w.into_inner();
    let (a, ea) = read_all(&bytes[..]);
    let (b, eb) = read_all(Trickle(&bytes));
    assert!(ea.is_none() && eb.is_none());
    assert_eq!(a, b);
    assert_eq!(a.len(), 4);
}

fn pcapng(order: ByteOrder) -> Vec<u8> {
    let mut w = PcapngWriter::new(Vec::new(), order).unwrap();
    let eth = w.interface(1, Some(9)).unwrap();
    // A name resolution block and a custom block before the next interface: both skipped.
    w.block(4, &[0, 0, 0, 0]).unwrap();
    w.block(0x0000_0bad, b"unknown block body").unwrap();
    let raw = w.interface(101, None).unwrap();
    let binary = w.interface(228, Some(0x80 | 10)).unwrap();
    w.packet(eth, 1_000_001, &[1; 61]).unwrap();
    w.packet(raw, 2_000_002, &[2; 62]).unwrap();
    w.packet(binary, 3_000_000, &[3; 63]).unwrap();
    w.simple_packet(&[4; 64]).unwrap();
    w.obsolete_packet(1, 5_000_005, &[5; 65]).unwrap();
    // An interface statistics block: skipped.
    w.block(5, &[0; 12]).unwrap();
    w.into_inner()
}

#[test]
fn pcapng_round_trips_in_both_byte_orders() {
    for order in [ByteOrder::Little, ByteOrder::Big] {
        let bytes = pcapng(order);
        assert_eq!(CaptureReader::new(&bytes[..]).unwrap().format(), Format::Pcapng);
        let (got, err) = read_all(&bytes[..]);
        assert!(err.is_none(), "{order:?}: {err:?}");
        let summary: Vec<(u32, i64, usize, u8)> = got.iter().map(|(l, t, d, _)| (*l, *t, d.len(), d[0])).collect();
        assert_eq!(
            summary,
            vec![
                (1, 1_000_001, 61, 1),
                (101, 2_000_002, 62, 2),
                (228, 3_000_000, 63, 3),
                // A simple packet block has no time: it takes the previous packet's.
                (1, 3_000_000, 64, 4),
                (101, 5_000_005, 65, 5),
            ],
            "{order:?}"
        );
    }
}

#[test]
fn a_second_section_may_change_byte_order_and_interfaces() {
    let mut bytes = pcapng(ByteOrder::Little);
    let mut w = PcapngWriter::new(Vec::new(), ByteOrder::Big).unwrap();
    w.interface(113, None).unwrap();
    w.packet(0, 9, &[9; 20]).unwrap();
    bytes.extend(w.into_inner());
    let (got, err) = read_all(&bytes[..]);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got.len(), 6);
    assert_eq!((got[5].0, got[5].1, got[5].2.len()), (113, 9, 20));
}

#[test]
fn a_truncated_pcap_stops_at_the_cut_packet_with_its_offset() {
    let mut w = PcapWriter::new(Vec::new(), 1, false, ByteOrder::Little).unwrap();
    w.packet(1, &[1; 100]).unwrap();
    w.packet(2, &[2; 100]).unwrap();
    let full = w.into_inner();
    // Header 24, first record 16 + 100: the second record starts at 140.
    for cut in [full.len() - 1, 150, 141] {
        let (got, err) = read_all(&full[..cut]);
        assert_eq!(got.len(), 1, "cut at {cut}");
        let err = err.expect("an error");
        assert!(matches!(err, CaptureError::Truncated { offset: 140, .. }), "cut at {cut}: {err}");
        assert!(err.to_string().contains("byte 140"), "{err}");
    }
    // A cut exactly between records is a clean end.
    let (got, err) = read_all(&full[..140]);
    assert_eq!((got.len(), err.is_none()), (1, true));
}

#[test]
fn a_corrupt_pcapng_block_stops_reading_with_its_offset() {
    let mut bytes = pcapng(ByteOrder::Little);
    let first_len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let second = first_len; // the interface description block
    // Break the trailing length of the second block.
    let second_len = u32::from_le_bytes(bytes[second + 4..second + 8].try_into().unwrap()) as usize;
    bytes[second + second_len - 4] ^= 0xff;
    let (got, err) = read_all(&bytes[..]);
    assert!(got.is_empty());
    let err = err.expect("an error");
    assert!(matches!(err, CaptureError::Corrupt { offset, .. } if offset == second as u64), "{err}");

    // A block length that is not a multiple of 4.
    let mut bytes = pcapng(ByteOrder::Big);
    let at = u32::from_be_bytes(bytes[4..8].try_into().unwrap()) as usize;
    bytes[at + 7] = bytes[at + 7].wrapping_add(1);
    let (_, err) = read_all(&bytes[..]);
    assert!(matches!(err, Some(CaptureError::Corrupt { .. })), "{err:?}");
}

#[test]
fn not_a_capture() {
    for bytes in [&b""[..], b"GIF89a", b"\x0a\x0d\x0d\x0a\x00\x00"] {
        assert!(CaptureReader::new(bytes).is_err(), "{bytes:?}");
    }
    let err = CaptureReader::new(&b"hello world"[..]).err().unwrap();
    assert!(err.to_string().contains("68 65 6c 6c"), "{err}");
}

#[test]
fn a_huge_captured_length_is_corruption_not_an_allocation() {
    let mut w = PcapWriter::new(Vec::new(), 1, false, ByteOrder::Little).unwrap();
    w.packet(1, &[1; 10]).unwrap();
    let mut bytes = w.into_inner();
    bytes[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
    let (got, err) = read_all(&bytes[..]);
    assert!(got.is_empty());
    assert!(matches!(err, Some(CaptureError::Corrupt { offset: 24, .. })), "{err:?}");
}

#[test]
fn discovery_warns_about_a_truncated_file_and_reads_the_others() {
    let (c, s) = (host(1, 40000), host(2, common::TOY_PORT));
    let bytes = common::pcap(&[
        tcp_frame(c, s, 1, 0, 0x18, &common::toy("one")),
        tcp_frame(c, s, 5, 0, 0x18, &common::toy("two")),
    ]);
    let cut = &bytes[..bytes.len() - 3];
    let d = cpsf_pcap::discover_bytes(
        &[("whole.pcap", &bytes), ("cut.pcap", cut), ("junk.pcap", b"not a capture")],
        &common::toy_options(),
    );
    assert_eq!(d.files.len(), 3);
    assert_eq!(d.files[0].packets, 2);
    assert_eq!(d.files[1].packets, 1);
    assert!(d.files[1].error.is_some());
    assert!(d.files[2].format.is_none());
    assert_eq!(d.counters.files_with_errors, 2);
    assert_eq!(d.counters.packets, 3);
    let second = 24 + 16 + tcp_frame(c, s, 1, 0, 0x18, &common::toy("one")).len();
    assert!(
        d.warnings.iter().any(|w| w.starts_with("cut.pcap: byte ") && w.contains(&format!("byte {second}"))),
        "{:?}",
        d.warnings
    );
    assert!(d.warnings.iter().any(|w| w.starts_with("junk.pcap: not a pcap")), "{:?}", d.warnings);
    assert_eq!(common::values(&d, cpsf_pcap::model::Field::Name), vec!["one", "two"]);
}

#[test]
fn other_link_types_are_counted_and_skipped() {
    let mut w = PcapWriter::new(Vec::new(), 105, false, ByteOrder::Little).unwrap();
    w.packet(1, &[0; 30]).unwrap();
    w.packet(2, &[0; 30]).unwrap();
    let d = cpsf_pcap::discover_bytes(&[("wifi.pcap", &w.into_inner())], &common::toy_options());
    assert_eq!(d.counters.skipped_link_types.get(&105), Some(&2));
    assert!(d.warnings.iter().any(|w| w.contains("2 packets of link type 105")), "{:?}", d.warnings);
    assert!(d.flows.is_empty());
}
