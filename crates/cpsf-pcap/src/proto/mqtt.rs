//! MQTT identity: a CONNECT names its client (client identifier, user name, protocol level; the password is
//! never read) and makes the receiver the broker; a CONNACK confirms the broker and, in MQTT 5, may carry the
//! client identifier the broker assigned. Port 1883; on 8883 MQTT runs over TLS and only the roles (and the
//! server name of the ClientHello) are visible.

use super::tls_hello;
use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "mqtt";
/// 1883: MQTT; 8883: MQTT over TLS.
pub const PORTS: &[u16] = &[1883, 8883];

const CLIENT: &str = "mqtt client";
const BROKER: &str = "mqtt broker";

/// Stream framing: the fixed header's packet type and its variable-length "remaining length" (1-4 bytes).
pub fn framing(buf: &[u8]) -> Framing {
    if let Some(f) = tls_hello::framing(buf) {
        return f;
    }
    let Some(&first) = buf.first() else { return Framing::NeedMore };
    if first >> 4 == 0 {
        return Framing::NotThisProtocol;
    }
    match varint(buf.get(1..).unwrap_or_default()) {
        Varint::Value(len, used) => Framing::Message(1 + used + len),
        Varint::Short => Framing::NeedMore,
        Varint::Bad => Framing::NotThisProtocol,
    }
}

enum Varint {
    /// The value and how many bytes encoded it.
    Value(usize, usize),
    Short,
    Bad,
}

/// The variable byte integer: 7 bits a byte, least significant first, at most 4 bytes.
fn varint(b: &[u8]) -> Varint {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&byte) = b.get(i) else { return Varint::Short };
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Varint::Value(value, i + 1);
        }
    }
    Varint::Bad
}

/// Decodes one control packet (or one TLS record on 8883).
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    if tls_hello::is_record(msg) {
        tls_hello::decode(NAME, CLIENT, BROKER, meta, msg, sink);
        return;
    }
    let Some(&first) = msg.first() else {
        sink.malformed(NAME);
        return;
    };
    let body = match varint(msg.get(1..).unwrap_or_default()) {
        Varint::Value(len, used) => msg.get(1 + used..).map(|b| b.get(..len).unwrap_or(b)),
        _ => None,
    };
    let Some(body) = body else {
        sink.malformed(NAME);
        return;
    };
    match first {
        0x10 => match connect(body) {
            Some(fields) => {
                sink.observe(NAME, meta, meta.source(), fields);
                sink.observe(NAME, meta, meta.destination(), vec![(Field::Role, BROKER.into())]);
            }
            None => sink.malformed(NAME),
        },
        0x20 => {
            sink.observe(NAME, meta, meta.source(), vec![(Field::Role, BROKER.into())]);
            let mut client = vec![(Field::Role, CLIENT.into())];
            // MQTT 5: acknowledge flags, reason code, then properties.
            if body.len() > 2 {
                match assigned_client_id(body.get(2..).unwrap_or_default()) {
                    Some(Some(id)) => client.push((Field::ClientId, id)),
                    Some(None) => {}
                    None => sink.malformed(NAME),
                }
            }
            sink.observe(NAME, meta, meta.destination(), client);
        }
        _ => {}
    }
}

/// A bounds-checked big-endian reader.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u16(&mut self) -> Option<u16> {
        let &[a, b] = self.take(2)?.first_chunk::<2>()?;
        Some(u16::from_be_bytes([a, b]))
    }

    /// A two-byte length and that many bytes.
    fn binary(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    fn string(&mut self) -> Option<String> {
        self.binary().map(|b| String::from_utf8_lossy(b).into_owned())
    }

    fn varint(&mut self) -> Option<usize> {
        match varint(self.buf.get(self.pos..)?) {
            Varint::Value(v, used) => {
                self.pos += used;
                Some(v)
            }
            _ => None,
        }
    }
}

/// CONNECT: protocol name and level, flags, keep alive, (MQTT 5 properties), then the payload: client id,
/// will (properties, topic, payload), user name. The password that may follow is left unread.
fn connect(body: &[u8]) -> Option<Vec<(Field, String)>> {
    let mut r = Reader { buf: body, pos: 0 };
    let name = r.binary()?;
    if name != b"MQTT" && name != b"MQIsdp" {
        return None;
    }
    let level = r.u8()?;
    let flags = r.u8()?;
    r.u16()?; // keep alive
    if level == 5 {
        let n = r.varint()?;
        r.take(n)?;
    }
    let client_id = r.string()?;
    if flags & 0x04 != 0 {
        if level == 5 {
            let n = r.varint()?;
            r.take(n)?;
        }
        r.binary()?; // will topic
        r.binary()?; // will payload
    }
    let user = if flags & 0x80 != 0 { Some(r.string()?) } else { None };
    let version = match level {
        3 => "MQTT 3.1".to_string(),
        4 => "MQTT 3.1.1".to_string(),
        5 => "MQTT 5.0".to_string(),
        n => format!("MQTT level {n}"),
    };
    let mut fields = vec![(Field::Role, CLIENT.into())];
    if !client_id.is_empty() {
        fields.push((Field::ClientId, client_id));
    }
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        fields.push((Field::Username, u));
    }
    fields.push((Field::Status, format!("protocol {version}")));
    Some(fields)
}

/// The Assigned Client Identifier (property 0x12) among CONNACK properties; `None` when they cannot be read.
fn assigned_client_id(props: &[u8]) -> Option<Option<String>> {
    let mut r = Reader { buf: props, pos: 0 };
    let len = r.varint()?;
    let mut p = Reader { buf: r.take(len)?, pos: 0 };
    while p.pos < p.buf.len() {
        match p.varint()? {
            0x12 => return Some(Some(p.string()?)),
            // Byte properties.
            0x01 | 0x17 | 0x19 | 0x24 | 0x25 | 0x28 | 0x29 | 0x2a => {
                p.take(1)?;
            }
            // Two-byte integers.
            0x13 | 0x21 | 0x22 | 0x23 => {
                p.take(2)?;
            }
            // Four-byte integers.
            0x02 | 0x11 | 0x18 | 0x27 => {
                p.take(4)?;
            }
            0x0b => {
                p.varint()?;
            }
            // Strings and binary data.
            0x03 | 0x08 | 0x09 | 0x15 | 0x16 | 0x1a | 0x1c | 0x1f => {
                p.binary()?;
            }
            // User property: a string pair.
            0x26 => {
                p.binary()?;
                p.binary()?;
            }
            _ => return None,
        }
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Vec<u8> {
        let mut o = (v.len() as u16).to_be_bytes().to_vec();
        o.extend(v.as_bytes());
        o
    }

    /// CONNECT, MQTT 3.1.1, with will, user name and password (OASIS MQTT 3.1.1 section 3.1).
    pub fn connect_311() -> Vec<u8> {
        let mut b = s("MQTT");
        b.push(4);
        b.push(0x80 | 0x40 | 0x04 | 0x02);
        b.extend(60u16.to_be_bytes());
        b.extend(s("plc-17"));
        b.extend(s("status/plc-17"));
        b.extend(s("offline"));
        b.extend(s("line2"));
        b.extend(s("hunter2"));
        let mut m = vec![0x10, b.len() as u8];
        m.extend(b);
        m
    }

    #[test]
    fn connect_names_the_client_and_not_the_password() {
        let m = connect_311();
        assert_eq!(framing(&m), Framing::Message(m.len()));
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, &m, &mut sink);
        assert!(sink.malformed.is_empty());
        assert_eq!(
            sink.observations[0].fields,
            vec![
                (Field::Role, CLIENT.into()),
                (Field::ClientId, "plc-17".into()),
                (Field::Username, "line2".into()),
                (Field::Status, "protocol MQTT 3.1.1".into()),
            ]
        );
        assert_eq!(sink.observations[1].fields, vec![(Field::Role, BROKER.into())]);
        assert!(!format!("{:?}", sink.observations).contains("hunter2"));
    }

    #[test]
    fn connack_v5_assigned_client_id() {
        let mut props = vec![0x21, 0, 10, 0x12];
        props.extend(s("auto-1"));
        let mut m = vec![0x20, (3 + props.len()) as u8, 0, 0, props.len() as u8];
        m.extend(props);
        assert_eq!(framing(&m), Framing::Message(m.len()));
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Server, &m, &mut sink);
        assert!(sink.malformed.is_empty());
        assert_eq!(sink.observations[1].fields[1], (Field::ClientId, "auto-1".into()));
    }

    #[test]
    fn framing_reads_long_lengths() {
        assert_eq!(framing(&[0x30, 0x80, 0x01]), Framing::Message(3 + 128));
        assert_eq!(framing(&[0x30, 0x80]), Framing::NeedMore);
        assert_eq!(framing(&[0x30, 0xff, 0xff, 0xff, 0xff]), Framing::NotThisProtocol);
        assert_eq!(framing(&[0x00, 0x00]), Framing::NotThisProtocol);
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        let m = connect_311();
        for n in 0..m.len() {
            let mut sink = Sink::default();
            let _ = framing(&m[..n]);
            decode(&PacketMeta::default(), Side::Client, &m[..n], &mut sink);
        }
        let mut x = 0x0bad_cafe_dead_beefu64;
        for i in 0..3000 {
            let mut buf = vec![[0x10, 0x20][i % 2]];
            for _ in 0..(x % 80) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(x as u8);
            }
            let mut sink = Sink::default();
            let _ = framing(&buf);
            decode(&PacketMeta::default(), Side::Client, &buf, &mut sink);
        }
    }
}
