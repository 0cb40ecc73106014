//! requirements.txt parser: pins and hashes, unpinned requirements, includes and constraints, URL and VCS
//! requirements, and broken lines.
//!
//! Each fixture directory under `tests/data/requirements/` holds the requirements file(s) and `expected.txt`
//! (`CPSF_BLESS=1` rewrites it; review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str, file: &str) -> String {
    common::check(LockfileKind::Requirements, "requirements", scenario, file)
}

#[test]
fn pins_hashes_extras_markers_and_options() {
    let out = check("pinned", "requirements.txt");
    assert!(out.contains("component pkg:pypi/certifi@2024.12.14\n  at requirements.txt:Some(7) direct=Some(true) scope=None\n  hash SHA-256 b650d30f370c2b724812bee08008be0c4163b163ddaec3f2546c1caf65f191db\n  hash SHA-256 1275f7a45be9464efc1173084eaa30f866fe2e47d389406136d332ed4967ec56\n"));
    assert!(out.contains("component pkg:pypi/charset-normalizer@3.4.1\n  at requirements.txt:Some(11)"));
    // `--hash VALUE` (with a space) on a continuation line.
    assert!(out.contains("component pkg:pypi/idna@3.15\n  at requirements.txt:Some(12) direct=Some(true) scope=None\n  hash SHA-256 ca962446"));
    // Extras and markers keep the component; the hash on the continuation line of a marker line is read.
    assert!(out.contains("component pkg:pypi/requests@2.33.0\n  at requirements.txt:Some(14) direct=Some(true) scope=None\n  hash SHA-256 c7ebc5e8"));
    assert!(out.contains("component pkg:pypi/typing-extensions@4.15.0\n"));
    assert!(out.contains("component pkg:pypi/urllib3@2.7.0\n"));
    assert!(out.contains("component pkg:pypi/colorama@0.4.6\n"));
    assert!(out.contains("component pkg:pypi/zope-interface@7.2\n"));
    assert!(!out.contains("diagnostic"), "options and comments are not requirements");
    assert_eq!(out.matches("component ").count(), 8);
}

#[test]
fn unpinned_requirements_have_no_version_and_a_diagnostic() {
    let out = check("unpinned", "requirements-dev.txt");
    for name in ["pytest", "pluggy", "packaging", "iniconfig", "tomli", "exceptiongroup"] {
        assert!(out.contains(&format!("component pkg:pypi/{name}\n")), "{name} has no version");
    }
    assert!(out.contains("component pkg:pypi/six@1.17.0\n"));
    assert!(out.contains(
        "diagnostic unpinned-requirement line=Some(2): `pytest>=8.0,<10` does not pin an exact version (`==`): reported without a version\n"
    ));
    assert!(out.contains("diagnostic unpinned-requirement line=Some(5): `iniconfig==2.*`"));
    assert_eq!(out.matches("diagnostic unpinned-requirement").count(), 6);
}

#[test]
fn includes_and_constraints_are_followed() {
    let out = check("includes", "requirements.txt");
    // From requirements/base.txt, found relative to the including file, once despite three includes.
    assert!(out.contains("component pkg:pypi/django@6.0.8\n  at requirements/base.txt:Some(1) direct=Some(true)"));
    // Pinned by constraints.txt, with the constraint's hash.
    assert!(out.contains("component pkg:pypi/asgiref@3.12.1\n  at requirements/base.txt:Some(3) direct=Some(true) scope=None\n  hash SHA-256 59dcb51c"));
    assert!(out.contains("component pkg:pypi/requests@2.34.2\n  at requirements.txt:Some(6)"));
    assert!(out.contains("component pkg:pypi/pytest@9.1.1\n  at requirements/dev.txt:Some(2)"));
    // A constraint adds nothing of its own; a range constraint pins nothing.
    assert!(!out.contains("urllib3"));
    assert!(out.contains("component pkg:pypi/sqlparse\n"));
    assert!(out.contains("diagnostic unpinned-requirement line=Some(3): `sqlparse`"));
    assert!(out.contains(
        "diagnostic include-missing line=Some(5): included file `missing.txt` (missing.txt) was not found\n"
    ));
    assert_eq!(out.matches("diagnostic").count(), 2);
}

#[test]
fn urls_vcs_and_local_paths() {
    let out = check("urls", "requirements.txt");
    assert!(out.contains("component pkg:pypi/click?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fpallets%2Fclick.git%408.4.2\n  at requirements.txt:Some(2) direct=Some(true) scope=None\n  download git+https://github.com/pallets/click.git@8.4.2\n"));
    assert!(out.contains(
        "component pkg:pypi/markupsafe?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Fpallets%2Fmarkupsafe.git%403.0.3\n"
    ));
    assert!(out.contains("component pkg:pypi/jinja2?vcs_url="));
    // A wheel URL carries its version in the file name.
    assert!(out.contains("component pkg:pypi/six@1.17.0?download_url=https:%2F%2Ffiles.pythonhosted.org"));
    assert!(out.contains("  hash SHA-256 4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274\n"));
    assert!(out.contains("component pkg:pypi/attrs?download_url=https:%2F%2Fgithub.com%2Fpython-attrs"));
    assert!(out.contains("component pkg:pypi/annotated-types@0.7.0\n  at requirements.txt:Some(8)"));
    assert!(out.contains("component pkg:pypi/internal-report\n  at requirements.txt:Some(10)"));
    // `-e .` and a directory without `#egg=` are the project's own code.
    assert!(!out.contains("internal-tools") && !out.contains("line=Some(1)") && !out.contains("line=Some(9)"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(11): requirement skipped: cannot tell which project `https://example.org/downloads/latest.zip` holds"));
    assert!(out.contains(
        "diagnostic unpinned-requirement line=Some(2): `git+https://github.com/pallets/click.git@8.4.2#egg=click`"
    ));
}

#[test]
fn bad_lines_are_diagnostics_and_the_rest_is_kept() {
    let out = check("bad-lines", "requirements.txt");
    assert!(out.contains("component pkg:pypi/idna@3.15\n  at requirements.txt:Some(5)"));
    // The bad hash is dropped, the requirement kept.
    assert!(out.contains("component pkg:pypi/click@8.4.2\n  at requirements.txt:Some(3) direct=Some(true) scope=None\ncomponent pkg:pypi/idna"));
    assert!(
        out.contains(
            "diagnostic lockfile-entry-skipped line=Some(1): requirement skipped: expected a version specifier"
        )
    );
    assert!(
        out.contains("diagnostic lockfile-entry-skipped line=Some(2): requirement skipped: expected a project name")
    );
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(3): hash `sha256:tooshort` ignored"));
    assert!(out.contains("diagnostic lockfile-entry-skipped line=Some(4): requirement skipped: expected `]`"));
    assert!(out.contains("diagnostic include-missing line=Some(6): expected a file name after `-r`/`-c`"));
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let source = common::load_fixture("requirements", "urls");
    let text = source.0.get("requirements.txt").cloned().unwrap_or_default();
    let cuts = text.char_indices().map(|(i, _)| i).step_by(7);
    for cut in cuts {
        for variant in [&text[..cut], &text[cut..]] {
            let mut tree = source.clone();
            tree.0.insert("requirements.txt".to_owned(), variant.to_owned());
            let _ = common::parse(LockfileKind::Requirements, "requirements.txt", &tree);
        }
    }
}
