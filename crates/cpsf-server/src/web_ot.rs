//! The web pages of factory systems and IoT, rendered on the server like the rest of the UI (no script, a CSRF token
//! in every form): the sites and their plants, the asset table (filters by zone, kind and vendor; spreadsheet
//! import and CSV/XLSX/hardware-BOM export), an asset's facts with their provenance and its findings (device
//! advisories next to the software findings of its linked SBOMs), the zones and conduits as an inline SVG diagram
//! (zones grouped by Purdue level, conduits labelled with their protocols, flows that break a conduit in red and
//! listed, with a text alternative), the review of discovered devices (capture upload, candidates with their
//! suggested kind and conflicting values, checkboxes to merge), the communication matrix, IoT-SSF categories
//! (marked unverified as cpsf-ot marks them) and device advisories (CSAF upload and findings).
//!
//! Every page needs an organization-wide user (see `ot_api`); forms that change anything need an editor.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cpsf_ot::asset::{Asset, AssetField, AssetKind};
use cpsf_ot::conduit::{self, Breach, ConduitReport};
use cpsf_ot::iotssf::Scheme;
use cpsf_ot::model::{Direction, Plant};
use cpsf_store::{AssetFindingFilter, Role};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::secrets_equal;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::ot_api::{self, blocking};
use crate::web::{Web, api_error, csrf_rejection, enc, esc, form_pairs, form_value, html, page_error, web};

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites", get(sites_page).post(create_site))
        .route("/sites/{site}", get(site_page))
        .route("/sites/{site}/plant", post(plant_upload))
        .route("/sites/{site}/plant.yaml", get(plant_download))
        .route("/sites/{site}/assets", get(assets_page))
        .route("/sites/{site}/assets/import", post(import_form))
        .route("/sites/{site}/export", get(export_download))
        .route("/sites/{site}/assets/{asset}", get(asset_page).post(asset_form))
        .route("/sites/{site}/zones", get(zones_page))
        .route("/sites/{site}/discovered", get(discovered_page))
        .route("/sites/{site}/discovered/merge", post(merge_form))
        .route("/sites/{site}/captures", post(capture_form))
        .route("/sites/{site}/captures/{id}/pcap", get(capture_download))
        .route("/sites/{site}/matrix", get(matrix_page))
        .route("/sites/{site}/iotssf", get(iotssf_page))
        .route("/device-advisories", get(advisories_page).post(advisory_form))
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

fn notice(text: Option<&str>) -> String {
    text.map(|n| format!("<p role=\"status\" class=\"notice\">{}</p>", esc(n))).unwrap_or_default()
}

fn alert(text: &str) -> String {
    format!("<p role=\"alert\" class=\"error\">{}</p>", esc(text))
}

/// The signed-in user, who must reach plants with `needed`.
async fn session(state: &AppState, headers: &HeaderMap, needed: Role) -> Result<Web, Response> {
    let web = web(state, headers).await?;
    if let Err(e) = ot_api::require(&web.principal, needed, "use plants") {
        return Err(api_error(web.lang, e));
    }
    Ok(web)
}

fn is_editor(web: &Web) -> bool {
    ot_api::require(&web.principal, Role::Editor, "change plants").is_ok()
}

/// A time in microseconds since the epoch as `YYYY-MM-DD HH:MM:SS` UTC.
fn micros(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.div_euclid(1_000_000))
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")).ok())
        .unwrap_or_else(|| t.to_string())
}

fn kind_label(lang: Lang, kind: AssetKind) -> String {
    if lang == Lang::Ja { kind.label_ja().to_owned() } else { kind.as_str().to_owned() }
}

/// The sub-navigation of a site's pages.
fn site_nav(lang: Lang, site: &str, current: &str) -> String {
    let items = [
        ("", "ot.overview"),
        ("/assets", "ot.assets"),
        ("/zones", "ot.zones"),
        ("/discovered", "ot.discovered"),
        ("/matrix", "ot.matrix"),
        ("/iotssf", "ot.iotssf"),
    ];
    let mut out = format!("<nav aria-label=\"{}\" class=\"sub\"><ul>", esc(lang.t("ot.site_pages")));
    for (path, key) in items {
        let here = if path == current { " aria-current=\"page\"" } else { "" };
        let _ = write!(out, "<li><a href=\"/sites/{}{path}\"{here}>{}</a></li>", enc(site), lang.t(key));
    }
    out.push_str("</ul></nav>");
    out
}

fn heading(lang: Lang, site: &str, title: &str) -> String {
    format!(
        "<p class=\"crumbs\"><a href=\"/sites\">{}</a> › <a href=\"/sites/{}\">{}</a></p><h1>{}</h1>",
        lang.t("nav.plants"),
        enc(site),
        esc(site),
        esc(title)
    )
}

async fn load(state: &AppState, site: &str) -> Result<ot_api::LoadedPlant, ApiError> {
    let site = site.to_owned();
    blocking(state, move |store| ot_api::load_plant_sync(store, &site)).await
}

fn unverified_badge(lang: Lang) -> String {
    format!("<span class=\"badge unverified\">{}</span>", lang.t("ot.unverified"))
}

// ---------------------------------------------------------------------------------------------------------------
// Sites

async fn sites_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_sites(&state, &web, None).await
}

async fn render_sites(state: &AppState, web: &Web, message: Option<&str>) -> Response {
    let lang = web.lang;
    let list = match blocking(state, |store| Ok(store.list_plants()?)).await {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!("<h1>{}</h1>{}<p>{}</p>", lang.t("nav.plants"), notice(message), lang.t("ot.sites_intro"));
    let _ = write!(
        body,
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.site"),
        lang.t("ot.plant_name"),
        lang.t("ot.assets"),
        lang.t("ot.zones_count"),
        lang.t("ot.updated")
    );
    for stored in &list {
        let plant: Option<Plant> = serde_json::from_str(&stored.document).ok();
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/sites/{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
            enc(&stored.site),
            esc(&stored.site),
            esc(plant.as_ref().and_then(|p| p.name.as_deref()).unwrap_or("—")),
            plant.as_ref().map_or(0, |p| p.assets.len()),
            plant.as_ref().map_or(0, |p| p.zones.len()),
            stored.updated.date(),
            esc(&stored.updated_by)
        );
    }
    body.push_str("</tbody></table>");
    if is_editor(web) {
        let _ = write!(
            body,
            "<h2>{}</h2><form method=\"post\" action=\"/sites\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"site\">{}</label><input id=\"site\" name=\"site\" required maxlength=\"200\">\
             <label for=\"name\">{}</label><input id=\"name\" name=\"name\">\
             <button type=\"submit\">{}</button></form>",
            lang.t("ot.new_site"),
            esc(&web.csrf),
            lang.t("ot.site"),
            lang.t("ot.plant_name"),
            lang.t("ot.create")
        );
    }
    html(lang, web, lang.t("nav.plants"), &body)
}

async fn create_site(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let site = form_value(&pairs, "site").unwrap_or_default().trim().to_owned();
    let name = form_value(&pairs, "name").map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    if site.is_empty() || site.contains('/') || site.chars().any(char::is_control) {
        let message = web.lang.t("ot.bad_site");
        return render_sites(&state, &web, Some(message)).await;
    }
    let who = web.principal.user.clone();
    let s = site.clone();
    let result = blocking(&state, move |store| {
        let plant = Plant { name: name.or_else(|| Some(s.clone())), ..Plant::default() };
        ot_api::save_plant_sync(store, &s, Some(0), &plant, &who, serde_json::json!({ "via": "web" }))
    })
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/sites/{}", enc(&site))).into_response(),
        Err(e) => render_sites(&state, &web, Some(&e.to_string())).await,
    }
}

async fn site_page(State(state): State<AppState>, headers: HeaderMap, Path(site): Path<String>) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_site(&state, &web, &site, None).await
}

async fn render_site(state: &AppState, web: &Web, site: &str, message: Option<&str>) -> Response {
    let lang = web.lang;
    let loaded = match load(state, site).await {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let s = site.to_owned();
    let counts = blocking(state, move |store| {
        let findings =
            store.list_asset_findings(&AssetFindingFilter { site: Some(s.clone()), ..Default::default() })?;
        Ok((store.list_captures(&s)?.len(), findings.iter().filter(|f| f.status == "affected").count()))
    })
    .await;
    let (captures, affected) = counts.unwrap_or((0, 0));
    let plant = &loaded.plant;
    let title = plant.name.clone().unwrap_or_else(|| site.to_owned());
    let mut body = heading(lang, site, &title);
    body.push_str(&site_nav(lang, site, ""));
    body.push_str(message.unwrap_or_default());
    let _ = write!(
        body,
        "<ul class=\"counts\"><li><a href=\"/sites/{s}/assets\"><span class=\"n\">{}</span> {}</a></li>\
         <li><a href=\"/sites/{s}/zones\"><span class=\"n\">{}</span> {}</a></li>\
         <li><a href=\"/sites/{s}/zones\"><span class=\"n\">{}</span> {}</a></li>\
         <li><a href=\"/sites/{s}/discovered\"><span class=\"n\">{captures}</span> {}</a></li>\
         <li><a href=\"/device-advisories\"><span class=\"n\">{affected}</span> {}</a></li></ul>",
        plant.assets.len(),
        lang.t("ot.assets"),
        plant.zones.len(),
        lang.t("ot.zones_count"),
        plant.conduits.len(),
        lang.t("ot.conduits"),
        lang.t("ot.captures"),
        lang.t("ot.affected_assets"),
        s = enc(site),
    );
    if let Some(d) = &plant.description {
        let _ = write!(body, "<p>{}</p>", esc(d));
    }
    // Operations and zones with their derived importance and SL gaps.
    let _ = write!(
        body,
        "<h2>{}</h2><table><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.operations"),
        lang.t("ot.name"),
        lang.t("ot.importance"),
        lang.t("ot.zones_count")
    );
    for o in &plant.operations {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&o.id),
            esc(o.name.as_deref().unwrap_or("—")),
            o.importance.map(|i| i.to_string()).unwrap_or_else(|| "—".into()),
            esc(&o.zones.join(", "))
        );
    }
    body.push_str("</tbody></table>");
    let gaps = plant.sl_gaps();
    let _ = write!(body, "<h2>{}</h2>", lang.t("ot.sl_gaps"));
    if gaps.is_empty() {
        let _ = write!(body, "<p>{}</p>", lang.t("ot.none"));
    } else {
        let _ = write!(
            body,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">FR</th><th scope=\"col\">SL-T</th><th scope=\"col\">SL-A</th></tr></thead><tbody>",
            lang.t("ot.zone")
        );
        for g in &gaps {
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.zone),
                g.fr.as_str().to_uppercase(),
                g.target,
                g.achieved
            );
        }
        body.push_str("</tbody></table>");
    }
    let _ = write!(
        body,
        "<h2>{}</h2><table><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.measures"),
        lang.t("ot.name"),
        lang.t("ot.kind"),
        lang.t("ot.catalog_entry"),
        lang.t("ot.status")
    );
    for m in &plant.measures {
        let kind = serde_json::to_value(m.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let status =
            serde_json::to_value(m.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let entry = m.catalog_entry.as_deref().map(|e| e.rsplit(':').next().unwrap_or(e).to_owned());
        let link = entry
            .map(|e| format!("<a href=\"/catalogs/meti-factory-1.0#{}\">{}</a>", enc(&e), esc(&e)))
            .unwrap_or_else(|| "—".into());
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{link}</td><td>{}</td></tr>",
            esc(&m.id),
            esc(&m.title),
            esc(&kind),
            esc(&status)
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<h2>{}</h2><p><a href=\"/sites/{}/plant.yaml\">{}</a> · {} {}</p>",
        lang.t("ot.plant_file"),
        enc(site),
        lang.t("ot.download_yaml"),
        lang.t("ot.revision"),
        loaded.stored.revision
    );
    if is_editor(web) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/sites/{}/plant\" enctype=\"multipart/form-data\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"revision\" value=\"{}\">\
             <label for=\"plant-file\">{}</label><input id=\"plant-file\" name=\"file\" type=\"file\" required>\
             <button type=\"submit\">{}</button></form>",
            enc(site),
            esc(&web.csrf),
            loaded.stored.revision,
            lang.t("ot.plant_upload"),
            lang.t("ot.replace_plant")
        );
    }
    html(lang, web, &title, &body)
}

async fn plant_download(State(state): State<AppState>, headers: HeaderMap, Path(site): Path<String>) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match load(&state, &site)
        .await
        .and_then(|l| cpsf_ot::model::write_plant(&l.plant).map_err(|e| ApiError::Internal(e.to_string())))
    {
        Ok(text) => {
            ot_api::attachment(text.into_bytes(), "application/yaml; charset=utf-8", &format!("{site}.plant.yaml"))
        }
        Err(e) => api_error(web.lang, e),
    }
}

/// Read a multipart form: fields as text, files as (name, bytes).
async fn multipart(
    mut form: Multipart,
    limit: usize,
) -> Result<(BTreeMap<String, String>, Vec<(String, String, Vec<u8>)>), ApiError> {
    let mut fields = BTreeMap::new();
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest(format!("form: {e}")))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| ApiError::BadRequest(format!("form field `{name}`: {e}")))?;
        if bytes.len() > limit {
            return Err(ApiError::TooLarge { size: bytes.len() as u64, limit: limit as u64 });
        }
        match file_name {
            Some(f) => {
                if !bytes.is_empty() {
                    files.push((name, crate::assess_api::clean_file_name(Some(&f)), bytes.to_vec()));
                }
            }
            None => {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok((fields, files))
}

fn form_csrf_ok(web: &Web, fields: &BTreeMap<String, String>) -> bool {
    fields.get("csrf").is_some_and(|c| secrets_equal(c.trim(), &web.csrf))
}

fn expired(web: &Web) -> Response {
    page_error(
        web.lang,
        StatusCode::FORBIDDEN,
        "The form has expired or did not come from this site. Reload the page and try again.",
    )
}

async fn plant_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    form: Multipart,
) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let (fields, files) = match multipart(form, state.config().max_upload).await {
        Ok(f) => f,
        Err(e) => return api_error(lang, e),
    };
    if !form_csrf_ok(&web, &fields) {
        return expired(&web);
    }
    let Some((_, name, bytes)) = files.into_iter().next() else {
        return render_site(&state, &web, &site, Some(&alert(lang.t("ot.no_file")))).await;
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let plant = match ot_api::parse_plant(&name, &text) {
        Ok(p) => p,
        Err(rejection) => {
            let mut message = alert(&format!("{} {}", lang.t("ot.plant_rejected"), rejection.message));
            if !rejection.problems.is_empty() {
                message.push_str("<ul class=\"problems\">");
                for p in &rejection.problems {
                    let _ = write!(message, "<li><code>{}</code>: {}</li>", esc(&p.path), esc(&p.message));
                }
                message.push_str("</ul>");
            }
            let mut response = render_site(&state, &web, &site, Some(&message)).await;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return response;
        }
    };
    let expected = fields.get("revision").and_then(|r| r.trim().parse().ok());
    let who = web.principal.user.clone();
    let s = site.clone();
    let result = blocking(&state, move |store| {
        ot_api::save_plant_sync(store, &s, expected, &plant, &who, serde_json::json!({ "via": "web", "file": name }))
    })
    .await;
    match result {
        Ok((stored, _)) => {
            let text = format!("{} {}", lang.t("ot.plant_saved"), stored.revision);
            render_site(&state, &web, &site, Some(&notice(Some(&text)))).await
        }
        Err(e) => render_site(&state, &web, &site, Some(&alert(&e.to_string()))).await,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Assets

#[derive(Deserialize, Default)]
struct AssetFilter {
    zone: Option<String>,
    kind: Option<String>,
    vendor: Option<String>,
}

async fn assets_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<AssetFilter>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_assets(&state, &web, &site, &q, None).await
}

async fn render_assets(state: &AppState, web: &Web, site: &str, q: &AssetFilter, message: Option<&str>) -> Response {
    let lang = web.lang;
    let loaded = match load(state, site).await {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let plant = &loaded.plant;
    let mut body = heading(lang, site, lang.t("ot.assets"));
    body.push_str(&site_nav(lang, site, "/assets"));
    body.push_str(message.unwrap_or_default());
    // Filters.
    let zone = q.zone.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let vendor = q.vendor.clone().unwrap_or_default();
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/sites/{}/assets\" class=\"filters\" role=\"search\"><label for=\"f-zone\">{}</label>\
         <select id=\"f-zone\" name=\"zone\"><option value=\"\">{}</option>",
        enc(site),
        lang.t("ot.zone"),
        lang.t("ot.all")
    );
    for z in &plant.zones {
        let selected = if z.id == zone { " selected" } else { "" };
        let _ = write!(body, "<option value=\"{0}\"{selected}>{0}</option>", esc(&z.id));
    }
    let _ = write!(
        body,
        "</select><label for=\"f-kind\">{}</label><select id=\"f-kind\" name=\"kind\"><option value=\"\">{}</option>",
        lang.t("ot.kind"),
        lang.t("ot.all")
    );
    for k in AssetKind::ALL {
        let selected = if k.as_str() == kind { " selected" } else { "" };
        let _ = write!(body, "<option value=\"{}\"{selected}>{}</option>", k.as_str(), esc(&kind_label(lang, k)));
    }
    let _ = write!(
        body,
        "</select><label for=\"f-vendor\">{}</label><input id=\"f-vendor\" name=\"vendor\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        lang.t("ot.vendor"),
        esc(&vendor),
        lang.t("ot.filter")
    );
    let shown: Vec<&Asset> =
        plant.assets.iter().filter(|a| ot_api::asset_filter(a, Some(&zone), Some(&kind), Some(&vendor))).collect();
    let _ = write!(
        body,
        "<p role=\"status\">{} / {} {}</p><table class=\"assets\"><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">IP</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        shown.len(),
        plant.assets.len(),
        lang.t("ot.assets"),
        lang.t("ot.name"),
        lang.t("ot.kind"),
        lang.t("ot.vendor"),
        lang.t("ot.model"),
        lang.t("ot.firmware"),
        lang.t("ot.zone"),
        lang.t("ot.importance"),
        lang.t("ot.source")
    );
    for a in shown {
        let source = a.source.as_ref().map(|s| s.kind.as_str()).unwrap_or("declared");
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/sites/{}/assets/{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"provenance\">{}</td></tr>",
            enc(site),
            enc(&a.id),
            esc(&a.id),
            esc(a.name.as_deref().unwrap_or("—")),
            esc(&a.kind.map(|k| kind_label(lang, k)).unwrap_or_else(|| "—".into())),
            esc(a.vendor.as_deref().unwrap_or("—")),
            esc(a.model.as_deref().unwrap_or("—")),
            esc(a.firmware.as_deref().or(a.software.as_deref()).unwrap_or("—")),
            esc(&a.ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")),
            esc(a.zone.as_deref().unwrap_or("—")),
            a.importance.map(|i| i.to_string()).unwrap_or_else(|| "—".into()),
            esc(source)
        );
    }
    body.push_str("</tbody></table>");
    // Export.
    let _ = write!(body, "<h2>{}</h2><ul>", lang.t("ot.export"));
    for (format, label) in [("csv", "CSV"), ("xlsx", "XLSX"), ("hbom", "CycloneDX HBOM")] {
        let _ = write!(
            body,
            "<li><a href=\"/sites/{s}/export?format={format}&amp;lang={l}\">{label}</a></li>",
            s = enc(site),
            l = lang.code()
        );
    }
    body.push_str("</ul>");
    if is_editor(web) {
        let _ = write!(
            body,
            "<h2>{}</h2><form method=\"post\" action=\"/sites/{}/assets/import\" enctype=\"multipart/form-data\" class=\"stack wide\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"import-file\">{}</label><input id=\"import-file\" name=\"file\" type=\"file\" multiple required>\
             <label for=\"import-sheet\">{}</label><input id=\"import-sheet\" name=\"sheet\">\
             <label for=\"import-mapping\">{}</label><textarea id=\"import-mapping\" name=\"mapping\" rows=\"4\" placeholder=\"columns:&#10;  設備名: name\"></textarea>\
             <label><input type=\"checkbox\" name=\"dry_run\" value=\"true\"> {}</label>\
             <button type=\"submit\">{}</button></form>",
            lang.t("ot.import"),
            enc(site),
            esc(&web.csrf),
            lang.t("ot.import_file"),
            lang.t("ot.sheet"),
            lang.t("ot.mapping"),
            lang.t("ot.dry_run"),
            lang.t("ot.import")
        );
    }
    html(lang, web, lang.t("ot.assets"), &body)
}

async fn import_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    form: Multipart,
) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let form = match ot_api::read_import_form(form, state.config().max_upload).await {
        Ok(f) => f,
        Err(e) => {
            return render_assets(&state, &web, &site, &AssetFilter::default(), Some(&alert(&e.to_string()))).await;
        }
    };
    if !form.csrf.as_deref().is_some_and(|c| secrets_equal(c, &web.csrf)) {
        return expired(&web);
    }
    let who = web.principal.user.clone();
    let s = site.clone();
    let result = blocking(&state, move |store| ot_api::import_sync(store, &s, &form, &who)).await;
    let message = match result {
        Ok((stored, outcome)) => {
            let added: usize = outcome.reports.iter().map(|r| r.added.len()).sum();
            let merged: usize = outcome.reports.iter().map(|r| r.merged.len()).sum();
            let conflicts: usize = outcome.reports.iter().map(|r| r.conflicts.len()).sum();
            let mut m = notice(Some(&format!(
                "{}: {} {}, {} {}, {} {}, {} {}, {} {}{}",
                lang.t("ot.import"),
                outcome.rows,
                lang.t("ot.rows"),
                added,
                lang.t("ot.added"),
                merged,
                lang.t("ot.merged"),
                conflicts,
                lang.t("ot.conflicts"),
                outcome.problems.len(),
                lang.t("ot.not_imported"),
                if stored.is_none() { format!(" ({})", lang.t("ot.dry_run")) } else { String::new() }
            )));
            if !outcome.problems.is_empty() {
                m.push_str("<ul class=\"problems\">");
                for p in &outcome.problems {
                    let _ = write!(m, "<li>{}</li>", esc(&p.to_string()));
                }
                m.push_str("</ul>");
            }
            m
        }
        Err(e) => alert(&e.to_string()),
    };
    render_assets(&state, &web, &site, &AssetFilter::default(), Some(&message)).await
}

#[derive(Deserialize, Default)]
struct ExportQuery {
    format: Option<String>,
    lang: Option<String>,
}

async fn export_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = load(&state, &site).await.and_then(|l| {
        ot_api::export_assets(&site, &l.plant, q.format.as_deref().unwrap_or("csv"), q.lang.as_deref().unwrap_or("en"))
    });
    match result {
        Ok((bytes, media, name)) => ot_api::attachment(bytes, media, &name),
        Err(e) => api_error(web.lang, e),
    }
}

async fn asset_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, String)>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_asset(&state, &web, &site, &id, None).await
}

async fn render_asset(state: &AppState, web: &Web, site: &str, id: &str, message: Option<&str>) -> Response {
    let lang = web.lang;
    let (s, i) = (site.to_owned(), id.to_owned());
    let result = blocking(state, move |store| {
        let loaded = ot_api::load_plant_sync(store, &s)?;
        let asset = loaded.plant.asset(&i).cloned().ok_or_else(|| ApiError::NotFound(format!("asset `{i}`")))?;
        let findings = ot_api::asset_findings_sync(store, &s, &asset)?;
        Ok((asset, findings))
    })
    .await;
    let (asset, findings) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = heading(lang, site, asset.label());
    body.push_str(&site_nav(lang, site, "/assets"));
    body.push_str(message.unwrap_or_default());
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"facts\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.facts"),
        lang.t("ot.field"),
        lang.t("ot.value"),
        lang.t("ot.provenance")
    );
    let _ = write!(body, "<tr><th scope=\"row\">asset_id</th><td><code>{}</code></td><td></td></tr>", esc(&asset.id));
    for (field, values, source) in ot_api::facts_of(&asset) {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"provenance\">{}</td></tr>",
            esc(&field),
            esc(&values.join(", ")),
            esc(&source.to_string())
        );
    }
    body.push_str("</tbody></table>");
    // Findings: device advisories and software findings of the linked SBOMs.
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"device-findings\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">CVE</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">CVSS</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.device_findings"),
        lang.t("ot.advisory"),
        lang.t("ot.status"),
        lang.t("ot.matched_by"),
        lang.t("ot.confidence"),
        lang.t("ot.first_seen")
    );
    for f in &findings.device {
        let status =
            if f.fixed_at.is_some() { format!("{} ({})", f.status, lang.t("ot.no_longer")) } else { f.status.clone() };
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"status-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.advisory),
            esc(f.cve.as_deref().unwrap_or(&f.vuln)),
            esc(&f.status),
            esc(&status),
            esc(&f.matched_by),
            esc(&f.confidence),
            f.cvss.map(|c| format!("{c:.1}")).unwrap_or_else(|| "—".into()),
            f.first_seen.date()
        );
    }
    if findings.device.is_empty() {
        let _ = write!(body, "<tr><td colspan=\"7\">{}</td></tr>", lang.t("ot.none"));
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"software-findings\"><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">SBOM</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.software_findings"),
        lang.t("components.title"),
        lang.t("ot.severity"),
        lang.t("finding.state")
    );
    for f in &findings.software {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/findings/{}\">{}</a></th><td><a href=\"/products/{}/{}\">{} {}</a></td><td>{} {}</td><td class=\"sev-{}\">{}</td><td>{}</td></tr>",
            f.id,
            esc(&f.vuln_id),
            enc(&f.product),
            enc(&f.version),
            esc(&f.product),
            esc(&f.version),
            esc(&f.component_name),
            esc(f.component_version.as_deref().unwrap_or_default()),
            f.severity.as_str(),
            f.severity.as_str(),
            f.state.map_or("—", |s| s.as_str())
        );
    }
    if findings.software.is_empty() {
        let _ = write!(body, "<tr><td colspan=\"5\">{}</td></tr>", lang.t("ot.none"));
    }
    body.push_str("</tbody></table>");
    if !findings.missing_sboms.is_empty() {
        let _ = write!(body, "<p>{} {}</p>", lang.t("ot.missing_sboms"), esc(&findings.missing_sboms.join(", ")));
    }
    if is_editor(web) {
        let _ = write!(
            body,
            "<h2>{}</h2><form method=\"post\" action=\"/sites/{}/assets/{}\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"edit-field\">{}</label><select id=\"edit-field\" name=\"field\">",
            lang.t("ot.change_fact"),
            enc(site),
            enc(&asset.id),
            esc(&web.csrf),
            lang.t("ot.field")
        );
        for f in AssetField::ALL.iter().filter(|f| **f != AssetField::Id) {
            let _ = write!(body, "<option value=\"{0}\">{0}</option>", f.name());
        }
        let _ = write!(
            body,
            "</select><label for=\"edit-value\">{}</label><input id=\"edit-value\" name=\"value\">\
             <button type=\"submit\">{}</button></form>",
            lang.t("ot.value"),
            lang.t("ot.save")
        );
    }
    html(lang, web, asset.label(), &body)
}

async fn asset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let field = form_value(&pairs, "field").unwrap_or_default().to_owned();
    let value = form_value(&pairs, "value").unwrap_or_default().to_owned();
    let mut changes = serde_json::Map::new();
    changes.insert(field, serde_json::Value::String(value));
    let who = web.principal.user.clone();
    let (s, i) = (site.clone(), id.clone());
    let result = blocking(&state, move |store| {
        ot_api::modify_plant_sync(store, &s, None, &who, "asset.edit", &|plant| {
            let asset = plant
                .assets
                .iter_mut()
                .find(|a| a.id == i)
                .ok_or_else(|| ApiError::NotFound(format!("asset `{i}`")))?;
            ot_api::patch_asset(asset, &changes, &who)
        })
    })
    .await;
    let message = match result {
        Ok(_) => notice(Some(web.lang.t("ot.saved"))),
        Err(e) => alert(&e.to_string()),
    };
    render_asset(&state, &web, &site, &id, Some(&message)).await
}

// ---------------------------------------------------------------------------------------------------------------
// Zones and conduits

/// A violation aggregated per pair of zones for the diagram.
struct ZoneBreach {
    from: String,
    to: String,
    protocols: BTreeSet<String>,
    flows: usize,
}

/// The Purdue level of a zone as a number for ordering (`DMZ` is 3.5), `None` when not given or not read.
fn purdue(level: Option<&str>) -> Option<f64> {
    let l = level?.trim().trim_start_matches(['L', 'l']);
    if l.eq_ignore_ascii_case("dmz") {
        return Some(3.5);
    }
    l.parse().ok()
}

fn channel_label(c: &cpsf_ot::model::Channel) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &c.protocol {
        parts.push(p.clone());
    }
    if !c.ports.is_empty() {
        parts.push(c.ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    }
    if let Some(t) = c.transport {
        let t = serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        if c.protocol.is_none() {
            parts.insert(0, t);
        }
    }
    if parts.is_empty() { "*".into() } else { parts.join("/") }
}

fn conduit_protocols(c: &cpsf_ot::model::Conduit) -> String {
    if c.allow.is_empty() {
        return "*".into();
    }
    c.allow.iter().map(channel_label).collect::<Vec<_>>().join(", ")
}

/// The zones and conduits as inline SVG: zones as boxes in rows by Purdue level (highest first; zones without a
/// level last), conduits as lines with their allowed protocols, breaches as red dashed lines.
fn diagram(lang: Lang, plant: &Plant, breaches: &[ZoneBreach]) -> String {
    // Box size, gaps, the gutter for level labels and the gutter for conduit labels (left of the boxes).
    const W: f64 = 240.0;
    const H: f64 = 84.0;
    const GAP_X: f64 = 240.0;
    const GAP_Y: f64 = 110.0;
    const TOP: f64 = 20.0;
    const LEVEL_GUTTER: f64 = 50.0;
    const LABEL_GUTTER: f64 = 260.0;
    const LANE: f64 = 16.0;
    let mut levels: Vec<Option<f64>> = plant.zones.iter().map(|z| purdue(z.purdue_level.as_deref())).collect();
    levels.sort_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => y.total_cmp(x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    levels.dedup_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(y).is_eq(),
        (None, None) => true,
        _ => false,
    });
    // Each zone's box: (x, y, row).
    let mut pos: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    let mut widest = 1usize;
    for (row, level) in levels.iter().enumerate() {
        let zones: Vec<&cpsf_ot::model::Zone> = plant
            .zones
            .iter()
            .filter(|z| match (purdue(z.purdue_level.as_deref()), level) {
                (Some(a), Some(b)) => a.total_cmp(b).is_eq(),
                (None, None) => true,
                _ => false,
            })
            .collect();
        widest = widest.max(zones.len());
        for (i, z) in zones.iter().enumerate() {
            let x = LEVEL_GUTTER + LABEL_GUTTER + i as f64 * (W + GAP_X);
            let y = TOP + row as f64 * (H + GAP_Y);
            pos.insert(z.id.as_str(), (x, y, row));
        }
    }
    // Room on the right for the labels of breaches routed around the column.
    let width = LEVEL_GUTTER + LABEL_GUTTER + widest as f64 * (W + GAP_X) + 140.0;
    let height = TOP * 2.0 + levels.len().max(1) as f64 * (H + GAP_Y) - GAP_Y;
    let description = format!(
        "{} {} · {} {} · {} {}",
        plant.zones.len(),
        lang.t("ot.zones_count"),
        plant.conduits.len(),
        lang.t("ot.conduits"),
        breaches.len(),
        lang.t("ot.breaches")
    );
    let mut svg = format!(
        "<svg class=\"zones\" role=\"img\" aria-labelledby=\"zd-title zd-desc\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"zd-title\">{}</title><desc id=\"zd-desc\">{}</desc>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#0550ae\"/></marker>\
         <marker id=\"arrow-red\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c0392b\"/></marker></defs>",
        esc(lang.t("ot.diagram_title")),
        esc(&description)
    );
    for (row, level) in levels.iter().enumerate() {
        let y = TOP + row as f64 * (H + GAP_Y) + H / 2.0 + 5.0;
        let label = level.map_or_else(|| "—".to_owned(), |l| format!("L{l}"));
        let _ = write!(svg, "<text x=\"8\" y=\"{y:.0}\" class=\"level\">{}</text>", esc(&label));
    }
    // The path of a link between two boxes: straight between neighbouring rows or within a row; otherwise around
    // the column (conduits on the left, breaches on the right), so no line crosses a box. `side` is -1 for
    // conduits, 1 for breaches; `lane` separates links that share a detour. Returns the points and where the
    // label goes (x, y, anchor).
    let route = |a: (f64, f64, usize), b: (f64, f64, usize), side: f64, lane: usize| {
        let shift = side * 24.0;
        if a.2 == b.2 {
            let y = a.1 + H / 2.0 + side * 12.0;
            let (x1, x2) = if a.0 < b.0 { (a.0 + W, b.0) } else { (a.0, b.0 + W) };
            (vec![(x1, y), (x2, y)], ((x1 + x2) / 2.0, y - 6.0, "middle"))
        } else if a.2.abs_diff(b.2) == 1 {
            let (ya, yb) = if a.2 < b.2 { (a.1 + H, b.1) } else { (a.1, b.1 + H) };
            let (xa, xb) = (a.0 + W / 2.0 + shift, b.0 + W / 2.0 + shift);
            let mid = ((xa + xb) / 2.0, (ya + yb) / 2.0 + 4.0);
            let anchor = if side < 0.0 { "end" } else { "start" };
            (vec![(xa, ya), (xb, yb)], (mid.0 + side * 8.0, mid.1, anchor))
        } else {
            let offset = LANE * (lane as f64 + 1.0);
            let lane_x = if side < 0.0 { a.0.min(b.0) - 20.0 - offset } else { a.0.max(b.0) + W + 20.0 + offset };
            let edge = |p: (f64, f64, usize)| if side < 0.0 { p.0 } else { p.0 + W };
            let (ya, yb) = (a.1 + H / 2.0 + side * 10.0, b.1 + H / 2.0 + side * 10.0);
            let anchor = if side < 0.0 { "end" } else { "start" };
            (
                vec![(edge(a), ya), (lane_x, ya), (lane_x, yb), (edge(b), yb)],
                (lane_x + side * 8.0, (ya + yb) / 2.0, anchor),
            )
        }
    };
    let points = |p: &[(f64, f64)]| p.iter().map(|(x, y)| format!("{x:.0},{y:.0}")).collect::<Vec<_>>().join(" ");
    let mut lanes = 0usize;
    for c in &plant.conduits {
        let (Some(a), Some(b)) =
            (c.zones.first().and_then(|z| pos.get(z.as_str())), c.zones.get(1).and_then(|z| pos.get(z.as_str())))
        else {
            continue;
        };
        let (line, (lx, ly, anchor)) = route(*a, *b, -1.0, lanes);
        if line.len() > 2 {
            lanes += 1;
        }
        let markers = match c.direction {
            Direction::AToB => " marker-end=\"url(#arrow)\"",
            Direction::BToA => " marker-start=\"url(#arrow)\"",
            Direction::Both => " marker-start=\"url(#arrow)\" marker-end=\"url(#arrow)\"",
        };
        let _ = write!(
            svg,
            "<g class=\"conduit\"><polyline points=\"{}\" fill=\"none\" stroke=\"#0550ae\" stroke-width=\"2\"{markers}/>\
             <text x=\"{lx:.0}\" y=\"{ly:.0}\" text-anchor=\"{anchor}\" class=\"conduit-label\">\
             <tspan x=\"{lx:.0}\" dy=\"-8\">{}</tspan><tspan x=\"{lx:.0}\" dy=\"16\">{}</tspan></text></g>",
            points(&line),
            esc(&c.id),
            esc(&conduit_protocols(c))
        );
    }
    let mut lanes = 0usize;
    for b in breaches {
        let (Some(from), Some(to)) = (pos.get(b.from.as_str()), pos.get(b.to.as_str())) else { continue };
        let (line, (lx, ly, anchor)) = route(*from, *to, 1.0, lanes);
        if line.len() > 2 {
            lanes += 1;
        }
        let label = format!("✕ {}", b.protocols.iter().cloned().collect::<Vec<_>>().join(", "));
        let _ = write!(
            svg,
            "<g class=\"violation\"><polyline points=\"{}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"3\" \
             stroke-dasharray=\"8 5\" marker-end=\"url(#arrow-red)\"/>\
             <text x=\"{lx:.0}\" y=\"{ly:.0}\" text-anchor=\"{anchor}\" fill=\"#c0392b\" class=\"violation-label\">\
             <tspan x=\"{lx:.0}\" dy=\"-8\">{}</tspan><tspan x=\"{lx:.0}\" dy=\"16\">{} {} → {}, {} {}</tspan></text></g>",
            points(&line),
            esc(&label),
            lang.t("ot.violation_short"),
            esc(&b.from),
            esc(&b.to),
            b.flows,
            lang.t("ot.flows")
        );
    }
    for z in &plant.zones {
        let Some((x, y, _)) = pos.get(z.id.as_str()) else { continue };
        let assets = plant.zone_assets(&z.id).count();
        let importance = plant.zone_importance(&z.id).map(|i| i.to_string()).unwrap_or_else(|| "—".into());
        let _ = write!(
            svg,
            "<g class=\"zone\"><rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{W:.0}\" height=\"{H:.0}\" rx=\"6\" fill=\"#f6f8fa\" stroke=\"#1b1f24\"/>\
             <text x=\"{tx:.0}\" y=\"{:.0}\" class=\"zone-name\">{}</text>\
             <text x=\"{tx:.0}\" y=\"{:.0}\" class=\"zone-meta\">{} · {} {}</text>\
             <text x=\"{tx:.0}\" y=\"{:.0}\" class=\"zone-meta\">{} {}</text></g>",
            y + 26.0,
            esc(z.name.as_deref().unwrap_or(&z.id)),
            y + 48.0,
            esc(&z.id),
            assets,
            lang.t("ot.assets_lower"),
            y + 68.0,
            lang.t("ot.importance"),
            importance,
            tx = x + 10.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

async fn zones_page(State(state): State<AppState>, headers: HeaderMap, Path(site): Path<String>) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let s = site.clone();
    let result = blocking(&state, move |store| {
        let loaded = ot_api::load_plant_sync(store, &s)?;
        let captures = ot_api::site_captures(store, &s, None)?;
        Ok((loaded, captures))
    })
    .await;
    let (loaded, captures) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let plant = &loaded.plant;
    let reports: Vec<(i64, String, ConduitReport)> = captures
        .iter()
        .map(|(info, summary)| (info.id, info.name.clone(), conduit::check(plant, &summary.flows(), &[])))
        .collect();
    let mut breaches: Vec<ZoneBreach> = Vec::new();
    for (_, _, report) in &reports {
        for v in &report.violations {
            let (Some(from), Some(to)) = (v.src.zone.clone(), v.dst.zone.clone()) else { continue };
            match breaches.iter_mut().find(|b| b.from == from && b.to == to) {
                Some(b) => {
                    b.protocols.insert(v.protocol.clone());
                    b.flows += 1;
                }
                None => {
                    breaches.push(ZoneBreach { from, to, protocols: BTreeSet::from([v.protocol.clone()]), flows: 1 })
                }
            }
        }
    }
    let mut body = heading(lang, &site, lang.t("ot.zones"));
    body.push_str(&site_nav(lang, &site, "/zones"));
    let _ = write!(
        body,
        "<p>{}</p><figure class=\"diagram\">{}",
        lang.t("ot.diagram_intro"),
        diagram(lang, plant, &breaches)
    );
    let _ = write!(body, "<figcaption>{}</figcaption></figure>", lang.t("ot.diagram_caption"));
    // Violations, listed.
    let total: usize = reports.iter().map(|(_, _, r)| r.violations.len()).sum();
    let _ = write!(body, "<h2 id=\"violations\">{} ({total})</h2>", lang.t("ot.violations"));
    if total == 0 {
        let _ = write!(body, "<p>{}</p>", lang.t("ot.no_violations"));
    } else {
        let _ = write!(
            body,
            "<table class=\"violations\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.t("ot.capture"),
            lang.t("ot.from"),
            lang.t("ot.to"),
            lang.t("ot.protocol"),
            lang.t("ot.reason"),
            lang.t("ot.packets"),
            lang.t("ot.first_seen")
        );
        for (id, name, report) in &reports {
            for v in &report.violations {
                let end = |e: &cpsf_ot::conduit::Endpoint| {
                    let who = e.asset.clone().or_else(|| e.ip.map(|i| i.to_string())).or_else(|| e.mac.clone());
                    format!("{} ({})", who.unwrap_or_default(), e.zone.as_deref().unwrap_or("—"))
                };
                let reason = match &v.breach {
                    Breach::NoConduit => lang.t("ot.no_conduit").to_owned(),
                    Breach::WrongDirection { conduits } => {
                        format!("{} {}", lang.t("ot.wrong_direction"), conduits.join(", "))
                    }
                    Breach::NotAllowed { conduits } => format!("{} {}", lang.t("ot.not_allowed"), conduits.join(", ")),
                };
                let _ = write!(
                    body,
                    "<tr class=\"violation\"><th scope=\"row\">{} ({id})</th><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(name),
                    esc(&end(&v.src)),
                    esc(&end(&v.dst)),
                    esc(&v.protocol),
                    v.port,
                    esc(&reason),
                    v.packets,
                    micros(v.first)
                );
            }
        }
        body.push_str("</tbody></table>");
    }
    // Unknown devices and new protocols.
    let unknown: Vec<&cpsf_ot::conduit::UnknownDevice> =
        reports.iter().flat_map(|(_, _, r)| r.unknown_devices.iter()).collect();
    let _ = write!(body, "<h2>{} ({})</h2><ul>", lang.t("ot.unknown_devices"), unknown.len());
    for u in &unknown {
        let _ = write!(
            body,
            "<li>{} {} — {}</li>",
            esc(&u.ip.map(|i| i.to_string()).unwrap_or_default()),
            esc(u.mac.as_deref().unwrap_or_default()),
            esc(&u.protocols.join(", "))
        );
    }
    body.push_str("</ul>");
    let new: Vec<&cpsf_ot::conduit::NewProtocol> =
        reports.iter().flat_map(|(_, _, r)| r.new_protocols.iter()).collect();
    let _ = write!(body, "<h2>{} ({})</h2><ul>", lang.t("ot.new_protocols"), new.len());
    for n in &new {
        let _ = write!(
            body,
            "<li><a href=\"/sites/{}/assets/{}\">{}</a>: {} ({})</li>",
            enc(&site),
            enc(&n.asset),
            esc(&n.asset),
            esc(&n.protocol),
            esc(n.role)
        );
    }
    body.push_str("</ul>");
    // The text alternative of the diagram: zones and conduits.
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"zones-table\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">Purdue</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.zones_table"),
        lang.t("ot.zone"),
        lang.t("ot.name"),
        lang.t("ot.assets"),
        lang.t("ot.importance")
    );
    for z in &plant.zones {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&z.id),
            esc(z.name.as_deref().unwrap_or("—")),
            esc(z.purdue_level.as_deref().unwrap_or("—")),
            plant.zone_assets(&z.id).count(),
            plant.zone_importance(&z.id).map(|i| i.to_string()).unwrap_or_else(|| "—".into())
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<table class=\"conduits-table\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.conduit"),
        lang.t("ot.zones_count"),
        lang.t("ot.direction"),
        lang.t("ot.allowed")
    );
    for c in &plant.conduits {
        let direction =
            serde_json::to_value(c.direction).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            esc(&c.zones.join(" → ")),
            esc(&direction),
            esc(&conduit_protocols(c))
        );
    }
    body.push_str("</tbody></table>");
    html(lang, &web, lang.t("ot.zones"), &body)
}

// ---------------------------------------------------------------------------------------------------------------
// Discovered devices and captures

#[derive(Deserialize, Default)]
struct CaptureFilter {
    capture: Option<i64>,
}

async fn discovered_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureFilter>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_discovered(&state, &web, &site, q.capture, None).await
}

async fn render_discovered(
    state: &AppState,
    web: &Web,
    site: &str,
    only: Option<i64>,
    message: Option<&str>,
) -> Response {
    let lang = web.lang;
    let s = site.to_owned();
    let result = blocking(state, move |store| {
        let loaded = ot_api::load_plant_sync(store, &s)?;
        let captures = ot_api::site_captures(store, &s, only)?;
        Ok((loaded, captures))
    })
    .await;
    let (loaded, captures) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = heading(lang, site, lang.t("ot.discovered"));
    body.push_str(&site_nav(lang, site, "/discovered"));
    body.push_str(message.unwrap_or_default());
    let _ = write!(body, "<p>{}</p>", lang.t("ot.discovered_intro"));
    let editor = is_editor(web);
    if editor {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/sites/{}/captures\" enctype=\"multipart/form-data\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"capture-file\">{}</label><input id=\"capture-file\" name=\"file\" type=\"file\" required>\
             <button type=\"submit\">{}</button></form>",
            enc(site),
            esc(&web.csrf),
            lang.t("ot.capture_file"),
            lang.t("ot.upload_capture")
        );
    }
    if captures.is_empty() {
        let _ = write!(body, "<p>{}</p>", lang.t("ot.no_captures"));
    }
    for (info, summary) in &captures {
        // Devices the inventory lacks first, then those whose values disagree with it, then the rest.
        let mut reviews = ot_api::review(&loaded.plant, info, summary);
        reviews.sort_by_key(|r| (r.matches.is_some(), r.conflicts.is_empty()));
        let _ = write!(
            body,
            "<section aria-labelledby=\"cap-{id}\"><h2 id=\"cap-{id}\">{} {} ({id})</h2>\
             <p class=\"provenance\">{} · {} {} · {} {} · {} {} · {}{}</p>",
            lang.t("ot.capture"),
            esc(&info.name),
            info.uploaded_at.date(),
            summary.packets(),
            lang.t("ot.packets"),
            summary.devices.len(),
            lang.t("ot.devices"),
            summary.flows.len(),
            lang.t("ot.flows"),
            esc(&info.sha256[..info.sha256.len().min(16)]),
            if info.has_content {
                format!(" · <a href=\"/sites/{}/captures/{}/pcap\">pcap</a>", enc(site), info.id)
            } else {
                String::new()
            },
            id = info.id,
        );
        let form_open = if editor {
            format!(
                "<form method=\"post\" action=\"/sites/{}/discovered/merge\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <input type=\"hidden\" name=\"capture\" value=\"{}\">",
                enc(site),
                esc(&web.csrf),
                info.id
            )
        } else {
            String::new()
        };
        body.push_str(&form_open);
        let _ = write!(
            body,
            "<table class=\"candidates\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.t("ot.candidate"),
            lang.t("ot.identity"),
            lang.t("ot.protocols"),
            lang.t("ot.suggested_kind"),
            lang.t("ot.inventory"),
            lang.t("ot.conflicting")
        );
        for r in &reviews {
            let a = &r.candidate.asset;
            let id = &a.id;
            let check = if editor {
                format!(
                    "<input type=\"checkbox\" id=\"cand-{c}-{i}\" name=\"candidate\" value=\"{i}\"> <label for=\"cand-{c}-{i}\">{i}</label>",
                    c = info.id,
                    i = esc(id)
                )
            } else {
                esc(id)
            };
            let identity: Vec<String> = [
                a.vendor.as_deref(),
                a.model.as_deref(),
                a.product_code.as_deref(),
                a.firmware.as_deref(),
                a.serial.as_deref(),
                a.name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .map(esc)
            .collect();
            let addresses: Vec<String> =
                a.ips.iter().map(ToString::to_string).chain(a.macs.iter().cloned()).map(|s| esc(&s)).collect();
            let kind = if editor {
                let mut select = format!(
                    "<label class=\"visually-hidden\" for=\"kind-{c}-{i}\">{} {i}</label><select id=\"kind-{c}-{i}\" name=\"kind-{i}\"><option value=\"\">—</option>",
                    lang.t("ot.kind"),
                    c = info.id,
                    i = esc(id)
                );
                for k in AssetKind::ALL {
                    let selected = if a.kind == Some(k) { " selected" } else { "" };
                    let _ = write!(
                        select,
                        "<option value=\"{}\"{selected}>{}</option>",
                        k.as_str(),
                        esc(&kind_label(lang, k))
                    );
                }
                select.push_str("</select>");
                select
            } else {
                esc(&a.kind.map(|k| kind_label(lang, k)).unwrap_or_else(|| "—".into()))
            };
            let reason = r
                .candidate
                .suggested_kind
                .as_ref()
                .map(|s| format!("<br><span class=\"provenance\">{}</span>", esc(&s.reason)))
                .unwrap_or_default();
            let inventory = match &r.matches {
                Some((asset, by)) => {
                    let by =
                        serde_json::to_value(by).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    format!(
                        "<a href=\"/sites/{}/assets/{}\">{}</a> <span class=\"provenance\">({} {})</span>",
                        enc(site),
                        enc(asset),
                        esc(asset),
                        lang.t("ot.matched_by"),
                        esc(&by)
                    )
                }
                None => format!("<strong class=\"new\">{}</strong>", lang.t("ot.not_in_inventory")),
            };
            let mut conflicts: Vec<String> = r
                .conflicts
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} <code>{}</code> ({}) · {} <code>{}</code> ({})",
                        esc(&c.field),
                        lang.t("ot.kept"),
                        esc(&c.kept),
                        esc(c.kept_source.kind.as_str()),
                        lang.t("ot.dropped"),
                        esc(&c.dropped),
                        esc(c.dropped_source.kind.as_str())
                    )
                })
                .collect();
            conflicts.extend(r.candidate.alternatives.iter().map(|alt| {
                format!(
                    "{}: {} <code>{}</code> ({} {})",
                    esc(&alt.field),
                    lang.t("ot.also_seen"),
                    esc(&alt.value),
                    esc(&alt.protocol),
                    alt.frame
                )
            }));
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{check}<br><span class=\"provenance\">{}</span></th><td>{}</td><td>{}</td><td>{kind}{reason}</td><td>{inventory}</td><td>{}</td></tr>",
                addresses.join(" "),
                identity.join("<br>"),
                esc(&a.protocols.join(", ")),
                if conflicts.is_empty() { "—".into() } else { conflicts.join("<br>") }
            );
        }
        body.push_str("</tbody></table>");
        if editor {
            let _ = write!(body, "<button type=\"submit\">{}</button></form>", lang.t("ot.merge"));
        }
        body.push_str("</section>");
    }
    html(lang, web, lang.t("ot.discovered"), &body)
}

async fn capture_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    request: Request,
) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let (name, bytes, csrf) = match ot_api::read_capture_body(&state, &headers, request, None).await {
        Ok(r) => r,
        Err(e) => return render_discovered(&state, &web, &site, None, Some(&alert(&e.to_string()))).await,
    };
    if !csrf.as_deref().is_some_and(|c| secrets_equal(c, &web.csrf)) {
        return expired(&web);
    }
    let who = web.principal.user.clone();
    let limit = state.config().max_upload;
    let s = site.clone();
    let result = blocking(&state, move |store| ot_api::add_capture_sync(store, &s, &name, bytes, limit, &who)).await;
    let message = match result {
        Ok(up) => notice(Some(&format!(
            "{} {}: {} {}, {} {}, {} {}, {} {}",
            lang.t("ot.capture"),
            up.info.name,
            up.summary.devices.len(),
            lang.t("ot.devices"),
            up.candidates,
            lang.t("ot.new_candidates"),
            up.report.violations.len(),
            lang.t("ot.breaches"),
            up.report.unknown_devices.len(),
            lang.t("ot.unknown_devices")
        ))),
        Err(e) => alert(&e.to_string()),
    };
    render_discovered(&state, &web, &site, None, Some(&message)).await
}

async fn capture_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, id)): Path<(String, i64)>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = blocking(&state, move |store| {
        let info = store.capture(&site, id)?.ok_or_else(|| ApiError::NotFound(format!("capture {id}")))?;
        let bytes = store
            .capture_content(&site, id)?
            .ok_or_else(|| ApiError::NotFound(format!("capture {id}: its bytes were not kept")))?;
        Ok((info, bytes))
    })
    .await;
    match result {
        Ok((info, bytes)) => ot_api::attachment(bytes, "application/octet-stream", &info.name),
        Err(e) => api_error(web.lang, e),
    }
}

async fn merge_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    body: Bytes,
) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&web, form_value(&pairs, "csrf")) {
        return r;
    }
    let Some(capture) = form_value(&pairs, "capture").and_then(|c| c.trim().parse::<i64>().ok()) else {
        return page_error(lang, StatusCode::BAD_REQUEST, "capture: expected a capture id");
    };
    let chosen: Vec<String> = pairs.iter().filter(|(k, _)| k == "candidate").map(|(_, v)| v.clone()).collect();
    let kinds: BTreeMap<String, String> = chosen
        .iter()
        .filter_map(|id| form_value(&pairs, &format!("kind-{id}")).map(|k| (id.clone(), k.to_owned())))
        .collect();
    let who = web.principal.user.clone();
    let s = site.clone();
    let result =
        blocking(&state, move |store| ot_api::merge_sync(store, &s, capture, &chosen, &kinds, None, &who)).await;
    let message = match result {
        Ok((_, report)) => notice(Some(&format!(
            "{}: {} {} ({}), {} {}, {} {}",
            lang.t("ot.merge"),
            report.added.len(),
            lang.t("ot.added"),
            report.added.join(", "),
            report.merged.len(),
            lang.t("ot.merged"),
            report.conflicts.len(),
            lang.t("ot.conflicts")
        ))),
        Err(e) => alert(&e.to_string()),
    };
    render_discovered(&state, &web, &site, None, Some(&message)).await
}

// ---------------------------------------------------------------------------------------------------------------
// Communication matrix

async fn matrix_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<CaptureFilter>,
) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let s = site.clone();
    let result = blocking(&state, move |store| {
        let loaded = ot_api::load_plant_sync(store, &s)?;
        let captures = ot_api::site_captures(store, &s, q.capture)?;
        Ok(ot_api::matrix(&loaded.plant, &captures))
    })
    .await;
    let rows = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = heading(lang, &site, lang.t("ot.matrix"));
    body.push_str(&site_nav(lang, &site, "/matrix"));
    let _ = write!(
        body,
        "<table class=\"matrix\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.from"),
        lang.t("ot.to"),
        lang.t("ot.protocol"),
        lang.t("ot.port"),
        lang.t("ot.packets"),
        lang.t("ot.bytes"),
        lang.t("ot.first_seen"),
        lang.t("ot.last_seen")
    );
    let end = |e: &cpsf_ot::conduit::Endpoint| {
        let address = e.ip.map(|i| i.to_string()).or_else(|| e.mac.clone()).unwrap_or_default();
        match &e.asset {
            Some(a) => format!(
                "<a href=\"/sites/{}/assets/{}\">{}</a> <span class=\"provenance\">{} · {}</span>",
                enc(&site),
                enc(a),
                esc(a),
                esc(&address),
                esc(e.zone.as_deref().unwrap_or("—"))
            ),
            None => format!("{} <span class=\"provenance\">{}</span>", esc(&address), lang.t("ot.unknown")),
        }
    };
    for r in &rows {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}/{}</td><td>{} / {}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            end(&r.src),
            end(&r.dst),
            esc(&r.protocol),
            esc(&r.transport),
            r.port,
            r.packets[0],
            r.packets[1],
            r.bytes[0],
            r.bytes[1],
            micros(r.first),
            micros(r.last)
        );
    }
    body.push_str("</tbody></table>");
    html(lang, &web, lang.t("ot.matrix"), &body)
}

// ---------------------------------------------------------------------------------------------------------------
// IoT-SSF

async fn iotssf_page(State(state): State<AppState>, headers: HeaderMap, Path(site): Path<String>) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let loaded = match load(&state, &site).await {
        Ok(l) => l,
        Err(e) => return api_error(lang, e),
    };
    let scheme = Scheme::builtin();
    let mut body = heading(lang, &site, lang.t("ot.iotssf"));
    body.push_str(&site_nav(lang, &site, "/iotssf"));
    let _ = write!(
        body,
        "<p class=\"unverified-note\">{} {}</p><p class=\"provenance\">{}</p>",
        unverified_badge(lang),
        lang.t("ot.iotssf_unverified"),
        esc(scheme.note.as_deref().unwrap_or_default())
    );
    let axis_title = |a: &cpsf_ot::iotssf::Axis| {
        if lang == Lang::Ja { a.title_ja.clone().unwrap_or_else(|| a.title.clone()) } else { a.title.clone() }
    };
    let [recovery, economic] = &scheme.axes;
    for subject in &loaded.plant.iotssf {
        let _ = write!(
            body,
            "<section class=\"iotssf\"><h2>{} <span class=\"provenance\">({})</span></h2>",
            esc(subject.name.as_deref().unwrap_or(&subject.id)),
            esc(&subject.id)
        );
        let _ = write!(
            body,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.t("ot.incident"),
            esc(&axis_title(recovery)),
            esc(&axis_title(economic)),
            lang.t("ot.category")
        );
        for incident in &subject.incidents {
            let level = |axis: &cpsf_ot::iotssf::Axis, n: u8| {
                axis.levels
                    .iter()
                    .find(|l| l.level == n)
                    .map(|l| {
                        if lang == Lang::Ja {
                            l.label_ja.clone().unwrap_or_else(|| l.label.clone())
                        } else {
                            l.label.clone()
                        }
                    })
                    .map(|t| format!("{n}: {t}"))
                    .unwrap_or_else(|| n.to_string())
            };
            let category = scheme
                .category_of(incident.recovery, incident.economic)
                .map(|c| c.id.clone())
                .unwrap_or_else(|| "—".into());
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&incident.description),
                esc(&level(recovery, incident.recovery)),
                esc(&level(economic, incident.economic)),
                esc(&category)
            );
        }
        body.push_str("</tbody></table>");
        match cpsf_ot::iotssf::categorize(&scheme, subject) {
            Ok(c) => {
                let _ = write!(
                    body,
                    "<p><strong>{}: {}</strong> {} <span class=\"provenance\">({} {})</span></p><ul>",
                    lang.t("ot.derived_category"),
                    esc(&c.category_title),
                    if c.verified { String::new() } else { unverified_badge(lang) },
                    lang.t("ot.scheme"),
                    esc(&c.scheme)
                );
                for v in &c.viewpoints {
                    let title = scheme
                        .viewpoints
                        .iter()
                        .find(|x| x.id == v.viewpoint)
                        .map(|x| {
                            if lang == Lang::Ja {
                                x.title_ja.clone().unwrap_or_else(|| x.title.clone())
                            } else {
                                x.title.clone()
                            }
                        })
                        .unwrap_or_else(|| v.title.clone());
                    let _ = write!(body, "<li>{}: {}</li>", esc(&title), esc(&v.strength));
                }
                body.push_str("</ul>");
            }
            Err(e) => body.push_str(&alert(&e.to_string())),
        }
        body.push_str("</section>");
    }
    if loaded.plant.iotssf.is_empty() {
        let _ = write!(body, "<p>{}</p>", lang.t("ot.no_iotssf"));
    }
    html(lang, &web, lang.t("ot.iotssf"), &body)
}

// ---------------------------------------------------------------------------------------------------------------
// Device advisories

async fn advisories_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let web = match session(&state, &headers, Role::Viewer).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    render_advisories(&state, &web, None).await
}

async fn render_advisories(state: &AppState, web: &Web, message: Option<&str>) -> Response {
    let lang = web.lang;
    let result = blocking(state, |store| {
        Ok((store.list_device_advisories()?, store.list_asset_findings(&AssetFindingFilter::default())?))
    })
    .await;
    let (advisories, findings) = match result {
        Ok(r) => r,
        Err(e) => return api_error(lang, e),
    };
    let mut body = format!(
        "<h1>{}</h1>{}<p>{}</p>",
        lang.t("nav.device_advisories"),
        message.unwrap_or_default(),
        lang.t("ot.advisories_intro")
    );
    if is_editor(web) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/device-advisories\" enctype=\"multipart/form-data\" class=\"stack\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <label for=\"csaf-file\">{}</label><input id=\"csaf-file\" name=\"file\" type=\"file\" accept=\".json,application/json\" required>\
             <button type=\"submit\">{}</button></form>",
            esc(&web.csrf),
            lang.t("ot.csaf_file"),
            lang.t("ot.upload_csaf")
        );
    }
    let _ = write!(
        body,
        "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t("ot.advisories"),
        lang.t("ot.advisory"),
        lang.t("ot.name"),
        lang.t("ot.publisher"),
        lang.t("ot.uploaded")
    );
    for a in &advisories {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
            esc(&a.tracking_id),
            esc(a.title.as_deref().unwrap_or("—")),
            esc(a.publisher.as_deref().unwrap_or("—")),
            a.uploaded_at.date(),
            esc(&a.uploaded_by)
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<h2>{}</h2><table class=\"device-findings\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">CVE</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">CVSS</th></tr></thead><tbody>",
        lang.t("ot.device_findings"),
        lang.t("ot.site"),
        lang.t("ot.asset"),
        lang.t("ot.advisory"),
        lang.t("ot.status"),
        lang.t("ot.matched_by")
    );
    for f in &findings {
        let _ = write!(
            body,
            "<tr><th scope=\"row\"><a href=\"/sites/{}\">{}</a></th><td><a href=\"/sites/{}/assets/{}\">{}</a></td><td>{}</td><td>{}</td>\
             <td class=\"status-{}\">{}</td><td>{} ({})</td><td>{}</td></tr>",
            enc(&f.site),
            esc(&f.site),
            enc(&f.site),
            enc(&f.asset_id),
            esc(&f.asset_id),
            esc(&f.advisory),
            esc(f.cve.as_deref().unwrap_or(&f.vuln)),
            esc(&f.status),
            esc(&f.status),
            esc(&f.matched_by),
            esc(&f.confidence),
            f.cvss.map(|c| format!("{c:.1}")).unwrap_or_else(|| "—".into())
        );
    }
    body.push_str("</tbody></table>");
    html(lang, web, lang.t("nav.device_advisories"), &body)
}

async fn advisory_form(State(state): State<AppState>, headers: HeaderMap, form: Multipart) -> Response {
    let web = match session(&state, &headers, Role::Editor).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let lang = web.lang;
    let (fields, files) = match multipart(form, state.config().max_upload).await {
        Ok(f) => f,
        Err(e) => return render_advisories(&state, &web, Some(&alert(&e.to_string()))).await,
    };
    if !form_csrf_ok(&web, &fields) {
        return expired(&web);
    }
    let Some((_, _, bytes)) = files.into_iter().next() else {
        return render_advisories(&state, &web, Some(&alert(lang.t("ot.no_file")))).await;
    };
    let who = web.principal.user.clone();
    let result = blocking(&state, move |store| ot_api::add_advisory_sync(store, &bytes, &who)).await;
    let message = match result {
        Ok(up) => {
            let new: usize = up.sites.iter().map(|(_, c)| c.new.len()).sum();
            notice(Some(&format!(
                "{} {}: {} {}",
                up.advisory.id,
                if up.replaced { lang.t("ot.replaced") } else { lang.t("ot.stored") },
                new,
                lang.t("ot.new_findings")
            )))
        }
        Err(e) => alert(&e.to_string()),
    };
    render_advisories(&state, &web, Some(&message)).await
}
