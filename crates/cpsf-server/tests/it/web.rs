//! The browser UI in-process: login with a session cookie, pages in both languages, CSRF on every form, the
//! login limiter, and triage and upload through the forms.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;

use crate::common::{call, sbom, server};

/// Send a request with an optional cookie; returns status, headers and body text.
pub async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    if let Some(ct) = content_type {
        request = request.header(header::CONTENT_TYPE, ct);
    }
    let response = app.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// The login page's CSRF token and its cookie (`name=value`).
async fn login_token(app: &axum::Router) -> (String, String) {
    let (status, headers, page) = send(app, Method::GET, "/login", None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    (csrf_of(&page), set.split(';').next().unwrap().to_owned())
}

async fn try_login(app: &axum::Router, user: &str, password: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (csrf, cookie) = login_token(app).await;
    let body = format!("user={user}&password={password}&csrf={csrf}");
    send(app, Method::POST, "/login", Some(&cookie), Some(FORM), body).await
}

pub async fn log_in(app: &axum::Router, user: &str) -> String {
    let (status, headers, text) = try_login(app, user, "a+long+enough+password").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn login_pages_csrf_and_languages() {
    let s = server("web");
    // Without a session every page sends to the login page.
    let (status, headers, _) = send(&s.app, Method::GET, "/", None, None, "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/login");
    let (status, _, page) = send(&s.app, Method::GET, "/login", None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<label for=\"user\">") && page.contains("<label for=\"password\">"), "labelled fields");

    let (status, _, page) = try_login(&s.app, "erin", "wrong+password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("role=\"alert\""));
    // The login form is CSRF-protected too: without the cookie that goes with the token, or with a forged token.
    let (csrf, cookie) = login_token(&s.app).await;
    let body = format!("user=erin&password=a+long+enough+password&csrf={csrf}");
    let (status, _, _) = send(&s.app, Method::POST, "/login", None, Some(FORM), body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no cookie");
    let body = "user=erin&password=a+long+enough+password&csrf=forged";
    let (status, _, _) = send(&s.app, Method::POST, "/login", Some(&cookie), Some(FORM), body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged token");

    let cookie = log_in(&s.app, "erin").await;
    // Upload through the form (multipart with the CSRF token), then see and triage the finding.
    let (_, _, page) = send(&s.app, Method::GET, "/upload", Some(&cookie), None, "").await;
    let csrf = csrf_of(&page);
    let boundary = "B0undary";
    let doc = sbom("4.17.20");
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\nshop\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n3.0\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bom.json\"\r\n\r\n{doc}\r\n--{boundary}--\r\n"
    );
    let ct = format!("multipart/form-data; boundary={boundary}");
    let (status, _, page) = send(&s.app, Method::POST, "/upload", Some(&cookie), Some(&ct), form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("shop 3.0: 2 components"), "{page}");

    let (status, _, page) = send(&s.app, Method::GET, "/findings", Some(&cookie), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let at = page.find("href=\"/findings/").expect("a finding link") + "href=\"/findings/".len();
    let id: i64 = page[at..].split('"').next().unwrap().parse().unwrap();
    let uri = format!("/findings/{id}");
    let (_, _, page) = send(&s.app, Method::GET, &uri, Some(&cookie), None, "").await;
    let csrf = csrf_of(&page);
    let (status, _, _) =
        send(&s.app, Method::POST, &uri, Some(&cookie), Some(FORM), "state=not_affected&csrf=forged").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged CSRF token is refused");
    let body = format!("csrf={csrf}&state=not_affected&justification=code_not_reachable&detail=unused+path");
    let (status, _, page) = send(&s.app, Method::POST, &uri, Some(&cookie), Some(FORM), body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("erin · not_affected (code_not_reachable): unused path"), "{page}");

    // The advisory behind it, with the releases it affects; the products list counts what is new this week.
    let (status, _, page) = send(&s.app, Method::GET, "/advisories/GHSA-35jh-r3h4-6jhm", Some(&cookie), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("npm lodash: introduced 0, fixed 4.17.21") && page.contains("shop 3.0"), "{page}");
    let (_, _, page) = send(&s.app, Method::GET, "/products", Some(&cookie), None, "").await;
    assert!(page.contains("New since"), "{page}");
    let row = page.split("<tr>").find(|r| r.contains("shop")).unwrap();
    assert!(row.trim_end().ends_with("<td>1</td></tr>") || row.contains("<td>1</td></tr>"), "one new finding: {row}");

    // Languages: Accept-Language, then the switch (a cookie) wins over it.
    let (_, _, page) = send(&s.app, Method::GET, "/products", Some(&cookie), None, "").await;
    assert!(page.contains("<html lang=\"en\">") && page.contains("Products"));
    let mut request = Request::builder().uri("/products").header(header::COOKIE, &cookie);
    request = request.header(header::ACCEPT_LANGUAGE, "ja,en;q=0.5");
    let response = s.app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let page =
        String::from_utf8_lossy(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).into_owned();
    assert!(page.contains("<html lang=\"ja\">") && page.contains("製品"), "{page}");
    let (status, headers, _) = send(&s.app, Method::GET, "/lang/en?back=/products", Some(&cookie), None, "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/products");
    let lang_cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let both = format!("{cookie}; {lang_cookie}");
    let (_, _, page) = send(&s.app, Method::GET, "/products", Some(&both), None, "").await;
    assert!(page.contains("<html lang=\"en\">"));
    let (_, headers, _) = send(&s.app, Method::GET, "/lang/ja?back=//evil.example", Some(&cookie), None, "").await;
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/", "never redirected off site");

    // Search finds the upload; logging out ends the session.
    let (_, _, page) = send(&s.app, Method::GET, "/search?q=lodash&version=4.17.20", Some(&cookie), None, "").await;
    assert!(page.contains("1 hits") && page.contains("/products/shop/3.0"), "{page}");
    let (_, _, page) = send(&s.app, Method::GET, "/", Some(&cookie), None, "").await;
    let csrf = csrf_of(&page);
    assert!(page.contains("<svg role=\"img\""), "the trend chart");
    let (status, _, _) = send(&s.app, Method::POST, "/logout", Some(&cookie), Some(FORM), format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&s.app, Method::GET, "/", Some(&cookie), None, "").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session is gone");
    let (status, _) = call(&s.app, Method::GET, "/api/v1/products", None, None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a session cookie is not an API credential");
}

#[tokio::test]
async fn failed_logins_are_limited() {
    let s = server("limit");
    for _ in 0..5 {
        let (status, _, _) = try_login(&s.app, "victor", "nope+nope+nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = try_login(&s.app, "victor", "a+long+enough+password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(headers.get(header::RETRY_AFTER).is_some());
    // Another user is not affected.
    log_in(&s.app, "alice").await;
}

/// Every UI page with no session and with each role's session: pages need a session (else the login page),
/// forms that change data need the editor role; a viewer is refused with 403.
#[tokio::test]
async fn every_page_with_every_role() {
    let s = server("pages");
    let (status, _) = call(
        &s.app,
        Method::POST,
        "/api/v1/products/shop/versions/1.0/sboms",
        Some(&s.editor),
        Some("application/json"),
        sbom("4.17.20"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = call(&s.app, Method::GET, "/api/v1/findings", Some(&s.viewer), None, "").await;
    let finding = list["findings"][0]["id"].as_i64().unwrap();
    let pages = [
        "/".to_owned(),
        "/products".into(),
        "/products/shop/1.0".into(),
        "/findings".into(),
        format!("/findings/{finding}"),
        "/upload".into(),
        "/search?q=lodash".into(),
        "/advisories/GHSA-35jh-r3h4-6jhm".into(),
    ];
    for page in &pages {
        let (status, headers, _) = send(&s.app, Method::GET, page, None, None, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page} without a session");
        assert_eq!(headers.get(header::LOCATION).unwrap(), "/login");
    }
    for user in ["victor", "erin", "alice"] {
        let cookie = log_in(&s.app, user).await;
        for page in &pages {
            let (status, _, _) = send(&s.app, Method::GET, page, Some(&cookie), None, "").await;
            assert_eq!(status, StatusCode::OK, "{page} as {user}");
        }
        let (_, _, page) = send(&s.app, Method::GET, &format!("/findings/{finding}"), Some(&cookie), None, "").await;
        let csrf = csrf_of(&page);
        let body = format!("csrf={csrf}&state=in_triage");
        let (status, _, _) =
            send(&s.app, Method::POST, &format!("/findings/{finding}"), Some(&cookie), Some(FORM), body).await;
        let expected = if user == "victor" { StatusCode::FORBIDDEN } else { StatusCode::OK };
        assert_eq!(status, expected, "triage as {user}");
        let boundary = "b";
        let form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\nshop\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n9\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.json\"\r\n\r\n{}\r\n--{boundary}--\r\n",
            sbom("4.17.21")
        );
        let ct = format!("multipart/form-data; boundary={boundary}");
        let (status, _, _) = send(&s.app, Method::POST, "/upload", Some(&cookie), Some(&ct), form).await;
        assert_eq!(status, expected, "upload as {user}");
    }
}
