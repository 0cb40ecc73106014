//! Merging several inventories into one: components deduplicated by identity, their fields combined, edges
//! re-pointed to the surviving component, the described roots reconciled, conflicts reported.
//!
//! Rules:
//! - **Identity.** A component with a purl is identified by its canonical purl (version and qualifiers
//!   included: `pkg:npm/a@1` and `pkg:npm/a@2` stay two components); one without a purl by group, name and
//!   version. The first occurrence (in input order) survives and absorbs the others
//!   ([`Component::absorb`]: union of hashes, licences, locations and edges; scope and directness combined;
//!   the first supplier, author, description and download location kept).
//! - **bom-refs.** A component with a purl gets its canonical purl as `bom_ref` (the model's invariant);
//!   one without keeps the `bom_ref` of its first occurrence. Inputs are separate documents, so the same
//!   `bom_ref` in two of them may name two different things: when a `bom_ref` is already taken by another
//!   identity, the later one gets `~2`, `~3`, ... appended. Every edge is re-pointed through a per-input map,
//!   and edges to nothing are dropped, so the result is referentially valid.
//! - **Roots.** The merged document describes `root` when it is given, else the first input's root
//!   (`metadata.component`). Every other input root is reconciled: when it is the same component as the new
//!   root or as a component of the merge (same purl, or same group, name and version; a root without purl or
//!   version is never matched this way, as directory names are not identities), it is absorbed into that
//!   component and keeps its edges; otherwise it is dropped and its direct dependencies (its edges, or when it
//!   has none, those the input marks direct or that nothing depends on) become the new root's dependencies.
//!   When the new root is the first input's and others were lifted into it, that input's direct
//!   dependencies are added the same way so all inputs are treated alike. A given `root`'s own
//!   `dependencies` are kept as given, so they must name merged `bom_ref`s (canonical purls); others are
//!   dropped with the dangling edges.
//! - **Metadata.** Authors and tools: union in input order. Supplier: `root`'s when `root` is given, else the
//!   first input's. Timestamp and serial number: none (the merge is a new document; whoever writes it stamps
//!   it). Sources, skipped files and diagnostics of the inputs are kept, then the merge's own diagnostics.
//! - **Conflicts** between occurrences of one component (different digests of the same algorithm, different
//!   suppliers, authors, download locations or kinds) keep the first input's value and drop the other, with
//!   a [`DiagnosticCode::ConversionLoss`] diagnostic whose `path` is `input N` (1-based).

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode, Inventory, Metadata};

/// What makes two components the same component.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    Purl(String),
    Coordinates { group: Option<String>, name: String, version: Option<String> },
}

fn identity(c: &Component) -> Identity {
    match &c.purl {
        Some(p) => Identity::Purl(p.to_string()),
        None => Identity::Coordinates { group: c.group.clone(), name: c.name.clone(), version: c.version.clone() },
    }
}

/// A root is matched with components only when it says which package and version it is.
fn root_identity(c: &Component) -> Option<Identity> {
    (c.purl.is_some() || c.version.is_some()).then(|| identity(c))
}

/// One component of the merge: every occurrence, in input order, as (input index, component).
struct Group {
    members: Vec<(usize, Component)>,
}

/// Merge `inventories` (in order of precedence) into one; see the module documentation for the rules.
pub fn merge(inventories: Vec<Inventory>, root: Option<Component>) -> Inventory {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut out = Inventory::default();
    let mut roots: Vec<(usize, Component)> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut by_identity: BTreeMap<Identity, usize> = BTreeMap::new();
    // Per input: the direct dependencies of its root, by the input's own refs (used when the root is lifted).
    let mut direct: Vec<Vec<String>> = Vec::new();

    let mut authors = Vec::new();
    let mut tools = Vec::new();
    let mut first_supplier = None;
    for (k, inventory) in inventories.into_iter().enumerate() {
        direct.push(inventory.direct_refs());
        let Inventory { metadata, components, sources, skipped, diagnostics: input_diagnostics } = inventory;
        let Metadata { authors: a, supplier, tools: t, component, .. } = metadata;
        for author in a {
            if !authors.contains(&author) {
                authors.push(author);
            }
        }
        for tool in t {
            if !tools.contains(&tool) {
                tools.push(tool);
            }
        }
        if first_supplier.is_none() {
            first_supplier = supplier;
        }
        for s in sources {
            if !out.sources.contains(&s) {
                out.sources.push(s);
            }
        }
        for s in skipped {
            if !out.skipped.contains(&s) {
                out.skipped.push(s);
            }
        }
        out.diagnostics.extend(input_diagnostics);
        if let Some(r) = component {
            roots.push((k, r));
        }
        for c in components {
            let id = identity(&c);
            match by_identity.get(&id) {
                Some(&g) => {
                    if let Some(group) = groups.get_mut(g) {
                        group.members.push((k, c));
                    }
                }
                None => {
                    by_identity.insert(id, groups.len());
                    groups.push(Group { members: vec![(k, c)] });
                }
            }
        }
    }

    // The new root, and where it came from (None: given by the caller).
    let supplier = match &root {
        Some(r) => r.supplier.clone(),
        None => first_supplier,
    };
    let (mut new_root, root_input) = match root {
        Some(r) => (Some(r), None),
        None if !roots.is_empty() => {
            let (k, r) = roots.remove(0);
            (Some(r), Some(k))
        }
        None => (None, None),
    };
    let new_root_identity = new_root.as_ref().and_then(root_identity);

    // A component that is the new root itself is folded into the root, not listed beside it.
    let mut absorbed_into_root: Vec<(usize, Component)> = Vec::new();
    if let Some(&g) = new_root_identity.as_ref().and_then(|id| by_identity.get(id))
        && let Some(group) = groups.get_mut(g)
    {
        absorbed_into_root.append(&mut group.members);
    }
    // Reconcile the other roots: absorbed into the new root, into a component, or lifted.
    let mut lifted: Vec<(usize, Component)> = Vec::new();
    for (k, r) in roots {
        let id = root_identity(&r);
        if id.is_some() && id == new_root_identity {
            absorbed_into_root.push((k, r));
        } else if let Some(&g) = id.as_ref().and_then(|id| by_identity.get(id)) {
            if let Some(group) = groups.get_mut(g) {
                group.members.push((k, r));
            }
        } else {
            lifted.push((k, r));
        }
    }

    // New bom-refs: the root's first, then purl identities (canonical purl), then the rest.
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let root_ref = new_root.as_ref().map(|r| claim(&r.bom_ref, &mut taken));
    let mut new_refs: Vec<String> = vec![String::new(); groups.len()];
    let mut order: Vec<(bool, usize)> =
        groups.iter().enumerate().map(|(i, g)| (g.members.first().is_some_and(|(_, c)| c.purl.is_none()), i)).collect();
    order.sort();
    for (_, i) in order {
        let Some(group) = groups.get(i) else { continue };
        let Some((_, first)) = group.members.first() else { continue };
        let wanted = match &first.purl {
            Some(p) => p.to_string(),
            None => first.bom_ref.clone(),
        };
        if let Some(slot) = new_refs.get_mut(i) {
            *slot = claim(&wanted, &mut taken);
        }
    }

    // Per input: old bom-ref → new bom-ref.
    let mut map: BTreeMap<(usize, String), String> = BTreeMap::new();
    for (group, new_ref) in groups.iter().zip(&new_refs) {
        for (k, c) in &group.members {
            map.entry((*k, c.bom_ref.clone())).or_insert_with(|| new_ref.clone());
        }
    }
    if let Some(root_ref) = &root_ref {
        if let (Some(k), Some(r)) = (root_input, &new_root) {
            map.insert((k, r.bom_ref.clone()), root_ref.clone());
        }
        for (k, r) in absorbed_into_root.iter().chain(&lifted) {
            map.entry((*k, r.bom_ref.clone())).or_insert_with(|| root_ref.clone());
        }
    }
    let repoint = |k: usize, refs: &BTreeSet<String>| -> BTreeSet<String> {
        refs.iter().filter_map(|d| map.get(&(k, d.clone())).cloned()).collect()
    };

    // Components.
    let mut components = Vec::with_capacity(groups.len());
    for (group, new_ref) in groups.into_iter().zip(new_refs) {
        let mut members = group.members.into_iter();
        let Some((k0, mut survivor)) = members.next() else { continue };
        survivor.dependencies = repoint(k0, &survivor.dependencies);
        survivor.bom_ref = new_ref;
        for (k, mut other) in members {
            other.dependencies = repoint(k, &other.dependencies);
            other.bom_ref = survivor.bom_ref.clone();
            absorb_reporting(&mut survivor, other, k, &mut diagnostics);
        }
        components.push(survivor);
    }

    // The root.
    if let (Some(r), Some(root_ref)) = (&mut new_root, &root_ref) {
        r.bom_ref = root_ref.clone();
        if let Some(k) = root_input {
            r.dependencies = repoint(k, &r.dependencies);
        }
        for (k, mut other) in absorbed_into_root {
            other.dependencies = repoint(k, &other.dependencies);
            other.bom_ref = root_ref.clone();
            absorb_reporting(r, other, k, &mut diagnostics);
        }
        let had_own = !r.dependencies.is_empty();
        let lifting = !lifted.is_empty();
        for (k, l) in lifted {
            let own: BTreeSet<String> = if l.dependencies.is_empty() {
                direct.get(k).map(|d| d.iter().cloned().collect()).unwrap_or_default()
            } else {
                l.dependencies
            };
            r.dependencies.extend(repoint(k, &own));
        }
        if lifting
            && !had_own
            && let Some(k) = root_input
        {
            let own: BTreeSet<String> = direct.get(k).map(|d| d.iter().cloned().collect()).unwrap_or_default();
            r.dependencies.extend(repoint(k, &own));
        }
        let me = r.bom_ref.clone();
        r.dependencies.remove(&me);
    }

    out.metadata = Metadata { timestamp: None, authors, supplier, tools, component: new_root, serial_number: None };
    out.extend_components(components);
    out.prune_dangling_edges();
    out.diagnostics.extend(diagnostics);
    out
}

/// `wanted`, or `wanted~2`, `wanted~3`, ... whichever is free; marks it taken.
fn claim(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = wanted.to_owned();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{wanted}~{n}");
    }
    taken.insert(candidate.clone());
    candidate
}

/// Fold `other` (from input `k`) into `survivor`, first dropping what contradicts the survivor and saying so.
fn absorb_reporting(survivor: &mut Component, mut other: Component, k: usize, diagnostics: &mut Vec<Diagnostic>) {
    let path = format!("input {}", k + 1);
    let what = survivor.purl.as_ref().map(ToString::to_string).unwrap_or_else(|| survivor.bom_ref.clone());
    let mut loss = |message: String| {
        diagnostics.push(Diagnostic::new(DiagnosticCode::ConversionLoss, path.clone(), None, message));
    };
    other.hashes.retain(|h| {
        let same_alg: Vec<&str> =
            survivor.hashes.iter().filter(|s| s.algorithm == h.algorithm).map(|s| s.value.as_str()).collect();
        let conflict = !same_alg.is_empty() && !same_alg.contains(&h.value.as_str());
        if conflict {
            loss(format!(
                "{what}: {} digest {} differs from {} given by an earlier input; kept the earlier one",
                h.algorithm.as_cyclonedx(),
                h.value,
                same_alg.join(", ")
            ));
        }
        !conflict
    });
    if let (Some(a), Some(b)) = (&survivor.supplier, &other.supplier)
        && a != b
    {
        loss(format!(
            "{what}: supplier `{}` differs from `{}` given by an earlier input; kept the earlier one",
            b.name, a.name
        ));
    }
    if let (Some(a), Some(b)) = (&survivor.author, &other.author)
        && a != b
    {
        loss(format!("{what}: author `{b}` differs from `{a}` given by an earlier input; kept the earlier one"));
    }
    if let (Some(a), Some(b)) = (&survivor.download_location, &other.download_location)
        && a != b
    {
        loss(format!(
            "{what}: download location `{b}` differs from `{a}` given by an earlier input; kept the earlier one"
        ));
    }
    if survivor.kind != other.kind {
        loss(format!(
            "{what}: type `{}` differs from `{}` given by an earlier input; kept the earlier one",
            other.kind.as_cyclonedx(),
            survivor.kind.as_cyclonedx()
        ));
    }
    survivor.absorb(other);
}
