//! Package URLs (purl): parsing, per-type normalization and the canonical string form.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("a purl must start with `pkg:`")]
    MissingScheme,
    #[error("a purl needs a type")]
    MissingType,
    #[error("invalid purl type `{0}`: it must start with a letter and contain only letters, digits, `.`, `+` and `-`")]
    InvalidType(String),
    #[error("a purl needs a name")]
    MissingName,
    #[error("purl type `{ty}` requires a namespace")]
    MissingNamespace { ty: String },
    #[error("invalid qualifier key `{0}`")]
    InvalidQualifierKey(String),
    #[error("invalid percent-encoding in `{0}`")]
    InvalidEncoding(String),
    #[error("invalid purl: {0}")]
    Invalid(String),
}

/// A package URL. Fields are stored decoded and normalized; `Display` gives the canonical form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl {
    ty: String,
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
            ty: "generic".into(),
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
        let ty = ty.to_ascii_lowercase();
        validate_type(&ty)?;
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        let mut p = Self { ty, name: name.to_owned(), ..Self::default() };
        p.normalize();
        Ok(p)
    }

    pub fn with_namespace(mut self, namespace: Option<&str>) -> Self {
        self.namespace = namespace.map(|n| n.trim_matches('/').to_owned()).filter(|n| !n.is_empty());
        self.normalize();
        self
    }

    pub fn with_version(mut self, version: Option<&str>) -> Self {
        self.version = version.filter(|v| !v.is_empty()).map(str::to_owned);
        self.normalize();
        self
    }

    pub fn with_qualifier(mut self, key: &str, value: &str) -> Self {
        let key = key.to_ascii_lowercase();
        self.qualifiers.retain(|(k, _)| *k != key);
        if !value.is_empty() {
            self.qualifiers.push((key, value.to_owned()));
            self.qualifiers.sort();
        }
        self
    }

    pub fn with_subpath(mut self, subpath: Option<&str>) -> Self {
        self.subpath = subpath.map(clean_subpath).filter(|s| !s.is_empty());
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

    /// Apply the per-type rules of the purl specification.
    fn normalize(&mut self) {
        let lower_ns = matches!(
            self.ty.as_str(),
            "bitbucket"
                | "github"
                | "gitlab"
                | "composer"
                | "deb"
                | "apk"
                | "alpm"
                | "hex"
                | "golang"
                | "npm"
                | "rpm"
                | "luarocks"
        ) && !matches!(self.ty.as_str(), "golang" | "npm" | "rpm");
        if lower_ns
            || matches!(
                self.ty.as_str(),
                "bitbucket" | "github" | "gitlab" | "composer" | "deb" | "apk" | "alpm" | "hex"
            )
        {
            self.namespace = self.namespace.take().map(|n| n.to_ascii_lowercase());
        }
        match self.ty.as_str() {
            "bitbucket" | "github" | "gitlab" | "composer" | "deb" | "apk" | "alpm" | "hex" | "npm" | "luarocks" => {
                self.name = self.name.to_ascii_lowercase()
            }
            "pypi" => self.name = self.name.to_ascii_lowercase().replace('_', "-"),
            _ => {}
        }
    }
}

fn validate_type(ty: &str) -> Result<(), PurlError> {
    if ty.is_empty() {
        return Err(PurlError::MissingType);
    }
    let mut chars = ty.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !ty.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')) {
        return Err(PurlError::InvalidType(ty.to_owned()));
    }
    Ok(())
}

fn clean_subpath(s: &str) -> String {
    s.split('/').filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..").collect::<Vec<_>>().join("/")
}

/// Characters that stay unencoded in purl components (RFC 3986 unreserved, plus `:` outside the scheme).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':')
}

fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| PurlError::InvalidEncoding(s.to_owned()))?;
            let v = u8::from_str_radix(hex, 16).map_err(|_| PurlError::InvalidEncoding(s.to_owned()))?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::InvalidEncoding(s.to_owned()))
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = s.strip_prefix("pkg:").ok_or(PurlError::MissingScheme)?;
        let rest = rest.trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, sp)) => (r, Some(decode(sp)?)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (ty, rest) = rest.split_once('/').ok_or(PurlError::MissingName)?;
        let (path, version) = match rest.rfind('@') {
            Some(i) => (&rest[..i], Some(decode(&rest[i + 1..])?)),
            None => (rest, None),
        };
        let (namespace, name) = match path.rfind('/') {
            Some(i) => {
                let ns: Vec<String> =
                    path[..i].split('/').filter(|s| !s.is_empty()).map(decode).collect::<Result<_, _>>()?;
                (Some(ns.join("/")), decode(&path[i + 1..])?)
            }
            None => (None, decode(path)?),
        };
        let mut p = Purl::new(ty, &name)?.with_namespace(namespace.as_deref()).with_version(version.as_deref());
        if let Some(q) = query {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').ok_or_else(|| PurlError::InvalidQualifierKey(pair.to_owned()))?;
                if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
                    return Err(PurlError::InvalidQualifierKey(k.to_owned()));
                }
                p = p.with_qualifier(k, &decode(v)?);
            }
        }
        Ok(p.with_subpath(subpath.as_deref()))
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(ns) = &self.namespace {
            let segs: Vec<String> = ns.split('/').map(|s| encode(s, &[])).collect();
            write!(f, "{}/", segs.join("/"))?;
        }
        f.write_str(&encode(&self.name, &[]))?;
        if let Some(v) = &self.version {
            write!(f, "@{}", encode(v, &[]))?;
        }
        if !self.qualifiers.is_empty() {
            let q: Vec<String> = self.qualifiers.iter().map(|(k, v)| format!("{k}={}", encode(v, &[b'/']))).collect();
            write!(f, "?{}", q.join("&"))?;
        }
        if let Some(sp) = &self.subpath {
            let segs: Vec<String> = sp.split('/').map(|s| encode(s, &[])).collect();
            write!(f, "#{}", segs.join("/"))?;
        }
        Ok(())
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
}
