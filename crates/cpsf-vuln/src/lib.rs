//! Vulnerability management: advisories in (OSV, KEV, EPSS), a local advisory database, range evaluation and matching against an inventory, severity, VEX, and finding reports out.

pub mod download;
pub mod epss;
pub mod finding;
pub mod import;
pub mod kev;
pub mod matcher;
pub mod osv;
pub mod range;
pub mod report;
pub mod severity;
pub mod store;
pub mod vex;

pub use finding::{
    AdvisoryMatch, AffectedComponent, Confidence, Epss, Finding, Kev, Rating, Score, ScoreMethod, Suppression,
};
