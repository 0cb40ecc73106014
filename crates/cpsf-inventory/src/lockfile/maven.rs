//! Parser for Maven `pom.xml`: the declared dependencies of one POM, with `${property}` interpolation, parent POMs
//! and `dependencyManagement` (including imported BOMs) resolved from other POMs of the scanned tree.
//!
//! A POM is not a lockfile: versions come from the POM itself, its parents and the BOMs it imports, and only
//! where those are part of the scanned tree. What cannot be resolved is reported without a version, with a
//! diagnostic naming the line.
//!
//! Choices:
//! - Every declared dependency is direct; transitive ones are not known without a repository.
//! - `test`, `provided` and `system` scopes are [`Scope::Dev`] (they are not shipped inside the built artifact:
//!   `provided` and `system` ones are supplied by the runtime environment), `<optional>true</optional>` is
//!   [`Scope::Optional`], anything else is [`Scope::Required`]. A `<systemPath>` is a local file, not a download
//!   location, and is not reported.
//! - The project itself is not a component, and neither is a dependency on another module of the same tree (a
//!   POM of the tree with the same groupId and artifactId, and the same version when both are known): that
//!   module is scanned on its own.
//! - Parents are looked up at `<relativePath>` (default `../pom.xml`) and, when the POM found there has other
//!   coordinates or there is none, among every `pom.xml` of the tree by groupId, artifactId and version.
//!   An empty `<relativePath/>` skips the first lookup only.
//! - Dependencies inside `<profiles>` are not read: whether a profile is active depends on the build.
//! - Purl: `pkg:maven/GROUP/ARTIFACT@VERSION`, plus `classifier=` and `type=` (when not `jar`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Purl, Scope};

use super::xml::{self, Element};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// Longest parent chain followed; real builds have a handful.
const MAX_PARENTS: usize = 32;
/// Deepest chain of BOM imports followed.
const MAX_IMPORT_DEPTH: usize = 4;
/// Nesting of `${a}` -> `${b}` -> ... property references.
const MAX_PROPERTY_DEPTH: usize = 16;
/// Total property expansions for one value, so that mutually multiplying properties cannot blow up.
const MAX_EXPANSIONS: usize = 4096;

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let root = xml::parse(input.text)?;
    let pom = Pom::from_root(input.path, &root, &LineIndex::new(input.text))?;
    let mut resolver = Resolver::new(input);
    let model = resolver.effective_model(&pom, 0);

    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    for declared in &pom.dependencies {
        if let Some(c) = resolver.component(declared, &model, &pom) {
            match components.get_mut(&c.bom_ref) {
                Some(existing) => existing.absorb(c),
                None => {
                    components.insert(c.bom_ref.clone(), c);
                }
            }
        }
    }
    Ok(Parsed { components: components.into_values().collect(), diagnostics: resolver.diagnostics })
}

/// A dependency as written in a POM, before interpolation.
#[derive(Clone, Debug, Default)]
struct Declared {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    ty: Option<String>,
    classifier: Option<String>,
    scope: Option<String>,
    optional: Option<String>,
    /// The POM it is written in, the line of its `<dependency>` tag and that of its `<version>` (or the tag's).
    path: String,
    line: u32,
    version_line: u32,
}

impl Declared {
    fn read(el: &Element, path: &str, lines: &LineIndex<'_>) -> Self {
        let text = |name: &str| el.child_text(name).map(str::to_owned);
        let line = lines.line_of(el.offset);
        Self {
            group: text("groupId"),
            artifact: text("artifactId"),
            version: text("version"),
            ty: text("type"),
            classifier: text("classifier"),
            scope: text("scope"),
            optional: text("optional"),
            path: path.to_owned(),
            line,
            version_line: el.child("version").map_or(line, |v| lines.line_of(v.offset)),
        }
    }
}

/// The `<parent>` of a POM.
#[derive(Clone, Debug)]
struct ParentRef {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    /// `None`: the default `../pom.xml`; `Some("")`: an empty `<relativePath/>`, i.e. no lookup by path.
    relative_path: Option<String>,
    line: u32,
}

impl ParentRef {
    fn coordinates(&self) -> String {
        format!(
            "{}:{}:{}",
            self.group.as_deref().unwrap_or("?"),
            self.artifact.as_deref().unwrap_or("?"),
            self.version.as_deref().unwrap_or("?")
        )
    }
}

/// The parts of one POM that matter for its dependencies.
#[derive(Debug)]
struct Pom {
    path: String,
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: BTreeMap<String, String>,
    managed: Vec<Declared>,
    dependencies: Vec<Declared>,
}

impl Pom {
    fn from_root(path: &str, root: &Element, lines: &LineIndex<'_>) -> Result<Self, LockfileError> {
        if root.name != "project" {
            return Err(LockfileError::malformed(
                Some(lines.line_of(root.offset)),
                format!("expected a Maven POM with a <project> root element, found <{}>", root.name),
            ));
        }
        let parent = root.child("parent").map(|p| ParentRef {
            group: p.child_text("groupId").map(str::to_owned),
            artifact: p.child_text("artifactId").map(str::to_owned),
            version: p.child_text("version").map(str::to_owned),
            relative_path: p.child("relativePath").map(|r| r.text.trim().to_owned()),
            line: lines.line_of(p.offset),
        });
        let properties = root
            .child("properties")
            .map(|props| props.children.iter().map(|p| (p.name.clone(), p.text.trim().to_owned())).collect())
            .unwrap_or_default();
        let list = |container: Option<&Element>| -> Vec<Declared> {
            container
                .map(|deps| deps.children_named("dependency").map(|d| Declared::read(d, path, lines)).collect())
                .unwrap_or_default()
        };
        Ok(Self {
            path: path.to_owned(),
            group: root.child_text("groupId").map(str::to_owned),
            artifact: root.child_text("artifactId").map(str::to_owned),
            version: root.child_text("version").map(str::to_owned),
            parent,
            properties,
            managed: list(root.child("dependencyManagement").and_then(|m| m.child("dependencies"))),
            dependencies: list(root.child("dependencies")),
        })
    }

    fn effective_group(&self) -> Option<&str> {
        self.group.as_deref().or_else(|| self.parent.as_ref().and_then(|p| p.group.as_deref()))
    }

    fn effective_version(&self) -> Option<&str> {
        self.version.as_deref().or_else(|| self.parent.as_ref().and_then(|p| p.version.as_deref()))
    }

    /// The version this POM would be known by, interpolated with its own properties only; `None` when unknown.
    fn own_version(&self) -> Option<String> {
        let raw = self.effective_version()?;
        let mut props = self.properties.clone();
        if let Some(v) = self.parent.as_ref().and_then(|p| p.version.clone()) {
            props.insert("project.parent.version".into(), v);
        }
        let (value, unresolved) = interpolate(raw, &props);
        unresolved.is_empty().then_some(value)
    }

    /// Whether this POM is `group:artifact:version`; an unknown version on either side matches any.
    fn is(&self, group: Option<&str>, artifact: Option<&str>, version: Option<&str>) -> bool {
        let known = |v: Option<&str>| v.filter(|v| !v.contains("${")).map(str::to_owned);
        self.artifact.is_some()
            && self.artifact.as_deref() == artifact
            && self.effective_group() == group
            && match (self.own_version(), known(version)) {
                (Some(mine), Some(wanted)) => mine == wanted,
                _ => true,
            }
    }
}

/// A `dependencyManagement` entry after interpolation.
#[derive(Clone, Debug)]
struct Managed {
    group: String,
    artifact: String,
    ty: String,
    classifier: Option<String>,
    version: Option<String>,
    scope: Option<String>,
    /// Properties its version refers to that are defined nowhere.
    unresolved: Vec<String>,
    /// Where it is written: the POM, the line of its `<dependency>` tag and that of its `<version>`.
    path: String,
    line: u32,
    version_line: u32,
}

/// Properties and managed versions of a POM after inheritance.
struct Model {
    properties: BTreeMap<String, String>,
    managed: Vec<Managed>,
}

/// The outcome of resolving a dependency's version, before anything is reported.
enum Version {
    Pinned(String),
    /// A range such as `[1.0,2.0)`.
    Range(String),
    /// The written version uses undefined properties.
    Undefined {
        raw: String,
        unresolved: Vec<String>,
    },
    /// The managed version uses undefined properties.
    ManagedUndefined {
        path: String,
        line: u32,
        unresolved: Vec<String>,
    },
    /// No `<version>` and no managed entry.
    Missing,
}

struct Resolver<'a, 'i> {
    input: &'a LockfileInput<'i>,
    /// POMs of the tree parsed so far, by path; `None` when unreadable or not a POM.
    cache: HashMap<String, Option<Rc<Pom>>>,
    /// Every `pom.xml` of the tree by its own artifactId, read on first need.
    tree: Option<HashMap<String, Vec<String>>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a, 'i> Resolver<'a, 'i> {
    fn new(input: &'a LockfileInput<'i>) -> Self {
        Self { input, cache: HashMap::new(), tree: None, diagnostics: Vec::new() }
    }

    /// Read and parse another POM of the tree, once.
    fn load(&mut self, path: &str) -> Option<Rc<Pom>> {
        if let Some(hit) = self.cache.get(path) {
            return hit.clone();
        }
        let text =
            if path == self.input.path { Some(self.input.text.to_owned()) } else { self.input.source.read(path) };
        let pom = text.and_then(|text| {
            let root = xml::parse(&text).ok()?;
            Pom::from_root(path, &root, &LineIndex::new(&text)).ok().map(Rc::new)
        });
        self.cache.insert(path.to_owned(), pom.clone());
        pom
    }

    /// Paths of the tree's POMs whose own artifactId is `artifact`, in path order. The index reads only the head
    /// of each POM, so that whole files are parsed only for likely candidates.
    fn candidates(&mut self, artifact: &str) -> Vec<String> {
        let input = self.input;
        let tree = self.tree.get_or_insert_with(|| {
            let mut paths: Vec<String> =
                input.source.list().into_iter().filter(|p| p == "pom.xml" || p.ends_with("/pom.xml")).collect();
            paths.sort();
            paths.dedup();
            let mut index: HashMap<String, Vec<String>> = HashMap::new();
            for path in paths {
                let text = if path == input.path { Some(input.text.to_owned()) } else { input.source.read(&path) };
                if let Some(own) = text.and_then(|t| xml::top_level_text(&t, "artifactId")) {
                    index.entry(own).or_default().push(path);
                }
            }
            index
        });
        tree.get(artifact).cloned().unwrap_or_default()
    }

    /// A POM of the tree with these coordinates, looking at `preferred` first.
    fn find(
        &mut self,
        preferred: Option<&str>,
        group: Option<&str>,
        artifact: Option<&str>,
        version: Option<&str>,
        exclude: &BTreeSet<String>,
    ) -> Option<Rc<Pom>> {
        if let Some(path) = preferred
            && !exclude.contains(path)
            && let Some(pom) = self.load(path)
            && pom.is(group, artifact, version)
        {
            return Some(pom);
        }
        let candidates = self.candidates(artifact?);
        candidates
            .into_iter()
            .filter(|p| !exclude.contains(p) && Some(p.as_str()) != preferred)
            .find_map(|p| self.load(&p).filter(|pom| pom.is(group, artifact, version)))
    }

    fn include_missing(&mut self, line: Option<u32>, message: String) {
        self.diagnostics.push(Diagnostic::new(DiagnosticCode::IncludeMissing, self.input.path, line, message));
    }

    /// The parents of `pom`, nearest first. Diagnostics are reported only for the scanned file itself (`report`).
    fn ancestors(&mut self, pom: &Pom, report: bool) -> Vec<Rc<Pom>> {
        let mut chain: Vec<Rc<Pom>> = Vec::new();
        let mut visited: BTreeSet<String> = BTreeSet::from([pom.path.clone()]);
        let mut current_path = pom.path.clone();
        let mut next = pom.parent.clone();
        while let Some(parent) = next {
            if chain.len() >= MAX_PARENTS {
                break;
            }
            let dir = current_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let preferred = match parent.relative_path.as_deref() {
                Some("") => None,
                rel => resolve_inside(dir, rel.unwrap_or("../pom.xml")).map(|joined| {
                    if joined.ends_with(".xml") {
                        joined
                    } else {
                        format!("{joined}/pom.xml").trim_start_matches('/').to_owned()
                    }
                }),
            };
            let group = parent.group.as_deref();
            let artifact = parent.artifact.as_deref();
            let version = parent.version.as_deref();
            match self.find(preferred.as_deref(), group, artifact, version, &BTreeSet::new()) {
                Some(found) if visited.contains(&found.path) => {
                    if report {
                        let line = (current_path == self.input.path).then_some(parent.line);
                        self.include_missing(
                            line,
                            format!(
                                "parent POM {} of {} is {}, already part of this POM's parent chain (a cycle); the \
                                 chain is cut there",
                                parent.coordinates(),
                                current_path,
                                found.path
                            ),
                        );
                    }
                    break;
                }
                Some(found) => {
                    visited.insert(found.path.clone());
                    current_path = found.path.clone();
                    next = found.parent.clone();
                    chain.push(found);
                }
                None => {
                    if report && chain.is_empty() {
                        self.include_missing(
                            Some(parent.line),
                            format!(
                                "parent POM {} is not in the scanned tree; properties and managed versions it \
                                 defines are unknown",
                                parent.coordinates()
                            ),
                        );
                    } else if report {
                        self.include_missing(
                            None,
                            format!(
                                "parent POM {} (of {}) is not in the scanned tree; properties and managed versions \
                                 it defines are unknown",
                                parent.coordinates(),
                                current_path
                            ),
                        );
                    }
                    break;
                }
            }
        }
        chain
    }

    /// Properties and managed dependencies of `pom` after inheritance and BOM imports.
    fn effective_model(&mut self, pom: &Pom, depth: usize) -> Model {
        let report = depth == 0;
        let ancestors = self.ancestors(pom, report);
        let mut properties = BTreeMap::new();
        for ancestor in ancestors.iter().rev() {
            properties.extend(ancestor.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        properties.extend(pom.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        // `project.*` (and the older `pom.*`) name the model and win over properties of the same name; the
        // unprefixed forms are a deprecated fallback that properties override.
        let mut builtin = |prefixed: &[&str], bare: &str, value: Option<&str>| {
            if let Some(v) = value {
                for k in prefixed {
                    properties.insert((*k).to_owned(), v.to_owned());
                }
                properties.entry(bare.to_owned()).or_insert_with(|| v.to_owned());
            }
        };
        builtin(&["project.groupId", "pom.groupId"], "groupId", pom.effective_group());
        builtin(&["project.artifactId", "pom.artifactId"], "artifactId", pom.artifact.as_deref());
        builtin(&["project.version", "pom.version"], "version", pom.effective_version());
        let parent = pom.parent.as_ref();
        builtin(&["project.parent.groupId"], "parent.groupId", parent.and_then(|p| p.group.as_deref()));
        builtin(&["project.parent.artifactId"], "parent.artifactId", parent.and_then(|p| p.artifact.as_deref()));
        builtin(&["project.parent.version"], "parent.version", parent.and_then(|p| p.version.as_deref()));

        // Entries written in this POM win over inherited ones (nearest parent first), which win over imported
        // BOMs (first import first).
        let mut managed = Vec::new();
        let mut imports = Vec::new();
        let written = pom.managed.iter().chain(ancestors.iter().flat_map(|a| a.managed.iter()));
        for declared in written {
            let Some(entry) = managed_entry(declared, &properties) else { continue };
            if entry.scope.as_deref() == Some("import") && entry.ty == "pom" {
                imports.push(entry);
            } else {
                managed.push(entry);
            }
        }
        for import in imports {
            if depth >= MAX_IMPORT_DEPTH {
                break;
            }
            let mut exclude: BTreeSet<String> = ancestors.iter().map(|a| a.path.clone()).collect();
            exclude.insert(pom.path.clone());
            let found = match &import.version {
                Some(v) => self.find(None, Some(&import.group), Some(&import.artifact), Some(v), &exclude),
                None => None,
            };
            let line = (import.path == self.input.path).then_some(import.line);
            match found {
                Some(bom) => {
                    let imported = self.effective_model(&bom, depth + 1);
                    managed.extend(imported.managed);
                }
                None if !report => {}
                None if !import.unresolved.is_empty() => self.include_missing(
                    line,
                    format!(
                        "imported BOM {}:{} (declared in {} line {}) has a version that uses undefined {}; versions \
                         it manages are unknown",
                        import.group,
                        import.artifact,
                        import.path,
                        import.line,
                        names(&import.unresolved)
                    ),
                ),
                None => self.include_missing(
                    line,
                    format!(
                        "imported BOM {}:{}:{} (declared in {} line {}) is not in the scanned tree; versions it \
                         manages are unknown",
                        import.group,
                        import.artifact,
                        import.version.as_deref().unwrap_or("?"),
                        import.path,
                        import.line
                    ),
                ),
            }
        }
        Model { properties, managed }
    }

    fn skip(&mut self, code: DiagnosticCode, line: u32, message: String) {
        self.diagnostics.push(Diagnostic::new(code, self.input.path, Some(line), message));
    }

    /// One interpolated optional field of a dependency; an undefined property drops it with a diagnostic.
    fn field(
        &mut self,
        value: &Option<String>,
        what: &str,
        line: u32,
        properties: &BTreeMap<String, String>,
    ) -> Option<String> {
        let raw = value.as_deref()?;
        let (value, unresolved) = interpolate(raw, properties);
        if unresolved.is_empty() {
            return Some(value);
        }
        self.skip(
            DiagnosticCode::LockfileEntrySkipped,
            line,
            format!("dependency {what} `{raw}` uses undefined {}; the {what} is left out", names(&unresolved)),
        );
        None
    }

    /// One interpolated coordinate (groupId, artifactId); missing or undefined skips the dependency.
    fn coordinate(
        &mut self,
        value: &Option<String>,
        what: &str,
        line: u32,
        properties: &BTreeMap<String, String>,
    ) -> Option<String> {
        let Some(raw) = value.as_deref() else {
            self.skip(
                DiagnosticCode::LockfileEntrySkipped,
                line,
                format!("dependency skipped: expected a <{what}> in <dependency>"),
            );
            return None;
        };
        let (value, unresolved) = interpolate(raw, properties);
        let message = if !unresolved.is_empty() {
            format!("dependency skipped: its {what} `{raw}` uses undefined {}", names(&unresolved))
        } else if value.trim().is_empty() {
            format!("dependency skipped: its {what} `{raw}` is empty")
        } else {
            return Some(value.trim().to_owned());
        };
        self.skip(DiagnosticCode::LockfileEntrySkipped, line, message);
        None
    }

    /// The component for one declared dependency, or `None` when it cannot be named (with a diagnostic) or is
    /// another module of the tree (silently).
    fn component(&mut self, declared: &Declared, model: &Model, pom: &Pom) -> Option<Component> {
        let line = declared.line;
        let props = &model.properties;
        let group = self.coordinate(&declared.group, "groupId", line, props);
        let artifact = self.coordinate(&declared.artifact, "artifactId", line, props);
        let (group, artifact) = (group?, artifact?);
        let ty = self.field(&declared.ty, "type", line, props).unwrap_or_else(|| "jar".into());
        let classifier = self.field(&declared.classifier, "classifier", line, props);
        let scope_text = self.field(&declared.scope, "scope", line, props);
        let optional = self.field(&declared.optional, "optional", line, props);
        let managed = model
            .managed
            .iter()
            .find(|m| m.group == group && m.artifact == artifact && m.ty == ty && m.classifier == classifier);

        let version = match (&declared.version, managed) {
            (Some(raw), _) => {
                let (value, unresolved) = interpolate(raw, props);
                let value = value.trim().to_owned();
                if !unresolved.is_empty() {
                    Version::Undefined { raw: raw.clone(), unresolved }
                } else if value.is_empty() {
                    Version::Missing
                } else if value.starts_with(['[', '(']) {
                    Version::Range(value)
                } else {
                    Version::Pinned(value)
                }
            }
            (None, Some(m)) if !m.unresolved.is_empty() => Version::ManagedUndefined {
                path: m.path.clone(),
                line: m.version_line,
                unresolved: m.unresolved.clone(),
            },
            (None, Some(m)) => match m.version.as_deref().map(str::trim) {
                Some("") | None => Version::Missing,
                Some(v) if v.starts_with(['[', '(']) => Version::Range(v.to_owned()),
                Some(v) => Version::Pinned(v.to_owned()),
            },
            (None, None) => Version::Missing,
        };

        // Another module of this tree (or this POM itself) is not an external component.
        let known_version = match &version {
            Version::Pinned(v) => Some(v.as_str()),
            _ => None,
        };
        if pom.is(Some(&group), Some(&artifact), known_version)
            || self.find(None, Some(&group), Some(&artifact), known_version, &BTreeSet::new()).is_some()
        {
            return None;
        }

        let coordinates = format!("{group}:{artifact}");
        let version_line = declared.version_line;
        let version = match version {
            Version::Pinned(v) => Some(v),
            Version::Range(v) => {
                self.skip(
                    DiagnosticCode::UnpinnedRequirement,
                    version_line,
                    format!("{coordinates} asks for the version range `{v}`; it is reported without a version"),
                );
                None
            }
            Version::Undefined { raw, unresolved } => {
                self.skip(
                    DiagnosticCode::LockfileEntrySkipped,
                    version_line,
                    format!(
                        "version `{raw}` of {coordinates} uses undefined {}; it is reported without a version",
                        names(&unresolved)
                    ),
                );
                None
            }
            Version::ManagedUndefined { path, line: managed_line, unresolved } => {
                self.skip(
                    DiagnosticCode::LockfileEntrySkipped,
                    line,
                    format!(
                        "the managed version of {coordinates} ({path} line {managed_line}) uses undefined {}; it is \
                         reported without a version",
                        names(&unresolved)
                    ),
                );
                None
            }
            Version::Missing => {
                self.skip(
                    DiagnosticCode::UnpinnedRequirement,
                    line,
                    format!(
                        "{coordinates} has no <version> and no managed version in the scanned tree; it is reported \
                         without a version"
                    ),
                );
                None
            }
        };

        let mut purl = match Purl::new("maven", &artifact) {
            Ok(p) => p.with_namespace(Some(&group)).with_version(version.as_deref()),
            Err(e) => {
                self.skip(DiagnosticCode::LockfileEntrySkipped, line, format!("dependency {coordinates} skipped: {e}"));
                return None;
            }
        };
        if ty != "jar" {
            purl = purl.with_qualifier("type", &ty);
        }
        if let Some(c) = &classifier {
            purl = purl.with_qualifier("classifier", c);
        }
        let scope_name = scope_text.or_else(|| managed.and_then(|m| m.scope.clone()));
        let scope = match scope_name.as_deref() {
            Some("test" | "provided" | "system") => Scope::Dev,
            _ if optional.as_deref().is_some_and(|o| o.eq_ignore_ascii_case("true")) => Scope::Optional,
            _ => Scope::Required,
        };
        let mut component = Component::from_purl(purl).at(self.input.path, Some(line));
        component.scope = Some(scope);
        component.direct = Some(true);
        Some(component)
    }
}

/// `relative` resolved against the `/`-separated `dir`; `None` when it leaves the scanned tree.
fn resolve_inside(dir: &str, relative: &str) -> Option<String> {
    if relative.starts_with(['/', '\\']) || relative.get(1..2) == Some(":") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in relative.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Interpolate a `dependencyManagement` entry; `None` when it lacks coordinates.
fn managed_entry(declared: &Declared, properties: &BTreeMap<String, String>) -> Option<Managed> {
    let full = |v: &Option<String>| {
        let (value, unresolved) = interpolate(v.as_deref()?, properties);
        unresolved.is_empty().then_some(value)
    };
    let (version, unresolved) = match declared.version.as_deref() {
        Some(raw) => {
            let (value, unresolved) = interpolate(raw, properties);
            (unresolved.is_empty().then_some(value), unresolved)
        }
        None => (None, Vec::new()),
    };
    Some(Managed {
        group: full(&declared.group)?,
        artifact: full(&declared.artifact)?,
        ty: full(&declared.ty).unwrap_or_else(|| "jar".into()),
        classifier: full(&declared.classifier),
        version,
        scope: full(&declared.scope),
        unresolved,
        path: declared.path.clone(),
        line: declared.line,
        version_line: declared.version_line,
    })
}

fn names(unresolved: &[String]) -> String {
    let list: Vec<String> = unresolved.iter().map(|n| format!("${{{n}}}")).collect();
    format!("propert{} {}", if list.len() == 1 { "y" } else { "ies" }, list.join(", "))
}

/// Replace every `${name}` defined in `properties`, recursively; returns the text and the names left unresolved.
fn interpolate(value: &str, properties: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut unresolved = Vec::new();
    let mut budget = MAX_EXPANSIONS;
    let out = expand(value, properties, 0, &mut budget, &mut unresolved);
    (out, unresolved)
}

fn expand(
    value: &str,
    properties: &BTreeMap<String, String>,
    depth: usize,
    budget: &mut usize,
    unresolved: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push_str("${");
            out.push_str(after);
            return out;
        };
        match properties.get(name) {
            Some(v) if depth < MAX_PROPERTY_DEPTH && *budget > 0 => {
                *budget -= 1;
                out.push_str(&expand(v, properties, depth + 1, budget, unresolved));
            }
            _ => {
                if !unresolved.iter().any(|n| n == name) {
                    unresolved.push(name.to_owned());
                }
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_recursive_and_bounded() {
        let props: BTreeMap<String, String> =
            [("a", "${b}-x"), ("b", "1.${c}"), ("c", "2"), ("loop", "${loop}"), ("x", "${x}${x}")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        assert_eq!(interpolate("v${a}", &props), ("v1.2-x".to_owned(), vec![]));
        assert_eq!(interpolate("${nope}.${c}", &props), ("${nope}.2".to_owned(), vec!["nope".to_owned()]));
        assert_eq!(interpolate("${loop}", &props).1, vec!["loop".to_owned()]);
        assert_eq!(interpolate("${open", &props), ("${open".to_owned(), vec![]));
        // Doubling at every level stops at the expansion budget instead of growing without end.
        let (out, unresolved) = interpolate("${x}", &props);
        assert_eq!(unresolved, vec!["x".to_owned()]);
        assert!(out.len() < 200_000, "{}", out.len());
    }

    #[test]
    fn relative_paths_stay_inside_the_tree() {
        assert_eq!(resolve_inside("a/b", "../pom.xml").as_deref(), Some("a/pom.xml"));
        assert_eq!(resolve_inside("a", "../pom.xml").as_deref(), Some("pom.xml"));
        assert_eq!(resolve_inside("", "../pom.xml"), None);
        assert_eq!(resolve_inside("a", "/etc/pom.xml"), None);
        assert_eq!(resolve_inside("a", "C:\\x\\pom.xml"), None);
        assert_eq!(resolve_inside("a/b", "..\\..\\parent").as_deref(), Some("parent"));
    }
}
