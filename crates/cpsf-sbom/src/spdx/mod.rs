//! SPDX 2.2/2.3 (JSON, YAML, tag-value) and SPDX 3.0 JSON-LD.

pub mod json;
pub mod tagvalue;
pub mod v3;

pub(crate) mod identifiers;
pub(crate) mod license;
