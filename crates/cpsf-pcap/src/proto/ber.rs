//! The few BER (ITU-T X.690) pieces the SNMP and GOOSE decoders need: one tag-length-value at a time with
//! definite lengths checked against what is left, integers, object identifiers. Every length comes from the
//! wire, so nothing here trusts one.

/// One element: its (single-byte) tag, its contents, and the bytes after it.
pub struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub rest: &'a [u8],
}

/// Reads one element. Multi-byte tags, indefinite lengths and lengths past the end are `None`.
pub fn tlv(buf: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = buf.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, mut after_len) = after_tag.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, tail) = (after_len.get(..n)?, after_len.get(n..)?);
        after_len = tail;
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let value = after_len.get(..len)?;
    let rest = after_len.get(len..)?;
    Some(Tlv { tag, value, rest })
}

/// Reads one element that must carry `tag`.
pub fn expect(buf: &[u8], tag: u8) -> Option<Tlv<'_>> {
    tlv(buf).filter(|t| t.tag == tag)
}

/// A two's-complement integer of at most 8 content bytes.
pub fn integer(value: &[u8]) -> Option<i64> {
    if value.is_empty() || value.len() > 8 {
        return None;
    }
    let negative = value.first().is_some_and(|b| b & 0x80 != 0);
    let start: i64 = if negative { -1 } else { 0 };
    Some(value.iter().fold(start, |acc, &b| (acc << 8) | i64::from(b)))
}

/// An object identifier's contents as dotted decimal.
pub fn oid(value: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    let mut bytes = 0;
    for &b in value {
        bytes += 1;
        if bytes > 9 {
            return None;
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
            bytes = 0;
        }
    }
    if bytes != 0 || arcs.is_empty() {
        return None;
    }
    Some(arcs.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

/// Text of an octet string: lossy UTF-8, without trailing NULs or surrounding white space.
pub fn text(value: &[u8]) -> String {
    String::from_utf8_lossy(value).trim_end_matches('\0').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements() {
        let t = tlv(&[0x04, 0x03, b'a', b'b', b'c', 0xff]).map(|t| (t.tag, t.value.to_vec(), t.rest.to_vec()));
        assert_eq!(t, Some((4, b"abc".to_vec(), vec![0xff])));
        let mut long = vec![0x04, 0x82, 0x01, 0x00];
        long.extend([b'x'; 256]);
        assert_eq!(tlv(&long).map(|t| t.value.len()), Some(256));
        assert!(tlv(&[0x04, 0x82, 0x01]).is_none());
        assert!(tlv(&[0x04, 0x05, 1, 2]).is_none());
        assert!(tlv(&[0x30, 0x80, 0, 0]).is_none());
        assert!(tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none());
    }

    #[test]
    fn integers_and_oids() {
        assert_eq!(integer(&[0x01]), Some(1));
        assert_eq!(integer(&[0xff]), Some(-1));
        assert_eq!(integer(&[0x00, 0x80]), Some(128));
        assert_eq!(integer(&[]), None);
        assert_eq!(oid(&[0x2b, 6, 1, 2, 1, 1, 1, 0]).as_deref(), Some("1.3.6.1.2.1.1.1.0"));
        assert_eq!(oid(&[0x2b, 6, 1, 4, 1, 0x82, 0x37, 1]).as_deref(), Some("1.3.6.1.4.1.311.1"));
        assert_eq!(oid(&[0x2b, 0x86]), None);
        assert_eq!(oid(&[0xff; 20]), None);
    }
}
