//! Names SPDX documents are built from: SPDX identifiers, document namespaces, `created` timestamps,
//! creator/supplier actor strings (`Person: name (email)`), and a content fingerprint for stable namespaces.

use std::collections::BTreeSet;

use cpsf_model::{Inventory, Party, Tool};

/// Only `[A-Za-z0-9.-]`, runs of other characters collapsed into one `-`, no leading/trailing `-`.
pub(crate) fn sanitize(raw: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() { fallback.to_owned() } else { trimmed.to_owned() }
}

/// Hands out unique SPDX identifiers `<prefix><sanitized>`, suffixing `-2`, `-3`... on collisions.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: BTreeSet<String>,
}

impl IdAllocator {
    pub fn allocate(&mut self, prefix: &str, raw: &str) -> String {
        let base = format!("{prefix}{}", sanitize(raw, "unnamed"));
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// 128-bit FNV-1a of `bytes`, as 32 hex digits: a stable fingerprint, not a security hash.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for b in bytes {
        h ^= u128::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:032x}")
}

fn uuid_shape(hex: &str) -> String {
    let h: Vec<char> = hex.chars().chain(std::iter::repeat('0')).take(32).collect();
    let part = |a: usize, b: usize| h.get(a..b).map(|s| s.iter().collect::<String>()).unwrap_or_default();
    format!("{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
}

/// The unique part of a document: the UUID of a `urn:uuid:` serial number, or a fingerprint of the inventory.
pub(crate) fn document_uuid(inventory: &Inventory) -> String {
    if let Some(serial) = &inventory.metadata.serial_number {
        if let Some(uuid) = serial.strip_prefix("urn:uuid:") {
            let uuid = sanitize(uuid, "");
            if !uuid.is_empty() {
                return uuid;
            }
        }
        return uuid_shape(&fingerprint(serial.as_bytes()));
    }
    let content = serde_json::to_vec(inventory).unwrap_or_default();
    uuid_shape(&fingerprint(&content))
}

/// The SPDX 2 document namespace: a namespace read from an SPDX document is kept; otherwise
/// `https://spdx.org/spdxdocs/<name>-<uuid>`.
pub(crate) fn document_namespace(inventory: &Inventory, name: &str) -> String {
    if let Some(serial) = &inventory.metadata.serial_number
        && (serial.starts_with("https://") || serial.starts_with("http://"))
        && !serial.contains('#')
        && !serial.contains(char::is_whitespace)
    {
        return serial.clone();
    }
    format!("https://spdx.org/spdxdocs/{}-{}", sanitize(name, "sbom"), document_uuid(inventory))
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC, from an RFC 3339 timestamp; the current time when there is none or it
/// cannot be parsed (then the second value is false).
pub(crate) fn spdx_created(timestamp: Option<&str>) -> (String, bool) {
    use time::format_description::well_known::Rfc3339;
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let parsed = timestamp.and_then(|t| time::OffsetDateTime::parse(t.trim(), &Rfc3339).ok());
    let ok = parsed.is_some();
    let at = parsed.unwrap_or_else(time::OffsetDateTime::now_utc).to_offset(time::UtcOffset::UTC);
    (at.format(&format).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into()), ok)
}

/// Whether a party reads as an organization rather than a person (CycloneDX does not say which it is).
pub(crate) fn looks_like_organization(name: &str) -> bool {
    const MARKS: &[&str] = &[
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "gmbh",
        "ag",
        "corp",
        "corp.",
        "corporation",
        "company",
        "co.",
        "foundation",
        "project",
        "team",
        "community",
        "group",
        "org",
        "s.a.",
        "sa",
        "bv",
        "b.v.",
        "oy",
        "ab",
        "limited",
        "labs",
        "software",
        "contributors",
        "developers",
        "authors",
        "university",
    ];
    let words: Vec<String> = name.split_whitespace().map(|w| w.trim_matches(',').to_ascii_lowercase()).collect();
    words.len() == 1 || words.iter().any(|w| MARKS.contains(&w.as_str()))
}

fn clean(text: &str) -> String {
    text.replace(['(', ')', '\n', '\r'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Person: name (email)` / `Organization: name (email)` as SPDX 2 creators and suppliers spell them.
pub(crate) fn actor(kind: ActorKind, party: &Party) -> String {
    let label = match kind {
        ActorKind::Person => "Person",
        ActorKind::Organization => "Organization",
        ActorKind::Tool => "Tool",
    };
    match &party.email {
        Some(email) => format!("{label}: {} ({})", clean(&party.name), clean(email)),
        None => format!("{label}: {}", clean(&party.name)),
    }
}

/// `Tool: name-version`.
pub(crate) fn tool_actor(tool: &Tool) -> String {
    match &tool.version {
        Some(v) => format!("Tool: {}-{}", clean(&tool.name), clean(v)),
        None => format!("Tool: {}", clean(&tool.name)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActorKind {
    Person,
    Organization,
    Tool,
}

/// Parse `Person: name (email)`, `Organization: name`, `Tool: name-1.2`; `None` for NOASSERTION or garbage.
pub(crate) fn parse_actor(text: &str) -> Option<(ActorKind, Party)> {
    let (label, rest) = text.trim().split_once(':')?;
    let kind = match label.trim() {
        l if l.eq_ignore_ascii_case("Person") => ActorKind::Person,
        l if l.eq_ignore_ascii_case("Organization") => ActorKind::Organization,
        l if l.eq_ignore_ascii_case("Tool") => ActorKind::Tool,
        _ => return None,
    };
    let rest = rest.trim();
    let (name, email) = match (rest.rfind('('), rest.ends_with(')')) {
        (Some(open), true) => {
            let email = rest.get(open + 1..rest.len() - 1).unwrap_or("").trim();
            (rest.get(..open).unwrap_or("").trim(), (!email.is_empty()).then(|| email.to_owned()))
        }
        _ => (rest, None),
    };
    if name.is_empty() || name == "NOASSERTION" {
        return None;
    }
    Some((kind, Party { name: name.to_owned(), email, url: None }))
}

/// Split `name-1.2.3` into a tool name and version (the version starts at the last `-` followed by a digit).
pub(crate) fn parse_tool(text: &str) -> Tool {
    let text = text.trim();
    let split = text
        .rmatch_indices('-')
        .find(|(i, _)| text.get(i + 1..).and_then(|rest| rest.chars().next()).is_some_and(|c| c.is_ascii_digit()));
    match split {
        Some((i, _)) => Tool {
            name: text.get(..i).unwrap_or(text).to_owned(),
            version: text.get(i + 1..).map(str::to_owned),
            vendor: None,
        },
        None => Tool { name: text.to_owned(), version: None, vendor: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sanitized_and_unique() {
        let mut ids = IdAllocator::default();
        assert_eq!(
            ids.allocate("SPDXRef-Package-", "npm/@angular/core@16.0.0"),
            "SPDXRef-Package-npm-angular-core-16.0.0"
        );
        assert_eq!(
            ids.allocate("SPDXRef-Package-", "npm/@angular/core@16.0.0"),
            "SPDXRef-Package-npm-angular-core-16.0.0-2"
        );
        assert_eq!(ids.allocate("SPDXRef-Package-", "///"), "SPDXRef-Package-unnamed");
    }

    #[test]
    fn actors_round_trip() {
        let (kind, party) = parse_actor("Organization: ExampleCodeInspect (contact@example.com)").unwrap();
        assert_eq!(kind, ActorKind::Organization);
        assert_eq!(party.email.as_deref(), Some("contact@example.com"));
        assert_eq!(actor(kind, &party), "Organization: ExampleCodeInspect (contact@example.com)");
        assert!(parse_actor("NOASSERTION").is_none());
        let tool = parse_tool("LicenseFind-1.0");
        assert_eq!((tool.name.as_str(), tool.version.as_deref()), ("LicenseFind", Some("1.0")));
    }

    #[test]
    fn created_is_utc_seconds() {
        assert_eq!(spdx_created(Some("2026-11-25T01:02:03.456+01:00")).0, "2026-11-25T00:02:03Z");
        assert!(!spdx_created(Some("yesterday")).1);
    }
}
