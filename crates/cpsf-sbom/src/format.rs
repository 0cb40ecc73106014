//! The SBOM formats cpsf reads and writes, detection of a document's format, and the read/write entry points.

use cpsf_model::{Diagnostic, Inventory};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CycloneDxVersion {
    V1_4,
    V1_5,
    V1_6,
    V1_7,
}

impl CycloneDxVersion {
    pub const ALL: &'static [Self] = &[Self::V1_4, Self::V1_5, Self::V1_6, Self::V1_7];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpdxVersion {
    V2_2,
    V2_3,
}

impl SpdxVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_2 => "SPDX-2.2",
            Self::V2_3 => "SPDX-2.3",
        }
    }
}

/// A concrete serialization of an SBOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SbomFormat {
    CycloneDxJson(CycloneDxVersion),
    CycloneDxXml(CycloneDxVersion),
    SpdxJson(SpdxVersion),
    SpdxTagValue(SpdxVersion),
    SpdxYaml(SpdxVersion),
    Spdx3JsonLd,
}

impl std::fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CycloneDxJson(v) => write!(f, "CycloneDX {} JSON", v.as_str()),
            Self::CycloneDxXml(v) => write!(f, "CycloneDX {} XML", v.as_str()),
            Self::SpdxJson(v) => write!(f, "{} JSON", v.as_str()),
            Self::SpdxTagValue(v) => write!(f, "{} tag-value", v.as_str()),
            Self::SpdxYaml(v) => write!(f, "{} YAML", v.as_str()),
            Self::Spdx3JsonLd => f.write_str("SPDX 3.0 JSON-LD"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The bytes are not a document of any format cpsf reads.
    #[error("{0}")]
    UnknownFormat(String),
    /// The document is of a known format but cannot be parsed; `line` is 1-based when known.
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Malformed { line: Option<u32>, message: String },
    #[error("{0}")]
    Unsupported(String),
}

/// A document read into the neutral model, with what is needed to validate and score it.
#[derive(Debug, Clone)]
pub struct ReadSbom {
    pub format: SbomFormat,
    pub inventory: Inventory,
    /// The document as JSON (for JSON formats, as read; for XML, tag-value and YAML, converted to the
    /// JSON shape of the same spec version) so it can be checked against the official JSON schema.
    pub json: Option<serde_json::Value>,
    /// Facts the neutral model has no place for, used by the quality profiles.
    pub facts: DocumentFacts,
}

/// Document facts that the quality profiles need beyond the inventory.
#[derive(Debug, Clone, Default)]
pub struct DocumentFacts {
    /// Number of dependency relationships (CycloneDX `dependencies[].dependsOn` entries, SPDX relationships).
    pub relationship_count: usize,
    /// For SPDX: the package/file ids the document DESCRIBES.
    pub describes: Vec<String>,
    /// Ids of elements that are in no relationship at all (SPDX).
    pub unrelated: Vec<String>,
    /// Spec version string as written in the document (`1.6`, `SPDX-2.3`, `3.0.1`).
    pub spec_version: String,
}

/// Detect the format of `bytes` and read it. `name` is used in messages only.
pub fn read(bytes: &[u8], name: &str) -> Result<ReadSbom, SbomError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| SbomError::Malformed { line: None, message: format!("{name}: expected UTF-8 text: {e}") })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| SbomError::Malformed { line: Some(e.line() as u32), message: format!("invalid JSON: {e}") })?;
        if value.get("bomFormat").is_some() || value.get("specVersion").is_some() {
            return crate::cyclonedx::json::read(value);
        }
        if value.get("spdxVersion").is_some() {
            return crate::spdx::json::read_json(value);
        }
        if value.get("@context").is_some() || value.get("@graph").is_some() {
            return crate::spdx::v3::read(value);
        }
        return Err(SbomError::UnknownFormat(format!(
            "{name}: a JSON document, but neither CycloneDX (`bomFormat`), SPDX 2 (`spdxVersion`) nor SPDX 3 (`@context`)"
        )));
    }
    if trimmed.starts_with('<') {
        if trimmed.contains("cyclonedx.org/schema/bom/") {
            return crate::cyclonedx::xml::read(text);
        }
        return Err(SbomError::UnknownFormat(format!(
            "{name}: an XML document, but not CycloneDX (no `http://cyclonedx.org/schema/bom/1.x` namespace); SPDX RDF/XML is not read"
        )));
    }
    if text.lines().any(|l| l.trim_start().starts_with("SPDXVersion:")) {
        return crate::spdx::tagvalue::read(text);
    }
    if text.lines().any(|l| l.trim_start().starts_with("spdxVersion:")) {
        return crate::spdx::json::read_yaml(text);
    }
    Err(SbomError::UnknownFormat(format!(
        "{name}: not an SBOM cpsf reads (expected CycloneDX JSON/XML, SPDX 2 JSON/tag-value/YAML or SPDX 3 JSON-LD)"
    )))
}

/// Serialize an inventory. Returns the document and warnings about what the format cannot carry.
pub fn write(inventory: &Inventory, format: SbomFormat) -> Result<(String, Vec<Diagnostic>), SbomError> {
    match format {
        SbomFormat::CycloneDxJson(v) => crate::cyclonedx::json::write(inventory, v),
        SbomFormat::CycloneDxXml(v) => crate::cyclonedx::xml::write(inventory, v),
        SbomFormat::SpdxJson(v) => crate::spdx::json::write(inventory, v),
        SbomFormat::SpdxTagValue(v) => crate::spdx::tagvalue::write(inventory, v),
        SbomFormat::SpdxYaml(v) => crate::spdx::json::write_yaml(inventory, v),
        SbomFormat::Spdx3JsonLd => crate::spdx::v3::write(inventory),
    }
}

/// Serialize an inventory and check the document against the official schema of its format. CycloneDX JSON is
/// checked as it is serialized (in parallel); SPDX 2 JSON as written; the other syntaxes are read back first,
/// which also proves cpsf's own reader takes them.
pub fn write_checked(
    inventory: &Inventory,
    format: SbomFormat,
) -> Result<(String, Vec<Diagnostic>, crate::schema::SchemaReport), SbomError> {
    if let SbomFormat::CycloneDxJson(v) = format {
        return crate::cyclonedx::json::write_checked(inventory, v);
    }
    let (text, diagnostics) = write(inventory, format)?;
    let report = match format {
        SbomFormat::SpdxJson(_) => {
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| SbomError::Malformed {
                line: Some(e.line() as u32),
                message: format!("invalid JSON: {e}"),
            })?;
            crate::schema::validate_spdx2(&value)
        }
        _ => crate::schema::validate(&read(text.as_bytes(), "generated document")?),
    };
    Ok((text, diagnostics, report))
}
