//! Parser for Go's `go.mod`: the `require` list of the main module, with `replace` and `exclude` applied.
//!
//! Read: `module`, `go`, `toolchain`, `godebug`, `retract`, `tool` and `ignore` are accepted and ignored (the main
//! module is the project, not a component; `retract` speaks about the main module's own versions). Directives come
//! single-line (`require a v1`) or as blocks (`require ( ... )`); module paths may be quoted (`"..."` or `` `...` ``);
//! `//` starts a comment. Each `require` is a component `pkg:golang/<path>@<version>` (the namespace is the path up
//! to its last `/`); versions are kept as written, pseudo-versions and `+incompatible` included. A `// indirect`
//! comment (or one starting `indirect;`) makes it transitive (`direct = Some(false)`), anything else direct.
//!
//! Choices:
//! - `replace old [v] => new v'`: the component is what is built, `new@v'`; it is found on the `require` line and
//!   the `replace` line. A version-specific replacement wins over one for every version of the module.
//! - `replace old [v] => ./dir` (a local directory): not a component. The code is part of the scanned tree (its own
//!   `go.mod`, when inside the tree, is reported on its own) and has no version; treating it like Cargo path
//!   dependencies keeps both ecosystems alike.
//! - A `require` of a version that an `exclude` names is skipped with a diagnostic: Go would use the next higher
//!   version, which go.mod does not record.
//! - go.mod records no edges between modules, so components have no `dependencies`.
//! - `go.sum` is not read. Its `h1:` values are SHA-256 digests of a sorted list of per-file SHA-256 lines of the
//!   module tree ("dirhash"), not of any downloadable artifact, and no hash algorithm of CycloneDX or SPDX names
//!   that construction; labelling them SHA-256 would be false. It also lists modules outside the build list (older
//!   versions consulted during version selection), so it cannot add components either.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, Purl};

use super::entries::{ComponentMap, entry_skipped};
use super::{LockfileError, LockfileInput, Parsed};

/// One lexical token of a go.mod line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    /// Came from a quoted string, so `(`, `)` and `=>` in it are plain text.
    quoted: bool,
}

impl Token {
    fn is(&self, punct: &str) -> bool {
        !self.quoted && self.text == punct
    }
}

/// A line split into tokens, and the text of its trailing `//` comment (without the slashes, trimmed).
struct Lexed {
    tokens: Vec<Token>,
    comment: Option<String>,
}

/// Split one line into tokens: `(`, `)`, `[`, `]`, `,`, `=>`, quoted strings and bare words.
fn lex(line: &str) -> Result<Lexed, String> {
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else { break };
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok(Lexed { tokens, comment: Some(comment.trim().to_owned()) });
        }
        if let Some(after) = rest.strip_prefix("=>") {
            tokens.push(Token { text: "=>".into(), quoted: false });
            rest = after;
            continue;
        }
        match c {
            '(' | ')' | '[' | ']' | ',' | '{' | '}' => {
                tokens.push(Token { text: c.to_string(), quoted: false });
                rest = rest.get(1..).unwrap_or_default();
            }
            '"' => {
                let (text, after) = interpreted_string(rest.get(1..).unwrap_or_default())?;
                tokens.push(Token { text, quoted: true });
                rest = after;
            }
            '`' => {
                let body = rest.get(1..).unwrap_or_default();
                let end = body.find('`').ok_or_else(|| format!("unterminated raw string {rest}"))?;
                tokens.push(Token { text: body.get(..end).unwrap_or_default().to_owned(), quoted: true });
                rest = body.get(end + 1..).unwrap_or_default();
            }
            _ => {
                let mut end = rest.len();
                for (i, ch) in rest.char_indices() {
                    let boundary = ch.is_whitespace()
                        || matches!(ch, '(' | ')' | '[' | ']' | ',' | '{' | '}')
                        || rest.get(i..).is_some_and(|r| r.starts_with("//"));
                    if boundary {
                        end = i;
                        break;
                    }
                }
                tokens.push(Token { text: rest.get(..end).unwrap_or_default().to_owned(), quoted: false });
                rest = rest.get(end..).unwrap_or_default();
            }
        }
    }
    Ok(Lexed { tokens, comment: None })
}

/// Read a `"..."` string body (after the opening quote) with Go's simple escapes; returns it and the rest.
fn interpreted_string(body: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, body.get(i + 1..).unwrap_or_default())),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => return Err(format!("unsupported escape `\\{other}` in a quoted string")),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(format!("unterminated quoted string \"{body}"))
}

/// Where a `replace` points.
#[derive(Debug, Clone)]
enum Target {
    Module { path: String, version: String },
    Local,
}

struct Replacement {
    target: Target,
    line: u32,
}

struct Requirement {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

/// Everything read from the file before components are built.
#[derive(Default)]
struct GoMod {
    requires: Vec<Requirement>,
    /// By (old path, old version or `None` for every version).
    replaces: BTreeMap<(String, Option<String>), Replacement>,
    /// (path, version) -> line of the `exclude`.
    excludes: BTreeMap<(String, String), u32>,
}

/// Directives read and deliberately ignored.
const IGNORED_DIRECTIVES: &[&str] = &["module", "go", "toolchain", "godebug", "retract", "tool", "ignore"];

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let mut diagnostics = Vec::new();
    let mut gomod = GoMod::default();
    // The open block's directive and the line it opened on.
    let mut block: Option<(String, u32)> = None;
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let lexed = match lex(raw) {
            Ok(l) => l,
            Err(message) => {
                diagnostics.push(entry_skipped(input, Some(line), format!("line skipped: {message}")));
                continue;
            }
        };
        let tokens = lexed.tokens.as_slice();
        let Some(first) = tokens.first() else { continue };
        if let Some((verb, _)) = &block {
            if first.is(")") {
                if tokens.len() > 1 {
                    diagnostics.push(entry_skipped(input, Some(line), "unexpected text after `)` ignored"));
                }
                block = None;
                continue;
            }
            let verb = verb.clone();
            directive(input, &mut gomod, &verb, tokens, lexed.comment.as_deref(), line, &mut diagnostics);
            continue;
        }
        if first.is(")") {
            return Err(LockfileError::malformed(Some(line), "found `)` without an open `(` block"));
        }
        if first.quoted || first.text.starts_with(['(', '[', ',', '{', '}', ']']) || first.text == "=>" {
            diagnostics.push(entry_skipped(
                input,
                Some(line),
                format!("line skipped: expected a directive such as `require`, found `{}`", first.text),
            ));
            continue;
        }
        let verb = first.text.clone();
        let args = tokens.get(1..).unwrap_or_default();
        match args {
            [open] if open.is("(") => block = Some((verb, line)),
            [open, close] if open.is("(") && close.is(")") => {}
            _ => directive(input, &mut gomod, &verb, args, lexed.comment.as_deref(), line, &mut diagnostics),
        }
    }
    if let Some((verb, opened)) = block {
        return Err(LockfileError::malformed(
            Some(opened),
            format!("the `{verb} (` block opened on line {opened} is never closed: expected a line with `)`"),
        ));
    }
    let components = build(input, &gomod, &mut diagnostics);
    diagnostics.sort_by_key(|d| d.line);
    Ok(Parsed { components, diagnostics })
}

/// Handle one directive (`verb` with its arguments) whether it stood alone or inside a block.
fn directive(
    input: &LockfileInput<'_>,
    gomod: &mut GoMod,
    verb: &str,
    args: &[Token],
    comment: Option<&str>,
    line: u32,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut skip = |message: String| diagnostics.push(entry_skipped(input, Some(line), message));
    if args.iter().any(|t| !t.quoted && ["(", ")"].contains(&t.text.as_str())) {
        skip(format!("`{verb}` skipped: unexpected `(` or `)` in the middle of a line"));
        return;
    }
    match verb {
        "require" => match args {
            [path, version] => {
                let indirect = comment.is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
                match check_module(&path.text, &version.text) {
                    Ok(()) => gomod.requires.push(Requirement {
                        path: path.text.clone(),
                        version: version.text.clone(),
                        indirect,
                        line,
                    }),
                    Err(message) => skip(format!("`require` skipped: {message}")),
                }
            }
            _ => skip(format!("`require` skipped: expected `MODULE VERSION`, found {}", describe(args))),
        },
        "exclude" => match args {
            [path, version] => {
                gomod.excludes.insert((path.text.clone(), version.text.clone()), line);
            }
            _ => skip(format!("`exclude` skipped: expected `MODULE VERSION`, found {}", describe(args))),
        },
        "replace" => match replacement(args) {
            Ok((old, old_version, target)) => {
                gomod.replaces.insert((old, old_version), Replacement { target, line });
            }
            Err(message) => skip(format!("`replace` skipped: {message}")),
        },
        v if IGNORED_DIRECTIVES.contains(&v) => {}
        other => skip(format!("unknown directive `{other}` ignored")),
    }
}

/// The arguments as written, for messages: `` `a b c` `` or `nothing`.
fn describe(args: &[Token]) -> String {
    if args.is_empty() {
        return "nothing".into();
    }
    let words: Vec<&str> = args.iter().map(|t| t.text.as_str()).collect();
    format!("`{}`", words.join(" "))
}

/// A module path and a version as go.mod requires them: a non-empty path and a `v`-prefixed version.
fn check_module(path: &str, version: &str) -> Result<(), String> {
    if path.is_empty() || path.chars().any(char::is_whitespace) {
        return Err(format!("expected a module path, found `{path}`"));
    }
    let semver_like = version.strip_prefix('v').and_then(|v| v.chars().next()).is_some_and(|c| c.is_ascii_digit());
    if !semver_like {
        return Err(format!("expected a version like `v1.2.3` for `{path}`, found `{version}`"));
    }
    Ok(())
}

/// `old [version] => new [version]`.
fn replacement(args: &[Token]) -> Result<(String, Option<String>, Target), String> {
    let arrow = args.iter().position(|t| t.is("=>")).ok_or("expected `OLD [VERSION] => NEW [VERSION]`")?;
    let (left, right) = (args.get(..arrow).unwrap_or_default(), args.get(arrow + 1..).unwrap_or_default());
    let (old, old_version) = match left {
        [path] => (path.text.clone(), None),
        [path, version] => {
            check_module(&path.text, &version.text)?;
            (path.text.clone(), Some(version.text.clone()))
        }
        _ => return Err(format!("expected `MODULE [VERSION]` before `=>`, found {}", describe(left))),
    };
    let target = match right {
        [path] if is_directory_path(&path.text) => Target::Local,
        [path] => {
            return Err(format!(
                "the replacement `{}` is neither a local directory (`./`, `../`, `/`) nor followed by a version",
                path.text
            ));
        }
        [path, version] if !is_directory_path(&path.text) => {
            check_module(&path.text, &version.text)?;
            Target::Module { path: path.text.clone(), version: version.text.clone() }
        }
        _ => {
            return Err(format!(
                "expected `MODULE VERSION` or a local directory after `=>`, found {}",
                describe(right)
            ));
        }
    };
    Ok((old, old_version, target))
}

/// Whether a replacement names a directory rather than a module (Go's rule: relative or absolute file paths).
fn is_directory_path(path: &str) -> bool {
    let drive = path.as_bytes().get(..3).is_some_and(|b| {
        b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b':')
            && matches!(b.get(2), Some(b'\\' | b'/'))
    });
    path == "." || path == ".." || ["./", "../", "/", ".\\", "..\\", "\\"].iter().any(|p| path.starts_with(p)) || drive
}

/// The purl of module `path` at `version`: namespace up to the last `/`, name the last segment.
fn module_purl(path: &str, version: &str) -> Result<Purl, String> {
    let (namespace, name) = path
        .rsplit_once('/')
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty())
        .ok_or_else(|| format!("module path `{path}` has no `/`: a golang purl needs a namespace"))?;
    Ok(Purl::new("golang", name)
        .map_err(|e| e.to_string())?
        .with_namespace(Some(namespace))
        .with_version(Some(version)))
}

fn build(input: &LockfileInput<'_>, gomod: &GoMod, diagnostics: &mut Vec<Diagnostic>) -> Vec<Component> {
    let mut set = ComponentMap::default();
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    for req in &gomod.requires {
        if !seen.insert((req.path.as_str(), req.version.as_str())) {
            diagnostics.push(entry_skipped(
                input,
                Some(req.line),
                format!("duplicate `require {} {}` skipped: it is already listed", req.path, req.version),
            ));
            continue;
        }
        if let Some(exclude_line) = gomod.excludes.get(&(req.path.clone(), req.version.clone())) {
            diagnostics.push(entry_skipped(
                input,
                Some(req.line),
                format!(
                    "`require {} {}` skipped: that version is excluded on line {exclude_line}, and go.mod does not \
                     record the version Go selects instead",
                    req.path, req.version
                ),
            ));
            continue;
        }
        let replacement = gomod
            .replaces
            .get(&(req.path.clone(), Some(req.version.clone())))
            .or_else(|| gomod.replaces.get(&(req.path.clone(), None)));
        let (path, version, replace_line) = match replacement {
            Some(Replacement { target: Target::Local, .. }) => continue,
            Some(Replacement { target: Target::Module { path, version }, line }) => (path, version, Some(*line)),
            None => (&req.path, &req.version, None),
        };
        let purl = match module_purl(path, version) {
            Ok(p) => p,
            Err(message) => {
                diagnostics.push(entry_skipped(
                    input,
                    Some(req.line),
                    format!("`require {}` skipped: {message}", req.path),
                ));
                continue;
            }
        };
        let mut component = Component::from_purl(purl).at(input.path, Some(req.line));
        if let Some(line) = replace_line {
            component = component.at(input.path, Some(line));
        }
        component.direct = Some(!req.indirect);
        set.add(component);
    }
    set.into_components()
}
