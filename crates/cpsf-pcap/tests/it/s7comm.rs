//! S7comm read-SZL identification: the decoder's facts equal tshark's `s7comm.szl.*` fields on the shared captures
//! (module identification 0x..11 and component identification 0x..1C); S7comm-plus gives only roles.

use std::collections::BTreeMap;
use std::path::Path;

use cpsf_pcap::model::{Field, Sink};
use cpsf_pcap::proto::s7comm;

use crate::frames::{self, fact};
use crate::tshark;

type Facts = BTreeMap<u64, Vec<(Field, String)>>;

/// tshark shows Ausbg/Ausbe as numbers; a firmware record holds 'V' and three version numbers in their bytes.
fn version(ausbg: &str, ausbe: &str) -> String {
    let (g, e): (u16, u16) = (ausbg.parse().unwrap(), ausbe.parse().unwrap());
    if g >> 8 == u16::from(b'V') { format!("V{}.{}.{}", g & 0xff, e >> 8, e & 0xff) } else { g.to_string() }
}

/// What tshark shows for each read-SZL answer with identification records, as our facts (tshark shows a split
/// answer once, reassembled, in the frame of its last part).
fn tshark_facts(path: &Path) -> Facts {
    let names = [
        "s7comm.szl.xy11.0001.index",
        "s7comm.szl.xy11.0001.anz",
        "s7comm.szl.xy11.0001.ausbg",
        "s7comm.szl.xy11.0001.ausbe",
        "s7comm.szl.001c.0001.name",
        "s7comm.szl.001c.0003.tag",
        "s7comm.szl.001c.0004.copyright",
        "s7comm.szl.001c.0005.serialn",
        "s7comm.szl.001c.0007.cputypname",
        "s7comm.szl.001c.0009.manufacturer_id",
        "s7comm.szl.001c.000b.loc_id",
    ];
    let filter = "s7comm.szl.xy11.0001.index || s7comm.szl.001c.000x.index";
    let mut out = Facts::new();
    for r in tshark::fields(path, filter, &names) {
        let mut f = Vec::new();
        let mut hardware = None;
        let mut have_module = false;
        for (i, index) in r.get(0).iter().enumerate() {
            let at = |col: usize| r.get(col).get(i).map(String::as_str).unwrap_or("");
            let (mlfb, v) = (at(1).trim().to_string(), version(at(2), at(3)));
            match index.as_str() {
                "0x0001" => {
                    have_module = true;
                    f.push((Field::OrderNumber, mlfb));
                    f.push((Field::HardwareVersion, v));
                }
                "0x0006" => hardware = Some((mlfb, v)),
                "0x0007" => f.push((Field::FirmwareVersion, v)),
                _ => {}
            }
        }
        if let (false, Some((mlfb, v))) = (have_module, hardware) {
            f.push((Field::OrderNumber, mlfb));
            f.push((Field::HardwareVersion, v));
        }
        for (col, field) in [
            (4, Field::Name),
            (5, Field::PlantId),
            (6, Field::Description),
            (7, Field::SerialNumber),
            (8, Field::ProductName),
            (9, Field::VendorId),
            (10, Field::Location),
        ] {
            let v = r.first(col).trim();
            if !v.is_empty() && v != "0x0000" {
                f.push((field, v.to_string()));
            }
        }
        out.insert(r.frame, f);
    }
    out
}

fn decode(frames: &[frames::Frame]) -> Sink {
    frames::decode_tcp(frames, 102, s7comm::framing, s7comm::decode)
}

fn module(order: &str, hw: &str, fw: &str) -> Vec<(Field, String)> {
    vec![fact(Field::OrderNumber, order), fact(Field::HardwareVersion, hw), fact(Field::FirmwareVersion, fw)]
}

fn components(name: &str, serial: &str, product: &str) -> Vec<(Field, String)> {
    vec![
        fact(Field::Name, name),
        fact(Field::Description, "Original Siemens Equipment"),
        fact(Field::SerialNumber, serial),
        fact(Field::ProductName, product),
        fact(Field::VendorId, "0x002a"),
    ]
}

#[test]
fn szl_identification_matches_tshark_on_s7ident() {
    let Some((path, frames)) = frames::shared_capture("s7comm/s7ident.pcap") else { return };
    let sink = decode(&frames);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = frames::facts(&sink);
    // What tshark 4.0 showed when this test was written (frames 11 and 19 are the same answer).
    let m = module("6ES7 315-2EH14-0AB0", "4", "V3.2.6");
    let expected = Facts::from([
        (11, m.clone()),
        (13, components("SNAP7-SERVER", "S C-C2UR28922012", "CPU 315-2 PN/DP")),
        (19, m),
    ]);
    assert_eq!(ours, expected);
    let roles = frames::roles(&sink);
    assert!(roles["s7comm server"] >= 10 && roles["s7comm client"] >= 10, "{roles:?}");
    if tshark::available() {
        assert_eq!(ours, tshark_facts(&path));
    }
}

/// In s7comm_reading_plc_status.pcap the component identification answer comes in two S7 data units (frames 69
/// and 72). Without the other part, the decoder reads the records of the first one: all but the memory card
/// serial, the manufacturer id and the rest, which tshark shows after reassembly at frame 72.
#[test]
fn szl_identification_matches_tshark_on_a_split_answer() {
    let Some((path, frames)) = frames::shared_capture("s7comm/s7comm_reading_plc_status.pcap") else { return };
    let sink = decode(&frames);
    assert!(sink.malformed.is_empty(), "{:?}", sink.malformed);
    let ours = frames::facts(&sink);
    let m = module("6ES7 151-8AB01-0AB0", "3", "V3.2.6");
    let mut first_part = components("IM151-8-CPU", "S C-C6TW74882012", "IM151-8 PN/DP CPU");
    first_part.pop();
    let expected = Facts::from([
        // SZL 0x0111 index 1 (the module record alone).
        (39, m[..2].to_vec()),
        (59, m),
        (69, first_part),
    ]);
    assert_eq!(ours, expected);
    if tshark::available() {
        let mut theirs = tshark_facts(&path);
        let whole = theirs.remove(&72).expect("tshark shows the reassembled answer at frame 72");
        let part = &ours[&69];
        assert!(part.iter().all(|f| whole.contains(f)), "{part:?} not in {whole:?}");
        assert_eq!(whole.iter().filter(|f| !part.contains(f)).collect::<Vec<_>>(), [&fact(Field::VendorId, "0x002a")]);
        let mut ours = ours.clone();
        ours.remove(&69);
        assert_eq!(ours, theirs);
    }
}

#[test]
fn other_s7_captures_give_roles_only() {
    for (rel, role) in [
        ("s7comm/s7comm_downloading_block_db1.pcap", "s7comm server"),
        ("s7comm/S7-1200-Uploading-OB1-TIAV12.pcap", "s7comm-plus server"),
    ] {
        let Some((path, frames)) = frames::shared_capture(rel) else { return };
        let sink = decode(&frames);
        assert!(sink.malformed.is_empty(), "{rel}: {:?}", sink.malformed);
        assert!(frames::facts(&sink).is_empty(), "{rel}");
        assert!(frames::roles(&sink).get(role).is_some_and(|&n| n > 10), "{rel}: {:?}", frames::roles(&sink));
        if tshark::available() {
            assert!(tshark_facts(&path).is_empty(), "{rel}");
        }
    }
}
