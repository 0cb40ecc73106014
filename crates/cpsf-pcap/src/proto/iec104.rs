//! IEC 60870-5-104 stations: the APCI framing (start 0x68, length), the roles the U-format functions and the
//! TCP sides show (controlling station = client, controlled station = server on port 2404), and the ASDU
//! common address of an I-format frame, which is the controlled station's address.

use crate::model::{Field, PacketMeta, Side, Sink};
use crate::proto::Framing;

pub const NAME: &str = "iec104";
pub const PORTS: &[u16] = &[2404];

const START: u8 = 0x68;
const CONTROLLING: &str = "iec104 controlling station";
const CONTROLLED: &str = "iec104 controlled station";

/// Stream framing: start byte, length of what follows. Bytes before a start byte are one junk message (the
/// decoder counts it), so the stream stays in step.
pub fn framing(buf: &[u8]) -> Framing {
    match buf.first() {
        None => Framing::NeedMore,
        Some(&START) => match buf.get(1) {
            None => Framing::NeedMore,
            Some(&len) => Framing::Message(2 + usize::from(len)),
        },
        Some(_) => Framing::Message(buf.iter().position(|&b| b == START).unwrap_or(buf.len())),
    }
}

/// Decodes one APDU.
pub fn decode(meta: &PacketMeta, side: Side, msg: &[u8], sink: &mut Sink) {
    let c1 = match msg.first_chunk::<6>() {
        Some(&[START, len, c1, ..]) if len >= 4 => c1,
        _ => {
            sink.malformed(NAME);
            return;
        }
    };
    let sender_controlled = match side {
        Side::Client => Some(false),
        Side::Server => Some(true),
        Side::Unknown => None,
    };
    if c1 & 0x01 == 0 {
        // I format: the ASDU follows the 4 control octets.
        let Some(&[type_id, _, cause, _, a0, a1]) = msg.get(6..).and_then(|a| a.first_chunk::<6>()) else {
            sink.malformed(NAME);
            return;
        };
        let sender_controlled = sender_controlled.unwrap_or(sent_by_controlled(type_id, cause & 0x3f));
        let address = u16::from_le_bytes([a0, a1]);
        roles(meta, sender_controlled, (address != 0 && address != 0xffff).then_some(address), sink);
    } else if c1 & 0x03 == 0x03 {
        // U format: STARTDT/STOPDT activations come from the controlling station, confirmations from the
        // controlled one; TESTFR goes both ways.
        let from_function = match c1 {
            0x07 | 0x13 => Some(false),
            0x0b | 0x23 => Some(true),
            _ => None,
        };
        if let Some(sc) = sender_controlled.or(from_function) {
            roles(meta, sc, None, sink);
        }
    }
    // S format carries only an acknowledgement.
}

/// Whether an ASDU travels in the monitor direction (sent by the controlled station): process information
/// (types 1-44), end of initialisation (70), and the confirmations and terminations of commands.
fn sent_by_controlled(type_id: u8, cause: u8) -> bool {
    match type_id {
        1..=44 | 70 => true,
        _ => matches!(cause, 7 | 10 | 44..=47),
    }
}

fn roles(meta: &PacketMeta, sender_controlled: bool, address: Option<u16>, sink: &mut Sink) {
    let mut controlled = vec![(Field::Role, CONTROLLED.into())];
    if let Some(a) = address {
        controlled.push((Field::ProtocolAddress, a.to_string()));
    }
    let controlling = vec![(Field::Role, CONTROLLING.into())];
    let (sender, receiver) = if sender_controlled { (controlled, controlling) } else { (controlling, controlled) };
    sink.observe(NAME, meta, meta.source(), sender);
    sink.observe(NAME, meta, meta.destination(), receiver);
}

#[cfg(test)]
mod tests {
    use super::*;

    // TestDissectIec104.pcap frame 109: a general interrogation (C_IC_NA_1, activation) to common address 37133.
    const INTERROGATION: &[u8] =
        &[0x68, 0x0e, 0x00, 0x00, 0x02, 0x00, 0x64, 0x01, 0x06, 0x00, 0x0d, 0x91, 0x00, 0x00, 0x00, 0x14];

    #[test]
    fn interrogation_names_the_controlled_station() {
        assert_eq!(framing(INTERROGATION), Framing::Message(16));
        for side in [Side::Client, Side::Unknown] {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), side, INTERROGATION, &mut sink);
            assert!(sink.malformed.is_empty());
            assert_eq!(sink.observations[0].fields, vec![(Field::Role, CONTROLLING.into())]);
            assert_eq!(
                sink.observations[1].fields,
                vec![(Field::Role, CONTROLLED.into()), (Field::ProtocolAddress, "37133".into())]
            );
        }
    }

    #[test]
    fn startdt_confirmation_comes_from_the_controlled_station() {
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Unknown, &[0x68, 4, 0x0b, 0, 0, 0], &mut sink);
        assert_eq!(sink.observations[0].fields, vec![(Field::Role, CONTROLLED.into())]);
    }

    #[test]
    fn junk_and_short_apdus_are_malformed() {
        assert_eq!(framing(b"\x01\x02\x68\x04"), Framing::Message(2));
        assert_eq!(framing(b"\x68"), Framing::NeedMore);
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), Side::Client, b"\x01\x02", &mut sink);
        decode(&PacketMeta::default(), Side::Client, b"\x68\x02\x02\x68", &mut sink);
        decode(&PacketMeta::default(), Side::Client, b"\x68\x04\x16\x16\x16\x16", &mut sink);
        assert_eq!(sink.malformed, vec![(NAME, 3)]);
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        for n in 0..INTERROGATION.len() {
            let mut sink = Sink::default();
            let _ = framing(&INTERROGATION[..n]);
            decode(&PacketMeta::default(), Side::Unknown, &INTERROGATION[..n], &mut sink);
        }
        let mut x = 0x1234_5678_9abc_def1u64;
        for _ in 0..2000 {
            let mut buf = vec![0x68];
            for _ in 0..(x % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf.push(x as u8);
            }
            let mut sink = Sink::default();
            let _ = framing(&buf);
            decode(&PacketMeta::default(), Side::Unknown, &buf, &mut sink);
        }
    }
}
