//! Packagist (Composer) versions, ordered like PHP's `version_compare` (which Composer's comparator uses) as
//! osv-scalibr's Packagist comparator applies it, pairwise and without adjustments.
//!
//! A leading `v`, then a leading `V`, is dropped; `-`, `_` and `+` count as `.`; a `.` is implied wherever a
//! digit meets a non-digit. The resulting parts (empty ones included) compare pairwise: two numbers by value
//! (any size); otherwise by weight: a word weighs its special form, found by prefix, `dev` < `alpha`/`a` <
//! `beta`/`b` < `RC`/`rc` < `#` < `pl`/`p`, any other word (and an empty part) lowest; a number weighs as `#`.
//! When one version runs out, the longer one's further parts decide in turn: a number makes it greater, a word
//! compares its weight with `#` (so `1.0 < 1.0.0`, `1.0 < 1.0pl1`, `1.0 > 1.0rc1`, `1.0 = 1.0.#`).
//!
//! This is not a total order, and PHP's is not either: a `#` part equals any number in its place, so
//! `1.2.3.# = 1.2.3` and `1.2.3.# = 1.2.3.1` while `1.2.3 < 1.2.3.1`. Every pair comes out as upstream says;
//! sort with [`crate::sort_versions`], never with std's sorts. (PHP itself turns a literal `#` into a separator
//! before comparing; osv-scalibr, whose test vectors we follow, keeps it as a part.)

use std::cmp::Ordering;

use crate::num::{Span, all_digits, cmp_digits};

#[derive(Debug, Clone, Copy)]
enum Part {
    Number(Span),
    /// The special-form rank of a word: -1 (unknown), 0 dev, 1 alpha, 2 beta, 3 rc, 4 `#`, 5 pl.
    Word(i8),
}

/// The rank of `#`, which is also the weight of a number against a word.
const HASH: i8 = 4;

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    parts: Vec<Part>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    if text.is_empty() {
        return Err("empty".into());
    }
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("contains {c:?}"));
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    if bytes.first() == Some(&b'v') {
        start = 1;
    }
    if bytes.get(start) == Some(&b'V') {
        start += 1;
    }
    let mut parts = Vec::new();
    let is_sep = |c: u8| matches!(c, b'.' | b'-' | b'_' | b'+');
    let mut piece_start = start;
    let mut i = start;
    while i <= bytes.len() {
        let c = bytes.get(i).copied();
        let boundary = match (c, i.checked_sub(1).and_then(|p| bytes.get(p)).copied()) {
            (None, _) => true,
            (Some(c), _) if is_sep(c) => true,
            (Some(c), Some(prev)) if i > piece_start && !is_sep(prev) => c.is_ascii_digit() != prev.is_ascii_digit(),
            _ => false,
        };
        if boundary {
            push_part(text, piece_start, i, &mut parts);
            if c.is_some_and(is_sep) {
                piece_start = i + 1;
            } else {
                piece_start = i;
            }
            if c.is_none() {
                break;
            }
        }
        i += 1;
    }
    Ok(Parsed { parts })
}

fn push_part(text: &str, start: usize, end: usize, parts: &mut Vec<Part>) {
    let span = Span::new(start, end);
    let bytes = span.bytes(text);
    parts.push(if all_digits(bytes) { Part::Number(span) } else { Part::Word(special_rank(bytes)) });
}

/// PHP's special version forms, matched as prefixes in this order.
fn special_rank(word: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS.iter().find(|(form, _)| word.starts_with(form)).map_or(-1, |&(_, rank)| rank)
}

/// Compare pairwise: numbers by value; any other pair by weight, a number weighing as `#`. Where one version runs
/// out, each further part of the longer one decides against the end: a number makes it greater, a word compares
/// its weight with `#` (so the end is like `#`, except against a number).
pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    for i in 0..pa.parts.len().max(pb.parts.len()) {
        let ord = match (pa.parts.get(i), pb.parts.get(i)) {
            (Some(Part::Number(m)), Some(Part::Number(n))) => cmp_digits(m.bytes(a), n.bytes(b)),
            (Some(x), Some(y)) => weight(x).cmp(&weight(y)),
            (Some(Part::Number(_)), None) => Ordering::Greater,
            (None, Some(Part::Number(_))) => Ordering::Less,
            (Some(Part::Word(r)), None) => r.cmp(&HASH),
            (None, Some(Part::Word(r))) => HASH.cmp(r),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// The weight of a part against a part of another kind: a word's special-form rank, a number's that of `#`.
fn weight(p: &Part) -> i8 {
    match p {
        Part::Number(_) => HASH,
        Part::Word(r) => *r,
    }
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::Packagist.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn packagist_order() {
        let chain = ["1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1"];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1.0rc1", "1.0RC1"), Equal);
        assert_eq!(cmp("v1.0.0", "1.0.0"), Equal);
        assert_eq!(cmp("1.25.0-beta2.1", "1.25.0-b.2.1"), Equal);
        assert_eq!(cmp("dev-main", "0.0.1"), Less);
        // `pl` outranks any number in the same place, as in PHP.
        assert_eq!(cmp("1.0pl1", "1.0.1"), Greater);
        assert_eq!(cmp("1.0", "1.0.0"), Less);
        assert_eq!(cmp("1.2.3.#", "1.2.3"), Equal);
        // Pairwise, not transitive: `#` equals a number in its place, and the end only against a word.
        assert_eq!(cmp("1.2.3.#", "1.2.3.1"), Equal);
        assert_eq!(cmp("1.2.3", "1.2.3.1"), Less);
        assert_eq!(cmp("1.0-stable", "1.0-dev"), Less);
        assert_eq!(cmp("1.2.3.#.beta", "1.2.3"), Less);
        assert!(Scheme::Packagist.parse("").is_err());
    }
}
