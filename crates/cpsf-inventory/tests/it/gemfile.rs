//! Gemfile.lock / gems.locked parser: GEM, GIT, PATH and PLUGIN SOURCE sections, platform variants, DEPENDENCIES,
//! CHECKSUMS, and broken files.
//!
//! Each fixture directory under `tests/data/gemfile/` holds a lockfile and `expected.txt`. `CPSF_BLESS=1` rewrites
//! `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;
use cpsf_model::Purl;

fn check(scenario: &str, file: &str) -> String {
    let out = common::check(LockfileKind::GemfileLock, "gemfile", scenario, file);
    for line in out.lines().filter_map(|l| l.strip_prefix("component ")) {
        assert!(Purl::parse_strict(line).is_ok(), "{scenario}: `{line}` is a valid purl");
    }
    out
}

#[test]
fn bundler_2_5_with_git_path_platforms_and_checksums() {
    let out = check("bundler-2.5-checksums", "Gemfile.lock");
    assert_eq!(out.matches("component ").count(), 24, "every locked gem but the PATH one");
    assert!(!out.contains("inventory_app"), "the project's own gemspec is not a component");
    // GEM: rubygems.org download URL and the CHECKSUMS digest.
    assert!(out.contains(
        "component pkg:gem/racc@1.7.3\n  at Gemfile.lock:Some(55) direct=Some(false) scope=None\n  hash SHA-256 "
    ));
    assert!(out.contains("  download https://rubygems.org/gems/racc-1.7.3.gem\n"));
    // Platform variants: version before the first `-`, the rest a qualifier; each has its own digest.
    assert!(out.contains(
        "component pkg:gem/nokogiri@1.16.0?platform=x86_64-linux\n  at Gemfile.lock:Some(53) direct=Some(true)"
    ));
    assert!(out.contains("  download https://rubygems.org/gems/nokogiri-1.16.0-x86_64-linux.gem\n"));
    assert!(out.contains("component pkg:gem/nokogiri@1.16.0?platform=arm64-darwin\n"));
    assert!(out.contains("component pkg:gem/nokogiri@1.16.0\n  at Gemfile.lock:Some(48) direct=Some(true)"));
    assert!(out.contains("  depends pkg:gem/mini_portile2@2.8.5\n"));
    // GIT: vcs_url with the revision; scp-like remotes become ssh URLs; no checksum for git gems.
    assert!(out.contains(
        "component pkg:gem/activesupport@7.1.3?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frails%2Frails.git%404a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7\n  at Gemfile.lock:Some(6) direct=Some(true) scope=None\n  download git+https://github.com/rails/rails.git@4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7\n"
    ));
    assert!(
        out.contains(
            "  download git+ssh://git@github.com/acme/acme-auth.git@9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5\n"
        )
    );
    // Edges from a git gem into GEM gems; a dependency on nokogiri reaches all three platform builds.
    assert!(out.contains("  depends pkg:gem/tzinfo@2.0.6\n"));
    assert!(out.contains("  depends pkg:gem/jwt@2.7.1\n"));
    assert_eq!(out.matches("  depends pkg:gem/racc@1.7.3\n").count(), 3);
    // Direct: DEPENDENCIES plus what the PATH gemspec needs; tzinfo-data is not locked for these platforms.
    assert!(out.contains("component pkg:gem/rspec@3.12.0\n  at Gemfile.lock:Some(56) direct=Some(true)"));
    assert!(out.contains("component pkg:gem/rspec-core@3.12.2\n  at Gemfile.lock:Some(60) direct=Some(false)"));
    assert!(!out.contains("tzinfo-data"));
    assert!(!out.contains("diagnostic"));
}

#[test]
fn gems_locked_with_private_and_plugin_sources() {
    let out = check("gems-locked-sources", "gems.locked");
    assert_eq!(out.matches("component ").count(), 11);
    assert!(out.contains(
        "component pkg:gem/acme-logging@1.4.0?repository_url=https:%2F%2Fgems.acme.example%2Fprivate\n  at gems.locked:Some(25) direct=Some(true) scope=None\n  download https://gems.acme.example/private/gems/acme-logging-1.4.0.gem\n  depends pkg:gem/rack@2.2.8\n"
    ));
    assert!(
        out.contains("component pkg:gem/acme-assets@0.9.1\n  at gems.locked:Some(32) direct=Some(true) scope=None\n")
    );
    assert!(out.contains("component pkg:gem/puma@6.4.2?platform=java\n  at gems.locked:Some(8) direct=Some(true) scope=None\n  download https://rubygems.org/gems/puma-6.4.2-java.gem\n  depends pkg:gem/nio4r@2.7.0?platform=java\n"));
    assert!(out.contains("component pkg:gem/tilt@2.3.0\n  at gems.locked:Some(20) direct=Some(false)"));
    assert!(!out.contains("  hash "), "no CHECKSUMS section, no hashes");
    assert!(!out.contains("diagnostic"));
}

#[test]
fn several_remotes_in_one_section_give_no_url() {
    let out = check("legacy-multi-remote", "Gemfile.lock");
    assert_eq!(
        out,
        "component pkg:gem/json@2.7.1\n  at Gemfile.lock:Some(5) direct=Some(true) scope=None\n\
         component pkg:gem/rake@13.1.0\n  at Gemfile.lock:Some(6) direct=Some(true) scope=None\n"
    );
}

#[test]
fn broken_files_name_the_line() {
    assert_eq!(
        check("merge-conflict", "Gemfile.lock"),
        "error unsupported=false line=Some(4): the lockfile contains a merge conflict marker: expected a resolved Gemfile.lock\n"
    );
    assert_eq!(
        check("not-a-lockfile", "Gemfile.lock"),
        "error unsupported=false line=Some(1): expected a section header such as `GEM` or `DEPENDENCIES`, found `{`\n"
    );
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries", "Gemfile.lock");
    assert!(out.starts_with(
        "component pkg:gem/rack@3.0.8\n  at Gemfile.lock:Some(9) direct=Some(true) scope=None\n  hash SHA-256 "
    ));
    assert!(
        out.contains(
            "component pkg:gem/rake@13.1.0\n  at Gemfile.lock:Some(4) direct=Some(true) scope=None\n  download"
        )
    );
    assert_eq!(out.matches("component ").count(), 2);
    assert!(out.contains("line=Some(5): gem `json` skipped: expected `(VERSION)`"));
    assert!(out.contains("line=Some(6): dependency `rake` skipped: it follows no gem"));
    assert!(out.contains("line=Some(7): gem `thor` skipped: expected a version, found `()`"));
    assert!(out.contains("line=Some(8): line skipped: expected an indentation of 2, 4 or 6 spaces, found 5"));
    assert!(
        out.contains("line=Some(10): dependency `rack-session` of `rack` matches no gem in the lockfile; edge dropped")
    );
    assert!(!out.contains("`bundler`"), "bundler is never a locked spec");
    assert!(out.contains("line=Some(12): line skipped: expected indentation with spaces, found a tab"));
    assert!(out.contains("line=Some(13): line skipped: expected `key: value` or `specs:`"));
    assert!(out.contains("line=Some(18): line skipped: expected a dependency indented by 2 spaces, found 3"));
    assert!(out.contains("line=Some(21): checksum of `rake (13.1.0)` skipped: expected `ALGORITHM=HEX`"));
}

/// Damaged copies of every fixture (prefixes, a line removed) parse or fail cleanly.
#[test]
fn damaged_inputs_never_panic() {
    assert!(common::assert_damage_tolerant("gemfile", 3) > 100);
}

#[test]
fn byte_order_mark_crlf_and_credentials_in_remotes() {
    let text = "\u{feff}GEM\r\n  remote: https://ci:s3cret@gems.acme.example/\r\n  specs:\r\n    rake (13.1.0)\r\n\r\nDEPENDENCIES\r\n  rake\r\n";
    let source = cpsf_inventory::MemorySource::default().with("Gemfile.lock", text);
    let out = common::render(&common::parse(LockfileKind::GemfileLock, "Gemfile.lock", &source));
    assert_eq!(
        out,
        "component pkg:gem/rake@13.1.0?repository_url=https:%2F%2Fgems.acme.example\n  at Gemfile.lock:Some(4) direct=Some(true) scope=None\n  download https://gems.acme.example/gems/rake-13.1.0.gem\n"
    );
}
