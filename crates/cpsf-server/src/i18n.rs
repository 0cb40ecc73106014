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

impl From<Lang> for cpsf_catalog::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::En => cpsf_catalog::Lang::En,
            Lang::Ja => cpsf_catalog::Lang::Ja,
        }
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
        "login.expired",
        "The login form has expired or did not come from this site. Try again.",
        "ログインフォームの有効期限が切れたか、このサイト以外から送信されました。もう一度お試しください。",
    ),
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
    ("nav.assessments", "Assessments", "評価"),
    ("nav.catalogs", "Frameworks", "フレームワーク"),
    ("nav.questionnaires", "Questionnaires", "質問票"),
    ("nav.suppliers", "Suppliers", "サプライヤー"),
    ("catalog.title", "Title", "名称"),
    ("catalog.version", "Edition", "版"),
    ("catalog.entries", "Entries", "項目"),
    ("catalog.assessable", "assessed", "評価対象"),
    ("catalog.verified", "Confirmed against the source", "原典で確認済み"),
    ("catalog.mappings", "Mappings", "対応付け"),
    ("catalog.provenance", "Source", "出典"),
    ("catalog.publisher", "Publisher", "発行元"),
    ("assess.unverified", "unverified", "未確認"),
    (
        "assess.unverified_note",
        "Entries marked unverified are not confirmed against the source document; check them before relying on them.",
        "「未確認」の項目は原典との照合が済んでいません。利用前に原典で確認してください。",
    ),
    ("assess.automatic", "Automatic evidence", "自動エビデンス"),
    ("assess.from_automatic", "from automatic evidence", "自動エビデンスによる"),
    ("assess.scope", "Scope", "対象範囲"),
    ("assess.kind", "Scope kind", "対象の種類"),
    ("assess.catalog", "Framework", "フレームワーク"),
    ("assess.title", "Title", "タイトル"),
    ("assess.overall", "Overall score", "総合スコア"),
    ("assess.assessed", "Assessed", "評価済み"),
    ("assess.updated", "Last updated", "最終更新"),
    ("assess.created", "Created", "作成"),
    ("assess.new", "New assessment", "新しい評価"),
    ("assess.create", "Create assessment", "評価を作成"),
    ("assess.maturity", "Average maturity level", "平均成熟度レベル"),
    ("assess.scores", "Scores", "スコア"),
    ("assess.gaps", "Gap list (top 10 by priority)", "ギャップ一覧（優先度上位10件）"),
    ("assess.gaps_total", "gaps in all; see the report for the full list", "件のギャップ（全件はレポートを参照）"),
    ("assess.no_gaps", "No gaps.", "ギャップはありません。"),
    ("assess.overdue", "overdue", "期限超過"),
    ("assess.reports", "Report", "レポート"),
    ("assess.evaluate", "Evaluate automatic evidence", "自動エビデンスを評価"),
    (
        "assess.evaluated",
        "Automatic evidence evaluated; entries whose result changed",
        "自動エビデンスを評価しました。結果が変わった項目数",
    ),
    ("assess.entry", "Entry", "項目"),
    ("assess.status", "Status", "状態"),
    ("assess.level", "Maturity level", "成熟度レベル"),
    ("assess.owner", "Owner", "担当"),
    ("assess.due", "Due", "期限"),
    ("assess.comments", "Comments", "コメント"),
    ("assess.override", "Override of the automatic result", "自動判定の上書き"),
    ("assess.justification", "Justification (required for an override)", "理由（上書きには必須）"),
    ("assess.clear_override", "Remove the override", "上書きを解除"),
    ("assess.edit", "Edit", "編集"),
    ("assess.save", "Save", "保存"),
    ("assess.saved", "Saved:", "保存しました:"),
    ("assess.history", "History", "履歴"),
    ("assess.file", "File", "ファイル"),
    ("assess.link", "Link", "リンク"),
    ("assess.evidence_file", "Evidence files", "エビデンスファイル"),
    ("assess.evidence_url", "Or a link (http or https)", "またはリンク (http または https)"),
    ("assess.evidence_url_title", "Link title", "リンクの名称"),
    ("assess.attach", "Attach evidence", "エビデンスを添付"),
    ("assess.no_evidence", "Choose a file or give a link.", "ファイルを選ぶかリンクを入力してください。"),
    (
        "assess.org_only",
        "This page needs a user who is not limited to some products.",
        "このページは、特定の製品に限定されていないユーザーのみが利用できます。",
    ),
    ("q.new", "New questionnaire", "新しい質問票"),
    ("q.choose_catalog", "Show its entries", "項目を表示"),
    ("q.entries", "Questions", "質問項目"),
    (
        "q.entries_hint",
        "Tick entries, or a group to ask about every assessed entry under it.",
        "項目を選択してください。グループを選ぶと、その配下の評価対象項目がすべて含まれます。",
    ),
    ("q.create", "Create questionnaire", "質問票を作成"),
    ("q.sent", "Sent", "送付"),
    ("q.answered", "Answered", "回答済み"),
    ("q.pending", "Not answered yet", "未回答"),
    ("q.expired", "Expired", "期限切れ"),
    ("q.view", "View", "表示"),
    ("q.invites", "Invitations", "招待"),
    ("q.invite", "Invite a supplier", "サプライヤーを招待"),
    ("q.supplier", "Supplier", "サプライヤー"),
    ("q.contact", "Contact", "連絡先"),
    ("q.days", "Valid for (days)", "有効期間（日）"),
    ("q.expires", "Answers are accepted until", "回答期限"),
    ("q.create_link", "Create the personal link", "専用リンクを作成"),
    ("q.link_for", "Personal link for", "専用リンク:"),
    (
        "q.link_once",
        "Send it to the supplier now: it is shown only once and cannot be read again.",
        "今すぐサプライヤーに送付してください。このリンクは一度しか表示されません。",
    ),
    ("q.none", "No questionnaires have been sent yet.", "まだ質問票は送付されていません。"),
    ("q.for", "Questionnaire for", "回答者:"),
    (
        "q.intro",
        "Answer each question with a status and, if you like, comments and evidence files. An SBOM file (CycloneDX or SPDX) you attach is also registered for vulnerability monitoring.",
        "各質問に状態を選び、必要に応じてコメントとエビデンスファイルを添えて回答してください。添付した SBOM ファイル（CycloneDX または SPDX）は脆弱性の監視にも登録されます。",
    ),
    ("q.already", "You answered on", "回答日:"),
    ("q.unanswered", "No answer", "未回答"),
    ("q.files", "Evidence files (optional)", "エビデンスファイル（任意）"),
    ("q.submit", "Submit answers", "回答を送信"),
    ("q.thanks_title", "Thank you", "ご回答ありがとうございました"),
    ("q.thanks", "Your answers were received.", "回答を受け付けました。"),
    (
        "q.sbom_registered",
        "SBOM registered for monitoring as version",
        "SBOM を監視対象として登録しました。バージョン:",
    ),
    ("q.change", "Change your answers", "回答を変更する"),
    (
        "q.expired_form",
        "The form has expired or did not come from this site. Open the link again and resend your answers.",
        "フォームの有効期限が切れたか、このサイト以外から送信されました。リンクを開き直して再度送信してください。",
    ),
    (
        "q.gone",
        "This questionnaire link is unknown or has expired. Ask the sender for a new link.",
        "この質問票のリンクは無効か、有効期限が切れています。送付元に新しいリンクを依頼してください。",
    ),
    // Factory systems and IoT (web_ot).
    ("nav.plants", "Plants", "工場"),
    ("nav.device_advisories", "Device advisories", "機器のアドバイザリ"),
    ("ot.overview", "Overview", "概要"),
    ("ot.site_pages", "Pages of this site", "この拠点のページ"),
    (
        "ot.sites_intro",
        "One plant per site: operations, zones and conduits, the asset inventory, captures and IoT-SSF subjects.",
        "拠点ごとに一つの工場：業務、ゾーンとコンジット、資産台帳、キャプチャ、IoT-SSF の対象。",
    ),
    ("ot.site", "Site", "拠点"),
    ("ot.plant_name", "Plant name", "工場名"),
    ("ot.assets", "Assets", "資産"),
    ("ot.asset", "Asset", "資産ID"),
    ("ot.zones_count", "Zones", "ゾーン数"),
    ("ot.updated", "Updated", "更新"),
    ("ot.new_site", "New site", "新しい拠点"),
    ("ot.create", "Create", "作成"),
    ("ot.bad_site", "A site name is 1 to 200 characters without `/`.", "拠点名は `/` を含まない1〜200文字です。"),
    ("ot.conduits", "Conduits", "コンジット"),
    ("ot.conduit", "Conduit", "コンジットID"),
    ("ot.captures", "Captures", "キャプチャ数"),
    ("ot.affected_assets", "Affected device findings", "影響ありの機器検出"),
    ("ot.operations", "Operations", "業務"),
    ("ot.name", "Name", "名称"),
    ("ot.importance", "Importance", "重要度"),
    ("ot.sl_gaps", "Security level gaps (SL-T above SL-A)", "セキュリティレベルの差（SL-T が SL-A を上回る）"),
    ("ot.none", "None.", "ありません。"),
    ("ot.zone", "Zone", "ゾーン"),
    ("ot.zones", "Zones and conduits", "ゾーンとコンジット"),
    ("ot.measures", "Measure plan", "対策計画"),
    ("ot.kind", "Kind", "種別"),
    ("ot.catalog_entry", "Guideline entry", "ガイドラインの項目"),
    ("ot.status", "Status", "状態"),
    ("ot.plant_file", "Plant file", "工場ファイル"),
    ("ot.download_yaml", "Download the plant file (YAML)", "工場ファイル（YAML）をダウンロード"),
    ("ot.revision", "Revision", "版"),
    (
        "ot.plant_upload",
        "Plant file (YAML or JSON, format cpsf-plant/1)",
        "工場ファイル（YAML または JSON、形式 cpsf-plant/1）",
    ),
    ("ot.replace_plant", "Replace the plant", "工場を置き換える"),
    ("ot.no_file", "Choose a file.", "ファイルを選んでください。"),
    ("ot.plant_rejected", "The plant file was not stored:", "工場ファイルは保存されませんでした："),
    ("ot.plant_saved", "The plant was stored as revision", "工場を保存しました。版："),
    ("ot.all", "All", "すべて"),
    ("ot.vendor", "Vendor", "メーカー"),
    ("ot.filter", "Filter", "絞り込む"),
    ("ot.model", "Model", "型式"),
    ("ot.firmware", "Firmware", "ファームウェア"),
    ("ot.source", "Source", "出所"),
    ("ot.export", "Export", "書き出し"),
    ("ot.import", "Import a spreadsheet", "表計算ファイルの取り込み"),
    ("ot.import_file", "CSV or XLSX files", "CSV または XLSX ファイル"),
    ("ot.sheet", "Sheet (optional)", "シート（任意）"),
    ("ot.mapping", "Column mapping, YAML (optional)", "列の対応付け、YAML（任意）"),
    ("ot.dry_run", "Dry run: only report", "試行のみ：報告だけ"),
    ("ot.rows", "rows", "行"),
    ("ot.added", "added", "件追加"),
    ("ot.merged", "merged", "件統合"),
    ("ot.conflicts", "conflicts", "件の食い違い"),
    ("ot.not_imported", "rows not imported", "行は取り込めませんでした"),
    ("ot.facts", "Facts and where they came from", "属性とその出所"),
    ("ot.field", "Field", "項目"),
    ("ot.value", "Value", "値"),
    ("ot.provenance", "Provenance", "出所"),
    ("ot.device_findings", "Device advisories (CSAF)", "機器のアドバイザリ（CSAF）"),
    ("ot.advisory", "Advisory", "アドバイザリ"),
    ("ot.matched_by", "matched by", "照合方法"),
    ("ot.confidence", "Confidence", "確度"),
    ("ot.first_seen", "First seen", "初回検出"),
    ("ot.last_seen", "Last seen", "最終検出"),
    ("ot.no_longer", "no longer matched", "現在は該当せず"),
    ("ot.software_findings", "Software findings of linked SBOMs", "紐づく SBOM のソフトウェア脆弱性"),
    ("ot.severity", "Severity", "深刻度"),
    ("ot.missing_sboms", "Linked SBOMs not in the store:", "ストアにない紐づけ SBOM："),
    ("ot.change_fact", "Change a fact (declared by you today)", "属性を変更（本日あなたが申告）"),
    ("ot.save", "Save", "保存"),
    ("ot.saved", "Saved.", "保存しました。"),
    (
        "ot.diagram_title",
        "Zones by Purdue level, conduits and flows that break them",
        "パデューレベル別のゾーン、コンジット、違反する通信",
    ),
    ("ot.breaches", "conduit violations", "件のコンジット違反"),
    ("ot.flows", "flows", "通信"),
    ("ot.violation_short", "not allowed", "許可なし"),
    ("ot.assets_lower", "assets", "資産"),
    (
        "ot.diagram_intro",
        "Zones are grouped in rows by Purdue level (highest first). Blue lines are conduits with the protocols they allow (the arrow shows who may open a connection); red dashed lines are flows seen in captures that no conduit allows.",
        "ゾーンをパデューレベル別の行に並べています（高いレベルが上）。青い線はコンジットとその許可プロトコル（矢印は接続を開始できる側）、赤い破線はキャプチャで観測された、どのコンジットも許可していない通信です。",
    ),
    ("ot.diagram_caption", "The same content as tables below the diagram.", "同じ内容を図の下の表でも示します。"),
    ("ot.violations", "Flows that break a conduit", "コンジットに違反する通信"),
    (
        "ot.no_violations",
        "No flow of the stored captures breaks a conduit.",
        "保存されたキャプチャにコンジット違反の通信はありません。",
    ),
    ("ot.capture", "Capture", "キャプチャ"),
    ("ot.from", "From", "送信元"),
    ("ot.to", "To", "宛先"),
    ("ot.protocol", "Protocol", "プロトコル"),
    ("ot.reason", "Reason", "理由"),
    ("ot.packets", "packets", "パケット"),
    ("ot.no_conduit", "no conduit joins the zones", "ゾーン間にコンジットがない"),
    ("ot.wrong_direction", "wrong direction for", "方向が許可されていない："),
    ("ot.not_allowed", "protocol or port not allowed by", "プロトコルまたはポートが許可されていない："),
    ("ot.unknown_devices", "Unknown devices", "台帳にない機器"),
    ("ot.new_protocols", "New protocols", "新しいプロトコル"),
    ("ot.zones_table", "Zones and conduits as tables", "ゾーンとコンジットの表"),
    ("ot.direction", "Direction", "方向"),
    ("ot.allowed", "Allowed", "許可"),
    ("ot.discovered", "Discovered devices", "検出された機器"),
    (
        "ot.discovered_intro",
        "Devices seen in captures (passive: nothing was sent to the plant), as candidate assets. Choose the ones to merge into the inventory; each fact keeps its provenance (discovered on date from capture, frame and protocol).",
        "キャプチャで観測された機器（受動的：工場には何も送信していません）を資産候補として示します。台帳に統合するものを選んでください。各属性には出所（検出日、キャプチャ、フレーム、プロトコル）が残ります。",
    ),
    ("ot.capture_file", "Capture file (pcap or pcapng)", "キャプチャファイル（pcap または pcapng）"),
    ("ot.upload_capture", "Upload and discover", "アップロードして検出"),
    ("ot.no_captures", "No captures yet.", "キャプチャはまだありません。"),
    ("ot.devices", "devices", "台"),
    ("ot.candidate", "Candidate", "候補"),
    ("ot.identity", "Identity", "識別情報"),
    ("ot.protocols", "Protocols", "プロトコル一覧"),
    ("ot.suggested_kind", "Suggested kind", "推定種別"),
    ("ot.inventory", "In the inventory", "台帳との対応"),
    ("ot.conflicting", "Conflicting values", "食い違う値"),
    ("ot.not_in_inventory", "not in the inventory", "台帳にない"),
    ("ot.kept", "kept", "採用"),
    ("ot.dropped", "not taken", "不採用"),
    ("ot.also_seen", "also seen", "別の値"),
    ("ot.merge", "Merge the chosen devices", "選んだ機器を統合"),
    ("ot.new_candidates", "new candidates", "件の新しい候補"),
    ("ot.matrix", "Communication matrix", "通信マトリクス"),
    ("ot.port", "Port", "ポート"),
    ("ot.bytes", "bytes", "バイト"),
    ("ot.unknown", "unknown", "不明"),
    ("ot.iotssf", "IoT-SSF categories", "IoT-SSF カテゴリ"),
    ("ot.unverified", "unverified", "未検証"),
    (
        "ot.iotssf_unverified",
        "The axes' levels, the categories and the viewpoints below are cpsf's own scale: the official IoT-SSF tables were not confirmed. Use them as a starting point, not as the framework's verdict.",
        "以下の軸のレベル、カテゴリ、観点は cpsf 独自の尺度です。IoT-SSF の公式の表は確認できていません。枠組みの判定ではなく、検討の出発点として使ってください。",
    ),
    ("ot.incident", "Assumed incident", "想定インシデント"),
    ("ot.category", "Category", "カテゴリ"),
    ("ot.derived_category", "Derived category", "導かれるカテゴリ"),
    ("ot.scheme", "scheme", "尺度"),
    (
        "ot.no_iotssf",
        "The plant records no IoT-SSF subjects (`iotssf` in the plant file).",
        "工場に IoT-SSF の対象が記録されていません（工場ファイルの `iotssf`）。",
    ),
    (
        "ot.advisories_intro",
        "CSAF 2.0 advisories from device vendors and CISA, matched to the assets of every site by vendor, model number, name, version range and CPE.",
        "機器ベンダーや CISA が公開する CSAF 2.0 アドバイザリを、メーカー、型番、名称、バージョン範囲、CPE で全拠点の資産と照合します。",
    ),
    ("ot.csaf_file", "CSAF 2.0 document (JSON)", "CSAF 2.0 文書（JSON）"),
    ("ot.upload_csaf", "Upload and match", "アップロードして照合"),
    ("ot.advisories", "Advisories", "アドバイザリ一覧"),
    ("ot.publisher", "Publisher", "発行者"),
    ("ot.uploaded", "Uploaded", "登録"),
    ("ot.replaced", "replaced", "を置き換えました"),
    ("ot.stored", "stored", "を保存しました"),
    ("ot.new_findings", "new findings", "件の新しい検出"),
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
        // Every id the pages ask for exists (an unknown id would show as itself).
        for source in [include_str!("web.rs"), include_str!("web_assess.rs"), include_str!("web_ot.rs")] {
            for piece in source.split(".t(\"").skip(1) {
                let id = piece.split('"').next().unwrap_or_default();
                assert!(MESSAGES.iter().any(|m| m.0 == id), "message id `{id}` is used but not defined");
            }
        }
        assert_eq!(Lang::En.t("nav.products"), "Products");
    }
}
