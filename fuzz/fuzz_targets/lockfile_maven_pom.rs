//! Fuzz target: the maven-pom parser must never panic, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::lockfile("pom.xml", data);
});
