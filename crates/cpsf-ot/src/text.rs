//! Small text helpers shared by the inventory, the importers and the advisory matcher: vendor and name
//! normalisation, MAC address normalisation, wildcard patterns and ids made from names.

/// Legal-form suffixes dropped from vendor names before comparing them (after punctuation is removed).
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "gmbh",
    "ag",
    "se",
    "sa",
    "s a",
    "spa",
    "s p a",
    "bv",
    "nv",
    "plc",
    "kg",
    "kk",
    "k k",
    "oy",
    "ab",
    "as",
    "pte",
    "pty",
    "co ltd",
    "and co",
    "group",
    "株式会社",
    "有限会社",
];

/// A name reduced for comparison: lower case, every run of characters that are not letters or digits as
/// one space, trimmed. `Rockwell-Automation, Inc.` → `rockwell automation inc`.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// A vendor name reduced for comparison: [`normalize_name`], then legal-form suffixes (`Inc.`, `GmbH`, `AG`,
/// `Co., Ltd.`, `株式会社`, ...) removed from the end (repeatedly) and `株式会社` from the start.
/// `Siemens AG` and `SIEMENS` compare equal; `Schneider Electric SE` and `schneider-electric` too.
pub fn normalize_vendor(s: &str) -> String {
    let mut name = normalize_name(s);
    if let Some(rest) = name.strip_prefix("株式会社") {
        name = rest.trim().to_string();
    }
    loop {
        let before = name.len();
        for suffix in LEGAL_SUFFIXES {
            if let Some(rest) = name.strip_suffix(suffix)
                && (rest.is_empty() || rest.ends_with(' '))
                && !rest.trim().is_empty()
            {
                name = rest.trim_end().to_string();
                break;
            }
        }
        if name.len() == before {
            break;
        }
    }
    name
}

/// Whether two vendor names name the same vendor after [`normalize_vendor`] (empty names never match).
pub fn same_vendor(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_vendor(a), normalize_vendor(b));
    !a.is_empty() && a == b
}

/// A MAC address in the canonical form `aa:bb:cc:dd:ee:ff`, from `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`,
/// `aabbccddeeff` or the colon form; `None` when it is not six bytes of hex.
pub fn normalize_mac(s: &str) -> Option<String> {
    let hex: String = s.trim().chars().filter(|c| !matches!(c, ':' | '-' | '.' | ' ')).collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let lower = hex.to_ascii_lowercase();
    let mut out = String::with_capacity(17);
    for (i, c) in lower.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(':');
        }
        out.push(c);
    }
    Some(out)
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (also none), `?` for one
/// character and `\` makes the next character literal (the wildcards CSAF allows in model and serial
/// numbers). Compared case-insensitively. Iterative, so no input can make it recurse deeply.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                if toks.last() != Some(&Tok::Any) {
                    toks.push(Tok::Any);
                }
            }
            '?' => toks.push(Tok::One),
            '\\' => toks.push(Tok::Lit(chars.next().unwrap_or('\\'))),
            c => toks.push(Tok::Lit(c)),
        }
    }
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let toks: Vec<Tok> = toks
        .into_iter()
        .flat_map(|t| match t {
            Tok::Lit(c) => c.to_lowercase().map(Tok::Lit).collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect();
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
            }
            Some(Tok::Lit(c)) if text.get(t) == Some(c) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks.get(p..).is_some_and(|rest| rest.iter().all(|t| *t == Tok::Any))
}

/// Whether a pattern uses a wildcard (`*` or `?` not escaped).
pub fn has_wildcard(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' => return true,
            _ => {}
        }
    }
    false
}

/// A model or order number reduced for comparison: whitespace removed (`6ES7 516-3AN01-0AB0` and
/// `6ES7516-3AN01-0AB0` are the same number). Case is left to the comparison.
pub fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An id made from a name: letters and digits kept (lower-cased), every other run as one `-`.
/// `Press Line 1 PLC` → `press-line-1-plc`; empty when the name has no letter or digit.
pub fn slug(s: &str) -> String {
    normalize_name(s).replace(' ', "-")
}

/// A trimmed, non-empty string.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors() {
        assert_eq!(normalize_vendor("Rockwell Automation, Inc."), "rockwell automation");
        assert_eq!(normalize_vendor("Siemens AG"), "siemens");
        assert_eq!(normalize_vendor("MITSUBISHI ELECTRIC Co., Ltd."), "mitsubishi electric");
        assert_eq!(normalize_vendor("Phoenix Contact GmbH & Co. KG"), "phoenix contact");
        assert_eq!(normalize_vendor("株式会社キーエンス"), "キーエンス");
        assert_eq!(normalize_vendor("AG"), "ag");
        assert!(same_vendor("Schneider Electric SE", "schneider-electric"));
        assert!(!same_vendor("", ""));
    }

    #[test]
    fn macs() {
        assert_eq!(normalize_mac("00-1B-1B-AA-bb-0C").as_deref(), Some("00:1b:1b:aa:bb:0c"));
        assert_eq!(normalize_mac("001b.1baa.bb0c").as_deref(), Some("00:1b:1b:aa:bb:0c"));
        assert_eq!(normalize_mac("00:1b:1b:aa:bb"), None);
        assert_eq!(normalize_mac("zz:1b:1b:aa:bb:0c"), None);
    }

    #[test]
    fn globs() {
        assert!(glob_match("6ES7 516-3AN0*", "6es7 516-3an01-0ab0"));
        assert!(glob_match("1756-L6?", "1756-L61"));
        assert!(!glob_match("1756-L6?", "1756-L610"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a\\*b", "a*b") && !glob_match("a\\*b", "axb"));
        assert!(glob_match("*-*-*", "a-b-c"));
        assert!(!glob_match("abc", "abcd"));
        assert!(has_wildcard("A*") && !has_wildcard("A\\*"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Press Line 1 / PLC"), "press-line-1-plc");
        assert_eq!(slug("成形機 PLC"), "成形機-plc");
        assert_eq!(slug("--"), "");
    }
}
