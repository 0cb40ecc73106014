//! The cpsf binary.
fn main() {}
