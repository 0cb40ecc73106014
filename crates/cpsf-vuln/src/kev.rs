//! TEMP stub (replaced by the severity branch).
use crate::finding::Kev;
pub struct KevCatalog {
    pub catalog_version: String,
    pub date_released: String,
    pub entries: Vec<Kev>,
    pub warnings: Vec<String>,
}
pub fn parse_kev(_bytes: &[u8], file: &str) -> Result<KevCatalog, String> {
    Err(format!("{file}: stub"))
}
