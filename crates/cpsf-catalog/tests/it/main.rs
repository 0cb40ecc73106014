//! Integration tests of cpsf-catalog: one binary, one module per area.

mod builtin;
