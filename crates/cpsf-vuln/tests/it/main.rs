//! Integration tests of the advisory store, matching, reports, VEX and downloads, built as one test binary.
//! One binary per crate keeps the build small: every test binary links all of the crate's dependencies.

mod cargo_audit;
mod common;
mod download;
mod import;
mod kev_epss;
mod matching;
mod report;
mod severity;
mod vex;
