//! Automatic evidence: checks evaluated over facts, turning from unmet to met as the data changes, overrides,
//! contradictions with a person's status, and the product scope.

use cpsf_assess::edit::{Update, apply};
use cpsf_assess::evidence::{Facts, FindingFacts, ProductFacts, refresh};
use cpsf_assess::score::{GapReason, gaps};
use cpsf_assess::{CheckResult, ScopeKind, Status};
use time::{Duration, OffsetDateTime};

use crate::common::{NOW, assessment, catalog};

fn now() -> OffsetDateTime {
    OffsetDateTime::parse(NOW, &time::format_description::well_known::Rfc3339).unwrap()
}

fn product(name: &str, days_ago: i64, ntia: f64) -> ProductFacts {
    ProductFacts {
        name: name.into(),
        last_sbom: Some(now() - Duration::days(days_ago)),
        latest_release: Some("1.0".into()),
        quality: vec![("ntia".into(), ntia)],
    }
}

#[test]
fn inventory_check_turns_from_unmet_to_met_when_the_data_changes() {
    let c = catalog();
    let mut a = assessment(&c);
    let mut facts =
        Facts { source: "sqlite:test.db".into(), products: vec![product("web", 3, 40.0)], ..Facts::default() };
    refresh(&c, &mut a, &facts, now());
    let r = a.result("A-1").unwrap();
    assert_eq!(r.automatic.len(), 2);
    assert_eq!(r.automatic[0].result, CheckResult::Met, "{}", r.automatic[0].observed);
    assert_eq!(r.automatic[1].result, CheckResult::Unmet);
    assert!(r.automatic[1].observed.contains("web 1.0 (40)"), "{}", r.automatic[1].observed);
    assert_eq!(r.automatic[1].data, "sqlite:test.db");
    assert_eq!(r.automatic[1].evaluated, NOW);
    assert_eq!(r.effective_status(), Status::Partially, "one of two checks met");

    // A better SBOM is uploaded: the quality check is met, and the entry counts as implemented.
    facts.products[0].quality = vec![("ntia".into(), 100.0)];
    let changed = refresh(&c, &mut a, &facts, now() + Duration::hours(1));
    assert_eq!(changed, 1);
    let r = a.result("A-1").unwrap();
    assert_eq!(r.automatic_result(), Some(CheckResult::Met));
    assert_eq!(r.effective_status(), Status::Implemented);
    let last = a.history.last().unwrap();
    assert_eq!((last.from.as_deref(), last.to.as_deref()), (Some("unmet"), Some("met")));
    assert!(a.snapshots.len() >= 2, "each change of score adds a snapshot for the trend");

    // The inventory goes stale.
    facts.products[0].last_sbom = Some(now() - Duration::days(45));
    refresh(&c, &mut a, &facts, now());
    assert_eq!(a.result("A-1").unwrap().automatic[0].result, CheckResult::Unmet);
}

#[test]
fn no_data_is_unknown_and_not_counted() {
    let c = catalog();
    let mut a = assessment(&c);
    refresh(&c, &mut a, &Facts::default(), now());
    let r = a.result("B-3").unwrap();
    assert_eq!(r.automatic[0].result, CheckResult::Unknown);
    assert_eq!(r.effective_status(), Status::NotAssessed);
}

#[test]
fn triage_check_counts_untriaged_findings_past_the_deadline() {
    let c = catalog();
    let mut a = assessment(&c);
    let finding = |days: i64, triaged: bool, rank: i64| FindingFacts {
        product: "web".into(),
        severity_rank: rank,
        opened: now() - Duration::days(days),
        triaged,
    };
    let facts = Facts {
        products: vec![product("web", 1, 100.0)],
        open_findings: vec![finding(30, false, 5), finding(30, true, 5), finding(2, false, 5), finding(60, false, 4)],
        ..Facts::default()
    };
    refresh(&c, &mut a, &facts, now());
    let r = &a.result("B-1").unwrap().automatic[0];
    assert_eq!(r.result, CheckResult::Unmet);
    assert_eq!(r.observed, "1 of 3 open critical-or-worse findings untriaged for more than 7 days");
}

#[test]
fn override_needs_a_justification_and_wins_and_contradictions_are_gaps() {
    let c = catalog();
    let mut a = assessment(&c);
    let facts = Facts { products: vec![product("web", 90, 0.0)], ..Facts::default() };
    refresh(&c, &mut a, &facts, now());
    assert_eq!(a.result("A-1").unwrap().effective_status(), Status::NotImplemented);
    // A person says implemented while the evidence says unmet: the gap list flags it first.
    apply(&mut a, &c, "A-1", &Update { status: Some(Status::Implemented), ..Update::default() }, "bob", NOW).unwrap();
    let list = gaps(&c, &a, "2026-11-26");
    assert_eq!((list[0].entry.as_str(), list[0].reason), ("A-1", GapReason::ContradictsEvidence));
    // Overriding the automatic result with a reason resolves it, and the history keeps the reason.
    apply(
        &mut a,
        &c,
        "A-1",
        &Update {
            override_result: Some((CheckResult::Met, "inventory kept in the ERP, exported weekly".into())),
            ..Update::default()
        },
        "bob",
        NOW,
    )
    .unwrap();
    assert!(gaps(&c, &a, "2026-11-26").iter().all(|g| g.entry != "A-1"));
    let h = a.history.last().unwrap();
    assert_eq!(h.field, "override");
    assert_eq!(h.justification.as_deref(), Some("inventory kept in the ERP, exported weekly"));
}

#[test]
fn product_scope_sees_only_its_product() {
    let c = catalog();
    let mut a = assessment(&c);
    a.scope.kind = ScopeKind::Product;
    a.scope.name = "web".into();
    let facts = Facts { products: vec![product("web", 1, 100.0), product("legacy", 400, 0.0)], ..Facts::default() };
    refresh(&c, &mut a, &facts, now());
    assert_eq!(a.result("A-1").unwrap().automatic_result(), Some(CheckResult::Met));
}

fn asset(site: &str, id: &str, complete: bool, days_ago: Option<i64>) -> cpsf_assess::evidence::AssetFact {
    cpsf_assess::evidence::AssetFact {
        site: site.into(),
        id: id.into(),
        complete,
        confirmed: days_ago.map(|d| now() - Duration::days(d)),
    }
}

#[test]
fn assets_inventoried_wants_identity_and_a_recent_confirmation() {
    use cpsf_assess::evidence::evaluate;
    use cpsf_catalog::Check;
    let check = Check::AssetsInventoried { max_age_days: 30 };
    let (result, observed) = evaluate(&check, &Facts::default(), now());
    assert_eq!((result, observed.as_str()), (CheckResult::Unknown, "no plant in the data"));
    let (result, _) = evaluate(&check, &Facts { assets: Some(Vec::new()), ..Facts::default() }, now());
    assert_eq!(result, CheckResult::Unknown);

    let mut facts = Facts {
        assets: Some(vec![asset("k", "plc-1", true, Some(3)), asset("k", "hmi-1", true, Some(10))]),
        ..Facts::default()
    };
    let (result, observed) = evaluate(&check, &facts, now());
    assert_eq!(result, CheckResult::Met, "{observed}");
    assert!(observed.contains("2 of 2 assets have vendor, model and firmware; 2 of 2 confirmed"), "{observed}");

    // One asset lacks its firmware, another was last confirmed long ago, a third never with a date.
    facts.assets = Some(vec![
        asset("k", "plc-1", false, Some(3)),
        asset("k", "hmi-1", true, Some(45)),
        asset("k", "sensor-1", true, None),
    ]);
    let (result, observed) = evaluate(&check, &facts, now());
    assert_eq!(result, CheckResult::Unmet);
    assert!(observed.contains("incomplete: k/plc-1"), "{observed}");
    assert!(observed.contains("k/hmi-1 (45 days)") && observed.contains("k/sensor-1 (never dated)"), "{observed}");
    assert!(observed.starts_with("2 of 3 assets have vendor, model and firmware; 1 of 3 confirmed"), "{observed}");
}
