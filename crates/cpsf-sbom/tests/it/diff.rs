//! Diffing inventories: classification by package identity and version order, rendering.

use cpsf_model::{Component, Hash, HashAlgorithm, Inventory, Scope};
use cpsf_sbom::diff::{compare_versions, diff, render_text};

fn pkg(purl: &str) -> Component {
    Component::from_purl(purl.parse().expect("test purl"))
}

fn inv(components: Vec<Component>) -> Inventory {
    let mut i = Inventory::default();
    i.extend_components(components);
    i
}

fn inv_of(purls: &[&str]) -> Inventory {
    inv(purls.iter().map(|p| pkg(p)).collect())
}

/// (case name, old purls, new purls, expected rendering lines without the summary)
type Case = (&'static str, &'static [&'static str], &'static [&'static str], &'static [&'static str]);

const CASES: &[Case] = &[
    (
        "numeric segments compare as numbers",
        &["pkg:cargo/serde@1.9.0"],
        &["pkg:cargo/serde@1.10.0"],
        &["↑ serde 1.9.0 → 1.10.0"],
    ),
    (
        "a release candidate is above the previous release",
        &["pkg:npm/next@2.0.0-rc.1"],
        &["pkg:npm/next@1.9.9"],
        &["↓ next 2.0.0-rc.1 → 1.9.9"],
    ),
    (
        "a release is above its candidate",
        &["pkg:npm/next@2.0.0-rc.1"],
        &["pkg:npm/next@2.0.0"],
        &["↑ next 2.0.0-rc.1 → 2.0.0"],
    ),
    (
        "PEP 440 post release",
        &["pkg:pypi/pytz@2024.1"],
        &["pkg:pypi/pytz@2024.1.post1"],
        &["↑ pytz 2024.1 → 2024.1.post1"],
    ),
    ("added and removed", &["pkg:gem/rake@13.2.1"], &["pkg:gem/rack@3.1.7"], &["+ rack 3.1.7", "- rake 13.2.1"]),
    (
        "maven identity ignores qualifiers",
        &["pkg:maven/org.apache.commons/commons-lang3@3.14.0?type=jar"],
        &["pkg:maven/org.apache.commons/commons-lang3@3.17.0"],
        &["↑ org.apache.commons:commons-lang3 3.14.0 → 3.17.0"],
    ),
    (
        "npm scopes are part of the identity",
        &["pkg:npm/%40babel/core@7.25.2", "pkg:npm/core@1.0.0"],
        &["pkg:npm/%40babel/core@7.24.0", "pkg:npm/core@1.0.0"],
        &["↓ @babel/core 7.25.2 → 7.24.0"],
    ),
    (
        "several versions of one package: same major pairs first",
        &["pkg:npm/lodash@3.10.1", "pkg:npm/lodash@4.17.20"],
        &["pkg:npm/lodash@4.17.21"],
        &["- lodash 3.10.1", "↑ lodash 4.17.20 → 4.17.21"],
    ),
    (
        "a new major next to the old one",
        &["pkg:npm/semver@6.3.1"],
        &["pkg:npm/semver@6.3.1", "pkg:npm/semver@7.6.3"],
        &["+ semver 7.6.3"],
    ),
    (
        "equal order, other spelling",
        &["pkg:golang/github.com/pkg/errors@v0.9.1"],
        &["pkg:golang/github.com/pkg/errors@0.9.1"],
        &["~ github.com/pkg/errors 0.9.1: version v0.9.1 → 0.9.1"],
    ),
    ("nothing changed", &["pkg:cargo/serde@1.0.210"], &["pkg:cargo/serde@1.0.210"], &[]),
];

#[test]
fn classification_table() {
    for (name, old, new, want) in CASES {
        let d = diff(&inv_of(old), &inv_of(new));
        let text = render_text(&d);
        let lines: Vec<&str> = text.lines().collect();
        let (body, summary) = lines.split_at(lines.len() - 1);
        assert_eq!(body, *want, "{name}");
        if want.is_empty() {
            assert!(d.is_empty(), "{name}");
            assert_eq!(summary, ["no differences"], "{name}");
        } else {
            assert!(!d.is_empty(), "{name}");
            assert_eq!(summary, [d.summary().as_str()], "{name}");
        }
    }
}

#[test]
fn upgrades_and_downgrades_carry_both_refs() {
    let d = diff(
        &inv_of(&["pkg:cargo/serde@1.9.0", "pkg:npm/next@2.0.0-rc.1"]),
        &inv_of(&["pkg:cargo/serde@1.10.0", "pkg:npm/next@1.9.9"]),
    );
    assert_eq!(d.upgraded.len(), 1);
    assert_eq!(d.downgraded.len(), 1);
    let up = &d.upgraded[0];
    assert_eq!((up.package.as_str(), up.from.as_str(), up.to.as_str()), ("pkg:cargo/serde", "1.9.0", "1.10.0"));
    assert_eq!((up.old_bom_ref.as_str(), up.new_bom_ref.as_str()), ("pkg:cargo/serde@1.9.0", "pkg:cargo/serde@1.10.0"));
    assert_eq!(d.downgraded[0].to, "1.9.9");
    assert_eq!(d.summary(), "0 added, 0 removed, 1 upgraded, 1 downgraded, 0 changed");
}

#[test]
fn same_version_with_other_facts_is_changed() {
    let base = || {
        let mut c = pkg("pkg:npm/ms@2.1.3");
        c.hashes.push(Hash::hex(HashAlgorithm::Sha1, &"ab".repeat(20)).expect("hex"));
        c.licenses.push("MIT".into());
        c.scope = Some(Scope::Required);
        c.direct = Some(true);
        c
    };
    let mut other = base();
    other.hashes = vec![Hash::hex(HashAlgorithm::Sha1, &"cd".repeat(20)).expect("hex")];
    other.licenses = vec!["Apache-2.0".into()];
    other.scope = Some(Scope::Dev);
    other.direct = Some(false);
    let d = diff(&inv(vec![base()]), &inv(vec![other]));
    assert_eq!(d.changed.len(), 1);
    let fields: Vec<&str> = d.changed[0].changes.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["hashes", "licenses", "scope", "direct"]);
    assert_eq!(
        render_text(&d),
        "~ ms 2.1.3: hashes differ; licenses MIT → Apache-2.0; scope required → dev; direct direct → transitive\n\
         0 added, 0 removed, 0 upgraded, 0 downgraded, 1 changed\n"
    );
    // Only locations differ: nothing to report.
    let mut moved = base();
    moved.locations.push(cpsf_model::Location::new("elsewhere/package-lock.json", Some(9)));
    assert!(diff(&inv(vec![base()]), &inv(vec![moved])).is_empty());
}

#[test]
fn components_without_purl_match_by_group_and_name() {
    let plain = |group: Option<&str>, name: &str, version: Option<&str>| Component {
        bom_ref: format!("{name}-{}", version.unwrap_or("x")),
        group: group.map(str::to_owned),
        name: name.into(),
        version: version.map(str::to_owned),
        ..Component::default()
    };
    let old = inv(vec![plain(Some("madler"), "zlib", Some("1.2.13")), plain(None, "busybox", None)]);
    let new = inv(vec![plain(Some("madler"), "zlib", Some("1.3.1")), plain(None, "busybox", Some("1.36.1"))]);
    let d = diff(&old, &new);
    assert_eq!(
        render_text(&d).lines().collect::<Vec<_>>(),
        [
            "~ busybox 1.36.1: version (no version) → 1.36.1",
            "↑ madler/zlib 1.2.13 → 1.3.1",
            "0 added, 0 removed, 1 upgraded, 0 downgraded, 1 changed",
        ]
    );
}

#[test]
fn output_is_sorted_by_name_then_version() {
    let old = inv_of(&["pkg:npm/zod@3.23.8", "pkg:npm/axios@1.7.7", "pkg:npm/lodash@3.10.1"]);
    let new = inv_of(&[
        "pkg:npm/zod@3.22.0",
        "pkg:npm/axios@1.7.7",
        "pkg:npm/lodash@4.17.21",
        "pkg:npm/lodash@3.10.1",
        "pkg:npm/chalk@5.3.0",
    ]);
    let text = render_text(&diff(&old, &new));
    assert_eq!(
        text,
        "+ chalk 5.3.0\n+ lodash 4.17.21\n↓ zod 3.23.8 → 3.22.0\n2 added, 0 removed, 0 upgraded, 1 downgraded, 0 changed\n"
    );
}

#[test]
fn diff_serializes_its_lists() {
    let d = diff(&inv_of(&["pkg:cargo/serde@1.9.0"]), &inv_of(&["pkg:cargo/serde@1.10.0", "pkg:cargo/anyhow@1.0.89"]));
    let json = serde_json::to_value(&d).expect("serialize");
    assert_eq!(json["added"][0]["name"], "anyhow");
    assert_eq!(json["upgraded"][0]["from"], "1.9.0");
    assert_eq!(json["upgraded"][0]["to"], "1.10.0");
    assert_eq!(json["removed"], serde_json::json!([]));
    assert_eq!(json["changed"], serde_json::json!([]));
}

#[test]
fn version_order_is_consistent() {
    // A chain in increasing order: every pair must agree with its positions (transitivity on this sample).
    let chain = [
        "0.9",
        "1.0.0.dev1",
        "1.0.0a1",
        "1.0.0-alpha.2",
        "1.0.0b1",
        "1.0.0-rc.1",
        "1.0.0-SNAPSHOT",
        "1.0",
        "1.0.0.post1",
        "1.0.1",
        "1.1.1",
        "1.1.1k",
        "1.2",
        "1.10",
        "2.0.0-rc.1",
        "2.0.0",
        "10.0.0",
    ];
    for (i, a) in chain.iter().enumerate() {
        for (j, b) in chain.iter().enumerate() {
            assert_eq!(compare_versions(a, b), i.cmp(&j), "{a} vs {b}");
        }
    }
}
