//! HART-IP roles on the shared capture, compared with tshark's `hart_ip.message_type` (0 request from the
//! client, 1 response from the server).

use cpsf_pcap::model::Field;

use super::frames2::*;

#[test]
fn hart_ip_roles() {
    let Some(path) = ics_pcap("hart-ip/hart_ip.pcap") else { return };
    let frames = read(&path);
    let tcp = run_tcp(&frames, tcp_proto("hart-ip"));
    let udp = run_udp(&frames, udp_proto("hart-ip"));
    assert!(tcp.sink.malformed.is_empty() && udp.sink.malformed.is_empty());
    // Over UDP the server answered from port 5095 and the session went on there: only the Session Initiate
    // request (frame 1) is on 5094. The TCP session stays on 5094.
    assert_eq!((udp.messages, tcp.messages), (1, 24));
    let obs: Vec<_> = udp.sink.observations.into_iter().chain(tcp.sink.observations).collect();
    let mut summary: Vec<String> =
        lines(&obs).iter().map(|l| l.split_once(' ').map(|(_, r)| r.to_string()).unwrap_or_default()).collect();
    summary.sort();
    summary.dedup();
    assert_eq!(summary, ["192.168.0.10 role=hart-ip server", "192.168.0.101 role=hart-ip client"]);
    if !have_tshark() {
        return;
    }
    let rows = tshark(&path, &[], "hart_ip", &["hart_ip.message_type", "ip.src"]);
    let mut compared = 0;
    for o in &obs {
        let row = rows.get(&o.frame).unwrap_or_else(|| panic!("frame {} is not HART-IP for tshark", o.frame));
        let kinds = row.first().cloned().unwrap_or_default();
        let src = row.get(1).cloned().unwrap_or_default().concat();
        let role = o.fields.iter().find(|(f, _)| *f == Field::Role).map(|(_, v)| v.as_str()).unwrap_or_default();
        let sender_is_server = kinds.iter().all(|k| k == "1");
        let is_sender = o.device.ip.map(|i| i.to_string()) == Some(src);
        assert_eq!(role == "hart-ip server", sender_is_server == is_sender, "frame {}: {kinds:?}", o.frame);
        compared += 1;
    }
    // Two observations (sender and receiver) for each of the 25 messages.
    assert_eq!(compared, 50);
}
