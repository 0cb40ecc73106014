//! A namespace-resolved XML element tree built with quick-xml, with 1-based line numbers for messages.

use std::rc::Rc;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::SbomError;

/// Deeper nesting than this is refused (no CycloneDX document comes close; it keeps recursion bounded).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    /// Namespace URI, `None` for unprefixed attributes.
    pub ns: Option<Rc<str>>,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// Namespace URI, `None` when the element is in no namespace.
    pub ns: Option<Rc<str>>,
    /// Local name.
    pub name: String,
    /// Attributes other than namespace declarations.
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    /// Character data directly inside this element (text and CDATA), concatenated; whitespace before the
    /// first character that is not whitespace is not kept.
    pub text: String,
    pub line: u32,
}

impl Element {
    /// The value of an attribute in no namespace.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.ns.is_none() && a.name == name).map(|a| a.value.as_str())
    }
}

/// Byte offsets of line starts, to turn reader positions into line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Self(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    fn line(&self, offset: u64) -> u32 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        u32::try_from(self.0.partition_point(|start| *start <= offset)).unwrap_or(u32::MAX)
    }
}

fn malformed(line: u32, message: impl Into<String>) -> SbomError {
    SbomError::Malformed { line: Some(line), message: message.into() }
}

/// Namespace URIs seen so far, shared by the elements and attributes in them (documents use a handful).
#[derive(Default)]
struct Namespaces(Vec<Rc<str>>);

impl Namespaces {
    fn intern(&mut self, uri: &str) -> Rc<str> {
        if let Some(found) = self.0.iter().find(|n| &***n == uri) {
            return Rc::clone(found);
        }
        let new: Rc<str> = Rc::from(uri);
        self.0.push(Rc::clone(&new));
        new
    }
}

fn namespace_of(
    namespaces: &mut Namespaces,
    result: ResolveResult<'_>,
    line: u32,
) -> Result<Option<Rc<str>>, SbomError> {
    match result {
        ResolveResult::Bound(ns) => Ok(Some(namespaces.intern(ns.into_inner()))),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => {
            Err(malformed(line, format!("XML namespace prefix `{prefix}` is used but not declared")))
        }
    }
}

/// Parse a whole document into its root element. Fails on anything that is not well-formed XML.
pub(crate) fn parse(text: &str) -> Result<Element, SbomError> {
    let lines = Lines::new(text);
    let mut reader = NsReader::from_str(text);
    let mut namespaces = Namespaces::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let line = lines.line(position);
        let (ns_result, event) = match reader.read_resolved_event() {
            Ok(resolved) => resolved,
            Err(e) => {
                let message = format!("not well-formed XML: {e}");
                return Err(malformed(lines.line(reader.error_position()), message));
            }
        };
        let ns = match &event {
            Event::Start(_) | Event::Empty(_) => namespace_of(&mut namespaces, ns_result, line)?,
            _ => None,
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed(line, "expected a single root element, found a second one"));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(line, format!("elements nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(element(&reader, &start, &mut namespaces, ns, line)?);
            }
            Event::Empty(start) => {
                let done = element(&reader, &start, &mut namespaces, ns, line)?;
                close(&mut stack, &mut root, done);
            }
            Event::End(_) => {
                // quick-xml checks that end names match start names.
                if let Some(done) = stack.pop() {
                    close(&mut stack, &mut root, done);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(open) if open.text.is_empty() && content.trim().is_empty() => {}
                    Some(open) => open.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(malformed(line, "expected only markup outside the root element, found text")),
                }
            }
            Event::CData(c) => {
                let content = c.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None => return Err(malformed(line, "expected only markup outside the root element, found CDATA")),
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => return Err(malformed(line, format!("undeclared entity `&{};`", &*r))),
                    },
                    Err(e) => return Err(malformed(line, format!("invalid character reference `&{};`: {e}", &*r))),
                };
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&resolved),
                    None => return Err(malformed(line, "expected only markup outside the root element")),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            lines.line(reader.buffer_position()),
            format!("document ends inside element `{}` opened on line {}", open.name, open.line),
        ));
    }
    root.ok_or_else(|| SbomError::Malformed { line: None, message: "expected an XML root element, found none".into() })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, done: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    namespaces: &mut Namespaces,
    ns: Option<Rc<str>>,
    line: u32,
) -> Result<Element, SbomError> {
    let name = start.local_name().into_inner().to_owned();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(line, format!("invalid attribute in `<{name}>`: {e}")))?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(key);
        let attr_ns = namespace_of(namespaces, resolved, line)?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(line, format!("invalid value of attribute in `<{name}>`: {e}")))?
            .into_owned();
        attributes.push(Attribute { ns: attr_ns, name: local.into_inner().to_owned(), value });
    }
    Ok(Element { ns, name, attributes, children: Vec::new(), text: String::new(), line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_entities_and_lines() {
        let doc = "<?xml version=\"1.0\"?>\n<bom xmlns=\"urn:a\" xmlns:x=\"urn:x\" serialNumber=\"s\">\n  <a x:k=\"v\">1 &amp; &#65;<![CDATA[<c>]]></a>\n  <x:b/>\n</bom>\n";
        let root = parse(doc).unwrap();
        assert_eq!(root.ns.as_deref(), Some("urn:a"));
        assert_eq!(root.attribute("serialNumber"), Some("s"));
        assert_eq!(root.line, 2);
        let a = &root.children[0];
        assert_eq!(a.text, "1 & A<c>");
        assert_eq!(a.attributes[0].ns.as_deref(), Some("urn:x"));
        assert_eq!(a.line, 3);
        assert_eq!(root.children[1].ns.as_deref(), Some("urn:x"));
    }

    #[test]
    fn rejects_broken_documents() {
        for doc in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&nope;</a>", "<p:a/>", "text<a/>", "<a x='1' x='2'/>"] {
            assert!(parse(doc).is_err(), "{doc:?} should be rejected");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }
}
