//! Fuzz target: catalog_import must never panic, whatever the bytes (see cpsf_fuzz::catalog_import).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::catalog_import(data);
});
