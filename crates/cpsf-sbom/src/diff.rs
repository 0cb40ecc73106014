//! Differences between two inventories: components added, removed, upgraded, downgraded or changed, matched
//! by package identity, with an ecosystem-neutral version ordering.
//!
//! - **Identity** is the purl without version, qualifiers and subpath ([`Purl::package_key`]); a component
//!   without purl is identified by group and name. A package that gains or loses its purl between the two
//!   inventories is therefore reported as removed and added.
//! - One package may appear in several versions (npm nests them). Versions present on both sides are compared
//!   field by field (`changed`). The versions only on one side are paired: first those sharing their first
//!   version segment (the major), highest first; then, when as many remain on each side, in sorted order.
//!   Paired versions are upgrades or downgrades; unpaired ones are added or removed.
//! - `changed` lists same-version components whose hashes, licences, scope or directness differ, and pairs
//!   whose versions are different strings of equal order (`1.0` and `1.0.0`) or where one side has no version.
//! - The described root (`metadata.component`) is the product, not one of its components, and is not compared.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Inventory, Scope};
use serde::Serialize;

/// A component on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The package identity (purl without version and qualifiers, or `group/name`).
    pub package: String,
    /// For display: `group/name` (Maven: `group:name`) or `name`.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub bom_ref: String,
}

/// A package whose version went up or down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionChange {
    pub package: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub old_bom_ref: String,
    pub new_bom_ref: String,
}

/// One field that differs between two observations of the same package version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `version`, `hashes`, `licenses`, `scope` or `direct`.
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// A package present on both sides at the same version (or at versions of equal order) whose facts differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub package: String,
    pub name: String,
    /// The new side's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub changes: Vec<FieldChange>,
    pub old_bom_ref: String,
    pub new_bom_ref: String,
}

/// What changed from `old` to `new`. Every list is sorted by name, then version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub upgraded: Vec<VersionChange>,
    pub downgraded: Vec<VersionChange>,
    pub changed: Vec<Changed>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
            && self.changed.is_empty()
    }

    /// `N added, N removed, N upgraded, N downgraded, N changed`.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} removed, {} upgraded, {} downgraded, {} changed",
            self.added.len(),
            self.removed.len(),
            self.upgraded.len(),
            self.downgraded.len(),
            self.changed.len()
        )
    }
}

/// The facts of one package version on one side (several components may share it, e.g. with different
/// qualifiers; their facts are combined).
#[derive(Default)]
struct Facts {
    name: String,
    bom_ref: String,
    hashes: BTreeSet<String>,
    licenses: BTreeSet<String>,
    scope: Option<Scope>,
    direct: Option<bool>,
}

type Side = BTreeMap<String, BTreeMap<Option<String>, Facts>>;

fn package_key(c: &Component) -> String {
    match &c.purl {
        Some(p) => p.package_key(),
        None => match &c.group {
            Some(g) if !g.is_empty() => format!("{g}/{}", c.name),
            _ => c.name.clone(),
        },
    }
}

fn display_name(c: &Component) -> String {
    match &c.group {
        Some(g) if !g.is_empty() => {
            let sep = if c.purl_type() == Some("maven") { ':' } else { '/' };
            format!("{g}{sep}{}", c.name)
        }
        _ => c.name.clone(),
    }
}

fn side(inventory: &Inventory) -> Side {
    let mut out: Side = BTreeMap::new();
    for c in &inventory.components {
        let facts = out.entry(package_key(c)).or_default().entry(c.version.clone()).or_default();
        if facts.bom_ref.is_empty() {
            facts.bom_ref = c.bom_ref.clone();
            facts.name = display_name(c);
        }
        facts
            .hashes
            .extend(c.hashes.iter().map(|h| format!("{}:{}", h.algorithm.as_spdx().to_ascii_lowercase(), h.value)));
        facts.licenses.extend(c.licenses.iter().cloned());
        facts.scope = Scope::merge(facts.scope, c.scope);
        facts.direct = match (facts.direct, c.direct) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (a, b) => a.or(b),
        };
    }
    out
}

/// Compare two inventories.
pub fn diff(old: &Inventory, new: &Inventory) -> Diff {
    let old_side = side(old);
    let new_side = side(new);
    let mut d = Diff::default();
    let keys: BTreeSet<&String> = old_side.keys().chain(new_side.keys()).collect();
    let empty = BTreeMap::new();
    for key in keys {
        let o = old_side.get(key).unwrap_or(&empty);
        let n = new_side.get(key).unwrap_or(&empty);
        for (version, of) in o {
            if let Some(nf) = n.get(version) {
                let changes = field_changes(of, nf);
                if !changes.is_empty() {
                    d.changed.push(changed(key, version.clone(), of, nf, changes));
                }
            }
        }
        let old_only: Vec<&Option<String>> = o.keys().filter(|v| !n.contains_key(*v)).collect();
        let new_only: Vec<&Option<String>> = n.keys().filter(|v| !o.contains_key(*v)).collect();
        let (pairs, old_left, new_left) = pair_versions(old_only, new_only);
        for (ov, nv) in pairs {
            let (Some(of), Some(nf)) = (o.get(ov), n.get(nv)) else { continue };
            let ordering = match (ov, nv) {
                (Some(a), Some(b)) => compare_versions(a, b),
                _ => Ordering::Equal,
            };
            match (ordering, ov, nv) {
                (Ordering::Less, Some(from), Some(to)) | (Ordering::Greater, Some(from), Some(to)) => {
                    let change = VersionChange {
                        package: key.clone(),
                        name: nf.name.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        old_bom_ref: of.bom_ref.clone(),
                        new_bom_ref: nf.bom_ref.clone(),
                    };
                    if ordering == Ordering::Less {
                        d.upgraded.push(change);
                    } else {
                        d.downgraded.push(change);
                    }
                }
                _ => {
                    let mut changes = vec![FieldChange { field: "version", old: show(ov), new: show(nv) }];
                    changes.extend(field_changes(of, nf));
                    d.changed.push(changed(key, nv.clone(), of, nf, changes));
                }
            }
        }
        for v in old_left {
            if let Some(f) = o.get(v) {
                d.removed.push(Entry {
                    package: key.clone(),
                    name: f.name.clone(),
                    version: v.clone(),
                    bom_ref: f.bom_ref.clone(),
                });
            }
        }
        for v in new_left {
            if let Some(f) = n.get(v) {
                d.added.push(Entry {
                    package: key.clone(),
                    name: f.name.clone(),
                    version: v.clone(),
                    bom_ref: f.bom_ref.clone(),
                });
            }
        }
    }
    let by_entry = |a: &Entry, b: &Entry| {
        a.name.cmp(&b.name).then_with(|| cmp_opt(&a.version, &b.version)).then_with(|| a.bom_ref.cmp(&b.bom_ref))
    };
    d.added.sort_by(by_entry);
    d.removed.sort_by(by_entry);
    let by_change = |a: &VersionChange, b: &VersionChange| {
        a.name.cmp(&b.name).then_with(|| compare_versions(&a.from, &b.from)).then_with(|| a.package.cmp(&b.package))
    };
    d.upgraded.sort_by(by_change);
    d.downgraded.sort_by(by_change);
    d.changed.sort_by(|a, b| {
        a.name.cmp(&b.name).then_with(|| cmp_opt(&a.version, &b.version)).then_with(|| a.package.cmp(&b.package))
    });
    d
}

fn changed(key: &str, version: Option<String>, of: &Facts, nf: &Facts, changes: Vec<FieldChange>) -> Changed {
    Changed {
        package: key.to_owned(),
        name: nf.name.clone(),
        version,
        changes,
        old_bom_ref: of.bom_ref.clone(),
        new_bom_ref: nf.bom_ref.clone(),
    }
}

fn cmp_opt(a: &Option<String>, b: &Option<String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => compare_versions(a, b).then_with(|| a.cmp(b)),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(no version)".to_owned())
}

fn field_changes(o: &Facts, n: &Facts) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let list = |s: &BTreeSet<String>| {
        if s.is_empty() { "(none)".to_owned() } else { s.iter().cloned().collect::<Vec<_>>().join(", ") }
    };
    if o.hashes != n.hashes {
        out.push(FieldChange { field: "hashes", old: list(&o.hashes), new: list(&n.hashes) });
    }
    if o.licenses != n.licenses {
        out.push(FieldChange { field: "licenses", old: list(&o.licenses), new: list(&n.licenses) });
    }
    let scope = |s: Option<Scope>| match s {
        Some(Scope::Required) => "required",
        Some(Scope::Optional) => "optional",
        Some(Scope::Dev) => "dev",
        None => "(unknown)",
    };
    if o.scope != n.scope {
        out.push(FieldChange { field: "scope", old: scope(o.scope).into(), new: scope(n.scope).into() });
    }
    let direct = |d: Option<bool>| match d {
        Some(true) => "direct",
        Some(false) => "transitive",
        None => "(unknown)",
    };
    if o.direct != n.direct {
        out.push(FieldChange { field: "direct", old: direct(o.direct).into(), new: direct(n.direct).into() });
    }
    out
}

type Pairing<'a> = (Vec<(&'a Option<String>, &'a Option<String>)>, Vec<&'a Option<String>>, Vec<&'a Option<String>>);

/// Pair the versions only in the old side with those only in the new side (see the module documentation).
fn pair_versions<'a>(old_only: Vec<&'a Option<String>>, new_only: Vec<&'a Option<String>>) -> Pairing<'a> {
    let sorted = |mut v: Vec<&'a Option<String>>| {
        v.sort_by(|a, b| cmp_opt(a, b));
        v
    };
    let mut old_left = sorted(old_only);
    let mut new_left = sorted(new_only);
    let mut pairs = Vec::new();
    if old_left.len() == 1 && new_left.len() == 1 {
        pairs.push((old_left.remove(0), new_left.remove(0)));
        return (pairs, old_left, new_left);
    }
    // Same major, highest first.
    let mut i = new_left.len();
    while i > 0 {
        i -= 1;
        let Some(nv) = new_left.get(i).copied() else { continue };
        let major = nv.as_deref().and_then(first_segment);
        let found = old_left.iter().rposition(|ov| major.is_some() && ov.as_deref().and_then(first_segment) == major);
        if let Some(j) = found {
            let ov = old_left.remove(j);
            new_left.remove(i);
            pairs.push((ov, nv));
        }
    }
    if old_left.len() == new_left.len() {
        pairs.extend(old_left.drain(..).zip(new_left.drain(..)));
    }
    (pairs, old_left, new_left)
}

fn first_segment(v: &str) -> Option<Token> {
    tokens(v).into_iter().next()
}

// ---------------------------------------------------------------------------------------------------------------
// Version ordering
// ---------------------------------------------------------------------------------------------------------------

/// One piece of a version: a number (leading zeros removed) or a word with its class.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Num(String),
    Word { class: u8, rank: u8, text: String },
}

// Word classes, in the order they sort against each other and against numbers (see `category`).
const KNOWN_PRE: u8 = 0;
const OTHER_PRE: u8 = 1;
const OTHER_POST: u8 = 3;
const KNOWN_POST: u8 = 4;

/// Pre-release words, lowest first: dev < alpha < beta < milestone < rc < snapshot (< release).
fn pre_rank(word: &str, digit_follows: bool) -> Option<u8> {
    Some(match word {
        "dev" => 0,
        "alpha" => 1,
        "a" if digit_follows => 1,
        "beta" => 2,
        "b" if digit_follows => 2,
        "milestone" => 3,
        "m" if digit_follows => 3,
        "rc" | "cr" | "pre" | "preview" => 4,
        "c" if digit_follows => 4,
        "snapshot" => 5,
        _ => return None,
    })
}

/// Words that come after the release they qualify: `1.0.post1`, `9.6p1`, `1.0-sp2`, `3.18-r1`.
fn is_post(word: &str) -> bool {
    matches!(word, "post" | "patch" | "pl" | "p" | "sp" | "r" | "rev")
}

/// Words that mean "the release itself": `2.0.Final`, `5.3.RELEASE`, `1.0-GA`.
fn is_release(word: &str) -> bool {
    matches!(word, "final" | "ga" | "release" | "rel")
}

fn tokens(version: &str) -> Vec<Token> {
    let v = version.trim();
    let v = match v.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    };
    // Build metadata does not order versions (semver).
    let v = v.split('+').next().unwrap_or(v);
    let chars: Vec<char> = v.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut separator: Option<char> = None;
    let mut tilde = false;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let digits: String = chars.get(start..i).unwrap_or_default().iter().collect();
            let trimmed = digits.trim_start_matches('0');
            out.push(Token::Num(trimmed.to_owned()));
            separator = None;
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_alphabetic()) {
                i += 1;
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect::<String>().to_lowercase();
            let attached = start > 0 && separator.is_none() && chars.get(start - 1).is_some_and(char::is_ascii_digit);
            let digit_follows = chars.get(i).is_some_and(char::is_ascii_digit);
            separator = None;
            if is_release(&word) && !tilde {
                continue;
            }
            let (class, rank) = if let Some(rank) = pre_rank(&word, digit_follows) {
                (KNOWN_PRE, rank)
            } else if tilde {
                (OTHER_PRE, 0)
            } else if is_post(&word) {
                (KNOWN_POST, 0)
            } else if attached {
                (OTHER_POST, 0)
            } else {
                (OTHER_PRE, 0)
            };
            out.push(Token::Word { class, rank, text: word });
        } else {
            if c == '~' {
                tilde = true;
            }
            separator = Some(c);
            i += 1;
        }
    }
    out
}

/// Where a token sorts against tokens of another kind: pre-release words < zero (and the end of a version)
/// < post-release words < positive numbers.
fn category(t: Option<&Token>) -> u8 {
    match t {
        Some(Token::Word { class, .. }) => match *class {
            KNOWN_PRE => 0,
            OTHER_PRE => 1,
            OTHER_POST => 3,
            _ => 4,
        },
        Some(Token::Num(n)) if !n.is_empty() => 5,
        // Zero, or the end of the version (which compares as zero: `1.0` = `1.0.0`).
        _ => 2,
    }
}

/// Order two version strings without knowing their ecosystem.
///
/// Versions are split into numbers and words at every non-alphanumeric character and at every digit/letter
/// boundary; a leading `v` before a digit and `+build` metadata are ignored. Numbers compare as numbers (any
/// length), a missing segment counts as zero (`1.0` = `1.0.0`), and words sort against numbers as
/// pre-release words < zero < post-release words < positive numbers, so `2.0.0-rc.1 < 2.0.0 < 2.0.0.post1
/// < 2.0.1`. Known pre-release words rank `dev < alpha < beta < milestone < rc < snapshot`; `a`, `b`, `c`,
/// `m` count as those only when a digit follows (`1.0b2`). `final`, `ga`, `release` are the release itself.
/// Other words are pre-release after a separator (`1.0-foo`, semver) and post-release when glued to a
/// number (`1.1.1k`, OpenSSL); after a `~` every word is pre-release (Debian).
///
/// Limits: this is not any ecosystem's exact rule. Epochs (`1:2.0`, Debian/RPM) are read as ordinary
/// numbers; a numeric suffix after `-` is read as a later segment (`1.0.0-1` > `1.0.0`, as a Debian
/// revision, whereas semver calls it a pre-release); semver orders numeric pre-release identifiers *below*
/// alphanumeric ones (`alpha.1 < alpha.beta`) while here numbers win; Maven's and PEP 440's full qualifier
/// tables, RubyGems' and Debian's letter rules are only approximated; commit hashes and dates in versions
/// compare as plain numbers and words. Equal here does not mean the strings are equal.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let ta = tokens(a);
    let tb = tokens(b);
    let len = ta.len().max(tb.len());
    for i in 0..len {
        let (x, y) = (ta.get(i), tb.get(i));
        let ordering = category(x).cmp(&category(y)).then_with(|| match (x, y) {
            (Some(Token::Num(m)), Some(Token::Num(n))) => m.len().cmp(&n.len()).then_with(|| m.cmp(n)),
            (Some(Token::Word { rank: r1, text: t1, .. }), Some(Token::Word { rank: r2, text: t2, .. })) => {
                r1.cmp(r2).then_with(|| t1.cmp(t2))
            }
            _ => Ordering::Equal,
        });
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// For people: one line per difference, sorted by name then version, then a summary line.
/// `+ name version` added, `- name version` removed, `↑ name a → b` upgraded, `↓ name a → b` downgraded,
/// `~ name version: what changed` changed.
pub fn render_text(diff: &Diff) -> String {
    // (name, version for ordering, kind order, line)
    let mut lines: Vec<(String, Option<String>, u8, String)> = Vec::new();
    let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(no version)".to_owned());
    for e in &diff.added {
        lines.push((e.name.clone(), e.version.clone(), 0, format!("+ {} {}", e.name, v(&e.version))));
    }
    for e in &diff.removed {
        lines.push((e.name.clone(), e.version.clone(), 1, format!("- {} {}", e.name, v(&e.version))));
    }
    for c in &diff.upgraded {
        lines.push((c.name.clone(), Some(c.from.clone()), 2, format!("↑ {} {} → {}", c.name, c.from, c.to)));
    }
    for c in &diff.downgraded {
        lines.push((c.name.clone(), Some(c.from.clone()), 3, format!("↓ {} {} → {}", c.name, c.from, c.to)));
    }
    for c in &diff.changed {
        let what: Vec<String> = c
            .changes
            .iter()
            .map(|f| match f.field {
                "hashes" => "hashes differ".to_owned(),
                field => format!("{field} {} → {}", f.old, f.new),
            })
            .collect();
        lines.push((
            c.name.clone(),
            c.version.clone(),
            4,
            format!("~ {} {}: {}", c.name, v(&c.version), what.join("; ")),
        ));
    }
    lines.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| cmp_opt(&a.1, &b.1)).then(a.2.cmp(&b.2)).then_with(|| a.3.cmp(&b.3))
    });
    let mut out = String::new();
    for (_, _, _, line) in lines {
        out.push_str(&line);
        out.push('\n');
    }
    if diff.is_empty() {
        out.push_str("no differences\n");
    } else {
        out.push_str(&diff.summary());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::compare_versions;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn ordering_table() {
        let cases = [
            ("1.9.0", "1.10.0", Less),
            ("2.0.0-rc.1", "1.9.9", Greater),
            ("2.0.0-rc.1", "2.0.0", Less),
            ("2.0.0-alpha", "2.0.0-beta", Less),
            ("2.0.0-beta.2", "2.0.0-rc.1", Less),
            ("1.0", "1.0.0", Equal),
            ("v1.2.3", "1.2.3", Equal),
            ("1.2.3+build.5", "1.2.3", Equal),
            ("1.0.post1", "1.0", Greater),
            ("1.0.post1", "1.0.1", Less),
            ("1.0rc1", "1.0", Less),
            ("1.0a1", "1.0b1", Less),
            ("1.0.dev1", "1.0a1", Less),
            ("1.0-SNAPSHOT", "1.0", Less),
            ("1.0-rc1", "1.0-SNAPSHOT", Less),
            ("2.0.Final", "2.0", Equal),
            ("1.1.1k", "1.1.1", Greater),
            ("1.1.1k", "1.1.1l", Less),
            ("9.6p1", "9.6", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0.0-foo", "1.0.0", Less),
            ("20240101", "20231231", Greater),
            ("1.100000000000000000000000000001", "1.2", Greater),
            ("1.0001", "1.2", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_versions(a, b), want, "{a} vs {b}");
            assert_eq!(compare_versions(b, a), want.reverse(), "{b} vs {a}");
        }
    }
}
