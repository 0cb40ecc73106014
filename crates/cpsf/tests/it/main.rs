//! Integration tests of the `cpsf` binary, as one test binary: `cli` runs the commands on fixture trees, `serve`
//! runs the team server on loopback with the commands around it.

mod cli;
mod serve;
