//! VEX: statements read from OpenVEX, CycloneDX VEX and CSAF 2.0 VEX documents, applied to findings; OpenVEX and CycloneDX VEX written from findings.

/// The status a VEX statement gives a vulnerability in a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

/// One statement: these vulnerability ids, in these products, have this status.
#[derive(Debug, Clone, PartialEq)]
pub struct VexStatement {
    /// The vulnerability id and any aliases the document gives for it.
    pub vulnerabilities: Vec<String>,
    /// Products as purls (a version-less purl covers every version) or CycloneDX bom-refs.
    pub products: Vec<String>,
    pub status: VexStatus,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    /// The document this statement came from (file name), for reports.
    pub source: String,
}
