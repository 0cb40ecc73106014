//! Parser for Conan's `conan.lock`, both the Conan 1 graph lock and the Conan 2 lockfile.
//!
//! - Conan 1 (lockfile versions 0.1 to 0.4) keeps the whole graph under `graph_lock.nodes`, a map from node id to
//!   node. A node names its package with `ref` (`NAME/VERSION@USER/CHANNEL#RREV`; 0.1 to 0.3 wrote `pref`, the
//!   same followed by `:PACKAGE_ID#PREV`) and its dependencies with `requires` and `build_requires`, lists of node
//!   ids (0.1 and 0.2 wrote maps from reference to node id); `python_requires` lists references. Node `0` is the
//!   consumer (a local `conanfile`): it is not a component, and what it requires (or build-requires) is direct.
//!   Packages reached from it through `requires` alone are [`Scope::Required`]; those only reached through a
//!   `build_requires` (tools, test frameworks) and python requires are [`Scope::Dev`]. `options`, `package_id`
//!   and `prev` describe one binary and are not kept.
//! - Conan 2 (`"version": "0.5"`) keeps three flat lists of references, `NAME/VERSION[@USER[/CHANNEL]]#RREV%TIME`,
//!   each item a string or a `[reference, {package_id: prev}]` pair: `requires` (host context, required),
//!   `build_requires` (tool requires, dev) and `python_requires` (recipe code, dev). It records neither edges nor
//!   what the consumer asked for, so components have no `direct` mark. `config_requires` name Conan configuration
//!   packages, not dependencies, and `alias` and `overrides` describe resolution: they are not read.
//!
//! Purl: `pkg:conan/NAME@VERSION` with the `user`, `channel` and `rrev` qualifiers when the reference has them
//! (`_` stands for none in Conan 1).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Purl, Scope};
use serde_json::{Map, Value};

use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// The Conan 2 lockfile version this parser reads.
const CONAN2_VERSION: &str = "0.5";

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let lines = LineIndex::new(input.text);
    let Some(doc) = doc.as_object() else {
        return Err(LockfileError::malformed(Some(1), "expected a JSON object at the top of conan.lock"));
    };
    let mut out = Output { path: input.path, lines: &lines, components: BTreeMap::new(), diagnostics: Vec::new() };
    if let Some(graph) = doc.get("graph_lock") {
        conan1(graph, &mut out)?;
    } else {
        match doc.get("version") {
            Some(Value::String(v)) if v == CONAN2_VERSION => {}
            Some(other) => {
                return Err(LockfileError::unsupported(
                    lines.find("\"version\""),
                    format!(
                        "conan.lock version {other} is not supported (expected {CONAN2_VERSION} for Conan 2, or a \
                         Conan 1 `graph_lock`)"
                    ),
                ));
            }
            None if ["requires", "build_requires", "python_requires"].iter().any(|k| doc.contains_key(*k)) => {}
            None => {
                return Err(LockfileError::malformed(
                    Some(1),
                    "expected a Conan 1 `graph_lock` or a Conan 2 lockfile with `version` and `requires`",
                ));
            }
        }
        conan2(doc, &mut out);
    }
    Ok(Parsed { components: out.components.into_values().collect(), diagnostics: out.diagnostics })
}

/// Components found so far (merged by `bom_ref`) and diagnostics.
struct Output<'a> {
    path: &'a str,
    lines: &'a LineIndex<'a>,
    components: BTreeMap<String, Component>,
    diagnostics: Vec<Diagnostic>,
}

impl Output<'_> {
    fn skip(&mut self, line: Option<u32>, message: String) {
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, self.path, line, message));
    }

    fn add(&mut self, component: Component) {
        match self.components.get_mut(&component.bom_ref) {
            Some(existing) => existing.absorb(component),
            None => {
                self.components.insert(component.bom_ref.clone(), component);
            }
        }
    }

    /// The component of a reference, or `None` with a diagnostic at `line`.
    fn component(&mut self, reference: &str, line: Option<u32>, what: &str) -> Option<Component> {
        match ConanRef::parse(reference).and_then(|r| r.component(self.path, line)) {
            Ok(c) => Some(c),
            Err(message) => {
                self.skip(line, format!("{what} skipped: {message}"));
                None
            }
        }
    }

    /// Line of the first quoted occurrence of `text` at or after line `from`.
    fn line_of_string(&self, text: &str, from: u32) -> Option<u32> {
        serde_json::to_string(text).ok().and_then(|quoted| self.lines.find_from(&quoted, from))
    }
}

/// A Conan reference taken apart.
#[derive(Debug, PartialEq, Eq)]
struct ConanRef<'a> {
    name: &'a str,
    version: &'a str,
    user: Option<&'a str>,
    channel: Option<&'a str>,
    rrev: Option<&'a str>,
}

impl<'a> ConanRef<'a> {
    /// `NAME/VERSION[@USER[/CHANNEL]][#RREV[%TIMESTAMP]][:PACKAGE_ID[#PREV]]`.
    fn parse(text: &'a str) -> Result<Self, String> {
        let expected = || format!("expected `NAME/VERSION[@USER/CHANNEL][#REVISION]`, found `{text}`");
        let recipe = text.split(':').next().unwrap_or(text).trim();
        let recipe = recipe.split('%').next().unwrap_or(recipe);
        let (base, rrev) = match recipe.split_once('#') {
            Some((base, rrev)) => (base, Some(rrev).filter(|r| !r.is_empty() && *r != "0")),
            None => (recipe, None),
        };
        let (name_version, user_channel) = match base.split_once('@') {
            Some((nv, uc)) => (nv, Some(uc)),
            None => (base, None),
        };
        let (name, version) = name_version.split_once('/').ok_or_else(expected)?;
        if version.starts_with('[') {
            return Err(format!("`{name_version}` is a version range, not a locked version"));
        }
        let (user, channel) = match user_channel {
            Some(uc) => match uc.split_once('/') {
                Some((u, c)) => (u, Some(c)),
                None => (uc, None),
            },
            None => ("", None),
        };
        let given = |s: &'a str| Some(s).filter(|s| !s.is_empty() && *s != "_");
        let well_formed = |s: &str| !s.is_empty() && !s.contains(['/', '@', '#', ' ', '\t']);
        if !well_formed(name) || !well_formed(version) || rrev.is_some_and(|r| !well_formed(r)) {
            return Err(expected());
        }
        Ok(Self { name, version, user: given(user), channel: channel.and_then(given), rrev })
    }

    fn component(&self, path: &str, line: Option<u32>) -> Result<Component, String> {
        let mut purl = Purl::new("conan", self.name).map_err(|e| e.to_string())?.with_version(Some(self.version));
        for (key, value) in [("user", self.user), ("channel", self.channel), ("rrev", self.rrev)] {
            if let Some(v) = value {
                purl = purl.with_qualifier(key, v);
            }
        }
        Ok(Component::from_purl(purl).at(path, line))
    }
}

/// One node of a Conan 1 graph lock, as far as it could be read.
struct Node {
    id: String,
    /// The node's package, when it names one; `None` for the consumer of a `conanfile.txt`.
    reference: Option<String>,
    requires: Vec<String>,
    build_requires: Vec<String>,
    python_requires: Vec<String>,
    build_context: bool,
    local: bool,
    line: Option<u32>,
}

fn conan1(graph: &Value, out: &mut Output<'_>) -> Result<(), LockfileError> {
    let nodes_line = out.lines.find("\"nodes\"").or_else(|| out.lines.find("\"graph_lock\""));
    let Some(nodes) = graph.get("nodes").and_then(Value::as_object) else {
        return Err(LockfileError::malformed(nodes_line, "expected `graph_lock.nodes` to be an object of nodes"));
    };
    let nodes_offset = out.lines.text().find("\"nodes\"").unwrap_or(0);
    let mut read: BTreeMap<String, Node> = BTreeMap::new();
    for (id, value) in nodes {
        let line = object_key_line(out.lines, id, nodes_offset).or(nodes_line);
        let Some(node) = value.as_object() else {
            out.skip(line, format!("node `{id}` skipped: expected an object"));
            continue;
        };
        read.insert(id.clone(), read_node(id, node, line, out));
    }

    // The consumer: node "0", else the one node nothing depends on.
    let targets: BTreeSet<&str> =
        read.values().flat_map(|n| n.requires.iter().chain(&n.build_requires)).map(String::as_str).collect();
    let root_id: Option<String> = if read.contains_key("0") {
        Some("0".to_owned())
    } else {
        let roots: Vec<&String> = read.keys().filter(|k| !targets.contains(k.as_str())).collect();
        match roots.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    };
    let root = root_id.as_deref().and_then(|id| read.get(id));
    // A root naming a package without a local recipe is that package, locked on its own (`--reference`).
    let root_is_package = root.is_some_and(|r| !r.local && r.reference.is_some());

    // Scope: required when reached from the root by `requires` alone, dev when reached otherwise.
    let reach = |follow_build: bool| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&str> = root_id.as_deref().into_iter().collect();
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id.to_owned()) {
                continue;
            }
            if let Some(node) = read.get(id) {
                let build = node.build_requires.iter().filter(|_| follow_build);
                queue.extend(node.requires.iter().chain(build).map(String::as_str));
            }
        }
        seen
    };
    let required = reach(false);
    let reachable = reach(true);

    // Components by node id (the root only when it is a package).
    let mut bom_refs: BTreeMap<&str, String> = BTreeMap::new();
    let mut built: Vec<(&Node, Component)> = Vec::new();
    for node in read.values() {
        let is_root = Some(node.id.as_str()) == root_id.as_deref();
        if is_root && !root_is_package {
            continue;
        }
        let Some(reference) = node.reference.as_deref() else {
            out.skip(node.line, format!("node `{}` skipped: expected a `ref` naming its package", node.id));
            continue;
        };
        let Some(mut component) = out.component(reference, node.line, &format!("node `{}`", node.id)) else {
            continue;
        };
        component.scope = if root_id.is_none() {
            Some(if node.build_context { Scope::Dev } else { Scope::Required })
        } else if required.contains(&node.id) && !node.build_context {
            Some(Scope::Required)
        } else if reachable.contains(&node.id) || node.build_context {
            Some(Scope::Dev)
        } else {
            None
        };
        component.direct = root.map(|r| {
            if root_is_package { is_root } else { r.requires.contains(&node.id) || r.build_requires.contains(&node.id) }
        });
        bom_refs.insert(node.id.as_str(), component.bom_ref.clone());
        built.push((node, component));
    }

    // Edges by node id; python requires become dev components of their own.
    for (node, mut component) in built {
        for target in node.requires.iter().chain(&node.build_requires) {
            match bom_refs.get(target.as_str()) {
                Some(bom_ref) => {
                    component.dependencies.insert(bom_ref.clone());
                }
                None if !nodes.contains_key(target) => out.skip(
                    node.line,
                    format!("dependency of node `{}` skipped: node `{target}` is not in the lockfile", node.id),
                ),
                None => {}
            }
        }
        for python in &node.python_requires {
            let line = out.line_of_string(python, node.line.unwrap_or(1)).or(node.line);
            if let Some(mut py) = out.component(python, line, &format!("python requirement of node `{}`", node.id)) {
                component.dependencies.insert(py.bom_ref.clone());
                py.scope = Some(Scope::Dev);
                py.direct = root.map(|_| false);
                out.add(py);
            }
        }
        out.add(component);
    }
    // What the consumer itself lists.
    if let Some(r) = root.filter(|_| !root_is_package) {
        for target in r.requires.iter().chain(&r.build_requires) {
            if !nodes.contains_key(target) {
                out.skip(
                    r.line,
                    format!("dependency of node `{}` skipped: node `{target}` is not in the lockfile", r.id),
                );
            }
        }
        for python in &r.python_requires {
            let line = out.line_of_string(python, r.line.unwrap_or(1)).or(r.line);
            if let Some(mut py) = out.component(python, line, &format!("python requirement of node `{}`", r.id)) {
                py.scope = Some(Scope::Dev);
                py.direct = Some(true);
                out.add(py);
            }
        }
    }
    Ok(())
}

/// Read one node, tolerating unknown fields; malformed dependency lists become diagnostics.
fn read_node(id: &str, node: &Map<String, Value>, line: Option<u32>, out: &mut Output<'_>) -> Node {
    let reference = ["ref", "pref"].iter().find_map(|k| node.get(*k).and_then(Value::as_str)).map(str::to_owned);
    let mut ids = |key: &str| -> Vec<String> {
        match node.get(key) {
            None | Some(Value::Null) => Vec::new(),
            // 0.3 and 0.4: a list of node ids.
            Some(Value::Array(list)) => list.iter().filter_map(node_id).collect(),
            // 0.1 and 0.2: reference -> node id.
            Some(Value::Object(map)) => map.values().filter_map(node_id).collect(),
            Some(_) => {
                out.skip(line, format!("`{key}` of node `{id}` skipped: expected a list of node ids"));
                Vec::new()
            }
        }
    };
    let requires = ids("requires");
    let build_requires = ids("build_requires");
    let python_requires = match node.get("python_requires") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    Node {
        id: id.to_owned(),
        reference,
        requires,
        build_requires,
        python_requires,
        build_context: node.get("context").and_then(Value::as_str) == Some("build"),
        local: node.get("path").and_then(Value::as_str).is_some(),
        line,
    }
}

/// A node id written as a string or a number.
fn node_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Line of `"key":` at or after `from` (a byte offset): where a node starts. Node ids elsewhere (in `requires`)
/// are list items or map values, never followed by a colon.
fn object_key_line(lines: &LineIndex<'_>, key: &str, from: usize) -> Option<u32> {
    let quoted = serde_json::to_string(key).ok()?;
    let text = lines.text();
    let mut start = from;
    while let Some(found) = text.get(start..).and_then(|t| t.find(&quoted)) {
        let at = start + found;
        let after = text.get(at + quoted.len()..).unwrap_or("").trim_start();
        if after.starts_with(':') {
            return Some(lines.line_of(at));
        }
        start = at + quoted.len();
    }
    None
}

fn conan2(doc: &Map<String, Value>, out: &mut Output<'_>) {
    for (key, scope) in [("requires", Scope::Required), ("build_requires", Scope::Dev), ("python_requires", Scope::Dev)]
    {
        // The top-level key; the lists hold only strings, so a quoted key followed by a colon is that key.
        let key_line = object_key_line(out.lines, key, 0);
        let list = match doc.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => {
                out.skip(key_line, format!("`{key}` skipped: expected a list of references"));
                continue;
            }
        };
        for item in list {
            // A reference, or `[reference, {package_id: prev}]` when packages are locked too.
            let reference = match item {
                Value::String(s) => Some(s.as_str()),
                Value::Array(pair) => pair.first().and_then(Value::as_str),
                _ => None,
            };
            let Some(reference) = reference else {
                out.skip(key_line, format!("entry of `{key}` skipped: expected a reference string, found {item}"));
                continue;
            };
            let line = out.line_of_string(reference, key_line.unwrap_or(1));
            if let Some(mut component) = out.component(reference, line, &format!("entry of `{key}`")) {
                component.scope = Some(scope);
                out.add(component);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_taken_apart() {
        let r = ConanRef::parse("openssl/3.2.1@acme/stable#8879e931d726a8aad7f372e28470faa1%1693474328.562").unwrap();
        assert_eq!(
            r,
            ConanRef {
                name: "openssl",
                version: "3.2.1",
                user: Some("acme"),
                channel: Some("stable"),
                rrev: Some("8879e931d726a8aad7f372e28470faa1")
            }
        );
        let pref =
            ConanRef::parse("zlib/1.2.11@_/_#419994c5:6af9cc7cb931c5ad942174fd7838eb655717c709#4c5a825d").unwrap();
        assert_eq!((pref.user, pref.channel, pref.rrev), (None, None, Some("419994c5")));
        assert_eq!(ConanRef::parse("pkg/1.0@user").unwrap().user, Some("user"));
        assert_eq!(ConanRef::parse("zlib/1.2.13").unwrap().rrev, None);
        for bad in ["zlib", "/1.0", "zlib/", "zlib/1.0/x", "a b/1.0", "zlib/1.0#a#b", ""] {
            assert!(ConanRef::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ConanRef::parse("zlib/1.0#").unwrap().rrev, None);
    }

    #[test]
    fn node_keys_are_found_not_their_mentions() {
        let text = "{\"nodes\": {\n \"0\": {\"requires\": [\"1\"]},\n \"1\" :\n {}}}";
        let lines = LineIndex::new(text);
        assert_eq!(object_key_line(&lines, "1", 0), Some(3));
        assert_eq!(object_key_line(&lines, "0", 0), Some(2));
        assert_eq!(object_key_line(&lines, "2", 0), None);
    }
}
