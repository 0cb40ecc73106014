//! OSV range evaluation as the OSV schema specifies it: events sorted with the ecosystem's comparator, `introduced`/`fixed`/`last_affected`/`limit`, explicit `versions` lists; GIT ranges are kept in the data but never used for package matching.

use cpsf_version::{Scheme, Version};

use crate::finding::Confidence;
use crate::osv::{Affected, Event, Range, RangeKind};

/// The verdict for one version against one `affected[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub affected: bool,
    pub confidence: Confidence,
    /// Why the confidence is low, or data problems met on the way.
    pub note: Option<String>,
}

/// The version could not be ordered in this ecosystem; nothing can be said except by exact `versions` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unorderable(pub String);

/// The scheme that orders the versions of a range of `kind` for a package of `ecosystem`. SEMVER ranges use
/// SemVer precedence except in ecosystems whose own scheme is a SemVer dialect (Go's `v` prefix and
/// `+incompatible`, Hex).
pub fn scheme_for(kind: &RangeKind, ecosystem: &str) -> Option<Scheme> {
    let own = Scheme::for_osv_ecosystem(ecosystem);
    match kind {
        RangeKind::Semver => match own {
            Some(s @ (Scheme::Go | Scheme::Hex | Scheme::Semver)) => Some(s),
            _ => Some(Scheme::Semver),
        },
        RangeKind::Ecosystem => own,
        RangeKind::Git | RangeKind::Other(_) => None,
    }
}

/// Evaluate `version` against one `affected[]` entry (compiles the entry; to test many versions against the
/// same entry, compile it once with [`Compiled::new`]).
pub fn evaluate(affected: &Affected, version: &str) -> Result<Verdict, Unorderable> {
    Compiled::new(affected).evaluate(version)
}

/// One `affected[]` entry made ready for evaluation: every version it names parsed once, each range's events
/// sorted once.
#[derive(Debug)]
pub struct Compiled {
    own: Option<Scheme>,
    /// The explicit `versions` list as written.
    versions: Vec<String>,
    /// The same list parsed in the ecosystem's scheme (what parses), made when first needed; sorted once
    /// enough lookups have been made to pay for it (and only when the scheme's order is total), after which a
    /// lookup is a binary search.
    parsed_versions: std::sync::OnceLock<Vec<Version>>,
    sorted_versions: std::sync::OnceLock<Vec<Version>>,
    lookups: std::sync::atomic::AtomicUsize,
    sorted: bool,
    ranges: Vec<(Scheme, Vec<(Event, Bound)>)>,
    /// Ranges that could not be used, and why.
    notes: Vec<String>,
    /// GHSA's `last_known_affected_version_range`, when the ranges have no upper bound at all.
    hint: Option<String>,
    fixed: Vec<String>,
    /// [`describe`] of the entry, made when first asked for.
    description: std::sync::OnceLock<String>,
}

impl Compiled {
    pub fn new(affected: &Affected) -> Compiled {
        let own = Scheme::for_osv_ecosystem(&affected.ecosystem);
        let versions = affected.versions.clone();
        let sorted = own.is_some_and(Scheme::is_total_order);
        let mut ranges = Vec::new();
        let mut notes = Vec::new();
        for range in &affected.ranges {
            let Some(scheme) = scheme_for(&range.kind, &affected.ecosystem) else { continue };
            match sorted_events(range, scheme) {
                Ok(events) => ranges.push((scheme, events)),
                Err(e) => notes.push(e),
            }
        }
        // GHSA keeps the upper bound of some ranges only in `database_specific`
        // (`last_known_affected_version_range`) while the OSV range says "every version from introduced on".
        // The spec says `database_specific` has no effect, so such an entry still matches as its range says,
        // but with low confidence and the hint in the note.
        let hint = affected.last_known_affected.clone().filter(|_| {
            affected
                .ranges
                .iter()
                .filter(|r| matches!(r.kind, RangeKind::Semver | RangeKind::Ecosystem))
                .all(|r| r.events.iter().all(|e| matches!(e, Event::Introduced(_))))
        });
        Compiled {
            own,
            versions,
            parsed_versions: std::sync::OnceLock::new(),
            sorted_versions: std::sync::OnceLock::new(),
            lookups: std::sync::atomic::AtomicUsize::new(0),
            sorted,
            ranges,
            notes,
            hint,
            fixed: fixed_versions(affected),
            description: std::sync::OnceLock::new(),
        }
    }

    /// The affected versions as short text ([`describe`]).
    /// `entry` is the one this was compiled from (kept by the caller rather than copied here).
    pub fn description(&self, entry: &Affected) -> &str {
        self.description.get_or_init(|| describe(entry))
    }

    fn lists(&self, v: &Version) -> bool {
        /// Lookups by linear scan before the list is sorted for binary search.
        const SORT_AFTER: usize = 8;
        if let Some(sorted) = self.sorted_versions.get() {
            return sorted.binary_search(v).is_ok();
        }
        let listed = self
            .parsed_versions
            .get_or_init(|| self.versions.iter().filter_map(|text| v.scheme().parse(text).ok()).collect());
        let seen = self.lookups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.sorted && seen >= SORT_AFTER {
            let sorted = self.sorted_versions.get_or_init(|| {
                let mut sorted = listed.clone();
                cpsf_version::sort_versions(&mut sorted);
                sorted
            });
            return sorted.binary_search(v).is_ok();
        }
        listed.iter().any(|l| l == v)
    }

    /// The `fixed` versions the entry names, in the order given.
    pub fn fixed(&self) -> &[String] {
        &self.fixed
    }

    /// Evaluate `version` against this entry.
    pub fn evaluate(&self, version: &str) -> Result<Verdict, Unorderable> {
        self.evaluate_with(version, None)
    }

    /// Evaluate `version`, given its parse in some scheme when the caller has one (it is used for the ranges
    /// and lists of that scheme, and saves parsing the same version again for every entry).
    pub fn evaluate_with(&self, version: &str, parsed: Option<&Version>) -> Result<Verdict, Unorderable> {
        let hit = |mut notes: Vec<String>| {
            let confidence = match &self.hint {
                Some(bound) => {
                    notes.insert(
                        0,
                        format!("the OSV range has no upper bound; the source's database_specific says {bound}"),
                    );
                    Confidence::Low
                }
                None => Confidence::High,
            };
            Verdict { affected: true, confidence, note: (!notes.is_empty()).then(|| notes.join("; ")) }
        };
        let mut local: Option<Version> = None;
        let mut unorderable: Option<String> = None;
        let mut orderable_ranges = 0usize;
        for (scheme, events) in &self.ranges {
            let v = match (parsed, &local) {
                (Some(p), _) if p.scheme() == *scheme => p,
                (_, Some(l)) if l.scheme() == *scheme => l,
                _ => match scheme.parse(version) {
                    Ok(v) => &*local.insert(v),
                    Err(e) => {
                        unorderable = Some(e.to_string());
                        continue;
                    }
                },
            };
            orderable_ranges += 1;
            if in_range(v, events) {
                return Ok(hit(self.notes.clone()));
            }
        }
        // An explicit versions entry matches as the same string, or by equality in the ecosystem's order.
        if self.versions.iter().any(|text| text == version) {
            return Ok(hit(Vec::new()));
        }
        if let Some(own) = self.own
            && !self.versions.is_empty()
        {
            let v = match (parsed, &local) {
                (Some(p), _) if p.scheme() == own => Some(p),
                (_, Some(l)) if l.scheme() == own => Some(l),
                _ => own.parse(version).ok().map(|v| &*local.insert(v)),
            };
            if v.is_some_and(|v| self.lists(v)) {
                return Ok(hit(Vec::new()));
            }
        }
        if orderable_ranges == 0
            && let Some(reason) = unorderable
        {
            return Err(Unorderable(reason));
        }
        Ok(Verdict { affected: false, confidence: Confidence::High, note: None })
    }

    pub fn is_affected(&self, version: &str) -> bool {
        self.evaluate(version).is_ok_and(|v| v.affected)
    }
}

/// The events of a range, parsed and sorted by the scheme; `introduced: "0"` sorts first and `limit: "*"`
/// last. An event version the scheme cannot parse makes the range unusable (reported, never guessed).
fn sorted_events(range: &Range, scheme: Scheme) -> Result<Vec<(Event, Bound)>, String> {
    let mut events = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let text = event.version();
        let bound = match (event, text) {
            (Event::Introduced(_), "0") => Bound::Min,
            (Event::Limit(_), "*") => Bound::Max,
            _ => Bound::At(scheme.parse(text).map_err(|e| format!("range skipped: {e}"))?),
        };
        events.push((event.clone(), bound));
    }
    // A stable sort that never panics (Maven's and Composer's orders are pairwise as upstream defines them and
    // not transitive on a few odd inputs, which the standard library's sorts may reject); at equal versions `introduced` comes before the events that end a range, so that
    // `introduced: X, fixed: X` covers nothing.
    cpsf_version::sort_stable_by(&mut events, |(ea, a), (eb, b)| a.cmp(b).then_with(|| rank(ea).cmp(&rank(eb))));
    Ok(events)
}

fn rank(event: &Event) -> u8 {
    match event {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    Min,
    At(Version),
    Max,
}

fn in_range(v: &Version, events: &[(Event, Bound)]) -> bool {
    // How `v` compares with a bound, without building a bound from it.
    let cmp = |b: &Bound| match b {
        Bound::Min => std::cmp::Ordering::Greater,
        Bound::Max => std::cmp::Ordering::Less,
        Bound::At(x) => v.cmp(x),
    };
    let mut limits = events.iter().filter(|(e, _)| matches!(e, Event::Limit(_))).peekable();
    if limits.peek().is_some() && !limits.any(|(_, limit)| cmp(limit).is_lt()) {
        return false;
    }
    let mut vulnerable = false;
    for (event, bound) in events {
        match event {
            Event::Introduced(_) if cmp(bound).is_ge() => vulnerable = true,
            Event::Fixed(_) if cmp(bound).is_ge() => vulnerable = false,
            Event::LastAffected(_) if cmp(bound).is_gt() => vulnerable = false,
            _ => {}
        }
    }
    vulnerable
}

/// The affected versions of an entry as short text: `>=1.0.0 <1.2.3`, `<=0.4.1`, `=0.9.1`, ranges joined by
/// `, `.
pub fn describe(affected: &Affected) -> String {
    let mut parts = Vec::new();
    for range in &affected.ranges {
        if matches!(range.kind, RangeKind::Git | RangeKind::Other(_)) {
            continue;
        }
        let scheme = scheme_for(&range.kind, &affected.ecosystem);
        let mut events = range.events.clone();
        if let Some(scheme) = scheme {
            cpsf_version::sort_stable_by(&mut events, |a, b| {
                let key = |e: &Event| match (e, e.version()) {
                    (Event::Introduced(_), "0") => Bound::Min,
                    (Event::Limit(_), "*") => Bound::Max,
                    (_, text) => scheme.parse(text).map(Bound::At).unwrap_or(Bound::Max),
                };
                key(a).cmp(&key(b)).then_with(|| rank(a).cmp(&rank(b)))
            });
        }
        let mut current = String::new();
        for event in &events {
            match event {
                Event::Introduced(v) => {
                    if !current.is_empty() {
                        parts.push(std::mem::take(&mut current));
                    }
                    if v != "0" && v != "0.0.0-0" && v != "0.0.0" {
                        current = format!(">={v}");
                    }
                }
                Event::Fixed(v) => {
                    push_bound(&mut current, &format!("<{v}"));
                    parts.push(std::mem::take(&mut current));
                }
                Event::LastAffected(v) => {
                    push_bound(&mut current, &format!("<={v}"));
                    parts.push(std::mem::take(&mut current));
                }
                Event::Limit(v) if v != "*" => push_bound(&mut current, &format!("<{v}")),
                Event::Limit(_) => {}
            }
        }
        let open = events.last().is_some_and(|e| matches!(e, Event::Introduced(_)));
        if open {
            if current.is_empty() {
                current = "*".into();
            }
            parts.push(current);
        } else if !current.is_empty() {
            parts.push(current);
        }
    }
    parts.extend(affected.versions.iter().map(|v| format!("={v}")));
    parts.retain(|p| !p.is_empty());
    parts.join(", ")
}

fn push_bound(current: &mut String, bound: &str) {
    if !current.is_empty() {
        current.push(' ');
    }
    current.push_str(bound);
}

/// The `fixed` versions an entry names (every range), in the order given.
pub fn fixed_versions(affected: &Affected) -> Vec<String> {
    let mut out = Vec::new();
    for range in &affected.ranges {
        if matches!(range.kind, RangeKind::Git | RangeKind::Other(_)) {
            continue;
        }
        for event in &range.events {
            if let Event::Fixed(v) = event
                && !out.contains(v)
            {
                out.push(v.clone());
            }
        }
    }
    out
}
