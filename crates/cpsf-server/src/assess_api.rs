//! The JSON API of catalogs, assessments and supplier questionnaires, and the operations the web UI shares with
//! it: creating an assessment, changing one entry (status, level, owner, due date, comments, override), refreshing
//! automatic evidence from the store's facts, attaching evidence, building the report, and creating
//! questionnaires and personal invitations.
//!
//! Who may do what: catalogs are read by anyone signed in; an assessment of a product follows the product's access
//! (viewer reads, editor writes); every other assessment, the questionnaires and the supplier overview belong to the
//! whole organization and need a user who is not limited to some products. Every change is one store transaction,
//! made only if the assessment is still at the revision it was read at; the API retries a change that lost a race
//! unless the client named the revision it expects.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cpsf_assess::edit::{self, Update};
use cpsf_assess::evidence::Facts;
use cpsf_assess::report::Report;
use cpsf_assess::score;
use cpsf_assess::{Assessment, CheckResult, Evidence, Scope, ScopeKind, Status};
use cpsf_catalog::{Catalog, CatalogSet};
use cpsf_store::{
    EvidenceFileInfo, Invite, NewAssessment, NewEvidenceFile, Questionnaire, Role, Store, StoreError, StoredAssessment,
};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::app::{AppState, Principal, authenticate};
use crate::auth::{random_string, token_digest};
use crate::error::ApiError;
use crate::export::rfc3339;
use crate::i18n::Lang;

/// The prefix of a questionnaire invitation's token (the personal link is `/q/<token>`).
pub const INVITE_TOKEN_PREFIX: &str = "cpsfq_";
/// Longest owner, level and due texts, and longest comments, accepted on an entry.
const MAX_SHORT_TEXT: usize = 200;
const MAX_COMMENTS: usize = 20_000;
/// How many times a change that lost a race with another writer is tried again.
const ATTEMPTS: usize = 3;

// ---------------------------------------------------------------------------------------------------------------
// Access

/// Whether `principal` may act with `needed` on an assessment of scope (`kind`, `name`): a product's assessment
/// follows the product's access; any other needs an organization-wide user.
pub(crate) fn may(principal: &Principal, kind: &str, name: &str, needed: Role) -> bool {
    if kind == ScopeKind::Product.as_str() { principal.can(name, needed) } else { org_wide(principal, needed) }
}

/// Whether `principal` has `needed` across the organization (not limited to some products).
pub(crate) fn org_wide(principal: &Principal, needed: Role) -> bool {
    principal.has(needed) && principal.product_ids().is_none()
}

fn require_org(principal: &Principal, needed: Role, what: &str) -> Result<(), ApiError> {
    if org_wide(principal, needed) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("{} may not {what} (needs an organization-wide {needed})", principal.user)))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared operations (API and web UI)

/// Run `f` with the store and the catalogs on a blocking thread.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Store, &CatalogSet) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(state.store(), state.catalogs()))
        .await
        .map_err(|e| ApiError::Internal(format!("a store task failed: {e}")))?
}

/// The assessment document of a stored assessment.
pub(crate) fn parse_document(stored: &StoredAssessment) -> Result<Assessment, ApiError> {
    serde_json::from_str(&stored.document).map_err(|e| {
        ApiError::Internal(format!("assessment {}: the stored document does not read back: {e}", stored.id))
    })
}

/// The catalog an assessment was made against.
pub(crate) fn catalog_of<'a>(catalogs: &'a CatalogSet, catalog: &str) -> Result<&'a Catalog, ApiError> {
    catalogs.get(catalog).map_err(|e| ApiError::Conflict(format!("{e}; the assessment cannot be read without it")))
}

/// Check `principal`'s access to `stored`: not found when they may not see it, forbidden when they may see it but
/// not act with `needed`.
pub(crate) fn check_access(principal: &Principal, stored: &StoredAssessment, needed: Role) -> Result<(), ApiError> {
    if !may(principal, &stored.scope_kind, &stored.scope_name, Role::Viewer) {
        return Err(ApiError::NotFound(format!("assessment {}", stored.id)));
    }
    if !may(principal, &stored.scope_kind, &stored.scope_name, needed) {
        return Err(ApiError::Forbidden(format!(
            "{} may not change the assessment of {} `{}`",
            principal.user, stored.scope_kind, stored.scope_name
        )));
    }
    Ok(())
}

/// An assessment as read for `principal`: stored row, document fitted to its catalog, and what fitting it said.
pub(crate) struct Loaded {
    pub stored: StoredAssessment,
    pub doc: Assessment,
    pub warnings: Vec<String>,
}

/// Read assessment `id` for `principal`, who needs `needed` on it.
pub(crate) fn load_sync(
    store: &Store,
    catalogs: &CatalogSet,
    principal: &Principal,
    id: &str,
    needed: Role,
) -> Result<Loaded, ApiError> {
    let stored = store.assessment(id)?.ok_or_else(|| ApiError::NotFound(format!("assessment {id}")))?;
    check_access(principal, &stored, needed)?;
    let mut doc = parse_document(&stored)?;
    let warnings = match catalogs.get(&doc.catalog) {
        Ok(catalog) => cpsf_assess::io::reconcile(&mut doc, catalog),
        Err(e) => vec![e.to_string()],
    };
    Ok(Loaded { stored, doc, warnings })
}

pub(crate) async fn load(state: &AppState, principal: &Principal, id: &str, needed: Role) -> Result<Loaded, ApiError> {
    let (principal, id) = (principal.clone(), id.to_owned());
    blocking(state, move |store, catalogs| load_sync(store, catalogs, &principal, &id, needed)).await
}

/// Create an assessment of `catalog` for a scope, with a not-assessed result per assessable entry.
pub(crate) async fn create(
    state: &AppState,
    principal: &Principal,
    catalog: String,
    scope: Scope,
    title: Option<String>,
    lang: Lang,
) -> Result<StoredAssessment, ApiError> {
    let name = scope.name.trim().to_owned();
    if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > MAX_SHORT_TEXT {
        return Err(ApiError::BadRequest("scope.name: expected a name of 1 to 200 characters".into()));
    }
    let scope = Scope { name, kind: scope.kind };
    if !may(principal, scope.kind.as_str(), &scope.name, Role::Editor) {
        return Err(ApiError::Forbidden(format!(
            "{} may not create an assessment of {} `{}`",
            principal.user,
            scope.kind.as_str(),
            scope.name
        )));
    }
    let who = principal.user.clone();
    blocking(state, move |store, catalogs| {
        let catalog = catalogs.get(&catalog).map_err(|e| ApiError::BadRequest(format!("catalog: {e}")))?;
        let now = cpsf_assess::rfc3339(OffsetDateTime::now_utc());
        let mut doc = Assessment::new(catalog, scope, lang.into(), &now);
        doc.title = title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        score::record_snapshot(catalog, &mut doc, &now);
        let new = NewAssessment {
            id: doc.id.clone(),
            catalog: doc.catalog.clone(),
            scope_kind: doc.scope.kind.as_str().to_owned(),
            scope_name: doc.scope.name.clone(),
            document: to_json(&doc)?,
        };
        Ok(store.create_assessment(&new, &who)?)
    })
    .await
}

fn to_json(doc: &Assessment) -> Result<String, ApiError> {
    serde_json::to_string(doc).map_err(|e| ApiError::Internal(format!("writing an assessment document: {e}")))
}

/// A change to an entry, edit or automatic evidence: what it does to the document, given the stored files.
pub(crate) type Edit = Box<dyn Fn(&mut Assessment, &Catalog, &[EvidenceFileInfo]) -> Result<usize, ApiError> + Send>;

/// What a change left.
pub(crate) struct Modified {
    pub stored: StoredAssessment,
    pub doc: Assessment,
    /// How many recorded changes (history entries; for automatic evidence: entries whose result changed).
    pub changes: usize,
    pub files: Vec<EvidenceFileInfo>,
}

/// One change to an assessment.
pub(crate) struct Change {
    pub id: String,
    /// The revision the client read; `None`: the current one, and a lost race is tried again.
    pub expected: Option<i64>,
    pub files: Vec<NewEvidenceFile>,
    pub action: &'static str,
    pub detail: Value,
    /// Write even when the edit records no change (automatic evidence refreshes its evaluation times).
    pub always: bool,
    pub edit: Edit,
}

fn api_to_store(e: ApiError) -> StoreError {
    match e {
        ApiError::NotFound(what) => StoreError::NotFound { what },
        ApiError::Conflict(what) => StoreError::Conflict { what },
        other => StoreError::Invalid { what: other.to_string() },
    }
}

/// Apply `change` for `principal` (who needs the editor role on the assessment) in one store transaction.
pub(crate) fn modify_sync(
    store: &Store,
    catalogs: &CatalogSet,
    principal: &Principal,
    change: &Change,
) -> Result<Modified, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let Loaded { stored, doc, .. } = load_sync(store, catalogs, principal, &change.id, Role::Editor)?;
        if let Some(expected) = change.expected
            && expected != stored.revision
        {
            return Err(ApiError::Conflict(format!(
                "assessment {} is at revision {}, not {expected}; read it again",
                stored.id, stored.revision
            )));
        }
        let catalog = catalog_of(catalogs, &doc.catalog)?;
        // A dry run first: bad values are refused before any transaction, and a change to nothing writes nothing.
        let mut trial = doc.clone();
        let changes = (change.edit)(&mut trial, catalog, &[])?;
        if changes == 0 && change.files.is_empty() && !change.always {
            return Ok(Modified { stored, doc, changes: 0, files: Vec::new() });
        }
        let now = cpsf_assess::rfc3339(OffsetDateTime::now_utc());
        let built: RefCell<Option<Assessment>> = RefCell::new(None);
        let counted = Cell::new(0);
        let result = store.update_assessment_with_files(
            &change.id,
            stored.revision,
            &change.files,
            &principal.user,
            change.action,
            &change.detail,
            &|files| {
                let mut next = doc.clone();
                counted.set((change.edit)(&mut next, catalog, files).map_err(api_to_store)?);
                score::record_snapshot(catalog, &mut next, &now);
                let text = to_json(&next).map_err(api_to_store)?;
                *built.borrow_mut() = Some(next);
                Ok(text)
            },
        );
        match result {
            Ok((stored, files)) => {
                let doc = built.into_inner().ok_or_else(|| ApiError::Internal("no document was built".into()))?;
                return Ok(Modified { stored, doc, changes: counted.get(), files });
            }
            Err(StoreError::Conflict { .. }) if change.expected.is_none() && attempt < ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

pub(crate) async fn modify(state: &AppState, principal: &Principal, change: Change) -> Result<Modified, ApiError> {
    let principal = principal.clone();
    blocking(state, move |store, catalogs| modify_sync(store, catalogs, &principal, &change)).await
}

/// The values of an entry form or PATCH body, as text, before they are checked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryPatch {
    pub status: Option<String>,
    pub level: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub comments: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<OverridePatch>,
    #[serde(default)]
    pub clear_override: bool,
    /// The revision the client read (optional).
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OverridePatch {
    pub result: String,
    #[serde(default)]
    pub justification: String,
}

fn text_field(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim().to_owned();
    if value.chars().count() > max {
        return Err(ApiError::BadRequest(format!("{field}: at most {max} characters")));
    }
    if max == MAX_SHORT_TEXT && value.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!("{field}: control characters are not allowed")));
    }
    Ok(Some(value))
}

/// Check a patch's values: the update to apply, or a 400 naming the field.
pub(crate) fn parse_patch(patch: EntryPatch) -> Result<Update, ApiError> {
    let status = match patch.status.as_deref().map(str::trim) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::BadRequest(format!("status: expected one of {}, found `{s}`", known.join(", ")))
        })?),
    };
    let override_result = match patch.override_ {
        None => None,
        Some(o) => {
            let result = CheckResult::parse(&o.result).ok_or_else(|| {
                ApiError::BadRequest(format!("override.result: expected met, unmet or unknown, found `{}`", o.result))
            })?;
            let justification = text_field("override.justification", Some(o.justification), MAX_COMMENTS)?
                .filter(|j| !j.is_empty())
                .ok_or_else(|| ApiError::BadRequest("override.justification: a justification is required".into()))?;
            Some((result, justification))
        }
    };
    Ok(Update {
        status,
        level: text_field("level", patch.level, MAX_SHORT_TEXT)?,
        owner: text_field("owner", patch.owner, MAX_SHORT_TEXT)?,
        due: text_field("due", patch.due, MAX_SHORT_TEXT)?,
        comments: text_field("comments", patch.comments, MAX_COMMENTS)?,
        add_evidence: Vec::new(),
        override_result,
        clear_override: patch.clear_override,
    })
}

/// The edit that applies `update` to `entry` by `who`, each stored file becoming file evidence on it.
pub(crate) fn entry_edit(entry: String, update: Update, who: String, links: Vec<Evidence>) -> Edit {
    Box::new(move |doc, catalog, files| {
        if catalog.entry(&entry).is_none() {
            return Err(ApiError::NotFound(format!("catalog `{}` has no entry `{entry}`", catalog.id)));
        }
        let now = cpsf_assess::rfc3339(OffsetDateTime::now_utc());
        let mut update = update.clone();
        update.add_evidence.extend(links.iter().cloned());
        update.add_evidence.extend(files.iter().map(|f| file_evidence(f, &now)));
        edit::apply(doc, catalog, &entry, &update, &who, &now).map_err(|e| ApiError::BadRequest(e.to_string()))
    })
}

/// File evidence pointing at a stored file.
pub(crate) fn file_evidence(file: &EvidenceFileInfo, now: &str) -> Evidence {
    Evidence::File {
        name: file.name.clone(),
        path: None,
        sha256: Some(file.sha256.clone()),
        stored_id: Some(file.id),
        added: now.to_owned(),
        by: Some(file.uploaded_by.clone()),
    }
}

/// The edit that evaluates every automatic check over `facts`.
pub(crate) fn evaluate_edit(facts: Facts) -> Edit {
    Box::new(move |doc, catalog, _| Ok(cpsf_assess::evidence::refresh(catalog, doc, &facts, OffsetDateTime::now_utc())))
}

/// Gather the facts automatic evidence reads, then evaluate assessment `id`'s checks over them.
pub(crate) async fn evaluate(state: &AppState, principal: &Principal, id: &str) -> Result<Modified, ApiError> {
    // Refused early (without gathering) when the principal may not change it.
    load(state, principal, id, Role::Editor).await?;
    let advisory_db = state.config().advisory_db.clone();
    let facts = blocking(state, move |store, _| {
        Ok(crate::facts::gather(store, advisory_db.as_deref(), OffsetDateTime::now_utc())?)
    })
    .await?;
    let change = Change {
        id: id.to_owned(),
        expected: None,
        files: Vec::new(),
        action: "assessment.evaluate",
        detail: json!({ "data": facts.source }),
        always: true,
        edit: evaluate_edit(facts),
    };
    modify(state, principal, change).await
}

/// A file name as given by a browser or client, without directories or control characters.
pub(crate) fn clean_file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or_default();
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() || clean == "." || clean == ".." { "evidence".to_owned() } else { clean }
}

/// A declared media type if it looks like one (`type/subtype`), else `application/octet-stream`.
pub(crate) fn clean_media_type(media: Option<&str>) -> String {
    let media = media.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let ok = media.split_once('/').is_some_and(|(a, b)| {
        let token = |s: &str| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_'))
        };
        token(a) && token(b)
    });
    if ok { media } else { "application/octet-stream".to_owned() }
}

/// A link given as evidence: http or https only (the UI shows it as text, never as a link it follows).
pub(crate) fn link_evidence(url: &str, title: Option<&str>, who: &str) -> Result<Evidence, ApiError> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.len() > 2_000
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(ApiError::BadRequest("url: expected an http:// or https:// address without spaces".into()));
    }
    Ok(Evidence::Link {
        url: url.to_owned(),
        title: title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        added: cpsf_assess::rfc3339(OffsetDateTime::now_utc()),
        by: Some(who.to_owned()),
    })
}

/// The formats a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Html,
    Pdf,
    /// OSCAL assessment-results JSON.
    Oscal,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Result<ReportFormat, ApiError> {
        match s.trim() {
            "" | "json" => Ok(ReportFormat::Json),
            "html" => Ok(ReportFormat::Html),
            "pdf" => Ok(ReportFormat::Pdf),
            "oscal" => Ok(ReportFormat::Oscal),
            other => Err(ApiError::BadRequest(format!("format: expected json, html, pdf or oscal, found `{other}`"))),
        }
    }
}

/// Render a report: the bytes and their media type. PDF layout takes a fraction of a second, so handlers call
/// [`render_assessment`]. The PDF's font is the one `cpsf_report::find_font` finds (`CPSF_REPORT_FONT` or a
/// Japanese system font); without one the error says how to install it. OSCAL is written from the assessment
/// itself (see [`render_assessment`]), not from the report model.
pub fn render_report(report: &Report, format: ReportFormat) -> Result<(Vec<u8>, &'static str), ApiError> {
    let (format, media) = match format {
        ReportFormat::Json | ReportFormat::Oscal => (cpsf_report::Format::Json, "application/json"),
        ReportFormat::Html => (cpsf_report::Format::Html, "text/html; charset=utf-8"),
        ReportFormat::Pdf => (cpsf_report::Format::Pdf, "application/pdf"),
    };
    cpsf_report::render(report, format, &cpsf_report::FontSource::Auto)
        .map(|bytes| (bytes, media))
        .map_err(|e| ApiError::Internal(format!("rendering the report: {e}")))
}

/// An assessment's report in `format` and `lang`, rendered on a blocking thread.
pub async fn render_assessment(
    catalog: &Catalog,
    doc: &Assessment,
    lang: Lang,
    format: ReportFormat,
) -> Result<(Vec<u8>, &'static str), ApiError> {
    if format == ReportFormat::Oscal {
        let generated = cpsf_assess::rfc3339(OffsetDateTime::now_utc());
        let value = cpsf_assess::oscal::assessment_results(catalog, doc, lang.into(), &generated);
        let bytes = serde_json::to_vec_pretty(&value).map_err(|e| ApiError::Internal(format!("writing OSCAL: {e}")))?;
        return Ok((bytes, "application/json"));
    }
    render_report_blocking(build_report(catalog, doc, lang), format).await
}

/// [`render_report`] on a blocking thread.
pub async fn render_report_blocking(report: Report, format: ReportFormat) -> Result<(Vec<u8>, &'static str), ApiError> {
    tokio::task::spawn_blocking(move || render_report(&report, format))
        .await
        .map_err(|e| ApiError::Internal(format!("rendering the report: {e}")))?
}

/// The report model of an assessment in `lang`.
pub(crate) fn build_report(catalog: &Catalog, doc: &Assessment, lang: Lang) -> Report {
    let now = OffsetDateTime::now_utc();
    cpsf_assess::report::build(catalog, doc, lang.into(), &cpsf_assess::rfc3339(now), &cpsf_assess::date(now))
}

/// Expand a questionnaire's chosen entries: an assessable entry stands for itself, any other for every assessable
/// entry under it. In catalog order, each once.
pub(crate) fn expand_entries(catalog: &Catalog, chosen: &[String]) -> Result<Vec<String>, ApiError> {
    for id in chosen {
        if catalog.entry(id).is_none() {
            return Err(ApiError::BadRequest(format!("entries: catalog `{}` has no entry `{id}`", catalog.id)));
        }
    }
    let out: Vec<String> = catalog
        .assessable()
        .filter(|e| chosen.contains(&e.id) || catalog.ancestors(&e.id).iter().any(|a| chosen.contains(&a.id)))
        .map(|e| e.id.clone())
        .collect();
    if out.is_empty() {
        return Err(ApiError::BadRequest(
            "entries: choose at least one assessable entry or a group holding one".into(),
        ));
    }
    Ok(out)
}

/// Create a questionnaire over `chosen` entries of `catalog`.
pub(crate) async fn create_questionnaire(
    state: &AppState,
    principal: &Principal,
    title: String,
    catalog: String,
    chosen: Vec<String>,
) -> Result<Questionnaire, ApiError> {
    require_org(principal, Role::Editor, "create questionnaires")?;
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().any(char::is_control) || title.chars().count() > MAX_SHORT_TEXT {
        return Err(ApiError::BadRequest("title: expected a title of 1 to 200 characters".into()));
    }
    let who = principal.user.clone();
    blocking(state, move |store, catalogs| {
        let found = catalogs.get(&catalog).map_err(|e| ApiError::BadRequest(format!("catalog: {e}")))?;
        let entries = expand_entries(found, &chosen)?;
        Ok(store.create_questionnaire(&title, &catalog, &entries, &who)?)
    })
    .await
}

/// A new invitation's secret (shown once, as the personal link) and the digest the store keeps.
pub(crate) fn new_invite_token() -> Result<(String, String), ApiError> {
    let secret = format!("{INVITE_TOKEN_PREFIX}{}", random_string(32).map_err(|e| ApiError::Internal(e.to_string()))?);
    let digest = token_digest(&secret);
    Ok((secret, digest))
}

/// Invite `supplier` to answer questionnaire `id` for `days` days: the invitation and its token (only now).
pub(crate) async fn invite(
    state: &AppState,
    principal: &Principal,
    id: i64,
    supplier: String,
    contact: String,
    days: i64,
) -> Result<(Invite, String), ApiError> {
    require_org(principal, Role::Editor, "invite suppliers")?;
    let supplier = supplier.trim().to_owned();
    if supplier.is_empty() || supplier.chars().any(char::is_control) || supplier.chars().count() > MAX_SHORT_TEXT {
        return Err(ApiError::BadRequest("supplier: expected a name of 1 to 200 characters".into()));
    }
    let contact = contact.trim().to_owned();
    if contact.chars().any(char::is_control) || contact.chars().count() > MAX_SHORT_TEXT {
        return Err(ApiError::BadRequest("contact: at most 200 characters, no control characters".into()));
    }
    if !(1..=365).contains(&days) {
        return Err(ApiError::BadRequest(format!("expires_days: expected 1 to 365, found {days}")));
    }
    let (secret, digest) = new_invite_token()?;
    let expires = OffsetDateTime::now_utc() + time::Duration::days(days);
    let who = principal.user.clone();
    let invite =
        blocking(state, move |store, _| Ok(store.create_invite(id, &supplier, &contact, &digest, expires, &who)?))
            .await?;
    Ok((invite, secret))
}

// ---------------------------------------------------------------------------------------------------------------
// JSON shapes

fn catalog_summary(c: &Catalog, set: &CatalogSet) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "publisher": c.publisher,
        "version": c.version,
        "revision": c.revision,
        "entries": c.entries.len(),
        "assessable": c.assessable().count(),
        "verified": c.verified_count(),
        "levels": c.levels.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        "origin": match set.origin(&c.id) {
            Some(cpsf_catalog::Origin::File(_)) => "file",
            _ => "builtin",
        },
    })
}

pub(crate) fn scores_json(catalog: &Catalog, doc: &Assessment) -> Value {
    let scores = score::compute(catalog, doc);
    let counts: BTreeMap<&str, usize> = scores.status_counts.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    json!({
        "overall": scores.overall,
        "status_counts": counts,
        "maturity": scores.maturity.map(|(average, entries)| json!({ "average": average, "entries": entries })),
    })
}

fn assessment_json(stored: &StoredAssessment, doc: &Assessment, catalogs: &CatalogSet, warnings: &[String]) -> Value {
    json!({
        "id": stored.id,
        "revision": stored.revision,
        "created_by": stored.created_by,
        "created": rfc3339(stored.created),
        "updated": rfc3339(stored.updated),
        "scores": catalogs.get(&doc.catalog).ok().map(|c| scores_json(c, doc)),
        "warnings": warnings,
        "assessment": doc,
    })
}

fn invite_json(i: &Invite) -> Value {
    json!({
        "id": i.id,
        "questionnaire": i.questionnaire_id,
        "supplier": i.supplier,
        "contact": i.contact,
        "expires_at": rfc3339(i.expires_at),
        "created": rfc3339(i.created),
        "created_by": i.created_by,
        "answered_at": i.answered_at.map(rfc3339),
        "submitted": i.submitted,
        "assessment": i.assessment_id,
    })
}

fn questionnaire_json(q: &Questionnaire, invites: &[Invite]) -> Value {
    json!({
        "id": q.id,
        "title": q.title,
        "catalog": q.catalog,
        "entries": q.entries,
        "created_by": q.created_by,
        "created": rfc3339(q.created),
        "sent": invites.len(),
        "answered": invites.iter().filter(|i| i.submitted).count(),
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("expected {expected}: {e}")))
}

fn request_lang(headers: &HeaderMap, asked: Option<&str>) -> Result<Lang, ApiError> {
    match asked.map(str::trim).filter(|l| !l.is_empty()) {
        Some(code) => Lang::from_code(code)
            .ok_or_else(|| ApiError::BadRequest(format!("lang: expected ja or en, found `{code}`"))),
        None => Ok(Lang::negotiate(None, headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers

/// `GET /api/v1/catalogs`.
pub async fn catalogs(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &headers).await?;
    let set = state.catalogs();
    Ok(Json(json!({
        "catalogs": set.iter().map(|c| catalog_summary(c, set)).collect::<Vec<_>>(),
        "warnings": set.warnings,
    })))
}

/// `GET /api/v1/catalogs/{id}`: the catalog as data.
pub async fn catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &headers).await?;
    let catalog = state.catalogs().get(&id).map_err(|e| ApiError::NotFound(e.to_string()))?;
    Ok(Json(json!(catalog)))
}

/// `GET /api/v1/assessments`: the assessments the caller may see, with their scores.
pub async fn assessments(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let list = blocking(&state, move |store, catalogs| {
        let mut out = Vec::new();
        for stored in store.list_assessments()? {
            if !may(&principal, &stored.scope_kind, &stored.scope_name, Role::Viewer) {
                continue;
            }
            let doc = parse_document(&stored)?;
            out.push(json!({
                "id": stored.id,
                "catalog": stored.catalog,
                "scope": { "kind": stored.scope_kind, "name": stored.scope_name },
                "title": doc.title,
                "revision": stored.revision,
                "created": rfc3339(stored.created),
                "updated": rfc3339(stored.updated),
                "created_by": stored.created_by,
                "scores": catalogs.get(&doc.catalog).ok().map(|c| scores_json(c, &doc)),
            }));
        }
        Ok(out)
    })
    .await?;
    Ok(Json(json!({ "assessments": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    catalog: String,
    scope: ScopeRequest,
    title: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeRequest {
    name: String,
    kind: Option<String>,
}

/// `POST /api/v1/assessments` `{catalog, scope: {name, kind}}`.
pub async fn create_assessment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let request: CreateRequest = parse_json(&body, "{\"catalog\", \"scope\": {\"name\", \"kind\"}, \"title\"}")?;
    let kind = match request.scope.kind.as_deref().map(str::trim) {
        None | Some("") => ScopeKind::Company,
        Some(k) => ScopeKind::parse(k).ok_or_else(|| {
            ApiError::BadRequest(format!("scope.kind: expected company, site, product or supplier, found `{k}`"))
        })?,
    };
    let lang = request_lang(&headers, request.lang.as_deref())?;
    let stored =
        create(&state, &principal, request.catalog, Scope { name: request.scope.name, kind }, request.title, lang)
            .await?;
    let doc = parse_document(&stored)?;
    Ok((StatusCode::CREATED, Json(assessment_json(&stored, &doc, state.catalogs(), &[]))).into_response())
}

/// `GET /api/v1/assessments/{id}`.
pub async fn assessment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let loaded = load(&state, &principal, &id, Role::Viewer).await?;
    Ok(Json(assessment_json(&loaded.stored, &loaded.doc, state.catalogs(), &loaded.warnings)))
}

fn entry_json(modified: &Modified, entry: &str) -> Value {
    json!({
        "assessment": modified.stored.id,
        "revision": modified.stored.revision,
        "changes": modified.changes,
        "result": modified.doc.result(entry),
    })
}

/// `PATCH /api/v1/assessments/{id}/entries/{entry}`.
pub async fn patch_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let patch: EntryPatch = parse_json(
        &body,
        "{\"status\", \"level\", \"owner\", \"due\", \"comments\", \"override\": {\"result\", \"justification\"}, \
         \"clear_override\", \"revision\"}",
    )?;
    let expected = patch.revision;
    let update = parse_patch(patch)?;
    let change = Change {
        id,
        expected,
        files: Vec::new(),
        action: "assessment.edit",
        detail: json!({ "entry": entry }),
        always: false,
        edit: entry_edit(entry.clone(), update, principal.user.clone(), Vec::new()),
    };
    let modified = modify(&state, &principal, change).await?;
    Ok(Json(entry_json(&modified, &entry)))
}

/// `POST /api/v1/assessments/{id}/evaluate`: automatic evidence from the store's current facts.
pub async fn evaluate_assessment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let modified = evaluate(&state, &principal, &id).await?;
    let automatic: Vec<Value> = modified
        .doc
        .results
        .iter()
        .filter(|r| !r.automatic.is_empty())
        .map(|r| json!({ "entry": r.entry, "result": r.automatic_result(), "checks": r.automatic }))
        .collect();
    Ok(Json(json!({
        "assessment": modified.stored.id,
        "revision": modified.stored.revision,
        "changed": modified.changes,
        "automatic": automatic,
        "scores": state.catalogs().get(&modified.doc.catalog).ok().map(|c| scores_json(c, &modified.doc)),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    url: String,
    title: Option<String>,
}

/// `POST /api/v1/assessments/{id}/entries/{entry}/evidence`: files (multipart, field `file`, repeatable) or a
/// link (JSON `{url, title}`).
pub async fn add_evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let limit = state.config().max_upload;
    let mut files = Vec::new();
    let mut links = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))?;
        while let Some(field) =
            form.next_field().await.map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name != "file" {
                return Err(ApiError::BadRequest(format!("multipart field `{name}`: expected `file`")));
            }
            let file_name = clean_file_name(field.file_name());
            let media_type = clean_media_type(field.content_type());
            let bytes =
                field.bytes().await.map_err(|e| ApiError::BadRequest(format!("multipart field `{name}`: {e}")))?;
            if bytes.len() > limit {
                return Err(ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 });
            }
            files.push(NewEvidenceFile { entry: entry.clone(), name: file_name, media_type, content: bytes.to_vec() });
        }
        if files.is_empty() {
            return Err(ApiError::BadRequest("the form has no `file` field".into()));
        }
    } else if content_type.starts_with("application/json") {
        let body = axum::body::to_bytes(request.into_body(), 64 * 1024)
            .await
            .map_err(|e| ApiError::BadRequest(format!("the body: {e}")))?;
        let link: LinkRequest = parse_json(&body, "{\"url\", \"title\"}")?;
        links.push(link_evidence(&link.url, link.title.as_deref(), &principal.user)?);
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send multipart/form-data with `file` fields, or application/json `{\"url\", \"title\"}`".into(),
        ));
    }
    let change = Change {
        id,
        expected: None,
        files,
        action: "assessment.edit",
        detail: json!({ "entry": entry, "evidence": true }),
        always: false,
        edit: entry_edit(entry.clone(), Update::default(), principal.user.clone(), links),
    };
    let modified = modify(&state, &principal, change).await?;
    let stored: Vec<Value> = modified
        .files
        .iter()
        .map(|f| json!({ "id": f.id, "name": f.name, "media_type": f.media_type, "sha256": f.sha256, "size": f.size }))
        .collect();
    let mut out = entry_json(&modified, &entry);
    out["files"] = json!(stored);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/assessments/{id}/evidence/{file}`: an evidence file, always as a download.
pub async fn evidence_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    evidence_download(&state, &principal, id, file).await
}

/// An evidence file as an attachment (never shown inline: it is whatever someone uploaded).
pub(crate) async fn evidence_download(
    state: &AppState,
    principal: &Principal,
    id: String,
    file: i64,
) -> Result<Response, ApiError> {
    let principal = principal.clone();
    let (info, content) = blocking(state, move |store, catalogs| {
        load_sync(store, catalogs, &principal, &id, Role::Viewer)?;
        store.evidence_file(&id, file)?.ok_or_else(|| ApiError::NotFound(format!("evidence file {file}")))
    })
    .await?;
    let ascii: String = info
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::web::enc(&info.name));
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    if let Ok(v) = header::HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = header::HeaderValue::from_str(&info.sha256) {
        headers.insert("x-content-sha256", v);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/assessments/{id}/report?format=json|html|pdf|oscal&lang=ja|en`.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or("json"))?;
    let lang = request_lang(&headers, q.lang.as_deref())?;
    let loaded = load(&state, &principal, &id, Role::Viewer).await?;
    let catalog = catalog_of(state.catalogs(), &loaded.doc.catalog)?;
    let (bytes, media) = render_assessment(catalog, &loaded.doc, lang, format).await?;
    Ok(([(header::CONTENT_TYPE, media)], bytes).into_response())
}

/// `GET /api/v1/questionnaires`.
pub async fn questionnaires(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require_org(&principal, Role::Viewer, "read questionnaires")?;
    let list = blocking(&state, |store, _| {
        let mut out = Vec::new();
        for q in store.list_questionnaires()? {
            let invites = store.list_invites(q.id)?;
            out.push(questionnaire_json(&q, &invites));
        }
        Ok(out)
    })
    .await?;
    Ok(Json(json!({ "questionnaires": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionnaireRequest {
    title: String,
    catalog: String,
    entries: Vec<String>,
}

/// `POST /api/v1/questionnaires` `{title, catalog, entries}`.
pub async fn create_questionnaire_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require_org(&principal, Role::Editor, "create questionnaires")?;
    let request: QuestionnaireRequest = parse_json(&body, "{\"title\", \"catalog\", \"entries\": [ids]}")?;
    let q = create_questionnaire(&state, &principal, request.title, request.catalog, request.entries).await?;
    Ok((StatusCode::CREATED, Json(questionnaire_json(&q, &[]))).into_response())
}

/// `GET /api/v1/questionnaires/{id}`: the questionnaire and its invitations (never their tokens).
pub async fn questionnaire(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require_org(&principal, Role::Viewer, "read questionnaires")?;
    let (q, invites) = blocking(&state, move |store, _| {
        let q = store.questionnaire(id)?.ok_or_else(|| ApiError::NotFound(format!("questionnaire {id}")))?;
        let invites = store.list_invites(id)?;
        Ok((q, invites))
    })
    .await?;
    let mut out = questionnaire_json(&q, &invites);
    out["invites"] = json!(invites.iter().map(invite_json).collect::<Vec<_>>());
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteRequest {
    supplier: String,
    #[serde(default)]
    contact: String,
    expires_days: Option<i64>,
}

/// `POST /api/v1/questionnaires/{id}/invites` `{supplier, contact, expires_days}`: the personal link, shown once.
pub async fn create_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, &headers).await?;
    require_org(&principal, Role::Editor, "invite suppliers")?;
    let request: InviteRequest = parse_json(&body, "{\"supplier\", \"contact\", \"expires_days\"}")?;
    let (invite, token) =
        invite(&state, &principal, id, request.supplier, request.contact, request.expires_days.unwrap_or(30)).await?;
    let mut out = invite_json(&invite);
    out["link"] = json!(format!("/q/{token}"));
    out["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
