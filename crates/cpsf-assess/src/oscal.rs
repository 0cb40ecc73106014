//! An assessment as an OSCAL 1.1.2 assessment-results document (`cpsf assess report --format oscal`).
//!
//! One `result` holds: `reviewed-controls` naming the assessed entries (by the OSCAL control ids the catalog
//! export gives them, so the two documents agree); one `observation` per automatic evidence item (method
//! `TEST`, collected when it was evaluated) and per piece of evidence a person attached (method `EXAMINE`,
//! the file or link as relevant evidence); and one `finding` per assessed entry, targeting the entry with
//! state `satisfied` (implemented, or not applicable: reason `other`) or `not-satisfied` (partially
//! implemented: reason `other`; not implemented: reason `fail`), the exact cpsf status in a property. cpsf
//! keeps no assessment plan, so `import-ap` points at a back-matter resource that says so.
//!
//! UUIDs are name-based (v5) from the assessment id and entry ids, so the same assessment exports to the
//! same document. cpsf's properties use the namespace `cpsf_catalog::export::oscal::NS`: on the document
//! `catalog`, `catalog-revision`, `assessment-id`, `scope`, `scope-kind`, `score`; on the result `score`,
//! `entries-counted`, `entries-assessable` (the overall score and what it counts); on findings `status`,
//! `status-source` (person or automatic), `level`, `owner`, `due`, `automatic`, `override`,
//! `contradicts-evidence`; on observations `entry`, `check`, `result`, `data`, `evidence-kind`, `sha256`,
//! `stored-id`, `added-by`.

use serde_json::{Map, Value, json};

use cpsf_catalog::export::oscal::{OSCAL_VERSION, control_ids, datetime, markup_line, prop, string_value, token, uuid};
use cpsf_catalog::{Catalog, Lang};

use crate::model::{Assessment, AutoEvidence, EntryResult, Evidence, Status};
use crate::score;

/// `assessment` of `catalog` as OSCAL assessment results, text in `lang`, `generated` (RFC 3339) as the
/// document's modification time.
pub fn assessment_results(catalog: &Catalog, assessment: &Assessment, lang: Lang, generated: &str) -> Value {
    let ids = control_ids(catalog);
    let generated = datetime(generated)
        .or_else(|| datetime(&assessment.updated))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let aid = assessment.id.as_str();
    let scores = score::compute(catalog, assessment);
    let title = match &assessment.title {
        Some(t) if string_value(t).is_some() => markup_line(t, ""),
        _ => {
            let catalog_title = catalog.title.get(lang);
            let scope = &assessment.scope.name;
            match lang {
                Lang::En => markup_line(&format!("Assessment of {catalog_title} for {scope}"), &catalog.id),
                Lang::Ja => markup_line(&format!("{catalog_title}の評価（{scope}）"), &catalog.id),
            }
        }
    };

    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut reviewed = Vec::new();
    for entry in catalog.assessable() {
        let Some(result) = assessment.result(&entry.id) else { continue };
        let control_id = ids.get(&entry.id).cloned().unwrap_or_else(|| token(&entry.id));
        let mut related = Vec::new();
        for (k, auto) in result.automatic.iter().enumerate() {
            let uuid = uuid(&format!("observation/{aid}/{}/automatic/{k}", entry.id));
            observations.push(automatic_observation(&uuid, entry, auto, lang, &generated));
            related.push(json!({"observation-uuid": uuid}));
        }
        for (k, evidence) in result.evidence.iter().enumerate() {
            let uuid = uuid(&format!("observation/{aid}/{}/evidence/{k}", entry.id));
            observations.push(evidence_observation(&uuid, &entry.id, evidence, lang, &generated));
            related.push(json!({"observation-uuid": uuid}));
        }
        let status = result.effective_status();
        if status == Status::NotAssessed {
            continue;
        }
        reviewed.push(json!({"control-id": control_id}));
        let mut finding = Map::new();
        finding.insert("uuid".into(), json!(uuid(&format!("finding/{aid}/{}", entry.id))));
        finding.insert("title".into(), json!(markup_line(entry.title.get(lang), &entry.id)));
        let description = result
            .comments
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map_or_else(|| status.title(lang).to_string(), str::to_string);
        finding.insert("description".into(), json!(description));
        finding.insert("props".into(), Value::Array(finding_props(result, status)));
        finding.insert("target".into(), target(&control_id, status, lang));
        if !related.is_empty() {
            finding.insert("related-observations".into(), Value::Array(related));
        }
        findings.push(Value::Object(finding));
    }

    let selection = if reviewed.is_empty() {
        let remarks = match lang {
            Lang::En => "No entry has been assessed yet.",
            Lang::Ja => "まだ評価した項目はありません。",
        };
        json!({"include-all": {}, "remarks": remarks})
    } else {
        json!({"include-controls": reviewed})
    };
    let mut result = Map::new();
    result.insert("uuid".into(), json!(uuid(&format!("result/{aid}"))));
    result.insert("title".into(), json!(title.clone()));
    result.insert("description".into(), json!(score::method(lang)));
    result.insert("start".into(), json!(datetime(&assessment.created).unwrap_or_else(|| generated.clone())));
    if let Some(end) = datetime(&assessment.updated) {
        result.insert("end".into(), json!(end));
    }
    let score_props: Vec<Value> = [
        scores.overall.score.and_then(|s| prop("score", &s.to_string())),
        prop("entries-counted", &scores.overall.counted.to_string()),
        prop("entries-assessable", &scores.overall.assessable.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    result.insert("props".into(), Value::Array(score_props));
    result.insert("reviewed-controls".into(), json!({"control-selections": [selection]}));
    if !observations.is_empty() {
        result.insert("observations".into(), Value::Array(observations));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), Value::Array(findings));
    }

    let plan = uuid(&format!("assessment-plan/{aid}"));
    let (plan_title, plan_description) = match lang {
        Lang::En => (
            "No assessment plan",
            "cpsf keeps no OSCAL assessment plan; the assessment applies the catalog named in the metadata to the scope named there.",
        ),
        Lang::Ja => (
            "評価計画なし",
            "cpsfはOSCALの評価計画を持ちません。この評価は、メタデータに示すカタログを示された対象範囲に適用したものです。",
        ),
    };
    let catalog_props: Vec<Value> = [prop("catalog-id", &catalog.id), prop("revision", &catalog.revision.to_string())]
        .into_iter()
        .flatten()
        .collect();
    let catalog_resource = json!({
        "uuid": uuid(&format!("catalog-reference/{aid}/{}/{}", catalog.id, catalog.revision)),
        "title": markup_line(catalog.title.get(lang), &catalog.id),
        "props": catalog_props,
    });
    let metadata_props: Vec<Value> = [
        prop("catalog", &assessment.catalog),
        prop("catalog-revision", &assessment.catalog_revision.to_string()),
        prop("assessment-id", aid),
        prop("scope", &assessment.scope.name),
        prop("scope-kind", assessment.scope.kind.as_str()),
        scores.overall.score.and_then(|s| prop("score", &s.to_string())),
    ]
    .into_iter()
    .flatten()
    .collect();
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("assessment-results/{aid}/{}", assessment.updated)),
            "metadata": {
                "title": title,
                "last-modified": generated,
                "version": string_value(&assessment.updated).unwrap_or_else(|| "1".to_string()),
                "oscal-version": OSCAL_VERSION,
                "props": metadata_props,
            },
            "import-ap": {"href": format!("#{plan}")},
            "results": [Value::Object(result)],
            "back-matter": {"resources": [
                {"uuid": plan, "title": plan_title, "description": plan_description},
                catalog_resource,
            ]},
        }
    })
}

fn finding_props(result: &EntryResult, status: Status) -> Vec<Value> {
    let source = if result.status != Status::NotAssessed { "person" } else { "automatic" };
    let mut props: Vec<Value> = [
        prop("status", status.as_str()),
        prop("status-source", source),
        result.level.as_deref().and_then(|l| prop("level", l)),
        result.owner.as_deref().and_then(|o| prop("owner", o)),
        result.due.as_deref().and_then(|d| prop("due", d)),
        result.automatic_result().and_then(|a| prop("automatic", a.as_str())),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(o) = &result.override_
        && let Some(mut p) = prop("override", o.result.as_str())
    {
        if let (Some(obj), false) = (p.as_object_mut(), o.justification.trim().is_empty()) {
            obj.insert("remarks".into(), json!(format!("{} ({} {})", o.justification.trim(), o.by, o.at)));
        }
        props.push(p);
    }
    if result.contradicts_evidence() {
        props.extend(prop("contradicts-evidence", "true"));
    }
    props
}

fn target(control_id: &str, status: Status, lang: Lang) -> Value {
    let (state, reason) = match status {
        Status::Implemented => ("satisfied", "pass"),
        Status::NotApplicable => ("satisfied", "other"),
        Status::Partially => ("not-satisfied", "other"),
        _ => ("not-satisfied", "fail"),
    };
    json!({
        "type": "objective-id",
        "target-id": control_id,
        "status": {"state": state, "reason": reason, "remarks": status.title(lang)},
    })
}

fn automatic_observation(
    uuid: &str,
    entry: &cpsf_catalog::Entry,
    auto: &AutoEvidence,
    lang: Lang,
    generated: &str,
) -> Value {
    let requirement =
        entry.checks.iter().find(|c| c.kind() == auto.check).map_or(auto.check.clone(), |c| c.describe(lang));
    let description = match auto.observed.trim() {
        "" => auto.result.title(lang).to_string(),
        observed => observed.to_string(),
    };
    let mut o = Map::new();
    o.insert("uuid".into(), json!(uuid));
    o.insert("title".into(), json!(markup_line(&requirement, &auto.check)));
    o.insert("description".into(), json!(description));
    let props: Vec<Value> = [
        prop("entry", &entry.id),
        prop("check", &auto.check),
        prop("result", auto.result.as_str()),
        prop("data", &auto.data),
    ]
    .into_iter()
    .flatten()
    .collect();
    o.insert("props".into(), Value::Array(props));
    o.insert("methods".into(), json!(["TEST"]));
    if let Some(data) = string_value(&auto.data) {
        o.insert("relevant-evidence".into(), json!([{"description": data}]));
    }
    o.insert("collected".into(), json!(datetime(&auto.evaluated).unwrap_or_else(|| generated.to_string())));
    Value::Object(o)
}

fn evidence_observation(uuid: &str, entry: &str, evidence: &Evidence, lang: Lang, generated: &str) -> Value {
    let mut o = Map::new();
    o.insert("uuid".into(), json!(uuid));
    let mut props: Vec<Value> = prop("entry", entry).into_iter().collect();
    let (title, description, evidence_item, added) = match evidence {
        Evidence::File { name, path, sha256, stored_id, added, by } => {
            props.extend(prop("evidence-kind", "file"));
            props.extend(sha256.as_deref().and_then(|s| prop("sha256", s)));
            props.extend(stored_id.and_then(|id| prop("stored-id", &id.to_string())));
            props.extend(by.as_deref().and_then(|b| prop("added-by", b)));
            let label = match lang {
                Lang::En => format!("File: {name}"),
                Lang::Ja => format!("ファイル: {name}"),
            };
            let mut item = Map::new();
            if let Some(href) = path.as_deref().and_then(path_reference) {
                item.insert("href".into(), json!(href));
            }
            item.insert("description".into(), json!(markup_line(name, "file")));
            if let Some(p) = sha256.as_deref().and_then(|s| prop("sha256", s)) {
                item.insert("props".into(), json!([p]));
            }
            (label, name.clone(), Value::Object(item), added)
        }
        Evidence::Link { url, title, added, by } => {
            props.extend(prop("evidence-kind", "link"));
            props.extend(by.as_deref().and_then(|b| prop("added-by", b)));
            let shown = title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(url);
            let label = match lang {
                Lang::En => format!("Link: {shown}"),
                Lang::Ja => format!("リンク: {shown}"),
            };
            let mut item = Map::new();
            if let Some(href) = url_reference(url) {
                item.insert("href".into(), json!(href));
            }
            item.insert("description".into(), json!(markup_line(shown, "link")));
            (label, url.clone(), Value::Object(item), added)
        }
    };
    o.insert("title".into(), json!(markup_line(&title, "evidence")));
    o.insert("description".into(), json!(markup_line(&description, &title)));
    o.insert("props".into(), Value::Array(props));
    o.insert("methods".into(), json!(["EXAMINE"]));
    o.insert("relevant-evidence".into(), json!([evidence_item]));
    o.insert("collected".into(), json!(datetime(added).unwrap_or_else(|| generated.to_string())));
    Value::Object(o)
}

/// A file path as a URI reference: characters outside RFC 3986's unreserved set and `/` percent-encoded
/// (a Windows path's `\` included). `None` for an empty path.
fn path_reference(path: &str) -> Option<String> {
    let path = path.trim();
    if path.is_empty() {
        return None;
    }
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(out)
}

/// A link's URL when it looks like an absolute URI without whitespace.
fn url_reference(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once(':')?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (scheme_ok && !rest.is_empty() && !url.chars().any(char::is_whitespace)).then(|| url.to_string())
}
