//! Helpers shared by cpsf-vuln's integration tests: where the shared test data is, and scratch directories.

use std::path::{Path, PathBuf};

/// The shared test data directory (`CPSF_TEST_DATA`, default the repository's `../shared/data`), whether or
/// not it exists.
pub fn shared_root() -> PathBuf {
    std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

/// `relative` inside the shared test data, or `None` after saying `SKIPPED:` when it is not there.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = shared_root().join(relative);
    if path.exists() {
        Some(path)
    } else {
        println!("SKIPPED: {} not found (set CPSF_TEST_DATA)", path.display());
        None
    }
}

/// A fresh, empty directory for one test of one test binary.
pub fn scratch(name: &str) -> PathBuf {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("cpsf-vuln-{binary}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
