//! Integration tests of cpsf-catalog: the shipped catalogs (`builtin`), importing OSCAL catalogs, CSV and CISO Assistant libraries, and
//! exporting OSCAL (checked against NIST's schema and read back).

mod builtin;
mod export;
mod import;

use std::path::PathBuf;

/// A fixture under `tests/fixtures/`.
pub fn fixture(name: &str) -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path.display().to_string(), text)
}
