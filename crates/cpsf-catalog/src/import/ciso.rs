//! Reading a CISO Assistant library (YAML) that holds a framework. `objects.framework.requirement_nodes`
//! become entries: assessable nodes `requirement`, the others `group`, the tree from `parent_urn`. An entry's
//! id is the node's `ref_id` when it has one that no other node shares, else the last segment of its URN.
//! The node's `name` and `description` fill the import language's side; a translation into the other
//! language (`translations: {ja: {name, description}}`) fills the other side. `scores_definition` becomes
//! the catalog's levels when it is a usable scale; `objects.requirement_mapping_sets` become mappings when
//! both ends are requirements of this file's framework (a mapping library's frameworks live in other files,
//! so those sets are skipped with a warning).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{Header, ImportOptions, Imported, date_part, first_line, other, provenance, read_error, text_in};
use crate::load::CatalogError;
use crate::model::{Entry, Kind, Lang, Level, Mapping, Relationship, Text};

/// Read `text` (named `origin`) as a CISO Assistant library.
pub fn read(origin: &str, text: &str, options: &ImportOptions) -> Result<Imported, CatalogError> {
    let document: Value = serde_norway::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!("line {}, column {}: ", l.line(), l.column())).unwrap_or_default();
        read_error(origin, format!("{at}{e}"))
    })?;
    let Some(root) = document.as_object() else {
        return Err(read_error(
            origin,
            "expected a CISO Assistant library: a mapping with `urn`, `name` and `objects`",
        ));
    };
    let Some(objects) = root.get("objects").and_then(Value::as_object) else {
        return Err(read_error(origin, "objects: missing; expected a CISO Assistant library with `objects.framework`"));
    };
    let mut warnings = Vec::new();
    let framework = match objects.get("framework") {
        Some(Value::Object(f)) => f,
        Some(Value::Array(list)) => {
            let Some(first) = list.iter().find_map(Value::as_object) else {
                return Err(read_error(origin, "objects.framework: expected a framework mapping"));
            };
            if list.len() > 1 {
                warnings.push(format!("objects.framework: {} frameworks; only the first is read", list.len()));
            }
            first
        }
        _ => {
            return Err(read_error(
                origin,
                "objects.framework: missing; this library holds no framework (it may hold only mappings, threats or a risk matrix)",
            ));
        }
    };
    let lang = options.lang;
    let second = other(lang);
    if let Some(locale) = root.get("locale").and_then(Value::as_str)
        && Lang::parse(locale) != Some(lang)
    {
        warnings.push(format!(
            "the library's locale is `{locale}`; its text is stored as {} (the import language)",
            lang.code()
        ));
    }
    let urn_tail = |urn: &str| urn.rsplit(':').next().unwrap_or("").to_string();
    let framework_urn = s(framework, "urn").to_string();
    let candidates = [s(root, "ref_id"), s(framework, "ref_id"), &urn_tail(s(root, "urn")), super::file_stem(origin)];
    let id = super::catalog_id(origin, options, &candidates, &mut warnings)?;
    let mut title = Text::default();
    super::set_text(&mut title, lang, first_non_empty(&[s(framework, "name"), s(root, "name")]));
    super::set_text(
        &mut title,
        second,
        first_non_empty(&[translation(framework, second, "name"), translation(root, second, "name")]),
    );
    let publisher_name = first_non_empty(&[s(root, "provider"), s(framework, "provider")]);
    if publisher_name.is_empty() {
        warnings.push("provider: missing; the catalog's publisher says it is not stated".into());
    }
    let version = match root.get("version") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(v)) => v.trim().to_string(),
        _ => String::new(),
    };
    let header = Header {
        lang: options.lang,
        id: id.clone(),
        title,
        publisher: if publisher_name.is_empty() { Text::default() } else { text_in(lang, publisher_name) },
        revision: version.parse::<u32>().ok().filter(|r| *r > 0).unwrap_or(1),
        version,
        published: root.get("publication_date").and_then(Value::as_str).and_then(date_part),
    };
    let levels = levels(framework, lang, &mut warnings);

    let Some(nodes) = framework.get("requirement_nodes").and_then(Value::as_array) else {
        return Err(read_error(origin, "objects.framework.requirement_nodes: expected a list of requirement nodes"));
    };
    // First pass: which node gets which id, so parents and mappings can be resolved in any order.
    let mut ref_counts: HashMap<&str, usize> = HashMap::new();
    for node in nodes {
        if let Some(r) = node.get("ref_id").and_then(Value::as_str).map(str::trim).filter(|r| !r.is_empty()) {
            *ref_counts.entry(r).or_default() += 1;
        }
    }
    let mut used: HashSet<String> = HashSet::new();
    let mut by_urn: HashMap<String, String> = HashMap::new();
    let mut accepted: Vec<(usize, &Map<String, Value>, String)> = Vec::new();
    for (i, value) in nodes.iter().enumerate() {
        let at = format!("objects.framework.requirement_nodes[{i}]");
        let Some(node) = value.as_object() else {
            warnings.push(format!("{at}: expected a mapping; skipped"));
            continue;
        };
        let urn = s(node, "urn");
        if urn.is_empty() {
            warnings.push(format!("{at}: no urn; skipped"));
            continue;
        }
        if by_urn.contains_key(urn) {
            warnings.push(format!("{at}: urn `{urn}` appears more than once; skipped"));
            continue;
        }
        let ref_id = s(node, "ref_id");
        let tail = urn_tail(urn);
        let id = [
            (!ref_id.is_empty() && ref_counts.get(ref_id) == Some(&1)).then(|| ref_id.to_string()),
            Some(tail).filter(|t| !t.is_empty()),
            Some(urn.to_string()),
        ]
        .into_iter()
        .flatten()
        .find(|c| !used.contains(c));
        let Some(id) = id else {
            warnings.push(format!("{at}: no unused id (ref_id, urn); skipped"));
            continue;
        };
        used.insert(id.clone());
        by_urn.insert(urn.to_string(), id.clone());
        accepted.push((i, node, id));
    }

    let mut entries: Vec<Entry> = Vec::new();
    for (i, node, id) in accepted {
        let at = format!("objects.framework.requirement_nodes[{i}]");
        let name = s(node, "name");
        let ref_id = s(node, "ref_id");
        let description = s(node, "description");
        let title_here = if !name.is_empty() {
            name.to_string()
        } else if !ref_id.is_empty() {
            ref_id.to_string()
        } else {
            first_line(description, 120)
        };
        let mut title = Text::default();
        super::set_text(&mut title, lang, &title_here);
        super::set_text(&mut title, second, translation(node, second, "name"));
        if title.is_empty() {
            warnings.push(format!("{at} (`{id}`): no name, ref_id or description; skipped"));
            by_urn.remove(s(node, "urn"));
            continue;
        }
        let mut summary = Text::default();
        super::set_text(&mut summary, lang, description);
        super::set_text(&mut summary, second, translation(node, second, "description"));
        let assessable = match node.get("assessable") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(v)) => v.trim().eq_ignore_ascii_case("true"),
            _ => false,
        };
        let parent = match s(node, "parent_urn") {
            "" => None,
            parent_urn => match by_urn.get(parent_urn) {
                Some(parent) => Some(parent.clone()),
                None => {
                    warnings.push(format!(
                        "{at} (`{id}`): parent_urn `{parent_urn}` names no node of this framework; kept as a top-level entry"
                    ));
                    None
                }
            },
        };
        let weight = node.get("weight").and_then(super::weight_of).filter(|w| *w != 1.0);
        entries.push(Entry {
            id,
            parent,
            kind: if assessable { Kind::Requirement } else { Kind::Group },
            title,
            summary,
            assessable: None,
            weight,
            mappings: Vec::new(),
            checks: Vec::new(),
            provenance: provenance(origin, None),
        });
    }
    mappings(objects, &framework_urn, &id, &by_urn, &mut entries, &mut warnings);
    super::finish(origin, header, entries, levels, warnings)
}

/// `map.<key>` as a trimmed string, empty when absent.
fn s<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).map(str::trim).unwrap_or("")
}

fn first_non_empty<'a>(values: &[&'a str]) -> &'a str {
    values.iter().copied().find(|v| !v.is_empty()).unwrap_or("")
}

/// `map.translations.<lang>.<key>` (the language key may be regional, e.g. `ja-JP`).
fn translation<'a>(map: &'a Map<String, Value>, lang: Lang, key: &str) -> &'a str {
    map.get("translations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .find(|(code, _)| Lang::parse(code) == Some(lang))
        .and_then(|(_, t)| t.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
}

/// The framework's `scores_definition` as levels, lowest first, when every score has a number and a name
/// and no two share a number.
fn levels(framework: &Map<String, Value>, lang: Lang, warnings: &mut Vec<String>) -> Vec<Level> {
    let Some(definition) = framework.get("scores_definition") else { return Vec::new() };
    let skip = |why: &str, warnings: &mut Vec<String>| {
        warnings.push(format!("objects.framework.scores_definition: not used as levels: {why}"));
        Vec::new()
    };
    let Some(list) = definition.as_array() else { return skip("expected a list", warnings) };
    if list.len() < 2 {
        return skip("fewer than two scores", warnings);
    }
    let mut scores: Vec<(i64, &Map<String, Value>)> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let Some(map) = item.as_object() else { return skip(&format!("item {i} is not a mapping"), warnings) };
        let Some(score) = map.get("score").and_then(Value::as_i64) else {
            return skip(&format!("item {i} has no whole-number score"), warnings);
        };
        if map.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
            return skip(&format!("item {i} has no name"), warnings);
        }
        if scores.iter().any(|(s, _)| *s == score) {
            return skip(&format!("score {score} appears twice"), warnings);
        }
        scores.push((score, map));
    }
    scores.sort_by_key(|(s, _)| *s);
    let mut ids = HashSet::new();
    scores
        .into_iter()
        .map(|(score, map)| {
            let name = map.get("name").and_then(Value::as_str).map(str::trim).unwrap_or("");
            let id =
                super::sanitize_id(name).filter(|id| !ids.contains(id)).unwrap_or_else(|| format!("score-{score}"));
            ids.insert(id.clone());
            let mut title = text_in(lang, name);
            super::set_text(&mut title, other(lang), translation(map, other(lang), "name"));
            Level { id, title, verified: false, note: Some(format!("score {score} in the imported library")) }
        })
        .collect()
}

/// Mappings between requirements of this file's framework; sets that map to or from another framework are
/// skipped with a warning.
fn mappings(
    objects: &Map<String, Value>,
    framework_urn: &str,
    catalog_id: &str,
    by_urn: &HashMap<String, String>,
    entries: &mut [Entry],
    warnings: &mut Vec<String>,
) {
    let sets: Vec<(String, &Value)> =
        match (objects.get("requirement_mapping_sets"), objects.get("requirement_mapping_set")) {
            (Some(Value::Array(list)), _) => {
                list.iter().enumerate().map(|(j, v)| (format!("objects.requirement_mapping_sets[{j}]"), v)).collect()
            }
            (_, Some(v @ Value::Object(_))) => vec![("objects.requirement_mapping_set".to_string(), v)],
            _ => return,
        };
    let index: HashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    for (at, set) in sets {
        let source = set.get("source_framework_urn").and_then(Value::as_str).unwrap_or("");
        let target = set.get("target_framework_urn").and_then(Value::as_str).unwrap_or("");
        let list: Vec<&Value> =
            set.get("requirement_mappings").and_then(Value::as_array).into_iter().flatten().collect();
        if source != framework_urn || target != framework_urn {
            warnings.push(format!(
                "{at}: maps `{source}` to `{target}`, a framework that is not in this file; its {} mappings are skipped",
                list.len()
            ));
            continue;
        }
        for (k, mapping) in list.iter().enumerate() {
            let from = mapping.get("source_requirement_urn").and_then(Value::as_str).and_then(|u| by_urn.get(u));
            let to = mapping.get("target_requirement_urn").and_then(Value::as_str).and_then(|u| by_urn.get(u));
            let (Some(from), Some(to)) = (from, to) else {
                warnings.push(format!(
                    "{at}.requirement_mappings[{k}]: a requirement it names is not in the framework; skipped"
                ));
                continue;
            };
            let relationship = match mapping.get("relationship").and_then(Value::as_str).unwrap_or("") {
                "equal" => Relationship::Equal,
                "subset" => Relationship::Subset,
                "superset" => Relationship::Superset,
                "intersect" => Relationship::Intersect,
                "not_related" => continue,
                other => {
                    warnings.push(format!("{at}.requirement_mappings[{k}]: relationship `{other}` read as `related`"));
                    Relationship::Related
                }
            };
            if let Some(entry) = index.get(from).and_then(|&i| entries.get_mut(i)) {
                entry.mappings.push(Mapping {
                    target: format!("{catalog_id}:{to}"),
                    relationship,
                    verified: false,
                    note: None,
                });
            }
        }
    }
}
