//! Shared pieces of the comparators: byte spans into a version string and digit-string comparison of any length.

use std::cmp::Ordering;

/// Versions longer than this are refused (spans are `u32`; real versions are far shorter).
pub(crate) const MAX_LEN: usize = 1 << 20;

/// A byte range of a version string. Only built by parsers from positions they found, so always in bounds and
/// on character boundaries (every position is next to an ASCII byte or at an end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        // Callers pass positions within a string of at most MAX_LEN bytes.
        Span { start: start as u32, end: end as u32 }
    }
    pub fn bytes(self, text: &str) -> &[u8] {
        text.as_bytes().get(self.start as usize..self.end as usize).unwrap_or(&[])
    }
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// Compare two runs of ASCII digits as non-negative integers of any size. An empty run counts as zero.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = trim_zeros(a);
    let b = trim_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether a digit run is zero (empty or all `0`).
pub(crate) fn is_zero(digits: &[u8]) -> bool {
    digits.iter().all(|&c| c == b'0')
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let first = d.iter().position(|&c| c != b'0').unwrap_or(d.len());
    d.get(first..).unwrap_or(&[])
}

/// Whether every byte is an ASCII digit (and there is at least one).
pub(crate) fn all_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Compare two byte strings ignoring ASCII case.
pub(crate) fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> Ordering {
    a.iter().map(u8::to_ascii_lowercase).cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// The length of the run of bytes at the start of `s` satisfying `f`.
pub(crate) fn run_len(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().position(|&c| !f(c)).unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers_of_any_size() {
        assert_eq!(cmp_digits(b"10", b"9"), Ordering::Greater);
        assert_eq!(cmp_digits(b"0010", b"10"), Ordering::Equal);
        assert_eq!(cmp_digits(b"", b"0"), Ordering::Equal);
        assert_eq!(cmp_digits(b"999999999999999999999999999991", b"999999999999999999999999999999"), Ordering::Less);
        assert_eq!(cmp_digits(b"100000000000000000000000", b"99999999999999999999999"), Ordering::Greater);
    }
}
