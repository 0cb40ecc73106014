//! Parser for pip requirements files (`requirements*.txt`, `requirements/*.txt`) and the files they include.
//!
//! A line is a PEP 508 requirement (`name[extras] specifier ; marker`, `name @ URL`), a bare URL or path
//! (`git+https://...@ref#egg=name`, `./dist/pkg-1.0-py3-none-any.whl`), or an option. Lines ending in `\`
//! continue on the next; `#` starts a comment at the start of a line or after whitespace.
//!
//! - `==`/`===` pins (and a distribution file name) give the version; anything else is reported without one,
//!   with an `unpinned-requirement` diagnostic, unless another line of the same install or a constraints file
//!   pins that name exactly.
//! - `--hash=alg:hex` options after a requirement become its hashes (several, on continuation lines too).
//! - `-r`/`--requirement` files add requirements, `-c`/`--constraint` files only pin versions (and hashes) of
//!   requirements named elsewhere; both are read beside the including file, once each (cycles are harmless).
//!   A missing include is an `include-missing` diagnostic on the line that names it.
//! - `-e`/`--editable` lines are requirements too; a local directory without `#egg=` is the project's own code
//!   and not a component. Other options (`--index-url`, `--find-links`, ...) are ignored.
//!
//! Every requirement is a direct dependency; a requirements file says nothing about edges or scope.

use std::collections::{HashMap, HashSet};

use cpsf_model::{Diagnostic, DiagnosticCode, Hash};

use super::python::{
    Origin, archive_name_version, archive_version_for, is_remote_url, is_valid_name, merge_components, normalize_name,
    parse_requirement, pinned_version, prefixed_hash, push_hash, python_component,
};
use super::{LockfileError, LockfileInput, Parsed, join_normalized};

/// How deep `-r`/`-c` includes may nest before the chain is cut (a guard; cycles are already stopped).
const MAX_INCLUDE_DEPTH: usize = 32;

/// One requirement as read, before versions from other lines and constraints are settled.
struct Entry {
    path: String,
    line: u32,
    /// As written, for messages.
    text: String,
    name: String,
    /// Pinned by the line itself (`==`, `===`, or a distribution file name).
    version: Option<String>,
    /// Whether another line may supply the version (plain specifiers and bare names, not URLs).
    open: bool,
    origin: Origin,
    hashes: Vec<Hash>,
}

/// A pin from a constraints file.
struct Constraint {
    version: String,
    hashes: Vec<Hash>,
}

/// Everything gathered from the top file and its includes.
#[derive(Default)]
struct Reader {
    entries: Vec<Entry>,
    constraints: HashMap<String, Vec<Constraint>>,
    diagnostics: Vec<Diagnostic>,
    /// Files already read, with whether they were read as constraints.
    seen: HashSet<(String, bool)>,
}

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let mut reader = Reader::default();
    reader.seen.insert((input.path.to_owned(), false));
    reader.read_file(input, input.path, input.text, false, 0);
    let Reader { entries, constraints, mut diagnostics, .. } = reader;

    // Pins that lines of the same install agree on, by name: a bare `name` takes a pin written elsewhere.
    let mut pins: HashMap<String, Vec<&str>> = HashMap::new();
    for e in &entries {
        if let Some(v) = &e.version {
            let list = pins.entry(normalize_name(&e.name)).or_default();
            if !list.contains(&v.as_str()) {
                list.push(v);
            }
        }
    }
    let mut components = Vec::with_capacity(entries.len());
    for e in &entries {
        let key = normalize_name(&e.name);
        let mut version = e.version.clone();
        if version.is_none() && e.open {
            version = match pins.get(&key).map(Vec::as_slice) {
                Some([only]) => Some((*only).to_owned()),
                _ => None,
            };
        }
        let from_constraints = constraints.get(&key).map(Vec::as_slice).unwrap_or_default();
        if version.is_none() && e.open {
            let mut distinct = from_constraints.iter().map(|c| c.version.as_str()).collect::<Vec<_>>();
            distinct.sort_unstable();
            distinct.dedup();
            if let [only] = distinct.as_slice() {
                version = Some((*only).to_owned());
            }
        }
        let Some(mut component) = python_component(&e.name, version.as_deref(), &e.origin) else {
            diagnostics.push(skipped(&e.path, e.line, format!("`{}` is not a valid project name", e.name)));
            continue;
        };
        component.hashes = e.hashes.clone();
        for c in from_constraints.iter().filter(|c| Some(&c.version) == version.as_ref()) {
            for h in &c.hashes {
                push_hash(&mut component.hashes, Some(h.clone()));
            }
        }
        if version.is_none() {
            diagnostics.push(Diagnostic::new(
                DiagnosticCode::UnpinnedRequirement,
                e.path.as_str(),
                Some(e.line),
                format!("`{}` does not pin an exact version (`==`): reported without a version", e.text),
            ));
        }
        component.direct = Some(true);
        components.push(component.at(e.path.as_str(), Some(e.line)));
    }
    Ok(Parsed { components: merge_components(components), diagnostics })
}

fn skipped(path: &str, line: u32, message: String) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, path, Some(line), message)
}

/// Logical lines of a requirements file: comments removed, `\` continuations joined, with the number of the
/// line each starts on.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (content, had_comment) = strip_comment(raw);
        let continues = !had_comment && content.trim_end().ends_with('\\');
        let piece = if continues { content.trim_end().trim_end_matches('\\') } else { content };
        let (start, mut joined) = pending.take().unwrap_or((number, String::new()));
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(piece);
        if continues {
            pending = Some((start, joined));
        } else {
            out.push((start, joined));
        }
    }
    if let Some(last) = pending {
        out.push(last);
    }
    out
}

/// The line without its comment (`#` at the start or after whitespace), and whether there was one.
fn strip_comment(line: &str) -> (&str, bool) {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            return (line.get(..i).unwrap_or_default(), true);
        }
    }
    (line, false)
}

/// Split `-r file`, `-rfile`, `--requirement=file`, `--requirement file` into option and value.
fn split_option(line: &str) -> (&str, &str) {
    if line.starts_with("--") {
        let end = line.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(line.len());
        let (opt, rest) = line.split_at(end);
        (opt, rest.trim_start_matches('=').trim())
    } else {
        let split = line.char_indices().nth(2).map_or(line.len(), |(i, _)| i);
        let (opt, rest) = line.split_at(split);
        (opt, rest.trim_start_matches('=').trim())
    }
}

impl Reader {
    fn read_file(&mut self, input: &LockfileInput<'_>, path: &str, text: &str, constraint: bool, depth: usize) {
        for (line, content) in logical_lines(text) {
            let content = content.trim();
            if content.is_empty() {
                continue;
            }
            if content.starts_with('-') {
                let (option, value) = split_option(content);
                match option {
                    "-r" | "--requirement" => self.include(input, path, line, value, constraint, depth),
                    "-c" | "--constraint" => self.include(input, path, line, value, true, depth),
                    "-e" | "--editable" => self.requirement(path, line, value, constraint),
                    _ => {}
                }
                continue;
            }
            self.requirement(path, line, content, constraint);
        }
    }

    fn include(
        &mut self,
        input: &LockfileInput<'_>,
        from: &str,
        line: u32,
        target: &str,
        constraint: bool,
        depth: usize,
    ) {
        let target = target.split_whitespace().next().unwrap_or_default();
        let missing = |message: String| Diagnostic::new(DiagnosticCode::IncludeMissing, from, Some(line), message);
        if target.is_empty() {
            self.diagnostics.push(missing("expected a file name after `-r`/`-c`".into()));
            return;
        }
        if is_remote_url(target) {
            self.diagnostics.push(missing(format!("included file `{target}` is remote and was not read")));
            return;
        }
        let dir = from.rfind('/').and_then(|i| from.get(..i)).unwrap_or_default();
        let resolved = join_normalized(dir, target.strip_prefix("file:").unwrap_or(target));
        if !self.seen.insert((resolved.clone(), constraint)) {
            return;
        }
        if depth >= MAX_INCLUDE_DEPTH {
            self.diagnostics
                .push(missing(format!("`{target}` not read: includes nest deeper than {MAX_INCLUDE_DEPTH}")));
            return;
        }
        match input.source.read(&resolved) {
            Some(text) => self.read_file(input, &resolved, &text, constraint, depth + 1),
            None => self.diagnostics.push(missing(format!("included file `{target}` ({resolved}) was not found"))),
        }
    }

    /// One requirement line (or the value of `-e`), options after it included.
    fn requirement(&mut self, path: &str, line: u32, content: &str, constraint: bool) {
        let (spec, options) = split_requirement_options(content);
        let mut hashes = Vec::new();
        let mut tokens = options.split_whitespace();
        while let Some(token) = tokens.next() {
            let value = match token.strip_prefix("--hash") {
                Some("") => tokens.next(),
                Some(v) => v.strip_prefix('='),
                None => continue,
            };
            match value.and_then(prefixed_hash) {
                Some(h) => push_hash(&mut hashes, Some(h)),
                None => self.diagnostics.push(skipped(
                    path,
                    line,
                    format!("hash `{}` ignored: expected `--hash=ALG:HEX`", value.unwrap_or_default()),
                )),
            }
        }
        let read = match read_spec(spec) {
            Ok(Some(read)) => read,
            Ok(None) => return,
            Err(message) => {
                self.diagnostics.push(skipped(path, line, format!("requirement skipped: {message}")));
                return;
            }
        };
        if constraint {
            if let Some(version) = read.version.filter(|_| read.open) {
                self.constraints.entry(normalize_name(&read.name)).or_default().push(Constraint { version, hashes });
            }
            return;
        }
        self.entries.push(Entry {
            path: path.to_owned(),
            line,
            text: spec.to_owned(),
            name: read.name,
            version: read.version,
            open: read.open,
            origin: read.origin,
            hashes,
        });
    }
}

/// Split a requirement line at its first per-requirement option (` --hash`, ` --config-settings`, ...).
fn split_requirement_options(content: &str) -> (&str, &str) {
    let bytes = content.as_bytes();
    for (i, w) in bytes.windows(3).enumerate() {
        if let [space, b'-', b'-'] = w
            && space.is_ascii_whitespace()
        {
            return (content.get(..i).unwrap_or(content).trim(), content.get(i..).unwrap_or_default());
        }
    }
    (content.trim(), "")
}

/// What one requirement names.
struct Read {
    name: String,
    version: Option<String>,
    open: bool,
    origin: Origin,
}

/// Read a requirement: PEP 508, a bare URL, or a path. `Ok(None)` for a local directory that names no project.
fn read_spec(spec: &str) -> Result<Option<Read>, String> {
    let first = spec.split(|c: char| c.is_whitespace() || c == ';').next().unwrap_or_default();
    let scheme_at = first.find("://").or_else(|| first.to_ascii_lowercase().starts_with("file:").then_some(0));
    let at_sign = first.find('@');
    let is_url = scheme_at
        .is_some_and(|s| at_sign.is_none_or(|a| a > s) && !first.get(..s).is_some_and(|p| p.contains(['[', '='])));
    let named_url = !is_url && at_sign.is_some() || spec.contains(" @");
    let is_path = !is_url
        && !named_url
        && (first.starts_with(['.', '/', '~', '\\'])
            || first.contains(['/', '\\'])
            || archive_name_version(first).is_some());
    if is_url || is_path {
        return match read_location(first) {
            Some(read) => Ok(Some(read)),
            None if is_url && is_remote_url(first) => Err(format!(
                "cannot tell which project `{first}` holds: expected `#egg=NAME`, `NAME @ URL` or a distribution file name"
            )),
            None => Ok(None),
        };
    }
    let req = parse_requirement(spec)?;
    let Some(url) = req.url else {
        let version = pinned_version(&req.specifier);
        return Ok(Some(Read { name: req.name, version, open: true, origin: Origin::Index(String::new()) }));
    };
    let (origin, version) = locate(&url, &req.name);
    Ok(Some(Read { name: req.name, version, open: false, origin }))
}

/// A bare URL or path: the name from `#egg=` or the file name; `None` when neither names a project.
fn read_location(location: &str) -> Option<Read> {
    let (base, fragment) = location.split_once('#').unwrap_or((location, ""));
    let egg = fragment
        .split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .map(|e| e.split('[').next().unwrap_or(e))
        .filter(|e| is_valid_name(e));
    let from_file = archive_name_version(base);
    let name = match (egg, &from_file) {
        (Some(egg), _) => egg.to_owned(),
        (None, Some((name, _))) => name.clone(),
        (None, None) => return None,
    };
    let (origin, version) = locate(location, &name);
    Some(Read { name, version, open: false, origin })
}

/// Where a URL or path points, and the version its file name gives.
fn locate(location: &str, name: &str) -> (Origin, Option<String>) {
    let base = location.split('#').next().unwrap_or(location);
    let lower = base.to_ascii_lowercase();
    if ["git+", "hg+", "svn+", "bzr+"].iter().any(|p| lower.starts_with(p)) {
        return (Origin::Vcs(base.to_owned()), None);
    }
    let version = archive_version_for(name, base);
    if is_remote_url(base) { (Origin::Archive(base.to_owned()), version) } else { (Origin::Local, version) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_and_comments() {
        let lines = logical_lines("a==1 \\\n  --hash=sha256:x\n# c \\\nb # trailing\nurl#egg=c\n");
        assert_eq!(lines[0].0, 1);
        assert_eq!(lines[0].1.split_whitespace().collect::<Vec<_>>(), ["a==1", "--hash=sha256:x"]);
        assert_eq!(lines[1], (3, String::new()));
        assert_eq!(lines[2], (4, "b ".to_owned()));
        assert_eq!(lines[3], (5, "url#egg=c".to_owned()));
    }

    #[test]
    fn options_split() {
        assert_eq!(split_option("-rbase.txt"), ("-r", "base.txt"));
        assert_eq!(split_option("--requirement=base.txt"), ("--requirement", "base.txt"));
        assert_eq!(split_option("-c  c.txt"), ("-c", "c.txt"));
        assert_eq!(split_option("--index-url https://x"), ("--index-url", "https://x"));
    }

    #[test]
    fn specs_are_classified() {
        let r = read_spec("git+https://github.com/psf/black@24.3.0#egg=black").unwrap().unwrap();
        assert_eq!((r.name.as_str(), r.version.as_deref()), ("black", None));
        assert_eq!(r.origin, Origin::Vcs("git+https://github.com/psf/black@24.3.0".into()));
        let r = read_spec("./dist/attrs-23.2.0-py3-none-any.whl").unwrap().unwrap();
        assert_eq!((r.name.as_str(), r.version.as_deref()), ("attrs", Some("23.2.0")));
        assert!(read_spec(".").unwrap().is_none());
        let r = read_spec("six @ https://x.invalid/six-1.16.0-py2.py3-none-any.whl").unwrap().unwrap();
        assert_eq!(r.version.as_deref(), Some("1.16.0"));
        let r = read_spec("requests[socks]>=2.31 ; python_version >= '3.8'").unwrap().unwrap();
        assert_eq!((r.name.as_str(), r.version), ("requests", None));
        assert!(read_spec("not a requirement").is_err());
    }
}
