//! The catalogs cpsf ships, embedded from `catalogs/*.yaml` at build time and parsed once.

use std::sync::OnceLock;

use crate::model::Catalog;

/// (file name, text) of every shipped catalog.
pub const FILES: &[(&str, &str)] = &[
    ("meti-cmg-3.0.yaml", include_str!("../../../catalogs/meti-cmg-3.0.yaml")),
    ("meti-cpsf-1.0.yaml", include_str!("../../../catalogs/meti-cpsf-1.0.yaml")),
    ("meti-factory-1.0.yaml", include_str!("../../../catalogs/meti-factory-1.0.yaml")),
    ("meti-iot-ssf-1.0.yaml", include_str!("../../../catalogs/meti-iot-ssf-1.0.yaml")),
    ("meti-sbom-2.0.yaml", include_str!("../../../catalogs/meti-sbom-2.0.yaml")),
    ("meti-oss-2021.yaml", include_str!("../../../catalogs/meti-oss-2021.yaml")),
    ("nist-csf-2.0.yaml", include_str!("../../../catalogs/nist-csf-2.0.yaml")),
];

/// The shipped catalogs. One that fails to parse is left out here; the catalog validation test (and
/// `cpsf catalog validate --builtin`) reports it, so a broken file cannot ship unnoticed.
pub fn all() -> &'static [Catalog] {
    static ALL: OnceLock<Vec<Catalog>> = OnceLock::new();
    ALL.get_or_init(|| FILES.iter().filter_map(|(name, text)| crate::load::parse(name, text).ok()).collect())
}

/// The shipped catalog with `id`.
pub fn get(id: &str) -> Option<&'static Catalog> {
    all().iter().find(|c| c.id == id)
}
