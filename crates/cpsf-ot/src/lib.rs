//! Factory systems and IoT as data: the asset inventory, the Factory Systems Guidelines' model (operations,
//! assets, zones, conduits, damage scenarios, measure plans), checks of observed flows against conduits, IoT-SSF
//! categories, and CSAF 2.0 advisories matched to devices.
//!
//! [`asset`] holds assets with per-fact provenance and the inventory merge, [`tabular`] reads and writes
//! them as CSV and XLSX, [`model`] is the plant file (`cpsf-plant/1`), [`conduit`] checks observed flows
//! against it, [`discovered`] turns what a capture showed into candidate assets, [`iotssf`] categorises
//! devices, [`csaf`] reads advisories and matches them to assets, and [`hbom`] writes the inventory as a
//! CycloneDX hardware BOM.

pub mod asset;
pub mod conduit;
pub mod cpe;
pub mod csaf;
pub mod discovered;
pub mod hbom;
pub mod identity;
pub mod iotssf;
pub mod model;
pub mod tabular;
pub mod text;

pub use asset::{
    Asset, AssetField, AssetKind, Day, Importance, Inventory, MergeReport, MergeRules, Source, SourceKind,
};
pub use identity::DeviceIdentity;
