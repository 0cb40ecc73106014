//! TLS as seen by protocols that also run over TLS on their own port (MQTT on 8883, OPC UA on 4843): record
//! framing, and the roles a ClientHello and ServerHello show, with the server name the client asks for (SNI).
//! Nothing past the hellos is readable, and nothing here tries.

use crate::model::{Field, PacketMeta, Sink};
use crate::proto::Framing;

/// Largest TLS record body (TLS 1.2 ciphertext limit).
const MAX_RECORD: usize = (1 << 14) + 2048;

/// Whether bytes open a TLS record: content type 20-23 and major version 3.
pub fn is_record(buf: &[u8]) -> bool {
    matches!(buf.first(), Some(20..=23)) && buf.get(1) == Some(&3) && buf.len() >= 5
}

/// Record framing when the bytes start like a TLS record; `None` when they do not.
pub fn framing(buf: &[u8]) -> Option<Framing> {
    match (buf.first(), buf.get(1)) {
        (Some(20..=23), None) => Some(Framing::NeedMore),
        (Some(20..=23), Some(3)) => {
            let (Some(&hi), Some(&lo)) = (buf.get(3), buf.get(4)) else { return Some(Framing::NeedMore) };
            let len = usize::from(u16::from_be_bytes([hi, lo]));
            Some(if len > MAX_RECORD { Framing::NotThisProtocol } else { Framing::Message(5 + len) })
        }
        _ => None,
    }
}

/// Reads one record: a ClientHello makes its sender the client and its receiver the server (with the SNI
/// host name), a ServerHello makes its sender the server.
pub fn decode(
    protocol: &'static str,
    client_role: &str,
    server_role: &str,
    meta: &PacketMeta,
    record: &[u8],
    sink: &mut Sink,
) {
    if record.first() != Some(&22) {
        return;
    }
    let Some(hs) = record.get(5..) else {
        sink.malformed(protocol);
        return;
    };
    match hs.first() {
        Some(1) => {
            sink.observe(protocol, meta, meta.source(), vec![(Field::Role, client_role.into())]);
            let mut fields = vec![(Field::Role, server_role.into())];
            if let Some(name) = server_name(hs) {
                fields.push((Field::Hostname, name));
            }
            sink.observe(protocol, meta, meta.destination(), fields);
        }
        Some(2) => sink.observe(protocol, meta, meta.source(), vec![(Field::Role, server_role.into())]),
        _ => {}
    }
}

/// The host name of a ClientHello's server_name extension, when the hello is whole enough to reach it.
fn server_name(hs: &[u8]) -> Option<String> {
    // Handshake header (4), client version (2), random (32), then session id, cipher suites, compression.
    let mut p: usize = 4 + 2 + 32;
    p = p.checked_add(1 + usize::from(*hs.get(p)?))?;
    p = p.checked_add(2 + usize::from(be16(hs, p)?))?;
    p = p.checked_add(1 + usize::from(*hs.get(p)?))?;
    let ext_len = usize::from(be16(hs, p)?);
    let exts = hs.get(p.checked_add(2)?..)?;
    let exts = exts.get(..ext_len.min(exts.len()))?;
    let mut q = 0usize;
    while let (Some(ty), Some(len)) = (be16(exts, q), be16(exts, q + 2)) {
        let len = usize::from(len);
        let body = exts.get(q + 4..q.checked_add(4 + len)?)?;
        if ty == 0 {
            // server_name_list length (2), then entries of type (1), length (2), name.
            let mut e = 2usize;
            while let (Some(&kind), Some(n)) = (body.get(e), be16(body, e + 1)) {
                let n = usize::from(n);
                let name = body.get(e + 3..e.checked_add(3 + n)?)?;
                if kind == 0 {
                    return Some(String::from_utf8_lossy(name).into_owned());
                }
                e += 3 + n;
            }
            return None;
        }
        q += 4 + len;
    }
    None
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at.checked_add(1)?)?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello with an SNI extension, laid out per RFC 8446 section 4.1.2.
    pub fn client_hello(host: &str) -> Vec<u8> {
        let mut sni = vec![0u8];
        sni.extend((host.len() as u16).to_be_bytes());
        sni.extend(host.as_bytes());
        let mut ext = vec![0, 0];
        ext.extend(((sni.len() + 2) as u16).to_be_bytes());
        ext.extend((sni.len() as u16).to_be_bytes());
        ext.extend(sni);
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.push(0); // session id
        body.extend([0, 2, 0x13, 0x01]); // one suite
        body.extend([1, 0]); // null compression
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

    #[test]
    fn client_hello_names_the_server() {
        let rec = client_hello("broker.example");
        assert_eq!(framing(&rec), Some(Framing::Message(rec.len())));
        let mut sink = Sink::default();
        decode("mqtt", "mqtt client", "mqtt broker", &PacketMeta::default(), &rec, &mut sink);
        assert_eq!(sink.observations.len(), 2);
        assert_eq!(sink.observations[1].fields[1], (Field::Hostname, "broker.example".into()));
        for n in 0..rec.len() {
            let mut sink = Sink::default();
            let _ = framing(&rec[..n]);
            decode("mqtt", "c", "s", &PacketMeta::default(), &rec[..n], &mut sink);
        }
    }
}
