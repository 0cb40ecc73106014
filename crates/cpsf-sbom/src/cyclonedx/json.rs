//! CycloneDX JSON: the writer (the document of `document.rs`, pretty-printed) and the reader (any 1.4–1.7
//! JSON BOM back into an [`Inventory`]); the XML reader converts to this JSON shape and reads through it.

use std::collections::{BTreeSet, HashMap, HashSet};

use cpsf_model::{
    Component, ComponentKind, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Inventory, Location, Party, Purl, Scope,
    SkippedFile, Tool,
};
use serde_json::Value;

use super::{PROPERTY_DEPENDENCY, PROPERTY_LOCATION, PROPERTY_SKIPPED, PROPERTY_SOURCE};
use crate::format::DocumentFacts;
use crate::{CycloneDxVersion, ReadSbom, SbomError, SbomFormat};

/// Serialize `inventory` as a pretty-printed CycloneDX JSON BOM of `version`, with a trailing newline.
/// The diagnostics say what the version cannot carry and was left out.
pub fn write(inventory: &Inventory, version: CycloneDxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, diagnostics) = super::document::build(inventory, version);
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| SbomError::Unsupported(format!("CycloneDX JSON could not be serialized: {e}")))?;
    text.push('\n');
    Ok((text, diagnostics))
}

/// As [`write`], and check the document against the official JSON schema of `version` at the same time: the
/// text is serialized on one thread while the same document, as a JSON value, is validated on another.
pub fn write_checked(
    inventory: &Inventory,
    version: CycloneDxVersion,
) -> Result<(String, Vec<Diagnostic>, crate::schema::SchemaReport), SbomError> {
    let (document, diagnostics) = super::document::build(inventory, version);
    let (text, report) = std::thread::scope(|scope| {
        let checker = scope.spawn(|| {
            serde_json::to_value(&document)
                .map(|value| crate::schema::validate_cyclonedx(&value, version))
                .map_err(|e| SbomError::Unsupported(format!("CycloneDX JSON could not be serialized: {e}")))
        });
        let text = serde_json::to_string_pretty(&document)
            .map_err(|e| SbomError::Unsupported(format!("CycloneDX JSON could not be serialized: {e}")));
        let report = checker
            .join()
            .unwrap_or_else(|_| Err(SbomError::Unsupported("the schema check of the written document failed".into())));
        (text, report)
    });
    let mut text = text?;
    text.push('\n');
    Ok((text, diagnostics, report?))
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
                    let generated = super::document::unique(base, |x| taken.contains(x));
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
                    let generated = super::document::unique(base, |x| taken.contains(x));
                    taken.insert(generated.clone());
                    generated
                }
            };
            c
        });

        // The dependency graph.
        let root_ref = root_value.and_then(|r| text(r, "bom-ref"));
        let mut dangling = 0usize;
        // The specification: a component that is not represented in the graph has unknown dependencies.
        let in_graph: BTreeSet<&str> = list(bom, "dependencies").iter().filter_map(|d| text(d, "ref")).collect();
        for c in &mut components {
            c.dependencies_unknown = !in_graph.contains(c.bom_ref.as_str());
        }
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
        restore_canonical_refs(&mut components, root.as_mut());
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

/// Refs that cpsf wrote with the escapes of a canonical purl decoded (see `document::wire_ref`) become that
/// canonical purl again, edges included, so an inventory read back keys its components as discovery does.
fn restore_canonical_refs(components: &mut [Component], root: Option<&mut Component>) {
    let taken: HashSet<String> = components.iter().map(|c| c.bom_ref.clone()).collect();
    let mut renamed: HashMap<String, String> = HashMap::new();
    for c in components.iter_mut() {
        let Some(canonical) = c.purl.as_ref().map(Purl::to_string) else { continue };
        if canonical != c.bom_ref
            && super::document::wire_ref(&canonical) == c.bom_ref
            && !taken.contains(&canonical)
            && !renamed.values().any(|v| v == &canonical)
        {
            renamed.insert(std::mem::replace(&mut c.bom_ref, canonical.clone()), canonical);
        }
    }
    if renamed.is_empty() {
        return;
    }
    let remap = |deps: &mut BTreeSet<String>| {
        if deps.iter().any(|d| renamed.contains_key(d)) {
            *deps = std::mem::take(deps).into_iter().map(|d| renamed.get(&d).cloned().unwrap_or(d)).collect();
        }
    };
    for c in components.iter_mut() {
        remap(&mut c.dependencies);
    }
    if let Some(root) = root {
        remap(&mut root.dependencies);
    }
}
