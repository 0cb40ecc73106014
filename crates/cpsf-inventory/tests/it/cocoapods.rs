//! Podfile.lock parser: fixtures for trunk pods with subspecs, external sources, private and old spec
//! repositories, the CocoaPods 1.0 layout, and broken files.
//!
//! Each fixture directory under `tests/data/cocoapods/` holds a `Podfile.lock` and `expected.txt`, a plain
//! rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::PodfileLock, "cocoapods", scenario, "Podfile.lock")
}

#[test]
fn trunk_pods_subspecs_and_edges() {
    let out = check("firebase-trunk");
    // Subspecs are components of their own, the subspec in the purl subpath.
    assert!(out.contains(
        "component pkg:cocoapods/Firebase@10.18.0#Analytics\n  at Podfile.lock:Some(3) direct=Some(true) scope=None\n  depends pkg:cocoapods/Firebase@10.18.0#Core\n"
    ));
    assert!(out.contains(
        "component pkg:cocoapods/GoogleUtilities@7.12.0#NSData%2Bzlib\n  at Podfile.lock:Some(54) direct=Some(false)"
    ));
    // Edges from the nested lists, constraints dropped, quoted names read.
    assert!(out.contains(
        "component pkg:cocoapods/FirebaseCoreInternal@10.18.0\n  at Podfile.lock:Some(27) direct=Some(false) scope=None\n  depends pkg:cocoapods/GoogleUtilities@7.12.0#NSData%2Bzlib\n"
    ));
    assert!(out.contains(
        "  depends pkg:cocoapods/nanopb@2.30909.1#decode\n  depends pkg:cocoapods/nanopb@2.30909.1#encode\n"
    ));
    // DEPENDENCIES are direct; everything else is transitive.
    assert!(out.contains("component pkg:cocoapods/Alamofire@5.8.1\n  at Podfile.lock:Some(2) direct=Some(true)"));
    assert_eq!(out.matches("direct=Some(true)").count(), 2);
    // Trunk needs no qualifier; podspec checksums are not package hashes.
    assert!(!out.contains("repository_url") && !out.contains("hash"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 22);
}

#[test]
fn external_sources_checkouts_local_pods_and_private_repos() {
    let out = check("external-sources");
    // A `:path:` pod is the developer's own; the pods it uses are direct.
    assert!(!out.contains("AppCore"));
    assert!(out.contains("component pkg:cocoapods/Alamofire@5.8.1\n  at Podfile.lock:Some(3) direct=Some(true)"));
    // Git pods: the resolved commit from CHECKOUT OPTIONS (not the branch), or the tag.
    assert!(out.contains(
        "component pkg:cocoapods/SnapKit@5.6.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2FSnapKit%2FSnapKit.git%40e74fe2a978d1216c3602b129447c7301573cc2d8\n"
    ));
    assert!(out.contains("  download git+https://github.com/danielgindi/Charts.git@v5.0.0\n"));
    assert!(out.contains("#Core\n  at Podfile.lock:Some(9) direct=Some(false) scope=None\n  download git+https://github.com/danielgindi/Charts.git@v5.0.0\n  depends pkg:cocoapods/SwiftAlgorithms@1.0.0\n"));
    assert!(out.contains(
        "  download git+ssh://git@github.com/weichsel/ZIPFoundation.git@0c5a1d1b0e7b2c4f9a8d6e3b5c7a9e1f2d4b6c8a\n"
    ));
    // A private specs repository is named.
    assert!(out.contains(
        "component pkg:cocoapods/AcmeAnalytics@3.2.1?repository_url=git%40github.com:acme%2Fios-specs.git\n"
    ));
    // A pod from a podspec URL: that URL is the podspec's, not the source's.
    assert!(out.contains(
        "component pkg:cocoapods/lottie-ios@4.3.4\n  at Podfile.lock:Some(11) direct=Some(true) scope=None\n"
    ));
    assert!(
        out.contains("component pkg:cocoapods/SwiftAlgorithms@1.0.0\n  at Podfile.lock:Some(13) direct=Some(false)")
    );
    assert!(!out.contains("diagnostic"));
}

#[test]
fn older_layouts() {
    let out = check("cocoapods-1.0");
    assert!(out.contains(
        "component pkg:cocoapods/AFNetworking@3.1.0#Serialization\n  at Podfile.lock:Some(2) direct=Some(true)"
    ));
    assert!(out.contains("component pkg:cocoapods/ARAnalytics@3.10.0#Mixpanel\n  at Podfile.lock:Some(3) direct=Some(true) scope=None\n  depends pkg:cocoapods/Mixpanel@2.9.4\n"));
    assert!(
        out.contains("component pkg:cocoapods/Mixpanel@2.9.4#Mixpanel\n  at Podfile.lock:Some(7) direct=Some(false)")
    );

    // The old master specs repository is the public trunk.
    let out = check("master-specs-repo");
    assert!(out.contains("component pkg:cocoapods/SDWebImage@4.4.6\n  at Podfile.lock:Some(3) direct=Some(true) scope=None\n  depends pkg:cocoapods/SDWebImage@4.4.6#Core\n"));
    assert!(!out.contains("repository_url"));
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 2);
    assert!(out.contains("line=Some(3): pod `Kingfisher` skipped: expected `Name (version)`"));
    assert!(out.contains("line=Some(4): pod skipped: expected `Name (version)` or a mapping"));
    assert!(out.contains("line=Some(5): duplicate pod `Alamofire` skipped"));
    assert!(
        out.contains("line=Some(6): pod `Foo+Bar` skipped: purl type `cocoapods`: pod name `Foo+Bar` must not contain")
    );
    assert!(out.contains("line=Some(9): pod `Lottie (4.3.4)` skipped: expected a list of dependencies"));
    assert!(out.contains("line=Some(10): pod skipped: expected `Name (version)` or a mapping"));
    assert!(
        out.contains("line=Some(7): dependency `Masonry (~> 1.1)` of `SnapKit` matches no pod in PODS; edge skipped")
    );
    assert!(out.contains("line=Some(17): declared dependency `Kingfisher (~> 7.0)` matches no pod in PODS"));
}

#[test]
fn broken_files_name_the_line() {
    assert!(check("broken-yaml").starts_with("error unsupported=false line=Some(7): invalid YAML"));
    assert_eq!(
        check("no-pods"),
        "error unsupported=false line=Some(1): expected a `PODS` list at the top of Podfile.lock\n"
    );
}

#[test]
fn every_edge_points_at_a_component() {
    for scenario in ["firebase-trunk", "external-sources", "cocoapods-1.0", "master-specs-repo"] {
        let source = common::load_fixture("cocoapods", scenario);
        let parsed = common::parse(LockfileKind::PodfileLock, "Podfile.lock", &source).expect("parses");
        assert!(parsed.components.iter().any(|c| !c.dependencies.is_empty()), "{scenario} has edges");
        common::assert_edges_resolve(scenario, &parsed);
    }
}
