//! Findings: reconciling match runs (new, still open, fixed, reopened), filters, and triage history.

use cpsf_store::{
    Analysis, AnalysisState, FindingFilter, FindingStatus, Justification, Response, Severity, StateFilter, StoreError,
};
use time::macros::datetime;

use crate::fixtures::{finding, small_app};
use crate::harness::TestStore;

const LOG4J: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
const API: &str = "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1";
const JUNIT: &str = "pkg:maven/junit/junit@4.13.2";

fn ids(list: &[cpsf_store::StoredFinding]) -> Vec<&str> {
    list.iter().map(|f| f.vuln_id.as_str()).collect()
}

pub fn findings_are_reconciled(t: &TestStore) {
    let version = t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap().version_id;
    let t1 = datetime!(2026-01-01 10:00 UTC);
    let t2 = datetime!(2026-01-02 10:00 UTC);
    let t3 = datetime!(2026-01-03 10:00 UTC);
    let t4 = datetime!(2026-01-04 10:00 UTC);

    let first = t
        .record_findings(
            version,
            &[finding(LOG4J, "CVE-2021-44228", Severity::Critical), finding(API, "CVE-2021-45046", Severity::High)],
            t1,
        )
        .unwrap();
    assert_eq!(ids(&first.new), ["CVE-2021-44228", "CVE-2021-45046"]);
    assert!(first.fixed.is_empty());
    assert_eq!(first.still_open, 0);
    assert_eq!(first.new[0].first_seen, t1);
    assert_eq!(first.new[0].product, "shop");
    assert_eq!(first.new[0].version, "1.0");
    assert_eq!(first.new[0].component_name, "log4j-core");
    assert_eq!(first.new[0].component_version.as_deref(), Some("2.14.1"));

    // Run 2: 44228 still there (now in KEV, with a fix), 45046 gone, a new one on junit.
    let mut again = finding(LOG4J, "CVE-2021-44228", Severity::Critical);
    again.kev = true;
    again.epss = Some(0.97);
    again.cvss_score = Some(10.0);
    again.fixed_version = Some("2.15.0".into());
    let second = t.record_findings(version, &[again, finding(JUNIT, "CVE-2020-15250", Severity::Medium)], t2).unwrap();
    assert_eq!(ids(&second.new), ["CVE-2020-15250"]);
    assert_eq!(ids(&second.fixed), ["CVE-2021-45046"]);
    assert_eq!(second.fixed[0].fixed_at, Some(t2));
    assert_eq!(second.still_open, 1);
    let log4j = t.finding(first.new[0].id).unwrap().unwrap();
    assert_eq!((log4j.first_seen, log4j.last_seen, log4j.fixed_at), (t1, t2, None));
    assert!(log4j.kev);
    assert_eq!(log4j.epss, Some(0.97));
    assert_eq!(log4j.cvss_score, Some(10.0));
    assert_eq!(log4j.fixed_version.as_deref(), Some("2.15.0"));

    // Run 3: 45046 reappears: reopened, counted new, keeps its first_seen; junit's is fixed. A repeat counts once.
    let third = t
        .record_findings(
            version,
            &[
                finding(LOG4J, "CVE-2021-44228", Severity::Critical),
                finding(API, "CVE-2021-45046", Severity::High),
                finding(API, "CVE-2021-45046", Severity::High),
            ],
            t3,
        )
        .unwrap();
    assert_eq!(ids(&third.new), ["CVE-2021-45046"]);
    assert_eq!(third.new[0].id, first.new[1].id, "the same finding, reopened");
    assert_eq!((third.new[0].first_seen, third.new[0].opened_at, third.new[0].fixed_at), (t1, t3, None));
    assert_eq!(ids(&third.fixed), ["CVE-2020-15250"]);
    assert_eq!(third.still_open, 1);

    // Run 4: nothing found: everything open is fixed, nothing is deleted.
    let fourth = t.record_findings(version, &[], t4).unwrap();
    assert_eq!(ids(&fourth.fixed), ["CVE-2021-44228", "CVE-2021-45046"]);
    let all = FindingFilter { status: FindingStatus::Any, ..FindingFilter::default() };
    assert_eq!(t.count_findings(&all).unwrap(), 3);
    assert_eq!(t.count_findings(&FindingFilter::default()).unwrap(), 0);
    // A run that changes nothing is not audited; the four that did are.
    t.record_findings(version, &[], t4).unwrap();
    let audited = t.list_audit(100, 0).unwrap().into_iter().filter(|e| e.action == "findings.record").count();
    assert_eq!(audited, 4);
    assert!(matches!(t.record_findings(version + 1000, &[], t4), Err(StoreError::NotFound { .. })));
}

pub fn findings_are_filtered(t: &TestStore) {
    let shop = t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap().version_id;
    let blog = t.ingest_sbom("blog", "2.0", &small_app("2.14.1"), "ci", true).unwrap().version_id;
    let t1 = datetime!(2026-02-01 00:00 UTC);
    let t2 = datetime!(2026-02-10 00:00 UTC);
    let mut kev = finding(LOG4J, "CVE-2021-44228", Severity::Critical);
    kev.kev = true;
    kev.fixed_version = Some("2.15.0".into());
    kev.aliases = vec!["CVE-2021-44228".into(), "GHSA-jfh8-c2jp-5v3q".into()];
    t.record_findings(shop, &[kev.clone(), finding(JUNIT, "CVE-2020-15250", Severity::Medium)], t1).unwrap();
    t.record_findings(blog, &[finding(API, "GHSA-low-0000", Severity::Low)], t1).unwrap();
    t.record_findings(blog, &[finding(API, "GHSA-low-0000", Severity::Low), kev], t2).unwrap();

    let list = |f: FindingFilter| -> Vec<String> {
        t.list_findings(&f).unwrap().iter().map(|x| format!("{}:{}", x.product, x.vuln_id)).collect()
    };
    assert_eq!(
        list(FindingFilter::default()),
        ["blog:CVE-2021-44228", "shop:CVE-2021-44228", "shop:CVE-2020-15250", "blog:GHSA-low-0000"],
        "most severe first, then product"
    );
    assert_eq!(list(FindingFilter { product: Some("shop".into()), ..FindingFilter::default() }).len(), 2);
    assert_eq!(
        list(FindingFilter { product: Some("blog".into()), version: Some("2.0".into()), ..FindingFilter::default() })
            .len(),
        2
    );
    assert_eq!(list(FindingFilter { version_id: Some(shop), ..FindingFilter::default() }).len(), 2);
    let blog_id = t.product_by_name("blog").unwrap().unwrap().id;
    assert_eq!(
        list(FindingFilter { product_ids: Some(vec![blog_id]), ..FindingFilter::default() }),
        ["blog:CVE-2021-44228", "blog:GHSA-low-0000"]
    );
    assert!(list(FindingFilter { product_ids: Some(vec![]), ..FindingFilter::default() }).is_empty());
    assert_eq!(
        list(FindingFilter { min_severity: Some(Severity::Medium), ..FindingFilter::default() }),
        ["blog:CVE-2021-44228", "shop:CVE-2021-44228", "shop:CVE-2020-15250"]
    );
    assert_eq!(list(FindingFilter { kev_only: true, ..FindingFilter::default() }).len(), 2);
    assert_eq!(list(FindingFilter { fixable_only: true, ..FindingFilter::default() }).len(), 2);
    assert_eq!(
        list(FindingFilter { since: Some(t2), ..FindingFilter::default() }),
        ["blog:CVE-2021-44228"],
        "new since t2"
    );
    assert_eq!(
        list(FindingFilter { vuln_id: Some("GHSA-jfh8-c2jp-5v3q".into()), ..FindingFilter::default() }).len(),
        2,
        "found by alias"
    );
    assert!(list(FindingFilter { vuln_id: Some("GHSA-jfh8".into()), ..FindingFilter::default() }).is_empty());
    assert_eq!(
        list(FindingFilter { vuln_id: Some("cve-2021-44228".into()), ..FindingFilter::default() }).len(),
        2,
        "aliases ignore case"
    );
    assert!(list(FindingFilter { vuln_id: Some("CVE-2021-4422_".into()), ..FindingFilter::default() }).is_empty());
    assert_eq!(list(FindingFilter { limit: 2, offset: 1, ..FindingFilter::default() }).len(), 2);
    assert_eq!(list(FindingFilter { limit: 2, offset: 3, ..FindingFilter::default() }), ["blog:GHSA-low-0000"]);
    assert_eq!(t.count_findings(&FindingFilter { limit: 1, ..FindingFilter::default() }).unwrap(), 4);
    assert!(list(FindingFilter { status: FindingStatus::Fixed, ..FindingFilter::default() }).is_empty());

    // The product list counts open findings by severity.
    let products = t.list_products().unwrap();
    let shop_summary = &products.iter().find(|p| p.product.name == "shop").unwrap().versions[0];
    assert_eq!((shop_summary.open.critical, shop_summary.open.medium, shop_summary.open.total()), (1, 1, 2));
    assert_eq!(shop_summary.open_kev, 1);
}

pub fn triage_keeps_its_history(t: &TestStore) {
    let version = t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap().version_id;
    let changes = t
        .record_findings(
            version,
            &[finding(LOG4J, "CVE-2021-44228", Severity::Critical), finding(JUNIT, "CVE-2020-15250", Severity::Medium)],
            datetime!(2026-03-01 00:00 UTC),
        )
        .unwrap();
    let id = changes.new.iter().find(|f| f.vuln_id == "CVE-2020-15250").unwrap().id;
    assert_eq!(t.finding(id).unwrap().unwrap().state, None);

    let looking = Analysis { state: AnalysisState::InTriage, justification: None, responses: vec![], detail: None };
    let first = t.triage(id, &looking, "alice").unwrap();
    let decided = Analysis {
        state: AnalysisState::NotAffected,
        justification: Some(Justification::CodeNotReachable),
        responses: vec![Response::WillNotFix, Response::Update],
        detail: Some("junit is a test dependency; never shipped".into()),
    };
    let second = t.triage(id, &decided, "bob").unwrap();
    assert!(second.id > first.id);

    let history = t.finding_history(id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].who.as_str(), history[0].analysis.state), ("alice", AnalysisState::InTriage));
    assert_eq!(history[1].analysis, decided);
    assert_eq!(history[1].who, "bob");
    assert_eq!(history[1], second);
    assert_eq!(t.finding(id).unwrap().unwrap().state, Some(AnalysisState::NotAffected));

    // State filters, and a not-affected finding no longer counts as open in the product list.
    let by_state = |state| t.count_findings(&FindingFilter { state: Some(state), ..FindingFilter::default() }).unwrap();
    assert_eq!(by_state(StateFilter::Is(AnalysisState::NotAffected)), 1);
    assert_eq!(by_state(StateFilter::Untriaged), 1);
    assert_eq!(by_state(StateFilter::Active), 1);
    let summary = &t.list_products().unwrap()[0].versions[0];
    assert_eq!((summary.open.total(), summary.open.critical), (1, 1));

    // Audited, and an unknown finding is not found (and writes nothing).
    let entry = &t.list_audit(1, 0).unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.who.as_str()), ("finding.triage", "bob"));
    assert_eq!(entry.target, format!("finding:{id}"));
    assert_eq!(entry.detail["state"], "not_affected");
    assert_eq!(entry.detail["justification"], "code_not_reachable");
    assert!(matches!(t.triage(id + 1000, &decided, "bob"), Err(StoreError::NotFound { .. })));
    assert!(t.finding_history(id + 1000).unwrap().is_empty());
}
