//! SemVer 2.0 precedence and its relatives: plain SemVer (crates.io, npm, Hex), Go module versions, NuGet and Dart pub.
//!
//! A version is `[v]N(.N)*[-pre][+build]`. Release numbers compare numerically with missing ones counting as zero;
//! a version with a prerelease sorts before the same release without one; prerelease identifiers compare
//! numerically when both are digits, digits sort before letters, other identifiers compare in ASCII order, and a
//! longer list wins when one is a prefix of the other. The flavours differ in what they accept and in two rules:
//! - Semver (and Hex): a leading `v` is accepted (node-semver does), build metadata is ignored. Besides the three
//!   SemVer numbers, shorter (`1.2`) and longer (`1.2.3.4`) releases are accepted and compared number by number.
//! - Go: `v` optional (go.mod has it, OSV does not), one to three numbers without leading zeros, a prerelease or
//!   build only after all three; `+incompatible` is build metadata, so ignored; pseudo-versions
//!   (`v0.0.0-20240101120000-abcdef123456`) are ordinary prereleases and order as such.
//! - NuGet: one to four numbers (the fourth is the legacy revision), no `v`, prerelease labels compare ignoring
//!   ASCII case, metadata ignored.
//! - Pub: as Semver, except that build metadata orders too: a version with a build sorts after the same version
//!   without one, and builds compare like prereleases (`1.2.3+1 < 1.2.3+a`).

use std::cmp::Ordering;

use crate::num::{Span, all_digits, cmp_digits, cmp_ignore_ascii_case};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Semver,
    Go,
    NuGet,
    Pub,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The release numbers with their dots (`1.2.3`).
    release: Span,
    /// The prerelease after `-`; empty when there is none (an empty prerelease is refused).
    pre: Span,
    /// The build metadata after `+`; empty when there is none.
    build: Span,
}

pub(crate) fn parse(text: &str, flavor: Flavor) -> Result<Parsed, String> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err("empty".into());
    }
    let mut pos = 0;
    if bytes.first() == Some(&b'v') && flavor != Flavor::NuGet {
        pos = 1;
    }
    let release_start = pos;
    let mut count = 0usize;
    loop {
        let len = crate::num::run_len(bytes.get(pos..).unwrap_or(&[]), |c| c.is_ascii_digit());
        if len == 0 {
            return Err(format!("expected a number at byte {pos}"));
        }
        let number = bytes.get(pos..pos + len).unwrap_or(&[]);
        if flavor == Flavor::Go && len > 1 && number.first() == Some(&b'0') {
            return Err(format!("number {:?} has a leading zero", String::from_utf8_lossy(number)));
        }
        count += 1;
        pos += len;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
        } else {
            break;
        }
    }
    let release = Span::new(release_start, pos);
    let max_numbers = match flavor {
        Flavor::Go => 3,
        Flavor::NuGet => 4,
        Flavor::Semver | Flavor::Pub => usize::MAX,
    };
    if count > max_numbers {
        return Err(format!("{count} release numbers, at most {max_numbers} allowed"));
    }
    let mut pre = Span::default();
    let mut build = Span::default();
    if bytes.get(pos) == Some(&b'-') {
        let start = pos + 1;
        let end = start + crate::num::run_len(bytes.get(start..).unwrap_or(&[]), |c| c != b'+');
        check_identifiers(bytes.get(start..end).unwrap_or(&[]), "prerelease", flavor == Flavor::Go)?;
        pre = Span::new(start, end);
        pos = end;
    }
    if bytes.get(pos) == Some(&b'+') {
        let start = pos + 1;
        check_identifiers(bytes.get(start..).unwrap_or(&[]), "build metadata", false)?;
        build = Span::new(start, bytes.len());
        pos = bytes.len();
    }
    if pos != bytes.len() {
        return Err(format!("unexpected {:?} at byte {pos}", char_at(text, pos)));
    }
    if flavor == Flavor::Go && count < 3 && (!pre.is_empty() || !build.is_empty()) {
        return Err("a prerelease or build needs all three release numbers".into());
    }
    Ok(Parsed { release, pre, build })
}

fn char_at(text: &str, pos: usize) -> char {
    text.get(pos..).and_then(|s| s.chars().next()).unwrap_or('?')
}

/// Dot-separated, non-empty identifiers of `[0-9A-Za-z-]`; with `strict_numbers`, numeric ones have no leading zero.
fn check_identifiers(s: &[u8], what: &str, strict_numbers: bool) -> Result<(), String> {
    for ident in s.split(|&c| c == b'.') {
        if ident.is_empty() {
            return Err(format!("empty {what} identifier"));
        }
        if let Some(&c) = ident.iter().find(|&&c| !(c.is_ascii_alphanumeric() || c == b'-')) {
            return Err(format!("{what} contains {:?}", c as char));
        }
        if strict_numbers && ident.len() > 1 && all_digits(ident) && ident.first() == Some(&b'0') {
            return Err(format!("numeric {what} identifier {:?} has a leading zero", String::from_utf8_lossy(ident)));
        }
    }
    Ok(())
}

pub(crate) fn compare(a: &str, pa: &Parsed, b: &str, pb: &Parsed, flavor: Flavor) -> Ordering {
    compare_release(pa.release.bytes(a), pb.release.bytes(b))
        .then_with(|| {
            let (x, y) = (pa.pre.bytes(a), pb.pre.bytes(b));
            match (x.is_empty(), y.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_identifiers(x, y, flavor == Flavor::NuGet),
            }
        })
        .then_with(|| {
            if flavor != Flavor::Pub {
                return Ordering::Equal;
            }
            let (x, y) = (pa.build.bytes(a), pb.build.bytes(b));
            match (x.is_empty(), y.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => compare_identifiers(x, y, false),
            }
        })
}

/// Dot-separated numbers, missing ones counting as zero.
pub(crate) fn compare_release(a: &[u8], b: &[u8]) -> Ordering {
    let mut xs = a.split(|&c| c == b'.');
    let mut ys = b.split(|&c| c == b'.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => {
                let ord = cmp_digits(x.unwrap_or(b"0"), y.unwrap_or(b"0"));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// SemVer identifier lists: numeric < alphanumeric, numbers by value, others in ASCII order (or ignoring case),
/// a proper prefix first.
fn compare_identifiers(a: &[u8], b: &[u8], ignore_case: bool) -> Ordering {
    let mut xs = a.split(|&c| c == b'.');
    let mut ys = b.split(|&c| c == b'.');
    loop {
        let (x, y) = match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let ord = match (all_digits(x), all_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if ignore_case => cmp_ignore_ascii_case(x, y),
            (false, false) => x.cmp(y),
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

    fn cmp(s: Scheme, a: &str, b: &str) -> std::cmp::Ordering {
        s.compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn semver_precedence() {
        let s = Scheme::Semver;
        assert_eq!(cmp(s, "1.0.0-alpha", "1.0.0-alpha.1"), Less);
        assert_eq!(cmp(s, "1.0.0-alpha.beta", "1.0.0-beta"), Less);
        assert_eq!(cmp(s, "1.0.0-beta.2", "1.0.0-beta.11"), Less);
        assert_eq!(cmp(s, "1.0.0-rc.1", "1.0.0"), Less);
        assert_eq!(cmp(s, "1.2.3+build", "1.2.3+other"), Equal);
        assert_eq!(cmp(s, "v1.2.3", "1.2.3"), Equal);
        assert_eq!(cmp(s, "1.2", "1.2.0"), Equal);
        assert!(s.parse("1.2.3-").is_err());
        assert!(s.parse("1.2.3-a..b").is_err());
        assert!(s.parse("1.2.x").is_err());
        assert!(s.parse("").is_err());
        assert!(s.parse("1.2.3 ").is_err());
    }

    #[test]
    fn go_pseudo_versions_and_incompatible() {
        let g = Scheme::Go;
        assert_eq!(cmp(g, "v2.0.0+incompatible", "2.0.0"), Equal);
        assert_eq!(cmp(g, "v0.0.0-20240101120000-abcdef123456", "v0.0.1"), Less);
        assert_eq!(cmp(g, "v1.2.4-0.20240101120000-abcdef123456", "v1.2.3"), Greater);
        assert_eq!(cmp(g, "v1.2.4-0.20240101120000-abcdef123456", "v1.2.4"), Less);
        assert_eq!(cmp(g, "v1.2.3-pre.0.20240101120000-abcdef123456", "v1.2.3-pre"), Greater);
        assert_eq!(cmp(g, "v1", "v1.0.0"), Equal);
        assert!(g.parse("v01.2.3").is_err());
        assert!(g.parse("v1.2.3.4").is_err());
        assert!(g.parse("v1.2-pre").is_err());
        assert!(g.parse("(devel)").is_err());
    }

    #[test]
    fn nuget_labels_ignore_case_and_fourth_number() {
        let n = Scheme::NuGet;
        assert_eq!(cmp(n, "1.0.0-BETA", "1.0.0-beta"), Equal);
        assert_eq!(cmp(n, "1.0", "1.0.0.0"), Equal);
        assert_eq!(cmp(n, "1.0.0", "1.0.0.1-alpha"), Less);
        assert!(n.parse("1.2.3.4.5").is_err());
        assert!(n.parse("v1.2.3").is_err());
    }

    #[test]
    fn hex_is_semver() {
        let h = Scheme::Hex;
        assert_eq!(cmp(h, "1.0.0-rc.1", "1.0.0"), Less);
        assert_eq!(cmp(h, "1.0.0+build.1", "1.0.0"), Equal);
        assert_eq!(cmp(h, "0.10.0", "0.9.0"), Greater);
    }

    #[test]
    fn pub_orders_builds() {
        let p = Scheme::Pub;
        assert_eq!(cmp(p, "1.0.0", "1.0.0+build"), Less);
        assert_eq!(cmp(p, "1.2.3+900", "1.2.3+a"), Less);
        assert_eq!(cmp(p, "1.0.0-pre+build", "1.0.0"), Less);
    }
}
