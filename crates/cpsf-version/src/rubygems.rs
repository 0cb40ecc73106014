//! RubyGems `Gem::Version`: digits and letters separated by `.` (or meeting each other), `-` standing for
//! `.pre.`. Surrounding whitespace is ignored.
//!
//! Segments are the runs of digits and the runs of letters. Trailing zeros are dropped from the numeric part
//! before the first letter segment and from the rest, so `1.0 == 1` and `1.0.a2 == 1.a.2` but `1.a.0 == 1.a`.
//! Segments compare pairwise, missing ones counting as `0`: numbers by value, letter segments in byte order
//! (case matters), and a letter segment sorts before any number, which is what makes `1.0.a < 1.0`.
//!
//! Gem::Version wants `.` between a number and letters (`1.0.b1`); `1beta` is accepted here too, split the same
//! way, as the OSV reference comparator does.

use std::cmp::Ordering;

use crate::num::{Span, cmp_digits, is_zero, run_len};

#[derive(Debug, Clone, Copy)]
enum Segment {
    Number(Span),
    Letters(Span),
    /// `-`, which RubyGems reads as `.pre.`.
    Pre,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    segments: Vec<Segment>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let bytes = text.as_bytes();
    let start = run_len(bytes, |c| c.is_ascii_whitespace());
    let end = bytes.len() - bytes.iter().rev().position(|c| !c.is_ascii_whitespace()).unwrap_or(bytes.len());
    let body = bytes.get(start..end.max(start)).unwrap_or(&[]);
    if body.is_empty() {
        return Err("empty".into());
    }
    if !body.first().is_some_and(u8::is_ascii_digit) {
        return Err("does not start with a digit".into());
    }
    if let Some(&c) = body.iter().find(|&&c| !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-')) {
        return Err(format!("{:?} is not allowed (only letters, digits, '.' and '-')", c as char));
    }
    if body.windows(2).any(|w| w == b"..") || body.last() == Some(&b'.') || body.last() == Some(&b'-') {
        return Err("empty segment".into());
    }
    let mut segments = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let rest = body.get(i..).unwrap_or(&[]);
        match rest.first() {
            Some(b'.') => i += 1,
            Some(b'-') => {
                segments.push(Segment::Pre);
                i += 1;
            }
            Some(c) if c.is_ascii_digit() => {
                let len = run_len(rest, |c| c.is_ascii_digit());
                segments.push(Segment::Number(Span::new(start + i, start + i + len)));
                i += len;
            }
            _ => {
                let len = run_len(rest, |c| c.is_ascii_alphabetic()).max(1);
                segments.push(Segment::Letters(Span::new(start + i, start + i + len)));
                i += len;
            }
        }
    }
    // Canonical segments: drop trailing zeros from the numeric head and from the rest.
    let head_len = segments.iter().position(|s| !matches!(s, Segment::Number(_))).unwrap_or(segments.len());
    let zero = |s: &Segment| matches!(s, Segment::Number(n) if is_zero(n.bytes(text)));
    let mut tail: Vec<Segment> = segments.split_off(head_len);
    while tail.last().is_some_and(zero) {
        tail.pop();
    }
    while segments.last().is_some_and(zero) {
        segments.pop();
    }
    segments.extend(tail);
    Ok(Parsed { segments })
}

fn letters<'a>(text: &'a str, s: &Segment) -> &'a [u8] {
    match s {
        Segment::Letters(span) => span.bytes(text),
        _ => b"pre",
    }
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    let n = pa.segments.len().max(pb.segments.len());
    for i in 0..n {
        let ord = match (pa.segments.get(i), pb.segments.get(i)) {
            (None, None) => Ordering::Equal,
            (x, y) => {
                let zero = Segment::Number(Span::default());
                let (x, y) = (x.unwrap_or(&zero), y.unwrap_or(&zero));
                match (x, y) {
                    (Segment::Number(m), Segment::Number(n)) => cmp_digits(m.bytes(a), n.bytes(b)),
                    (Segment::Number(_), _) => Ordering::Greater,
                    (_, Segment::Number(_)) => Ordering::Less,
                    _ => letters(a, x).cmp(letters(b, y)),
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::RubyGems.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rubygems_order() {
        assert_eq!(cmp("1.0.a", "1.0"), Less);
        assert_eq!(cmp("1.0.a2", "1.0.a.2"), Equal);
        assert_eq!(cmp("1.0", "1"), Equal);
        assert_eq!(cmp("1.0.0-rc1", "1.0.0.pre.rc1"), Equal);
        assert_eq!(cmp("1.0.0-rc1", "1.0.0"), Less);
        assert_eq!(cmp("3.10", "3.2"), Greater);
        assert_eq!(cmp(" 1.2 ", "1.2"), Equal);
        assert!(Scheme::RubyGems.parse("1..2").is_err());
        assert!(Scheme::RubyGems.parse("1.2_3").is_err());
        assert!(Scheme::RubyGems.parse("beta").is_err());
    }
}
