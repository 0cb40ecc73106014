//! CycloneDX VEX reader: `vulnerabilities[]` with their `analysis` of a CycloneDX 1.4–1.7 document, JSON or XML
//! (XML through cpsf-sbom's reader, which gives the JSON shape of the same version).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{VexDocument, VexError, VexStatement, VexStatus, items, json_kind, push_unique, strings, text, warning};

/// Read a CycloneDX JSON document.
pub(super) fn read_json(doc: &Value, source: &str) -> Result<VexDocument, VexError> {
    let format = match text(doc, "specVersion") {
        Some(version) => format!("CycloneDX {version} JSON"),
        None => "CycloneDX JSON".to_owned(),
    };
    read(doc, source, format)
}

/// Read a CycloneDX XML document.
pub(super) fn read_xml(xml: &str, source: &str) -> Result<VexDocument, VexError> {
    let parsed = cpsf_sbom::cyclonedx::xml::read(xml).map_err(|e| VexError::Malformed {
        source_name: source.to_owned(),
        field: "bom".into(),
        message: format!("not a CycloneDX XML document cpsf reads: {e}"),
    })?;
    let Some(json) = parsed.json else {
        return Err(VexError::Malformed {
            source_name: source.to_owned(),
            field: "bom".into(),
            message: "the CycloneDX XML reader gave no document".into(),
        });
    };
    read(&json, source, parsed.format.to_string())
}

fn read(doc: &Value, source: &str, format: String) -> Result<VexDocument, VexError> {
    let list = match doc.get("vulnerabilities") {
        Some(Value::Array(list)) => list.as_slice(),
        Some(other) => {
            return Err(VexError::Malformed {
                source_name: source.to_owned(),
                field: "vulnerabilities".into(),
                message: format!("expected an array, found a {}", json_kind(other)),
            });
        }
        None => &[],
    };
    let mut out = VexDocument { format, ..VexDocument::default() };
    if list.is_empty() {
        out.warnings.push(warning(source, "a CycloneDX document without `vulnerabilities`: it makes no VEX statement"));
        return Ok(out);
    }
    let purls = component_purls(doc);
    let document_time = doc.pointer("/metadata/timestamp").and_then(Value::as_str);
    for (i, item) in list.iter().enumerate() {
        match statement(item, source, &purls, document_time) {
            Ok(statement) => out.statements.push(statement),
            Err(message) => {
                out.warnings.push(warning(source, format!("/vulnerabilities/{i}: {message}; statement skipped")))
            }
        }
    }
    Ok(out)
}

/// bom-ref → purl of every component (metadata component and nested components included) that has both.
fn component_purls(doc: &Value) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut stack: Vec<&Value> = items(doc, "components").iter().collect();
    if let Some(root) = doc.pointer("/metadata/component") {
        stack.push(root);
    }
    while let Some(component) = stack.pop() {
        if let (Some(bom_ref), Some(purl)) = (text(component, "bom-ref"), text(component, "purl")) {
            map.entry(bom_ref.to_owned()).or_insert_with(|| purl.to_owned());
        }
        stack.extend(items(component, "components"));
    }
    map
}

fn statement(
    item: &Value,
    source: &str,
    purls: &BTreeMap<String, String>,
    document_time: Option<&str>,
) -> Result<VexStatement, String> {
    if !item.is_object() {
        return Err(format!("expected an object, found a {}", json_kind(item)));
    }
    let id = text(item, "id").ok_or("no `id`")?;
    let mut vulnerabilities = vec![id.to_owned()];
    for reference in items(item, "references") {
        if let Some(alias) = text(reference, "id") {
            push_unique(&mut vulnerabilities, alias);
        }
    }
    let analysis = item.get("analysis").ok_or("no `analysis`, so no VEX statement")?;
    let state = text(analysis, "state").ok_or("no `analysis.state`")?;
    let status = match state {
        "not_affected" | "false_positive" => VexStatus::NotAffected,
        "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
        "exploitable" => VexStatus::Affected,
        "in_triage" => VexStatus::UnderInvestigation,
        other => {
            return Err(format!(
                "`analysis.state` is `{other}`; expected resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected"
            ));
        }
    };
    let mut products = Vec::new();
    for target in items(item, "affects") {
        let Some(reference) = text(target, "ref") else { continue };
        product_ids(reference, purls, &mut products);
    }
    if products.is_empty() {
        return Err("no `affects[].ref`".into());
    }
    // `false_positive` says the finding itself is wrong: keep that word as the justification when none is given.
    let justification = text(analysis, "justification").or((state == "false_positive").then_some("false_positive"));
    let responses = strings(analysis, "response");
    let action = text(item, "recommendation")
        .or_else(|| text(item, "workaround"))
        .map(str::to_owned)
        .or_else(|| (!responses.is_empty()).then(|| format!("response: {}", responses.join(", "))));
    let timestamp = text(analysis, "lastUpdated")
        .or_else(|| text(analysis, "firstIssued"))
        .or_else(|| text(item, "updated"))
        .or_else(|| text(item, "published"))
        .or(document_time);
    Ok(VexStatement {
        vulnerabilities,
        products,
        status,
        justification: justification.map(str::to_owned),
        impact_statement: text(analysis, "detail").map(str::to_owned),
        action_statement: action,
        source: source.to_owned(),
        timestamp: timestamp.map(str::to_owned),
    })
}

/// What one `affects[].ref` names: the ref itself (a bom-ref or a purl), the purl of the component of this
/// document with that bom-ref, and for a BOM-Link (`urn:cdx:serial/version#bom-ref`) the bom-ref in the other BOM.
fn product_ids(reference: &str, purls: &BTreeMap<String, String>, out: &mut Vec<String>) {
    let local = match reference.strip_prefix("urn:cdx:").and_then(|rest| rest.split_once('#')) {
        Some((_, fragment)) => percent_decode(fragment),
        None => reference.to_owned(),
    };
    push_unique(out, &local);
    if let Some(purl) = purls.get(&local).or_else(|| purls.get(reference)) {
        push_unique(out, purl);
    }
}

/// Decode `%XX` escapes (a BOM-Link fragment is a URL-encoded bom-ref); malformed escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(hex), bytes.get(i + 2).and_then(hex))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}
