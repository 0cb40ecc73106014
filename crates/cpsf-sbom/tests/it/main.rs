//! Integration tests of the SBOM readers, writers, quality checks and conformance, built as one test binary.
//! One binary per crate keeps the build small: every test binary links all of the crate's dependencies.

mod cyclonedx_read;
mod cyclonedx_roundtrip;
mod cyclonedx_spec;
mod diff;
mod merge;
mod ntia_agreement;
mod quality;
mod schema_conformance;
mod spdx_fixtures;
mod spdx_roundtrip;
mod spdx_sbomcheck;
mod spdx_shared_data;
mod spdx_support;
mod spdx_write;
