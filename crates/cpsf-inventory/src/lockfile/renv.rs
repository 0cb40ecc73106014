//! Parser for R's `renv.lock` (JSON), from renv 0.x (`Requirements`, `Hash`) to renv 1.1 and later (the whole
//! DESCRIPTION: `Depends`, `Imports`, `LinkingTo`, `License`, ...).
//!
//! Each record of `Packages` becomes one component, its purl chosen by `Source` (or `RemoteType` when `Source`
//! is missing), using only purl types the purl-spec index lists:
//! - `Repository` (and renv 0.x's `CRAN`): `pkg:cran/NAME@VERSION`. When `Repository` names (directly, or
//!   through `R.Repositories`) a URL that is not CRAN or a Posit Package Manager mirror of CRAN, that URL goes in
//!   the `repository_url` qualifier. Bioconductor repositories (`BioCsoft`, ...) are treated as below.
//! - `Bioconductor`: the index has no `bioconductor` type, so `pkg:generic/bioconductor/NAME@VERSION`, with
//!   `vcs_url` from `git_url` and `git_last_commit` when the record has them.
//! - `GitHub`: `pkg:github/USER/REPO@SHA` (subpath from `RemoteSubdir`); GitHub Enterprise, `GitLab` and plain
//!   `Git` remotes: `pkg:git/HOST/PATH@SHA`; `Bitbucket`: `pkg:bitbucket/USER/REPO@SHA`. The component keeps the
//!   R package's name and version; the purl names the commit. The download location is `git+URL@SHA`.
//! - `URL`: `pkg:generic/NAME@VERSION?download_url=URL`.
//! - `Local` and `Cellar` records are the user's own files, not external components, and are left out; so are
//!   base R packages (`base`, `utils`, ...) should a record name one. Any other source gives
//!   `pkg:generic/NAME@VERSION`.
//!
//! Edges come from `Requirements` and from `Depends`, `Imports` and `LinkingTo` (version constraints dropped;
//! `Suggests` is not a requirement). A requirement on R itself or on a base package is not an edge. `License` is
//! recorded as found. `Hash` is renv's MD5 over selected DESCRIPTION fields, not a digest of any artifact, so it
//! is not recorded as a component hash. The lockfile does not say which packages the project uses directly.

use std::collections::{BTreeMap, BTreeSet};

use cpsf_model::{Component, Diagnostic, Purl};
use serde_json::{Map, Value};

use super::entries::entry_skipped;
use super::swift::{JsonLocator, git_location, split_repository_url};
use super::{LockfileError, LockfileInput, Parsed};
use crate::text::LineIndex;

/// Packages that ship with R itself (priority "base"), plus `R` as renv writes it in requirements.
const BASE_PACKAGES: &[&str] = &[
    "R",
    "base",
    "compiler",
    "datasets",
    "graphics",
    "grDevices",
    "grid",
    "methods",
    "parallel",
    "splines",
    "stats",
    "stats4",
    "tcltk",
    "tools",
    "translations",
    "utils",
];

/// Repository names that renv and Posit use for CRAN itself or its mirrors.
const CRAN_NAMES: &[&str] = &["CRAN", "RSPM", "PPM", "P3M", "CRANextra"];

/// The fields whose entries are requirements (renv 0.x writes `Requirements`, renv 1.1 the DESCRIPTION fields).
const REQUIREMENT_FIELDS: &[&str] = &["Requirements", "Depends", "Imports", "LinkingTo"];

pub fn parse(input: &LockfileInput<'_>) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(input.text).map_err(|e| LockfileError::json(&e))?;
    let root = doc
        .as_object()
        .ok_or_else(|| LockfileError::malformed(Some(1), "expected a JSON object at the top of renv.lock"))?;
    let lines = LineIndex::new(input.text);
    let locator = JsonLocator::new(input.text);
    let packages = match root.get("Packages") {
        Some(Value::Object(p)) => p,
        None => return Err(LockfileError::malformed(Some(1), "expected a `Packages` object in renv.lock")),
        Some(_) => {
            let line = locator.path(&["Packages"]).map(|o| lines.line_of(o));
            return Err(LockfileError::malformed(line, "expected `Packages` to be an object of package records"));
        }
    };
    let mut record_lines: BTreeMap<String, u32> = BTreeMap::new();
    if let Some(at) = locator.path(&["Packages"]) {
        for (key, key_at, _) in locator.members(at) {
            record_lines.entry(key).or_insert_with(|| lines.line_of(key_at));
        }
    }
    let repositories = read_repositories(root);

    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    // Every record that became a component, keyed by R package name.
    let mut built: BTreeMap<String, Built<'_>> = BTreeMap::new();
    for (key, record) in packages {
        let line = record_lines.get(key).copied();
        let Some(record) = record.as_object() else {
            diagnostics.push(entry_skipped(input, line, format!("package `{key}` skipped: expected an object")));
            continue;
        };
        match build_component(key, record, &repositories) {
            Ok(Some(component)) => {
                let name = text(record, "Package").unwrap_or(key).to_owned();
                if built.contains_key(&name) {
                    let message = format!("package `{key}` skipped: package `{name}` is already listed");
                    diagnostics.push(entry_skipped(input, line, message));
                    continue;
                }
                built.insert(name, (component.at(input.path, line), record, line));
            }
            Ok(None) => {}
            Err(message) => diagnostics.push(entry_skipped(input, line, format!("package `{key}` skipped: {message}"))),
        }
    }

    let refs: BTreeMap<String, String> =
        built.iter().map(|(name, (c, _, _))| (name.clone(), c.bom_ref.clone())).collect();
    let mut components = Vec::with_capacity(built.len());
    for (name, (mut component, record, line)) in built {
        for requirement in requirements(record) {
            if BASE_PACKAGES.contains(&requirement.as_str()) || requirement == name {
                continue;
            }
            match refs.get(&requirement) {
                Some(target) => {
                    component.dependencies.insert(target.clone());
                }
                None => diagnostics.push(entry_skipped(
                    input,
                    line,
                    format!("requirement `{requirement}` of `{name}` is not in the lockfile; edge skipped"),
                )),
            }
        }
        components.push(component);
    }
    Ok(Parsed { components, diagnostics })
}

/// A record that became a component: the component, the record, and the record's line.
type Built<'a> = (Component, &'a Map<String, Value>, Option<u32>);

/// `R.Repositories[]` as name → URL.
fn read_repositories(root: &Map<String, Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let list = root.get("R").and_then(|r| r.get("Repositories")).and_then(Value::as_array);
    for repo in list.into_iter().flatten() {
        if let (Some(name), Some(url)) =
            (repo.get("Name").and_then(Value::as_str), repo.get("URL").and_then(Value::as_str))
        {
            out.insert(name.to_owned(), url.trim().to_owned());
        }
    }
    out
}

fn text<'v>(record: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    record.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// Package names required by a record, constraints dropped, in order of appearance, without repeats.
fn requirements(record: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for field in REQUIREMENT_FIELDS {
        let entries: Vec<&str> = match record.get(*field) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            // A DESCRIPTION-style comma-separated string, as some tools write.
            Some(Value::String(s)) => s.split(',').collect(),
            _ => continue,
        };
        for entry in entries {
            let name = entry.split(['(', ' ', '\t', '\n']).find(|s| !s.is_empty()).unwrap_or("").trim();
            if !name.is_empty() && seen.insert(name.to_owned()) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// One record's component; `Ok(None)` for records that are not external components.
fn build_component(
    key: &str,
    record: &Map<String, Value>,
    repositories: &BTreeMap<String, String>,
) -> Result<Option<Component>, String> {
    let name = text(record, "Package").unwrap_or(key);
    if BASE_PACKAGES.contains(&name) {
        return Ok(None);
    }
    let version = text(record, "Version").ok_or("expected a string `Version`")?;
    let source = text(record, "Source").or_else(|| text(record, "RemoteType")).unwrap_or("unknown");
    let sha = text(record, "RemoteSha");
    let mut download = None;
    let purl = match source.to_ascii_lowercase().as_str() {
        "local" | "cellar" => return Ok(None),
        "repository" | "cran" | "standard" => {
            let repo = text(record, "Repository").unwrap_or("CRAN");
            let url = if repo.contains("://") { Some(repo) } else { repositories.get(repo).map(String::as_str) };
            if is_bioconductor(repo, url) {
                bioconductor_purl(name, version, record, &mut download)?
            } else {
                let purl = Purl::new("cran", name).map_err(|e| e.to_string())?.with_version(Some(version));
                match url {
                    Some(url) if !CRAN_NAMES.contains(&repo) && !is_cran_url(url) => {
                        purl.with_qualifier("repository_url", url)
                    }
                    _ => purl,
                }
            }
        }
        "bioconductor" => bioconductor_purl(name, version, record, &mut download)?,
        "github" | "gitlab" | "bitbucket" | "git" | "git2r" | "xgit" => {
            let (purl, url) = remote_purl(source, record)?;
            download = Some(git_location(&url, sha, text(record, "RemoteSubdir")));
            let mut component = Component::from_purl(purl);
            component.name = name.to_owned();
            component.version = Some(version.to_owned());
            return Ok(Some(finish(component, record, download)));
        }
        "url" => {
            let url = text(record, "RemoteUrl").ok_or("a `URL` source needs `RemoteUrl`")?;
            download = Some(url.to_owned());
            Purl::new("generic", name)
                .map_err(|e| e.to_string())?
                .with_version(Some(version))
                .with_qualifier("download_url", url)
        }
        _ => Purl::new("generic", name).map_err(|e| e.to_string())?.with_version(Some(version)),
    };
    purl.validate().map_err(|e| e.to_string())?;
    Ok(Some(finish(Component::from_purl(purl), record, download)))
}

/// Licence and download location, common to every source.
fn finish(mut component: Component, record: &Map<String, Value>, download: Option<String>) -> Component {
    component.download_location = download;
    if let Some(license) = text(record, "License") {
        component.licenses.push(license.to_owned());
    }
    component
}

/// `pkg:generic/bioconductor/NAME@VERSION`, with the Bioconductor git commit when the record names it.
fn bioconductor_purl(
    name: &str,
    version: &str,
    record: &Map<String, Value>,
    download: &mut Option<String>,
) -> Result<Purl, String> {
    let mut purl = Purl::new("generic", name)
        .map_err(|e| e.to_string())?
        .with_namespace(Some("bioconductor"))
        .with_version(Some(version));
    if let (Some(url), Some(commit)) = (text(record, "git_url"), text(record, "git_last_commit")) {
        let vcs = git_location(url, Some(commit), None);
        purl = purl.with_qualifier("vcs_url", &vcs);
        *download = Some(vcs);
    }
    Ok(purl)
}

fn is_bioconductor(repo: &str, url: Option<&str>) -> bool {
    repo.starts_with("BioC") || repo.starts_with("Bioconductor") || url.is_some_and(|u| u.contains("bioconductor.org"))
}

/// CRAN, its cloud mirrors, and the CRAN snapshots of Posit Package Manager.
fn is_cran_url(url: &str) -> bool {
    let Some((host, path)) = split_repository_url(url).or_else(|| {
        let rest = url.split_once("://")?.1.trim_end_matches('/');
        (!rest.is_empty() && !rest.contains('/')).then(|| (rest.to_ascii_lowercase(), String::new()))
    }) else {
        return false;
    };
    match host.as_str() {
        "cran.r-project.org" | "cloud.r-project.org" | "cran.rstudio.com" | "cran.rstudio.org" => true,
        "packagemanager.posit.co" | "packagemanager.rstudio.com" | "p3m.dev" => {
            path.split('/').next().is_some_and(|first| first == "cran" || first == "all")
        }
        _ => false,
    }
}

/// The purl and repository URL of a git-hosted record.
fn remote_purl(source: &str, record: &Map<String, Value>) -> Result<(Purl, String), String> {
    let sha = text(record, "RemoteSha");
    let subdir = text(record, "RemoteSubdir");
    let kind = source.to_ascii_lowercase();
    let (host, path) = match kind.as_str() {
        "github" | "gitlab" | "bitbucket" => {
            let user = text(record, "RemoteUsername").ok_or("expected `RemoteUsername`")?;
            let repo = text(record, "RemoteRepo").ok_or("expected `RemoteRepo`")?;
            let default_host = match kind.as_str() {
                "github" => "api.github.com",
                "gitlab" => "gitlab.com",
                _ => "api.bitbucket.org",
            };
            let host = text(record, "RemoteHost").unwrap_or(default_host);
            // `api.github.com` or `github.example.com/api/v3`: the web host is the first segment without `api.`.
            let host = host.split("://").last().unwrap_or(host);
            let host = host.split('/').next().unwrap_or(host).to_ascii_lowercase();
            let host = host.strip_prefix("api.").unwrap_or(&host).to_owned();
            (host, format!("{user}/{repo}"))
        }
        _ => {
            let url = text(record, "RemoteUrl").ok_or("a git source needs `RemoteUrl`")?;
            split_repository_url(url).ok_or_else(|| format!("cannot read a host and path from `{url}`"))?
        }
    };
    let (owner, repo) =
        path.rsplit_once('/').ok_or_else(|| format!("expected an owner and a repository in `{path}`"))?;
    let purl = match (kind.as_str(), host.as_str()) {
        ("github", "github.com") => Purl::new("github", repo).map_err(|e| e.to_string())?.with_namespace(Some(owner)),
        ("bitbucket", "bitbucket.org") => {
            Purl::new("bitbucket", repo).map_err(|e| e.to_string())?.with_namespace(Some(owner))
        }
        _ => Purl::new("git", &path).map_err(|e| e.to_string())?.with_namespace(Some(&host)),
    };
    let purl = purl.with_version(sha).with_subpath(subdir);
    purl.validate().map_err(|e| e.to_string())?;
    Ok((purl, format!("https://{host}/{path}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_cran_mirrors() {
        assert!(is_cran_url("https://cloud.r-project.org"));
        assert!(is_cran_url("https://packagemanager.posit.co/cran/latest"));
        assert!(is_cran_url("https://packagemanager.rstudio.com/cran/__linux__/jammy/2024-01-02"));
        assert!(!is_cran_url("https://packagemanager.posit.co/bioconductor"));
        assert!(!is_cran_url("https://r-lib.r-universe.dev"));
    }
}
