//! CycloneDX XML: the writer (the same document as the JSON writer, in the XML schema's element order) and
//! the reader (element tree → the JSON shape of the same spec version → the JSON reader).

mod to_json;
pub(crate) mod tree;

use std::borrow::Cow;

use super::document::Node;
use cpsf_model::{Diagnostic, DiagnosticCode, Inventory};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::{CycloneDxVersion, ReadSbom, SbomError, SbomFormat};

/// Serialize `inventory` as a CycloneDX XML BOM of `version` (2-space indented, trailing newline).
pub fn write(inventory: &Inventory, version: CycloneDxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, mut diagnostics) = super::document::build(inventory, version);
    let mut emitter = Emitter { out: Writer::new_with_indent(Vec::new(), b' ', 2), replaced: 0 };
    emitter
        .bom(&document, version)
        .map_err(|e| SbomError::Unsupported(format!("CycloneDX XML could not be written: {e}")))?;
    if emitter.replaced > 0 {
        diagnostics.push(Diagnostic::new(
            DiagnosticCode::ConversionLoss,
            "document",
            None,
            format!("{} character(s) that XML 1.0 cannot carry were replaced by U+FFFD", emitter.replaced),
        ));
    }
    let mut text = String::from_utf8(emitter.out.into_inner())
        .map_err(|e| SbomError::Unsupported(format!("CycloneDX XML is not UTF-8: {e}")))?;
    text.push('\n');
    Ok((text, diagnostics))
}

/// Read a CycloneDX 1.4–1.7 XML BOM. The returned `json` is the document in the JSON shape of its version.
pub fn read(text: &str) -> Result<ReadSbom, SbomError> {
    let root = tree::parse(text)?;
    let namespace = root.ns.as_deref().unwrap_or_default();
    let version = namespace
        .strip_prefix("http://cyclonedx.org/schema/bom/")
        .and_then(CycloneDxVersion::parse)
        .ok_or_else(|| {
            SbomError::Unsupported(format!(
                "line {}: XML namespace `{namespace}` is not a CycloneDX version cpsf reads (http://cyclonedx.org/schema/bom/1.4 to 1.7)",
                root.line
            ))
        })?;
    if root.name != "bom" {
        return Err(SbomError::Malformed {
            line: Some(root.line),
            message: format!("expected the root element `<bom>`, found `<{}>`", root.name),
        });
    }
    let json = to_json::bom(&root, version);
    let mut read = super::json::read(json)?;
    read.format = SbomFormat::CycloneDxXml(version);
    Ok(read)
}

type Result2 = Result<(), quick_xml::Error>;

/// Characters XML 1.0 allows in documents.
fn xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

struct Emitter {
    out: Writer<Vec<u8>>,
    replaced: usize,
}

fn str_of<'a>(v: &'a Node<'_>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Node::as_str)
}

fn items<'a, 'b>(v: &'a Node<'b>, key: &str) -> &'a [Node<'b>] {
    v.get(key).map(Node::items).unwrap_or_default()
}

impl Emitter {
    fn clean<'a>(&mut self, s: &'a str) -> Cow<'a, str> {
        if s.chars().all(xml_char) {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if xml_char(c) {
                out.push(c);
            } else {
                self.replaced += 1;
                out.push('\u{FFFD}');
            }
        }
        Cow::Owned(out)
    }

    fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result2 {
        let mut start = BytesStart::new(name);
        for (k, v) in attributes {
            let v = self.clean(v);
            start.push_attribute((*k, v.as_ref()));
        }
        self.out.write_event(Event::Start(start))?;
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result2 {
        self.out.write_event(Event::End(BytesEnd::new(name)))?;
        Ok(())
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result2 {
        let mut start = BytesStart::new(name);
        for (k, v) in attributes {
            let v = self.clean(v);
            start.push_attribute((*k, v.as_ref()));
        }
        self.out.write_event(Event::Empty(start))?;
        Ok(())
    }

    /// `<name attributes…>text</name>`.
    fn text_element(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> Result2 {
        self.start(name, attributes)?;
        let text = self.clean(text);
        self.out.write_event(Event::Text(BytesText::new(&text)))?;
        self.end(name)
    }

    /// A child element per key, for keys whose values are scalars.
    fn text_child(&mut self, v: &Node<'_>, key: &str) -> Result2 {
        if let Some(text) = v.get(key).and_then(Node::text) {
            self.text_element(key, &[], &text)?;
        }
        Ok(())
    }

    fn bom(&mut self, doc: &Node<'_>, version: CycloneDxVersion) -> Result2 {
        self.out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let ns = super::namespace(version);
        let version_attr =
            doc.get("version").and_then(Node::text).map(|t| t.into_owned()).unwrap_or_else(|| "1".into());
        let mut attributes: Vec<(&str, &str)> = vec![("xmlns", &ns)];
        if let Some(serial) = str_of(doc, "serialNumber") {
            attributes.push(("serialNumber", serial));
        }
        attributes.push(("version", &version_attr));
        self.start("bom", &attributes)?;
        if let Some(metadata) = doc.get("metadata") {
            self.metadata(metadata)?;
        }
        self.start("components", &[])?;
        for c in items(doc, "components") {
            self.component("component", c)?;
        }
        self.end("components")?;
        if doc.get("dependencies").is_some() {
            self.start("dependencies", &[])?;
            for d in items(doc, "dependencies") {
                let r = str_of(d, "ref").unwrap_or_default();
                let targets = items(d, "dependsOn");
                if targets.is_empty() {
                    self.empty("dependency", &[("ref", r)])?;
                } else {
                    self.start("dependency", &[("ref", r)])?;
                    for t in targets.iter().filter_map(Node::as_str) {
                        self.empty("dependency", &[("ref", t)])?;
                    }
                    self.end("dependency")?;
                }
            }
            self.end("dependencies")?;
        }
        self.end("bom")
    }

    fn metadata(&mut self, m: &Node<'_>) -> Result2 {
        self.start("metadata", &[])?;
        self.text_child(m, "timestamp")?;
        match m.get("tools") {
            Some(Node::List(legacy)) => {
                self.start("tools", &[])?;
                for t in legacy {
                    self.start("tool", &[])?;
                    for key in ["vendor", "name", "version"] {
                        self.text_child(t, key)?;
                    }
                    self.end("tool")?;
                }
                self.end("tools")?;
            }
            Some(tools @ Node::Object(_)) => {
                self.start("tools", &[])?;
                self.start("components", &[])?;
                for c in items(tools, "components") {
                    self.component("component", c)?;
                }
                self.end("components")?;
                self.end("tools")?;
            }
            _ => {}
        }
        if m.get("authors").is_some() {
            self.start("authors", &[])?;
            for a in items(m, "authors") {
                self.contact("author", a)?;
            }
            self.end("authors")?;
        }
        if let Some(c) = m.get("component") {
            self.component("component", c)?;
        }
        if let Some(s) = m.get("supplier") {
            self.organization("supplier", s)?;
        }
        self.properties(m)?;
        self.end("metadata")
    }

    fn contact(&mut self, tag: &str, c: &Node<'_>) -> Result2 {
        self.start(tag, &[])?;
        for key in ["name", "email", "phone"] {
            self.text_child(c, key)?;
        }
        self.end(tag)
    }

    fn organization(&mut self, tag: &str, o: &Node<'_>) -> Result2 {
        self.start(tag, &[])?;
        self.text_child(o, "name")?;
        for url in items(o, "url").iter().filter_map(Node::as_str) {
            self.text_element("url", &[], url)?;
        }
        for c in items(o, "contact") {
            self.contact("contact", c)?;
        }
        self.end(tag)
    }

    fn properties(&mut self, v: &Node<'_>) -> Result2 {
        if v.get("properties").is_none() {
            return Ok(());
        }
        self.start("properties", &[])?;
        for p in items(v, "properties") {
            let name = str_of(p, "name").unwrap_or_default();
            self.text_element("property", &[("name", name)], str_of(p, "value").unwrap_or_default())?;
        }
        self.end("properties")
    }

    /// A component, its children in the order of the XML schema.
    fn component(&mut self, tag: &str, c: &Node<'_>) -> Result2 {
        let mut attributes: Vec<(&str, &str)> = Vec::new();
        for key in ["type", "bom-ref"] {
            if let Some(v) = str_of(c, key) {
                attributes.push((key, v));
            }
        }
        self.start(tag, &attributes)?;
        if let Some(s) = c.get("supplier") {
            self.organization("supplier", s)?;
        }
        if let Some(m) = c.get("manufacturer") {
            self.organization("manufacturer", m)?;
        }
        if c.get("authors").is_some() {
            self.start("authors", &[])?;
            for a in items(c, "authors") {
                self.contact("author", a)?;
            }
            self.end("authors")?;
        }
        for key in ["author", "publisher", "group", "name", "version", "description", "scope"] {
            self.text_child(c, key)?;
        }
        if c.get("hashes").is_some() {
            self.start("hashes", &[])?;
            for h in items(c, "hashes") {
                let alg = str_of(h, "alg").unwrap_or_default();
                self.text_element("hash", &[("alg", alg)], str_of(h, "content").unwrap_or_default())?;
            }
            self.end("hashes")?;
        }
        if c.get("licenses").is_some() {
            self.start("licenses", &[])?;
            for l in items(c, "licenses") {
                if let Some(expression) = str_of(l, "expression") {
                    self.text_element("expression", &[], expression)?;
                } else if let Some(license) = l.get("license") {
                    self.start("license", &[])?;
                    self.text_child(license, "id")?;
                    self.text_child(license, "name")?;
                    self.end("license")?;
                }
            }
            self.end("licenses")?;
        }
        self.text_child(c, "purl")?;
        if c.get("externalReferences").is_some() {
            self.start("externalReferences", &[])?;
            for r in items(c, "externalReferences") {
                let ty = str_of(r, "type").unwrap_or_default();
                self.start("reference", &[("type", ty)])?;
                self.text_child(r, "url")?;
                self.end("reference")?;
            }
            self.end("externalReferences")?;
        }
        self.properties(c)?;
        if let Some(evidence) = c.get("evidence") {
            self.start("evidence", &[])?;
            self.start("occurrences", &[])?;
            for o in items(evidence, "occurrences") {
                self.start("occurrence", &[])?;
                self.text_child(o, "location")?;
                self.text_child(o, "line")?;
                self.end("occurrence")?;
            }
            self.end("occurrences")?;
            self.end("evidence")?;
        }
        self.end(tag)
    }
}
