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
        // Indices are sorted rather than the components themselves, which are large to move.
        let mut all: Vec<Option<Component>> = std::mem::take(&mut self.components).into_iter().map(Some).collect();
        all.extend(components.into_iter().map(Some));
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by(|&a, &b| {
            let name = |i: usize| all.get(i).and_then(Option::as_ref).map_or("", |c| c.bom_ref.as_str());
            name(a).cmp(name(b))
        });
        let mut merged: Vec<Component> = Vec::with_capacity(all.len());
        for c in order.into_iter().filter_map(|i| all.get_mut(i).and_then(Option::take)) {
            match merged.last_mut() {
                Some(last) if last.bom_ref == c.bom_ref => last.absorb(c),
                _ => merged.push(c),
            }
        }
        self.components = merged;
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
        // Components kept sorted by bom-ref (as `extend_components` leaves them) make membership a binary
        // search; only components with an edge to drop are changed (most inventories have none).
        if !self.components.is_sorted_by(|a, b| a.bom_ref <= b.bom_ref) {
            let refs: std::collections::BTreeSet<String> = self.components.iter().map(|c| c.bom_ref.clone()).collect();
            for c in &mut self.components {
                c.dependencies.retain(|d| refs.contains(d) && d != &c.bom_ref);
            }
            if let Some(root) = &mut self.metadata.component {
                root.dependencies.retain(|d| refs.contains(d));
            }
            return;
        }
        let known =
            |components: &[Component], r: &str| components.binary_search_by(|c| c.bom_ref.as_str().cmp(r)).is_ok();
        let to_fix: Vec<usize> = (0..self.components.len())
            .filter(|&i| {
                let c = &self.components[i];
                c.dependencies.iter().any(|d| d == &c.bom_ref || !known(&self.components, d))
            })
            .collect();
        for i in to_fix {
            let deps = std::mem::take(&mut self.components[i].dependencies);
            let own = self.components[i].bom_ref.clone();
            let kept = deps.into_iter().filter(|d| d != &own && known(&self.components, d)).collect();
            self.components[i].dependencies = kept;
        }
        if let Some(root) = &mut self.metadata.component {
            let components = &self.components;
            root.dependencies.retain(|d| known(components, d));
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
    fn root_edges_win_and_dangling_edges_are_pruned() {
        let mut inv = Inventory::default();
        inv.extend_components([component("a", None, &["x", "a"]), component("b", None, &[])]);
        inv.metadata.component = Some(component("root", None, &["b", "gone"]));
        inv.prune_dangling_edges();
        assert!(inv.component("a").is_some_and(|c| c.dependencies.is_empty()));
        assert_eq!(inv.direct_refs(), vec!["b".to_string()]);
    }
}
