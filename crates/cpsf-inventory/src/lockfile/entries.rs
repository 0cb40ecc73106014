//! Building blocks every lockfile parser may share: the entry-skipped diagnostic, a set of components keyed by
//! `bom_ref` that folds repeated observations, and line lookup of JSON object keys in document order.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, DiagnosticCode};

use crate::lockfile::LockfileInput;
use crate::text::LineIndex;

/// A `lockfile-entry-skipped` diagnostic for this lockfile.
pub(crate) fn entry_skipped(input: &LockfileInput<'_>, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(DiagnosticCode::LockfileEntrySkipped, input.path, line, message)
}

/// Components keyed by `bom_ref`: a package seen several times (nested copies, peer variants) becomes one.
#[derive(Default)]
pub(crate) struct ComponentMap {
    by_ref: BTreeMap<String, Component>,
}

impl ComponentMap {
    /// Add or fold in a component; returns its `bom_ref`.
    pub(crate) fn add(&mut self, component: Component) -> String {
        let bom_ref = component.bom_ref.clone();
        match self.by_ref.get_mut(&bom_ref) {
            Some(existing) => existing.absorb(component),
            None => {
                self.by_ref.insert(bom_ref.clone(), component);
            }
        }
        bom_ref
    }

    /// Record that `from` depends on `to` (self-edges are dropped).
    pub(crate) fn add_edge(&mut self, from: &str, to: &str) {
        if from != to
            && let Some(c) = self.by_ref.get_mut(from)
        {
            c.dependencies.insert(to.to_owned());
        }
    }

    /// Mark these components direct and, when `others_transitive`, every other one transitive.
    pub(crate) fn mark_direct(&mut self, direct: &BTreeSet<String>, others_transitive: bool) {
        for (bom_ref, c) in &mut self.by_ref {
            if direct.contains(bom_ref) {
                c.direct = Some(true);
            } else if others_transitive && c.direct.is_none() {
                c.direct = Some(false);
            }
        }
    }

    pub(crate) fn into_components(self) -> Vec<Component> {
        self.by_ref.into_values().collect()
    }
}

/// Byte offset of `"key"` used as an object key whose value opens with `opener` (`{` or `[`; any value for
/// `None`), at or after `from`.
pub(crate) fn find_json_key(text: &str, from: usize, key: &str, opener: Option<char>) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut pos = from;
    loop {
        let start = pos + text.get(pos..)?.find(&needle)?;
        let after = start + needle.len();
        let rest = text.get(after..)?.trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && opener.is_none_or(|o| value.trim_start().starts_with(o))
        {
            return Some(start);
        }
        pos = after;
    }
}

/// Finds entry lines in document order: each search starts where the previous hit was, so a pass is linear.
pub(crate) struct JsonKeyCursor<'a> {
    lines: LineIndex<'a>,
    offset: usize,
}

impl<'a> JsonKeyCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { lines: LineIndex::new(text), offset: 0 }
    }

    /// Line of the next `"key": <opener>` after the cursor; moves the cursor past it when found.
    pub(crate) fn next(&mut self, key: &str, opener: char) -> Option<u32> {
        self.next_with(key, Some(opener))
    }

    /// Start the next search from the top of the text again.
    pub(crate) fn rewind(&mut self) {
        self.offset = 0;
    }

    /// Line of the next `"key":` (whatever its value) after the cursor; moves the cursor past it when found.
    pub(crate) fn next_any(&mut self, key: &str) -> Option<u32> {
        self.next_with(key, None)
    }

    fn next_with(&mut self, key: &str, opener: Option<char>) -> Option<u32> {
        let at = find_json_key(self.lines.text(), self.offset, key, opener)?;
        self.offset = at + key.len() + 2;
        Some(self.lines.line_of(at))
    }
}

/// How a JSON value's type reads in a message ("expected an object, found a string").
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
