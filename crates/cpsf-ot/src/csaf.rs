//! CSAF 2.0 advisories (the format ICS vendors and CISA publish) read and matched to devices.
//!
//! # Reading
//!
//! [`read`] takes the JSON document and resolves every product id to what the product tree says about it:
//! the branch path (vendor, product family, product name, product version or version range), the full
//! product name, and the identification helper (CPE, model numbers, serial numbers, SKUs, purl).
//! Relationships (`default_component_of`, `installed_on`, ...) make a product of a component (say, a
//! firmware version) and a platform (the device): it is matched with the platform's names and model numbers
//! and the component's version. Product groups are expanded where remediations and scores name them.
//! Each vulnerability keeps its CVE, title, summary note, product status, scores and remediations. Parts
//! that are malformed become warnings; the rest is kept.
//!
//! # Matching
//!
//! A product refers to a device ([`DeviceIdentity`]) by, strongest first:
//! - **serial number**: a serial number pattern matches the device's;
//! - **CPE**: part, vendor and product of one of the product's CPEs match one of the device's (our own
//!   small CPE parser, [`crate::cpe`]);
//! - **model number**: a model number or SKU pattern matches the device's model number or model name
//!   (CSAF's `*` and `?` wildcards; case and spaces ignored, so `6ES7 516-3AN01-0AB0` is `6ES75163AN010AB0`);
//! - **name**: the vendors are the same (case, punctuation and legal-form suffixes such as `Inc.`, `GmbH`,
//!   `AG`, `Co., Ltd.` ignored) and the product name equals the device's model name, or contains it as
//!   whole words (weaker).
//!
//! When both vendors are known they must be the same for the model and name keys. Then the version: an
//! exact `product_version` must equal the device's version (dotted numbers compared as numbers, a leading
//! `v` ignored: `V02.09` is `2.9`); a `product_version_range` is read as `vers:` (with cpsf-version's
//! comparators; `vers:generic` compares dotted numbers), or in the textual forms `<=X`, `<X`, `>=X`, `>X`,
//! `=X` (several joined by spaces or commas: all must hold), `X - Y` (both ends included), `all versions`,
//! `all versions < X`, `before X`, `prior to X`, `X and later`. A range in any other form is reported as
//! [`Undetermined`] ("range not understood") rather than guessed at; so is a version cpsf cannot compare
//! with the range. A product with no version at all refers to every version of the device.
//!
//! Confidence: high for a serial number, or a CPE or exact model number with the version confirmed; medium
//! for a wildcard model number, a product without version, or a name match; low when the device's version
//! is unknown or the name only contains the model name. One level lower when the device's vendor is unknown.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use cpsf_version::vers::{Comparator, VersRange};
use serde::Serialize;
use serde_json::Value;

use crate::asset::Asset;
use crate::cpe::{self, Cpe, Outcome};
use crate::identity::DeviceIdentity;
use crate::text::{compact, glob_match, has_wildcard, normalize_name, same_vendor};

/// Branch nesting deeper than this is not followed (with a warning).
const MAX_DEPTH: usize = 32;

/// What a product's branch path says about its version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum VersionSpec {
    Exact(String),
    Range(String),
}

/// The product identification helper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Helper {
    pub cpes: Vec<String>,
    pub model_numbers: Vec<String>,
    pub serial_numbers: Vec<String>,
    pub skus: Vec<String>,
    pub purls: Vec<String>,
}

/// A relationship product: a component on a platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relationship {
    pub category: String,
    pub component: String,
    pub platform: String,
}

/// One product id, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: String,
    pub name: Option<String>,
    pub vendor: Option<String>,
    pub family: Option<String>,
    pub product_name: Option<String>,
    pub version: Option<VersionSpec>,
    pub helper: Helper,
    pub relationship: Option<Relationship>,
}

/// A product status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Affected,
    Fixed,
    NotAffected,
    UnderInvestigation,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::NotAffected => "not-affected",
            Status::UnderInvestigation => "under-investigation",
        }
    }
}

/// `product_status` lists with their status; `recommended` says which version to use, not a status.
const STATUS_LISTS: &[(&str, Status)] = &[
    ("known_affected", Status::Affected),
    ("first_affected", Status::Affected),
    ("last_affected", Status::Affected),
    ("fixed", Status::Fixed),
    ("first_fixed", Status::Fixed),
    ("known_not_affected", Status::NotAffected),
    ("under_investigation", Status::UnderInvestigation),
];

/// A CVSS score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cvss {
    /// `3.1`, `3.0` or `2.0`.
    pub version: String,
    pub base_score: Option<f64>,
    pub severity: Option<String>,
    pub vector: Option<String>,
}

/// A score and the products it is for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    pub products: Vec<String>,
    pub cvss: Cvss,
}

/// A remediation and the products it is for (groups expanded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Remediation {
    pub category: String,
    pub details: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip)]
    pub products: Vec<String>,
}

/// One vulnerability of an advisory.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Vulnerability {
    pub cve: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub status: Vec<(String, Status)>,
    pub scores: Vec<Score>,
    pub remediations: Vec<Remediation>,
}

/// A read advisory.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Advisory {
    /// `document.tracking.id`.
    pub id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub category: Option<String>,
    pub csaf_version: Option<String>,
    pub release_date: Option<String>,
    pub products: BTreeMap<String, Product>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub warnings: Vec<String>,
}

/// Why a document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsafError {
    #[error("{origin}: line {line}, column {column}: {message}")]
    Json { origin: String, line: usize, column: usize, message: String },
    #[error("{origin}: {message}")]
    NotCsaf { origin: String, message: String },
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| string(Some(x))).collect()).unwrap_or_default()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Read a CSAF 2.0 document (JSON).
pub fn read(origin: &str, text: &str) -> Result<Advisory, CsafError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| CsafError::Json {
        origin: origin.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    from_value(origin, &doc)
}

/// Read a CSAF 2.0 document already parsed as JSON.
pub fn from_value(origin: &str, doc: &Value) -> Result<Advisory, CsafError> {
    let not_csaf = |message: String| CsafError::NotCsaf { origin: origin.to_string(), message };
    let Some(document) = doc.get("document").filter(|d| d.is_object()) else {
        return Err(not_csaf(format!(
            "expected a CSAF document: a JSON object with a `document` object, found {}",
            match doc.get("document") {
                Some(d) => format!("`document` as a {}", kind(d)),
                None => format!("a {} without `document`", kind(doc)),
            }
        )));
    };
    let mut adv = Advisory {
        id: string(document.pointer("/tracking/id")).unwrap_or_default(),
        title: string(document.get("title")),
        publisher: string(document.pointer("/publisher/name")),
        category: string(document.get("category")),
        csaf_version: string(document.get("csaf_version")),
        release_date: string(document.pointer("/tracking/current_release_date"))
            .or_else(|| string(document.pointer("/tracking/initial_release_date"))),
        ..Advisory::default()
    };
    if adv.id.is_empty() {
        adv.warnings.push("document.tracking.id is missing; findings name the advisory by its file".into());
        adv.id = origin.to_string();
    }
    if let Some(v) = &adv.csaf_version
        && v != "2.0"
    {
        adv.warnings.push(format!("csaf_version is `{v}`; read as CSAF 2.0"));
    }
    if let Some(tree) = doc.get("product_tree") {
        read_tree(tree, &mut adv);
    }
    match doc.get("vulnerabilities") {
        None => {}
        Some(Value::Array(list)) => {
            for (i, v) in list.iter().enumerate() {
                if !v.is_object() {
                    adv.warnings
                        .push(format!("vulnerabilities[{i}]: expected an object, found a {}; skipped", kind(v)));
                    continue;
                }
                let vuln = read_vulnerability(i, v, &mut adv);
                adv.vulnerabilities.push(vuln);
            }
        }
        Some(other) => {
            adv.warnings.push(format!("vulnerabilities: expected an array, found a {}; ignored", kind(other)))
        }
    }
    Ok(adv)
}

fn read_helper(v: Option<&Value>) -> Helper {
    let Some(h) = v else { return Helper::default() };
    Helper {
        cpes: string(h.get("cpe")).into_iter().collect(),
        model_numbers: strings(h.get("model_numbers")),
        serial_numbers: strings(h.get("serial_numbers")),
        skus: strings(h.get("skus")),
        purls: string(h.get("purl")).into_iter().collect(),
    }
}

/// The path facts collected while walking down branches.
#[derive(Clone, Default)]
struct Path {
    vendor: Option<String>,
    family: Option<String>,
    product_name: Option<String>,
    version: Option<VersionSpec>,
}

fn add_product(adv: &mut Advisory, fpn: &Value, path: &Path, where_: &str) {
    let Some(id) = string(fpn.get("product_id")) else {
        adv.warnings.push(format!("{where_}: a product without `product_id`; skipped"));
        return;
    };
    let product = Product {
        id: id.clone(),
        name: string(fpn.get("name")),
        vendor: path.vendor.clone(),
        family: path.family.clone(),
        product_name: path.product_name.clone(),
        version: path.version.clone(),
        helper: read_helper(fpn.get("product_identification_helper")),
        relationship: None,
    };
    if adv.products.contains_key(&id) {
        adv.warnings.push(format!("{where_}: product id `{id}` is defined twice; the first is kept"));
        return;
    }
    adv.products.insert(id, product);
}

fn walk(adv: &mut Advisory, branches: &Value, path: &Path, where_: &str, depth: usize) {
    let Some(list) = branches.as_array() else {
        adv.warnings.push(format!("{where_}: expected an array of branches, found a {}", kind(branches)));
        return;
    };
    if depth > MAX_DEPTH {
        adv.warnings.push(format!("{where_}: branches nested deeper than {MAX_DEPTH}; not read"));
        return;
    }
    for (i, b) in list.iter().enumerate() {
        let here = format!("{where_}[{i}]");
        let mut p = path.clone();
        let name = string(b.get("name"));
        match (b.get("category").and_then(Value::as_str), name) {
            (Some("vendor"), Some(n)) => p.vendor = Some(n),
            (Some("product_family"), Some(n)) => p.family = Some(n),
            (Some("product_name"), Some(n)) => p.product_name = Some(n),
            (Some("product_version"), Some(n)) => p.version = Some(VersionSpec::Exact(n)),
            (Some("product_version_range"), Some(n)) => p.version = Some(VersionSpec::Range(n)),
            (Some(_), Some(_)) => {}
            _ => adv.warnings.push(format!("{here}: a branch without `category` or `name`")),
        }
        if let Some(product) = b.get("product") {
            add_product(adv, product, &p, &format!("{here}.product"));
        }
        if let Some(children) = b.get("branches") {
            walk(adv, children, &p, &format!("{here}.branches"), depth + 1);
        }
    }
}

fn read_tree(tree: &Value, adv: &mut Advisory) {
    if let Some(branches) = tree.get("branches") {
        walk(adv, branches, &Path::default(), "product_tree.branches", 0);
    }
    for (i, fpn) in tree.get("full_product_names").and_then(Value::as_array).into_iter().flatten().enumerate() {
        add_product(adv, fpn, &Path::default(), &format!("product_tree.full_product_names[{i}]"));
    }
    for (i, g) in tree.get("product_groups").and_then(Value::as_array).into_iter().flatten().enumerate() {
        match string(g.get("group_id")) {
            Some(id) => {
                adv.groups.insert(id, strings(g.get("product_ids")));
            }
            None => adv.warnings.push(format!("product_tree.product_groups[{i}]: no `group_id`; skipped")),
        }
    }
    for (i, r) in tree.get("relationships").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let where_ = format!("product_tree.relationships[{i}]");
        let (Some(component), Some(platform), Some(fpn)) = (
            string(r.get("product_reference")),
            string(r.get("relates_to_product_reference")),
            r.get("full_product_name"),
        ) else {
            adv.warnings.push(format!(
                "{where_}: expected `product_reference`, `relates_to_product_reference` and `full_product_name`; skipped"
            ));
            continue;
        };
        let category = string(r.get("category")).unwrap_or_default();
        add_product(adv, fpn, &Path::default(), &format!("{where_}.full_product_name"));
        if let Some(id) = string(fpn.get("product_id"))
            && let Some(p) = adv.products.get_mut(&id)
            && p.relationship.is_none()
        {
            p.relationship = Some(Relationship { category, component, platform });
        }
    }
}

fn read_vulnerability(i: usize, v: &Value, adv: &mut Advisory) -> Vulnerability {
    let mut out = Vulnerability {
        cve: string(v.get("cve")),
        title: string(v.get("title")),
        summary: v.get("notes").and_then(Value::as_array).and_then(|notes| {
            let of = |cat: &str| notes.iter().find(|n| n.get("category").and_then(Value::as_str) == Some(cat));
            of("summary").or_else(|| of("description")).and_then(|n| string(n.get("text")))
        }),
        ..Vulnerability::default()
    };
    if let Some(status) = v.get("product_status") {
        for (list, st) in STATUS_LISTS {
            for id in strings(status.get(*list)) {
                if !adv.products.contains_key(&id) {
                    adv.warnings.push(format!("vulnerabilities[{i}].product_status.{list}: unknown product id `{id}`"));
                }
                out.status.push((id, *st));
            }
        }
    }
    let expand = |node: &Value, groups: &BTreeMap<String, Vec<String>>| -> Vec<String> {
        let mut ids = strings(node.get("product_ids"));
        for g in strings(node.get("group_ids")) {
            ids.extend(groups.get(&g).cloned().unwrap_or_default());
        }
        ids
    };
    for s in v.get("scores").and_then(Value::as_array).into_iter().flatten() {
        let products = strings(s.get("products"));
        for (key, fallback) in [("cvss_v3", "3.x"), ("cvss_v2", "2.0")] {
            if let Some(c) = s.get(key) {
                out.scores.push(Score {
                    products: products.clone(),
                    cvss: Cvss {
                        version: string(c.get("version")).unwrap_or_else(|| fallback.to_string()),
                        base_score: c.get("baseScore").and_then(Value::as_f64),
                        severity: string(c.get("baseSeverity")),
                        vector: string(c.get("vectorString")),
                    },
                });
            }
        }
    }
    for r in v.get("remediations").and_then(Value::as_array).into_iter().flatten() {
        out.remediations.push(Remediation {
            category: string(r.get("category")).unwrap_or_default(),
            details: string(r.get("details")).unwrap_or_default(),
            url: string(r.get("url")),
            products: expand(r, &adv.groups),
        });
    }
    out
}

/// What a product's names, numbers and version are once relationships are followed.
#[derive(Clone, Debug, Default)]
struct Resolved {
    vendors: Vec<String>,
    names: Vec<String>,
    models: Vec<String>,
    serials: Vec<String>,
    cpes: Vec<String>,
    version: Option<VersionSpec>,
}

fn resolve(adv: &Advisory, id: &str, depth: usize) -> Resolved {
    let mut out = Resolved::default();
    let Some(p) = adv.products.get(id) else { return out };
    if let Some(rel) = &p.relationship
        && depth < 4
    {
        let component = resolve(adv, &rel.component, depth + 1);
        let platform = resolve(adv, &rel.platform, depth + 1);
        out.vendors = platform.vendors.into_iter().chain(component.vendors).collect();
        out.names = platform.names.into_iter().chain(component.names).collect();
        out.models = platform.models.into_iter().chain(component.models).collect();
        out.serials = platform.serials.into_iter().chain(component.serials).collect();
        out.cpes = component.cpes.into_iter().chain(platform.cpes).collect();
        out.version = component.version.or(platform.version);
    } else {
        out.vendors.extend(p.vendor.clone());
        out.names.extend(p.product_name.clone());
        if p.product_name.is_none() {
            out.names.extend(p.family.clone());
        }
        out.models = p.helper.model_numbers.iter().chain(&p.helper.skus).cloned().collect();
        out.serials = p.helper.serial_numbers.clone();
        out.version = p.version.clone();
    }
    out.cpes.extend(p.helper.cpes.iter().cloned());
    out
}

/// Which key matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    SerialNumber,
    Cpe,
    ModelNumber,
    NameVersion,
}

/// How sure a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    fn lower(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

/// How the version was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionCheck {
    /// Equal to the product's version, or inside its range.
    Confirmed,
    /// The product names no version: every version.
    NotStated,
    /// The device's version is not known.
    DeviceVersionUnknown,
}

/// One advisory statement about one asset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetFinding {
    pub asset: String,
    /// `document.tracking.id`.
    pub advisory: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub product_id: String,
    pub product: String,
    pub status: Status,
    pub matched_by: MatchedBy,
    pub confidence: Confidence,
    pub version_check: VersionCheck,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    pub remediation: Vec<Remediation>,
}

/// A product that refers to an asset but whose version range cpsf could not evaluate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Undetermined {
    pub asset: String,
    pub advisory: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    pub product_id: String,
    pub status: Status,
    pub range: String,
    pub reason: String,
}

/// The outcome of matching advisories to assets.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MatchReport {
    pub findings: Vec<AssetFinding>,
    pub undetermined: Vec<Undetermined>,
}

/// A version as dotted numbers (`V2.9.4` → [2, 9, 4]); `None` when it is anything else.
pub fn dotted(version: &str) -> Option<Vec<u64>> {
    let t = version.trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t).trim_start();
    if t.is_empty() {
        return None;
    }
    t.split('.')
        .map(|p| {
            if !p.is_empty() && p.len() <= 18 && p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None }
        })
        .collect()
}

fn cmp_dotted(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| a.get(i).copied().unwrap_or(0).cmp(&b.get(i).copied().unwrap_or(0)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Whether two version texts name the same version: as dotted numbers when both are, else equal ignoring
/// case and a leading `v`.
pub fn same_version(a: &str, b: &str) -> bool {
    match (dotted(a), dotted(b)) {
        (Some(x), Some(y)) => cmp_dotted(&x, &y) == Ordering::Equal,
        _ => {
            let strip = |s: &str| {
                let t = s.trim();
                t.strip_prefix(['v', 'V']).unwrap_or(t).trim().to_lowercase()
            };
            strip(a) == strip(b)
        }
    }
}

/// A version range cpsf can evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Range {
    All,
    /// `vers:` with a scheme cpsf-version orders.
    Vers(VersRange),
    /// Constraints over dotted numbers with `vers` semantics (`vers:generic`).
    GenericVers(Vec<(Comparator, Vec<u64>)>),
    /// Constraints over dotted numbers that must all hold (the textual forms).
    Conjunction(Vec<(Comparator, Vec<u64>)>),
}

impl Range {
    /// Whether a version is in the range: `Some(true|false)`, or `None` when the version cannot be compared
    /// with it.
    pub fn contains(&self, version: &str) -> Option<bool> {
        match self {
            Range::All => Some(true),
            Range::Vers(r) => {
                if r.scheme.parse(version).is_err() {
                    return None;
                }
                Some(r.contains(version))
            }
            Range::Conjunction(cs) => {
                let v = dotted(version)?;
                Some(cs.iter().all(|(op, x)| holds(*op, cmp_dotted(&v, x))))
            }
            Range::GenericVers(cs) => {
                let v = dotted(version)?;
                Some(vers_contains(&v, cs))
            }
        }
    }
}

fn holds(op: Comparator, ord: Ordering) -> bool {
    match op {
        Comparator::Eq => ord.is_eq(),
        Comparator::Ne => ord.is_ne(),
        Comparator::Lt => ord.is_lt(),
        Comparator::Le => ord.is_le(),
        Comparator::Gt => ord.is_gt(),
        Comparator::Ge => ord.is_ge(),
    }
}

/// The `vers` containment algorithm over dotted numbers: equalities first, then the sorted comparators as
/// contiguous intervals.
fn vers_contains(v: &[u64], constraints: &[(Comparator, Vec<u64>)]) -> bool {
    for (op, x) in constraints {
        if cmp_dotted(v, x).is_eq() {
            match op {
                Comparator::Eq | Comparator::Le | Comparator::Ge => return true,
                Comparator::Ne => return false,
                _ => {}
            }
        }
    }
    let mut ranges: Vec<&(Comparator, Vec<u64>)> =
        constraints.iter().filter(|(op, _)| !matches!(op, Comparator::Eq | Comparator::Ne)).collect();
    ranges.sort_by(|a, b| cmp_dotted(&a.1, &b.1));
    let lower = |op: Comparator| matches!(op, Comparator::Gt | Comparator::Ge);
    let upper = |op: Comparator| matches!(op, Comparator::Lt | Comparator::Le);
    for (i, (op, x)) in ranges.iter().map(|c| (c.0, &c.1)).enumerate() {
        let order = cmp_dotted(v, x);
        if i == 0 && upper(op) && order.is_lt() {
            return true;
        }
        if i + 1 == ranges.len() && lower(op) && order.is_gt() {
            return true;
        }
        if let Some(next) = ranges.get(i + 1)
            && lower(op)
            && upper(next.0)
            && order.is_gt()
            && cmp_dotted(v, &next.1).is_lt()
        {
            return true;
        }
    }
    false
}

fn comparator(token: &str) -> Option<(Comparator, &str)> {
    let t = token.trim();
    for (prefix, op) in [
        ("<=", Comparator::Le),
        (">=", Comparator::Ge),
        ("!=", Comparator::Ne),
        ("≤", Comparator::Le),
        ("≥", Comparator::Ge),
        ("<", Comparator::Lt),
        (">", Comparator::Gt),
        ("=", Comparator::Eq),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return Some((op, rest.trim()));
        }
    }
    None
}

/// Read a `product_version_range` (see the module documentation); the error says why it is not understood.
pub fn parse_range(text: &str) -> Result<Range, String> {
    let t = text.trim();
    if t.to_ascii_lowercase().starts_with("vers:") {
        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(rest) =
            compact.get(5..).and_then(|r| r.strip_prefix("generic/").or_else(|| r.strip_prefix("GENERIC/")))
        {
            if rest == "*" {
                return Ok(Range::All);
            }
            let mut cs = Vec::new();
            for part in rest.split('|') {
                let (op, v) = comparator(part).unwrap_or((Comparator::Eq, part));
                let n = dotted(v).ok_or_else(|| format!("`{v}` is not a version of dotted numbers"))?;
                cs.push((op, n));
            }
            return Ok(Range::GenericVers(cs));
        }
        return VersRange::parse(t).map(Range::Vers).map_err(|e| e.reason);
    }
    let lower = t.to_lowercase();
    let mut rest = lower.as_str().trim();
    for prefix in ["all versions", "all version", "all"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r.trim();
            break;
        }
    }
    if rest.is_empty() {
        return Ok(Range::All);
    }
    let unknown = || format!("the range `{text}` is in no form cpsf reads");
    let one = |v: &str| dotted(v).ok_or_else(unknown);
    for prefix in ["before", "prior to", "earlier than", "older than"] {
        if let Some(v) = rest.strip_prefix(prefix) {
            return Ok(Range::Conjunction(vec![(Comparator::Lt, one(v)?)]));
        }
    }
    for suffix in ["and later", "and above", "or later", "and newer", "or higher", "and higher"] {
        if let Some(v) = rest.strip_suffix(suffix) {
            return Ok(Range::Conjunction(vec![(Comparator::Ge, one(v)?)]));
        }
    }
    for sep in [" - ", " – ", " to "] {
        if let Some((a, b)) = rest.split_once(sep) {
            return Ok(Range::Conjunction(vec![(Comparator::Ge, one(a)?), (Comparator::Le, one(b)?)]));
        }
    }
    // Comparators joined by spaces, commas or `and`; an operator may stand apart from its version.
    let mut tokens: Vec<String> = Vec::new();
    for raw in rest.split([',', ' ', '\t']).filter(|s| !s.is_empty() && *s != "and" && *s != "&&") {
        match tokens.last_mut() {
            Some(last) if comparator(last).is_some_and(|(_, v)| v.is_empty()) => last.push_str(raw),
            _ => tokens.push(raw.to_string()),
        }
    }
    let mut cs = Vec::new();
    for token in &tokens {
        let (op, v) = comparator(token).ok_or_else(unknown)?;
        cs.push((op, one(v)?));
    }
    if cs.is_empty() { Err(unknown()) } else { Ok(Range::Conjunction(cs)) }
}

/// How a product refers to a device, before the version.
struct KeyMatch {
    by: MatchedBy,
    confidence: Confidence,
    /// Set when a CPE settled the version.
    cpe_version: Option<Outcome>,
}

fn key_match(identity: &DeviceIdentity, r: &Resolved) -> Option<KeyMatch> {
    let vendor_known = identity.vendor.as_deref().is_some_and(|v| !v.trim().is_empty());
    let vendor_conflict = vendor_known
        && !r.vendors.is_empty()
        && !r.vendors.iter().any(|v| identity.vendor.as_deref().is_some_and(|i| same_vendor(i, v)));
    if let Some(serial) = identity.serial.as_deref().map(compact).filter(|s| !s.is_empty())
        && !vendor_conflict
        && r.serials.iter().any(|p| glob_match(&compact(p), &serial))
    {
        return Some(KeyMatch { by: MatchedBy::SerialNumber, confidence: Confidence::High, cpe_version: None });
    }
    let asset_cpes: Vec<Cpe> = identity.cpes.iter().filter_map(|c| Cpe::parse(c)).collect();
    let mut best_cpe: Option<Outcome> = None;
    for pattern in r.cpes.iter().filter_map(|c| Cpe::parse(c)) {
        for name in &asset_cpes {
            match cpe::match_cpe(&pattern, name) {
                Some(Outcome::Match) => best_cpe = Some(Outcome::Match),
                Some(Outcome::Unknown) if best_cpe != Some(Outcome::Match) => best_cpe = Some(Outcome::Unknown),
                Some(Outcome::NoMatch) if best_cpe.is_none() => best_cpe = Some(Outcome::NoMatch),
                _ => {}
            }
        }
    }
    match best_cpe {
        Some(Outcome::NoMatch) => return None,
        Some(outcome) => {
            return Some(KeyMatch { by: MatchedBy::Cpe, confidence: Confidence::High, cpe_version: Some(outcome) });
        }
        None => {}
    }
    if vendor_conflict {
        return None;
    }
    let downgrade = |c: Confidence| if vendor_known { c } else { c.lower() };
    let device_models: Vec<String> = [identity.model.as_deref(), identity.product.as_deref()]
        .into_iter()
        .flatten()
        .map(compact)
        .filter(|m| !m.is_empty())
        .collect();
    for pattern in &r.models {
        let p = compact(pattern);
        if p.is_empty() {
            continue;
        }
        if device_models.iter().any(|m| glob_match(&p, m)) {
            let confidence = if has_wildcard(&p) { Confidence::Medium } else { Confidence::High };
            return Some(KeyMatch { by: MatchedBy::ModelNumber, confidence: downgrade(confidence), cpe_version: None });
        }
    }
    if !vendor_known || r.vendors.is_empty() {
        return None;
    }
    let product = normalize_name(identity.product.as_deref().unwrap_or(""));
    if product.is_empty() {
        return None;
    }
    for name in &r.names {
        let n = normalize_name(name);
        if n == product {
            return Some(KeyMatch { by: MatchedBy::NameVersion, confidence: Confidence::Medium, cpe_version: None });
        }
        let specific = product.contains(' ') || product.chars().any(|c| c.is_ascii_digit());
        if specific && format!(" {n} ").contains(&format!(" {product} ")) {
            return Some(KeyMatch { by: MatchedBy::NameVersion, confidence: Confidence::Low, cpe_version: None });
        }
    }
    None
}

enum VersionOutcome {
    Check(VersionCheck),
    NoMatch,
    Undetermined(String, String),
}

fn version_outcome(identity: &DeviceIdentity, r: &Resolved, cpe_version: Option<Outcome>) -> VersionOutcome {
    if cpe_version == Some(Outcome::Match) {
        return VersionOutcome::Check(VersionCheck::Confirmed);
    }
    let device = identity.version.as_deref().map(str::trim).filter(|v| !v.is_empty());
    match &r.version {
        None => match cpe_version {
            Some(Outcome::Unknown) => VersionOutcome::Check(VersionCheck::DeviceVersionUnknown),
            _ => VersionOutcome::Check(VersionCheck::NotStated),
        },
        Some(VersionSpec::Exact(v)) => match device {
            None => VersionOutcome::Check(VersionCheck::DeviceVersionUnknown),
            Some(d) if same_version(v, d) => VersionOutcome::Check(VersionCheck::Confirmed),
            Some(_) => VersionOutcome::NoMatch,
        },
        Some(VersionSpec::Range(text)) => match parse_range(text) {
            Err(reason) => VersionOutcome::Undetermined(text.clone(), format!("range not understood: {reason}")),
            Ok(range) => match device {
                None => VersionOutcome::Check(VersionCheck::DeviceVersionUnknown),
                Some(d) => match range.contains(d) {
                    Some(true) => VersionOutcome::Check(VersionCheck::Confirmed),
                    Some(false) => VersionOutcome::NoMatch,
                    None => VersionOutcome::Undetermined(
                        text.clone(),
                        format!("the device's version `{d}` cannot be compared with this range"),
                    ),
                },
            },
        },
    }
}

fn product_label(adv: &Advisory, id: &str) -> String {
    let Some(p) = adv.products.get(id) else { return id.to_string() };
    if let Some(name) = &p.name {
        return name.clone();
    }
    let version = match &p.version {
        Some(VersionSpec::Exact(v)) | Some(VersionSpec::Range(v)) => Some(v.as_str()),
        None => None,
    };
    [p.vendor.as_deref(), p.product_name.as_deref(), version].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// Match one advisory against devices, given as `(asset id, identity)`.
pub fn match_identities(adv: &Advisory, devices: &[(String, DeviceIdentity)], report: &mut MatchReport) {
    let mut resolved: BTreeMap<&str, Resolved> = BTreeMap::new();
    for (asset, identity) in devices {
        let mut best: BTreeMap<(usize, Status), AssetFinding> = BTreeMap::new();
        for (vi, vuln) in adv.vulnerabilities.iter().enumerate() {
            for (pid, status) in &vuln.status {
                let r = resolved.entry(pid.as_str()).or_insert_with(|| resolve(adv, pid, 0));
                let Some(key) = key_match(identity, r) else { continue };
                let check = match version_outcome(identity, r, key.cpe_version) {
                    VersionOutcome::NoMatch => continue,
                    VersionOutcome::Undetermined(range, reason) => {
                        let u = Undetermined {
                            asset: asset.clone(),
                            advisory: adv.id.clone(),
                            cve: vuln.cve.clone(),
                            product_id: pid.clone(),
                            status: *status,
                            range,
                            reason,
                        };
                        if !report.undetermined.contains(&u) {
                            report.undetermined.push(u);
                        }
                        continue;
                    }
                    VersionOutcome::Check(c) => c,
                };
                let confidence = match check {
                    VersionCheck::Confirmed => key.confidence,
                    // A serial number names the unit itself; otherwise a product without version is broad.
                    VersionCheck::NotStated if key.by == MatchedBy::SerialNumber => key.confidence,
                    VersionCheck::NotStated => key.confidence.min(Confidence::Medium),
                    VersionCheck::DeviceVersionUnknown => Confidence::Low,
                };
                let cvss = vuln
                    .scores
                    .iter()
                    .find(|s| s.products.iter().any(|p| p == pid) && s.cvss.version.starts_with('3'))
                    .or_else(|| vuln.scores.iter().find(|s| s.products.iter().any(|p| p == pid)))
                    .map(|s| s.cvss.clone());
                let remediation =
                    vuln.remediations.iter().filter(|r| r.products.iter().any(|p| p == pid)).cloned().collect();
                let finding = AssetFinding {
                    asset: asset.clone(),
                    advisory: adv.id.clone(),
                    cve: vuln.cve.clone(),
                    title: vuln.title.clone(),
                    product_id: pid.clone(),
                    product: product_label(adv, pid),
                    status: *status,
                    matched_by: key.by,
                    confidence,
                    version_check: check,
                    cvss,
                    remediation,
                };
                let slot = best.entry((vi, *status)).or_insert_with(|| finding.clone());
                if finding.confidence > slot.confidence {
                    *slot = finding;
                }
            }
        }
        report.findings.extend(best.into_values());
    }
}

/// Match advisories against the assets of an inventory (by [`Asset::identity`]).
pub fn match_assets(advisories: &[Advisory], assets: &[Asset]) -> MatchReport {
    let devices: Vec<(String, DeviceIdentity)> = assets.iter().map(|a| (a.id.clone(), a.identity())).collect();
    let mut report = MatchReport::default();
    for adv in advisories {
        match_identities(adv, &devices, &mut report);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = parse_range("<=2.9.4").unwrap();
        assert_eq!(r.contains("V2.9.4"), Some(true));
        assert_eq!(r.contains("2.10"), Some(false));
        assert_eq!(r.contains("beta"), None);
        let r = parse_range("V1.0 - V2.3").unwrap();
        assert_eq!(r.contains("1.5"), Some(true));
        assert_eq!(r.contains("2.3"), Some(true));
        assert_eq!(r.contains("2.3.1"), Some(false));
        assert_eq!(parse_range("All versions").unwrap().contains("anything"), Some(true));
        let r = parse_range("All versions < V3.1").unwrap();
        assert_eq!(r.contains("3.0.9"), Some(true));
        assert_eq!(r.contains("3.1"), Some(false));
        let r = parse_range(">= 2.0, < 2.5").unwrap();
        assert_eq!(r.contains("2.4"), Some(true));
        assert_eq!(r.contains("2.5"), Some(false));
        let r = parse_range("vers:generic/>=1.0|<1.4|>=2.0|<2.2").unwrap();
        assert_eq!(r.contains("1.3"), Some(true));
        assert_eq!(r.contains("1.5"), Some(false));
        assert_eq!(r.contains("2.1"), Some(true));
        let r = parse_range("vers:npm/>=1.0.0|<2.0.0").unwrap();
        assert_eq!(r.contains("1.5.0"), Some(true));
        assert_eq!(r.contains("V1.5"), None);
        assert_eq!(parse_range("3.0 and later").unwrap().contains("3.2"), Some(true));
        assert!(parse_range("before V4").is_ok());
        assert!(parse_range("2.x").is_err());
        assert!(parse_range("V2.9").is_err());
        assert!(parse_range("firmware versions affected by the flaw").is_err());
        assert!(parse_range("vers:unknownscheme/1.0").is_err());
    }

    #[test]
    fn versions() {
        assert!(same_version("V02.09", "2.9.0"));
        assert!(same_version("v2.9 sp1", "V2.9 SP1"));
        assert!(!same_version("2.9", "2.10"));
        assert_eq!(dotted("V 4.2"), Some(vec![4, 2]));
        assert_eq!(dotted("4.2a"), None);
    }
}
