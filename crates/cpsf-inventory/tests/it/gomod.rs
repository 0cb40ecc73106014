//! go.mod parser: require blocks and single lines, `// indirect`, quoted paths, pseudo-versions, `+incompatible`,
//! `replace` (module and local directory), `exclude`, ignored directives, and broken files.
//!
//! Each fixture directory under `tests/data/gomod/` holds a `go.mod` (sometimes a `go.sum`) and `expected.txt`.
//! `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;
use cpsf_model::Purl;

fn check(scenario: &str) -> String {
    let out = common::check(LockfileKind::GoMod, "gomod", scenario, "go.mod");
    for line in out.lines().filter_map(|l| l.strip_prefix("component ")) {
        assert!(Purl::parse_strict(line).is_ok(), "{scenario}: `{line}` is a valid purl");
    }
    out
}

#[test]
fn require_blocks_single_lines_and_indirect_markers() {
    let out = check("basic");
    assert_eq!(out.matches("component ").count(), 14);
    assert!(
        out.contains("component pkg:golang/github.com/sirupsen/logrus@v1.9.3\n  at go.mod:Some(12) direct=Some(true)")
    );
    // A quoted path, a raw-string path, `gopkg.in` and a major-version suffix.
    assert!(out.contains("component pkg:golang/google.golang.org/grpc@v1.60.1\n  at go.mod:Some(14)"));
    assert!(out.contains("component pkg:golang/golang.org/x/net@v0.19.0\n  at go.mod:Some(24) direct=Some(true)"));
    assert!(out.contains("component pkg:golang/gopkg.in/yaml.v3@v3.0.1\n"));
    assert!(out.contains("component pkg:golang/github.com/go-playground/validator/v10@v10.16.0\n"));
    // Case is kept; `+` is percent-encoded in the purl version.
    assert!(out.contains("component pkg:golang/github.com/BurntSushi/toml@v1.3.2\n"));
    assert!(out.contains("component pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible\n"));
    // `// indirect`, `//indirect` and `// indirect; ...` mark transitive modules.
    assert!(
        out.contains("component pkg:golang/github.com/spf13/pflag@v1.0.5\n  at go.mod:Some(21) direct=Some(false)")
    );
    assert!(out.contains("component pkg:golang/golang.org/x/sys@v0.15.0\n  at go.mod:Some(23) direct=Some(false)"));
    assert!(out.contains(
        "component pkg:golang/golang.org/x/exp@v0.0.0-20231206192017-f3f8817b8deb\n  at go.mod:Some(22) direct=Some(false)"
    ));
    assert!(
        out.contains("component pkg:golang/github.com/stretchr/testify@v1.8.4\n  at go.mod:Some(27) direct=Some(true)")
    );
    // The main module is not a component; go.sum's h1: digests are not presented as hashes; go.mod has no edges.
    assert!(!out.contains("inventory-service"));
    assert!(!out.contains("  hash "));
    assert!(!out.contains("  depends "));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn replace_and_exclude_directives() {
    let out = check("replace-exclude");
    // Module -> module: the replacement is the component, found on the require and the replace line.
    assert!(out.contains(
        "component pkg:golang/github.com/acme-forks/mux@v1.8.2-0.20240110093012-5bd7a1f3c9e2\n  at go.mod:Some(11) go.mod:Some(22) direct=Some(true)"
    ));
    assert!(!out.contains("pkg:golang/github.com/gorilla/mux"));
    // The version-specific replacement wins over the general one written after it.
    assert!(out.contains("component pkg:golang/golang.org/x/crypto@v0.18.0\n  at go.mod:Some(15) go.mod:Some(25)"));
    assert!(!out.contains("crypto@v0.16.0") && !out.contains("crypto@v0.17.0"));
    // A replacement of another version does not apply.
    assert!(
        out.contains("component pkg:golang/github.com/golang/protobuf@v1.5.3\n  at go.mod:Some(14) direct=Some(false)")
    );
    // Local directory replacements are not components.
    assert!(!out.contains("shared-auth") && !out.contains("tracing"));
    // An excluded required version is skipped and said; an exclude of another version changes nothing.
    assert!(!out.contains("component pkg:golang/github.com/hashicorp/go-version"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(17): `require github.com/hashicorp/go-version v1.6.0` skipped: that version is excluded on line 35"));
    assert!(out.contains("component pkg:golang/golang.org/x/text@v0.14.0\n"));
    assert_eq!(out.matches("component ").count(), 5);
    assert_eq!(out.matches("diagnostic").count(), 1, "godebug, retract and tool are accepted silently");
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("unclosed-block"),
        "error unsupported=false line=Some(5): the `require (` block opened on line 5 is never closed: expected a line with `)`\n"
    );
    assert_eq!(check("stray-paren"), "error unsupported=false line=Some(6): found `)` without an open `(` block\n");
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert!(
        out.contains("component pkg:golang/github.com/sirupsen/logrus@v1.9.3\n  at go.mod:Some(6) direct=Some(true)")
    );
    assert!(
        out.contains("component pkg:golang/github.com/google/uuid@v1.5.0\n  at go.mod:Some(12) direct=Some(false)")
    );
    assert_eq!(out.matches("component ").count(), 2);
    assert!(out.contains("line=Some(7): `require` skipped: expected `MODULE VERSION`, found `github.com/spf13/cobra`"));
    assert!(out.contains(
        "line=Some(8): `require` skipped: expected a version like `v1.2.3` for `github.com/spf13/viper`, found `latest`"
    ));
    assert!(out.contains("line=Some(9): line skipped: unterminated quoted string"));
    assert!(out.contains("line=Some(10): duplicate `require github.com/sirupsen/logrus v1.9.3` skipped"));
    assert!(out.contains("line=Some(11): `require localmodule` skipped: module path `localmodule` has no `/`"));
    assert!(out.contains("line=Some(15): unknown directive `requires` ignored"));
    assert!(out.contains(
        "line=Some(17): `replace` skipped: the replacement `github.com/google/uuid` is neither a local directory"
    ));
    assert!(out.contains("line=Some(19): `replace` skipped: expected `OLD [VERSION] => NEW [VERSION]`"));
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("gomod", 3) > 100);
}

#[test]
fn byte_order_mark_and_crlf_line_ends() {
    let text = "\u{feff}module example.com/m\r\n\r\nrequire (\r\n\tgolang.org/x/mod v0.14.0 // indirect\r\n)\r\n";
    let source = cpsf_inventory::MemorySource::default().with("go.mod", text);
    let out = common::render(&common::parse(LockfileKind::GoMod, "go.mod", &source));
    assert_eq!(
        out,
        "component pkg:golang/golang.org/x/mod@v0.14.0\n  at go.mod:Some(4) direct=Some(false) scope=None\n"
    );
}
