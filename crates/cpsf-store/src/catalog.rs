//! Products, their versions (releases), the SBOMs uploaded for each version, their components and dependency
//! edges, and the portfolio-wide component search.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use cpsf_model::{Component, ComponentKind, Purl, Scope};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::audit::{list_text, record};
use crate::db::{Db, LockClass, Params, Row, Value};
use crate::findings::{SeverityCounts, add_counts};
use crate::{Store, StoreError, check_name, time_util};

/// A product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub created: OffsetDateTime,
}

/// A version (release) of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: i64,
    pub product_id: i64,
    pub product: String,
    pub version: String,
    pub created: OffsetDateTime,
    /// The SBOM uploaded last for this version, if any.
    pub current_sbom_id: Option<i64>,
}

/// A version with its current SBOM's size and its open findings.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionSummary {
    pub version: VersionInfo,
    /// Components in the current SBOM (0 without one).
    pub component_count: i64,
    /// Open findings by severity, leaving out those triaged as not affecting the version
    /// ([`crate::AnalysisState::suppresses`]).
    pub open: SeverityCounts,
    /// How many of those are in CISA's KEV catalog.
    pub open_kev: i64,
}

/// A product with its versions.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSummary {
    pub product: Product,
    /// By version text.
    pub versions: Vec<VersionSummary>,
}

/// An SBOM to store: its format, the document exactly as received, and the components read from it.
#[derive(Debug, Clone, Default)]
pub struct NewSbom {
    /// e.g. `cyclonedx-json-1.6`, `spdx-json-2.3`.
    pub format: String,
    /// The raw document bytes, kept as received for export.
    pub document: Vec<u8>,
    /// The components; each one's `dependencies` become the SBOM's edges.
    pub components: Vec<Component>,
}

/// What [`Store::ingest_sbom`] stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub product_id: i64,
    pub version_id: i64,
    pub sbom_id: i64,
    /// SHA-256 of the document, hex.
    pub sha256: String,
    pub component_count: i64,
    pub edge_count: i64,
    pub created_product: bool,
    pub created_version: bool,
}

/// A stored SBOM, without its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomInfo {
    pub id: i64,
    pub version_id: i64,
    pub format: String,
    pub sha256: String,
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: String,
    pub component_count: i64,
    /// The document's size in bytes.
    pub size: i64,
}

/// A component as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComponent {
    pub id: i64,
    pub sbom_id: i64,
    pub bom_ref: String,
    /// CycloneDX component type (`library`, `application`, ...).
    pub kind: String,
    pub name: String,
    pub group: Option<String>,
    pub version: Option<String>,
    /// The canonical purl.
    pub purl: Option<String>,
    pub licenses: Vec<String>,
    pub scope: Option<Scope>,
    pub direct: Option<bool>,
}

impl StoredComponent {
    /// The component in the domain model (the purl parsed again; hashes, supplier and the other fields the store
    /// does not keep are empty). Dependencies come from [`Store::model_components`].
    pub fn to_model(&self) -> Component {
        Component {
            bom_ref: self.bom_ref.clone(),
            kind: ComponentKind::from_cyclonedx(&self.kind).unwrap_or_default(),
            group: self.group.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            purl: self.purl.as_deref().and_then(|p| Purl::from_str(p).ok()),
            scope: self.scope,
            direct: self.direct,
            licenses: self.licenses.clone(),
            ..Component::default()
        }
    }
}

/// A dependency edge of an SBOM: `from` depends on `to` (both `bom_ref`s).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
}

/// A version's current SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSbom {
    pub product_id: i64,
    pub product: String,
    pub version_id: i64,
    pub version: String,
    pub sbom_id: i64,
}

/// A portfolio component search. Give `purl` or `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentQuery {
    /// A purl: with a version it must match exactly (canonical form); without one it matches every version of
    /// the package (qualifiers and subpath are ignored then).
    pub purl: Option<String>,
    /// A component name, compared case-insensitively.
    pub name: Option<String>,
    /// With `name`: the group (Maven groupId, npm scope), exact.
    pub group: Option<String>,
    /// An exact version (version ranges are left to the caller, who knows the ecosystem's order).
    pub version: Option<String>,
    /// Only the versions' current SBOMs (what the releases ship); `false` searches superseded SBOMs too.
    pub current_only: bool,
    /// At most this many hits.
    pub limit: u32,
}

impl Default for ComponentQuery {
    fn default() -> Self {
        ComponentQuery { purl: None, name: None, group: None, version: None, current_only: true, limit: 1_000 }
    }
}

/// A component found by [`Store::search_components`], with where it ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentHit {
    pub product_id: i64,
    pub product: String,
    pub version_id: i64,
    pub version: String,
    pub component: StoredComponent,
}

const VERSION_COLUMNS: &str = "v.id, v.product_id, p.name, v.version, v.created, v.current_sbom_id";
const SBOM_COLUMNS: &str =
    "s.id, s.version_id, s.format, s.sha256, s.uploaded_at, s.uploaded_by, s.component_count, LENGTH(s.document)";
const COMPONENT_COLUMNS: &str =
    "c.id, c.sbom_id, c.bom_ref, c.kind, c.name, c.group_name, c.version, c.purl, c.licenses, c.scope, c.direct";
const COMPONENT_INSERT: &[&str] = &[
    "sbom_id",
    "bom_ref",
    "kind",
    "name",
    "name_lower",
    "group_name",
    "version",
    "purl",
    "purl_key",
    "licenses",
    "scope",
    "direct",
];

fn version_info(row: &Row, at: usize) -> Result<VersionInfo, StoreError> {
    Ok(VersionInfo {
        id: row.int(at)?,
        product_id: row.int(at + 1)?,
        product: row.text(at + 2)?,
        version: row.text(at + 3)?,
        created: row.time(at + 4)?,
        current_sbom_id: row.opt_int(at + 5)?,
    })
}

fn sbom_info(row: &Row) -> Result<SbomInfo, StoreError> {
    Ok(SbomInfo {
        id: row.int(0)?,
        version_id: row.int(1)?,
        format: row.text(2)?,
        sha256: row.text(3)?,
        uploaded_at: row.time(4)?,
        uploaded_by: row.text(5)?,
        component_count: row.int(6)?,
        size: row.opt_int(7)?.unwrap_or(0),
    })
}

fn scope_text(scope: Option<Scope>) -> Value {
    match scope {
        Some(Scope::Required) => "required".into(),
        Some(Scope::Optional) => "optional".into(),
        Some(Scope::Dev) => "dev".into(),
        None => Value::Null,
    }
}

fn component(row: &Row, at: usize) -> Result<StoredComponent, StoreError> {
    let scope = match row.opt_text(at + 9)?.as_deref() {
        None => None,
        Some("required") => Some(Scope::Required),
        Some("optional") => Some(Scope::Optional),
        Some("dev") => Some(Scope::Dev),
        Some(other) => return Err(StoreError::invalid(format!("stored component scope {other:?}"))),
    };
    Ok(StoredComponent {
        id: row.int(at)?,
        sbom_id: row.int(at + 1)?,
        bom_ref: row.text(at + 2)?,
        kind: row.text(at + 3)?,
        name: row.text(at + 4)?,
        group: row.opt_text(at + 5)?,
        version: row.opt_text(at + 6)?,
        purl: row.opt_text(at + 7)?,
        licenses: row.string_list(at + 8)?,
        scope,
        direct: row.opt_bool(at + 10)?,
    })
}

/// The id of `product`, created (and audited as `product.create`) when missing and `create`; whether it was created.
fn product_id(db: &mut dyn Db, name: &str, create: bool, who: &str) -> Result<Option<(i64, bool)>, StoreError> {
    if let Some(row) = db.query_opt("SELECT id FROM products WHERE name = $1", &[name.into()])? {
        return Ok(Some((row.int(0)?, false)));
    }
    if !create {
        return Ok(None);
    }
    check_name("product", name)?;
    let at = time_util::now();
    // ON CONFLICT: another server may have created it since the SELECT; then take theirs.
    let inserted = db.query_opt(
        "INSERT INTO products (name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
        &[name.into(), at.into()],
    )?;
    match inserted {
        Some(row) => {
            let id = row.int(0)?;
            record(db, at, who, "product.create", &format!("product:{name}"), &json!({ "id": id }))?;
            Ok(Some((id, true)))
        }
        None => Ok(Some((db.query_one("SELECT id FROM products WHERE name = $1", &[name.into()])?.int(0)?, false))),
    }
}

/// The id of `version` of product `product_id`, created (audited as `version.create`) when missing and `create`.
fn version_id(
    db: &mut dyn Db,
    product_id: i64,
    product: &str,
    version: &str,
    create: bool,
    who: &str,
) -> Result<Option<(i64, bool)>, StoreError> {
    let select = "SELECT id FROM versions WHERE product_id = $1 AND version = $2";
    if let Some(row) = db.query_opt(select, &[product_id.into(), version.into()])? {
        return Ok(Some((row.int(0)?, false)));
    }
    if !create {
        return Ok(None);
    }
    check_name("version", version)?;
    let at = time_util::now();
    let inserted = db.query_opt(
        "INSERT INTO versions (product_id, version, created) VALUES ($1, $2, $3)
         ON CONFLICT (product_id, version) DO NOTHING RETURNING id",
        &[product_id.into(), version.into(), at.into()],
    )?;
    match inserted {
        Some(row) => {
            let id = row.int(0)?;
            record(db, at, who, "version.create", &format!("product:{product}/{version}"), &json!({ "id": id }))?;
            Ok(Some((id, true)))
        }
        None => Ok(Some((db.query_one(select, &[product_id.into(), version.into()])?.int(0)?, false))),
    }
}

/// The row values of one component.
fn component_row(sbom_id: i64, c: &Component) -> Vec<Value> {
    let purl = c.purl.as_ref();
    vec![
        sbom_id.into(),
        c.bom_ref.as_str().into(),
        c.kind.as_cyclonedx().into(),
        c.name.as_str().into(),
        c.name.to_lowercase().into(),
        c.group.as_deref().into(),
        c.version.as_deref().into(),
        purl.map(ToString::to_string).into(),
        purl.map(Purl::package_key).into(),
        list_text(&c.licenses),
        scope_text(c.scope),
        c.direct.into(),
    ]
}

/// The `bom_ref`s that appear more than once, to explain a uniqueness failure.
fn duplicate_refs(components: &[Component]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for c in components {
        if !seen.insert(c.bom_ref.as_str()) {
            duplicates.insert(c.bom_ref.as_str());
        }
    }
    duplicates.into_iter().collect()
}

impl Store {
    /// The id of the product named `name`, creating it if missing. Audited as `product.create` when created.
    pub fn ensure_product(&self, name: &str, who: &str) -> Result<i64, StoreError> {
        check_name("product", name)?;
        self.write(|db| {
            product_id(db, name, true, who)?
                .map(|(id, _)| id)
                .ok_or_else(|| StoreError::not_found(format!("product {name:?}")))
        })
    }

    /// The id of `version` of product `product`, creating both if missing. Audited as `product.create` and
    /// `version.create` when created.
    pub fn ensure_version(&self, product: &str, version: &str, who: &str) -> Result<i64, StoreError> {
        check_name("product", product)?;
        check_name("version", version)?;
        self.write(|db| {
            let (pid, _) = product_id(db, product, true, who)?
                .ok_or_else(|| StoreError::not_found(format!("product {product:?}")))?;
            version_id(db, pid, product, version, true, who)?
                .map(|(id, _)| id)
                .ok_or_else(|| StoreError::not_found(format!("version {version:?} of product {product:?}")))
        })
    }

    /// The product named `name`.
    pub fn product_by_name(&self, name: &str) -> Result<Option<Product>, StoreError> {
        self.read(|db| {
            db.query_opt("SELECT id, name, created FROM products WHERE name = $1", &[name.into()])?
                .map(|r| Ok(Product { id: r.int(0)?, name: r.text(1)?, created: r.time(2)? }))
                .transpose()
        })
    }

    /// Version `version` of product `product`.
    pub fn version_by_names(&self, product: &str, version: &str) -> Result<Option<VersionInfo>, StoreError> {
        self.read(|db| {
            db.query_opt(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM versions v JOIN products p ON p.id = v.product_id
                     WHERE p.name = $1 AND v.version = $2"
                ),
                &[product.into(), version.into()],
            )?
            .map(|r| version_info(&r, 0))
            .transpose()
        })
    }

    /// The version with id `id`.
    pub fn version_by_id(&self, id: i64) -> Result<Option<VersionInfo>, StoreError> {
        self.read(|db| {
            db.query_opt(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM versions v JOIN products p ON p.id = v.product_id WHERE v.id = $1"
                ),
                &[id.into()],
            )?
            .map(|r| version_info(&r, 0))
            .transpose()
        })
    }

    /// Every product with its versions, each with its current SBOM and its open findings by severity; by name.
    pub fn list_products(&self) -> Result<Vec<ProductSummary>, StoreError> {
        self.read(|db| {
            let mut products: Vec<ProductSummary> = Vec::new();
            let mut index: HashMap<i64, usize> = HashMap::new();
            for r in db.query("SELECT id, name, created FROM products ORDER BY name", &[])? {
                let product = Product { id: r.int(0)?, name: r.text(1)?, created: r.time(2)? };
                index.insert(product.id, products.len());
                products.push(ProductSummary { product, versions: Vec::new() });
            }
            let mut counts: HashMap<i64, (SeverityCounts, i64)> = HashMap::new();
            let suppressed = crate::findings::suppressing_states_sql();
            for r in db.query(
                &format!(
                    "SELECT version_id, severity, kev, COUNT(*) FROM findings
                     WHERE fixed_at IS NULL AND (state IS NULL OR state NOT IN ({suppressed}))
                     GROUP BY version_id, severity, kev"
                ),
                &[],
            )? {
                let entry = counts.entry(r.int(0)?).or_default();
                let n = r.int(3)?;
                add_counts(&mut entry.0, &r.text(1)?, n)?;
                if r.bool(2)? {
                    entry.1 += n;
                }
            }
            let rows = db.query(
                &format!(
                    "SELECT {VERSION_COLUMNS}, COALESCE(s.component_count, 0) FROM versions v
                     JOIN products p ON p.id = v.product_id LEFT JOIN sboms s ON s.id = v.current_sbom_id
                     ORDER BY p.name, v.version"
                ),
                &[],
            )?;
            for r in rows {
                let version = version_info(&r, 0)?;
                let (open, open_kev) = counts.remove(&version.id).unwrap_or_default();
                let summary = VersionSummary { component_count: r.int(6)?, open, open_kev, version };
                if let Some(p) = index.get(&summary.version.product_id).and_then(|&i| products.get_mut(i)) {
                    p.versions.push(summary);
                }
            }
            Ok(products)
        })
    }

    /// Store an SBOM for `version` of `product` in ONE transaction: the product and version (created when
    /// missing if `auto_create`, else [`StoreError::NotFound`]), the raw document with its SHA-256, every
    /// component and edge, the version's current SBOM pointer, and an audit entry `sbom.upload` by `who`. If any
    /// part fails (e.g. two components share a `bom_ref`: [`StoreError::Conflict`]) nothing is stored.
    pub fn ingest_sbom(
        &self,
        product: &str,
        version: &str,
        upload: &NewSbom,
        who: &str,
        auto_create: bool,
    ) -> Result<Ingested, StoreError> {
        check_name("product", product)?;
        check_name("version", version)?;
        if upload.format.trim().is_empty() {
            return Err(StoreError::invalid("SBOM format is empty"));
        }
        let sha256 = hex(&Sha256::digest(&upload.document));
        let component_count = i64::try_from(upload.components.len()).unwrap_or(i64::MAX);
        self.write(|db| {
            let (product_id, created_product) = product_id(db, product, auto_create, who)?
                .ok_or_else(|| StoreError::not_found(format!("product {product:?} (and auto-create is off)")))?;
            let (version_id, created_version) = version_id(db, product_id, product, version, auto_create, who)?
                .ok_or_else(|| {
                    StoreError::not_found(format!(
                        "version {version:?} of product {product:?} (and auto-create is off)"
                    ))
                })?;
            db.lock(LockClass::Version, version_id)?;
            let at = time_util::now();
            let sbom_id = db
                .query_one(
                    "INSERT INTO sboms (version_id, format, document, sha256, uploaded_at, uploaded_by, component_count)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        version_id.into(),
                        upload.format.as_str().into(),
                        Value::Bytes(upload.document.clone()),
                        sha256.as_str().into(),
                        at.into(),
                        who.into(),
                        component_count.into(),
                    ],
                )?
                .int(0)?;
            let rows: Vec<Vec<Value>> = upload.components.iter().map(|c| component_row(sbom_id, c)).collect();
            db.insert_rows("components", COMPONENT_INSERT, &rows).map_err(|e| {
                e.conflict_as(|| {
                    format!("the SBOM repeats component bom-ref(s) {:?}", duplicate_refs(&upload.components))
                })
            })?;
            let edges: BTreeSet<(&str, &str)> = upload
                .components
                .iter()
                .flat_map(|c| c.dependencies.iter().map(move |d| (c.bom_ref.as_str(), d.as_str())))
                .collect();
            let edge_rows: Vec<Vec<Value>> =
                edges.iter().map(|(from, to)| vec![sbom_id.into(), (*from).into(), (*to).into()]).collect();
            db.insert_rows("component_edges", &["sbom_id", "from_ref", "to_ref"], &edge_rows)?;
            db.execute("UPDATE versions SET current_sbom_id = $1 WHERE id = $2", &[sbom_id.into(), version_id.into()])?;
            let edge_count = i64::try_from(edge_rows.len()).unwrap_or(i64::MAX);
            record(
                db,
                at,
                who,
                "sbom.upload",
                &format!("product:{product}/{version}"),
                &json!({
                    "sbom_id": sbom_id,
                    "format": upload.format,
                    "sha256": sha256,
                    "components": component_count,
                    "edges": edge_count,
                    "bytes": upload.document.len(),
                }),
            )?;
            Ok(Ingested {
                product_id,
                version_id,
                sbom_id,
                sha256: sha256.clone(),
                component_count,
                edge_count,
                created_product,
                created_version,
            })
        })
    }

    /// The SBOM with id `id` (without its document).
    pub fn sbom(&self, id: i64) -> Result<Option<SbomInfo>, StoreError> {
        self.read(|db| {
            db.query_opt(&format!("SELECT {SBOM_COLUMNS} FROM sboms s WHERE s.id = $1"), &[id.into()])?
                .map(|r| sbom_info(&r))
                .transpose()
        })
    }

    /// The SBOMs uploaded for a version, newest first.
    pub fn list_sboms(&self, version_id: i64) -> Result<Vec<SbomInfo>, StoreError> {
        self.read(|db| {
            db.query(
                &format!("SELECT {SBOM_COLUMNS} FROM sboms s WHERE s.version_id = $1 ORDER BY s.id DESC"),
                &[version_id.into()],
            )?
            .iter()
            .map(sbom_info)
            .collect()
        })
    }

    /// The raw document of an SBOM, exactly as uploaded.
    pub fn sbom_document(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        self.read(|db| {
            db.query_opt("SELECT document FROM sboms WHERE id = $1", &[id.into()])?
                .ok_or_else(|| StoreError::not_found(format!("SBOM {id}")))?
                .bytes(0)
        })
    }

    /// The components of an SBOM, by `bom_ref`.
    pub fn components_of_sbom(&self, sbom_id: i64) -> Result<Vec<StoredComponent>, StoreError> {
        self.read(|db| sbom_components(db, sbom_id))
    }

    /// The current SBOM of a version and its components; `None` when the version has no SBOM yet.
    pub fn current_components(&self, version_id: i64) -> Result<Option<(i64, Vec<StoredComponent>)>, StoreError> {
        self.read(|db| {
            let row = db
                .query_opt("SELECT current_sbom_id FROM versions WHERE id = $1", &[version_id.into()])?
                .ok_or_else(|| StoreError::not_found(format!("version {version_id}")))?;
            match row.opt_int(0)? {
                Some(sbom_id) => Ok(Some((sbom_id, sbom_components(db, sbom_id)?))),
                None => Ok(None),
            }
        })
    }

    /// The dependency edges of an SBOM, sorted.
    pub fn edges_of_sbom(&self, sbom_id: i64) -> Result<Vec<Edge>, StoreError> {
        self.read(|db| sbom_edges(db, sbom_id))
    }

    /// The components of an SBOM in the domain model, with their dependencies from the stored edges: what the
    /// matcher takes when advisory data changes.
    pub fn model_components(&self, sbom_id: i64) -> Result<Vec<Component>, StoreError> {
        self.read(|db| {
            let mut components: Vec<Component> =
                sbom_components(db, sbom_id)?.iter().map(StoredComponent::to_model).collect();
            let position: HashMap<String, usize> =
                components.iter().enumerate().map(|(i, c)| (c.bom_ref.clone(), i)).collect();
            for edge in sbom_edges(db, sbom_id)? {
                if let Some(c) = position.get(&edge.from).and_then(|&i| components.get_mut(i)) {
                    c.dependencies.insert(edge.to);
                }
            }
            Ok(components)
        })
    }

    /// Every version's current SBOM, by product and version (for matching everything again).
    pub fn current_sboms(&self) -> Result<Vec<CurrentSbom>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT p.id, p.name, v.id, v.version, v.current_sbom_id FROM versions v
                 JOIN products p ON p.id = v.product_id WHERE v.current_sbom_id IS NOT NULL
                 ORDER BY p.name, v.version",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(CurrentSbom {
                    product_id: r.int(0)?,
                    product: r.text(1)?,
                    version_id: r.int(2)?,
                    version: r.text(3)?,
                    sbom_id: r.int(4)?,
                })
            })
            .collect()
        })
    }

    /// Search the portfolio: the components matching `query` with the product and version that ship them, by
    /// product, version and `bom_ref`. Served by the `purl`, `(purl_key, version)` and `(name_lower, version)`
    /// indexes.
    pub fn search_components(&self, query: &ComponentQuery) -> Result<Vec<ComponentHit>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Vec::new();
        match (&query.purl, &query.name) {
            (Some(purl), None) => {
                let parsed = Purl::from_str(purl.trim())
                    .map_err(|e| StoreError::invalid(format!("search purl {purl:?}: {e}")))?;
                if parsed.version().is_some() {
                    conditions.push(format!("c.purl = {}", params.push(parsed.to_string())));
                } else {
                    conditions.push(format!("c.purl_key = {}", params.push(parsed.package_key())));
                }
            }
            (None, Some(name)) => {
                if name.trim().is_empty() {
                    return Err(StoreError::invalid("search name is empty"));
                }
                conditions.push(format!("c.name_lower = {}", params.push(name.trim().to_lowercase())));
                if let Some(group) = &query.group {
                    conditions.push(format!("c.group_name = {}", params.push(group.as_str())));
                }
            }
            _ => return Err(StoreError::invalid("a component search needs a purl or a name (one of them)")),
        }
        if let Some(version) = &query.version {
            conditions.push(format!("c.version = {}", params.push(version.as_str())));
        }
        let join = if query.current_only {
            "JOIN versions v ON v.current_sbom_id = c.sbom_id"
        } else {
            "JOIN sboms s ON s.id = c.sbom_id JOIN versions v ON v.id = s.version_id"
        };
        let limit = params.push(i64::from(query.limit));
        let sql = format!(
            "SELECT {COMPONENT_COLUMNS}, p.id, p.name, v.id, v.version FROM components c {join}
             JOIN products p ON p.id = v.product_id WHERE {} ORDER BY p.name, v.version, c.sbom_id, c.bom_ref LIMIT {limit}",
            conditions.join(" AND ")
        );
        self.read(|db| {
            db.query(&sql, &params.0)?
                .iter()
                .map(|r| {
                    Ok(ComponentHit {
                        component: component(r, 0)?,
                        product_id: r.int(11)?,
                        product: r.text(12)?,
                        version_id: r.int(13)?,
                        version: r.text(14)?,
                    })
                })
                .collect()
        })
    }
}

fn sbom_components(db: &mut dyn Db, sbom_id: i64) -> Result<Vec<StoredComponent>, StoreError> {
    db.query(
        &format!("SELECT {COMPONENT_COLUMNS} FROM components c WHERE c.sbom_id = $1 ORDER BY c.bom_ref"),
        &[sbom_id.into()],
    )?
    .iter()
    .map(|r| component(r, 0))
    .collect()
}

fn sbom_edges(db: &mut dyn Db, sbom_id: i64) -> Result<Vec<Edge>, StoreError> {
    db.query(
        "SELECT from_ref, to_ref FROM component_edges WHERE sbom_id = $1 ORDER BY from_ref, to_ref",
        &[sbom_id.into()],
    )?
    .iter()
    .map(|r| Ok(Edge { from: r.text(0)?, to: r.text(1)? }))
    .collect()
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
