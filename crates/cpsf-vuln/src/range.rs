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

/// Evaluate `version` against one `affected[]` entry.
///
/// GHSA keeps the upper bound of some ranges only in `database_specific.last_known_affected_version_range`
/// while the OSV range says "every version from introduced on". The spec says `database_specific` has no
/// effect, so such an entry still matches as its range says, but with low confidence and the hint in the note.
pub fn evaluate(affected: &Affected, version: &str) -> Result<Verdict, Unorderable> {
    let hint = affected.last_known_affected.as_deref().filter(|_| {
        affected
            .ranges
            .iter()
            .filter(|r| matches!(r.kind, RangeKind::Semver | RangeKind::Ecosystem))
            .all(|r| r.events.iter().all(|e| matches!(e, Event::Introduced(_))))
    });
    let hit = |mut notes: Vec<String>| {
        let confidence = match hint {
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
    let own = Scheme::for_osv_ecosystem(&affected.ecosystem);
    // An explicit versions entry matches by equality in the ecosystem's order, or as the same string.
    let parsed_own = own.map(|s| s.parse(version));
    for listed in &affected.versions {
        let equal = listed == version
            || match (&parsed_own, own) {
                (Some(Ok(v)), Some(scheme)) => scheme.parse(listed).is_ok_and(|l| l == *v),
                _ => false,
            };
        if equal {
            return Ok(hit(Vec::new()));
        }
    }

    let mut notes = Vec::new();
    let mut orderable_ranges = 0usize;
    let mut unorderable: Option<String> = None;
    for range in &affected.ranges {
        let Some(scheme) = scheme_for(&range.kind, &affected.ecosystem) else { continue };
        let v = match scheme.parse(version) {
            Ok(v) => v,
            Err(e) => {
                unorderable = Some(e.to_string());
                continue;
            }
        };
        let events = match sorted_events(range, scheme) {
            Ok(events) => events,
            Err(e) => {
                notes.push(e);
                continue;
            }
        };
        orderable_ranges += 1;
        if in_range(&v, &events) {
            return Ok(hit(notes));
        }
    }
    if orderable_ranges == 0
        && let Some(reason) = unorderable
    {
        return Err(Unorderable(reason));
    }
    Ok(Verdict { affected: false, confidence: Confidence::High, note: None })
}

/// Whether `version` is affected, ignoring confidence; unorderable versions are not affected.
pub fn is_affected(affected: &Affected, version: &str) -> bool {
    evaluate(affected, version).is_ok_and(|v| v.affected)
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
    let at = Bound::At(v.clone());
    let limits: Vec<&Bound> = events.iter().filter(|(e, _)| matches!(e, Event::Limit(_))).map(|(_, b)| b).collect();
    if !limits.is_empty() && !limits.iter().any(|limit| at < **limit) {
        return false;
    }
    let mut vulnerable = false;
    for (event, bound) in events {
        match event {
            Event::Introduced(_) if at >= *bound => vulnerable = true,
            Event::Fixed(_) if at >= *bound => vulnerable = false,
            Event::LastAffected(_) if at > *bound => vulnerable = false,
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
