//! CycloneDX JSON: the writer (an [`Inventory`] as a BOM of spec version 1.4–1.7) and the reader (any 1.4–1.7
//! JSON BOM back into an [`Inventory`]). The XML writer and reader go through the same document shape.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use cpsf_model::{
    Component, ComponentKind, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Inventory, Location, Party, Purl, Scope,
    SkippedFile, Tool,
};
use serde_json::{Map, Value, json};

use super::{
    Format, PROPERTY_DEPENDENCY, PROPERTY_LOCATION, PROPERTY_SKIPPED, PROPERTY_SOURCE, is_serial_number, satisfies,
};
use crate::format::DocumentFacts;
use crate::schema::EMBEDDED_SCHEMAS;
use crate::{CycloneDxVersion, ReadSbom, SbomError, SbomFormat};

/// Serialize `inventory` as a pretty-printed CycloneDX JSON BOM of `version`, with a trailing newline.
/// The diagnostics say what the version cannot carry and was left out.
pub fn write(inventory: &Inventory, version: CycloneDxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, diagnostics) = document(inventory, version);
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| SbomError::Unsupported(format!("CycloneDX JSON could not be serialized: {e}")))?;
    text.push('\n');
    Ok((text, diagnostics))
}

// ---------------------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------------------

/// Licence identifiers the CycloneDX schemas accept in `license.id` (their `spdx.schema.json` enumeration).
static CYCLONEDX_LICENSE_IDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    EMBEDDED_SCHEMAS
        .iter()
        .find(|s| s.file_name == "spdx.schema.json")
        .and_then(|s| serde_json::from_str::<Value>(s.text).ok())
        .and_then(|v| {
            v.get("enum")
                .and_then(Value::as_array)
                .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        })
        .unwrap_or_default()
});

/// How one declared licence is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LicenseEntry {
    /// A single listed SPDX identifier: `license.id`.
    Id(String),
    /// Any other valid SPDX expression: `expression`.
    Expression(String),
    /// Free text: `license.name`.
    Name(String),
}

fn classify_license(text: &str) -> Option<LicenseEntry> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "NONE" || text == "NOASSERTION" {
        return Some(LicenseEntry::Name(text.to_owned()));
    }
    match crate::spdx::license::canonical_expression(text) {
        Some(canonical) if CYCLONEDX_LICENSE_IDS.contains(&canonical) => Some(LicenseEntry::Id(canonical)),
        Some(canonical) => Some(LicenseEntry::Expression(canonical)),
        None => Some(LicenseEntry::Name(text.to_owned())),
    }
}

fn party_kind(party: &Party) -> bool {
    !party.name.is_empty() || party.email.is_some() || party.url.is_some()
}

struct Writer {
    version: CycloneDxVersion,
    diagnostics: Vec<Diagnostic>,
}

impl Writer {
    fn at_least(&self, version: CycloneDxVersion) -> bool {
        self.version >= version
    }

    fn loss(&mut self, subject: &str, message: String) {
        self.diagnostics.push(Diagnostic::new(
            DiagnosticCode::ConversionLoss,
            subject,
            None,
            format!("CycloneDX {}: {message}", self.version.as_str()),
        ));
    }

    /// `organizationalEntity`: name, url, contact.
    fn organization(&mut self, subject: &str, what: &str, party: &Party) -> Option<Value> {
        if !party_kind(party) {
            return None;
        }
        let mut map = Map::new();
        if !party.name.is_empty() {
            map.insert("name".into(), party.name.clone().into());
        }
        if let Some(url) = &party.url {
            if satisfies(Format::IriReference, url) {
                map.insert("url".into(), json!([url]));
            } else {
                self.loss(subject, format!("the {what} URL `{url}` is not a valid IRI reference and was left out"));
            }
        }
        if let Some(email) = &party.email {
            if satisfies(Format::IdnEmail, email) {
                map.insert("contact".into(), json!([{ "email": email }]));
            } else {
                self.loss(subject, format!("the {what} email `{email}` is not a valid address and was left out"));
            }
        }
        (!map.is_empty()).then_some(Value::Object(map))
    }

    /// `organizationalContact`: name, email (a contact has no URL).
    fn contact(&mut self, subject: &str, what: &str, party: &Party) -> Option<Value> {
        let mut map = Map::new();
        if !party.name.is_empty() {
            map.insert("name".into(), party.name.clone().into());
        }
        if let Some(email) = &party.email {
            if satisfies(Format::IdnEmail, email) {
                map.insert("email".into(), email.clone().into());
            } else {
                self.loss(subject, format!("the {what} email `{email}` is not a valid address and was left out"));
            }
        }
        if let Some(url) = &party.url {
            self.loss(
                subject,
                format!("the {what} URL `{url}` has no place in an organizational contact and was left out"),
            );
        }
        (!map.is_empty()).then_some(Value::Object(map))
    }

    fn licenses(&mut self, subject: &str, licenses: &[String]) -> Option<Value> {
        let mut entries: Vec<LicenseEntry> = licenses.iter().filter_map(|l| classify_license(l)).collect();
        entries.sort_by(|a, b| license_text(a).cmp(license_text(b)));
        entries.dedup();
        if entries.is_empty() {
            return None;
        }
        let expressions = entries.iter().filter(|e| matches!(e, LicenseEntry::Expression(_))).count();
        // 1.5 and 1.6 allow either license objects or one single expression, not a mix.
        let mixing_allowed = matches!(self.version, CycloneDxVersion::V1_4 | CycloneDxVersion::V1_7);
        let demote = expressions > 0 && entries.len() > 1 && !mixing_allowed;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let value = match entry {
                LicenseEntry::Id(id) => json!({ "license": { "id": id } }),
                LicenseEntry::Name(name) => json!({ "license": { "name": name } }),
                LicenseEntry::Expression(expression) if demote => {
                    self.loss(
                        subject,
                        format!(
                            "the licence expression `{expression}` is written as a licence name: this version allows an expression only as the sole licence entry"
                        ),
                    );
                    json!({ "license": { "name": expression } })
                }
                LicenseEntry::Expression(expression) => json!({ "expression": expression }),
            };
            out.push(value);
        }
        Some(Value::Array(out))
    }

    fn component(&mut self, c: &Component, bom_ref: &str, is_root: bool) -> Value {
        let subject = if bom_ref.is_empty() { c.name.as_str() } else { bom_ref };
        let subject = subject.to_owned();
        let mut map = Map::new();
        map.insert("type".into(), c.kind.as_cyclonedx().into());
        if !bom_ref.is_empty() {
            map.insert("bom-ref".into(), bom_ref.into());
        }
        if let Some(supplier) = &c.supplier
            && let Some(v) = self.organization(&subject, "supplier", supplier)
        {
            map.insert("supplier".into(), v);
        }
        if let Some(author) = c.author.as_deref().filter(|a| !a.is_empty()) {
            if self.at_least(CycloneDxVersion::V1_6) {
                map.insert("authors".into(), json!([{ "name": author }]));
            } else {
                map.insert("author".into(), author.into());
            }
        }
        if let Some(group) = c.group.as_deref().filter(|g| !g.is_empty()) {
            map.insert("group".into(), group.into());
        }
        map.insert("name".into(), c.name.clone().into());
        if let Some(version) = &c.version {
            map.insert("version".into(), version.clone().into());
        }
        if let Some(description) = &c.description {
            map.insert("description".into(), description.clone().into());
        }
        if let Some(scope) = c.scope {
            let scope = match scope {
                Scope::Required => "required",
                Scope::Optional => "optional",
                Scope::Dev => "excluded",
            };
            map.insert("scope".into(), scope.into());
        }
        if !c.hashes.is_empty() {
            let mut hashes: Vec<&Hash> = c.hashes.iter().collect();
            hashes.sort();
            hashes.dedup();
            let hashes: Vec<Value> =
                hashes.iter().map(|h| json!({ "alg": h.algorithm.as_cyclonedx(), "content": h.value })).collect();
            map.insert("hashes".into(), Value::Array(hashes));
        }
        if let Some(licenses) = self.licenses(&subject, &c.licenses) {
            map.insert("licenses".into(), licenses);
        }
        if let Some(purl) = &c.purl {
            map.insert("purl".into(), purl.to_string().into());
        }
        if let Some(url) = &c.download_location {
            if satisfies(Format::IriReference, url) {
                map.insert("externalReferences".into(), json!([{ "url": url, "type": "distribution" }]));
            } else {
                self.loss(
                    &subject,
                    format!("the download location `{url}` is not a valid IRI reference and was left out"),
                );
            }
        }
        let mut locations: Vec<&Location> = c.locations.iter().collect();
        locations.sort();
        locations.dedup();
        let mut properties: Vec<(&str, String)> = Vec::new();
        if !is_root && let Some(direct) = c.direct {
            properties.push((PROPERTY_DEPENDENCY, if direct { "direct" } else { "transitive" }.to_owned()));
        }
        let occurrences = self.at_least(CycloneDxVersion::V1_6);
        if !occurrences {
            for l in &locations {
                let value = match l.line {
                    Some(line) => format!("{}:{line}", l.path),
                    None => l.path.clone(),
                };
                properties.push((PROPERTY_LOCATION, value));
            }
        }
        if !properties.is_empty() {
            properties.sort();
            let properties: Vec<Value> =
                properties.into_iter().map(|(n, v)| json!({ "name": n, "value": v })).collect();
            map.insert("properties".into(), Value::Array(properties));
        }
        if occurrences && !locations.is_empty() {
            let list: Vec<Value> = locations
                .iter()
                .map(|l| {
                    let mut o = Map::new();
                    o.insert("location".into(), l.path.clone().into());
                    if let Some(line) = l.line {
                        o.insert("line".into(), line.into());
                    }
                    Value::Object(o)
                })
                .collect();
            map.insert("evidence".into(), json!({ "occurrences": list }));
        }
        Value::Object(map)
    }

    fn tools(&mut self, tools: &[Tool]) -> Option<Value> {
        if tools.is_empty() {
            return None;
        }
        if !self.at_least(CycloneDxVersion::V1_5) {
            let list: Vec<Value> = tools
                .iter()
                .map(|t| {
                    let mut o = Map::new();
                    if let Some(vendor) = &t.vendor {
                        o.insert("vendor".into(), vendor.clone().into());
                    }
                    o.insert("name".into(), t.name.clone().into());
                    if let Some(version) = &t.version {
                        o.insert("version".into(), version.clone().into());
                    }
                    Value::Object(o)
                })
                .collect();
            return Some(Value::Array(list));
        }
        let list: Vec<Value> = tools
            .iter()
            .map(|t| {
                let mut o = Map::new();
                o.insert("type".into(), "application".into());
                // The tool's vendor: its manufacturer from 1.6, its author before.
                if let Some(vendor) = &t.vendor {
                    if self.at_least(CycloneDxVersion::V1_6) {
                        o.insert("manufacturer".into(), json!({ "name": vendor }));
                    } else {
                        o.insert("author".into(), vendor.clone().into());
                    }
                }
                o.insert("name".into(), t.name.clone().into());
                if let Some(version) = &t.version {
                    o.insert("version".into(), version.clone().into());
                }
                Value::Object(o)
            })
            .collect();
        Some(json!({ "components": list }))
    }
}

fn license_text(entry: &LicenseEntry) -> &str {
    match entry {
        LicenseEntry::Id(s) | LicenseEntry::Expression(s) | LicenseEntry::Name(s) => s,
    }
}

/// A unique `bom-ref` for the described product when it has none or shares one with a component.
fn root_ref(root: &Component, taken: &HashSet<&str>) -> String {
    let base = if !root.bom_ref.is_empty() {
        root.bom_ref.clone()
    } else if let Some(purl) = &root.purl {
        purl.to_string()
    } else {
        match &root.version {
            Some(v) => format!("{}@{v}", root.name),
            None => root.name.clone(),
        }
    };
    let base = if base.is_empty() { "root".to_owned() } else { base };
    unique(base, |r| taken.contains(r))
}

fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}#{n}")).find(|r| !taken(r)).unwrap_or(base)
}

/// The BOM of `inventory` in the JSON shape of `version`, and what could not be carried.
pub(crate) fn document(inventory: &Inventory, version: CycloneDxVersion) -> (Value, Vec<Diagnostic>) {
    let mut w = Writer { version, diagnostics: Vec::new() };
    let mut components: Vec<&Component> = inventory.components.iter().collect();
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let mut declared: HashSet<&str> = HashSet::with_capacity(components.len() + 1);
    let mut unique_components: Vec<&Component> = Vec::with_capacity(components.len());
    for c in components {
        if declared.insert(c.bom_ref.as_str()) {
            unique_components.push(c);
        } else {
            w.loss(&c.bom_ref, "a second component with the same bom-ref was left out".into());
        }
    }
    let components = unique_components;
    let root = inventory.metadata.component.as_ref();
    let root_bom_ref = root.map(|r| {
        let chosen = root_ref(r, &declared);
        if !r.bom_ref.is_empty() && chosen != r.bom_ref {
            w.loss(
                &r.bom_ref,
                format!("the described product shares its bom-ref with a component; written as `{chosen}`"),
            );
        }
        chosen
    });

    let mut bom = Map::new();
    bom.insert("bomFormat".into(), "CycloneDX".into());
    bom.insert("specVersion".into(), version.as_str().into());
    if let Some(serial) = &inventory.metadata.serial_number {
        if is_serial_number(serial) {
            bom.insert("serialNumber".into(), serial.clone().into());
        } else {
            w.loss(
                "metadata",
                format!("the serial number `{serial}` is not a `urn:uuid:` serial number and was left out"),
            );
        }
    }
    bom.insert("version".into(), 1.into());

    let mut metadata = Map::new();
    if let Some(timestamp) = &inventory.metadata.timestamp {
        if satisfies(Format::DateTime, timestamp) {
            metadata.insert("timestamp".into(), timestamp.clone().into());
        } else {
            w.loss("metadata", format!("the timestamp `{timestamp}` is not an RFC 3339 date-time and was left out"));
        }
    }
    if let Some(tools) = w.tools(&inventory.metadata.tools) {
        metadata.insert("tools".into(), tools);
    }
    let authors: Vec<Value> =
        inventory.metadata.authors.iter().filter_map(|a| w.contact("metadata", "author", a)).collect();
    if !authors.is_empty() {
        metadata.insert("authors".into(), Value::Array(authors));
    }
    if let (Some(root), Some(root_bom_ref)) = (root, &root_bom_ref) {
        let value = w.component(root, root_bom_ref, true);
        metadata.insert("component".into(), value);
    }
    if let Some(supplier) = &inventory.metadata.supplier
        && let Some(v) = w.organization("metadata", "supplier", supplier)
    {
        metadata.insert("supplier".into(), v);
    }
    let mut properties: Vec<(&str, String)> = inventory.sources.iter().map(|s| (PROPERTY_SOURCE, s.clone())).collect();
    properties.extend(inventory.skipped.iter().map(|s| (PROPERTY_SKIPPED, format!("{}: {}", s.path, s.reason))));
    if !properties.is_empty() {
        properties.sort();
        properties.dedup();
        let list: Vec<Value> = properties.into_iter().map(|(n, v)| json!({ "name": n, "value": v })).collect();
        metadata.insert("properties".into(), Value::Array(list));
    }
    if !metadata.is_empty() {
        bom.insert("metadata".into(), Value::Object(metadata));
    }

    let list: Vec<Value> = components.iter().map(|c| w.component(c, &c.bom_ref, false)).collect();
    bom.insert("components".into(), Value::Array(list));

    // The dependency graph: one entry per component (and for the product), each edge to a declared ref.
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let direct = inventory.direct_refs();
    if let (Some(root), Some(root_bom_ref)) = (root, &root_bom_ref) {
        let mut targets: Vec<&str> = Vec::new();
        for d in &direct {
            if declared.contains(d.as_str()) {
                targets.push(d);
            } else {
                w.loss(&root.bom_ref, format!("the dependency on `{d}` names no component and was left out"));
            }
        }
        targets.sort_unstable();
        targets.dedup();
        graph.insert(root_bom_ref, targets);
    }
    let root_ref_str = root_bom_ref.as_deref();
    for c in &components {
        let mut targets: Vec<&str> = Vec::with_capacity(c.dependencies.len());
        for d in &c.dependencies {
            if declared.contains(d.as_str()) || Some(d.as_str()) == root_ref_str {
                targets.push(d);
            } else {
                w.loss(&c.bom_ref, format!("the dependency on `{d}` names no component and was left out"));
            }
        }
        graph.insert(&c.bom_ref, targets);
    }
    if !graph.is_empty() {
        let list: Vec<Value> = graph
            .into_iter()
            .map(|(r, targets)| {
                let mut o = Map::new();
                o.insert("ref".into(), r.into());
                if !targets.is_empty() {
                    o.insert("dependsOn".into(), targets.into_iter().map(Value::from).collect());
                }
                Value::Object(o)
            })
            .collect();
        bom.insert("dependencies".into(), Value::Array(list));
    }
    (Value::Object(bom), w.diagnostics)
}

// ---------------------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------------------

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

fn owned(v: &Value, key: &str) -> Option<String> {
    text(v, key).map(str::to_owned)
}

/// Read any CycloneDX 1.4–1.7 JSON BOM into the neutral model. Fields the model has no place for are
/// skipped; values that do not fit it (an unknown hash algorithm, an unparsable purl) become diagnostics.
pub fn read(value: serde_json::Value) -> Result<ReadSbom, SbomError> {
    if !value.is_object() {
        return Err(SbomError::Malformed { line: None, message: "expected a CycloneDX BOM (a JSON object)".into() });
    }
    let spec = match value.get("specVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(SbomError::Malformed {
                line: None,
                message: format!("expected `specVersion` to be a string such as \"1.6\", found {other}"),
            });
        }
        None => {
            return Err(SbomError::Malformed {
                line: None,
                message: "a CycloneDX BOM without `specVersion`; expected 1.4, 1.5, 1.6 or 1.7".into(),
            });
        }
    };
    let version = CycloneDxVersion::parse(&spec).ok_or_else(|| {
        SbomError::Unsupported(format!("CycloneDX specVersion `{spec}` is not supported; cpsf reads 1.4 to 1.7"))
    })?;
    let mut reader = Reader::default();
    let inventory = reader.inventory(&value);
    let facts =
        DocumentFacts { relationship_count: reader.relationships, spec_version: spec, ..DocumentFacts::default() };
    Ok(ReadSbom { format: SbomFormat::CycloneDxJson(version), inventory, json: Some(value), facts })
}

#[derive(Default)]
struct Reader {
    diagnostics: Vec<Diagnostic>,
    relationships: usize,
}

/// A component object of the document with where it sits (a JSON pointer).
struct Found<'a> {
    pointer: String,
    value: &'a Value,
}

impl Reader {
    fn note(&mut self, pointer: &str, message: String) {
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::ConversionLoss, pointer, None, message));
    }

    fn inventory(&mut self, bom: &Value) -> Inventory {
        let mut inventory = Inventory::default();
        let metadata = bom.get("metadata").unwrap_or(&Value::Null);
        inventory.metadata.serial_number = owned(bom, "serialNumber");
        inventory.metadata.timestamp = owned(metadata, "timestamp");
        inventory.metadata.authors = list(metadata, "authors").iter().filter_map(contact).collect();
        inventory.metadata.supplier = metadata.get("supplier").and_then(organization);
        inventory.metadata.tools = tools(metadata.get("tools"));
        for p in list(metadata, "properties") {
            match (text(p, "name"), text(p, "value")) {
                (Some(PROPERTY_SOURCE), Some(v)) => inventory.sources.push(v.to_owned()),
                (Some(PROPERTY_SKIPPED), Some(v)) => {
                    let (path, reason) = v.split_once(": ").unwrap_or((v, ""));
                    inventory.skipped.push(SkippedFile { path: path.to_owned(), reason: reason.to_owned() });
                }
                _ => {}
            }
        }

        // Every component at any depth (nested `components` flattened), the product's sub-components too.
        let mut found: Vec<Found<'_>> = Vec::new();
        let mut stack: Vec<Found<'_>> = Vec::new();
        let root_value = metadata.get("component").filter(|c| c.is_object());
        if let Some(root) = root_value {
            push_children(&mut stack, "/metadata/component", root);
        }
        for (i, c) in list(bom, "components").iter().enumerate().rev() {
            stack.push(Found { pointer: format!("/components/{i}"), value: c });
        }
        while let Some(f) = stack.pop() {
            if !f.value.is_object() {
                continue;
            }
            push_children(&mut stack, &f.pointer, f.value);
            found.push(f);
        }
        let services = count_services(bom);
        if services > 0 {
            self.note("/services", format!("{services} service(s) are not carried by the inventory"));
        }

        // bom-refs: as written when unique, otherwise made unique; generated where missing.
        let mut taken: HashSet<String> = HashSet::new();
        if let Some(r) = root_value.and_then(|r| text(r, "bom-ref")) {
            taken.insert(r.to_owned());
        }
        let mut refs: Vec<Option<String>> = Vec::with_capacity(found.len());
        for f in &found {
            match text(f.value, "bom-ref") {
                Some(r) if taken.insert(r.to_owned()) => refs.push(Some(r.to_owned())),
                Some(r) => {
                    self.note(&f.pointer, format!("bom-ref `{r}` is used twice; this component gets another one"));
                    refs.push(None);
                }
                None => refs.push(None),
            }
        }
        let mut components: Vec<Component> = Vec::with_capacity(found.len());
        let mut by_ref: HashMap<String, usize> = HashMap::with_capacity(found.len());
        for (f, r) in found.iter().zip(refs) {
            let mut c = self.component(f.value, &f.pointer);
            c.bom_ref = match r {
                Some(r) => r,
                None => {
                    let base = c.purl.as_ref().map(Purl::to_string).unwrap_or_else(|| match &c.version {
                        Some(v) => format!("{}@{v}", c.name),
                        None => c.name.clone(),
                    });
                    let generated = unique(base, |x| taken.contains(x));
                    taken.insert(generated.clone());
                    generated
                }
            };
            if let Some(text) = text(f.value, "bom-ref") {
                by_ref.entry(text.to_owned()).or_insert(components.len());
            }
            components.push(c);
        }
        let mut root = root_value.map(|r| {
            let mut c = self.component(r, "/metadata/component");
            c.bom_ref = match text(r, "bom-ref") {
                Some(x) => x.to_owned(),
                None => {
                    let base = c.purl.as_ref().map(Purl::to_string).unwrap_or_else(|| c.name.clone());
                    let generated = unique(base, |x| taken.contains(x));
                    taken.insert(generated.clone());
                    generated
                }
            };
            c
        });

        // The dependency graph.
        let root_ref = root_value.and_then(|r| text(r, "bom-ref"));
        let mut dangling = 0usize;
        for d in list(bom, "dependencies") {
            let targets: Vec<&str> = list(d, "dependsOn").iter().filter_map(Value::as_str).collect();
            self.relationships += targets.len();
            let Some(from) = text(d, "ref") else { continue };
            let mut resolved: BTreeSet<String> = BTreeSet::new();
            for t in targets {
                if by_ref.contains_key(t) || Some(t) == root_ref {
                    resolved.insert(t.to_owned());
                } else {
                    dangling += 1;
                }
            }
            if Some(from) == root_ref {
                if let Some(root) = &mut root {
                    root.dependencies.extend(resolved);
                }
            } else if let Some(&i) = by_ref.get(from) {
                if let Some(c) = components.get_mut(i) {
                    c.dependencies.extend(resolved);
                }
            } else if !resolved.is_empty() {
                dangling += resolved.len();
            }
        }
        if dangling > 0 {
            self.note("/dependencies", format!("{dangling} dependency edge(s) name no component and were not read"));
        }
        inventory.metadata.component = root;
        inventory.extend_components(components);
        inventory.diagnostics = std::mem::take(&mut self.diagnostics);
        inventory
    }

    fn component(&mut self, v: &Value, pointer: &str) -> Component {
        let mut c = Component { name: owned(v, "name").unwrap_or_default(), ..Component::default() };
        match text(v, "type") {
            Some(t) => match ComponentKind::from_cyclonedx(t) {
                Some(kind) => c.kind = kind,
                None => self.note(
                    pointer,
                    format!("component type `{t}` has no equivalent in the inventory; read as a library"),
                ),
            },
            None => c.kind = ComponentKind::Library,
        }
        c.group = owned(v, "group").filter(|g| !g.is_empty());
        c.version = owned(v, "version");
        c.description = owned(v, "description");
        if let Some(p) = text(v, "purl") {
            match p.parse::<Purl>() {
                Ok(purl) => c.purl = Some(purl),
                Err(e) => self.note(pointer, format!("purl `{p}` could not be read ({e}) and was left out")),
            }
        }
        c.scope = match text(v, "scope") {
            Some("required") => Some(Scope::Required),
            Some("optional") => Some(Scope::Optional),
            Some("excluded") => Some(Scope::Dev),
            _ => None,
        };
        for h in list(v, "hashes") {
            let (Some(alg), Some(content)) = (text(h, "alg"), text(h, "content")) else { continue };
            match HashAlgorithm::parse(alg).and_then(|a| Hash::hex(a, content)) {
                Some(hash) if !c.hashes.contains(&hash) => c.hashes.push(hash),
                Some(_) => {}
                None => self
                    .note(pointer, format!("a hash `{alg}` is of an algorithm or length the inventory does not carry")),
            }
        }
        let mut concluded = 0usize;
        for l in list(v, "licenses") {
            let acknowledgement =
                text(l, "acknowledgement").or_else(|| l.get("license").and_then(|x| text(x, "acknowledgement")));
            let value = text(l, "expression")
                .or_else(|| l.get("license").and_then(|x| text(x, "id").or_else(|| text(x, "name"))))
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let Some(value) = value else { continue };
            if acknowledgement == Some("concluded") {
                concluded += 1;
                continue;
            }
            if !c.licenses.iter().any(|x| x == value) {
                c.licenses.push(value.to_owned());
            }
        }
        if concluded > 0 {
            self.note(
                pointer,
                format!("{concluded} concluded licence(s) were not read: the inventory carries declared licences"),
            );
        }
        c.supplier = v.get("supplier").and_then(organization);
        c.author = owned(v, "author").filter(|a| !a.is_empty()).or_else(|| {
            let names: Vec<&str> = list(v, "authors").iter().filter_map(|a| text(a, "name")).collect();
            (!names.is_empty()).then(|| names.join(", "))
        });
        c.download_location = list(v, "externalReferences")
            .iter()
            .find(|r| text(r, "type") == Some("distribution"))
            .and_then(|r| owned(r, "url"));
        if let Some(evidence) = v.get("evidence") {
            for o in list(evidence, "occurrences") {
                if let Some(path) = text(o, "location") {
                    let line = o.get("line").and_then(Value::as_u64).and_then(|l| u32::try_from(l).ok());
                    push_location(&mut c, Location::new(path, line));
                }
            }
        }
        for p in list(v, "properties") {
            match (text(p, "name"), text(p, "value")) {
                (Some(PROPERTY_DEPENDENCY), Some("direct")) => c.direct = Some(true),
                (Some(PROPERTY_DEPENDENCY), Some("transitive")) => c.direct = Some(false),
                (Some(PROPERTY_LOCATION), Some(value)) => {
                    let location = match value.rsplit_once(':') {
                        Some((path, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                            Location::new(path, line.parse().ok())
                        }
                        _ => Location::new(value, None),
                    };
                    push_location(&mut c, location);
                }
                _ => {}
            }
        }
        c
    }
}

fn push_location(c: &mut Component, location: Location) {
    if !c.locations.contains(&location) {
        c.locations.push(location);
    }
}

fn push_children<'a>(stack: &mut Vec<Found<'a>>, pointer: &str, value: &'a Value) {
    for (i, c) in list(value, "components").iter().enumerate().rev() {
        stack.push(Found { pointer: format!("{pointer}/components/{i}"), value: c });
    }
}

fn count_services(bom: &Value) -> usize {
    let mut count = 0;
    let mut stack: Vec<&Value> = list(bom, "services").iter().collect();
    while let Some(s) = stack.pop() {
        count += 1;
        stack.extend(list(s, "services"));
    }
    count
}

/// `organizationalEntity` → party: the name, the first URL and the first contact's email.
fn organization(v: &Value) -> Option<Party> {
    let name = owned(v, "name");
    let url = list(v, "url").iter().find_map(Value::as_str).map(str::to_owned);
    let email = list(v, "contact").iter().find_map(|c| owned(c, "email"));
    let name = name.or_else(|| list(v, "contact").iter().find_map(|c| owned(c, "name")));
    (name.is_some() || url.is_some() || email.is_some()).then(|| Party { name: name.unwrap_or_default(), email, url })
}

/// `organizationalContact` → party.
fn contact(v: &Value) -> Option<Party> {
    let name = owned(v, "name");
    let email = owned(v, "email");
    (name.is_some() || email.is_some()).then(|| Party { name: name.unwrap_or_default(), email, url: None })
}

/// Tools in every version's shape: the legacy array of `{vendor, name, version}` and the 1.5+ object of
/// `components` and `services`.
fn tools(v: Option<&Value>) -> Vec<Tool> {
    let tool = |name: Option<String>, version: Option<String>, vendor: Option<String>| {
        name.filter(|n| !n.is_empty()).map(|name| Tool { name, version, vendor })
    };
    match v {
        Some(Value::Array(legacy)) => {
            legacy.iter().filter_map(|t| tool(owned(t, "name"), owned(t, "version"), owned(t, "vendor"))).collect()
        }
        Some(Value::Object(_)) => {
            let v = v.unwrap_or(&Value::Null);
            let mut out: Vec<Tool> = list(v, "components")
                .iter()
                .filter_map(|c| {
                    let vendor = c
                        .get("manufacturer")
                        .and_then(|m| owned(m, "name"))
                        .or_else(|| owned(c, "author"))
                        .or_else(|| owned(c, "publisher"))
                        .or_else(|| c.get("supplier").and_then(|s| owned(s, "name")))
                        .or_else(|| owned(c, "group"));
                    tool(owned(c, "name"), owned(c, "version"), vendor)
                })
                .collect();
            out.extend(list(v, "services").iter().filter_map(|s| {
                let vendor = s.get("provider").and_then(|p| owned(p, "name")).or_else(|| owned(s, "group"));
                tool(owned(s, "name"), owned(s, "version"), vendor)
            }));
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_classes() {
        assert_eq!(classify_license("mit"), Some(LicenseEntry::Id("MIT".into())));
        assert_eq!(classify_license("MIT OR Apache-2.0"), Some(LicenseEntry::Expression("MIT OR Apache-2.0".into())));
        assert_eq!(classify_license("LicenseRef-x"), Some(LicenseEntry::Expression("LicenseRef-x".into())));
        // Deprecated identifiers are still in the CycloneDX enumeration.
        assert_eq!(classify_license("GPL-2.0+"), Some(LicenseEntry::Id("GPL-2.0+".into())));
        assert_eq!(classify_license("MIT+"), Some(LicenseEntry::Expression("MIT+".into())));
        assert_eq!(classify_license("Custom licence"), Some(LicenseEntry::Name("Custom licence".into())));
        assert_eq!(classify_license("  "), None);
    }
}
