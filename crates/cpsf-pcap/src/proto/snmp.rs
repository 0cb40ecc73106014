//! SNMP identity over UDP 161/162: the agent and manager roles, and from an agent's answers and
//! notifications the system group (sysDescr, sysObjectID, sysName, sysLocation) and a v1 trap's agent address.
//! SNMPv1 and v2c messages are read; the community string is skipped and never reported (it is a password).
//! SNMPv3 messages give the roles only.

use super::ber::{self, Tlv};
use crate::model::{Field, PacketMeta, Side, Sink};

pub const NAME: &str = "snmp";
/// 161: agent; 162: notification receiver (manager).
pub const PORTS: &[u16] = &[161, 162];

const AGENT: &str = "snmp agent";
const MANAGER: &str = "snmp manager";

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";
const SYS_LOCATION: &str = "1.3.6.1.2.1.1.6.0";

/// Decodes one datagram.
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    if decode_message(meta, msg, sink).is_none() {
        sink.malformed(NAME);
    }
}

fn decode_message(meta: &PacketMeta, msg: &[u8], sink: &mut Sink) -> Option<()> {
    let outer = ber::expect(msg, 0x30)?;
    let version = ber::expect(outer.value, 0x02)?;
    let label = match ber::integer(version.value)? {
        0 => "SNMPv1",
        1 => "SNMPv2c",
        3 => {
            // The rest may be encrypted: the ports alone tell who is who.
            let sender_agent = match (meta.src_port, meta.dst_port) {
                (161, _) | (_, 162) => true,
                (_, 161) | (162, _) => false,
                _ => return Some(()),
            };
            roles(meta, sender_agent, Vec::new(), "SNMPv3", sink);
            return Some(());
        }
        _ => return None,
    };
    let community = ber::expect(version.rest, 0x04)?;
    let pdu = ber::tlv(community.rest)?;
    let sender_agent = match pdu.tag {
        // Get, GetNext, Set, GetBulk: a manager asks an agent.
        0xa0 | 0xa1 | 0xa3 | 0xa5 => false,
        // Response: from an agent, unless it answers an Inform sent to a manager's port 162.
        0xa2 => meta.src_port != 162,
        // Trap (v1), Inform, SNMPv2-Trap: from an agent (or a notifier acting for one).
        0xa4 | 0xa6 | 0xa7 => true,
        // Report (a v3 engine's), or something else.
        0xa8 => return Some(()),
        _ => return None,
    };
    let mut facts = Vec::new();
    let varbinds = if pdu.tag == 0xa4 {
        // enterprise, agent-addr, generic-trap, specific-trap, time-stamp, variable-bindings.
        let enterprise = ber::expect(pdu.value, 0x06)?;
        let addr = ber::expect(enterprise.rest, 0x40)?;
        if let &[a, b, c, d] = addr.value
            && [a, b, c, d] != [0, 0, 0, 0]
        {
            facts.push((Field::DeclaredIp, format!("{a}.{b}.{c}.{d}")));
        }
        let generic = ber::expect(addr.rest, 0x02)?;
        let specific = ber::expect(generic.rest, 0x02)?;
        let stamp = ber::expect(specific.rest, 0x43)?;
        ber::expect(stamp.rest, 0x30)?
    } else {
        // request-id, error-status (or non-repeaters), error-index (or max-repetitions), variable-bindings.
        let id = ber::expect(pdu.value, 0x02)?;
        let status = ber::expect(id.rest, 0x02)?;
        let index = ber::expect(status.rest, 0x02)?;
        ber::expect(index.rest, 0x30)?
    };
    if sender_agent {
        system_group(varbinds, &mut facts)?;
    }
    roles(meta, sender_agent, facts, label, sink);
    Some(())
}

/// The system-group values among variable bindings.
fn system_group(varbinds: Tlv<'_>, facts: &mut Vec<(Field, String)>) -> Option<()> {
    let mut rest = varbinds.value;
    while !rest.is_empty() {
        let bind = ber::expect(rest, 0x30)?;
        rest = bind.rest;
        let name = ber::expect(bind.value, 0x06)?;
        let value = ber::tlv(name.rest)?;
        let field = match ber::oid(name.value)?.as_str() {
            SYS_DESCR => Field::Description,
            SYS_OBJECT_ID => Field::DeviceType,
            SYS_NAME => Field::Name,
            SYS_LOCATION => Field::Location,
            _ => continue,
        };
        // Exceptions (noSuchObject and the like) and NULLs carry no value.
        let text = match (field, value.tag) {
            (Field::DeviceType, 0x06) => ber::oid(value.value)?,
            (Field::DeviceType, _) | (_, 0x05 | 0x80..=0x82) => continue,
            (_, 0x04) => ber::text(value.value),
            _ => continue,
        };
        if !text.is_empty() {
            facts.push((field, text));
        }
    }
    Some(())
}

fn roles(meta: &PacketMeta, sender_agent: bool, facts: Vec<(Field, String)>, label: &str, sink: &mut Sink) {
    let (sender_role, receiver_role) = if sender_agent { (AGENT, MANAGER) } else { (MANAGER, AGENT) };
    let mut sender = vec![(Field::Role, sender_role.into())];
    sender.extend(facts);
    sender.push((Field::Status, format!("protocol {label}")));
    sink.observe(NAME, meta, meta.source(), sender);
    sink.observe(NAME, meta, meta.destination(), vec![(Field::Role, receiver_role.into())]);
}

/// Builds SNMP messages per RFC 1157 / RFC 3416 (for tests and the demo capture).
pub mod build {
    /// One element with a definite length (short or long form).
    pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = value.len();
        if n < 0x80 {
            out.push(n as u8);
        } else if n < 0x100 {
            out.extend([0x81, n as u8]);
        } else {
            out.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        out.extend_from_slice(value);
        out
    }

    /// Dotted decimal to BER contents.
    pub fn oid(dotted: &str) -> Vec<u8> {
        let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
        let mut out = Vec::new();
        let (a, b) = (arcs.first().copied().unwrap_or(0), arcs.get(1).copied().unwrap_or(0));
        let mut push = |mut v: u64| {
            let mut bytes = vec![(v & 0x7f) as u8];
            v >>= 7;
            while v > 0 {
                bytes.push(0x80 | (v & 0x7f) as u8);
                v >>= 7;
            }
            out.extend(bytes.iter().rev());
        };
        push(a * 40 + b);
        for &arc in arcs.iter().skip(2) {
            push(arc);
        }
        out
    }

    pub enum Value<'a> {
        Null,
        Text(&'a str),
        Oid(&'a str),
    }

    /// A v1 (version 0) or v2c (version 1) message with a request-style PDU of type `pdu`.
    pub fn message(version: u8, community: &str, pdu: u8, request_id: u8, binds: &[(&str, Value<'_>)]) -> Vec<u8> {
        let mut vb = Vec::new();
        for (name, value) in binds {
            let mut b = tlv(0x06, &oid(name));
            b.extend(match value {
                Value::Null => tlv(0x05, &[]),
                Value::Text(t) => tlv(0x04, t.as_bytes()),
                Value::Oid(o) => tlv(0x06, &oid(o)),
            });
            vb.extend(tlv(0x30, &b));
        }
        let mut p = tlv(0x02, &[request_id]);
        p.extend(tlv(0x02, &[0]));
        p.extend(tlv(0x02, &[0]));
        p.extend(tlv(0x30, &vb));
        let mut m = tlv(0x02, &[version]);
        m.extend(tlv(0x04, community.as_bytes()));
        m.extend(tlv(pdu, &p));
        tlv(0x30, &m)
    }
}

#[cfg(test)]
mod tests {
    use super::build::{Value, message};
    use super::*;

    fn response() -> Vec<u8> {
        message(
            1,
            "s3cret-community",
            0xa2,
            7,
            &[
                (SYS_DESCR, Value::Text("ACME PLC-5000 firmware 2.1")),
                (SYS_OBJECT_ID, Value::Oid("1.3.6.1.4.1.99999.1.5")),
                ("1.3.6.1.2.1.1.4.0", Value::Text("ops@example.com")),
                (SYS_NAME, Value::Text("plc-line2")),
                (SYS_LOCATION, Value::Text("Hall 3")),
            ],
        )
    }

    fn agent_meta() -> PacketMeta {
        PacketMeta { src_port: 161, dst_port: 40000, ..PacketMeta::default() }
    }

    #[test]
    fn response_describes_the_agent() {
        let mut sink = Sink::default();
        decode(&agent_meta(), Side::Server, &response(), &mut sink);
        assert!(sink.malformed.is_empty());
        assert_eq!(
            sink.observations[0].fields,
            vec![
                (Field::Role, AGENT.into()),
                (Field::Description, "ACME PLC-5000 firmware 2.1".into()),
                (Field::DeviceType, "1.3.6.1.4.1.99999.1.5".into()),
                (Field::Name, "plc-line2".into()),
                (Field::Location, "Hall 3".into()),
                (Field::Status, "protocol SNMPv2c".into()),
            ]
        );
        assert_eq!(sink.observations[1].fields, vec![(Field::Role, MANAGER.into())]);
        let all = format!("{:?}", sink.observations);
        assert!(!all.contains("s3cret") && !all.contains("ops@example.com"));
    }

    #[test]
    fn request_gives_roles_only() {
        let m = message(0, "public", 0xa0, 1, &[(SYS_DESCR, Value::Null)]);
        let mut sink = Sink::default();
        let meta = PacketMeta { src_port: 40000, dst_port: 161, ..PacketMeta::default() };
        decode(&meta, Side::Client, &m, &mut sink);
        assert_eq!(
            sink.observations[0].fields,
            vec![(Field::Role, MANAGER.into()), (Field::Status, "protocol SNMPv1".into())]
        );
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        let m = response();
        for n in 0..m.len() {
            let mut sink = Sink::default();
            decode(&agent_meta(), Side::Server, &m[..n], &mut sink);
            assert_eq!(sink.malformed, vec![(NAME, 1)], "prefix of {n} bytes");
        }
        let mut x = 0x0123_4567_89ab_cdefu64;
        for _ in 0..3000 {
            let mut buf = m.clone();
            for _ in 0..1 + x % 4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let at = (x as usize) % buf.len();
                buf[at] = (x >> 32) as u8;
            }
            let mut sink = Sink::default();
            decode(&agent_meta(), Side::Server, &buf, &mut sink);
        }
    }
}
