//! Fuzz target: the requirements.txt parser must never panic and must keep its output invariants, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::lockfile(cpsf_fuzz::LockfileKind::Requirements, data);
});
