//! Integration tests of cpsf-assess.

mod oscal;
