//! Passive device discovery from network captures. Nothing here sends a packet: captures are read as files.
//!
//! [`model`] names what is reported, [`proto`] holds one identity decoder per protocol behind a common
//! interface (ports or EtherType, stream framing for TCP, message decoding).

pub mod model;
pub mod proto;
