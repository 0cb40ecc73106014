//! Validation against the official JSON schemas, embedded in the binary (see `schema/README.md`).
//!
//! The CycloneDX 1.4–1.7 schemas and the SPDX 2.3 schema are compiled once each, offline: the files they
//! `$ref` (`spdx.schema.json`, `jsf-0.82.schema.json`, `cryptography-defs.schema.json`) are served from the
//! embedded copies, and any other reference fails the build of the validator instead of being fetched.
//! `format` assertions (`date-time`, `email`, `uri`, ...) are on, so an invalid timestamp is an error, as the
//! CycloneDX specification's test BOMs require.
//!
//! Two adjustments go beyond a plain schema check; both are stated where they are made:
//! - JSF signatures are checked by [`jsf_signature_errors`], not by the schema's ambiguous `oneOf`.
//! - Referential rules that JSON Schema cannot express (unique `bom-ref`s, dependency graph refs that
//!   point at a declared `bom-ref`) are checked by [`cyclonedx_reference_errors`].

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde::Serialize;
use serde_json::Value;

use crate::{CycloneDxVersion, ReadSbom, SbomFormat, SpdxVersion};

/// One schema violation: where (a JSON pointer into the document) and what.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SchemaReport {
    /// Which schema was applied, e.g. `CycloneDX 1.6 JSON schema`.
    pub schema: String,
    pub valid: bool,
    pub errors: Vec<SchemaError>,
}

/// An official schema file embedded in the binary, byte for byte as published.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedSchema {
    /// File name, as other schemas `$ref` it.
    pub file_name: &'static str,
    /// Folder of the copy under the test data root (`CPSF_TEST_DATA`) that this file must equal.
    pub test_data_dir: &'static str,
    pub text: &'static str,
}

/// Every embedded schema file.
pub const EMBEDDED_SCHEMAS: &[EmbeddedSchema] = &[
    cdx("bom-1.4.schema.json", include_str!("../schema/bom-1.4.schema.json")),
    cdx("bom-1.5.schema.json", include_str!("../schema/bom-1.5.schema.json")),
    cdx("bom-1.6.schema.json", include_str!("../schema/bom-1.6.schema.json")),
    cdx("bom-1.7.schema.json", include_str!("../schema/bom-1.7.schema.json")),
    cdx("spdx.schema.json", include_str!("../schema/spdx.schema.json")),
    cdx("jsf-0.82.schema.json", include_str!("../schema/jsf-0.82.schema.json")),
    cdx("cryptography-defs.schema.json", include_str!("../schema/cryptography-defs.schema.json")),
    EmbeddedSchema {
        file_name: "spdx-schema-2.3.json",
        test_data_dir: "spdx/schema",
        text: include_str!("../schema/spdx-schema-2.3.json"),
    },
];

const fn cdx(file_name: &'static str, text: &'static str) -> EmbeddedSchema {
    EmbeddedSchema { file_name, test_data_dir: "cyclonedx-spec/schema", text }
}

/// Where the CycloneDX schemas live by their `$id`; relative `$ref`s resolve against it.
const CYCLONEDX_BASE: &str = "http://cyclonedx.org/schema/";

fn embedded(file_name: &str) -> Option<&'static str> {
    EMBEDDED_SCHEMAS.iter().find(|s| s.file_name == file_name).map(|s| s.text)
}

/// Serves the embedded CycloneDX schema files to the reference resolver; refuses every other URI, so
/// building a validator never touches the disk or the network.
struct EmbeddedRetriever;

impl jsonschema::Retrieve for EmbeddedRetriever {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri
            .as_str()
            .strip_prefix(CYCLONEDX_BASE)
            .and_then(embedded)
            .ok_or_else(|| format!("schema `{uri}` is not embedded in cpsf and is not fetched"))?;
        let mut schema: Value = serde_json::from_str(text)?;
        if uri.as_str().ends_with("/jsf-0.82.schema.json") {
            detach_jsf_signature(&mut schema);
        }
        Ok(schema)
    }
}

/// JSF signatures are checked apart from the rest of the document.
///
/// The CycloneDX schemas type every `signature` property as `jsf-0.82.schema.json#/definitions/signature`,
/// a `oneOf` over three JSF forms: multiple signatures (`signers`), a signature chain (`chain`) and a single
/// signer (`algorithm`, `value`, ...). The signer's `algorithm` is itself a `oneOf` of "a JWA name" and "a
/// proprietary algorithm as a URI", and the branches are not disjoint (`{}` satisfies both the `signers` and
/// the `chain` branch, and whether a JWA name such as `ES256` is also a URI depends on the validator's URI
/// grammar), so a strict `oneOf` rejects signatures that JSF accepts; that is why plain schema validators
/// fail the spec's valid signed BOMs.
///
/// JSF (section "Signature formats") says which form a signature object has from its top-level property:
/// `signers` makes it a multi-signature, `chain` a signature chain, anything else a single signer. So the
/// embedded JSF definition is replaced, in memory only (the embedded file stays byte-identical), by an
/// always-true schema, and [`jsf_signature_errors`] validates each `signature` object against the one JSF
/// form its top-level property selects, with the `algorithm` alternatives checked as "any of" (a JWA name
/// or a URI). This is exactly the any-of-the-branches check JSF intends, with no ambiguity left.
fn detach_jsf_signature(jsf: &mut Value) {
    if let Some(definitions) = jsf.get_mut("definitions").and_then(Value::as_object_mut) {
        definitions.insert("signature".into(), Value::Bool(true));
    }
}

/// A validator against one JSF definition (`signer`), built from the embedded, unmodified JSF schema.
fn jsf_definition_validator(definition: &str) -> Result<Validator, String> {
    let mut schema: Value = serde_json::from_str(embedded("jsf-0.82.schema.json").unwrap_or("{}"))
        .map_err(|e| format!("embedded JSF schema: {e}"))?;
    // The signer's algorithm: "any of" the JWA names or a URI (see `detach_jsf_signature`).
    if let Some(algorithm) = schema.pointer_mut("/definitions/signer/properties/algorithm")
        && let Some(obj) = algorithm.as_object_mut()
        && let Some(branches) = obj.remove("oneOf")
    {
        obj.insert("anyOf".into(), branches);
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$id");
        obj.insert("$ref".into(), Value::String(format!("#/definitions/{definition}")));
    }
    jsonschema::options()
        .with_retriever(EmbeddedRetriever)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("JSF `{definition}` schema failed to compile: {e}"))
}

static JSF_SIGNER: LazyLock<Result<Validator, String>> = LazyLock::new(|| jsf_definition_validator("signer"));

fn build_validator(file_name: &str) -> Result<Validator, String> {
    let text = embedded(file_name).ok_or_else(|| format!("schema `{file_name}` is not embedded"))?;
    let schema: Value = serde_json::from_str(text).map_err(|e| format!("embedded schema `{file_name}`: {e}"))?;
    jsonschema::options()
        .with_retriever(EmbeddedRetriever)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("schema `{file_name}` failed to compile: {e}"))
}

static CYCLONEDX_1_4: LazyLock<Result<Validator, String>> = LazyLock::new(|| build_validator("bom-1.4.schema.json"));
static CYCLONEDX_1_5: LazyLock<Result<Validator, String>> = LazyLock::new(|| build_validator("bom-1.5.schema.json"));
static CYCLONEDX_1_6: LazyLock<Result<Validator, String>> = LazyLock::new(|| build_validator("bom-1.6.schema.json"));
static CYCLONEDX_1_7: LazyLock<Result<Validator, String>> = LazyLock::new(|| build_validator("bom-1.7.schema.json"));
static SPDX_2_3: LazyLock<Result<Validator, String>> = LazyLock::new(|| build_validator("spdx-schema-2.3.json"));

fn cyclonedx_validator(version: CycloneDxVersion) -> &'static Result<Validator, String> {
    match version {
        CycloneDxVersion::V1_4 => &CYCLONEDX_1_4,
        CycloneDxVersion::V1_5 => &CYCLONEDX_1_5,
        CycloneDxVersion::V1_6 => &CYCLONEDX_1_6,
        CycloneDxVersion::V1_7 => &CYCLONEDX_1_7,
    }
}

/// All schema errors of `value`, as (instance pointer, message).
fn schema_errors(validator: &Result<Validator, String>, value: &Value) -> Vec<SchemaError> {
    match validator {
        // `is_valid` stops at nothing and builds no error values: much faster on the (common) valid document.
        Ok(v) if v.is_valid(value) => Vec::new(),
        Ok(v) => v
            .iter_errors(value)
            .map(|e| SchemaError { pointer: e.instance_path().to_string(), message: e.to_string() })
            .collect(),
        Err(message) => vec![SchemaError { pointer: String::new(), message: message.clone() }],
    }
}

fn report(schema: String, errors: Vec<SchemaError>) -> SchemaReport {
    SchemaReport { schema, valid: errors.is_empty(), errors }
}

/// Compile the validator that documents of `format` are checked with, so that a caller can do it on another
/// thread while it builds the document (compiling a CycloneDX schema takes longer than validating most BOMs).
pub fn prepare(format: SbomFormat) {
    match format {
        SbomFormat::CycloneDxJson(v) | SbomFormat::CycloneDxXml(v) => {
            let _ = cyclonedx_validator(v).as_ref().map(|_| ());
            let _ = JSF_SIGNER.as_ref().map(|_| ());
        }
        SbomFormat::SpdxJson(_) | SbomFormat::SpdxTagValue(_) | SbomFormat::SpdxYaml(_) => {
            let _ = SPDX_2_3.as_ref().map(|_| ());
        }
        SbomFormat::Spdx3JsonLd => {}
    }
}

/// Validate a document read by any reader against the schema of its format.
///
/// - CycloneDX (JSON, and XML converted to the JSON shape): the JSON schema of the document's version.
/// - SPDX 2.3 and 2.2 (JSON, YAML, tag-value converted to the JSON shape): the SPDX 2.3 JSON schema. SPDX 2.2
///   documents are checked against 2.3 because 2.3 only added optional fields and enum values to 2.2, so a
///   valid 2.2 document is a valid 2.3 document.
/// - SPDX 3: no JSON schema is applied here; the report's `valid` is the reader's success (it parsed).
pub fn validate(read: &ReadSbom) -> SchemaReport {
    match (read.format, &read.json) {
        (SbomFormat::CycloneDxJson(v), Some(json)) => validate_cyclonedx(json, v),
        (SbomFormat::CycloneDxXml(v), Some(json)) => {
            let mut r = validate_cyclonedx(json, v);
            let extra = xml_licence_choice_errors(json, v);
            if !extra.is_empty() {
                r.errors.extend(extra);
                r.valid = false;
                r.schema = format!("{} (and the XML schema's licence choice)", r.schema);
            }
            r
        }
        (SbomFormat::SpdxJson(v) | SbomFormat::SpdxTagValue(v) | SbomFormat::SpdxYaml(v), Some(json)) => {
            let mut r = validate_spdx2(json);
            if v == SpdxVersion::V2_2 {
                r.schema = "SPDX 2.3 JSON schema (applied to an SPDX 2.2 document; 2.3 is a superset of 2.2)".into();
            }
            r
        }
        (SbomFormat::Spdx3JsonLd, _) => SchemaReport {
            schema: "none: no JSON schema is applied to SPDX 3 here; valid means the document was read".into(),
            valid: true,
            errors: vec![],
        },
        (format, None) => SchemaReport {
            schema: format!("none: the {format} document has no JSON form to validate"),
            valid: false,
            errors: vec![SchemaError {
                pointer: String::new(),
                message: format!("the reader of {format} gave no JSON form of the document"),
            }],
        },
    }
}

/// A rule of the CycloneDX 1.4–1.6 XML schemas that their JSON schemas do not state: a `<licenses>` element holds
/// either `<license>` elements or one `<expression>`, never both (1.7 allows both). Checked on the JSON form of an
/// XML document, where `<licenses>` became an array of `license` and `expression` entries.
fn xml_licence_choice_errors(value: &Value, version: CycloneDxVersion) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    if version >= CycloneDxVersion::V1_7 {
        return errors;
    }
    let mut path = Vec::new();
    walk_licences(value, &mut path, &mut errors);
    errors
}

fn walk_licences<'a>(value: &'a Value, path: &mut Vec<Step<'a>>, errors: &mut Vec<SchemaError>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Step::Key(key));
                if key == "licenses"
                    && let Value::Array(entries) = child
                    && entries.iter().any(|e| e.get("license").is_some())
                    && entries.iter().any(|e| e.get("expression").is_some())
                {
                    errors.push(SchemaError {
                        pointer: pointer_of(path),
                        message: "<licenses> holds both <license> and <expression>; the XML schema of this version \
                                  allows either <license> elements or one <expression>"
                            .into(),
                    });
                }
                if child.is_object() || child.is_array() {
                    walk_licences(child, path, errors);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    path.push(Step::Index(i));
                    walk_licences(child, path, errors);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Validate a CycloneDX document (JSON shape) against the official schema of `version`, the JSF
/// signature rules, and the referential rules of the specification.
pub fn validate_cyclonedx(value: &Value, version: CycloneDxVersion) -> SchemaReport {
    let mut errors = schema_errors(cyclonedx_validator(version), value);
    errors.extend(jsf_signature_errors(value));
    errors.extend(cyclonedx_reference_errors(value));
    errors.sort_by(|a, b| a.pointer.cmp(&b.pointer).then_with(|| a.message.cmp(&b.message)));
    errors.dedup();
    report(format!("CycloneDX {} JSON schema", version.as_str()), errors)
}

/// Validate an SPDX 2 document (JSON shape) against the official SPDX 2.3 JSON schema.
pub fn validate_spdx2(value: &Value) -> SchemaReport {
    report("SPDX 2.3 JSON schema".into(), schema_errors(&SPDX_2_3, value))
}

/// Escape one JSON pointer token (RFC 6901).
fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every `signature` property in a CycloneDX document, checked against the JSF form it selects (see
/// [`detach_jsf_signature`]). Only objects that the CycloneDX schema types as signatures carry a
/// `signature` key holding an object (BOM, components, services, compositions, vulnerabilities, ...).
pub fn jsf_signature_errors(value: &Value) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let mut path = Vec::new();
    walk_signatures(value, &mut path, &mut errors);
    errors
}

/// One step of a JSON pointer, kept unformatted until a signature is found (most documents have none).
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer_of(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&pointer_token(k)),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn walk_signatures<'a>(value: &'a Value, path: &mut Vec<Step<'a>>, errors: &mut Vec<SchemaError>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let signature = key == "signature";
                if !signature && !child.is_object() && !child.is_array() {
                    continue;
                }
                path.push(Step::Key(key));
                if signature {
                    check_jsf_signature(child, &pointer_of(path), errors);
                } else {
                    walk_signatures(child, path, errors);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if !child.is_object() && !child.is_array() {
                    continue;
                }
                path.push(Step::Index(i));
                walk_signatures(child, path, errors);
                path.pop();
            }
        }
        _ => {}
    }
}

/// One JSF signature: `signers` (multi-signature) or `chain` (signature chain) hold arrays of signers
/// and nothing else; any other object is a single signer.
fn check_jsf_signature(signature: &Value, pointer: &str, errors: &mut Vec<SchemaError>) {
    let Some(map) = signature.as_object() else {
        errors.push(SchemaError {
            pointer: pointer.to_owned(),
            message: format!("{signature} is not of type \"object\" (a JSF signature)"),
        });
        return;
    };
    let form = ["signers", "chain"].into_iter().find(|k| map.contains_key(*k));
    let Some(form) = form else {
        check_jsf_signer(signature, pointer, errors);
        return;
    };
    for key in map.keys().filter(|k| k.as_str() != form) {
        errors.push(SchemaError {
            pointer: pointer.to_owned(),
            message: format!("a JSF signature with `{form}` may have no other property, found `{key}`"),
        });
    }
    match map.get(form) {
        Some(Value::Array(signers)) => {
            for (i, signer) in signers.iter().enumerate() {
                check_jsf_signer(signer, &format!("{pointer}/{form}/{i}"), errors);
            }
        }
        _ => errors.push(SchemaError {
            pointer: format!("{pointer}/{form}"),
            message: format!("JSF `{form}` must be an array of signers"),
        }),
    }
}

fn check_jsf_signer(signer: &Value, pointer: &str, errors: &mut Vec<SchemaError>) {
    match &*JSF_SIGNER {
        Ok(v) => errors.extend(
            v.iter_errors(signer)
                .map(|e| SchemaError { pointer: format!("{pointer}{}", e.instance_path()), message: e.to_string() }),
        ),
        Err(message) => errors.push(SchemaError { pointer: pointer.to_owned(), message: message.clone() }),
    }
}

/// Rules of the CycloneDX specification that its JSON schema cannot express:
/// - every `bom-ref` is unique within the BOM ("bom-ref ... MUST be unique within the BOM");
/// - every `dependencies[].ref` and `dependsOn[]` refers to a `bom-ref` declared in the BOM (the
///   metadata component, components, services, at any depth).
pub fn cyclonedx_reference_errors(value: &Value) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let mut declared: BTreeSet<&str> = BTreeSet::new();
    let mut holders: Vec<(String, &Value)> = Vec::new();
    if let Some(component) = value.pointer("/metadata/component") {
        holders.push(("/metadata/component".into(), component));
    }
    for list in ["components", "services"] {
        if let Some(Value::Array(items)) = value.get(list) {
            for (i, item) in items.iter().enumerate() {
                holders.push((format!("/{list}/{i}"), item));
            }
        }
    }
    while let Some((pointer, holder)) = holders.pop() {
        if let Some(Value::String(bom_ref)) = holder.get("bom-ref")
            && !declared.insert(bom_ref.as_str())
        {
            errors.push(SchemaError {
                pointer: format!("{pointer}/bom-ref"),
                message: format!("bom-ref `{bom_ref}` is not unique within the BOM"),
            });
        }
        for list in ["components", "services"] {
            if let Some(Value::Array(items)) = holder.get(list) {
                for (i, item) in items.iter().enumerate() {
                    holders.push((format!("{pointer}/{list}/{i}"), item));
                }
            }
        }
    }
    if let Some(Value::Array(dependencies)) = value.get("dependencies") {
        for (i, dependency) in dependencies.iter().enumerate() {
            if let Some(Value::String(r)) = dependency.get("ref")
                && !declared.contains(r.as_str())
            {
                errors.push(SchemaError {
                    pointer: format!("/dependencies/{i}/ref"),
                    message: format!("dependency ref `{r}` is not the bom-ref of any component or service"),
                });
            }
            if let Some(Value::Array(targets)) = dependency.get("dependsOn") {
                for (j, target) in targets.iter().enumerate() {
                    if let Value::String(t) = target
                        && !declared.contains(t.as_str())
                    {
                        errors.push(SchemaError {
                            pointer: format!("/dependencies/{i}/dependsOn/{j}"),
                            message: format!("dependsOn `{t}` is not the bom-ref of any component or service"),
                        });
                    }
                }
            }
        }
    }
    errors
}
