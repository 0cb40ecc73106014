//! CycloneDX 1.4–1.7 in JSON and XML.

pub mod json;
pub mod xml;
