//! Debian and Ubuntu versions, ordered as dpkg does: `[epoch:]upstream[-revision]`.
//!
//! The epoch (before the first `:`, default 0) compares as a number; upstream (up to the last `-`) and revision
//! (after it, default empty, which equals `0`) compare with dpkg's algorithm: alternately a run of non-digits,
//! compared character by character where `~` sorts before everything (even the end), then letters, then other
//! characters, and a run of digits, compared as a number. Refused as dpkg refuses them: empty versions, embedded
//! whitespace, a non-numeric epoch, an empty upstream part, an empty revision after `-`.

use std::cmp::Ordering;

use crate::num::{Span, all_digits, cmp_digits, run_len};

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    epoch: Span,
    upstream: Span,
    revision: Span,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let bytes = text.as_bytes();
    let start = run_len(bytes, |c| c.is_ascii_whitespace());
    let end = bytes.len() - bytes.iter().rev().position(|c| !c.is_ascii_whitespace()).unwrap_or(bytes.len());
    if start >= end {
        return Err("empty".into());
    }
    let body = bytes.get(start..end).unwrap_or(&[]);
    if body.iter().any(|c| c.is_ascii_whitespace() || c.is_ascii_control()) {
        return Err("embedded whitespace or control character".into());
    }
    let (epoch, rest_start) = match body.iter().position(|&c| c == b':') {
        Some(colon) => {
            let digits = body.get(..colon).unwrap_or(&[]);
            if !all_digits(digits) {
                return Err(format!("epoch {:?} is not a number", String::from_utf8_lossy(digits)));
            }
            (Span::new(start, start + colon), start + colon + 1)
        }
        None => (Span::default(), start),
    };
    let rest = bytes.get(rest_start..end).unwrap_or(&[]);
    let (upstream, revision) = match rest.iter().rposition(|&c| c == b'-') {
        Some(dash) => {
            if dash + 1 == rest.len() {
                return Err("empty revision after '-'".into());
            }
            (Span::new(rest_start, rest_start + dash), Span::new(rest_start + dash + 1, end))
        }
        None => (Span::new(rest_start, end), Span::default()),
    };
    if upstream.is_empty() {
        return Err("empty upstream version".into());
    }
    Ok(Parsed { epoch, upstream, revision })
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    cmp_digits(pa.epoch.bytes(a), pb.epoch.bytes(b))
        .then_with(|| verrevcmp(pa.upstream.bytes(a), pb.upstream.bytes(b)))
        .then_with(|| verrevcmp(pa.revision.bytes(a), pb.revision.bytes(b)))
}

/// The weight of one character of a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's comparison of an upstream version or a revision.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let digit_at = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit_at(a, i)) || (j < b.len() && !digit_at(b, j)) {
            let wa = weight(a.get(i).copied());
            let wb = weight(b.get(j).copied());
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        let la = run_len(a.get(i..).unwrap_or(&[]), |c| c.is_ascii_digit());
        let lb = run_len(b.get(j..).unwrap_or(&[]), |c| c.is_ascii_digit());
        let ord = cmp_digits(a.get(i..i + la).unwrap_or(&[]), b.get(j..j + lb).unwrap_or(&[]));
        if ord != Ordering::Equal {
            return ord;
        }
        i += la;
        j += lb;
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::Debian.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn dpkg_order() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Less);
        assert_eq!(cmp("1.0a", "1.0+"), Less);
        assert_eq!(cmp("1.2.3-1~deb7u1", "1.2.3-1"), Less);
        assert_eq!(cmp("2.7.4+reloaded2-13", "2.7.4+reloaded2-13+deb9u1"), Less);
        assert_eq!(cmp("1:0.9", "2.0"), Greater);
        assert_eq!(cmp("0.0.0", "0:0.0.0-0"), Equal);
        assert_eq!(cmp("1.0-1-2", "1.0-1-10"), Less);
        assert_eq!(cmp("1.99999999999999999999999", "1.100000000000000000000000"), Less);
        for bad in ["", "a:1.0", "1.0-", ":1.0", "1:", "1.0 1", "-1"] {
            assert!(Scheme::Debian.parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
