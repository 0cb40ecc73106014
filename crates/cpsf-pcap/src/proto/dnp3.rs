//! DNP3 (IEEE 1815) stations from the data link layer: each link frame names its destination and source
//! addresses, and its direction bit says whether the master sent it, so both sides get their role (master or
//! outstation) and their link address. TCP and UDP port 20000. CRCs are not checked; a frame that does not
//! open with the start bytes 0x05 0x64, or whose length field is below the header's 5 octets, is malformed.

use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "dnp3";
pub const PORTS: &[u16] = &[20000];

const START: [u8; 2] = [0x05, 0x64];
/// Start (2), length, control, destination (2), source (2), header CRC (2).
const HEADER: usize = 10;
/// The control, destination and source octets the length field counts before user data.
const LINK_OCTETS: usize = 5;

/// Bytes a whole link frame takes, from its length field: the header, then user data in blocks of up to 16
/// octets each followed by a 2-octet CRC.
fn frame_len(length: u8) -> Option<usize> {
    let data = usize::from(length).checked_sub(LINK_OCTETS)?;
    Some(HEADER + data + 2 * data.div_ceil(16))
}

/// Stream framing: one link frame. Bytes that do not start a frame are handed over as one junk message up to
/// the next start bytes, so the decoder counts them and the stream stays in step.
pub fn framing(buf: &[u8]) -> Framing {
    match buf.get(..2) {
        None => {
            return if buf.first().is_some_and(|&b| b != START[0]) { junk(buf) } else { Framing::NeedMore };
        }
        Some(s) if s != START => return junk(buf),
        Some(_) => {}
    }
    let Some(&length) = buf.get(2) else { return Framing::NeedMore };
    match frame_len(length) {
        Some(n) => Framing::Message(n),
        // A length below 5 cannot be trusted: the bytes up to the next start bytes are one malformed message.
        None => junk(buf),
    }
}

/// Everything up to the next 0x05 0x64 (or all but a trailing 0x05 that may begin one).
fn junk(buf: &[u8]) -> Framing {
    let next = buf.windows(2).skip(1).position(|w| w == START).map(|i| i + 1);
    match next {
        Some(i) => Framing::Message(i),
        None if buf.len() > 1 && buf.last() == Some(&START[0]) => Framing::Message(buf.len() - 1),
        None => Framing::Message(buf.len()),
    }
}

/// Decodes one TCP message (a link frame) or one UDP datagram (one or more link frames).
pub fn decode(meta: &PacketMeta, _side: Side, msg: &[u8], sink: &mut Sink) {
    let mut rest = msg;
    while !rest.is_empty() {
        let taken = match framing(rest) {
            Framing::Message(n) => n.min(rest.len()),
            Framing::NeedMore | Framing::NotThisProtocol => rest.len(),
        };
        let (frame, tail) = rest.split_at(taken);
        link_frame(meta, frame, sink);
        rest = tail;
    }
}

fn link_frame(meta: &PacketMeta, frame: &[u8], sink: &mut Sink) {
    let Some(&[0x05, 0x64, length, control, d0, d1, s0, s1]) = frame.first_chunk::<8>() else {
        sink.malformed(NAME);
        return;
    };
    let Some(full) = frame_len(length) else {
        sink.malformed(NAME);
        return;
    };
    let dst = u16::from_le_bytes([d0, d1]);
    let src = u16::from_le_bytes([s0, s1]);
    if frame.len() < full {
        sink.malformed(NAME);
    }
    // DIR set: the master sent the frame.
    let (sender_role, receiver_role) =
        if control & 0x80 != 0 { ("dnp3 master", "dnp3 outstation") } else { ("dnp3 outstation", "dnp3 master") };
    sink.observe(
        NAME,
        meta,
        meta.source(),
        vec![(Field::Role, sender_role.into()), (Field::ProtocolAddress, src.to_string())],
    );
    let mut fields = vec![(Field::Role, receiver_role.into())];
    // 0xFFFC (self address) and up to 0xFFFF (broadcasts) name no single station; 0xFFF0-0xFFFB are reserved.
    if dst < 0xfff0 {
        fields.push((Field::ProtocolAddress, dst.to_string()));
    }
    sink.observe(NAME, meta, meta.destination(), fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    // DNP3-Read.pcap frame 4: master 4 reads class 1 from outstation 3.
    const READ: &[u8] =
        &[0x05, 0x64, 0x0b, 0xc4, 0x03, 0x00, 0x04, 0x00, 0xef, 0x7a, 0xc1, 0xc1, 0x01, 0x3c, 0x02, 0x06, 0xb5, 0x76];

    #[test]
    fn lengths_count_block_crcs() {
        assert_eq!(frame_len(5), Some(10));
        assert_eq!(frame_len(6), Some(13));
        assert_eq!(frame_len(21), Some(28));
        assert_eq!(frame_len(22), Some(31));
        assert_eq!(frame_len(255), Some(10 + 250 + 2 * 16));
        assert_eq!(frame_len(4), None);
        assert_eq!(framing(READ), Framing::Message(READ.len()));
    }

    #[test]
    fn roles_and_addresses() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, READ, &mut sink);
        assert!(sink.malformed.is_empty());
        let f: Vec<_> = sink.observations.iter().map(|o| o.fields.clone()).collect();
        assert_eq!(f[0], vec![(Field::Role, "dnp3 master".into()), (Field::ProtocolAddress, "4".into())]);
        assert_eq!(f[1], vec![(Field::Role, "dnp3 outstation".into()), (Field::ProtocolAddress, "3".into())]);
    }

    #[test]
    fn junk_is_counted_and_skipped() {
        let mut stream = b"xx\x05".to_vec();
        assert_eq!(framing(&stream), Framing::Message(2));
        stream.extend_from_slice(READ);
        assert_eq!(framing(&stream), Framing::Message(3));
        assert_eq!(framing(&stream[3..]), Framing::Message(READ.len()));
        let mut sink = Sink::default();
        // A datagram with junk, a frame whose length is too small, then a good frame.
        let mut dgram = b"zz".to_vec();
        dgram.extend([0x05, 0x64, 0x02, 0xc4]);
        dgram.extend_from_slice(READ);
        decode(&PacketMeta::default(), Side::Client, &dgram, &mut sink);
        assert_eq!(sink.malformed, vec![(NAME, 2)]);
        assert_eq!(sink.observations.len(), 2);
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        for n in 0..READ.len() {
            let mut sink = Sink::default();
            let _ = framing(&READ[..n]);
            decode(&PacketMeta::default(), Side::Client, &READ[..n], &mut sink);
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut buf = vec![0x05, 0x64];
            for _ in 0..(x % 64) {
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
