//! Matching an inventory against the advisory database: each component's purl gives an OSV ecosystem and package, its version is evaluated against every record naming that package, and the matches on one component are merged into one finding per vulnerability (records linked by aliases), with severity, KEV, EPSS and the fix.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use cpsf_model::{Component, Purl};
use cpsf_version::Scheme;
use serde::Deserialize;

use crate::finding::{AdvisoryMatch, AffectedComponent, Finding, Score};
use crate::osv::{Advisory, Affected, base_ecosystem};
use crate::range::{Compiled, Unorderable};
use crate::severity;
use crate::store::{Store, StoreError, into_package_key, package_key_ref};

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
    osv_package_ref(purl).map(|(ecosystem, name)| (ecosystem, name.into_owned()))
}

/// [`osv_package`], borrowing the name from the purl where it is the purl's name.
fn osv_package_ref(purl: &Purl) -> Option<(&'static str, Cow<'_, str>)> {
    let ns = purl.namespace();
    let joined = |sep: &str| match ns {
        Some(ns) if !ns.is_empty() => Cow::Owned(format!("{ns}{sep}{}", purl.name())),
        _ => Cow::Borrowed(purl.name()),
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
    let name = if ecosystem == "npm" { joined("/") } else { Cow::Borrowed(purl.name()) };
    Some((ecosystem, name))
}

/// A record as a scan first needs it: its affected entries, compiled for evaluation. The rest of it is read
/// from its stored text only when it matches (most candidate records do not), which spares the scan most of
/// the decoding.
struct Loaded {
    json: String,
    affected: Vec<Affected>,
    compiled: Vec<Compiled>,
    full: OnceCell<Advisory>,
}

/// The affected entries of a stored record, the rest of it skipped.
#[derive(Deserialize)]
struct AffectedOnly {
    #[serde(default)]
    affected: Vec<Affected>,
}

impl Loaded {
    fn new(store: &Store, id: &str, json: String) -> Result<Loaded, StoreError> {
        let AffectedOnly { affected } = store.decode(id, &json)?;
        let compiled = affected.iter().map(Compiled::new).collect();
        Ok(Loaded { json, affected, compiled, full: OnceCell::new() })
    }

    /// The whole record (whose id is `id`), decoded on first use.
    fn advisory(&self, store: &Store, id: &str) -> Result<&Advisory, StoreError> {
        if let Some(advisory) = self.full.get() {
            return Ok(advisory);
        }
        let advisory = store.decode(id, &self.json)?;
        Ok(self.full.get_or_init(|| advisory))
    }
}

struct Hit<'a> {
    record: &'a Loaded,
    advisory: &'a Advisory,
    entry: usize,
    evidence: AdvisoryMatch,
}

/// What a component is looked up by.
struct Lookup<'a> {
    ecosystem: &'static str,
    /// The package key ([`crate::store::package_key`]) in that ecosystem.
    key: Cow<'a, str>,
    version: &'a str,
}

impl Hit<'_> {
    fn compiled(&self) -> Option<&Compiled> {
        self.record.compiled.get(self.entry)
    }
}

/// Match every component against the store.
pub fn match_components(store: &Store, components: &[Component]) -> Result<MatchOutput, StoreError> {
    let _snapshot = store.read_transaction()?;
    let mut out = MatchOutput::default();
    let mut unreadable: BTreeSet<String> = BTreeSet::new();

    // Which components can be looked up, and one query per ecosystem for all their packages.
    let lookups: Vec<Option<Lookup>> = components
        .iter()
        .map(|component| {
            let purl = component.purl.as_ref()?;
            let version = purl.version().or(component.version.as_deref()).filter(|v| !v.is_empty())?;
            let (ecosystem, name) = osv_package_ref(purl)?;
            let key = match name {
                Cow::Borrowed(name) => package_key_ref(ecosystem, name),
                Cow::Owned(name) => Cow::Owned(into_package_key(ecosystem, name)),
            };
            Some(Lookup { ecosystem, key, version })
        })
        .collect();
    let mut wanted: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    for lookup in &lookups {
        match lookup {
            Some(lookup) => {
                out.components_scanned += 1;
                wanted.entry(lookup.ecosystem).or_default().push(&lookup.key);
            }
            None => out.components_skipped += 1,
        }
    }
    let mut candidates: HashMap<&'static str, foldhash::HashMap<String, Vec<String>>> = HashMap::new();
    for (ecosystem, keys) in wanted {
        candidates.insert(ecosystem, store.ids_for_many(ecosystem, &keys)?);
    }
    // Every record a looked-up package names, read once.
    let mut ids: Vec<&str> =
        candidates.values().flat_map(foldhash::HashMap::values).flatten().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut advisories: foldhash::HashMap<String, Loaded> =
        foldhash::HashMap::with_capacity_and_hasher(ids.len(), Default::default());
    for (id, json) in store.record_texts(&ids)? {
        let loaded = Loaded::new(store, &id, json)?;
        advisories.insert(id, loaded);
    }

    for (component, lookup) in components.iter().zip(&lookups) {
        let Some(Lookup { ecosystem, key, version }) = lookup else { continue };
        let (ecosystem, version) = (*ecosystem, *version);
        let Some(purl) = &component.purl else { continue };
        let Some(ids) = candidates.get(ecosystem).and_then(|found| found.get(key.as_ref())) else { continue };
        // Parsed once for every entry of every record that names the package.
        let parsed = Scheme::for_osv_ecosystem(ecosystem).and_then(|s| s.parse(version).ok());
        let mut hits = Vec::new();
        let mut unorderable: Option<String> = None;
        for id in ids {
            let Some(record) = advisories.get(id.as_str()) else { continue };
            for (index, (entry, compiled)) in record.affected.iter().zip(&record.compiled).enumerate() {
                if base_ecosystem(&entry.ecosystem) != ecosystem
                    || package_key_ref(ecosystem, &entry.name) != key.as_ref()
                {
                    continue;
                }
                match compiled.evaluate_with(version, parsed.as_ref()) {
                    Ok(verdict) if verdict.affected => {
                        let advisory = record.advisory(store, id)?;
                        let mut notes: Vec<String> = verdict.note.into_iter().collect();
                        if let Some(kind) = &entry.informational {
                            notes.push(format!("informational advisory ({kind})"));
                        }
                        let evidence = AdvisoryMatch {
                            id: advisory.id.clone(),
                            modified: advisory.modified.clone(),
                            ecosystem: entry.ecosystem.clone(),
                            package: entry.name.clone(),
                            affected: compiled.description(entry).to_owned(),
                            fixed: compiled.fixed().to_vec(),
                            confidence: verdict.confidence,
                            note: (!notes.is_empty()).then(|| notes.join("; ")),
                            url: advisory_url(advisory),
                        };
                        hits.push(Hit { record, advisory, entry: index, evidence });
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
        let several = groups.len() > 1;
        let fix = several.then(|| {
            let all_entries: Vec<&Compiled> = groups.iter().flatten().filter_map(Hit::compiled).collect();
            smallest_fix_compiled(ecosystem, version, &all_entries)
        });
        for group in groups {
            let finding = build_finding(store, &affected_component, ecosystem, version, group, &mut out.warnings)?;
            out.findings.push(finding);
        }
        // With one vulnerability on the component, its fix is the finding's.
        let fix = fix.unwrap_or_else(|| out.findings.last().and_then(|f| f.fixed_version.clone()));
        out.component_fixes.insert(component.bom_ref.clone(), fix);
    }
    out.findings.sort_by(|a, b| a.component.bom_ref.cmp(&b.component.bom_ref).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// Records on one component that share an id or alias describe one vulnerability.
fn group_by_alias(hits: Vec<Hit<'_>>) -> Vec<Vec<Hit<'_>>> {
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
    let mut groups: BTreeMap<usize, Vec<Hit<'_>>> = BTreeMap::new();
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
    mut group: Vec<Hit<'_>>,
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
        for entry in hit
            .advisory
            .severity
            .iter()
            .chain(hit.advisory.affected.get(hit.entry).map_or(&[][..], |e| &e.severity[..]))
        {
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

    let entries: Vec<&Compiled> = group.iter().filter_map(Hit::compiled).collect();
    let fixed_version = smallest_fix_compiled(ecosystem, version, &entries);

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
    let compiled: Vec<Compiled> = entries.iter().map(Compiled::new).collect();
    smallest_fix_compiled(ecosystem, current, &compiled.iter().collect::<Vec<_>>())
}

fn smallest_fix_compiled(ecosystem: &str, current: &str, entries: &[&Compiled]) -> Option<String> {
    let scheme = Scheme::for_osv_ecosystem(ecosystem)?;
    let now = scheme.parse(current).ok()?;
    let mut candidates: Vec<(cpsf_version::Version, String)> = entries
        .iter()
        .flat_map(|e| e.fixed().iter().cloned())
        .filter_map(|f| scheme.parse(&f).ok().map(|v| (v, f)))
        .filter(|(v, _)| *v > now)
        .collect();
    cpsf_version::sort_stable_by(&mut candidates, |a, b| a.0.cmp(&b.0));
    candidates.dedup_by(|a, b| a.0 == b.0);
    candidates
        .into_iter()
        .find(|(v, text)| !entries.iter().any(|e| e.evaluate_with(text, Some(v)).is_ok_and(|x| x.affected)))
        .map(|(_, text)| text)
}

fn advisory_url(advisory: &Advisory) -> Option<String> {
    advisory
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or_else(|| advisory.references.iter().find(|r| r.kind == "WEB"))
        .map(|r| r.url.clone())
}
