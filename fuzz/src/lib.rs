//! Shared bodies of the fuzz targets: feed arbitrary bytes to one parser and check the output's invariants.

use cpsf_inventory::lockfile::{LockfileInput, LockfileKind, MemorySource, parse_lockfile};

/// Parse `data` as the lockfile at `path` (its kind comes from the name), in a tree that also holds a few
/// files the parsers look for beside it, each with the same bytes.
pub fn lockfile(path: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(kind) = LockfileKind::detect(path) else { return };
    let source = MemorySource::default()
        .with(path, text)
        .with("go.sum", text)
        .with("other.txt", text)
        .with("../pom.xml", text)
        .with("package.json", text)
        .with("composer.json", text);
    let input = LockfileInput { path, text, source: &source };
    if let Ok(parsed) = parse_lockfile(kind, &input) {
        for c in &parsed.components {
            assert!(!c.bom_ref.is_empty(), "every component has a bom-ref");
        }
    }
}

/// Read `data` as an SBOM of any format; when that works, write it back in every format.
pub fn sbom_read(data: &[u8]) {
    if let Ok(read) = cpsf_sbom::read(data, "fuzz") {
        let _ = cpsf_sbom::schema::validate(&read);
        for format in [
            cpsf_sbom::SbomFormat::CycloneDxJson(cpsf_sbom::CycloneDxVersion::V1_6),
            cpsf_sbom::SbomFormat::CycloneDxXml(cpsf_sbom::CycloneDxVersion::V1_6),
            cpsf_sbom::SbomFormat::SpdxJson(cpsf_sbom::SpdxVersion::V2_3),
            cpsf_sbom::SbomFormat::SpdxTagValue(cpsf_sbom::SpdxVersion::V2_3),
            cpsf_sbom::SbomFormat::Spdx3JsonLd,
        ] {
            let _ = cpsf_sbom::write(&read.inventory, format);
        }
    }
}

/// Parse `data` as a purl; a parsed purl must survive a round trip through its canonical form.
pub fn purl_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(purl) = text.parse::<cpsf_model::Purl>() {
        let canonical = purl.to_string();
        let again: cpsf_model::Purl = match canonical.parse() {
            Ok(p) => p,
            Err(e) => panic!("canonical form `{canonical}` does not parse: {e}"),
        };
        assert_eq!(again.to_string(), canonical, "canonical form is stable");
    }
}
