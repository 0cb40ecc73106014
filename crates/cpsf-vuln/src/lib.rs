//! Vulnerability management: advisories in (OSV, KEV, EPSS), a local advisory database, range evaluation and matching against an inventory, severity, VEX, and finding reports out.

pub mod epss;
pub mod finding;
pub mod kev;
pub mod severity;
pub mod vex;

pub use finding::{
    AdvisoryMatch, AffectedComponent, Confidence, Epss, Finding, Kev, Rating, Score, ScoreMethod,
    Suppression,
};
