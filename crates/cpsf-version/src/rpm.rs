//! RPM versions (`[epoch:]version[-release]`), ordered by `rpmvercmp` with `~` and `^` (rpm 4.15+).
//!
//! The epoch is the part before the first `:` when that part is all digits (an empty or missing epoch is 0);
//! otherwise the colon belongs to the version. The release follows the last `-`. Epoch, version and release
//! compare in turn with `rpmvercmp`: characters other than ASCII letters, digits, `~` and `^` only separate
//! segments; `~` sorts before anything, even the end; `^` sorts after the end but before anything else; digit
//! segments compare as numbers and are newer than letter segments; letter segments compare in byte order; when
//! one side runs out the other is newer. A version without a release sorts before the same version with one
//! (`1 < 1-0`), the convention of the OSV reference data.
//!
//! Only the empty string is refused: rpm orders anything.

use std::cmp::Ordering;

use crate::num::{Span, cmp_digits, run_len};

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// Empty when missing (counts as 0).
    epoch: Span,
    version: Span,
    /// `None` without a `-`; the part after it (possibly empty) otherwise.
    release: Option<Span>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err("empty".into());
    }
    let (epoch, rest_start) = match bytes.iter().position(|&c| c == b':') {
        Some(colon) if bytes.get(..colon).is_some_and(|e| e.iter().all(u8::is_ascii_digit)) => {
            (Span::new(0, colon), colon + 1)
        }
        _ => (Span::default(), 0),
    };
    let rest = bytes.get(rest_start..).unwrap_or(&[]);
    let (version, release) = match rest.iter().rposition(|&c| c == b'-') {
        Some(dash) => (Span::new(rest_start, rest_start + dash), Some(Span::new(rest_start + dash + 1, bytes.len()))),
        None => (Span::new(rest_start, bytes.len()), None),
    };
    Ok(Parsed { epoch, version, release })
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    cmp_digits(pa.epoch.bytes(a), pb.epoch.bytes(b))
        .then_with(|| compare_part(pa.version.bytes(a), pb.version.bytes(b)))
        .then_with(|| match (pa.release, pb.release) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => compare_part(x.bytes(a), y.bytes(b)),
        })
}

/// An empty part sorts before a non-empty one; otherwise `rpmvercmp`.
fn compare_part(a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => rpmvercmp(a, b),
    }
}

fn is_separator(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || c == b'~' || c == b'^')
}

pub(crate) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        i += run_len(a.get(i..).unwrap_or(&[]), is_separator);
        j += run_len(b.get(j..).unwrap_or(&[]), is_separator);
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        match (ca == Some(b'~'), cb == Some(b'~')) {
            (true, true) => {
                i += 1;
                j += 1;
                continue;
            }
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        match (ca == Some(b'^'), cb == Some(b'^')) {
            (true, true) => {
                i += 1;
                j += 1;
                continue;
            }
            (true, false) => return if cb.is_none() { Ordering::Greater } else { Ordering::Less },
            (false, true) => return if ca.is_none() { Ordering::Less } else { Ordering::Greater },
            (false, false) => {}
        }
        let (Some(first), Some(_)) = (ca, cb) else {
            // One side (or both) has run out: whichever has something left is newer.
            return ca.is_some().cmp(&cb.is_some());
        };
        let digits = first.is_ascii_digit();
        let same_kind = |c: u8| if digits { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let la = run_len(a.get(i..).unwrap_or(&[]), same_kind);
        let lb = run_len(b.get(j..).unwrap_or(&[]), same_kind);
        let (sa, sb) = (a.get(i..i + la).unwrap_or(&[]), b.get(j..j + lb).unwrap_or(&[]));
        if lb == 0 {
            // Different kinds of segment: numbers are newer than letters.
            return if digits { Ordering::Greater } else { Ordering::Less };
        }
        let ord = if digits { cmp_digits(sa, sb) } else { sa.cmp(sb) };
        if ord != Ordering::Equal {
            return ord;
        }
        i += la;
        j += lb;
    }
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::Rpm.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rpmvercmp_order() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Less);
        assert_eq!(cmp("1.0^git1", "1.0"), Greater);
        assert_eq!(cmp("1.0^git1", "1.0.1"), Less);
        assert_eq!(cmp("1.0a", "1.0.1"), Less);
        assert_eq!(cmp("2_0", "2.0"), Equal);
        assert_eq!(cmp("1:1.0", "2.0"), Greater);
        assert_eq!(cmp("0:3.10.0-229.el7", "0:3.10.0-229.1.2.el7"), Less);
        assert_eq!(cmp("10.0001", "10.1"), Equal);
        assert!(Scheme::Rpm.parse("").is_err());
    }
}
