//! Shared helpers of the cpsf-version tests: where the shared test data is, and reading the OSV ordering files.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// The shared test data root (`CPSF_TEST_DATA`, default `../shared/data` beside the repository), or `None`
/// after printing `SKIPPED` when it is absent.
pub fn shared_data() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA ({}) not found", root.display());
        None
    }
}

/// One assertion of an OSV ordering file: `a op b` at a 1-based line.
pub struct Assertion {
    pub line: usize,
    pub text: String,
    pub a: String,
    pub b: String,
    pub expected: Ordering,
}

/// The assertions of an ordering file (`A < B`, `A > B`, `A = B`; blank lines and `#` or `//` comments skipped).
/// Lines of any other shape come back as errors naming the line.
pub fn read_assertions(path: &Path) -> (Vec<Assertion>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let expected = match words.get(1).copied() {
            Some("<") => Ordering::Less,
            Some(">") => Ordering::Greater,
            Some("=") => Ordering::Equal,
            _ => {
                bad.push(format!("{name}:{}: malformed line {line:?}", i + 1));
                continue;
            }
        };
        if words.len() != 3 {
            bad.push(format!("{name}:{}: malformed line {line:?}", i + 1));
            continue;
        }
        out.push(Assertion {
            line: i + 1,
            text: line.to_owned(),
            a: words[0].to_owned(),
            b: words[2].to_owned(),
            expected,
        });
    }
    (out, bad)
}

pub fn symbol(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}
