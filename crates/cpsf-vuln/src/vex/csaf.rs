//! CSAF 2.0 VEX reader: the product tree (branches, full product names, relationships, product groups) resolved
//! to purls, and each vulnerability's `product_status` with its flags (justifications), impact threats and
//! remediations.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{VexDocument, VexError, VexStatement, VexStatus, items, json_kind, push_unique, strings, text, warning};

/// The `product_status` lists that give a status, with that status. `recommended` is left out: CSAF puts it in
/// no status group (it says which version to use, not whether a version is affected).
const STATUS_LISTS: &[(&str, VexStatus)] = &[
    ("known_not_affected", VexStatus::NotAffected),
    ("first_fixed", VexStatus::Fixed),
    ("fixed", VexStatus::Fixed),
    ("first_affected", VexStatus::Affected),
    ("known_affected", VexStatus::Affected),
    ("last_affected", VexStatus::Affected),
    ("under_investigation", VexStatus::UnderInvestigation),
];

/// What a product id stands for.
#[derive(Default, Clone)]
struct ProductInfo {
    purls: Vec<String>,
    /// The full product name, used when there is no purl (it matches no component, but names the product).
    name: Option<String>,
}

pub(super) fn read(doc: &Value, source: &str) -> Result<VexDocument, VexError> {
    let version = doc.pointer("/document/csaf_version").and_then(Value::as_str).unwrap_or("?");
    let mut out = VexDocument { format: format!("CSAF {version}"), ..VexDocument::default() };
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
    if list.is_empty() {
        out.warnings.push(warning(source, "a CSAF document without `vulnerabilities`: it makes no VEX statement"));
        return Ok(out);
    }
    let tree = doc.get("product_tree").unwrap_or(&Value::Null);
    let products = product_map(tree);
    let groups = group_map(tree);
    let document_time = doc
        .pointer("/document/tracking/current_release_date")
        .or_else(|| doc.pointer("/document/tracking/initial_release_date"))
        .and_then(Value::as_str);
    for (i, vulnerability) in list.iter().enumerate() {
        vulnerability_statements(i, vulnerability, source, &products, &groups, document_time, &mut out);
    }
    Ok(out)
}

/// product_id → purls and name, from branches (at any depth), `full_product_names` and relationships.
fn product_map(tree: &Value) -> BTreeMap<String, ProductInfo> {
    let mut map: BTreeMap<String, ProductInfo> = BTreeMap::new();
    let mut add = |product: &Value| {
        let Some(id) = text(product, "product_id") else { return };
        let info = map.entry(id.to_owned()).or_default();
        if info.name.is_none() {
            info.name = text(product, "name").map(str::to_owned);
        }
        if let Some(helper) = product.get("product_identification_helper") {
            // CSAF 2.0 has one `purl`; CSAF 2.1 a `purls` list.
            if let Some(purl) = text(helper, "purl") {
                push_unique(&mut info.purls, purl);
            }
            for purl in strings(helper, "purls") {
                push_unique(&mut info.purls, purl);
            }
        }
    };
    let mut stack: Vec<&Value> = items(tree, "branches").iter().collect();
    while let Some(branch) = stack.pop() {
        if let Some(product) = branch.get("product") {
            add(product);
        }
        stack.extend(items(branch, "branches"));
    }
    for product in items(tree, "full_product_names") {
        add(product);
    }
    // A relationship names a new product (`full_product_name`): the component `product_reference` as part of,
    // installed on or with `relates_to_product_reference`. The vulnerability is in the component, so the new
    // product id stands for the component's purls. Relationships may build on each other; resolve in rounds.
    let relationships = items(tree, "relationships");
    for _ in 0..relationships.len().min(8) {
        let mut changed = false;
        for relationship in relationships {
            let (Some(full), Some(component)) =
                (relationship.get("full_product_name"), text(relationship, "product_reference"))
            else {
                continue;
            };
            let Some(id) = text(full, "product_id") else { continue };
            let inherited = map.get(component).cloned().unwrap_or_default();
            let info = map.entry(id.to_owned()).or_default();
            if info.name.is_none() {
                info.name = text(full, "name").map(str::to_owned);
                changed = true;
            }
            for purl in &inherited.purls {
                if !info.purls.contains(purl) {
                    info.purls.push(purl.clone());
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    map
}

/// group_id → product ids.
fn group_map(tree: &Value) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::new();
    for group in items(tree, "product_groups") {
        if let Some(id) = text(group, "group_id") {
            let members: Vec<String> = strings(group, "product_ids").into_iter().map(str::to_owned).collect();
            map.entry(id.to_owned()).or_insert(members);
        }
    }
    map
}

/// The product ids an object (flag, threat, remediation) names through `product_ids` and `group_ids`.
fn named_products(item: &Value, groups: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in strings(item, "product_ids") {
        push_unique(&mut ids, id);
    }
    for group in strings(item, "group_ids") {
        for id in groups.get(group).map(Vec::as_slice).unwrap_or_default() {
            push_unique(&mut ids, id);
        }
    }
    ids
}

/// What a statement says besides its status; products sharing all of it share one statement.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    order: usize,
    justification: Option<String>,
    impact: Option<String>,
    action: Option<String>,
}

fn vulnerability_statements(
    index: usize,
    vulnerability: &Value,
    source: &str,
    products: &BTreeMap<String, ProductInfo>,
    groups: &BTreeMap<String, Vec<String>>,
    document_time: Option<&str>,
    out: &mut VexDocument,
) {
    let pointer = format!("/vulnerabilities/{index}");
    if !vulnerability.is_object() {
        let message = format!("{pointer}: expected an object, found a {}; skipped", json_kind(vulnerability));
        out.warnings.push(warning(source, message));
        return;
    }
    let mut ids = Vec::new();
    if let Some(cve) = text(vulnerability, "cve") {
        push_unique(&mut ids, cve);
    }
    for id in items(vulnerability, "ids") {
        if let Some(t) = text(id, "text") {
            push_unique(&mut ids, t);
        }
    }
    if ids.is_empty() {
        out.warnings.push(warning(source, format!("{pointer}: neither `cve` nor `ids[].text`; skipped")));
        return;
    }
    let Some(status_lists) = vulnerability.get("product_status") else {
        out.warnings.push(warning(source, format!("{pointer}: no `product_status`, so no VEX statement; skipped")));
        return;
    };
    // Per product id: justification (flags), impact statement (threats of category `impact` naming it) and
    // action statement (remediations naming it). Threats without product ids are not taken as impact
    // statements: vendors use them for the overall severity.
    let mut justification: BTreeMap<String, String> = BTreeMap::new();
    for flag in items(vulnerability, "flags") {
        let Some(label) = text(flag, "label") else { continue };
        for id in named_products(flag, groups) {
            justification.entry(id).or_insert_with(|| label.to_owned());
        }
    }
    let mut impact: BTreeMap<String, String> = BTreeMap::new();
    for threat in items(vulnerability, "threats") {
        let (Some("impact"), Some(details)) = (text(threat, "category"), text(threat, "details")) else { continue };
        for id in named_products(threat, groups) {
            impact.entry(id).or_insert_with(|| details.to_owned());
        }
    }
    let mut action: BTreeMap<String, String> = BTreeMap::new();
    for remediation in items(vulnerability, "remediations") {
        let Some(details) = text(remediation, "details") else { continue };
        for id in named_products(remediation, groups) {
            action.entry(id).or_insert_with(|| details.to_owned());
        }
    }
    let mut statements: BTreeMap<Key, (VexStatus, Vec<String>)> = BTreeMap::new();
    for (order, (list, status)) in STATUS_LISTS.iter().enumerate() {
        match status_lists.get(*list) {
            None | Some(Value::Array(_)) => {}
            Some(other) => {
                let message = format!(
                    "{pointer}/product_status/{list}: expected an array of product ids, found a {}",
                    json_kind(other)
                );
                out.warnings.push(warning(source, message));
                continue;
            }
        }
        for id in strings(status_lists, list) {
            let Some(info) = products.get(id) else {
                let message =
                    format!("{pointer}/product_status/{list}: product id `{id}` is not in the product tree; skipped");
                out.warnings.push(warning(source, message));
                continue;
            };
            let key = Key {
                order,
                justification: justification.get(id).filter(|_| *status == VexStatus::NotAffected).cloned(),
                impact: impact.get(id).cloned(),
                action: action.get(id).cloned(),
            };
            let entry = statements.entry(key).or_insert_with(|| (*status, Vec::new()));
            if info.purls.is_empty() {
                if let Some(name) = &info.name {
                    push_unique(&mut entry.1, name);
                }
            } else {
                for purl in &info.purls {
                    push_unique(&mut entry.1, purl);
                }
            }
        }
    }
    for (key, (status, products)) in statements {
        if products.is_empty() {
            continue;
        }
        out.statements.push(VexStatement {
            vulnerabilities: ids.clone(),
            products,
            status,
            justification: key.justification,
            impact_statement: key.impact,
            action_statement: key.action,
            source: source.to_owned(),
            timestamp: document_time.map(str::to_owned),
        });
    }
}
