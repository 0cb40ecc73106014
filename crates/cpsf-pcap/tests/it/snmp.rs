//! SNMP agents and managers on a capture built here (no shared SNMP capture exists): a v2c GetRequest and its
//! GetResponse with the system group, a v1 Trap, a v2c Trap and a v3 message. Written to a temporary pcap,
//! read back, and compared with tshark's `snmp.name`, `snmp.value.octets`, `snmp.value.oid` and
//! `snmp.agent_addr`. The community string never appears in what the decoder reports.

use cpsf_pcap::model::Field;
use cpsf_pcap::proto::snmp::build::{Value, message, oid, tlv};

use super::frames2::*;

const COMMUNITY: &str = "pl4nt-c0mmunity";
const DESCR: &str = "1.3.6.1.2.1.1.1.0";
const OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
const CONTACT: &str = "1.3.6.1.2.1.1.4.0";
const NAME: &str = "1.3.6.1.2.1.1.5.0";
const LOCATION: &str = "1.3.6.1.2.1.1.6.0";

/// An SNMPv1 Trap-PDU (RFC 1157 section 4.1.6) with one variable binding.
fn trap_v1(agent: [u8; 4], name: &str) -> Vec<u8> {
    let mut vb = tlv(0x06, &oid(NAME));
    vb.extend(tlv(0x04, name.as_bytes()));
    let mut pdu = tlv(0x06, &oid("1.3.6.1.4.1.99999.2"));
    pdu.extend(tlv(0x40, &agent));
    pdu.extend(tlv(0x02, &[6]));
    pdu.extend(tlv(0x02, &[1]));
    pdu.extend(tlv(0x43, &[0x01, 0x00]));
    pdu.extend(tlv(0x30, &tlv(0x30, &vb)));
    let mut m = tlv(0x02, &[0]);
    m.extend(tlv(0x04, COMMUNITY.as_bytes()));
    m.extend(tlv(0xa4, &pdu));
    tlv(0x30, &m)
}

/// An SNMPv3 message (RFC 3412 section 6) whose scoped PDU is encrypted (an opaque octet string).
fn v3() -> Vec<u8> {
    let mut global = tlv(0x02, &[0x12, 0x34]);
    global.extend(tlv(0x02, &[0x05, 0xdc]));
    global.extend(tlv(0x04, &[0x07]));
    global.extend(tlv(0x02, &[3]));
    let mut m = tlv(0x02, &[3]);
    m.extend(tlv(0x30, &global));
    m.extend(tlv(0x04, &tlv(0x30, &[])));
    m.extend(tlv(0x04, &[0x5a; 24]));
    tlv(0x30, &m)
}

fn capture() -> PcapOut {
    let manager = |port| Endpoint { mac: [2, 0, 0, 0, 0, 9], ip: [10, 0, 0, 9], port };
    let agent = |port| Endpoint { mac: [2, 0, 0, 0, 0, 20], ip: [10, 0, 0, 20], port };
    let switch = Endpoint { mac: [2, 0, 0, 0, 0, 21], ip: [10, 0, 0, 21], port: 49152 };
    let mut pcap = PcapOut::new();
    let asked = [DESCR, OBJECT_ID, CONTACT, NAME, LOCATION].map(|o| (o, Value::Null));
    pcap.packet(&manager(40000), &agent(161), None, &message(1, COMMUNITY, 0xa0, 42, &asked));
    let answer = [
        (DESCR, Value::Text("ACME RTU-9 rev C, firmware 4.2.1")),
        (OBJECT_ID, Value::Oid("1.3.6.1.4.1.99999.1.9")),
        (CONTACT, Value::Text("ot-team@example.com")),
        (NAME, Value::Text("rtu-substation-4")),
        (LOCATION, Value::Text("Substation 4, cabinet B")),
    ];
    pcap.packet(&agent(161), &manager(40000), None, &message(1, COMMUNITY, 0xa2, 42, &answer));
    pcap.packet(&switch, &manager(162), None, &trap_v1([10, 0, 0, 21], "sw-core-1"));
    let v2_trap =
        [("1.3.6.1.6.3.1.1.4.1.0", Value::Oid("1.3.6.1.6.3.1.1.5.4")), (NAME, Value::Text("rtu-substation-4"))];
    pcap.packet(&agent(49153), &manager(162), None, &message(1, COMMUNITY, 0xa7, 7, &v2_trap));
    pcap.packet(&manager(40001), &agent(161), None, &v3());
    pcap
}

#[test]
fn agents_and_managers() {
    let path = capture().write("snmp.pcap");
    let run = run_udp(&read(&path), udp_proto("snmp"));
    assert!(run.sink.malformed.is_empty(), "{:?}", run.sink.malformed);
    let obs = &run.sink.observations;
    assert_eq!(
        lines(obs),
        [
            "1 10.0.0.9 role=snmp manager; status=protocol SNMPv2c",
            "1 10.0.0.20 role=snmp agent",
            "2 10.0.0.20 role=snmp agent; description=ACME RTU-9 rev C, firmware 4.2.1; \
             device_type=1.3.6.1.4.1.99999.1.9; name=rtu-substation-4; location=Substation 4, cabinet B; \
             status=protocol SNMPv2c",
            "2 10.0.0.9 role=snmp manager",
            "3 10.0.0.21 role=snmp agent; declared_ip=10.0.0.21; name=sw-core-1; status=protocol SNMPv1",
            "3 10.0.0.9 role=snmp manager",
            "4 10.0.0.20 role=snmp agent; name=rtu-substation-4; status=protocol SNMPv2c",
            "4 10.0.0.9 role=snmp manager",
            "5 10.0.0.9 role=snmp manager; status=protocol SNMPv3",
            "5 10.0.0.20 role=snmp agent",
        ]
    );
    let all = format!("{obs:?}");
    assert!(!all.contains(COMMUNITY) && !all.contains("ot-team"), "{all}");
    if !have_tshark() {
        return;
    }
    let rows = tshark(
        &path,
        &[],
        "snmp",
        &["snmp.version", "snmp.name", "snmp.value.octets", "snmp.value.oid", "snmp.agent_addr", "snmp.msgVersion"],
    );
    assert_eq!(rows.len(), 5);
    for (frame, row) in &rows {
        let col = |i: usize| row.get(i).cloned().unwrap_or_default();
        let (names, mut octets, mut oids) = (col(1), col(2).into_iter(), col(3).into_iter());
        // Pair each binding's name with its value: sysObjectID and snmpTrapOID hold OIDs, the rest strings.
        let mut theirs: Vec<(Field, String)> = Vec::new();
        for name in &names {
            let value =
                if name == OBJECT_ID || name.starts_with("1.3.6.1.6.3.1.1.4.1") { oids.next() } else { octets.next() };
            let value = value.unwrap_or_default();
            let text = if name == OBJECT_ID { value } else { hex_text(&value) };
            let field = match name.as_str() {
                DESCR => Field::Description,
                OBJECT_ID => Field::DeviceType,
                NAME => Field::Name,
                LOCATION => Field::Location,
                _ => continue,
            };
            if text != "NULL" && !text.is_empty() {
                theirs.push((field, text));
            }
        }
        theirs.extend(col(4).into_iter().map(|a| (Field::DeclaredIp, a)));
        let ours: Vec<(Field, String)> = obs
            .iter()
            .filter(|o| o.frame == *frame)
            .flat_map(|o| o.fields.iter().filter(|(f, _)| !matches!(f, Field::Role | Field::Status)).cloned())
            .collect();
        let sorted = |mut v: Vec<(Field, String)>| {
            v.sort();
            v
        };
        assert_eq!(sorted(ours), sorted(theirs), "frame {frame}");
        let version = match (col(0).concat().as_str(), col(5).concat().as_str()) {
            ("0", _) => "protocol SNMPv1",
            ("1", _) => "protocol SNMPv2c",
            ("", "3") => "protocol SNMPv3",
            other => panic!("frame {frame}: version {other:?}"),
        };
        assert!(values(obs, Field::Status).get(frame).is_some_and(|s| s == &[version.to_string()]), "frame {frame}");
    }
}

/// tshark prints an octet string as text when it is printable, else as hex.
fn hex_text(v: &str) -> String {
    let is_hex = v.len().is_multiple_of(2) && !v.is_empty() && v.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex {
        return v.to_string();
    }
    let bytes: Vec<u8> = (0..v.len()).step_by(2).filter_map(|i| u8::from_str_radix(&v[i..i + 2], 16).ok()).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}
