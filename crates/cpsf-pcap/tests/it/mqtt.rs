//! MQTT clients and brokers on a capture built here (no shared MQTT capture exists): CONNECT and CONNACK in
//! MQTT 3.1.1 (one CONNECT split over two segments) and MQTT 5 (a broker-assigned client id), and a TLS
//! session on 8883. Written to a temporary pcap, read back, and compared with tshark's `mqtt.clientid`,
//! `mqtt.username`, `mqtt.ver`, `mqtt.prop_string` and `tls.handshake.extensions_server_name`.

use cpsf_pcap::model::Field;

use super::frames2::*;

fn string(v: &str) -> Vec<u8> {
    let mut o = (v.len() as u16).to_be_bytes().to_vec();
    o.extend(v.as_bytes());
    o
}

fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![first];
    let mut n = body.len();
    loop {
        let b = (n % 128) as u8;
        n /= 128;
        m.push(if n > 0 { b | 0x80 } else { b });
        if n == 0 {
            break;
        }
    }
    m.extend_from_slice(body);
    m
}

/// CONNECT per OASIS MQTT 3.1.1 section 3.1 / MQTT 5.0 section 3.1.
fn connect(level: u8, client_id: &str, user: Option<&str>, password: Option<&str>, will: bool) -> Vec<u8> {
    let mut b = string("MQTT");
    b.push(level);
    let flags = u8::from(user.is_some()) << 7 | u8::from(password.is_some()) << 6 | u8::from(will) << 2 | 0x02;
    b.push(flags);
    b.extend(30u16.to_be_bytes());
    if level == 5 {
        b.extend([5, 0x11, 0, 0, 0x0e, 0x10]); // session expiry interval 3600
    }
    b.extend(string(client_id));
    if will {
        if level == 5 {
            b.push(0);
        }
        b.extend(string("plant/line1/status"));
        b.extend(string("offline"));
    }
    if let Some(u) = user {
        b.extend(string(u));
    }
    if let Some(p) = password {
        b.extend(string(p));
    }
    packet(0x10, &b)
}

fn client_hello(host: &str) -> Vec<u8> {
    let mut sni = vec![0u8];
    sni.extend(string(host));
    let mut ext = vec![0, 0];
    ext.extend(((sni.len() + 2) as u16).to_be_bytes());
    ext.extend((sni.len() as u16).to_be_bytes());
    ext.extend(sni);
    let mut body = vec![3, 3];
    body.extend([0x11u8; 32]);
    body.push(0);
    body.extend([0, 2, 0xc0, 0x2f, 1, 0]);
    body.extend((ext.len() as u16).to_be_bytes());
    body.extend(ext);
    let mut hs = vec![1, 0];
    hs.extend((body.len() as u16).to_be_bytes());
    hs.extend(body);
    let mut rec = vec![22, 3, 1];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(hs);
    rec
}

fn server_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend([0x22u8; 32]);
    body.push(0);
    body.extend([0xc0, 0x2f, 0, 0, 0]);
    let mut hs = vec![2, 0];
    hs.extend((body.len() as u16).to_be_bytes());
    hs.extend(body);
    let mut rec = vec![22, 3, 3];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(hs);
    rec
}

const PASSWORD: &str = "never-report-me";

fn capture() -> PcapOut {
    let broker = |port| Endpoint { mac: [2, 0, 0, 0, 0, 1], ip: [10, 0, 0, 1], port };
    let plc = Endpoint { mac: [2, 0, 0, 0, 0, 5], ip: [10, 0, 0, 5], port: 50001 };
    let sensor = Endpoint { mac: [2, 0, 0, 0, 0, 6], ip: [10, 0, 0, 6], port: 50002 };
    let gateway = Endpoint { mac: [2, 0, 0, 0, 0, 7], ip: [10, 0, 0, 7], port: 50003 };
    let mut pcap = PcapOut::new();
    // 1-2: MQTT 3.1.1 CONNECT in two segments, 3: CONNACK, 4: PUBLISH.
    let c = connect(4, "plc-17", Some("line1"), Some(PASSWORD), true);
    let (a, b) = c.split_at(9);
    pcap.packet(&plc, &broker(1883), Some(1000), a);
    pcap.packet(&plc, &broker(1883), Some(1000 + a.len() as u32), b);
    pcap.packet(&broker(1883), &plc, Some(5000), &[0x20, 0x02, 0x00, 0x00]);
    let mut publish = string("plant/line1/temp");
    publish.extend(b"21.5");
    pcap.packet(&plc, &broker(1883), Some(1000 + c.len() as u32), &packet(0x30, &publish));
    // 5: MQTT 5 CONNECT with an empty client id, 6: CONNACK assigning one.
    pcap.packet(&sensor, &broker(1883), Some(7000), &connect(5, "", None, None, false));
    let mut props = vec![0x21, 0, 20, 0x12];
    props.extend(string("auto-7F3A"));
    let mut ack = vec![0, 0, props.len() as u8];
    ack.extend(props);
    pcap.packet(&broker(1883), &sensor, Some(9000), &packet(0x20, &ack));
    // 7-8: MQTT over TLS.
    pcap.packet(&gateway, &broker(8883), Some(100), &client_hello("broker.plant.example"));
    pcap.packet(&broker(8883), &gateway, Some(300), &server_hello());
    pcap
}

#[test]
fn clients_and_brokers() {
    let path = capture().write("mqtt.pcap");
    let run = run_tcp(&read(&path), tcp_proto("mqtt"));
    assert!(run.sink.malformed.is_empty(), "{:?}", run.sink.malformed);
    let obs = &run.sink.observations;
    assert_eq!(
        lines(obs),
        [
            "2 10.0.0.5 role=mqtt client; client_id=plc-17; username=line1; status=protocol MQTT 3.1.1",
            "2 10.0.0.1 role=mqtt broker",
            "3 10.0.0.1 role=mqtt broker",
            "3 10.0.0.5 role=mqtt client",
            "5 10.0.0.6 role=mqtt client; status=protocol MQTT 5.0",
            "5 10.0.0.1 role=mqtt broker",
            "6 10.0.0.1 role=mqtt broker",
            "6 10.0.0.6 role=mqtt client; client_id=auto-7F3A",
            "7 10.0.0.7 role=mqtt client",
            "7 10.0.0.1 role=mqtt broker; hostname=broker.plant.example",
            "8 10.0.0.1 role=mqtt broker",
        ]
    );
    assert!(!format!("{obs:?}").contains(PASSWORD));
    if !have_tshark() {
        return;
    }
    let rows = tshark(
        &path,
        &[],
        "mqtt || tls",
        &[
            "mqtt.msgtype",
            "mqtt.clientid",
            "mqtt.username",
            "mqtt.ver",
            "mqtt.prop_string",
            "tls.handshake.extensions_server_name",
        ],
    );
    // tshark sees the same frames: the CONNECTs completed in 2 and 5, CONNACKs 3 and 6, PUBLISH 4, TLS 7 and 8.
    assert_eq!(rows.keys().copied().collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7, 8]);
    let ids = values(obs, Field::ClientId);
    let users = values(obs, Field::Username);
    let hosts = values(obs, Field::Hostname);
    let statuses = values(obs, Field::Status);
    for (frame, row) in &rows {
        let col = |i: usize| set(row.get(i).cloned().unwrap_or_default().into_iter().filter(|s| !s.is_empty()));
        let get = |m: &std::collections::BTreeMap<u64, Vec<String>>| m.get(frame).cloned().unwrap_or_default();
        // A CONNECT's client id, or the id a CONNACK property assigns.
        let theirs_ids = if col(0) == ["2"] { col(4) } else { col(1) };
        assert_eq!(get(&ids), theirs_ids, "frame {frame}: client id");
        assert_eq!(get(&users), col(2), "frame {frame}: user name");
        assert_eq!(get(&hosts), col(5), "frame {frame}: server name");
        let levels: Vec<String> = col(3)
            .iter()
            .map(|v| match v.as_str() {
                "3" => "protocol MQTT 3.1".to_string(),
                "4" => "protocol MQTT 3.1.1".to_string(),
                "5" => "protocol MQTT 5.0".to_string(),
                other => format!("protocol MQTT level {other}"),
            })
            .collect();
        // tshark repeats the CONNECT's version on later packets of the conversation; only CONNECT carries it.
        if col(0) == ["1"] {
            assert_eq!(get(&statuses), levels, "frame {frame}: protocol level");
        }
    }
}
