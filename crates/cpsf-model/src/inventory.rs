//! An inventory: the components of one scanned tree (or one read SBOM) with document metadata.

use serde::{Deserialize, Serialize};

use crate::{Component, Diagnostic, Party};

/// The tool that produced a document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// Document-level facts: the NTIA minimum elements "author of the SBOM data" and "timestamp" live here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// RFC 3339 UTC timestamp, e.g. `2026-11-25T00:00:00Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Party>,
    /// Supplier of the described product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Party>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// The product the document describes (the scanned tree); its `dependencies` are the direct ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// `urn:uuid:...` serial number (CycloneDX) or document namespace (SPDX), when read or chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}

/// A file that was found but not used, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub metadata: Metadata,
    /// Sorted by `bom_ref`, unique by `bom_ref`.
    pub components: Vec<Component>,
    /// Lockfiles that were read, relative to the scanned root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Inventory {
    /// Add components, merging those whose `bom_ref` is already present; keeps `components` sorted.
    pub fn extend_components(&mut self, components: impl IntoIterator<Item = Component>) {
        // A stable sort keeps observations of one bom-ref in arrival order (existing ones first), and each run of
        // equal refs folds into its first: the same result as a map keyed by bom-ref, without copying the keys.
        // Components are large to move and a list of them large to allocate, so indices are sorted and the
        // components put in that order in place.
        let mut all: Vec<Component> = components.into_iter().collect();
        if !self.components.is_empty() {
            let mut existing = std::mem::take(&mut self.components);
            existing.append(&mut all);
            all = existing;
        }
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by(|&a, &b| {
            let name = |i: usize| all.get(i).map_or("", |c| c.bom_ref.as_str());
            name(a).cmp(name(b))
        });
        permute(&mut all, &order);
        all.dedup_by(|later, first| {
            let same = later.bom_ref == first.bom_ref;
            if same {
                first.absorb(std::mem::take(later));
            }
            same
        });
        self.components = all;
    }

    pub fn component(&self, bom_ref: &str) -> Option<&Component> {
        self.components.binary_search_by(|c| c.bom_ref.as_str().cmp(bom_ref)).ok().map(|i| &self.components[i])
    }

    /// Direct dependencies of the described product: the root's own edges when it has any; otherwise the
    /// components a lockfile marks direct, plus, among those whose lockfile says nothing of directness, the ones
    /// no other component depends on (so a tree of several lockfiles leaves no component unreachable).
    pub fn direct_refs(&self) -> Vec<String> {
        if let Some(root) = &self.metadata.component
            && !root.dependencies.is_empty()
        {
            return root.dependencies.iter().cloned().collect();
        }
        let depended: std::collections::BTreeSet<&str> =
            self.components.iter().flat_map(|c| c.dependencies.iter().map(String::as_str)).collect();
        self.components
            .iter()
            .filter(|c| match c.direct {
                Some(direct) => direct,
                None => !depended.contains(c.bom_ref.as_str()),
            })
            .map(|c| c.bom_ref.clone())
            .collect()
    }

    /// Drop dependency edges that point at no component of this inventory (keeps documents referentially valid).
    pub fn prune_dangling_edges(&mut self) {
        // One hash lookup per edge (cheaper than a binary search by string comparisons); only the
        // components with an edge to drop are changed, and most inventories have none.
        let refs: foldhash::HashSet<&str> = self.components.iter().map(|c| c.bom_ref.as_str()).collect();
        let fixes: Vec<(usize, std::collections::BTreeSet<String>)> = self
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.dependencies.iter().any(|d| d == &c.bom_ref || !refs.contains(d.as_str())))
            .map(|(i, c)| {
                let kept = c.dependencies.iter().filter(|d| *d != &c.bom_ref && refs.contains(d.as_str()));
                (i, kept.cloned().collect())
            })
            .collect();
        let root_kept: Option<std::collections::BTreeSet<String>> = self
            .metadata
            .component
            .as_ref()
            .filter(|root| root.dependencies.iter().any(|d| !refs.contains(d.as_str())))
            .map(|root| root.dependencies.iter().filter(|d| refs.contains(d.as_str())).cloned().collect());
        for (i, kept) in fixes {
            if let Some(c) = self.components.get_mut(i) {
                c.dependencies = kept;
            }
        }
        if let (Some(root), Some(kept)) = (&mut self.metadata.component, root_kept) {
            root.dependencies = kept;
        }
    }
}

/// Put `items` in `order` (position `k` receives the item that was at `order[k]`; `order` is a permutation of
/// the positions), one cycle of the permutation at a time, by swaps.
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; order.len()];
    for start in 0..order.len() {
        let mut at = start;
        while let (Some(&next), Some(done)) = (order.get(at), placed.get_mut(at)) {
            if *done {
                break;
            }
            *done = true;
            if next == start {
                break;
            }
            items.swap(at, next);
            at = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(bom_ref: &str, direct: Option<bool>, deps: &[&str]) -> Component {
        Component {
            bom_ref: bom_ref.into(),
            name: bom_ref.into(),
            direct,
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            ..Component::default()
        }
    }

    #[test]
    fn direct_refs_mix_marked_and_unmarked_lockfiles() {
        let mut inv = Inventory::default();
        inv.extend_components([
            // From a lockfile that marks directness.
            component("a", Some(true), &["b"]),
            component("b", Some(false), &[]),
            // From a lockfile that does not: c is a top, d is reached through c.
            component("c", None, &["d"]),
            component("d", None, &[]),
        ]);
        assert_eq!(inv.direct_refs(), vec!["a".to_string(), "c".to_string()]);
    }

    #[test]
    fn permute_puts_every_item_where_the_order_says() {
        // Every permutation of five positions (fixed points, one cycle, several cycles).
        let mut orders = vec![vec![]];
        for n in 0..5 {
            orders = orders
                .into_iter()
                .flat_map(|o: Vec<usize>| {
                    (0..=n).map(move |at| {
                        let mut o = o.clone();
                        o.insert(at, n);
                        o
                    })
                })
                .collect();
        }
        assert_eq!(orders.len(), 120);
        for order in orders {
            let mut items: Vec<String> = (0..5).map(|i| format!("item{i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| format!("item{i}")).collect();
            permute(&mut items, &order);
            assert_eq!(items, expected, "{order:?}");
        }
    }

    #[test]
    fn merged_observations_keep_arrival_order() {
        let mut inv = Inventory::default();
        let at = |r: &str, path: &str| Component {
            locations: vec![crate::Location::new(path, None)],
            ..component(r, None, &[])
        };
        inv.extend_components([at("b", "1"), at("a", "2"), at("b", "3")]);
        inv.extend_components([at("b", "4"), at("a", "5")]);
        let paths = |r: &str| inv.component(r).unwrap().locations.iter().map(|l| l.path.clone()).collect::<Vec<_>>();
        assert_eq!(inv.components.iter().map(|c| c.bom_ref.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(paths("a"), ["2", "5"]);
        assert_eq!(paths("b"), ["1", "3", "4"]);
    }

    #[test]
    fn root_edges_win_and_dangling_edges_are_pruned() {
        let mut inv = Inventory::default();
        inv.extend_components([component("a", None, &["x", "a"]), component("b", None, &[])]);
        inv.metadata.component = Some(component("root", None, &["b", "gone"]));
        inv.prune_dangling_edges();
        assert!(inv.component("a").is_some_and(|c| c.dependencies.is_empty()));
        assert_eq!(inv.direct_refs(), vec!["b".to_string()]);
    }
}
