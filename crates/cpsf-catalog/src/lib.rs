//! Security frameworks as data. A [`Catalog`] is one framework (METI's Cybersecurity Management Guidelines,
//! CPSF, the Factory Systems Guidelines, IoT-SSF, the SBOM guidance, the OSS use-case collection, NIST CSF
//! 2.0, or one an organization imports) as a flat list of entries with parents, bilingual text in our own
//! words, mappings, automatic evidence checks and provenance.
//!
//! [`builtin`] holds the shipped catalogs (embedded from `catalogs/`), [`load`] reads files and keeps the set
//! of known catalogs, [`validate`] checks the schema and the structural rules, [`import`] reads OSCAL
//! catalogs, CSV and CISO Assistant libraries, and [`export`] writes OSCAL.

pub mod builtin;
pub mod export;
pub mod import;
pub mod load;
pub mod model;
pub mod validate;

pub use load::{CatalogError, CatalogSet, Origin};
pub use model::{Catalog, Check, Entry, Kind, Lang, Level, Mapping, Provenance, Relationship, Source, Text};
