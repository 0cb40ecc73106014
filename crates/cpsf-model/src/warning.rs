//! Diagnostics: survivable problems found while reading input, with stable kebab-case codes.

use serde::{Deserialize, Serialize};

/// Stable diagnostic codes. Each has a one-line description; codes never change meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    LockfileMalformed,
    LockfileUnsupported,
    LockfileTooLarge,
    LockfileEntrySkipped,
    FileUnreadable,
    IncludeMissing,
    UnpinnedRequirement,
    SchemaInvalid,
    SbomMalformed,
    ConversionLoss,
}

impl DiagnosticCode {
    pub const ALL: &'static [DiagnosticCode] = &[
        Self::LockfileMalformed,
        Self::LockfileUnsupported,
        Self::LockfileTooLarge,
        Self::LockfileEntrySkipped,
        Self::FileUnreadable,
        Self::IncludeMissing,
        Self::UnpinnedRequirement,
        Self::SchemaInvalid,
        Self::SbomMalformed,
        Self::ConversionLoss,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LockfileMalformed => "lockfile-malformed",
            Self::LockfileUnsupported => "lockfile-unsupported",
            Self::LockfileTooLarge => "lockfile-too-large",
            Self::LockfileEntrySkipped => "lockfile-entry-skipped",
            Self::FileUnreadable => "file-unreadable",
            Self::IncludeMissing => "include-missing",
            Self::UnpinnedRequirement => "unpinned-requirement",
            Self::SchemaInvalid => "schema-invalid",
            Self::SbomMalformed => "sbom-malformed",
            Self::ConversionLoss => "conversion-loss",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::LockfileMalformed => "a lockfile could not be parsed; it was skipped",
            Self::LockfileUnsupported => "a lockfile's format or version is not supported; it was skipped",
            Self::LockfileTooLarge => "a file is larger than the configured limit; it was skipped",
            Self::LockfileEntrySkipped => "one entry of a lockfile could not be read; the rest was kept",
            Self::FileUnreadable => "a file could not be read from disk",
            Self::IncludeMissing => "a file included by another (-r, -c, parent POM) was not found",
            Self::UnpinnedRequirement => "a requirement has no exact version and is reported without one",
            Self::SchemaInvalid => "a document does not validate against its official schema",
            Self::SbomMalformed => "an SBOM could not be parsed",
            Self::ConversionLoss => "information that the target format cannot carry was dropped",
        }
    }
}

impl std::fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A warning about one file (and line, when known).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(code: DiagnosticCode, path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Self { code, path: path.into(), line, message: message.into() }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {} [{}]", self.path, line, self.message, self.code),
            None => write!(f, "{}: {} [{}]", self.path, self.message, self.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in DiagnosticCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert!(!c.description().is_empty());
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }
}
