//! A small CPE reader and matcher: CPE 2.3 formatted strings (`cpe:2.3:h:siemens:s7-1500:2.9:*:*:*:*:*:*:*`)
//! and CPE 2.2 URIs (`cpe:/h:siemens:s7-1500:2.9`), enough to compare part, vendor, product and version.
//! `*` is ANY, `-` is NA; unescaped `*` and `?` inside a value are wildcards; comparison ignores case.

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Any,
    Na,
    /// A value as a wildcard pattern (literal `*`, `?`, `\` escaped with `\`).
    Pattern(String),
}

/// The attributes cpsf compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpe {
    pub part: Value,
    pub vendor: Value,
    pub product: Value,
    pub version: Value,
    pub update: Value,
}

/// How one attribute of a pattern compares with a name's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Match,
    NoMatch,
    /// The pattern names a value but the name leaves it open (ANY): nothing can be said.
    Unknown,
}

/// Split on unescaped `:`.
fn split_escaped(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A formatted-string value as a pattern: `\x` kept literal (wildcard characters stay escaped).
fn fs_value(raw: &str) -> Value {
    match raw {
        "" | "*" => Value::Any,
        "-" => Value::Na,
        _ => {
            let mut out = String::new();
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some(n @ ('*' | '?' | '\\')) => {
                            out.push('\\');
                            out.push(n);
                        }
                        Some(n) => out.push(n),
                        None => {}
                    },
                    c => out.push(c),
                }
            }
            Value::Pattern(out)
        }
    }
}

/// A URI value: percent-decoded; `~` is not special here. Wildcards in a 2.2 URI are literal.
fn uri_value(raw: &str) -> Value {
    match raw {
        "" | "*" => Value::Any,
        "-" => Value::Na,
        _ => {
            let bytes = raw.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while let Some(&b) = bytes.get(i) {
                if b == b'%'
                    && let Some(hex) = raw.get(i + 1..i + 3)
                    && let Ok(v) = u8::from_str_radix(hex, 16)
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(b);
                i += 1;
            }
            let text = String::from_utf8_lossy(&out);
            let mut escaped = String::new();
            for c in text.chars() {
                if matches!(c, '*' | '?' | '\\') {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            Value::Pattern(escaped)
        }
    }
}

impl Cpe {
    /// Read a CPE 2.3 formatted string or a CPE 2.2 URI; `None` when it is neither (or has no part).
    pub fn parse(text: &str) -> Option<Cpe> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let values: Vec<Value> = if lower.starts_with("cpe:2.3:") {
            split_escaped(t.get(8..)?).iter().map(|v| fs_value(v)).collect()
        } else if lower.starts_with("cpe:/") {
            t.get(5..)?.split(':').map(uri_value).collect()
        } else {
            return None;
        };
        let get = |i: usize| values.get(i).cloned().unwrap_or(Value::Any);
        let part = get(0);
        match &part {
            Value::Pattern(p) if matches!(p.to_ascii_lowercase().as_str(), "a" | "o" | "h") => {}
            Value::Any => {}
            _ => return None,
        }
        Some(Cpe { part, vendor: get(1), product: get(2), version: get(3), update: get(4) })
    }
}

/// Unescape a pattern into the literal text it names when used as a name's value.
fn literal(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Compare a pattern's attribute with a name's.
pub fn compare(pattern: &Value, name: &Value) -> Outcome {
    match (pattern, name) {
        (Value::Any, _) => Outcome::Match,
        (Value::Na, Value::Na) => Outcome::Match,
        (Value::Na, Value::Any) => Outcome::Unknown,
        (Value::Na, Value::Pattern(_)) => Outcome::NoMatch,
        (Value::Pattern(_), Value::Any) => Outcome::Unknown,
        (Value::Pattern(_), Value::Na) => Outcome::NoMatch,
        (Value::Pattern(p), Value::Pattern(n)) => {
            if crate::text::glob_match(p, &literal(n)) {
                Outcome::Match
            } else {
                Outcome::NoMatch
            }
        }
    }
}

/// How an advisory's CPE compares with an asset's: `None` when part, vendor or product differ (or are not
/// known on the asset, or the advisory's leaves vendor or product open); otherwise the version's outcome
/// (update included when the advisory names one).
pub fn match_cpe(pattern: &Cpe, name: &Cpe) -> Option<Outcome> {
    if !matches!(pattern.vendor, Value::Pattern(_)) || !matches!(pattern.product, Value::Pattern(_)) {
        return None;
    }
    for (p, n) in [(&pattern.part, &name.part), (&pattern.vendor, &name.vendor), (&pattern.product, &name.product)] {
        if compare(p, n) != Outcome::Match {
            return None;
        }
    }
    let version = compare(&pattern.version, &name.version);
    let update = compare(&pattern.update, &name.update);
    Some(match (version, update) {
        (Outcome::NoMatch, _) | (_, Outcome::NoMatch) => Outcome::NoMatch,
        (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
        _ => Outcome::Match,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let adv = Cpe::parse("cpe:2.3:h:examplecorp:plc-9000:*:*:*:*:*:*:*:*").unwrap();
        let asset = Cpe::parse("cpe:2.3:h:ExampleCorp:PLC-9000:2.1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(match_cpe(&adv, &asset), Some(Outcome::Match));
        let adv = Cpe::parse("cpe:2.3:o:examplecorp:plc-9000_firmware:2.0:*:*:*:*:*:*:*").unwrap();
        let asset = Cpe::parse("cpe:/o:examplecorp:plc-9000_firmware:2.1").unwrap();
        assert_eq!(match_cpe(&adv, &asset), Some(Outcome::NoMatch));
        let asset = Cpe::parse("cpe:/o:examplecorp:plc-9000_firmware").unwrap();
        assert_eq!(match_cpe(&adv, &asset), Some(Outcome::Unknown));
        let asset = Cpe::parse("cpe:/o:othercorp:plc-9000_firmware:2.0").unwrap();
        assert_eq!(match_cpe(&adv, &asset), None);
        let adv = Cpe::parse("cpe:2.3:o:examplecorp:plc-9000_firmware:2.*:*:*:*:*:*:*:*").unwrap();
        let asset = Cpe::parse("cpe:2.3:o:examplecorp:plc-9000_firmware:2.4:*:*:*:*:*:*:*").unwrap();
        assert_eq!(match_cpe(&adv, &asset), Some(Outcome::Match));
        let escaped = Cpe::parse("cpe:2.3:a:ex:a\\:b:1.0").unwrap();
        assert_eq!(escaped.product, Value::Pattern("a:b".into()));
        assert!(Cpe::parse("cpe:2.3:x:a:b").is_none());
        assert!(Cpe::parse("not a cpe").is_none());
        let open = Cpe::parse("cpe:2.3:").unwrap();
        assert_eq!(match_cpe(&open, &asset), None);
    }
}
