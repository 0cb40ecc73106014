//! The CycloneDX document cpsf writes, built once from an [`Inventory`] for a spec version and serialized by
//! both the JSON and the XML writer, so the two carry the same content. The tree is a light ordered one
//! (keys in the order of the XML schema, values borrowing from the inventory) to keep writing large
//! inventories cheap.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, Inventory, Location, Party, Scope, Tool};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use super::{
    Format, PROPERTY_DEPENDENCY, PROPERTY_LOCATION, PROPERTY_SKIPPED, PROPERTY_SOURCE, is_serial_number, satisfies,
};
use crate::CycloneDxVersion;
use crate::schema::EMBEDDED_SCHEMAS;

/// A value of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Str(Cow<'a, str>),
    Int(u64),
    List(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// An object: keys in writing order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Object<'a>(Vec<(&'static str, Node<'a>)>);

impl<'a> Object<'a> {
    fn with(mut self, key: &'static str, value: impl Into<Node<'a>>) -> Self {
        self.0.push((key, value.into()));
        self
    }

    fn push(&mut self, key: &'static str, value: impl Into<Node<'a>>) {
        self.0.push((key, value.into()));
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

impl<'a> From<&'a str> for Node<'a> {
    fn from(s: &'a str) -> Self {
        Node::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Node<'_> {
    fn from(s: String) -> Self {
        Node::Str(Cow::Owned(s))
    }
}

impl From<u64> for Node<'_> {
    fn from(n: u64) -> Self {
        Node::Int(n)
    }
}

impl<'a> From<Object<'a>> for Node<'a> {
    fn from(o: Object<'a>) -> Self {
        Node::Object(o)
    }
}

impl<'a> From<Vec<Node<'a>>> for Node<'a> {
    fn from(list: Vec<Node<'a>>) -> Self {
        Node::List(list)
    }
}

impl<'a> Node<'a> {
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(o) => o.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a list (none for anything else).
    pub fn items(&self) -> &[Node<'a>] {
        match self {
            Node::List(list) => list,
            _ => &[],
        }
    }

    /// A scalar as text.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Node::Str(s) => Some(Cow::Borrowed(s)),
            Node::Int(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        }
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(s) => serializer.serialize_str(s),
            Node::Int(n) => serializer.serialize_u64(*n),
            Node::List(list) => {
                let mut seq = serializer.serialize_seq(Some(list.len()))?;
                for item in list {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(o) => {
                let mut map = serializer.serialize_map(Some(o.0.len()))?;
                for (k, v) in &o.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Licence identifiers the CycloneDX schemas accept in `license.id` (their `spdx.schema.json` enumeration),
/// by their lower-case spelling.
static CYCLONEDX_LICENSE_IDS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    EMBEDDED_SCHEMAS
        .iter()
        .find(|s| s.file_name == "spdx.schema.json")
        .and_then(|s| serde_json::from_str::<Value>(s.text).ok())
        .and_then(|v| {
            v.get("enum").and_then(Value::as_array).map(|ids| {
                ids.iter().filter_map(Value::as_str).map(|id| (id.to_ascii_lowercase(), id.to_owned())).collect()
            })
        })
        .unwrap_or_default()
});

/// How one declared licence is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LicenseEntry {
    /// A single SPDX identifier of the CycloneDX licence list: `license.id`.
    Id(String),
    /// Any other valid SPDX expression: `expression`.
    Expression(String),
    /// Free text: `license.name`.
    Name(String),
}

impl LicenseEntry {
    fn text(&self) -> &str {
        match self {
            Self::Id(s) | Self::Expression(s) | Self::Name(s) => s,
        }
    }
}

fn classify_license(text: &str) -> Option<LicenseEntry> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "NONE" || text == "NOASSERTION" {
        return Some(LicenseEntry::Name(text.to_owned()));
    }
    if let Some(id) = CYCLONEDX_LICENSE_IDS.get(&text.to_ascii_lowercase()) {
        return Some(LicenseEntry::Id(id.clone()));
    }
    match crate::spdx::license::canonical_expression(text) {
        Some(canonical) if CYCLONEDX_LICENSE_IDS.get(&canonical.to_ascii_lowercase()) == Some(&canonical) => {
            Some(LicenseEntry::Id(canonical))
        }
        Some(canonical) => Some(LicenseEntry::Expression(canonical)),
        None => Some(LicenseEntry::Name(text.to_owned())),
    }
}

fn has_content(party: &Party) -> bool {
    !party.name.is_empty() || party.email.is_some() || party.url.is_some()
}

struct Writer {
    version: CycloneDxVersion,
    diagnostics: Vec<Diagnostic>,
    /// Licence texts already classified (inventories repeat a few licences many times).
    licence_classes: HashMap<String, Option<LicenseEntry>>,
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
    fn organization<'a>(&mut self, subject: &str, what: &str, party: &'a Party) -> Option<Node<'a>> {
        if !has_content(party) {
            return None;
        }
        let mut o = Object::default();
        if !party.name.is_empty() {
            o.push("name", party.name.as_str());
        }
        if let Some(url) = &party.url {
            if satisfies(Format::IriReference, url) {
                o.push("url", vec![Node::from(url.as_str())]);
            } else {
                self.loss(subject, format!("the {what} URL `{url}` is not a valid IRI reference and was left out"));
            }
        }
        if let Some(email) = &party.email {
            if satisfies(Format::IdnEmail, email) {
                o.push("contact", vec![Object::default().with("email", email.as_str()).into()]);
            } else {
                self.loss(subject, format!("the {what} email `{email}` is not a valid address and was left out"));
            }
        }
        (!o.is_empty()).then_some(o.into())
    }

    /// `organizationalContact`: name, email (a contact has no URL).
    fn contact<'a>(&mut self, subject: &str, what: &str, party: &'a Party) -> Option<Node<'a>> {
        let mut o = Object::default();
        if !party.name.is_empty() {
            o.push("name", party.name.as_str());
        }
        if let Some(email) = &party.email {
            if satisfies(Format::IdnEmail, email) {
                o.push("email", email.as_str());
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
        (!o.is_empty()).then_some(o.into())
    }

    /// The licence choice: `license` objects (an identifier or a name) and expressions, sorted. Versions 1.4 to
    /// 1.6 allow an expression only as the sole entry (1.4's JSON schema would take more, its XML schema does
    /// not, and one tree serves both encodings); beside others it is written as a licence name.
    fn licenses(&mut self, subject: &str, licenses: &[String]) -> Option<Node<'static>> {
        let mut entries: Vec<LicenseEntry> = Vec::with_capacity(licenses.len());
        for l in licenses {
            let class = match self.licence_classes.get(l) {
                Some(class) => class.clone(),
                None => {
                    let class = classify_license(l);
                    self.licence_classes.insert(l.clone(), class.clone());
                    class
                }
            };
            entries.extend(class);
        }
        entries.sort_by(|a, b| a.text().cmp(b.text()).then_with(|| a.cmp(b)));
        entries.dedup();
        if entries.is_empty() {
            return None;
        }
        let mixing_allowed = self.at_least(CycloneDxVersion::V1_7);
        let demote = entries.len() > 1 && !mixing_allowed;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let license = |key: &'static str, value: String| -> Node<'static> {
                Object::default().with("license", Object::default().with(key, value)).into()
            };
            out.push(match entry {
                LicenseEntry::Id(id) => license("id", id),
                LicenseEntry::Name(name) => license("name", name),
                LicenseEntry::Expression(expression) if demote => {
                    self.loss(
                        subject,
                        format!(
                            "the licence expression `{expression}` is written as a licence name: this version allows an expression only as the sole licence entry"
                        ),
                    );
                    license("name", expression)
                }
                LicenseEntry::Expression(expression) => Object::default().with("expression", expression).into(),
            });
        }
        Some(out.into())
    }

    fn component<'a>(&mut self, c: &'a Component, bom_ref: Cow<'a, str>, is_root: bool) -> Node<'a> {
        let subject_text = if bom_ref.is_empty() { c.name.clone() } else { bom_ref.to_string() };
        let subject = subject_text.as_str();
        let mut o = Object::default();
        o.push("type", c.kind.as_cyclonedx());
        if !bom_ref.is_empty() {
            o.push("bom-ref", Node::Str(bom_ref));
        }
        if let Some(supplier) = &c.supplier
            && let Some(v) = self.organization(subject, "supplier", supplier)
        {
            o.push("supplier", v);
        }
        if let Some(author) = c.author.as_deref().filter(|a| !a.is_empty()) {
            if self.at_least(CycloneDxVersion::V1_6) {
                o.push("authors", vec![Object::default().with("name", author).into()]);
            } else {
                o.push("author", author);
            }
        }
        if let Some(group) = c.group.as_deref().filter(|g| !g.is_empty()) {
            o.push("group", group);
        }
        o.push("name", c.name.as_str());
        if let Some(version) = &c.version {
            o.push("version", version.as_str());
        }
        if let Some(description) = &c.description {
            o.push("description", description.as_str());
        }
        if let Some(scope) = c.scope {
            let scope = match scope {
                Scope::Required => "required",
                Scope::Optional => "optional",
                Scope::Dev => "excluded",
            };
            o.push("scope", scope);
        }
        if !c.hashes.is_empty() {
            let mut hashes: Vec<&Hash> = c.hashes.iter().collect();
            hashes.sort();
            hashes.dedup();
            let hashes: Vec<Node<'a>> = hashes
                .iter()
                .map(|h| {
                    Object::default().with("alg", h.algorithm.as_cyclonedx()).with("content", h.value.as_str()).into()
                })
                .collect();
            o.push("hashes", hashes);
        }
        if let Some(licenses) = self.licenses(subject, &c.licenses) {
            o.push("licenses", licenses);
        }
        if let Some(purl) = &c.purl {
            o.push("purl", purl.to_string());
        }
        if let Some(url) = &c.download_location {
            if satisfies(Format::IriReference, url) {
                let reference = Object::default().with("url", url.as_str()).with("type", "distribution");
                o.push("externalReferences", vec![reference.into()]);
            } else {
                self.loss(
                    subject,
                    format!("the download location `{url}` is not a valid IRI reference and was left out"),
                );
            }
        }
        let mut locations: Vec<&Location> = c.locations.iter().collect();
        locations.sort();
        locations.dedup();
        let occurrences = self.at_least(CycloneDxVersion::V1_6);
        let mut properties: Vec<(&'static str, Cow<'a, str>)> = Vec::new();
        if !is_root && let Some(direct) = c.direct {
            properties.push((PROPERTY_DEPENDENCY, Cow::Borrowed(if direct { "direct" } else { "transitive" })));
        }
        if !occurrences {
            for l in &locations {
                let value = match l.line {
                    Some(line) => Cow::Owned(format!("{}:{line}", l.path)),
                    None => Cow::Borrowed(l.path.as_str()),
                };
                properties.push((PROPERTY_LOCATION, value));
            }
        }
        if !properties.is_empty() {
            properties.sort();
            o.push("properties", properties_node(properties));
        }
        if occurrences && !locations.is_empty() {
            let list: Vec<Node<'a>> = locations
                .iter()
                .map(|l| {
                    let mut occurrence = Object::default().with("location", l.path.as_str());
                    if let Some(line) = l.line {
                        occurrence.push("line", u64::from(line));
                    }
                    occurrence.into()
                })
                .collect();
            o.push("evidence", Object::default().with("occurrences", list));
        }
        o.into()
    }

    /// Tools: the legacy array before 1.5; `tools.components` from 1.5, the vendor as the component's
    /// author (1.5) or manufacturer (1.6+).
    fn tools<'a>(&self, tools: &'a [Tool]) -> Option<Node<'a>> {
        if tools.is_empty() {
            return None;
        }
        let legacy = !self.at_least(CycloneDxVersion::V1_5);
        let list: Vec<Node<'a>> = tools
            .iter()
            .map(|t| {
                let mut o = Object::default();
                if legacy {
                    if let Some(vendor) = &t.vendor {
                        o.push("vendor", vendor.as_str());
                    }
                } else {
                    o.push("type", "application");
                    if let Some(vendor) = &t.vendor {
                        if self.at_least(CycloneDxVersion::V1_6) {
                            o.push("manufacturer", Object::default().with("name", vendor.as_str()));
                        } else {
                            o.push("author", vendor.as_str());
                        }
                    }
                }
                o.push("name", t.name.as_str());
                if let Some(version) = &t.version {
                    o.push("version", version.as_str());
                }
                o.into()
            })
            .collect();
        Some(if legacy { list.into() } else { Object::default().with("components", list).into() })
    }
}

fn properties_node<'a>(properties: Vec<(&'static str, Cow<'a, str>)>) -> Node<'a> {
    properties
        .into_iter()
        .map(|(name, value)| Object::default().with("name", name).with("value", Node::Str(value)).into())
        .collect::<Vec<Node<'a>>>()
        .into()
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

/// `base`, or `base#2`, `base#3`, ... whichever is not taken yet.
pub(crate) fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}#{n}")).find(|r| !taken(r)).unwrap_or(base)
}

/// How bom-refs are written. A canonical purl percent-encodes `@` in npm scopes and `/` and `:` in qualifier
/// values; consumers such as cdxgen's validator reject refs that carry those escapes, so refs are written with
/// exactly these three decoded (`pkg:npm/@babel/core@7.24.0`), unless that would make two refs equal, in
/// which case every ref is written as it is. The JSON and XML readers map such refs back to canonical purls.
struct WireRefs {
    decode: bool,
}

impl WireRefs {
    fn new<'r>(refs: impl Iterator<Item = &'r str>) -> Self {
        let mut seen = HashSet::new();
        let decode = refs.map(wire_ref).all(|w| seen.insert(w.into_owned()));
        Self { decode }
    }

    fn of<'a>(&self, bom_ref: &'a str) -> Cow<'a, str> {
        if self.decode { wire_ref(bom_ref) } else { Cow::Borrowed(bom_ref) }
    }
}

/// `bom_ref` with `%40`, `%3A` and `%2F` decoded.
pub(crate) fn wire_ref(bom_ref: &str) -> Cow<'_, str> {
    if !bom_ref.contains('%') {
        return Cow::Borrowed(bom_ref);
    }
    Cow::Owned(
        bom_ref.replace("%40", "@").replace("%3A", ":").replace("%3a", ":").replace("%2F", "/").replace("%2f", "/"),
    )
}

/// The BOM of `inventory` for `version`, and what it could not carry.
pub(crate) fn build(inventory: &Inventory, version: CycloneDxVersion) -> (Node<'_>, Vec<Diagnostic>) {
    let mut w = Writer { version, diagnostics: Vec::new(), licence_classes: HashMap::new() };
    let mut components: Vec<&Component> = inventory.components.iter().collect();
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let mut declared: HashSet<&str> = HashSet::with_capacity(components.len() + 1);
    components.retain(|c| {
        let first = declared.insert(c.bom_ref.as_str());
        if !first {
            w.loss(&c.bom_ref, "a second component with the same bom-ref was left out".into());
        }
        first
    });
    let root = inventory.metadata.component.as_ref();
    let wire = WireRefs::new(declared.iter().copied().chain(root.map(|r| r.bom_ref.as_str())));
    let root_bom_ref: Option<String> = root.map(|r| {
        let chosen = root_ref(r, &declared);
        if !r.bom_ref.is_empty() && chosen != r.bom_ref {
            w.loss(
                &r.bom_ref,
                format!("the described product shares its bom-ref with a component; written as `{chosen}`"),
            );
        }
        chosen
    });

    let mut bom = Object::default().with("bomFormat", "CycloneDX").with("specVersion", version.as_str());
    if let Some(serial) = &inventory.metadata.serial_number {
        if is_serial_number(serial) {
            bom.push("serialNumber", serial.as_str());
        } else {
            w.loss(
                "metadata",
                format!("the serial number `{serial}` is not a `urn:uuid:` serial number and was left out"),
            );
        }
    }
    bom.push("version", 1u64);

    let mut metadata = Object::default();
    if let Some(timestamp) = &inventory.metadata.timestamp {
        if satisfies(Format::DateTime, timestamp) {
            metadata.push("timestamp", timestamp.as_str());
        } else {
            w.loss("metadata", format!("the timestamp `{timestamp}` is not an RFC 3339 date-time and was left out"));
        }
    }
    if let Some(tools) = w.tools(&inventory.metadata.tools) {
        metadata.push("tools", tools);
    }
    let authors: Vec<Node<'_>> =
        inventory.metadata.authors.iter().filter_map(|a| w.contact("metadata", "author", a)).collect();
    if !authors.is_empty() {
        metadata.push("authors", authors);
    }
    if let (Some(root), Some(root_bom_ref)) = (root, &root_bom_ref) {
        let node = w.component(root, Cow::Owned(wire.of(root_bom_ref).into_owned()), true);
        metadata.push("component", node);
    }
    if let Some(supplier) = &inventory.metadata.supplier
        && let Some(v) = w.organization("metadata", "supplier", supplier)
    {
        metadata.push("supplier", v);
    }
    let mut properties: Vec<(&'static str, Cow<'_, str>)> =
        inventory.sources.iter().map(|s| (PROPERTY_SOURCE, Cow::Borrowed(s.as_str()))).collect();
    properties
        .extend(inventory.skipped.iter().map(|s| (PROPERTY_SKIPPED, Cow::Owned(format!("{}: {}", s.path, s.reason)))));
    if !properties.is_empty() {
        properties.sort();
        properties.dedup();
        metadata.push("properties", properties_node(properties));
    }
    if !metadata.is_empty() {
        bom.push("metadata", metadata);
    }

    let list: Vec<Node<'_>> = components.iter().map(|c| w.component(c, wire.of(c.bom_ref.as_str()), false)).collect();
    bom.push("components", list);

    // The dependency graph: one entry per component and for the product, each edge to a declared ref.
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let direct = if root.is_some() { inventory.direct_refs() } else { Vec::new() };
    if let (Some(root), Some(root_bom_ref)) = (root, &root_bom_ref) {
        let mut targets: Vec<&str> = Vec::with_capacity(direct.len());
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
    for c in &components {
        // Unknown dependencies: not represented in the graph (a graph entry would declare a leaf).
        if c.dependencies_unknown && c.dependencies.is_empty() {
            continue;
        }
        let mut targets: Vec<&str> = Vec::with_capacity(c.dependencies.len());
        for d in &c.dependencies {
            if declared.contains(d.as_str()) || Some(d) == root_bom_ref.as_ref() {
                targets.push(d);
            } else {
                w.loss(&c.bom_ref, format!("the dependency on `{d}` names no component and was left out"));
            }
        }
        graph.insert(&c.bom_ref, targets);
    }
    if !graph.is_empty() {
        let list: Vec<Node<'_>> = graph
            .into_iter()
            .map(|(r, targets)| {
                // A component without dependencies is declared with an empty `dependsOn`, as the
                // specification asks of leaves.
                let mut o = Object::default().with("ref", Node::Str(Cow::Owned(wire.of(r).into_owned())));
                let targets: Vec<Node<'_>> =
                    targets.into_iter().map(|t| Node::Str(Cow::Owned(wire.of(t).into_owned()))).collect();
                o.push("dependsOn", targets);
                o.into()
            })
            .collect();
        bom.push("dependencies", list);
    }
    (bom.into(), w.diagnostics)
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

    #[test]
    fn tree_serializes_in_order() {
        let node: Node<'_> = Object::default().with("b", 1u64).with("a", vec![Node::from("x")]).into();
        assert_eq!(serde_json::to_string(&node).unwrap(), r#"{"b":1,"a":["x"]}"#);
        assert_eq!(node.get("a").map(|a| a.items().len()), Some(1));
    }
}
