//! The web UI of frameworks, assessments and supplier questionnaires, rendered on the server like the rest of the
//! UI (no script, a CSRF token in every form): catalogs and their entry trees, assessments with scores, the gap
//! list, per-entry edit and evidence forms and automatic evidence, questionnaires with personal invitations, the
//! supplier overview, and the public page a supplier answers on (`/q/{token}`, no account: the token in the link
//! is the capability, and a double-submit cookie keeps other sites from posting the form).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cpsf_assess::edit::{self, Update};
use cpsf_assess::score;
use cpsf_assess::{Assessment, CheckResult, Evidence, Scope, ScopeKind, Status};
use cpsf_catalog::{Catalog, Entry};
use cpsf_store::{NewAssessment, NewEvidenceFile, Role, StoreError, Submission};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::app::{AppState, Principal};
use crate::assess_api::{
    self, Change, EntryPatch, OverridePatch, blocking, clean_file_name, clean_media_type, entry_edit, may, org_wide,
};
use crate::auth::{random_string, secrets_equal, token_digest};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::web::{
    LANG_COOKIE, Web, api_error, cookie, csrf_rejection, enc, esc, form_pairs, form_value, html, lang_of, page_error,
    web,
};

/// The double-submit cookie of the public questionnaire form.
const QUESTIONNAIRE_CSRF_COOKIE: &str = "cpsf_q_csrf";
/// How many gaps the assessment page lists.
const TOP_GAPS: usize = 10;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalogs", get(catalogs_page))
        .route("/catalogs/{id}", get(catalog_page))
        .route("/assessments", get(assessments_page).post(create_assessment_form))
        .route("/assessments/{id}", get(assessment_page))
        .route("/assessments/{id}/entries/{entry}", post(entry_form))
        .route("/assessments/{id}/entries/{entry}/evidence", post(evidence_form))
        .route("/assessments/{id}/evaluate", post(evaluate_form))
        .route("/assessments/{id}/evidence/{file}", get(evidence_download))
        .route("/assessments/{id}/report", get(report_download))
        .route("/questionnaires", get(questionnaires_page).post(create_questionnaire_form))
        .route("/questionnaires/{id}", get(questionnaire_page).post(invite_form))
        .route("/suppliers", get(suppliers_page))
        .route("/q/{token}", get(public_page).post(public_submit))
}

fn cl(lang: Lang) -> cpsf_catalog::Lang {
    lang.into()
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"))
}

fn notice(text: Option<&str>) -> String {
    text.map(|n| format!("<p role=\"status\" class=\"notice\">{}</p>", esc(n))).unwrap_or_default()
}

fn unverified_badge(lang: Lang) -> String {
    format!(
        "<span class=\"badge unverified\" title=\"{}\">{}</span>",
        esc(lang.t("unverified")),
        lang.t("assess.unverified")
    )
}

fn check_result_text(lang: Lang, result: Option<CheckResult>) -> String {
    match result {
        Some(r) => format!("<span class=\"auto-{}\">{}</span>", r.as_str(), esc(r.title(cl(lang)))),
        None => "—".to_owned(),
    }
}

macro_rules! session {
    ($state:expr, $headers:expr) => {
        match web(&$state, &$headers).await {
            Ok(w) => w,
            Err(r) => return r,
        }
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Catalogs

async fn catalogs_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let set = state.catalogs();
    let mut body = format!(
        "<h1>{}</h1><table><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("nav.catalogs"),
        lang.t("catalog.title"),
        lang.t("catalog.version"),
        lang.t("catalog.entries"),
        lang.t("catalog.assessable"),
        lang.t("catalog.verified"),
    );
    for c in set.iter() {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/catalogs/{}\"><code>{}</code></a></th><td>{}</td><td>{} (rev. {})</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            enc(&c.id),
            esc(&c.id),
            esc(c.title.get(cl(lang))),
            esc(&c.version),
            c.revision,
            c.entries.len(),
            c.assessable().count(),
            c.verified_count(),
        );
    }
    body.push_str("</tbody></table>");
    for w in &set.warnings {
        let _ = write!(body, "<p class=\"error\">{}</p>", esc(w));
    }
    html(lang, &web, lang.t("nav.catalogs"), &body)
}

fn entry_line(lang: Lang, catalog: &Catalog, e: &Entry) -> String {
    let mut line = format!(
        "<span class=\"kind\">{}</span> <code>{}</code> {}",
        esc(e.kind.title(cl(lang))),
        esc(&e.id),
        esc(e.title.get(cl(lang)))
    );
    if !e.provenance.verified {
        line.push(' ');
        line.push_str(&unverified_badge(lang));
    }
    if e.is_assessable() {
        let _ = write!(line, " <span class=\"badge\">{}</span>", lang.t("catalog.assessable"));
    }
    let summary = e.summary.get(cl(lang));
    if !summary.is_empty() {
        let _ = write!(line, "<p>{}</p>", esc(summary));
    }
    if !e.checks.is_empty() {
        let _ = write!(line, "<p>{}:</p><ul>", lang.t("assess.automatic"));
        for check in &e.checks {
            let _ = write!(line, "<li><code>{}</code> {}</li>", esc(check.kind()), esc(&check.describe(cl(lang))));
        }
        line.push_str("</ul>");
    }
    if !e.mappings.is_empty() {
        let _ = write!(line, "<p>{}:</p><ul>", lang.t("catalog.mappings"));
        for m in &e.mappings {
            // A mapping into a loaded catalog links to that entry (an address of this server).
            let target = match m.target_parts() {
                Some((cid, eid)) => format!(
                    "<a href=\"/catalogs/{}#{}\"><code>{}</code></a>",
                    enc(cid),
                    enc(&format!("entry-{eid}")),
                    esc(&m.target)
                ),
                None => format!("<code>{}</code>", esc(&m.target)),
            };
            let _ = write!(
                line,
                "<li>{} {target}{}</li>",
                esc(m.relationship.as_str()),
                if m.verified { String::new() } else { format!(" {}", unverified_badge(lang)) }
            );
        }
        line.push_str("</ul>");
    }
    let p = &e.provenance;
    let source = catalog.source(&p.source).map_or(p.source.as_str(), |s| s.title.get(cl(lang)));
    let _ = write!(
        line,
        "<p class=\"provenance\">{}: {}{}{}</p>",
        lang.t("catalog.provenance"),
        esc(source),
        p.section.as_deref().map(|s| format!(", {}", esc(s))).unwrap_or_default(),
        p.note.as_deref().map(|n| format!(" — {}", esc(n))).unwrap_or_default(),
    );
    line
}

/// The entry tree under `parent` as nested lists (depth-limited against malformed data).
fn entry_tree(lang: Lang, catalog: &Catalog, parent: Option<&str>, depth: usize, out: &mut String) {
    if depth > 12 {
        return;
    }
    let children: Vec<&Entry> = catalog.children(parent).collect();
    if children.is_empty() {
        return;
    }
    out.push_str("<ul class=\"tree\">");
    for e in children {
        let _ = write!(out, "<li id=\"{}\">{}", esc(&format!("entry-{}", e.id)), entry_line(lang, catalog, e));
        entry_tree(lang, catalog, Some(&e.id), depth + 1, out);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

async fn catalog_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let Ok(catalog) = state.catalogs().get(&id) else {
        return page_error(lang, StatusCode::NOT_FOUND, &format!("no catalog `{id}`"));
    };
    let mut body = format!(
        "<h1>{}</h1><dl><dt>ID</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{} (rev. {})</dd>\
         <dt>{}</dt><dd>{} / {}</dd></dl>",
        esc(catalog.title.get(cl(lang))),
        esc(&catalog.id),
        lang.t("catalog.publisher"),
        esc(catalog.publisher.get(cl(lang))),
        lang.t("catalog.version"),
        esc(&catalog.version),
        catalog.revision,
        lang.t("catalog.verified"),
        catalog.verified_count(),
        catalog.entries.len(),
    );
    let description = catalog.description.get(cl(lang));
    if !description.is_empty() {
        let _ = write!(body, "<p>{}</p>", esc(description));
    }
    let _ = write!(body, "<p>{}</p>", lang.t("assess.unverified_note"));
    if !catalog.levels.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ol>", lang.t("assess.level"));
        for l in &catalog.levels {
            let _ = write!(
                body,
                "<li><code>{}</code> {}{}</li>",
                esc(&l.id),
                esc(l.title.get(cl(lang))),
                if l.verified { String::new() } else { format!(" {}", unverified_badge(lang)) }
            );
        }
        body.push_str("</ol>");
    }
    let _ = write!(body, "<h2>{}</h2>", lang.t("catalog.entries"));
    entry_tree(lang, catalog, None, 0, &mut body);
    html(lang, &web, catalog.title.get(cl(lang)), &body)
}

// ---------------------------------------------------------------------------------------------------------------
// Assessments

fn scope_kind_options(selected: ScopeKind, lang: Lang) -> String {
    ScopeKind::ALL
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                k.as_str(),
                if *k == selected { " selected" } else { "" },
                esc(k.title(cl(lang)))
            )
        })
        .collect()
}

fn catalog_options(state: &AppState, lang: Lang, selected: Option<&str>) -> String {
    state
        .catalogs()
        .iter()
        .map(|c| {
            format!(
                "<option value=\"{}\"{}>{} ({})</option>",
                esc(&c.id),
                if Some(c.id.as_str()) == selected { " selected" } else { "" },
                esc(c.title.get(cl(lang))),
                esc(&c.id)
            )
        })
        .collect()
}

async fn assessments_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = session!(state, headers);
    render_assessments(&state, &web, StatusCode::OK, None).await
}

async fn render_assessments(state: &AppState, web: &Web, status: StatusCode, message: Option<&str>) -> Response {
    let lang = web.lang;
    let principal = web.principal.clone();
    let rows = blocking(state, move |store, catalogs| {
        let mut rows = Vec::new();
        for stored in store.list_assessments()? {
            if !may(&principal, &stored.scope_kind, &stored.scope_name, Role::Viewer) {
                continue;
            }
            let doc = assess_api::parse_document(&stored)?;
            let overall = catalogs.get(&doc.catalog).ok().map(|c| score::compute(c, &doc).overall);
            rows.push((stored, doc, overall));
        }
        Ok(rows)
    })
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!("<h1>{}</h1>{}", lang.t("nav.assessments"), notice(message));
    let _ = write!(
        body,
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("assess.scope"),
        lang.t("assess.kind"),
        lang.t("assess.catalog"),
        lang.t("assess.overall"),
        lang.t("assess.assessed"),
        lang.t("assess.updated"),
    );
    for (stored, doc, overall) in &rows {
        let kind = ScopeKind::parse(&stored.scope_kind).map_or(stored.scope_kind.clone(), |k| k.title(cl(lang)).into());
        let (score, assessed) = match overall {
            Some(s) => (score_text(s.score), format!("{} / {}", s.counted + s.not_applicable, s.assessable)),
            None => ("—".into(), "—".into()),
        };
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/assessments/{}\">{}</a>{}</th><td>{}</td><td><code>{}</code></td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            enc(&stored.id),
            esc(&stored.scope_name),
            doc.title.as_deref().map(|t| format!(" — {}", esc(t))).unwrap_or_default(),
            esc(&kind),
            esc(&stored.catalog),
            score,
            assessed,
            stored.updated.date(),
        );
    }
    body.push_str("</tbody></table>");
    if web.principal.has(Role::Editor) {
        let _ = write!(
            body,
            "<h2>{new}</h2><form method=\"post\" action=\"/assessments\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"catalog\">{catalog}</label><select id=\"catalog\" name=\"catalog\">{catalogs}</select>\
             <label for=\"scope_name\">{scope}</label><input id=\"scope_name\" name=\"scope_name\" required>\
             <label for=\"scope_kind\">{kind}</label><select id=\"scope_kind\" name=\"scope_kind\">{kinds}</select>\
             <label for=\"title\">{title}</label><input id=\"title\" name=\"title\">\
             <button type=\"submit\">{create}</button></form>",
            new = lang.t("assess.new"),
            csrf = esc(&web.csrf),
            catalog = lang.t("assess.catalog"),
            catalogs = catalog_options(state, lang, None),
            scope = lang.t("assess.scope"),
            kind = lang.t("assess.kind"),
            kinds = scope_kind_options(ScopeKind::Company, lang),
            title = lang.t("assess.title"),
            create = lang.t("assess.create"),
        );
    }
    let mut response = html(lang, web, lang.t("nav.assessments"), &body);
    *response.status_mut() = status;
    response
}

async fn create_assessment_form(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let kind_text = form_value(&pairs, "scope_kind").unwrap_or("company");
    let Some(kind) = ScopeKind::parse(kind_text) else {
        return page_error(lang, StatusCode::BAD_REQUEST, &format!("scope kind: unknown `{kind_text}`"));
    };
    let scope = Scope { name: form_value(&pairs, "scope_name").unwrap_or_default().to_owned(), kind };
    let catalog = form_value(&pairs, "catalog").unwrap_or_default().to_owned();
    let title = form_value(&pairs, "title").map(str::to_owned);
    match assess_api::create(&state, &web.principal, catalog, scope, title, lang).await {
        Ok(stored) => Redirect::to(&format!("/assessments/{}", enc(&stored.id))).into_response(),
        Err(e) => {
            let status = e.status();
            render_assessments(&state, &web, status, Some(&e.to_string())).await
        }
    }
}

#[derive(Deserialize, Default)]
struct Notice {
    saved: Option<String>,
}

async fn assessment_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let web = session!(state, headers);
    let message = q.saved.map(|entry| format!("{} {entry}", web.lang.t("assess.saved")));
    render_assessment(&state, &web, &id, StatusCode::OK, message.as_deref()).await
}

fn evidence_list(lang: Lang, id: &str, evidence: &[Evidence]) -> String {
    if evidence.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"evidence\">");
    for ev in evidence {
        match ev {
            Evidence::File { name, sha256, stored_id, by, .. } => {
                let label = match stored_id {
                    Some(file) => format!("<a href=\"/assessments/{}/evidence/{file}\">{}</a>", enc(id), esc(name)),
                    None => esc(name),
                };
                let _ = write!(
                    out,
                    "<li>{}: {label}{}{}</li>",
                    lang.t("assess.file"),
                    sha256.as_deref().map(|h| format!(" <code>SHA-256 {}</code>", esc(h))).unwrap_or_default(),
                    by.as_deref().map(|b| format!(" ({})", esc(b))).unwrap_or_default(),
                );
            }
            // Shown as text: the UI never follows a link someone typed.
            Evidence::Link { url, title, by, .. } => {
                let _ = write!(
                    out,
                    "<li>{}: {}<code>{}</code>{}</li>",
                    lang.t("assess.link"),
                    title.as_deref().map(|t| format!("{} ", esc(t))).unwrap_or_default(),
                    esc(url),
                    by.as_deref().map(|b| format!(" ({})", esc(b))).unwrap_or_default(),
                );
            }
        }
    }
    out.push_str("</ul>");
    out
}

fn status_options(selected: Status, lang: Lang) -> String {
    Status::ALL
        .iter()
        .map(|s| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                s.as_str(),
                if *s == selected { " selected" } else { "" },
                esc(s.title(cl(lang)))
            )
        })
        .collect()
}

/// The edit and evidence forms of one entry.
fn entry_forms(
    lang: Lang,
    web: &Web,
    id: &str,
    catalog: &Catalog,
    index: usize,
    r: &cpsf_assess::EntryResult,
) -> String {
    let action = format!("/assessments/{}/entries/{}", enc(id), enc(&r.entry));
    let mut levels = String::new();
    if !catalog.levels.is_empty() {
        let mut options = String::from("<option value=\"\">—</option>");
        for l in &catalog.levels {
            let _ = write!(
                options,
                "<option value=\"{}\"{}>{}</option>",
                esc(&l.id),
                if r.level.as_deref() == Some(l.id.as_str()) { " selected" } else { "" },
                esc(l.title.get(cl(lang)))
            );
        }
        levels = format!(
            "<label for=\"level-{index}\">{}</label><select id=\"level-{index}\" name=\"level\">{options}</select>",
            lang.t("assess.level")
        );
    }
    let override_options = format!(
        "<option value=\"\">—</option><option value=\"met\">{}</option><option value=\"unmet\">{}</option>\
         <option value=\"unknown\">{}</option>",
        esc(CheckResult::Met.title(cl(lang))),
        esc(CheckResult::Unmet.title(cl(lang))),
        esc(CheckResult::Unknown.title(cl(lang))),
    );
    let clear = if r.override_.is_some() {
        format!(
            "<label><input type=\"checkbox\" name=\"clear_override\" value=\"1\"> {}</label>",
            lang.t("assess.clear_override")
        )
    } else {
        String::new()
    };
    format!(
        "<details><summary>{edit}</summary>\
         <form method=\"post\" action=\"{action}\" class=\"stack\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"status-{index}\">{status}</label><select id=\"status-{index}\" name=\"status\">{statuses}</select>\
         {levels}\
         <label for=\"owner-{index}\">{owner}</label><input id=\"owner-{index}\" name=\"owner\" value=\"{owner_v}\">\
         <label for=\"due-{index}\">{due}</label><input id=\"due-{index}\" name=\"due\" type=\"date\" value=\"{due_v}\">\
         <label for=\"comments-{index}\">{comments}</label>\
         <textarea id=\"comments-{index}\" name=\"comments\" rows=\"3\">{comments_v}</textarea>\
         <label for=\"override-{index}\">{override_l}</label>\
         <select id=\"override-{index}\" name=\"override_result\">{override_options}</select>\
         <label for=\"justification-{index}\">{justification}</label>\
         <input id=\"justification-{index}\" name=\"override_justification\">{clear}\
         <button type=\"submit\">{save}</button></form>\
         <form method=\"post\" action=\"{action}/evidence\" enctype=\"multipart/form-data\" class=\"stack\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"file-{index}\">{file}</label><input id=\"file-{index}\" name=\"file\" type=\"file\" multiple>\
         <label for=\"url-{index}\">{url}</label><input id=\"url-{index}\" name=\"url\" type=\"url\">\
         <label for=\"url-title-{index}\">{url_title}</label><input id=\"url-title-{index}\" name=\"url_title\">\
         <button type=\"submit\">{attach}</button></form></details>",
        edit = lang.t("assess.edit"),
        csrf = esc(&web.csrf),
        status = lang.t("assess.status"),
        statuses = status_options(r.status, lang),
        owner = lang.t("assess.owner"),
        owner_v = esc(r.owner.as_deref().unwrap_or_default()),
        due = lang.t("assess.due"),
        due_v = esc(r.due.as_deref().unwrap_or_default()),
        comments = lang.t("assess.comments"),
        comments_v = esc(r.comments.as_deref().unwrap_or_default()),
        override_l = lang.t("assess.override"),
        justification = lang.t("assess.justification"),
        save = lang.t("assess.save"),
        file = lang.t("assess.evidence_file"),
        url = lang.t("assess.evidence_url"),
        url_title = lang.t("assess.evidence_url_title"),
        attach = lang.t("assess.attach"),
    )
}

async fn render_assessment(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    message: Option<&str>,
) -> Response {
    let lang = web.lang;
    let loaded = match assess_api::load(state, &web.principal, id, Role::Viewer).await {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let catalog = match assess_api::catalog_of(state.catalogs(), &loaded.doc.catalog) {
        Ok(c) => c,
        Err(e) => return api_error(lang, e),
    };
    let doc = &loaded.doc;
    let editable = may(&web.principal, &loaded.stored.scope_kind, &loaded.stored.scope_name, Role::Editor);
    let scores = score::compute(catalog, doc);
    let report = assess_api::build_report(catalog, doc, lang);
    let heading = format!("{} — {}", doc.scope.name, catalog.title.get(cl(lang)));
    let mut body = format!("<h1>{}</h1>{}", esc(&heading), notice(message));
    for w in &loaded.warnings {
        let _ = write!(body, "<p class=\"error\">{}</p>", esc(w));
    }
    let _ = write!(
        body,
        "<dl><dt>{}</dt><dd>{} ({})</dd><dt>{}</dt><dd><a href=\"/catalogs/{}\"><code>{}</code></a> rev. {}</dd>\
         <dt>{}</dt><dd><strong>{}</strong></dd><dt>{}</dt><dd>{} / {}</dd>",
        lang.t("assess.scope"),
        esc(&doc.scope.name),
        esc(doc.scope.kind.title(cl(lang))),
        lang.t("assess.catalog"),
        enc(&catalog.id),
        esc(&catalog.id),
        doc.catalog_revision,
        lang.t("assess.overall"),
        score_text(scores.overall.score),
        lang.t("assess.assessed"),
        scores.overall.counted + scores.overall.not_applicable,
        scores.overall.assessable,
    );
    if let Some((average, n)) = scores.maturity {
        let _ = write!(body, "<dt>{}</dt><dd>{average:.1} ({n})</dd>", lang.t("assess.maturity"));
    }
    body.push_str("</dl><ul class=\"counts\">");
    for (s, n) in &scores.status_counts {
        let _ = write!(body, "<li><span class=\"n\">{n}</span> {}</li>", esc(s.title(cl(lang))));
    }
    body.push_str("</ul>");
    let _ = write!(body, "<p class=\"method\">{}</p>", esc(score::method(cl(lang))));
    // Group scores.
    if !report.groups.is_empty() {
        let _ = write!(
            body,
            "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.t("assess.scores"),
            lang.t("assess.entry"),
            lang.t("assess.overall"),
            lang.t("assess.assessed"),
        );
        for g in &report.groups {
            let _ = write!(
                body,
                "<tr><th scope=\"row\" class=\"depth-{}\">{} <code>{}</code> {}</th><td>{}</td><td>{} / {}</td></tr>",
                g.depth.min(6),
                esc(&g.kind),
                esc(&g.id),
                esc(&g.title),
                score_text(g.score.score),
                g.score.counted + g.score.not_applicable,
                g.score.assessable
            );
        }
        body.push_str("</tbody></table>");
    }
    // The gap list, top ten.
    let _ = write!(body, "<h2>{}</h2>", lang.t("assess.gaps"));
    if report.gaps.is_empty() {
        let _ = write!(body, "<p>{}</p>", lang.t("assess.no_gaps"));
    } else {
        let _ = write!(
            body,
            "<ol class=\"gaps\">{}</ol>",
            report
                .gaps
                .iter()
                .take(TOP_GAPS)
                .map(|g| format!(
                    "<li><a href=\"#{}\"><code>{}</code></a> {} — {}{}{}</li>",
                    esc(&format!("entry-{}", g.entry)),
                    esc(&g.entry),
                    esc(&g.title),
                    esc(&g.reason_title),
                    g.due.as_deref().map(|d| format!(" ({} {})", lang.t("assess.due"), esc(d))).unwrap_or_default(),
                    if g.overdue { format!(" <strong>{}</strong>", lang.t("assess.overdue")) } else { String::new() },
                ))
                .collect::<String>()
        );
        if report.gaps.len() > TOP_GAPS {
            let _ = write!(body, "<p>{} {}</p>", report.gaps.len(), lang.t("assess.gaps_total"));
        }
    }
    // Actions.
    let _ = write!(
        body,
        "<p>{reports}: <a href=\"/assessments/{id}/report?format=pdf&amp;lang={code}\">PDF</a> · \
         <a href=\"/assessments/{id}/report?format=html&amp;lang={code}\">HTML</a> · \
         <a href=\"/assessments/{id}/report?format=json&amp;lang={code}\">JSON</a> · \
         <a href=\"/assessments/{id}/report?format=oscal&amp;lang={code}\">OSCAL</a></p>",
        id = enc(id),
        code = lang.code(),
        reports = lang.t("assess.reports"),
    );
    if editable {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/assessments/{}/evaluate\" class=\"inline\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">{}</button></form>",
            enc(id),
            esc(&web.csrf),
            lang.t("assess.evaluate")
        );
    }
    // Entries.
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"entries\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("catalog.entries"),
        lang.t("assess.entry"),
        lang.t("assess.status"),
        lang.t("assess.level"),
        lang.t("assess.owner"),
        lang.t("assess.due"),
        lang.t("assess.automatic"),
    );
    let results: HashMap<&str, &cpsf_assess::EntryResult> = doc.results.iter().map(|r| (r.entry.as_str(), r)).collect();
    for (index, e) in catalog.assessable().enumerate() {
        let fallback = cpsf_assess::EntryResult::new(e.id.clone());
        let r = results.get(e.id.as_str()).copied().unwrap_or(&fallback);
        let effective = r.effective_status();
        let status_text = if r.status == Status::NotAssessed && effective != Status::NotAssessed {
            format!("{} ({})", esc(effective.title(cl(lang))), lang.t("assess.from_automatic"))
        } else {
            esc(effective.title(cl(lang)))
        };
        let level = r
            .level
            .as_deref()
            .map(|l| catalog.levels.iter().find(|x| x.id == l).map_or(l, |x| x.title.get(cl(lang))))
            .unwrap_or("—");
        let mut automatic = check_result_text(lang, r.automatic_result());
        for a in &r.automatic {
            let _ = write!(
                automatic,
                "<br><small>{} {}: {} ({})</small>",
                esc(&a.check),
                esc(a.result.title(cl(lang))),
                esc(&a.observed),
                esc(&a.evaluated)
            );
        }
        if let Some(o) = &r.override_ {
            let _ = write!(
                automatic,
                "<br><small>{}: {} — {} ({} {})</small>",
                lang.t("assess.override"),
                esc(o.result.title(cl(lang))),
                esc(&o.justification),
                esc(&o.by),
                esc(&o.at)
            );
        }
        let _ = write!(
            body,
            "<tr id=\"{anchor}\"><th scope=\"row\"><code>{id}</code> {title}{badge}{comments}{evidence}{forms}</th>\
             <td>{status_text}</td><td>{level}</td><td>{owner}</td><td>{due}</td><td>{automatic}</td></tr>",
            anchor = esc(&format!("entry-{}", e.id)),
            id = esc(&e.id),
            title = esc(e.title.get(cl(lang))),
            badge = if e.provenance.verified { String::new() } else { format!(" {}", unverified_badge(lang)) },
            comments = r.comments.as_deref().map(|c| format!("<p>{}</p>", esc(c))).unwrap_or_default(),
            evidence = evidence_list(lang, id, &r.evidence),
            forms = if editable { entry_forms(lang, web, id, catalog, index, r) } else { String::new() },
            level = esc(level),
            owner = esc(r.owner.as_deref().unwrap_or("—")),
            due = esc(r.due.as_deref().unwrap_or("—")),
        );
    }
    body.push_str("</tbody></table>");
    // History, newest first.
    if !doc.history.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ol class=\"history\" reversed>", lang.t("assess.history"));
        for c in doc.history.iter().rev().take(50) {
            let _ = write!(
                body,
                "<li>{} · {} · {} {}: {} → {}{}</li>",
                esc(&c.at),
                esc(&c.by),
                esc(c.entry.as_deref().unwrap_or_default()),
                esc(&c.field),
                esc(c.from.as_deref().unwrap_or("—")),
                esc(c.to.as_deref().unwrap_or("—")),
                c.justification.as_deref().map(|j| format!(" ({})", esc(j))).unwrap_or_default()
            );
        }
        body.push_str("</ol>");
    }
    let mut response = html(lang, web, &heading, &body);
    *response.status_mut() = status;
    response
}

/// The update an entry form asks for: every field is sent, so each sets its value (an empty text clears it).
fn form_patch(pairs: &[(String, String)]) -> EntryPatch {
    let text = |k: &str| form_value(pairs, k).map(str::to_owned);
    let override_ = form_value(pairs, "override_result").filter(|r| !r.trim().is_empty()).map(|result| OverridePatch {
        result: result.to_owned(),
        justification: form_value(pairs, "override_justification").unwrap_or_default().to_owned(),
    });
    EntryPatch {
        status: text("status"),
        level: text("level"),
        owner: text("owner"),
        due: text("due"),
        comments: text("comments"),
        override_,
        clear_override: form_value(pairs, "clear_override").is_some_and(|v| !v.is_empty()),
        revision: None,
    }
}

async fn entry_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let update = match assess_api::parse_patch(form_patch(&pairs)) {
        Ok(u) => u,
        Err(e) => return api_error(lang, e),
    };
    let change = Change {
        id: id.clone(),
        expected: None,
        files: Vec::new(),
        action: "assessment.edit",
        detail: serde_json::json!({ "entry": entry }),
        always: false,
        edit: entry_edit(entry.clone(), update, web.principal.user.clone(), Vec::new()),
    };
    match assess_api::modify(&state, &web.principal, change).await {
        Ok(_) => saved_redirect(&id, &entry),
        Err(e) => api_error(lang, e),
    }
}

fn saved_redirect(id: &str, entry: &str) -> Response {
    Redirect::to(&format!("/assessments/{}?saved={}#entry-{}", enc(id), enc(entry), enc(entry))).into_response()
}

async fn evidence_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
    mut form: Multipart,
) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let limit = state.config().max_upload;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return page_error(lang, StatusCode::BAD_REQUEST, &format!("form: {e}")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let media = field.content_type().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return page_error(lang, StatusCode::BAD_REQUEST, &format!("form field `{name}`: {e}")),
        };
        if name == "file" {
            // A file input left empty sends a part with no name and no content.
            if bytes.is_empty() && file_name.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            if bytes.len() > limit {
                return api_error(lang, ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 });
            }
            files.push(NewEvidenceFile {
                entry: entry.clone(),
                name: clean_file_name(file_name.as_deref()),
                media_type: clean_media_type(media.as_deref()),
                content: bytes.to_vec(),
            });
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if let Some(r) = csrf_rejection(&web, fields.get("csrf").map(String::as_str)) {
        return r;
    }
    let mut links = Vec::new();
    if let Some(url) = fields.get("url").map(|u| u.trim()).filter(|u| !u.is_empty()) {
        match assess_api::link_evidence(url, fields.get("url_title").map(String::as_str), &web.principal.user) {
            Ok(link) => links.push(link),
            Err(e) => return api_error(lang, e),
        }
    }
    if files.is_empty() && links.is_empty() {
        return page_error(lang, StatusCode::BAD_REQUEST, lang.t("assess.no_evidence"));
    }
    let change = Change {
        id: id.clone(),
        expected: None,
        files,
        action: "assessment.edit",
        detail: serde_json::json!({ "entry": entry, "evidence": true }),
        always: false,
        edit: entry_edit(entry.clone(), Update::default(), web.principal.user.clone(), links),
    };
    match assess_api::modify(&state, &web.principal, change).await {
        Ok(_) => saved_redirect(&id, &entry),
        Err(e) => api_error(lang, e),
    }
}

async fn evaluate_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    match assess_api::evaluate(&state, &web.principal, &id).await {
        Ok(m) => {
            let message = format!("{}: {}", lang.t("assess.evaluated"), m.changes);
            render_assessment(&state, &web, &id, StatusCode::OK, Some(&message)).await
        }
        Err(e) => api_error(lang, e),
    }
}

async fn evidence_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, i64)>,
) -> Response {
    let web = session!(state, headers);
    match assess_api::evidence_download(&state, &web.principal, id, file).await {
        Ok(r) => r,
        Err(e) => api_error(web.lang, e),
    }
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    format: Option<String>,
    lang: Option<String>,
}

async fn report_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let web = session!(state, headers);
    let lang = q.lang.as_deref().and_then(Lang::from_code).unwrap_or(web.lang);
    let result = async {
        let format = assess_api::ReportFormat::parse(q.format.as_deref().unwrap_or("json"))?;
        let loaded = assess_api::load(&state, &web.principal, &id, Role::Viewer).await?;
        let catalog = assess_api::catalog_of(state.catalogs(), &loaded.doc.catalog)?;
        assess_api::render_assessment(catalog, &loaded.doc, lang, format).await
    }
    .await;
    match result {
        Ok((bytes, media)) => ([(header::CONTENT_TYPE, media)], bytes).into_response(),
        Err(e) => api_error(web.lang, e),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Questionnaires and suppliers

#[derive(Deserialize, Default)]
struct CatalogChoice {
    catalog: Option<String>,
}

async fn questionnaires_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CatalogChoice>,
) -> Response {
    let web = session!(state, headers);
    render_questionnaires(&state, &web, q.catalog.as_deref(), StatusCode::OK, None).await
}

/// Checkboxes for every entry of `catalog` under `parent`, nested: a group stands for every assessable entry under it.
fn entry_checkboxes(
    lang: Lang,
    catalog: &Catalog,
    parent: Option<&str>,
    depth: usize,
    counter: &mut usize,
    out: &mut String,
) {
    if depth > 12 {
        return;
    }
    let children: Vec<&Entry> = catalog.children(parent).collect();
    if children.is_empty() {
        return;
    }
    out.push_str("<ul class=\"tree\">");
    for e in children {
        *counter += 1;
        let _ = write!(
            out,
            "<li><input type=\"checkbox\" id=\"pick-{n}\" name=\"entry\" value=\"{v}\"> <label for=\"pick-{n}\">\
             <code>{id}</code> {title}</label>{badge}",
            n = *counter,
            v = esc(&e.id),
            id = esc(&e.id),
            title = esc(e.title.get(cl(lang))),
            badge = if e.is_assessable() {
                String::new()
            } else {
                format!(" <small>({})</small>", esc(e.kind.title(cl(lang))))
            },
        );
        entry_checkboxes(lang, catalog, Some(&e.id), depth + 1, counter, out);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

async fn render_questionnaires(
    state: &AppState,
    web: &Web,
    chosen: Option<&str>,
    status: StatusCode,
    message: Option<&str>,
) -> Response {
    let lang = web.lang;
    if !org_wide(&web.principal, Role::Viewer) {
        return page_error(lang, StatusCode::FORBIDDEN, lang.t("assess.org_only"));
    }
    let list = blocking(state, |store, _| {
        let mut out = Vec::new();
        for q in store.list_questionnaires()? {
            let invites = store.list_invites(q.id)?;
            out.push((q, invites));
        }
        Ok(out)
    })
    .await;
    let list = match list {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!("<h1>{}</h1>{}", lang.t("nav.questionnaires"), notice(message));
    let _ = write!(
        body,
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("assess.title"),
        lang.t("assess.catalog"),
        lang.t("catalog.entries"),
        lang.t("q.sent"),
        lang.t("q.answered"),
    );
    for (q, invites) in &list {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/questionnaires/{}\">{}</a></th><td><code>{}</code></td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            q.id,
            esc(&q.title),
            esc(&q.catalog),
            q.entries.len(),
            invites.len(),
            invites.iter().filter(|i| i.submitted).count(),
        );
    }
    body.push_str("</tbody></table>");
    if org_wide(&web.principal, Role::Editor) {
        let _ = write!(
            body,
            "<h2>{}</h2><form method=\"get\" action=\"/questionnaires\" class=\"stack\">\
             <label for=\"pick-catalog\">{}</label><select id=\"pick-catalog\" name=\"catalog\">{}</select>\
             <button type=\"submit\">{}</button></form>",
            lang.t("q.new"),
            lang.t("assess.catalog"),
            catalog_options(state, lang, chosen),
            lang.t("q.choose_catalog"),
        );
        if let Some(catalog) = chosen.and_then(|c| state.catalogs().get(c).ok()) {
            let mut boxes = String::new();
            let mut counter = 0;
            entry_checkboxes(lang, catalog, None, 0, &mut counter, &mut boxes);
            let _ = write!(
                body,
                "<form method=\"post\" action=\"/questionnaires\" class=\"stack wide\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"catalog\" value=\"{cid}\">\
                 <label for=\"q-title\">{title}</label><input id=\"q-title\" name=\"title\" required>\
                 <fieldset><legend>{entries} — {ctitle}</legend><p>{hint}</p>{boxes}</fieldset>\
                 <button type=\"submit\">{create}</button></form>",
                csrf = esc(&web.csrf),
                cid = esc(&catalog.id),
                title = lang.t("assess.title"),
                entries = lang.t("q.entries"),
                ctitle = esc(catalog.title.get(cl(lang))),
                hint = lang.t("q.entries_hint"),
                create = lang.t("q.create"),
            );
        }
    }
    let mut response = html(lang, web, lang.t("nav.questionnaires"), &body);
    *response.status_mut() = status;
    response
}

async fn create_questionnaire_form(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let web = session!(state, headers);
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let catalog = form_value(&pairs, "catalog").unwrap_or_default().to_owned();
    let title = form_value(&pairs, "title").unwrap_or_default().to_owned();
    let entries: Vec<String> = pairs.iter().filter(|(k, _)| k == "entry").map(|(_, v)| v.clone()).collect();
    match assess_api::create_questionnaire(&state, &web.principal, title, catalog.clone(), entries).await {
        Ok(q) => Redirect::to(&format!("/questionnaires/{}", q.id)).into_response(),
        Err(e) => {
            let status = e.status();
            render_questionnaires(&state, &web, Some(&catalog), status, Some(&e.to_string())).await
        }
    }
}

async fn questionnaire_page(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let web = session!(state, headers);
    render_questionnaire(&state, &web, id, StatusCode::OK, None).await
}

/// The address the browser used, for the personal link (`Host` as the browser sent it).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| {
        !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    });
    match host {
        Some(host) => format!("{}://{host}", if state.config().secure_cookies { "https" } else { "http" }),
        None => String::new(),
    }
}

async fn render_questionnaire(
    state: &AppState,
    web: &Web,
    id: i64,
    status: StatusCode,
    message: Option<String>,
) -> Response {
    let lang = web.lang;
    if !org_wide(&web.principal, Role::Viewer) {
        return page_error(lang, StatusCode::FORBIDDEN, lang.t("assess.org_only"));
    }
    let found = blocking(state, move |store, _| {
        let q = store.questionnaire(id)?.ok_or_else(|| ApiError::NotFound(format!("questionnaire {id}")))?;
        let invites = store.list_invites(id)?;
        Ok((q, invites))
    })
    .await;
    let (q, invites) = match found {
        Ok(f) => f,
        Err(e) => return api_error(lang, e),
    };
    let catalog = state.catalogs().get(&q.catalog).ok();
    let mut body = format!("<h1>{}</h1>", esc(&q.title));
    if let Some(m) = &message {
        body.push_str(m);
    }
    let _ = write!(
        body,
        "<dl><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{} · {}</dd></dl><h2>{}</h2><ol>",
        lang.t("assess.catalog"),
        esc(&q.catalog),
        lang.t("assess.created"),
        esc(&q.created_by),
        q.created.date(),
        lang.t("q.entries"),
    );
    for e in &q.entries {
        let title = catalog.and_then(|c| c.entry(e)).map(|x| x.title.get(cl(lang))).unwrap_or_default();
        let _ = write!(body, "<li><code>{}</code> {}</li>", esc(e), esc(title));
    }
    body.push_str("</ol>");
    let now = OffsetDateTime::now_utc();
    let _ = write!(
        body,
        "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("q.invites"),
        lang.t("q.supplier"),
        lang.t("q.contact"),
        lang.t("q.expires"),
        lang.t("assess.status"),
        lang.t("nav.assessments"),
    );
    for i in &invites {
        let state_text = if i.submitted {
            format!("{} {}", lang.t("q.answered"), i.answered_at.map(|t| t.date().to_string()).unwrap_or_default())
        } else if i.expires_at <= now {
            lang.t("q.expired").to_owned()
        } else {
            lang.t("q.pending").to_owned()
        };
        let link = i
            .assessment_id
            .as_deref()
            .map(|a| format!("<a href=\"/assessments/{}\">{}</a>", enc(a), lang.t("q.view")))
            .unwrap_or_else(|| "—".into());
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
            esc(&i.supplier),
            esc(&i.contact),
            i.expires_at.date(),
            esc(&state_text),
        );
    }
    body.push_str("</tbody></table>");
    if org_wide(&web.principal, Role::Editor) {
        let _ = write!(
            body,
            "<h2>{invite}</h2><form method=\"post\" action=\"/questionnaires/{id}\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"supplier\">{supplier}</label><input id=\"supplier\" name=\"supplier\" required>\
             <label for=\"contact\">{contact}</label><input id=\"contact\" name=\"contact\">\
             <label for=\"days\">{days}</label><input id=\"days\" name=\"expires_days\" type=\"number\" min=\"1\" max=\"365\" value=\"30\">\
             <button type=\"submit\">{send}</button></form>",
            invite = lang.t("q.invite"),
            id = q.id,
            csrf = esc(&web.csrf),
            supplier = lang.t("q.supplier"),
            contact = lang.t("q.contact"),
            days = lang.t("q.days"),
            send = lang.t("q.create_link"),
        );
    }
    let mut response = html(lang, web, &q.title, &body);
    *response.status_mut() = status;
    response
}

async fn invite_form(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, body: Bytes) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let days_text = form_value(&pairs, "expires_days").unwrap_or("30").trim();
    let Ok(days) = days_text.parse::<i64>() else {
        return page_error(
            lang,
            StatusCode::BAD_REQUEST,
            &format!("expires_days: expected a number, found `{days_text}`"),
        );
    };
    let supplier = form_value(&pairs, "supplier").unwrap_or_default().to_owned();
    let contact = form_value(&pairs, "contact").unwrap_or_default().to_owned();
    match assess_api::invite(&state, &web.principal, id, supplier, contact, days).await {
        Ok((invite, token)) => {
            let link = format!("{}/q/{token}", base_url(&state, &headers));
            let message = format!(
                "<div role=\"status\" class=\"notice\"><p>{} {}</p><p><code class=\"link\">{}</code></p><p>{}</p></div>",
                lang.t("q.link_for"),
                esc(&invite.supplier),
                esc(&link),
                lang.t("q.link_once"),
            );
            render_questionnaire(&state, &web, id, StatusCode::OK, Some(message)).await
        }
        Err(e) => api_error(lang, e),
    }
}

async fn suppliers_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = session!(state, headers);
    let lang = web.lang;
    if !org_wide(&web.principal, Role::Viewer) {
        return page_error(lang, StatusCode::FORBIDDEN, lang.t("assess.org_only"));
    }
    let rows = blocking(&state, |store, _| Ok(store.supplier_overview()?)).await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!("<h1>{}</h1>", lang.t("nav.suppliers"));
    if rows.is_empty() {
        let _ = write!(body, "<p>{}</p>", lang.t("q.none"));
    }
    // One table per catalog: its top-level groups are the columns.
    let mut by_catalog: BTreeMap<&str, Vec<&cpsf_store::SupplierRow>> = BTreeMap::new();
    for r in &rows {
        by_catalog.entry(r.questionnaire.catalog.as_str()).or_default().push(r);
    }
    for (catalog_id, rows) in by_catalog {
        let catalog = state.catalogs().get(catalog_id).ok();
        let roots: Vec<&Entry> = catalog.map(|c| c.children(None).collect()).unwrap_or_default();
        let _ = write!(
            body,
            "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th>",
            esc(catalog.map_or(catalog_id, |c| c.title.get(cl(lang)))),
            lang.t("q.supplier"),
            lang.t("nav.questionnaires"),
            lang.t("q.answered"),
            lang.t("assess.overall"),
        );
        for root in &roots {
            let _ =
                write!(body, "<th scope=\"col\"><code>{}</code> {}</th>", esc(&root.id), esc(root.title.get(cl(lang))));
        }
        let _ = write!(body, "<th scope=\"col\">{}</th></tr></thead><tbody>", lang.t("nav.assessments"));
        for r in rows {
            let scores = match (catalog, &r.assessment) {
                (Some(c), Some(a)) => assess_api::parse_document(a).ok().map(|doc| score::compute(c, &doc)),
                _ => None,
            };
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td><a href=\"/questionnaires/{}\">{}</a></td><td>{}</td><td>{}</td>",
                esc(&r.invite.supplier),
                r.questionnaire.id,
                esc(&r.questionnaire.title),
                r.invite.answered_at.map_or_else(|| lang.t("q.pending").to_owned(), |t| t.date().to_string()),
                score_text(scores.as_ref().and_then(|s| s.overall.score)),
            );
            for root in &roots {
                let value = scores.as_ref().and_then(|s| s.by_entry.get(&root.id)).and_then(|s| s.score);
                let _ = write!(body, "<td>{}</td>", score_text(value));
            }
            let link = r
                .invite
                .assessment_id
                .as_deref()
                .map(|a| format!("<a href=\"/assessments/{}\">{}</a>", enc(a), lang.t("q.view")))
                .unwrap_or_else(|| "—".into());
            let _ = write!(body, "<td>{link}</td></tr>");
        }
        body.push_str("</tbody></table>");
    }
    html(lang, &web, lang.t("nav.suppliers"), &body)
}

// ---------------------------------------------------------------------------------------------------------------
// The public supplier page

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

/// The page's language: `?lang=`, then the language cookie, then `Accept-Language`. Whether it was asked for (so
/// the cookie is set).
fn public_lang(headers: &HeaderMap, asked: Option<&str>) -> (Lang, bool) {
    match asked.and_then(Lang::from_code) {
        Some(lang) => (lang, true),
        None => (lang_of(headers), false),
    }
}

fn public_layout(lang: Lang, token: Option<&str>, title: &str, body: &str) -> String {
    let switch = match token {
        Some(token) => format!(
            "<p class=\"lang\">{}: <a href=\"/q/{t}?lang=ja\" lang=\"ja\" hreflang=\"ja\"{ja}>日本語</a> · \
             <a href=\"/q/{t}?lang=en\" lang=\"en\" hreflang=\"en\"{en}>English</a></p>",
            lang.t("nav.language"),
            t = enc(token),
            ja = if lang == Lang::Ja { " aria-current=\"true\"" } else { "" },
            en = if lang == Lang::En { " aria-current=\"true\"" } else { "" },
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title} · cpsf</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body>\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header><span class=\"brand\">cpsf</span>{switch}</header>\
         <main id=\"main\">{body}</main></body></html>",
        code = lang.code(),
        title = esc(title),
    )
}

/// A public page: no caching, no referrer (the link is the supplier's key), the language cookie when asked.
fn public_response(status: StatusCode, html: String, set_lang: Option<Lang>, csrf: Option<(&str, bool)>) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if let Some(lang) = set_lang
        && let Ok(v) =
            HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        headers.append(header::SET_COOKIE, v);
    }
    if let Some((token, secure)) = csrf
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{QUESTIONNAIRE_CSRF_COOKIE}={token}; Path=/q/; HttpOnly; SameSite=Strict{}",
            if secure { "; Secure" } else { "" }
        ))
    {
        headers.append(header::SET_COOKIE, v);
    }
    response
}

/// Unknown or expired link: the same answer in both languages.
fn public_not_found(lang: Lang) -> Response {
    let body = format!(
        "<h1>404</h1><p role=\"alert\" lang=\"en\">{}</p><p role=\"alert\" lang=\"ja\">{}</p>",
        esc(crate::i18n::MESSAGES.iter().find(|m| m.0 == "q.gone").map_or("", |m| m.1)),
        esc(crate::i18n::MESSAGES.iter().find(|m| m.0 == "q.gone").map_or("", |m| m.2)),
    );
    public_response(StatusCode::NOT_FOUND, public_layout(lang, None, "404", &body), None, None)
}

fn public_error(lang: Lang, token: &str, status: StatusCode, message: &str) -> Response {
    let body = format!("<h1>{}</h1><p role=\"alert\" class=\"error\">{}</p>", status.as_u16(), esc(message));
    public_response(status, public_layout(lang, Some(token), &status.as_u16().to_string(), &body), None, None)
}

/// The CSRF value of this browser's questionnaire form: the cookie it has (when well formed), else a new one.
fn questionnaire_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, QUESTIONNAIRE_CSRF_COOKIE)
        .filter(|c| c.len() >= 16 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_')))
    {
        Some(existing) => (existing, false),
        None => (random_string(16).unwrap_or_default(), true),
    }
}

/// What the public page needs: the invitation, its questionnaire, the catalog, and the answers so far.
struct Opened {
    invite: cpsf_store::Invite,
    questionnaire: cpsf_store::Questionnaire,
    catalog: Catalog,
    existing: Option<(cpsf_store::StoredAssessment, Assessment)>,
}

async fn open_invite(state: &AppState, token: &str) -> Result<Option<Opened>, ApiError> {
    let digest = token_digest(token);
    blocking(state, move |store, catalogs| {
        let Some((invite, questionnaire)) = store.invite_by_token(&digest, OffsetDateTime::now_utc())? else {
            return Ok(None);
        };
        let Ok(catalog) = catalogs.get(&questionnaire.catalog) else { return Ok(None) };
        let existing = match invite.assessment_id.as_deref() {
            Some(id) => match store.assessment(id)? {
                Some(stored) => {
                    let mut doc = assess_api::parse_document(&stored)?;
                    cpsf_assess::io::reconcile(&mut doc, catalog);
                    Some((stored, doc))
                }
                None => None,
            },
            None => None,
        };
        Ok(Some(Opened { invite, questionnaire, catalog: catalog.clone(), existing }))
    })
    .await
}

/// The statuses a supplier may give.
const SUPPLIER_STATUSES: [Status; 5] =
    [Status::NotAssessed, Status::Implemented, Status::Partially, Status::NotImplemented, Status::NotApplicable];

fn public_form(lang: Lang, token: &str, opened: &Opened, csrf: &str, message: Option<&str>) -> String {
    let catalog = &opened.catalog;
    let mut body = format!(
        "<h1>{}</h1>{}<p>{} <strong>{}</strong>. {} {}.</p><p>{}</p>",
        esc(&opened.questionnaire.title),
        notice(message),
        lang.t("q.for"),
        esc(&opened.invite.supplier),
        lang.t("q.expires"),
        opened.invite.expires_at.date(),
        lang.t("q.intro"),
    );
    if let Some(at) = opened.invite.answered_at {
        let _ = write!(body, "<p role=\"status\" class=\"notice\">{} {}</p>", lang.t("q.already"), at.date());
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/q/{}\" enctype=\"multipart/form-data\" class=\"stack wide\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        enc(token),
        esc(csrf)
    );
    for (i, entry_id) in opened.questionnaire.entries.iter().enumerate() {
        let entry = catalog.entry(entry_id);
        let title = entry.map_or(entry_id.as_str(), |e| e.title.get(cl(lang)));
        let summary = entry.map(|e| e.summary.get(cl(lang))).unwrap_or_default();
        let previous = opened.existing.as_ref().and_then(|(_, doc)| doc.result(entry_id));
        let current = previous.map_or(Status::NotAssessed, |r| r.status);
        let options: String = SUPPLIER_STATUSES
            .iter()
            .map(|s| {
                let label = if *s == Status::NotAssessed { lang.t("q.unanswered") } else { s.title(cl(lang)) };
                format!(
                    "<option value=\"{}\"{}>{}</option>",
                    s.as_str(),
                    if *s == current { " selected" } else { "" },
                    esc(label)
                )
            })
            .collect();
        let _ = write!(
            body,
            "<fieldset><legend><code>{id}</code> {title}</legend>{summary}\
             <label for=\"status-{i}\">{status}</label><select id=\"status-{i}\" name=\"status-{i}\">{options}</select>\
             <label for=\"comments-{i}\">{comments}</label>\
             <textarea id=\"comments-{i}\" name=\"comments-{i}\" rows=\"3\">{comments_v}</textarea>\
             <label for=\"files-{i}\">{files}</label><input id=\"files-{i}\" name=\"files-{i}\" type=\"file\" multiple>\
             {evidence}</fieldset>",
            id = esc(entry_id),
            title = esc(title),
            summary = if summary.is_empty() { String::new() } else { format!("<p>{}</p>", esc(summary)) },
            status = lang.t("assess.status"),
            comments = lang.t("assess.comments"),
            comments_v = esc(previous.and_then(|r| r.comments.as_deref()).unwrap_or_default()),
            files = lang.t("q.files"),
            evidence = previous
                .map(|r| {
                    r.evidence
                        .iter()
                        .filter_map(|e| match e {
                            Evidence::File { name, .. } => Some(format!("<li>{}</li>", esc(name))),
                            Evidence::Link { .. } => None,
                        })
                        .collect::<String>()
                })
                .filter(|s| !s.is_empty())
                .map(|s| format!("<ul class=\"evidence\">{s}</ul>"))
                .unwrap_or_default(),
        );
    }
    let _ = write!(body, "<button type=\"submit\">{}</button></form>", lang.t("q.submit"));
    body
}

async fn public_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, asked) = public_lang(&headers, q.lang.as_deref());
    let opened = match open_invite(&state, &token).await {
        Ok(Some(o)) => o,
        Ok(None) => return public_not_found(lang),
        Err(e) => return public_error(lang, &token, e.status(), &public_message(&e)),
    };
    let (csrf, fresh) = questionnaire_csrf(&headers);
    let body = public_form(lang, &token, &opened, &csrf, None);
    public_response(
        StatusCode::OK,
        public_layout(lang, Some(&token), &opened.questionnaire.title, &body),
        asked.then_some(lang),
        fresh.then_some((csrf.as_str(), state.config().secure_cookies)),
    )
}

/// What a supplier is told about an error (no internals).
fn public_message(e: &ApiError) -> String {
    match e {
        ApiError::Internal(_) => "internal error; please try again later".to_owned(),
        other => other.to_string(),
    }
}

/// One answered entry.
struct Answer {
    entry: String,
    status: Status,
    comments: String,
}

async fn public_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    mut form: Multipart,
) -> Response {
    let (lang, _) = public_lang(&headers, None);
    let limit = state.config().max_upload;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut uploads: Vec<(usize, String, String, Vec<u8>)> = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return public_error(lang, &token, StatusCode::BAD_REQUEST, &format!("form: {e}")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let media = field.content_type().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return public_error(lang, &token, StatusCode::BAD_REQUEST, &format!("form field `{name}`: {e}")),
        };
        if let Some(index) = name.strip_prefix("files-").and_then(|i| i.parse::<usize>().ok()) {
            if bytes.is_empty() && file_name.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            if bytes.len() > limit {
                let e = ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 };
                return public_error(lang, &token, e.status(), &e.to_string());
            }
            uploads.push((
                index,
                clean_file_name(file_name.as_deref()),
                clean_media_type(media.as_deref()),
                bytes.to_vec(),
            ));
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    // The form token must match this browser's cookie: another site can make a browser post, but not read or set it.
    let sent = fields.get("csrf").map(String::as_str).unwrap_or_default();
    let expected = cookie(&headers, QUESTIONNAIRE_CSRF_COOKIE).unwrap_or_default();
    if sent.is_empty() || !secrets_equal(sent, &expected) {
        return public_error(lang, &token, StatusCode::FORBIDDEN, lang.t("q.expired_form"));
    }
    let opened = match open_invite(&state, &token).await {
        Ok(Some(o)) => o,
        Ok(None) => return public_not_found(lang),
        Err(e) => return public_error(lang, &token, e.status(), &public_message(&e)),
    };
    let mut answers = Vec::new();
    for (i, entry) in opened.questionnaire.entries.iter().enumerate() {
        let status_text = fields.get(&format!("status-{i}")).map_or("not-assessed", |s| s.as_str());
        let Some(status) = Status::parse(status_text) else {
            return public_error(lang, &token, StatusCode::BAD_REQUEST, &format!("status-{i}: `{status_text}`"));
        };
        let comments = fields.get(&format!("comments-{i}")).map(|c| c.trim().to_owned()).unwrap_or_default();
        if comments.chars().count() > 20_000 {
            return public_error(
                lang,
                &token,
                StatusCode::BAD_REQUEST,
                &format!("comments-{i}: at most 20000 characters"),
            );
        }
        answers.push(Answer { entry: entry.clone(), status, comments });
    }
    let mut files = Vec::new();
    let mut sboms = Vec::new();
    for (index, name, media_type, content) in uploads {
        let Some(entry) = opened.questionnaire.entries.get(index) else {
            return public_error(lang, &token, StatusCode::BAD_REQUEST, &format!("files-{index}: no such question"));
        };
        // An SBOM among the files is also registered for vulnerability monitoring.
        if cpsf_sbom::read(&content, &name).is_ok() {
            sboms.push(content.clone());
        }
        files.push(NewEvidenceFile { entry: entry.clone(), name, media_type, content });
    }
    let supplier = opened.invite.supplier.clone();
    let who = format!("supplier:{supplier}");
    // SBOMs first, through the same path as every upload (stored and matched): product = the supplier.
    let today = cpsf_assess::date(OffsetDateTime::now_utc());
    let principal = Principal { user: who.clone(), role: Role::Editor, access: Vec::new() };
    let mut registered = Vec::new();
    for (n, document) in sboms.into_iter().enumerate() {
        let version =
            if n == 0 { format!("questionnaire-{today}") } else { format!("questionnaire-{today}-{}", n + 1) };
        match crate::api::ingest(&state, &principal, supplier.clone(), version.clone(), true, document).await {
            Ok(_) => registered.push(version),
            Err(e) => return public_error(lang, &token, e.status(), &public_message(&e)),
        }
    }
    // Then the answers, the files and the invitation, in one transaction.
    let invite_id = opened.invite.id;
    let questionnaire_title = opened.questionnaire.title.clone();
    let result = blocking(&state, move |store, _| {
        let catalog = &opened.catalog;
        let now = cpsf_assess::rfc3339(OffsetDateTime::now_utc());
        let (base, revision, new) = match opened.existing {
            Some((stored, doc)) => {
                let new = NewAssessment {
                    id: stored.id.clone(),
                    catalog: stored.catalog.clone(),
                    scope_kind: stored.scope_kind.clone(),
                    scope_name: stored.scope_name.clone(),
                    document: stored.document.clone(),
                };
                (doc, Some(stored.revision), new)
            }
            None => {
                let scope = Scope { name: supplier.clone(), kind: ScopeKind::Supplier };
                let mut doc = Assessment::new(catalog, scope, lang.into(), &now);
                doc.title = Some(questionnaire_title);
                let new = NewAssessment {
                    id: doc.id.clone(),
                    catalog: doc.catalog.clone(),
                    scope_kind: ScopeKind::Supplier.as_str().to_owned(),
                    scope_name: supplier.clone(),
                    document: serde_json::to_string(&doc)
                        .map_err(|e| ApiError::Internal(format!("writing an assessment: {e}")))?,
                };
                (doc, None, new)
            }
        };
        let submission =
            Submission { invite_id, assessment: &new, revision, files: &files, now: OffsetDateTime::now_utc() };
        let make = |stored: &[cpsf_store::EvidenceFileInfo]| -> Result<String, StoreError> {
            let mut doc = base.clone();
            for answer in &answers {
                let update = Update {
                    status: Some(answer.status),
                    comments: Some(answer.comments.clone()),
                    add_evidence: stored
                        .iter()
                        .filter(|f| f.entry == answer.entry)
                        .map(|f| assess_api::file_evidence(f, &now))
                        .collect(),
                    ..Update::default()
                };
                edit::apply(&mut doc, catalog, &answer.entry, &update, &who, &now)
                    .map_err(|e| StoreError::Invalid { what: e.to_string() })?;
            }
            score::record_snapshot(catalog, &mut doc, &now);
            serde_json::to_string(&doc).map_err(|e| StoreError::Invalid { what: e.to_string() })
        };
        store.submit_answers(&submission, &who, &make)?;
        Ok(answers)
    })
    .await;
    let answers = match result {
        Ok(a) => a,
        Err(e) => return public_error(lang, &token, e.status(), &public_message(&e)),
    };
    let mut body = format!(
        "<h1>{}</h1><p role=\"status\" class=\"notice\">{}</p><ul>",
        lang.t("q.thanks_title"),
        lang.t("q.thanks"),
    );
    for a in &answers {
        let label = if a.status == Status::NotAssessed { lang.t("q.unanswered") } else { a.status.title(cl(lang)) };
        let _ = write!(body, "<li><code>{}</code>: {}</li>", esc(&a.entry), esc(label));
    }
    body.push_str("</ul>");
    for version in &registered {
        let _ = write!(body, "<p>{} <code>{}</code></p>", lang.t("q.sbom_registered"), esc(version));
    }
    let _ = write!(body, "<p><a href=\"/q/{}\">{}</a></p>", enc(&token), lang.t("q.change"));
    public_response(StatusCode::OK, public_layout(lang, Some(&token), lang.t("q.thanks_title"), &body), None, None)
}
