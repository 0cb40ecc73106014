//! The HTTP application: shared state, who is asking (`Principal`), and `router(state)`, which tests call
//! in-process and `serve` puts behind a socket. Every route is listed once in [`api_routes`], which the router
//! is built from and the OpenAPI test compares with `openapi.json`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use cpsf_catalog::CatalogSet;
use cpsf_store::{ProductAccess, Role, Store, StoreError};

use crate::auth::{LoginLimiter, token_digest};
use crate::error::ApiError;

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The largest SBOM document accepted, in bytes (the request body may be a third larger for base64).
    pub max_upload: usize,
    /// The advisory database findings are matched against; `None` or a missing file: uploads are stored
    /// without findings, and the response says so.
    pub advisory_db: Option<PathBuf>,
    /// Mark cookies `Secure` (set when serving TLS).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_upload: 50 * 1024 * 1024, advisory_db: None, secure_cookies: false }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    config: Config,
    limiter: LoginLimiter,
    /// The framework catalogs assessments and questionnaires use.
    catalogs: CatalogSet,
}

impl AppState {
    /// The state with the catalogs cpsf ships.
    pub fn new(store: Arc<Store>, config: Config) -> Self {
        AppState::with_catalogs(store, config, CatalogSet::builtin())
    }

    /// The state with a given set of catalogs (the shipped ones plus an organization's catalog directory:
    /// [`CatalogSet::with_dir`]).
    pub fn with_catalogs(store: Arc<Store>, config: Config, catalogs: CatalogSet) -> Self {
        let limiter = LoginLimiter::new(5, Duration::from_secs(300));
        AppState { inner: Arc::new(Inner { store, config, limiter, catalogs }) }
    }

    pub fn catalogs(&self) -> &CatalogSet {
        &self.inner.catalogs
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    pub fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    /// Run a store operation on a blocking thread.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ApiError::Internal(format!("a store task failed: {e}")))?
            .map_err(ApiError::from)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => ApiError::NotFound(what),
            StoreError::Conflict { what } => ApiError::Conflict(what),
            StoreError::Invalid { what } => ApiError::BadRequest(what),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Who is asking, and what they may do.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: String,
    /// The role the credentials carry (for a token, the lesser of the token's and its user's).
    pub role: Role,
    /// Per-product roles; when there are any, the user reaches only these products.
    pub access: Vec<ProductAccess>,
}

impl Principal {
    /// Whether the principal may act with `needed` on `product`.
    pub fn can(&self, product: &str, needed: Role) -> bool {
        if self.role == Role::Admin {
            return true;
        }
        if self.access.is_empty() {
            return self.role >= needed;
        }
        self.access.iter().any(|a| a.product_name == product && a.role.min(self.role) >= needed)
    }

    /// Whether the principal's role reaches `needed` at all (for routes not about one product).
    pub fn has(&self, needed: Role) -> bool {
        self.role >= needed
    }

    /// The products the principal is limited to, or `None` for all.
    pub fn product_ids(&self) -> Option<Vec<i64>> {
        (self.role != Role::Admin && !self.access.is_empty())
            .then(|| self.access.iter().map(|a| a.product_id).collect())
    }
}

/// The API token of a request: `X-Api-Key` (as Dependency-Track's clients send it) or `Authorization: Bearer`.
fn token_of(headers: &HeaderMap) -> Option<String> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim().to_owned());
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, value) = auth.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| value.trim().to_owned())
}

/// Authenticate a request by its API token.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let Some(token) = token_of(headers).filter(|t| !t.is_empty()) else {
        return Err(ApiError::Unauthenticated("send an API token in `X-Api-Key` or `Authorization: Bearer`".into()));
    };
    let digest = token_digest(&token);
    let found = state
        .blocking(move |store| {
            let Some(auth) = store.token_by_hash(&digest)? else { return Ok(None) };
            // `last_used` is kept to the minute: a write per request would serialize every API call.
            let now = time::OffsetDateTime::now_utc();
            if auth.token.last_used.is_none_or(|t| now - t > time::Duration::minutes(1)) {
                store.touch_token(auth.token.id, now)?;
            }
            let access = store.access_for_user(&auth.user.name)?;
            Ok(Some((auth.user.name.clone(), auth.role(), access)))
        })
        .await?;
    match found {
        Some((user, role, access)) => Ok(Principal { user, role, access }),
        None => Err(ApiError::Unauthenticated(
            "the API token is not valid (unknown, revoked, or its user is disabled)".into(),
        )),
    }
}

/// Every API route: method, path (axum syntax, which is OpenAPI's), handler.
pub fn api_routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use crate::{api, assess_api, ot_api};
    use axum::routing::{get, patch, post, put};
    vec![
        (Method::GET, "/api/version", get(api::version)),
        (Method::GET, "/api/openapi.json", get(api::openapi)),
        (Method::PUT, "/api/v1/bom", put(api::dtrack_put_bom)),
        (Method::POST, "/api/v1/bom", post(api::dtrack_post_bom)),
        (Method::GET, "/api/v1/bom/token/{token}", get(api::dtrack_token)),
        (Method::GET, "/api/v1/event/token/{token}", get(api::dtrack_token)),
        (Method::GET, "/api/v1/project", get(api::dtrack_projects)),
        (Method::GET, "/api/v1/project/lookup", get(api::dtrack_project_lookup)),
        (Method::GET, "/api/v1/products", get(api::products)),
        (Method::POST, "/api/v1/products/{product}/versions/{version}/sboms", post(api::upload_sbom)),
        (Method::GET, "/api/v1/sboms/{id}/document", get(api::sbom_document)),
        (Method::GET, "/api/v1/products/{product}/versions/{version}/findings.csv", get(api::export_csv)),
        (Method::GET, "/api/v1/products/{product}/versions/{version}/vex", get(api::export_vex)),
        (Method::GET, "/api/v1/findings", get(api::findings)),
        (Method::GET, "/api/v1/findings/{id}", get(api::finding)),
        (Method::POST, "/api/v1/findings/{id}/analysis", post(api::triage)),
        (Method::GET, "/api/v1/components", get(api::search_components)),
        (Method::POST, "/api/v1/advisories", post(api::import_advisories)),
        (Method::GET, "/api/v1/catalogs", get(assess_api::catalogs)),
        (Method::GET, "/api/v1/catalogs/{id}", get(assess_api::catalog)),
        (Method::GET, "/api/v1/assessments", get(assess_api::assessments)),
        (Method::POST, "/api/v1/assessments", post(assess_api::create_assessment)),
        (Method::GET, "/api/v1/assessments/{id}", get(assess_api::assessment)),
        (Method::PATCH, "/api/v1/assessments/{id}/entries/{entry}", patch(assess_api::patch_entry)),
        (Method::POST, "/api/v1/assessments/{id}/entries/{entry}/evidence", post(assess_api::add_evidence)),
        (Method::GET, "/api/v1/assessments/{id}/evidence/{file}", get(assess_api::evidence_file)),
        (Method::POST, "/api/v1/assessments/{id}/evaluate", post(assess_api::evaluate_assessment)),
        (Method::GET, "/api/v1/assessments/{id}/report", get(assess_api::report)),
        (Method::GET, "/api/v1/questionnaires", get(assess_api::questionnaires)),
        (Method::POST, "/api/v1/questionnaires", post(assess_api::create_questionnaire_route)),
        (Method::GET, "/api/v1/questionnaires/{id}", get(assess_api::questionnaire)),
        (Method::POST, "/api/v1/questionnaires/{id}/invites", post(assess_api::create_invite)),
        // Factory systems and IoT (ot_api).
        (Method::GET, "/api/v1/sites", get(ot_api::sites)),
        (Method::GET, "/api/v1/sites/{site}/plant", get(ot_api::get_plant)),
        (Method::PUT, "/api/v1/sites/{site}/plant", put(ot_api::put_plant)),
        (Method::GET, "/api/v1/sites/{site}/assets", get(ot_api::assets)),
        (Method::POST, "/api/v1/sites/{site}/assets", post(ot_api::import_assets)),
        (Method::GET, "/api/v1/sites/{site}/assets/{asset}", get(ot_api::asset)),
        (Method::PATCH, "/api/v1/sites/{site}/assets/{asset}", patch(ot_api::patch_asset_route)),
        (Method::GET, "/api/v1/sites/{site}/captures", get(ot_api::captures)),
        (Method::POST, "/api/v1/sites/{site}/captures", post(ot_api::upload_capture)),
        (Method::GET, "/api/v1/sites/{site}/captures/{id}", get(ot_api::capture)),
        (Method::GET, "/api/v1/sites/{site}/captures/{id}/pcap", get(ot_api::capture_file)),
        (Method::GET, "/api/v1/sites/{site}/discovered", get(ot_api::discovered)),
        (Method::POST, "/api/v1/sites/{site}/discovered/merge", post(ot_api::merge_discovered)),
        (Method::GET, "/api/v1/sites/{site}/matrix", get(ot_api::matrix_route)),
        (Method::GET, "/api/v1/sites/{site}/violations", get(ot_api::violations)),
        (Method::GET, "/api/v1/sites/{site}/asset-findings", get(ot_api::asset_findings)),
        (Method::GET, "/api/v1/sites/{site}/iotssf", get(ot_api::site_iotssf)),
        (Method::GET, "/api/v1/device-advisories", get(ot_api::device_advisories)),
        (Method::POST, "/api/v1/device-advisories", post(ot_api::upload_advisory)),
        (Method::POST, "/api/v1/iotssf/categorize", post(ot_api::categorize)),
    ]
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    // A base64 body is 4/3 of its document; leave room for the JSON or multipart around it.
    let body_limit = state.config().max_upload.saturating_mul(4) / 3 + 64 * 1024;
    let mut router = Router::new();
    for (_, path, handler) in api_routes() {
        router = router.route(path, handler);
    }
    router
        .merge(crate::web::routes())
        .merge(crate::web_assess::routes())
        .merge(crate::web_ot::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

async fn not_found() -> Response {
    ApiError::NotFound("no such route".into()).into_response()
}
