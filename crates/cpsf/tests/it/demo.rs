//! `cpsf demo` then `cpsf serve` over its data directory, on 127.0.0.1: signed in with the session login, the
//! asset table, the zone diagram with the violation in red, the discovered devices, a device advisory finding next
//! to a software finding, the assessment's automatic evidence; and the same in Debian's Chromium
//! (`crates/cpsf-server/e2e/ot.mjs`): the diagram, a merge of a discovered device, the merged device in the table.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::serve::{cpsf, scratch};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const PASSWORD: &str = "demo password for the test";

/// `cpsf demo --data-dir DIR --password-stdin` (and `extra` arguments).
fn demo(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut child = cpsf()
        .args(["demo", "--password-stdin", "--data-dir"])
        .arg(dir)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// `cpsf serve` on a free loopback port over `data`; the server (killed when dropped) and its base URL.
fn serve(data: &Path) -> (Server, String) {
    let mut child = cpsf()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.split("listening on ").nth(1).and_then(|s| s.split(' ').next()).expect(&first).to_owned();
    (Server(child), url)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().proxy(None).http_status_as_error(false).max_redirects(0).build().new_agent()
}

/// The first `name=value` of the response's cookies named `name`.
fn set_cookie(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}

/// Sign in through the login form; the session cookie.
fn log_in(url: &str, user: &str, password: &str) -> String {
    let agent = agent();
    let mut page = agent.get(&format!("{url}/login")).call().unwrap();
    let csrf_cookie = set_cookie(&page, "cpsf_login_csrf");
    let text = page.body_mut().read_to_string().unwrap();
    let csrf = text.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let form = format!("user={user}&password={}&csrf={csrf}", password.replace(' ', "+"));
    let response = agent
        .post(&format!("{url}/login"))
        .header("cookie", &csrf_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .unwrap();
    assert_eq!(response.status(), 303, "the login redirects");
    set_cookie(&response, "cpsf_session")
}

fn page(url: &str, path: &str, cookie: &str) -> String {
    let mut response = agent().get(&format!("{url}{path}")).header("cookie", cookie).call().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.body_mut().read_to_string().unwrap()
}

#[test]
fn demo_then_serve_shows_the_plant() {
    let dir = scratch("demo");
    let data = dir.join("data");
    let out = demo(&data, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("user: demo") && !stdout.contains(PASSWORD), "the given password is not echoed: {stdout}");
    assert!(stderr.contains("12 assets") && stderr.contains("1 conduit violation"), "{stderr}");
    // A second run refuses to overwrite, unless forced; a short password is refused.
    let again = demo(&data, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(demo(&data, &["--force"]).status.success());
    let short = cpsf()
        .args(["demo", "--password-stdin", "--force", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"short\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
    // Without --password-stdin a password is generated and printed once.
    let other = dir.join("other");
    let out = cpsf().args(["demo", "--data-dir"]).arg(&other).output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    let generated = printed.lines().find_map(|l| l.strip_prefix("password: ")).expect(&printed).to_owned();
    assert!(generated.len() >= 10);

    let (_server, url) = serve(&data);
    let cookie = log_in(&url, "demo", PASSWORD);
    let site = "/sites/example-works";
    let assets = page(&url, &format!("{site}/assets"), &cookie);
    for id in ["plc-press", "hmi-line1", "scada-1", "sensor-1", "switch-cell", "robot-1"] {
        assert!(assets.contains(&format!("{site}/assets/{id}\"")), "{id} in the asset table");
    }
    assert!(assets.contains("Example Automation"), "vendors shown");
    let zones = page(&url, &format!("{site}/zones"), &cookie);
    let violation = zones.find("<g class=\"violation\">").expect("the violation drawn");
    assert!(
        zones[violation..].contains("stroke=\"#c0392b\"") && zones[violation..].contains("mqtt"),
        "in red, with its protocol"
    );
    assert!(zones.contains("sensor-1 (cell)") && zones.contains("historian-1 (dmz)"), "and listed");
    let discovered = page(&url, &format!("{site}/discovered"), &cookie);
    assert!(discovered.contains("value=\"discovered-10-20-1-99\""), "the unknown laptop is a candidate");
    assert!(discovered.contains("0x00004712"), "conflicting values shown");
    let press = page(&url, &format!("{site}/assets/plc-press"), &cookie);
    assert!(press.contains("CVE-2099-0001") && press.contains("EXA-SA-2099-001"), "the device advisory finding");
    let hmi = page(&url, &format!("{site}/assets/hmi-line1"), &cookie);
    assert!(hmi.contains("CVE-2099-0002"), "the HMI's device finding");
    assert!(hmi.contains("CVE-2099-0101") && hmi.contains("hmi-runtime"), "next to the software finding of its SBOM");
    let iotssf = page(&url, &format!("{site}/iotssf"), &cookie);
    assert!(iotssf.contains("Category IV") && iotssf.contains("badge unverified"), "{iotssf}");
    // The assessment carries the automatic evidence of the new check.
    let list = page(&url, "/assessments", &cookie);
    let id = list.split("href=\"/assessments/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let assessment = page(&url, &format!("/assessments/{id}"), &cookie);
    assert!(assessment.contains("scada-1"), "assets-inventoried names the asset without firmware");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo in Debian's Chromium through playwright-core (`crates/cpsf-server/e2e/ot.mjs`). Skipped, saying so,
/// when Chromium or playwright-core is missing.
#[test]
fn demo_in_chromium() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cpsf-server/e2e");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() || !e2e.join("node_modules/playwright-core").is_dir() {
        println!("SKIPPED: the demo browser test needs {chromium} and playwright-core (npm ci in {})", e2e.display());
        return;
    }
    let dir = scratch("demo-browser");
    let data = dir.join("data");
    let out = demo(&data, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_server, url) = serve(&data);
    let out = Command::new("node")
        .arg(e2e.join("ot.mjs"))
        .env("CPSF_URL", &url)
        .env("CPSF_USER", "demo")
        .env("CPSF_PASSWORD", PASSWORD)
        .env("CPSF_SITE", "example-works")
        .env("CHROMIUM", &chromium)
        .env("CPSF_SCREENSHOT", dir.join("zones.png"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ot.mjs failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ot.mjs: ok"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo's files on the command line: `cpsf asset discover` over the demo capture reports the conduit
/// violation, the unknown device and the new protocols (exit 1), and `--merge` puts the unknown device into the
/// plant file with its provenance; `--dry-run` writes nothing.
#[test]
fn demo_files_discover_and_merge_on_the_command_line() {
    let dir = scratch("demo-cli");
    let data = dir.join("demo");
    let out = demo(&data, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = data.join("files");
    let plant = files.join("plant.yaml");
    let capture = files.join("line1-demo.pcapng");
    let run = |extra: &[&str]| {
        cpsf().args(["asset", "discover"]).arg(&capture).arg("--plant").arg(&plant).args(extra).output().unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1), "a violation is a finding: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("VIOLATION sensor-1") && text.contains("no conduit joins the zones"), "{text}");
    assert!(text.contains("UNKNOWN DEVICE 10.20.1.99"), "{text}");
    assert!(text.contains("NEW PROTOCOL hmi-line1 (control): opcua"), "{text}");
    assert!(text.contains("discovered-10-20-1-99"), "{text}");
    let before = std::fs::read(&plant).unwrap();
    let out = run(&["--merge", "discovered-10-20-1-99", "--dry-run"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("dry run, nothing written: would have merged: 1 added"));
    assert_eq!(std::fs::read(&plant).unwrap(), before, "a dry run writes nothing");
    let out = run(&["--merge", "discovered-10-20-1-99", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["merge"]["added"], serde_json::json!(["discovered-10-20-1-99"]), "{report}");
    let yaml = std::fs::read_to_string(&plant).unwrap();
    assert!(yaml.contains("discovered-10-20-1-99") && yaml.contains("line1-demo.pcapng"), "merged with provenance");
    let out = run(&[]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("UNKNOWN DEVICE 10.20.1.99"), "no longer unknown");
    let bad = run(&["--merge", "no-such-candidate"]);
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
