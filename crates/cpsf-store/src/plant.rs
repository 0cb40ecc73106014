//! Factory systems and IoT (schema 4): one plant document per site (the cpsf-ot plant as JSON, with a revision for
//! optimistic concurrency), the captures uploaded for a site with their discovery summary, device advisories (CSAF
//! documents) and the findings they give on a site's assets.
//!
//! Like assessments, the store does not read the plant document or a capture's summary: it keeps the JSON the
//! caller gives (checked to be a JSON object). A capture's raw bytes are kept only when the caller hands them over
//! (the server does so for small captures); its SHA-256 and size are always kept. Asset findings are reconciled per
//! site like software findings: a match run names every finding it found; new ones are inserted, those found again
//! are refreshed, open ones not found any more are marked fixed, fixed ones found again are reopened. Nothing is
//! deleted (except with the site's plant).

use std::collections::{BTreeSet, HashMap};

use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::audit::record;
use crate::db::{Db, Params, Row, Value};
use crate::{Store, StoreError, check_name, time_util};

/// A site's stored plant document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlant {
    pub site: String,
    /// The plant, JSON (an object).
    pub document: String,
    /// Starts at 1; every update adds one.
    pub revision: i64,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub updated_by: String,
}

/// A capture to store for a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCapture {
    /// The file name as uploaded (no directories).
    pub name: String,
    /// SHA-256 of the capture as uploaded, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
    /// What discovery found, JSON (an object).
    pub summary: String,
    /// The capture itself, when it is to be kept (its SHA-256 must then be `sha256`).
    pub content: Option<Vec<u8>>,
}

/// A stored capture, without its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureInfo {
    pub id: i64,
    pub site: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    /// The discovery summary, JSON.
    pub summary: String,
    /// Whether the raw capture is kept.
    pub has_content: bool,
    pub uploaded_by: String,
    pub uploaded_at: OffsetDateTime,
}

/// A device advisory (CSAF document) to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceAdvisory {
    /// `document.tracking.id`: an advisory with the same id is replaced.
    pub tracking_id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// The CSAF document, JSON (an object).
    pub document: String,
}

/// A stored device advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAdvisory {
    pub id: i64,
    pub tracking_id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub document: String,
    /// SHA-256 of the document as stored.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: OffsetDateTime,
}

/// One finding of a match run of device advisories against a site's assets.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssetFinding {
    pub asset_id: String,
    /// The advisory's tracking id.
    pub advisory: String,
    /// What identifies the vulnerability inside the advisory: its CVE, else its title, else its position. With
    /// the site, asset and advisory it identifies the finding.
    pub vuln: String,
    pub cve: Option<String>,
    pub title: Option<String>,
    /// The product the advisory names, as text.
    pub product: String,
    /// `affected`, `fixed`, `not-affected`, `under-investigation`.
    pub status: String,
    /// `serial-number`, `cpe`, `model-number`, `name-version`.
    pub matched_by: String,
    /// `high`, `medium`, `low`.
    pub confidence: String,
    /// The CVSS base score, when the advisory gives one.
    pub cvss: Option<f64>,
    /// More of the match (version check, remediations), JSON (an object).
    pub detail: String,
}

/// A stored asset finding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAssetFinding {
    pub id: i64,
    pub site: String,
    pub asset_id: String,
    pub advisory: String,
    pub vuln: String,
    pub cve: Option<String>,
    pub title: Option<String>,
    pub product: String,
    pub status: String,
    pub matched_by: String,
    pub confidence: String,
    pub cvss: Option<f64>,
    pub detail: String,
    pub first_seen: OffsetDateTime,
    /// When it was last opened: `first_seen`, or the time it reappeared after being fixed.
    pub opened_at: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    /// When a match run no longer found it; `None` while open.
    pub fixed_at: Option<OffsetDateTime>,
}

/// What [`Store::record_asset_findings`] changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetFindingChanges {
    /// New findings, and fixed ones that reappeared (reopened).
    pub new: Vec<StoredAssetFinding>,
    /// Open findings the run no longer found, now marked fixed.
    pub fixed: Vec<StoredAssetFinding>,
    /// Open findings found again.
    pub still_open: usize,
}

/// Which asset findings [`Store::list_asset_findings`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetFindingFilter {
    /// Only this site (`None`: every site).
    pub site: Option<String>,
    pub asset_id: Option<String>,
    /// Open ones only (the default), or fixed ones too.
    pub include_fixed: bool,
}

const PLANT_COLUMNS: &str = "site, document, revision, created, updated, updated_by";
const CAPTURE_COLUMNS: &str = "id, site, name, sha256, size, summary, content IS NOT NULL, uploaded_by, uploaded_at";
const ADVISORY_COLUMNS: &str = "id, tracking_id, title, publisher, document, sha256, uploaded_by, uploaded_at";
const FINDING_COLUMNS: &str = "id, site, asset_id, advisory, vuln, cve, title, product, status, matched_by, \
     confidence, cvss, detail, first_seen, opened_at, last_seen, fixed_at";

/// The longest plant document, capture summary or advisory kept (64 MiB of JSON).
const MAX_DOCUMENT: usize = 64 * 1024 * 1024;

fn plant(row: &Row) -> Result<StoredPlant, StoreError> {
    Ok(StoredPlant {
        site: row.text(0)?,
        document: row.text(1)?,
        revision: row.int(2)?,
        created: row.time(3)?,
        updated: row.time(4)?,
        updated_by: row.text(5)?,
    })
}

fn capture(row: &Row) -> Result<CaptureInfo, StoreError> {
    Ok(CaptureInfo {
        id: row.int(0)?,
        site: row.text(1)?,
        name: row.text(2)?,
        sha256: row.text(3)?,
        size: row.int(4)?,
        summary: row.text(5)?,
        has_content: row.bool(6)?,
        uploaded_by: row.text(7)?,
        uploaded_at: row.time(8)?,
    })
}

fn advisory(row: &Row) -> Result<DeviceAdvisory, StoreError> {
    Ok(DeviceAdvisory {
        id: row.int(0)?,
        tracking_id: row.text(1)?,
        title: row.opt_text(2)?,
        publisher: row.opt_text(3)?,
        document: row.text(4)?,
        sha256: row.text(5)?,
        uploaded_by: row.text(6)?,
        uploaded_at: row.time(7)?,
    })
}

fn finding(row: &Row) -> Result<StoredAssetFinding, StoreError> {
    Ok(StoredAssetFinding {
        id: row.int(0)?,
        site: row.text(1)?,
        asset_id: row.text(2)?,
        advisory: row.text(3)?,
        vuln: row.text(4)?,
        cve: row.opt_text(5)?,
        title: row.opt_text(6)?,
        product: row.text(7)?,
        status: row.text(8)?,
        matched_by: row.text(9)?,
        confidence: row.text(10)?,
        cvss: row.opt_real(11)?,
        detail: row.text(12)?,
        first_seen: row.time(13)?,
        opened_at: row.time(14)?,
        last_seen: row.time(15)?,
        fixed_at: row.opt_time(16)?,
    })
}

/// A JSON document must be an object, and not absurdly large.
fn check_object(what: &str, document: &str) -> Result<(), StoreError> {
    if document.len() > MAX_DOCUMENT {
        return Err(StoreError::invalid(format!("the {what} is larger than {MAX_DOCUMENT} bytes")));
    }
    match serde_json::from_str::<serde_json::Value>(document) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(StoreError::invalid(format!("the {what} must be a JSON object"))),
        Err(e) => Err(StoreError::invalid(format!("the {what} is not JSON: {e}"))),
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn find_plant(db: &mut dyn Db, site: &str) -> Result<Option<StoredPlant>, StoreError> {
    db.query_opt(&format!("SELECT {PLANT_COLUMNS} FROM plants WHERE site = $1"), &[site.into()])?
        .map(|r| plant(&r))
        .transpose()
}

fn findings_by_ids(db: &mut dyn Db, ids: &[i64]) -> Result<Vec<StoredAssetFinding>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let marks: Vec<String> = chunk.iter().map(|id| params.push(*id)).collect();
        let sql =
            format!("SELECT {FINDING_COLUMNS} FROM asset_findings WHERE id IN ({}) ORDER BY id", marks.join(", "));
        for row in db.query(&sql, &params.0)? {
            out.push(finding(&row)?);
        }
    }
    Ok(out)
}

/// The values a match run sets on a finding (after the key columns).
fn match_values(f: &NewAssetFinding) -> Vec<Value> {
    vec![
        f.cve.as_deref().into(),
        f.title.as_deref().into(),
        f.product.as_str().into(),
        f.status.as_str().into(),
        f.matched_by.as_str().into(),
        f.confidence.as_str().into(),
        f.cvss.into(),
        f.detail.as_str().into(),
    ]
}

fn check_finding(f: &NewAssetFinding) -> Result<(), StoreError> {
    for (what, value) in [
        ("asset id", &f.asset_id),
        ("advisory", &f.advisory),
        ("vulnerability", &f.vuln),
        ("status", &f.status),
        ("match key", &f.matched_by),
        ("confidence", &f.confidence),
    ] {
        if value.trim().is_empty() {
            return Err(StoreError::invalid(format!("an asset finding needs its {what}")));
        }
    }
    check_object("finding detail", &f.detail)
}

impl Store {
    /// The plant of `site`.
    pub fn plant(&self, site: &str) -> Result<Option<StoredPlant>, StoreError> {
        self.read(|db| find_plant(db, site))
    }

    /// Every site's plant, by site name.
    pub fn list_plants(&self) -> Result<Vec<StoredPlant>, StoreError> {
        self.read(|db| {
            db.query(&format!("SELECT {PLANT_COLUMNS} FROM plants ORDER BY site"), &[])?.iter().map(plant).collect()
        })
    }

    /// Store the plant document of `site`. `expected` is the revision the caller read: `Some(0)` creates the plant
    /// (a conflict when it exists), `Some(r)` replaces revision `r` (a conflict when it moved on, not found when
    /// there is none), `None` creates or replaces whatever is there. Audited as `plant.create` or `plant.update`
    /// with `detail`. The stored plant.
    pub fn put_plant(
        &self,
        site: &str,
        expected: Option<i64>,
        document: &str,
        who: &str,
        detail: &serde_json::Value,
    ) -> Result<StoredPlant, StoreError> {
        check_name("site", site)?;
        check_object("plant document", document)?;
        let at = time_util::now();
        self.write(|db| {
            let current = find_plant(db, site)?;
            match (&current, expected) {
                (Some(p), Some(e)) if p.revision != e => {
                    return Err(StoreError::Conflict {
                        what: format!(
                            "the plant of site {site:?} changed since it was read (revision {} now, {e} expected); read it again",
                            p.revision
                        ),
                    });
                }
                (None, Some(e)) if e != 0 => return Err(StoreError::not_found(format!("plant of site {site:?}"))),
                _ => {}
            }
            let action = match &current {
                None => {
                    db.execute(
                        "INSERT INTO plants (site, document, revision, created, updated, updated_by)
                         VALUES ($1, $2, 1, $3, $3, $4)",
                        &[site.into(), document.into(), at.into(), who.into()],
                    )
                    .map_err(|e| e.conflict_as(|| format!("the plant of site {site:?} was created meanwhile")))?;
                    "plant.create"
                }
                Some(p) => {
                    let changed = db.execute(
                        "UPDATE plants SET document = $3, revision = revision + 1, updated = $4, updated_by = $5
                         WHERE site = $1 AND revision = $2",
                        &[site.into(), p.revision.into(), document.into(), at.into(), who.into()],
                    )?;
                    if changed != 1 {
                        return Err(StoreError::Conflict {
                            what: format!("the plant of site {site:?} changed meanwhile; read it again"),
                        });
                    }
                    "plant.update"
                }
            };
            record(db, at, who, action, &format!("plant:{site}"), detail)?;
            find_plant(db, site)?.ok_or_else(|| StoreError::not_found(format!("plant of site {site:?}")))
        })
    }

    /// Remove a site's plant with its captures and asset findings. Audited as `plant.delete`.
    pub fn delete_plant(&self, site: &str, who: &str) -> Result<(), StoreError> {
        let at = time_util::now();
        self.write(|db| {
            // Children first: SQLite enforces the foreign keys, but both engines then agree on the order.
            db.execute("DELETE FROM asset_findings WHERE site = $1", &[site.into()])?;
            db.execute("DELETE FROM captures WHERE site = $1", &[site.into()])?;
            if db.execute("DELETE FROM plants WHERE site = $1", &[site.into()])? == 0 {
                return Err(StoreError::not_found(format!("plant of site {site:?}")));
            }
            record(db, at, who, "plant.delete", &format!("plant:{site}"), &json!({}))?;
            Ok(())
        })
    }

    /// Store a capture of `site`, whose plant must exist. Audited as `capture.upload`.
    pub fn add_capture(&self, site: &str, capture: &NewCapture, who: &str) -> Result<CaptureInfo, StoreError> {
        check_name("capture file", &capture.name)?;
        check_object("capture summary", &capture.summary)?;
        let sha256 = capture.sha256.to_ascii_lowercase();
        if !is_sha256(&sha256) {
            return Err(StoreError::invalid("capture hash: expected 64 hexadecimal digits (SHA-256)"));
        }
        if capture.size < 0 {
            return Err(StoreError::invalid("capture size: expected a number of bytes"));
        }
        if let Some(content) = &capture.content {
            if hex(&Sha256::digest(content)) != sha256 {
                return Err(StoreError::invalid("the capture's bytes do not have the SHA-256 given"));
            }
            if i64::try_from(content.len()).ok() != Some(capture.size) {
                return Err(StoreError::invalid("the capture's bytes do not have the size given"));
            }
        }
        let at = time_util::now();
        self.write(|db| {
            if find_plant(db, site)?.is_none() {
                return Err(StoreError::not_found(format!("plant of site {site:?}")));
            }
            let content = capture.content.clone().map_or(Value::Null, Value::Bytes);
            let id = db
                .query_one(
                    "INSERT INTO captures (site, name, sha256, size, summary, content, uploaded_by, uploaded_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        site.into(),
                        capture.name.as_str().into(),
                        sha256.as_str().into(),
                        capture.size.into(),
                        capture.summary.as_str().into(),
                        content,
                        who.into(),
                        at.into(),
                    ],
                )?
                .int(0)?;
            record(
                db,
                at,
                who,
                "capture.upload",
                &format!("plant:{site}"),
                &json!({ "capture": id, "name": capture.name, "sha256": sha256, "bytes": capture.size,
                         "kept": capture.content.is_some() }),
            )?;
            Ok(CaptureInfo {
                id,
                site: site.to_owned(),
                name: capture.name.clone(),
                sha256: sha256.clone(),
                size: capture.size,
                summary: capture.summary.clone(),
                has_content: capture.content.is_some(),
                uploaded_by: who.to_owned(),
                uploaded_at: at,
            })
        })
    }

    /// The captures of a site, newest first.
    pub fn list_captures(&self, site: &str) -> Result<Vec<CaptureInfo>, StoreError> {
        self.read(|db| {
            db.query(
                &format!("SELECT {CAPTURE_COLUMNS} FROM captures WHERE site = $1 ORDER BY id DESC"),
                &[site.into()],
            )?
            .iter()
            .map(capture)
            .collect()
        })
    }

    /// One capture of a site.
    pub fn capture(&self, site: &str, id: i64) -> Result<Option<CaptureInfo>, StoreError> {
        self.read(|db| {
            db.query_opt(
                &format!("SELECT {CAPTURE_COLUMNS} FROM captures WHERE site = $1 AND id = $2"),
                &[site.into(), id.into()],
            )?
            .map(|r| capture(&r))
            .transpose()
        })
    }

    /// The raw bytes of a capture, when they were kept.
    pub fn capture_content(&self, site: &str, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|db| {
            let Some(row) =
                db.query_opt("SELECT content FROM captures WHERE site = $1 AND id = $2", &[site.into(), id.into()])?
            else {
                return Ok(None);
            };
            match row.0.first() {
                Some(Value::Null) | None => Ok(None),
                Some(_) => Ok(Some(row.bytes(0)?)),
            }
        })
    }

    /// Store a device advisory; one with the same tracking id is replaced. Audited as `device_advisory.upload`.
    /// The stored advisory and whether it replaced one.
    pub fn put_device_advisory(
        &self,
        new: &NewDeviceAdvisory,
        who: &str,
    ) -> Result<(DeviceAdvisory, bool), StoreError> {
        check_name("advisory tracking id", &new.tracking_id)?;
        check_object("CSAF document", &new.document)?;
        let sha256 = hex(&Sha256::digest(new.document.as_bytes()));
        let at = time_util::now();
        self.write(|db| {
            let replaced = db
                .query_opt(
                    "SELECT id FROM device_advisories WHERE tracking_id = $1",
                    &[new.tracking_id.as_str().into()],
                )?
                .is_some();
            let params = [
                new.tracking_id.as_str().into(),
                new.title.as_deref().into(),
                new.publisher.as_deref().into(),
                new.document.as_str().into(),
                sha256.as_str().into(),
                who.into(),
                at.into(),
            ];
            if replaced {
                db.execute(
                    "UPDATE device_advisories SET title = $2, publisher = $3, document = $4, sha256 = $5,
                         uploaded_by = $6, uploaded_at = $7 WHERE tracking_id = $1",
                    &params,
                )?;
            } else {
                db.execute(
                    "INSERT INTO device_advisories (tracking_id, title, publisher, document, sha256, uploaded_by,
                         uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &params,
                )
                .map_err(|e| e.conflict_as(|| format!("advisory {:?} was stored meanwhile", new.tracking_id)))?;
            }
            record(
                db,
                at,
                who,
                "device_advisory.upload",
                &format!("device_advisory:{}", new.tracking_id),
                &json!({ "sha256": sha256, "replaced": replaced }),
            )?;
            let row = db.query_one(
                &format!("SELECT {ADVISORY_COLUMNS} FROM device_advisories WHERE tracking_id = $1"),
                &[new.tracking_id.as_str().into()],
            )?;
            Ok((advisory(&row)?, replaced))
        })
    }

    /// Every device advisory, by tracking id.
    pub fn list_device_advisories(&self) -> Result<Vec<DeviceAdvisory>, StoreError> {
        self.read(|db| {
            db.query(&format!("SELECT {ADVISORY_COLUMNS} FROM device_advisories ORDER BY tracking_id"), &[])?
                .iter()
                .map(advisory)
                .collect()
        })
    }

    /// Reconcile the asset findings of `site` with a new match run (every device advisory against every asset of
    /// the site), in one transaction, at `at`, as [`Store::record_findings`] does for software findings. Findings
    /// are identified by (asset, advisory, vulnerability); a repeated one counts once (the first). Audited as
    /// `asset_findings.record` by `system` when anything is new or fixed.
    pub fn record_asset_findings(
        &self,
        site: &str,
        findings: &[NewAssetFinding],
        at: OffsetDateTime,
    ) -> Result<AssetFindingChanges, StoreError> {
        for f in findings {
            check_finding(f)?;
        }
        let at = time_util::normalize(at);
        self.write(|db| {
            if find_plant(db, site)?.is_none() {
                return Err(StoreError::not_found(format!("plant of site {site:?}")));
            }
            let mut stored: HashMap<(String, String, String), (i64, bool)> = HashMap::new();
            for row in
                db.query("SELECT id, asset_id, advisory, vuln, fixed_at FROM asset_findings WHERE site = $1", &[
                    site.into(),
                ])?
            {
                stored.insert((row.text(1)?, row.text(2)?, row.text(3)?), (row.int(0)?, row.opt_time(4)?.is_some()));
            }
            let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
            let mut new_ids = Vec::new();
            let mut still_open = 0;
            for f in findings {
                let key = (f.asset_id.clone(), f.advisory.clone(), f.vuln.clone());
                if !seen.insert(key.clone()) {
                    continue;
                }
                let mut params = vec![Value::Null];
                params.extend(match_values(f));
                params.push(at.into());
                match stored.get(&key) {
                    Some(&(id, fixed)) => {
                        if let Some(first) = params.first_mut() {
                            *first = Value::Int(id);
                        }
                        let reopen = if fixed { ", fixed_at = NULL, opened_at = $10" } else { "" };
                        db.execute(
                            &format!(
                                "UPDATE asset_findings SET cve = $2, title = $3, product = $4, status = $5,
                                     matched_by = $6, confidence = $7, cvss = $8, detail = $9, last_seen = $10{reopen}
                                 WHERE id = $1"
                            ),
                            &params,
                        )?;
                        if fixed {
                            new_ids.push(id);
                        } else {
                            still_open += 1;
                        }
                    }
                    None => {
                        let mut insert = vec![
                            Value::from(site),
                            f.asset_id.as_str().into(),
                            f.advisory.as_str().into(),
                            f.vuln.as_str().into(),
                        ];
                        insert.extend(params.into_iter().skip(1));
                        let id = db
                            .query_one(
                                "INSERT INTO asset_findings (site, asset_id, advisory, vuln, cve, title, product, status,
                                     matched_by, confidence, cvss, detail, first_seen, opened_at, last_seen)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13) RETURNING id",
                                &insert,
                            )?
                            .int(0)?;
                        new_ids.push(id);
                    }
                }
            }
            let mut fixed_ids: Vec<i64> = stored
                .iter()
                .filter(|(key, (_, fixed))| !fixed && !seen.contains(*key))
                .map(|(_, (id, _))| *id)
                .collect();
            fixed_ids.sort_unstable();
            for id in &fixed_ids {
                db.execute("UPDATE asset_findings SET fixed_at = $2 WHERE id = $1", &[(*id).into(), at.into()])?;
            }
            new_ids.sort_unstable();
            let changes = AssetFindingChanges {
                new: findings_by_ids(db, &new_ids)?,
                fixed: findings_by_ids(db, &fixed_ids)?,
                still_open,
            };
            if !new_ids.is_empty() || !fixed_ids.is_empty() {
                record(
                    db,
                    at,
                    "system",
                    "asset_findings.record",
                    &format!("plant:{site}"),
                    &json!({ "new": new_ids.len(), "fixed": fixed_ids.len(), "still_open": still_open }),
                )?;
            }
            Ok(changes)
        })
    }

    /// Asset findings matching `filter`, by site, asset, advisory and vulnerability.
    pub fn list_asset_findings(&self, filter: &AssetFindingFilter) -> Result<Vec<StoredAssetFinding>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Vec::new();
        if let Some(site) = &filter.site {
            conditions.push(format!("site = {}", params.push(site.as_str())));
        }
        if let Some(asset) = &filter.asset_id {
            conditions.push(format!("asset_id = {}", params.push(asset.as_str())));
        }
        if !filter.include_fixed {
            conditions.push("fixed_at IS NULL".to_owned());
        }
        let clause = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
        let sql =
            format!("SELECT {FINDING_COLUMNS} FROM asset_findings{clause} ORDER BY site, asset_id, advisory, vuln, id");
        self.read(|db| db.query(&sql, &params.0)?.iter().map(finding).collect())
    }
}
