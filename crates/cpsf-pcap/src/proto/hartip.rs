//! HART-IP (TCP and UDP 5094) roles: the client that sends requests (a host or asset management system) and
//! the server that answers (a HART-IP device or multiplexer). The HART commands passed through are not read:
//! their answers may describe field devices behind a gateway, not the IP device that sends them.

use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "hart-ip";
pub const PORTS: &[u16] = &[5094];

const HEADER: usize = 8;
const CLIENT: &str = "hart-ip client";
const SERVER: &str = "hart-ip server";

/// Stream framing: version, message type, message id, status, sequence number, then the byte count of the
/// whole message (header included).
pub fn framing(buf: &[u8]) -> Framing {
    let Some(&[version, kind, ..]) = buf.first_chunk::<2>() else {
        return if buf.first().is_some_and(|v| !matches!(v, 1 | 2)) {
            Framing::NotThisProtocol
        } else {
            Framing::NeedMore
        };
    };
    if !matches!(version, 1 | 2) || !matches!(kind, 0..=3 | 15) {
        return Framing::NotThisProtocol;
    }
    let Some(&[.., c0, c1]) = buf.first_chunk::<HEADER>() else { return Framing::NeedMore };
    let count = usize::from(u16::from_be_bytes([c0, c1]));
    if count < HEADER { Framing::NotThisProtocol } else { Framing::Message(count) }
}

/// Decodes one message (a TCP message or a UDP datagram).
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    let Some(&[version, kind, ..]) = msg.first_chunk::<HEADER>() else {
        sink.malformed(NAME);
        return;
    };
    if !matches!(version, 1 | 2) {
        sink.malformed(NAME);
        return;
    }
    let sender_server = match kind {
        0 => false,
        // Response, publish (notification).
        1 | 2 => true,
        // Error and NAK: no role worth stating.
        3 | 15 => return,
        _ => {
            sink.malformed(NAME);
            return;
        }
    };
    let (s, r) = if sender_server { (SERVER, CLIENT) } else { (CLIENT, SERVER) };
    sink.observe(NAME, meta, meta.source(), vec![(Field::Role, s.into())]);
    sink.observe(NAME, meta, meta.destination(), vec![(Field::Role, r.into())]);
}

#[cfg(test)]
mod tests {
    use super::*;

    // hart_ip.pcap frame 1: Session Initiate request (primary host, 30 s inactivity timer).
    const INITIATE: &[u8] = &[0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0d, 0x01, 0x00, 0x00, 0x75, 0x30];

    #[test]
    fn request_sender_is_the_client() {
        assert_eq!(framing(INITIATE), Framing::Message(13));
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, INITIATE, &mut sink);
        assert_eq!(sink.observations[0].fields, vec![(Field::Role, CLIENT.into())]);
        assert_eq!(sink.observations[1].fields, vec![(Field::Role, SERVER.into())]);
        assert_eq!(framing(b"GET /"), Framing::NotThisProtocol);
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        for n in 0..INITIATE.len() {
            let mut sink = Sink::default();
            let _ = framing(&INITIATE[..n]);
            decode(&PacketMeta::default(), Side::Client, &INITIATE[..n], &mut sink);
        }
        let mut x = 0x7777_1111_2222_3333u64;
        for _ in 0..2000 {
            let mut buf = vec![1];
            for _ in 0..(x % 20) {
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
