//! A catalog as an OSCAL 1.1.2 catalog (JSON), and the OSCAL vocabulary cpsf's exports share.
//!
//! Structure: entries that are not assessed become `groups`, assessed entries `controls` (with `class` = the
//! entry's kind); a group's children must be all groups or all controls, so when a group mixes them, all its
//! children become controls and the ones that are not assessed say so in a property. Every entry keeps its
//! original id in a `label` property (OSCAL ids must be tokens, so `CPS.AM-1` is written `cps.am-1`), its
//! summary as the `statement` part (`overview` for groups), its mappings as links, and its kind, weight and
//! provenance as properties in the [`NS`] namespace. The catalog's sources become back-matter resources.
//! Text is in one language, chosen by the caller.
//!
//! UUIDs are name-based (v5) under a namespace derived from [`NS`], so the same catalog always exports to
//! the same document.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::model::{Catalog, Entry, Lang};

/// The namespace of cpsf's own OSCAL properties (`ns` on `props`). It names no web resource; it only tells
/// cpsf's properties from NIST's and other tools'. Properties in it: `catalog-id`, `revision`, `level`
/// (metadata); `kind`, `assessable`, `weight`, `verified`, `source`, `section`, `page`, `check` (entries);
/// `source-id`, `edition`, `date` (back-matter resources); and the assessment-results properties listed in
/// `cpsf_assess::oscal`.
pub const NS: &str = "https://cpsf.invalid/ns/oscal";

/// The OSCAL version cpsf writes.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The prefix of a mapping link's `href`: `urn:cpsf:mapping:<catalog id>:<entry id, percent-encoded>`.
pub const MAPPING_URN: &str = "urn:cpsf:mapping:";

/// Controls nested deeper than this are left out (a catalog is a few levels deep; this bounds recursion).
const MAX_DEPTH: usize = 64;

/// A name-based (v5) UUID for `name`, under cpsf's OSCAL namespace.
pub fn uuid(name: &str) -> String {
    let root = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
    Uuid::new_v5(&root, name.as_bytes()).to_string()
}

/// `id` as an OSCAL token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`): ASCII letters lowercased, digits, `.`, `-` and
/// `_` kept, any other character replaced by `_`, and `_` put in front when the first character is not a
/// letter.
pub fn token(id: &str) -> String {
    let mut out: String = id
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The OSCAL id of every entry of `catalog`: its [`token`], made unique by a `-2`, `-3`, ... suffix in
/// catalog order. The catalog export and the assessment-results export both use this.
pub fn control_ids(catalog: &Catalog) -> HashMap<String, String> {
    let mut used = HashSet::new();
    let mut out = HashMap::new();
    for entry in &catalog.entries {
        if out.contains_key(&entry.id) {
            continue;
        }
        let base = token(&entry.id);
        let mut candidate = base.clone();
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        out.insert(entry.id.clone(), candidate);
    }
    out
}

/// `text` as an OSCAL string (non-empty, no leading or trailing whitespace, one line): whitespace runs
/// become one space. `None` when nothing is left.
pub fn string_value(text: &str) -> Option<String> {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// `text` as an OSCAL markup line (one line, not empty), `fallback` when it is empty.
pub fn markup_line(text: &str, fallback: &str) -> String {
    string_value(text).or_else(|| string_value(fallback)).unwrap_or_else(|| "-".to_string())
}

/// A property in cpsf's namespace; `None` when the value is empty.
pub fn prop(name: &str, value: &str) -> Option<Value> {
    string_value(value).map(|v| json!({"name": name, "ns": NS, "value": v}))
}

/// A date (`YYYY-MM-DD`) or an RFC 3339 timestamp as an OSCAL date-time with a timezone (UTC), whole
/// seconds. `None` when it is neither, or outside the years OSCAL's pattern accepts (1900–2999).
pub fn datetime(value: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let value = value.trim();
    let at = if value.len() == 10 {
        let date = time::Date::parse(value, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        date.midnight().assume_utc()
    } else {
        time::OffsetDateTime::parse(value, &Rfc3339).ok()?.to_offset(time::UtcOffset::UTC)
    };
    if !(1900..=2999).contains(&at.year()) {
        return None;
    }
    let at = at.replace_nanosecond(0).ok()?;
    at.format(&Rfc3339).ok()
}

/// Percent-encode everything but RFC 3986 unreserved characters (for entry ids inside a URN).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undo [`percent_encode`]; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `catalog` as an OSCAL 1.1.2 catalog with its text in `lang`. `last-modified` is the catalog's
/// publication date, else the newest date of its sources, else the Unix epoch (a catalog carries no
/// modification time); use [`catalog_at`] to state one.
pub fn catalog(catalog: &Catalog, lang: Lang) -> Value {
    let fallback = catalog
        .published
        .as_deref()
        .and_then(datetime)
        .or_else(|| catalog.sources.iter().filter_map(|s| s.date.as_deref().and_then(datetime)).max())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    catalog_at(catalog, lang, &fallback)
}

/// [`catalog`] with `last_modified` (RFC 3339) as the document's modification time.
pub fn catalog_at(catalog: &Catalog, lang: Lang, last_modified: &str) -> Value {
    let exporter = Exporter::new(catalog, lang);
    let mut root = Map::new();
    root.insert("uuid".into(), json!(uuid(&format!("catalog/{}/{}/{}", catalog.id, catalog.revision, lang.code()))));
    root.insert("metadata".into(), exporter.metadata(last_modified));
    let mut groups = Vec::new();
    let mut controls = Vec::new();
    let mut visited = HashSet::new();
    for entry in exporter.children(None) {
        if exporter.groups.contains(entry.id.as_str()) {
            groups.push(exporter.group(entry, 0, &mut visited));
        } else {
            controls.push(exporter.control(entry, 0, &mut visited));
        }
    }
    if !groups.is_empty() {
        root.insert("groups".into(), Value::Array(groups));
    }
    if !controls.is_empty() {
        root.insert("controls".into(), Value::Array(controls));
    }
    let resources: Vec<Value> = catalog.sources.iter().map(|s| exporter.resource(s)).collect();
    if !resources.is_empty() {
        root.insert("back-matter".into(), json!({"resources": resources}));
    }
    json!({"catalog": Value::Object(root)})
}

struct Exporter<'a> {
    catalog: &'a Catalog,
    lang: Lang,
    ids: HashMap<String, String>,
    /// Entry id → the entries under it (by parents that resolve), in catalog order.
    children: HashMap<Option<&'a str>, Vec<&'a Entry>>,
    /// Entries written as OSCAL groups.
    groups: HashSet<&'a str>,
}

impl<'a> Exporter<'a> {
    fn new(catalog: &'a Catalog, lang: Lang) -> Exporter<'a> {
        let known: HashSet<&str> = catalog.entries.iter().map(|e| e.id.as_str()).collect();
        let mut children: HashMap<Option<&str>, Vec<&Entry>> = HashMap::new();
        let mut seen = HashSet::new();
        for entry in &catalog.entries {
            if !seen.insert(entry.id.as_str()) {
                continue;
            }
            let parent = entry.parent.as_deref().filter(|p| *p != entry.id && known.contains(p));
            children.entry(parent).or_default().push(entry);
        }
        let mut exporter = Exporter { catalog, lang, ids: control_ids(catalog), children, groups: HashSet::new() };
        exporter.mark_groups();
        exporter
    }

    fn children(&self, parent: Option<&'a str>) -> impl Iterator<Item = &'a Entry> + '_ {
        self.children.get(&parent).into_iter().flatten().copied()
    }

    /// Decide which entries are groups: not assessed, under the root or under a group, and (below the root)
    /// with siblings that are all not assessed either.
    fn mark_groups(&mut self) {
        let mut stack: Vec<(Option<&'a str>, bool, usize)> = vec![(None, true, 0)];
        let mut visited = HashSet::new();
        while let Some((parent, parent_is_group, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            let kids: Vec<&'a Entry> = self.children(parent).collect();
            let all_groups = kids.iter().all(|e| !e.is_assessable());
            for kid in kids {
                if !visited.insert(kid.id.as_str()) {
                    continue;
                }
                let is_group = parent_is_group && !kid.is_assessable() && (parent.is_none() || all_groups);
                if is_group {
                    self.groups.insert(kid.id.as_str());
                }
                stack.push((Some(kid.id.as_str()), is_group, depth + 1));
            }
        }
    }

    fn oscal_id(&self, entry: &Entry) -> String {
        self.ids.get(&entry.id).cloned().unwrap_or_else(|| token(&entry.id))
    }

    fn metadata(&self, last_modified: &str) -> Value {
        let c = self.catalog;
        let mut m = Map::new();
        m.insert("title".into(), json!(markup_line(c.title.get(self.lang), &c.id)));
        if let Some(published) = c.published.as_deref().and_then(datetime) {
            m.insert("published".into(), json!(published));
        }
        let modified = datetime(last_modified).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
        m.insert("last-modified".into(), json!(modified));
        let version = string_value(&c.version).unwrap_or_else(|| format!("cpsf revision {}", c.revision));
        m.insert("version".into(), json!(version));
        m.insert("oscal-version".into(), json!(OSCAL_VERSION));
        let mut props: Vec<Value> =
            [prop("catalog-id", &c.id), prop("revision", &c.revision.to_string())].into_iter().flatten().collect();
        for level in &c.levels {
            if let Some(mut p) = prop("level", &level.id) {
                if let (Some(obj), Some(title)) = (p.as_object_mut(), string_value(level.title.get(self.lang))) {
                    obj.insert("remarks".into(), json!(title));
                }
                props.push(p);
            }
        }
        m.insert("props".into(), Value::Array(props));
        if let Some(name) = string_value(c.publisher.get(self.lang)) {
            let party = uuid(&format!("party/{}/publisher", c.id));
            m.insert("roles".into(), json!([{"id": "publisher", "title": "Publisher"}]));
            m.insert("parties".into(), json!([{"uuid": party, "type": "organization", "name": name}]));
            m.insert("responsible-parties".into(), json!([{"role-id": "publisher", "party-uuids": [party]}]));
        }
        let description = c.description.get(self.lang).trim();
        if !description.is_empty() {
            m.insert("remarks".into(), json!(description));
        }
        Value::Object(m)
    }

    fn resource(&self, source: &crate::model::Source) -> Value {
        let mut r = Map::new();
        r.insert("uuid".into(), json!(self.source_uuid(&source.id)));
        r.insert("title".into(), json!(markup_line(source.title.get(self.lang), &source.id)));
        let props: Vec<Value> = [
            prop("source-id", &source.id),
            source.edition.as_deref().and_then(|e| prop("edition", e)),
            source.date.as_deref().and_then(|d| prop("date", d)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !props.is_empty() {
            r.insert("props".into(), Value::Array(props));
        }
        if let Some(url) = source.url.as_deref().and_then(string_value) {
            r.insert("rlinks".into(), json!([{"href": url}]));
        }
        Value::Object(r)
    }

    fn source_uuid(&self, source: &str) -> String {
        uuid(&format!("source/{}/{}", self.catalog.id, source))
    }

    /// The fields groups and controls share: id, class, title, props, links, parts.
    fn common(&self, entry: &Entry, part_name: &str) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert("id".into(), json!(self.oscal_id(entry)));
        o.insert("class".into(), json!(entry.kind.as_str()));
        o.insert("title".into(), json!(markup_line(entry.title.get(self.lang), &entry.id)));
        let p = &entry.provenance;
        let mut props: Vec<Value> = Vec::new();
        if let Some(label) = string_value(&entry.id) {
            props.push(json!({"name": "label", "value": label}));
        }
        props.extend(
            [
                prop("kind", entry.kind.as_str()),
                prop("assessable", if entry.is_assessable() { "true" } else { "false" }),
                entry.weight.and_then(|w| prop("weight", &w.to_string())),
                prop("verified", if p.verified { "true" } else { "false" }),
                prop("source", &p.source),
                p.section.as_deref().and_then(|s| prop("section", s)),
                p.page.as_deref().and_then(|s| prop("page", s)),
            ]
            .into_iter()
            .flatten(),
        );
        props.extend(entry.checks.iter().filter_map(|c| prop("check", c.kind())));
        o.insert("props".into(), Value::Array(props));
        let mut links: Vec<Value> = entry
            .mappings
            .iter()
            .filter_map(|m| {
                let (catalog, target) = m.target_parts()?;
                Some(json!({
                    "href": format!("{MAPPING_URN}{}:{}", percent_encode(catalog), percent_encode(target)),
                    "rel": m.relationship.as_str(),
                    "text": markup_line(&m.target, "mapping"),
                }))
            })
            .collect();
        if self.catalog.source(&p.source).is_some() {
            links.push(json!({"href": format!("#{}", self.source_uuid(&p.source)), "rel": "reference"}));
        }
        if !links.is_empty() {
            o.insert("links".into(), Value::Array(links));
        }
        let summary = entry.summary.get(self.lang).trim();
        if !summary.is_empty() {
            o.insert("parts".into(), json!([{"name": part_name, "prose": summary}]));
        }
        o
    }

    fn group(&self, entry: &'a Entry, depth: usize, visited: &mut HashSet<&'a str>) -> Value {
        visited.insert(entry.id.as_str());
        let mut o = self.common(entry, "overview");
        if depth < MAX_DEPTH {
            let mut groups = Vec::new();
            let mut controls = Vec::new();
            for kid in self.children(Some(entry.id.as_str())) {
                if visited.contains(kid.id.as_str()) {
                    continue;
                }
                if self.groups.contains(kid.id.as_str()) {
                    groups.push(self.group(kid, depth + 1, visited));
                } else {
                    controls.push(self.control(kid, depth + 1, visited));
                }
            }
            // mark_groups makes a group's children all groups or all controls; OSCAL allows only one kind.
            if !groups.is_empty() {
                o.insert("groups".into(), Value::Array(groups));
            } else if !controls.is_empty() {
                o.insert("controls".into(), Value::Array(controls));
            }
        }
        Value::Object(o)
    }

    fn control(&self, entry: &'a Entry, depth: usize, visited: &mut HashSet<&'a str>) -> Value {
        visited.insert(entry.id.as_str());
        let mut o = self.common(entry, "statement");
        if depth < MAX_DEPTH {
            let mut controls = Vec::new();
            for kid in self.children(Some(entry.id.as_str())) {
                if visited.contains(kid.id.as_str()) {
                    continue;
                }
                controls.push(self.control(kid, depth + 1, visited));
            }
            if !controls.is_empty() {
                o.insert("controls".into(), Value::Array(controls));
            }
        }
        Value::Object(o)
    }
}
