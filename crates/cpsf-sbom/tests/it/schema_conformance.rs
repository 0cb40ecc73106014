//! Conformance of the embedded schemas and the CycloneDX validator against the specification's test BOMs.

use std::path::PathBuf;

use cpsf_sbom::CycloneDxVersion;
use cpsf_sbom::schema;

fn data_root() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA not found");
        None
    }
}

/// Validate every `*.json` of one version's spec test folder; returns the misclassified file names.
fn check(root: &std::path::Path, version: CycloneDxVersion) -> Vec<String> {
    let dir = root.join("cyclonedx-spec/test-resources").join(version.as_str());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no JSON test BOMs in {}", dir.display());
    let mut wrong = Vec::new();
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let report = schema::validate_cyclonedx(&value, version);
        let expect_valid = name.starts_with("valid-");
        if report.valid != expect_valid {
            wrong.push(format!(
                "{}/{name}: expected {}, got {:?}",
                version.as_str(),
                if expect_valid { "valid" } else { "invalid" },
                report.errors.iter().take(3).collect::<Vec<_>>()
            ));
        }
    }
    wrong
}

#[test]
fn spec_test_boms_are_classified_as_the_spec_says() {
    let Some(root) = data_root() else { return };
    let wrong: Vec<String> = CycloneDxVersion::ALL.iter().flat_map(|v| check(&root, *v)).collect();
    assert!(wrong.is_empty(), "{} misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn embedded_schemas_equal_the_official_copies() {
    let Some(root) = data_root() else { return };
    for schema in schema::EMBEDDED_SCHEMAS {
        let copy = root.join(schema.test_data_dir).join(schema.file_name);
        let official = std::fs::read_to_string(&copy).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
        assert!(official == schema.text, "{} differs from {}", schema.file_name, copy.display());
    }
}
