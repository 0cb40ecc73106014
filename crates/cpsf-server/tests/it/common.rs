//! A server on a fresh SQLite store with three users (admin, editor, viewer), an API token each, and an advisory
//! database imported from the CLI's scan fixtures; and a request helper.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use cpsf_server::auth::{hash_password, new_api_token};
use cpsf_server::{AppState, Config, router};
use cpsf_store::{Role, Store};
use serde_json::Value;
use tower::ServiceExt;

pub struct TestServer {
    pub app: Router,
    pub admin: String,
    pub editor: String,
    pub viewer: String,
    pub dir: PathBuf,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpsf-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn advisories() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf/tests/data/scan/advisories")
}

pub fn server(name: &str) -> TestServer {
    server_with(name, Config::default())
}

pub fn server_with(name: &str, config: Config) -> TestServer {
    server_with_catalogs(name, config, cpsf_catalog::CatalogSet::builtin())
}

/// A server with the given catalogs (the shipped ones plus test catalogs).
pub fn server_with_catalogs(name: &str, mut config: Config, catalogs: cpsf_catalog::CatalogSet) -> TestServer {
    let dir = scratch(name);
    let store = Store::open_sqlite(&dir.join("store.db")).unwrap();
    let advisory_db = dir.join("advisories.db");
    let mut vuln = cpsf_vuln::store::Store::open(&advisory_db).unwrap();
    let report = cpsf_vuln::import::import_paths(&mut vuln, &[advisories()], &|_| {}).unwrap();
    assert!(report.records > 0, "advisory fixtures imported");
    drop(vuln);
    config.advisory_db = Some(advisory_db);
    let mut tokens = Vec::new();
    for (user, role) in [("alice", Role::Admin), ("erin", Role::Editor), ("victor", Role::Viewer)] {
        store.add_user(user, &hash_password("a long enough password").unwrap(), role, "test").unwrap();
        let t = new_api_token().unwrap();
        store.add_token(user, role, "test", &t.digest, &t.display_prefix, "test").unwrap();
        tokens.push(t.secret);
    }
    let state = AppState::with_catalogs(Arc::new(store), config, catalogs);
    let app = router(state);
    let viewer = tokens.pop().unwrap();
    let editor = tokens.pop().unwrap();
    let admin = tokens.pop().unwrap();
    TestServer { app, admin, editor, viewer, dir }
}

/// A CycloneDX 1.6 SBOM of two npm packages; lodash 4.17.20 is vulnerable in the fixtures.
pub fn sbom(lodash: &str) -> String {
    serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": { "component": { "type": "application", "name": "shop", "bom-ref": "shop" } },
        "components": [
            { "type": "library", "name": "lodash", "version": lodash, "purl": format!("pkg:npm/lodash@{lodash}"),
              "bom-ref": format!("pkg:npm/lodash@{lodash}") },
            { "type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0",
              "bom-ref": "pkg:npm/left-pad@1.3.0" }
        ],
        "dependencies": [ { "ref": format!("pkg:npm/lodash@{lodash}"), "dependsOn": ["pkg:npm/left-pad@1.3.0"] } ]
    })
    .to_string()
}

/// Send one request; returns the status and the body as JSON (`Value::Null` when it is not JSON).
pub async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("x-api-key", token);
    }
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = app.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}
