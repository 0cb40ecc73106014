//! Fuzz target: assessment_read must never panic, whatever the bytes (see cpsf_fuzz::assessment_read).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::assessment_read(data);
});
