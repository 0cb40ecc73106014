//! Integration tests of cpsf-ot, built as one test binary: assets and merges, spreadsheets, the plant file,
//! conduit checks, discovered devices, IoT-SSF, CSAF matching, the hardware BOM, and robustness of every
//! parser against truncated and garbled input.

mod asset;
mod common;
mod conduit;
mod csaf;
mod discovered;
mod hbom;
mod iotssf;
mod plant;
mod robust;
mod tabular;
