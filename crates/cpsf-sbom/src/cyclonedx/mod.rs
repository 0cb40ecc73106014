//! CycloneDX 1.4–1.7 in JSON and XML: the property names cpsf uses for what CycloneDX has no field for, and
//! the checks of JSON schema formats that the writers apply before putting a value in a document.

mod document;
pub mod json;
pub mod xml;

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::{Value, json};

/// `direct` or `transitive`: how the project depends on a component, when the lockfile says.
pub const PROPERTY_DEPENDENCY: &str = "cpsf:dependency";
/// Where a component was found (`path` or `path:line`), for versions before 1.6 (which have no
/// `evidence.occurrences[].line`).
pub const PROPERTY_LOCATION: &str = "cpsf:location";
/// A lockfile that was read (document metadata).
pub const PROPERTY_SOURCE: &str = "cpsf:source";
/// A file that was found but not used: `path: reason` (document metadata).
pub const PROPERTY_SKIPPED: &str = "cpsf:skipped";

/// The XML namespace of a spec version.
pub fn namespace(version: crate::CycloneDxVersion) -> String {
    format!("http://cyclonedx.org/schema/bom/{}", version.as_str())
}

/// The JSON schema `format`s the CycloneDX schemas assert on values cpsf writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    DateTime,
    IriReference,
    IdnEmail,
}

fn format_validator(format: &str) -> Option<Validator> {
    jsonschema::options().should_validate_formats(true).build(&json!({ "type": "string", "format": format })).ok()
}

static DATE_TIME: LazyLock<Option<Validator>> = LazyLock::new(|| format_validator("date-time"));
static IRI_REFERENCE: LazyLock<Option<Validator>> = LazyLock::new(|| format_validator("iri-reference"));
static IDN_EMAIL: LazyLock<Option<Validator>> = LazyLock::new(|| format_validator("idn-email"));

/// Whether `value` satisfies `format` exactly as schema validation will judge it.
pub(crate) fn satisfies(format: Format, value: &str) -> bool {
    let validator = match format {
        Format::DateTime => &*DATE_TIME,
        Format::IriReference => &*IRI_REFERENCE,
        Format::IdnEmail => &*IDN_EMAIL,
    };
    validator.as_ref().is_some_and(|v| v.is_valid(&Value::String(value.to_owned())))
}

/// The serial number pattern of every CycloneDX version: `urn:uuid:` and a lower-case RFC 4122 UUID.
pub(crate) fn is_serial_number(value: &str) -> bool {
    let Some(uuid) = value.strip_prefix("urn:uuid:") else { return false };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_schema() {
        assert!(satisfies(Format::DateTime, "2024-01-02T03:04:05Z"));
        assert!(!satisfies(Format::DateTime, "2024-01-02"));
        assert!(satisfies(Format::IriReference, "https://registry.npmjs.org/a/-/a-1.0.0.tgz"));
        assert!(!satisfies(Format::IriReference, "https://exa mple.com/"));
        assert!(satisfies(Format::IdnEmail, "a@example.com"));
        assert!(is_serial_number("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_serial_number("urn:uuid:3E671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_serial_number("https://spdx.org/spdxdocs/x"));
    }
}
