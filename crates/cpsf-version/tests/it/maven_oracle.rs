//! `Scheme::Maven` against Maven's own `ComparableVersion`: 2,600 pairs of random version strings (numbers, huge
//! numbers, `.`/`-`/`_`, known and unknown qualifiers in mixed case, trailing nulls, and pairs that differ only
//! by a spelling Maven treats as equal), each recorded as Maven 3.8.7 orders it (`tests/data/`, made with
//! `tests/data/MavenOracle.java`). Every pair must come out the same.
//!
//! Two input shapes are left out of the recording, where we deliberately follow something else:
//! - a `.` followed by a non-digit (`1.0.RC1`): maven-artifact 3.8.7 nests such a qualifier as if after `-`, but
//!   the OSV vectors were generated with 3.8.6, which does not (`2.9.0-1 < 2.9.0.RC1`), and we follow them;
//! - a segment of nulls between two `-` (`1-ga-1`, `1-0-1`): ComparableVersion orders `1-ga-1` below `1-1`,
//!   while the POM reference, Maven's own canonical form and the OSV vectors make them equal, as we do.

use crate::common;

use std::path::Path;

use common::{read_assertions, symbol};
use cpsf_version::Scheme;

#[test]
fn maven_agrees_with_comparableversion() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/maven-comparableversion-3.8.7.txt");
    let (assertions, malformed) = read_assertions(&path);
    assert!(malformed.is_empty(), "{malformed:?}");
    assert!(assertions.len() >= 2_600, "only {} pairs read", assertions.len());
    let mut failures = Vec::new();
    for x in &assertions {
        match (Scheme::Maven.compare(&x.a, &x.b), Scheme::Maven.compare(&x.b, &x.a)) {
            (Ok(ab), Ok(ba)) if ab == x.expected && ba == x.expected.reverse() => {}
            (ab, _) => failures.push(format!("line {}: {}: computed {ab:?}", x.line, x.text)),
        }
    }
    println!("{} of {} pairs as Maven orders them", assertions.len() - failures.len(), assertions.len());
    assert!(failures.is_empty(), "{} pairs differ from Maven:\n{}", failures.len(), failures.join("\n"));
    // The file holds all three outcomes.
    for op in ["<", "=", ">"] {
        assert!(assertions.iter().any(|x| symbol(x.expected) == op), "no {op} pair");
    }
}
