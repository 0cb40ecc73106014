//! The web UI's two languages: Japanese and English. The language comes from the `lang` cookie (set by the
//! switch in the page header), else from `Accept-Language` (highest q-value that we speak), else English.
//! Messages are keyed by stable ids; every id has both languages (a test checks it).

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ja") {
            Some(Lang::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language to answer in: an explicit choice (cookie) first, then `Accept-Language`.
    pub fn negotiate(choice: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = choice.and_then(Lang::from_code) {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or_default().split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_code) else { continue };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    /// The message `id` in this language; an unknown id is returned as is (and a test keeps that from happening).
    pub fn t(self, id: &'static str) -> &'static str {
        MESSAGES.iter().find(|m| m.0 == id).map_or(id, |m| if self == Lang::Ja { m.2 } else { m.1 })
    }
}

/// (id, English, Japanese).
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.title", "cpsf — supply chain and vulnerability management", "cpsf — サプライチェーンと脆弱性の管理"),
    ("nav.dashboard", "Dashboard", "ダッシュボード"),
    ("nav.products", "Products", "製品"),
    ("nav.findings", "Vulnerabilities", "脆弱性"),
    ("nav.search", "Component search", "コンポーネント検索"),
    ("nav.upload", "Upload SBOM", "SBOM アップロード"),
    ("nav.logout", "Log out", "ログアウト"),
    ("nav.language", "Language", "言語"),
    ("login.title", "Log in", "ログイン"),
    ("login.user", "User name", "ユーザー名"),
    ("login.password", "Password", "パスワード"),
    ("login.submit", "Log in", "ログイン"),
    ("login.failed", "The user name or password is wrong.", "ユーザー名またはパスワードが正しくありません。"),
    (
        "login.limited",
        "Too many failed attempts. Try again later.",
        "失敗が続いたため、しばらくしてから再試行してください。",
    ),
    ("severity.critical", "Critical", "緊急"),
    ("severity.high", "High", "重要"),
    ("severity.medium", "Medium", "警告"),
    ("severity.low", "Low", "注意"),
    ("severity.none", "None", "なし"),
    ("severity.unknown", "Unknown", "不明"),
    ("finding.kev", "Known exploited (CISA KEV)", "悪用が確認済み (CISA KEV)"),
    ("finding.fixed_in", "Fixed in", "修正版"),
    ("finding.first_seen", "First seen", "初回検出"),
    ("finding.state", "Analysis state", "分析状態"),
    ("finding.justification", "Justification", "根拠"),
    ("finding.response", "Response", "対応"),
    ("finding.detail", "Detail", "詳細"),
    ("finding.new_since", "New since", "以降の新規"),
    ("triage.save", "Save analysis", "分析を保存"),
    ("upload.product", "Product", "製品"),
    ("upload.version", "Version", "バージョン"),
    (
        "upload.file",
        "SBOM file (CycloneDX or SPDX, JSON or XML)",
        "SBOM ファイル (CycloneDX または SPDX、JSON または XML)",
    ),
    ("upload.submit", "Upload", "アップロード"),
    ("search.query", "Name or purl", "名前または purl"),
    ("search.version", "Version or range (vers)", "バージョンまたは範囲 (vers)"),
    ("search.submit", "Search", "検索"),
    ("components.title", "Components", "コンポーネント"),
    ("licenses.title", "Licences", "ライセンス"),
    ("graph.title", "Dependency graph", "依存関係グラフ"),
    ("unverified", "Not verified against the source document", "原典との照合は未確認"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(Lang::negotiate(None, Some("ja,en-US;q=0.8")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, Some("en-US,ja;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr, ja-JP;q=0.5, en;q=0.3")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, Some("ja;q=0, fr")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en"), Some("ja")), Lang::En);
        assert_eq!(Lang::negotiate(Some("de"), Some("ja")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn every_message_in_both_languages() {
        let mut ids: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate message ids");
        for (id, en, ja) in MESSAGES {
            assert!(!en.trim().is_empty() && !ja.trim().is_empty(), "{id} lacks a language");
            assert_ne!(en, ja, "{id}: the Japanese text is the English one");
        }
        assert_eq!(Lang::Ja.t("nav.products"), "製品");
        assert_eq!(Lang::En.t("nav.products"), "Products");
    }
}
