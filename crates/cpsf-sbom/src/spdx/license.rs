//! SPDX licence expressions as SPDX documents need them: syntax check, canonical identifier case, and
//! `LicenseRef-` identifiers for free-text licence names. Identifiers come from the SPDX License List 3.27.0.

use std::collections::{BTreeMap, BTreeSet};

const LICENSE_IDS: &str = include_str!("data/license-ids.txt");
const EXCEPTION_IDS: &str = include_str!("data/exception-ids.txt");

/// The canonical spelling of a listed licence identifier, matched case-insensitively.
fn listed_license(id: &str) -> Option<&'static str> {
    LICENSE_IDS.lines().find(|l| l.eq_ignore_ascii_case(id))
}

fn listed_exception(id: &str) -> Option<&'static str> {
    EXCEPTION_IDS.lines().find(|l| l.eq_ignore_ascii_case(id))
}

fn is_idstring(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// `LicenseRef-x` or `DocumentRef-y:LicenseRef-x`.
pub(crate) fn is_license_ref(s: &str) -> bool {
    let local = match s.split_once(':') {
        Some((doc, local)) => {
            if !doc.strip_prefix("DocumentRef-").is_some_and(is_idstring) {
                return false;
            }
            local
        }
        None => s,
    };
    local.strip_prefix("LicenseRef-").is_some_and(is_idstring)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    With,
    Word(String),
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    for word in spaced.split_whitespace() {
        tokens.push(match word {
            "(" => Token::Open,
            ")" => Token::Close,
            w if w.eq_ignore_ascii_case("AND") => Token::And,
            w if w.eq_ignore_ascii_case("OR") => Token::Or,
            w if w.eq_ignore_ascii_case("WITH") => Token::With,
            w => Token::Word(w.to_owned()),
        });
    }
    tokens
}

/// A recursive-descent check of the SPDX expression grammar that rewrites identifiers into canonical case.
struct ExpressionParser {
    tokens: Vec<Token>,
    pos: usize,
    out: Vec<String>,
    depth: usize,
}

impl ExpressionParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expression(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        self.and_expression()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            self.out.push("OR".into());
            self.and_expression()?;
        }
        self.depth -= 1;
        Some(())
    }

    fn and_expression(&mut self) -> Option<()> {
        self.with_expression()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            self.out.push("AND".into());
            self.with_expression()?;
        }
        Some(())
    }

    fn with_expression(&mut self) -> Option<()> {
        match self.next()? {
            Token::Open => {
                self.out.push("(".into());
                self.expression()?;
                if self.next()? != Token::Close {
                    return None;
                }
                self.out.push(")".into());
                Some(())
            }
            Token::Word(w) => {
                self.out.push(simple_expression(&w)?);
                if self.peek() == Some(&Token::With) {
                    self.pos += 1;
                    let Token::Word(exception) = self.next()? else { return None };
                    let exception = listed_exception(&exception)
                        .map(str::to_owned)
                        .or_else(|| exception.starts_with("AdditionRef-").then(|| exception.clone()))?;
                    self.out.push("WITH".into());
                    self.out.push(exception);
                }
                Some(())
            }
            _ => None,
        }
    }
}

fn simple_expression(word: &str) -> Option<String> {
    if is_license_ref(word) {
        return Some(word.to_owned());
    }
    let (id, plus) = match word.strip_suffix('+') {
        Some(id) => (id, "+"),
        None => (word, ""),
    };
    listed_license(id).map(|canonical| format!("{canonical}{plus}"))
}

/// `Some(canonical expression)` when `text` is a valid SPDX licence expression over listed identifiers and
/// `LicenseRef-`s (or exactly `NONE` / `NOASSERTION`), `None` otherwise.
pub(crate) fn canonical_expression(text: &str) -> Option<String> {
    let text = text.trim();
    if text == "NONE" || text == "NOASSERTION" {
        return Some(text.to_owned());
    }
    let tokens = tokenize(text);
    if tokens.is_empty() {
        return None;
    }
    let mut parser = ExpressionParser { tokens, pos: 0, out: Vec::new(), depth: 0 };
    parser.expression()?;
    if parser.pos != parser.tokens.len() {
        return None;
    }
    let mut rendered = String::new();
    for (i, t) in parser.out.iter().enumerate() {
        let after_open = i > 0 && parser.out.get(i - 1).is_some_and(|p| p == "(");
        if i > 0 && t != ")" && !after_open {
            rendered.push(' ');
        }
        rendered.push_str(t);
    }
    Some(rendered)
}

/// Whether an expression is compound at its top level and needs parentheses when joined with others.
fn needs_parentheses(expression: &str) -> bool {
    if !expression.contains(' ') {
        return false;
    }
    // Already wrapped when the first `(` closes at the very end.
    let mut depth = 0usize;
    for (i, c) in expression.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 != expression.len() || !expression.starts_with('(');
                }
            }
            _ if depth == 0 => return true,
            _ => {}
        }
    }
    true
}

/// A `LicenseRef-` a document must declare: a free-text licence name that became one (`name` is the text as
/// found), or one that an input expression already used (`name` is `None`: only the identifier is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExtractedLicense {
    pub id: String,
    pub name: Option<String>,
}

/// Allocates `LicenseRef-` identifiers for free-text names, one per distinct name, unique and stable, and
/// remembers the `LicenseRef-`s that valid input expressions used, so a document can declare all of them.
#[derive(Debug, Default)]
pub(crate) struct LicenseRefs {
    by_name: BTreeMap<String, String>,
    referenced: BTreeSet<String>,
}

impl LicenseRefs {
    fn reference(&mut self, name: &str) -> String {
        if let Some(id) = self.by_name.get(name) {
            return id.clone();
        }
        let base = format!("LicenseRef-{}", crate::spdx::identifiers::sanitize(name, "unnamed"));
        let mut id = base.clone();
        let mut n = 2;
        while self.by_name.values().any(|v| *v == id) || self.referenced.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.by_name.insert(name.to_owned(), id.clone());
        id
    }

    /// The declared-licence expression for a component's licences, or `NOASSERTION` when there are none.
    pub fn declared(&mut self, licenses: &[String]) -> String {
        let mut parts: Vec<String> = Vec::new();
        for l in licenses {
            let l = l.trim();
            if l.is_empty() || l == "NOASSERTION" {
                continue;
            }
            // A `DocumentRef-` licence points into another document this one does not reference: free text.
            let part = match canonical_expression(l) {
                Some(expression) if !expression.contains("DocumentRef-") => {
                    for id in license_refs_in(&expression) {
                        if !self.by_name.values().any(|v| *v == id) {
                            self.referenced.insert(id);
                        }
                    }
                    expression
                }
                _ => self.reference(l),
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        match parts.len() {
            0 => "NOASSERTION".into(),
            1 => parts.remove(0),
            _ => parts
                .iter()
                .map(|p| if needs_parentheses(p) { format!("({p})") } else { p.clone() })
                .collect::<Vec<_>>()
                .join(" AND "),
        }
    }

    /// The free-text name a `LicenseRef-` was handed out for.
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.by_name.iter().find(|(_, v)| v.as_str() == id).map(|(name, _)| name.as_str())
    }

    /// Every `LicenseRef-` handed out or seen so far, ordered by identifier.
    pub fn extracted(&self) -> Vec<ExtractedLicense> {
        let mut v: Vec<ExtractedLicense> = self
            .by_name
            .iter()
            .map(|(name, id)| ExtractedLicense { id: id.clone(), name: Some(name.clone()) })
            .chain(self.referenced.iter().map(|id| ExtractedLicense { id: id.clone(), name: None }))
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v.dedup_by(|a, b| a.id == b.id);
        v
    }
}

/// The `LicenseRef-` identifiers (without `DocumentRef-` prefix) an expression uses, in order, once each.
pub(crate) fn license_refs_in(expression: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in tokenize(expression) {
        if let Token::Word(w) = token
            && w.starts_with("LicenseRef-")
            && is_license_ref(&w)
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_checked_and_canonicalized() {
        assert_eq!(canonical_expression("mit").as_deref(), Some("MIT"));
        assert_eq!(canonical_expression("(MIT or apache-2.0)").as_deref(), Some("(MIT OR Apache-2.0)"));
        assert_eq!(
            canonical_expression("GPL-2.0-or-later WITH Classpath-exception-2.0").as_deref(),
            Some("GPL-2.0-or-later WITH Classpath-exception-2.0")
        );
        assert_eq!(canonical_expression("LicenseRef-foo AND MIT").as_deref(), Some("LicenseRef-foo AND MIT"));
        assert_eq!(canonical_expression("Apache License 2.0"), None);
        assert_eq!(canonical_expression("MIT AND"), None);
        assert_eq!(canonical_expression("(MIT"), None);
        assert_eq!(canonical_expression("NotAListedLicense"), None);
    }

    #[test]
    fn free_text_becomes_license_ref() {
        let mut refs = LicenseRefs::default();
        assert_eq!(
            refs.declared(&["MIT OR Apache-2.0".into(), "BSD-3-Clause".into()]),
            "(MIT OR Apache-2.0) AND BSD-3-Clause"
        );
        assert_eq!(refs.declared(&["Apache License 2.0".into()]), "LicenseRef-Apache-License-2.0");
        assert_eq!(refs.declared(&[]), "NOASSERTION");
        assert_eq!(refs.extracted().len(), 1);
        assert_eq!(refs.declared(&["LicenseRef-acme AND MIT".into()]), "LicenseRef-acme AND MIT");
        assert_eq!(refs.declared(&["DocumentRef-x:LicenseRef-y".into()]), "LicenseRef-DocumentRef-x-LicenseRef-y");
        let ids: Vec<(String, bool)> = refs.extracted().into_iter().map(|e| (e.id, e.name.is_some())).collect();
        assert_eq!(
            ids,
            vec![
                ("LicenseRef-Apache-License-2.0".to_owned(), true),
                ("LicenseRef-DocumentRef-x-LicenseRef-y".to_owned(), true),
                ("LicenseRef-acme".to_owned(), false),
            ]
        );
        assert_eq!(license_refs_in("(LicenseRef-a OR MIT) AND LicenseRef-a"), vec!["LicenseRef-a".to_owned()]);
    }
}
