//! Portfolio search: which releases ship a package, by purl (exact or any version), by name, group and version.

use cpsf_store::{ComponentQuery, StoreError};

use crate::fixtures::{component, sbom, small_app};
use crate::harness::TestStore;

fn releases(t: &TestStore, query: ComponentQuery) -> Vec<String> {
    t.search_components(&query)
        .unwrap()
        .iter()
        .map(|h| format!("{}/{} {}", h.product, h.version, h.component.version.as_deref().unwrap_or("-")))
        .collect()
}

pub fn the_portfolio_is_searched(t: &TestStore) {
    // Six releases; shop 1.1 first shipped 2.14.1 and was then re-uploaded with 2.17.1.
    t.ingest_sbom("shop", "1.0", &small_app("2.14.1"), "ci", true).unwrap();
    t.ingest_sbom("shop", "1.1", &small_app("2.14.1"), "ci", true).unwrap();
    t.ingest_sbom("shop", "1.1", &small_app("2.17.1"), "ci", true).unwrap();
    t.ingest_sbom("blog", "3.0", &small_app("2.14.1"), "ci", true).unwrap();
    t.ingest_sbom("blog", "3.1", &small_app("2.20.0"), "ci", true).unwrap();
    let mut other = component("pkg:maven/com.fake/log4j-core@2.14.1");
    other.bom_ref = "fake".into();
    t.ingest_sbom("tools", "0.1", &sbom(vec![other, component("pkg:npm/left-pad@1.3.0")]), "ci", true).unwrap();
    t.ingest_sbom("empty", "0.0", &sbom(vec![]), "ci", true).unwrap();

    let exact = ComponentQuery {
        purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into()),
        ..ComponentQuery::default()
    };
    assert_eq!(releases(t, exact.clone()), ["blog/3.0 2.14.1", "shop/1.0 2.14.1"], "current SBOMs only");
    assert_eq!(
        releases(t, ComponentQuery { current_only: false, ..exact }),
        ["blog/3.0 2.14.1", "shop/1.0 2.14.1", "shop/1.1 2.14.1"],
        "superseded SBOMs too"
    );
    // A purl without a version: every version of the package.
    assert_eq!(
        releases(
            t,
            ComponentQuery {
                purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core".into()),
                ..ComponentQuery::default()
            }
        ),
        ["blog/3.0 2.14.1", "blog/3.1 2.20.0", "shop/1.0 2.14.1", "shop/1.1 2.17.1"]
    );
    // A purl without a version, with a version asked apart.
    assert_eq!(
        releases(
            t,
            ComponentQuery {
                purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core".into()),
                version: Some("2.17.1".into()),
                ..ComponentQuery::default()
            }
        ),
        ["shop/1.1 2.17.1"]
    );
    // By name, case-insensitively; the look-alike from another group is found until the group is given.
    assert_eq!(
        releases(t, ComponentQuery { name: Some("Log4J-Core".into()), ..ComponentQuery::default() }),
        ["blog/3.0 2.14.1", "blog/3.1 2.20.0", "shop/1.0 2.14.1", "shop/1.1 2.17.1", "tools/0.1 2.14.1"]
    );
    assert_eq!(
        releases(
            t,
            ComponentQuery {
                name: Some("log4j-core".into()),
                group: Some("org.apache.logging.log4j".into()),
                version: Some("2.14.1".into()),
                ..ComponentQuery::default()
            }
        ),
        ["blog/3.0 2.14.1", "shop/1.0 2.14.1"]
    );
    let hit = &t
        .search_components(&ComponentQuery { name: Some("left-pad".into()), ..ComponentQuery::default() })
        .unwrap()[0];
    assert_eq!(hit.component.purl.as_deref(), Some("pkg:npm/left-pad@1.3.0"));
    assert_eq!(t.version_by_names("tools", "0.1").unwrap().unwrap().current_sbom_id, Some(hit.component.sbom_id));
    assert_eq!(hit.version_id, t.version_by_names("tools", "0.1").unwrap().unwrap().id);
    // The limit, and nothing found.
    assert_eq!(
        releases(t, ComponentQuery { name: Some("junit".into()), limit: 2, ..ComponentQuery::default() }).len(),
        2
    );
    assert!(releases(t, ComponentQuery { name: Some("log4j".into()), ..ComponentQuery::default() }).is_empty());
    // A query must say what to look for, once.
    for bad in [
        ComponentQuery::default(),
        ComponentQuery { purl: Some("pkg:npm/a".into()), name: Some("a".into()), ..ComponentQuery::default() },
        ComponentQuery { purl: Some("not a purl".into()), ..ComponentQuery::default() },
        ComponentQuery { name: Some("  ".into()), ..ComponentQuery::default() },
    ] {
        assert!(matches!(t.search_components(&bad), Err(StoreError::Invalid { .. })), "{bad:?}");
    }
}
