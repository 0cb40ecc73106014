//! PEP 440 (PyPI): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the spellings PEP 440 normalises
//! (case, `alpha`/`beta`/`c`/`pre`/`preview`, `rev`/`r`, `-N` as a post-release, optional separators, a leading
//! `v`, surrounding whitespace).
//!
//! Order, as the `packaging` library defines it: epoch, then release (trailing zeros do not count), then
//! `.devN` of a plain release < prereleases (a < b < rc) < the release < post-releases; within one of those, a
//! `.devN` sorts before the same version without it. A local version sorts after its public version; local
//! segments compare as numbers when both are digits, numbers after words, words ignoring case.
//!
//! Strings that are not PEP 440 are ordered by the legacy rules `packaging` applied before version 22
//! (setuptools' `parse_version`): they sort before every PEP 440 version and among themselves by their
//! normalised parts. Old releases on PyPI still carry such versions.

use std::cmp::Ordering;

use crate::num::{Span, all_digits, cmp_digits, cmp_ignore_ascii_case, run_len};
use crate::semver::compare_release;

#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    Modern(Modern),
    Legacy(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreKind {
    Alpha,
    Beta,
    Rc,
}

#[derive(Debug, Clone)]
pub(crate) struct Modern {
    epoch: Span,
    release: Span,
    pre: Option<(PreKind, Span)>,
    post: Option<Span>,
    dev: Option<Span>,
    /// Without the `+`; empty when there is no local part.
    local: Span,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    if text.trim().is_empty() {
        return Err("empty".into());
    }
    if let Some(modern) = parse_modern(text.as_bytes()) {
        return Ok(Parsed::Modern(modern));
    }
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("not PEP 440, and {c:?} is not allowed in a legacy version"));
    }
    Ok(Parsed::Legacy(legacy_parts(text)))
}

/// A cursor over the version's bytes, matching case-insensitively.
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).map(u8::to_ascii_lowercase)
    }
    fn rest(&self) -> &[u8] {
        self.s.get(self.pos..).unwrap_or(&[])
    }
    fn eat_separator(&mut self) -> bool {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn digits(&mut self) -> Option<Span> {
        let len = run_len(self.rest(), |c| c.is_ascii_digit());
        if len == 0 {
            return None;
        }
        let span = Span::new(self.pos, self.pos + len);
        self.pos += len;
        Some(span)
    }
    /// The longest of `words` that the rest starts with (ignoring case), consumed; its index.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = self.rest();
        let (index, len) = words
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                rest.len() >= w.len() && rest.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
            })
            .map(|(i, w)| (i, w.len()))
            .max_by_key(|&(_, len)| len)?;
        self.pos += len;
        Some(index)
    }
}

fn parse_modern(bytes: &[u8]) -> Option<Modern> {
    let start = run_len(bytes, |c| c.is_ascii_whitespace());
    let end = bytes.len() - run_len_rev(bytes, |c| c.is_ascii_whitespace());
    if start >= end {
        return None;
    }
    let mut c = Cursor { s: bytes.get(..end)?, pos: start };
    if c.peek() == Some(b'v') {
        c.pos += 1;
    }
    // Epoch: digits followed by `!`.
    let mut epoch = Span::default();
    let save = c.pos;
    if let Some(d) = c.digits() {
        if c.peek() == Some(b'!') {
            c.pos += 1;
            epoch = d;
        } else {
            c.pos = save;
        }
    }
    // Release.
    let release_start = c.pos;
    c.digits()?;
    while c.peek() == Some(b'.') && c.s.get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
        c.pos += 1;
        c.digits();
    }
    let release = Span::new(release_start, c.pos);
    // Prerelease.
    let mut pre = None;
    let save = c.pos;
    c.eat_separator();
    const PRE: [&str; 8] = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"];
    if let Some(i) = c.word(&PRE) {
        let kind = match i {
            0 | 4 => PreKind::Alpha,
            1 | 5 => PreKind::Beta,
            _ => PreKind::Rc,
        };
        let after_word = c.pos;
        c.eat_separator();
        let n = match c.digits() {
            Some(n) => n,
            None => Span::new(after_word, after_word),
        };
        pre = Some((kind, n));
    } else {
        c.pos = save;
    }
    // Post-release: `-N`, or `[sep](post|rev|r)[sep][N]`.
    let mut post = None;
    let save = c.pos;
    if c.peek() == Some(b'-') {
        c.pos += 1;
        if let Some(n) = c.digits() {
            post = Some(n);
        } else {
            c.pos = save;
        }
    }
    if post.is_none() {
        c.eat_separator();
        if c.word(&["post", "rev", "r"]).is_some() {
            let after_word = c.pos;
            c.eat_separator();
            post = Some(c.digits().unwrap_or(Span::new(after_word, after_word)));
        } else {
            c.pos = save;
        }
    }
    // Development release.
    let mut dev = None;
    let save = c.pos;
    c.eat_separator();
    if c.word(&["dev"]).is_some() {
        let after_word = c.pos;
        c.eat_separator();
        dev = Some(c.digits().unwrap_or(Span::new(after_word, after_word)));
    } else {
        c.pos = save;
    }
    // Local version label.
    let mut local = Span::default();
    if c.peek() == Some(b'+') {
        c.pos += 1;
        let local_start = c.pos;
        loop {
            let len = run_len(c.rest(), |b| b.is_ascii_alphanumeric());
            if len == 0 {
                return None;
            }
            c.pos += len;
            if matches!(c.peek(), Some(b'-' | b'_' | b'.')) {
                c.pos += 1;
            } else {
                break;
            }
        }
        local = Span::new(local_start, c.pos);
    }
    if c.pos != end {
        return None;
    }
    Some(Modern { epoch, release, pre, post, dev, local })
}

fn run_len_rev(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().rev().position(|&c| !f(c)).unwrap_or(s.len())
}

/// The comparison key of a legacy (pre-PEP 440) version: lower-cased, split into digit runs, letter runs, `.`,
/// `-` and runs of anything else; `pre`/`preview`/`rc` become `c`, `dev` becomes `@`, `-` becomes `final-`;
/// numbers are zero-padded to eight digits, words prefixed with `*`; trailing zero numbers before a word and
/// `final-` before a prerelease word are dropped; `*final` ends the list.
fn legacy_parts(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut parts: Vec<String> = Vec::new();
    let mut push = |part: &str| {
        let part = match part {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            p => p,
        };
        if part.is_empty() || part == "." {
            return;
        }
        let item = if part.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            format!("{part:0>8}")
        } else {
            format!("*{part}")
        };
        if item.starts_with('*') {
            if item.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(item);
    };
    let bytes = lower.as_bytes();
    let mut i = 0;
    let mut other_start = None;
    while i < bytes.len() {
        let rest = bytes.get(i..).unwrap_or(&[]);
        let len = match rest.first() {
            Some(c) if c.is_ascii_digit() => run_len(rest, |c| c.is_ascii_digit()),
            Some(c) if c.is_ascii_lowercase() => run_len(rest, |c| c.is_ascii_lowercase()),
            Some(b'.' | b'-') => 1,
            _ => 0,
        };
        if len == 0 {
            other_start.get_or_insert(i);
            i += 1;
            continue;
        }
        if let Some(s) = other_start.take() {
            push(lower.get(s..i).unwrap_or(""));
        }
        push(lower.get(i..i + len).unwrap_or(""));
        i += len;
    }
    if let Some(s) = other_start.take() {
        push(lower.get(s..).unwrap_or(""));
    }
    push("final");
    parts
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    match (pa, pb) {
        (Parsed::Legacy(x), Parsed::Legacy(y)) => x.cmp(y),
        (Parsed::Legacy(_), Parsed::Modern(_)) => Ordering::Less,
        (Parsed::Modern(_), Parsed::Legacy(_)) => Ordering::Greater,
        (Parsed::Modern(x), Parsed::Modern(y)) => compare_modern(a, x, b, y),
    }
}

/// 0: a dev release of a plain release (before every prerelease); 1: a prerelease; 2: no prerelease.
fn pre_class(v: &Modern) -> u8 {
    match (&v.pre, &v.post, &v.dev) {
        (None, None, Some(_)) => 0,
        (Some(_), _, _) => 1,
        (None, _, _) => 2,
    }
}

fn compare_modern(a: &str, x: &Modern, b: &str, y: &Modern) -> Ordering {
    cmp_digits(x.epoch.bytes(a), y.epoch.bytes(b))
        .then_with(|| compare_release(x.release.bytes(a), y.release.bytes(b)))
        .then_with(|| pre_class(x).cmp(&pre_class(y)))
        .then_with(|| match (&x.pre, &y.pre) {
            (Some((k1, n1)), Some((k2, n2))) => k1.cmp(k2).then_with(|| cmp_digits(n1.bytes(a), n2.bytes(b))),
            _ => Ordering::Equal,
        })
        .then_with(|| match (&x.post, &y.post) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(n1), Some(n2)) => cmp_digits(n1.bytes(a), n2.bytes(b)),
        })
        .then_with(|| match (&x.dev, &y.dev) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(n1), Some(n2)) => cmp_digits(n1.bytes(a), n2.bytes(b)),
        })
        .then_with(|| compare_local(x.local.bytes(a), y.local.bytes(b)))
}

fn compare_local(a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    let sep = |c: &u8| matches!(c, b'-' | b'_' | b'.');
    let mut xs = a.split(sep);
    let mut ys = b.split(sep);
    loop {
        let (x, y) = match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let ord = match (all_digits(x), all_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => cmp_ignore_ascii_case(x, y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        Scheme::Pep440.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pep440_order() {
        let chain = [
            "1.0.dev0",
            "1.0a0.dev1",
            "1.0a0",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post0.dev1",
            "1.0.post0",
            "1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1.0", "1.0.0"), Equal);
        assert_eq!(cmp("1.0ALPHA1", "1.0a1"), Equal);
        assert_eq!(cmp("1.0-1", "1.0.post1"), Equal);
        assert_eq!(cmp("1.0c1", "1.0rc1"), Equal);
        assert_eq!(cmp("v1.0", "1.0"), Equal);
        assert_eq!(cmp("1!0.1", "2.0"), Greater);
        assert_eq!(cmp("1.0+abc.5", "1.0+abc.10"), Less);
        assert_eq!(cmp("1.0+5", "1.0+abc"), Greater);
    }

    #[test]
    fn legacy_versions_sort_before_pep440() {
        assert_eq!(cmp("0.1-bulbasaur", "0.0.1"), Less);
        assert_eq!(cmp("0.1-bulbasaur", "0.1-charmander"), Less);
        assert!(Scheme::Pep440.parse("").is_err());
        assert!(Scheme::Pep440.parse("1.0 beta").is_err());
    }
}
