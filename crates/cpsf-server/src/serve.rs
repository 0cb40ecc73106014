//! Running the server: bind the listener, serve `router(state)` until Ctrl-C or SIGTERM, and run the two
//! background jobs: re-matching every stored SBOM when the advisory database changes, and delivering queued
//! webhooks (signed, retried with backoff).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cpsf_store::Store;
use time::OffsetDateTime;

use crate::app::{AppState, Config, router};
use crate::webhook;

/// Where a webhook goes.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

/// Everything `cpsf serve` decides.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub config: Config,
    /// How often the advisory database is checked for changes.
    pub rematch_interval: Duration,
    pub webhook: Option<WebhookTarget>,
    /// Serve HTTPS with this configuration (`--tls-cert`, `--tls-key`); cookies are then `Secure`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// What identifies one state of the advisory database: its file's size and modification time. `db import` and
/// `db update` rewrite the file, so either changes.
pub fn advisory_signature(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("{}:{}.{:09}", meta.len(), modified.as_secs(), modified.subsec_nanos()))
}

/// The `meta` key holding when the whole portfolio was last matched against the advisory database (RFC 3339).
pub const ADVISORY_MATCHED_AT: &str = "advisory_matched_at";

/// One check of the advisory database: when its signature differs from the one the store last matched
/// against, match every version's current SBOM again. Returns what changed, if it ran.
pub fn rematch_if_changed(store: &Store, advisory_db: &std::path::Path) -> Result<Option<(usize, usize)>, String> {
    let Some(signature) = advisory_signature(advisory_db) else { return Ok(None) };
    let seen = store.meta("advisory_signature").map_err(|e| e.to_string())?;
    if seen.as_deref() == Some(signature.as_str()) {
        return Ok(None);
    }
    let (new, fixed, errors) =
        crate::monitor::rematch_all(store, advisory_db, OffsetDateTime::now_utc()).map_err(|e| e.to_string())?;
    for e in &errors {
        eprintln!("cpsf serve: re-matching {e}");
    }
    store.set_meta("advisory_signature", &signature).map_err(|e| e.to_string())?;
    // When the portfolio was last matched, for the `advisories-current` automatic evidence check.
    store
        .set_meta(ADVISORY_MATCHED_AT, &crate::export::rfc3339(OffsetDateTime::now_utc()))
        .map_err(|e| e.to_string())?;
    Ok(Some((new, fixed)))
}

/// Deliver the webhooks that are due; each failure is retried later (1, 2, 4 ... minutes, giving up after 8
/// attempts). Returns how many were delivered.
pub fn deliver_webhooks(store: &Store, target: &WebhookTarget) -> Result<usize, String> {
    deliver_webhooks_at(store, target, OffsetDateTime::now_utc())
}

/// [`deliver_webhooks`] as if the time were `now` (the deliveries due then, retries scheduled from then).
pub fn deliver_webhooks_at(store: &Store, target: &WebhookTarget, now: OffsetDateTime) -> Result<usize, String> {
    let due = store.due_webhooks(now, 20).map_err(|e| e.to_string())?;
    // A receiver on this machine is reached directly; others through the proxy the environment names, if any.
    let local = ["://127.0.0.1", "://localhost", "://[::1]"].iter().any(|h| target.url.contains(h));
    let proxy = if local { None } else { ureq::Proxy::try_from_env() };
    let agent = ureq::Agent::config_builder()
        .proxy(proxy)
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(true)
        .build()
        .new_agent();
    let mut delivered = 0;
    for delivery in due {
        let timestamp = now.unix_timestamp();
        let Some(signature) = webhook::sign(target.secret.as_bytes(), timestamp, delivery.payload.as_bytes()) else {
            continue;
        };
        let result = agent
            .post(&target.url)
            .header("content-type", "application/json")
            .header(webhook::SIGNATURE_HEADER, &signature)
            .header(webhook::TIMESTAMP_HEADER, &timestamp.to_string())
            .header("x-cpsf-event", &delivery.event)
            .header("x-cpsf-delivery", &delivery.id.to_string())
            .send(delivery.payload.as_bytes());
        match result {
            Ok(_) => {
                store.webhook_attempted(delivery.id, now, None, None).map_err(|e| e.to_string())?;
                delivered += 1;
            }
            Err(e) => {
                let attempts = delivery.attempts + 1;
                let retry = (attempts < 8).then(|| now + Duration::from_secs(60u64 << attempts.min(7)));
                let message = e.to_string();
                eprintln!("cpsf serve: webhook delivery {} failed (attempt {attempts}): {message}", delivery.id);
                store.webhook_attempted(delivery.id, now, Some(&message), retry).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(delivered)
}

/// Serve until interrupted, with the catalogs cpsf ships.
pub async fn run(store: Arc<Store>, options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    run_with_catalogs(store, options, cpsf_catalog::CatalogSet::builtin(), ready).await
}

/// Serve until interrupted, with `catalogs` (e.g. the shipped ones plus a catalog directory).
pub async fn run_with_catalogs(
    store: Arc<Store>,
    options: ServeOptions,
    catalogs: cpsf_catalog::CatalogSet,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let address = listener.local_addr()?;
    let mut config = options.config.clone();
    config.secure_cookies |= options.tls.is_some();
    let state = AppState::with_catalogs(Arc::clone(&store), config.clone(), catalogs);
    let jobs = spawn_jobs(store, config.advisory_db.clone(), options.rematch_interval, options.webhook);
    ready(address);
    let app = router(state);
    let served = match options.tls {
        Some(tls) => {
            let app = app.into_make_service_with_connect_info::<crate::tls::TlsPeer>();
            axum::serve(crate::tls::TlsListener::new(listener, tls)?, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
        }
        None => {
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
        }
    };
    jobs.abort();
    served
}

fn spawn_jobs(
    store: Arc<Store>,
    advisory_db: Option<PathBuf>,
    interval: Duration,
    webhook: Option<WebhookTarget>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval.max(Duration::from_secs(1)));
        loop {
            tick.tick().await;
            if let Some(db) = advisory_db.clone() {
                let store = Arc::clone(&store);
                match tokio::task::spawn_blocking(move || rematch_if_changed(&store, &db)).await {
                    Ok(Ok(Some((new, fixed)))) => {
                        eprintln!("cpsf serve: advisory data changed; re-matched: {new} new, {fixed} fixed findings")
                    }
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => eprintln!("cpsf serve: re-matching failed: {e}"),
                    Err(e) => eprintln!("cpsf serve: re-matching task failed: {e}"),
                }
            }
            if let Some(target) = webhook.clone() {
                let store = Arc::clone(&store);
                match tokio::task::spawn_blocking(move || deliver_webhooks(&store, &target)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => eprintln!("cpsf serve: webhook delivery failed: {e}"),
                    Err(e) => eprintln!("cpsf serve: webhook task failed: {e}"),
                }
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
