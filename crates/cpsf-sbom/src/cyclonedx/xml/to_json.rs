//! Conversion of a CycloneDX XML element tree into the JSON shape of the same spec version, guided by the
//! official JSON schema of that version, so the result can be validated against the JSON schema and read by
//! the JSON reader.
//!
//! The two encodings carry the same model but differ in shape; the schema tells which shape applies:
//! - an XML attribute is a JSON property of the same name (or its camelCase form: `content-type` →
//!   `contentType`, `license-identifier` → `licenseIdentifier`);
//! - a JSON array is either a wrapper element holding one element per item (`<hashes><hash/>…</hashes>`)
//!   or the item element repeated in place (`<url>` of an organization, `<omniborId>`, `<data>`);
//! - character data of an element that is an object in JSON goes to `content` (hashes, attachments),
//!   `value` (properties) or the property named like the element (`<expression>`, `<classification>`);
//! - a reference given as an empty element with a `ref` attribute is the string itself in JSON
//!   (`<dependency ref="a"/>` inside a dependency is an entry of `dependsOn`);
//! - licence choices are `<license>` / `<expression>` / `<expression-detailed>` children that become
//!   `{"license": …}` and expression objects.
//!
//! Scalar text becomes a string, integer, number or boolean as the schema types the property. Elements of
//! the CycloneDX namespace that the schema does not know are kept, so validation reports them; elements of
//! other namespaces (extensions, XML signatures) and attributes the schema does not know are dropped, as
//! the XML schema allows them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::LazyLock;

use serde_json::{Map, Number, Value};

use super::tree::Element;
use crate::CycloneDxVersion;
use crate::schema::EMBEDDED_SCHEMAS;

/// Schema documents parsed once, by file name.
static DOCUMENTS: LazyLock<BTreeMap<&'static str, Value>> = LazyLock::new(|| {
    EMBEDDED_SCHEMAS.iter().filter_map(|s| serde_json::from_str(s.text).ok().map(|v| (s.file_name, v))).collect()
});

/// How deep `$ref` chains and schema combinators are followed; the CycloneDX schemas need a handful.
const MAX_SCHEMA_DEPTH: usize = 24;

/// A schema node together with the file it lives in (for resolving its `$ref`s).
#[derive(Clone, Copy)]
struct Node<'a> {
    value: &'a Value,
    file: &'a str,
}

fn file_name(version: CycloneDxVersion) -> &'static str {
    match version {
        CycloneDxVersion::V1_4 => "bom-1.4.schema.json",
        CycloneDxVersion::V1_5 => "bom-1.5.schema.json",
        CycloneDxVersion::V1_6 => "bom-1.6.schema.json",
        CycloneDxVersion::V1_7 => "bom-1.7.schema.json",
    }
}

/// An always-true schema, for references that lead nowhere.
static ANYTHING: Value = Value::Bool(true);

/// Follow `$ref`s (`#/definitions/x` in the same file or `file.json#/pointer` in another embedded file).
fn resolve(node: Node<'static>) -> Node<'static> {
    let mut node = node;
    for _ in 0..MAX_SCHEMA_DEPTH {
        let Some(reference) = node.value.get("$ref").and_then(Value::as_str) else { return node };
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if file.is_empty() { node.file } else { file };
        let Some((key, doc)) = DOCUMENTS.get_key_value(file) else { return Node { value: &ANYTHING, file } };
        let target = if fragment.is_empty() { Some(doc) } else { doc.pointer(fragment) };
        match target {
            Some(value) => node = Node { value, file: key },
            None => return Node { value: &ANYTHING, file: key },
        }
    }
    node
}

/// A schema position: every facet that applies there (the nodes reached through `$ref`, `allOf`, `oneOf`
/// and `anyOf`, and, where several alternatives declare the same property or items, all of them).
#[derive(Clone, Default)]
struct Schema(Vec<Node<'static>>);

/// Identity of a schema node (the schema documents are static, so their addresses are stable).
fn identity(node: Node<'static>) -> usize {
    std::ptr::from_ref(node.value) as usize
}

thread_local! {
    /// The facets of each schema node and the types each facet declares, computed once.
    static FACETS: RefCell<HashMap<usize, Rc<[Node<'static>]>>> = RefCell::new(HashMap::new());
    static FACET_TYPES: RefCell<HashMap<usize, Types>> = RefCell::new(HashMap::new());
}

fn facets_of(node: Node<'static>) -> Rc<[Node<'static>]> {
    let key = identity(node);
    if let Some(found) = FACETS.with(|f| f.borrow().get(&key).cloned()) {
        return found;
    }
    let mut out = Vec::new();
    collect_facets(node, 0, &mut out);
    let facets: Rc<[Node<'static>]> = out.into();
    FACETS.with(|f| f.borrow_mut().insert(key, Rc::clone(&facets)));
    facets
}

/// The types one facet declares by itself.
fn facet_types(facet: Node<'static>) -> Types {
    let key = identity(facet);
    if let Some(t) = FACET_TYPES.with(|f| f.borrow().get(&key).copied()) {
        return t;
    }
    let v = facet.value;
    let mut t = Types::default();
    match v.get("type") {
        Some(Value::String(s)) => t.add(s),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).for_each(|s| t.add(s)),
        _ => {}
    }
    if v.get("properties").is_some() {
        t.object = true;
    }
    if v.get("items").is_some() {
        t.array = true;
    }
    if let Some(Value::Array(values)) = v.get("enum") {
        values.iter().for_each(|x| t.add_value(x));
    }
    if let Some(x) = v.get("const") {
        t.add_value(x);
    }
    FACET_TYPES.with(|f| f.borrow_mut().insert(key, t));
    t
}

impl Schema {
    fn of(node: Node<'static>) -> Self {
        Self(facets_of(node).to_vec())
    }

    fn from_nodes(nodes: impl Iterator<Item = Node<'static>>) -> Option<Self> {
        let mut out = Vec::new();
        for node in nodes {
            out.extend_from_slice(&facets_of(node));
        }
        (!out.is_empty()).then_some(Self(out))
    }

    /// The JSON types the position admits (union over its facets).
    fn types(&self) -> Types {
        let mut t = Types::default();
        for facet in &self.0 {
            t.union(facet_types(*facet));
        }
        t
    }

    /// The schema of property `name`, from every facet that declares it.
    fn property(&self, name: &str) -> Option<Schema> {
        Self::from_nodes(self.0.iter().filter_map(|f| {
            f.value.get("properties").and_then(|p| p.get(name)).map(|value| Node { value, file: f.file })
        }))
    }

    fn has_property(&self, name: &str) -> bool {
        self.0.iter().any(|f| f.value.get("properties").and_then(|p| p.get(name)).is_some())
    }

    /// The item schema (tuple-typed arrays: their items) from every facet that has one.
    fn items(&self) -> Option<Schema> {
        Self::from_nodes(self.0.iter().flat_map(|f| {
            let nodes: Vec<Node<'static>> = match f.value.get("items") {
                Some(Value::Array(tuple)) => tuple.iter().map(|value| Node { value, file: f.file }).collect(),
                Some(value) => vec![Node { value, file: f.file }],
                None => Vec::new(),
            };
            nodes
        }))
    }
}

fn collect_facets(node: Node<'static>, depth: usize, out: &mut Vec<Node<'static>>) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let node = resolve(node);
    out.push(node);
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = node.value.get(combinator) {
            for branch in branches {
                collect_facets(Node { value: branch, file: node.file }, depth + 1, out);
            }
        }
    }
}

/// The JSON types a schema position admits.
#[derive(Default, Debug, Clone, Copy)]
struct Types {
    object: bool,
    array: bool,
    string: bool,
    integer: bool,
    number: bool,
    boolean: bool,
}

impl Types {
    fn union(&mut self, other: Types) {
        self.object |= other.object;
        self.array |= other.array;
        self.string |= other.string;
        self.integer |= other.integer;
        self.number |= other.number;
        self.boolean |= other.boolean;
    }

    fn scalar(self) -> bool {
        self.string || self.integer || self.number || self.boolean
    }

    fn add(&mut self, name: &str) {
        match name {
            "object" => self.object = true,
            "array" => self.array = true,
            "string" => self.string = true,
            "integer" => self.integer = true,
            "number" => self.number = true,
            "boolean" => self.boolean = true,
            _ => {}
        }
    }

    fn add_value(&mut self, value: &Value) {
        match value {
            Value::String(_) => self.string = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) if n.is_i64() || n.is_u64() => self.integer = true,
            Value::Number(_) => self.number = true,
            Value::Object(_) => self.object = true,
            Value::Array(_) => self.array = true,
            Value::Null => {}
        }
    }
}

/// XML names that differ from their JSON property beyond camelCase.
const RENAMED: &[(&str, &str)] = &[
    ("dependency", "dependsOn"),
    ("details", "expressionDetails"),
    ("responses", "response"),
    ("cryptoRef", "cryptoRefArray"),
];

fn camel_case(name: &str) -> Option<String> {
    if !name.contains('-') {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The JSON property an XML element or attribute `name` stands for in `node`, if the schema has one.
/// Whether `name` is a property of `schema` as spelled (or in camelCase), not through [`RENAMED`].
fn is_direct_property(schema: &Schema, name: &str) -> bool {
    schema.has_property(name) || camel_case(name).is_some_and(|c| schema.has_property(&c))
}

fn property_name(schema: &Schema, name: &str) -> Option<String> {
    if schema.has_property(name) {
        return Some(name.to_owned());
    }
    if let Some(camel) = camel_case(name)
        && schema.has_property(&camel)
    {
        return Some(camel);
    }
    RENAMED.iter().find(|(xml, json)| *xml == name && schema.has_property(json)).map(|(_, json)| (*json).to_owned())
}

/// Converts one document; `ns` is the CycloneDX namespace of its version.
struct Converter<'a> {
    ns: &'a str,
}

impl Converter<'_> {
    fn is_ours(&self, el: &Element) -> bool {
        el.ns.as_deref() == Some(self.ns)
    }

    /// Children that take part in the conversion: ours and those in no namespace (which the XML schema
    /// forbids, so they are kept for validation to report); other namespaces are extensions.
    fn children<'e>(&self, el: &'e Element) -> impl Iterator<Item = &'e Element> {
        el.children.iter().filter(|c| c.ns.is_none() || self.is_ours(c))
    }

    fn has_children(&self, el: &Element) -> bool {
        self.children(el).next().is_some()
    }

    fn convert(&self, el: &Element, schema: &Schema) -> Value {
        let t = schema.types();
        let mapped_attribute = el.attributes.iter().any(|a| a.ns.is_none() && property_name(schema, &a.name).is_some());
        let structured = self.has_children(el) || mapped_attribute;
        if !structured && t.scalar() {
            let text = el.text.trim();
            let text = match el.attribute("ref") {
                Some(r) if text.is_empty() && !t.object => r,
                _ => text,
            };
            return scalar(text, t);
        }
        if let Some(inner) = self.choice_wrapper(el, schema) {
            return self.convert(inner, schema);
        }
        if t.object {
            return self.object(el, schema);
        }
        if t.array {
            return Value::Array(self.array(&[el], schema));
        }
        self.generic(el)
    }

    /// Where the JSON value is one of several alternatives, XML may wrap the chosen one in an element of
    /// its own (`<asserter><organization>…</organization></asserter>`, `<asserter><ref>x</ref></asserter>`):
    /// a single child that is no property of any alternative. That child is the value.
    fn choice_wrapper<'e>(&self, el: &'e Element, schema: &Schema) -> Option<&'e Element> {
        if schema.0.len() < 2 || el.attributes.iter().any(|a| a.ns.is_none()) || !el.text.trim().is_empty() {
            return None;
        }
        let mut children = self.children(el);
        let only = children.next()?;
        if children.next().is_some() || property_name(schema, &only.name).is_some() {
            return None;
        }
        (only.ns.as_deref() == Some(self.ns)).then_some(only)
    }

    fn object(&self, el: &Element, schema: &Schema) -> Value {
        let mut map = Map::new();
        for a in el.attributes.iter().filter(|a| a.ns.is_none()) {
            if let Some(key) = property_name(schema, &a.name)
                && let Some(prop) = schema.property(&key)
            {
                map.insert(key, scalar(a.value.trim(), prop.types()));
            }
        }
        let mut groups: Vec<(&str, Vec<&Element>)> = Vec::new();
        for child in self.children(el) {
            match groups.iter_mut().find(|(n, _)| *n == child.name) {
                Some((_, list)) => list.push(child),
                None => groups.push((child.name.as_str(), vec![child])),
            }
        }
        for (name, elements) in groups {
            let Some((key, prop)) = property_name(schema, name).and_then(|k| schema.property(&k).map(|p| (k, p)))
            else {
                // Unknown to this version: kept so that validation names it.
                let value = match elements.as_slice() {
                    [one] => self.generic(one),
                    many => Value::Array(many.iter().map(|e| self.generic(e)).collect()),
                };
                map.insert(name.to_owned(), value);
                continue;
            };
            let t = prop.types();
            if !t.object {
                // An attribute of a child that is a plain value in JSON belongs to this object there
                // (`<classification flow="inbound">PII</classification>` → `flow`, `classification`).
                for a in elements.iter().flat_map(|e| e.attributes.iter()).filter(|a| a.ns.is_none()) {
                    if !map.contains_key(&a.name)
                        && let Some(p) = schema.property(&a.name)
                    {
                        map.insert(a.name.clone(), scalar(a.value.trim(), p.types()));
                    }
                }
            }
            let value = if t.array && !(t.object && self.fits_object(&elements, &prop)) {
                Value::Array(self.array(&elements, &prop))
            } else {
                match elements.as_slice() {
                    [one] => self.convert(one, &prop),
                    many => Value::Array(many.iter().map(|e| self.convert(e, &prop)).collect()),
                }
            };
            map.insert(key, value);
        }
        let text = el.text.trim();
        if !text.is_empty() {
            let key = ["content", "value", el.name.as_str()]
                .into_iter()
                .find(|k| schema.has_property(k))
                .unwrap_or("content")
                .to_owned();
            let t = schema.property(&key).map(|p| p.types()).unwrap_or(Types { string: true, ..Types::default() });
            map.entry(key).or_insert_with(|| scalar(text, t));
        }
        Value::Object(map)
    }

    /// Whether every child of every element is a property of the object form of `schema`.
    fn fits_object(&self, elements: &[&Element], schema: &Schema) -> bool {
        elements.iter().all(|e| self.children(e).all(|c| property_name(schema, &c.name).is_some()))
    }

    /// The items of an array property given as `elements` (wrappers or repeated items).
    fn array(&self, elements: &[&Element], schema: &Schema) -> Vec<Value> {
        let Some(item) = schema.items() else {
            return elements.iter().map(|e| self.generic(e)).collect();
        };
        if item.has_property("license") && item.has_property("expression") {
            return elements.iter().flat_map(|e| self.license_choice(e, &item)).collect();
        }
        let mut out = Vec::new();
        for el in elements {
            if self.is_wrapper(el, &item) {
                out.extend(self.children(el).map(|c| self.convert(c, &item)));
            } else {
                out.push(self.convert(el, &item));
            }
        }
        out
    }

    /// Whether `el` wraps one element per item (rather than being an item itself).
    fn is_wrapper(&self, el: &Element, item: &Schema) -> bool {
        let children: Vec<&Element> = self.children(el).collect();
        let t = item.types();
        let Some(first) = children.first() else {
            // Empty: an empty list, unless it is an item that says something itself or an empty value.
            let bare = el.text.trim().is_empty() && el.attributes.iter().all(|a| a.ns.is_some());
            return bare && (!t.scalar() || el.name.ends_with('s'));
        };
        let first_name = first.name.as_str();
        if !t.object {
            return true;
        }
        // Items that may be plain values, given as plain values of one name (`<environmentVars><value>x</value>`);
        // an object item has several different properties (`<encr><name/><keyLength/></encr>`).
        if t.scalar()
            && children.iter().all(|c| c.name == first_name)
            && children.iter().any(|c| !self.has_children(c) && c.attributes.iter().all(|a| a.ns.is_some()))
        {
            return true;
        }
        // Named as the plural of its children (`<versions><version>`, `<environmentVars><environmentVar>`).
        if children.iter().any(|c| is_plural_of(&el.name, &c.name)) {
            return true;
        }
        // Children that are no properties of the item are the items (`<patents><patent/><patentFamily/>`).
        if !children.iter().any(|c| is_direct_property(item, &c.name)) {
            return true;
        }
        // One property repeated where the item holds one value: one item each (`<copyright><text/><text/>`).
        children.len() > 1
            && children.iter().all(|c| c.name == first_name)
            && property_name(item, first_name).and_then(|k| item.property(&k)).is_some_and(|p| !p.types().array)
    }

    fn license_choice(&self, el: &Element, item: &Schema) -> Vec<Value> {
        let mut out = Vec::new();
        for child in self.children(el) {
            let value = match child.name.as_str() {
                "license" => {
                    let license = item.property("license").map(|p| self.convert(child, &p)).unwrap_or_default();
                    let mut map = Map::new();
                    map.insert("license".into(), license);
                    Value::Object(map)
                }
                "expression" | "expression-detailed" => self.object(child, item),
                other => {
                    let mut map = Map::new();
                    map.insert(other.to_owned(), self.generic(child));
                    Value::Object(map)
                }
            };
            out.push(value);
        }
        out
    }

    /// An element the schema does not describe, in the plainest JSON shape.
    fn generic(&self, el: &Element) -> Value {
        let attributes: Vec<_> = el.attributes.iter().filter(|a| a.ns.is_none()).collect();
        if !self.has_children(el) && attributes.is_empty() {
            return Value::String(el.text.trim().to_owned());
        }
        let mut map = Map::new();
        for a in attributes {
            map.insert(a.name.clone(), Value::String(a.value.clone()));
        }
        for child in self.children(el) {
            let value = self.generic(child);
            match map.get_mut(&child.name) {
                Some(Value::Array(list)) => list.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None => {
                    map.insert(child.name.clone(), value);
                }
            }
        }
        let text = el.text.trim();
        if !text.is_empty() {
            map.insert("content".into(), Value::String(text.to_owned()));
        }
        Value::Object(map)
    }
}

fn is_plural_of(plural: &str, singular: &str) -> bool {
    plural.strip_suffix('s').is_some_and(|s| s == singular || s.strip_suffix('e') == Some(singular))
        || plural.strip_suffix("ies").is_some_and(|s| singular.strip_suffix('y') == Some(s))
}

/// Text as the JSON type the schema gives it; text that does not fit stays a string, for the schema to judge.
fn scalar(text: &str, t: Types) -> Value {
    if t.string || !(t.integer || t.number || t.boolean) {
        return Value::String(text.to_owned());
    }
    if t.boolean {
        match text {
            "true" | "1" => return Value::Bool(true),
            "false" | "0" => return Value::Bool(false),
            _ => {}
        }
    }
    if (t.integer || t.number)
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Number(i.into());
    }
    if t.number
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

/// The JSON form of a CycloneDX XML document of `version` whose root element is `root`.
pub(crate) fn bom(root: &Element, version: CycloneDxVersion) -> Value {
    let ns = format!("http://cyclonedx.org/schema/bom/{}", version.as_str());
    let converter = Converter { ns: &ns };
    let file = file_name(version);
    let schema = match DOCUMENTS.get_key_value(file) {
        Some((key, value)) => Schema::of(Node { value, file: key }),
        None => Schema::default(),
    };
    let mut map = Map::new();
    map.insert("bomFormat".into(), Value::String("CycloneDX".into()));
    map.insert("specVersion".into(), Value::String(version.as_str().into()));
    if let Value::Object(rest) = converter.object(root, &schema) {
        for (k, v) in rest {
            map.entry(k).or_insert(v);
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(xml: &str, version: CycloneDxVersion) -> Value {
        let root = super::super::tree::parse(xml).unwrap();
        bom(&root, version)
    }

    #[test]
    fn shapes() {
        let doc = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:x" version="2" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79">
          <metadata><tools><components><component type="application"><name>t</name></component></components></tools>
            <supplier><name>S</name><url>https://a</url><url>https://b</url><contact><name>C</name></contact></supplier></metadata>
          <components><component type="library" bom-ref="a"><name>a</name>
            <hashes><hash alg="SHA-1">e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a</hash></hashes>
            <licenses><license><id>MIT</id></license></licenses>
            <properties><property name="k">v</property></properties><x:ext>dropped</x:ext><modified>false</modified>
          </component><component type="library" bom-ref="b"><name>b</name><licenses><expression>MIT OR Apache-2.0</expression></licenses></component></components>
          <dependencies><dependency ref="a"><dependency ref="b"/></dependency><dependency ref="b"/></dependencies>
        </bom>"#;
        let v = convert(doc, CycloneDxVersion::V1_6);
        assert_eq!(v["version"], 2);
        assert_eq!(v["metadata"]["tools"]["components"][0]["name"], "t");
        assert_eq!(v["metadata"]["supplier"]["url"], serde_json::json!(["https://a", "https://b"]));
        assert_eq!(v["metadata"]["supplier"]["contact"][0]["name"], "C");
        let a = &v["components"][0];
        assert_eq!(a["hashes"][0]["content"], "e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a");
        assert_eq!(a["licenses"][0]["license"]["id"], "MIT");
        assert_eq!(a["properties"][0], serde_json::json!({"name": "k", "value": "v"}));
        assert_eq!(a["modified"], false);
        assert!(a.get("ext").is_none());
        assert_eq!(v["components"][1]["licenses"][0]["expression"], "MIT OR Apache-2.0");
        assert_eq!(v["dependencies"][0], serde_json::json!({"ref": "a", "dependsOn": ["b"]}));
        assert_eq!(v["dependencies"][1], serde_json::json!({"ref": "b"}));
    }

    #[test]
    fn legacy_tools_and_unknown_elements() {
        let doc = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><metadata><tools><tool><vendor>V</vendor><name>n</name></tool></tools></metadata><bogus>1</bogus></bom>"#;
        let v = convert(doc, CycloneDxVersion::V1_4);
        assert_eq!(v["metadata"]["tools"][0]["vendor"], "V");
        assert_eq!(v["bogus"], "1");
    }

    #[test]
    fn choices_wrappers_and_lifted_attributes() {
        let doc = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.7">
          <components><component type="cryptographic-asset" bom-ref="c"><name>ike</name>
            <cryptoProperties><assetType>protocol</assetType><protocolProperties><type>ikev2</type>
              <ikev2TransformTypes><encr><name>AES-128-GCM</name><keyLength>128</keyLength></encr><esn>true</esn></ikev2TransformTypes>
              <cryptoRef>a</cryptoRef><cryptoRef>b</cryptoRef></protocolProperties></cryptoProperties>
            <evidence><copyright><text>(c) A</text><text>(c) B</text></copyright></evidence>
            <patentAssertions><patentAssertion><assertionType>ownership</assertionType><asserter><ref>org</ref></asserter></patentAssertion>
              <patentAssertion><assertionType>license</assertionType><asserter><organization><name>P</name></organization></asserter></patentAssertion></patentAssertions>
          </component></components>
          <services><service><name>s</name><endpoints/>
            <data><dataflow name="d"><classification flow="inbound">PII</classification><source><url>https://a.example</url></source></dataflow></data>
          </service></services>
          <compositions><composition><aggregate>complete</aggregate><assemblies><assembly ref="c"/></assemblies></composition></compositions>
          <formulation><formula><workflows><workflow bom-ref="w"><uid>1</uid><taskTypes><taskType>build</taskType></taskTypes>
            <inputs><input><environmentVars><environmentVar name="A">1</environmentVar><value>B=2</value></environmentVars></input>
              <input><environmentVars><value>C=3</value></environmentVars></input></inputs>
            <runtimeTopology><dependency ref="x"><dependency ref="y"/></dependency></runtimeTopology></workflow></workflows></formula></formulation>
          <vulnerabilities><vulnerability><id>CVE-1</id><analysis><state>exploitable</state><responses><response>update</response></responses></analysis>
            <affects><target><ref>c</ref><versions><version><version>1.0</version><status>affected</status></version></versions></target></affects></vulnerability></vulnerabilities>
        </bom>"#;
        let v = convert(doc, CycloneDxVersion::V1_7);
        let c = &v["components"][0];
        let protocol = &c["cryptoProperties"]["protocolProperties"];
        assert_eq!(
            protocol["ikev2TransformTypes"]["encr"],
            serde_json::json!([{ "name": "AES-128-GCM", "keyLength": 128 }])
        );
        assert_eq!(protocol["ikev2TransformTypes"]["esn"], true);
        assert_eq!(protocol["cryptoRefArray"], serde_json::json!(["a", "b"]));
        assert_eq!(c["evidence"]["copyright"], serde_json::json!([{ "text": "(c) A" }, { "text": "(c) B" }]));
        assert_eq!(c["patentAssertions"][0]["asserter"], "org");
        assert_eq!(c["patentAssertions"][1]["asserter"], serde_json::json!({ "name": "P" }));
        let service = &v["services"][0];
        assert_eq!(service["endpoints"], serde_json::json!([]));
        assert_eq!(
            service["data"][0],
            serde_json::json!({ "name": "d", "flow": "inbound", "classification": "PII", "source": ["https://a.example"] })
        );
        assert_eq!(v["compositions"][0]["assemblies"], serde_json::json!(["c"]));
        let workflow = &v["formulation"][0]["workflows"][0];
        assert_eq!(workflow["taskTypes"], serde_json::json!(["build"]));
        assert_eq!(workflow["inputs"][0]["environmentVars"], serde_json::json!([{ "name": "A", "value": "1" }, "B=2"]));
        assert_eq!(workflow["inputs"][1]["environmentVars"], serde_json::json!(["C=3"]));
        assert_eq!(workflow["runtimeTopology"], serde_json::json!([{ "ref": "x", "dependsOn": ["y"] }]));
        let vulnerability = &v["vulnerabilities"][0];
        assert_eq!(vulnerability["analysis"]["response"], serde_json::json!(["update"]));
        assert_eq!(
            vulnerability["affects"][0],
            serde_json::json!({ "ref": "c", "versions": [{ "version": "1.0", "status": "affected" }] })
        );
    }

    #[test]
    fn licence_choices() {
        let doc = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><components><component type="library"><name>a</name><licenses>
            <license acknowledgement="declared"><id>MIT</id><text content-type="text/plain">MIT text</text></license>
            <expression-detailed expression="MIT AND LicenseRef-x"><details license-identifier="LicenseRef-x"><url>https://x.example</url></details></expression-detailed>
            <expression bom-ref="e">Apache-2.0</expression></licenses></component></components></bom>"#;
        let v = convert(doc, CycloneDxVersion::V1_7);
        assert_eq!(
            v["components"][0]["licenses"],
            serde_json::json!([
                { "license": { "acknowledgement": "declared", "id": "MIT", "text": { "contentType": "text/plain", "content": "MIT text" } } },
                { "expression": "MIT AND LicenseRef-x", "expressionDetails": [{ "licenseIdentifier": "LicenseRef-x", "url": "https://x.example" }] },
                { "bom-ref": "e", "expression": "Apache-2.0" }
            ])
        );
    }
}
