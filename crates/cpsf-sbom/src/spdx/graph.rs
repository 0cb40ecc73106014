//! From the packages of an SPDX document (2.x or 3), its dependency edges and what it describes to an
//! inventory: which package is the product, direct and transitive dependencies, and scope.
//!
//! - The product is the one package the document describes; when it describes several (or none), there is
//!   no product and every package is a component.
//! - Edges from the product are its (direct) dependencies; components reachable from them are transitive.
//! - A scope hint on an edge from the product (a development, optional or runtime dependency relationship)
//!   gives the component that scope; edges between components say nothing about the product's scope.
//! - What a component's own comment says (cpsf's `direct dependency`, `scope: ...` lines) wins over both.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use cpsf_model::{Component, Inventory, Scope};

/// One dependency edge between element ids: the dependent, its dependency, the scope the edge states.
pub(crate) type Edge = (String, String, Option<Scope>);

/// Build the inventory (components sorted and merged by `bom_ref`) and the product.
pub(crate) fn assemble(
    packages: Vec<(String, Component)>,
    edges: Vec<Edge>,
    describes: &[String],
) -> (Inventory, Option<Component>) {
    let package_ids: BTreeSet<&String> = packages.iter().map(|(id, _)| id).collect();
    // The product: the one package the document describes.
    let described_packages: Vec<&String> = describes.iter().filter(|d| package_ids.contains(d)).collect();
    let root_id: Option<String> = match described_packages.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };

    let bom_refs: BTreeMap<String, String> = packages.iter().map(|(id, c)| (id.clone(), c.bom_ref.clone())).collect();
    let mut root: Option<Component> = None;
    let mut components: Vec<Component> = Vec::new();
    let mut noted_direct: BTreeMap<String, (Option<bool>, Option<Scope>)> = BTreeMap::new();
    for (id, c) in packages {
        if root_id.as_ref() == Some(&id) && root.is_none() {
            root = Some(c);
        } else {
            noted_direct.insert(c.bom_ref.clone(), (c.direct, c.scope));
            components.push(c);
        }
    }
    let root_ref = root.as_ref().map(|r| r.bom_ref.clone());

    // Edges, by bom_ref; scope hints from relationships to the product.
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut root_dependencies: BTreeSet<String> = BTreeSet::new();
    let mut scope_hints: BTreeMap<String, Option<Scope>> = BTreeMap::new();
    for (dependent, dependency, scope) in edges {
        let (Some(from), Some(to)) = (bom_refs.get(&dependent), bom_refs.get(&dependency)) else { continue };
        if Some(&dependent) == root_id.as_ref() {
            if Some(to) != root_ref.as_ref() {
                root_dependencies.insert(to.clone());
                if let Some(s) = scope {
                    let hint = scope_hints.entry(to.clone()).or_insert(None);
                    *hint = Scope::merge(*hint, Some(s));
                }
            }
        } else if Some(&dependency) != root_id.as_ref() && from != to {
            dependencies.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    for c in &mut components {
        if let Some(deps) = dependencies.get(&c.bom_ref) {
            c.dependencies.extend(deps.iter().cloned());
        }
    }

    let mut inventory = Inventory::default();
    inventory.extend_components(components);
    if let Some(r) = &mut root {
        r.dependencies = root_dependencies.clone();
    }
    // Direct and transitive, from the product's edges; scope from relationships to the product.
    if root.is_some() {
        let mut reachable: BTreeSet<String> = BTreeSet::new();
        let mut queue: VecDeque<String> = root_dependencies.iter().cloned().collect();
        while let Some(next) = queue.pop_front() {
            if reachable.insert(next.clone())
                && let Some(c) = inventory.component(&next)
            {
                queue.extend(c.dependencies.iter().filter(|d| !reachable.contains(*d)).cloned());
            }
        }
        for c in &mut inventory.components {
            if root_dependencies.contains(&c.bom_ref) {
                c.direct = Some(true);
            } else if reachable.contains(&c.bom_ref) {
                c.direct = Some(false);
            }
            if let Some(Some(scope)) = scope_hints.get(&c.bom_ref) {
                c.scope = Some(*scope);
            }
        }
    }
    for c in &mut inventory.components {
        if let Some((direct, scope)) = noted_direct.get(&c.bom_ref) {
            c.direct = direct.or(c.direct);
            c.scope = scope.or(c.scope);
        }
    }

    (inventory, root)
}
