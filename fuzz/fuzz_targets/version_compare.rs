//! Fuzz target: every version comparator must never panic and must stay a consistent order, whatever the bytes.
//!
//! Input: one byte choosing a scheme, then up to three strings separated by `\n`. Every scheme compares the first
//! two both ways (the results must be opposite, and a string equals itself); the chosen scheme sorts the three with
//! `sort_versions` (never a panic) and, when it claims to be a total order, checks transitivity over them (Maven
//! and Packagist follow their upstream comparators pairwise, which are not transitive).
#![no_main]

use std::cmp::Ordering;

use cpsf_version::{ALL_SCHEMES, Scheme, sort_versions};

fn check_pair(scheme: Scheme, a: &str, b: &str) {
    let ab = scheme.compare(a, b);
    let ba = scheme.compare(b, a);
    match (&ab, &ba) {
        (Ok(x), Ok(y)) => assert_eq!(*x, y.reverse(), "{scheme}: {a:?} vs {b:?} not antisymmetric"),
        (Err(e), _) | (_, Err(e)) => {
            assert_eq!(e.scheme, scheme);
            assert!(e.version == a || e.version == b, "{scheme}: error names {:?}", e.version);
            assert!(ab.is_err() && ba.is_err(), "{scheme}: {a:?} vs {b:?} fails only one way");
        }
    }
    if let Ok(v) = scheme.parse(a) {
        assert_eq!(v.as_str(), a);
        assert_eq!(scheme.compare(a, a), Ok(Ordering::Equal), "{scheme}: {a:?} differs from itself");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\n');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or("");
    let c = parts.next().unwrap_or("");
    for scheme in ALL_SCHEMES {
        check_pair(scheme, a, b);
    }
    let scheme = ALL_SCHEMES[usize::from(selector) % ALL_SCHEMES.len()];
    let (Ok(x), Ok(y), Ok(z)) = (scheme.parse(a), scheme.parse(b), scheme.parse(c)) else { return };
    let mut three = [x.clone(), y.clone(), z.clone()];
    sort_versions(&mut three);
    if !scheme.is_total_order() {
        return;
    }
    assert!(three[0] <= three[1] && three[1] <= three[2], "{scheme}: sort_versions left {a:?}, {b:?}, {c:?} unsorted");
    if x <= y && y <= z {
        assert!(x <= z, "{scheme}: {a:?} <= {b:?} <= {c:?} but not {a:?} <= {c:?}");
    }
    if x == y && y == z {
        assert_eq!(x, z);
    }
});
