//! `cpsf db update`'s download half against a small HTTP/1.1 server on 127.0.0.1 written here: fresh,
//! conditional (304), resumed (Range/If-Range), corrupted, missing and malformed downloads. Never the internet.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use cpsf_vuln::download::{
    DEFAULT_BASE_URL, DEFAULT_ECOSYSTEMS, DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DownloadError, Progress, UpdateOutcome,
    UpdatePlan, update,
};
use md5::{Digest as _, Md5};

/// Upper bound on one `update` call, so that a bug cannot hang the test run (it is not a timing assertion).
const GUARD: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------------------
// The test server

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Normal,
    /// The next full (200) response declares the whole length but closes after this many body bytes.
    CutOnceAfter(usize),
    /// The body is served with the byte at this offset flipped.
    Corrupt(usize),
    NotFound,
    /// Ranges are answered with a `Content-Range` whose total is 10 bytes more than the file.
    WrongRangeTotal,
}

/// Which `x-goog-hash` headers the server sends (of the whole, uncorrupted object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GoogHash {
    None,
    Both,
    /// As for a composite object, which has no md5.
    Crc32cOnly,
}

#[derive(Clone, Debug)]
struct Resource {
    body: Vec<u8>,
    etag: String,
    last_modified: String,
    goog_hash: GoogHash,
    behaviour: Behaviour,
}

impl Resource {
    fn new(body: Vec<u8>, etag: &str) -> Self {
        Self {
            body,
            etag: format!("\"{etag}\""),
            last_modified: "Tue, 01 Apr 2025 10:00:00 GMT".to_owned(),
            goog_hash: GoogHash::None,
            behaviour: Behaviour::Normal,
        }
    }
}

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
    status: u16,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

struct Server {
    base: String,
    resources: Arc<Mutex<HashMap<String, Resource>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let resources: Arc<Mutex<HashMap<String, Resource>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (Arc::clone(&resources), Arc::clone(&seen));
        // The accept loop ends with the test process.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s) = (Arc::clone(&r), Arc::clone(&s));
                thread::spawn(move || serve(stream, &r, &s));
            }
        });
        Self { base, resources, seen }
    }

    fn put(&self, path: &str, resource: Resource) {
        self.resources.lock().unwrap().insert(path.to_owned(), resource);
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn serve(mut stream: TcpStream, resources: &Mutex<HashMap<String, Resource>>, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }

    // Decide the answer under the lock; a cut happens only once.
    let resource = {
        let mut map = resources.lock().unwrap();
        let found = map.get(&path).cloned();
        if let Some(Resource { behaviour: Behaviour::CutOnceAfter(_), .. }) = &found
            && !headers.contains_key("range")
            && let Some(r) = map.get_mut(&path)
        {
            r.behaviour = Behaviour::Normal;
        }
        found
    };
    let record = |status: u16| {
        seen.lock().unwrap().push(Seen { path: path.clone(), headers: headers.clone(), status });
    };
    let Some(resource) = resource.filter(|r| r.behaviour != Behaviour::NotFound) else {
        record(404);
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
        return;
    };

    let mut common = format!(
        "ETag: {}\r\nLast-Modified: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n",
        resource.etag, resource.last_modified
    );
    // As Cloud Storage sends them: one header per hash, of the whole object even for a range.
    let b64 = base64::engine::general_purpose::STANDARD;
    if resource.goog_hash != GoogHash::None {
        common.push_str(&format!("x-goog-hash: crc32c={}\r\n", b64.encode(crc32c(&resource.body).to_be_bytes())));
    }
    if resource.goog_hash == GoogHash::Both {
        let md5 = Md5::digest(&resource.body);
        common.push_str(&format!("x-goog-hash: md5={}\r\n", b64.encode(md5)));
    }
    if headers.get("if-none-match") == Some(&resource.etag) {
        record(304);
        let _ = stream.write_all(format!("HTTP/1.1 304 Not Modified\r\n{common}\r\n").as_bytes());
        return;
    }

    let mut body = resource.body.clone();
    if let Behaviour::Corrupt(at) = resource.behaviour {
        body[at] ^= 0x55;
    }
    let len = body.len();
    let if_range_ok = headers.get("if-range").is_none_or(|v| *v == resource.etag || *v == resource.last_modified);
    let range_start = headers
        .get("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    match range_start {
        Some(start) if if_range_ok && start >= len => {
            record(416);
            let _ = stream.write_all(
                format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
            );
        }
        Some(start) if if_range_ok => {
            record(206);
            let total = if resource.behaviour == Behaviour::WrongRangeTotal { len + 10 } else { len };
            let head = format!(
                "HTTP/1.1 206 Partial Content\r\n{common}Content-Range: bytes {start}-{}/{total}\r\nContent-Length: {}\r\n\r\n",
                len - 1,
                len - start
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[start..]);
        }
        _ => {
            record(200);
            let head = format!("HTTP/1.1 200 OK\r\n{common}Content-Length: {len}\r\n\r\n");
            let _ = stream.write_all(head.as_bytes());
            match resource.behaviour {
                Behaviour::CutOnceAfter(n) => {
                    let _ = stream.write_all(&body[..n]);
                    let _ = stream.flush();
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                _ => {
                    let _ = stream.write_all(&body);
                }
            }
        }
    }
    let _ = stream.flush();
    // Let the client see the end of the response, then close.
    let _ = stream.shutdown(Shutdown::Write);
    let mut rest = Vec::new();
    let _ = stream.take(1 << 16).read_to_end(&mut rest);
}

/// CRC-32C, bit by bit (the library uses a table; this is an independent check of it).
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0x82F6_3B78 & mask);
        }
    }
    !crc
}

// ---------------------------------------------------------------------------------------------------------
// Test data

/// A zip of a few small OSV records, deflated.
fn osv_zip(ecosystem: &str, records: usize) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..records {
        let id = format!("TEST-{ecosystem}-{i:04}");
        writer.start_file(format!("{id}.json"), options).unwrap();
        let record = serde_json::json!({
            "schema_version": "1.6.0",
            "id": id,
            "modified": "2025-04-01T10:00:00Z",
            "summary": format!("Test advisory {i} for {ecosystem}, with enough words to make the entry longer than a few bytes."),
            "affected": [{
                "package": {"ecosystem": ecosystem, "name": format!("pkg-{i}")},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": format!("1.{i}.0")}]}]
            }]
        });
        writer.write_all(serde_json::to_string_pretty(&record).unwrap().as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Offset of the first entry's compressed data, so a flipped byte there must break its CRC or inflation.
fn first_entry_data(archive: &[u8]) -> usize {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
    let entry = zip.by_index(0).unwrap();
    usize::try_from(entry.data_start().unwrap()).unwrap() + 3
}

fn kev_json() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2025.04.01",
        "count": 1,
        "vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10"}]
    }))
    .unwrap()
}

fn epss_gz(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

const EPSS_TEXT: &str = "#model_version:v2025.03.14,score_date:2025-04-01T12:55:00Z\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99957\nCVE-1999-0001,0.01,0.5\n";

// ---------------------------------------------------------------------------------------------------------
// Helpers

static DIRS: AtomicUsize = AtomicUsize::new(0);

fn cache_dir(name: &str) -> PathBuf {
    let n = DIRS.fetch_add(1, Ordering::SeqCst);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("download-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn plan(server: &Server, ecosystems: &[&str], dir: &Path) -> UpdatePlan {
    UpdatePlan {
        base_url: format!("{}/osv", server.base),
        ecosystems: ecosystems.iter().map(|&e| e.to_owned()).collect(),
        kev_url: None,
        epss_url: None,
        cache_dir: dir.to_owned(),
    }
}

/// Run one update on a thread, bounded by [`GUARD`].
fn run(plan: &UpdatePlan) -> (Result<UpdateOutcome, DownloadError>, Vec<Progress>) {
    let plan = plan.clone();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut events = Vec::new();
        let result = update(&plan, &mut |p| events.push(p));
        let _ = tx.send((result, events));
    });
    rx.recv_timeout(GUARD).expect("update did not finish within the guard time")
}

fn ok(plan: &UpdatePlan) -> (UpdateOutcome, Vec<Progress>) {
    let (result, events) = run(plan);
    (result.expect("update succeeds"), events)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn part_of(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

// ---------------------------------------------------------------------------------------------------------
// Tests

#[test]
fn default_urls_are_well_formed() {
    let plan = UpdatePlan::new("/cache");
    let mut urls = vec![DEFAULT_KEV_URL.to_owned(), DEFAULT_EPSS_URL.to_owned(), DEFAULT_BASE_URL.to_owned()];
    urls.extend(DEFAULT_ECOSYSTEMS.iter().map(|e| plan.osv_archive_url(e)));
    for url in &urls {
        let uri: ureq::http::Uri = url.parse().unwrap_or_else(|e| panic!("{url} is not a URI: {e}"));
        assert_eq!(uri.scheme_str(), Some("https"), "{url}");
        let host = uri.host().unwrap_or("");
        assert!(host.contains('.') && !host.ends_with('.'), "{url}");
        assert!(!url.contains(char::is_whitespace), "{url}");
    }
    assert_eq!(
        plan.osv_archive_url("crates.io"),
        "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip"
    );
    assert_eq!(plan.kev_url.as_deref(), Some(DEFAULT_KEV_URL));
    assert_eq!(plan.epss_url.as_deref(), Some(DEFAULT_EPSS_URL));
    assert_eq!(plan.ecosystems.len(), DEFAULT_ECOSYSTEMS.len());
}

#[test]
fn fresh_update_fetches_and_verifies_everything() {
    let server = Server::start();
    let crates = osv_zip("crates.io", 3);
    let pypi = osv_zip("PyPI", 2);
    let mut hashed = Resource::new(pypi.clone(), "pypi-1");
    hashed.goog_hash = GoogHash::Both;
    server.put("/osv/crates.io/all.zip", Resource::new(crates.clone(), "crates-1"));
    server.put("/osv/PyPI/all.zip", hashed);
    server.put("/kev.json", Resource::new(kev_json(), "kev-1"));
    let epss = epss_gz(EPSS_TEXT);
    server.put("/epss.csv.gz", Resource::new(epss.clone(), "epss-1"));

    let dir = cache_dir("fresh");
    let mut plan = plan(&server, &["crates.io", "PyPI"], &dir);
    plan.kev_url = Some(server.url("/kev.json"));
    plan.epss_url = Some(server.url("/epss.csv.gz"));
    let (outcome, events) = ok(&plan);

    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_eq!(outcome.files.len(), 4);
    let expected = [
        (plan.osv_archive_url("crates.io"), dir.join("crates.io/all.zip"), &crates),
        (plan.osv_archive_url("PyPI"), dir.join("PyPI/all.zip"), &pypi),
        (server.url("/kev.json"), dir.join("kev/known_exploited_vulnerabilities.json"), &kev_json()),
        (server.url("/epss.csv.gz"), dir.join("epss/epss_scores.csv.gz"), &epss),
    ];
    for ((url, path, body), file) in expected.iter().zip(&outcome.files) {
        assert_eq!(&file.url, url);
        assert_eq!(&file.path, path);
        assert!(!file.unchanged);
        assert_eq!(file.bytes, body.len() as u64);
        assert_eq!(&read(path), *body);
        assert!(!part_of(path).exists());
        // Each URL: Started first, Finished last, Advanced in between reaching the whole size.
        let mine: Vec<&Progress> = events
            .iter()
            .filter(|p| match p {
                Progress::Started { url: u, .. }
                | Progress::Advanced { url: u, .. }
                | Progress::Finished { url: u, .. }
                | Progress::Failed { url: u, .. } => u == url,
            })
            .collect();
        assert!(
            matches!(mine.first(), Some(Progress::Started { total: Some(t), resumed_from: 0, .. }) if *t == body.len() as u64),
            "{mine:?}"
        );
        assert!(
            matches!(mine.last(), Some(Progress::Finished { bytes, unchanged: false, .. }) if *bytes == body.len() as u64),
            "{mine:?}"
        );
        assert!(mine.iter().any(|p| matches!(p, Progress::Advanced { bytes, .. } if *bytes == body.len() as u64)));
    }
    // Every request carried our user agent.
    let seen = server.seen("/osv/crates.io/all.zip");
    assert_eq!(seen.len(), 1);
    assert!(seen[0].header("user-agent").is_some_and(|ua| ua.starts_with("cpsf/")), "{:?}", seen[0].headers);
    assert!(seen[0].header("range").is_none());
}

#[test]
fn second_update_is_conditional_and_reports_unchanged() {
    let server = Server::start();
    let body = osv_zip("npm", 2);
    server.put("/osv/npm/all.zip", Resource::new(body.clone(), "npm-1"));
    let dir = cache_dir("conditional");
    let plan = plan(&server, &["npm"], &dir);
    let (first, _) = ok(&plan);
    assert!(!first.files[0].unchanged);

    let (second, events) = ok(&plan);
    assert_eq!(second.files.len(), 1);
    assert!(second.files[0].unchanged);
    assert_eq!(second.files[0].bytes, body.len() as u64);
    assert_eq!(read(&dir.join("npm/all.zip")), body);
    let seen = server.seen("/osv/npm/all.zip");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("if-none-match"), Some("\"npm-1\""));
    assert_eq!(seen[1].header("if-modified-since"), Some("Tue, 01 Apr 2025 10:00:00 GMT"));
    assert_eq!(seen[1].status, 304);
    assert_eq!(
        events,
        vec![Progress::Finished { url: plan.osv_archive_url("npm"), bytes: body.len() as u64, unchanged: true }]
    );
}

#[test]
fn changed_archive_replaces_the_cached_one() {
    let server = Server::start();
    server.put("/osv/Go/all.zip", Resource::new(osv_zip("Go", 1), "go-1"));
    let dir = cache_dir("changed");
    let plan = plan(&server, &["Go"], &dir);
    ok(&plan);
    let newer = osv_zip("Go", 4);
    server.put("/osv/Go/all.zip", Resource::new(newer.clone(), "go-2"));
    let (outcome, _) = ok(&plan);
    assert!(!outcome.files[0].unchanged);
    assert_eq!(read(&dir.join("Go/all.zip")), newer);
    let seen = server.seen("/osv/Go/all.zip");
    assert_eq!(seen[1].header("if-none-match"), Some("\"go-1\""));
    assert_eq!(seen[1].status, 200);
}

#[test]
fn interrupted_transfer_resumes_with_a_range_request() {
    let server = Server::start();
    let body = osv_zip("Maven", 12);
    let half = body.len() / 2;
    let mut cut = Resource::new(body.clone(), "maven-1");
    cut.behaviour = Behaviour::CutOnceAfter(half);
    server.put("/osv/Maven/all.zip", cut);
    server.put("/osv/Hex/all.zip", Resource::new(osv_zip("Hex", 1), "hex-1"));
    let dir = cache_dir("resume");
    let plan = plan(&server, &["Maven", "Hex"], &dir);
    let final_path = dir.join("Maven/all.zip");

    let (first, _) = ok(&plan);
    assert_eq!(first.files.len(), 1, "Hex still arrives");
    assert_eq!(first.failures.len(), 1);
    assert_eq!(first.failures[0].0, plan.osv_archive_url("Maven"));
    assert!(first.failures[0].1.contains("resumes"), "{}", first.failures[0].1);
    assert!(!final_path.exists());
    let partial = read(&part_of(&final_path));
    assert!(!partial.is_empty() && partial.len() <= half, "{}", partial.len());
    assert_eq!(partial, body[..partial.len()]);

    let (second, events) = ok(&plan);
    assert!(second.failures.is_empty(), "{:?}", second.failures);
    assert_eq!(read(&final_path), body);
    assert!(!part_of(&final_path).exists());
    let seen = server.seen("/osv/Maven/all.zip");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("range"), Some(format!("bytes={}-", partial.len()).as_str()));
    assert_eq!(seen[1].header("if-range"), Some("\"maven-1\""));
    assert_eq!(seen[1].status, 206);
    assert!(events.iter().any(|p| matches!(p,
        Progress::Started { url, total: Some(t), resumed_from }
            if *url == plan.osv_archive_url("Maven") && *t == body.len() as u64 && *resumed_from == partial.len() as u64)));
}

#[test]
fn a_partial_file_the_server_cannot_continue_is_fetched_again() {
    let server = Server::start();
    let body = osv_zip("Pub", 8);
    let mut cut = Resource::new(body.clone(), "pub-1");
    cut.behaviour = Behaviour::CutOnceAfter(body.len() / 2);
    server.put("/osv/Pub/all.zip", cut);
    let dir = cache_dir("416");
    let plan = plan(&server, &["Pub"], &dir);
    let final_path = dir.join("Pub/all.zip");
    assert!(run(&plan).0.is_err());
    // As if the previous run had received everything and stopped before the rename: the range asked for
    // next starts at the end of the file.
    let partial = read(&part_of(&final_path));
    let mut complete = partial.clone();
    complete.extend_from_slice(&body[partial.len()..]);
    std::fs::write(part_of(&final_path), &complete).unwrap();

    let (outcome, _) = ok(&plan);
    assert!(!outcome.files[0].unchanged);
    assert_eq!(read(&final_path), body);
    let statuses: Vec<u16> = server.seen("/osv/Pub/all.zip").iter().map(|s| s.status).collect();
    assert_eq!(statuses, [200, 416, 200]);
}

#[test]
fn resume_of_a_file_that_changed_meanwhile_starts_over() {
    let server = Server::start();
    let old = osv_zip("RubyGems", 10);
    let mut cut = Resource::new(old.clone(), "gems-1");
    cut.behaviour = Behaviour::CutOnceAfter(old.len() / 3);
    server.put("/osv/RubyGems/all.zip", cut);
    let dir = cache_dir("resume-changed");
    let plan = plan(&server, &["RubyGems"], &dir);
    let (result, _) = run(&plan);
    assert!(matches!(result, Err(DownloadError::NothingFetched { .. })));

    let newer = osv_zip("RubyGems", 11);
    server.put("/osv/RubyGems/all.zip", Resource::new(newer.clone(), "gems-2"));
    let (outcome, events) = ok(&plan);
    assert_eq!(read(&dir.join("RubyGems/all.zip")), newer);
    assert_eq!(outcome.files[0].bytes, newer.len() as u64);
    let seen = server.seen("/osv/RubyGems/all.zip");
    assert_eq!(seen[1].header("if-range"), Some("\"gems-1\""));
    assert_eq!(seen[1].status, 200, "If-Range no longer matches");
    assert!(events.iter().any(|p| matches!(p, Progress::Started { resumed_from: 0, .. })));
}

#[test]
fn corrupt_archive_fails_verification_and_leaves_no_file() {
    let server = Server::start();
    let body = osv_zip("NuGet", 3);
    let mut bad = Resource::new(body.clone(), "nuget-1");
    bad.behaviour = Behaviour::Corrupt(first_entry_data(&body));
    server.put("/osv/NuGet/all.zip", bad);
    server.put("/osv/Pub/all.zip", Resource::new(osv_zip("Pub", 1), "pub-1"));
    let dir = cache_dir("corrupt");
    let plan = plan(&server, &["NuGet", "Pub"], &dir);
    let (outcome, events) = ok(&plan);

    assert_eq!(outcome.files.len(), 1);
    assert_eq!(outcome.files[0].url, plan.osv_archive_url("Pub"));
    assert_eq!(outcome.failures.len(), 1);
    let (url, reason) = &outcome.failures[0];
    assert_eq!(url, &plan.osv_archive_url("NuGet"));
    assert!(reason.contains("verification failed"), "{reason}");
    assert!(reason.contains("zip entry 0"), "{reason}");
    let final_path = dir.join("NuGet/all.zip");
    assert!(!final_path.exists());
    assert!(!part_of(&final_path).exists());
    assert!(events.iter().any(|p| matches!(p, Progress::Failed { url: u, .. } if u == url)));
}

#[test]
fn goog_hash_mismatch_is_a_verification_failure() {
    let server = Server::start();
    let body = osv_zip("Packagist", 3);
    let mut bad = Resource::new(body.clone(), "pk-1");
    bad.goog_hash = GoogHash::Both;
    bad.behaviour = Behaviour::Corrupt(first_entry_data(&body));
    server.put("/osv/Packagist/all.zip", bad);
    let dir = cache_dir("goog-hash");
    let plan = plan(&server, &["Packagist"], &dir);
    let (result, _) = run(&plan);
    let Err(DownloadError::NothingFetched { failures }) = result else {
        panic!("expected every URL to fail: {result:?}");
    };
    assert_eq!(failures.len(), 1);
    assert!(failures[0].1.contains("md5"), "{}", failures[0].1);
    assert!(!dir.join("Packagist/all.zip").exists());
    assert!(!part_of(&dir.join("Packagist/all.zip")).exists());
}

#[test]
fn crc32c_alone_is_checked_when_there_is_no_md5() {
    let server = Server::start();
    let body = osv_zip("Hex", 3);
    let mut good = Resource::new(body.clone(), "hex-1");
    good.goog_hash = GoogHash::Crc32cOnly;
    server.put("/osv/Hex/all.zip", good);
    let mut bad = Resource::new(body.clone(), "go-1");
    bad.goog_hash = GoogHash::Crc32cOnly;
    bad.behaviour = Behaviour::Corrupt(first_entry_data(&body));
    server.put("/osv/Go/all.zip", bad);
    let dir = cache_dir("crc32c");
    let plan = plan(&server, &["Hex", "Go"], &dir);
    let (outcome, _) = ok(&plan);
    assert_eq!(read(&dir.join("Hex/all.zip")), body);
    assert_eq!(outcome.failures.len(), 1);
    assert!(outcome.failures[0].1.contains("crc32c"), "{}", outcome.failures[0].1);
    assert!(!dir.join("Go/all.zip").exists());
}

#[test]
fn a_range_whose_declared_total_is_not_what_arrived_fails() {
    let server = Server::start();
    let body = osv_zip("npm", 8);
    let mut cut = Resource::new(body.clone(), "n-1");
    cut.behaviour = Behaviour::CutOnceAfter(body.len() / 2);
    server.put("/osv/npm/all.zip", cut);
    let dir = cache_dir("wrong-total");
    let plan = plan(&server, &["npm"], &dir);
    assert!(run(&plan).0.is_err());
    server.put("/osv/npm/all.zip", {
        let mut r = Resource::new(body.clone(), "n-1");
        r.behaviour = Behaviour::WrongRangeTotal;
        r
    });
    let (result, _) = run(&plan);
    let Err(DownloadError::NothingFetched { failures }) = result else {
        panic!("expected a failure: {result:?}");
    };
    let expected = format!("declared {} bytes but {} were received", body.len() + 10, body.len());
    assert!(failures[0].1.contains(&expected), "{}", failures[0].1);
    let final_path = dir.join("npm/all.zip");
    assert!(!final_path.exists());
    assert!(!part_of(&final_path).exists());
    assert_eq!(server.seen("/osv/npm/all.zip")[1].status, 206);
}

#[test]
fn a_failed_update_keeps_the_previous_verified_file() {
    let server = Server::start();
    let good = osv_zip("crates.io", 2);
    server.put("/osv/crates.io/all.zip", Resource::new(good.clone(), "c-1"));
    let dir = cache_dir("keep");
    let plan = plan(&server, &["crates.io"], &dir);
    ok(&plan);
    let newer = osv_zip("crates.io", 5);
    let at = first_entry_data(&newer);
    let mut bad = Resource::new(newer, "c-2");
    bad.behaviour = Behaviour::Corrupt(at);
    server.put("/osv/crates.io/all.zip", bad);
    let (result, _) = run(&plan);
    assert!(matches!(result, Err(DownloadError::NothingFetched { .. })));
    assert_eq!(read(&dir.join("crates.io/all.zip")), good);
}

#[test]
fn missing_ecosystem_is_a_failure_entry_while_others_succeed() {
    let server = Server::start();
    server.put("/osv/npm/all.zip", Resource::new(osv_zip("npm", 1), "n-1"));
    let dir = cache_dir("missing");
    let plan = plan(&server, &["Nonexistent", "npm"], &dir);
    let (outcome, _) = ok(&plan);
    assert_eq!(outcome.files.len(), 1);
    assert_eq!(outcome.files[0].url, plan.osv_archive_url("npm"));
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures[0].0, plan.osv_archive_url("Nonexistent"));
    assert!(outcome.failures[0].1.contains("404"), "{}", outcome.failures[0].1);
    assert!(!dir.join("Nonexistent/all.zip").exists());
}

#[test]
fn nothing_fetched_is_an_error_naming_each_url() {
    let server = Server::start();
    let dir = cache_dir("nothing");
    let plan = plan(&server, &["A", "B"], &dir);
    let (result, events) = run(&plan);
    let err = result.expect_err("every URL failed");
    let text = err.to_string();
    assert!(text.contains(&plan.osv_archive_url("A")), "{text}");
    assert!(text.contains(&plan.osv_archive_url("B")), "{text}");
    assert_eq!(events.iter().filter(|p| matches!(p, Progress::Failed { .. })).count(), 2);

    let empty = UpdatePlan { ecosystems: Vec::new(), ..plan };
    assert!(matches!(run(&empty).0, Err(DownloadError::EmptyPlan)));
}

#[test]
fn kev_and_epss_contents_are_checked() {
    let server = Server::start();
    server.put("/kev.json", Resource::new(br#"{"title":"x","vulnerabilities":{}}"#.to_vec(), "k-1"));
    server.put("/epss.csv.gz", Resource::new(epss_gz("#model\nid,score\nCVE-1,0.1\n"), "e-1"));
    let dir = cache_dir("kev-epss-bad");
    let mut plan = plan(&server, &[], &dir);
    plan.kev_url = Some(server.url("/kev.json"));
    plan.epss_url = Some(server.url("/epss.csv.gz"));
    let (result, _) = run(&plan);
    let Err(DownloadError::NothingFetched { failures }) = result else {
        panic!("expected both to fail: {result:?}");
    };
    assert!(failures[0].1.contains("`vulnerabilities` is not an array"), "{}", failures[0].1);
    assert!(failures[1].1.contains("line 2"), "{}", failures[1].1);
    assert!(!plan.kev_path().exists());
    assert!(!plan.epss_path().exists());

    // A gzip stream cut short is caught too, even with a good header line.
    let whole = epss_gz(EPSS_TEXT);
    server.put("/epss.csv.gz", Resource::new(whole[..whole.len() - 6].to_vec(), "e-2"));
    plan.kev_url = None;
    let (result, _) = run(&plan);
    assert!(matches!(result, Err(DownloadError::NothingFetched { .. })), "{result:?}");

    // A plain CSV is accepted and kept under a .csv name.
    server.put("/scores.csv", Resource::new(EPSS_TEXT.as_bytes().to_vec(), "e-3"));
    plan.epss_url = Some(server.url("/scores.csv"));
    let (outcome, _) = ok(&plan);
    assert_eq!(outcome.files[0].path, dir.join("epss/epss_scores.csv"));
    assert_eq!(read(&outcome.files[0].path), EPSS_TEXT.as_bytes());
}
