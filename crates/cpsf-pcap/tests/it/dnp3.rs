//! DNP3 stations on the shared captures: master/outstation roles and link addresses, hard-coded and compared
//! link frame by link frame with tshark's `dnp3.ctl.dir`, `dnp3.src` and `dnp3.dst`.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Observation};

use super::frames2::*;

/// Per (device, role, address): how many observations say so.
fn summary(obs: &[Observation]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in obs {
        let get = |f: Field| o.fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or("-");
        let ip = o.device.ip.map(|i| i.to_string()).unwrap_or_default();
        *counts.entry(format!("{ip} {} {}", get(Field::Role), get(Field::ProtocolAddress))).or_default() += 1;
    }
    counts.into_iter().map(|(k, n)| format!("{k} x{n}")).collect()
}

/// Link frames per capture frame as (master sent it, source, destination), from the decoder's observation
/// pairs (sender first, receiver second).
fn ours(obs: &[Observation]) -> BTreeMap<u64, Vec<(bool, String, String)>> {
    let mut out: BTreeMap<u64, Vec<(bool, String, String)>> = BTreeMap::new();
    for pair in obs.chunks(2) {
        let [sender, receiver] = pair else { panic!("observations come in pairs") };
        assert_eq!(sender.frame, receiver.frame);
        let get = |o: &Observation, f: Field| {
            o.fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone()).unwrap_or_default()
        };
        let master = get(sender, Field::Role) == "dnp3 master";
        out.entry(sender.frame).or_default().push((
            master,
            get(sender, Field::ProtocolAddress),
            get(receiver, Field::ProtocolAddress),
        ));
    }
    out
}

fn compare_with_tshark(path: &Path, obs: &[Observation]) -> usize {
    let rows = tshark(path, &[], "dnp3", &["dnp3.ctl.dir", "dnp3.src", "dnp3.dst"]);
    let ours = ours(obs);
    assert_eq!(ours.keys().collect::<Vec<_>>(), rows.keys().collect::<Vec<_>>(), "frames with DNP3 link frames");
    let mut link_frames = 0;
    for (frame, row) in &rows {
        let col = |i: usize| row.get(i).cloned().unwrap_or_default();
        let (dirs, srcs, dsts) = (col(0), col(1), col(2));
        let theirs: Vec<(bool, String, String)> = dirs
            .iter()
            .zip(&srcs)
            .zip(&dsts)
            .map(|((d, s), t)| {
                // Broadcast and reserved destinations name no station, so the decoder leaves them out.
                let dst = if t.parse::<u32>().is_ok_and(|t| t >= 0xfff0) { String::new() } else { t.clone() };
                (d == "1", s.clone(), dst)
            })
            .collect();
        link_frames += theirs.len();
        assert_eq!(ours.get(frame), Some(&theirs), "frame {frame}");
    }
    link_frames
}

fn check(rel: &str, want_summary: &[&str], want_malformed: u64, want_link_frames: usize) {
    let Some(path) = ics_pcap(rel) else { return };
    let run = run_tcp(&read(&path), tcp_proto("dnp3"));
    let malformed = run.sink.malformed.iter().map(|(_, n)| n).sum::<u64>();
    assert_eq!(malformed, want_malformed, "{rel}: malformed");
    assert_eq!(summary(&run.sink.observations), want_summary, "{rel}");
    if have_tshark() {
        assert_eq!(compare_with_tshark(&path, &run.sink.observations), want_link_frames, "{rel}");
    }
}

#[test]
fn read_request() {
    // Frame 6 is one stray byte (0x00) from the outstation: counted, not a frame.
    check("dnp3/DNP3-Read.pcap", &["127.0.0.1 dnp3 master 4 x1", "127.0.0.1 dnp3 outstation 3 x1"], 1, 1);
}

#[test]
fn test_data_part1() {
    check(
        "dnp3/DNP3-TestDataPart1.pcap",
        // 10.0.0.3 is the outstation (address 4; one response from address 6); 10.0.0.8 and 10.0.0.9 are masters
        // (address 3; 10.0.0.9 also as 6). Four requests went to the broadcast address 65535.
        &[
            "10.0.0.3 dnp3 outstation - x4",
            "10.0.0.3 dnp3 outstation 4 x88",
            "10.0.0.3 dnp3 outstation 6 x1",
            "10.0.0.8 dnp3 master 3 x63",
            "10.0.0.9 dnp3 master 3 x17",
            "10.0.0.9 dnp3 master 6 x13",
        ],
        // Frames 19 and 21 open with 0x05 0x05: tshark does not take them for DNP3 either.
        2,
        93,
    );
}

#[test]
fn malformed_capture_never_panics() {
    // tshark calls all 197 DNP3 frames malformed for their application layer; their link headers are whole,
    // so they still name the stations. Frame 1's length field (2) is below the minimum: counted.
    check(
        "dnp3/DNP3-Malformed.pcap",
        &["192.168.0.1 dnp3 master 1 x197", "192.168.0.2 dnp3 outstation 10 x197"],
        1,
        197,
    );
}
