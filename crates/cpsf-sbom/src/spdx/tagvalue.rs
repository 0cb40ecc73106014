//! SPDX 2.x tag-value: the writer renders the JSON-shaped document (`v2_write`) as `Tag: value` lines in the
//! specification's order; the reader converts `Tag: value` lines into the same JSON shape (so the SPDX 2.3
//! JSON schema applies) and reads the inventory from it.
//!
//! One table per section (document, package, file, snippet, other licensing information) lists the tags in
//! the order of the specification's clauses, with the JSON field each one fills; reading and writing both use
//! it. Relationships, annotations and reviews are free-standing lines. Values that span lines are written as
//! `<text>...</text>`. A file that follows a package in tag-value is contained in it (SPDX 2.3 clause 5.2.2);
//! the JSON shape says so with the package's `hasFiles`.

use std::collections::BTreeMap;

use cpsf_model::{Diagnostic, DiagnosticCode, Inventory};
use serde_json::{Map, Value, json};

use super::v2_read::{self, Syntax};
use crate::{ReadSbom, SbomError, SpdxVersion};

/// How a tag's value maps to its JSON field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A string.
    Text,
    /// One string per line, a JSON array.
    List,
    /// `true` / `false`.
    Bool,
    /// `ALGORITHM: hex`, a `checksums` array entry.
    Checksum,
    /// `CATEGORY TYPE LOCATOR`, an `externalRefs` entry.
    ExternalRef,
    /// `hex (excludes: ./a, ./b)`.
    VerificationCode,
    /// `OPERATING-SYSTEM` in tag-value, `OPERATING_SYSTEM` in JSON.
    Purpose,
    /// `DocumentRef-x URI ALGORITHM: hex`, an `externalDocumentRefs` entry.
    ExternalDocumentRef,
    /// Comma-separated URLs, appended to an array.
    UrlList,
    /// `start:end` byte offsets of a snippet.
    ByteRange,
    /// `start:end` lines of a snippet.
    LineRange,
    /// `ExternalRefComment`: the comment of the external reference before it.
    Comment,
}

struct Field {
    tag: &'static str,
    /// JSON key; `creationInfo.x` is a key of the nested `creationInfo` object.
    key: &'static str,
    kind: Kind,
}

const fn f(tag: &'static str, key: &'static str, kind: Kind) -> Field {
    Field { tag, key, kind }
}

/// Document creation information, clauses 6.1–6.11.
const DOCUMENT: &[Field] = &[
    f("SPDXVersion", "spdxVersion", Kind::Text),
    f("DataLicense", "dataLicense", Kind::Text),
    f("SPDXID", "SPDXID", Kind::Text),
    f("DocumentName", "name", Kind::Text),
    f("DocumentNamespace", "documentNamespace", Kind::Text),
    f("ExternalDocumentRef", "externalDocumentRefs", Kind::ExternalDocumentRef),
    f("LicenseListVersion", "creationInfo.licenseListVersion", Kind::Text),
    f("Creator", "creationInfo.creators", Kind::List),
    f("Created", "creationInfo.created", Kind::Text),
    f("CreatorComment", "creationInfo.comment", Kind::Text),
    f("DocumentComment", "comment", Kind::Text),
];

/// Package information, clauses 7.1–7.28.
const PACKAGE: &[Field] = &[
    f("PackageName", "name", Kind::Text),
    f("SPDXID", "SPDXID", Kind::Text),
    f("PackageVersion", "versionInfo", Kind::Text),
    f("PackageFileName", "packageFileName", Kind::Text),
    f("PackageSupplier", "supplier", Kind::Text),
    f("PackageOriginator", "originator", Kind::Text),
    f("PackageDownloadLocation", "downloadLocation", Kind::Text),
    f("FilesAnalyzed", "filesAnalyzed", Kind::Bool),
    f("PackageVerificationCode", "packageVerificationCode", Kind::VerificationCode),
    f("PackageChecksum", "checksums", Kind::Checksum),
    f("PackageHomePage", "homepage", Kind::Text),
    f("PackageSourceInfo", "sourceInfo", Kind::Text),
    f("PackageLicenseConcluded", "licenseConcluded", Kind::Text),
    f("PackageLicenseInfoFromFiles", "licenseInfoFromFiles", Kind::List),
    f("PackageLicenseDeclared", "licenseDeclared", Kind::Text),
    f("PackageLicenseComments", "licenseComments", Kind::Text),
    f("PackageCopyrightText", "copyrightText", Kind::Text),
    f("PackageSummary", "summary", Kind::Text),
    f("PackageDescription", "description", Kind::Text),
    f("PackageComment", "comment", Kind::Text),
    f("ExternalRef", "externalRefs", Kind::ExternalRef),
    f("ExternalRefComment", "externalRefs", Kind::Comment),
    f("PackageAttributionText", "attributionTexts", Kind::List),
    f("PrimaryPackagePurpose", "primaryPackagePurpose", Kind::Purpose),
    f("ReleaseDate", "releaseDate", Kind::Text),
    f("BuiltDate", "builtDate", Kind::Text),
    f("ValidUntilDate", "validUntilDate", Kind::Text),
];

/// File information, clause 8.
const FILE: &[Field] = &[
    f("FileName", "fileName", Kind::Text),
    f("SPDXID", "SPDXID", Kind::Text),
    f("FileType", "fileTypes", Kind::List),
    f("FileChecksum", "checksums", Kind::Checksum),
    f("LicenseConcluded", "licenseConcluded", Kind::Text),
    f("LicenseInfoInFile", "licenseInfoInFiles", Kind::List),
    f("LicenseComments", "licenseComments", Kind::Text),
    f("FileCopyrightText", "copyrightText", Kind::Text),
    f("FileComment", "comment", Kind::Text),
    f("FileNotice", "noticeText", Kind::Text),
    f("FileContributor", "fileContributors", Kind::List),
    f("FileAttributionText", "attributionTexts", Kind::List),
    f("FileDependency", "fileDependencies", Kind::List),
];

/// Snippet information, clause 9.
const SNIPPET: &[Field] = &[
    f("SnippetSPDXID", "SPDXID", Kind::Text),
    f("SnippetFromFileSPDXID", "snippetFromFile", Kind::Text),
    f("SnippetByteRange", "ranges", Kind::ByteRange),
    f("SnippetLineRange", "ranges", Kind::LineRange),
    f("SnippetLicenseConcluded", "licenseConcluded", Kind::Text),
    f("LicenseInfoInSnippet", "licenseInfoInSnippets", Kind::List),
    f("SnippetLicenseComments", "licenseComments", Kind::Text),
    f("SnippetCopyrightText", "copyrightText", Kind::Text),
    f("SnippetComment", "comment", Kind::Text),
    f("SnippetName", "name", Kind::Text),
    f("SnippetAttributionText", "attributionTexts", Kind::List),
];

/// Other licensing information detected, clause 10.
const LICENSE: &[Field] = &[
    f("LicenseID", "licenseId", Kind::Text),
    f("ExtractedText", "extractedText", Kind::Text),
    f("LicenseName", "name", Kind::Text),
    f("LicenseCrossReference", "seeAlsos", Kind::UrlList),
    f("LicenseComment", "comment", Kind::Text),
];

/// Relationship (clause 11), annotation (12) and review tags: free-standing, in any section.
const RELATIONSHIP_TAGS: &[&str] = &["Relationship", "RelationshipComment"];
const ANNOTATION_TAGS: &[&str] = &["Annotator", "AnnotationDate", "AnnotationType", "SPDXREF", "AnnotationComment"];
const REVIEW_TAGS: &[&str] = &["Reviewer", "ReviewDate", "ReviewComment"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Document,
    Package,
    File,
    Snippet,
    License,
}

impl Section {
    fn fields(self) -> &'static [Field] {
        match self {
            Self::Document => DOCUMENT,
            Self::Package => PACKAGE,
            Self::File => FILE,
            Self::Snippet => SNIPPET,
            Self::License => LICENSE,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Document => "the document creation information",
            Self::Package => "a package (after `PackageName`)",
            Self::File => "a file (after `FileName`)",
            Self::Snippet => "a snippet (after `SnippetSPDXID`)",
            Self::License => "a licence (after `LicenseID`)",
        }
    }

    /// The tag that starts an element of this section.
    fn starter(tag: &str) -> Option<Self> {
        match tag {
            "PackageName" => Some(Self::Package),
            "FileName" => Some(Self::File),
            "SnippetSPDXID" => Some(Self::Snippet),
            "LicenseID" => Some(Self::License),
            _ => None,
        }
    }
}

fn malformed(line: u32, message: impl Into<String>) -> SbomError {
    SbomError::Malformed { line: Some(line), message: message.into() }
}

/// Set `key` (possibly `creationInfo.x`) of `map`, or append to it for list kinds.
fn slot<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Value {
    match key.split_once('.') {
        Some((outer, inner)) => {
            let outer = map.entry(outer.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !outer.is_object() {
                *outer = Value::Object(Map::new());
            }
            match outer {
                Value::Object(o) => o.entry(inner.to_owned()).or_insert(Value::Null),
                // Not reached: `outer` was made an object just above.
                other => other,
            }
        }
        None => map.entry(key.to_owned()).or_insert(Value::Null),
    }
}

fn push(map: &mut Map<String, Value>, key: &str, item: Value) {
    let s = slot(map, key);
    match s {
        Value::Array(items) => items.push(item),
        _ => *s = Value::Array(vec![item]),
    }
}

/// `ALGORITHM: hex`.
fn checksum(value: &str, line: u32, tag: &str) -> Result<Value, SbomError> {
    match value.split_once(':') {
        Some((alg, hex)) if !alg.trim().is_empty() && !hex.trim().is_empty() => {
            Ok(json!({"algorithm": alg.trim(), "checksumValue": hex.trim()}))
        }
        _ => Err(malformed(line, format!("`{tag}: {value}`: expected `{tag}: ALGORITHM: hex-digest`"))),
    }
}

/// `start:end` as two integers.
fn range(value: &str, line: u32, tag: &str) -> Result<(u64, u64), SbomError> {
    let parsed = value.split_once(':').and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
    parsed.ok_or_else(|| malformed(line, format!("`{tag}: {value}`: expected `{tag}: start:end` (two integers)")))
}

/// One element being read: its fields, the line it starts on.
struct Element {
    map: Map<String, Value>,
    line: u32,
}

impl Element {
    fn new(line: u32) -> Self {
        Self { map: Map::new(), line }
    }
}

struct Annotation {
    map: Map<String, Value>,
    target: Option<String>,
}

/// A tag-value document in the JSON shape, the line each element's SPDXID starts on, and warnings.
type Converted = (Value, BTreeMap<String, u32>, Vec<Diagnostic>);

#[derive(Default)]
struct Parsed {
    document: Map<String, Value>,
    packages: Vec<Element>,
    files: Vec<Element>,
    /// For each file, the package it follows (index into `packages`).
    file_parent: Vec<Option<usize>>,
    snippets: Vec<Element>,
    licenses: Vec<Element>,
    relationships: Vec<Map<String, Value>>,
    annotations: Vec<Annotation>,
    reviews: Vec<Map<String, Value>>,
    diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    fn current(&mut self, section: Section) -> Option<&mut Map<String, Value>> {
        match section {
            Section::Document => Some(&mut self.document),
            Section::Package => self.packages.last_mut().map(|e| &mut e.map),
            Section::File => self.files.last_mut().map(|e| &mut e.map),
            Section::Snippet => self.snippets.last_mut().map(|e| &mut e.map),
            Section::License => self.licenses.last_mut().map(|e| &mut e.map),
        }
    }

    /// Apply one field of a section's table to the current element of that section.
    fn field(&mut self, section: Section, field: &Field, value: String, line: u32) -> Result<(), SbomError> {
        let tag = field.tag;
        let map =
            self.current(section).ok_or_else(|| malformed(line, format!("`{tag}` outside {}", section.noun())))?;
        match field.kind {
            Kind::Text => {
                *slot(map, field.key) = Value::String(value);
            }
            Kind::List => push(map, field.key, Value::String(value)),
            Kind::Bool => {
                let b = match value.trim() {
                    v if v.eq_ignore_ascii_case("true") => true,
                    v if v.eq_ignore_ascii_case("false") => false,
                    other => return Err(malformed(line, format!("`{tag}: {other}`: expected `true` or `false`"))),
                };
                *slot(map, field.key) = Value::Bool(b);
            }
            Kind::Checksum => push(map, field.key, checksum(&value, line, tag)?),
            Kind::ExternalRef => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                let [category, ty, locator] = parts.as_slice() else {
                    return Err(malformed(
                        line,
                        format!("`{tag}: {value}`: expected `{tag}: CATEGORY TYPE LOCATOR` (three words)"),
                    ));
                };
                let category = category.replace('_', "-");
                push(
                    map,
                    field.key,
                    json!({"referenceCategory": category, "referenceType": ty, "referenceLocator": locator}),
                );
            }
            Kind::Comment => {
                let last = match map.get_mut(field.key) {
                    Some(Value::Array(items)) => items.last_mut().and_then(Value::as_object_mut),
                    _ => None,
                };
                let last =
                    last.ok_or_else(|| malformed(line, format!("`{tag}` without an `ExternalRef` before it")))?;
                last.insert("comment".into(), Value::String(value));
            }
            Kind::VerificationCode => {
                let (code, excluded) = match value.split_once('(') {
                    Some((code, rest)) => {
                        let inner = rest.trim_end().trim_end_matches(')');
                        let inner = inner.trim();
                        let inner = match inner.get(..9) {
                            Some(head) if head.eq_ignore_ascii_case("excludes:") => inner.get(9..).unwrap_or(""),
                            _ => inner,
                        };
                        let files: Vec<Value> = inner
                            .split(',')
                            .map(str::trim)
                            .filter(|f| !f.is_empty())
                            .map(|f| Value::String(f.to_owned()))
                            .collect();
                        (code.trim().to_owned(), files)
                    }
                    None => (value.trim().to_owned(), Vec::new()),
                };
                if code.is_empty() {
                    return Err(malformed(
                        line,
                        format!("`{tag}`: expected `{tag}: hex-digest (excludes: file, ...)`"),
                    ));
                }
                let mut v = Map::new();
                v.insert("packageVerificationCodeValue".into(), Value::String(code));
                if !excluded.is_empty() {
                    v.insert("packageVerificationCodeExcludedFiles".into(), Value::Array(excluded));
                }
                *slot(map, field.key) = Value::Object(v);
            }
            Kind::Purpose => {
                *slot(map, field.key) = Value::String(value.trim().replace('-', "_"));
            }
            Kind::ExternalDocumentRef => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                let (id, uri, rest) = match parts.as_slice() {
                    [id, uri, rest @ ..] if !rest.is_empty() => (*id, *uri, rest.join(" ")),
                    _ => {
                        return Err(malformed(
                            line,
                            format!("`{tag}: {value}`: expected `{tag}: DocumentRef-id URI ALGORITHM: hex-digest`"),
                        ));
                    }
                };
                let checksum = checksum(&rest, line, tag)?;
                push(map, field.key, json!({"externalDocumentId": id, "spdxDocument": uri, "checksum": checksum}));
            }
            Kind::UrlList => {
                for url in value.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    push(map, field.key, Value::String(url.to_owned()));
                }
            }
            Kind::ByteRange | Kind::LineRange => {
                let (start, end) = range(&value, line, tag)?;
                let unit = if field.kind == Kind::ByteRange { "offset" } else { "lineNumber" };
                push(map, field.key, json!({"startPointer": {unit: start}, "endPointer": {unit: end}}));
            }
        }
        Ok(())
    }

    fn relationship(&mut self, tag: &str, value: String, line: u32) -> Result<(), SbomError> {
        if tag == "RelationshipComment" {
            let last = self
                .relationships
                .last_mut()
                .ok_or_else(|| malformed(line, "`RelationshipComment` without a `Relationship` before it"))?;
            last.insert("comment".into(), Value::String(value));
            return Ok(());
        }
        let parts: Vec<&str> = value.split_whitespace().collect();
        let [from, ty, to] = parts.as_slice() else {
            return Err(malformed(
                line,
                format!("`Relationship: {value}`: expected `Relationship: SPDXRef-A RELATIONSHIP_TYPE SPDXRef-B`"),
            ));
        };
        let mut r = Map::new();
        r.insert("spdxElementId".into(), json!(from));
        r.insert("relationshipType".into(), json!(ty.to_ascii_uppercase()));
        r.insert("relatedSpdxElement".into(), json!(to));
        self.relationships.push(r);
        Ok(())
    }

    fn annotation(&mut self, tag: &str, value: String, line: u32) -> Result<(), SbomError> {
        if tag == "Annotator" {
            let mut map = Map::new();
            map.insert("annotator".into(), Value::String(value));
            self.annotations.push(Annotation { map, target: None });
            return Ok(());
        }
        let last = self
            .annotations
            .last_mut()
            .ok_or_else(|| malformed(line, format!("`{tag}` without an `Annotator` before it")))?;
        match tag {
            "AnnotationDate" => {
                last.map.insert("annotationDate".into(), Value::String(value));
            }
            "AnnotationType" => {
                last.map.insert("annotationType".into(), Value::String(value.trim().to_ascii_uppercase()));
            }
            "AnnotationComment" => {
                last.map.insert("comment".into(), Value::String(value));
            }
            _ => last.target = Some(value.trim().to_owned()),
        }
        Ok(())
    }

    fn review(&mut self, tag: &str, value: String, line: u32) -> Result<(), SbomError> {
        if tag == "Reviewer" {
            let mut map = Map::new();
            map.insert("reviewer".into(), Value::String(value));
            self.reviews.push(map);
            return Ok(());
        }
        let last = self
            .reviews
            .last_mut()
            .ok_or_else(|| malformed(line, format!("`{tag}` without a `Reviewer` before it")))?;
        let key = if tag == "ReviewDate" { "reviewDate" } else { "comment" };
        last.insert(key.into(), Value::String(value));
        Ok(())
    }

    /// The document in the JSON shape, and the line each element's SPDXID starts on.
    fn into_json(mut self) -> Converted {
        let mut lines = BTreeMap::new();
        for e in self.packages.iter().chain(&self.files).chain(&self.snippets) {
            if let Some(id) = e.map.get("SPDXID").and_then(Value::as_str) {
                lines.entry(id.to_owned()).or_insert(e.line);
            }
        }
        // Snippet ranges point into the snippet's file.
        for s in &mut self.snippets {
            let file = s.map.get("snippetFromFile").cloned().unwrap_or(Value::Null);
            if let Some(Value::Array(ranges)) = s.map.get_mut("ranges") {
                for r in ranges.iter_mut() {
                    for end in ["startPointer", "endPointer"] {
                        if let Some(Value::Object(p)) = r.get_mut(end)
                            && file.is_string()
                        {
                            p.insert("reference".into(), file.clone());
                        }
                    }
                }
            }
        }
        // Files that follow a package are contained in it.
        for (file, parent) in self.files.iter().zip(&self.file_parent) {
            let (Some(p), Some(id)) = (parent, file.map.get("SPDXID").cloned()) else { continue };
            if let Some(package) = self.packages.get_mut(*p) {
                push(&mut package.map, "hasFiles", id);
            }
        }
        // Annotations belong to the element they name.
        let document_id = self.document.get("SPDXID").and_then(Value::as_str).map(str::to_owned);
        let mut document_annotations = Vec::new();
        for a in self.annotations {
            let holder = a.target.as_deref().and_then(|t| {
                if Some(t) == document_id.as_deref() {
                    return None;
                }
                self.packages
                    .iter_mut()
                    .chain(self.files.iter_mut())
                    .chain(self.snippets.iter_mut())
                    .find(|e| e.map.get("SPDXID").and_then(Value::as_str) == Some(t))
            });
            match holder {
                Some(e) => push(&mut e.map, "annotations", Value::Object(a.map)),
                None => document_annotations.push(Value::Object(a.map)),
            }
        }
        let mut doc = self.document;
        let mut put = |key: &str, items: Vec<Value>| {
            if !items.is_empty() {
                doc.insert(key.into(), Value::Array(items));
            }
        };
        put("annotations", document_annotations);
        put("packages", self.packages.into_iter().map(|e| Value::Object(e.map)).collect());
        put("files", self.files.into_iter().map(|e| Value::Object(e.map)).collect());
        put("snippets", self.snippets.into_iter().map(|e| Value::Object(e.map)).collect());
        put("hasExtractedLicensingInfos", self.licenses.into_iter().map(|e| Value::Object(e.map)).collect());
        put("relationships", self.relationships.into_iter().map(Value::Object).collect());
        put("revieweds", self.reviews.into_iter().map(Value::Object).collect());
        (Value::Object(doc), lines, self.diagnostics)
    }
}

/// Convert tag-value text into the SPDX 2 JSON shape. Returns the document, the line each element starts on
/// and warnings (unknown tags).
fn to_json(text: &str) -> Result<Converted, SbomError> {
    let mut parsed = Parsed::default();
    let mut section = Section::Document;
    let mut lines = text.lines().enumerate().map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l));
    while let Some((line, raw)) = lines.next() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, rest)) = trimmed.split_once(':') else {
            return Err(malformed(line, format!("expected `Tag: value`, found `{}`", shorten(trimmed))));
        };
        let tag = tag.trim();
        if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(malformed(line, format!("expected `Tag: value`, found `{}`", shorten(trimmed))));
        }
        let rest = rest.trim_start();
        let value = match rest.strip_prefix("<text>") {
            Some(after) => match after.find("</text>") {
                Some(end) => after.get(..end).unwrap_or("").to_owned(),
                None => {
                    let mut value = after.to_owned();
                    loop {
                        let Some((_, next)) = lines.next() else {
                            return Err(malformed(line, format!("`{tag}`: `<text>` is never closed by `</text>`")));
                        };
                        value.push('\n');
                        match next.find("</text>") {
                            Some(end) => {
                                value.push_str(next.get(..end).unwrap_or(""));
                                break;
                            }
                            None => value.push_str(next),
                        }
                    }
                    value
                }
            },
            None => rest.trim_end().to_owned(),
        };

        if let Some(next) = Section::starter(tag) {
            section = next;
            match next {
                Section::Package => parsed.packages.push(Element::new(line)),
                Section::File => {
                    parsed.files.push(Element::new(line));
                    parsed.file_parent.push(parsed.packages.len().checked_sub(1));
                }
                Section::Snippet => parsed.snippets.push(Element::new(line)),
                Section::License => parsed.licenses.push(Element::new(line)),
                Section::Document => {}
            }
        }
        if RELATIONSHIP_TAGS.contains(&tag) {
            parsed.relationship(tag, value, line)?;
        } else if ANNOTATION_TAGS.contains(&tag) {
            parsed.annotation(tag, value, line)?;
        } else if REVIEW_TAGS.contains(&tag) {
            parsed.review(tag, value, line)?;
        } else if let Some(field) = section.fields().iter().find(|f| f.tag == tag) {
            parsed.field(section, field, value, line)?;
        } else if let Some(field) = DOCUMENT.iter().find(|f| f.tag == tag && f.tag != "SPDXID") {
            // Document information may come late; it cannot be mistaken for anything else.
            parsed.field(Section::Document, field, value, line)?;
        } else if let Some(owner) = [Section::Package, Section::File, Section::Snippet, Section::License]
            .into_iter()
            .find(|s| s.fields().iter().any(|f| f.tag == tag))
        {
            return Err(malformed(
                line,
                format!("`{tag}` belongs to {}, but appears in {}", owner.noun(), section.noun()),
            ));
        } else {
            parsed.diagnostics.push(Diagnostic::new(
                DiagnosticCode::SbomMalformed,
                "tag-value",
                Some(line),
                format!("unknown tag `{tag}` was ignored"),
            ));
        }
    }
    Ok(parsed.into_json())
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// Render a value in tag-value: `<text>` blocks for values with line breaks.
fn render_value(value: &str) -> String {
    if value.contains('\n') || value.contains('\r') {
        // A `</text>` inside the value would end the block early; it is broken up.
        format!("<text>{}</text>", value.replace("</text>", "</ text>"))
    } else {
        value.to_owned()
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn lookup<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    match key.split_once('.') {
        Some((outer, inner)) => map.get(outer)?.get(inner),
        None => map.get(key),
    }
}

/// Append one element's tags, in the table's order.
fn render_fields(out: &mut String, fields: &[Field], map: &Map<String, Value>) {
    let mut line = |tag: &str, value: &str| {
        out.push_str(tag);
        out.push_str(": ");
        out.push_str(&render_value(value));
        out.push('\n');
    };
    for field in fields {
        let Some(value) = lookup(map, field.key) else { continue };
        let items: &[Value] = match value {
            Value::Array(items) => items,
            other => std::slice::from_ref(other),
        };
        match field.kind {
            Kind::Text | Kind::Bool | Kind::List | Kind::UrlList => {
                for item in items {
                    if let Some(s) = scalar(item) {
                        line(field.tag, &s);
                    }
                }
            }
            Kind::Purpose => {
                if let Some(s) = scalar(value) {
                    line(field.tag, &s.replace('_', "-"));
                }
            }
            Kind::Checksum => {
                for c in items {
                    if let (Some(a), Some(v)) =
                        (c.get("algorithm").and_then(scalar), c.get("checksumValue").and_then(scalar))
                    {
                        line(field.tag, &format!("{a}: {v}"));
                    }
                }
            }
            Kind::ExternalRef => {
                for r in items {
                    let get = |k: &str| r.get(k).and_then(scalar);
                    if let (Some(c), Some(t), Some(l)) =
                        (get("referenceCategory"), get("referenceType"), get("referenceLocator"))
                    {
                        line(field.tag, &format!("{c} {t} {l}"));
                        if let Some(comment) = get("comment") {
                            line("ExternalRefComment", &comment);
                        }
                    }
                }
            }
            Kind::Comment => {}
            Kind::VerificationCode => {
                if let Some(code) = value.get("packageVerificationCodeValue").and_then(scalar) {
                    let excluded: Vec<String> = value
                        .get("packageVerificationCodeExcludedFiles")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(scalar).collect())
                        .unwrap_or_default();
                    if excluded.is_empty() {
                        line(field.tag, &code);
                    } else {
                        line(field.tag, &format!("{code} (excludes: {})", excluded.join(", ")));
                    }
                }
            }
            Kind::ExternalDocumentRef => {
                for r in items {
                    let get = |k: &str| r.get(k).and_then(scalar);
                    let checksum = r.get("checksum");
                    let alg = checksum.and_then(|c| c.get("algorithm")).and_then(scalar);
                    let hex = checksum.and_then(|c| c.get("checksumValue")).and_then(scalar);
                    if let (Some(id), Some(uri), Some(alg), Some(hex)) =
                        (get("externalDocumentId"), get("spdxDocument"), alg, hex)
                    {
                        line(field.tag, &format!("{id} {uri} {alg}: {hex}"));
                    }
                }
            }
            Kind::ByteRange | Kind::LineRange => {
                let unit = if field.kind == Kind::ByteRange { "offset" } else { "lineNumber" };
                for r in items {
                    let start = r.get("startPointer").and_then(|p| p.get(unit)).and_then(scalar);
                    let end = r.get("endPointer").and_then(|p| p.get(unit)).and_then(scalar);
                    if let (Some(start), Some(end)) = (start, end) {
                        line(field.tag, &format!("{start}:{end}"));
                    }
                }
            }
        }
    }
}

fn render_annotations(out: &mut String, annotations: Option<&Value>, target: &str) {
    for a in annotations.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let get = |k: &str| a.get(k).and_then(scalar).unwrap_or_default();
        out.push_str(&format!("Annotator: {}\n", render_value(&get("annotator"))));
        out.push_str(&format!("AnnotationDate: {}\n", get("annotationDate")));
        out.push_str(&format!("AnnotationType: {}\n", get("annotationType")));
        out.push_str(&format!("SPDXREF: {target}\n"));
        out.push_str(&format!("AnnotationComment: {}\n", render_value(&get("comment"))));
    }
}

fn objects<'a>(doc: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    doc.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object)
}

fn spdx_id(map: &Map<String, Value>) -> String {
    map.get("SPDXID").and_then(scalar).unwrap_or_default()
}

/// Render an SPDX 2 document in the JSON shape as tag-value.
fn render(doc: &Map<String, Value>) -> String {
    let mut out = String::new();
    render_fields(&mut out, DOCUMENT, doc);
    render_annotations(&mut out, doc.get("annotations"), &spdx_id(doc));

    let files: Vec<&Map<String, Value>> = objects(doc, "files").collect();
    let contained: Vec<String> = objects(doc, "packages")
        .flat_map(|p| p.get("hasFiles").and_then(Value::as_array).into_iter().flatten().filter_map(scalar))
        .collect();
    let render_file = |out: &mut String, file: &Map<String, Value>| {
        out.push_str("\n## File\n");
        render_fields(out, FILE, file);
        render_annotations(out, file.get("annotations"), &spdx_id(file));
    };
    // Files in no package come before every package, or they would read as contained in one.
    for file in files.iter().filter(|f| !contained.contains(&spdx_id(f))) {
        render_file(&mut out, file);
    }
    for package in objects(doc, "packages") {
        out.push_str("\n## Package\n");
        render_fields(&mut out, PACKAGE, package);
        render_annotations(&mut out, package.get("annotations"), &spdx_id(package));
        let own: Vec<String> =
            package.get("hasFiles").and_then(Value::as_array).into_iter().flatten().filter_map(scalar).collect();
        for file in files.iter().filter(|f| own.contains(&spdx_id(f))) {
            render_file(&mut out, file);
        }
    }
    for snippet in objects(doc, "snippets") {
        out.push_str("\n## Snippet\n");
        render_fields(&mut out, SNIPPET, snippet);
        render_annotations(&mut out, snippet.get("annotations"), &spdx_id(snippet));
    }
    let relationships: Vec<&Map<String, Value>> = objects(doc, "relationships").collect();
    if !relationships.is_empty() {
        out.push_str("\n## Relationships\n");
    }
    for r in relationships {
        let get = |k: &str| r.get(k).and_then(scalar).unwrap_or_default();
        out.push_str(&format!(
            "Relationship: {} {} {}\n",
            get("spdxElementId"),
            get("relationshipType"),
            get("relatedSpdxElement")
        ));
        if let Some(comment) = r.get("comment").and_then(scalar) {
            out.push_str(&format!("RelationshipComment: {}\n", render_value(&comment)));
        }
    }
    for license in objects(doc, "hasExtractedLicensingInfos") {
        out.push_str("\n## Other licensing information\n");
        render_fields(&mut out, LICENSE, license);
    }
    for review in objects(doc, "revieweds") {
        let get = |k: &str| review.get(k).and_then(scalar);
        out.push('\n');
        if let Some(reviewer) = get("reviewer") {
            out.push_str(&format!("Reviewer: {}\n", render_value(&reviewer)));
        }
        if let Some(date) = get("reviewDate") {
            out.push_str(&format!("ReviewDate: {date}\n"));
        }
        if let Some(comment) = get("comment") {
            out.push_str(&format!("ReviewComment: {}\n", render_value(&comment)));
        }
    }
    out
}

/// An SPDX 2.x tag-value document of `inventory`, with warnings about what it cannot carry.
pub fn write(inventory: &Inventory, version: SpdxVersion) -> Result<(String, Vec<Diagnostic>), SbomError> {
    let (document, losses) = super::v2_write::build(inventory, version);
    let Value::Object(map) = &document else {
        return Err(SbomError::Unsupported("the SPDX document is not an object".into()));
    };
    Ok((render(map), losses))
}

/// Read an SPDX 2.0–2.3 tag-value document; `json` of the result is the document in the JSON shape.
pub fn read(text: &str) -> Result<ReadSbom, SbomError> {
    let (value, lines, warnings) = to_json(text)?;
    let mut read = v2_read::read(value, Syntax::TagValue, &lines)?;
    let mut diagnostics = warnings;
    diagnostics.append(&mut read.inventory.diagnostics);
    read.inventory.diagnostics = diagnostics;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_blocks_and_checksums() {
        let text = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\n\
                    DocumentComment: <text>one\ntwo</text>\nPackageName: a\nSPDXID: SPDXRef-a\n\
                    PackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c\n\
                    PrimaryPackagePurpose: OPERATING-SYSTEM\nFileName: ./x.c\nSPDXID: SPDXRef-x\n";
        let (doc, lines, _) = to_json(text).unwrap();
        assert_eq!(doc["comment"], "one\ntwo");
        assert_eq!(doc["packages"][0]["checksums"][0]["algorithm"], "SHA1");
        assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "OPERATING_SYSTEM");
        assert_eq!(doc["packages"][0]["hasFiles"][0], "SPDXRef-x");
        assert_eq!(lines.get("SPDXRef-a"), Some(&7));
        let Value::Object(map) = &doc else { panic!() };
        let again = render(map);
        assert!(again.contains("DocumentComment: <text>one\ntwo</text>\n"), "{again}");
        assert!(again.contains("PrimaryPackagePurpose: OPERATING-SYSTEM\n"), "{again}");
        assert_eq!(to_json(&again).unwrap().0, doc);
    }

    #[test]
    fn errors_name_the_line() {
        let err = to_json("SPDXVersion: SPDX-2.3\nPackageVersion: 1.0\n").unwrap_err().to_string();
        assert!(err.starts_with("line 2: `PackageVersion` belongs to a package"), "{err}");
        let err = to_json("SPDXVersion: SPDX-2.3\n\nthis is not a tag\n").unwrap_err().to_string();
        assert!(err.starts_with("line 3: expected `Tag: value`"), "{err}");
        let err = to_json("DocumentComment: <text>never\nclosed\n").unwrap_err().to_string();
        assert!(err.starts_with("line 1: `DocumentComment`: `<text>` is never closed"), "{err}");
        let err = to_json("PackageName: a\nFilesAnalyzed: maybe\n").unwrap_err().to_string();
        assert!(err.starts_with("line 2: `FilesAnalyzed: maybe`: expected `true` or `false`"), "{err}");
    }
}
