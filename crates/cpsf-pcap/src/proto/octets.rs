//! Checked reading of message bytes for the identity decoders: a cursor whose every read returns `None` past the
//! end instead of panicking, and the text clean-up the decoders share.

/// A read position in a byte slice. Every read is checked; none panics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Octets<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Octets<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Octets { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u16be(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub(crate) fn u16le(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32be(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub(crate) fn u32le(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
}

/// A device-supplied string as text: invalid UTF-8 replaced, NULs and surrounding white space dropped.
pub(crate) fn text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string()
}

/// A string in ISO 8859-1 (each byte is the code point).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    let s: String = bytes.iter().map(|&b| char::from(b)).collect();
    s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string()
}

/// Adds `(field, value)` when the value is not empty.
pub(crate) fn push(fields: &mut Vec<(crate::model::Field, String)>, field: crate::model::Field, value: String) {
    if !value.is_empty() {
        fields.push((field, value));
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Shared robustness checks for the decoders' unit tests: every prefix of a real message, and random bytes.

    /// A small deterministic generator (xorshift), so the random inputs are the same on every run.
    pub(crate) struct Rng(pub u64);

    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        pub(crate) fn bytes(&mut self, max: usize) -> Vec<u8> {
            let n = (self.next() % (max as u64 + 1)) as usize;
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    /// Calls `f` on every prefix of `msg`, on `msg` with each single byte changed, and on random byte strings
    /// (some starting with `msg`'s first bytes so they get past the first checks).
    pub(crate) fn shake(msg: &[u8], mut f: impl FnMut(&[u8])) {
        for n in 0..=msg.len() {
            f(&msg[..n]);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ msg.len() as u64);
        for i in 0..msg.len() {
            let mut m = msg.to_vec();
            m[i] = rng.next() as u8;
            f(&m);
            m[i] = 0xff;
            f(&m);
        }
        for _ in 0..2000 {
            let mut r = rng.bytes(300);
            f(&r);
            let keep = (rng.next() as usize) % (msg.len() + 1);
            let mut m = msg[..keep].to_vec();
            m.append(&mut r);
            f(&m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let mut o = Octets::new(&[1, 2, 3]);
        assert_eq!(o.u16be(), Some(0x0102));
        assert_eq!(o.u16be(), None);
        assert_eq!(o.u8(), Some(3));
        assert_eq!(o.u8(), None);
        assert!(o.is_empty());
        assert_eq!(o.take(usize::MAX), None);
    }

    #[test]
    fn text_trims_nuls_and_spaces() {
        assert_eq!(text(b"6ES7 315-2EH14-0AB0 \0\0"), "6ES7 315-2EH14-0AB0");
        assert_eq!(latin1(b"Geb\xe4ude "), "Gebäude");
    }
}
