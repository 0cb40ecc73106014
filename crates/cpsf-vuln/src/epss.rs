//! TEMP stub (replaced by the severity branch).
use crate::finding::Epss;
pub struct EpssFile {
    pub model_version: Option<String>,
    pub score_date: Option<String>,
    pub scores: Vec<Epss>,
    pub warnings: Vec<String>,
}
pub fn parse_epss(_text: &str, file: &str) -> Result<EpssFile, String> {
    Err(format!("{file}: stub"))
}
