//! Domain nouns shared by every cpsf crate: package URLs, components, inventories and warnings. No IO.

pub mod component;
pub mod hash;
pub mod inventory;
pub mod purl;
pub mod warning;

pub use component::{Component, ComponentKind, Location, Party, Scope};
pub use hash::{Hash, HashAlgorithm};
pub use inventory::{Inventory, Metadata, SkippedFile, Tool};
pub use purl::{Purl, PurlError};
pub use warning::{Diagnostic, DiagnosticCode};
