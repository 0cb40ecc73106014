//! What the npm-ecosystem parsers (npm, Yarn, pnpm, Bun) share: npm purls, where a package came from,
//! integrity strings, `package.json` manifests, the component set, and the dependency graph that turns
//! "the project's own packages depend on these" into `direct` marks and scopes.

use std::collections::{BTreeMap, HashMap};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Hash, HashAlgorithm, Purl, Scope};
use serde_json::Value;

use crate::lockfile::LockfileInput;
pub(crate) use crate::lockfile::entries::{JsonKeyCursor, entry_skipped};

/// The purl of an npm package; a scoped name `@scope/name` becomes namespace `@scope` and name `name`.
pub(crate) fn package_purl(name: &str, version: Option<&str>) -> Option<Purl> {
    let name = name.trim();
    let (namespace, base) = match name.split_once('/') {
        Some((scope, base)) if scope.starts_with('@') && scope.len() > 1 => (Some(scope), base),
        Some(_) => return None,
        None if name.starts_with('@') => return None,
        None => (None, name),
    };
    if base.is_empty() || base.contains('/') || base.chars().any(char::is_whitespace) {
        return None;
    }
    Some(Purl::new("npm", base).ok()?.with_namespace(namespace).with_version(version.map(str::trim)))
}

/// Split a `name@range` descriptor at the `@` that ends the (possibly scoped) name.
pub(crate) fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    let name = descriptor.get(..at)?;
    (!name.is_empty()).then_some((name, descriptor.get(at + 1..)?))
}

/// Every hash of a Subresource Integrity string (`sha512-... sha1-...`), in order, without repeats.
pub(crate) fn sri_hashes(text: &str) -> Vec<Hash> {
    let mut out: Vec<Hash> = Vec::new();
    for token in text.split_whitespace() {
        if let Some(h) = sri_hash(token)
            && !out.contains(&h)
        {
            out.push(h);
        }
    }
    out
}

/// One `alg-base64` integrity token (options after `?` ignored) as a hex digest.
fn sri_hash(token: &str) -> Option<Hash> {
    let (alg, b64) = token.split_once('-')?;
    let algorithm = match alg {
        "sha512" => HashAlgorithm::Sha512,
        "sha384" => HashAlgorithm::Sha384,
        "sha256" => HashAlgorithm::Sha256,
        "sha1" => HashAlgorithm::Sha1,
        "md5" => HashAlgorithm::Md5,
        other => HashAlgorithm::parse(other)?,
    };
    let b64 = b64.split('?').next()?.trim_end_matches('=').as_bytes();
    // Standard and URL-safe alphabets; 0xff marks a byte that is not base64.
    const TABLE: [u8; 256] = {
        let mut t = [0xffu8; 256];
        let mut i = 0;
        while i < 26 {
            t[b'A' as usize + i] = i as u8;
            t[b'a' as usize + i] = 26 + i as u8;
            i += 1;
        }
        let mut d = 0;
        while d < 10 {
            t[b'0' as usize + d] = 52 + d as u8;
            d += 1;
        }
        t[b'+' as usize] = 62;
        t[b'-' as usize] = 62;
        t[b'/' as usize] = 63;
        t[b'_' as usize] = 63;
        t
    };
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    if b64.len() % 4 == 1 {
        return None;
    }
    let mut hex = Vec::with_capacity(b64.len() * 3 / 2 + 6);
    for chunk in b64.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            let v = *TABLE.get(usize::from(c))?;
            if v == 0xff {
                return None;
            }
            acc = (acc << 6) | u32::from(v);
        }
        // A short final chunk of n characters carries n*6 bits, of which the whole bytes count.
        let bits = chunk.len() as u32 * 6;
        let bytes = bits / 8;
        let spare = bits - bytes * 8;
        if acc & ((1 << spare) - 1) != 0 {
            return None;
        }
        acc >>= spare;
        for k in (0..bytes).rev() {
            let byte = (acc >> (k * 8)) & 0xff;
            hex.push(*DIGITS.get((byte >> 4) as usize)?);
            hex.push(*DIGITS.get((byte & 0xf) as usize)?);
        }
    }
    if hex.len() != algorithm.hex_len() {
        return None;
    }
    Some(Hash { algorithm, value: String::from_utf8(hex).ok()? })
}

/// Where the bytes of a package come from, as far as the lockfile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A registry tarball (`https://registry.npmjs.org/<name>/-/<name>-<version>.tgz`), or no URL at all.
    Registry,
    /// A git repository, as an SPDX-style locator `git+<url>[@<revision>]`.
    Git(String),
    /// A tarball at some other URL.
    Tarball(String),
    /// A file or folder of the project's own tree.
    Local,
}

/// Classify a `resolved` URL or a resolution specifier (`git+ssh://...#sha`, `github:user/repo#sha`,
/// `https://host/x.tgz`, `file:../x`).
pub(crate) fn classify(resolved: &str) -> Origin {
    let r = resolved.trim();
    if r.is_empty() {
        return Origin::Registry;
    }
    if ["file:", "link:", "portal:", "workspace:"].iter().any(|p| r.starts_with(p)) {
        return Origin::Local;
    }
    if let Some(locator) = git_locator(r) {
        return Origin::Git(locator);
    }
    if r.starts_with("http://") || r.starts_with("https://") {
        return if is_registry_tarball(r) { Origin::Registry } else { Origin::Tarball(r.to_owned()) };
    }
    // A bare relative path (npm writes links' targets this way).
    Origin::Local
}

/// Whether a tarball URL has the registry layout `.../<name>/-/<file>.tgz`.
fn is_registry_tarball(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    path.contains("/-/") && path.ends_with(".tgz")
}

/// The SPDX-style locator `git+<url>[@<revision>]` of a git specifier, or `None` when it is not one.
/// Understands `git+<url>#<rev>`, `git://`, `ssh://`, `git@host:path`, hosted shorthands (`github:user/repo`),
/// Berry's `#commit=<sha>` fragments, and `https://...<repo>.git#<rev>`.
pub(crate) fn git_locator(spec: &str) -> Option<String> {
    let (url, fragment) = match spec.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (spec, None),
    };
    let hosts = [("github:", "github.com"), ("gitlab:", "gitlab.com"), ("bitbucket:", "bitbucket.org")];
    let base = if let Some(rest) = url.strip_prefix("git+") {
        format!("git+{rest}")
    } else if url.starts_with("git://") {
        url.to_owned()
    } else if let Some(rest) = url.strip_prefix("ssh://") {
        format!("git+ssh://{rest}")
    } else if let Some((prefix, host)) = hosts.iter().find(|(p, _)| url.starts_with(p)) {
        let path = url.get(prefix.len()..)?.trim_end_matches(".git");
        format!("git+https://{host}/{path}.git")
    } else if let Some(rest) = url.strip_prefix("git@") {
        let (host, path) = rest.split_once(':')?;
        format!("git+ssh://git@{host}/{path}")
    } else if (url.starts_with("https://") || url.starts_with("http://"))
        && (url.ends_with(".git") || fragment.is_some_and(|f| f.contains("commit=")))
    {
        format!("git+{url}")
    } else {
        return None;
    };
    let revision = fragment.and_then(|f| {
        let commit = f.split('&').find_map(|part| part.strip_prefix("commit="));
        match commit {
            Some(c) => Some(c),
            None if !f.contains('=') && !f.contains(':') && !f.is_empty() => Some(f),
            None => None,
        }
    });
    Some(match revision {
        Some(rev) => format!("{base}@{rev}"),
        None => base,
    })
}

/// The purl qualifier an origin adds (`vcs_url` for git, `download_url` for other tarballs).
pub(crate) fn with_origin(purl: Purl, origin: &Origin) -> Purl {
    match origin {
        Origin::Git(locator) => purl.with_qualifier("vcs_url", locator),
        Origin::Tarball(url) => purl.with_qualifier("download_url", url),
        Origin::Registry | Origin::Local => purl,
    }
}

/// Components, one per `bom_ref`: a package seen several times (nested copies, peer variants) becomes one.
#[derive(Default)]
pub(crate) struct ComponentSet {
    index: HashMap<String, usize>,
    components: Vec<Component>,
}

impl ComponentSet {
    /// Add or fold in a component; returns its index in the set.
    pub(crate) fn add(&mut self, component: Component) -> usize {
        match self.index.get(&component.bom_ref).and_then(|&i| Some(i).zip(self.components.get_mut(i))) {
            Some((i, existing)) => {
                existing.absorb(component);
                i
            }
            None => {
                let i = self.components.len();
                self.index.insert(component.bom_ref.clone(), i);
                self.components.push(component);
                i
            }
        }
    }

    pub(crate) fn into_components(self) -> Vec<Component> {
        self.components
    }
}

/// How a package depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DepKind {
    /// `dependencies` (and peers that were installed).
    Prod,
    /// `optionalDependencies`.
    Optional,
    /// `devDependencies` (only the project's own packages have these installed).
    Dev,
}

/// One node of the installed dependency graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// A package that is a component, by its index in the [`ComponentSet`].
    Component(usize),
    /// A package of the project itself (root, workspace, linked or local folder): not a component; what it
    /// depends on is direct. `top` marks the project's roots (the root package and its workspaces).
    Project { top: bool },
    /// An entry that could not be read (a diagnostic says why): edges to it are dropped.
    Skipped,
}

/// Whether the lockfile (with its manifests) says which components are direct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirectKnowledge {
    /// Every direct dependency is known: the others are transitive.
    Complete,
    /// Some project packages were not seen (unlisted workspaces): mark what is known, leave the rest unset.
    Partial,
    /// Nothing is known: leave `direct` unset.
    None,
}

/// The dependency graph of one lockfile, by node index.
#[derive(Default)]
pub(crate) struct DepGraph {
    nodes: Vec<Node>,
    edges: Vec<Vec<(usize, DepKind)>>,
}

impl DepGraph {
    pub(crate) fn add_node(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.edges.push(Vec::new());
        self.nodes.len() - 1
    }

    pub(crate) fn add_edge(&mut self, from: usize, to: usize, kind: DepKind) {
        if let Some(list) = self.edges.get_mut(from) {
            list.push((to, kind));
        }
    }

    /// The scope each node is reached with from the project's top packages: `Required` through production
    /// edges only, `Optional` once an optional edge is crossed, `Dev` once a dev edge is crossed.
    fn reach(&self) -> Vec<Option<Scope>> {
        let mut scope: Vec<Option<Scope>> = vec![None; self.nodes.len()];
        let mut queue: Vec<usize> = Vec::new();
        // Mark `node` with `phase` if it has no scope yet; true when it was marked.
        let mark = |scope: &mut Vec<Option<Scope>>, node: usize, phase: Scope| match scope.get_mut(node) {
            Some(slot @ None) => {
                *slot = Some(phase);
                true
            }
            _ => false,
        };
        for (i, n) in self.nodes.iter().enumerate() {
            if matches!(n, Node::Project { top: true }) && mark(&mut scope, i, Scope::Required) {
                queue.push(i);
            }
        }
        // Phase by phase, so the first scope a node gets is its best one.
        for phase in [Scope::Required, Scope::Optional, Scope::Dev] {
            if phase != Scope::Required {
                // Seeds: unmarked targets of edges of this phase's kind from nodes marked earlier.
                let kind = if phase == Scope::Optional { DepKind::Optional } else { DepKind::Dev };
                for (from, node) in self.nodes.iter().enumerate() {
                    if matches!(node, Node::Skipped) || scope.get(from).copied().flatten().is_none() {
                        continue;
                    }
                    for &(to, k) in self.edges.get(from).map(Vec::as_slice).unwrap_or_default() {
                        if k == kind && mark(&mut scope, to, phase) {
                            queue.push(to);
                        }
                    }
                }
            }
            while let Some(from) = queue.pop() {
                if matches!(self.nodes.get(from), Some(Node::Skipped)) {
                    continue;
                }
                for &(to, k) in self.edges.get(from).map(Vec::as_slice).unwrap_or_default() {
                    let follows = match phase {
                        Scope::Required => k == DepKind::Prod,
                        Scope::Optional => k != DepKind::Dev,
                        Scope::Dev => true,
                    };
                    if follows && mark(&mut scope, to, phase) {
                        queue.push(to);
                    }
                }
            }
        }
        scope
    }

    /// Put the edges into the components, mark direct ones (targets of project packages' edges) and, when
    /// `scopes` is set, give every reachable component the scope it is reached with.
    pub(crate) fn finish(self, set: &mut ComponentSet, direct: DirectKnowledge, scopes: bool) {
        let reached = if scopes { self.reach() } else { Vec::new() };
        let count = set.components.len();
        let mut is_direct = vec![false; count];
        let mut scope_of: Vec<Option<Scope>> = vec![None; count];
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for (from, node) in self.nodes.iter().enumerate() {
            if let (Node::Component(c), Some(s)) = (node, reached.get(from).copied().flatten())
                && let Some(slot) = scope_of.get_mut(*c)
            {
                *slot = Scope::merge(*slot, Some(s));
            }
            for &(to, _) in self.edges.get(from).map(Vec::as_slice).unwrap_or_default() {
                let Some(Node::Component(target)) = self.nodes.get(to) else { continue };
                match node {
                    Node::Component(source) if source != target => edges.push((*source, *target)),
                    Node::Project { .. } => {
                        if let Some(d) = is_direct.get_mut(*target) {
                            *d = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        for (source, target) in edges {
            let Some(target_ref) = set.components.get(target).map(|c| c.bom_ref.clone()) else { continue };
            if let Some(c) = set.components.get_mut(source) {
                c.dependencies.insert(target_ref);
            }
        }
        for (i, c) in set.components.iter_mut().enumerate() {
            let known = is_direct.get(i).copied().unwrap_or(false);
            c.direct = match direct {
                DirectKnowledge::Complete => Some(known),
                DirectKnowledge::Partial => known.then_some(true),
                DirectKnowledge::None => None,
            };
            if let Some(s) = scope_of.get(i).copied().flatten() {
                c.scope = Some(s);
            }
        }
    }
}

/// What a `package.json` declares about dependencies.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// `(name, range, kind)` from `dependencies`, `devDependencies`, `optionalDependencies` and
    /// `peerDependencies` (a name listed both as a dependency and an optional one counts as optional).
    pub(crate) dependencies: Vec<(String, String, DepKind)>,
    /// Whether it declares `workspaces`.
    pub(crate) has_workspaces: bool,
}

impl Manifest {
    /// The kind a dependency `name` has in this manifest, if it lists it.
    pub(crate) fn kind_of(&self, name: &str) -> Option<DepKind> {
        self.dependencies.iter().find(|(n, _, _)| n == name).map(|(_, _, k)| *k)
    }
}

/// Read the `package.json` at `path` of the tree. `Ok(None)` when there is none; a diagnostic when it is not
/// a JSON object.
pub(crate) fn read_manifest(input: &LockfileInput<'_>, path: &str) -> Result<Option<Manifest>, Diagnostic> {
    let Some(text) = input.source.read(path) else { return Ok(None) };
    let broken = |line: Option<u32>, message: String| {
        Diagnostic::new(
            DiagnosticCode::LockfileMalformed,
            path,
            line,
            format!("{message}; direct dependencies and scopes of {} are not known", input.path),
        )
    };
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| broken(crate::text::json_error_line(&e), format!("invalid JSON in package.json: {e}")))?;
    let Some(top) = doc.as_object() else {
        return Err(broken(Some(1), "expected a JSON object in package.json".into()));
    };
    let mut by_name: BTreeMap<String, (String, DepKind)> = BTreeMap::new();
    // Later fields win: npm installs a name listed in both `dependencies` and `devDependencies` as a
    // production dependency, and one in `optionalDependencies` as optional.
    let kinds = [
        ("peerDependencies", DepKind::Prod),
        ("devDependencies", DepKind::Dev),
        ("dependencies", DepKind::Prod),
        ("optionalDependencies", DepKind::Optional),
    ];
    for (field, kind) in kinds {
        let Some(map) = top.get(field).and_then(Value::as_object) else { continue };
        for (name, range) in map {
            by_name.insert(name.clone(), (range.as_str().unwrap_or_default().to_owned(), kind));
        }
    }
    Ok(Some(Manifest {
        dependencies: by_name.into_iter().map(|(n, (r, k))| (n, r, k)).collect(),
        has_workspaces: top.get("workspaces").is_some_and(|w| !w.is_null()),
    }))
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_split_scopes() {
        assert_eq!(package_purl("@babel/core", Some("7.0.0")).unwrap().to_string(), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(package_purl("lodash", None).unwrap().to_string(), "pkg:npm/lodash");
        assert!(package_purl("a/b", Some("1")).is_none());
        assert!(package_purl("@scope", Some("1")).is_none());
        assert!(package_purl("", Some("1")).is_none());
    }

    #[test]
    fn descriptors_split_after_the_name() {
        assert_eq!(split_descriptor("@babel/core@^7.0.0"), Some(("@babel/core", "^7.0.0")));
        assert_eq!(split_descriptor("a@npm:b@1"), Some(("a", "npm:b@1")));
        assert_eq!(split_descriptor("@scope"), None);
        assert_eq!(split_descriptor("@"), None);
    }

    #[test]
    fn origins() {
        assert_eq!(classify("https://registry.npmjs.org/a/-/a-1.0.0.tgz"), Origin::Registry);
        assert_eq!(
            classify("git+ssh://git@github.com/node-red/x.git#3c7c8f96d585c7c5918a2e63519310e1297e162d"),
            Origin::Git("git+ssh://git@github.com/node-red/x.git@3c7c8f96d585c7c5918a2e63519310e1297e162d".into())
        );
        assert_eq!(classify("github:user/repo#abc"), Origin::Git("git+https://github.com/user/repo.git@abc".into()));
        assert_eq!(
            classify("https://github.com/user/repo.git#commit=abc"),
            Origin::Git("git+https://github.com/user/repo.git@abc".into())
        );
        assert_eq!(classify("git@github.com:u/r.git"), Origin::Git("git+ssh://git@github.com/u/r.git".into()));
        assert_eq!(classify("https://example.com/x.tgz"), Origin::Tarball("https://example.com/x.tgz".into()));
        assert_eq!(classify("file:../x"), Origin::Local);
        assert_eq!(classify("packages/a"), Origin::Local);
        assert_eq!(git_locator("git+https://h/r.git#semver:^1.0.0").as_deref(), Some("git+https://h/r.git"));
    }

    #[test]
    fn sri_decodes_like_the_model() {
        for sri in [
            "sha1-2jmTgIz5c7UMxbBoggy3Kd5o8HY=",
            "sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==",
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "sha1-+FQ0Ydn7/VAzjs6r5L4IsL3gBGk=",
        ] {
            assert_eq!(sri_hash(sri), Hash::from_sri(sri), "{sri}");
            assert!(sri_hash(sri).is_some());
        }
        assert_eq!(sri_hash("sha512-notbase64!!"), None);
        assert_eq!(sri_hash("sha1-2jmTgIz5c7UMxbBoggy3Kd5o8H"), None);
        assert_eq!(sri_hash("md4-AAAA"), None);
    }

    #[test]
    fn sri_reads_every_token() {
        let h = sri_hashes(
            "sha512-v8CV/RwoxN3bj6o7OK52ZE2Kb3stENhTQjk/WNwz0exhpaUiF0DXwlBISFemfRV5vU94AmkUKUYqQMM3Dao8Lg== sha1-+FQ0Ydn7/VAzjs6r5L4IsL3gBGk=",
        );
        assert_eq!(h.len(), 2, "{h:?}");
    }

    #[test]
    fn sri_keeps_every_algorithm_once() {
        let h = sri_hashes("sha1-2jmTgIz5c7UMxbBoggy3Kd5o8HY= sha1-2jmTgIz5c7UMxbBoggy3Kd5o8HY= bogus");
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn reach_follows_edge_kinds() {
        let mut g = DepGraph::default();
        let root = g.add_node(Node::Project { top: true });
        let a = g.add_node(Node::Component(0));
        let b = g.add_node(Node::Component(1));
        let c = g.add_node(Node::Component(2));
        let d = g.add_node(Node::Component(3));
        g.add_edge(root, a, DepKind::Prod);
        g.add_edge(a, b, DepKind::Optional);
        g.add_edge(root, c, DepKind::Dev);
        g.add_edge(c, a, DepKind::Prod);
        g.add_edge(b, d, DepKind::Prod);
        let s = g.reach();
        assert_eq!(
            s,
            vec![
                Some(Scope::Required),
                Some(Scope::Required),
                Some(Scope::Optional),
                Some(Scope::Dev),
                Some(Scope::Optional)
            ]
        );
    }
}
