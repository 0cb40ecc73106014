//! The whole pipeline against the decoders alone: on every shared ICS capture, every identity fact the decoders
//! report when fed straight from the capture's messages (the facts the other tests compare with tshark; streams
//! joined by the tests' own simple in-order concatenation) is also among the facts `discover` reports for some
//! device, through its reassembly, registry and folding of observations per device.

use std::collections::BTreeSet;

use cpsf_pcap::discover::{Options, discover_bytes};
use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto;

use crate::frames;

/// (field, value) pairs of a sink, roles and statuses left out (they are per message, not per device).
fn facts(sink: &Sink) -> BTreeSet<(Field, String)> {
    sink.observations
        .iter()
        .flat_map(|o| o.fields.iter().cloned())
        .filter(|(f, _)| !matches!(f, Field::Role | Field::Status))
        .collect()
}

#[test]
fn discover_reports_every_fact_the_decoders_read_from_each_shared_capture() {
    let Some(root) = frames::shared_data() else { return };
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root.join("ics-pcap")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    let mut compared = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let frames = frames::read(&bytes);
        let mut expected = BTreeSet::new();
        for p in proto::tcp() {
            for &port in p.ports {
                expected.extend(facts(&frames::decode_tcp(&frames, port, p.framing, p.decode)));
            }
        }
        for p in proto::udp() {
            for &port in p.ports {
                expected.extend(facts(&frames::decode_udp(&frames, port, p.decode)));
            }
        }
        for p in proto::ether() {
            expected.extend(facts(&frames::decode_ether(&frames, p.ethertype, p.decode)));
        }
        let name = path.display().to_string();
        let discovery = discover_bytes(&[(name.as_str(), bytes.as_slice())], &Options::default());
        let got: BTreeSet<(Field, String)> = discovery
            .devices
            .iter()
            .flat_map(|d| d.identity.iter().flat_map(|f| f.values.iter().map(move |v| (f.field, v.value.clone()))))
            .collect();
        let missing: Vec<_> = expected.difference(&got).collect();
        assert!(missing.is_empty(), "{name}: discover lacks {} facts the decoders read: {missing:?}", missing.len());
        compared += expected.len();
    }
    assert!(compared > 100, "only {compared} facts compared");
}
