//! Fuzz target: catalog_read must never panic, whatever the bytes (see cpsf_fuzz::catalog_read).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::catalog_read(data);
});
