//! Package.resolved parser: fixtures for versions 1, 2 and 3 (with registry pins), and broken files.
//!
//! Each fixture directory under `tests/data/swift/` holds a `Package.resolved` and `expected.txt`, a plain
//! rendering of what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::SwiftPackageResolved, "swift", scenario, "Package.resolved")
}

#[test]
fn v1_pins_under_object() {
    let out = check("v1");
    // The purl comes from the URL, case kept and `.git` stripped.
    assert!(out.contains(
        "component pkg:swift/github.com/Alamofire/Alamofire@5.8.1\n  at Package.resolved:Some(4) direct=None scope=None\n  download git+https://github.com/Alamofire/Alamofire.git@f455c2975872ccd2d9c81594c658af65716e9b9a\n"
    ));
    assert!(out.contains("component pkg:swift/github.com/onevcat/Kingfisher@7.10.2\n  at Package.resolved:Some(13)"));
    // A branch pin has no version: the revision goes in vcs_url only.
    assert!(out.contains(
        "component pkg:swift/github.com/SnapKit/SnapKit?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2FSnapKit%2FSnapKit%40e74fe2a978d1216c3602b129447c7301573cc2d8\n  at Package.resolved:Some(31)"
    ));
    // A local path is the developer's own checkout.
    assert!(!out.contains("LocalKit"));
    assert_eq!(out.matches("component ").count(), 3);
    assert!(!out.contains("diagnostic") && !out.contains("depends"));
}

#[test]
fn v2_kinds_and_url_forms() {
    let out = check("v2");
    assert!(
        out.contains("component pkg:swift/github.com/apple/swift-argument-parser@1.3.0\n  at Package.resolved:Some(3)")
    );
    assert!(out.contains("component pkg:swift/github.com/apple/swift-collections?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fapple%2Fswift-collections%4094cf62b3ba8d4bed62680a282d4c25f9c63c2efb\n"));
    // scp-like URL: namespace from host and owner; download location given a scheme.
    assert!(out.contains("component pkg:swift/github.com/apple/swift-crypto@3.2.0\n  at Package.resolved:Some(21)"));
    assert!(out.contains(
        "  download git+ssh://git@github.com/apple/swift-crypto.git@f0525da24dc3c6cbb2b6b338b65042bc91cbc4bb\n"
    ));
    // A revision-only pin on a nested GitLab group keeps the whole group path in the namespace.
    assert!(out.contains("component pkg:swift/gitlab.example.com/mobile/platform/telemetry-kit?vcs_url="));
    assert!(!out.contains("shared-ui"), "localSourceControl pins are not external components");
    assert_eq!(out.matches("component ").count(), 6);
    assert!(!out.contains("diagnostic"));
}

#[test]
fn v3_registry_pins_use_scope_and_name() {
    let out = check("v3-registry");
    assert!(
        out.contains(
            "component pkg:swift/mona/linkedlist@1.1.0\n  at Package.resolved:Some(4) direct=None scope=None\n"
        )
    );
    assert!(out.contains(
        "component pkg:swift/acme/networking@4.0.0-beta.2?repository_url=https:%2F%2Fswift-registry.acme.example%2F\n  at Package.resolved:Some(30)"
    ));
    assert!(out.contains("component pkg:swift/github.com/apple/swift-numerics@1.0.2\n"));
    assert!(!out.contains("originHash") && !out.contains("hash "), "originHash is not a package hash");
    assert_eq!(out.matches("component ").count(), 4);
}

#[test]
fn bad_pins_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(out.starts_with("component pkg:swift/github.com/apple/swift-log@1.5.4\n  at Package.resolved:Some(3)"));
    assert_eq!(out.matches("component ").count(), 1);
    assert!(
        out.contains(
            "line=Some(12): pin `https://github.com/apple/swift-nio.git` skipped: expected a string `identity`"
        )
    );
    assert!(out.contains("line=Some(20): pin `swift-system` skipped: unknown kind `binaryTarget`"));
    assert!(out.contains("line=Some(28): pin `swift-atomics` skipped: expected an object `state`"));
    assert!(out.contains("line=Some(33): pin `acme.analytics` skipped: a registry pin needs `state.version`"));
    assert!(out.contains("line=Some(39): pin `norevision` skipped: expected `state.version` or `state.revision`"));
    assert!(out.contains("line=Some(47): pin `weird` skipped: cannot read a host and path from `not a url`"));
    assert!(out.contains("line=Some(56): duplicate pin `pkg:swift/github.com/apple/swift-log@1.5.4` skipped"));
    assert!(out.contains(
        "line=Some(65): pin `numeric-version` skipped: expected `state.version` to be a string, found a number"
    ));
    assert!(out.contains("line=Some(74): pin skipped: expected a string `identity`"));
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unsupported-v4"),
        "error unsupported=true line=Some(4): Package.resolved version 4 is not supported (expected 1 to 3)\n"
    );
    assert!(
        check("broken-json").starts_with("error unsupported=false line=Some(12): invalid JSON: expected `,` or `]`")
    );
    assert_eq!(
        check("pins-not-array"),
        "error unsupported=false line=Some(3): expected `object.pins` to be an array, found an object\n"
    );
}
