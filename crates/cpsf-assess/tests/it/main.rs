//! Integration tests of cpsf-assess: one binary, one module per area.

mod common;
mod evidence;
mod oscal;
mod scoring;
