//! Fixture paths and small builders shared by the test modules.

use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn text(name: &str) -> String {
    String::from_utf8(read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn plant() -> cpsf_ot::model::Plant {
    cpsf_ot::model::read_plant("plant.yaml", &text("plant.yaml")).unwrap_or_else(|e| panic!("{e}"))
}
