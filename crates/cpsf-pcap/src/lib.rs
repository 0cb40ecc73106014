//! Passive device discovery from network captures. Nothing here sends a packet: captures are read as files.
//!
//! [`model`] names what is reported, [`proto`] holds one identity decoder per protocol behind a common
//! interface (ports or EtherType, stream framing for TCP, message decoding). [`capture`] streams pcap and
//! pcapng files, [`decode`] reads link, network and transport headers, [`reassembly`] follows TCP streams for
//! the decoders, [`matrix`] counts who talks to whom, [`discover`] runs it all over files and merges what was
//! seen into devices, [`output`] renders the result, and [`write`] writes captures (for tests, benchmarks and
//! the demo).

pub mod capture;
pub mod decode;
pub mod discover;
pub mod matrix;
pub mod model;
pub mod oui;
mod oui_table;
pub mod output;
pub mod proto;
pub mod reassembly;
pub mod registry;
pub mod write;

pub use discover::{Discovery, Options, discover, discover_bytes};
