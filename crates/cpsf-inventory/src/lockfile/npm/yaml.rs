//! A fast reader for the YAML that pnpm and Yarn Berry write (block mappings and sequences, one-line flow
//! collections, plain and quoted scalars), keeping the line of every mapping key. Anything outside that
//! subset (anchors, tags, block scalars, multi-line scalars) goes to `serde_norway` instead, whose errors
//! carry the line.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::lockfile::LockfileError;

/// A YAML node, borrowing from the text where it can. Scalars stay text (`1.10` is not the number 1.1);
/// `~`/`null` are `Null`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Yaml<'a> {
    Null,
    Str(Cow<'a, str>),
    Seq(Vec<Yaml<'a>>),
    Map(Vec<Entry<'a>>),
}

/// One `key: value` of a mapping, with the 1-based line of the key (0 when not known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) line: u32,
    pub(crate) value: Yaml<'a>,
}

impl<'a> Yaml<'a> {
    /// The value of `key` in a mapping (the first one, if the key repeats).
    pub(crate) fn get(&self, key: &str) -> Option<&Yaml<'a>> {
        self.entries().iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// A mapping's entries; empty for anything else.
    pub(crate) fn entries(&self) -> &[Entry<'a>] {
        match self {
            Yaml::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self, Yaml::Map(_))
    }

    /// `true`/`false` scalars.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.as_str()? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Yaml::Null => "nothing",
            Yaml::Str(_) => "a scalar",
            Yaml::Seq(_) => "a sequence",
            Yaml::Map(_) => "a mapping",
        }
    }
}

/// Parse a whole document.
pub(crate) fn parse(text: &str) -> Result<Yaml<'_>, LockfileError> {
    if let Some(doc) = Fast::new(text).and_then(Fast::document) {
        return Ok(doc);
    }
    let value: serde_norway::Value = serde_norway::from_str(text).map_err(|e| LockfileError::yaml(&e))?;
    let mut lines = KeyLines::new(text);
    Ok(convert(value, 0, &mut lines))
}

/// One non-blank, non-comment line.
struct Line<'a> {
    no: u32,
    indent: usize,
    text: &'a str,
}

struct Fast<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Fast<'a> {
    fn new(text: &'a str) -> Option<Self> {
        let mut lines = Vec::new();
        for (n, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let text = raw.trim_start_matches(' ');
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            if text.starts_with('\t') {
                return None;
            }
            if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
                // Document markers and directives: leave the whole file to the full parser.
                return None;
            }
            lines.push(Line { no: (n + 1) as u32, indent: raw.len() - text.len(), text: text.trim_end() });
        }
        Some(Self { lines, pos: 0 })
    }

    fn document(mut self) -> Option<Yaml<'a>> {
        let Some(first) = self.lines.first() else { return Some(Yaml::Null) };
        if first.indent != 0 {
            return None;
        }
        let doc = self.block(0)?;
        (self.pos == self.lines.len()).then_some(doc)
    }

    fn peek(&self) -> Option<&Line<'a>> {
        self.lines.get(self.pos)
    }

    fn block(&mut self, indent: usize) -> Option<Yaml<'a>> {
        let line = self.peek()?;
        if is_item(line.text) { self.sequence(indent) } else { self.mapping(indent) }
    }

    fn mapping(&mut self, indent: usize) -> Option<Yaml<'a>> {
        let mut entries = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (no, text) = (line.no, line.text);
            let (key, rest) = split_key(text)?;
            self.pos += 1;
            let value = if rest.is_empty() {
                match self.peek() {
                    Some(next) if next.indent > indent => {
                        let child = next.indent;
                        self.block(child)?
                    }
                    Some(next) if next.indent == indent && is_item(next.text) => self.sequence(indent)?,
                    _ => Yaml::Null,
                }
            } else {
                let value = inline(rest)?;
                if self.peek().is_some_and(|next| next.indent > indent) {
                    return None;
                }
                value
            };
            entries.push(Entry { key, line: no, value });
        }
        Some(Yaml::Map(entries))
    }

    fn sequence(&mut self, indent: usize) -> Option<Yaml<'a>> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !is_item(line.text) {
                break;
            }
            let item = line.text.get(1..)?.trim_start();
            if item.is_empty() || split_key(item).is_some() {
                // Nested blocks inside a sequence item: not written by pnpm or Yarn.
                return None;
            }
            self.pos += 1;
            items.push(inline(item)?);
            if self.peek().is_some_and(|next| next.indent > indent) {
                return None;
            }
        }
        Some(Yaml::Seq(items))
    }
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// Split `key: rest` (rest trimmed, comment removed); `None` when the line is not a simple mapping entry.
fn split_key(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let (key, after) = if text.starts_with('"') || text.starts_with('\'') {
        let mut i = 0;
        let key = quoted(text, &mut i)?;
        (key, text.get(i..)?.trim_start())
    } else {
        if text.starts_with(['&', '*', '!', '|', '>', '%', '@', '`', '?', '{', '[', ',']) {
            return None;
        }
        let bytes = text.as_bytes();
        let colon =
            (0..bytes.len()).find(|&i| bytes.get(i) == Some(&b':') && matches!(bytes.get(i + 1), None | Some(b' ')))?;
        let key = text.get(..colon)?.trim_end();
        if key.contains(" #") {
            return None;
        }
        (Cow::Borrowed(key), text.get(colon..)?)
    };
    let rest = after.strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let rest = rest.trim();
    Some((key, if rest.starts_with('#') { "" } else { rest }))
}

/// A value written on the same line as its key (or sequence dash).
fn inline(text: &str) -> Option<Yaml<'_>> {
    let text = text.trim();
    let mut i = 0;
    let value = match text.as_bytes().first()? {
        b'"' | b'\'' => Yaml::Str(quoted(text, &mut i)?),
        b'{' | b'[' => flow(text, &mut i)?,
        b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' | b',' | b'#' => return None,
        b'-' if text.len() == 1 || text.starts_with("- ") => return None,
        _ => {
            let value = match text.find(" #") {
                Some(c) => text.get(..c)?.trim_end(),
                None => text,
            };
            if value.contains(": ") || value.ends_with(':') {
                return None;
            }
            return Some(plain(value));
        }
    };
    let rest = text.get(i..)?.trim_start();
    (rest.is_empty() || rest.starts_with('#')).then_some(value)
}

fn plain(text: &str) -> Yaml<'_> {
    match text {
        "~" | "null" | "Null" | "NULL" => Yaml::Null,
        t => Yaml::Str(Cow::Borrowed(t)),
    }
}

/// A quoted scalar starting at `*i` (which must point at the quote); moves `*i` past the closing quote.
/// Without escapes it borrows from the text.
fn quoted<'a>(text: &'a str, i: &mut usize) -> Option<Cow<'a, str>> {
    let start = *i;
    let quote = *text.as_bytes().get(start)?;
    let body = text.get(start + 1..)?;
    let bytes = body.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b == b'\\' && quote == b'"' {
            break;
        }
        if b == quote {
            if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') {
                break;
            }
            *i = start + 1 + at + 1;
            return Some(Cow::Borrowed(body.get(..at)?));
        }
        at += 1;
    }
    quoted_with_escapes(body, quote, start, i).map(Cow::Owned)
}

/// The slow path of [`quoted`]: decode escapes into a new string.
fn quoted_with_escapes(body: &str, quote: u8, start: usize, i: &mut usize) -> Option<String> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        if quote == b'\'' {
            if c == '\'' {
                if body.get(at + 1..).is_some_and(|r| r.starts_with('\'')) {
                    out.push('\'');
                    chars.next();
                    continue;
                }
                *i = start + 1 + at + 1;
                return Some(out);
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                *i = start + 1 + at + 1;
                return Some(out);
            }
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' | '\t' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'e' => out.push('\u{1b}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    ' ' | '"' | '/' | '\\' => out.push(e),
                    'N' => out.push('\u{85}'),
                    '_' => out.push('\u{a0}'),
                    'x' | 'u' | 'U' => {
                        let len = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut code = 0u32;
                        for _ in 0..len {
                            let (_, h) = chars.next()?;
                            code = code * 16 + h.to_digit(16)?;
                        }
                        out.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    // Unterminated on this line: a multi-line scalar.
    None
}

/// A one-line flow collection starting at `*i`; moves `*i` past its closing bracket.
fn flow<'a>(text: &'a str, i: &mut usize) -> Option<Yaml<'a>> {
    let bytes = text.as_bytes();
    let close = match bytes.get(*i)? {
        b'{' => b'}',
        b'[' => b']',
        _ => return None,
    };
    *i += 1;
    let mut entries = Vec::new();
    let mut items = Vec::new();
    loop {
        skip_spaces(bytes, i);
        if bytes.get(*i) == Some(&close) {
            *i += 1;
            break;
        }
        if close == b'}' {
            let key = match flow_node(text, i, true)? {
                Yaml::Str(s) => s,
                Yaml::Null => Cow::Borrowed(""),
                _ => return None,
            };
            skip_spaces(bytes, i);
            let value = if bytes.get(*i) == Some(&b':') {
                *i += 1;
                skip_spaces(bytes, i);
                if matches!(bytes.get(*i), Some(b',' | b'}')) { Yaml::Null } else { flow_node(text, i, false)? }
            } else {
                Yaml::Null
            };
            entries.push(Entry { key, line: 0, value });
        } else {
            items.push(flow_node(text, i, false)?);
        }
        skip_spaces(bytes, i);
        match bytes.get(*i)? {
            b',' => *i += 1,
            c if *c == close => {
                *i += 1;
                break;
            }
            _ => return None,
        }
    }
    Some(if close == b'}' { Yaml::Map(entries) } else { Yaml::Seq(items) })
}

fn skip_spaces(bytes: &[u8], i: &mut usize) {
    while bytes.get(*i) == Some(&b' ') {
        *i += 1;
    }
}

/// A node inside a flow collection: nested collection, quoted scalar, or plain scalar ending at `,`, `]`,
/// `}` (and, for keys, at `: `/`:` before a separator).
fn flow_node<'a>(text: &'a str, i: &mut usize, key: bool) -> Option<Yaml<'a>> {
    let bytes = text.as_bytes();
    match bytes.get(*i)? {
        b'{' | b'[' => return flow(text, i),
        b'"' | b'\'' => return quoted(text, i).map(Yaml::Str),
        b'&' | b'*' | b'!' | b'|' | b'>' | b'#' | b'`' | b'@' | b'%' => return None,
        _ => {}
    }
    let start = *i;
    while let Some(&b) = bytes.get(*i) {
        if matches!(b, b',' | b']' | b'}') {
            break;
        }
        if b == b':' && matches!(bytes.get(*i + 1), None | Some(b' ' | b',' | b']' | b'}')) {
            if key {
                break;
            }
            // `a: b` inside a flow value would be a nested implicit mapping.
            return None;
        }
        if b == b'#' && *i > start && bytes.get(*i - 1) == Some(&b' ') {
            return None;
        }
        *i += 1;
    }
    Some(plain(text.get(start..*i)?.trim()))
}

/// Gives lines to the keys of a document read by `serde_norway`: every line that starts (after its
/// indentation) with `key:` is indexed once, and each key of the top two levels takes the first such line
/// after the previous key's, so the whole pass stays linear.
struct KeyLines<'a> {
    by_key: HashMap<Cow<'a, str>, Vec<u32>>,
    last: u32,
}

impl<'a> KeyLines<'a> {
    fn new(text: &'a str) -> Self {
        let mut by_key: HashMap<Cow<'a, str>, Vec<u32>> = HashMap::new();
        for (n, line) in text.split('\n').enumerate() {
            let content = line.trim_start_matches([' ', '\t']).trim_end_matches('\r');
            if content.starts_with(['#', '-']) || content.is_empty() {
                continue;
            }
            if let Some((key, _)) = split_key(content) {
                by_key.entry(key).or_default().push((n + 1) as u32);
            } else if let Some(key) = content.strip_suffix(':') {
                by_key.entry(Cow::Borrowed(key)).or_default().push((n + 1) as u32);
            }
        }
        Self { by_key, last: 0 }
    }

    /// The line of `key` after the previous one found, or 0.
    fn find(&mut self, key: &str) -> u32 {
        let Some(lines) = self.by_key.get(key) else { return 0 };
        let next = lines.partition_point(|&l| l <= self.last);
        match lines.get(next) {
            Some(&line) => {
                self.last = line;
                line
            }
            None => 0,
        }
    }
}

fn scalar_text(value: &serde_norway::Value) -> Option<String> {
    match value {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

fn convert(value: serde_norway::Value, depth: usize, lines: &mut KeyLines<'_>) -> Yaml<'static> {
    use serde_norway::Value;
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Str(Cow::Owned(b.to_string())),
        Value::Number(n) => Yaml::Str(Cow::Owned(n.to_string())),
        Value::String(s) => Yaml::Str(Cow::Owned(s)),
        Value::Sequence(items) => Yaml::Seq(items.into_iter().map(|v| convert(v, depth + 1, lines)).collect()),
        Value::Mapping(map) => Yaml::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let key = scalar_text(&k).unwrap_or_default();
                    let line = if depth <= 1 { lines.find(&key) } else { 0 };
                    Entry { key: Cow::Owned(key), line, value: convert(v, depth + 1, lines) }
                })
                .collect(),
        ),
        Value::Tagged(t) => convert(t.value, depth, lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Yaml<'_> {
        Yaml::Str(v.into())
    }

    #[test]
    fn reads_pnpm_shapes_with_lines() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      lodash:\n        specifier: ^4.17.21\n        version: 4.17.21\n\npackages:\n\n  '@babel/core@7.20.0':\n    resolution: {integrity: sha512-AAAA, tarball: https://x.example/a.tgz}\n    engines: {node: '>=6.9.0'}\n    cpu: [x64, arm64]\n    hasBin: true\n    transitivePeerDependencies:\n      - supports-color # why\n";
        let doc = parse(text).unwrap();
        assert_eq!(doc.get("lockfileVersion"), Some(&s("9.0")));
        let pkgs = doc.get("packages").unwrap();
        let e = &pkgs.entries()[0];
        assert_eq!((&*e.key, e.line), ("@babel/core@7.20.0", 13));
        let res = e.value.get("resolution").unwrap();
        assert_eq!(res.get("tarball"), Some(&s("https://x.example/a.tgz")));
        assert_eq!(e.value.get("engines").unwrap().get("node"), Some(&s(">=6.9.0")));
        assert_eq!(e.value.get("cpu"), Some(&Yaml::Seq(vec![s("x64"), s("arm64")])));
        assert_eq!(e.value.get("transitivePeerDependencies"), Some(&Yaml::Seq(vec![s("supports-color")])));
        let imp = doc.get("importers").unwrap().get(".").unwrap().get("dependencies").unwrap();
        assert_eq!(imp.get("lodash").unwrap().get("version"), Some(&s("4.17.21")));
    }

    #[test]
    fn reads_berry_shapes() {
        let text = "__metadata:\n  version: 8\n\n\"a@npm:^1.0.0, a@npm:^1.1.0\":\n  version: 1.10.0\n  dependencies:\n    \"@b/c\": \"npm:^2.0.0\"\n    d: 1 - 3\n  checksum: 10c0/abc\n";
        let doc = parse(text).unwrap();
        let e = &doc.entries()[1];
        assert_eq!((&*e.key, e.line), ("a@npm:^1.0.0, a@npm:^1.1.0", 4));
        assert_eq!(e.value.get("version"), Some(&s("1.10.0")));
        assert_eq!(e.value.get("dependencies").unwrap().get("@b/c"), Some(&s("npm:^2.0.0")));
        assert_eq!(e.value.get("dependencies").unwrap().get("d"), Some(&s("1 - 3")));
    }

    #[test]
    fn quoted_scalars_unescape() {
        assert_eq!(inline(r#""a\"b\u00e9""#), Some(s("a\"bé")));
        assert_eq!(inline("'it''s'"), Some(s("it's")));
        assert_eq!(inline("'open"), None);
    }

    #[test]
    fn falls_back_for_other_yaml() {
        let text = "a: &x\n  b: 1\nc: *x\nd: |\n  text\n";
        let doc = parse(text).unwrap();
        assert_eq!(doc.get("c").unwrap().get("b"), Some(&s("1")));
        assert_eq!(doc.entries()[1].line, 3);
        let err = parse("a: [unclosed\nb: {").unwrap_err();
        assert!(err.line.is_some());
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        assert!(Fast::new("a: b\n  c: d\n").and_then(Fast::document).is_none());
        assert!(Fast::new("a:\n  - x: 1\n").and_then(Fast::document).is_none());
        assert!(Fast::new("a: b: c\n").and_then(Fast::document).is_none());
        assert_eq!(Fast::new("").and_then(Fast::document), Some(Yaml::Null));
    }
}
