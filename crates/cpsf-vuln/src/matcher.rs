//! Matching an inventory against the advisory database: each component's purl gives an OSV ecosystem and package, its version is evaluated against every record naming that package, and the matches on one component are merged into one finding per vulnerability (records linked by aliases), with severity, KEV, EPSS and the fix.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use cpsf_model::{Component, Purl};
use cpsf_version::Scheme;

use crate::finding::{AdvisoryMatch, AffectedComponent, Finding, Score};
use crate::osv::{Advisory, Affected, base_ecosystem};
use crate::range::{self, Unorderable};
use crate::severity;
use crate::store::{Store, StoreError, package_key};

/// The result of matching one inventory.
#[derive(Debug, Default)]
pub struct MatchOutput {
    /// Components that had a purl and a version and so could be looked up.
    pub components_scanned: usize,
    /// Components without a purl, a version, or an ecosystem the advisory data knows.
    pub components_skipped: usize,
    pub findings: Vec<Finding>,
    /// The smallest version of each vulnerable component (by bom-ref) that clears every finding on it;
    /// `None` when no single version does.
    pub component_fixes: BTreeMap<String, Option<String>>,
    pub warnings: Vec<String>,
}

/// The OSV ecosystem and package name of a purl, or `None` for types no advisory source covers.
pub fn osv_package(purl: &Purl) -> Option<(&'static str, String)> {
    let ns = purl.namespace();
    let joined = |sep: &str| match ns {
        Some(ns) if !ns.is_empty() => format!("{ns}{sep}{}", purl.name()),
        _ => purl.name().to_owned(),
    };
    let ecosystem = match purl.ty() {
        "cargo" => "crates.io",
        "npm" => "npm",
        "pypi" => "PyPI",
        "golang" => return Some(("Go", joined("/"))),
        "maven" => return Some(("Maven", joined(":"))),
        "nuget" => "NuGet",
        "gem" => "RubyGems",
        "composer" => return Some(("Packagist", joined("/"))),
        "pub" => "Pub",
        "hex" => "Hex",
        "swift" => return Some(("SwiftURL", joined("/"))),
        "conan" => "ConanCenter",
        "cran" => "CRAN",
        "hackage" => "Hackage",
        "github" => return Some(("GitHub Actions", joined("/"))),
        _ => return None,
    };
    let name = if ecosystem == "npm" { joined("/") } else { purl.name().to_owned() };
    Some((ecosystem, name))
}

struct Hit {
    advisory: Arc<Advisory>,
    entry: Affected,
    evidence: AdvisoryMatch,
}

/// Match every component against the store.
pub fn match_components(store: &Store, components: &[Component]) -> Result<MatchOutput, StoreError> {
    let mut out = MatchOutput::default();
    let mut advisories: HashMap<String, Arc<Advisory>> = HashMap::new();
    let mut unreadable: BTreeSet<String> = BTreeSet::new();

    // Which components can be looked up, and one query per ecosystem for all their packages.
    let mut wanted: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut lookups: Vec<Option<(&'static str, String, &str)>> = Vec::with_capacity(components.len());
    for component in components {
        let lookup = component.purl.as_ref().and_then(|purl| {
            let version = purl.version().or(component.version.as_deref()).filter(|v| !v.is_empty())?;
            let (ecosystem, name) = osv_package(purl)?;
            Some((ecosystem, package_key(ecosystem, &name), version))
        });
        match &lookup {
            Some((ecosystem, key, _)) => {
                out.components_scanned += 1;
                wanted.entry(ecosystem).or_default().insert(key.clone());
            }
            None => out.components_skipped += 1,
        }
        lookups.push(lookup);
    }
    let mut candidates: HashMap<(&'static str, String), Vec<String>> = HashMap::new();
    for (ecosystem, keys) in wanted {
        let keys: Vec<String> = keys.into_iter().collect();
        for (key, ids) in store.ids_for_many(ecosystem, &keys)? {
            candidates.insert((ecosystem, key), ids);
        }
    }

    for (component, lookup) in components.iter().zip(lookups) {
        let Some((ecosystem, key, version)) = lookup else { continue };
        let Some(purl) = &component.purl else { continue };
        let Some(ids) = candidates.get(&(ecosystem, key.clone())) else { continue };
        let ids = ids.clone();
        let mut hits = Vec::new();
        let mut unorderable: Option<String> = None;
        for id in ids {
            let advisory = match advisories.get(&id) {
                Some(a) => Arc::clone(a),
                None => match store.advisory(&id)? {
                    Some(a) => {
                        let a = Arc::new(a);
                        advisories.insert(id.clone(), Arc::clone(&a));
                        a
                    }
                    None => continue,
                },
            };
            for entry in &advisory.affected {
                if base_ecosystem(&entry.ecosystem) != ecosystem || package_key(ecosystem, &entry.name) != key {
                    continue;
                }
                match range::evaluate(entry, version) {
                    Ok(verdict) if verdict.affected => {
                        let mut notes: Vec<String> = verdict.note.into_iter().collect();
                        if let Some(kind) = &entry.informational {
                            notes.push(format!("informational advisory ({kind})"));
                        }
                        let evidence = AdvisoryMatch {
                            id: advisory.id.clone(),
                            modified: advisory.modified.clone(),
                            ecosystem: entry.ecosystem.clone(),
                            package: entry.name.clone(),
                            affected: range::describe(entry),
                            fixed: range::fixed_versions(entry),
                            confidence: verdict.confidence,
                            note: (!notes.is_empty()).then(|| notes.join("; ")),
                            url: advisory_url(&advisory),
                        };
                        hits.push(Hit { advisory: Arc::clone(&advisory), entry: entry.clone(), evidence });
                        break;
                    }
                    Ok(_) => {}
                    Err(Unorderable(reason)) => {
                        unorderable.get_or_insert(reason);
                    }
                }
            }
        }
        if let Some(reason) = unorderable
            && unreadable.insert(component.bom_ref.clone())
        {
            out.warnings.push(format!(
                    "{}: version {version} cannot be ordered in {ecosystem} ({reason}); only advisories listing it exactly were checked",
                    component.bom_ref
                ));
        }
        if hits.is_empty() {
            continue;
        }
        let affected_component = AffectedComponent {
            bom_ref: component.bom_ref.clone(),
            name: component.name.clone(),
            version: version.to_owned(),
            purl: purl.to_string(),
            ecosystem: ecosystem.to_owned(),
            locations: component.locations.clone(),
            scope: component.scope,
            direct: component.direct,
        };
        let groups = group_by_alias(hits);
        let all_entries: Vec<Affected> = groups.iter().flatten().map(|h| h.entry.clone()).collect();
        out.component_fixes.insert(component.bom_ref.clone(), smallest_fix(ecosystem, version, &all_entries));
        for group in groups {
            let finding = build_finding(store, &affected_component, ecosystem, version, group, &mut out.warnings)?;
            out.findings.push(finding);
        }
    }
    out.findings.sort_by(|a, b| a.component.bom_ref.cmp(&b.component.bom_ref).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// Records on one component that share an id or alias describe one vulnerability.
fn group_by_alias(hits: Vec<Hit>) -> Vec<Vec<Hit>> {
    let names: Vec<BTreeSet<String>> = hits
        .iter()
        .map(|h| {
            std::iter::once(&h.advisory.id).chain(&h.advisory.aliases).map(|s| s.trim().to_ascii_uppercase()).collect()
        })
        .collect();
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..hits.len() {
        for j in (i + 1)..hits.len() {
            if !names[i].is_disjoint(&names[j]) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Hit>> = BTreeMap::new();
    for (i, hit) in hits.into_iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(hit);
    }
    groups.into_values().collect()
}

fn build_finding(
    store: &Store,
    component: &AffectedComponent,
    ecosystem: &str,
    version: &str,
    mut group: Vec<Hit>,
    warnings: &mut Vec<String>,
) -> Result<Finding, StoreError> {
    group.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
    let mut aliases: BTreeSet<String> = BTreeSet::new();
    for hit in &group {
        aliases.insert(hit.advisory.id.clone());
        aliases.extend(hit.advisory.aliases.iter().cloned());
    }
    let id = aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .cloned()
        .or_else(|| group.first().map(|h| h.advisory.id.clone()))
        .unwrap_or_default();
    let summary = group.iter().find_map(|h| h.advisory.summary.clone());

    let mut scores: Vec<Score> = Vec::new();
    for hit in &group {
        for entry in hit.advisory.severity.iter().chain(&hit.entry.severity) {
            match severity::score_osv(&entry.kind, &entry.score, &hit.advisory.id) {
                Ok(score) => {
                    if !scores.contains(&score) {
                        scores.push(score);
                    }
                }
                Err(e) => warnings.push(format!("{}: severity {:?} not used: {e}", hit.advisory.id, entry.score)),
            }
        }
        if let Some(word) = &hit.advisory.source_severity
            && let Some(score) = severity::score_word(word, &hit.advisory.id)
        {
            scores.push(score);
        }
    }
    let (rating, cvss_score) = severity::preferred(&scores);

    let entries: Vec<Affected> = group.iter().map(|h| h.entry.clone()).collect();
    let fixed_version = smallest_fix(ecosystem, version, &entries);

    let mut kev = None;
    let mut epss = None;
    for cve in aliases.iter().filter(|a| a.starts_with("CVE-")) {
        if kev.is_none() {
            kev = store.kev(cve)?;
        }
        if epss.is_none() {
            epss = store.epss(cve)?;
        }
    }
    let mut references: Vec<String> = Vec::new();
    for hit in &group {
        if let Some(url) = &hit.evidence.url
            && !references.contains(url)
        {
            references.push(url.clone());
        }
    }
    Ok(Finding {
        id,
        aliases: aliases.into_iter().collect(),
        component: component.clone(),
        summary,
        severity: rating,
        cvss_score,
        scores,
        advisories: group.into_iter().map(|h| h.evidence).collect(),
        fixed_version,
        kev,
        epss,
        references,
        suppression: None,
    })
}

/// The smallest version above `current` named as fixed by any entry that no entry calls affected.
pub fn smallest_fix(ecosystem: &str, current: &str, entries: &[Affected]) -> Option<String> {
    let scheme = Scheme::for_osv_ecosystem(ecosystem)?;
    let now = scheme.parse(current).ok()?;
    let mut candidates: Vec<(cpsf_version::Version, String)> = entries
        .iter()
        .flat_map(range::fixed_versions)
        .filter_map(|f| scheme.parse(&f).ok().map(|v| (v, f)))
        .filter(|(v, _)| *v > now)
        .collect();
    cpsf_version::sort_stable_by(&mut candidates, |a, b| a.0.cmp(&b.0));
    candidates.dedup_by(|a, b| a.0 == b.0);
    candidates.into_iter().find(|(_, text)| !entries.iter().any(|e| range::is_affected(e, text))).map(|(_, text)| text)
}

fn advisory_url(advisory: &Advisory) -> Option<String> {
    advisory
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or_else(|| advisory.references.iter().find(|r| r.kind == "WEB"))
        .map(|r| r.url.clone())
}
