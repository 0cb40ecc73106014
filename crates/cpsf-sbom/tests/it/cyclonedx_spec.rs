//! The CycloneDX specification's test BOMs, JSON and XML, 1.4 to 1.7: every file is read with
//! `cpsf_sbom::read` and validated with `schema::validate`, and the verdict must be the one its name gives
//! (`valid-*` readable and valid; `invalid-*` and `informal-invalid-*` a read error or invalid).

use std::path::{Path, PathBuf};

use cpsf_sbom::{CycloneDxVersion, schema};

fn data_root() -> Option<PathBuf> {
    let root = std::env::var_os("CPSF_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.join("cyclonedx-spec/test-resources").is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: CPSF_TEST_DATA/cyclonedx-spec not found");
        None
    }
}

fn files(dir: &Path, extensions: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| extensions.iter().any(|x| n.ends_with(x)))
        .collect();
    names.sort();
    names
}

/// What cpsf says of one file: `Ok(())` when readable and valid, `Err(why)` otherwise.
fn verdict(bytes: &[u8], name: &str) -> Result<(), String> {
    let read = cpsf_sbom::read(bytes, name).map_err(|e| format!("read error: {e}"))?;
    let report = schema::validate(&read);
    if report.valid {
        Ok(())
    } else {
        Err(format!(
            "invalid: {:?}",
            report.errors.iter().take(3).map(|e| format!("{} {}", e.pointer, e.message)).collect::<Vec<_>>()
        ))
    }
}

/// XML test BOMs whose verdict the JSON schema cannot give, with the reason. They are reported, and the
/// test fails if any of them starts to agree (then it belongs in the count) or if any other file disagrees.
const NOT_JUDGED_BY_THE_JSON_SCHEMA: &[(&str, &str)] = &[
    (
        "1.6/valid-attestation-1.6.xml",
        "the first signatory is signed with an XML Signature (<ds:Signature>, an empty placeholder here); the JSON \
         schema requires a JSF `signature` object for a signatory without organization and external reference, \
         and an XML Signature has no JSF form",
    ),
    (
        "1.7/valid-attestation-1.7.xml",
        "as 1.6/valid-attestation-1.6.xml: a signatory signed only with an XML Signature has no valid JSON form",
    ),
];

#[derive(Default)]
struct Tally {
    agree: usize,
    not_judged: usize,
    disagree: Vec<String>,
}

#[test]
fn every_spec_test_bom_gets_the_spec_verdict() {
    let Some(root) = data_root() else { return };
    let mut total = Tally::default();
    for version in CycloneDxVersion::ALL {
        let dir = root.join("cyclonedx-spec/test-resources").join(version.as_str());
        let mut tallies = [("json", Tally::default()), ("xml", Tally::default())];
        for name in files(&dir, &[".json", ".xml"]) {
            let expect_valid = name.starts_with("valid-");
            assert!(
                expect_valid || name.starts_with("invalid-") || name.starts_with("informal-invalid-"),
                "{name}: the file name gives no verdict"
            );
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            let got = verdict(&bytes, &name);
            let tally = &mut tallies[usize::from(name.ends_with(".xml"))].1;
            let key = format!("{}/{name}", version.as_str());
            if let Some((_, reason)) = NOT_JUDGED_BY_THE_JSON_SCHEMA.iter().find(|(f, _)| *f == key) {
                println!("not judged: {key}: {reason}");
                assert!(
                    got.is_ok() != expect_valid,
                    "{key} now gets the spec's verdict; remove it from NOT_JUDGED_BY_THE_JSON_SCHEMA"
                );
                tally.not_judged += 1;
                continue;
            }
            if got.is_ok() == expect_valid {
                tally.agree += 1;
            } else {
                let why = got.err().unwrap_or_else(|| "valid".into());
                tally.disagree.push(format!(
                    "{}/{name}: expected {}, got {why}",
                    version.as_str(),
                    if expect_valid { "valid" } else { "invalid" }
                ));
            }
        }
        for (kind, tally) in tallies {
            println!(
                "CycloneDX {} {kind}: {} of {} agree with the spec, {} disagree, {} not judged by the JSON schema",
                version.as_str(),
                tally.agree,
                tally.agree + tally.disagree.len() + tally.not_judged,
                tally.disagree.len(),
                tally.not_judged
            );
            total.agree += tally.agree;
            total.not_judged += tally.not_judged;
            total.disagree.extend(tally.disagree);
        }
    }
    assert_eq!(total.not_judged, NOT_JUDGED_BY_THE_JSON_SCHEMA.len(), "a listed file was not found");
    assert!(total.agree > 500, "expected several hundred spec test BOMs, found {}", total.agree);
    assert!(
        total.disagree.is_empty(),
        "{} of the spec's test BOMs misjudged:\n{}",
        total.disagree.len(),
        total.disagree.join("\n")
    );
}
