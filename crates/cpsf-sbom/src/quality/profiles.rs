//! The rules of each quality profile: which elements, over which components, decided how.
//!
//! # NTIA (`ntia`)
//! Mirrors ntia-conformance-checker 6.0 (`NTIAChecker` with its SPDX 2 and SPDX 3 adapters), read from its
//! source:
//! - Only components *reachable from the described root* are evaluated: the checker walks DESCRIBES (SPDX 2)
//!   or `rootElement` (SPDX 3) and then composition/dependency relationships (`CONTAINS`, `DEPENDS_ON`,
//!   `DYNAMIC_LINK`, `STATIC_LINK`, `HAS_PREREQUISITE`, ...), and ignores "floating" packages. Here the roots
//!   are `metadata.component` and the components whose `bom_ref` is in `facts.describes`, and the edges are
//!   the components' `dependencies`. For SPDX, `metadata.component` is a root only when the document
//!   DESCRIBES something (the reader is expected to put the described package there). When nothing is
//!   reachable, no component is evaluated and every component element fails, as in the checker.
//! - `name`: present and not blank. `version`: present and not blank; the string `NOASSERTION` *counts as a
//!   version* (the checker only treats a missing or whitespace value as blank for versions).
//! - `supplier`: missing when absent, blank or `NOASSERTION` (any case); any named party counts.
//! - `unique-identifier`: the document-local identifier (SPDXID; here `bom_ref`) is present, checked over
//!   *all* components, reachable or not, as the checker does; still failing when nothing was evaluated.
//! - `author`: any creator at all, a tool included (SPDX `Creator: Tool: ...` is enough).
//! - `timestamp`: present (the checker's SPDX parser rejects a creation time it cannot read, so a timestamp
//!   that is not RFC 3339 fails here).
//! - `dependency-relationship`: SPDX 2: the document DESCRIBES a package. SPDX 3: some dependency or
//!   composition relationship connects two elements. CycloneDX, by the meaning of the SPDX 2 rule: the
//!   document names the component it describes (`metadata.component`).
//! - Conformance also needs a valid document (the checker requires no SPDX validation messages); here that
//!   is the official schema check (`schema-valid`), a close but not identical stand-in for spdx-tools'
//!   validator.
//!
//! # METI (`meti`)
//! METI's "Guide of Introduction of SBOM for Software Management" (v1.0 2023, v2.0 2024) takes its minimum
//! elements from NTIA: supplier name, component name, version, other unique identifiers, dependency
//! relationship, author of SBOM data, timestamp. Its own checklist tables were not available to us (the
//! reference notes mark the element table as unverified background), so this profile applies the NTIA
//! elements by their meaning, not by the checker's document-local shortcuts:
//! - every component is evaluated (a METI SBOM lists the product's components; there is no "floating");
//! - `version` must be a real value (`NOASSERTION` is missing);
//! - `unique-identifier` is a purl (the guidance names CPE, SWID and purl as examples, as NTIA does; the
//!   model carries purls only);
//! - `dependency-relationship` is per component: it is reachable from the described root (the root itself
//!   passes when it states its dependencies, or is the only component);
//! - recommended, not scored: `license` (licence management is one of the guidance's main uses of an SBOM)
//!   and `hash` (NTIA's "recommended data field"; the guidance is silent as far as we could verify).
//!
//! # BSI (`bsi`)
//! BSI TR-03183-2 v2.0.0 (2024-09-20), §4 and §5.2:
//! - `sbom-format`: CycloneDX 1.5 or later, or SPDX 2.2.1 or later, as JSON or XML (tag-value and YAML are
//!   not accepted). SPDX 2.2 documents pass: the version string `SPDX-2.2` does not tell 2.2 from 2.2.1.
//! - `sbom-creator`: an author with an email address or an URL; `timestamp`: RFC 3339.
//! - per component (all of them): `creator` (supplier or author with an email address or URL), `name`,
//!   `version`, `filename` (the last path segment of the download URL, when it names a file: the model has
//!   no file-name field), `dependencies` (reachable from the described root, and every dependency it declares
//!   is in the SBOM), `license` (a licence expression that is not `NOASSERTION`), `hash-sha512` (a SHA-512
//!   digest), `unique-identifier` (a purl; v2.0.0 lists "other unique identifiers" as additional fields
//!   that must be given where they exist, and every package-manager component has one).
//! - recommended (additional fields): `sbom-uri` (serial number or document namespace),
//!   `download-location` (URI of the deployable form).
//! - Not checked: the executable, archive and structured properties (the model does not carry them).

use cpsf_model::{Component, HashAlgorithm, Metadata, Party};

use super::{Builder, ElementId, Outcome, Profile, ProfileReport, Requirement, View};
use crate::schema::SchemaReport;
use crate::{CycloneDxVersion, SbomFormat};

use ElementId as E;
use Requirement::{Recommended, Required};

pub(super) fn ntia(view: &View<'_>, schema: Option<&SchemaReport>) -> ProfileReport {
    let mut b = Builder::new(Profile::Ntia, view);
    let metadata = &view.read.inventory.metadata;
    let reachable = view.reachable_components();
    let evaluated = !reachable.is_empty();
    b.evaluated(reachable.len());

    b.each(E::Supplier, Required, "a supplier is named (not NOASSERTION)", &reachable, evaluated, supplier_named);
    b.each(E::Name, Required, "a name is given", &reachable, evaluated, |c| !blank(&c.name));
    b.each(
        E::Version,
        Required,
        "a version is given (NOASSERTION counts, as in the checker)",
        &reachable,
        evaluated,
        |c| c.version.as_deref().is_some_and(|v| !blank(v)),
    );
    b.each(
        E::UniqueIdentifier,
        Required,
        "a document identifier (SPDXID / bom-ref) is given, over all components",
        &view.components,
        evaluated,
        |c| !blank(&c.bom_ref),
    );
    b.document(
        E::DependencyRelationship,
        Required,
        "the document states what it describes (SPDX 2: DESCRIBES a package; SPDX 3: a dependency relationship; CycloneDX: metadata.component)",
        ntia_dependency_relationship(view),
    );
    b.document(E::Author, Required, "an author of the SBOM data (a person, organization or tool)", author(metadata));
    b.document(E::Timestamp, Required, "a creation timestamp (RFC 3339)", timestamp(metadata));
    b.document(E::SchemaValid, Required, "the document is valid against its official schema", schema_valid(schema));

    let floating = view.components.len() - reachable.len();
    if floating > 0 {
        b.note(format!(
            "{floating} of {} components are not reachable from a described root and were not evaluated \
             (ntia-conformance-checker ignores such floating packages)",
            view.components.len()
        ));
    }
    b.finish()
}

pub(super) fn meti(view: &View<'_>, schema: Option<&SchemaReport>) -> ProfileReport {
    let mut b = Builder::new(Profile::Meti, view);
    let metadata = &view.read.inventory.metadata;
    let all = &view.components;
    let any = !all.is_empty();
    b.evaluated(all.len());

    b.each(E::Supplier, Required, "supplier name (not NOASSERTION)", all, any, supplier_named);
    b.each(E::Name, Required, "component name", all, any, |c| !blank(&c.name));
    b.each(E::Version, Required, "component version (not NOASSERTION)", all, any, real_version);
    b.each(E::UniqueIdentifier, Required, "other unique identifier: a purl", all, any, |c| c.purl.is_some());
    b.each(
        E::DependencyRelationship,
        Required,
        "dependency relationship: the component is reachable from the described root",
        all,
        any,
        |c| related(view, c, false),
    );
    b.document(E::Author, Required, "author of the SBOM data (a person, organization or tool)", author(metadata));
    b.document(E::Timestamp, Required, "timestamp (RFC 3339)", timestamp(metadata));
    b.document(E::SchemaValid, Required, "a valid SPDX or CycloneDX document (official schema)", schema_valid(schema));
    b.each(E::License, Recommended, "licence information (not NOASSERTION)", all, any, licensed);
    b.each(E::Hash, Recommended, "a content hash", all, any, |c| !c.hashes.is_empty());
    b.finish()
}

pub(super) fn bsi(view: &View<'_>, schema: Option<&SchemaReport>) -> ProfileReport {
    let mut b = Builder::new(Profile::Bsi, view);
    let read = view.read;
    let metadata = &read.inventory.metadata;
    let all = &view.components;
    let any = !all.is_empty();
    b.evaluated(all.len());

    b.document(
        E::SbomFormat,
        Required,
        "CycloneDX ≥ 1.5 or SPDX ≥ 2.2.1, as JSON or XML (§4)",
        bsi_format(read.format),
    );
    b.document(E::SchemaValid, Required, "the document is valid against its official schema", schema_valid(schema));
    b.document(E::SbomCreator, Required, "creator of the SBOM with an email address or URL (§5.2.1)", {
        if metadata.authors.iter().any(has_contact) {
            Outcome::Pass
        } else if metadata.authors.is_empty() {
            Outcome::Fail("no author of the SBOM is named".into())
        } else {
            Outcome::Fail("the SBOM's authors have neither an email address nor a URL".into())
        }
    });
    b.document(E::Timestamp, Required, "timestamp of the SBOM, RFC 3339 (§5.2.1)", timestamp(metadata));
    b.each(E::Creator, Required, "component creator with an email address or URL", all, any, component_creator);
    b.each(E::Name, Required, "component name", all, any, |c| !blank(&c.name));
    b.each(E::Version, Required, "component version (not NOASSERTION)", all, any, real_version);
    b.each(E::Filename, Required, "file name of the component (from its download URL)", all, any, |c| {
        c.download_location.as_deref().and_then(file_name).is_some()
    });
    b.each(
        E::Dependencies,
        Required,
        "reachable from the described root; every declared dependency is in the SBOM",
        all,
        any,
        |c| related(view, c, true),
    );
    b.each(E::License, Required, "associated licence (not NOASSERTION)", all, any, licensed);
    b.each(E::HashSha512, Required, "SHA-512 hash of the deployable component", all, any, |c| {
        c.hashes.iter().any(|h| h.algorithm == HashAlgorithm::Sha512)
    });
    b.each(E::UniqueIdentifier, Required, "other unique identifier: a purl", all, any, |c| c.purl.is_some());
    b.document(E::SbomUri, Recommended, "SBOM-URI: serial number or document namespace (§5.3.1)", {
        if metadata.serial_number.as_deref().is_some_and(|s| !blank(s)) {
            Outcome::Pass
        } else {
            Outcome::Fail("no serial number or document namespace".into())
        }
    });
    b.each(E::DownloadLocation, Recommended, "URI of the deployable form (§5.3.2)", all, any, |c| {
        c.download_location
            .as_deref()
            .is_some_and(|u| !blank(u) && !is_noassertion(u) && !u.eq_ignore_ascii_case("NONE"))
    });
    b.note("executable, archive and structured properties (§5.2.2) are not carried by the model and were not checked");
    b.finish()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_noassertion(s: &str) -> bool {
    s.trim().eq_ignore_ascii_case("NOASSERTION")
}

/// A party is named when it has a name that is not blank or NOASSERTION, or an email address or URL.
fn party_named(p: &Party) -> bool {
    let named = !blank(&p.name) && !is_noassertion(&p.name);
    named || p.email.as_deref().is_some_and(|e| !blank(e)) || p.url.as_deref().is_some_and(|u| !blank(u))
}

fn supplier_named(c: &Component) -> bool {
    c.supplier.as_ref().is_some_and(party_named)
}

fn real_version(c: &Component) -> bool {
    c.version.as_deref().is_some_and(|v| !blank(v) && !is_noassertion(v))
}

fn licensed(c: &Component) -> bool {
    c.licenses.iter().any(|l| !blank(l) && !is_noassertion(l))
}

fn is_http_url(s: &str) -> bool {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")) && s.len() > "https://".len()
}

/// As the checker decides for BSI: an email address containing `@`, or an http(s) URL.
fn has_contact(p: &Party) -> bool {
    p.email.as_deref().is_some_and(|e| e.trim().contains('@')) || p.url.as_deref().is_some_and(is_http_url)
}

fn component_creator(c: &Component) -> bool {
    c.supplier.as_ref().is_some_and(has_contact)
        || c.author.as_deref().is_some_and(|a| {
            a.split(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>' | '(' | ')' | ',')).any(|word| {
                is_http_url(word) || word.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
            })
        })
}

fn author(metadata: &Metadata) -> Outcome {
    if metadata.authors.iter().any(party_named) || metadata.tools.iter().any(|t| !blank(&t.name)) {
        Outcome::Pass
    } else {
        Outcome::Fail("no author, organization or tool is named as creator of the SBOM".into())
    }
}

fn timestamp(metadata: &Metadata) -> Outcome {
    use time::format_description::well_known::Rfc3339;
    match metadata.timestamp.as_deref().map(str::trim) {
        None | Some("") => Outcome::Fail("the document has no creation timestamp".into()),
        Some(t) if time::OffsetDateTime::parse(t, &Rfc3339).is_ok() => Outcome::Pass,
        Some(t) => Outcome::Fail(format!("the timestamp `{t}` is not an RFC 3339 date-time")),
    }
}

fn schema_valid(schema: Option<&SchemaReport>) -> Outcome {
    match schema {
        None => Outcome::NotChecked("no schema report was given (the document has no JSON form)".into()),
        Some(r) if r.valid => Outcome::Pass,
        Some(r) => {
            let first = r
                .errors
                .first()
                .map(|e| {
                    let at = if e.pointer.is_empty() { "/" } else { e.pointer.as_str() };
                    format!("; first at {at}: {}", e.message)
                })
                .unwrap_or_default();
            Outcome::Fail(format!("{} error(s) against the {}{first}", r.errors.len(), r.schema))
        }
    }
}

/// The SPDX 3 relationship types ntia-conformance-checker 6.0 counts as dependency relationships.
const SPDX3_DEPENDENCY_TYPES: &[&str] = &["contains", "dependsOn", "hasDynamicLink", "hasStaticLink"];

/// Whether a relationship of one of [`SPDX3_DEPENDENCY_TYPES`] goes from an Element of the graph to another
/// (the checker's rule; it also wants at least two Elements in the graph).
fn spdx3_dependency_connects_elements(json: &serde_json::Value) -> bool {
    use serde_json::Value;
    let graph: &[Value] = json.get("@graph").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let id_of = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("spdxId").or_else(|| o.get("@id")).and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    };
    let elements: std::collections::BTreeSet<String> = graph
        .iter()
        .filter_map(|o| {
            let id = o.get("spdxId").or_else(|| o.get("@id")).and_then(Value::as_str)?;
            (!id.starts_with("_:")).then(|| id.to_owned())
        })
        .collect();
    if elements.len() < 2 {
        return false;
    }
    graph.iter().any(|o| {
        let ty = o.get("relationshipType").and_then(Value::as_str).unwrap_or_default();
        let ty = ty.rsplit('/').next().unwrap_or(ty);
        SPDX3_DEPENDENCY_TYPES.contains(&ty)
            && o.get("from").and_then(id_of).is_some_and(|f| elements.contains(&f))
            && o.get("to")
                .and_then(Value::as_array)
                .is_some_and(|to| to.iter().filter_map(id_of).any(|t| elements.contains(&t)))
    })
}

fn ntia_dependency_relationship(view: &View<'_>) -> Outcome {
    let read = view.read;
    match read.format {
        SbomFormat::SpdxJson(_) | SbomFormat::SpdxTagValue(_) | SbomFormat::SpdxYaml(_) => {
            let describes = &read.facts.describes;
            let names_package = describes.iter().any(|d| view.known.contains(d.as_str()));
            if names_package || (!describes.is_empty() && read.inventory.metadata.component.is_some()) {
                Outcome::Pass
            } else if describes.is_empty() {
                Outcome::Fail("the document DESCRIBES nothing (no DESCRIBES relationship or documentDescribes)".into())
            } else {
                Outcome::Fail("the document DESCRIBES no package".into())
            }
        }
        SbomFormat::Spdx3JsonLd => {
            // The checker looks at every Element of the graph (files too, which the inventory does not hold), so
            // the graph is read directly when the document's JSON is at hand.
            let connected = match &read.json {
                Some(json) => spdx3_dependency_connects_elements(json),
                None => {
                    view.known.len() >= 2
                        && view
                            .components
                            .iter()
                            .any(|c| c.dependencies.iter().any(|d| view.known.contains(d.as_str())))
                }
            };
            if connected {
                Outcome::Pass
            } else {
                Outcome::Fail("no dependency or composition relationship connects two elements".into())
            }
        }
        SbomFormat::CycloneDxJson(_) | SbomFormat::CycloneDxXml(_) => {
            if read.inventory.metadata.component.is_some() {
                Outcome::Pass
            } else {
                Outcome::Fail("metadata.component (the component the BOM describes) is absent".into())
            }
        }
    }
}

/// Whether a component's place in the dependency graph is stated: a root states its dependencies (or is
/// alone with the other roots), any other component is reachable from a root. With `strict`, every
/// dependency it declares must also be a component of the document.
fn related(view: &View<'_>, c: &Component, strict: bool) -> bool {
    if strict && !c.dependencies.iter().all(|d| view.known.contains(d.as_str())) {
        return false;
    }
    let me = c.bom_ref.as_str();
    if view.roots.contains(me) {
        c.dependencies.iter().any(|d| view.known.contains(d.as_str())) || view.roots.len() == view.components.len()
    } else {
        view.reachable.contains(me)
    }
}

fn bsi_format(format: SbomFormat) -> Outcome {
    match format {
        SbomFormat::CycloneDxJson(v) | SbomFormat::CycloneDxXml(v) if v >= CycloneDxVersion::V1_5 => Outcome::Pass,
        SbomFormat::CycloneDxJson(v) | SbomFormat::CycloneDxXml(v) => {
            Outcome::Fail(format!("CycloneDX {} is older than 1.5", v.as_str()))
        }
        SbomFormat::SpdxJson(_) | SbomFormat::Spdx3JsonLd => Outcome::Pass,
        SbomFormat::SpdxTagValue(_) | SbomFormat::SpdxYaml(_) => {
            Outcome::Fail(format!("{format} is neither JSON nor XML"))
        }
    }
}

/// The file name a download URL ends in (`https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz` →
/// `lodash-4.17.21.tgz`); `None` when its last path segment does not name a file (no extension, a git
/// repository, an API endpoint such as crates.io's `.../download`).
pub(crate) fn file_name(url: &str) -> Option<&str> {
    let url = url.trim();
    let without_query = url.split(['?', '#']).next()?;
    let (_, rest) = without_query.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let (stem, ext) = last.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty() && !ext.eq_ignore_ascii_case("git")).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_from_urls() {
        assert_eq!(file_name("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"), Some("lodash-4.17.21.tgz"));
        assert_eq!(
            file_name("https://files.pythonhosted.org/p/ab/requests-2.31.0-py3-none-any.whl#sha256=ab"),
            Some("requests-2.31.0-py3-none-any.whl")
        );
        assert_eq!(file_name("https://crates.io/api/v1/crates/serde/1.0.0/download"), None);
        assert_eq!(file_name("git+https://github.com/a/b.git#abc"), None);
        assert_eq!(file_name("https://example.com"), None);
        assert_eq!(file_name("NOASSERTION"), None);
    }
}
