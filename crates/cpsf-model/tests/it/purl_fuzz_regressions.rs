//! Purls the fuzz targets found mishandled, kept as regression tests.

use cpsf_model::Purl;

/// A canonical purl parses back to itself.
fn assert_stable(input: &str, expected: &str) {
    let purl: Purl = input.parse().unwrap_or_else(|e| panic!("{input} does not parse: {e}"));
    let canonical = purl.to_string();
    assert_eq!(canonical, expected, "canonical form of {input}");
    let again: Purl = canonical.parse().unwrap_or_else(|e| panic!("{canonical} does not parse: {e}"));
    assert_eq!(again.to_string(), canonical, "canonical form of {canonical}");
}

/// Percent-encoded `.` and `..` subpath segments are dropped like plain ones (purl-spec legacy suite:
/// "invalid subpath - unencoded subpath cannot contain '.'" and `'..'`), so the canonical form is stable.
#[test]
fn encoded_dot_segments_of_the_subpath_are_dropped() {
    assert_stable(
        "pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E/api/annotations/",
        "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations",
    );
    assert_stable(
        "pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E%2E/api/annotations/",
        "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations",
    );
    assert_stable("pkg:npm/left-pad@1.3.0#%2e/%2e%2e/lib", "pkg:npm/left-pad@1.3.0#lib");
}

/// A percent-encoded `/` in a subpath segment decodes to a separator; empty segments it leaves are dropped, so
/// the canonical form is stable.
#[test]
fn encoded_slashes_of_the_subpath_leave_no_empty_segment() {
    assert_stable("pkg:bazel/rules_java@8.0#build_%2F", "pkg:bazel/rules_java@8.0#build_");
    assert_stable("pkg:npm/left-pad@1.3.0#a%2F%2Fb/%2Fc", "pkg:npm/left-pad@1.3.0#a/b/c");
    assert_stable("pkg:npm/left-pad@1.3.0#a%2F..%2Fb", "pkg:npm/left-pad@1.3.0#a/b");
}

/// Empty namespace segments, from a builder (`a//b`) or from a percent-encoded `/`, are dropped, so the canonical
/// form is stable.
#[test]
fn empty_namespace_segments_are_dropped() {
    let built =
        Purl::new("golang", "net").map(|p| p.with_namespace(Some("golang.org//x")).with_version(Some("v0.19.0")));
    let canonical = built.map(|p| p.to_string()).unwrap_or_default();
    assert_eq!(canonical, "pkg:golang/golang.org/x/net@v0.19.0");
    assert_stable(&canonical, "pkg:golang/golang.org/x/net@v0.19.0");
    assert_stable(
        "pkg:generic/git%2Bhttps:%2F%2Fgithub.com%2Facme/tool@1.0",
        "pkg:generic/git%2Bhttps:/github.com/acme/tool@1.0",
    );
}

/// A percent-encoded `/` in the name of a type whose name is a path (`git`) is refused: its canonical form would
/// read back as another purl, or none (`pkg:git/github.com/%2F` would print as `pkg:git/github.com/`). In other
/// types' names it stays encoded.
#[test]
fn an_encoded_slash_in_a_path_name_is_refused() {
    for input in ["pkg:git/github.com/acme/tool%2F", "pkg:git/%2F", "pkg:git/alpm%2F8E0or"] {
        assert!(input.parse::<Purl>().is_err(), "{input} parses");
    }
    assert_stable("pkg:git/github.com/acme/%2F/tool", "pkg:git/github.com/acme/tool");
    assert_stable("pkg:npm/a%2Fb@1.0.0", "pkg:npm/a%2Fb@1.0.0");
}

/// A type whose name is a path (`git`) drops the empty segments a builder gives it.
#[test]
fn empty_segments_of_a_path_name_are_dropped() {
    let built = Purl::new("git", "acme//tool/").map(|p| p.with_namespace(Some("github.com"))).map(|p| p.to_string());
    assert_eq!(built.as_deref(), Ok("pkg:git/github.com/acme/tool"));
}
