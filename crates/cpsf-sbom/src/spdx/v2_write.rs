//! An inventory as an SPDX 2.2/2.3 document in the JSON shape, which the JSON, YAML and tag-value writers
//! serialize.
//!
//! What goes where:
//! - the described product (`metadata.component`) is a package the document DESCRIBES; without one, the
//!   document DESCRIBES the direct dependencies instead (no product package is made up);
//! - every component is a package with `filesAnalyzed: false`; supplier, download location and declared
//!   licence are `NOASSERTION` where the inventory does not know them; concluded licence and copyright text are
//!   always `NOASSERTION` (cpsf concludes nothing and reads no copyright notices);
//! - dependency edges are `DEPENDS_ON`. The product's edge to a development dependency is also stated as
//!   `DEV_DEPENDENCY_OF` (reversed), to an optional one as `OPTIONAL_DEPENDENCY_OF`: the typed relationship
//!   tells consumers that understand it the scope, and the `DEPENDS_ON` keeps the component in the graph for
//!   those that only follow `DEPENDS_ON`/`CONTAINS` from the described package (the NTIA conformance checker
//!   reports the typed-only ones as disconnected and does not check them). Edges between components carry no
//!   scope: a component's scope is relative to the product (a development dependency's own dependencies are
//!   ordinary dependencies of it);
//! - where a component was found, direct/transitive and its scope are lines of the package comment.

use std::collections::BTreeMap;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, HashAlgorithm, Inventory, Party};
use serde_json::{Map, Value, json};

use super::identifiers::{self, ActorKind, IdAllocator};
use super::license::LicenseRefs;
use crate::SpdxVersion;

/// The SPDX identifier of the document.
pub(crate) const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// `Organization: X` or `Person: X` for a party whose kind the model does not record.
pub(crate) fn party_actor(party: &Party) -> String {
    let kind =
        if identifiers::looks_like_organization(&party.name) { ActorKind::Organization } else { ActorKind::Person };
    identifiers::actor(kind, party)
}

/// A free-text author (`Jane Doe (jane@example.com)` or `Jane Doe`) as a party.
pub(crate) fn author_party(author: &str) -> Party {
    let author = author.trim();
    match (author.rfind('('), author.ends_with(')')) {
        (Some(open), true) => {
            let email = author.get(open + 1..author.len() - 1).unwrap_or("").trim();
            Party {
                name: author.get(..open).unwrap_or(author).trim().to_owned(),
                email: (!email.is_empty()).then(|| email.to_owned()),
                url: None,
            }
        }
        _ => Party::named(author),
    }
}

/// Creators: the authors, then the tools, with cpsf itself always among the tools (it wrote the document).
pub(crate) fn creators(inventory: &Inventory) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for author in &inventory.metadata.authors {
        push(party_actor(author));
    }
    for tool in &inventory.metadata.tools {
        push(identifiers::tool_actor(tool));
    }
    if !inventory.metadata.tools.iter().any(|t| t.name == "cpsf") {
        push(format!("Tool: cpsf-{}", super::CPSF_VERSION));
    }
    out
}

/// The document name: the product's name, or `sbom` when the inventory names no product.
pub(crate) fn document_name(inventory: &Inventory) -> String {
    match &inventory.metadata.component {
        Some(root) if !root.name.trim().is_empty() => match &root.version {
            Some(v) => format!("{}-{v}", super::display_name(root)),
            None => super::display_name(root),
        },
        _ => "sbom".into(),
    }
}

fn loss(message: String) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::ConversionLoss, "", None, message)
}

/// Checksum algorithms SPDX 2.2 has (2.3 added SHA3 and BLAKE).
fn in_spdx_2_2(algorithm: HashAlgorithm) -> bool {
    matches!(
        algorithm,
        HashAlgorithm::Md5
            | HashAlgorithm::Sha1
            | HashAlgorithm::Sha256
            | HashAlgorithm::Sha384
            | HashAlgorithm::Sha512
    )
}

struct Builder {
    version: SpdxVersion,
    licenses: LicenseRefs,
    losses: Vec<Diagnostic>,
}

impl Builder {
    fn package(&mut self, component: &Component, id: &str, is_root: bool) -> Value {
        let mut p = Map::new();
        p.insert("SPDXID".into(), json!(id));
        p.insert("name".into(), json!(super::display_name(component)));
        if let Some(v) = &component.version {
            p.insert("versionInfo".into(), json!(v));
        }
        let supplier = component.supplier.as_ref().map(party_actor).unwrap_or_else(|| "NOASSERTION".into());
        p.insert("supplier".into(), json!(supplier));
        if let Some(author) = component.author.as_deref().filter(|a| !a.trim().is_empty()) {
            p.insert("originator".into(), json!(party_actor(&author_party(author))));
        }
        let mut source_info = None;
        let download = match component.download_location.as_deref() {
            Some(url) if super::is_download_location(url) => url.to_owned(),
            Some(other) => {
                source_info = Some(format!("recorded location (not a download location): {other}"));
                "NOASSERTION".to_owned()
            }
            None => "NOASSERTION".to_owned(),
        };
        p.insert("downloadLocation".into(), json!(download));
        p.insert("filesAnalyzed".into(), json!(false));
        let mut checksums: Vec<Value> = Vec::new();
        for h in &component.hashes {
            if self.version == SpdxVersion::V2_2 && !in_spdx_2_2(h.algorithm) {
                self.losses.push(loss(format!(
                    "{}: SPDX 2.2 has no {} checksum; it was dropped",
                    component.bom_ref,
                    h.algorithm.as_spdx()
                )));
                continue;
            }
            let c = json!({"algorithm": h.algorithm.as_spdx(), "checksumValue": h.value});
            if !checksums.contains(&c) {
                checksums.push(c);
            }
        }
        if !checksums.is_empty() {
            p.insert("checksums".into(), Value::Array(checksums));
        }
        if let Some(info) = source_info {
            p.insert("sourceInfo".into(), json!(info));
        }
        p.insert("licenseConcluded".into(), json!("NOASSERTION"));
        p.insert("licenseDeclared".into(), json!(self.licenses.declared(&component.licenses)));
        p.insert("copyrightText".into(), json!("NOASSERTION"));
        if let Some(d) = component.description.as_deref().filter(|d| !d.trim().is_empty()) {
            p.insert("description".into(), json!(d));
        }
        if !is_root && let Some(note) = super::component_note(component) {
            p.insert("comment".into(), json!(note));
        }
        if let Some(purl) = &component.purl {
            p.insert(
                "externalRefs".into(),
                json!([{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": purl.to_string(),
                }]),
            );
        }
        if self.version == SpdxVersion::V2_3 {
            p.insert("primaryPackagePurpose".into(), json!(super::purpose_of(component.kind)));
        }
        Value::Object(p)
    }
}

fn relationship(from: &str, ty: &str, to: &str) -> Value {
    json!({"spdxElementId": from, "relationshipType": ty, "relatedSpdxElement": to})
}

/// Build the SPDX 2 document (JSON shape) of an inventory, with warnings about what it cannot carry.
pub(crate) fn build(inventory: &Inventory, version: SpdxVersion) -> (Value, Vec<Diagnostic>) {
    let name = document_name(inventory);
    let namespace = identifiers::document_namespace(inventory, &name);
    let (created, created_ok) = identifiers::spdx_created(inventory.metadata.timestamp.as_deref());
    let mut losses = Vec::new();
    if let Some(t) = &inventory.metadata.timestamp
        && !created_ok
    {
        losses.push(loss(format!("timestamp `{t}` is not an RFC 3339 date-time; the current time was written")));
    }

    // Identifiers: the product first, then the components in `bom_ref` order, so they are stable.
    let mut allocator = IdAllocator::default();
    let root = inventory.metadata.component.as_ref();
    let root_id = root.map(|r| allocator.allocate("SPDXRef-Root-", &super::id_seed(r)));
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for c in &inventory.components {
        ids.insert(c.bom_ref.clone(), allocator.allocate("SPDXRef-Package-", &super::id_seed(c)));
    }

    let mut builder = Builder { version, licenses: LicenseRefs::default(), losses };
    let mut packages = Vec::new();
    if let (Some(root), Some(root_id)) = (root, &root_id) {
        let mut product = root.clone();
        if product.supplier.is_none() {
            product.supplier = inventory.metadata.supplier.clone();
        }
        packages.push(builder.package(&product, root_id, true));
    }
    for c in &inventory.components {
        if let Some(id) = ids.get(&c.bom_ref) {
            packages.push(builder.package(c, id, false));
        }
    }

    let id_of = |bom_ref: &str| ids.get(bom_ref).map(String::as_str);
    let mut relationships = Vec::new();
    let direct: Vec<String> = inventory.direct_refs();
    match &root_id {
        Some(root_id) => {
            relationships.push(relationship(DOCUMENT_ID, "DESCRIBES", root_id));
            for bom_ref in &direct {
                let (Some(id), Some(c)) = (id_of(bom_ref), inventory.component(bom_ref)) else {
                    builder
                        .losses
                        .push(loss(format!("the product's dependency `{bom_ref}` is not a component; dropped")));
                    continue;
                };
                relationships.push(relationship(root_id, "DEPENDS_ON", id));
                match c.scope {
                    Some(cpsf_model::Scope::Dev) => relationships.push(relationship(id, "DEV_DEPENDENCY_OF", root_id)),
                    Some(cpsf_model::Scope::Optional) => {
                        relationships.push(relationship(id, "OPTIONAL_DEPENDENCY_OF", root_id));
                    }
                    _ => {}
                }
            }
        }
        None => {
            for bom_ref in &direct {
                if let Some(id) = id_of(bom_ref) {
                    relationships.push(relationship(DOCUMENT_ID, "DESCRIBES", id));
                }
            }
        }
    }
    for c in &inventory.components {
        let Some(from) = id_of(&c.bom_ref) else { continue };
        for dep in &c.dependencies {
            match id_of(dep) {
                Some(to) if dep != &c.bom_ref => relationships.push(relationship(from, "DEPENDS_ON", to)),
                Some(_) => {}
                None => builder
                    .losses
                    .push(loss(format!("{}: dependency `{dep}` is not a component; the edge was dropped", c.bom_ref))),
            }
        }
    }

    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!(version.as_str()));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!(DOCUMENT_ID));
    doc.insert("name".into(), json!(name));
    doc.insert("documentNamespace".into(), json!(namespace));
    doc.insert(
        "creationInfo".into(),
        json!({
            "created": created,
            "creators": creators(inventory),
            "licenseListVersion": super::LICENSE_LIST_VERSION,
        }),
    );
    if let Some(note) = super::document_note(&inventory.sources, &inventory.skipped) {
        doc.insert("comment".into(), json!(note));
    }
    doc.insert("packages".into(), Value::Array(packages));
    let extracted: Vec<Value> = builder
        .licenses
        .extracted()
        .into_iter()
        .map(|e| match e.name {
            Some(name) => json!({
                "licenseId": e.id,
                "name": name,
                "extractedText": name,
                "comment": "The licence as the package metadata names it; cpsf did not see the licence text.",
            }),
            None => json!({
                "licenseId": e.id,
                "extractedText": "NOASSERTION",
                "comment": "An identifier the input used; the licence text was not available to cpsf.",
            }),
        })
        .collect();
    if !extracted.is_empty() {
        doc.insert("hasExtractedLicensingInfos".into(), Value::Array(extracted));
    }
    doc.insert("relationships".into(), Value::Array(relationships));
    (Value::Object(doc), builder.losses)
}
