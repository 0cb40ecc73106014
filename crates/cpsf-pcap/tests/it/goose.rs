//! GOOSE publishers on the shared capture: hard-coded, and compared frame by frame with tshark's
//! `goose.gocbRef`, `goose.datSet` and `goose.goID`.

use cpsf_pcap::model::Field;

use super::frames2::*;

#[test]
fn goose_publisher() {
    let Some(path) = ics_pcap("iec61850-goose/GOOSE.pcap") else { return };
    let run = run_ether(&read(&path), ether_proto("goose"));
    assert!(run.sink.malformed.is_empty());
    assert_eq!(run.messages, 8);
    let obs = &run.sink.observations;
    let want = "00:a0:f4:08:2f:77 role=goose publisher; name=GEDeviceF650/LLN0$GO$gcb01; \
                description=GOOSE datSet GEDeviceF650/LLN0$GOOSE1, goID F650_GOOSE1";
    let got = lines(obs);
    assert_eq!(got.len(), 8);
    for (i, line) in got.iter().enumerate() {
        assert_eq!(line, &format!("{} {want}", i + 1));
    }
    if !have_tshark() {
        return;
    }
    let rows = tshark(&path, &[], "goose", &["goose.gocbRef", "goose.datSet", "goose.goID", "eth.src"]);
    assert_eq!(rows.len(), 8);
    for (frame, row) in &rows {
        let col = |i: usize| row.get(i).cloned().unwrap_or_default().concat();
        let o = obs.iter().find(|o| o.frame == *frame).unwrap_or_else(|| panic!("frame {frame}"));
        let get = |f: Field| o.fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!(get(Field::Name), col(0), "frame {frame}: gocbRef");
        assert_eq!(get(Field::Description), format!("GOOSE datSet {}, goID {}", col(1), col(2)), "frame {frame}");
        assert_eq!(o.device.mac.map(|m| m.to_string()), Some(col(3)), "frame {frame}: publisher");
    }
}
