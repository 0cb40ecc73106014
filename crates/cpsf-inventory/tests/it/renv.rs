//! renv.lock parser: fixtures for renv 0.x records (`Requirements`, `Hash`), renv 1.1 records (DESCRIPTION
//! fields), every source kind, and broken files.
//!
//! Each fixture directory under `tests/data/renv/` holds a `renv.lock` and `expected.txt`, a plain rendering of
//! what the parser returns. `CPSF_BLESS=1` rewrites `expected.txt` (review the diff before keeping it).

use crate::common;

use cpsf_inventory::LockfileKind;

fn check(scenario: &str) -> String {
    common::check(LockfileKind::RenvLock, "renv", scenario, "renv.lock")
}

#[test]
fn renv_0_17_requirements_sources_and_no_hashes() {
    let out = check("renv-0.17");
    assert!(out.contains("component pkg:cran/R6@2.5.1\n  at renv.lock:Some(58) direct=None scope=None\n"));
    // Requirements are edges; R itself and base packages are not.
    assert!(out.contains(
        "component pkg:cran/vctrs@0.6.3\n  at renv.lock:Some(189) direct=None scope=None\n  depends pkg:cran/cli@3.6.1\n  depends pkg:cran/glue@1.6.2\n  depends pkg:cran/lifecycle@1.0.3\n  depends pkg:cran/rlang@1.1.1\n"
    ));
    assert!(out.contains("component pkg:cran/Matrix@1.5-4\n  at renv.lock:Some(42) direct=None scope=None\n  depends pkg:cran/lattice@0.21-8\n"));
    assert!(!out.contains("pkg:cran/R@") && !out.contains("utils") && !out.contains("methods"));
    // Bioconductor has no purl type of its own; the git commit renv recorded goes in vcs_url.
    assert!(out.contains(
        "component pkg:generic/bioconductor/S4Vectors@0.36.2?vcs_url=git%2Bhttps:%2F%2Fgit.bioconductor.org%2Fpackages%2FS4Vectors%401d7a4b5\n"
    ));
    assert!(out.contains("  depends pkg:generic/bioconductor/BiocGenerics@0.44.0?vcs_url="));
    // A GitHub record names the commit.
    assert!(out.contains(
        "component pkg:github/tidyverse/dplyr@5e1c3f6b4a0e9e8f2d1c7b6a5948372615f0e9d8\n  at renv.lock:Some(96) direct=None scope=None\n  download git+https://github.com/tidyverse/dplyr@5e1c3f6b4a0e9e8f2d1c7b6a5948372615f0e9d8\n"
    ));
    // `Hash` is an MD5 over DESCRIPTION fields, not of an artifact; local packages are the user's own.
    assert!(!out.contains("hash"));
    assert!(!out.contains("mylocalpkg"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 13);
}

#[test]
fn github_records_keep_the_r_package_name_and_version() {
    let source = common::load_fixture("renv", "renv-0.17");
    let parsed = common::parse(LockfileKind::RenvLock, "renv.lock", &source).expect("parses");
    let dplyr = parsed.components.iter().find(|c| c.bom_ref.starts_with("pkg:github/tidyverse/dplyr@")).expect("dplyr");
    assert_eq!(dplyr.name, "dplyr");
    assert_eq!(dplyr.version.as_deref(), Some("1.1.2.9000"));
    assert_eq!(dplyr.purl.as_ref().and_then(|p| p.version()), Some("5e1c3f6b4a0e9e8f2d1c7b6a5948372615f0e9d8"));
}

#[test]
fn renv_1_1_description_fields_licences_and_repositories() {
    let out = check("renv-1.1");
    // Depends, Imports and LinkingTo are edges (constraints dropped); Suggests are not.
    assert!(out.contains(
        "component pkg:cran/RcppArmadillo@14.0.0-1\n  at renv.lock:Some(64) direct=None scope=None\n  license GPL (>= 2)\n  depends pkg:cran/Rcpp@1.0.13\n"
    ));
    assert!(out.contains("component pkg:cran/MASS@7.3-60.2\n  at renv.lock:Some(19) direct=None scope=None\n  license GPL-2 | GPL-3\ncomponent"));
    // CRAN mirrors (Posit Package Manager, RSPM) are CRAN; another repository is named.
    assert!(out.contains("component pkg:cran/Rcpp@1.0.13\n"));
    assert!(out.contains("component pkg:cran/jsonlite@1.8.8?repository_url=https:%2F%2Fropensci.r-universe.dev\n"));
    // GitHub with a subdirectory, GitLab as a git purl, a URL source, a Bioconductor repository.
    assert!(out.contains(
        "component pkg:github/apache/arrow@4d3a6e0f2b1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e#r\n  at renv.lock:Some(144) direct=None scope=None\n  license Apache License (>= 2.0)\n  download git+https://github.com/apache/arrow@4d3a6e0f2b1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e#r\n  depends pkg:cran/cli@3.6.3\n  depends pkg:cran/cpp11@0.4.7\n"
    ));
    assert!(
        out.contains("component pkg:git/gitlab.com/acme-data/acmeutils@9b2f0c7e1d4a6b8c3e5f7a9b1c3d5e7f9a1b3c5d\n")
    );
    assert!(out.contains("  depends pkg:generic/acmecore@2.0.0?download_url="));
    assert!(
        out.contains(
            "  download https://github.com/acme-data/acmecore/releases/download/v2.0.0/acmecore_2.0.0.tar.gz\n"
        )
    );
    assert!(out.contains("component pkg:generic/bioconductor/BiocGenerics@0.50.0\n  at renv.lock:Some(103)"));
    assert!(!out.contains("diagnostic"));
    assert_eq!(out.matches("component ").count(), 12);
}

#[test]
fn bad_entries_are_skipped_with_diagnostics() {
    let out = check("bad-entries");
    assert_eq!(out.matches("component ").count(), 3);
    assert!(out.contains("line=Some(22): package `broken` skipped: expected an object"));
    assert!(out.contains("line=Some(23): package `noversion` skipped: expected a string `Version`"));
    assert!(out.contains("line=Some(28): package `ghnorepo` skipped: expected `RemoteRepo`"));
    assert!(out.contains("line=Some(35): package `urlnourl` skipped: a `URL` source needs `RemoteUrl`"));
    assert!(out.contains("line=Some(53): package `R6.dup` skipped: package `R6` is already listed"));
    assert!(out.contains("line=Some(40): requirement `tibble` of `needsmissing` is not in the lockfile; edge skipped"));
    // A base package recorded by mistake is not a component; an unknown source is a generic purl.
    assert!(!out.contains("utils"));
    assert!(out.contains("component pkg:generic/mystery@0.0.1\n"));
}

#[test]
fn broken_files_name_the_line() {
    assert!(check("broken-json").starts_with("error unsupported=false line=Some(17): invalid JSON: trailing comma"));
    assert_eq!(
        check("no-packages"),
        "error unsupported=false line=Some(1): expected a `Packages` object in renv.lock\n"
    );
    assert_eq!(
        check("packages-not-object"),
        "error unsupported=false line=Some(5): expected `Packages` to be an object of package records\n"
    );
}

#[test]
fn every_edge_points_at_a_component() {
    for scenario in ["renv-0.17", "renv-1.1", "bad-entries"] {
        let source = common::load_fixture("renv", scenario);
        let parsed = common::parse(LockfileKind::RenvLock, "renv.lock", &source).expect("parses");
        assert!(parsed.components.iter().any(|c| !c.dependencies.is_empty()), "{scenario} has edges");
        common::assert_edges_resolve(scenario, &parsed);
    }
}
