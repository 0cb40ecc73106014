//! SBOM quality: scores a read document against named profiles (the NTIA minimum elements as
//! ntia-conformance-checker 6.0 decides them, the METI SBOM guidance, BSI TR-03183-2 v2.0.0) and renders
//! the result for people.
//!
//! A profile is a list of elements. Each element is either about the document (author, timestamp, ...) or
//! about every evaluated component (supplier, name, version, ...), and is either required or recommended.
//! The rules of each profile, and where a profile's source is silent or not modelled, are documented in
//! [`profiles`](self::profiles) next to the code that applies them.
//!
//! Arithmetic, the same for every profile:
//! - an element's ratio is 1 or 0 for a document element, `passed / total` for a component element (0 when no
//!   component was evaluated);
//! - `score` is the mean ratio of the *required* elements that were checked, times 100, rounded **down** to
//!   one decimal, so 100.0 means every required element passed;
//! - `conformant` is true when every checked required element passed. Recommended elements are reported but
//!   never change the score or conformance.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::Component;
use serde::Serialize;

use crate::ReadSbom;
use crate::schema::SchemaReport;

mod profiles;

/// A named set of rules a document is scored against. Kebab-case names (`ntia`, `meti`, `bsi`) are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// NTIA minimum elements (2021), decided exactly as ntia-conformance-checker 6.0 decides them for SPDX,
    /// and by the same meaning for CycloneDX.
    Ntia,
    /// The minimum elements that METI's SBOM guidance (v1.0 2023, v2.0 2024) takes from NTIA, plus what it
    /// recommends.
    Meti,
    /// BSI TR-03183-2 v2.0.0 (2024-09-20) required SBOM and component fields.
    Bsi,
}

impl Profile {
    pub const ALL: &'static [Profile] = &[Self::Ntia, Self::Meti, Self::Bsi];

    /// The stable name, as on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ntia => "ntia",
            Self::Meti => "meti",
            Self::Bsi => "bsi",
        }
    }

    /// Parse a stable name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// A one-line human title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Ntia => "NTIA minimum elements (rules of ntia-conformance-checker 6.0)",
            Self::Meti => "METI SBOM guidance (v1.0/v2.0) minimum elements",
            Self::Bsi => "BSI TR-03183-2 v2.0.0",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Stable identifiers of the elements the profiles check. The same id means the same thing in every profile
/// that uses it (each profile's description says how strictly it is applied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementId {
    /// The document validates against the official schema of its format.
    SchemaValid,
    /// The SBOM is in a format and version the profile accepts.
    SbomFormat,
    /// Author of the SBOM data (a person, organization or tool).
    Author,
    /// Creator of the SBOM with an email address or URL.
    SbomCreator,
    /// When the SBOM was made.
    Timestamp,
    /// A URI of the SBOM itself (serial number, document namespace).
    SbomUri,
    /// The document states the relationships of its components (see each profile).
    DependencyRelationship,
    /// Supplier of a component.
    Supplier,
    /// Creator of a component with an email address or URL.
    Creator,
    Name,
    Version,
    /// An identifier of a component (see each profile: a document-local id or a purl).
    UniqueIdentifier,
    /// File name of the deployable component.
    Filename,
    /// A component's dependencies are stated and resolvable.
    Dependencies,
    /// Licence information of a component.
    License,
    /// Any content hash of a component.
    Hash,
    /// A SHA-512 hash of the deployable component.
    HashSha512,
    /// Where the deployable component can be downloaded.
    DownloadLocation,
}

impl ElementId {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SchemaValid => "schema-valid",
            Self::SbomFormat => "sbom-format",
            Self::Author => "author",
            Self::SbomCreator => "sbom-creator",
            Self::Timestamp => "timestamp",
            Self::SbomUri => "sbom-uri",
            Self::DependencyRelationship => "dependency-relationship",
            Self::Supplier => "supplier",
            Self::Creator => "creator",
            Self::Name => "name",
            Self::Version => "version",
            Self::UniqueIdentifier => "unique-identifier",
            Self::Filename => "filename",
            Self::Dependencies => "dependencies",
            Self::License => "license",
            Self::Hash => "hash",
            Self::HashSha512 => "hash-sha512",
            Self::DownloadLocation => "download-location",
        }
    }
}

impl std::fmt::Display for ElementId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an element is about the document or about each component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementScope {
    Document,
    Component,
}

/// Whether an element counts towards score and conformance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    Required,
    Recommended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be decided from what was given (e.g. no schema report); not counted.
    NotChecked,
}

/// The result of one element of one profile.
#[derive(Clone, Debug, Serialize)]
pub struct ElementResult {
    pub id: ElementId,
    /// What the element requires, as this profile applies it.
    pub description: &'static str,
    pub scope: ElementScope,
    pub requirement: Requirement,
    pub status: Status,
    /// Document elements: 1 or 0. Component elements: evaluated components that have it.
    pub passed: usize,
    /// Document elements: 1. Component elements: evaluated components.
    pub total: usize,
}

/// A document element that did not pass, and why.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentGap {
    pub element: ElementId,
    pub requirement: Requirement,
    pub message: String,
}

/// One component that lacks something a profile asks for.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentGap {
    pub bom_ref: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Required elements it lacks.
    pub missing: Vec<ElementId>,
    /// Recommended elements it lacks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_recommended: Vec<ElementId>,
}

/// The result of one profile.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileReport {
    pub profile: Profile,
    pub title: &'static str,
    /// 0–100, one decimal, rounded down (see the module documentation).
    pub score: f64,
    /// Every checked required element passed.
    pub conformant: bool,
    /// Components in the document, the described root included.
    pub components_total: usize,
    /// Components this profile evaluated (NTIA: those reachable from the described root).
    pub components_evaluated: usize,
    pub elements: Vec<ElementResult>,
    pub document_gaps: Vec<DocumentGap>,
    /// Components with gaps, most required gaps first.
    pub component_gaps: Vec<ComponentGap>,
    /// What the profile could not check, and other remarks.
    pub notes: Vec<String>,
}

/// Scores of one document against one or more profiles.
#[derive(Clone, Debug, Serialize)]
pub struct QualityReport {
    /// The document's format, e.g. `CycloneDX 1.6 JSON`.
    pub format: String,
    pub profiles: Vec<ProfileReport>,
}

impl QualityReport {
    /// The report of `profile`, if it was scored.
    pub fn profile(&self, profile: Profile) -> Option<&ProfileReport> {
        self.profiles.iter().find(|p| p.profile == profile)
    }

    /// Every scored profile is conformant.
    pub fn conformant(&self) -> bool {
        self.profiles.iter().all(|p| p.conformant)
    }
}

impl ProfileReport {
    pub fn element(&self, id: ElementId) -> Option<&ElementResult> {
        self.elements.iter().find(|e| e.id == id)
    }

    pub fn component_gap(&self, bom_ref: &str) -> Option<&ComponentGap> {
        self.component_gaps.iter().find(|g| g.bom_ref == bom_ref)
    }
}

/// Score `read` against `profiles`, validating it against its official schema first (every profile asks for
/// a valid document). A document without a JSON form (only possible for one built by hand) has its
/// `schema-valid` element reported as not checked.
pub fn score(read: &ReadSbom, profiles: &[Profile]) -> QualityReport {
    let schema =
        (read.json.is_some() || read.format == crate::SbomFormat::Spdx3JsonLd).then(|| crate::schema::validate(read));
    score_with_schema(read, profiles, schema.as_ref())
}

/// As [`score`], with a schema report the caller already has (`None`: `schema-valid` is not checked).
pub fn score_with_schema(read: &ReadSbom, profiles: &[Profile], schema: Option<&SchemaReport>) -> QualityReport {
    let view = View::new(read);
    let mut seen = BTreeSet::new();
    let profiles = profiles
        .iter()
        .copied()
        .filter(|p| seen.insert(*p))
        .map(|p| match p {
            Profile::Ntia => profiles::ntia(&view, schema),
            Profile::Meti => profiles::meti(&view, schema),
            Profile::Bsi => profiles::bsi(&view, schema),
        })
        .collect();
    QualityReport { format: read.format.to_string(), profiles }
}

/// The document seen as a graph: its components (the described root first), which of them are roots and
/// which are reachable from a root through dependency edges.
pub(crate) struct View<'a> {
    pub read: &'a ReadSbom,
    /// The described root (`metadata.component`), then the components, unique by `bom_ref`.
    pub components: Vec<&'a Component>,
    /// `bom_ref`s of the components.
    pub known: BTreeSet<&'a str>,
    /// `bom_ref`s of the described roots: `metadata.component` and the components the document DESCRIBES.
    pub roots: BTreeSet<&'a str>,
    /// `bom_ref`s reachable from a root (roots included).
    pub reachable: BTreeSet<&'a str>,
}

impl<'a> View<'a> {
    fn new(read: &'a ReadSbom) -> Self {
        let inventory = &read.inventory;
        let mut components: Vec<&Component> = Vec::new();
        let mut known = BTreeSet::new();
        for c in inventory.metadata.component.iter().chain(&inventory.components) {
            if known.insert(c.bom_ref.as_str()) {
                components.push(c);
            }
        }
        let describes: BTreeSet<&str> = read.facts.describes.iter().map(String::as_str).collect();
        // SPDX says what it describes with DESCRIBES; the described package stands in `metadata.component`
        // only when the document DESCRIBES something. CycloneDX says it with `metadata.component`.
        let is_spdx = !matches!(read.format, crate::SbomFormat::CycloneDxJson(_) | crate::SbomFormat::CycloneDxXml(_));
        let root_counts = !is_spdx || !describes.is_empty();
        let mut roots: BTreeSet<&str> =
            inventory.metadata.component.iter().filter(|_| root_counts).map(|c| c.bom_ref.as_str()).collect();
        roots.extend(components.iter().map(|c| c.bom_ref.as_str()).filter(|r| describes.contains(r)));
        let edges: BTreeMap<&str, &Component> = components.iter().map(|c| (c.bom_ref.as_str(), *c)).collect();
        let mut reachable: BTreeSet<&str> = roots.clone();
        let mut queue: Vec<&str> = roots.iter().copied().collect();
        while let Some(current) = queue.pop() {
            let Some(c) = edges.get(current) else { continue };
            for dep in &c.dependencies {
                if known.contains(dep.as_str()) && reachable.insert(dep.as_str()) {
                    queue.push(dep.as_str());
                }
            }
        }
        Self { read, components, known, roots, reachable }
    }

    /// The components reachable from a root, in document order.
    pub fn reachable_components(&self) -> Vec<&'a Component> {
        self.components.iter().copied().filter(|c| self.reachable.contains(c.bom_ref.as_str())).collect()
    }
}

/// The outcome of a document element.
pub(crate) enum Outcome {
    Pass,
    Fail(String),
    NotChecked(String),
}

/// Collects the results of one profile and computes score and conformance.
pub(crate) struct Builder<'a> {
    profile: Profile,
    elements: Vec<ElementResult>,
    document_gaps: Vec<DocumentGap>,
    gaps: BTreeMap<&'a str, (&'a Component, Vec<ElementId>, Vec<ElementId>)>,
    /// Indices into `elements` of component elements whose gate did not hold: they score 0.
    gated_out: BTreeSet<usize>,
    notes: Vec<String>,
    components_total: usize,
    components_evaluated: usize,
}

impl<'a> Builder<'a> {
    pub fn new(profile: Profile, view: &View<'a>) -> Self {
        Self {
            profile,
            elements: Vec::new(),
            document_gaps: Vec::new(),
            gaps: BTreeMap::new(),
            gated_out: BTreeSet::new(),
            notes: Vec::new(),
            components_total: view.components.len(),
            components_evaluated: 0,
        }
    }

    pub fn evaluated(&mut self, count: usize) {
        self.components_evaluated = count;
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Record a document element.
    pub fn document(&mut self, id: ElementId, requirement: Requirement, description: &'static str, outcome: Outcome) {
        let (status, passed) = match outcome {
            Outcome::Pass => (Status::Pass, 1),
            Outcome::Fail(message) => {
                self.document_gaps.push(DocumentGap { element: id, requirement, message });
                (Status::Fail, 0)
            }
            Outcome::NotChecked(why) => {
                self.notes.push(format!("{id} not checked: {why}"));
                (Status::NotChecked, 0)
            }
        };
        self.elements.push(ElementResult {
            id,
            description,
            scope: ElementScope::Document,
            requirement,
            status,
            passed,
            total: 1,
        });
    }

    /// Record a component element over `subjects`. It passes when `gate` holds, there is at least one subject
    /// and every subject satisfies `has`.
    pub fn each(
        &mut self,
        id: ElementId,
        requirement: Requirement,
        description: &'static str,
        subjects: &[&'a Component],
        gate: bool,
        has: impl Fn(&Component) -> bool,
    ) {
        let mut passed = 0;
        for c in subjects {
            if has(c) {
                passed += 1;
            } else {
                let entry = self.gaps.entry(c.bom_ref.as_str()).or_insert_with(|| (*c, Vec::new(), Vec::new()));
                match requirement {
                    Requirement::Required => entry.1.push(id),
                    Requirement::Recommended => entry.2.push(id),
                }
            }
        }
        let total = subjects.len();
        if !gate {
            self.gated_out.insert(self.elements.len());
        }
        let status = if gate && total > 0 && passed == total { Status::Pass } else { Status::Fail };
        self.elements.push(ElementResult {
            id,
            description,
            scope: ElementScope::Component,
            requirement,
            status,
            passed,
            total,
        });
    }

    pub fn finish(self) -> ProfileReport {
        let scored: Vec<f64> = self
            .elements
            .iter()
            .enumerate()
            .filter(|(_, e)| e.requirement == Requirement::Required && e.status != Status::NotChecked)
            .map(|(i, e)| match (e.scope, e.status) {
                (_, Status::Pass) => 1.0,
                // An element whose gate did not hold (NTIA: no component reachable from a described root)
                // counts as nothing, as the checker counts it.
                _ if self.gated_out.contains(&i) => 0.0,
                (ElementScope::Component, _) if e.total > 0 => e.passed as f64 / e.total as f64,
                _ => 0.0,
            })
            .collect();
        let mean = if scored.is_empty() { 0.0 } else { scored.iter().sum::<f64>() / scored.len() as f64 };
        // Round down to one decimal, so 100.0 is reserved for a document that passes everything. The small
        // epsilon keeps exact fractions such as 0.7 from landing on 69.9 through binary rounding.
        let score = ((mean * 1000.0 + 1e-9).floor() / 10.0).clamp(0.0, 100.0);
        let conformant = !scored.is_empty()
            && self
                .elements
                .iter()
                .filter(|e| e.requirement == Requirement::Required)
                .all(|e| e.status != Status::Fail);
        let mut component_gaps: Vec<ComponentGap> = self
            .gaps
            .into_values()
            .map(|(c, missing, missing_recommended)| ComponentGap {
                bom_ref: c.bom_ref.clone(),
                name: c.name.clone(),
                version: c.version.clone(),
                missing,
                missing_recommended,
            })
            .collect();
        component_gaps.sort_by(|a, b| {
            b.missing
                .len()
                .cmp(&a.missing.len())
                .then(b.missing_recommended.len().cmp(&a.missing_recommended.len()))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.bom_ref.cmp(&b.bom_ref))
        });
        ProfileReport {
            profile: self.profile,
            title: self.profile.title(),
            score,
            conformant,
            components_total: self.components_total,
            components_evaluated: self.components_evaluated,
            elements: self.elements,
            document_gaps: self.document_gaps,
            component_gaps,
            notes: self.notes,
        }
    }
}

/// How many names a list shows before "... and N more".
const LIST_CAP: usize = 8;

/// A report for people: per profile the verdict, the failing document elements, then the failing component
/// elements worst first (each with the first components that lack it), then the recommended ones and notes.
pub fn render_text(report: &QualityReport) -> String {
    let mut out = String::new();
    for (i, p) in report.profiles.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} [{}]: score {:.1}/100, {}\n",
            p.title,
            p.profile,
            p.score,
            if p.conformant { "conformant" } else { "NOT conformant" }
        ));
        out.push_str(&format!(
            "  {} of {} components evaluated ({})\n",
            p.components_evaluated, p.components_total, report.format
        ));
        let required_gaps: Vec<&DocumentGap> =
            p.document_gaps.iter().filter(|g| g.requirement == Requirement::Required).collect();
        if !required_gaps.is_empty() {
            out.push_str("  document:\n");
            for g in required_gaps {
                out.push_str(&format!("    ✗ {}: {}\n", g.element, g.message));
            }
        }
        render_component_elements(&mut out, p, Requirement::Required, "  components:\n");
        let passing: Vec<&str> = p
            .elements
            .iter()
            .filter(|e| e.requirement == Requirement::Required && e.status == Status::Pass)
            .map(|e| e.id.as_str())
            .collect();
        if !passing.is_empty() {
            out.push_str(&format!("  passed: {}\n", passing.join(", ")));
        }
        let recommended_doc: Vec<&DocumentGap> =
            p.document_gaps.iter().filter(|g| g.requirement == Requirement::Recommended).collect();
        let recommended_failing =
            p.elements.iter().any(|e| e.requirement == Requirement::Recommended && e.status == Status::Fail);
        if recommended_failing {
            out.push_str("  recommended, not met:\n");
            for g in recommended_doc {
                out.push_str(&format!("    - {}: {}\n", g.element, g.message));
            }
            render_component_elements(&mut out, p, Requirement::Recommended, "");
        }
        for n in &p.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

/// The failing component elements of one requirement level, the lowest pass ratio first.
fn render_component_elements(out: &mut String, p: &ProfileReport, requirement: Requirement, heading: &str) {
    let mut failing: Vec<&ElementResult> = p
        .elements
        .iter()
        .filter(|e| e.scope == ElementScope::Component && e.requirement == requirement && e.status == Status::Fail)
        .collect();
    if failing.is_empty() {
        return;
    }
    failing.sort_by(|a, b| {
        // passed/total ascending, compared without division: a.p * b.t vs b.p * a.t.
        (a.passed * b.total.max(1)).cmp(&(b.passed * a.total.max(1))).then(a.id.cmp(&b.id))
    });
    out.push_str(heading);
    let mark = if requirement == Requirement::Required { "✗" } else { "-" };
    for e in failing {
        let lacking: Vec<String> = p
            .component_gaps
            .iter()
            .filter(|g| match requirement {
                Requirement::Required => g.missing.contains(&e.id),
                Requirement::Recommended => g.missing_recommended.contains(&e.id),
            })
            .map(|g| match &g.version {
                Some(v) => format!("{} {v}", display_name(&g.name, &g.bom_ref)),
                None => display_name(&g.name, &g.bom_ref).to_owned(),
            })
            .collect();
        let missing = e.total - e.passed.min(e.total);
        if e.total == 0 {
            out.push_str(&format!("    {mark} {}: no component evaluated\n", e.id));
        } else if lacking.is_empty() {
            // Every component has it, but the element still fails (no component was reachable).
            out.push_str(&format!(
                "    {mark} {}: {}/{} (no component reachable from a described root)\n",
                e.id, e.passed, e.total
            ));
        } else {
            out.push_str(&format!(
                "    {mark} {}: missing in {missing} of {} ({}): {}\n",
                e.id,
                e.total,
                e.description,
                capped(&lacking)
            ));
        }
    }
}

fn display_name<'a>(name: &'a str, bom_ref: &'a str) -> &'a str {
    if name.trim().is_empty() { bom_ref } else { name }
}

/// `a, b, c ... and N more`.
pub(crate) fn capped(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(LIST_CAP).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if items.len() > LIST_CAP {
        s.push_str(&format!(" ... and {} more", items.len() - LIST_CAP));
    }
    s
}
