//! Dependency-Track's BOM upload, as its CI plugins send it: `PUT /api/v1/bom` with a JSON body whose `bom` is
//! the document in base64, and `POST /api/v1/bom` as a multipart form. A Dependency-Track "project" is one
//! product version here; its UUID is derived from the two names, so it is stable across servers and restarts.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;

/// The namespace of project UUIDs (a fixed random UUID of ours).
const PROJECT_NAMESPACE: Uuid = Uuid::from_u128(0x7d0c_55a1_3c1e_4b6f_9a52_2f4e_61c8_90ab);

/// The JSON body of `PUT /api/v1/bom` (Dependency-Track's `BomSubmitRequest`; fields it has and we do not use,
/// such as `projectTags` or `parentUUID`, are accepted and ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BomSubmitRequest {
    pub project: Option<String>,
    pub project_name: Option<String>,
    pub project_version: Option<String>,
    #[serde(default)]
    pub auto_create: bool,
    pub bom: Option<String>,
}

/// Which product version an upload is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    /// By Dependency-Track project UUID (it must exist already).
    Project(Uuid),
    /// By names; created when `auto_create` is set.
    Names { product: String, version: String, auto_create: bool },
}

/// The target and document of an upload, from either form.
#[derive(Debug)]
pub struct BomUpload {
    pub target: UploadTarget,
    pub document: Vec<u8>,
}

/// The stable UUID of a product version.
pub fn project_uuid(product: &str, version: &str) -> Uuid {
    let mut name = Vec::with_capacity(product.len() + version.len() + 1);
    name.extend_from_slice(product.as_bytes());
    name.push(0);
    name.extend_from_slice(version.as_bytes());
    Uuid::new_v5(&PROJECT_NAMESPACE, &name)
}

/// Decode the base64 `bom` field: standard or URL-safe alphabet, padded or not, with line breaks allowed (some
/// clients wrap at 76 columns).
pub fn decode_bom(field: &str) -> Result<Vec<u8>, ApiError> {
    let compact: String = field.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(ApiError::BadRequest("`bom` is empty; expected the SBOM document in base64".into()));
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(bytes) = engine.decode(&compact) {
            return Ok(bytes);
        }
    }
    Err(ApiError::BadRequest("`bom` is not valid base64; expected the SBOM document in base64".into()))
}

/// The target named by the request's fields (shared by the JSON and the multipart forms).
pub fn target_of(
    project: Option<&str>,
    name: Option<&str>,
    version: Option<&str>,
    auto_create: bool,
) -> Result<UploadTarget, ApiError> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = name {
        if name.len() > 255 {
            return Err(ApiError::BadRequest("`projectName` is longer than 255 characters".into()));
        }
        let version = version.map(str::trim).unwrap_or_default();
        if version.len() > 255 {
            return Err(ApiError::BadRequest("`projectVersion` is longer than 255 characters".into()));
        }
        return Ok(UploadTarget::Names { product: name.to_owned(), version: version.to_owned(), auto_create });
    }
    match project.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Uuid::parse_str(p)
            .map(UploadTarget::Project)
            .map_err(|_| ApiError::BadRequest(format!("`project` is `{p}`; expected a project UUID"))),
        None => Err(ApiError::BadRequest(
            "expected `project` (a project UUID) or `projectName` and `projectVersion`".into(),
        )),
    }
}

impl BomSubmitRequest {
    /// Validate the JSON form.
    pub fn into_upload(self) -> Result<BomUpload, ApiError> {
        let target = target_of(
            self.project.as_deref(),
            self.project_name.as_deref(),
            self.project_version.as_deref(),
            self.auto_create,
        )?;
        let bom =
            self.bom.ok_or_else(|| ApiError::BadRequest("`bom` is missing; expected the SBOM in base64".into()))?;
        Ok(BomUpload { target, document: decode_bom(&bom)? })
    }
}

/// `autoCreate` as multipart text: `true`/`false` in any case, as Dependency-Track reads it.
pub fn parse_flag(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form() {
        let body = r#"{"projectName":"shop","projectVersion":"1.2","autoCreate":true,"bom":"eyJib21Gb3JtYXQiOiJDeWNsb25lRFgifQ==","projectTags":[{"name":"x"}]}"#;
        let req: BomSubmitRequest = serde_json::from_str(body).unwrap();
        let upload = req.into_upload().unwrap();
        assert_eq!(
            upload.target,
            UploadTarget::Names { product: "shop".into(), version: "1.2".into(), auto_create: true }
        );
        assert_eq!(upload.document, br#"{"bomFormat":"CycloneDX"}"#);
    }

    #[test]
    fn base64_variants() {
        let doc = b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>??>";
        for encoded in [STANDARD.encode(doc), STANDARD_NO_PAD.encode(doc), URL_SAFE.encode(doc)] {
            assert_eq!(decode_bom(&encoded).unwrap(), doc);
        }
        let wrapped: String =
            STANDARD.encode(doc).as_bytes().chunks(10).map(|c| String::from_utf8_lossy(c) + "\n").collect();
        assert_eq!(decode_bom(&wrapped).unwrap(), doc);
        assert!(decode_bom("not base64 at all!").is_err());
        assert!(decode_bom("  ").is_err());
    }

    #[test]
    fn targets() {
        let uuid = project_uuid("shop", "1.2");
        assert_eq!(uuid, project_uuid("shop", "1.2"));
        assert_ne!(uuid, project_uuid("shop", "1.3"));
        assert_ne!(project_uuid("a", "bc"), project_uuid("ab", "c"));
        assert_eq!(target_of(Some(&uuid.to_string()), None, None, false).unwrap(), UploadTarget::Project(uuid));
        assert!(matches!(target_of(Some("nope"), None, None, false), Err(ApiError::BadRequest(_))));
        assert!(matches!(target_of(None, None, Some("1"), true), Err(ApiError::BadRequest(_))));
        assert!(parse_flag("TRUE") && !parse_flag("yes"));
    }
}
