//! A small catalog written for these tests (two categories, five requirements, levels, checks).

use cpsf_assess::{Assessment, Scope, ScopeKind};
use cpsf_catalog::{Catalog, Lang};

pub const NOW: &str = "2026-11-26T00:00:00Z";

pub fn catalog() -> Catalog {
    let text = r#"
format: cpsf-catalog/1
id: test-cat
revision: 3
title: {en: Test catalog, ja: テストカタログ}
publisher: {en: Us, ja: 当方}
version: "1"
sources: [{id: s, title: {en: Notes, ja: メモ}}]
levels:
  - {id: l1, title: {en: Basic, ja: 基本}, verified: false, note: t}
  - {id: l2, title: {en: Advanced, ja: 発展}, verified: false, note: t}
  - {id: l3, title: {en: High, ja: 高度}, verified: false, note: t}
entries:
  - {id: A, kind: category, title: {en: Assets, ja: 資産}, provenance: {source: s, verified: false, note: t}}
  - id: A-1
    parent: A
    kind: measure-requirement
    title: {en: Inventory, ja: 台帳}
    weight: 2
    checks:
      - {check: inventory-current, params: {max_age_days: 30}}
      - {check: sbom-quality, params: {profile: ntia, min_score: 80}}
    provenance: {source: s, section: "1.1", verified: true}
  - {id: A-2, parent: A, kind: measure-requirement, title: {en: Owners, ja: 責任者}, provenance: {source: s, verified: false, note: t}}
  - {id: B, kind: category, title: {en: Vulns, ja: 脆弱性}, provenance: {source: s, verified: false, note: t}}
  - id: B-1
    parent: B
    kind: measure-requirement
    title: {en: Triage, ja: トリアージ}
    checks: [{check: critical-triaged, params: {severity: critical, within_days: 7}}]
    provenance: {source: s, verified: false, note: t}
  - {id: B-2, parent: B, kind: measure-requirement, title: {en: Patching, ja: 修正}, provenance: {source: s, verified: false, note: t}}
  - {id: B-3, parent: B, kind: measure-requirement, title: {en: Suppliers, ja: 取引先}, checks: [{check: questionnaires-answered, params: {min_ratio: 0.5}}], provenance: {source: s, verified: false, note: t}}
"#;
    cpsf_catalog::load::parse("test-cat.yaml", text).expect("test catalog parses")
}

pub fn assessment(catalog: &Catalog) -> Assessment {
    Assessment::new(catalog, Scope { name: "ACME".into(), kind: ScopeKind::Company }, Lang::Ja, NOW)
}
