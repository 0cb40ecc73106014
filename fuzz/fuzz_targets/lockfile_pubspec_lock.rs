//! Fuzz target: the pubspec-lock parser must never panic, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::lockfile("pubspec.lock", data);
});
