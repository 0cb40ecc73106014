//! Fuzz target: purl parse must never panic, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::purl_parse(data);
});
