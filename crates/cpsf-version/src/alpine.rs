//! Alpine apk versions (also Wolfi, Chainguard, MinimOS): `N{.N}[letter]{_suffix[N]}[~hash][-rN]`.
//!
//! Parts compare in turn: the numbers (missing ones count as 0; after the first number, a number written with a
//! leading zero compares as a string, as Gentoo and apk do, so `1.02 < 1.1`), the letter (none < a < z), the
//! suffixes (`_alpha < _beta < _pre < _rc <` none `< _cvs < _svn < _git < _hg < _p`, then their numbers), the
//! `-rN` revision (missing = `-r0`). The commit hash is ignored.
//!
//! `apk version -t` orders malformed versions too, so any string is accepted except an empty one or one with
//! whitespace or control characters. What the grammar leaves over (the tail) makes a version sort before an
//! otherwise equal well-formed one. A tail starting with `-` (a damaged revision: `1-ruff`, `1-r0-1`, `1--x`)
//! is otherwise ignored; any other tail (`1.2.0A`, `0..1`, `6.6.2p1`) is ranked below those, and two such
//! versions that tie on their parts are ordered by their text. This reproduces the OSV reference comparator on
//! all its test data while staying a total order.

use std::cmp::Ordering;

use crate::num::{Span, cmp_digits, run_len};

/// Suffix weights; "no suffix" is 4.
const SUFFIXES: [(&[u8], u8); 9] = [
    (b"alpha", 0),
    (b"beta", 1),
    (b"pre", 2),
    (b"rc", 3),
    (b"cvs", 5),
    (b"svn", 6),
    (b"git", 7),
    (b"hg", 8),
    (b"p", 9),
];
const NO_SUFFIX: u8 = 4;

#[derive(Debug, Clone, Copy)]
struct Suffix {
    weight: u8,
    number: Span,
}

/// Leftovers, in sort order (worst first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tail {
    /// Anything else: ties are broken by the whole text.
    Other,
    /// A leftover starting with `-`: ignored beyond sorting before a clean version.
    Dash,
    Clean,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The leading numbers with their dots (a trailing dot excluded).
    numbers: Span,
    letter: Option<u8>,
    suffixes: Vec<Suffix>,
    /// Digits of `-rN` (empty = 0).
    revision: Span,
    /// What the grammar left over.
    tail: Tail,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let s = text.as_bytes();
    if s.is_empty() {
        return Err("empty".into());
    }
    if let Some(&c) = s.iter().find(|c| c.is_ascii_whitespace() || c.is_ascii_control()) {
        return Err(format!("contains {:?}", c as char));
    }
    // Numbers: digit runs, each optionally followed by one dot.
    let mut pos = 0;
    let mut numbers_end = 0;
    loop {
        let len = run_len(s.get(pos..).unwrap_or(&[]), |c| c.is_ascii_digit());
        if len == 0 {
            break;
        }
        pos += len;
        numbers_end = pos;
        if s.get(pos) == Some(&b'.') {
            pos += 1;
        } else {
            break;
        }
    }
    let numbers = Span::new(0, numbers_end);
    let mut letter = None;
    if let Some(&c) = s.get(pos).filter(|c| c.is_ascii_lowercase()) {
        letter = Some(c);
        pos += 1;
    }
    // Suffixes: every `_name[N]` found from here on counts; only a run of them directly at `pos` is consumed.
    let mut suffixes = Vec::new();
    let mut scan = pos;
    let mut contiguous = true;
    while scan < s.len() {
        match suffix_at(s, scan) {
            Some((suffix, len)) => {
                suffixes.push(suffix);
                scan += len;
                if contiguous {
                    pos = scan;
                }
            }
            None => {
                contiguous = false;
                scan += 1;
            }
        }
    }
    // Commit hash.
    if s.get(pos) == Some(&b'~') {
        let len = run_len(s.get(pos + 1..).unwrap_or(&[]), |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        if len > 0 {
            pos += 1 + len;
        }
    }
    // Revision.
    let mut revision = Span::default();
    let tail = if pos == s.len() {
        Tail::Clean
    } else if s.get(pos) == Some(&b'-') {
        if s.get(pos + 1) == Some(&b'r') {
            let len = run_len(s.get(pos + 2..).unwrap_or(&[]), |c| c.is_ascii_digit());
            revision = Span::new(pos + 2, pos + 2 + len);
            pos += 2 + len;
        }
        if pos == s.len() { Tail::Clean } else { Tail::Dash }
    } else {
        Tail::Other
    };
    Ok(Parsed { numbers, letter, suffixes, revision, tail })
}

fn suffix_at(s: &[u8], pos: usize) -> Option<(Suffix, usize)> {
    if s.get(pos) != Some(&b'_') {
        return None;
    }
    let rest = s.get(pos + 1..)?;
    let &(name, weight) = SUFFIXES.iter().find(|(name, _)| rest.starts_with(name))?;
    let start = pos + 1 + name.len();
    let len = run_len(s.get(start..).unwrap_or(&[]), |c| c.is_ascii_digit());
    Some((Suffix { weight, number: Span::new(start, start + len) }, 1 + name.len() + len))
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    compare_numbers(pa.numbers.bytes(a), pb.numbers.bytes(b))
        .then_with(|| pa.letter.cmp(&pb.letter))
        .then_with(|| compare_suffixes(a, &pa.suffixes, b, &pb.suffixes))
        .then_with(|| cmp_digits(pa.revision.bytes(a), pb.revision.bytes(b)))
        .then_with(|| pa.tail.cmp(&pb.tail))
        .then_with(|| if pa.tail == Tail::Other { a.cmp(b) } else { Ordering::Equal })
}

fn compare_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let mut xs = a.split(|&c| c == b'.').filter(|n| !n.is_empty());
    let mut ys = b.split(|&c| c == b'.').filter(|n| !n.is_empty());
    let mut first = true;
    loop {
        let (x, y) = match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => (x.unwrap_or(b"0"), y.unwrap_or(b"0")),
        };
        let leading_zero = x.first() == Some(&b'0') || y.first() == Some(&b'0');
        let ord = if !first && leading_zero { x.cmp(y) } else { cmp_digits(x, y) };
        if ord != Ordering::Equal {
            return ord;
        }
        first = false;
    }
}

fn compare_suffixes(a: &str, xs: &[Suffix], b: &str, ys: &[Suffix]) -> Ordering {
    let none = Suffix { weight: NO_SUFFIX, number: Span::default() };
    for i in 0..xs.len().max(ys.len()) {
        let x = xs.get(i).unwrap_or(&none);
        let y = ys.get(i).unwrap_or(&none);
        let ord = x.weight.cmp(&y.weight).then_with(|| cmp_digits(x.number.bytes(a), y.number.bytes(b)));
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
        Scheme::Alpine.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn apk_order() {
        let chain = [
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre2",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_git",
            "1.0_p1",
            "1.0a",
            "1.0.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1-r1", "1-r01"), Equal);
        assert_eq!(cmp("1-r", "1-r0"), Equal);
        assert_eq!(cmp("1.02", "1.1"), Less);
        assert_eq!(cmp("1.0~abc123-r2", "1.0-r2"), Equal);
        assert_eq!(cmp("1-ruff", "1"), Less);
        assert_eq!(cmp("1.2.0A", "1.2.0d"), Less);
        for bad in ["", " 1.0", "1.0\n"] {
            assert!(Scheme::Alpine.parse(bad).is_err(), "{bad:?}");
        }
    }
}
