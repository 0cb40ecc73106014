//! Exporting catalogs to other tools' formats. [`oscal`] writes an OSCAL 1.1.2 catalog and holds the OSCAL
//! vocabulary other crates share (the cpsf property namespace, deterministic UUIDs, OSCAL tokens for entry ids,
//! timestamps), so that an assessment exported as OSCAL assessment results names the same control ids as the
//! exported catalog.

pub mod oscal;
