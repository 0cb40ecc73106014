//! The JSON API under `/api/v1` (and Dependency-Track's upload and project routes beside it): uploads, products,
//! findings and their triage, portfolio component search. Handlers authenticate, check the role and product
//! access, call the store on a blocking thread, and answer JSON.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cpsf_store::{
    Analysis, AnalysisState, ComponentQuery, FindingFilter, FindingStatus, Justification, NewSbom, Role, Severity,
    StateFilter, StoredFinding,
};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::{AppState, Principal, authenticate};
use crate::dtrack::{self, BomSubmitRequest, UploadTarget};
use crate::error::ApiError;
use crate::monitor;

/// The OpenAPI 3.1 description of these routes.
pub const OPENAPI: &str = include_str!("../openapi.json");

use crate::export::rfc3339;

pub async fn version() -> Json<Value> {
    Json(json!({ "application": "cpsf", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Read, store and match one uploaded document (the API's uploads and the UI's upload form).
pub(crate) async fn ingest(
    state: &AppState,
    principal: &Principal,
    product: String,
    version: String,
    auto_create: bool,
    document: Vec<u8>,
) -> Result<Value, ApiError> {
    let limit = state.config().max_upload;
    if document.len() > limit {
        return Err(ApiError::TooLarge { size: document.len() as u64, limit: limit as u64 });
    }
    if !principal.can(&product, Role::Editor) {
        return Err(ApiError::Forbidden(format!("{} may not upload to `{product}`", principal.user)));
    }
    let read = cpsf_sbom::read(&document, "upload")
        .map_err(|e| ApiError::BadRequest(format!("the SBOM could not be read: {e}")))?;
    let upload = NewSbom { format: read.format.to_string(), document, components: read.inventory.components };
    let who = principal.user.clone();
    let advisory_db = state.config().advisory_db.clone();
    let (ingested, rematch) = state
        .blocking(move |store| {
            let ingested = store.ingest_sbom(&product, &version, &upload, &who, auto_create)?;
            let at = OffsetDateTime::now_utc();
            let rematch =
                monitor::rematch_version(store, advisory_db.as_deref(), ingested.version_id, ingested.sbom_id, at)?;
            Ok((ingested, rematch))
        })
        .await?;
    Ok(json!({
        "sbom": ingested.sbom_id,
        "product_id": ingested.product_id,
        "version_id": ingested.version_id,
        "sha256": ingested.sha256,
        "components": ingested.component_count,
        "edges": ingested.edge_count,
        "created_product": ingested.created_product,
        "created_version": ingested.created_version,
        "findings": {
            "new": rematch.changes.new.len(),
            "fixed": rematch.changes.fixed.len(),
            "still_open": rematch.changes.still_open,
        },
        "matching_skipped": rematch.skipped,
    }))
}

/// Resolve a Dependency-Track target to product and version names.
async fn resolve_target(state: &AppState, target: UploadTarget) -> Result<(String, String, bool), ApiError> {
    match target {
        UploadTarget::Names { product, version, auto_create } => Ok((product, version, auto_create)),
        UploadTarget::Project(uuid) => {
            let found = state
                .blocking(move |store| {
                    Ok(store.list_products()?.into_iter().find_map(|p| {
                        p.versions.iter().find_map(|v| {
                            (dtrack::project_uuid(&p.product.name, &v.version.version) == uuid)
                                .then(|| (p.product.name.clone(), v.version.version.clone()))
                        })
                    }))
                })
                .await?;
            let (product, version) = found
                .ok_or_else(|| ApiError::NotFound(format!("project {uuid} (use projectName and projectVersion)")))?;
            Ok((product, version, false))
        }
    }
}

/// `PUT /api/v1/bom`: Dependency-Track's JSON upload.
pub async fn dtrack_put_bom(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let request: BomSubmitRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the request body is not the expected JSON object: {e}")))?;
    let upload = request.into_upload()?;
    let (product, version, auto_create) = resolve_target(&state, upload.target).await?;
    ingest(&state, &principal, product, version, auto_create, upload.document).await?;
    Ok(Json(json!({ "token": uuid::Uuid::new_v4().to_string() })).into_response())
}

/// `POST /api/v1/bom`: Dependency-Track's multipart upload.
pub async fn dtrack_post_bom(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut document: Option<Vec<u8>> = None;
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| ApiError::BadRequest(format!("multipart field `{name}`: {e}")))?;
        if name == "bom" {
            document = Some(bytes.to_vec());
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let document = document.ok_or_else(|| ApiError::BadRequest("the form has no `bom` field".into()))?;
    let target = dtrack::target_of(
        fields.get("project").map(String::as_str),
        fields.get("projectName").map(String::as_str),
        fields.get("projectVersion").map(String::as_str),
        fields.get("autoCreate").is_some_and(|v| dtrack::parse_flag(v)),
    )?;
    let (product, version, auto_create) = resolve_target(&state, target).await?;
    ingest(&state, &principal, product, version, auto_create, document).await?;
    Ok(Json(json!({ "token": uuid::Uuid::new_v4().to_string() })).into_response())
}

/// `GET /api/v1/bom/token/{token}`: uploads are processed before the answer, so nothing is ever pending.
pub async fn dtrack_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(_token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &headers).await?;
    Ok(Json(json!({ "processing": false })))
}

/// Projects as Dependency-Track lists them: one per product version.
async fn dtrack_project_list(state: &AppState, principal: &Principal) -> Result<Vec<Value>, ApiError> {
    let products = state.blocking(|store| store.list_products()).await?;
    let mut out = Vec::new();
    for p in products {
        if !principal.can(&p.product.name, Role::Viewer) {
            continue;
        }
        for v in &p.versions {
            out.push(json!({
                "uuid": dtrack::project_uuid(&p.product.name, &v.version.version).to_string(),
                "name": p.product.name,
                "version": v.version.version,
                "classifier": "APPLICATION",
                "active": true,
                "lastBomImport": v.version.created.unix_timestamp() * 1000,
                "metrics": {
                    "critical": v.open.critical, "high": v.open.high, "medium": v.open.medium, "low": v.open.low,
                    "unassigned": v.open.unknown + v.open.none, "components": v.component_count,
                },
            }));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct ProjectQuery {
    name: Option<String>,
    version: Option<String>,
}

/// `GET /api/v1/project`.
pub async fn dtrack_projects(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let projects: Vec<Value> = dtrack_project_list(&state, &principal)
        .await?
        .into_iter()
        .filter(|p| q.name.as_deref().is_none_or(|n| p["name"] == n))
        .collect();
    let total = projects.len();
    let mut response = Json(projects).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&total.to_string()) {
        response.headers_mut().insert("x-total-count", v);
    }
    Ok(response)
}

/// `GET /api/v1/project/lookup?name=&version=`.
pub async fn dtrack_project_lookup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let (Some(name), Some(version)) = (q.name, q.version) else {
        return Err(ApiError::BadRequest("expected `name` and `version`".into()));
    };
    dtrack_project_list(&state, &principal)
        .await?
        .into_iter()
        .find(|p| p["name"] == name.as_str() && p["version"] == version.as_str())
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("project `{name}` version `{version}`")))
}

/// `GET /api/v1/products`: products with their versions and open findings.
pub async fn products(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let products = state.blocking(|store| store.list_products()).await?;
    let out: Vec<Value> = products
        .into_iter()
        .filter(|p| principal.can(&p.product.name, Role::Viewer))
        .map(|p| {
            json!({
                "id": p.product.id,
                "name": p.product.name,
                "versions": p.versions.iter().map(|v| json!({
                    "id": v.version.id,
                    "version": v.version.version,
                    "current_sbom": v.version.current_sbom_id,
                    "components": v.component_count,
                    "open": {
                        "critical": v.open.critical, "high": v.open.high, "medium": v.open.medium,
                        "low": v.open.low, "none": v.open.none, "unknown": v.open.unknown,
                    },
                    "open_kev": v.open_kev,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!(out)))
}

#[derive(Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    create: Option<bool>,
}

/// `POST /api/v1/products/{product}/versions/{version}/sboms`: the document as the body (`cpsf push`).
pub async fn upload_sbom(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((product, version)): Path<(String, String)>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    if body.is_empty() {
        return Err(ApiError::BadRequest("the body is empty; expected an SBOM document".into()));
    }
    let result = ingest(&state, &principal, product, version, q.create.unwrap_or(true), body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(result)).into_response())
}

/// `GET /api/v1/sboms/{id}/document`: the document as uploaded.
pub async fn sbom_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let (info, version, document) = state
        .blocking(move |store| {
            let info =
                store.sbom(id)?.ok_or_else(|| cpsf_store::StoreError::NotFound { what: format!("SBOM {id}") })?;
            let version = store
                .version_by_id(info.version_id)?
                .ok_or_else(|| cpsf_store::StoreError::NotFound { what: format!("version {}", info.version_id) })?;
            let document = store.sbom_document(id)?;
            Ok((info, version, document))
        })
        .await?;
    if !principal.can(&version.product, Role::Viewer) {
        return Err(ApiError::NotFound(format!("SBOM {id}")));
    }
    let media = if info.format.contains("XML") { "application/xml" } else { "application/json" };
    Ok(([(header::CONTENT_TYPE, media)], document).into_response())
}

#[derive(Deserialize, Default)]
pub struct FindingQuery {
    product: Option<String>,
    version: Option<String>,
    severity: Option<String>,
    kev: Option<bool>,
    fixable: Option<bool>,
    state: Option<String>,
    status: Option<String>,
    since: Option<String>,
    vulnerability: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

fn finding_json(f: &StoredFinding) -> Value {
    json!({
        "id": f.id,
        "product": f.product,
        "version": f.version,
        "component": { "bom_ref": f.bom_ref, "purl": f.purl, "name": f.component_name, "version": f.component_version },
        "vulnerability": f.vuln_id,
        "aliases": f.aliases,
        "summary": f.summary,
        "severity": f.severity.as_str(),
        "cvss_score": f.cvss_score,
        "kev": f.kev,
        "epss": f.epss,
        "fixed_version": f.fixed_version,
        "first_seen": rfc3339(f.first_seen),
        "opened_at": rfc3339(f.opened_at),
        "last_seen": rfc3339(f.last_seen),
        "fixed_at": f.fixed_at.map(rfc3339),
        "state": f.state.map(|s| s.as_str()),
    })
}

fn parse_filter(q: FindingQuery, principal: &Principal) -> Result<FindingFilter, ApiError> {
    let bad = |what: &str, e: cpsf_store::StoreError| ApiError::BadRequest(format!("`{what}`: {e}"));
    let min_severity =
        q.severity.as_deref().map(|s| s.parse::<Severity>().map_err(|e| bad("severity", e))).transpose()?;
    let state = match q.state.as_deref() {
        None => None,
        Some("untriaged") => Some(StateFilter::Untriaged),
        Some("active") => Some(StateFilter::Active),
        Some(s) => Some(StateFilter::Is(s.parse::<AnalysisState>().map_err(|e| bad("state", e))?)),
    };
    let status = match q.status.as_deref() {
        None | Some("open") => FindingStatus::Open,
        Some("fixed") => FindingStatus::Fixed,
        Some("any") => FindingStatus::Any,
        Some(other) => return Err(ApiError::BadRequest(format!("`status` is `{other}`; expected open, fixed or any"))),
    };
    let since = q
        .since
        .as_deref()
        .map(|s| OffsetDateTime::parse(s, &Rfc3339))
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("`since`: expected an RFC 3339 time: {e}")))?;
    Ok(FindingFilter {
        product: q.product,
        version: q.version,
        product_ids: principal.product_ids(),
        min_severity,
        kev_only: q.kev.unwrap_or(false),
        fixable_only: q.fixable.unwrap_or(false),
        state,
        status,
        since,
        vuln_id: q.vulnerability,
        limit: q.limit.unwrap_or(100).min(1000),
        offset: q.offset.unwrap_or(0),
        ..FindingFilter::default()
    })
}

/// `GET /api/v1/findings`.
pub async fn findings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FindingQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let filter = parse_filter(q, &principal)?;
    let (total, list) =
        state.blocking(move |store| Ok((store.count_findings(&filter)?, store.list_findings(&filter)?))).await?;
    Ok(Json(json!({ "total": total, "findings": list.iter().map(finding_json).collect::<Vec<_>>() })))
}

/// `GET /api/v1/findings/{id}`: a finding with its triage history.
pub async fn finding(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let (finding, history) = state.blocking(move |store| Ok((store.finding(id)?, store.finding_history(id)?))).await?;
    let finding = finding
        .filter(|f| principal.can(&f.product, Role::Viewer))
        .ok_or_else(|| ApiError::NotFound(format!("finding {id}")))?;
    let mut out = finding_json(&finding);
    out["history"] = json!(
        history
            .iter()
            .map(|h| json!({
                "state": h.analysis.state.as_str(),
                "justification": h.analysis.justification.map(|j| j.as_str()),
                "response": h.analysis.responses.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "detail": h.analysis.detail,
                "by": h.who,
                "at": rfc3339(h.at),
            }))
            .collect::<Vec<_>>()
    );
    Ok(Json(out))
}

#[derive(Deserialize)]
pub struct TriageRequest {
    state: String,
    justification: Option<String>,
    #[serde(default)]
    response: Vec<String>,
    detail: Option<String>,
}

/// `POST /api/v1/findings/{id}/analysis`: record a CycloneDX analysis.
pub async fn triage(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let request: TriageRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!("expected {{\"state\", \"justification\", \"response\", \"detail\"}}: {e}"))
    })?;
    let bad = |what: &str, e: cpsf_store::StoreError| ApiError::BadRequest(format!("`{what}`: {e}"));
    let analysis = Analysis {
        state: request.state.parse().map_err(|e| bad("state", e))?,
        justification: request
            .justification
            .as_deref()
            .map(|j| j.parse::<Justification>().map_err(|e| bad("justification", e)))
            .transpose()?,
        responses: request
            .response
            .iter()
            .map(|r| r.parse().map_err(|e| bad("response", e)))
            .collect::<Result<_, _>>()?,
        detail: request.detail.filter(|d| !d.trim().is_empty()),
    };
    let finding = state.blocking(move |store| store.finding(id)).await?;
    let finding = finding
        .filter(|f| principal.can(&f.product, Role::Viewer))
        .ok_or_else(|| ApiError::NotFound(format!("finding {id}")))?;
    if !principal.can(&finding.product, Role::Editor) {
        return Err(ApiError::Forbidden(format!(
            "{} may not triage findings of `{}`",
            principal.user, finding.product
        )));
    }
    let who = principal.user.clone();
    let entry = state.blocking(move |store| store.triage(id, &analysis, &who)).await?;
    Ok(Json(json!({ "finding": id, "state": entry.analysis.state.as_str(), "by": entry.who, "at": rfc3339(entry.at) })))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    purl: Option<String>,
    name: Option<String>,
    group: Option<String>,
    version: Option<String>,
    /// A `vers` range, e.g. `vers:maven/>=2.0.0|<2.15.0`.
    range: Option<String>,
    #[serde(default)]
    all_sboms: bool,
    limit: Option<u32>,
}

/// `GET /api/v1/components?purl=|name=[&group=][&version=]`: where a component ships across the portfolio.
pub async fn search_components(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    if q.purl.as_deref().is_none_or(str::is_empty) && q.name.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::BadRequest("expected `purl` or `name`".into()));
    }
    let range = q
        .range
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(cpsf_version::vers::VersRange::parse)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("`range`: {e}")))?;
    let limit = q.limit.unwrap_or(1000).min(10_000);
    let query = ComponentQuery {
        purl: q.purl,
        name: q.name,
        group: q.group,
        version: q.version,
        current_only: !q.all_sboms,
        // With a range, every version is fetched and the range applied here, in the ecosystem's order.
        limit: if range.is_some() { 100_000 } else { limit },
    };
    let hits = state.blocking(move |store| store.search_components(&query)).await?;
    let out: Vec<Value> = hits
        .into_iter()
        .filter(|h| principal.can(&h.product, Role::Viewer))
        .filter(|h| range.as_ref().is_none_or(|r| h.component.version.as_deref().is_some_and(|v| r.contains(v))))
        .take(limit as usize)
        .map(|h| {
            json!({
                "product": h.product,
                "version": h.version,
                "sbom": h.component.sbom_id,
                "component": {
                    "bom_ref": h.component.bom_ref, "name": h.component.name, "group": h.component.group,
                    "version": h.component.version, "purl": h.component.purl, "licenses": h.component.licenses,
                },
            })
        })
        .collect();
    Ok(Json(json!({ "hits": out })))
}

/// The open findings of one version, for the exports (at most 100,000).
async fn version_findings(
    state: &AppState,
    principal: &Principal,
    product: String,
    version: String,
    with_history: bool,
) -> Result<Vec<(StoredFinding, Vec<cpsf_store::AnalysisEntry>)>, ApiError> {
    if !principal.can(&product, Role::Viewer) {
        return Err(ApiError::NotFound(format!("product `{product}` version `{version}`")));
    }
    state
        .blocking(move |store| {
            let info = store.version_by_names(&product, &version)?.ok_or_else(|| cpsf_store::StoreError::NotFound {
                what: format!("product `{product}` version `{version}`"),
            })?;
            let findings = store.list_findings(&FindingFilter {
                version_id: Some(info.id),
                limit: 100_000,
                ..FindingFilter::default()
            })?;
            findings
                .into_iter()
                .map(|f| {
                    let history = if with_history { store.finding_history(f.id)? } else { Vec::new() };
                    Ok((f, history))
                })
                .collect()
        })
        .await
}

/// `GET /api/v1/products/{product}/versions/{version}/findings.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((product, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let findings = version_findings(&state, &principal, product, version, false).await?;
    let list: Vec<StoredFinding> = findings.into_iter().map(|(f, _)| f).collect();
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], crate::export::csv(&list)).into_response())
}

/// `GET /api/v1/products/{product}/versions/{version}/vex`: CycloneDX 1.6 VEX with the triage of each finding.
pub async fn export_vex(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((product, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let findings = version_findings(&state, &principal, product, version, true).await?;
    let serial = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let document = crate::export::cyclonedx_vex(&findings, &serial, &rfc3339(OffsetDateTime::now_utc()));
    Ok(([(header::CONTENT_TYPE, "application/vnd.cyclonedx+json")], document.to_string()).into_response())
}

#[derive(Deserialize)]
pub struct ImportQuery {
    /// The file name the upload had, whose extension says its format (`all.zip`, `kev.json`, `epss.csv.gz`, ...).
    name: Option<String>,
}

/// `POST /api/v1/advisories?name=FILE`: an administrator uploads advisory data (an OSV `all.zip`, an OSV record,
/// the KEV catalog, an EPSS file) into the server's advisory database; every stored SBOM is then matched again.
pub async fn import_advisories(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    if !principal.has(Role::Admin) {
        return Err(ApiError::Forbidden(format!("{} may not change the advisory data (admin only)", principal.user)));
    }
    if body.is_empty() {
        return Err(ApiError::BadRequest("the body is empty; expected advisory data".into()));
    }
    let db = state
        .config()
        .advisory_db
        .clone()
        .ok_or_else(|| ApiError::Conflict("the server has no advisory database path (--db)".into()))?;
    // Only the extension of the given name is used, never a path.
    let name = q.name.unwrap_or_else(|| "upload.zip".into());
    let file_name: String = std::path::Path::new(&name)
        .file_name()
        .map(|n| {
            n.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect()
        })
        .filter(|n: &String| !n.is_empty() && !n.starts_with('.'))
        .unwrap_or_else(|| "upload.zip".into());
    let who = principal.user.clone();
    let report = state
        .blocking(move |store| {
            let invalid = |what: String| cpsf_store::StoreError::Invalid { what };
            let dir = std::env::temp_dir().join(format!("cpsf-advisory-upload-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).map_err(|e| invalid(format!("{}: {e}", dir.display())))?;
            let path = dir.join(&file_name);
            let result = (|| {
                std::fs::write(&path, &body).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                let mut advisories = cpsf_vuln::store::Store::open(&db).map_err(|e| invalid(format!("advisory database: {e}")))?;
                let report = cpsf_vuln::import::import_paths(&mut advisories, std::slice::from_ref(&path), &|_| {})
                    .map_err(|e| invalid(format!("import: {e}")))?;
                drop(advisories);
                store.audit(
                    OffsetDateTime::now_utc(),
                    &who,
                    "advisories.import",
                    &format!("file:{file_name}"),
                    &json!({ "records": report.records, "added": report.counts.added, "updated": report.counts.updated }),
                )?;
                let rematched = crate::serve::rematch_if_changed(store, &db).map_err(invalid)?;
                Ok((report, rematched))
            })();
            let _ = std::fs::remove_dir_all(&dir);
            result
        })
        .await?;
    let (report, rematched) = report;
    Ok(Json(json!({
        "files": report.files,
        "records": report.records,
        "added": report.counts.added,
        "updated": report.counts.updated,
        "unchanged": report.counts.unchanged,
        "withdrawn": report.counts.withdrawn,
        "rejected": report.rejected,
        "kev": report.kev.map(|(v, n)| json!({ "catalog_version": v, "entries": n })),
        "epss": report.epss.map(|(d, n)| json!({ "score_date": d, "scores": n })),
        "warnings": report.warnings.iter().take(100).collect::<Vec<_>>(),
        "rematched": rematched.map(|(new, fixed)| json!({ "new": new, "fixed": fixed })),
    })))
}
