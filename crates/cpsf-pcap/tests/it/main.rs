//! Integration tests of cpsf-pcap, as one test binary: captures written by our own writer and read back
//! (`capture`), header decoding through discovery (`decode`), TCP reassembly with a toy protocol
//! (`reassembly`), the communication matrix and device merging (`matrix`), and the shared ICS captures
//! compared with tshark's counts (`shared`).

mod capture;
mod common;
mod decode;
mod matrix;
mod reassembly;
mod shared;
