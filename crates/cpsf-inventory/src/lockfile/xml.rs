//! A small element tree read with `quick-xml`, for the XML lockfiles (Maven POM, Gradle verification metadata,
//! NuGet packages.config): element names without prefixes, attributes, text, and the byte offset of each start tag.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::LockfileError;
use crate::text::LineIndex;

/// Deeper nesting than this is refused: no lockfile needs it, and it bounds memory and recursion.
const MAX_DEPTH: usize = 256;

/// One XML element.
#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    /// Local name, without a namespace prefix.
    pub name: String,
    /// Attributes by local name, values unescaped.
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's own character data (text, CDATA and references), not that of its children.
    pub text: String,
    /// Byte offset of the start tag in the document.
    pub offset: usize,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`, when present and not empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }

    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parse a whole document into its root element. Errors carry the line where the reader stopped.
pub(crate) fn parse(text: &str) -> Result<Element, LockfileError> {
    let lines = LineIndex::new(text);
    // The reader skips a byte order mark without counting it; skip it here so that offsets stay those of `text`.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let shift = text.len() - body.len();
    let mut reader = Reader::from_str(body);
    // Keep whitespace so that the position before a start tag is the `<` itself.
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX).saturating_add(shift);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX).saturating_add(shift);
            LockfileError::malformed(Some(lines.line_of(at)), format!("invalid XML: {e}"))
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(LockfileError::malformed(
                        Some(lines.line_of(offset)),
                        format!("XML nesting deeper than {MAX_DEPTH} elements"),
                    ));
                }
                stack.push(element(&start, offset, &lines)?);
            }
            Event::Empty(start) => {
                let el = element(&start, offset, &lines)?;
                close(&mut stack, &mut root, el, offset, &lines)?;
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(&mut stack, &mut root, el, offset, &lines)?,
                None => {
                    return Err(LockfileError::malformed(
                        Some(lines.line_of(offset)),
                        "invalid XML: a closing tag without an opening one",
                    ));
                }
            },
            Event::Text(t) => append(&mut stack, &t.xml10_content()),
            Event::CData(t) => append(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*r {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => format!("&{other};"),
                    },
                    Err(e) => {
                        return Err(LockfileError::malformed(
                            Some(lines.line_of(offset)),
                            format!("invalid XML character reference `&{};`: {e}", &*r),
                        ));
                    }
                };
                append(&mut stack, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(LockfileError::malformed(
            Some(lines.line_of(text.len())),
            format!(
                "invalid XML: the document ends inside <{}> opened on line {}",
                open.name,
                lines.line_of(open.offset)
            ),
        ));
    }
    root.ok_or_else(|| LockfileError::malformed(Some(1), "invalid XML: expected a root element, found none"))
}

/// The trimmed text of the first element named `name` directly under the root, read only as far as needed;
/// `None` when there is none before the end of the root's children or the document breaks before it.
pub(crate) fn top_level_text(text: &str, name: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut capture: Option<String> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                depth += 1;
                if depth == 2 && capture.is_none() && start.local_name().into_inner() == name {
                    capture = Some(String::new());
                }
            }
            Event::Empty(start) if depth == 1 && start.local_name().into_inner() == name => return None,
            Event::End(_) => {
                if depth == 2
                    && let Some(found) = capture.take()
                {
                    return Some(found.trim().to_owned());
                }
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
            }
            Event::Text(t) if depth == 2 => {
                if let Some(c) = capture.as_mut() {
                    c.push_str(&t.xml10_content());
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

fn element(start: &BytesStart<'_>, offset: usize, lines: &LineIndex<'_>) -> Result<Element, LockfileError> {
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| {
            LockfileError::malformed(Some(lines.line_of(offset)), format!("invalid XML attribute: {e}"))
        })?;
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| {
            LockfileError::malformed(Some(lines.line_of(offset)), format!("invalid XML attribute value: {e}"))
        })?;
        attributes.push((attr.key.local_name().into_inner().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: start.local_name().into_inner().to_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
        offset,
    })
}

/// Attach a finished element to its parent, or make it the root.
fn close(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    offset: usize,
    lines: &LineIndex<'_>,
) -> Result<(), LockfileError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => {
            return Err(LockfileError::malformed(
                Some(lines.line_of(offset)),
                "invalid XML: a second root element after the first one",
            ));
        }
    }
    Ok(())
}

fn append(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_attributes_text_and_offsets() {
        let text = "\u{feff}<?xml version=\"1.0\"?>\r\n<!DOCTYPE x>\r\n<a:root xmlns:a=\"urn:x\" k=\"v &amp; w\">\r\n  \
                    <child n='1'>one &lt;&#x41;&gt; <![CDATA[<two>]]></child>\r\n  <empty/>\r\n</a:root>\r\n";
        let root = parse(text).expect("parses");
        let lines = LineIndex::new(text);
        assert_eq!(root.name, "root");
        assert_eq!(root.attribute("k"), Some("v & w"));
        assert_eq!(lines.line_of(root.offset), 3, "{:?}", text.get(root.offset..));
        let child = root.child("child").expect("child");
        assert_eq!(child.text, "one <A> <two>");
        assert_eq!(child.attribute("n"), Some("1"));
        assert_eq!(lines.line_of(child.offset), 4);
        assert_eq!(text.get(child.offset..child.offset + 6), Some("<child"));
        let empty = root.child("empty").expect("empty");
        assert_eq!(lines.line_of(empty.offset), 5);
        assert_eq!(root.child_text("empty"), None);
        assert_eq!(root.children_named("child").count(), 1);
    }

    #[test]
    fn reads_one_top_level_text_early() {
        let text = "<project><parent><artifactId>p</artifactId></parent>\n<artifactId> own </artifactId><broken";
        assert_eq!(top_level_text(text, "artifactId").as_deref(), Some("own"));
        assert_eq!(
            top_level_text("<project><parent><artifactId>p</artifactId></parent></project>", "artifactId"),
            None
        );
        assert_eq!(top_level_text("<project><artifactId/></project>", "artifactId"), None);
        assert_eq!(top_level_text("<project><x>", "artifactId"), None);
    }

    #[test]
    fn errors_name_the_line() {
        let err = |t: &str| parse(t).expect_err("fails");
        assert_eq!(err("<a>\n<b>\n</c>\n</a>").line, Some(3));
        assert_eq!(err("<a>\n<b>\n").message, "invalid XML: the document ends inside <b> opened on line 2");
        assert_eq!(err("<a/>\n<b/>").message, "invalid XML: a second root element after the first one");
        assert_eq!(err("").line, Some(1));
        assert_eq!(err("<a>&#xD800;</a>").line, Some(1));
        assert_eq!(err("<a>\n<b x=1/></a>").line, Some(2));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(err(&deep).message.contains("nesting deeper"));
    }
}
