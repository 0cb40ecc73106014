//! Reading an OSCAL catalog (JSON, or the same model in YAML) into a catalog. Groups become entries of kind
//! `group`, controls (and their enhancements, nested controls) entries of kind `control`, with parents from
//! the nesting. An entry's id is the control's `label` property when it has one (NIST writes `AC-1` there
//! for the id `ac-1`), else the OSCAL id; its summary is the `statement` part's prose, nested parts
//! flattened. Properties in cpsf's namespace (written by `export::oscal`) give back kind, assessability,
//! weight, section, levels, catalog id and revision, and mapping links give back mappings, so an exported
//! catalog imports as it was. Withdrawn controls are left out.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{Header, ImportOptions, Imported, date_part, provenance, read_error, text_in, weight_of};
use crate::export::oscal::{MAPPING_URN, NS, percent_decode};
use crate::load::CatalogError;
use crate::model::{Entry, Kind, Lang, Level, Mapping, Relationship, Text};

/// Nesting deeper than this is not followed (OSCAL catalogs are a few levels deep).
const MAX_DEPTH: usize = 64;

/// The namespace NIST's own properties may carry.
const NIST_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// Read `text` (named `origin`) as an OSCAL catalog.
pub fn read(origin: &str, text: &str, options: &ImportOptions) -> Result<Imported, CatalogError> {
    let document = parse_document(origin, text)?;
    let Some(catalog) = document.get("catalog").and_then(Value::as_object) else {
        let message = if document.get("profile").is_some() {
            "this is an OSCAL profile, not a catalog: resolve the profile into a catalog first and import that"
        } else {
            "expected an OSCAL catalog: a top-level `catalog` object"
        };
        return Err(read_error(origin, message));
    };
    let mut warnings = Vec::new();
    let metadata = catalog.get("metadata").and_then(Value::as_object);
    if metadata.is_none() {
        warnings.push("/catalog/metadata: missing; title, version and publisher are unknown".into());
    }
    let meta_str = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Value::as_str).map(str::trim).unwrap_or("");
    let meta_props = metadata.and_then(|m| m.get("props"));
    let title = meta_str("title").to_string();
    let id = super::catalog_id(
        origin,
        options,
        &[our_prop(meta_props, "catalog-id").unwrap_or(""), super::file_stem(origin), &title],
        &mut warnings,
    )?;
    let revision = our_prop(meta_props, "revision").and_then(|r| r.parse::<u32>().ok()).unwrap_or(1);
    let header = Header {
        lang: options.lang,
        id,
        title: if title.is_empty() { Text::default() } else { text_in(options.lang, title) },
        publisher: publisher(metadata).map(|p| text_in(options.lang, p)).unwrap_or_default(),
        version: meta_str("version").to_string(),
        published: date_part(meta_str("published")),
        revision,
    };
    if header.publisher.is_empty() {
        warnings.push("/catalog/metadata: no publisher party; the catalog's publisher says it is not stated".into());
    }
    let levels = levels(meta_props, options.lang);
    let mut walker = Walker {
        origin,
        lang: options.lang,
        entries: Vec::new(),
        ids: HashSet::new(),
        warnings,
        withdrawn: 0,
        generated: 0,
    };
    walker.children(catalog, "/catalog", None, 0);
    if walker.withdrawn > 0 {
        walker.warnings.push(format!("{} withdrawn controls left out", walker.withdrawn));
    }
    super::finish(origin, header, walker.entries, levels, walker.warnings)
}

/// JSON, or YAML (OSCAL's other serialization); the JSON error is reported for text that looks like JSON.
fn parse_document(origin: &str, text: &str) -> Result<Value, CatalogError> {
    let text = text.trim_start_matches('\u{feff}');
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(json_error) => {
            if text.trim_start().starts_with('{') {
                return Err(read_error(
                    origin,
                    format!("line {}, column {}: {json_error}", json_error.line(), json_error.column()),
                ));
            }
            serde_norway::from_str::<Value>(text).map_err(|e| {
                let at =
                    e.location().map(|l| format!("line {}, column {}: ", l.line(), l.column())).unwrap_or_default();
                read_error(origin, format!("{at}{e}"))
            })
        }
    }
}

fn props_of(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object)
}

fn prop_str<'a>(p: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

/// The value of cpsf's property `name` among `props`.
fn our_prop<'a>(props: Option<&'a Value>, name: &str) -> Option<&'a str> {
    props_of(props)
        .find(|p| prop_str(p, "name") == Some(name) && prop_str(p, "ns") == Some(NS))
        .and_then(|p| prop_str(p, "value"))
        .map(str::trim)
}

/// A property `name` in OSCAL's own namespace (no `ns`, or NIST's); the first without a `class` wins.
fn nist_prop<'a>(props: Option<&'a Value>, name: &str) -> Option<&'a str> {
    let matching: Vec<&Map<String, Value>> = props_of(props)
        .filter(|p| prop_str(p, "name") == Some(name) && prop_str(p, "ns").is_none_or(|ns| ns == NIST_NS))
        .collect();
    matching
        .iter()
        .find(|p| p.get("class").is_none())
        .or(matching.first())
        .and_then(|p| prop_str(p, "value"))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The publisher's name: the party in the `publisher` role, else the first organization.
fn publisher(metadata: Option<&Map<String, Value>>) -> Option<String> {
    let metadata = metadata?;
    let parties: Vec<&Map<String, Value>> =
        metadata.get("parties").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object).collect();
    let name_of = |uuid: &str| {
        parties
            .iter()
            .find(|p| prop_str(p, "uuid") == Some(uuid))
            .and_then(|p| prop_str(p, "name"))
            .map(str::trim)
            .filter(|n| !n.is_empty())
    };
    // OSCAL 1.x: an array of {role-id, party-uuids}; some 1.0 drafts used an object keyed by role.
    let publisher_uuids: Vec<&str> = match metadata.get("responsible-parties") {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|r| r.get("role-id").and_then(Value::as_str) == Some("publisher"))
            .flat_map(|r| r.get("party-uuids").and_then(Value::as_array).into_iter().flatten())
            .filter_map(Value::as_str)
            .collect(),
        Some(Value::Object(map)) => map
            .get("publisher")
            .and_then(|r| r.get("party-uuids"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect(),
        _ => Vec::new(),
    };
    if let Some(name) = publisher_uuids.iter().find_map(|u| name_of(u)) {
        return Some(name.to_string());
    }
    parties
        .iter()
        .find(|p| prop_str(p, "type") == Some("organization"))
        .and_then(|p| prop_str(p, "name"))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// Levels from cpsf's `level` metadata properties (value = id, remarks = title).
fn levels(props: Option<&Value>, lang: Lang) -> Vec<Level> {
    let mut seen = HashSet::new();
    props_of(props)
        .filter(|p| prop_str(p, "name") == Some("level") && prop_str(p, "ns") == Some(NS))
        .filter_map(|p| {
            let id = prop_str(p, "value")?.trim();
            if id.is_empty() || !seen.insert(id.to_string()) {
                return None;
            }
            let title = prop_str(p, "remarks").map(str::trim).filter(|t| !t.is_empty()).unwrap_or(id);
            Some(Level {
                id: id.to_string(),
                title: text_in(lang, title),
                verified: false,
                note: Some("imported; not checked by cpsf".into()),
            })
        })
        .collect()
}

/// `{{ insert: param, id }}` (OSCAL's parameter insertion in prose) as `[id]`.
fn strip_insertions(prose: &str) -> String {
    let mut out = String::new();
    let mut rest = prose;
    while let Some(start) = rest.find("{{") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = after.find("}}") else {
            out.push_str(after);
            return out;
        };
        let inner = after.get(2..end).unwrap_or("");
        let name = inner.rsplit(',').next().unwrap_or(inner).trim();
        out.push('[');
        out.push_str(name);
        out.push(']');
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The prose of `part` and the parts under it, one line per part, each prefixed by its label.
fn flatten_prose(part: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let label = nist_prop(part.get("props"), "label");
    let prose = part.get("prose").and_then(Value::as_str).map(str::trim).unwrap_or("");
    match (label, prose.is_empty()) {
        (Some(l), false) => out.push(format!("{l} {}", strip_insertions(prose))),
        (None, false) => out.push(strip_insertions(prose)),
        _ => {}
    }
    for sub in part.get("parts").and_then(Value::as_array).into_iter().flatten() {
        let name = sub.get("name").and_then(Value::as_str).unwrap_or("");
        if matches!(name, "guidance" | "objective" | "assessment" | "assessment-objective" | "assessment-method") {
            continue;
        }
        flatten_prose(sub, out, depth + 1);
    }
}

fn summary_of(node: &Map<String, Value>) -> String {
    let parts: Vec<&Value> = node.get("parts").and_then(Value::as_array).into_iter().flatten().collect();
    let named = |name: &str| parts.iter().find(|p| p.get("name").and_then(Value::as_str) == Some(name));
    let Some(part) = named("statement").or_else(|| named("overview")) else {
        return String::new();
    };
    let mut lines = Vec::new();
    flatten_prose(part, &mut lines, 0);
    lines.join("\n")
}

fn mappings_of(node: &Map<String, Value>) -> Vec<Mapping> {
    node.get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let href = link.get("href")?.as_str()?.strip_prefix(MAPPING_URN)?;
            let (catalog, entry) = href.split_once(':')?;
            let target = format!("{}:{}", percent_decode(catalog)?, percent_decode(entry)?);
            let relationship = match link.get("rel").and_then(Value::as_str).unwrap_or("") {
                "equal" => Relationship::Equal,
                "subset" => Relationship::Subset,
                "superset" => Relationship::Superset,
                "intersect" => Relationship::Intersect,
                _ => Relationship::Related,
            };
            let mapping = Mapping { target, relationship, verified: false, note: None };
            mapping.target_parts().is_some().then_some(mapping)
        })
        .collect()
}

struct Walker<'a> {
    origin: &'a str,
    lang: Lang,
    entries: Vec<Entry>,
    ids: HashSet<String>,
    warnings: Vec<String>,
    withdrawn: usize,
    generated: usize,
}

impl Walker<'_> {
    /// The groups and controls of `node`, in document order.
    fn children(&mut self, node: &Map<String, Value>, pointer: &str, parent: Option<&str>, depth: usize) {
        if depth > MAX_DEPTH {
            self.warnings.push(format!("{pointer}: nested deeper than {MAX_DEPTH} levels; the rest is left out"));
            return;
        }
        for (key, value) in node {
            let is_group = match key.as_str() {
                "groups" => true,
                "controls" => false,
                _ => continue,
            };
            let Some(list) = value.as_array() else {
                self.warnings.push(format!("{pointer}/{key}: expected a list; skipped"));
                continue;
            };
            for (i, child) in list.iter().enumerate() {
                self.node(child, &format!("{pointer}/{key}/{i}"), is_group, parent, depth);
            }
        }
    }

    fn node(&mut self, value: &Value, pointer: &str, is_group: bool, parent: Option<&str>, depth: usize) {
        let Some(node) = value.as_object() else {
            self.warnings.push(format!("{pointer}: expected an object; skipped"));
            return;
        };
        let props = node.get("props");
        if nist_prop(props, "status").is_some_and(|s| s.eq_ignore_ascii_case("withdrawn")) {
            self.withdrawn += 1;
            return;
        }
        let oscal_id = node.get("id").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let title = node.get("title").and_then(Value::as_str).map(str::trim).unwrap_or("");
        let label = nist_prop(props, "label");
        let id = [label, oscal_id].into_iter().flatten().find(|c| !self.ids.contains(*c)).map(str::to_string);
        let id = match id {
            Some(id) => id,
            None if is_group && oscal_id.is_none() && label.is_none() => {
                let mut id = String::new();
                while id.is_empty() || self.ids.contains(&id) {
                    self.generated += 1;
                    id = format!("group-{}", self.generated);
                }
                self.warnings.push(format!("{pointer}: group without an id; given `{id}`"));
                id
            }
            None => {
                let what = match (label, oscal_id) {
                    (Some(l), _) => format!("id `{l}` appears more than once"),
                    (None, Some(o)) => format!("id `{o}` appears more than once"),
                    (None, None) => "no id".to_string(),
                };
                self.warnings.push(format!("{pointer}: {what}; skipped, its children are kept under its parent"));
                self.children(node, pointer, parent, depth + 1);
                return;
            }
        };
        if title.is_empty() {
            self.warnings
                .push(format!("{pointer} (`{id}`): no title; skipped, its children are kept under its parent"));
            self.children(node, pointer, parent, depth + 1);
            return;
        }
        self.ids.insert(id.clone());
        let default_kind = if is_group { Kind::Group } else { Kind::Control };
        let kind = match our_prop(props, "kind") {
            Some(k) => Kind::parse(k).unwrap_or_else(|| {
                self.warnings
                    .push(format!("{pointer} (`{id}`): unknown kind `{k}`; read as {}", default_kind.as_str()));
                default_kind
            }),
            None => default_kind,
        };
        let assessable_default = kind.assessable_by_default();
        let assessable = match our_prop(props, "assessable") {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ if kind == default_kind => None,
            // A kind from the property but no assessability: follow the structure (controls are assessed).
            _ => Some(!is_group),
        }
        .filter(|a| *a != assessable_default);
        let weight = match our_prop(props, "weight") {
            Some(w) => {
                let parsed = weight_of(&Value::String(w.to_string()));
                if parsed.is_none() {
                    self.warnings.push(format!("{pointer} (`{id}`): weight `{w}` is not a number above 0; ignored"));
                }
                parsed
            }
            None => None,
        };
        let section = our_prop(props, "section").map(str::to_string);
        let mut summary = Text::default();
        super::set_text(&mut summary, self.lang, &summary_of(node));
        self.entries.push(Entry {
            id: id.clone(),
            parent: parent.map(str::to_string),
            kind,
            title: text_in(self.lang, title),
            summary,
            assessable,
            weight,
            mappings: mappings_of(node),
            checks: Vec::new(),
            provenance: provenance(self.origin, section),
        });
        self.children(node, pointer, Some(&id), depth + 1);
    }
}
