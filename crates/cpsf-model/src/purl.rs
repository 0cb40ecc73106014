//! Package URLs (purl, ECMA-427): parsing, per-type normalization and validation, and the canonical string form.
//!
//! Two ways to read a purl string:
//! - [`FromStr`] (`"pkg:...".parse()`) is tolerant: it repairs what the purl test suite's *recommended* cases
//!   repair (upper-case qualifier keys, unencoded separators, stray slashes) and it does not reject a purl that
//!   breaks a registered type's rules (a `pkg:golang/stdlib` without namespace, as some SBOM tools write), so a
//!   component read from someone else's SBOM keeps its identity. [`Purl::violations`] lists such breaches.
//! - [`Purl::parse_strict`] enforces every "shall" of ECMA-427 and of the registered type definitions.
//!
//! The per-type rules are a table derived from the purl-spec `types/*-definition.json` files: namespace and
//! required/prohibited components, case sensitivity of each component, the normalization rules written there
//! and the permitted characters.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("a purl must start with `pkg:`")]
    MissingScheme,
    #[error("a purl needs a type after `pkg:`")]
    MissingType,
    #[error("invalid purl type `{0}`: it must start with a letter and contain only letters, digits, `.`, `+` and `-`")]
    InvalidType(String),
    #[error("a purl needs a name")]
    MissingName,
    #[error("purl type `{ty}` requires a namespace")]
    MissingNamespace { ty: String },
    #[error("purl type `{ty}` has no namespace, but `{namespace}` was given")]
    ProhibitedNamespace { ty: String, namespace: String },
    #[error("purl type `{ty}` requires the qualifier `{key}`")]
    MissingQualifier { ty: String, key: String },
    #[error(
        "invalid qualifier key `{0}`: expected lower-case ASCII letters, digits, `.`, `-` and `_`, not starting with a digit"
    )]
    InvalidQualifierKey(String),
    #[error("qualifier key `{0}` appears more than once")]
    DuplicateQualifier(String),
    #[error("invalid percent-encoding in `{0}`")]
    InvalidEncoding(String),
    #[error("purl type `{ty}`: {message}")]
    TypeRule { ty: String, message: String },
    #[error("invalid purl: {0}")]
    Invalid(String),
}

/// A package URL. Fields are stored decoded and normalized; `Display` gives the canonical form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl {
    /// A registered type is kept as its rule's own name ([`stored_type`]), so it is not allocated per purl.
    ty: Cow<'static, str>,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    /// Sorted by key; keys lowercase; no empty values.
    qualifiers: Vec<(String, String)>,
    subpath: Option<String>,
}

impl Default for Purl {
    fn default() -> Self {
        Self {
            ty: Cow::Borrowed("generic"),
            namespace: None,
            name: String::new(),
            version: None,
            qualifiers: vec![],
            subpath: None,
        }
    }
}

impl Purl {
    /// A purl of `ty` and `name`; both are normalized as the type's rules say.
    pub fn new(ty: &str, name: &str) -> Result<Self, PurlError> {
        // A registered type written in lower case is valid as it is.
        let ty = match TypeRule::of(ty) {
            Some(rule) => Cow::Borrowed(rule.ty),
            None => {
                let ty = ty.to_ascii_lowercase();
                validate_type(&ty)?;
                stored_type(ty)
            }
        };
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        let mut p = Self { ty, name: name.to_owned(), ..Self::default() };
        p.normalize();
        Ok(p)
    }

    /// Build a purl from decoded components and check it against the specification and the type's rules.
    pub fn from_parts<'a>(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: impl IntoIterator<Item = (&'a str, &'a str)>,
        subpath: Option<&str>,
    ) -> Result<Self, PurlError> {
        if ty.is_empty() {
            return Err(PurlError::MissingType);
        }
        let mut p = Self::new(ty, name)?.with_namespace(namespace).with_version(version).with_subpath(subpath);
        for (key, value) in qualifiers {
            check_qualifier_key(key)?;
            p = p.with_qualifier(key, value);
        }
        p.validate()?;
        Ok(p)
    }

    pub fn with_namespace(mut self, namespace: Option<&str>) -> Self {
        self.namespace = namespace.map(|n| n.trim_matches('/').to_owned()).filter(|n| !n.is_empty());
        self.normalize();
        self
    }

    pub fn with_version(mut self, version: Option<&str>) -> Self {
        self.version = version.filter(|v| !v.is_empty()).map(str::to_owned);
        // Everything else is normalized already and no rule reads the version to normalize another part,
        // so the version's own rule is all that [`Purl::normalize`] would apply.
        if TypeRule::of(&self.ty).is_some_and(|rule| rule.version_case == Case::Lower) {
            self.version = self.version.take().map(|v| v.to_lowercase());
        }
        self
    }

    /// Set (or, with an empty value, remove) a qualifier. The key is lower-cased.
    pub fn with_qualifier(mut self, key: &str, value: &str) -> Self {
        let key = key.to_ascii_lowercase();
        self.qualifiers.retain(|(k, _)| *k != key);
        if !value.is_empty() {
            self.qualifiers.push((key, value.to_owned()));
            self.qualifiers.sort();
        }
        self.normalize();
        self
    }

    pub fn with_subpath(mut self, subpath: Option<&str>) -> Self {
        self.subpath = subpath.map(clean_subpath).filter(|s| !s.is_empty());
        self.normalize();
        self
    }

    pub fn ty(&self) -> &str {
        &self.ty
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    pub fn qualifiers(&self) -> &[(String, String)] {
        &self.qualifiers
    }
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// The canonical form (as `to_string`), written into a string sized for it up front: the form is at
    /// least as long as its parts, so unless something needs percent-encoding it is never grown.
    pub(crate) fn to_canonical_string(&self) -> String {
        let parts = self.namespace.as_ref().map_or(0, |n| n.len() + 1)
            + self.version.as_ref().map_or(0, |v| v.len() + 1)
            + self.qualifiers.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>()
            + self.subpath.as_ref().map_or(0, |s| s.len() + 1);
        let mut out = String::with_capacity("pkg:/".len() + self.ty.len() + self.name.len() + parts);
        // Writing into a `String` cannot fail.
        let _ = self.write_canonical(&mut out);
        out
    }

    /// The canonical form, written to `f` (a `Formatter` for `Display`, or straight into a `String`).
    fn write_canonical<W: fmt::Write>(&self, f: &mut W) -> fmt::Result {
        f.write_str("pkg:")?;
        f.write_str(&self.ty)?;
        f.write_str("/")?;
        if let Some(ns) = &self.namespace {
            write_segments(f, ns)?;
            f.write_str("/")?;
        }
        if TypeRule::of(&self.ty).is_some_and(|r| r.name_is_path) {
            write_segments(f, &self.name)?;
        } else {
            write_encoded(f, &self.name)?;
        }
        if let Some(v) = &self.version {
            f.write_str("@")?;
            write_encoded(f, v)?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            f.write_str(k)?;
            f.write_str("=")?;
            write_encoded(f, v)?;
        }
        if let Some(sp) = &self.subpath {
            f.write_str("#")?;
            write_segments(f, sp)?;
        }
        Ok(())
    }

    /// The package identity: the canonical purl without version, qualifiers and subpath.
    pub fn package_key(&self) -> String {
        Self { version: None, qualifiers: vec![], subpath: None, ..self.clone() }.to_string()
    }

    /// Parse as ECMA-427 requires: besides the structural checks of [`FromStr`], qualifier keys must already be
    /// lower case and the registered type's rules (required/prohibited components, permitted characters,
    /// required qualifiers) must hold.
    pub fn parse_strict(s: &str) -> Result<Self, PurlError> {
        let p = parse(s, Strictness::Strict)?;
        p.validate()?;
        Ok(p)
    }

    /// Check the purl against its registered type's rules; `Ok` for unregistered types that are well-formed.
    pub fn validate(&self) -> Result<(), PurlError> {
        match self.violations().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every rule of the specification and of the registered type that this purl breaks.
    pub fn violations(&self) -> Vec<PurlError> {
        let mut out = Vec::new();
        if let Err(e) = validate_type(&self.ty) {
            out.push(e);
        }
        if self.name.is_empty() {
            out.push(PurlError::MissingName);
        }
        for (k, _) in &self.qualifiers {
            if let Err(e) = check_qualifier_key(k) {
                out.push(e);
            }
        }
        let Some(rule) = TypeRule::of(&self.ty) else { return out };
        let ty = || self.ty.to_string();
        match (rule.namespace, &self.namespace) {
            (Requirement::Required, None) => out.push(PurlError::MissingNamespace { ty: ty() }),
            (Requirement::Prohibited, Some(ns)) => {
                out.push(PurlError::ProhibitedNamespace { ty: ty(), namespace: ns.clone() })
            }
            _ => {}
        }
        if let (Some(max), Some(ns)) = (rule.namespace_max_segments, &self.namespace)
            && ns.split('/').count() > max
        {
            out.push(PurlError::TypeRule { ty: ty(), message: format!("the namespace has at most {max} segments") });
        }
        for key in rule.required_qualifiers {
            if self.qualifier(key).is_none() {
                out.push(PurlError::MissingQualifier { ty: ty(), key: (*key).to_owned() });
            }
        }
        if let Some(message) = rule.name_check.and_then(|check| check(&self.name)) {
            out.push(PurlError::TypeRule { ty: ty(), message });
        }
        if let (Some(check), Some(v)) = (rule.version_check, &self.version)
            && let Some(message) = check(v)
        {
            out.push(PurlError::TypeRule { ty: ty(), message });
        }
        out
    }

    /// Apply the per-type normalization rules. Idempotent; called by every builder method.
    fn normalize(&mut self) {
        self.namespace = self
            .namespace
            .take()
            .map(|n| n.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/"))
            .filter(|n| !n.is_empty());
        let Some(rule) = TypeRule::of(&self.ty) else { return };
        if rule.name_is_path
            && let Some(ns) = self.namespace.take()
        {
            // The namespace is one segment (a host); further segments belong to the name (a path).
            match ns.split_once('/') {
                Some((host, rest)) => {
                    self.name = format!("{rest}/{}", self.name);
                    self.namespace = Some(host.to_owned());
                }
                None => self.namespace = Some(ns),
            }
        }
        if rule.name_is_path {
            self.name = self.name.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/");
        }
        let ns_case = rule.namespace_case.resolve(self);
        self.namespace = self.namespace.take().map(|n| ns_case.apply(n));
        let name_case = rule.name_case.resolve(self);
        self.name = name_case.apply(std::mem::take(&mut self.name));
        if let Some(normalize) = rule.name_normalize {
            self.name = normalize(&self.name);
        }
        if rule.version_case == Case::Lower {
            self.version = self.version.take().map(|v| v.to_lowercase());
        }
        if rule.subpath_case == Case::Lower {
            self.subpath = self.subpath.take().map(|s| s.to_lowercase());
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Per-type rules (from purl-spec types/*-definition.json)
// ---------------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Requirement {
    Optional,
    Required,
    Prohibited,
}

/// What a component's `case_sensitive` says: `Keep` (true, the schema default), `Lower` (false: the canonical form
/// is lower case), `Upper` (a "shall be uppercase" rule), or a rule that depends on another component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Keep,
    Lower,
    Upper,
    /// mlflow: case-insensitive (lower-cased) on Databricks servers, case-sensitive elsewhere (Azure ML).
    LowerOnDatabricks,
    /// git: the host's own type rules apply (GitHub and Bitbucket paths are case-insensitive).
    LowerOnCaseInsensitiveForge,
}

impl Case {
    fn resolve(self, p: &Purl) -> Case {
        match self {
            Case::LowerOnDatabricks => {
                let on_databricks = p.qualifier("repository_url").is_some_and(|url| {
                    let host = url.split("://").nth(1).unwrap_or(url).split('/').next().unwrap_or_default();
                    host.to_ascii_lowercase().ends_with(".azuredatabricks.net")
                });
                if on_databricks { Case::Lower } else { Case::Keep }
            }
            Case::LowerOnCaseInsensitiveForge => {
                let host = p.namespace.as_deref().unwrap_or_default().to_ascii_lowercase();
                let forge = host.strip_suffix(".com").or_else(|| host.strip_suffix(".org")).unwrap_or(&host);
                let insensitive = TypeRule::of(forge).is_some_and(|r| r.name_case == Case::Lower);
                if insensitive { Case::Lower } else { Case::Keep }
            }
            other => other,
        }
    }

    fn apply(self, s: String) -> String {
        match self {
            Case::Lower => s.to_lowercase(),
            Case::Upper => s.to_uppercase(),
            _ => s,
        }
    }
}

/// The rules of one registered purl type.
#[derive(Clone, Copy)]
struct TypeRule {
    ty: &'static str,
    namespace: Requirement,
    namespace_case: Case,
    namespace_max_segments: Option<usize>,
    /// The namespace is a single segment and the name may contain `/` (git: host, then the path on the host).
    name_is_path: bool,
    name_case: Case,
    /// A `normalization_rules` entry of the name, applied after case folding.
    name_normalize: Option<fn(&str) -> String>,
    /// `permitted_characters` or a "shall not" of the name; returns what is wrong.
    name_check: Option<fn(&str) -> Option<String>>,
    version_case: Case,
    version_check: Option<fn(&str) -> Option<String>>,
    subpath_case: Case,
    required_qualifiers: &'static [&'static str],
}

const BASE: TypeRule = TypeRule {
    ty: "",
    namespace: Requirement::Optional,
    namespace_case: Case::Keep,
    namespace_max_segments: None,
    name_is_path: false,
    name_case: Case::Keep,
    name_normalize: None,
    name_check: None,
    version_case: Case::Keep,
    version_check: None,
    subpath_case: Case::Keep,
    required_qualifiers: &[],
};

use Case::{Lower, Upper};
use Requirement::{Prohibited, Required};

/// One entry per `types/<type>-definition.json`, in file order.
const TYPE_RULES: &[TypeRule] = &[
    TypeRule { ty: "alpm", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "apk", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "bazel", namespace: Prohibited, ..BASE },
    TypeRule { ty: "bitbucket", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "bitnami", namespace: Prohibited, name_case: Lower, ..BASE },
    TypeRule { ty: "brew", namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "cargo", namespace: Prohibited, ..BASE },
    TypeRule {
        ty: "chrome-extension",
        namespace: Prohibited,
        name_case: Lower,
        name_check: Some(chrome_extension_id),
        version_check: Some(chrome_extension_version),
        ..BASE
    },
    TypeRule { ty: "cocoapods", namespace: Prohibited, name_check: Some(cocoapods_name), ..BASE },
    TypeRule { ty: "composer", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "conan", ..BASE },
    TypeRule { ty: "conda", namespace: Prohibited, ..BASE },
    TypeRule { ty: "cpan", namespace_case: Upper, name_check: Some(cpan_distribution), ..BASE },
    TypeRule { ty: "cran", namespace: Prohibited, ..BASE },
    TypeRule { ty: "deb", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "docker", ..BASE },
    TypeRule { ty: "gem", namespace: Prohibited, ..BASE },
    TypeRule { ty: "generic", ..BASE },
    TypeRule {
        ty: "git",
        namespace: Required,
        name_is_path: true,
        name_case: Case::LowerOnCaseInsensitiveForge,
        ..BASE
    },
    TypeRule { ty: "github", namespace: Required, namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "golang", namespace: Required, ..BASE },
    TypeRule { ty: "hackage", namespace: Prohibited, name_normalize: Some(kebab_case), ..BASE },
    TypeRule { ty: "hex", namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "huggingface", namespace: Required, version_case: Lower, ..BASE },
    TypeRule { ty: "julia", namespace: Prohibited, required_qualifiers: &["uuid"], ..BASE },
    TypeRule { ty: "luarocks", namespace_case: Lower, name_case: Lower, ..BASE },
    TypeRule { ty: "maven", namespace: Required, ..BASE },
    TypeRule { ty: "mlflow", namespace: Prohibited, name_case: Case::LowerOnDatabricks, ..BASE },
    TypeRule { ty: "npm", ..BASE },
    TypeRule { ty: "nuget", namespace: Prohibited, ..BASE },
    TypeRule { ty: "oci", namespace: Prohibited, name_case: Lower, version_case: Lower, ..BASE },
    TypeRule { ty: "opam", namespace: Prohibited, ..BASE },
    TypeRule { ty: "otp", namespace: Prohibited, name_case: Lower, subpath_case: Lower, ..BASE },
    TypeRule {
        ty: "pub",
        namespace: Prohibited,
        name_case: Lower,
        name_normalize: Some(pub_name),
        name_check: Some(pub_name_check),
        ..BASE
    },
    TypeRule {
        ty: "pypi",
        namespace: Prohibited,
        name_case: Lower,
        name_normalize: Some(pypi_name),
        version_case: Lower,
        ..BASE
    },
    TypeRule { ty: "qpkg", namespace: Required, namespace_case: Lower, ..BASE },
    TypeRule { ty: "rpm", namespace: Required, namespace_case: Lower, ..BASE },
    TypeRule { ty: "swid", namespace_max_segments: Some(2), required_qualifiers: &["tag_id"], ..BASE },
    TypeRule { ty: "swift", namespace: Required, ..BASE },
    TypeRule { ty: "vcpkg", namespace: Prohibited, ..BASE },
    TypeRule {
        ty: "vscode-extension",
        namespace: Required,
        namespace_case: Lower,
        name_case: Lower,
        version_case: Lower,
        ..BASE
    },
    TypeRule { ty: "yocto", namespace_case: Lower, ..BASE },
];

impl TypeRule {
    fn of(ty: &str) -> Option<&'static TypeRule> {
        TYPE_RULES.iter().find(|r| r.ty == ty)
    }
}

/// A lower-case, valid type as a purl keeps it: a registered one as its rule's `'static` name.
fn stored_type(ty: String) -> Cow<'static, str> {
    match TypeRule::of(&ty) {
        Some(rule) => Cow::Borrowed(rule.ty),
        None => Cow::Owned(ty),
    }
}

/// pypi: "Replace underscore _ with dash -".
fn pypi_name(name: &str) -> String {
    name.replace('_', "-")
}

/// pub: "Replace non-[a-z] letters, non-[0-9] digits with underscore _".
fn pub_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' { c } else { '_' }).collect()
}

/// pub: permitted characters `[a-z0-9_]`.
fn pub_name_check(name: &str) -> Option<String> {
    (!name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
        .then(|| format!("name `{name}` may contain only `a-z`, `0-9` and `_`"))
}

/// hackage: "Apply kebab-case" (words joined by `-`; the case of letters is kept, the name being case-sensitive).
fn kebab_case(name: &str) -> String {
    name.chars().map(|c| if c == '_' || c.is_whitespace() { '-' } else { c }).collect()
}

/// chrome-extension name: `^[a-p]{32}$`.
fn chrome_extension_id(name: &str) -> Option<String> {
    (name.len() != 32 || !name.bytes().all(|b| (b'a'..=b'p').contains(&b)))
        .then(|| format!("name `{name}` must be 32 characters in the range `a`-`p`"))
}

/// chrome-extension version: `^\d+(\.\d+){0,3}$`.
fn chrome_extension_version(version: &str) -> Option<String> {
    let segments: Vec<&str> = version.split('.').collect();
    let ok = segments.len() <= 4 && segments.iter().all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    (!ok).then(|| format!("version `{version}` must be 1 to 4 dot-separated numbers"))
}

/// cocoapods: the pod name "cannot contain whitespace, a plus (+) character, or begin with a period (.)".
fn cocoapods_name(name: &str) -> Option<String> {
    (name.chars().any(|c| c.is_whitespace() || c == '+') || name.starts_with('.'))
        .then(|| format!("pod name `{name}` must not contain whitespace or `+` nor begin with `.`"))
}

/// cpan: "A distribution name shall not contain the string '::'".
fn cpan_distribution(name: &str) -> Option<String> {
    name.contains("::").then(|| format!("`{name}` is a module name; a distribution name has no `::`"))
}

// ---------------------------------------------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Repair what can be repaired (the test suite's "recommended" normalizations).
    Tolerant,
    /// Reject what ECMA-427 says shall not appear.
    Strict,
}

fn validate_type(ty: &str) -> Result<(), PurlError> {
    if ty.is_empty() {
        return Err(PurlError::MissingType);
    }
    let first_ok = ty.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !ty.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')) {
        return Err(PurlError::InvalidType(ty.to_owned()));
    }
    Ok(())
}

fn check_qualifier_key(key: &str) -> Result<(), PurlError> {
    let first_ok = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '.' | '-' | '_'));
    if !first_ok || !key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err(PurlError::InvalidQualifierKey(key.to_owned()));
    }
    Ok(())
}

fn clean_subpath(s: &str) -> String {
    s.split('/').filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..").collect::<Vec<_>>().join("/")
}

/// Characters that stay unencoded in purl components: RFC 3986 unreserved, plus `:`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':')
}

/// Write `s` percent-encoded: runs of unreserved bytes as they are, every other byte as `%XX`.
fn write_encoded<W: fmt::Write>(f: &mut W, s: &str) -> fmt::Result {
    let mut rest = s;
    while let Some(at) = rest.bytes().position(|b| !is_unreserved(b)) {
        let (plain, tail) = rest.split_at(at);
        f.write_str(plain)?;
        let mut chars = tail.chars();
        let c = chars.next().unwrap_or_default();
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            write!(f, "%{b:02X}")?;
        }
        rest = chars.as_str();
    }
    f.write_str(rest)
}

/// Write `/`-separated segments, each percent-encoded.
fn write_segments<W: fmt::Write>(f: &mut W, s: &str) -> fmt::Result {
    for (i, seg) in s.split('/').enumerate() {
        if i > 0 {
            f.write_str("/")?;
        }
        write_encoded(f, seg)?;
    }
    Ok(())
}

fn decode(s: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| PurlError::InvalidEncoding(s.to_owned()))?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| PurlError::InvalidEncoding(s.to_owned()))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::InvalidEncoding(s.to_owned()))
}

/// Split a purl string into its components, right to left as ECMA-427's parsing procedure does.
fn parse(s: &str, strictness: Strictness) -> Result<Purl, PurlError> {
    let (scheme, rest) = s.split_once(':').ok_or(PurlError::MissingScheme)?;
    if !scheme.eq_ignore_ascii_case("pkg") {
        return Err(PurlError::MissingScheme);
    }
    let rest = rest.trim_start_matches('/');
    let (rest, subpath) = match rest.rsplit_once('#') {
        Some((r, sp)) => {
            let segs: Vec<String> = sp
                .split('/')
                .filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..")
                .map(decode)
                .collect::<Result<_, _>>()?;
            (r, Some(clean_subpath(&segs.join("/"))))
        }
        None => (rest, None),
    };
    let (rest, query) = match rest.rsplit_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (ty, path) = rest.split_once('/').ok_or_else(|| match rest {
        "" => PurlError::MissingType,
        _ if rest.contains('@') || validate_type(&rest.to_ascii_lowercase()).is_err() => {
            PurlError::InvalidType(rest.to_owned())
        }
        _ => PurlError::MissingName,
    })?;
    let ty = ty.to_ascii_lowercase();
    validate_type(&ty)?;
    let path = path.trim_end_matches('/');
    // The version separator is the last `@` of the last segment (an `@` earlier is part of a namespace such as an
    // unencoded npm scope).
    let (path, version) = {
        let last_start = path.rfind('/').map_or(0, |i| i + 1);
        match path.get(last_start..).and_then(|last| last.rfind('@')).map(|at| last_start + at) {
            Some(at) => (path.get(..at).unwrap_or_default(), Some(decode(path.get(at + 1..).unwrap_or_default())?)),
            None => (path, None),
        }
    };
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, name)) => {
            let segs: Vec<String> =
                ns.split('/').filter(|seg| !seg.is_empty()).map(decode).collect::<Result<_, _>>()?;
            (Some(segs.join("/")), decode(name)?)
        }
        None => (None, decode(path)?),
    };
    if name.is_empty() {
        return Err(PurlError::MissingName);
    }
    if name.contains('/') && TypeRule::of(&ty).is_some_and(|r| r.name_is_path) {
        return Err(PurlError::Invalid(format!("the name `{name}` contains a percent-encoded `/`")));
    }
    let mut p = Purl { ty: stored_type(ty), name, ..Purl::default() };
    p.namespace = namespace.filter(|n| !n.is_empty());
    p.version = version.filter(|v| !v.is_empty());
    if let Some(q) = query {
        let mut seen: Vec<String> = Vec::new();
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| PurlError::InvalidQualifierKey(pair.to_owned()))?;
            check_qualifier_key(key)?;
            if strictness == Strictness::Strict && key.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(PurlError::InvalidQualifierKey(key.to_owned()));
            }
            let key = key.to_ascii_lowercase();
            if seen.contains(&key) {
                return Err(PurlError::DuplicateQualifier(key));
            }
            let value = decode(value)?;
            if !value.is_empty() {
                p.qualifiers.push((key.clone(), value));
            }
            seen.push(key);
        }
        p.qualifiers.sort();
    }
    p.subpath = subpath.filter(|s| !s.is_empty());
    p.normalize();
    Ok(p)
}

impl FromStr for Purl {
    type Err = PurlError;

    /// Tolerant parse; see the module documentation and [`Purl::parse_strict`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, Strictness::Tolerant)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_canonical(f)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Purl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_scoped_npm() {
        let p: Purl = "pkg:npm/%40angular/core@16.0.0".parse().unwrap();
        assert_eq!(p.namespace(), Some("@angular"));
        assert_eq!(p.to_string(), "pkg:npm/%40angular/core@16.0.0");
    }

    #[test]
    fn builder_matches_parser() {
        let built = Purl::new("npm", "core").unwrap().with_namespace(Some("@babel")).with_version(Some("7.0.0"));
        assert_eq!(built.to_string(), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!("pkg:npm/@babel/core@7.0.0".parse::<Purl>().unwrap(), built);
        assert_eq!(built.package_key(), "pkg:npm/%40babel/core");
    }

    #[test]
    fn with_version_applies_the_version_rule_alone() {
        let built = Purl::new("PyPI", "Foo_Bar").unwrap().with_version(Some("1.0RC1"));
        assert_eq!(built.version(), Some("1.0rc1"));
        assert_eq!(built, "pkg:pypi/Foo_Bar@1.0RC1".parse::<Purl>().unwrap());
        let kept = Purl::new("cargo", "Inflector").unwrap().with_version(Some("0.11.4-RC"));
        assert_eq!(kept.to_string(), "pkg:cargo/Inflector@0.11.4-RC");
        let git = Purl::new("git", "a/B").unwrap().with_namespace(Some("github.com/Org")).with_version(Some("V1"));
        assert_eq!(git, "pkg:git/github.com/org/a/b@V1".parse::<Purl>().unwrap());
    }

    #[test]
    fn canonical_string_is_the_display_form() {
        for s in [
            "pkg:cargo/serde@1.0.0",
            "pkg:npm/%40angular/core@16.0.0?repository_url=https://r.example/x&vcs_url=git%2Bhttps://h/p#sub/dir",
            "pkg:golang/github.com/a/b@v1.2.3%2Bincompatible",
            "pkg:generic/caf%C3%A9@1%202",
            "pkg:x-unregistered/name",
        ] {
            let p: Purl = s.parse().unwrap();
            assert_eq!(p.to_canonical_string(), p.to_string(), "{s}");
        }
    }

    #[test]
    fn tolerant_and_strict_differ_on_qualifier_key_case() {
        let s = "pkg:gem/jruby-launcher@1.1.2?Platform=java";
        assert_eq!(s.parse::<Purl>().unwrap().to_string(), "pkg:gem/jruby-launcher@1.1.2?platform=java");
        assert!(matches!(Purl::parse_strict(s), Err(PurlError::InvalidQualifierKey(_))));
    }

    #[test]
    fn tolerant_keeps_type_rule_breaches_as_violations() {
        let p: Purl = "pkg:golang/stdlib@go1.22.0".parse().unwrap();
        assert_eq!(p.violations(), vec![PurlError::MissingNamespace { ty: "golang".into() }]);
        assert!(Purl::parse_strict("pkg:golang/stdlib@go1.22.0").is_err());
    }

    #[test]
    fn survives_hostile_input() {
        for s in
            ["pkg:", "pkg:/", "pkg:a/%", "pkg:a/%zz", "pkg:a/b@%ff", "pkg:a/b?=x", "pkg:a/b?k", "pkg:a/b#%", "pkg:é/x"]
        {
            let _ = s.parse::<Purl>();
            let _ = Purl::parse_strict(s);
        }
    }
}
