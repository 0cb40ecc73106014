//! The one test helper for lockfile parsers: load a fixture directory, parse it, render the result as stable text
//! and compare it with `expected.txt` beside the fixture (`CPSF_BLESS=1` rewrites it; review the diff).

use std::path::{Path, PathBuf};

use cpsf_inventory::{LockfileInput, LockfileKind, MemorySource, Parsed, parse_lockfile};
use cpsf_model::Component;

/// Root of the shared test data (`CPSF_TEST_DATA`, default `../shared/data`), or `None` (and a visible skip
/// message) when it is absent.
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

/// Every file under `tests/data/<format>/<scenario>/` (except `expected.txt`), by `/`-separated relative path.
pub fn load_fixture(format: &str, scenario: &str) -> MemorySource {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(format).join(scenario);
    let mut source = MemorySource::default();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&dir).expect("inside fixture").to_string_lossy().replace('\\', "/");
            if rel == "expected.txt" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            source.0.insert(rel, text);
        }
    }
    source
}

/// Parse `path` of `source` as `kind`.
pub fn parse(kind: LockfileKind, path: &str, source: &MemorySource) -> Result<Parsed, cpsf_inventory::LockfileError> {
    let text = source.0.get(path).cloned().unwrap_or_default();
    let input = LockfileInput { path, text: &text, source };
    parse_lockfile(kind, &input)
}

/// Render a parse result as stable text: one block per component (sorted by `bom_ref`), then diagnostics,
/// or the error.
pub fn render(result: &Result<Parsed, cpsf_inventory::LockfileError>) -> String {
    let parsed = match result {
        Ok(p) => p,
        Err(e) => return format!("error unsupported={} line={:?}: {}\n", e.unsupported, e.line, e.message),
    };
    let mut components: Vec<&Component> = parsed.components.iter().collect();
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let mut out = String::new();
    for c in components {
        out.push_str(&render_component(c));
    }
    for d in &parsed.diagnostics {
        out.push_str(&format!("diagnostic {} line={:?}: {}\n", d.code, d.line, d.message));
    }
    out
}

pub fn render_component(c: &Component) -> String {
    let mut out = format!("component {}\n", c.bom_ref);
    let lines: Vec<String> = c.locations.iter().map(|l| format!("{}:{:?}", l.path, l.line)).collect();
    out.push_str(&format!("  at {} direct={:?} scope={:?}\n", lines.join(" "), c.direct, c.scope));
    if c.purl.as_ref().map(|p| p.to_string()).as_deref() != Some(c.bom_ref.as_str()) {
        out.push_str(&format!("  purl {:?}\n", c.purl.as_ref().map(|p| p.to_string())));
    }
    for h in &c.hashes {
        out.push_str(&format!("  hash {} {}\n", h.algorithm.as_cyclonedx(), h.value));
    }
    for l in &c.licenses {
        out.push_str(&format!("  license {l}\n"));
    }
    if let Some(d) = &c.download_location {
        out.push_str(&format!("  download {d}\n"));
    }
    for d in &c.dependencies {
        out.push_str(&format!("  depends {d}\n"));
    }
    out
}

/// Parse the fixture `tests/data/<format>/<scenario>/<lockfile>` as `kind` and compare the rendering with
/// `expected.txt` beside it. Returns the rendering for further assertions.
pub fn check(kind: LockfileKind, format: &str, scenario: &str, lockfile: &str) -> String {
    let source = load_fixture(format, scenario);
    assert!(source.0.contains_key(lockfile), "fixture {format}/{scenario} has no {lockfile}");
    let actual = render(&parse(kind, lockfile, &source));
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(format).join(scenario).join("expected.txt");
    if std::env::var_os("CPSF_BLESS").is_some() {
        std::fs::write(&expected_path, &actual).expect("write expected.txt");
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "fixture {format}/{scenario}: output differs from expected.txt (CPSF_BLESS=1 rewrites it)"
    );
    actual
}

/// Every edge of a parse result points at a component of the same result.
pub fn assert_edges_resolve(name: &str, parsed: &Parsed) {
    let refs: std::collections::BTreeSet<&str> = parsed.components.iter().map(|c| c.bom_ref.as_str()).collect();
    for c in &parsed.components {
        for d in &c.dependencies {
            assert!(refs.contains(d.as_str()), "{name}: edge {} -> {d} points at no component", c.bom_ref);
        }
    }
}

/// Damage every lockfile of every fixture scenario of `format` (each prefix at `stride` bytes, and each copy
/// with one line removed; the rest of the tree unchanged) and parse it: no panic, and whatever parses has edges
/// that resolve and purls valid by the specification. Returns how many damaged files were parsed.
pub fn assert_damage_tolerant(format: &str, stride: usize) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(format);
    let mut scenarios: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    scenarios.sort();
    let mut parsed = 0;
    for scenario in scenarios {
        let source = load_fixture(format, &scenario);
        for (path, text) in &source.0 {
            let Some(kind) = LockfileKind::detect(path) else { continue };
            let mut variants: Vec<String> = (0..=text.len())
                .step_by(stride.max(1))
                .filter(|&i| text.is_char_boundary(i))
                .map(|i| text[..i].to_owned())
                .collect();
            let lines: Vec<&str> = text.lines().collect();
            for skip in 0..lines.len() {
                let kept: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
                variants.push(kept.join("\n"));
            }
            for variant in variants {
                let mut tree = source.clone();
                tree.0.insert(path.clone(), variant);
                if let Ok(result) = parse(kind, path, &tree) {
                    assert_edges_resolve(&format!("{format}/{scenario}/{path}"), &result);
                    for c in &result.components {
                        if let Some(purl) = &c.purl {
                            assert!(purl.violations().is_empty(), "{path}: {} {:?}", c.bom_ref, purl.violations());
                        }
                    }
                }
                parsed += 1;
            }
        }
    }
    parsed
}

/// The block of one component in a rendering (from its `component` line to the next component or diagnostic).
pub fn block<'a>(out: &'a str, bom_ref: &str) -> &'a str {
    let start = out.find(&format!("component {bom_ref}\n")).unwrap_or_else(|| panic!("no component {bom_ref}"));
    let rest = &out[start + 1..];
    let end = rest.find("\ncomponent ").or_else(|| rest.find("\ndiagnostic ")).map_or(out.len(), |e| start + 1 + e);
    out[start..end].trim_end()
}
