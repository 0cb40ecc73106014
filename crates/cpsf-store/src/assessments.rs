//! Assessments against framework catalogs (the assessment document as JSON, with a revision for optimistic
//! concurrency), the evidence files attached to them, supplier questionnaires with their personal invitations, and
//! the facts automatic evidence is evaluated over (each product's latest SBOM, open findings and their triage).
//!
//! The store does not read the assessment document: it keeps the JSON the caller gives (checked to be a JSON
//! object) beside the columns it is listed by (catalog, scope). Invitation tokens are kept as their SHA-256, like
//! API tokens: the store never sees the token itself.

use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::audit::{list_text, record};
use crate::db::{Db, Row, Value};
use crate::findings::Severity;
use crate::{Store, StoreError, check_name, time_util};

/// The scope kinds an assessment may have (the `cpsf-assess` vocabulary).
pub const SCOPE_KINDS: &[&str] = &["company", "site", "product", "supplier"];

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    /// A UUID, chosen by the caller (the document's own id).
    pub id: String,
    pub catalog: String,
    pub scope_kind: String,
    pub scope_name: String,
    /// The assessment document, JSON.
    pub document: String,
    /// Starts at 1; every update adds one.
    pub revision: i64,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub created_by: String,
}

/// An assessment to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    pub id: String,
    pub catalog: String,
    pub scope_kind: String,
    pub scope_name: String,
    /// The document, JSON (an object).
    pub document: String,
}

/// A file to attach to an assessment entry as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidenceFile {
    pub entry: String,
    /// The file name as uploaded (no directories).
    pub name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// A stored evidence file, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFileInfo {
    pub id: i64,
    pub assessment_id: String,
    pub entry: String,
    pub name: String,
    pub media_type: String,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: OffsetDateTime,
}

/// A questionnaire: a subset of a catalog's entries to send to suppliers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub id: i64,
    pub title: String,
    pub catalog: String,
    /// The catalog entry ids it asks about, in order.
    pub entries: Vec<String>,
    pub created_by: String,
    pub created: OffsetDateTime,
}

/// One supplier's invitation to answer a questionnaire (its token is never returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: i64,
    pub questionnaire_id: i64,
    pub supplier: String,
    pub contact: String,
    pub expires_at: OffsetDateTime,
    pub created: OffsetDateTime,
    pub created_by: String,
    /// When the supplier last submitted answers.
    pub answered_at: Option<OffsetDateTime>,
    pub submitted: bool,
    /// The supplier's assessment, once they answered.
    pub assessment_id: Option<String>,
}

/// One row of the supplier overview: an invitation, its questionnaire, and the supplier's assessment if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierRow {
    pub invite: Invite,
    pub questionnaire: Questionnaire,
    pub assessment: Option<StoredAssessment>,
}

/// A supplier's answers to store in one transaction (see [`Store::submit_answers`]).
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub invite_id: i64,
    /// A new assessment (when the invite has none yet), or the invite's assessment with its id and scope.
    pub assessment: &'a NewAssessment,
    /// `None`: create `assessment`; `Some(r)`: update the invite's existing assessment, which must be at revision `r`.
    pub revision: Option<i64>,
    pub files: &'a [NewEvidenceFile],
    /// Refused when the invitation has expired by then.
    pub now: OffsetDateTime,
}

/// A product and the SBOM uploaded for it last, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestSbom {
    pub product_id: i64,
    pub product: String,
    /// (SBOM id, version name, upload time).
    pub sbom: Option<(i64, String, OffsetDateTime)>,
}

/// An open finding as automatic evidence sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFindingFact {
    pub product: String,
    pub severity: Severity,
    /// When it was (last) opened.
    pub opened_at: OffsetDateTime,
    /// It has at least one triage analysis.
    pub triaged: bool,
}

const ASSESSMENT_COLUMNS: &str =
    "a.id, a.catalog, a.scope_kind, a.scope_name, a.document, a.revision, a.created, a.updated, a.created_by";
const EVIDENCE_COLUMNS: &str = "id, assessment_id, entry, name, media_type, sha256, size, uploaded_by, uploaded_at";
const QUESTIONNAIRE_COLUMNS: &str = "q.id, q.title, q.catalog, q.entries, q.created_by, q.created";
const INVITE_COLUMNS: &str = "i.id, i.questionnaire_id, i.supplier, i.contact, i.expires_at, i.created, i.created_by, \
     i.answered_at, i.submitted, i.assessment_id";

fn assessment(row: &Row, at: usize) -> Result<StoredAssessment, StoreError> {
    Ok(StoredAssessment {
        id: row.text(at)?,
        catalog: row.text(at + 1)?,
        scope_kind: row.text(at + 2)?,
        scope_name: row.text(at + 3)?,
        document: row.text(at + 4)?,
        revision: row.int(at + 5)?,
        created: row.time(at + 6)?,
        updated: row.time(at + 7)?,
        created_by: row.text(at + 8)?,
    })
}

fn evidence_info(row: &Row) -> Result<EvidenceFileInfo, StoreError> {
    Ok(EvidenceFileInfo {
        id: row.int(0)?,
        assessment_id: row.text(1)?,
        entry: row.text(2)?,
        name: row.text(3)?,
        media_type: row.text(4)?,
        sha256: row.text(5)?,
        size: row.int(6)?,
        uploaded_by: row.text(7)?,
        uploaded_at: row.time(8)?,
    })
}

fn questionnaire(row: &Row, at: usize) -> Result<Questionnaire, StoreError> {
    Ok(Questionnaire {
        id: row.int(at)?,
        title: row.text(at + 1)?,
        catalog: row.text(at + 2)?,
        entries: row.string_list(at + 3)?,
        created_by: row.text(at + 4)?,
        created: row.time(at + 5)?,
    })
}

fn invite(row: &Row, at: usize) -> Result<Invite, StoreError> {
    Ok(Invite {
        id: row.int(at)?,
        questionnaire_id: row.int(at + 1)?,
        supplier: row.text(at + 2)?,
        contact: row.text(at + 3)?,
        expires_at: row.time(at + 4)?,
        created: row.time(at + 5)?,
        created_by: row.text(at + 6)?,
        answered_at: row.opt_time(at + 7)?,
        submitted: row.bool(at + 8)?,
        assessment_id: row.opt_text(at + 9)?,
    })
}

/// A document must be a JSON object.
fn check_document(document: &str) -> Result<(), StoreError> {
    match serde_json::from_str::<serde_json::Value>(document) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(StoreError::invalid("an assessment document must be a JSON object")),
        Err(e) => Err(StoreError::invalid(format!("the assessment document is not JSON: {e}"))),
    }
}

fn check_new(new: &NewAssessment) -> Result<(), StoreError> {
    if new.id.trim().is_empty() || new.id.chars().any(|c| c.is_control() || c == '/') {
        return Err(StoreError::invalid(format!("assessment id {:?}", new.id)));
    }
    check_name("catalog", &new.catalog)?;
    check_name("scope", &new.scope_name)?;
    if !SCOPE_KINDS.contains(&new.scope_kind.as_str()) {
        return Err(StoreError::invalid(format!(
            "scope kind {:?} (expected one of: {})",
            new.scope_kind,
            SCOPE_KINDS.join(", ")
        )));
    }
    check_document(&new.document)
}

fn check_file(file: &NewEvidenceFile) -> Result<(), StoreError> {
    check_name("evidence file", &file.name)?;
    if file.entry.trim().is_empty() {
        return Err(StoreError::invalid("an evidence file needs the entry it is evidence for"));
    }
    if file.media_type.trim().is_empty() || file.media_type.chars().any(char::is_control) {
        return Err(StoreError::invalid(format!("evidence file media type {:?}", file.media_type)));
    }
    Ok(())
}

fn insert_assessment(
    db: &mut dyn Db,
    new: &NewAssessment,
    at: OffsetDateTime,
    who: &str,
) -> Result<StoredAssessment, StoreError> {
    db.execute(
        "INSERT INTO assessments (id, catalog, scope_kind, scope_name, document, revision, created, updated, created_by)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7)",
        &[
            new.id.as_str().into(),
            new.catalog.as_str().into(),
            new.scope_kind.as_str().into(),
            new.scope_name.as_str().into(),
            new.document.as_str().into(),
            at.into(),
            who.into(),
        ],
    )
    .map_err(|e| e.conflict_as(|| format!("an assessment with id {:?} already exists", new.id)))?;
    record(
        db,
        at,
        who,
        "assessment.create",
        &format!("assessment:{}", new.id),
        &json!({ "catalog": new.catalog, "scope": { "kind": new.scope_kind, "name": new.scope_name } }),
    )?;
    Ok(StoredAssessment {
        id: new.id.clone(),
        catalog: new.catalog.clone(),
        scope_kind: new.scope_kind.clone(),
        scope_name: new.scope_name.clone(),
        document: new.document.clone(),
        revision: 1,
        created: at,
        updated: at,
        created_by: who.to_owned(),
    })
}

fn find_assessment(db: &mut dyn Db, id: &str) -> Result<Option<StoredAssessment>, StoreError> {
    db.query_opt(&format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments a WHERE a.id = $1"), &[id.into()])?
        .map(|r| assessment(&r, 0))
        .transpose()
}

fn insert_files(
    db: &mut dyn Db,
    assessment_id: &str,
    files: &[NewEvidenceFile],
    at: OffsetDateTime,
    who: &str,
) -> Result<Vec<EvidenceFileInfo>, StoreError> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let sha256 = hex(&Sha256::digest(&file.content));
        let size = i64::try_from(file.content.len()).unwrap_or(i64::MAX);
        let id = db
            .query_one(
                "INSERT INTO evidence_files (assessment_id, entry, name, media_type, sha256, size, content, uploaded_by,
                     uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    assessment_id.into(),
                    file.entry.as_str().into(),
                    file.name.as_str().into(),
                    file.media_type.as_str().into(),
                    sha256.as_str().into(),
                    size.into(),
                    Value::Bytes(file.content.clone()),
                    who.into(),
                    at.into(),
                ],
            )?
            .int(0)?;
        record(
            db,
            at,
            who,
            "assessment.evidence",
            &format!("assessment:{assessment_id}"),
            &json!({ "file": id, "entry": file.entry, "name": file.name, "sha256": sha256, "bytes": size }),
        )?;
        out.push(EvidenceFileInfo {
            id,
            assessment_id: assessment_id.to_owned(),
            entry: file.entry.clone(),
            name: file.name.clone(),
            media_type: file.media_type.clone(),
            sha256,
            size,
            uploaded_by: who.to_owned(),
            uploaded_at: at,
        });
    }
    Ok(out)
}

/// Replace the document of `id` if it is still at `expected`; the new revision.
fn write_document(
    db: &mut dyn Db,
    id: &str,
    expected: i64,
    document: &str,
    at: OffsetDateTime,
) -> Result<i64, StoreError> {
    check_document(document)?;
    let changed = db.execute(
        "UPDATE assessments SET document = $3, revision = revision + 1, updated = $4 WHERE id = $1 AND revision = $2",
        &[id.into(), expected.into(), document.into(), at.into()],
    )?;
    if changed == 1 {
        return Ok(expected + 1);
    }
    match db.query_opt("SELECT revision FROM assessments WHERE id = $1", &[id.into()])? {
        None => Err(StoreError::not_found(format!("assessment {id}"))),
        Some(row) => Err(StoreError::Conflict {
            what: format!(
                "assessment {id} changed since it was read (revision {} now, {expected} expected); read it again",
                row.int(0)?
            ),
        }),
    }
}

/// Check, inside a transaction, that assessment `id` exists and is at `expected`.
fn require_revision(db: &mut dyn Db, id: &str, expected: i64) -> Result<(), StoreError> {
    match db.query_opt("SELECT revision FROM assessments WHERE id = $1", &[id.into()])? {
        None => Err(StoreError::not_found(format!("assessment {id}"))),
        Some(row) if row.int(0)? != expected => Err(StoreError::Conflict {
            what: format!(
                "assessment {id} changed since it was read (revision {} now, {expected} expected); read it again",
                row.int(0)?
            ),
        }),
        Some(_) => Ok(()),
    }
}

impl Store {
    /// Store a new assessment at revision 1. Audited as `assessment.create`; [`StoreError::Conflict`] when the id
    /// is taken.
    pub fn create_assessment(&self, new: &NewAssessment, who: &str) -> Result<StoredAssessment, StoreError> {
        check_new(new)?;
        let at = time_util::now();
        self.write(|db| insert_assessment(db, new, at, who))
    }

    /// The assessment with id `id`.
    pub fn assessment(&self, id: &str) -> Result<Option<StoredAssessment>, StoreError> {
        self.read(|db| find_assessment(db, id))
    }

    /// Every assessment (with its document), by scope kind, scope name and creation.
    pub fn list_assessments(&self) -> Result<Vec<StoredAssessment>, StoreError> {
        self.read(|db| {
            db.query(
                &format!(
                    "SELECT {ASSESSMENT_COLUMNS} FROM assessments a ORDER BY a.scope_kind, a.scope_name, a.created, a.id"
                ),
                &[],
            )?
            .iter()
            .map(|r| assessment(r, 0))
            .collect()
        })
    }

    /// Replace the document of assessment `id`, which must still be at revision `expected` (else
    /// [`StoreError::Conflict`]: someone changed it since it was read). Audited as `action` (e.g.
    /// `assessment.edit`, `assessment.evaluate`) with `detail`. The updated assessment.
    pub fn update_assessment(
        &self,
        id: &str,
        expected: i64,
        document: &str,
        who: &str,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<StoredAssessment, StoreError> {
        check_document(document)?;
        self.update_assessment_with_files(id, expected, &[], who, action, detail, &|_| Ok(document.to_owned()))
            .map(|(a, _)| a)
    }

    /// Attach `files` to assessment `id` and replace its document with the one `make_document` builds from the
    /// stored files (which carry their ids), all in one transaction and only if the assessment is still at
    /// revision `expected`. Each file is audited as `assessment.evidence`, the document change as `action`.
    #[allow(clippy::too_many_arguments)]
    pub fn update_assessment_with_files(
        &self,
        id: &str,
        expected: i64,
        files: &[NewEvidenceFile],
        who: &str,
        action: &str,
        detail: &serde_json::Value,
        make_document: &dyn Fn(&[EvidenceFileInfo]) -> Result<String, StoreError>,
    ) -> Result<(StoredAssessment, Vec<EvidenceFileInfo>), StoreError> {
        for file in files {
            check_file(file)?;
        }
        let at = time_util::now();
        self.write(|db| {
            require_revision(db, id, expected)?;
            let stored = insert_files(db, id, files, at, who)?;
            let document = make_document(&stored)?;
            write_document(db, id, expected, &document, at)?;
            record(db, at, who, action, &format!("assessment:{id}"), detail)?;
            let updated = find_assessment(db, id)?.ok_or_else(|| StoreError::not_found(format!("assessment {id}")))?;
            Ok((updated, stored.clone()))
        })
    }

    /// The evidence files of an assessment (without content), by entry and id.
    pub fn evidence_files(&self, assessment_id: &str) -> Result<Vec<EvidenceFileInfo>, StoreError> {
        self.read(|db| {
            db.query(
                &format!("SELECT {EVIDENCE_COLUMNS} FROM evidence_files WHERE assessment_id = $1 ORDER BY entry, id"),
                &[assessment_id.into()],
            )?
            .iter()
            .map(evidence_info)
            .collect()
        })
    }

    /// One evidence file of an assessment with its content.
    pub fn evidence_file(
        &self,
        assessment_id: &str,
        id: i64,
    ) -> Result<Option<(EvidenceFileInfo, Vec<u8>)>, StoreError> {
        self.read(|db| {
            let Some(row) = db.query_opt(
                &format!("SELECT {EVIDENCE_COLUMNS}, content FROM evidence_files WHERE assessment_id = $1 AND id = $2"),
                &[assessment_id.into(), id.into()],
            )?
            else {
                return Ok(None);
            };
            Ok(Some((evidence_info(&row)?, row.bytes(9)?)))
        })
    }

    /// A new questionnaire over `entries` of catalog `catalog`. Audited as `questionnaire.create`.
    pub fn create_questionnaire(
        &self,
        title: &str,
        catalog: &str,
        entries: &[String],
        who: &str,
    ) -> Result<Questionnaire, StoreError> {
        check_name("questionnaire", title)?;
        check_name("catalog", catalog)?;
        if entries.is_empty() {
            return Err(StoreError::invalid("a questionnaire needs at least one entry"));
        }
        let at = time_util::now();
        self.write(|db| {
            let id = db
                .query_one(
                    "INSERT INTO questionnaires (title, catalog, entries, created_by, created)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[title.into(), catalog.into(), list_text(entries), who.into(), at.into()],
                )?
                .int(0)?;
            record(
                db,
                at,
                who,
                "questionnaire.create",
                &format!("questionnaire:{id}"),
                &json!({ "title": title, "catalog": catalog, "entries": entries.len() }),
            )?;
            Ok(Questionnaire {
                id,
                title: title.to_owned(),
                catalog: catalog.to_owned(),
                entries: entries.to_vec(),
                created_by: who.to_owned(),
                created: at,
            })
        })
    }

    /// The questionnaire with id `id`.
    pub fn questionnaire(&self, id: i64) -> Result<Option<Questionnaire>, StoreError> {
        self.read(|db| {
            db.query_opt(
                &format!("SELECT {QUESTIONNAIRE_COLUMNS} FROM questionnaires q WHERE q.id = $1"),
                &[id.into()],
            )?
            .map(|r| questionnaire(&r, 0))
            .transpose()
        })
    }

    /// Every questionnaire, newest first.
    pub fn list_questionnaires(&self) -> Result<Vec<Questionnaire>, StoreError> {
        self.read(|db| {
            db.query(&format!("SELECT {QUESTIONNAIRE_COLUMNS} FROM questionnaires q ORDER BY q.id DESC"), &[])?
                .iter()
                .map(|r| questionnaire(r, 0))
                .collect()
        })
    }

    /// Invite `supplier` (reached at `contact`) to answer questionnaire `questionnaire_id` until `expires_at`;
    /// `token_sha256` is the SHA-256 hex of the personal link's token, which only the caller knows. Audited as
    /// `questionnaire.invite`.
    pub fn create_invite(
        &self,
        questionnaire_id: i64,
        supplier: &str,
        contact: &str,
        token_sha256: &str,
        expires_at: OffsetDateTime,
        who: &str,
    ) -> Result<Invite, StoreError> {
        check_name("supplier", supplier)?;
        if contact.chars().any(char::is_control) {
            return Err(StoreError::invalid(format!("contact {contact:?} contains control characters")));
        }
        if token_sha256.len() != 64 || !token_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::invalid("invite token hash: expected 64 hexadecimal digits (SHA-256)"));
        }
        let token_sha256 = token_sha256.to_ascii_lowercase();
        let at = time_util::now();
        let expires_at = time_util::normalize(expires_at);
        self.write(|db| {
            if db.query_opt("SELECT id FROM questionnaires WHERE id = $1", &[questionnaire_id.into()])?.is_none() {
                return Err(StoreError::not_found(format!("questionnaire {questionnaire_id}")));
            }
            let id = db
                .query_one(
                    "INSERT INTO questionnaire_invites (questionnaire_id, supplier, contact, token_sha256, expires_at,
                         created, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        questionnaire_id.into(),
                        supplier.into(),
                        contact.into(),
                        token_sha256.as_str().into(),
                        expires_at.into(),
                        at.into(),
                        who.into(),
                    ],
                )
                .map_err(|e| e.conflict_as(|| "an invitation with this token already exists".to_owned()))?
                .int(0)?;
            record(
                db,
                at,
                who,
                "questionnaire.invite",
                &format!("questionnaire:{questionnaire_id}"),
                &json!({ "invite": id, "supplier": supplier, "expires_at": crate::time_util::sqlite_text(expires_at) }),
            )?;
            Ok(Invite {
                id,
                questionnaire_id,
                supplier: supplier.to_owned(),
                contact: contact.to_owned(),
                expires_at,
                created: at,
                created_by: who.to_owned(),
                answered_at: None,
                submitted: false,
                assessment_id: None,
            })
        })
    }

    /// The invitation whose token hashes to `token_sha256`, with its questionnaire, if it has not expired at `now`.
    pub fn invite_by_token(
        &self,
        token_sha256: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Invite, Questionnaire)>, StoreError> {
        let token_sha256 = token_sha256.to_ascii_lowercase();
        let now = time_util::normalize(now);
        self.read(|db| {
            let sql = format!(
                "SELECT {INVITE_COLUMNS}, {QUESTIONNAIRE_COLUMNS} FROM questionnaire_invites i
                 JOIN questionnaires q ON q.id = i.questionnaire_id WHERE i.token_sha256 = $1 AND i.expires_at > $2"
            );
            let Some(row) = db.query_opt(&sql, &[token_sha256.as_str().into(), now.into()])? else { return Ok(None) };
            Ok(Some((invite(&row, 0)?, questionnaire(&row, 10)?)))
        })
    }

    /// The invitations of a questionnaire, oldest first.
    pub fn list_invites(&self, questionnaire_id: i64) -> Result<Vec<Invite>, StoreError> {
        self.read(|db| {
            db.query(
                &format!(
                    "SELECT {INVITE_COLUMNS} FROM questionnaire_invites i WHERE i.questionnaire_id = $1 ORDER BY i.id"
                ),
                &[questionnaire_id.into()],
            )?
            .iter()
            .map(|r| invite(r, 0))
            .collect()
        })
    }

    /// Store a supplier's answers in ONE transaction: the assessment (created, or updated if still at the expected
    /// revision), the evidence files, the document `make_document` builds from the stored files, and the
    /// invitation marked answered. Refused when the invitation has expired ([`StoreError::NotFound`]) or was
    /// answered by someone else in the meantime ([`StoreError::Conflict`]). Audited as `questionnaire.answer`
    /// (and `assessment.create`, `assessment.evidence`) by `who`. Returns the assessment and the stored files.
    pub fn submit_answers(
        &self,
        submission: &Submission<'_>,
        who: &str,
        make_document: &dyn Fn(&[EvidenceFileInfo]) -> Result<String, StoreError>,
    ) -> Result<(StoredAssessment, Vec<EvidenceFileInfo>), StoreError> {
        check_new(submission.assessment)?;
        for file in submission.files {
            check_file(file)?;
        }
        let now = time_util::normalize(submission.now);
        let at = time_util::now();
        let new = submission.assessment;
        self.write(|db| {
            let Some(row) = db.query_opt(
                &format!("SELECT {INVITE_COLUMNS} FROM questionnaire_invites i WHERE i.id = $1 AND i.expires_at > $2"),
                &[submission.invite_id.into(), now.into()],
            )?
            else {
                return Err(StoreError::not_found(format!("unexpired invitation {}", submission.invite_id)));
            };
            let current = invite(&row, 0)?;
            let revision = match (submission.revision, current.assessment_id.as_deref()) {
                (None, None) => {
                    insert_assessment(db, new, at, who)?;
                    let linked = db.execute(
                        "UPDATE questionnaire_invites SET assessment_id = $2 WHERE id = $1 AND assessment_id IS NULL",
                        &[submission.invite_id.into(), new.id.as_str().into()],
                    )?;
                    if linked != 1 {
                        return Err(StoreError::Conflict {
                            what: format!("invitation {} was answered meanwhile", submission.invite_id),
                        });
                    }
                    1
                }
                (Some(expected), Some(existing)) if existing == new.id => {
                    require_revision(db, existing, expected)?;
                    expected
                }
                _ => {
                    return Err(StoreError::Conflict {
                        what: format!("invitation {} was answered meanwhile; load it again", submission.invite_id),
                    });
                }
            };
            let stored = insert_files(db, &new.id, submission.files, at, who)?;
            let document = make_document(&stored)?;
            write_document(db, &new.id, revision, &document, at)?;
            db.execute(
                "UPDATE questionnaire_invites SET answered_at = $2, submitted = $3 WHERE id = $1",
                &[submission.invite_id.into(), at.into(), true.into()],
            )?;
            record(
                db,
                at,
                who,
                "questionnaire.answer",
                &format!("questionnaire:{}", current.questionnaire_id),
                &json!({ "invite": submission.invite_id, "assessment": new.id, "files": stored.len() }),
            )?;
            let updated =
                find_assessment(db, &new.id)?.ok_or_else(|| StoreError::not_found(format!("assessment {}", new.id)))?;
            Ok((updated, stored.clone()))
        })
    }

    /// Supplier questionnaires (sent, answered): every invitation, and those with submitted answers.
    pub fn questionnaire_counts(&self) -> Result<(i64, i64), StoreError> {
        self.read(|db| {
            let row = db.query_one(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN submitted THEN 1 ELSE 0 END), 0) FROM questionnaire_invites",
                &[],
            )?;
            Ok((row.int(0)?, row.int(1)?))
        })
    }

    /// Every invitation with its questionnaire and the supplier's assessment (if answered), by supplier and id: the
    /// supplier overview.
    pub fn supplier_overview(&self) -> Result<Vec<SupplierRow>, StoreError> {
        self.read(|db| {
            let sql = format!(
                "SELECT {INVITE_COLUMNS}, {QUESTIONNAIRE_COLUMNS}, {ASSESSMENT_COLUMNS} FROM questionnaire_invites i
                 JOIN questionnaires q ON q.id = i.questionnaire_id
                 LEFT JOIN assessments a ON a.id = i.assessment_id
                 ORDER BY i.supplier, i.id"
            );
            db.query(&sql, &[])?
                .iter()
                .map(|r| {
                    let assessment = match r.opt_text(16)? {
                        Some(_) => Some(assessment(r, 16)?),
                        None => None,
                    };
                    Ok(SupplierRow { invite: invite(r, 0)?, questionnaire: questionnaire(r, 10)?, assessment })
                })
                .collect()
        })
    }

    /// Every product with the SBOM uploaded for it last (any version), by product name: what automatic evidence
    /// calls each product's latest release.
    pub fn latest_sboms(&self) -> Result<Vec<LatestSbom>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT p.id, p.name, s.id, v.version, s.uploaded_at FROM products p
                 LEFT JOIN (SELECT v2.product_id AS product_id, MAX(s2.id) AS sbom_id FROM sboms s2
                            JOIN versions v2 ON v2.id = s2.version_id GROUP BY v2.product_id) l ON l.product_id = p.id
                 LEFT JOIN sboms s ON s.id = l.sbom_id LEFT JOIN versions v ON v.id = s.version_id
                 ORDER BY p.name",
                &[],
            )?
            .iter()
            .map(|r| {
                let sbom = match r.opt_int(2)? {
                    Some(id) => Some((id, r.text(3)?, r.time(4)?)),
                    None => None,
                };
                Ok(LatestSbom { product_id: r.int(0)?, product: r.text(1)?, sbom })
            })
            .collect()
        })
    }

    /// Every open finding (not fixed) with its product, severity, when it was opened and whether it has a triage
    /// analysis, by product.
    pub fn open_finding_facts(&self) -> Result<Vec<OpenFindingFact>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT p.name, f.severity, f.opened_at,
                        EXISTS (SELECT 1 FROM finding_analyses fa WHERE fa.finding_id = f.id)
                 FROM findings f JOIN versions v ON v.id = f.version_id JOIN products p ON p.id = v.product_id
                 WHERE f.fixed_at IS NULL ORDER BY p.name, f.id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(OpenFindingFact {
                    product: r.text(0)?,
                    severity: r.text(1)?.parse()?,
                    opened_at: r.time(2)?,
                    triaged: r.bool(3)?,
                })
            })
            .collect()
        })
    }
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
