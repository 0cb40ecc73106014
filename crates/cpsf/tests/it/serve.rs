//! `cpsf serve` end to end on 127.0.0.1: users and tokens made with the CLI, `cpsf push`, re-matching when the
//! advisory database changes, and the signed webhook received by a local receiver.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) fn cpsf() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cpsf"));
    cmd.env_remove("CPSF_CONFIG").env_remove("CPSF_DATABASE").env_remove("CPSF_DB").env("NO_COLOR", "1");
    cmd
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpsf-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Kills the server when the test ends, however it ends.
pub(crate) struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One webhook request as received.
struct Hook {
    headers: Vec<(String, String)>,
    body: String,
}

/// A receiver on 127.0.0.1 that answers 200 to every request and sends each one down the channel.
fn webhook_receiver() -> (String, mpsc::Receiver<Hook>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            let _ = reader.read_line(&mut line); // request line
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            let length: usize =
                headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = tx.send(Hook { headers, body: String::from_utf8_lossy(&body).into_owned() });
        }
    });
    (url, rx)
}

fn sbom(dir: &Path) -> PathBuf {
    let path = dir.join("shop.cdx.json");
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [
            { "type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20",
              "bom-ref": "pkg:npm/lodash@4.17.20" }
        ]
    });
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// `cpsf user add NAME --role ROLE --password-stdin --data-dir DATA` with `password` on standard input.
fn add_user(data: &Path, name: &str, role: &str, password: &str) -> std::process::Output {
    let mut add = cpsf()
        .args(["user", "add", name, "--role", role, "--password-stdin", "--data-dir"])
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    add.wait_with_output().unwrap()
}

const PASSWORD: &str = "a long enough password";

/// `cpsf serve` on a free loopback port over `dir/data`, with `extra` arguments; the server (killed when dropped)
/// and its base URL, read from the line it prints.
fn spawn_server_with(dir: &Path, extra: &[&std::ffi::OsStr]) -> (Server, String) {
    let mut child = cpsf()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.split("listening on ").nth(1).and_then(|s| s.split(' ').next()).expect(&first).to_owned();
    (Server(child), url)
}

#[test]
fn serve_push_rematch_and_webhook() {
    let dir = scratch("e2e");
    let data_dir = dir.join("data");
    let data = data_dir.to_str().unwrap();

    // The first admin, from standard input; then a CI token for an editor.
    let out = add_user(&data_dir, "alice", "admin", PASSWORD);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = add_user(&data_dir, "bob", "viewer", "short");
    assert_eq!(out.status.code(), Some(2), "a short password is refused");
    let out =
        cpsf().args(["token", "create", "--user", "alice", "--role", "editor", "--data-dir", data]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("cpsf_"), "{token}");

    // The server, with no advisory database yet.
    let (hook_url, hooks) = webhook_receiver();
    let extra = ["--rematch-interval", "1", "--webhook-url", &hook_url, "--webhook-secret", "s3cret"];
    let extra: Vec<&std::ffi::OsStr> = extra.iter().map(std::ffi::OsStr::new).collect();
    let (_server, url) = spawn_server_with(&dir, &extra);

    let file = sbom(&dir);
    let out = cpsf()
        .args(["push", file.to_str().unwrap(), "--server", &url, "--product", "shop", "--version", "1.0"])
        .env("CPSF_TOKEN", &token)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 components") && stderr.contains("did not match"), "{stderr}");
    let out = cpsf()
        .args(["push", file.to_str().unwrap(), "--server", &url, "--product", "shop", "--version", "1.0"])
        .env("CPSF_TOKEN", "cpsf_wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"), "{}", String::from_utf8_lossy(&out.stderr));

    // Advisory data arrives: the server re-matches the stored SBOM and announces the new finding.
    let advisories = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scan/advisories");
    let db = data_dir.join("advisories.db");
    let out = cpsf()
        .args(["--quiet", "db", "import", advisories.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hook = hooks.recv_timeout(Duration::from_secs(30)).expect("a webhook within 30 s");
    let header = |name: &str| hook.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let timestamp: i64 = header("x-cpsf-timestamp").parse().unwrap();
    assert!(
        cpsf_server::webhook::verify(b"s3cret", timestamp, hook.body.as_bytes(), &header("x-cpsf-signature")),
        "the signature verifies"
    );
    let payload: serde_json::Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(payload["event"], "findings.changed");
    assert!(
        payload["new"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["purl"] == "pkg:npm/lodash@4.17.20" && f["product"] == "shop"),
        "{payload}"
    );

    // The findings are there over HTTP, first seen after the upload.
    let agent = ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent();
    let mut response =
        agent.get(&format!("{url}/api/v1/findings?product=shop")).header("x-api-key", &token).call().unwrap();
    assert_eq!(response.status(), 200);
    let list: serde_json::Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert!(list["total"].as_i64().unwrap() >= 1, "{list}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The web UI in Debian's Chromium through playwright-core (`crates/cpsf-server/e2e/ui.mjs`): log in, upload,
/// see findings, triage, search, switch language. Skipped, saying so, when Chromium or playwright-core is missing
/// (`scripts/test.sh` installs both).
#[test]
fn web_ui_in_chromium() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf-server/e2e");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() || !e2e.join("node_modules/playwright-core").is_dir() {
        println!("SKIPPED: web UI test needs {chromium} and playwright-core (npm ci in {})", e2e.display());
        return;
    }
    let dir = scratch("browser");
    let data_dir = dir.join("data");
    assert!(add_user(&data_dir, "erin", "editor", PASSWORD).status.success());
    let advisories = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scan/advisories");
    let db = data_dir.join("advisories.db");
    let out = cpsf()
        .args(["--quiet", "db", "import", advisories.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_server, url) = spawn_server_with(&dir, &[]);
    let out = Command::new("node")
        .arg(e2e.join("ui.mjs"))
        .env("CPSF_URL", &url)
        .env("CPSF_USER", "erin")
        .env("CPSF_PASSWORD", PASSWORD)
        .env("CPSF_SBOM", sbom(&dir))
        .env("CHROMIUM", &chromium)
        .env("CPSF_SCREENSHOT", dir.join("ui.png"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ui.mjs failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ui.mjs: ok"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// JSON over HTTP with a token: (status, body).
fn api(method: &str, url: &str, token: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
    let agent = ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent();
    let mut response = match body {
        Some(b) => agent
            .post(url)
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .send(b.to_string().as_bytes())
            .unwrap(),
        None => {
            assert_eq!(method, "GET");
            agent.get(url).header("x-api-key", token).call().unwrap()
        }
    };
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// A supplier answers a questionnaire in Debian's Chromium (`crates/cpsf-server/e2e/questionnaire.mjs`): the
/// questionnaire and the personal link are made over the API, the browser opens the link without an account,
/// switches to Japanese, answers two questions with a file and submits; the answers are then the supplier's
/// assessment. Skipped, saying so, when Chromium or playwright-core is missing.
#[test]
fn questionnaire_in_chromium() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf-server/e2e");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() || !e2e.join("node_modules/playwright-core").is_dir() {
        println!(
            "SKIPPED: questionnaire browser test needs {chromium} and playwright-core (npm ci in {})",
            e2e.display()
        );
        return;
    }
    let dir = scratch("questionnaire");
    let (_server, url, token) = start_server(&dir);

    // A shipped catalog with at least two assessable entries; every entry asked (groups stand for what is under them).
    let (status, list) = api("GET", &format!("{url}/api/v1/catalogs"), &token, None);
    assert_eq!(status, 200, "{list}");
    let catalog = list["catalogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["assessable"].as_u64().unwrap_or(0) >= 2)
        .expect("a shipped catalog with two assessable entries")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, full) = api("GET", &format!("{url}/api/v1/catalogs/{catalog}"), &token, None);
    assert_eq!(status, 200);
    let entries: Vec<String> =
        full["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    let body = serde_json::json!({ "title": "Browser check", "catalog": catalog, "entries": entries });
    let (status, q) = api("POST", &format!("{url}/api/v1/questionnaires"), &token, Some(body));
    assert_eq!(status, 201, "{q}");
    let asked: Vec<String> = q["entries"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned()).collect();
    let id = q["id"].as_i64().unwrap();
    let invite = serde_json::json!({ "supplier": "Parts Co", "contact": "qa@parts.example", "expires_days": 7 });
    let (status, created) = api("POST", &format!("{url}/api/v1/questionnaires/{id}/invites"), &token, Some(invite));
    assert_eq!(status, 201, "{created}");
    let link = format!("{url}{}", created["link"].as_str().unwrap());

    let out = Command::new("node")
        .arg(e2e.join("questionnaire.mjs"))
        .arg(&link)
        .env("CHROMIUM", &chromium)
        .env("CPSF_SCREENSHOT", dir.join("questionnaire.png"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "questionnaire.mjs failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("questionnaire.mjs: ok"), "{stdout}");

    // The answers are the supplier's assessment.
    let (_, detail) = api("GET", &format!("{url}/api/v1/questionnaires/{id}"), &token, None);
    assert_eq!(detail["answered"], 1, "{detail}");
    let assessment = detail["invites"][0]["assessment"].as_str().expect("the supplier's assessment").to_owned();
    let (status, doc) = api("GET", &format!("{url}/api/v1/assessments/{assessment}"), &token, None);
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["assessment"]["scope"]["kind"], "supplier");
    let result = |entry: &str| {
        doc["assessment"]["results"].as_array().unwrap().iter().find(|r| r["entry"] == entry).cloned().unwrap()
    };
    let first = result(&asked[0]);
    assert_eq!(first["status"], "implemented", "{first}");
    assert_eq!(first["comments"], "ブラウザーから回答しました");
    let second = result(&asked[1]);
    assert_eq!(second["status"], "partially", "{second}");
    assert_eq!(second["evidence"][0]["name"], "evidence.txt", "{second}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server on a fresh data directory with an editor's token; returns (server, base URL, token).
pub(crate) fn start_server(dir: &Path) -> (Server, String, String) {
    let data = dir.join("data");
    assert!(add_user(&data, "ci", "editor", PASSWORD).status.success());
    let data = data.to_str().unwrap();
    let out =
        cpsf().args(["token", "create", "--user", "ci", "--role", "editor", "--data-dir", data]).output().unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (server, url) = spawn_server(dir);
    (server, url, token)
}

fn spawn_server(dir: &Path) -> (Server, String) {
    spawn_server_with(dir, &[])
}

fn big_sbom(components: usize, tag: &str) -> String {
    let list: Vec<serde_json::Value> = (0..components)
        .map(|i| {
            let purl = format!("pkg:npm/pkg-{tag}-{i}@1.0.{i}");
            serde_json::json!({ "type": "library", "name": format!("pkg-{tag}-{i}"), "version": format!("1.0.{i}"), "purl": purl, "bom-ref": purl })
        })
        .collect();
    serde_json::json!({ "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": list }).to_string()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent()
}

fn upload(url: &str, token: &str, product: &str, version: &str, doc: &str) -> Result<serde_json::Value, String> {
    let mut response = agent()
        .post(&format!("{url}/api/v1/products/{product}/versions/{version}/sboms"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .send(doc.as_bytes())
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
    if status != 201 {
        return Err(format!("{status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

fn products(url: &str, token: &str) -> serde_json::Value {
    let mut response = agent().get(&format!("{url}/api/v1/products")).header("x-api-key", token).call().unwrap();
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

/// Components of each version (by version text) as the server lists them.
fn component_counts(list: &serde_json::Value) -> std::collections::BTreeMap<String, i64> {
    list.as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["versions"].as_array().unwrap().iter())
        .map(|v| (v["version"].as_str().unwrap().to_owned(), v["components"].as_i64().unwrap()))
        .collect()
}

#[test]
fn parallel_uploads_lose_nothing() {
    let dir = scratch("parallel");
    let (_server, url, token) = start_server(&dir);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (url, token) = (url.clone(), token.clone());
            std::thread::spawn(move || {
                for n in 0..3 {
                    let version = format!("{t}.{n}");
                    upload(&url, &token, "busy", &version, &big_sbom(50 + t * 3 + n, &version)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let counts = component_counts(&products(&url, &token));
    assert_eq!(counts.len(), 24, "{counts:?}");
    for t in 0..8 {
        for n in 0..3 {
            assert_eq!(counts[&format!("{t}.{n}")], (50 + t * 3 + n) as i64);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kill_during_ingest_keeps_every_acknowledged_upload() {
    let dir = scratch("kill");
    let (mut server, url, token) = start_server(&dir);
    let mut acknowledged = std::collections::BTreeMap::new();
    for n in 0..3 {
        let version = format!("1.{n}");
        let body = upload(&url, &token, "shop", &version, &big_sbom(200 + n, &version)).unwrap();
        acknowledged.insert(version, body["components"].as_i64().unwrap());
    }
    // A large upload in flight, and the server killed (SIGKILL) while it is being ingested.
    let doc = big_sbom(20_000, "big");
    let in_flight = {
        let (url, token) = (url.clone(), token.clone());
        std::thread::spawn(move || upload(&url, &token, "shop", "2.0", &doc))
    };
    std::thread::sleep(Duration::from_millis(300));
    server.0.kill().unwrap();
    let _ = server.0.wait();
    let outcome = in_flight.join().unwrap();
    drop(server);

    let (_again, url) = spawn_server(&dir);
    let counts = component_counts(&products(&url, &token));
    for (version, n) in &acknowledged {
        assert_eq!(counts.get(version), Some(n), "acknowledged upload {version} is there after the kill");
    }
    // The killed upload is there whole or not at all.
    match counts.get("2.0") {
        None => {}
        Some(n) => assert_eq!(*n, 20_000, "a half-stored upload"),
    }
    if let Ok(body) = outcome {
        assert_eq!(counts.get("2.0"), Some(&body["components"].as_i64().unwrap()), "acknowledged before the kill");
    }
    // And the store still takes writes.
    upload(&url, &token, "shop", "3.0", &big_sbom(10, "after")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--tls-cert/--tls-key`: the server answers HTTPS with the given certificate, and session cookies are `Secure`.
/// Uses the `openssl` and `curl` commands (skipped, saying so, without them).
#[test]
fn tls_serves_https_with_secure_cookies() {
    if Command::new("openssl").arg("version").output().is_err()
        || Command::new("curl").arg("--version").output().is_err()
    {
        println!("SKIPPED: the TLS test needs the openssl and curl commands");
        return;
    }
    let dir = scratch("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(add_user(&dir.join("data"), "erin", "editor", PASSWORD).status.success());
    let tls =
        [std::ffi::OsStr::new("--tls-cert"), cert.as_os_str(), std::ffi::OsStr::new("--tls-key"), key.as_os_str()];
    let (_server, url) = spawn_server_with(&dir, &tls);
    assert!(url.starts_with("https://"), "{url}");
    // The login page first, for its CSRF token and cookie (kept in a cookie jar), then the form.
    let jar = dir.join("cookies.txt");
    let page = Command::new("curl")
        .args(["-s", "--noproxy", "*", "--cacert"])
        .arg(&cert)
        .arg("-c")
        .arg(&jar)
        .arg(format!("{url}/login"))
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&page.stdout).into_owned();
    let at = page.find("name=\"csrf\" value=\"").expect(&page) + "name=\"csrf\" value=\"".len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    let out = Command::new("curl")
        .args(["-s", "-i", "--noproxy", "*", "--cacert"])
        .arg(&cert)
        .arg("-b")
        .arg(&jar)
        .args(["-d", &format!("user=erin&password=a+long+enough+password&csrf={csrf}")])
        .arg(format!("{url}/login"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
    let cookie = text.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie: cpsf_session=")).expect(&text);
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // Plain HTTP on the TLS port gets nowhere.
    let out = Command::new("curl")
        .args(["-s", "--noproxy", "*", "--max-time", "5"])
        .arg(url.replace("https://", "http://") + "/api/version")
        .output()
        .unwrap();
    assert!(!out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("cpsf"));
    let _ = std::fs::remove_dir_all(&dir);
}
