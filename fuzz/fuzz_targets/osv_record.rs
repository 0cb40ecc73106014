//! Fuzz target: an OSV record (JSON or YAML bytes) is read without panicking, and every affected entry it keeps is
//! evaluated against the versions the record itself names, so range evaluation and the comparators see
//! whatever the input holds.
#![no_main]

use cpsf_vuln::osv::parse_record;
use cpsf_vuln::range;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let value: Option<serde_json::Value> = serde_json::from_slice(data)
        .ok()
        .or_else(|| std::str::from_utf8(data).ok().and_then(|t| serde_norway::from_str(t).ok()));
    let Some(value) = value else { return };
    let Ok((advisory, _warnings)) = parse_record(&value) else { return };
    for entry in advisory.affected.iter().take(16) {
        let mut probes: Vec<&str> = entry.versions.iter().map(String::as_str).take(16).collect();
        for r in entry.ranges.iter().take(8) {
            probes.extend(r.events.iter().take(16).map(|e| e.version()));
        }
        probes.push("0");
        probes.push("1.0.0");
        for version in probes {
            let _ = range::evaluate(entry, version);
        }
        let _ = range::describe(entry);
        let fixed = range::fixed_versions(entry);
        if let Some(first) = fixed.first() {
            let _ = cpsf_vuln::matcher::smallest_fix(&entry.ecosystem, first, std::slice::from_ref(entry));
        }
    }
});
