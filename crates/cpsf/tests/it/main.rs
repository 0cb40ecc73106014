//! Integration tests of the `cpsf` binary, as one test binary: `cli` runs the commands on fixture trees, `serve`
//! runs the team server on loopback with the commands around it, `catalog` and `assess` run the framework
//! commands from `assess init` to a PDF, `pcap` runs passive discovery on the shared captures, `demo` loads the demo plant and serves it.

mod assess;
mod catalog;
mod cli;
mod demo;
mod ot;
mod pcap;
mod serve;
