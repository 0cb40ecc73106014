//! OpenVEX reader: v0.2.0 documents, and the v0.0.x spellings (a vulnerability as a bare string, products and
//! subcomponents as bare strings).

use serde_json::Value;

use super::{VexDocument, VexError, VexStatement, VexStatus, items, json_kind, push_unique, text, warning};

/// Read the statements of an OpenVEX document (already known to carry an OpenVEX `@context`).
pub(super) fn read(doc: &Value, source: &str) -> Result<VexDocument, VexError> {
    let malformed = |field: &str, message: String| VexError::Malformed {
        source_name: source.to_owned(),
        field: field.to_owned(),
        message,
    };
    let list = match doc.get("statements") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(malformed(
                "statements",
                format!("expected an array of statements, found a {}", json_kind(other)),
            ));
        }
        None => return Err(malformed("statements", "an OpenVEX document needs a `statements` array".into())),
    };
    let document_time = text(doc, "timestamp").or_else(|| text(doc, "last_updated"));
    let mut out = VexDocument { format: "OpenVEX".into(), ..VexDocument::default() };
    for (i, item) in list.iter().enumerate() {
        match statement(item, source, document_time) {
            Ok(statement) => out.statements.push(statement),
            Err(message) => {
                out.warnings.push(warning(source, format!("/statements/{i}: {message}; statement skipped")))
            }
        }
    }
    Ok(out)
}

/// One statement, or why it cannot be used.
fn statement(item: &Value, source: &str, document_time: Option<&str>) -> Result<VexStatement, String> {
    if !item.is_object() {
        return Err(format!("expected an object, found a {}", json_kind(item)));
    }
    let mut vulnerabilities = Vec::new();
    match item.get("vulnerability") {
        // v0.2.0: `{ "name": ..., "@id": ..., "aliases": [...] }`.
        Some(v @ Value::Object(_)) => {
            for key in ["name", "@id"] {
                if let Some(id) = text(v, key) {
                    push_unique(&mut vulnerabilities, id);
                }
            }
            for alias in super::strings(v, "aliases") {
                push_unique(&mut vulnerabilities, alias);
            }
        }
        // v0.0.x: the id as a string.
        Some(Value::String(id)) => push_unique(&mut vulnerabilities, id),
        Some(other) => {
            return Err(format!("`vulnerability`: expected an object or a string, found a {}", json_kind(other)));
        }
        None => return Err("no `vulnerability`".into()),
    }
    if vulnerabilities.is_empty() {
        return Err("`vulnerability` has neither `name` nor `@id`".into());
    }
    let status_word = text(item, "status").ok_or("no `status`")?;
    let status = VexStatus::from_openvex(status_word).ok_or_else(|| {
        format!("`status` is `{status_word}`; expected not_affected, affected, fixed or under_investigation")
    })?;
    let mut products = Vec::new();
    match item.get("products") {
        Some(Value::Array(list)) => {
            for product in list {
                product_ids(product, &mut products);
            }
        }
        Some(other) => return Err(format!("`products`: expected an array, found a {}", json_kind(other))),
        None => {}
    }
    // v0.0.x put subcomponents beside the products: the statement is then about those subcomponents.
    let statement_subcomponents = items(item, "subcomponents");
    if !statement_subcomponents.is_empty() {
        products.clear();
        for sub in statement_subcomponents {
            product_ids(sub, &mut products);
        }
    }
    if products.is_empty() {
        return Err("no product (`products[].@id`, `identifiers.purl` or a purl string)".into());
    }
    let timestamp = text(item, "last_updated").or_else(|| text(item, "timestamp")).or(document_time);
    Ok(VexStatement {
        vulnerabilities,
        products,
        status,
        justification: text(item, "justification").map(str::to_owned),
        impact_statement: text(item, "impact_statement").map(str::to_owned),
        action_statement: text(item, "action_statement").map(str::to_owned),
        source: source.to_owned(),
        timestamp: timestamp.map(str::to_owned),
    })
}

/// The identifiers of one product. A product with subcomponents stands for those subcomponents (the
/// vulnerability is in them, as shipped in the product), so their identifiers are taken instead of its own.
fn product_ids(product: &Value, out: &mut Vec<String>) {
    match product {
        Value::String(id) => push_unique(out, id),
        Value::Object(_) => {
            let subcomponents = items(product, "subcomponents");
            if subcomponents.is_empty() {
                own_ids(product, out);
            } else {
                for sub in subcomponents {
                    match sub {
                        Value::String(id) => push_unique(out, id),
                        Value::Object(_) => own_ids(sub, out),
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
}

/// `@id` and `identifiers.purl` of a product or subcomponent object.
fn own_ids(component: &Value, out: &mut Vec<String>) {
    if let Some(id) = text(component, "@id") {
        push_unique(out, id);
    }
    if let Some(identifiers) = component.get("identifiers")
        && let Some(purl) = text(identifiers, "purl")
    {
        push_unique(out, purl);
    }
}
