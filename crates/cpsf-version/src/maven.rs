//! Maven versions, following the version order specification of the POM reference (the rules of
//! `ComparableVersion`). Maven accepts any string as a version, so only the empty string is refused.
//!
//! A version is split into tokens at `.` and `-` and wherever digits meet non-digits; each token remembers its
//! separator (a digit/letter boundary counts as `-`). Letters ignore case; `cr` means `rc`; `ga`, `final` and
//! `release` mean the empty qualifier; `a`, `b`, `m` directly followed by a digit mean alpha, beta, milestone; an
//! empty token means `0`. Trailing "null" tokens (`0` or the empty qualifier) are dropped, at the end and before
//! each `-`, so `1.0.0 == 1 == 1-0 == 1.ga`.
//!
//! Tokens compare pairwise, the shorter version padded with "end". Qualifiers order
//! alpha < beta < milestone < rc < snapshot < release (= end) < sp < anything else (others alphabetically,
//! ignoring case); numbers by value, above every qualifier; `-`numbers below `.`numbers (`1-1 < 1.1`); a `.0`
//! compares like the end when what follows it is below release (`1.0.0.alpha1 < 1`). Maven's own rules, which
//! pad with a null of the other side's separator, are not transitive, and a sort with them can panic; this is
//! a total order close to them (see [`Key`]).

use std::cmp::Ordering;

use crate::num::{Span, cmp_digits, cmp_ignore_ascii_case, run_len};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// The first token.
    Start,
    Dot,
    Dash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Known {
    Alpha,
    Beta,
    Milestone,
    Rc,
    Snapshot,
    Release,
    Sp,
}

#[derive(Debug, Clone, Copy)]
enum Value {
    /// Digits without leading zeros (empty for zero).
    Number(Span),
    Known(Known),
    /// Any other qualifier, compared ignoring ASCII case.
    Other(Span),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    sep: Sep,
    value: Value,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    keys: Vec<Key>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    if text.is_empty() {
        return Err("empty".into());
    }
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut sep = Sep::Start;
    let mut piece_start = 0;
    for i in 0..=bytes.len() {
        let c = bytes.get(i).copied();
        if c.is_some() && c != Some(b'.') && c != Some(b'-') {
            continue;
        }
        split_piece(text, piece_start, i, sep, &mut tokens);
        sep = if c == Some(b'.') { Sep::Dot } else { Sep::Dash };
        piece_start = i + 1;
    }
    trim_nulls(text, &mut tokens);
    // What follows each token after any nulls, computed from the end (a `.0`'s key depends on it).
    let mut next_below = vec![None; tokens.len()];
    let mut after: Option<bool> = None;
    for (i, t) in tokens.iter().enumerate().rev() {
        if let Some(slot) = next_below.get_mut(i) {
            *slot = after;
        }
        if !is_null(text, t) {
            after = Some(matches!(t.value, Value::Known(k) if k < Known::Release));
        }
    }
    let keys = tokens.iter().zip(next_below).map(|(t, below)| key(text, t, below)).collect();
    Ok(Parsed { keys })
}

/// Split one piece between separators at digit/non-digit boundaries and classify the parts.
fn split_piece(text: &str, start: usize, end: usize, sep: Sep, tokens: &mut Vec<Token>) {
    let piece = text.as_bytes().get(start..end).unwrap_or(&[]);
    if piece.is_empty() {
        tokens.push(Token { sep, value: Value::Number(Span::new(start, start)) });
        return;
    }
    let mut pos = 0;
    let mut sep = sep;
    while pos < piece.len() {
        let rest = piece.get(pos..).unwrap_or(&[]);
        let digit = rest.first().is_some_and(u8::is_ascii_digit);
        let len = run_len(rest, |c| c.is_ascii_digit() == digit);
        let followed_by_more = pos + len < piece.len();
        let span = Span::new(start + pos, start + pos + len);
        let value = if digit {
            let zeros = run_len(rest, |c| c == b'0').min(len);
            Value::Number(Span::new(start + pos + zeros, start + pos + len))
        } else {
            classify(span.bytes(text), followed_by_more).map_or(Value::Other(span), Value::Known)
        };
        tokens.push(Token { sep, value });
        sep = Sep::Dash;
        pos += len;
    }
}

fn classify(word: &[u8], followed_by_digit: bool) -> Option<Known> {
    let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    Some(if is("alpha") || (followed_by_digit && is("a")) {
        Known::Alpha
    } else if is("beta") || (followed_by_digit && is("b")) {
        Known::Beta
    } else if is("milestone") || (followed_by_digit && is("m")) {
        Known::Milestone
    } else if is("rc") || is("cr") {
        Known::Rc
    } else if is("snapshot") {
        Known::Snapshot
    } else if is("ga") || is("final") || is("release") {
        Known::Release
    } else if is("sp") {
        Known::Sp
    } else {
        return None;
    })
}

fn is_null(text: &str, t: &Token) -> bool {
    match t.value {
        Value::Number(span) => span.bytes(text).is_empty(),
        Value::Known(Known::Release) => true,
        _ => false,
    }
}

/// Drop null tokens at the end and before each `-` token, walking from the end; the first token stays.
fn trim_nulls(text: &str, tokens: &mut Vec<Token>) {
    let mut keep = vec![true; tokens.len()];
    let mut i = tokens.len() as isize - 1;
    while i > 0 {
        let iu = i as usize;
        if tokens.get(iu).is_some_and(|t| is_null(text, t)) {
            if let Some(k) = keep.get_mut(iu) {
                *k = false;
            }
            i -= 1;
            continue;
        }
        while i >= 0 && tokens.get(i as usize).is_some_and(|t| t.sep != Sep::Dash) {
            i -= 1;
        }
        i -= 1;
    }
    let mut flags = keep.into_iter();
    tokens.retain(|_| flags.next().unwrap_or(true));
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    let n = pa.keys.len().max(pb.keys.len());
    for i in 0..n {
        let x = pa.keys.get(i).copied().unwrap_or(Key::End);
        let y = pb.keys.get(i).copied().unwrap_or(Key::End);
        let ord = compare_keys(a, x, b, y);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Where a token sorts. Tokens are placed in one total order so that comparing versions is a lexicographic
/// comparison padded with [`Key::End`]. Blocks, lowest first:
/// 0. `.`qualifier below release (alpha..snapshot), by rank; 1. the same after `-`;
/// 2. a `.0` followed (after more nulls) by a qualifier below release: `1.0.0.beta1 < 1`, yet above the lower
///    qualifiers and `-`qualifiers below release, as a number is in Maven;
/// 3. the end of the version, and the release qualifier (`ga`, `final`, `release`) anywhere;
/// 4. `.sp`, then other `.`qualifiers (alphabetically, ignoring case); 5. the same after `-`;
/// 6. `-`numbers; 7. `.`numbers, including a `.0` followed by something above release.
///
/// Maven's own comparison pads with nulls that take the other side's separator and is not transitive
/// (`1.0.0.RC8 < 1.0.0 < 1.0.0-jre`, yet a number beats any `-`list, so `1.0.0.RC8 > 1.0.0-jre`); this order
/// keeps the first two, which matter within one artifact's history, and gives up the third.
#[derive(Debug, Clone, Copy)]
enum Key {
    Known(u8, Known),
    ZeroBelow,
    End,
    Other(u8, Span),
    Number(u8, Span),
}

/// The key of a token; `next_below` says whether the first non-null token after it is a qualifier below release
/// (`None`: only nulls follow).
fn key(text: &str, t: &Token, next_below: Option<bool>) -> Key {
    let dash = t.sep == Sep::Dash;
    match t.value {
        Value::Known(Known::Release) => Key::End,
        Value::Known(Known::Sp) => Key::Known(if dash { 5 } else { 4 }, Known::Sp),
        Value::Known(k) => Key::Known(u8::from(dash), k),
        Value::Other(span) => Key::Other(if dash { 5 } else { 4 }, span),
        Value::Number(span) if dash => Key::Number(6, span),
        Value::Number(span) if !span.bytes(text).is_empty() => Key::Number(7, span),
        // A `.0`: what follows the run of nulls decides.
        Value::Number(span) => match next_below {
            None => Key::End,
            Some(true) => Key::ZeroBelow,
            Some(false) => Key::Number(7, span),
        },
    }
}

fn block(k: &Key) -> u8 {
    match k {
        Key::Known(b, _) | Key::Other(b, _) | Key::Number(b, _) => *b,
        Key::ZeroBelow => 2,
        Key::End => 3,
    }
}

fn compare_keys(a: &str, x: Key, b: &str, y: Key) -> Ordering {
    block(&x).cmp(&block(&y)).then_with(|| match (x, y) {
        (Key::Known(_, p), Key::Known(_, q)) => p.cmp(&q),
        (Key::Known(..), Key::Other(..)) => Ordering::Less,
        (Key::Other(..), Key::Known(..)) => Ordering::Greater,
        (Key::Other(_, m), Key::Other(_, n)) => cmp_ignore_ascii_case(m.bytes(a), n.bytes(b)),
        (Key::Number(_, m), Key::Number(_, n)) => cmp_digits(m.bytes(a), n.bytes(b)),
        _ => Ordering::Equal,
    })
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::Maven.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn maven_order() {
        let chain =
            ["1-alpha-1", "1-beta-1", "1-milestone-1", "1-rc-1", "1-SNAPSHOT", "1", "1-sp", "1-foo", "1-1", "1.1"];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [("1", "1.0.0"), ("1", "1-0"), ("1ga", "1"), ("1cr", "1rc"), ("1a1", "1-alpha-1"), ("1.", "1")] {
            assert_eq!(cmp(a, b), Equal, "{a} = {b}");
        }
        assert_eq!(cmp("1.0.0-2021-05-17T01-01-51-5ec03a8b", "20.0.0"), Less);
        assert!(Scheme::Maven.parse("").is_err());
    }
}
