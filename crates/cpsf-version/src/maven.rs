//! Maven versions, ordered the way Maven's `ComparableVersion` (maven-artifact 3.8.6, which generated the OSV
//! vectors) orders them, pair by pair. Maven accepts any string as a version; only the empty string is refused.
//!
//! The version is lower-cased and read as a chain of nested lists. Each piece between `.` and `-` separators is
//! split where digits meet non-digits; a `-`, and every digit/non-digit boundary, opens a new list nested as the
//! last element of the current one, so `1.0-alpha1` is `[1, 0, [alpha, [1]]]`. An empty piece before a
//! separator is `0`. In a letter run directly followed by a digit, `a`, `b` and `m` mean `alpha`, `beta` and
//! `milestone`; `ga`, `final` and `release` mean the empty qualifier and `cr` means `rc`. Each list then drops
//! its trailing "null" elements (`0`, the empty qualifier, an empty list), also those just before its nested
//! list, so `1.0.0 == 1 == 1-0 == 1.ga` and `1.0-1 == 1-1`.
//!
//! Two lists compare element by element; where one runs out, the other's element is compared with "nothing":
//! - numbers compare by value (any size), and are above every qualifier and every nested list;
//! - a nested list is above any qualifier and below any number; two nested lists compare as lists;
//! - qualifiers order alpha < beta < milestone < rc < snapshot < "" (release) < sp < any other (by text, as
//!   Java compares strings);
//! - against nothing, a number is equal if zero and greater otherwise, a qualifier compares as against the
//!   empty qualifier, and a nested list compares each of its elements against nothing until one differs.
//!
//! This is not a total order, and Maven's own comparator is not either: elements compare by kind, whatever
//! follows them, so after `2.9` the list `[1]` of `2.9.0-1` meets the `0` of `2.9.0.RC1` and is below it,
//! giving `2.9.0-1 < 2.9.0.RC1`, while `2.9.0.RC1 < 2.9.0 < 2.9.0-1`. Every pair comes out as Maven says; sort
//! with [`crate::sort_versions`], never with std's sorts.
//!
//! Where this departs from `ComparableVersion`:
//! - a nested list that, once trimmed, holds nothing but the next list, both opened by `-` (a segment of nulls
//!   between two hyphens: `1-ga-1`, `1-0-1`, `1-0.0-1`), is replaced by that list, so these equal `1-1` as the
//!   POM reference's trimming rule, Maven's canonical form (`getCanonical`) and the OSV vectors say; Maven's
//!   `compareTo` puts them below `1-1`;
//! - digits are ASCII digits (Java also takes other Unicode decimal digits);
//! - later Maven releases (3.8.7 on) nest a qualifier after `.` as if after `-` (`1.0.RC1` as `1.0-RC1`); the
//!   OSV vectors follow 3.8.6, which does not, and so do we.
//!
//! `tests/it/maven_oracle.rs` checks 2,600 pairs against Maven's own results, and the cost of a comparison is
//! linear in the two versions' lengths, however deep the nesting (no recursion).

use std::cmp::Ordering;

use crate::num::{Span, cmp_digits, run_len};

/// The known qualifiers in order; the empty qualifier (release) is at [`RELEASE`].
const KNOWN: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE: u8 = 5;

#[derive(Debug, Clone, Copy)]
enum Item {
    /// Digits without leading zeros (empty for zero).
    Number(Span),
    /// The index of a known qualifier in [`KNOWN`].
    Known(u8),
    /// Any other qualifier, compared by its lower-cased text.
    Other(Span),
}

impl Item {
    fn is_null(self) -> bool {
        match self {
            Item::Number(span) => span.is_empty(),
            Item::Known(k) => k == RELEASE,
            Item::Other(_) => false,
        }
    }
}

/// One list of the chain: its own elements are `items[start..end]`; the next list of the chain, when there is
/// one, is its last element.
#[derive(Debug, Clone, Copy)]
struct List {
    start: usize,
    end: usize,
    /// Opened by a `-` (rather than by a digit/non-digit boundary).
    after_dash: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The lower-cased version when it differs from the original; spans point into it (or into the original).
    lower: Option<Box<str>>,
    items: Vec<Item>,
    /// The chain, outermost first; every list but the first is non-empty.
    lists: Vec<List>,
}

impl Parsed {
    fn text<'a>(&'a self, original: &'a str) -> &'a str {
        self.lower.as_deref().unwrap_or(original)
    }

    /// The number of elements of list `k`, counting its nested list.
    fn len(&self, k: usize) -> usize {
        let own = self.lists.get(k).map_or(0, |l| l.end - l.start);
        own + usize::from(k + 1 < self.lists.len())
    }

    /// Element `i` of list `k`.
    fn element(&self, k: usize, i: usize) -> Element {
        let Some(list) = self.lists.get(k) else { return Element::Nothing };
        let own = list.end - list.start;
        if i < own {
            self.items.get(list.start + i).map_or(Element::Nothing, |&item| Element::Item(item))
        } else if i == own && k + 1 < self.lists.len() {
            Element::List
        } else {
            Element::Nothing
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Element {
    Item(Item),
    /// The nested list (the next one in the chain).
    List,
    /// Past the end of the shorter list.
    Nothing,
}

pub(crate) fn parse(original: &str) -> Result<Parsed, String> {
    if original.is_empty() {
        return Err("empty".into());
    }
    let lowered = original.to_lowercase();
    let lower = (lowered != original).then(|| lowered.into_boxed_str());
    let text = lower.as_deref().unwrap_or(original);
    let bytes = text.as_bytes();

    let mut items = Vec::new();
    let mut lists = vec![List { start: 0, end: 0, after_dash: false }];
    // Close the current list and open the one nested in it.
    let open = |items: &Vec<Item>, lists: &mut Vec<List>, after_dash: bool| {
        if let Some(last) = lists.last_mut() {
            last.end = items.len();
        }
        lists.push(List { start: items.len(), end: items.len(), after_dash });
    };
    let mut piece_start = 0;
    for i in 0..=bytes.len() {
        let c = bytes.get(i).copied();
        if !matches!(c, None | Some(b'.' | b'-')) {
            continue;
        }
        let piece = bytes.get(piece_start..i).unwrap_or(&[]);
        if piece.is_empty() {
            // An empty piece before a separator is a zero; at the very end it is nothing.
            if c.is_some() {
                items.push(Item::Number(Span::new(piece_start, piece_start)));
            }
        } else {
            // Runs of digits and of non-digits; each boundary opens a nested list.
            let mut pos = 0;
            while pos < piece.len() {
                let rest = piece.get(pos..).unwrap_or(&[]);
                let digits = rest.first().is_some_and(u8::is_ascii_digit);
                let len = run_len(rest, |b| b.is_ascii_digit() == digits);
                let start = piece_start + pos;
                let followed = pos + len < piece.len();
                items.push(if digits {
                    let zeros = run_len(rest, |b| b == b'0').min(len);
                    Item::Number(Span::new(start + zeros, start + len))
                } else {
                    qualifier(text, Span::new(start, start + len), followed)
                });
                if followed {
                    open(&items, &mut lists, false);
                }
                pos += len;
            }
        }
        if c == Some(b'-') {
            open(&items, &mut lists, true);
        }
        piece_start = i + 1;
    }
    if let Some(last) = lists.last_mut() {
        last.end = items.len();
    }
    normalize(&items, &mut lists);
    Ok(Parsed { lower, items, lists })
}

/// Classify a run of non-digits; `followed_by_digit` says whether digits come next in the same piece.
fn qualifier(text: &str, span: Span, followed_by_digit: bool) -> Item {
    let word = span.bytes(text);
    let word: &[u8] = match word {
        b"a" if followed_by_digit => b"alpha",
        b"b" if followed_by_digit => b"beta",
        b"m" if followed_by_digit => b"milestone",
        b"ga" | b"final" | b"release" => b"",
        b"cr" => b"rc",
        w => w,
    };
    KNOWN.iter().position(|k| k.as_bytes() == word).map_or(Item::Other(span), |k| Item::Known(k as u8))
}

/// Drop each list's trailing nulls (also those before its nested list), innermost list first, and the nested lists
/// that end up empty. A nested list left holding nothing but its own nested list is replaced by that list.
fn normalize(items: &[Item], lists: &mut Vec<List>) {
    let mut keep = lists.len();
    let mut collapsed = vec![false; lists.len()];
    for k in (0..lists.len()).rev() {
        let Some(list) = lists.get_mut(k) else { continue };
        while list.end > list.start && items.get(list.end - 1).is_some_and(|item| item.is_null()) {
            list.end -= 1;
        }
        let empty = list.end == list.start;
        let between_dashes = list.after_dash && lists.get(k + 1).is_some_and(|next| next.after_dash);
        if k > 0 && empty {
            if k + 1 >= keep {
                keep = k;
            } else if between_dashes && let Some(c) = collapsed.get_mut(k) {
                *c = true;
            }
        }
    }
    lists.truncate(keep.max(1));
    let mut flags = collapsed.into_iter();
    lists.retain(|_| !flags.next().unwrap_or(false));
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed) -> Ordering {
    let (ta, tb) = (pa.text(a), pb.text(b));
    // Walk down the two chains together: two nested lists in the same place compare as lists, and nothing can
    // follow them, so the walk never needs to come back up.
    let (mut ka, mut kb) = (0, 0);
    'lists: loop {
        for i in 0..pa.len(ka).max(pb.len(kb)) {
            let ord = match (pa.element(ka, i), pb.element(kb, i)) {
                (Element::List, Element::List) => {
                    ka += 1;
                    kb += 1;
                    continue 'lists;
                }
                (Element::List, Element::Nothing) => against_nothing(ta, pa, ka + 1),
                (Element::Nothing, Element::List) => against_nothing(tb, pb, kb + 1).reverse(),
                (x, y) => compare_elements(ta, x, tb, y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        return Ordering::Equal;
    }
}

/// Compare two elements where neither descends into nested lists (at most one side is a list).
fn compare_elements(ta: &str, x: Element, tb: &str, y: Element) -> Ordering {
    use Element::{Item as I, List as L, Nothing as N};
    match (x, y) {
        (I(Item::Number(m)), I(Item::Number(n))) => cmp_digits(m.bytes(ta), n.bytes(tb)),
        (I(Item::Number(n)), N) if n.is_empty() => Ordering::Equal,
        (I(Item::Number(_)), _) => Ordering::Greater,
        (_, I(Item::Number(_))) => compare_elements(tb, y, ta, x).reverse(),
        (I(p), I(q)) => compare_qualifiers(ta, p, tb, q),
        (I(_), L) => Ordering::Less,
        (L, I(_)) => Ordering::Greater,
        (I(p), N) => compare_qualifiers(ta, p, tb, Item::Known(RELEASE)),
        (N, I(q)) => compare_qualifiers(ta, Item::Known(RELEASE), tb, q),
        // Two lists, or a list against nothing, are handled by the caller.
        (L, L) | (L, N) | (N, L) | (N, N) => Ordering::Equal,
    }
}

/// Two qualifiers (never numbers): known ones by rank, below all others; others by text, as Java compares strings
/// (UTF-16 code units).
fn compare_qualifiers(ta: &str, p: Item, tb: &str, q: Item) -> Ordering {
    match (p, q) {
        (Item::Known(r), Item::Known(s)) => r.cmp(&s),
        (Item::Known(_), _) => Ordering::Less,
        (_, Item::Known(_)) => Ordering::Greater,
        (Item::Other(m), Item::Other(n)) => {
            let (m, n) = (span_str(ta, m), span_str(tb, n));
            m.encode_utf16().cmp(n.encode_utf16())
        }
        _ => Ordering::Equal,
    }
}

fn span_str(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize).unwrap_or("")
}

/// A nested list (list `k` of the chain and those inside it) against nothing: its elements in turn against
/// nothing, until one differs.
fn against_nothing(text: &str, p: &Parsed, mut k: usize) -> Ordering {
    while k < p.lists.len() {
        for i in 0..p.len(k) {
            match p.element(k, i) {
                Element::List => break,
                x => {
                    let ord = compare_elements(text, x, text, Element::Nothing);
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
            }
        }
        k += 1;
    }
    Ordering::Equal
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

    #[test]
    fn pairwise_like_maven_even_where_not_transitive() {
        // Maven's own cycle: each pair as ComparableVersion orders it.
        assert_eq!(cmp("2.9.0.RC1", "2.9.0"), Less);
        assert_eq!(cmp("2.9.0", "2.9.0-1"), Less);
        assert_eq!(cmp("2.9.0-1", "2.9.0.RC1"), Less);
        // A nested list against nothing looks past a leading zero.
        assert_eq!(cmp("1-0.1", "1"), Greater);
        assert_eq!(cmp("1-0.alpha", "1"), Less);
        // A segment of nulls between hyphens goes (the POM reference's rule), not one ending at a boundary.
        assert_eq!(cmp("1-ga-1", "1-1"), Equal);
        assert_eq!(cmp("1-0.0-1", "1-1"), Equal);
        assert_eq!(cmp("1-0a1", "1-a1"), Greater);
        // Nested lists deep enough to overflow a recursive comparison.
        let deep = format!("1{}", "-a".repeat(200_000));
        assert_eq!(cmp(&deep, &deep), Equal);
        assert_eq!(cmp(&deep, "1"), Greater);
    }
}
