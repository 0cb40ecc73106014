//! IEC 60870-5-104 stations on the shared capture (a Wireshark test file full of cut and prefixed APDUs):
//! roles and the controlled station's common address, hard-coded and compared with tshark's
//! `iec60870_104.type`, `iec60870_104.utype` and `iec60870_asdu.addr`.

use std::collections::BTreeMap;

use cpsf_pcap::model::{Field, Observation};

use super::frames2::*;

fn summary(obs: &[Observation]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in obs {
        let get = |f: Field| o.fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str()).unwrap_or("-");
        let ip = o.device.ip.map(|i| i.to_string()).unwrap_or_default();
        *counts.entry(format!("{ip} {} {}", get(Field::Role), get(Field::ProtocolAddress))).or_default() += 1;
    }
    counts.into_iter().map(|(k, n)| format!("{k} x{n}")).collect()
}

#[test]
fn test_dissect_iec104() {
    let Some(path) = ics_pcap("iec104/TestDissectIec104.pcap") else { return };
    let run = run_tcp(&read(&path), tcp_proto("iec104"));
    let obs = &run.sink.observations;
    // Junk before a start byte, APDUs shorter than 4 octets and I frames without a whole ASDU header.
    assert_eq!(run.sink.malformed, vec![("iec104", 34)]);
    assert_eq!(
        summary(obs),
        [
            "172.27.248.109 iec104 controlling station - x46",
            "172.27.248.79 iec104 controlled station - x27",
            "172.27.248.79 iec104 controlled station 37133 x19",
        ]
    );
    if !have_tshark() {
        return;
    }
    let rows = tshark(
        &path,
        &[],
        "iec60870_104",
        &["iec60870_104.type", "iec60870_104.utype", "iec60870_asdu.addr", "ip.src", "ip.dst", "tcp.srcport"],
    );
    let addresses = values(obs, Field::ProtocolAddress);
    let mut compared = 0;
    for (frame, row) in &rows {
        let col = |i: usize| row.get(i).cloned().unwrap_or_default();
        let (types, utypes, addrs) = (col(0), col(1), col(2));
        let (src, dst, sport) = (col(3).concat(), col(4).concat(), col(5).concat());
        let here: Vec<&Observation> = obs.iter().filter(|o| o.frame == *frame).collect();
        let theirs = set(addrs.iter().filter(|a| *a != "0" && *a != "65535").cloned());
        assert_eq!(addresses.get(frame).cloned().unwrap_or_default(), theirs, "frame {frame}: common addresses");
        if !theirs.is_empty() || !utypes.is_empty() {
            compared += 1;
            // The controlled station is the TCP server (port 2404).
            let server = if sport == "2404" { &src } else { &dst };
            for o in &here {
                let role = o.fields.iter().find(|(f, _)| *f == Field::Role).map(|(_, v)| v.as_str());
                let ip = o.device.ip.map(|i| i.to_string()).unwrap_or_default();
                assert_eq!(role == Some("iec104 controlled station"), ip == *server, "frame {frame}: {ip} as {role:?}");
            }
            assert!(!here.is_empty(), "frame {frame}: tshark shows {types:?} {utypes:?}");
        }
    }
    // Every frame the decoder reported is one tshark reads an APDU in.
    for o in obs {
        assert!(rows.contains_key(&o.frame), "frame {}", o.frame);
    }
    assert_eq!(compared, 44);
}
