//! Bun's text lockfile `bun.lock` (lockfileVersion 0 and 1): JSON with comments and trailing commas.
//!
//! - `workspaces` maps each project folder (`""` is the root) to its `name` and its `dependencies`,
//!   `devDependencies`, `optionalDependencies` and `peerDependencies` (ranges). Projects are not
//!   components; what they depend on is direct, with the scope of its section.
//! - `packages` maps an install path to an array whose first element is `name@resolution`. The path is the
//!   `node_modules` nesting written with `/` (`a/b` is `b` inside `a`; a scoped name is one step; a
//!   workspace's own copies are under its name), and a dependency is looked up the way Node does it: under
//!   the dependent's path first, then each path above. The array's shape follows the resolution:
//!   registry `[id, registry_url_or_"", info, integrity]`, git/github `[id, info, resolved_commit]`,
//!   tarball `[id, info, integrity?]`, folder (`file:`) and symlink (`link:`) `[id, info]`, workspace
//!   `[id]`, root `[id, info]`; `info` holds the package's own dependency lists.
//! - Bun does not record dev/optional marks: scopes are worked out from the projects' sections along the
//!   dependency edges. Git packages and URL tarballs carry no version in the lockfile and get none.

use std::collections::HashMap;

use cpsf_model::{Component, Diagnostic};
use serde_json::{Map, Value};

use super::npm::ecosystem::{
    ComponentSet, DepGraph, DepKind, DirectKnowledge, JsonKeyCursor, Node, Origin, classify, entry_skipped,
    git_locator, package_purl, split_descriptor, sri_hashes, with_origin,
};
use super::{LockfileError, LockfileInput, Parsed};

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let json = strip_jsonc(input.text)?;
    let doc: Value = serde_json::from_str(&json).map_err(|e| LockfileError::json(&e))?;
    let top = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of bun.lock"))?;
    check_version(top, &json)?;
    let mut diagnostics = Vec::new();
    let mut set = ComponentSet::default();
    let mut graph = DepGraph::default();

    // Projects, by the install path their own nested packages are written under (their name; "" for root).
    let mut cursor = JsonKeyCursor::new(&json);
    let mut projects: Vec<Dependent<'_>> = Vec::new();
    let mut project_by_folder: HashMap<&str, usize> = HashMap::new();
    let workspaces = match top.get("workspaces") {
        Some(Value::Object(w)) => {
            cursor.next("workspaces", '{');
            Some(w)
        }
        Some(_) => {
            let line = cursor.next_any("workspaces");
            return Err(LockfileError::malformed(line, "expected `workspaces` to be an object"));
        }
        None => None,
    };
    for (folder, value) in workspaces.into_iter().flatten() {
        let line = if value.is_object() { cursor.next(folder, '{') } else { cursor.next_any(folder) };
        let Some(ws) = value.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("expected an object for workspace `{folder}`")));
            continue;
        };
        let at = graph.add_node(Node::Project { top: true });
        let tree_path = if folder.is_empty() {
            String::new()
        } else {
            ws.get("name").and_then(Value::as_str).unwrap_or(folder).to_owned()
        };
        project_by_folder.insert(folder, at);
        projects.push(Dependent { path: tree_path, node: at, info: ws, line });
    }

    // Packages, by install path.
    cursor.rewind();
    let no_packages = Map::new();
    let packages = match top.get("packages") {
        Some(Value::Object(p)) => {
            cursor.next("packages", '{');
            p
        }
        Some(_) => {
            let line = cursor.next_any("packages");
            return Err(LockfileError::malformed(line, "expected `packages` to be an object"));
        }
        None => &no_packages,
    };
    let mut node_by_path: HashMap<&str, usize> = HashMap::new();
    let mut dependents: Vec<Dependent<'_>> = Vec::new();
    for (path, value) in packages {
        let line = if value.is_array() { cursor.next(path, '[') } else { cursor.next_any(path) };
        match package_node(input, path, value, line, &mut set, &project_by_folder) {
            Ok(Resolved::Node(node, info)) => {
                let at = graph.add_node(node);
                node_by_path.insert(path, at);
                if let Some(info) = info {
                    dependents.push(Dependent { path: path.clone(), node: at, info, line });
                }
            }
            Ok(Resolved::Project(at)) => {
                node_by_path.insert(path, at);
            }
            Ok(Resolved::Root) => {}
            Err(message) => {
                diagnostics.push(entry_skipped(input, line, message));
                let at = graph.add_node(Node::Skipped);
                node_by_path.insert(path, at);
            }
        }
    }

    let lookup = Lookup { node_by_path };
    for d in &dependents {
        lookup.edges(input, &mut graph, d, false, &mut diagnostics);
    }
    for d in &projects {
        lookup.edges(input, &mut graph, d, true, &mut diagnostics);
    }
    let direct = if projects.is_empty() { DirectKnowledge::None } else { DirectKnowledge::Complete };
    graph.finish(&mut set, direct, !projects.is_empty());
    Ok(Parsed { components: set.into_components(), diagnostics })
}

/// `lockfileVersion` must be 0 or 1.
fn check_version(top: &Map<String, Value>, json: &str) -> Result<(), LockfileError> {
    let Some(v) = top.get("lockfileVersion") else {
        return Err(LockfileError::malformed(Some(1), "expected a `lockfileVersion` field in bun.lock"));
    };
    let line = || crate::text::LineIndex::new(json).find("\"lockfileVersion\"");
    match v.as_u64() {
        Some(0 | 1) => Ok(()),
        Some(n) => Err(LockfileError::unsupported(
            line(),
            format!("bun.lock lockfileVersion {n} is not supported: expected 0 or 1"),
        )),
        None => Err(LockfileError::malformed(line(), format!("expected `lockfileVersion` to be a number, found {v}"))),
    }
}

/// A package or project whose dependency lists are read once every install path is known.
struct Dependent<'a> {
    /// Its install path (a workspace's name; `""` for the root).
    path: String,
    node: usize,
    /// The object holding `dependencies`, `devDependencies`, ...
    info: &'a Map<String, Value>,
    line: Option<u32>,
}

/// What a `packages` entry stands for.
enum Resolved<'a> {
    /// A component (or local folder), with the object listing its dependencies.
    Node(Node, Option<&'a Map<String, Value>>),
    /// A workspace package: the project's node.
    Project(usize),
    /// The root package itself.
    Root,
}

fn package_node<'a>(
    input: &LockfileInput<'_>,
    path: &str,
    value: &'a Value,
    line: Option<u32>,
    set: &mut ComponentSet,
    project_by_folder: &HashMap<&str, usize>,
) -> Result<Resolved<'a>, String> {
    let Some(items) = value.as_array() else {
        return Err(format!("expected an array for package `{path}`"));
    };
    let id = items
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| format!("expected `name@resolution` first in package `{path}`"))?;
    let (name, resolution) = match id.strip_prefix('@').and_then(|r| r.strip_prefix("root:")) {
        Some(_) => return Ok(Resolved::Root),
        None => split_descriptor(id).ok_or_else(|| format!("expected `name@resolution` in `{id}`"))?,
    };
    let object = |i: usize| items.get(i).and_then(Value::as_object);
    let string = |i: usize| items.get(i).and_then(Value::as_str);
    if let Some(folder) = resolution.strip_prefix("workspace:") {
        return project_by_folder
            .get(folder)
            .map(|&at| Resolved::Project(at))
            .ok_or_else(|| format!("package `{path}` names workspace `{folder}`, which `workspaces` does not list"));
    }
    if resolution.starts_with("root:") {
        return Ok(Resolved::Root);
    }
    let tarball_file = |r: &str| [".tgz", ".tar.gz", ".tar"].iter().any(|ext| r.ends_with(ext));
    let is_url = resolution.starts_with("http://") || resolution.starts_with("https://");
    let (origin, version, info, integrity, download) =
        if resolution.starts_with("link:") || (resolution.starts_with("file:") && !tarball_file(resolution)) {
            return Ok(Resolved::Node(Node::Project { top: false }, object(1)));
        } else if let Some(locator) = git_locator(resolution) {
            // `[id, info, resolved]`: the resolved commit, when it is one, pins the revision.
            let commit = string(2).filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()));
            let base = resolution.split('#').next().unwrap_or(resolution);
            let locator = commit.and_then(|c| git_locator(&format!("{base}#{c}"))).unwrap_or(locator);
            (Origin::Git(locator.clone()), None, object(1), string(3), Some(locator))
        } else if is_url {
            let origin = classify(resolution);
            (origin, None, object(1), string(2), Some(resolution.to_owned()))
        } else if tarball_file(resolution) {
            (Origin::Local, None, object(1), string(2), None)
        } else if resolution.starts_with(|c: char| c.is_ascii_digit()) {
            let registry = string(1).filter(|r| r.starts_with("http://") || r.starts_with("https://"));
            (Origin::Registry, Some(resolution), object(2), string(3), registry.map(str::to_owned))
        } else {
            return Err(format!("package `{path}` has a resolution cpsf does not know: `{resolution}`"));
        };
    let purl = package_purl(name, version).ok_or_else(|| format!("`{name}` is not a valid npm package name"))?;
    let mut c = Component::from_purl(with_origin(purl, &origin)).at(input.path, line);
    c.hashes = integrity.map(sri_hashes).unwrap_or_default();
    c.download_location = download;
    Ok(Resolved::Node(Node::Component(set.add(c)), info))
}

/// The install path of each package, for Node-style lookup.
struct Lookup<'a> {
    node_by_path: HashMap<&'a str, usize>,
}

impl Lookup<'_> {
    /// The package `name` seen from install path `from`: `from/name`, then each shorter path, then `name`.
    fn find(&self, from: &str, name: &str) -> Option<usize> {
        let mut base = from;
        let mut key = String::new();
        loop {
            key.clear();
            if !base.is_empty() {
                key.push_str(base);
                key.push('/');
            }
            key.push_str(name);
            if let Some(&at) = self.node_by_path.get(key.as_str()) {
                return Some(at);
            }
            if base.is_empty() {
                return None;
            }
            base = parent_path(base);
        }
    }

    /// Add the edges of one dependent's dependency lists.
    fn edges(
        &self,
        input: &LockfileInput<'_>,
        graph: &mut DepGraph,
        dependent: &Dependent<'_>,
        project: bool,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Dependent { path, node: from, info, line } = dependent;
        let (path, from, line) = (path.as_str(), *from, *line);
        let optional_peers: Vec<&str> = info
            .get("optionalPeers")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields: &[(&str, DepKind, bool)] = &[
            ("dependencies", DepKind::Prod, true),
            ("devDependencies", DepKind::Dev, project),
            ("optionalDependencies", DepKind::Optional, false),
            ("peerDependencies", DepKind::Prod, false),
        ];
        for &(field, kind, needed) in fields {
            if field == "devDependencies" && !project {
                continue;
            }
            let Some(deps) = info.get(field).and_then(Value::as_object) else { continue };
            for name in deps.keys() {
                let kind = if field == "peerDependencies" && optional_peers.contains(&name.as_str()) {
                    DepKind::Optional
                } else {
                    kind
                };
                match self.find(path, name) {
                    Some(to) => graph.add_edge(from, to, kind),
                    None if needed => {
                        let dependent = if path.is_empty() { "the root workspace" } else { path };
                        diagnostics.push(entry_skipped(
                            input,
                            line,
                            format!("dependency `{name}` of `{dependent}` is not in `packages`; its edge is left out"),
                        ));
                    }
                    None => {}
                }
            }
        }
    }
}

/// The install path one level up: `a/@s/b/c` → `a/@s/b`, `a/@s/b` → `a`, `a` → ``.
fn parent_path(path: &str) -> &str {
    let Some(slash) = path.rfind('/') else { return "" };
    let head = path.get(..slash).unwrap_or_default();
    // The last step is scoped when the segment before it starts with `@`.
    let (head_parent, last_head) = match head.rfind('/') {
        Some(s) => (head.get(..s).unwrap_or_default(), head.get(s + 1..).unwrap_or_default()),
        None => ("", head),
    };
    if last_head.starts_with('@') { head_parent } else { head }
}

/// Blank out comments and trailing commas (outside strings) so that the text is JSON; lengths and line
/// breaks are kept, so JSON error lines stay right.
fn strip_jsonc(text: &str) -> Result<String, LockfileError> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    if text.starts_with('\u{feff}') {
        out.splice(0..3, *b"   ");
        i = 3;
    }
    let line_of = |at: usize| bytes.get(..at).map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() as u32 + 1);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while let Some(&c) = bytes.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    blank(&mut out, i);
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                blank(&mut out, i);
                blank(&mut out, i + 1);
                i += 2;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(LockfileError::malformed(
                                Some(line_of(start)),
                                "expected `*/` to close the comment that starts here",
                            ));
                        }
                        Some(b'*') if bytes.get(i + 1) == Some(&b'/') => {
                            blank(&mut out, i);
                            blank(&mut out, i + 1);
                            i += 2;
                            break;
                        }
                        Some(_) => {
                            blank(&mut out, i);
                            i += 1;
                        }
                    }
                }
            }
            b',' => {
                if matches!(next_significant(bytes, i + 1), Some(b'}' | b']')) {
                    blank(&mut out, i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).map_err(|_| LockfileError::malformed(None, "bun.lock is not valid UTF-8"))
}

/// Replace a byte by a space, unless it is a line break.
fn blank(out: &mut [u8], i: usize) {
    if let Some(b) = out.get_mut(i)
        && *b != b'\n'
        && *b != b'\r'
    {
        *b = b' ';
    }
}

/// The next byte after `i` that is not whitespace or inside a comment.
fn next_significant(bytes: &[u8], mut i: usize) -> Option<u8> {
    loop {
        let b = *bytes.get(i)?;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/')) {
                    bytes.get(i)?;
                    i += 1;
                }
                i += 2;
            }
            _ => return Some(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_becomes_json_of_the_same_shape() {
        let text = "{\n  // note\n  \"a\": [1, 2,], /* x, */\n  \"b\": \"//,\",\n}\n";
        let json = strip_jsonc(text).unwrap();
        assert_eq!(json.len(), text.len());
        assert_eq!(json.lines().count(), text.lines().count());
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["b"], "//,");
        assert_eq!(v["a"].as_array().map(Vec::len), Some(2));
        assert_eq!(strip_jsonc("{\n/* open\n").unwrap_err().line, Some(2));
    }

    #[test]
    fn parent_paths_keep_scopes_whole() {
        assert_eq!(parent_path("a/@s/b/c"), "a/@s/b");
        assert_eq!(parent_path("a/@s/b"), "a");
        assert_eq!(parent_path("@s/b/c"), "@s/b");
        assert_eq!(parent_path("@s/b"), "");
        assert_eq!(parent_path("a"), "");
    }
}
