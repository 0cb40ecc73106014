//! SBOM documents: CycloneDX (1.4–1.7, JSON and XML) and SPDX (2.2/2.3 JSON, tag-value, YAML; 3.0 JSON-LD).
//! Writers turn an [`Inventory`] into a document, readers turn a document back into one; schema validation,
//! quality scoring, merge and diff work on these. No IO: callers pass bytes and get strings.

pub mod cyclonedx;
pub mod diff;
pub mod format;
pub mod merge;
pub mod quality;
pub mod schema;
pub mod spdx;

pub use format::{CycloneDxVersion, ReadSbom, SbomError, SbomFormat, SpdxVersion, read, write, write_checked};

pub use cpsf_model::Inventory;
