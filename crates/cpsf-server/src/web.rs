//! The web UI, rendered on the server as plain HTML with one stylesheet and no script, so nothing is fetched from
//! outside and every page works by keyboard and with a screen reader: login (sessions in the store, HttpOnly and
//! SameSite cookies, a CSRF token in every form, the login limiter), dashboard with a trend chart (inline SVG),
//! products and versions, a version's components, licences and dependencies, findings and their triage, SBOM
//! upload, portfolio component search, and the language switch (Japanese, English).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cpsf_store::{
    Analysis, AnalysisState, ComponentQuery, FindingFilter, FindingStatus, Role, Session, Severity, StoredFinding,
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::app::{AppState, Principal};
use crate::auth::{random_string, secrets_equal, token_digest, verify_password};
use crate::error::ApiError;
use crate::i18n::Lang;

const SESSION_COOKIE: &str = "cpsf_session";
pub(crate) const LANG_COOKIE: &str = "cpsf_lang";
const SESSION_HOURS: i64 = 12;
const STYLE: &str = include_str!("../assets/app.css");

/// The UI's routes (the API's are in `app::api_routes`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/assets/app.css", get(stylesheet))
        .route("/products", get(products_page))
        .route("/products/{product}/{version}", get(version_page))
        .route("/findings", get(findings_page))
        .route("/findings/{id}", get(finding_page).post(triage_form))
        .route("/upload", get(upload_page).post(upload_submit))
        .route("/search", get(search_page))
        .route("/advisories/{id}", get(advisory_page))
}

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a path segment or query value (everything but RFC 3986 unreserved characters; `cpsf push`
/// builds its upload URL with it too).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Lang::negotiate(cookie(headers, LANG_COOKIE).as_deref(), accept)
}

/// A signed-in browser: its user (as a principal) and the session's CSRF token.
pub(crate) struct Web {
    pub(crate) principal: Principal,
    pub(crate) csrf: String,
    pub(crate) lang: Lang,
}

/// The session of a request, or a redirect to the login page.
pub(crate) async fn web(state: &AppState, headers: &HeaderMap) -> Result<Web, Response> {
    let lang = lang_of(headers);
    let Some(value) = cookie(headers, SESSION_COOKIE) else { return Err(Redirect::to("/login").into_response()) };
    let digest = token_digest(&value);
    let found = state
        .blocking(move |store| {
            let Some(session) = store.session(&digest, OffsetDateTime::now_utc())? else { return Ok(None) };
            let access = store.access_for_user(&session.user.name)?;
            Ok(Some((session, access)))
        })
        .await
        .map_err(IntoResponse::into_response)?;
    match found {
        Some((Session { user, csrf, .. }, access)) => {
            Ok(Web { principal: Principal { user: user.name, role: user.role, access }, csrf, lang })
        }
        None => Err(Redirect::to("/login").into_response()),
    }
}

/// Check a form's CSRF token against the session's: the page to answer with when it does not match.
pub(crate) fn csrf_rejection(web: &Web, sent: Option<&str>) -> Option<Response> {
    match sent {
        Some(token) if secrets_equal(token, &web.csrf) => None,
        _ => Some(page_error(
            web.lang,
            StatusCode::FORBIDDEN,
            "The form has expired or did not come from this site. Reload the page and try again.",
        )),
    }
}

pub(crate) fn page_error(lang: Lang, status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p role=\"alert\">{}</p><p><a href=\"/\">{}</a></p>",
        status.as_u16(),
        esc(message),
        lang.t("nav.dashboard")
    );
    (status, Html(layout(lang, None, "Error", &body))).into_response()
}

pub(crate) fn api_error(lang: Lang, e: ApiError) -> Response {
    let status = e.status();
    let message = match &e {
        ApiError::Internal(_) => "internal error; see the server log".to_owned(),
        other => other.to_string(),
    };
    page_error(lang, status, &message)
}

/// The page around every body: header with navigation, language switch and logout.
pub(crate) fn layout(lang: Lang, web: Option<&Web>, title: &str, body: &str) -> String {
    let mut nav = String::new();
    if let Some(web) = web {
        let _ = write!(
            nav,
            "<nav aria-label=\"main\"><ul>\
             <li><a href=\"/\">{}</a></li><li><a href=\"/products\">{}</a></li><li><a href=\"/findings\">{}</a></li>\
             <li><a href=\"/search\">{}</a></li><li><a href=\"/upload\">{}</a></li>\
             <li><a href=\"/assessments\">{}</a></li><li><a href=\"/catalogs\">{}</a></li>\
             <li><a href=\"/questionnaires\">{}</a></li><li><a href=\"/suppliers\">{}</a></li>\
             <li><a href=\"/sites\">{}</a></li><li><a href=\"/device-advisories\">{}</a></li></ul>\
             <form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <span class=\"who\">{} ({})</span> <button type=\"submit\">{}</button></form></nav>",
            lang.t("nav.dashboard"),
            lang.t("nav.products"),
            lang.t("nav.findings"),
            lang.t("nav.search"),
            lang.t("nav.upload"),
            lang.t("nav.assessments"),
            lang.t("nav.catalogs"),
            lang.t("nav.questionnaires"),
            lang.t("nav.suppliers"),
            lang.t("nav.plants"),
            lang.t("nav.device_advisories"),
            esc(&web.csrf),
            esc(&web.principal.user),
            web.principal.role,
            lang.t("nav.logout"),
        );
    }
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · cpsf</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body>\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header><span class=\"brand\">cpsf</span>{nav}\
         <p class=\"lang\">{language}: <a href=\"/lang/ja\" lang=\"ja\" hreflang=\"ja\"{ja}>日本語</a> · \
         <a href=\"/lang/en\" lang=\"en\" hreflang=\"en\"{en}>English</a></p></header>\
         <main id=\"main\">{body}</main></body></html>",
        code = lang.code(),
        title = esc(title),
        language = lang.t("nav.language"),
        ja = if lang == Lang::Ja { " aria-current=\"true\"" } else { "" },
        en = if lang == Lang::En { " aria-current=\"true\"" } else { "" },
    )
}

pub(crate) fn html(lang: Lang, web: &Web, title: &str, body: &str) -> Response {
    let mut response = Html(layout(lang, Some(web), title, body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

async fn switch_language(Path(code): Path<String>, Query(q): Query<Back>, headers: HeaderMap) -> Response {
    let lang = Lang::from_code(&code).unwrap_or(Lang::En);
    // Only a local path is followed back, never another site.
    let back =
        q.back
            .or_else(|| {
                headers.get(header::REFERER).and_then(|r| r.to_str().ok()).and_then(|r| {
                    r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
                })
            })
            .filter(|b| b.starts_with('/') && !b.starts_with("//"))
            .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&back).into_response();
    let value = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

const LOGIN_CSRF_COOKIE: &str = "cpsf_login_csrf";

fn login_form(lang: Lang, message: Option<&str>, csrf: &str) -> String {
    let alert = message.map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    format!(
        "<h1>{title}</h1>{alert}<form method=\"post\" action=\"/login\" class=\"stack\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"user\">{user}</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required>\
         <label for=\"password\">{password}</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\">{submit}</button></form>",
        csrf = esc(csrf),
        title = lang.t("login.title"),
        user = lang.t("login.user"),
        password = lang.t("login.password"),
        submit = lang.t("login.submit"),
    )
}

/// The login page with a fresh CSRF token, given both in the form and in a cookie (there is no session yet, so
/// the two must match: a page on another site can send the form but cannot read or set the cookie).
fn login_response(lang: Lang, status: StatusCode, message: Option<&str>, secure: bool) -> Response {
    let token = random_string(16).unwrap_or_default();
    let mut response =
        (status, Html(layout(lang, None, lang.t("login.title"), &login_form(lang, message, &token)))).into_response();
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_response(lang_of(&headers), StatusCode::OK, None, state.config().secure_cookies)
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let headers = request.headers().clone();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| request.extensions().get::<ConnectInfo<crate::tls::TlsPeer>>().map(|c| c.0.0));
    let lang = lang_of(&headers);
    let Ok(body) = axum::body::to_bytes(request.into_body(), 64 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let secure = state.config().secure_cookies;
    let Ok(form) = serde_urlencoded_form::<LoginForm>(&body) else {
        return login_response(lang, StatusCode::BAD_REQUEST, Some(lang.t("login.failed")), secure);
    };
    let sent_cookie = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if form.csrf.is_empty() || !secrets_equal(&form.csrf, &sent_cookie) {
        return login_response(lang, StatusCode::FORBIDDEN, Some(lang.t("login.expired")), secure);
    }
    let key = format!("{}|{}", form.user, peer.map(|p| p.ip().to_string()).unwrap_or_default());
    if let Err(wait) = state.limiter().check(&key, Instant::now()) {
        let mut response = login_response(lang, StatusCode::TOO_MANY_REQUESTS, Some(lang.t("login.limited")), secure);
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let name = form.user.clone();
    let user = match state.blocking(move |store| store.user_by_name(&name)).await {
        Ok(user) => user,
        Err(e) => return api_error(lang, e),
    };
    // Hash even when the user does not exist, so the answer takes as long either way.
    let password = form.password.clone();
    let stored = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || {
        let phc = stored.unwrap_or_else(|| {
            "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()
        });
        verify_password(&phc, &password)
    })
    .await
    .unwrap_or(false)
        && user.as_ref().is_some_and(|u| !u.disabled);
    if !verified {
        state.limiter().record_failure(&key, Instant::now());
        return login_response(lang, StatusCode::UNAUTHORIZED, Some(lang.t("login.failed")), secure);
    }
    state.limiter().record_success(&key);
    let (Ok(value), Ok(csrf)) = (random_string(32), random_string(24)) else {
        return api_error(lang, ApiError::Internal("no randomness".into()));
    };
    let digest = token_digest(&value);
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    let name = form.user.clone();
    if let Err(e) = state.blocking(move |store| store.create_session(&name, &digest, &csrf, expires)).await {
        return api_error(lang, e);
    }
    let secure = if state.config().secure_cookies { "; Secure" } else { "" };
    let mut response = Redirect::to("/").into_response();
    let cookie =
        format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", SESSION_HOURS * 3600);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `application/x-www-form-urlencoded` into a struct.
fn serde_urlencoded_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let pairs: serde_json::Map<String, serde_json::Value> =
        form_pairs(body).into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    serde_json::from_value(serde_json::Value::Object(pairs)).map_err(|e| e.to_string())
}

/// Decode a urlencoded body into pairs (the last of a repeated key wins).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'+' => out.push(b' '),
                b'%' => match s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

pub(crate) fn form_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        let digest = token_digest(&value);
        let _ = state.blocking(move |store| store.delete_session(&digest)).await;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("cpsf_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    response
}

fn severity_label(lang: Lang, s: Severity) -> &'static str {
    match s {
        Severity::Critical => lang.t("severity.critical"),
        Severity::High => lang.t("severity.high"),
        Severity::Medium => lang.t("severity.medium"),
        Severity::Low => lang.t("severity.low"),
        Severity::None => lang.t("severity.none"),
        Severity::Unknown => lang.t("severity.unknown"),
    }
}

const SEVERITIES: [Severity; 6] =
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::None, Severity::Unknown];

/// Open findings per day over the last 30 days, as an inline SVG line with a text alternative.
fn trend_chart(lang: Lang, findings: &[StoredFinding], now: OffsetDateTime) -> String {
    let days = 30;
    let mut counts = Vec::with_capacity(days);
    for d in (0..days).rev() {
        let day_end = now - time::Duration::days(d as i64);
        let open = findings
            .iter()
            .filter(|f| f.opened_at <= day_end && f.fixed_at.is_none_or(|fixed| fixed > day_end))
            .count();
        counts.push(open);
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (600.0_f64, 120.0_f64);
    let points: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = i as f64 * w / (days - 1) as f64;
            let y = h - (*c as f64 / max as f64) * (h - 10.0);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let first = counts.first().copied().unwrap_or(0);
    let last = counts.last().copied().unwrap_or(0);
    let description = if lang == Lang::Ja {
        format!("過去30日の未解決の脆弱性件数: {first} 件から {last} 件、最大 {max} 件")
    } else {
        format!("Open findings over the last 30 days: from {first} to {last}, at most {max}")
    };
    format!(
        "<figure><svg role=\"img\" aria-label=\"{d}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"120\" class=\"trend\">\
         <polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\"{p}\"/></svg>\
         <figcaption>{d}</figcaption></figure>",
        d = esc(&description),
        p = points.join(" "),
    )
}

async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let ids = web.principal.product_ids();
    let result = state
        .blocking(move |store| {
            let products = store.list_products()?;
            let all = store.list_findings(&FindingFilter {
                product_ids: ids,
                status: FindingStatus::Any,
                limit: 10_000,
                ..FindingFilter::default()
            })?;
            Ok((products, all))
        })
        .await;
    let (products, all) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    let mut kev = 0;
    for p in products.iter().filter(|p| web.principal.can(&p.product.name, Role::Viewer)) {
        for v in &p.versions {
            for s in SEVERITIES {
                *totals.entry(s.as_str()).or_default() += v.open.get(s);
            }
            kev += v.open_kev;
        }
    }
    let mut body = format!(
        "<h1>{}</h1><section aria-labelledby=\"counts\"><h2 id=\"counts\">{}</h2><ul class=\"counts\">",
        lang.t("nav.dashboard"),
        lang.t("nav.findings")
    );
    for s in SEVERITIES {
        let _ = write!(
            body,
            "<li class=\"sev-{s}\"><a href=\"/findings?severity={s}\"><span class=\"n\">{n}</span> {label}</a></li>",
            s = s.as_str(),
            n = totals.get(s.as_str()).copied().unwrap_or(0),
            label = severity_label(lang, s)
        );
    }
    let _ = write!(
        body,
        "<li class=\"kev\"><a href=\"/findings?kev=true\"><span class=\"n\">{kev}</span> {}</a></li></ul></section>",
        lang.t("finding.kev")
    );
    body.push_str(&trend_chart(lang, &all, OffsetDateTime::now_utc()));
    html(lang, &web, lang.t("nav.dashboard"), &body)
}

#[derive(Deserialize, Default)]
struct SinceQuery {
    since: Option<String>,
}

async fn products_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<SinceQuery>) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    // "New since": findings opened on or after this date (default: a week ago).
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let since_date = q
        .since
        .as_deref()
        .and_then(|s| time::Date::parse(s.trim(), &format).ok())
        .unwrap_or_else(|| (OffsetDateTime::now_utc() - time::Duration::days(7)).date());
    let since = since_date.midnight().assume_utc();
    let ids = web.principal.product_ids();
    let result = state
        .blocking(move |store| {
            let products = store.list_products()?;
            let new = store.list_findings(&FindingFilter {
                product_ids: ids,
                since: Some(since),
                limit: 100_000,
                ..FindingFilter::default()
            })?;
            Ok((products, new))
        })
        .await;
    let (products, new) = match result {
        Ok(p) => p,
        Err(e) => return api_error(lang, e),
    };
    let mut new_by_version: BTreeMap<i64, usize> = BTreeMap::new();
    for f in &new {
        *new_by_version.entry(f.version_id).or_default() += 1;
    }
    let since_text = since_date.format(&format).unwrap_or_default();
    let mut body = format!(
        "<h1>{}</h1><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>",
        lang.t("nav.products"),
        lang.t("upload.product"),
        lang.t("upload.version"),
        lang.t("components.title")
    );
    for s in &SEVERITIES[..4] {
        let _ = write!(body, "<th scope=\"col\">{}</th>", severity_label(lang, *s));
    }
    let _ = write!(
        body,
        "<th scope=\"col\">KEV</th><th scope=\"col\">{} {since_text}</th></tr></thead><tbody>",
        lang.t("finding.new_since")
    );
    for p in products.iter().filter(|p| web.principal.can(&p.product.name, Role::Viewer)) {
        for v in &p.versions {
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td><a href=\"/products/{}/{}\">{}</a></td><td>{}</td>",
                esc(&p.product.name),
                enc(&p.product.name),
                enc(&v.version.version),
                esc(&v.version.version),
                v.component_count
            );
            for s in &SEVERITIES[..4] {
                let _ = write!(body, "<td>{}</td>", v.open.get(*s));
            }
            let _ = write!(
                body,
                "<td>{}</td><td>{}</td></tr>",
                v.open_kev,
                new_by_version.get(&v.version.id).copied().unwrap_or(0)
            );
        }
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/products\" class=\"stack\"><label for=\"since\">{}</label>\
         <input id=\"since\" name=\"since\" type=\"date\" value=\"{since_text}\"><button type=\"submit\">{}</button></form>",
        lang.t("finding.new_since"),
        lang.t("search.submit")
    );
    html(lang, &web, lang.t("nav.products"), &body)
}

fn findings_table(lang: Lang, findings: &[StoredFinding]) -> String {
    let mut body = format!(
        "<table><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("components.title"),
        lang.t("upload.product"),
        "Severity",
        lang.t("finding.fixed_in"),
        lang.t("finding.first_seen"),
        lang.t("finding.state"),
    );
    for f in findings {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/findings/{id}\">{vid}</a>{kev}</th><td>{comp} {ver}</td><td>{prod} {pver}</td>\
             <td class=\"sev-{s}\">{sl}</td><td>{fix}</td><td>{seen}</td><td>{state}</td></tr>",
            id = f.id,
            vid = esc(&f.vuln_id),
            kev = if f.kev { " <strong class=\"kev\" title=\"CISA KEV\">KEV</strong>" } else { "" },
            comp = esc(&f.component_name),
            ver = esc(f.component_version.as_deref().unwrap_or_default()),
            prod = esc(&f.product),
            pver = esc(&f.version),
            s = f.severity.as_str(),
            sl = severity_label(lang, f.severity),
            fix = esc(f.fixed_version.as_deref().unwrap_or("—")),
            seen = f.first_seen.date(),
            state = f.state.map_or("—", |s| s.as_str()),
        );
    }
    body.push_str("</tbody></table>");
    body
}

async fn version_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((product, version)): Path<(String, String)>,
) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    if !web.principal.can(&product, Role::Viewer) {
        return page_error(lang, StatusCode::NOT_FOUND, "no such product version");
    }
    let (p, v) = (product.clone(), version.clone());
    let result = state
        .blocking(move |store| {
            let Some(info) = store.version_by_names(&p, &v)? else { return Ok(None) };
            let components = store.current_components(info.id)?;
            let edges = match &components {
                Some((sbom, _)) => store.edges_of_sbom(*sbom)?,
                None => Vec::new(),
            };
            let findings = store.list_findings(&FindingFilter {
                version_id: Some(info.id),
                limit: 1000,
                ..FindingFilter::default()
            })?;
            Ok(Some((components, edges, findings)))
        })
        .await;
    let (components, edges, findings) = match result {
        Ok(Some(r)) => r,
        Ok(None) => return page_error(lang, StatusCode::NOT_FOUND, "no such product version"),
        Err(e) => return api_error(lang, e),
    };
    let components = components.map(|(_, c)| c).unwrap_or_default();
    let mut body = format!("<h1>{} {}</h1>", esc(&product), esc(&version));
    let _ = write!(
        body,
        "<section aria-labelledby=\"vulns\"><h2 id=\"vulns\">{}</h2>{}</section>",
        lang.t("nav.findings"),
        findings_table(lang, &findings)
    );
    let _ = write!(
        body,
        "<section aria-labelledby=\"comps\"><h2 id=\"comps\">{} ({})</h2><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Version</th><th scope=\"col\">purl</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("components.title"),
        components.len(),
        lang.t("licenses.title")
    );
    let mut licences: BTreeMap<String, usize> = BTreeMap::new();
    for c in &components {
        for l in &c.licenses {
            *licences.entry(l.clone()).or_default() += 1;
        }
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&c.name),
            esc(c.version.as_deref().unwrap_or_default()),
            esc(c.purl.as_deref().unwrap_or_default()),
            esc(&c.licenses.join(", "))
        );
    }
    body.push_str("</tbody></table></section>");
    let _ = write!(body, "<section aria-labelledby=\"lic\"><h2 id=\"lic\">{}</h2><ul>", lang.t("licenses.title"));
    for (l, n) in &licences {
        let _ = write!(body, "<li>{} ({n})</li>", esc(l));
    }
    body.push_str("</ul></section>");
    let _ = write!(
        body,
        "<section aria-labelledby=\"graph\"><h2 id=\"graph\">{}</h2><ul class=\"tree\">",
        lang.t("graph.title")
    );
    let mut by_from: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &edges {
        by_from.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    for (from, tos) in &by_from {
        let _ = write!(body, "<li><code>{}</code><ul>", esc(from));
        for to in tos {
            let _ = write!(body, "<li><code>{}</code></li>", esc(to));
        }
        body.push_str("</ul></li>");
    }
    body.push_str("</ul></section>");
    html(lang, &web, &format!("{product} {version}"), &body)
}

#[derive(Deserialize, Default)]
struct FindingsQuery {
    severity: Option<String>,
    kev: Option<bool>,
    product: Option<String>,
}

async fn findings_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<FindingsQuery>) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let min_severity = q.severity.as_deref().and_then(|s| s.parse::<Severity>().ok());
    let filter = FindingFilter {
        product: q.product.clone(),
        product_ids: web.principal.product_ids(),
        min_severity,
        kev_only: q.kev.unwrap_or(false),
        limit: 500,
        ..FindingFilter::default()
    };
    let findings = match state.blocking(move |store| store.list_findings(&filter)).await {
        Ok(f) => f,
        Err(e) => return api_error(lang, e),
    };
    let findings: Vec<StoredFinding> =
        findings.into_iter().filter(|f| web.principal.can(&f.product, Role::Viewer)).collect();
    let body = format!("<h1>{}</h1>{}", lang.t("nav.findings"), findings_table(lang, &findings));
    html(lang, &web, lang.t("nav.findings"), &body)
}

async fn finding_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_finding(&state, &web, id, None).await
}

async fn render_finding(state: &AppState, web: &Web, id: i64, notice: Option<&str>) -> Response {
    let lang = web.lang;
    let result = state.blocking(move |store| Ok((store.finding(id)?, store.finding_history(id)?))).await;
    let (finding, history) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let Some(f) = finding.filter(|f| web.principal.can(&f.product, Role::Viewer)) else {
        return page_error(lang, StatusCode::NOT_FOUND, "no such finding");
    };
    let mut body = format!(
        "<h1>{vid}{kev}</h1>{notice}<dl><dt>{comp}</dt><dd><code>{purl}</code></dd><dt>{prod}</dt><dd>{p} {v}</dd>\
         <dt>Severity</dt><dd class=\"sev-{s}\">{sl}{score}</dd><dt>{fixed}</dt><dd>{fix}</dd>\
         <dt>Aliases</dt><dd>{aliases}</dd><dt>{first}</dt><dd>{seen}</dd></dl>{summary}",
        vid = esc(&f.vuln_id),
        kev = if f.kev { format!(" <strong class=\"kev\">{}</strong>", lang.t("finding.kev")) } else { String::new() },
        notice = notice.map(|n| format!("<p role=\"status\" class=\"notice\">{}</p>", esc(n))).unwrap_or_default(),
        comp = lang.t("components.title"),
        purl = esc(&f.purl),
        prod = lang.t("upload.product"),
        p = esc(&f.product),
        v = esc(&f.version),
        s = f.severity.as_str(),
        sl = severity_label(lang, f.severity),
        score = f.cvss_score.map(|s| format!(" ({s:.1})")).unwrap_or_default(),
        fixed = lang.t("finding.fixed_in"),
        fix = esc(f.fixed_version.as_deref().unwrap_or("—")),
        aliases = f
            .aliases
            .iter()
            .map(|a| format!("<a href=\"/advisories/{}\">{}</a>", enc(a), esc(a)))
            .collect::<Vec<_>>()
            .join(", "),
        first = lang.t("finding.first_seen"),
        seen = f.first_seen.date(),
        summary = f.summary.as_deref().map(|s| format!("<p>{}</p>", esc(s))).unwrap_or_default(),
    );
    if web.principal.can(&f.product, Role::Editor) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/findings/{id}\" class=\"stack\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"state\">{state}</label><select id=\"state\" name=\"state\">",
            csrf = esc(&web.csrf),
            state = lang.t("finding.state")
        );
        for s in AnalysisState::ALL {
            let selected = if f.state == Some(*s) { " selected" } else { "" };
            let _ = write!(body, "<option value=\"{0}\"{selected}>{0}</option>", s.as_str());
        }
        let _ = write!(
            body,
            "</select><label for=\"justification\">{}</label><select id=\"justification\" name=\"justification\"><option value=\"\">—</option>",
            lang.t("finding.justification")
        );
        for j in cpsf_store::Justification::ALL {
            let _ = write!(body, "<option value=\"{0}\">{0}</option>", j.as_str());
        }
        let _ = write!(
            body,
            "</select><label for=\"detail\">{}</label><textarea id=\"detail\" name=\"detail\" rows=\"3\"></textarea>\
             <button type=\"submit\">{}</button></form>",
            lang.t("finding.detail"),
            lang.t("triage.save")
        );
    }
    body.push_str("<h2>History</h2><ol class=\"history\">");
    for h in &history {
        let _ = write!(
            body,
            "<li>{} · {} · {}{}{}</li>",
            h.at.date(),
            esc(&h.who),
            h.analysis.state.as_str(),
            h.analysis.justification.map(|j| format!(" ({})", j.as_str())).unwrap_or_default(),
            h.analysis.detail.as_deref().map(|d| format!(": {}", esc(d))).unwrap_or_default()
        );
    }
    body.push_str("</ol>");
    html(lang, web, &f.vuln_id, &body)
}

async fn triage_form(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, body: Bytes) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let finding = match state.blocking(move |store| store.finding(id)).await {
        Ok(f) => f,
        Err(e) => return api_error(lang, e),
    };
    let Some(finding) = finding.filter(|f| web.principal.can(&f.product, Role::Viewer)) else {
        return page_error(lang, StatusCode::NOT_FOUND, "no such finding");
    };
    if !web.principal.can(&finding.product, Role::Editor) {
        return page_error(lang, StatusCode::FORBIDDEN, "you may not triage findings of this product");
    }
    let state_value = form_value(&pairs, "state").unwrap_or_default();
    let Ok(analysis_state) = state_value.parse::<AnalysisState>() else {
        return page_error(lang, StatusCode::BAD_REQUEST, &format!("unknown analysis state `{state_value}`"));
    };
    let justification = match form_value(&pairs, "justification").filter(|j| !j.is_empty()) {
        Some(j) => match j.parse() {
            Ok(j) => Some(j),
            Err(_) => return page_error(lang, StatusCode::BAD_REQUEST, &format!("unknown justification `{j}`")),
        },
        None => None,
    };
    let analysis = Analysis {
        state: analysis_state,
        justification,
        responses: Vec::new(),
        detail: form_value(&pairs, "detail").map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned),
    };
    let who = web.principal.user.clone();
    if let Err(e) = state.blocking(move |store| store.triage(id, &analysis, &who)).await {
        return api_error(lang, e);
    }
    render_finding(&state, &web, id, Some("Saved.")).await
}

fn upload_form(lang: Lang, web: &Web, notice: Option<&str>) -> String {
    format!(
        "<h1>{title}</h1>{notice}<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" class=\"stack\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"product\">{product}</label><input id=\"product\" name=\"product\" required>\
         <label for=\"version\">{version}</label><input id=\"version\" name=\"version\" required>\
         <label for=\"file\">{file}</label><input id=\"file\" name=\"file\" type=\"file\" required>\
         <button type=\"submit\">{submit}</button></form>",
        title = lang.t("nav.upload"),
        notice = notice.map(|n| format!("<p role=\"status\" class=\"notice\">{}</p>", esc(n))).unwrap_or_default(),
        csrf = esc(&web.csrf),
        product = lang.t("upload.product"),
        version = lang.t("upload.version"),
        file = lang.t("upload.file"),
        submit = lang.t("upload.submit"),
    )
}

async fn upload_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let body = upload_form(web.lang, &web, None);
    html(web.lang, &web, web.lang.t("nav.upload"), &body)
}

async fn upload_form_post(state: &AppState, web: &Web, mut form: Multipart) -> Result<String, ApiError> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut document = None;
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest(format!("form: {e}")))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| ApiError::BadRequest(format!("form field `{name}`: {e}")))?;
        if name == "file" {
            document = Some(bytes.to_vec());
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if !fields.get("csrf").is_some_and(|c| secrets_equal(c, &web.csrf)) {
        return Err(ApiError::Forbidden("the form has expired; reload the page".into()));
    }
    let product = fields.get("product").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let version = fields.get("version").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (Some(product), Some(version), Some(document)) = (product, version, document) else {
        return Err(ApiError::BadRequest("product, version and a file are required".into()));
    };
    // The same path as the API's upload: size limit, access, reading, storing and matching.
    let result = crate::api::ingest(state, &web.principal, product.clone(), version.clone(), true, document).await?;
    let count = &result["components"];
    let new = &result["findings"]["new"];
    Ok(format!("{product} {version}: {count} components, {new} new findings"))
}

async fn upload_submit(State(state): State<AppState>, headers: HeaderMap, form: Multipart) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    match upload_form_post(&state, &web, form).await {
        Ok(notice) => html(lang, &web, lang.t("nav.upload"), &upload_form(lang, &web, Some(&notice))),
        Err(e) => {
            let status = e.status();
            let body = upload_form(lang, &web, Some(&e.to_string()));
            let mut response = html(lang, &web, lang.t("nav.upload"), &body);
            *response.status_mut() = status;
            response
        }
    }
}

#[derive(Deserialize, Default)]
struct SearchForm {
    q: Option<String>,
    version: Option<String>,
}

async fn search_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<SearchForm>) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let term = q.q.clone().unwrap_or_default();
    let version = q.version.clone().unwrap_or_default();
    let mut body = format!(
        "<h1>{title}</h1><form method=\"get\" action=\"/search\" role=\"search\" class=\"stack\">\
         <label for=\"q\">{ql}</label><input id=\"q\" name=\"q\" value=\"{qv}\" required>\
         <label for=\"version\">{vl}</label><input id=\"version\" name=\"version\" value=\"{vv}\">\
         <button type=\"submit\">{submit}</button></form>",
        title = lang.t("nav.search"),
        ql = lang.t("search.query"),
        qv = esc(&term),
        vl = lang.t("search.version"),
        vv = esc(&version),
        submit = lang.t("search.submit"),
    );
    if !term.trim().is_empty() {
        let term = term.trim().to_owned();
        let version = version.trim().to_owned();
        // The version field takes an exact version or a `vers` range.
        let range = if version.starts_with("vers:") {
            match cpsf_version::vers::VersRange::parse(&version) {
                Ok(r) => Some(r),
                Err(e) => return page_error(lang, StatusCode::BAD_REQUEST, &e.to_string()),
            }
        } else {
            None
        };
        let query = ComponentQuery {
            purl: term.starts_with("pkg:").then(|| term.clone()),
            name: (!term.starts_with("pkg:")).then(|| term.clone()),
            version: Some(version.clone()).filter(|v| !v.is_empty() && range.is_none()),
            limit: if range.is_some() { 100_000 } else { 1_000 },
            ..ComponentQuery::default()
        };
        match state.blocking(move |store| store.search_components(&query)).await {
            Ok(hits) => {
                let hits: Vec<_> = hits
                    .into_iter()
                    .filter(|h| web.principal.can(&h.product, Role::Viewer))
                    .filter(|h| {
                        range.as_ref().is_none_or(|r| h.component.version.as_deref().is_some_and(|v| r.contains(v)))
                    })
                    .collect();
                let _ = write!(
                    body,
                    "<p role=\"status\">{} hits</p><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">purl</th></tr></thead><tbody>",
                    hits.len(),
                    lang.t("upload.product"),
                    lang.t("upload.version")
                );
                for h in hits {
                    let _ = write!(
                        body,
                        "<tr><th scope=\"row\"><a href=\"/products/{}/{}\">{}</a></th><td>{}</td><td><code>{}</code></td></tr>",
                        enc(&h.product),
                        enc(&h.version),
                        esc(&h.product),
                        esc(&h.version),
                        esc(h.component.purl.as_deref().unwrap_or(&h.component.name))
                    );
                }
                body.push_str("</tbody></table>");
            }
            Err(e) => return api_error(lang, e),
        }
    }
    html(lang, &web, lang.t("nav.search"), &body)
}

async fn advisory_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let web = match web(&state, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let advisory = match state.config().advisory_db.as_deref().filter(|p| p.is_file()) {
        Some(path) => cpsf_vuln::store::Store::open_read_only(path).and_then(|db| db.advisory(&id)).ok().flatten(),
        None => None,
    };
    let ids = web.principal.product_ids();
    let vuln = id.clone();
    let findings = match state
        .blocking(move |store| {
            store.list_findings(&FindingFilter {
                product_ids: ids,
                vuln_id: Some(vuln),
                limit: 1000,
                ..FindingFilter::default()
            })
        })
        .await
    {
        Ok(f) => f,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!("<h1>{}</h1>", esc(&id));
    match &advisory {
        Some(a) => {
            let _ = write!(
                body,
                "{summary}<dl><dt>Modified</dt><dd>{modified}</dd><dt>Aliases</dt><dd>{aliases}</dd><dt>Severity</dt><dd>{severity}</dd></dl>",
                summary = a.summary.as_deref().map(|s| format!("<p>{}</p>", esc(s))).unwrap_or_default(),
                modified = esc(&a.modified),
                aliases = esc(&a.aliases.join(", ")),
                severity =
                    esc(&a.severity.iter().map(|s| format!("{} {}", s.kind, s.score)).collect::<Vec<_>>().join("; ")),
            );
            body.push_str("<h2>Affected</h2><ul>");
            for affected in &a.affected {
                let ranges: Vec<String> = affected
                    .ranges
                    .iter()
                    .map(|r| {
                        r.events
                            .iter()
                            .map(|e| match e {
                                cpsf_vuln::osv::Event::Introduced(v) => format!("introduced {v}"),
                                cpsf_vuln::osv::Event::Fixed(v) => format!("fixed {v}"),
                                cpsf_vuln::osv::Event::LastAffected(v) => format!("last affected {v}"),
                                cpsf_vuln::osv::Event::Limit(v) => format!("limit {v}"),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect();
                let _ = write!(
                    body,
                    "<li>{} {}: {}</li>",
                    esc(&affected.ecosystem),
                    esc(&affected.name),
                    esc(&ranges.join("; "))
                );
            }
            body.push_str("</ul><h2>References</h2><ul>");
            for r in &a.references {
                // Shown as text with the address: the UI never links out on its own.
                let _ = write!(body, "<li>{}: <code>{}</code></li>", esc(&r.kind), esc(&r.url));
            }
            body.push_str("</ul>");
        }
        None => body.push_str("<p>No record with this id in the advisory database (it may be known by an alias).</p>"),
    }
    let _ = write!(body, "<h2>{}</h2>{}", lang.t("nav.products"), findings_table(lang, &findings));
    html(lang, &web, &id, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_forms() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
        let pairs = form_pairs(b"user=al%20ice&password=p%26w+d&empty");
        assert_eq!(form_value(&pairs, "user"), Some("al ice"));
        assert_eq!(form_value(&pairs, "password"), Some("p&w d"));
        assert_eq!(form_value(&pairs, "empty"), Some(""));
        assert_eq!(form_value(&pairs, "none"), None);
        let form: LoginForm = serde_urlencoded_form(b"user=a&password=b&csrf=c").unwrap();
        assert_eq!((form.user.as_str(), form.password.as_str()), ("a", "b"));
    }
}
