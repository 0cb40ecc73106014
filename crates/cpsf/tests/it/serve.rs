//! `cpsf serve` end to end on 127.0.0.1: users and tokens made with the CLI, `cpsf push`, re-matching when the
//! advisory database changes, and the signed webhook received by a local receiver.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn cpsf() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cpsf"));
    cmd.env_remove("CPSF_CONFIG").env_remove("CPSF_DATABASE").env_remove("CPSF_DB").env("NO_COLOR", "1");
    cmd
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpsf-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);
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

#[test]
fn serve_push_rematch_and_webhook() {
    let dir = scratch("e2e");
    let data_dir = dir.join("data");
    let data = data_dir.to_str().unwrap();

    // The first admin, from standard input; then a CI token for an editor.
    let mut add = cpsf()
        .args(["user", "add", "alice", "--role", "admin", "--password-stdin", "--data-dir", data])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let short = cpsf()
        .args(["user", "add", "bob", "--role", "viewer", "--password-stdin", "--data-dir", data])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = {
        let mut short = short;
        short.stdin.take().unwrap().write_all(b"short\n").unwrap();
        short.wait_with_output().unwrap()
    };
    assert_eq!(out.status.code(), Some(2), "a short password is refused");
    let out =
        cpsf().args(["token", "create", "--user", "alice", "--role", "editor", "--data-dir", data]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("cpsf_"), "{token}");

    // The server, with no advisory database yet.
    let (hook_url, hooks) = webhook_receiver();
    let mut child = cpsf()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--rematch-interval", "1"])
        .args(["--webhook-url", &hook_url, "--webhook-secret", "s3cret"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let _server = Server(child);
    let url = first.split("listening on ").nth(1).and_then(|s| s.split(' ').next()).expect(&first).to_owned();

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
    let data = data_dir.to_str().unwrap();
    let mut add = cpsf()
        .args(["user", "add", "erin", "--role", "editor", "--password-stdin", "--data-dir", data])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    assert!(add.wait_with_output().unwrap().status.success());
    let advisories = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scan/advisories");
    let db = data_dir.join("advisories.db");
    let out = cpsf()
        .args(["--quiet", "db", "import", advisories.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut child = cpsf()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let _server = Server(child);
    let url = first.split("listening on ").nth(1).and_then(|s| s.split(' ').next()).expect(&first).to_owned();
    let out = Command::new("node")
        .arg(e2e.join("ui.mjs"))
        .env("CPSF_URL", &url)
        .env("CPSF_USER", "erin")
        .env("CPSF_PASSWORD", "a long enough password")
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
