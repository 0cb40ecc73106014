//! The download half of `cpsf db update`: fetch OSV's per-ecosystem archives, CISA KEV and EPSS into a cache
//! directory over HTTP(S), resumably and conditionally, and verify each file before it takes its final name.
//!
//! Layout under [`UpdatePlan::cache_dir`]:
//! - `<ecosystem>/all.zip` for each OSV ecosystem (the directory name is the ecosystem with characters that
//!   are unsafe in a file name replaced by `_`, see [`UpdatePlan::osv_archive_path`]);
//! - `kev/known_exploited_vulnerabilities.json`;
//! - `epss/epss_scores.csv.gz` (stored as served; gzip is recognised by its magic bytes, so a plain CSV
//!   served from a custom URL is kept as `epss/epss_scores.csv`).
//!
//! Beside each file: `<file>.meta` (JSON: URL, ETag, Last-Modified, size) drives conditional requests on the
//! next run; while a transfer is under way the bytes go to `<file>.part` with `<file>.part.meta`, which lets
//! an interrupted transfer resume with `Range` + `If-Range`. A completed `.part` is verified (declared size,
//! `x-goog-hash` md5/crc32c when the server sends it, then the content: every zip entry's CRC, KEV's JSON
//! shape, EPSS's header line) and only then renamed to the final name; a file that fails verification is
//! deleted. Importing the files is not done here.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};
use ureq::http::{HeaderMap, StatusCode, header};

/// OSV's public bucket of per-ecosystem archives (`{base}/{ecosystem}/all.zip`).
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// CISA's Known Exploited Vulnerabilities catalogue (JSON feed).
pub const DEFAULT_KEV_URL: &str = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";

/// FIRST's EPSS scores for the latest day (gzip-compressed CSV, answered by a redirect to the dated file).
pub const DEFAULT_EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// The language ecosystems fetched when the user names none (OSV ecosystem names, case as OSV spells them).
pub const DEFAULT_ECOSYSTEMS: &[&str] =
    &["crates.io", "PyPI", "npm", "Go", "Maven", "NuGet", "RubyGems", "Packagist", "Pub", "Hex"];

/// Time allowed to open a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time allowed for any single read to bring data: a stalled transfer fails after this (and resumes later).
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Read buffer size, and so the largest step between two [`Progress::Advanced`] reports.
const CHUNK: usize = 64 * 1024;
/// The header of the CSV rows in an EPSS file.
const EPSS_HEADER: &str = "cve,epss,percentile";

/// What to fetch and where to keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePlan {
    /// Base of the OSV archives: each ecosystem is fetched from `{base_url}/{ecosystem}/all.zip`.
    pub base_url: String,
    /// OSV ecosystem names, fetched in this order.
    pub ecosystems: Vec<String>,
    /// Where the KEV catalogue is fetched from; `None` skips it.
    pub kev_url: Option<String>,
    /// Where the EPSS scores are fetched from; `None` skips them.
    pub epss_url: Option<String>,
    /// Directory that holds the downloaded files (created when missing).
    pub cache_dir: PathBuf,
}

impl UpdatePlan {
    /// The default plan: OSV's public archives for [`DEFAULT_ECOSYSTEMS`], KEV and EPSS, kept in `cache_dir`.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            ecosystems: DEFAULT_ECOSYSTEMS.iter().map(|&e| e.to_owned()).collect(),
            kev_url: Some(DEFAULT_KEV_URL.to_owned()),
            epss_url: Some(DEFAULT_EPSS_URL.to_owned()),
            cache_dir: cache_dir.into(),
        }
    }

    /// The URL of one ecosystem's archive: the ecosystem percent-encoded as one path segment.
    pub fn osv_archive_url(&self, ecosystem: &str) -> String {
        format!("{}/{}/all.zip", self.base_url.trim_end_matches('/'), encode_path_segment(ecosystem))
    }

    /// Where one ecosystem's verified archive is kept (whether or not it has been downloaded yet).
    pub fn osv_archive_path(&self, ecosystem: &str) -> PathBuf {
        self.cache_dir.join(directory_name(ecosystem)).join("all.zip")
    }

    /// Where the verified KEV catalogue is kept.
    pub fn kev_path(&self) -> PathBuf {
        self.cache_dir.join("kev").join("known_exploited_vulnerabilities.json")
    }

    /// Where the verified EPSS file is kept: `.csv.gz` unless the URL names a plain `.csv`.
    pub fn epss_path(&self) -> PathBuf {
        let plain =
            self.epss_url.as_deref().map(|u| url_path(u).to_ascii_lowercase().ends_with(".csv")).unwrap_or(false);
        let name = if plain { "epss_scores.csv" } else { "epss_scores.csv.gz" };
        self.cache_dir.join("epss").join(name)
    }

    fn targets(&self) -> Vec<Target> {
        let mut targets: Vec<Target> = self
            .ecosystems
            .iter()
            .map(|eco| Target {
                url: self.osv_archive_url(eco),
                path: self.osv_archive_path(eco),
                kind: Kind::OsvArchive,
                usable: usable_directory_name(&directory_name(eco)),
            })
            .collect();
        if let Some(url) = &self.kev_url {
            targets.push(Target { url: url.clone(), path: self.kev_path(), kind: Kind::Kev, usable: true });
        }
        if let Some(url) = &self.epss_url {
            targets.push(Target { url: url.clone(), path: self.epss_path(), kind: Kind::Epss, usable: true });
        }
        targets
    }
}

/// One step of the update, reported as it happens (often enough to drive a progress bar).
///
/// For each URL: `Started` (once a transfer begins) and any number of `Advanced`, then exactly one `Finished`
/// or `Failed`. An unchanged file (HTTP 304) gets `Finished` alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A transfer began. `total` is the whole file's size when the server says it; `resumed_from` is the
    /// number of bytes already on disk from an interrupted run (0 for a fresh transfer).
    Started { url: String, total: Option<u64>, resumed_from: u64 },
    /// The file on disk now holds `bytes` bytes (counting those resumed from), comparable with `total`.
    Advanced { url: String, bytes: u64 },
    /// The file is verified and in place; `unchanged` when the server said the cached copy is current.
    Finished { url: String, bytes: u64, unchanged: bool },
    /// This URL could not be fetched; the others go on.
    Failed { url: String, reason: String },
}

/// One verified file in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub url: String,
    /// The verified file (final name, never a `.part`).
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// True when the server answered 304 and the cached copy was kept as is.
    pub unchanged: bool,
}

/// What an update did: the files now in place, and the URLs that failed with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOutcome {
    pub files: Vec<Downloaded>,
    /// `(url, reason)` for each URL that could not be fetched or verified.
    pub failures: Vec<(String, String)>,
}

/// Why an update, or one download of it, failed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The plan names no ecosystem, no KEV and no EPSS URL.
    #[error("the update plan names nothing to download")]
    EmptyPlan,
    /// Every URL of the plan failed.
    #[error("nothing could be fetched: {}", join_failures(.failures))]
    NothingFetched { failures: Vec<(String, String)> },
}

fn join_failures(failures: &[(String, String)]) -> String {
    failures.iter().map(|(url, reason)| format!("{url}: {reason}")).collect::<Vec<_>>().join("; ")
}

/// Fetch everything the plan names into its cache directory, reporting progress as it goes.
///
/// One URL failing is a failure entry in the outcome and the others continue; the call is an error only
/// when the plan is empty or every URL failed.
pub fn update(plan: &UpdatePlan, progress: &mut dyn FnMut(Progress)) -> Result<UpdateOutcome, DownloadError> {
    let targets = plan.targets();
    if targets.is_empty() {
        return Err(DownloadError::EmptyPlan);
    }
    let client = Client::new();
    let mut outcome = UpdateOutcome::default();
    for target in &targets {
        match fetch(&client, target, progress) {
            Ok(done) => outcome.files.push(done),
            Err(reason) => {
                progress(Progress::Failed { url: target.url.clone(), reason: reason.clone() });
                outcome.failures.push((target.url.clone(), reason));
            }
        }
    }
    if outcome.files.is_empty() {
        return Err(DownloadError::NothingFetched { failures: outcome.failures });
    }
    Ok(outcome)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OsvArchive,
    Kev,
    Epss,
}

struct Target {
    url: String,
    path: PathBuf,
    kind: Kind,
    /// False when the name the path is made from (an ecosystem) gives no directory of its own.
    usable: bool,
}

/// Validators and size recorded beside a file (`.meta`) or a partial transfer (`.part.meta`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    /// The whole file's size, when the server declared it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    /// The server's `x-goog-hash` for the whole object, kept so a resumed transfer can still be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    goog_hash: Option<String>,
}

impl Meta {
    /// The validator usable in `If-Range`: a strong ETag, else a Last-Modified date.
    fn if_range(&self) -> Option<&str> {
        match &self.etag {
            Some(etag) if !etag.starts_with("W/") => Some(etag),
            _ => self.last_modified.as_deref(),
        }
    }
}

/// Two agents: one that honours the proxy environment (`HTTPS_PROXY`, `NO_PROXY`, ...) as ureq reads it,
/// and one without a proxy for loopback addresses, which no proxy can reach on our behalf.
struct Client {
    proxied: ureq::Agent,
    direct: ureq::Agent,
}

impl Client {
    fn new() -> Self {
        let proxy = ureq::Proxy::try_from_env();
        Self { proxied: agent(proxy), direct: agent(None) }
    }

    fn for_url(&self, url: &str) -> &ureq::Agent {
        if is_loopback(url) { &self.direct } else { &self.proxied }
    }
}

fn agent(proxy: Option<ureq::Proxy>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(proxy)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_per_read(Some(STALL_TIMEOUT))
        .user_agent(concat!("cpsf/", env!("CARGO_PKG_VERSION")))
        // Byte ranges and sizes must refer to the file as stored, never to a compressed transfer of it.
        .accept_encoding("identity")
        .build()
        .new_agent()
}

/// How one request ended, short of an error.
enum Attempt {
    Done(Downloaded),
    /// The server could not continue the partial file (416, or a range other than asked): start afresh.
    Restart,
}

fn fetch(client: &Client, target: &Target, progress: &mut dyn FnMut(Progress)) -> Result<Downloaded, String> {
    if !target.usable {
        return Err("the ecosystem name gives no usable directory name".to_owned());
    }
    if let Some(dir) = target.path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    }
    match attempt(client, target, progress, true)? {
        Attempt::Done(done) => Ok(done),
        Attempt::Restart => match attempt(client, target, progress, false)? {
            Attempt::Done(done) => Ok(done),
            Attempt::Restart => Err("the server refused a plain download".to_owned()),
        },
    }
}

fn attempt(
    client: &Client,
    target: &Target,
    progress: &mut dyn FnMut(Progress),
    may_resume: bool,
) -> Result<Attempt, String> {
    let url = target.url.as_str();
    let part = with_suffix(&target.path, ".part");
    let part_meta_path = with_suffix(&target.path, ".part.meta");
    let meta_path = with_suffix(&target.path, ".meta");

    // A partial file from an earlier run resumes when its validators are known and the URL is the same.
    let mut resume: Option<(Meta, u64)> = None;
    if may_resume {
        let len = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        match read_meta(&part_meta_path) {
            Some(meta) if meta.url == url && meta.if_range().is_some() && len > 0 => {
                resume = Some((meta, len));
            }
            _ => discard_part(&part, &part_meta_path),
        }
    } else {
        discard_part(&part, &part_meta_path);
    }

    let mut request = client.for_url(url).get(url);
    match &resume {
        Some((meta, offset)) => {
            request = request.header(header::RANGE, format!("bytes={offset}-"));
            if let Some(validator) = meta.if_range() {
                request = request.header(header::IF_RANGE, validator);
            }
        }
        None => {
            // Conditional only when the verified file is still there to fall back on.
            if target.path.is_file()
                && let Some(meta) = read_meta(&meta_path).filter(|m| m.url == url)
            {
                if let Some(etag) = &meta.etag {
                    request = request.header(header::IF_NONE_MATCH, etag);
                }
                if let Some(date) = &meta.last_modified {
                    request = request.header(header::IF_MODIFIED_SINCE, date);
                }
            }
        }
    }

    let response = request.call().map_err(|e| e.to_string())?;
    let status = response.status();
    let headers = response.headers().clone();

    let (start, total, mut meta) = if status == StatusCode::NOT_MODIFIED {
        if !target.path.is_file() {
            return Err("the server answered 304 Not Modified but there is no cached file".into());
        }
        let bytes =
            fs::metadata(&target.path).map(|m| m.len()).map_err(|e| format!("{}: {e}", target.path.display()))?;
        progress(Progress::Finished { url: url.to_owned(), bytes, unchanged: true });
        return Ok(Attempt::Done(Downloaded {
            url: url.to_owned(),
            path: target.path.clone(),
            bytes,
            unchanged: true,
        }));
    } else if status == StatusCode::PARTIAL_CONTENT {
        let Some((meta, offset)) = resume else {
            return Err("the server answered 206 Partial Content to a request without a range".into());
        };
        let range = header_str(&headers, header::CONTENT_RANGE.as_str()).and_then(|v| parse_content_range(&v));
        match range {
            Some((first, total)) if first == offset => {
                let mut meta = meta;
                if total.is_some() {
                    meta.total = total;
                }
                if let Some(hash) = header_str(&headers, "x-goog-hash") {
                    meta.goog_hash = Some(hash);
                }
                (offset, meta.total, meta)
            }
            _ => return Ok(Attempt::Restart),
        }
    } else if status == StatusCode::RANGE_NOT_SATISFIABLE && resume.is_some() {
        return Ok(Attempt::Restart);
    } else if status == StatusCode::OK {
        let total = response.body().content_length();
        let meta = Meta {
            url: url.to_owned(),
            etag: header_str(&headers, header::ETAG.as_str()),
            last_modified: header_str(&headers, header::LAST_MODIFIED.as_str()),
            total,
            goog_hash: header_str(&headers, "x-goog-hash"),
        };
        (0, total, meta)
    } else {
        let reason = status.canonical_reason().unwrap_or("");
        return Err(format!("the server answered HTTP {} {reason}", status.as_u16()).trim_end().to_owned());
    };

    // Record the validators first, so that a transfer cut short can resume on the next run.
    let resumable = meta.if_range().is_some();
    if resumable {
        write_meta(&part_meta_path, &meta)?;
    } else {
        let _ = fs::remove_file(&part_meta_path);
    }
    let mut file = if start > 0 {
        let mut f = OpenOptions::new().append(true).open(&part).map_err(|e| format!("{}: {e}", part.display()))?;
        // Append exactly after the bytes the range continues from.
        f.set_len(start)
            .and_then(|()| f.seek(SeekFrom::End(0)).map(|_| ()))
            .map_err(|e| format!("{}: {e}", part.display()))?;
        f
    } else {
        File::create(&part).map_err(|e| format!("{}: {e}", part.display()))?
    };

    progress(Progress::Started { url: url.to_owned(), total, resumed_from: start });
    let mut reader = response.into_body().into_reader();
    let mut received = start;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = file.flush();
                drop(file);
                if resumable {
                    return Err(format!(
                        "the transfer broke off after {received} bytes ({e}); the next update resumes from there"
                    ));
                }
                discard_part(&part, &part_meta_path);
                return Err(format!("the transfer broke off after {received} bytes ({e})"));
            }
        };
        let chunk = buf.get(..n).unwrap_or_default();
        file.write_all(chunk).map_err(|e| format!("{}: {e}", part.display()))?;
        received += n as u64;
        progress(Progress::Advanced { url: url.to_owned(), bytes: received });
    }
    file.sync_all().map_err(|e| format!("{}: {e}", part.display()))?;
    drop(file);

    if let Err(reason) = verify(&part, target.kind, total, meta.goog_hash.as_deref()) {
        discard_part(&part, &part_meta_path);
        return Err(format!("verification failed: {reason}; the downloaded file was deleted"));
    }

    // Into place: the old validators go first so they can never describe the new file.
    let _ = fs::remove_file(&meta_path);
    fs::rename(&part, &target.path)
        .map_err(|e| format!("cannot rename {} to {}: {e}", part.display(), target.path.display()))?;
    let _ = fs::remove_file(&part_meta_path);
    meta.total = Some(received);
    if meta.etag.is_some() || meta.last_modified.is_some() {
        // Without it the next update merely downloads unconditionally, so a failure here is not one.
        let _ = write_meta(&meta_path, &meta);
    }
    progress(Progress::Finished { url: url.to_owned(), bytes: received, unchanged: false });
    Ok(Attempt::Done(Downloaded { url: url.to_owned(), path: target.path.clone(), bytes: received, unchanged: false }))
}

/// Check a completed transfer: declared size, the server's hashes, then the content itself.
fn verify(path: &Path, kind: Kind, total: Option<u64>, goog_hash: Option<&str>) -> Result<(), String> {
    let len = fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(total) = total
        && total != len
    {
        return Err(format!("the server declared {total} bytes but {len} were received"));
    }
    if let Some(hash) = goog_hash {
        verify_goog_hash(path, hash)?;
    }
    match kind {
        Kind::OsvArchive => verify_zip(path),
        Kind::Kev => verify_kev(path),
        Kind::Epss => verify_epss(path),
    }
}

/// `x-goog-hash: crc32c=<base64>,md5=<base64>` (either may be missing; several headers are joined by `,`).
fn verify_goog_hash(path: &Path, header_value: &str) -> Result<(), String> {
    let mut md5_expected = None;
    let mut crc_expected = None;
    for item in header_value.split(',') {
        let Some((name, value)) = item.trim().split_once('=') else {
            continue;
        };
        let decoded =
            BASE64.decode(value.trim()).map_err(|_| format!("the x-goog-hash value {item:?} is not base64"))?;
        match name.trim().to_ascii_lowercase().as_str() {
            "md5" => md5_expected = Some(decoded),
            "crc32c" => crc_expected = Some(decoded),
            _ => {}
        }
    }
    if md5_expected.is_none() && crc_expected.is_none() {
        return Ok(());
    }
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut md5 = Md5::new();
    let mut crc = Crc32c::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if md5_expected.is_some() {
            md5.update(chunk);
        }
        if crc_expected.is_some() {
            crc.update(chunk);
        }
    }
    if let Some(expected) = md5_expected {
        let actual = md5.finalize();
        if actual.as_slice() != expected.as_slice() {
            return Err(format!(
                "md5 {} does not match the server's x-goog-hash md5 {}",
                BASE64.encode(actual.as_slice()),
                BASE64.encode(&expected)
            ));
        }
    }
    if let Some(expected) = crc_expected {
        let actual = crc.finish().to_be_bytes();
        if actual.as_slice() != expected.as_slice() {
            return Err(format!(
                "crc32c {} does not match the server's x-goog-hash crc32c {}",
                BASE64.encode(actual),
                BASE64.encode(&expected)
            ));
        }
    }
    Ok(())
}

/// The archive opens and every entry reads to its end with a matching CRC-32.
fn verify_zip(path: &Path) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| format!("not a readable zip archive: {e}"))?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| format!("zip entry {index}: {e}"))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        io::copy(&mut entry, &mut io::sink()).map_err(|e| format!("zip entry {index} ({name}): {e}"))?;
    }
    Ok(())
}

/// The catalogue parses as JSON with a `vulnerabilities` array.
fn verify_kev(path: &Path) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_reader(BufReader::new(file)).map_err(|e| format!("not valid JSON: {e}"))?;
    match value.get("vulnerabilities") {
        Some(serde_json::Value::Array(_)) => Ok(()),
        Some(_) => Err("`vulnerabilities` is not an array".to_owned()),
        None => Err("no `vulnerabilities` array at the top level".to_owned()),
    }
}

/// The scores (gunzipped when gzip) start with `#` comment lines and then the `cve,epss,percentile` header;
/// the whole stream is read so that gzip's own CRC is checked too.
fn verify_epss(path: &Path) -> Result<(), String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut magic = [0u8; 2];
    let got = file.read(&mut magic).map_err(|e| format!("{}: {e}", path.display()))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| format!("{}: {e}", path.display()))?;
    let gzip = got == 2 && magic == [0x1f, 0x8b];
    let reader: Box<dyn Read> =
        if gzip { Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))) } else { Box::new(file) };
    let mut lines = BufReader::new(reader);
    let mut line = String::new();
    let mut number = 0usize;
    loop {
        line.clear();
        number += 1;
        let n = lines.read_line(&mut line).map_err(|e| format!("line {number}: {e}"))?;
        if n == 0 {
            return Err(format!("no `{EPSS_HEADER}` header line"));
        }
        let text = line.trim_start_matches('\u{feff}').trim();
        if text.starts_with('#') {
            continue;
        }
        if !text.to_ascii_lowercase().starts_with(EPSS_HEADER) {
            return Err(format!("line {number}: expected the `{EPSS_HEADER}` header, found {:?}", truncate(text, 80)));
        }
        break;
    }
    io::copy(&mut lines, &mut io::sink()).map_err(|e| format!("after the header: {e}"))?;
    Ok(())
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => text.get(..i).unwrap_or(text),
        None => text,
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Google Cloud Storage reports it.
struct Crc32c {
    state: u32,
}

impl Default for Crc32c {
    fn default() -> Self {
        Self { state: !0 }
    }
}

impl Crc32c {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut crc = i as u32;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };

    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let index = ((self.state ^ u32::from(b)) & 0xff) as usize;
            self.state = (self.state >> 8) ^ Self::TABLE[index];
        }
    }

    fn finish(&self) -> u32 {
        !self.state
    }
}

/// `Content-Range: bytes <first>-<last>/<total or *>` → (first, total).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    if last < first {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => {
            let t: u64 = t.parse().ok()?;
            if t <= last {
                return None;
            }
            Some(t)
        }
    };
    Some((first, total))
}

/// A header's value; repeated headers (`x-goog-hash` comes as one per hash) are joined by `,`.
fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::trim).collect();
    if values.is_empty() { None } else { Some(values.join(",")) }
}

fn read_meta(path: &Path) -> Option<Meta> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_meta(path: &Path, meta: &Meta) -> Result<(), String> {
    let text = serde_json::to_string_pretty(meta).map_err(|e| e.to_string())?;
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn discard_part(part: &Path, part_meta: &Path) {
    let _ = fs::remove_file(part);
    let _ = fs::remove_file(part_meta);
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Percent-encode everything but RFC 3986 unreserved characters, so the name stays one path segment.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for &b in segment.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The ecosystem as a directory name: characters unsafe in a file name on common systems become `_`.
fn directory_name(ecosystem: &str) -> String {
    ecosystem
        .chars()
        .map(
            |c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            },
        )
        .collect()
}

/// Not empty, not blank, not `.` or `..` (nor any name of dots alone).
fn usable_directory_name(name: &str) -> bool {
    !name.trim().is_empty() && !name.trim_matches('.').is_empty()
}

/// The path part of a URL (after the authority, before any query or fragment).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').and_then(|i| after_scheme.get(i..)).unwrap_or("");
    path.split(['?', '#']).next().unwrap_or("")
}

/// Whether the URL's host is a loopback address (`localhost`, `127.0.0.0/8`, `[::1]`).
fn is_loopback(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_urls_are_one_encoded_segment() {
        let plan = UpdatePlan { base_url: "http://127.0.0.1:9/osv/".into(), ..UpdatePlan::new("/tmp/x") };
        assert_eq!(plan.osv_archive_url("crates.io"), "http://127.0.0.1:9/osv/crates.io/all.zip");
        assert_eq!(plan.osv_archive_url("Alpine:v3.20"), "http://127.0.0.1:9/osv/Alpine%3Av3.20/all.zip");
        assert_eq!(plan.osv_archive_url("Red Hat/x"), "http://127.0.0.1:9/osv/Red%20Hat%2Fx/all.zip");
        assert_eq!(plan.osv_archive_path("Alpine:v3.20"), Path::new("/tmp/x/Alpine_v3.20/all.zip"));
    }

    #[test]
    fn ecosystem_names_that_give_no_directory_are_refused() {
        let plan =
            UpdatePlan { ecosystems: vec!["".into(), " ".into(), "..".into(), "Go".into()], ..UpdatePlan::new("/c") };
        let usable: Vec<bool> = plan.targets().iter().map(|t| t.usable).collect();
        assert_eq!(usable, [false, false, false, true, true, true]);
    }

    #[test]
    fn content_range_is_parsed_strictly() {
        assert_eq!(parse_content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes 10-5/20"), None);
        assert_eq!(parse_content_range("bytes 0-19/20x"), None);
        assert_eq!(parse_content_range("bytes 0-20/20"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        let mut crc = Crc32c::default();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xE306_9283);
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080/a"));
        assert!(is_loopback("http://localhost/a"));
        assert!(is_loopback("http://[::1]:80/a"));
        assert!(is_loopback("http://user@127.1.2.3/a"));
        assert!(!is_loopback("https://osv-vulnerabilities.storage.googleapis.com/a"));
        assert!(!is_loopback("https://10.0.0.1/a"));
    }

    #[test]
    fn epss_path_follows_the_url() {
        let mut plan = UpdatePlan::new("/c");
        assert_eq!(plan.epss_path(), Path::new("/c/epss/epss_scores.csv.gz"));
        plan.epss_url = Some("http://127.0.0.1/scores.csv?x=1".into());
        assert_eq!(plan.epss_path(), Path::new("/c/epss/epss_scores.csv"));
    }
}
