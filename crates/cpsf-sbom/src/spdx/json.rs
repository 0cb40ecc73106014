//! SPDX 2.2/2.3 JSON and YAML: writers (the document built by `v2_write`, serialized) and readers (YAML is
//! converted to the JSON shape first, so the SPDX 2.3 JSON schema applies to both).

use std::collections::BTreeMap;

use cpsf_model::{Diagnostic, Inventory};
use serde_json::Value;

use super::v2_read::{self, Syntax};
use crate::{ReadSbom, SbomError, SpdxVersion};

/// An SPDX 2.x JSON document of `inventory`, with warnings about what it cannot carry.
pub fn write(inventory: &Inventory, version: SpdxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, losses) = super::v2_write::build(inventory, version);
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| SbomError::Unsupported(format!("cannot serialize the SPDX JSON document: {e}")))?;
    text.push('\n');
    Ok((text, losses))
}

/// An SPDX 2.x YAML document of `inventory` (the JSON document's fields, in the same order).
pub fn write_yaml(inventory: &Inventory, version: SpdxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, losses) = super::v2_write::build(inventory, version);
    let mut text = String::from("---\n");
    yaml_block(&document, 0, &mut text);
    Ok((text, losses))
}

/// YAML in block style with every string double-quoted (as the specification's YAML example writes it): a
/// plain `2026-01-01T00:00:00Z`, `1.10` or `no` would be a timestamp, a number or a boolean to a YAML 1.1
/// reader. A JSON string literal is a valid YAML double-quoted scalar, escapes included.
fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        // Not reached for non-empty collections; they are written as blocks.
        other => other.to_string(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => false,
    }
}

fn yaml_key(key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain { key.to_owned() } else { serde_json::to_string(key).unwrap_or_default() }
}

/// Write the entries of a block collection at `indent` spaces; the first line continues the current one when
/// `out` does not end with a line break (the `- ` of a sequence item).
fn yaml_block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (i, (key, v)) in map.iter().enumerate() {
                if i > 0 || out.ends_with('\n') {
                    out.push_str(&pad);
                }
                out.push_str(&yaml_key(key));
                out.push(':');
                match v {
                    Value::Object(_) if is_block(v) => {
                        out.push('\n');
                        yaml_block(v, indent + 2, out);
                    }
                    Value::Array(_) if is_block(v) => {
                        out.push('\n');
                        yaml_block(v, indent, out);
                    }
                    scalar => {
                        out.push(' ');
                        out.push_str(&yaml_scalar(scalar));
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 || out.ends_with('\n') {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                if is_block(item) {
                    yaml_block(item, indent + 2, out);
                } else {
                    out.push_str(&yaml_scalar(item));
                    out.push('\n');
                }
            }
        }
        scalar => {
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    }
}

/// Read an SPDX 2.0–2.3 JSON document.
pub fn read_json(value: serde_json::Value) -> Result<ReadSbom, SbomError> {
    v2_read::read(value, Syntax::Json, &BTreeMap::new())
}

/// Read an SPDX 2.0–2.3 YAML document; `json` of the result is the document converted to the JSON shape.
pub fn read_yaml(text: &str) -> Result<ReadSbom, SbomError> {
    let value: serde_json::Value = serde_norway::from_str(text).map_err(|e| SbomError::Malformed {
        line: e.location().map(|l| u32::try_from(l.line()).unwrap_or(u32::MAX)),
        message: format!("invalid SPDX YAML: {e}"),
    })?;
    v2_read::read(value, Syntax::Yaml, &BTreeMap::new())
}
