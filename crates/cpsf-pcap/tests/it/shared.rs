//! The shared ICS captures: every one reads without a panic, and our packet totals per file and per transport
//! match tshark's (`tshark -r FILE -T fields -e frame.number` for packets, `tshark -r FILE -q -z conv,tcp` and
//! `conv,udp` for the conversations' frames), and the TCP address pairs are the same. Skipped when the captures
//! or tshark are missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use cpsf_pcap::discover::{Options, discover};
use cpsf_pcap::model::Transport;

use crate::common::shared_data;

fn captures(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn tshark_available() -> bool {
    let ok = Command::new("tshark").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: tshark not installed");
    }
    ok
}

fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark").args(args).output().expect("tshark runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Total frames and the unordered address pairs of `tshark -q -z conv,tcp|udp`.
fn conversations(path: &Path, kind: &str) -> (u64, BTreeSet<(String, String)>) {
    let text = tshark(&["-r", path.to_str().unwrap(), "-q", "-z", &format!("conv,{kind}")]);
    let mut frames = 0;
    let mut pairs = BTreeSet::new();
    for line in text.lines().filter(|l| l.contains("<->")) {
        let t: Vec<&str> = line.split_whitespace().collect();
        // A:port <-> B:port  frames bytes unit  frames bytes unit  TOTAL-frames ...
        frames += t[9].parse::<u64>().unwrap_or_else(|_| panic!("{line}"));
        let host = |s: &str| s.rsplit_once(':').map_or(s, |(h, _)| h).trim_matches(['[', ']']).to_string();
        let (a, b) = (host(t[0]), host(t[2]));
        pairs.insert(if a <= b { (a, b) } else { (b, a) });
    }
    (frames, pairs)
}

#[test]
fn every_shared_capture_reads_and_matches_tsharks_counts() {
    let Some(dir) = shared_data() else { return };
    let files = captures(&dir);
    assert!(files.len() >= 20, "{} captures", files.len());
    let have_tshark = tshark_available();
    for path in &files {
        let d = discover(std::slice::from_ref(path), &Options { system_oui: false, ..Options::default() });
        assert_eq!(d.files.len(), 1);
        assert!(d.files[0].error.is_none(), "{}: {:?}", path.display(), d.warnings);
        assert!(d.counters.packets > 0, "{}", path.display());
        if !have_tshark {
            continue;
        }
        let p = path.to_str().unwrap();
        let frames = tshark(&["-r", p, "-T", "fields", "-e", "frame.number"]).lines().count() as u64;
        assert_eq!(d.counters.packets, frames, "{p}: packets");
        for (transport, kind) in [(Transport::Tcp, "tcp"), (Transport::Udp, "udp")] {
            let ours: u64 =
                d.flows.iter().filter(|f| f.transport == transport).map(|f| f.packets[0] + f.packets[1]).sum();
            let (theirs, pairs) = conversations(path, kind);
            assert_eq!(ours, theirs, "{p}: {kind} packets (ours by row: {:#?})", d.flows);
            let our_pairs: BTreeSet<(String, String)> = d
                .flows
                .iter()
                .filter(|f| f.transport == transport)
                .map(|f| {
                    let a = f.src.ip.map(|i| i.to_string()).unwrap_or_default();
                    let b = f.dst.ip.map(|i| i.to_string()).unwrap_or_default();
                    if a <= b { (a, b) } else { (b, a) }
                })
                .collect();
            assert_eq!(our_pairs, pairs, "{p}: {kind} address pairs");
        }
    }
}
