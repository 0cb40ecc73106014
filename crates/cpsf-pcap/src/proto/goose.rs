//! IEC 61850 GOOSE publishers (EtherType 0x88b8): the sender of a GOOSE message is an IED, and its control
//! block reference (`gocbRef`, which starts with the IED and logical device names) is its name; the data set
//! and GOOSE identifier are reported as its description.

use super::ber;
use crate::model::{Field, PacketMeta, Sink};

pub const NAME: &str = "goose";
pub const ETHERTYPE: u16 = 0x88b8;

/// Decodes one frame's payload after the EtherType: APPID, length, two reserved words, then the goosePdu.
pub fn decode(meta: &PacketMeta, payload: &[u8], sink: &mut Sink) {
    match publisher(payload) {
        Some(fields) => sink.observe(NAME, meta, meta.source(), fields),
        None => sink.malformed(NAME),
    }
}

fn publisher(payload: &[u8]) -> Option<Vec<(Field, String)>> {
    let &[_, _, l0, l1] = payload.first_chunk::<4>()?;
    let length = usize::from(u16::from_be_bytes([l0, l1]));
    // The length counts the 8 header octets; trailing Ethernet padding is not part of the message.
    let apdu = payload.get(8..length.max(8).min(payload.len()))?;
    let pdu = ber::expect(apdu, 0x61)?;
    let (mut gocb, mut dataset, mut go_id) = (None, None, None);
    let mut rest = pdu.value;
    while !rest.is_empty() {
        let t = ber::tlv(rest)?;
        rest = t.rest;
        match t.tag {
            0x80 => gocb = Some(ber::text(t.value)),
            0x82 => dataset = Some(ber::text(t.value)),
            0x83 => go_id = Some(ber::text(t.value)),
            // The identifying elements come first; the data after them is not needed.
            0x84.. => break,
            _ => {}
        }
    }
    let mut fields = vec![(Field::Role, "goose publisher".to_string())];
    fields.extend(gocb.filter(|s| !s.is_empty()).map(|s| (Field::Name, s)));
    let described: Vec<String> = [("datSet", dataset), ("goID", go_id)]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k} {v}")))
        .collect();
    if !described.is_empty() {
        fields.push((Field::Description, format!("GOOSE {}", described.join(", "))));
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GOOSE.pcap frame 1 after the EtherType, cut after goID and the timestamp.
    fn frame() -> Vec<u8> {
        let mut pdu = Vec::new();
        for (tag, v) in [
            (0x80u8, &b"GEDeviceF650/LLN0$GO$gcb01"[..]),
            (0x81, &[0x00, 0x9c, 0x40][..]),
            (0x82, &b"GEDeviceF650/LLN0$GOOSE1"[..]),
            (0x83, &b"F650_GOOSE1"[..]),
            (0x84, &[0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a][..]),
        ] {
            pdu.extend([tag, v.len() as u8]);
            pdu.extend_from_slice(v);
        }
        let mut apdu = vec![0x61, pdu.len() as u8];
        apdu.extend(pdu);
        let mut m = vec![0x00, 0x01];
        m.extend(((apdu.len() + 8) as u16).to_be_bytes());
        m.extend([0, 0, 0, 0]);
        m.extend(apdu);
        m
    }

    #[test]
    fn names_the_publisher() {
        let mut f = frame();
        f.extend([0u8; 6]); // Ethernet padding
        let mut sink = Sink::default();
        decode(&PacketMeta::default(), &f, &mut sink);
        assert!(sink.malformed.is_empty());
        assert_eq!(
            sink.observations[0].fields,
            vec![
                (Field::Role, "goose publisher".into()),
                (Field::Name, "GEDeviceF650/LLN0$GO$gcb01".into()),
                (Field::Description, "GOOSE datSet GEDeviceF650/LLN0$GOOSE1, goID F650_GOOSE1".into()),
            ]
        );
    }

    #[test]
    fn truncations_and_noise_never_panic() {
        let f = frame();
        for n in 0..f.len() {
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), &f[..n], &mut sink);
            assert_eq!(sink.malformed, vec![(NAME, 1)], "prefix of {n} bytes");
        }
        let mut x = 0x5555_aaaa_1234_9876u64;
        for _ in 0..3000 {
            let mut buf = f.clone();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x as usize) % buf.len();
            buf[at] = (x >> 40) as u8;
            let mut sink = Sink::default();
            decode(&PacketMeta::default(), &buf, &mut sink);
        }
    }
}
