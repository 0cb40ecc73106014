//! Factory systems and IoT over the API (`/api/v1/sites/...`, `/api/v1/device-advisories`, `/api/v1/iotssf`), and
//! the operations the web pages (`web_ot`) and `cpsf demo` share with it: the plant document of a site (validated
//! with cpsf-ot; nothing is stored when it is not valid), its assets (list, read, change one, import spreadsheets,
//! export), captures (discovery on a blocking thread, the summary stored, conduits checked against the plant),
//! discovered devices as candidate assets and their merge, the communication matrix, conduit violations, device
//! advisories (CSAF) matched to the assets of every site, and IoT-SSF categories.
//!
//! Who may do what: a plant belongs to the whole organization, like an assessment of a company or site: a user
//! limited to some products reaches none of it; a viewer reads, an editor (or admin) writes. Device advisories are
//! uploaded by editors and admins.
//!
//! A capture's summary is discovery's own JSON (devices, flows, counters, files, warnings), read back through the
//! mirror types of this module. Its raw bytes are kept only when the capture is at most [`KEEP_CAPTURE_BYTES`]
//! (and within `--max-upload`, the limit of any upload); a larger one keeps its SHA-256, size and summary.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cpsf_ot::asset::{
    Asset, AssetField, AssetKind, Conflict, Day, Inventory, MatchKey, MergeReport, MergeRules, Source, SourceKind,
};
use cpsf_ot::conduit::{self, ConduitReport, Endpoint};
use cpsf_ot::csaf;
use cpsf_ot::discovered::{self, Candidate, DiscoveredDevice, DiscoveredFact};
use cpsf_ot::iotssf::{self, Scheme, Subject};
use cpsf_ot::model::{self, Plant, PlantError, PlantProblem};
use cpsf_ot::tabular::{self, ColumnMapping, ExportOptions, HeaderLang, ImportOptions};
use cpsf_pcap::model::{DeviceKey, Field, Flow, Mac, Transport};
use cpsf_store::{
    AssetFindingChanges, AssetFindingFilter, CaptureInfo, FindingFilter, NewAssetFinding, NewCapture,
    NewDeviceAdvisory, Role, Store, StoreError, StoredAssetFinding, StoredFinding, StoredPlant,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::app::{AppState, Principal, authenticate};
use crate::assess_api::{clean_file_name, org_wide};
use crate::error::ApiError;
use crate::export::rfc3339;

/// Captures up to this size keep their raw bytes (for download); larger ones only their hash and summary.
pub const KEEP_CAPTURE_BYTES: usize = 8 * 1024 * 1024;
/// The `format` of a stored capture summary.
pub const SUMMARY_FORMAT: &str = "cpsf-capture-summary/1";

// ---------------------------------------------------------------------------------------------------------------
// Access

/// Refuse unless `principal` has `needed` across the organization.
pub(crate) fn require(principal: &Principal, needed: Role, what: &str) -> Result<(), ApiError> {
    if org_wide(principal, needed) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("{} may not {what} (needs an organization-wide {needed})", principal.user)))
    }
}

/// Run `f` with the store on a blocking thread.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(state.store()))
        .await
        .map_err(|e| ApiError::Internal(format!("a store task failed: {e}")))?
}

pub(crate) fn today() -> Day {
    Day(OffsetDateTime::now_utc().date())
}

// ---------------------------------------------------------------------------------------------------------------
// Plant documents

/// A site's plant as stored and as read.
pub(crate) struct LoadedPlant {
    pub stored: StoredPlant,
    pub plant: Plant,
}

/// Why a plant document was refused: the message, and the problems with their paths (and lines, for YAML).
#[derive(Debug)]
pub(crate) struct PlantRejection {
    pub message: String,
    pub line: Option<usize>,
    pub problems: Vec<PlantProblem>,
}

impl PlantRejection {
    fn response(&self) -> Response {
        let body = json!({
            "error": "bad-request",
            "message": self.message,
            "line": self.line,
            "problems": self.problems,
        });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

/// Read a plant document (YAML or JSON) and check it with cpsf-ot.
pub(crate) fn parse_plant(origin: &str, text: &str) -> Result<Plant, PlantRejection> {
    model::read_plant(origin, text).map_err(|e| {
        let message = e.to_string();
        match e {
            PlantError::Syntax { line, .. } => PlantRejection { message, line, problems: Vec::new() },
            PlantError::Invalid { problems, .. } => PlantRejection { message, line: None, problems },
            PlantError::Write(_) => PlantRejection { message, line: None, problems: Vec::new() },
        }
    })
}

/// A plant changed in code must still be valid before it is stored.
fn check_plant(plant: &Plant) -> Result<(), ApiError> {
    let problems = plant.problems();
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(ApiError::BadRequest(format!("the plant would not be valid, nothing was stored: {}", list.join("; "))))
}

fn plant_json(plant: &Plant) -> Result<String, ApiError> {
    serde_json::to_string(plant).map_err(|e| ApiError::Internal(format!("writing a plant document: {e}")))
}

/// The stored plant of `site` (not found when there is none).
pub(crate) fn load_plant_sync(store: &Store, site: &str) -> Result<LoadedPlant, ApiError> {
    let stored = store.plant(site)?.ok_or_else(|| ApiError::NotFound(format!("no plant for site `{site}`")))?;
    let plant: Plant = serde_json::from_str(&stored.document)
        .map_err(|e| ApiError::Internal(format!("the plant of site `{site}` does not read back: {e}")))?;
    Ok(LoadedPlant { stored, plant })
}

/// Store `plant` for `site` (at `expected`, see [`Store::put_plant`]) and match the device advisories against its
/// assets again.
pub(crate) fn save_plant_sync(
    store: &Store,
    site: &str,
    expected: Option<i64>,
    plant: &Plant,
    who: &str,
    detail: Value,
) -> Result<(StoredPlant, AssetFindingChanges), ApiError> {
    check_plant(plant)?;
    let stored = store.put_plant(site, expected, &plant_json(plant)?, who, &detail)?;
    let changes = rematch_site_sync(store, site, plant, OffsetDateTime::now_utc())?;
    Ok((stored, changes))
}

/// Change the plant of `site` with `edit` at the revision read (or `expected`), retrying a lost race once when the
/// caller named no revision.
pub(crate) fn modify_plant_sync<T>(
    store: &Store,
    site: &str,
    expected: Option<i64>,
    who: &str,
    action: &str,
    edit: &dyn Fn(&mut Plant) -> Result<T, ApiError>,
) -> Result<(StoredPlant, T, AssetFindingChanges), ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let LoadedPlant { stored, mut plant } = load_plant_sync(store, site)?;
        if let Some(e) = expected
            && e != stored.revision
        {
            return Err(ApiError::Conflict(format!(
                "the plant of site `{site}` is at revision {}, not {e}; read it again",
                stored.revision
            )));
        }
        let out = edit(&mut plant)?;
        match save_plant_sync(store, site, Some(stored.revision), &plant, who, json!({ "action": action })) {
            Ok((stored, changes)) => return Ok((stored, out, changes)),
            Err(ApiError::Conflict(_)) if expected.is_none() && attempt < 3 => continue,
            Err(e) => return Err(e),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Capture summaries: discovery's JSON read back

/// A stored capture summary (discovery's JSON with a format key).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Summary {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub files: Vec<Value>,
    #[serde(default)]
    pub devices: Vec<SDevice>,
    #[serde(default)]
    pub flows: Vec<SFlow>,
    #[serde(default)]
    pub counters: Value,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SDevice {
    #[serde(default)]
    pub ips: Vec<IpAddr>,
    #[serde(default)]
    pub macs: Vec<String>,
    #[serde(default)]
    pub mac_vendor: Option<String>,
    #[serde(default)]
    pub vlans: Vec<u16>,
    #[serde(default)]
    pub first_seen: i64,
    #[serde(default)]
    pub last_seen: i64,
    #[serde(default)]
    pub protocols: Vec<SProtocol>,
    #[serde(default)]
    pub identity: Vec<SFact>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SProtocol {
    pub protocol: String,
    #[serde(default)]
    pub client: bool,
    #[serde(default)]
    pub server: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SFact {
    pub field: String,
    #[serde(default)]
    pub values: Vec<SValue>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SValue {
    pub value: String,
    #[serde(default)]
    pub count: u64,
    #[serde(default)]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<SEvidence>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SEvidence {
    #[serde(default)]
    pub file: usize,
    #[serde(default)]
    pub frame: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SKey {
    #[serde(default)]
    pub ip: Option<IpAddr>,
    #[serde(default)]
    pub mac: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SFlow {
    pub src: SKey,
    pub dst: SKey,
    #[serde(default)]
    pub vlan: Option<u16>,
    pub transport: String,
    pub protocol: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub packets: [u64; 2],
    #[serde(default)]
    pub bytes: [u64; 2],
    #[serde(default)]
    pub first: i64,
    #[serde(default)]
    pub last: i64,
}

/// Every discovery field, to read a field's name back.
const FIELDS: [Field; 27] = [
    Field::VendorName,
    Field::VendorId,
    Field::DeviceType,
    Field::ProductCode,
    Field::ProductName,
    Field::ModelName,
    Field::OrderNumber,
    Field::FirmwareVersion,
    Field::HardwareVersion,
    Field::Revision,
    Field::SoftwareVersion,
    Field::SerialNumber,
    Field::Name,
    Field::PlantId,
    Field::Location,
    Field::Description,
    Field::Role,
    Field::ProtocolAddress,
    Field::ClientId,
    Field::Username,
    Field::Hostname,
    Field::ApplicationUri,
    Field::ProductUri,
    Field::EndpointUrl,
    Field::DeclaredIp,
    Field::DeclaredMac,
    Field::Status,
];

fn field_of(name: &str) -> Option<Field> {
    FIELDS.into_iter().find(|f| f.as_str() == name)
}

/// A MAC address as discovery writes it (`aa:bb:cc:dd:ee:ff`).
pub(crate) fn parse_mac(text: &str) -> Option<Mac> {
    let mut out = [0u8; 6];
    let mut parts = text.split([':', '-']);
    for slot in &mut out {
        *slot = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(Mac(out))
}

fn transport_of(name: &str) -> Option<Transport> {
    match name {
        "tcp" => Some(Transport::Tcp),
        "udp" => Some(Transport::Udp),
        "ethernet" => Some(Transport::Ethernet),
        "ip" => Some(Transport::Ip),
        _ => None,
    }
}

impl SKey {
    fn key(&self) -> DeviceKey {
        DeviceKey { ip: self.ip, mac: self.mac.as_deref().and_then(parse_mac) }
    }
}

impl Summary {
    /// The summary of a discovery run.
    pub fn of(discovery: &cpsf_pcap::Discovery) -> Result<Summary, ApiError> {
        let value = serde_json::to_value(discovery)
            .map_err(|e| ApiError::Internal(format!("writing the discovery summary: {e}")))?;
        let mut summary: Summary = serde_json::from_value(value)
            .map_err(|e| ApiError::Internal(format!("reading the discovery summary back: {e}")))?;
        summary.format = SUMMARY_FORMAT.to_owned();
        Ok(summary)
    }

    /// A stored summary.
    pub fn read(info: &CaptureInfo) -> Result<Summary, ApiError> {
        serde_json::from_str(&info.summary)
            .map_err(|e| ApiError::Internal(format!("capture {}: the stored summary does not read back: {e}", info.id)))
    }

    /// The flows as cpsf-pcap's model (flows with an unknown transport are left out).
    pub fn flows(&self) -> Vec<Flow> {
        self.flows
            .iter()
            .filter_map(|f| {
                Some(Flow {
                    src: f.src.key(),
                    dst: f.dst.key(),
                    vlan: f.vlan,
                    transport: transport_of(&f.transport)?,
                    protocol: f.protocol.clone(),
                    port: f.port,
                    packets: f.packets,
                    bytes: f.bytes,
                    first: f.first,
                    last: f.last,
                })
            })
            .collect()
    }

    /// The first packet's time, microseconds since the epoch.
    pub fn first(&self) -> Option<i64> {
        self.files.iter().filter_map(|f| f.get("first").and_then(Value::as_i64)).min()
    }

    pub fn last(&self) -> Option<i64> {
        self.files.iter().filter_map(|f| f.get("last").and_then(Value::as_i64)).max()
    }

    pub fn packets(&self) -> u64 {
        self.counters.get("packets").and_then(Value::as_u64).unwrap_or(0)
    }
}

impl SDevice {
    /// The device as cpsf-ot's discovered device: one fact per frame that stated a value (up to the evidence
    /// discovery kept), so the most frequent value wins.
    fn discovered(&self) -> DiscoveredDevice {
        let mut facts = Vec::new();
        for fact in &self.identity {
            let Some(field) = field_of(&fact.field) else { continue };
            for value in &fact.values {
                let protocol = value.protocols.first().cloned().unwrap_or_else(|| "unknown".to_owned());
                let frames: Vec<u64> =
                    if value.evidence.is_empty() { vec![0] } else { value.evidence.iter().map(|e| e.frame).collect() };
                for frame in frames {
                    facts.push(DiscoveredFact { field, value: value.value.clone(), protocol: protocol.clone(), frame });
                }
            }
        }
        facts.sort_by_key(|f| f.frame);
        DiscoveredDevice {
            key: DeviceKey { ip: self.ips.first().copied(), mac: self.macs.first().and_then(|m| parse_mac(m)) },
            vlan: self.vlans.first().copied(),
            facts,
            protocols: self.protocols.iter().map(|p| p.protocol.clone()).collect(),
        }
    }
}

/// The day a capture stands for: its first packet's, else its upload's.
pub(crate) fn capture_day(info: &CaptureInfo, summary: &Summary) -> Day {
    summary.first().and_then(Day::from_unix_micros).unwrap_or(Day(info.uploaded_at.date()))
}

/// A candidate for review: the asset discovery suggests, the inventory asset it matches (and by which key), and
/// the values that differ from that asset's.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Review {
    pub candidate: Candidate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<(String, MatchKey)>,
    pub conflicts: Vec<Conflict>,
}

/// The candidate assets of a capture, each checked against the plant's inventory.
pub(crate) fn review(plant: &Plant, info: &CaptureInfo, summary: &Summary) -> Vec<Review> {
    let capture = discovered::Capture { name: info.name.clone(), date: Some(capture_day(info, summary)) };
    let inventory = Inventory::new(plant.assets.clone());
    let mut out = Vec::new();
    for device in &summary.devices {
        let Some(mut candidate) = discovered::candidates(std::slice::from_ref(&device.discovered()), &capture).pop()
        else {
            continue;
        };
        let source = Source::new(SourceKind::Discovered, capture.date, Some(&info.name));
        for ip in device.ips.iter().skip(1) {
            if !candidate.asset.ips.contains(ip) {
                candidate.asset.ips.push(*ip);
            }
        }
        for mac in device.macs.iter().skip(1) {
            if let Some(m) = cpsf_ot::text::normalize_mac(mac)
                && !candidate.asset.macs.contains(&m)
            {
                candidate.asset.macs.push(m);
            }
        }
        if let Some(vendor) = &device.mac_vendor {
            candidate.asset.extra.insert("mac_vendor".to_owned(), vendor.clone());
            candidate.asset.provenance.insert("extra.mac_vendor".to_owned(), source.clone().with_detail("MAC OUI"));
        }
        if let Some(day) = Day::from_unix_micros(device.last_seen) {
            candidate.asset.last_seen = Some(day);
        }
        let matches = inventory.find_match(&candidate.asset);
        let conflicts = match matches {
            Some(_) => {
                let mut trial = inventory.clone();
                trial.merge(vec![candidate.asset.clone()], &MergeRules::default()).conflicts
            }
            None => Vec::new(),
        };
        let matches = matches.and_then(|(i, key)| inventory.assets.get(i).map(|a| (a.id.clone(), key)));
        out.push(Review { candidate, matches, conflicts });
    }
    out
}

/// Merge the chosen candidates (by id, with an optional kind each) into the plant's inventory.
pub(crate) fn merge_candidates(
    plant: &mut Plant,
    reviews: &[Review],
    chosen: &[String],
    kinds: &BTreeMap<String, String>,
) -> Result<MergeReport, ApiError> {
    let mut incoming = Vec::new();
    for id in chosen {
        let review = reviews
            .iter()
            .find(|r| &r.candidate.asset.id == id)
            .ok_or_else(|| ApiError::BadRequest(format!("candidates: the capture has no candidate `{id}`")))?;
        let mut asset = review.candidate.asset.clone();
        if let Some(kind) = kinds.get(id).map(|k| k.trim()).filter(|k| !k.is_empty()) {
            asset.kind = Some(AssetKind::parse(kind).ok_or_else(|| {
                ApiError::BadRequest(format!("kinds.{id}: expected {}, found `{kind}`", AssetField::Kind.expected()))
            })?);
            asset.provenance.insert(AssetField::Kind.name().to_owned(), Source::declared());
        }
        incoming.push(asset);
    }
    if incoming.is_empty() {
        return Err(ApiError::BadRequest("candidates: choose at least one candidate to merge".into()));
    }
    let mut inventory = Inventory::new(std::mem::take(&mut plant.assets));
    let report = inventory.merge(incoming, &MergeRules::default());
    plant.assets = inventory.assets;
    Ok(report)
}

/// One row of the communication matrix with its endpoints resolved to assets and zones.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MatrixRow {
    pub capture: i64,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub transport: String,
    pub protocol: String,
    pub port: u16,
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub first: i64,
    pub last: i64,
}

fn endpoint(plant: &Plant, key: &SKey, vlan: Option<u16>) -> Endpoint {
    let asset = match key.ip {
        Some(ip) => {
            plant.assets.iter().find(|a| a.ips.contains(&ip) && (a.vlan.is_none() || vlan.is_none() || a.vlan == vlan))
        }
        None => key.mac.as_deref().and_then(|m| plant.assets.iter().find(|a| a.macs.iter().any(|x| x == m))),
    };
    Endpoint {
        ip: key.ip,
        mac: key.mac.clone(),
        asset: asset.map(|a| a.id.clone()),
        zone: asset.and_then(|a| a.zone.clone()),
    }
}

pub(crate) fn matrix(plant: &Plant, captures: &[(CaptureInfo, Summary)]) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for (info, summary) in captures {
        for f in &summary.flows {
            rows.push(MatrixRow {
                capture: info.id,
                src: endpoint(plant, &f.src, f.vlan),
                dst: endpoint(plant, &f.dst, f.vlan),
                transport: f.transport.clone(),
                protocol: f.protocol.clone(),
                port: f.port,
                packets: f.packets,
                bytes: f.bytes,
                first: f.first,
                last: f.last,
            });
        }
    }
    rows
}

/// Read the summaries of a site's captures (one, or all of them), newest first.
pub(crate) fn site_captures(
    store: &Store,
    site: &str,
    only: Option<i64>,
) -> Result<Vec<(CaptureInfo, Summary)>, ApiError> {
    let list = match only {
        Some(id) => vec![store.capture(site, id)?.ok_or_else(|| ApiError::NotFound(format!("capture {id}")))?],
        None => store.list_captures(site)?,
    };
    list.into_iter()
        .map(|info| {
            let summary = Summary::read(&info)?;
            Ok((info, summary))
        })
        .collect()
}

/// What a capture upload did.
pub(crate) struct Uploaded {
    pub info: CaptureInfo,
    pub summary: Summary,
    pub report: ConduitReport,
    pub candidates: usize,
}

/// Run discovery over an uploaded capture (on this blocking thread), store its summary (and its bytes when small)
/// for `site`, and check its flows against the plant's conduits.
pub(crate) fn add_capture_sync(
    store: &Store,
    site: &str,
    name: &str,
    bytes: Vec<u8>,
    max_upload: usize,
    who: &str,
) -> Result<Uploaded, ApiError> {
    if bytes.len() > max_upload {
        return Err(ApiError::TooLarge { size: bytes.len() as u64, limit: max_upload as u64 });
    }
    let loaded = load_plant_sync(store, site)?;
    let discovery = cpsf_pcap::discover_bytes(&[(name, &bytes)], &cpsf_pcap::Options::default());
    if let Some(file) = discovery.files.first()
        && file.format.is_none()
    {
        return Err(ApiError::BadRequest(format!(
            "{name}: not a pcap or pcapng capture: {}",
            file.error.as_deref().unwrap_or("unreadable")
        )));
    }
    let summary = Summary::of(&discovery)?;
    let text = serde_json::to_string(&summary).map_err(|e| ApiError::Internal(format!("writing the summary: {e}")))?;
    let sha256: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let keep = bytes.len() <= KEEP_CAPTURE_BYTES.min(max_upload);
    let new = NewCapture { name: name.to_owned(), sha256, size, summary: text, content: keep.then_some(bytes) };
    let info = store.add_capture(site, &new, who)?;
    let report = conduit::check(&loaded.plant, &summary.flows(), &[]);
    let candidates = review(&loaded.plant, &info, &summary).iter().filter(|r| r.matches.is_none()).count();
    Ok(Uploaded { info, summary, report, candidates })
}

// ---------------------------------------------------------------------------------------------------------------
// Device advisories

/// Status order for keeping one finding per (asset, advisory, vulnerability): the most pressing first.
fn status_rank(status: csaf::Status) -> u8 {
    match status {
        csaf::Status::Affected => 0,
        csaf::Status::UnderInvestigation => 1,
        csaf::Status::Fixed => 2,
        csaf::Status::NotAffected => 3,
    }
}

fn text_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The stored device advisories, read (an unreadable one is a warning).
pub(crate) fn advisories_sync(store: &Store) -> Result<(Vec<csaf::Advisory>, Vec<String>), ApiError> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for stored in store.list_device_advisories()? {
        match csaf::read(&stored.tracking_id, &stored.document) {
            Ok(a) => out.push(a),
            Err(e) => warnings.push(e.to_string()),
        }
    }
    Ok((out, warnings))
}

/// Match every stored device advisory against the assets of `plant` and reconcile the site's asset findings.
pub(crate) fn rematch_site_sync(
    store: &Store,
    site: &str,
    plant: &Plant,
    at: OffsetDateTime,
) -> Result<AssetFindingChanges, ApiError> {
    let (advisories, _) = advisories_sync(store)?;
    let mut report = csaf::match_assets(&advisories, &plant.assets);
    report.findings.sort_by_key(|f| status_rank(f.status));
    // A finding is an advisory saying the asset is (or may be) affected; `fixed` and `not-affected` statements
    // about an asset are the absence of one, so a finding they replace is marked fixed.
    let findings: Vec<NewAssetFinding> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, csaf::Status::Affected | csaf::Status::UnderInvestigation))
        .map(|f| NewAssetFinding {
            asset_id: f.asset.clone(),
            advisory: f.advisory.clone(),
            vuln: f.cve.clone().or_else(|| f.title.clone()).unwrap_or_else(|| "vulnerability".to_owned()),
            cve: f.cve.clone(),
            title: f.title.clone(),
            product: f.product.clone(),
            status: f.status.as_str().to_owned(),
            matched_by: text_of(&f.matched_by),
            confidence: text_of(&f.confidence),
            cvss: f.cvss.as_ref().and_then(|c| c.base_score),
            detail: json!({
                "product_id": f.product_id,
                "version_check": f.version_check,
                "cvss": f.cvss,
                "remediation": f.remediation,
            })
            .to_string(),
        })
        .collect();
    Ok(store.record_asset_findings(site, &findings, at)?)
}

/// What storing a device advisory did: the advisory read, whether it replaced one with the same tracking id, and
/// per site what changed in the asset findings.
pub(crate) struct AdvisoryUpload {
    pub advisory: csaf::Advisory,
    pub replaced: bool,
    pub sites: Vec<(String, AssetFindingChanges)>,
}

/// Store a CSAF document and match it (with the others) against every site.
pub(crate) fn add_advisory_sync(store: &Store, document: &[u8], who: &str) -> Result<AdvisoryUpload, ApiError> {
    let text = std::str::from_utf8(document)
        .map_err(|_| ApiError::BadRequest("the CSAF document is not UTF-8 text".into()))?;
    let advisory = csaf::read("upload", text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if advisory.id.trim().is_empty() {
        return Err(ApiError::BadRequest("document.tracking.id: the advisory has no tracking id".into()));
    }
    let new = NewDeviceAdvisory {
        tracking_id: advisory.id.clone(),
        title: advisory.title.clone(),
        publisher: advisory.publisher.clone(),
        document: text.to_owned(),
    };
    let (_, replaced) = store.put_device_advisory(&new, who)?;
    let mut changes = Vec::new();
    let now = OffsetDateTime::now_utc();
    for stored in store.list_plants()? {
        let site = stored.site.clone();
        let loaded = load_plant_sync(store, &site)?;
        changes.push((site.clone(), rematch_site_sync(store, &site, &loaded.plant, now)?));
    }
    Ok(AdvisoryUpload { advisory, replaced, sites: changes })
}

fn asset_finding_json(f: &StoredAssetFinding) -> Value {
    json!({
        "id": f.id,
        "site": f.site,
        "asset": f.asset_id,
        "advisory": f.advisory,
        "vuln": f.vuln,
        "cve": f.cve,
        "title": f.title,
        "product": f.product,
        "status": f.status,
        "matched_by": f.matched_by,
        "confidence": f.confidence,
        "cvss": f.cvss,
        "detail": serde_json::from_str::<Value>(&f.detail).unwrap_or(Value::Null),
        "first_seen": rfc3339(f.first_seen),
        "opened_at": rfc3339(f.opened_at),
        "last_seen": rfc3339(f.last_seen),
        "fixed_at": f.fixed_at.map(rfc3339),
    })
}

fn software_finding_json(f: &StoredFinding) -> Value {
    json!({
        "id": f.id,
        "product": f.product,
        "version": f.version,
        "component": f.component_name,
        "component_version": f.component_version,
        "purl": f.purl,
        "vuln_id": f.vuln_id,
        "severity": f.severity.as_str(),
        "cvss": f.cvss_score,
        "state": f.state.map(|s| s.as_str()),
    })
}

/// An asset's findings: device advisories on the asset, and the open software findings of the SBOMs linked to it
/// (which the vulnerability engine keeps in the store); with the links that name no stored SBOM.
pub(crate) struct AssetFindings {
    pub device: Vec<StoredAssetFinding>,
    pub software: Vec<StoredFinding>,
    pub missing_sboms: Vec<String>,
}

pub(crate) fn asset_findings_sync(store: &Store, site: &str, asset: &Asset) -> Result<AssetFindings, ApiError> {
    let device = store.list_asset_findings(&AssetFindingFilter {
        site: Some(site.to_owned()),
        asset_id: Some(asset.id.clone()),
        include_fixed: true,
    })?;
    let mut software = Vec::new();
    let mut missing = Vec::new();
    for link in &asset.sboms {
        let filter = match &link.version {
            Some(v) => match store.version_by_names(&link.product, v)? {
                Some(info) => FindingFilter { version_id: Some(info.id), limit: 1000, ..FindingFilter::default() },
                None => {
                    missing.push(link.to_string());
                    continue;
                }
            },
            None => {
                if !store.list_products()?.iter().any(|p| p.product.name == link.product) {
                    missing.push(link.to_string());
                    continue;
                }
                FindingFilter { product: Some(link.product.clone()), limit: 1000, ..FindingFilter::default() }
            }
        };
        let found = store.list_findings(&filter)?;
        software.extend(found);
    }
    Ok(AssetFindings { device, software, missing_sboms: missing })
}

// ---------------------------------------------------------------------------------------------------------------
// IoT-SSF

/// Every subject of the plant categorized under cpsf's own (unverified) scheme.
pub(crate) fn iotssf_json(plant: &Plant) -> Value {
    let scheme = Scheme::builtin();
    let subjects: Vec<Value> = plant
        .iotssf
        .iter()
        .map(|s| match iotssf::categorize(&scheme, s) {
            Ok(c) => json!({ "subject": s, "categorization": c }),
            Err(e) => json!({ "subject": s, "error": e.to_string() }),
        })
        .collect();
    json!({
        "scheme": { "id": scheme.id, "verified": scheme.verified, "note": scheme.note, "axes": scheme.axes,
                    "categories": scheme.categories, "viewpoints": scheme.viewpoints },
        "subjects": subjects,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Request helpers

fn site_name(site: &str) -> Result<String, ApiError> {
    let site = site.trim();
    if site.is_empty() || site.chars().any(char::is_control) || site.chars().count() > 200 || site.contains('/') {
        return Err(ApiError::BadRequest("site: expected a name of 1 to 200 characters without `/`".into()));
    }
    Ok(site.to_owned())
}

/// The revision a client names: `?revision=N`, else `If-Match: "N"`.
fn expected_revision(headers: &HeaderMap, query: Option<i64>) -> Result<Option<i64>, ApiError> {
    if query.is_some() {
        return Ok(query);
    }
    match headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map(Some)
            .map_err(|_| ApiError::BadRequest(format!("If-Match: expected a revision number, found `{v}`"))),
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase()
}

/// A file download.
pub(crate) fn attachment(bytes: Vec<u8>, media: &'static str, name: &str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, media)], bytes).into_response();
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::web::enc(name));
    if let Ok(v) = header::HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    response
}

fn site_summary(stored: &StoredPlant) -> Value {
    let plant: Option<Plant> = serde_json::from_str(&stored.document).ok();
    json!({
        "site": stored.site,
        "name": plant.as_ref().and_then(|p| p.name.clone()),
        "revision": stored.revision,
        "updated": rfc3339(stored.updated),
        "updated_by": stored.updated_by,
        "assets": plant.as_ref().map_or(0, |p| p.assets.len()),
        "zones": plant.as_ref().map_or(0, |p| p.zones.len()),
        "conduits": plant.as_ref().map_or(0, |p| p.conduits.len()),
    })
}

fn changes_json(c: &AssetFindingChanges) -> Value {
    json!({ "new": c.new.len(), "fixed": c.fixed.len(), "still_open": c.still_open })
}

fn capture_json(info: &CaptureInfo, summary: &Summary) -> Value {
    json!({
        "id": info.id,
        "name": info.name,
        "sha256": info.sha256,
        "size": info.size,
        "kept": info.has_content,
        "uploaded_by": info.uploaded_by,
        "uploaded_at": rfc3339(info.uploaded_at),
        "first": summary.first(),
        "last": summary.last(),
        "packets": summary.packets(),
        "devices": summary.devices.len(),
        "flows": summary.flows.len(),
        "warnings": summary.warnings,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers: sites and plants

/// `GET /api/v1/sites`.
pub async fn sites(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let list = blocking(&state, |store| Ok(store.list_plants()?)).await?;
    Ok(Json(json!({ "sites": list.iter().map(site_summary).collect::<Vec<_>>() })))
}

#[derive(Deserialize, Default)]
pub struct PlantQuery {
    format: Option<String>,
    revision: Option<i64>,
}

/// `GET /api/v1/sites/{site}/plant?format=json|yaml`.
pub async fn get_plant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<PlantQuery>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let loaded = blocking(&state, move |store| load_plant_sync(store, &site)).await?;
    let revision = loaded.stored.revision.to_string();
    let etag = format!("\"{revision}\"");
    let mut response = match q.format.as_deref().map(str::trim) {
        Some("yaml") => {
            let text = model::write_plant(&loaded.plant).map_err(|e| ApiError::Internal(e.to_string()))?;
            ([(header::CONTENT_TYPE, "application/yaml; charset=utf-8")], text).into_response()
        }
        None | Some("" | "json") => Json(json!({
            "site": loaded.stored.site,
            "revision": loaded.stored.revision,
            "updated": rfc3339(loaded.stored.updated),
            "updated_by": loaded.stored.updated_by,
            "plant": loaded.plant,
        }))
        .into_response(),
        Some(other) => return Err(ApiError::BadRequest(format!("format: expected json or yaml, found `{other}`"))),
    };
    if let Ok(v) = header::HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// `PUT /api/v1/sites/{site}/plant`: the whole plant, YAML or JSON. Nothing is stored when it is not valid.
pub async fn put_plant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<PlantQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "change plants")?;
    let site = site_name(&site)?;
    let expected = expected_revision(&headers, q.revision)?;
    let ct = content_type(&headers);
    if !(ct.is_empty() || ct.starts_with("application/json") || ct.contains("yaml") || ct.starts_with("text/plain")) {
        return Err(ApiError::UnsupportedMediaType(
            "send the plant as application/json or application/yaml (format cpsf-plant/1)".into(),
        ));
    }
    let limit = state.config().max_upload;
    if body.len() > limit {
        return Err(ApiError::TooLarge { size: body.len() as u64, limit: limit as u64 });
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(ApiError::BadRequest("the plant document is not UTF-8 text".into()));
    };
    let plant = match parse_plant(&format!("plant of site {site}"), text) {
        Ok(p) => p,
        Err(rejection) => return Ok(rejection.response()),
    };
    let who = principal.user.clone();
    let assets = plant.assets.len();
    let (stored, changes) = blocking(&state, move |store| {
        let created = store.plant(&site)?.is_none();
        let (stored, changes) =
            save_plant_sync(store, &site, expected, &plant, &who, json!({ "assets": assets, "via": "api" }))?;
        Ok(((stored, created), changes))
    })
    .await?;
    let ((stored, created), changes) = (stored, changes);
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(json!({
            "site": stored.site,
            "revision": stored.revision,
            "assets": assets,
            "asset_findings": changes_json(&changes),
        })),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers: assets

#[derive(Deserialize, Default)]
pub struct AssetQuery {
    zone: Option<String>,
    kind: Option<String>,
    vendor: Option<String>,
    format: Option<String>,
    lang: Option<String>,
}

/// Whether an asset passes the table's filters (zone exact, kind exact, vendor as a case-insensitive part).
pub(crate) fn asset_filter(asset: &Asset, zone: Option<&str>, kind: Option<&str>, vendor: Option<&str>) -> bool {
    let zone_ok = zone.filter(|z| !z.is_empty()).is_none_or(|z| asset.zone.as_deref() == Some(z));
    let kind_ok = kind.filter(|k| !k.is_empty()).is_none_or(|k| asset.kind.map(|x| x.as_str()) == Some(k));
    let vendor_ok = vendor
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .is_none_or(|v| asset.vendor.as_deref().is_some_and(|x| x.to_lowercase().contains(&v.to_lowercase())));
    zone_ok && kind_ok && vendor_ok
}

/// `GET /api/v1/sites/{site}/assets?zone=&kind=&vendor=&format=json|csv|xlsx|hbom&lang=en|ja`: the assets as JSON
/// (filtered), or every asset as a CSV or XLSX download or a CycloneDX hardware BOM.
pub async fn assets(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<AssetQuery>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let name = site.clone();
    let loaded = blocking(&state, move |store| load_plant_sync(store, &name)).await?;
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => {}
        Some(format) => {
            let (bytes, media, file) = export_assets(&site, &loaded.plant, format, q.lang.as_deref().unwrap_or("en"))?;
            return Ok(attachment(bytes, media, &file));
        }
    }
    let list: Vec<&Asset> = loaded
        .plant
        .assets
        .iter()
        .filter(|a| asset_filter(a, q.zone.as_deref(), q.kind.as_deref(), q.vendor.as_deref()))
        .collect();
    Ok(Json(json!({ "site": loaded.stored.site, "revision": loaded.stored.revision, "assets": list })).into_response())
}

/// Every fact of an asset with its source, for pages and the API: (field, values, source).
pub(crate) fn facts_of(asset: &Asset) -> Vec<(String, Vec<String>, Source)> {
    let mut out = Vec::new();
    for field in AssetField::ALL {
        let values = asset.get(field);
        if values.is_empty() || field == AssetField::Id {
            continue;
        }
        out.push((field.name().to_owned(), values, asset.source_of(field.name())));
    }
    for (name, value) in &asset.extra {
        let key = format!("extra.{name}");
        let source = asset.source_of(&key);
        out.push((key, vec![value.clone()], source));
    }
    out
}

/// `GET /api/v1/sites/{site}/assets/{asset}`: the asset, its facts with provenance, and its findings.
pub async fn asset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (asset, findings) = blocking(&state, move |store| {
        let loaded = load_plant_sync(store, &site)?;
        let asset =
            loaded.plant.asset(&id).cloned().ok_or_else(|| ApiError::NotFound(format!("asset `{id}` of `{site}`")))?;
        let findings = asset_findings_sync(store, &site, &asset)?;
        Ok((asset, findings))
    })
    .await?;
    let facts: Vec<Value> = facts_of(&asset)
        .into_iter()
        .map(|(field, values, source)| json!({ "field": field, "values": values, "source": source, "provenance": source.to_string() }))
        .collect();
    Ok(Json(json!({
        "asset": asset,
        "facts": facts,
        "device_findings": findings.device.iter().map(asset_finding_json).collect::<Vec<_>>(),
        "software_findings": findings.software.iter().map(software_finding_json).collect::<Vec<_>>(),
        "unknown_sboms": findings.missing_sboms,
    })))
}

/// Apply `{field: value}` changes to an asset, each fact then declared by `who` today.
pub(crate) fn patch_asset(
    asset: &mut Asset,
    changes: &serde_json::Map<String, Value>,
    who: &str,
) -> Result<(), ApiError> {
    let source = Source::new(SourceKind::Declared, Some(today()), Some(&format!("user {who}")));
    for (key, value) in changes {
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join(";"),
            _ => return Err(ApiError::BadRequest(format!("{key}: expected text, a number, a list or null"))),
        };
        if let Some(name) = key.strip_prefix("extra.") {
            if name.trim().is_empty() {
                return Err(ApiError::BadRequest(format!("{key}: expected extra.NAME")));
            }
            if text.trim().is_empty() {
                asset.extra.remove(name);
                asset.provenance.remove(key);
            } else {
                asset.extra.insert(name.to_owned(), text.trim().to_owned());
                asset.provenance.insert(key.clone(), source.clone());
            }
            continue;
        }
        let field = AssetField::from_name(key).ok_or_else(|| {
            let known: Vec<&str> = AssetField::ALL.iter().map(|f| f.name()).collect();
            ApiError::BadRequest(format!("{key}: not an asset field (one of {}, or extra.NAME)", known.join(", ")))
        })?;
        if field == AssetField::Id {
            return Err(ApiError::BadRequest("asset_id: an asset's id cannot be changed".into()));
        }
        asset.set(field, &text).map_err(|e| ApiError::BadRequest(format!("{key}: {e}")))?;
        if text.trim().is_empty() {
            asset.provenance.remove(key);
        } else {
            asset.provenance.insert(key.clone(), source.clone());
        }
    }
    Ok(())
}

/// `PATCH /api/v1/sites/{site}/assets/{asset}` `{field: value, ...}`: the named facts, declared by the caller.
pub async fn patch_asset_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, String)>,
    Query(q): Query<PlantQuery>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "change plants")?;
    let expected = expected_revision(&headers, q.revision)?;
    let changes: serde_json::Map<String, Value> = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("expected a JSON object of asset fields: {e}")))?;
    let who = principal.user.clone();
    let (stored, asset, findings) = blocking(&state, move |store| {
        let (stored, asset, findings) = modify_plant_sync(store, &site, expected, &who, "asset.edit", &|plant| {
            let asset = plant
                .assets
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| ApiError::NotFound(format!("asset `{id}` of `{site}`")))?;
            patch_asset(asset, &changes, &who)?;
            Ok(asset.clone())
        })?;
        Ok((stored, asset, findings))
    })
    .await?;
    Ok(Json(json!({ "revision": stored.revision, "asset": asset, "asset_findings": changes_json(&findings) })))
}

/// What an import did.
pub(crate) struct ImportOutcome {
    pub rows: usize,
    pub problems: Vec<tabular::RowProblem>,
    pub warnings: Vec<String>,
    pub reports: Vec<MergeReport>,
    pub zones_added: Vec<String>,
}

/// Read spreadsheets and merge their assets into the plant (zones they name but the plant lacks are added).
pub(crate) fn import_into(
    plant: &mut Plant,
    files: &[(String, Vec<u8>)],
    mapping: Option<&str>,
    sheet: Option<String>,
) -> Result<ImportOutcome, ApiError> {
    let mapping = match mapping.map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) => ColumnMapping::from_yaml("mapping", text).map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => ColumnMapping::default(),
    };
    let options = ImportOptions { mapping, date: Some(today()), sheet };
    let mut inventory = Inventory::new(std::mem::take(&mut plant.assets));
    let mut outcome = ImportOutcome {
        rows: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
        reports: Vec::new(),
        zones_added: Vec::new(),
    };
    let mut failed = None;
    for (name, bytes) in files {
        match tabular::read(name, bytes, &options) {
            Ok(imported) => {
                outcome.rows += imported.rows;
                outcome.problems.extend(imported.problems);
                outcome.warnings.extend(imported.warnings);
                outcome.reports.push(inventory.merge(imported.assets, &MergeRules::default()));
            }
            Err(e) => {
                failed = Some(e.to_string());
                break;
            }
        }
    }
    plant.assets = inventory.assets;
    if let Some(message) = failed {
        return Err(ApiError::BadRequest(message));
    }
    let mut added = BTreeSet::new();
    for zone in plant.assets.iter().filter_map(|a| a.zone.clone()) {
        if plant.zone(&zone).is_none() && added.insert(zone.clone()) {
            outcome.zones_added.push(zone);
        }
    }
    for id in &outcome.zones_added {
        plant.zones.push(model::Zone { id: id.clone(), ..model::Zone::default() });
    }
    Ok(outcome)
}

pub(crate) fn import_json(outcome: &ImportOutcome) -> Value {
    let added: usize = outcome.reports.iter().map(|r| r.added.len()).sum();
    let merged: usize = outcome.reports.iter().map(|r| r.merged.len()).sum();
    json!({
        "rows": outcome.rows,
        "added": added,
        "merged": merged,
        "problems": outcome.problems,
        "warnings": outcome.warnings,
        "merges": outcome.reports,
        "zones_added": outcome.zones_added,
    })
}

/// The fields of an import form.
#[derive(Default)]
pub(crate) struct ImportForm {
    pub files: Vec<(String, Vec<u8>)>,
    pub mapping: Option<String>,
    pub sheet: Option<String>,
    pub dry_run: bool,
    pub csrf: Option<String>,
    pub revision: Option<i64>,
}

pub(crate) async fn read_import_form(mut form: Multipart, limit: usize) -> Result<ImportForm, ApiError> {
    let mut out = ImportForm::default();
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| ApiError::BadRequest(format!("multipart field `{name}`: {e}")))?;
        if bytes.len() > limit {
            return Err(ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 });
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "file" => {
                if !bytes.is_empty() {
                    out.files.push((clean_file_name(file_name.as_deref()), bytes.to_vec()));
                }
            }
            "mapping" => out.mapping = Some(text()).filter(|t| !t.is_empty()),
            "sheet" => out.sheet = Some(text()).filter(|t| !t.is_empty()),
            "dry_run" => out.dry_run = matches!(text().as_str(), "true" | "1" | "on" | "yes"),
            "csrf" => out.csrf = Some(text()),
            "revision" => {
                out.revision =
                    Some(text().parse().map_err(|_| ApiError::BadRequest("revision: expected a number".into()))?)
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "multipart field `{other}`: expected file, mapping, sheet, dry_run or revision"
                )));
            }
        }
    }
    if out.files.is_empty() {
        return Err(ApiError::BadRequest("the form has no `file` field (CSV or XLSX)".into()));
    }
    Ok(out)
}

/// Import (or, on a dry run, only read) spreadsheets into the plant of `site`.
pub(crate) fn import_sync(
    store: &Store,
    site: &str,
    form: &ImportForm,
    who: &str,
) -> Result<(Option<StoredPlant>, ImportOutcome), ApiError> {
    if form.dry_run {
        let mut plant = load_plant_sync(store, site)?.plant;
        let outcome = import_into(&mut plant, &form.files, form.mapping.as_deref(), form.sheet.clone())?;
        check_plant(&plant)?;
        return Ok((None, outcome));
    }
    let (stored, outcome, _) = modify_plant_sync(store, site, form.revision, who, "asset.import", &|plant| {
        import_into(plant, &form.files, form.mapping.as_deref(), form.sheet.clone())
    })?;
    Ok((Some(stored), outcome))
}

/// `POST /api/v1/sites/{site}/assets`: import spreadsheets, multipart `file` (CSV/XLSX, repeatable), `mapping` (YAML),
/// `sheet`, `dry_run`, `revision`.
pub async fn import_assets(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    form: Multipart,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "change plants")?;
    let form = read_import_form(form, state.config().max_upload).await?;
    let who = principal.user.clone();
    let (stored, outcome) = blocking(&state, move |store| import_sync(store, &site, &form, &who)).await?;
    let mut out = import_json(&outcome);
    out["revision"] = json!(stored.as_ref().map(|s| s.revision));
    out["stored"] = json!(stored.is_some());
    Ok(Json(out))
}

/// The plant's assets as CSV, XLSX or a CycloneDX hardware BOM: bytes, media type, file name.
pub(crate) fn export_assets(
    site: &str,
    plant: &Plant,
    format: &str,
    lang: &str,
) -> Result<(Vec<u8>, &'static str, String), ApiError> {
    let lang = match lang.trim() {
        "" | "en" => HeaderLang::En,
        "ja" => HeaderLang::Ja,
        other => return Err(ApiError::BadRequest(format!("lang: expected en or ja, found `{other}`"))),
    };
    let slug: String = site.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    match format.trim() {
        "" | "csv" => Ok((
            tabular::write_csv(&plant.assets, &ExportOptions { lang, bom: true }).into_bytes(),
            "text/csv; charset=utf-8",
            format!("{slug}-assets.csv"),
        )),
        "xlsx" => Ok((
            tabular::write_xlsx(&plant.assets, &ExportOptions { lang, bom: false })
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{slug}-assets.xlsx"),
        )),
        "hbom" | "cyclonedx" => {
            let options = cpsf_ot::hbom::HbomOptions {
                serial_number: Some(format!("urn:uuid:{}", uuid::Uuid::new_v4())),
                timestamp: Some(cpsf_assess::rfc3339(OffsetDateTime::now_utc())),
                plant: plant.name.clone().or_else(|| Some(site.to_owned())),
                tool_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            };
            let doc = cpsf_ot::hbom::hbom(&plant.assets, &options);
            let bytes =
                serde_json::to_vec_pretty(&doc).map_err(|e| ApiError::Internal(format!("writing the BOM: {e}")))?;
            Ok((bytes, "application/vnd.cyclonedx+json", format!("{slug}-hbom.cdx.json")))
        }
        other => Err(ApiError::BadRequest(format!("format: expected csv, xlsx or hbom, found `{other}`"))),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers: captures, discovered devices, matrix, violations

#[derive(Deserialize, Default)]
pub struct CaptureQuery {
    name: Option<String>,
    capture: Option<i64>,
}

/// An uploaded capture from multipart `file` or the raw body.
pub(crate) async fn read_capture_body(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
    name: Option<String>,
) -> Result<(String, Vec<u8>, Option<String>), ApiError> {
    let limit = state.config().max_upload;
    if content_type(headers).starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))?;
        let mut file = None;
        let mut csrf = None;
        while let Some(field) =
            form.next_field().await.map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))?
        {
            let field_name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::BadRequest(format!("multipart field `{field_name}`: {e}")))?;
            if bytes.len() > limit {
                return Err(ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 });
            }
            match field_name.as_str() {
                "file" => file = Some((clean_file_name(file_name.as_deref()), bytes.to_vec())),
                "csrf" => csrf = Some(String::from_utf8_lossy(&bytes).trim().to_owned()),
                other => return Err(ApiError::BadRequest(format!("multipart field `{other}`: expected `file`"))),
            }
        }
        let (file_name, bytes) = file.ok_or_else(|| ApiError::BadRequest("the form has no `file` field".into()))?;
        if bytes.is_empty() {
            return Err(ApiError::BadRequest("file: the capture is empty".into()));
        }
        Ok((name.unwrap_or(file_name), bytes, csrf))
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), limit.saturating_add(1))
            .await
            .map_err(|_| ApiError::TooLarge { size: limit as u64 + 1, limit: limit as u64 })?;
        if bytes.is_empty() {
            return Err(ApiError::BadRequest("the body is empty; send a pcap or pcapng capture".into()));
        }
        Ok((clean_file_name(Some(name.as_deref().unwrap_or("capture.pcap"))), bytes.to_vec(), None))
    }
}

pub(crate) fn uploaded_json(up: &Uploaded) -> Value {
    json!({
        "capture": capture_json(&up.info, &up.summary),
        "new_candidates": up.candidates,
        "conduits": up.report,
    })
}

/// `POST /api/v1/sites/{site}/captures?name=`: a pcap or pcapng capture (multipart `file`, or the raw body).
pub async fn upload_capture(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "upload captures")?;
    let (name, bytes, _) = read_capture_body(&state, &headers, request, q.name).await?;
    let who = principal.user.clone();
    let limit = state.config().max_upload;
    let up = blocking(&state, move |store| add_capture_sync(store, &site, &name, bytes, limit, &who)).await?;
    Ok((StatusCode::CREATED, Json(uploaded_json(&up))).into_response())
}

/// `GET /api/v1/sites/{site}/captures`.
pub async fn captures(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let list = blocking(&state, move |store| {
        load_plant_sync(store, &site)?;
        site_captures(store, &site, None)
    })
    .await?;
    Ok(Json(json!({ "captures": list.iter().map(|(i, s)| capture_json(i, s)).collect::<Vec<_>>() })))
}

/// `GET /api/v1/sites/{site}/captures/{id}`: the capture's summary and its conduit check against the plant now.
pub async fn capture(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (plant, mut list) = blocking(&state, move |store| {
        let loaded = load_plant_sync(store, &site)?;
        Ok((loaded.plant, site_captures(store, &site, Some(id))?))
    })
    .await?;
    let (info, summary) = list.pop().ok_or_else(|| ApiError::NotFound(format!("capture {id}")))?;
    let report = conduit::check(&plant, &summary.flows(), &[]);
    let mut out = capture_json(&info, &summary);
    out["summary"] = json!(summary);
    out["conduits"] = json!(report);
    Ok(Json(out))
}

/// `GET /api/v1/sites/{site}/captures/{id}/pcap`: the raw capture, when it was kept.
pub async fn capture_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (info, bytes) = blocking(&state, move |store| {
        let info = store.capture(&site, id)?.ok_or_else(|| ApiError::NotFound(format!("capture {id}")))?;
        let bytes = store.capture_content(&site, id)?.ok_or_else(|| {
            ApiError::NotFound(format!(
                "capture {id}: its bytes were not kept (larger than {KEEP_CAPTURE_BYTES} bytes)"
            ))
        })?;
        Ok((info, bytes))
    })
    .await?;
    Ok(attachment(bytes, "application/octet-stream", &info.name))
}

pub(crate) fn review_json(r: &Review) -> Value {
    json!({
        "id": r.candidate.asset.id,
        "asset": r.candidate.asset,
        "suggested_kind": r.candidate.suggested_kind,
        "alternatives": r.candidate.alternatives,
        "matches": r.matches.as_ref().map(|(id, by)| json!({ "asset": id, "by": by })),
        "conflicts": r.conflicts,
    })
}

/// `GET /api/v1/sites/{site}/discovered?capture=ID`: candidate assets per capture.
pub async fn discovered(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (plant, list) = blocking(&state, move |store| {
        let loaded = load_plant_sync(store, &site)?;
        Ok((loaded.plant, site_captures(store, &site, q.capture)?))
    })
    .await?;
    let captures: Vec<Value> = list
        .iter()
        .map(|(info, summary)| {
            json!({
                "capture": capture_json(info, summary),
                "candidates": review(&plant, info, summary).iter().map(review_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "captures": captures })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeRequest {
    capture: i64,
    candidates: Vec<String>,
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    revision: Option<i64>,
}

/// Merge chosen candidates of a capture into the plant of `site`.
pub(crate) fn merge_sync(
    store: &Store,
    site: &str,
    capture: i64,
    chosen: &[String],
    kinds: &BTreeMap<String, String>,
    expected: Option<i64>,
    who: &str,
) -> Result<(StoredPlant, MergeReport), ApiError> {
    let mut list = site_captures(store, site, Some(capture))?;
    let (info, summary) = list.pop().ok_or_else(|| ApiError::NotFound(format!("capture {capture}")))?;
    let (stored, report, _) = modify_plant_sync(store, site, expected, who, "discovered.merge", &|plant| {
        let reviews = review(plant, &info, &summary);
        merge_candidates(plant, &reviews, chosen, kinds)
    })?;
    Ok((stored, report))
}

/// `POST /api/v1/sites/{site}/discovered/merge` `{capture, candidates: [ids], kinds: {id: kind}, revision}`.
pub async fn merge_discovered(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "change plants")?;
    let request: MergeRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!("expected {{\"capture\", \"candidates\": [ids], \"kinds\", \"revision\"}}: {e}"))
    })?;
    let who = principal.user.clone();
    let (stored, report) = blocking(&state, move |store| {
        merge_sync(store, &site, request.capture, &request.candidates, &request.kinds, request.revision, &who)
    })
    .await?;
    Ok(Json(json!({
        "revision": stored.revision,
        "added": report.added,
        "merged": report.merged,
        "renamed": report.renamed,
        "conflicts": report.conflicts,
    })))
}

/// `GET /api/v1/sites/{site}/matrix?capture=ID`: the communication matrix with endpoints resolved to assets.
pub async fn matrix_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (plant, list) = blocking(&state, move |store| {
        let loaded = load_plant_sync(store, &site)?;
        Ok((loaded.plant, site_captures(store, &site, q.capture)?))
    })
    .await?;
    Ok(Json(json!({ "flows": matrix(&plant, &list) })))
}

/// `GET /api/v1/sites/{site}/violations?capture=ID`: each capture's flows checked against the conduits.
pub async fn violations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let (plant, list) = blocking(&state, move |store| {
        let loaded = load_plant_sync(store, &site)?;
        Ok((loaded.plant, site_captures(store, &site, q.capture)?))
    })
    .await?;
    let captures: Vec<Value> = list
        .iter()
        .map(|(info, summary)| {
            json!({ "capture": info.id, "name": info.name, "report": conduit::check(&plant, &summary.flows(), &[]) })
        })
        .collect();
    Ok(Json(json!({ "captures": captures })))
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers: device advisories, asset findings, IoT-SSF

/// `POST /api/v1/device-advisories`: a CSAF 2.0 document (JSON body, or multipart `file`).
pub async fn upload_advisory(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Editor, "upload device advisories")?;
    let limit = state.config().max_upload;
    let document = if content_type(&headers).starts_with("multipart/form-data") {
        let (_, bytes, _) = read_capture_body(&state, &headers, request, None).await?;
        bytes
    } else {
        axum::body::to_bytes(request.into_body(), limit.saturating_add(1))
            .await
            .map_err(|_| ApiError::TooLarge { size: limit as u64 + 1, limit: limit as u64 })?
            .to_vec()
    };
    let who = principal.user.clone();
    let AdvisoryUpload { advisory, replaced, sites: changes } =
        blocking(&state, move |store| add_advisory_sync(store, &document, &who)).await?;
    let sites: serde_json::Map<String, Value> = changes.iter().map(|(s, c)| (s.clone(), changes_json(c))).collect();
    let status = if replaced { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(json!({
            "tracking_id": advisory.id,
            "title": advisory.title,
            "publisher": advisory.publisher,
            "vulnerabilities": advisory.vulnerabilities.len(),
            "replaced": replaced,
            "warnings": advisory.warnings,
            "sites": sites,
        })),
    )
        .into_response())
}

/// `GET /api/v1/device-advisories`.
pub async fn device_advisories(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read device advisories")?;
    let list = blocking(&state, |store| Ok(store.list_device_advisories()?)).await?;
    let out: Vec<Value> = list
        .iter()
        .map(|a| {
            let parsed = csaf::read(&a.tracking_id, &a.document).ok();
            json!({
                "tracking_id": a.tracking_id,
                "title": a.title,
                "publisher": a.publisher,
                "sha256": a.sha256,
                "uploaded_by": a.uploaded_by,
                "uploaded_at": rfc3339(a.uploaded_at),
                "vulnerabilities": parsed.as_ref().map(|p| p.vulnerabilities.iter().filter_map(|v| v.cve.clone()).collect::<Vec<_>>()),
            })
        })
        .collect();
    Ok(Json(json!({ "advisories": out })))
}

#[derive(Deserialize, Default)]
pub struct FindingQuery {
    asset: Option<String>,
    status: Option<String>,
}

/// `GET /api/v1/sites/{site}/asset-findings?asset=&status=open|any`.
pub async fn asset_findings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<FindingQuery>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let include_fixed = match q.status.as_deref().map(str::trim) {
        None | Some("" | "open") => false,
        Some("any") => true,
        Some(other) => return Err(ApiError::BadRequest(format!("status: expected open or any, found `{other}`"))),
    };
    let list = blocking(&state, move |store| {
        load_plant_sync(store, &site)?;
        Ok(store.list_asset_findings(&AssetFindingFilter { site: Some(site), asset_id: q.asset, include_fixed })?)
    })
    .await?;
    Ok(Json(json!({ "findings": list.iter().map(asset_finding_json).collect::<Vec<_>>() })))
}

/// `GET /api/v1/sites/{site}/iotssf`: every IoT-SSF subject of the plant with its derived category.
pub async fn site_iotssf(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require(&principal, Role::Viewer, "read plants")?;
    let loaded = blocking(&state, move |store| load_plant_sync(store, &site)).await?;
    Ok(Json(iotssf_json(&loaded.plant)))
}

/// `POST /api/v1/iotssf/categorize` `{id, name, incidents: [{description, recovery, economic, assets}]}`: the
/// category and measure viewpoints of one subject (nothing is stored).
pub async fn categorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &headers).await?;
    let subject: Subject = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "expected {{\"id\", \"name\", \"incidents\": [{{\"description\", \"recovery\", \"economic\"}}]}}: {e}"
        ))
    })?;
    let scheme = Scheme::builtin();
    let categorization = iotssf::categorize(&scheme, &subject).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(Json(json!(categorization)))
}

/// Facts of the plants for automatic evidence: every asset of every site, whether it has vendor, model and
/// firmware, and when it was last confirmed (a dated source of any of its facts, its `last_seen`, or a stored
/// capture that showed one of its addresses). `None` when the store holds no plant.
pub fn asset_facts(store: &Store) -> Result<Option<Vec<cpsf_assess::evidence::AssetFact>>, StoreError> {
    let plants = store.list_plants()?;
    if plants.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for stored in plants {
        let Ok(plant) = serde_json::from_str::<Plant>(&stored.document) else { continue };
        // When each address was last seen in a capture.
        let mut seen_ip: BTreeMap<IpAddr, i64> = BTreeMap::new();
        let mut seen_mac: BTreeMap<String, i64> = BTreeMap::new();
        for info in store.list_captures(&stored.site)? {
            let Ok(summary) = serde_json::from_str::<Summary>(&info.summary) else { continue };
            for d in &summary.devices {
                for ip in &d.ips {
                    let e = seen_ip.entry(*ip).or_insert(d.last_seen);
                    *e = (*e).max(d.last_seen);
                }
                for mac in &d.macs {
                    let e = seen_mac.entry(mac.to_ascii_lowercase()).or_insert(d.last_seen);
                    *e = (*e).max(d.last_seen);
                }
            }
        }
        for asset in &plant.assets {
            let complete = [&asset.vendor, &asset.model, &asset.firmware]
                .iter()
                .all(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
            let mut days: Vec<time::Date> = Vec::new();
            days.extend(asset.source.iter().filter_map(|s| s.at).map(|d| d.0));
            days.extend(asset.provenance.values().filter_map(|s| s.at).map(|d| d.0));
            days.extend(asset.last_seen.map(|d| d.0));
            let mut latest = days.into_iter().max().map(|d| d.midnight().assume_utc());
            let sightings = asset
                .ips
                .iter()
                .filter_map(|ip| seen_ip.get(ip))
                .chain(asset.macs.iter().filter_map(|m| seen_mac.get(&m.to_ascii_lowercase())))
                .filter_map(|micros| OffsetDateTime::from_unix_timestamp(micros.div_euclid(1_000_000)).ok());
            for t in sightings {
                if latest.is_none_or(|l| t > l) {
                    latest = Some(t);
                }
            }
            out.push(cpsf_assess::evidence::AssetFact {
                site: stored.site.clone(),
                id: asset.id.clone(),
                complete,
                confirmed: latest,
            });
        }
    }
    Ok(Some(out))
}
