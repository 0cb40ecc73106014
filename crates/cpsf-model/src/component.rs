//! A component of an inventory (a package, an application, a device) and where it was found.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Hash, Purl};

/// What kind of thing a component is, in CycloneDX's vocabulary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    Application,
    Framework,
    #[default]
    Library,
    Container,
    OperatingSystem,
    Device,
    Firmware,
    File,
}

impl ComponentKind {
    /// The CycloneDX `type` value.
    pub fn as_cyclonedx(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Framework => "framework",
            Self::Library => "library",
            Self::Container => "container",
            Self::OperatingSystem => "operating-system",
            Self::Device => "device",
            Self::Firmware => "firmware",
            Self::File => "file",
        }
    }

    pub fn from_cyclonedx(value: &str) -> Option<Self> {
        Some(match value {
            "application" => Self::Application,
            "framework" => Self::Framework,
            "library" => Self::Library,
            "container" => Self::Container,
            "operating-system" => Self::OperatingSystem,
            "device" => Self::Device,
            "firmware" => Self::Firmware,
            "file" => Self::File,
            _ => return None,
        })
    }
}

/// Whether a component is needed at run time, only for development, or optional.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Required,
    Optional,
    /// Development, test or build only; CycloneDX calls it `excluded` from the shipped product.
    Dev,
}

impl Scope {
    /// Combine two observations of the same component: required wins, then optional, then dev.
    pub fn merge(a: Option<Scope>, b: Option<Scope>) -> Option<Scope> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(a.min(b)),
        }
    }
}

/// An organization or person: a supplier, an author, a manufacturer.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Party {
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into(), email: None, url: None }
    }
}

/// Where a component was found: a file relative to the scanned root, and a 1-based line when known.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Self { path: path.into(), line }
    }
}

/// One component. `bom_ref` is unique within an inventory; for packages it is the canonical purl.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub bom_ref: String,
    pub kind: ComponentKind,
    /// Namespace or group where the ecosystem has one (Maven groupId, npm scope without `@`, Go module path prefix is part of name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<Purl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `Some(true)` when the lockfile says the project depends on it directly, `Some(false)` when it says transitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Declared licences, each an SPDX licence expression or a free-text name as found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the artifact was resolved from (registry tarball URL, git URL), when the lockfile says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_location: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// `bom_ref`s of the components this one depends on.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub dependencies: BTreeSet<String>,
    /// True when the source records no dependency edges at all for this component (go.mod, gradle.lockfile,
    /// requirements.txt, ...), so empty `dependencies` mean "unknown", not "none". Writers leave such a component
    /// out of the dependency graph instead of declaring it a leaf.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dependencies_unknown: bool,
}

impl Component {
    /// A library component identified by its purl; `bom_ref`, name, group and version come from the purl.
    pub fn from_purl(purl: Purl) -> Self {
        Self {
            bom_ref: purl.to_canonical_string(),
            kind: ComponentKind::Library,
            group: purl.namespace().map(str::to_owned),
            name: purl.name().to_owned(),
            version: purl.version().map(str::to_owned),
            purl: Some(purl),
            ..Self::default()
        }
    }

    /// Builder-style: add where it was found.
    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.locations.push(Location::new(path, line));
        self
    }

    /// The purl's type (`cargo`, `npm`, `pypi`, ...), if any.
    pub fn purl_type(&self) -> Option<&str> {
        self.purl.as_ref().map(|p| p.ty())
    }

    /// Fold another observation of the same component (same `bom_ref`) into this one.
    pub fn absorb(&mut self, other: Component) {
        self.scope = Scope::merge(self.scope, other.scope);
        self.direct = match (self.direct, other.direct) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (a, b) => a.or(b),
        };
        for h in other.hashes {
            if !self.hashes.contains(&h) {
                self.hashes.push(h);
            }
        }
        for l in other.licenses {
            if !self.licenses.contains(&l) {
                self.licenses.push(l);
            }
        }
        if self.supplier.is_none() {
            self.supplier = other.supplier;
        }
        if self.author.is_none() {
            self.author = other.author;
        }
        if self.description.is_none() {
            self.description = other.description;
        }
        if self.download_location.is_none() {
            self.download_location = other.download_location;
        }
        for l in other.locations {
            if !self.locations.contains(&l) {
                self.locations.push(l);
            }
        }
        self.dependencies.extend(other.dependencies);
        // One observation that records edges is enough to know them.
        self.dependencies_unknown = self.dependencies_unknown && other.dependencies_unknown;
    }
}
