//! No capture of the shared ICS set makes a decoder panic: every registered decoder reads every message on its own
//! port or EtherType, every prefix of those messages, and every other payload of every capture as well.

use cpsf_pcap::model::Sink;
use cpsf_pcap::proto;

use crate::frames::{self, Carrier};

fn captures() -> Vec<std::path::PathBuf> {
    let Some(root) = frames::shared_data() else { return Vec::new() };
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root.join("ics-pcap")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                out.push(f.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn no_capture_makes_a_decoder_panic() {
    let files = captures();
    if files.is_empty() {
        return;
    }
    let mut messages = 0usize;
    for path in &files {
        let frames = frames::read(&std::fs::read(path).unwrap());
        let mut sink = Sink::default();
        for p in proto::tcp() {
            for &port in p.ports {
                for m in frames::tcp_messages(&frames, port, p.framing) {
                    messages += 1;
                    for n in 0..=m.bytes.len() {
                        (p.decode)(&m.meta, m.side, &m.bytes[..n], &mut sink);
                    }
                }
            }
        }
        for f in &frames {
            match f.carrier {
                Carrier::Tcp { .. } => {
                    for p in proto::tcp() {
                        let _ = (p.framing)(&f.payload);
                        (p.decode)(&f.meta, frames::side(&f.meta, p.ports[0]), &f.payload, &mut sink);
                    }
                }
                Carrier::Udp => {
                    for p in proto::udp() {
                        let own = p.ports.iter().any(|&q| q == f.meta.src_port || q == f.meta.dst_port);
                        let side = frames::side(&f.meta, p.ports[0]);
                        if own {
                            messages += 1;
                            for n in 0..f.payload.len() {
                                (p.decode)(&f.meta, side, &f.payload[..n], &mut sink);
                            }
                        }
                        (p.decode)(&f.meta, side, &f.payload, &mut sink);
                    }
                }
                Carrier::Ether(ethertype) => {
                    for p in proto::ether() {
                        if p.ethertype == ethertype {
                            messages += 1;
                            for n in 0..f.payload.len() {
                                (p.decode)(&f.meta, &f.payload[..n], &mut sink);
                            }
                        }
                        (p.decode)(&f.meta, &f.payload, &mut sink);
                    }
                }
                Carrier::Other => {}
            }
        }
    }
    eprintln!("{} captures, {messages} messages read with every prefix", files.len());
    assert!(files.len() >= 25 && messages > 3000);
}
