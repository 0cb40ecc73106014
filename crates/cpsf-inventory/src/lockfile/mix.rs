//! Parser for Elixir's `mix.lock`, an Elixir map literal of app name → lock tuple, read by a small tolerant
//! reader for the term syntax it uses (atoms, strings with escapes, numbers, lists, tuples, keyword lists, maps,
//! comments).
//!
//! - Hex packages: `{:hex, :name, "version", "inner_checksum", [managers], [deps], "repo", "outer_checksum"}`.
//!   Older Hex wrote shorter tuples (3, 4, 6 or 7 elements); every prefix is read. The component is
//!   `pkg:hex/NAME@VERSION` (the organization of a `hexpm:ORG` repository is the namespace). The outer checksum
//!   is the SHA-256 of the package tarball and becomes the hash; the inner checksum is a digest over the
//!   tarball's contents, not of a file, and is not recorded. Packages of hex.pm and its organizations get their
//!   tarball URL as download location. A package of another Hex repository is named there only by the
//!   repository's configured name, not its URL, so its purl cannot say where it comes from (no qualifier) and
//!   it gets no download location.
//! - Git dependencies: `{:git, "url", "commit", [branch: ..., tag: ..., subdir: ...]}`. The lock records no
//!   version for them, so the component is `pkg:hex/APP?vcs_url=git+URL@COMMIT` (`#DIR` appended when the
//!   dependency lives in a subfolder, `subdir:` or `sparse:`), which is also the download location.
//!
//! Edges come from each Hex entry's deps list `{:app, "requirement", [hex: :name, repo: ..., optional: bool]}`,
//! by app name. A dependency marked `optional: true` that is not in the lock was simply not needed, so it is no
//! error; one that is in the lock is an edge like any other. The lock does not say which packages the project
//! uses directly, nor for which environment, so `direct` and `scope` stay unknown.

use std::collections::BTreeMap;

use cpsf_model::{Component, Diagnostic, Hash, HashAlgorithm, Purl};

use super::entries::entry_skipped;
use super::swift::git_location;
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// Deeper nesting than this is refused rather than followed (mix.lock needs about five levels).
const MAX_DEPTH: usize = 64;

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let lines = LineIndex::new(input.text);
    let term = match read_document(input.text) {
        Ok(Some(term)) => term,
        Ok(None) => return Ok(Parsed::default()),
        Err(e) => {
            return Err(LockfileError::malformed(
                Some(lines.line_of(e.at)),
                format!("invalid mix.lock: {}", e.message),
            ));
        }
    };
    let Term::Map(entries) = term.term else {
        return Err(LockfileError::malformed(
            Some(lines.line_of(term.at)),
            format!("expected a map `%{{...}}` at the top of mix.lock, found {}", term.term.describe()),
        ));
    };

    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    // App name → (component, its deps, line).
    let mut locked: BTreeMap<String, (Component, Vec<Dependency>, u32)> = BTreeMap::new();
    for (key, value) in &entries {
        let line = lines.line_of(key.at);
        let Some(app) = key.term.text() else {
            diagnostics.push(entry_skipped(input, Some(line), "entry skipped: expected an app name as the key"));
            continue;
        };
        if locked.contains_key(app) {
            diagnostics.push(entry_skipped(
                input,
                Some(line),
                format!("duplicate entry `{app}` skipped: it is already listed"),
            ));
            continue;
        }
        match build_entry(app, value) {
            Ok((component, deps)) => {
                locked.insert(app.to_owned(), (component.at(input.path, Some(line)), deps, line));
            }
            Err(message) => {
                diagnostics.push(entry_skipped(input, Some(line), format!("entry `{app}` skipped: {message}")))
            }
        }
    }

    let refs: BTreeMap<String, String> =
        locked.iter().map(|(app, (c, _, _))| (app.clone(), c.bom_ref.clone())).collect();
    let mut components = Vec::with_capacity(locked.len());
    for (app, (mut component, deps, line)) in locked {
        for dep in deps {
            match refs.get(&dep.app) {
                Some(target) if *target != component.bom_ref => {
                    component.dependencies.insert(target.clone());
                }
                Some(_) => {}
                None if dep.optional => {}
                None => diagnostics.push(entry_skipped(
                    input,
                    Some(line),
                    format!("dependency `{}` of `{app}` is not in the lock; edge skipped", dep.app),
                )),
            }
        }
        components.push(component);
    }
    Ok(Parsed { components, diagnostics })
}

/// One item of a Hex entry's deps list.
struct Dependency {
    app: String,
    optional: bool,
}

fn build_entry(app: &str, value: &Node) -> Result<(Component, Vec<Dependency>), String> {
    let Term::Tuple(items) = &value.term else {
        return Err(format!("expected a tuple `{{:hex, ...}}` or `{{:git, ...}}`, found {}", value.term.describe()));
    };
    let item = |i: usize| items.get(i).map(|n| &n.term);
    match item(0) {
        Some(Term::Atom(scm)) if scm == "hex" => build_hex(app, items),
        Some(Term::Atom(scm)) if scm == "git" => {
            let url = item(1).and_then(Term::string).ok_or("expected the repository URL as a string after `:git`")?;
            let commit = item(2).and_then(Term::string).filter(|c| !c.trim().is_empty());
            let opts = item(3).map(Term::keywords).unwrap_or_default();
            let subdir = opts.get("subdir").or_else(|| opts.get("sparse")).and_then(|t| t.string());
            let vcs = git_location(url, commit, subdir);
            let purl = Purl::new("hex", app).map_err(|e| e.to_string())?.with_qualifier("vcs_url", &vcs);
            purl.validate().map_err(|e| e.to_string())?;
            let mut component = Component::from_purl(purl);
            component.download_location = Some(vcs);
            Ok((component, Vec::new()))
        }
        Some(Term::Atom(scm)) => Err(format!("unknown source `:{scm}` (expected `:hex` or `:git`)")),
        _ => Err("expected the source atom (`:hex` or `:git`) first in the tuple".into()),
    }
}

fn build_hex(app: &str, items: &[Node]) -> Result<(Component, Vec<Dependency>), String> {
    let item = |i: usize| items.get(i).map(|n| &n.term);
    let name = match item(1) {
        Some(t) => t.text().ok_or("expected the package name as an atom after `:hex`")?,
        None => app,
    };
    let version = item(2).and_then(Term::string).filter(|v| !v.trim().is_empty()).ok_or("expected a version string")?;
    let repo = item(6).and_then(Term::string).unwrap_or("hexpm");
    let organization = match repo.split_once(':') {
        Some(("hexpm", org)) if !org.is_empty() => Some(org),
        _ => None,
    };
    let purl = Purl::new("hex", name)
        .map_err(|e| e.to_string())?
        .with_namespace(organization)
        .with_version(Some(version.trim()));
    purl.validate().map_err(|e| e.to_string())?;
    let mut component = Component::from_purl(purl);
    if repo == "hexpm" || organization.is_some() {
        let base = match organization {
            Some(org) => format!("https://repo.hex.pm/repos/{}/tarballs", org.to_ascii_lowercase()),
            None => "https://repo.hex.pm/tarballs".to_owned(),
        };
        component.download_location = Some(format!("{base}/{name}-{}.tar", version.trim()));
    }
    if let Some(outer) = item(7).and_then(Term::string) {
        let hash = Hash::hex(HashAlgorithm::Sha256, outer)
            .ok_or_else(|| format!("expected the outer checksum to be 64 hex digits (SHA-256), found `{outer}`"))?;
        component.hashes.push(hash);
    }
    let mut deps = Vec::new();
    if let Some(Term::List(list)) = item(5) {
        for dep in list {
            let Term::Tuple(parts) = &dep.term else { continue };
            let Some(dep_app) = parts.first().and_then(|n| n.term.text()) else { continue };
            let opts = parts.get(2).map(|n| n.term.keywords()).unwrap_or_default();
            let optional = matches!(opts.get("optional"), Some(Term::Atom(b)) if b == "true");
            deps.push(Dependency { app: dep_app.to_owned(), optional });
        }
    }
    Ok((component, deps))
}

// ---------------------------------------------------------------------------------------------------------------
// Term reader
// ---------------------------------------------------------------------------------------------------------------

/// An Elixir term, as much of the syntax as lockfiles use. A keyword item `key: value` is the 2-tuple
/// `{:key, value}`, as in Elixir.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Atom(String),
    Str(String),
    Number(String),
    List(Vec<Node>),
    Tuple(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A term and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
struct Node {
    term: Term,
    at: usize,
}

impl Term {
    fn describe(&self) -> &'static str {
        match self {
            Term::Atom(_) => "an atom",
            Term::Str(_) => "a string",
            Term::Number(_) => "a number",
            Term::List(_) => "a list",
            Term::Tuple(_) => "a tuple",
            Term::Map(_) => "a map",
        }
    }

    fn string(&self) -> Option<&str> {
        match self {
            Term::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An atom's or a string's text.
    fn text(&self) -> Option<&str> {
        match self {
            Term::Atom(s) | Term::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A keyword list as key → value (first occurrence wins); empty for anything else.
    fn keywords(&self) -> BTreeMap<&str, &Term> {
        let mut out = BTreeMap::new();
        if let Term::List(items) = self {
            for item in items {
                if let Term::Tuple(pair) = &item.term
                    && let [key, value] = pair.as_slice()
                    && let Term::Atom(key) = &key.term
                {
                    out.entry(key.as_str()).or_insert(&value.term);
                }
            }
        }
        out
    }
}

/// A syntax error at a byte offset.
#[derive(Debug)]
struct SyntaxError {
    at: usize,
    message: String,
}

fn error<T>(at: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError { at, message: message.into() })
}

/// Read one term filling the document; `None` for a document of only whitespace and comments.
fn read_document(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut reader = Reader { text, pos: 0, depth: 0 };
    reader.skip_trivia();
    if reader.pos >= text.len() {
        return Ok(None);
    }
    let node = reader.value()?;
    reader.skip_trivia();
    if reader.pos < text.len() {
        return error(reader.pos, "unexpected text after the lock map");
    }
    Ok(Some(node))
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

fn is_identifier_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'@' || !b.is_ascii()
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    /// Whitespace and `#` comments.
    fn skip_trivia(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b'#' {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        self.skip_trivia();
        let at = self.pos;
        let Some(b) = self.peek() else { return error(at, "unexpected end of file; expected a value") };
        let term = match b {
            b'%' => {
                if self.peek_at(1) != Some(b'{') {
                    return error(at, "expected `%{` to open a map");
                }
                self.pos += 2;
                self.nested(at, |r| r.map_items())?
            }
            b'{' => {
                self.pos += 1;
                self.nested(at, |r| r.sequence(b'}').map(Term::Tuple))?
            }
            b'[' => {
                self.pos += 1;
                self.nested(at, |r| r.sequence(b']').map(Term::List))?
            }
            b'"' => Term::Str(self.string(b'"')?),
            b'\'' => Term::Str(self.string(b'\'')?),
            b':' => self.atom()?,
            b'-' | b'0'..=b'9' => self.number()?,
            b if is_identifier_start(b) => {
                // `true`, `false`, `nil` and other bare words (module names such as `Foo.Bar`) read as atoms.
                let start = self.pos;
                while self.peek().is_some_and(|b| is_identifier_byte(b) || matches!(b, b'.' | b'?' | b'!')) {
                    self.pos += 1;
                }
                Term::Atom(self.text.get(start..self.pos).unwrap_or_default().to_owned())
            }
            other => return error(at, format!("unexpected character `{}`", char::from(other).escape_default())),
        };
        Ok(Node { term, at })
    }

    /// Run `read` one nesting level deeper, refusing runaway nesting.
    fn nested(
        &mut self,
        at: usize,
        read: impl FnOnce(&mut Self) -> Result<Term, SyntaxError>,
    ) -> Result<Term, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return error(at, format!("terms nested deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let term = read(self);
        self.depth -= 1;
        term
    }

    /// A keyword key at the cursor (`name: ` or `"quoted name": `): its text and offset; the cursor is past the
    /// colon. Otherwise the cursor does not move.
    fn keyword_key(&mut self) -> Result<Option<(String, usize)>, SyntaxError> {
        let start = self.pos;
        let key = match self.peek() {
            Some(b'"') => self.string(b'"')?,
            Some(b) if is_identifier_start(b) => {
                while self.peek().is_some_and(|b| is_identifier_byte(b) || matches!(b, b'?' | b'!')) {
                    self.pos += 1;
                }
                self.text.get(start..self.pos).unwrap_or_default().to_owned()
            }
            _ => return Ok(None),
        };
        if self.peek() == Some(b':') && self.peek_at(1).is_none_or(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
            Ok(Some((key, start)))
        } else {
            self.pos = start;
            Ok(None)
        }
    }

    /// Items up to `close`, comma-separated, a trailing comma allowed; keyword items become 2-tuples.
    fn sequence(&mut self, close: u8) -> Result<Vec<Node>, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            let item = match self.keyword_key()? {
                Some((key, at)) => {
                    let value = self.value()?;
                    Node { term: Term::Tuple(vec![Node { term: Term::Atom(key), at }, value]), at }
                }
                None => self.value()?,
            };
            items.push(item);
            self.skip_trivia();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b) if b == close => {}
                _ => return error(self.pos, format!("expected `,` or `{}`", char::from(close))),
            }
        }
    }

    /// Map items up to `}`: `key => value` or `key: value`.
    fn map_items(&mut self) -> Result<Term, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(Term::Map(items));
            }
            let pair = match self.keyword_key()? {
                Some((key, at)) => (Node { term: Term::Atom(key), at }, self.value()?),
                None => {
                    let key = self.value()?;
                    self.skip_trivia();
                    if self.text.get(self.pos..).is_some_and(|rest| rest.starts_with("=>")) {
                        self.pos += 2;
                    } else {
                        return error(self.pos, "expected `=>` after a map key");
                    }
                    (key, self.value()?)
                }
            };
            items.push(pair);
            self.skip_trivia();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return error(self.pos, "expected `,` or `}` in a map"),
            }
        }
    }

    /// `:name`, `:name?`, `:"quoted"`.
    fn atom(&mut self) -> Result<Term, SyntaxError> {
        let at = self.pos;
        self.pos += 1;
        match self.peek() {
            Some(b'"') => Ok(Term::Atom(self.string(b'"')?)),
            Some(b) if is_identifier_start(b) => {
                let start = self.pos;
                while self.peek().is_some_and(|b| is_identifier_byte(b) || matches!(b, b'.' | b'?' | b'!')) {
                    self.pos += 1;
                }
                Ok(Term::Atom(self.text.get(start..self.pos).unwrap_or_default().to_owned()))
            }
            _ => error(at, "expected an atom name after `:`"),
        }
    }

    fn number(&mut self) -> Result<Term, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return error(start, "expected a digit");
        }
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')) {
            self.pos += 1;
        }
        Ok(Term::Number(self.text.get(start..self.pos).unwrap_or_default().to_owned()))
    }

    /// A quoted string from its opening quote, escapes resolved (interpolation is kept as written).
    fn string(&mut self, quote: u8) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.pos..).unwrap_or_default();
            let Some(c) = rest.chars().next() else { return error(start, "unterminated string") };
            self.pos += c.len_utf8();
            if c as u32 == u32::from(quote) {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escaped_at = self.pos;
            let Some(e) = self.text.get(self.pos..).and_then(|r| r.chars().next()) else {
                return error(start, "unterminated string");
            };
            self.pos += e.len_utf8();
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                's' => out.push(' '),
                '0' => out.push('\0'),
                'e' => out.push('\u{1b}'),
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'v' => out.push('\u{b}'),
                '\n' => {}
                'x' => out.push(self.hex_escape(escaped_at, 2)?),
                'u' => {
                    if self.peek() == Some(b'{') {
                        let close = self.text.get(self.pos..).and_then(|r| r.find('}'));
                        let Some(close) = close else { return error(escaped_at, "unterminated `\\u{...}` escape") };
                        let digits = self.text.get(self.pos + 1..self.pos + close).unwrap_or_default();
                        self.pos += close + 1;
                        out.push(char_from_hex(digits).ok_or(SyntaxError {
                            at: escaped_at,
                            message: format!("invalid `\\u{{{digits}}}` escape"),
                        })?);
                    } else {
                        out.push(self.hex_escape(escaped_at, 4)?);
                    }
                }
                other => out.push(other),
            }
        }
    }

    fn hex_escape(&mut self, at: usize, len: usize) -> Result<char, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + len).unwrap_or_default();
        let c = char_from_hex(digits).filter(|_| digits.len() == len);
        let Some(c) = c else { return error(at, format!("expected {len} hex digits in an escape")) };
        self.pos += len;
        Ok(c)
    }
}

fn char_from_hex(digits: &str) -> Option<char> {
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    char::from_u32(u32::from_str_radix(digits, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Term {
        read_document(text).unwrap().unwrap().term
    }

    #[test]
    fn reads_terms() {
        let t = read(
            r#"%{"a": {:hex, :a, "1.0", [x: 1, "y-z": :"q r"]}, "b" => [true, nil, -2, 'c'] # note
        }"#,
        );
        let Term::Map(items) = t else { panic!("map") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].0.term, Term::Atom("a".into()));
        assert_eq!(items[1].0.term, Term::Str("b".into()));
        let Term::Tuple(tuple) = &items[0].1.term else { panic!("tuple") };
        let kw = tuple[3].term.keywords();
        assert_eq!(kw.get("y-z"), Some(&&Term::Atom("q r".into())));
        assert_eq!(kw.get("x"), Some(&&Term::Number("1".into())));
    }

    #[test]
    fn resolves_escapes() {
        assert_eq!(read(r#""a\"b\\c\x41\u00e9\u{1F600}\n""#), Term::Str("a\"b\\cAé😀\n".into()));
    }

    #[test]
    fn reports_offsets_of_errors() {
        let e = read_document("%{\n  \"a\": {:hex, :a \"1.0\"}\n}").unwrap_err();
        assert_eq!(e.at, 20);
        assert!(read_document("%{\"a\": :}").is_err());
        assert!(read_document("\"unterminated").is_err());
        assert!(read_document(&"[".repeat(500)).unwrap_err().message.contains("nested"));
        assert!(read_document("  # only a comment\n").unwrap().is_none());
    }
}
