//! The report test suite: one 100-entry catalog and assessment built in code (mixed statuses, levels, owners,
//! due dates, evidence, automatic results, an override, snapshots), rendered as HTML, PDF and JSON in Japanese
//! and English.

mod fixture;
mod html;
mod json;
mod pdf;
