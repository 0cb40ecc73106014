//! Fuzz target: pcap_discover must never panic, whatever the bytes (see cpsf_fuzz::pcap_discover).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cpsf_fuzz::pcap_discover(data);
});
