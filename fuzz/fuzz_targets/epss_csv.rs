//! Fuzz target: parsing an EPSS CSV must never panic, and what it keeps is within range and unique.
#![no_main]

use std::collections::HashSet;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(file) = cpsf_vuln::epss::parse_epss(text, "epss.csv") else { return };
    let mut seen = HashSet::new();
    for score in &file.scores {
        assert!((0.0..=1.0).contains(&score.score), "epss {} kept", score.score);
        assert!((0.0..=1.0).contains(&score.percentile), "percentile {} kept", score.percentile);
        assert!(score.cve.starts_with("CVE-"), "`{}` kept as a CVE id", score.cve);
        assert!(seen.insert(score.cve.as_str()), "{} kept twice", score.cve);
        assert_eq!(score.date, file.score_date);
    }
});
