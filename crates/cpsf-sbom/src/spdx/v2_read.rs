//! An SPDX 2.x document in the JSON shape (as read from JSON, or converted from YAML or tag-value) read into
//! the neutral inventory.
//!
//! - Packages become components: `bom_ref` is the canonical purl of the first valid `PACKAGE-MANAGER purl`
//!   external reference (name, group and version then come from the purl, the version from `versionInfo`
//!   when the purl has none), else the package's SPDXID. Files and snippets are not components.
//! - The product, direct/transitive and scope are worked out from what the document describes and the
//!   dependency edges, as for SPDX 3 (`graph.rs`).
//! - Dependency edges come from `DEPENDS_ON`, `DEPENDENCY_OF` and the typed `*_DEPENDENCY_OF` relationships
//!   (reversed; `DEV_`, `BUILD_` and `TEST_` give development scope, `OPTIONAL_` optional and `RUNTIME_`
//!   required scope when they point at the product), `HAS_PREREQUISITE`/`PREREQUISITE_FOR`,
//!   `DYNAMIC_LINK`/`STATIC_LINK`, and `CONTAINS`/`CONTAINED_BY` between packages (a package that contains
//!   another cannot be complete without it; SBOM tools commonly state composition this way). Edges to
//!   files, to other documents or to NONE/NOASSERTION are not dependencies.
//! - Licences: `licenseDeclared` (not the concluded licence) as an expression; a lone `LicenseRef-` whose
//!   extracted text is nothing but its name is that free-text name.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, ComponentKind, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl, Scope};
use serde_json::Value;

use super::identifiers::{self, ActorKind};
use crate::format::DocumentFacts;
use crate::{ReadSbom, SbomError, SbomFormat, SpdxVersion};

/// Which syntax the JSON shape came from; decides the `SbomFormat` and how diagnostics name places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Json,
    Yaml,
    TagValue,
}

/// Which way a dependency relationship points, and the scope it gives when it points at the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DependencyKind {
    /// `A REL B` means A depends on B (true) or B depends on A (false).
    forward: bool,
    scope: Option<Scope>,
}

fn dependency_kind(relationship_type: &str) -> Option<DependencyKind> {
    let (forward, scope) = match relationship_type {
        "DEPENDS_ON" | "HAS_PREREQUISITE" | "DYNAMIC_LINK" | "STATIC_LINK" | "CONTAINS" => (true, None),
        "DEPENDENCY_OF" | "PREREQUISITE_FOR" | "CONTAINED_BY" | "PROVIDED_DEPENDENCY_OF" => (false, None),
        "DEV_DEPENDENCY_OF" | "BUILD_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => (false, Some(Scope::Dev)),
        "OPTIONAL_DEPENDENCY_OF" | "OPTIONAL_COMPONENT_OF" => (false, Some(Scope::Optional)),
        "RUNTIME_DEPENDENCY_OF" => (false, Some(Scope::Required)),
        _ => return None,
    };
    Some(DependencyKind { forward, scope })
}

/// A string field of a JSON object; numbers and booleans (as unquoted YAML gives them) are read as text.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// `NOASSERTION`, `NONE` and empty values say nothing.
fn asserted(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty() && v != "NOASSERTION" && v != "NONE")
}

/// Reads one document; `lines` maps an element's SPDXID to the tag-value line it starts on.
struct Reader<'a> {
    syntax: Syntax,
    lines: &'a BTreeMap<String, u32>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn warn(&mut self, pointer: &str, id: Option<&str>, message: String) {
        let (path, line) = match self.syntax {
            Syntax::TagValue => ("tag-value".to_owned(), id.and_then(|id| self.lines.get(id).copied())),
            Syntax::Json | Syntax::Yaml => (pointer.to_owned(), None),
        };
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::SbomMalformed, path, line, message));
    }

    fn loss(&mut self, pointer: &str, id: &str, message: String) {
        let (path, line) = match self.syntax {
            Syntax::TagValue => ("tag-value".to_owned(), self.lines.get(id).copied()),
            Syntax::Json | Syntax::Yaml => (pointer.to_owned(), None),
        };
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::ConversionLoss, path, line, message));
    }

    /// One package as a component (without edges); `None` (and a diagnostic) when it has no SPDXID or name.
    fn package(
        &mut self,
        index: usize,
        package: &Value,
        free_text: &BTreeMap<String, String>,
    ) -> Option<(String, Component)> {
        let pointer = format!("/packages/{index}");
        let Some(id) = asserted(text(package, "SPDXID")) else {
            self.warn(&pointer, None, "a package without an `SPDXID` was skipped".into());
            return None;
        };
        let Some(name) = asserted(text(package, "name")) else {
            self.warn(&pointer, Some(&id), format!("package `{id}` has no name; it was skipped"));
            return None;
        };
        let version = asserted(text(package, "versionInfo"));
        let mut purl: Option<Purl> = None;
        for (i, r) in array(package, "externalRefs").iter().enumerate() {
            let category = text(r, "referenceCategory").unwrap_or_default().replace('_', "-");
            let is_purl = category == "PACKAGE-MANAGER" && text(r, "referenceType").as_deref() == Some("purl");
            if !is_purl || purl.is_some() {
                continue;
            }
            let locator = text(r, "referenceLocator").unwrap_or_default();
            match locator.trim().parse::<Purl>() {
                Ok(p) => purl = Some(p),
                Err(e) => self.warn(
                    &format!("{pointer}/externalRefs/{i}"),
                    Some(&id),
                    format!("package `{id}`: purl `{locator}` is not valid ({e}); it was ignored"),
                ),
            }
        }
        let mut c = match purl {
            Some(p) => {
                let mut c = Component::from_purl(p);
                if c.version.is_none() {
                    c.version = version;
                }
                c
            }
            None => Component { bom_ref: id.clone(), name, version, ..Component::default() },
        };
        c.kind = text(package, "primaryPackagePurpose")
            .and_then(|p| super::kind_of_purpose(&p))
            .unwrap_or(ComponentKind::Library);
        c.supplier = text(package, "supplier").and_then(|s| identifiers::parse_actor(&s)).map(|(_, party)| party);
        c.author = text(package, "originator").and_then(|s| identifiers::parse_actor(&s)).map(|(_, p)| match p.email {
            Some(email) => format!("{} ({email})", p.name),
            None => p.name,
        });
        c.download_location = asserted(text(package, "downloadLocation"));
        c.description = asserted(text(package, "description")).or_else(|| asserted(text(package, "summary")));
        for (i, checksum) in array(package, "checksums").iter().enumerate() {
            let algorithm = text(checksum, "algorithm").unwrap_or_default();
            let value = text(checksum, "checksumValue").unwrap_or_default();
            match HashAlgorithm::parse(&algorithm).and_then(|a| Hash::hex(a, &value)) {
                Some(h) if !c.hashes.contains(&h) => c.hashes.push(h),
                Some(_) => {}
                None if HashAlgorithm::parse(&algorithm).is_none() => self.loss(
                    &format!("{pointer}/checksums/{i}"),
                    &id,
                    format!("package `{id}`: {algorithm} checksums are not kept"),
                ),
                None => self.warn(
                    &format!("{pointer}/checksums/{i}"),
                    Some(&id),
                    format!("package `{id}`: `{value}` is not a {algorithm} digest; it was ignored"),
                ),
            }
        }
        if let Some(declared) = asserted(text(package, "licenseDeclared")) {
            let license = free_text.get(&declared).cloned().unwrap_or(declared);
            c.licenses.push(license);
        }
        if let Some(comment) = text(package, "comment") {
            let note = super::parse_component_note(&comment);
            c.locations = note.locations;
            c.direct = note.direct;
            c.scope = note.scope;
        }
        Some((id, c))
    }
}

/// The SPDX version of a document; 2.0 and 2.1 are read as 2.2 (the oldest cpsf names).
fn spdx_version(value: &Value) -> Result<(SpdxVersion, String), SbomError> {
    let Some(v) = text(value, "spdxVersion") else {
        return Err(SbomError::Malformed { line: None, message: "expected `spdxVersion` (e.g. `SPDX-2.3`)".into() });
    };
    let version = match v.trim() {
        "SPDX-2.3" => SpdxVersion::V2_3,
        "SPDX-2.0" | "SPDX-2.1" | "SPDX-2.2" => SpdxVersion::V2_2,
        other if other.starts_with("SPDX-3") => {
            return Err(SbomError::Unsupported(format!(
                "`spdxVersion: {other}`: SPDX 3 documents are JSON-LD (`@context`, `@graph`)"
            )));
        }
        other => {
            return Err(SbomError::Malformed {
                line: None,
                message: format!("`spdxVersion` is `{other}`, expected `SPDX-2.0` to `SPDX-2.3`"),
            });
        }
    };
    Ok((version, v.trim().to_owned()))
}

/// Read an SPDX 2 document in the JSON shape. `lines` maps SPDXIDs to tag-value lines (empty otherwise).
pub(crate) fn read(value: Value, syntax: Syntax, lines: &BTreeMap<String, u32>) -> Result<ReadSbom, SbomError> {
    if !value.is_object() {
        return Err(SbomError::Malformed { line: None, message: "expected an SPDX document object".into() });
    }
    let (version, spec_version) = spdx_version(&value)?;
    let format = match syntax {
        Syntax::Json => SbomFormat::SpdxJson(version),
        Syntax::Yaml => SbomFormat::SpdxYaml(version),
        Syntax::TagValue => SbomFormat::SpdxTagValue(version),
    };
    let mut reader = Reader { syntax, lines, diagnostics: Vec::new() };
    let document_id = text(&value, "SPDXID").unwrap_or_else(|| super::v2_write::DOCUMENT_ID.into());

    // Free-text licences: a `LicenseRef-` whose extracted text is exactly its name.
    let mut free_text: BTreeMap<String, String> = BTreeMap::new();
    for info in array(&value, "hasExtractedLicensingInfos") {
        if let (Some(id), Some(name), Some(extracted)) =
            (text(info, "licenseId"), asserted(text(info, "name")), text(info, "extractedText"))
            && extracted.trim() == name
        {
            free_text.insert(id, name);
        }
    }

    // Packages, by SPDXID, in document order.
    let mut packages: Vec<(String, Component)> = Vec::new();
    let mut package_ids: BTreeSet<String> = BTreeSet::new();
    for (i, p) in array(&value, "packages").iter().enumerate() {
        if let Some((id, c)) = reader.package(i, p, &free_text) {
            if !package_ids.insert(id.clone()) {
                reader.warn(&format!("/packages/{i}"), Some(&id), format!("SPDXID `{id}` is used twice"));
            }
            packages.push((id, c));
        }
    }
    let mut element_ids: Vec<String> = packages.iter().map(|(id, _)| id.clone()).collect();
    element_ids.extend(array(&value, "files").iter().filter_map(|e| text(e, "SPDXID")));

    // Relationships, plus the JSON forms of DESCRIBES (`documentDescribes`) and CONTAINS (`hasFiles`).
    let mut related: BTreeSet<String> = BTreeSet::new();
    let mut describes: Vec<String> = Vec::new();
    for id in array(&value, "documentDescribes").iter().filter_map(Value::as_str) {
        if !describes.iter().any(|d| d == id) {
            describes.push(id.to_owned());
        }
        related.insert(id.to_owned());
    }
    // Distinct (dependent, dependency) pairs: `A DEPENDS_ON B` and `B DEV_DEPENDENCY_OF A` are one edge, and a
    // package's `hasFiles` entry is the same statement as `CONTAINS`.
    let mut dependency_pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for p in array(&value, "packages") {
        let files: Vec<String> = array(p, "hasFiles").iter().filter_map(Value::as_str).map(str::to_owned).collect();
        if !files.is_empty()
            && let Some(id) = text(p, "SPDXID")
        {
            related.insert(id.clone());
            for file in files {
                dependency_pairs.insert((id.clone(), file.clone()));
                related.insert(file);
            }
        }
    }
    // (dependent, dependency, scope hint)
    let mut edges: Vec<(String, String, Option<Scope>)> = Vec::new();
    for (i, r) in array(&value, "relationships").iter().enumerate() {
        let (Some(from), Some(ty), Some(to)) =
            (text(r, "spdxElementId"), text(r, "relationshipType"), text(r, "relatedSpdxElement"))
        else {
            reader.warn(
                &format!("/relationships/{i}"),
                None,
                "a relationship needs `spdxElementId`, `relationshipType` and `relatedSpdxElement`; it was skipped"
                    .into(),
            );
            continue;
        };
        let ty = ty.trim().to_ascii_uppercase().replace('-', "_");
        related.insert(from.clone());
        related.insert(to.clone());
        if ty == "DESCRIBES" && from == document_id {
            if !describes.contains(&to) {
                describes.push(to);
            }
            continue;
        }
        if ty == "DESCRIBED_BY" && to == document_id {
            if !describes.contains(&from) {
                describes.push(from);
            }
            continue;
        }
        if let Some(kind) = dependency_kind(&ty) {
            let (dependent, dependency) = if kind.forward { (from, to) } else { (to, from) };
            let says_nothing = |id: &str| id == document_id || id == "NONE" || id == "NOASSERTION";
            if !says_nothing(&dependent) && !says_nothing(&dependency) {
                dependency_pairs.insert((dependent.clone(), dependency.clone()));
            }
            if package_ids.contains(&dependent) && package_ids.contains(&dependency) && dependent != dependency {
                edges.push((dependent, dependency, kind.scope));
            }
        }
    }
    let relationship_count = dependency_pairs.len();
    let unrelated: Vec<String> = element_ids.iter().filter(|id| !related.contains(*id)).cloned().collect();

    let (mut inventory, root) = super::graph::assemble(packages, edges, &describes);

    // Document metadata.
    let creation = value.get("creationInfo").cloned().unwrap_or(Value::Null);
    inventory.metadata.timestamp = asserted(text(&creation, "created"));
    for creator in array(&creation, "creators").iter().filter_map(Value::as_str) {
        let Some(label_rest) = creator.split_once(':') else { continue };
        if label_rest.0.trim().eq_ignore_ascii_case("Tool") {
            let tool = label_rest.1.trim();
            if !tool.is_empty() {
                inventory.metadata.tools.push(identifiers::parse_tool(tool));
            }
        } else if let Some((kind, party)) = identifiers::parse_actor(creator)
            && kind != ActorKind::Tool
            && !inventory.metadata.authors.contains(&party)
        {
            inventory.metadata.authors.push(party);
        }
    }
    inventory.metadata.serial_number = asserted(text(&value, "documentNamespace"));
    inventory.metadata.supplier = root.as_ref().and_then(|r| r.supplier.clone());
    inventory.metadata.component = root;
    if let Some(comment) = text(&value, "comment") {
        let (sources, skipped) = super::parse_document_note(&comment);
        inventory.sources = sources;
        inventory.skipped = skipped;
    }
    inventory.diagnostics = reader.diagnostics;

    Ok(ReadSbom {
        format,
        inventory,
        json: Some(value),
        facts: DocumentFacts { relationship_count, describes, unrelated, spec_version },
    })
}
