//! The shared fixture: a catalog of five categories under three functions with 20 assessable entries each,
//! and an assessment of it edited through cpsf-assess's own APIs.

use std::fmt::Write as _;

use cpsf_assess::edit::{self, Update};
use cpsf_assess::evidence::{self, Facts, ProductFacts};
use cpsf_assess::report::{self, Report};
use cpsf_assess::{Assessment, CheckResult, Evidence, Scope, ScopeKind, Status, score};
use cpsf_catalog::{Catalog, Lang};
use time::macros::datetime;

/// A title with markup in it, to show it is escaped.
pub const HOSTILE_TITLE_EN: &str = "Keep <script>alert(1)</script> & \"quotes\" out";
pub const HOSTILE_COMMENT: &str = "<!-- <script>document.write('x')</script> --> reviewed";
pub const OVERRIDE_JUSTIFICATION: &str = "手作業の台帳を監査で確認済み (checked by audit)";

const CATEGORIES: [(&str, &str, &str, &str); 5] = [
    ("ID", "ID.AM", "Asset management", "資産管理"),
    ("ID", "ID.RA", "Risk assessment", "リスク評価"),
    ("PR", "PR.AC", "Access control", "アクセス制御"),
    ("PR", "PR.DS", "Data security", "データセキュリティ"),
    ("DE", "DE.CM", "Continuous monitoring", "継続的なモニタリング"),
];

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The catalog as a YAML document in the `cpsf-catalog/1` format.
pub fn catalog_yaml() -> String {
    let mut y = String::from(
        "format: cpsf-catalog/1\nid: test-report-1.0\nrevision: 3\n\
         title: {en: \"Test framework for reports\", ja: \"レポート試験用フレームワーク\"}\n\
         publisher: {en: \"cpsf tests\", ja: \"cpsf テスト\"}\nversion: \"1.0\"\n\
         sources:\n  - {id: src, title: {en: \"Test source\", ja: \"試験用原典\"}, edition: \"1.0\"}\n\
         levels:\n  - {id: basic, title: {en: Basic, ja: 基本}}\n  - {id: advanced, title: {en: Advanced, ja: 発展}}\n\
         entries:\n",
    );
    let mut function_done = Vec::new();
    for (function, category, en, ja) in CATEGORIES {
        if !function_done.contains(&function) {
            function_done.push(function);
            let (fen, fja) = match function {
                "ID" => ("Identify", "識別"),
                "PR" => ("Protect", "防御"),
                _ => ("Detect", "検知"),
            };
            let _ = writeln!(
                y,
                "  - {{id: {function}, kind: function, title: {{en: {}, ja: {}}}, provenance: {{source: src, verified: true, section: \"2.1\"}}}}",
                json(fen),
                json(fja)
            );
        }
        let _ = writeln!(
            y,
            "  - {{id: {category}, parent: {function}, kind: category, title: {{en: {}, ja: {}}}, provenance: {{source: src, verified: true, section: \"3\"}}}}",
            json(en),
            json(ja)
        );
        for n in 1..=20 {
            let (title_en, title_ja) = if category == "ID.AM" && n == 2 {
                (HOSTILE_TITLE_EN.to_string(), "不正なマークアップ<b>を含む題名</b>".to_string())
            } else {
                (format!("{en} requirement {n}"), format!("{ja}の要件{n}"))
            };
            let summary_ja = format!(
                "{ja}に関する対策要件{n}の概要です。組織は手順を定め、定期的に見直し、結果を記録する。長い文章の折り返しを確かめるための文です。"
            );
            let summary_en = format!(
                "Summary of {en} requirement {n}: the organisation defines a procedure, reviews it regularly and records the outcome; a long sentence to exercise wrapping."
            );
            let verified = n % 4 == 0;
            let provenance = if verified {
                format!("{{source: src, verified: true, section: \"Table {category}\", page: \"p. {n}\"}}")
            } else {
                "{source: src, verified: false, note: \"Not yet checked against the source.\"}".to_string()
            };
            let checks = match (category, n) {
                ("ID.AM", 1) => {
                    "\n    checks:\n      - {check: inventory-current, params: {max_age_days: 90}}\n      - {check: sbom-quality, params: {profile: ntia, min_score: 80}}"
                }
                ("ID.RA", 1) => "\n    checks:\n      - {check: advisories-current, params: {max_age_days: 7}}",
                ("DE.CM", 1) => {
                    "\n    checks:\n      - {check: critical-triaged, params: {severity: high, within_days: 14}}"
                }
                _ => "",
            };
            let weight = if n == 3 { "\n    weight: 2" } else { "" };
            let _ = writeln!(
                y,
                "  - id: {category}-{n}\n    parent: {category}\n    kind: measure-requirement\n    title: {{en: {}, ja: {}}}\n    summary: {{en: {}, ja: {}}}{weight}{checks}\n    provenance: {provenance}",
                json(&title_en),
                json(&title_ja),
                json(&summary_en),
                json(&summary_ja)
            );
        }
    }
    y
}

pub fn catalog() -> Catalog {
    cpsf_catalog::load::parse("test-report.yaml", &catalog_yaml()).unwrap()
}

const WHO: &str = "山田 太郎";

/// The assessment: statuses cycle through every value, some entries carry levels, owners, due dates (some
/// past), comments, files and links; automatic evidence is refreshed twice (unmet, then partly met) and one
/// result is overridden; snapshots record the trend.
pub fn assessment(catalog: &Catalog) -> Assessment {
    let scope = Scope { name: "本社工場 <Plant 1>".into(), kind: ScopeKind::Site };
    let mut a = Assessment::new(catalog, scope, Lang::Ja, "2025-01-10T00:00:00Z");
    a.title = Some("2025年度 自己評価".into());
    let stale = Facts {
        source: "sqlite:/var/lib/cpsf/cpsf.db".into(),
        products: vec![ProductFacts {
            name: "controller".into(),
            last_sbom: Some(datetime!(2024-06-01 0:00 UTC)),
            latest_release: Some("2.3.0".into()),
            quality: vec![("ntia".into(), 55.0)],
        }],
        ..Facts::default()
    };
    evidence::refresh(catalog, &mut a, &stale, datetime!(2025-01-15 0:00 UTC));
    let ids: Vec<String> = catalog.assessable().map(|e| e.id.clone()).collect();
    for (i, id) in ids.iter().enumerate() {
        // Leave the entries with checks to their automatic evidence.
        if id.ends_with("-1") {
            continue;
        }
        let status = match i % 5 {
            0 => Status::Implemented,
            1 => Status::Partially,
            2 => Status::NotImplemented,
            3 => Status::NotApplicable,
            _ => Status::NotAssessed,
        };
        let update = Update {
            status: Some(status),
            level: (i % 3 == 0).then(|| if i % 2 == 0 { "basic" } else { "advanced" }.to_string()),
            owner: (i % 2 == 0).then(|| format!("担当者{}", i % 7)),
            due: (i % 4 == 0).then(|| if i % 8 == 0 { "2025-03-31" } else { "2025-12-31" }.to_string()),
            comments: (i % 6 == 0).then(|| {
                if i == 6 {
                    HOSTILE_COMMENT.to_string()
                } else {
                    format!("第{i}回レビューで確認。次回は設備更新時。")
                }
            }),
            add_evidence: match i % 9 {
                0 => vec![Evidence::File {
                    name: format!("手順書-{i}.pdf"),
                    path: None,
                    sha256: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
                    stored_id: None,
                    added: "2025-02-01T10:00:00Z".into(),
                    by: Some(WHO.into()),
                }],
                4 => vec![Evidence::Link {
                    url: format!("https://intranet.example/policies/{i}?a=1&b=2"),
                    title: Some(format!("Policy page {i}")),
                    added: "2025-02-02T10:00:00Z".into(),
                    by: None,
                }],
                _ => Vec::new(),
            },
            ..Update::default()
        };
        edit::apply(&mut a, catalog, id, &update, WHO, "2025-02-15T09:00:00Z").unwrap();
        if i == 40 {
            score::record_snapshot(catalog, &mut a, "2025-02-15T09:00:00Z");
        }
    }
    score::record_snapshot(catalog, &mut a, "2025-03-01T09:00:00Z");
    let fresher = Facts {
        products: vec![ProductFacts {
            name: "controller".into(),
            last_sbom: Some(datetime!(2025-04-20 0:00 UTC)),
            latest_release: Some("2.4.0".into()),
            quality: vec![("ntia".into(), 60.0)],
        }],
        advisories_updated: Some(datetime!(2025-04-28 0:00 UTC)),
        last_match: Some(datetime!(2025-04-29 0:00 UTC)),
        ..stale
    };
    evidence::refresh(catalog, &mut a, &fresher, datetime!(2025-05-01 0:00 UTC));
    let update =
        Update { override_result: Some((CheckResult::Met, OVERRIDE_JUSTIFICATION.into())), ..Update::default() };
    edit::apply(&mut a, catalog, "DE.CM-1", &update, WHO, "2025-05-02T09:00:00Z").unwrap();
    score::record_snapshot(catalog, &mut a, "2025-05-02T09:00:00Z");
    a
}

/// The report of the fixture in `lang`.
pub fn report(lang: Lang) -> Report {
    let catalog = catalog();
    let assessment = assessment(&catalog);
    report::build(&catalog, &assessment, lang, "2025-06-01T09:00:00Z", "2025-06-01")
}

#[test]
fn the_fixture_has_what_the_tests_rely_on() {
    let r = report(Lang::Ja);
    assert_eq!(r.entries.len(), 100);
    assert_eq!(r.radar.len(), 5, "{:?}", r.radar);
    assert!(r.trend.len() >= 3, "{:?}", r.trend);
    assert!(r.gaps.len() > 20);
    assert!(r.gaps.iter().any(|g| g.overdue));
    assert!(r.unverified_entries > 50);
    assert!(r.maturity.is_some());
    assert!(r.entries.iter().any(|e| e.status_automatic));
    assert!(r.entries.iter().any(|e| e.override_.is_some()));
    assert!(r.entries.iter().any(|e| !e.automatic.is_empty()));
    assert!(r.overall.score.is_some());
}
