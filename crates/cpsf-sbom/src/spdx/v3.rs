//! SPDX 3.0 JSON-LD (the 3.0.1 model, compact form with the published context): writer and reader.
//!
//! Written graph: one `CreationInfo` (blank node), the agents (authors and suppliers as `Person` or
//! `Organization`, tools as `Tool`), the `SpdxDocument` whose root element is a `software_Sbom`, whose root
//! element is the product package (or the direct dependencies when the inventory names no product), one
//! `software_Package` per component, `dependsOn` relationships (the product's edges to development and
//! required-scope dependencies are `LifecycleScopedRelationship`s with scope `development` / `runtime`, to
//! optional ones `hasOptionalDependency`), and `hasDeclaredLicense` relationships to
//! `simplelicensing_LicenseExpression`s (free-text licence names become `LicenseRef-`s mapped to a
//! `simplelicensing_SimpleLicensingText` holding the name). Every `spdxId` is an IRI under the document
//! namespace; the document's own IRI is the namespace. Unknown values are left out (SPDX 3 has no
//! `NOASSERTION` strings): no supplier, no download location, no licence.
//!
//! The reader accepts elements by reference (IRI strings) or inline (nested objects), `spdxId` or `@id`,
//! `type` or `@type`, and reads packages (`software_Package` and its `ai_`/`dataset_` subclasses) into
//! components the same way as SPDX 2 (see `graph.rs`).

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{
    Component, ComponentKind, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Inventory, Party, Purl, Scope,
};
use serde_json::{Map, Value, json};

use super::identifiers::{self, IdAllocator};
use super::license::LicenseRefs;
use super::v2_write::{author_party, document_name};
use crate::format::DocumentFacts;
use crate::{ReadSbom, SbomError, SbomFormat};

/// The JSON-LD context of SPDX 3.0.1.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// The SPDX 3 version written.
const SPEC_VERSION: &str = "3.0.1";

const CREATION_INFO: &str = "_:creationinfo";

/// SPDX 3 `HashAlgorithm` vocabulary name.
fn hash_name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Md5 => "md5",
        HashAlgorithm::Sha1 => "sha1",
        HashAlgorithm::Sha256 => "sha256",
        HashAlgorithm::Sha384 => "sha384",
        HashAlgorithm::Sha512 => "sha512",
        HashAlgorithm::Sha3_256 => "sha3_256",
        HashAlgorithm::Sha3_512 => "sha3_512",
        HashAlgorithm::Blake2b256 => "blake2b256",
        HashAlgorithm::Blake2b512 => "blake2b512",
        HashAlgorithm::Blake3 => "blake3",
    }
}

/// SPDX 3 `software_SoftwarePurpose` of a component kind.
fn purpose(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Application => "application",
        ComponentKind::Framework => "framework",
        ComponentKind::Library => "library",
        ComponentKind::Container => "container",
        ComponentKind::OperatingSystem => "operatingSystem",
        ComponentKind::Device => "device",
        ComponentKind::Firmware => "firmware",
        ComponentKind::File => "file",
    }
}

struct Writer {
    namespace: String,
    ids: IdAllocator,
    graph: Vec<Value>,
    /// Agents already written, by their actor text.
    agents: BTreeMap<String, String>,
    /// Licence expression elements already written, by expression.
    expressions: BTreeMap<String, String>,
    /// Licensing texts of free-text licences, by `LicenseRef-`.
    texts: BTreeMap<String, String>,
    licenses: LicenseRefs,
}

impl Writer {
    fn iri(&mut self, prefix: &str, seed: &str) -> String {
        format!("{}/{}", self.namespace, self.ids.allocate(prefix, seed))
    }

    fn element(&self, ty: &str, id: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), json!(ty));
        m.insert("spdxId".into(), json!(id));
        m.insert("creationInfo".into(), json!(CREATION_INFO));
        m
    }

    /// The IRI of the agent element for `party` (`Person` or `Organization`), written on first use.
    fn agent(&mut self, party: &Party) -> String {
        let key = super::v2_write::party_actor(party);
        if let Some(id) = self.agents.get(&key) {
            return id.clone();
        }
        let ty = if key.starts_with("Organization:") { "Organization" } else { "Person" };
        let id = self.iri(&format!("{ty}-"), &party.name);
        let mut m = self.element(ty, &id);
        m.insert("name".into(), json!(party.name));
        if let Some(email) = &party.email {
            m.insert(
                "externalIdentifier".into(),
                json!([{"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": email}]),
            );
        }
        self.graph.push(Value::Object(m));
        self.agents.insert(key, id.clone());
        id
    }

    /// A tool or software agent named `name` (`cpsf-0.1.0`).
    fn tool(&mut self, ty: &str, name: &str) -> String {
        let key = format!("{ty}: {name}");
        if let Some(id) = self.agents.get(&key) {
            return id.clone();
        }
        let id = self.iri(&format!("{ty}-"), name);
        let mut m = self.element(ty, &id);
        m.insert("name".into(), json!(name));
        self.graph.push(Value::Object(m));
        self.agents.insert(key, id.clone());
        id
    }

    /// The IRI of the licence expression element for `expression`, written on first use.
    fn expression(&mut self, expression: &str) -> String {
        if let Some(id) = self.expressions.get(expression) {
            return id.clone();
        }
        let id = self.iri("LicenseExpression-", expression);
        let mut m = self.element("simplelicensing_LicenseExpression", &id);
        m.insert("simplelicensing_licenseExpression".into(), json!(expression));
        let refs = super::license::license_refs_in(expression);
        let entries: Vec<Value> = refs
            .iter()
            .filter_map(|r| {
                self.texts.get(r).map(|text_id| json!({"type": "DictionaryEntry", "key": r, "value": text_id}))
            })
            .collect();
        if !entries.is_empty() {
            m.insert("simplelicensing_customIdToUri".into(), Value::Array(entries));
        }
        self.graph.push(Value::Object(m));
        self.expressions.insert(expression.to_owned(), id.clone());
        id
    }

    /// Declared-licence expression of a component, with a licensing text for each new free-text name.
    fn declared(&mut self, licenses: &[String]) -> Option<String> {
        let expression = self.licenses.declared(licenses);
        if expression == "NOASSERTION" {
            return None;
        }
        for license_ref in super::license::license_refs_in(&expression) {
            if self.texts.contains_key(&license_ref) {
                continue;
            }
            let Some(name) = self.licenses.name_of(&license_ref).map(str::to_owned) else { continue };
            let id = self.iri("LicensingText-", &license_ref);
            let mut m = self.element("simplelicensing_SimpleLicensingText", &id);
            m.insert("name".into(), json!(name));
            m.insert("simplelicensing_licenseText".into(), json!(name));
            m.insert(
                "comment".into(),
                json!("The licence as the package metadata names it; cpsf did not see the licence text."),
            );
            self.graph.push(Value::Object(m));
            self.texts.insert(license_ref, id);
        }
        Some(expression)
    }

    fn package(&mut self, c: &Component, id: &str, is_root: bool) -> (Map<String, Value>, Option<String>) {
        let mut m = self.element("software_Package", id);
        m.insert("name".into(), json!(super::display_name(c)));
        if let Some(v) = &c.version {
            m.insert("software_packageVersion".into(), json!(v));
        }
        if let Some(supplier) = &c.supplier {
            let agent = self.agent(supplier);
            m.insert("suppliedBy".into(), json!(agent));
        }
        if let Some(author) = c.author.as_deref().filter(|a| !a.trim().is_empty()) {
            let agent = self.agent(&author_party(author));
            m.insert("originatedBy".into(), json!([agent]));
        }
        match c.download_location.as_deref() {
            Some(url) if super::is_download_location(url) => {
                m.insert("software_downloadLocation".into(), json!(url));
            }
            Some(other) => {
                m.insert(
                    "software_sourceInfo".into(),
                    json!(format!("recorded location (not a download location): {other}")),
                );
            }
            None => {}
        }
        if let Some(purl) = &c.purl {
            let purl = purl.to_string();
            m.insert("software_packageUrl".into(), json!(purl));
            m.insert(
                "externalIdentifier".into(),
                json!([{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": purl}]),
            );
        }
        let mut hashes: Vec<Value> = Vec::new();
        for h in &c.hashes {
            let v = json!({"type": "Hash", "algorithm": hash_name(h.algorithm), "hashValue": h.value});
            if !hashes.contains(&v) {
                hashes.push(v);
            }
        }
        if !hashes.is_empty() {
            m.insert("verifiedUsing".into(), Value::Array(hashes));
        }
        m.insert("software_primaryPurpose".into(), json!(purpose(c.kind)));
        if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
            m.insert("description".into(), json!(d));
        }
        if !is_root && let Some(note) = super::component_note(c) {
            m.insert("comment".into(), json!(note));
        }
        let declared = self.declared(&c.licenses);
        (m, declared)
    }

    fn relationship(&mut self, from: &str, ty: &str, to: Vec<String>, scope: Option<&str>) -> Value {
        let local = from.rsplit('/').next().unwrap_or(from).to_owned();
        let seed = match scope {
            Some(s) => format!("{local}-{ty}-{s}"),
            None => format!("{local}-{ty}"),
        };
        let id = self.iri("Relationship-", &seed);
        let class = if scope.is_some() { "LifecycleScopedRelationship" } else { "Relationship" };
        let mut m = self.element(class, &id);
        m.insert("from".into(), json!(from));
        m.insert("relationshipType".into(), json!(ty));
        m.insert("to".into(), json!(to));
        if let Some(s) = scope {
            m.insert("scope".into(), json!(s));
        }
        Value::Object(m)
    }
}

fn loss(message: String) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::ConversionLoss, "", None, message)
}

/// Build the SPDX 3 JSON-LD document of an inventory.
fn build(inventory: &Inventory) -> (Value, Vec<Diagnostic>) {
    let mut losses = Vec::new();
    let name = document_name(inventory);
    let namespace = identifiers::document_namespace(inventory, &name);
    let (created, created_ok) = identifiers::spdx_created(inventory.metadata.timestamp.as_deref());
    if let Some(t) = &inventory.metadata.timestamp
        && !created_ok
    {
        losses.push(loss(format!("timestamp `{t}` is not an RFC 3339 date-time; the current time was written")));
    }
    let mut w = Writer {
        namespace: namespace.clone(),
        ids: IdAllocator::default(),
        graph: Vec::new(),
        agents: BTreeMap::new(),
        expressions: BTreeMap::new(),
        texts: BTreeMap::new(),
        licenses: LicenseRefs::default(),
    };

    // Identifiers first, in a fixed order, so they are stable.
    let sbom_id = w.iri("", "sbom");
    let root = inventory.metadata.component.as_ref();
    let root_id = root.map(|r| w.iri("Root-", &super::id_seed(r)));
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for c in &inventory.components {
        let id = w.iri("Package-", &super::id_seed(c));
        ids.insert(c.bom_ref.clone(), id);
    }

    // Who and what created the document.
    let mut created_by: Vec<String> = inventory.metadata.authors.iter().map(|a| w.agent(a)).collect();
    let mut tool_names: Vec<String> = Vec::new();
    for tool in &inventory.metadata.tools {
        let name = identifiers::tool_actor(tool).trim_start_matches("Tool:").trim().to_owned();
        if !tool_names.contains(&name) {
            tool_names.push(name);
        }
    }
    if !inventory.metadata.tools.iter().any(|t| t.name == "cpsf") {
        tool_names.push(format!("cpsf-{}", super::CPSF_VERSION));
    }
    if created_by.is_empty() {
        // SPDX 3 needs an agent; with no author named, it is cpsf itself that created the data.
        let cpsf = tool_names.iter().find(|t| t.starts_with("cpsf")).cloned().unwrap_or_else(|| "cpsf".into());
        created_by.push(w.tool("SoftwareAgent", &cpsf));
    }
    let created_using: Vec<String> = tool_names.iter().map(|t| w.tool("Tool", t)).collect();

    // Packages.
    let mut packages: Vec<Value> = Vec::new();
    let mut license_rels: Vec<(String, String)> = Vec::new();
    if let (Some(root), Some(root_id)) = (root, &root_id) {
        let mut product = root.clone();
        if product.supplier.is_none() {
            product.supplier = inventory.metadata.supplier.clone();
        }
        let (m, declared) = w.package(&product, root_id, true);
        packages.push(Value::Object(m));
        if let Some(e) = declared {
            license_rels.push((root_id.clone(), e));
        }
    }
    for c in &inventory.components {
        let Some(id) = ids.get(&c.bom_ref) else { continue };
        let (m, declared) = w.package(c, id, false);
        packages.push(Value::Object(m));
        if let Some(e) = declared {
            license_rels.push((id.clone(), e));
        }
    }

    // Relationships.
    let mut relationships: Vec<Value> = Vec::new();
    let direct: Vec<String> = inventory.direct_refs();
    let mut root_elements: Vec<String> = Vec::new();
    match &root_id {
        Some(root_id) => {
            root_elements.push(root_id.clone());
            // Group the product's edges by relationship type and scope.
            let mut groups: BTreeMap<(&str, Option<&str>), Vec<String>> = BTreeMap::new();
            for bom_ref in &direct {
                let (Some(id), Some(c)) = (ids.get(bom_ref), inventory.component(bom_ref)) else {
                    losses.push(loss(format!("the product's dependency `{bom_ref}` is not a component; dropped")));
                    continue;
                };
                let key = match c.scope {
                    Some(Scope::Dev) => ("dependsOn", Some("development")),
                    Some(Scope::Required) => ("dependsOn", Some("runtime")),
                    Some(Scope::Optional) => ("hasOptionalDependency", None),
                    None => ("dependsOn", None),
                };
                groups.entry(key).or_default().push(id.clone());
            }
            for ((ty, scope), to) in groups {
                relationships.push(w.relationship(root_id, ty, to, scope));
            }
        }
        None => root_elements.extend(direct.iter().filter_map(|r| ids.get(r).cloned())),
    }
    for c in &inventory.components {
        let Some(from) = ids.get(&c.bom_ref) else { continue };
        let mut to = Vec::new();
        for dep in &c.dependencies {
            match ids.get(dep) {
                Some(id) if dep != &c.bom_ref => to.push(id.clone()),
                Some(_) => {}
                None => losses
                    .push(loss(format!("{}: dependency `{dep}` is not a component; the edge was dropped", c.bom_ref))),
            }
        }
        if !to.is_empty() {
            relationships.push(w.relationship(from, "dependsOn", to, None));
        }
    }
    for (from, expression) in license_rels {
        let e = w.expression(&expression);
        relationships.push(w.relationship(&from, "hasDeclaredLicense", vec![e], None));
    }
    let data_license = w.expression("CC0-1.0");

    // The document and the SBOM.
    let agents_and_licences = std::mem::take(&mut w.graph);
    let mut content: Vec<Value> = Vec::new();
    content.extend(packages);
    content.extend(relationships);
    let content_ids: Vec<Value> = content.iter().filter_map(|e| e.get("spdxId").cloned()).collect();
    let mut sbom = w.element("software_Sbom", &sbom_id);
    sbom.insert("profileConformance".into(), json!(["core", "software", "simpleLicensing"]));
    sbom.insert("rootElement".into(), json!(root_elements));
    sbom.insert("element".into(), Value::Array(content_ids));
    let mut all_ids: Vec<Value> = vec![json!(sbom_id)];
    all_ids.extend(agents_and_licences.iter().chain(&content).filter_map(|e| e.get("spdxId").cloned()));
    let mut doc = w.element("SpdxDocument", &namespace);
    doc.insert("name".into(), json!(name));
    if let Some(note) = super::document_note(&inventory.sources, &inventory.skipped) {
        doc.insert("comment".into(), json!(note));
    }
    doc.insert("dataLicense".into(), json!(data_license));
    doc.insert("profileConformance".into(), json!(["core", "software", "simpleLicensing"]));
    doc.insert("rootElement".into(), json!([sbom_id]));
    doc.insert("element".into(), Value::Array(all_ids));

    let mut graph = vec![
        json!({
            "type": "CreationInfo",
            "@id": CREATION_INFO,
            "specVersion": SPEC_VERSION,
            "created": created,
            "createdBy": created_by,
            "createdUsing": created_using,
        }),
        Value::Object(doc),
        Value::Object(sbom),
    ];
    graph.extend(agents_and_licences);
    graph.extend(content);
    (json!({"@context": CONTEXT, "@graph": graph}), losses)
}

/// An SPDX 3.0.1 JSON-LD document of `inventory`, with warnings about what it cannot carry.
pub fn write(inventory: &Inventory) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, losses) = build(inventory);
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| SbomError::Unsupported(format!("cannot serialize the SPDX 3 document: {e}")))?;
    text.push('\n');
    Ok((text, losses))
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/// The graph's elements by id, with inline elements found anywhere in the graph.
struct Graph<'a> {
    by_id: BTreeMap<String, &'a Value>,
    /// Top-level elements in document order.
    elements: Vec<&'a Value>,
}

fn element_id(v: &Value) -> Option<&str> {
    v.get("spdxId").or_else(|| v.get("@id")).and_then(Value::as_str)
}

/// The compact type name of an element (`software_Package`), from `type` or `@type`, with a full IRI of the
/// SPDX vocabulary reduced to the compact name (`.../terms/Software/Package` → `software_Package`).
fn element_type(v: &Value) -> Option<String> {
    let t = v.get("type").or_else(|| v.get("@type"))?;
    let t = match t {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.first()?.as_str()?,
        _ => return None,
    };
    match t.split_once("/terms/") {
        Some((_, rest)) => {
            let (profile, class) = rest.split_once('/')?;
            Some(if profile == "Core" { class.to_owned() } else { format!("{}_{class}", lower_first(profile)) })
        }
        None => Some(t.to_owned()),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The last segment of a vocabulary value (`dependsOn` or `https://spdx.org/rdf/3.0.1/terms/Core/RelationshipType/dependsOn`).
fn vocab(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    Some(s.rsplit('/').next().unwrap_or(s))
}

impl<'a> Graph<'a> {
    fn new(items: &'a [Value]) -> Self {
        let mut by_id = BTreeMap::new();
        let mut stack: Vec<&'a Value> = items.iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    if let Some(id) = element_id(v) {
                        by_id.entry(id.to_owned()).or_insert(v);
                    }
                    stack.extend(m.values());
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
        Self { by_id, elements: items.iter().filter(|v| v.is_object()).collect() }
    }

    /// A reference (IRI string or inline object) resolved to its element.
    fn resolve(&self, v: &'a Value) -> Option<&'a Value> {
        match v {
            Value::String(id) => self.by_id.get(id).copied(),
            Value::Object(_) => Some(v),
            _ => None,
        }
    }

    /// The ids a reference property holds (string, object or a list of either).
    fn refs(&self, v: Option<&'a Value>) -> Vec<String> {
        let items: Vec<&Value> = match v {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(other) => vec![other],
            None => vec![],
        };
        items
            .into_iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => element_id(i).map(str::to_owned),
                _ => None,
            })
            .collect()
    }

    fn party(&self, v: &'a Value) -> Option<Party> {
        let agent = self.resolve(v)?;
        let name = agent.get("name").and_then(Value::as_str)?.trim();
        if name.is_empty() || name == "NOASSERTION" {
            return None;
        }
        let email = agent
            .get("externalIdentifier")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| e.get("externalIdentifierType").and_then(vocab) == Some("email"))
            .and_then(|e| e.get("identifier"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Party { name: name.to_owned(), email, url: None })
    }
}

const PACKAGE_TYPES: &[&str] = &["software_Package", "ai_AIPackage", "dataset_DatasetPackage"];

fn is_package(v: &Value) -> bool {
    element_type(v).is_some_and(|t| PACKAGE_TYPES.contains(&t.as_str()))
}

fn is_artifact(v: &Value) -> bool {
    is_package(v) || element_type(v).is_some_and(|t| t == "software_File")
}

/// Dependency relationship types of SPDX 3 (all point from the dependent to its dependencies) and the scope
/// they state.
fn dependency_type(ty: &str) -> Option<Option<Scope>> {
    match ty {
        "dependsOn" | "hasProvidedDependency" | "hasDynamicLink" | "hasStaticLink" | "hasPrerequisite" | "contains" => {
            Some(None)
        }
        "hasOptionalDependency" | "hasOptionalComponent" => Some(Some(Scope::Optional)),
        _ => None,
    }
}

/// The scope of a `LifecycleScopedRelationship`'s lifecycle phase.
fn lifecycle_scope(phase: &str) -> Option<Scope> {
    match phase {
        "design" | "development" | "build" | "test" => Some(Scope::Dev),
        "runtime" => Some(Scope::Required),
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "NOASSERTION" && *s != "NONE")
        .map(str::to_owned)
}

struct Reader<'a> {
    graph: Graph<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn warn(&mut self, id: &str, message: String) {
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::SbomMalformed, id, None, message));
    }

    fn package(&mut self, v: &'a Value, licenses: &BTreeMap<String, Vec<String>>) -> Option<(String, Component)> {
        let id = element_id(v)?.to_owned();
        let Some(name) = text(v, "name") else {
            self.warn(&id, "a package without a name was skipped".into());
            return None;
        };
        let version = text(v, "software_packageVersion");
        let purl_text = text(v, "software_packageUrl").or_else(|| {
            v.get("externalIdentifier")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|e| e.get("externalIdentifierType").and_then(vocab) == Some("packageUrl"))
                .and_then(|e| text(e, "identifier"))
        });
        let purl = purl_text.and_then(|p| match p.parse::<Purl>() {
            Ok(purl) => Some(purl),
            Err(e) => {
                self.warn(&id, format!("purl `{p}` is not valid ({e}); it was ignored"));
                None
            }
        });
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
        c.kind = v
            .get("software_primaryPurpose")
            .and_then(vocab)
            .and_then(super::kind_of_purpose)
            .unwrap_or(ComponentKind::Library);
        c.supplier = v.get("suppliedBy").and_then(|s| self.graph.party(s));
        c.author = v
            .get("originatedBy")
            .map(|o| match o {
                Value::Array(a) => a.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .and_then(|agents| agents.into_iter().find_map(|a| self.graph.party(a)))
            .map(|p| match p.email {
                Some(email) => format!("{} ({email})", p.name),
                None => p.name,
            });
        c.download_location = text(v, "software_downloadLocation");
        c.description = text(v, "description").or_else(|| text(v, "summary"));
        for h in v.get("verifiedUsing").and_then(Value::as_array).into_iter().flatten() {
            if element_type(h).as_deref() != Some("Hash") {
                continue;
            }
            let algorithm = h.get("algorithm").and_then(vocab).unwrap_or_default();
            let value = h.get("hashValue").and_then(Value::as_str).unwrap_or_default();
            match HashAlgorithm::parse(algorithm).and_then(|a| Hash::hex(a, value)) {
                Some(hash) if !c.hashes.contains(&hash) => c.hashes.push(hash),
                Some(_) => {}
                None if HashAlgorithm::parse(algorithm).is_none() => self.diagnostics.push(Diagnostic::new(
                    DiagnosticCode::ConversionLoss,
                    &id,
                    None,
                    format!("{algorithm} hashes are not kept"),
                )),
                None => self.warn(&id, format!("`{value}` is not a {algorithm} digest; it was ignored")),
            }
        }
        if let Some(declared) = licenses.get(&id) {
            c.licenses = declared.clone();
        }
        if let Some(comment) = v.get("comment").and_then(Value::as_str) {
            let note = super::parse_component_note(comment);
            c.locations = note.locations;
            c.direct = note.direct;
            c.scope = note.scope;
        }
        Some((id, c))
    }

    /// A declared licence as text: an expression (a lone `LicenseRef-` that maps to a text which is just its
    /// name becomes that name), a listed licence's id, a custom licence's name.
    fn license(&self, v: &'a Value) -> Option<String> {
        if let Value::String(iri) = v
            && !self.graph.by_id.contains_key(iri)
        {
            // A listed licence or individual by IRI: `https://spdx.org/licenses/MIT`.
            let last = iri.rsplit('/').next().unwrap_or(iri);
            return match last {
                "NoAssertionLicense" | "NoneLicense" | "" => None,
                id => Some(id.to_owned()),
            };
        }
        let e = self.graph.resolve(v)?;
        match element_type(e)?.as_str() {
            "simplelicensing_LicenseExpression" => {
                let expression = text(e, "simplelicensing_licenseExpression")?;
                let mapped = e
                    .get("simplelicensing_customIdToUri")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|d| d.get("key").and_then(Value::as_str) == Some(expression.as_str()))
                    .and_then(|d| d.get("value"))
                    .and_then(|t| self.graph.resolve(t))
                    .and_then(|t| {
                        let name = text(t, "name")?;
                        (text(t, "simplelicensing_licenseText").as_deref() == Some(name.as_str())).then_some(name)
                    });
                Some(mapped.unwrap_or(expression))
            }
            "expandedlicensing_ListedLicense" => element_id(e).map(|i| i.rsplit('/').next().unwrap_or(i).to_owned()),
            "expandedlicensing_CustomLicense" => text(e, "name").or_else(|| element_id(e).map(str::to_owned)),
            _ => None,
        }
    }
}

/// Read an SPDX 3 JSON-LD document.
pub fn read(value: Value) -> Result<ReadSbom, SbomError> {
    let Some(items) = value.get("@graph").and_then(Value::as_array) else {
        return Err(SbomError::Malformed {
            line: None,
            message: "an SPDX 3 JSON-LD document needs a `@graph` array of elements".into(),
        });
    };
    let mut reader = Reader { graph: Graph::new(items), diagnostics: Vec::new() };
    let documents: Vec<&Value> =
        reader.graph.elements.iter().copied().filter(|e| element_type(e).as_deref() == Some("SpdxDocument")).collect();
    let Some(document) = documents.first().copied() else {
        return Err(SbomError::Malformed {
            line: None,
            message: "the SPDX 3 `@graph` has no `SpdxDocument` element".into(),
        });
    };
    let document_id = element_id(document).unwrap_or_default().to_owned();
    if documents.len() > 1 {
        reader.warn(&document_id, format!("{} `SpdxDocument` elements; the first was read", documents.len()));
    }
    let creation = document.get("creationInfo").and_then(|c| reader.graph.resolve(c));
    let spec_version = creation.and_then(|c| text(c, "specVersion")).unwrap_or_default();
    if !spec_version.is_empty() && !spec_version.starts_with("3.") {
        return Err(SbomError::Unsupported(format!("SPDX `specVersion` {spec_version}: only SPDX 3 is JSON-LD")));
    }

    // What the document describes: the root elements of its SBOM (or BOM), or its own root elements.
    let mut describes: Vec<String> = Vec::new();
    let mut collections: BTreeSet<String> = BTreeSet::from([document_id.clone()]);
    for root in reader.graph.refs(document.get("rootElement")) {
        let resolved = reader.graph.by_id.get(&root).copied();
        match resolved.and_then(element_type).as_deref() {
            Some("software_Sbom" | "Bom" | "Bundle" | "BOM") => {
                collections.insert(root.clone());
                for inner in reader.graph.refs(resolved.and_then(|r| r.get("rootElement"))) {
                    if !describes.contains(&inner) {
                        describes.push(inner);
                    }
                }
            }
            _ => {
                if !describes.contains(&root) {
                    describes.push(root);
                }
            }
        }
    }

    // Relationships: dependency edges, declared licences, `describes`.
    let mut edges: Vec<super::graph::Edge> = Vec::new();
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut related: BTreeSet<String> = BTreeSet::new();
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let package_ids: BTreeSet<String> = reader
        .graph
        .elements
        .iter()
        .filter(|e| is_package(e))
        .filter_map(|e| element_id(e))
        .map(str::to_owned)
        .collect();
    for r in reader.graph.elements.clone() {
        let class = element_type(r);
        if !matches!(class.as_deref(), Some("Relationship" | "LifecycleScopedRelationship")) {
            continue;
        }
        let Some(from) = reader.graph.refs(r.get("from")).into_iter().next() else {
            reader.warn(element_id(r).unwrap_or_default(), "a relationship without `from` was skipped".into());
            continue;
        };
        let to = reader.graph.refs(r.get("to"));
        let ty = r.get("relationshipType").and_then(vocab).unwrap_or_default().to_owned();
        if ty == "hasDeclaredLicense" {
            let found: Vec<String> = match r.get("to") {
                Some(Value::Array(a)) => a.iter().filter_map(|t| reader.license(t)).collect(),
                Some(t) => reader.license(t).into_iter().collect(),
                None => vec![],
            };
            declared.entry(from).or_default().extend(found);
            continue;
        }
        if matches!(ty.as_str(), "hasConcludedLicense" | "hasDataLicense") {
            continue;
        }
        related.insert(from.clone());
        related.extend(to.iter().cloned());
        if ty == "describes" && collections.contains(&from) {
            for t in to {
                if !describes.contains(&t) {
                    describes.push(t);
                }
            }
            continue;
        }
        let Some(hint) = dependency_type(&ty) else { continue };
        let scope = match class.as_deref() {
            Some("LifecycleScopedRelationship") => r.get("scope").and_then(vocab).and_then(lifecycle_scope).or(hint),
            _ => hint,
        };
        for t in to {
            if !collections.contains(&from) && !collections.contains(&t) {
                pairs.insert((from.clone(), t.clone()));
            }
            if package_ids.contains(&from) && package_ids.contains(&t) && from != t {
                edges.push((from.clone(), t, scope));
            }
        }
    }

    let mut packages: Vec<(String, Component)> = Vec::new();
    let mut unrelated: Vec<String> = Vec::new();
    for e in reader.graph.elements.clone() {
        if is_artifact(e)
            && let Some(id) = element_id(e)
            && !related.contains(id)
            && !describes.iter().any(|d| d == id)
        {
            unrelated.push(id.to_owned());
        }
        if is_package(e)
            && let Some(p) = reader.package(e, &declared)
        {
            packages.push(p);
        }
    }
    let (mut inventory, root) = super::graph::assemble(packages, edges, &describes);

    // Document metadata.
    if let Some(c) = creation {
        inventory.metadata.timestamp = text(c, "created");
        for agent in c.get("createdBy").and_then(Value::as_array).into_iter().flatten() {
            let resolved = reader.graph.resolve(agent);
            let is_software = resolved.and_then(element_type).as_deref() == Some("SoftwareAgent");
            let Some(party) = reader.graph.party(agent) else { continue };
            if is_software {
                let tool = identifiers::parse_tool(&party.name);
                if !inventory.metadata.tools.iter().any(|t| t.name == tool.name) {
                    inventory.metadata.tools.push(tool);
                }
            } else if !inventory.metadata.authors.contains(&party) {
                inventory.metadata.authors.push(party);
            }
        }
        for tool in c.get("createdUsing").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = reader.graph.resolve(tool).and_then(|t| text(t, "name")) else { continue };
            let tool = identifiers::parse_tool(&name);
            match inventory.metadata.tools.iter_mut().find(|t| t.name == tool.name) {
                Some(existing) => *existing = tool,
                None => inventory.metadata.tools.push(tool),
            }
        }
    }
    inventory.metadata.serial_number = Some(document_id.clone()).filter(|d| !d.is_empty());
    inventory.metadata.supplier = root.as_ref().and_then(|r| r.supplier.clone());
    inventory.metadata.component = root;
    if let Some(comment) = document.get("comment").and_then(Value::as_str) {
        let (sources, skipped) = super::parse_document_note(comment);
        inventory.sources = sources;
        inventory.skipped = skipped;
    }
    inventory.diagnostics = reader.diagnostics;
    let facts = DocumentFacts { relationship_count: pairs.len(), describes, unrelated, spec_version };
    Ok(ReadSbom { format: SbomFormat::Spdx3JsonLd, inventory, json: Some(value), facts })
}
