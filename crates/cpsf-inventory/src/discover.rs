//! Discovery: walks a directory (or takes one file), reads every lockfile and builds one inventory.
//! This module is the only one in the crate that touches the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cpsf_model::{Diagnostic, DiagnosticCode, Inventory, SkippedFile};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::lockfile::{FileSource, LockfileInput, LockfileKind, parse_lockfile};

/// Directories never descended into unless `include_vendored` is set.
pub const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", "vendor", ".hg", ".svn"];

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Glob patterns (matched against the path relative to the root) to leave out.
    pub exclude: Vec<String>,
    /// Also read what `.gitignore` files ignore.
    pub no_ignore: bool,
    /// Also descend into `node_modules`, `target`, `vendor`.
    pub include_vendored: bool,
    /// Files larger than this are skipped with a `lockfile-too-large` warning.
    pub max_file_size: u64,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self { exclude: vec![], no_ignore: false, include_vendored: false, max_file_size: 64 * 1024 * 1024 }
    }
}

/// Called as files are read, so the binary can draw a progress bar.
pub trait DiscoverProgress {
    fn found(&self, _total: usize) {}
    fn parsed(&self, _path: &str) {}
}

impl DiscoverProgress for () {}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("invalid --exclude pattern `{pattern}`: {message}")]
    BadGlob { pattern: String, message: String },
}

/// The lockfiles of a tree, read into memory so that parsers can look at their neighbours.
struct DiskSource {
    root: PathBuf,
    candidates: Vec<String>,
    cache: std::sync::Mutex<BTreeMap<String, Option<String>>>,
    max_file_size: u64,
}

impl FileSource for DiskSource {
    fn read(&self, path: &str) -> Option<String> {
        if let Some(hit) = self.cache.lock().ok()?.get(path) {
            return hit.clone();
        }
        let full = self.root.join(path);
        let text = match std::fs::metadata(&full) {
            Ok(m) if m.is_file() && m.len() <= self.max_file_size => std::fs::read_to_string(&full).ok(),
            _ => None,
        };
        self.cache.lock().ok()?.insert(path.to_owned(), text.clone());
        text
    }
    fn list(&self) -> Vec<String> {
        self.candidates.clone()
    }
}

fn build_excludes(patterns: &[String]) -> Result<GlobSet, DiscoverError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| DiscoverError::BadGlob { pattern: p.clone(), message: e.to_string() })?;
        b.add(glob);
        // `dir` also excludes everything below it.
        if !p.ends_with("/**")
            && let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/')))
        {
            b.add(g);
        }
    }
    b.build().map_err(|e| DiscoverError::BadGlob { pattern: patterns.join(","), message: e.to_string() })
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Find lockfiles below `root` (or take `root` itself when it is a file), in sorted order.
pub fn find_lockfiles(root: &Path, options: &DiscoverOptions) -> Result<(PathBuf, Vec<String>), DiscoverError> {
    let meta = std::fs::metadata(root).map_err(|_| DiscoverError::NotFound { path: root.to_owned() })?;
    if meta.is_file() {
        let dir = root.parent().map(Path::to_owned).unwrap_or_else(|| PathBuf::from("."));
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return Ok((dir, vec![name]));
    }
    let excludes = build_excludes(&options.exclude)?;
    let include_vendored = options.include_vendored;
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(false)
        .git_ignore(!options.no_ignore)
        .git_global(false)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && (name == ".git" || (!include_vendored && SKIPPED_DIRS.contains(&name.as_ref()))))
        });
    let mut found = Vec::new();
    for entry in walker.build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = relative(root, entry.path());
        if excludes.is_match(&rel) {
            continue;
        }
        if LockfileKind::detect(&rel).is_some() {
            found.push(rel);
        }
    }
    found.sort();
    Ok((root.to_owned(), found))
}

/// Scan a tree into an inventory. One bad file never aborts the scan: it becomes a diagnostic and a skipped file.
pub fn discover(
    root: &Path,
    options: &DiscoverOptions,
    progress: &dyn DiscoverProgress,
) -> Result<Inventory, DiscoverError> {
    let (dir, files) = find_lockfiles(root, options)?;
    progress.found(files.len());
    let source = DiskSource {
        root: dir.clone(),
        candidates: files.clone(),
        cache: Default::default(),
        max_file_size: options.max_file_size,
    };
    let mut inventory = Inventory::default();
    let mut all = Vec::new();
    for rel in &files {
        progress.parsed(rel);
        let Some(kind) = LockfileKind::detect(rel) else {
            inventory.skipped.push(SkippedFile { path: rel.clone(), reason: "not a lockfile cpsf reads".into() });
            continue;
        };
        let full = dir.join(rel);
        let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
        if size > options.max_file_size {
            let msg =
                format!("file is {size} bytes, over the limit of {} bytes (--max-file-size)", options.max_file_size);
            inventory.diagnostics.push(Diagnostic::new(DiagnosticCode::LockfileTooLarge, rel, None, msg.clone()));
            inventory.skipped.push(SkippedFile { path: rel.clone(), reason: msg });
            continue;
        }
        let text = match fs_err::read(&full) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let line = Some(
                        1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count() as u32,
                    );
                    let msg = "expected UTF-8 text, found invalid bytes".to_owned();
                    inventory.diagnostics.push(Diagnostic::new(
                        DiagnosticCode::LockfileMalformed,
                        rel,
                        line,
                        msg.clone(),
                    ));
                    inventory.skipped.push(SkippedFile { path: rel.clone(), reason: msg });
                    continue;
                }
            },
            Err(e) => {
                let msg = e.to_string();
                inventory.diagnostics.push(Diagnostic::new(DiagnosticCode::FileUnreadable, rel, None, msg.clone()));
                inventory.skipped.push(SkippedFile { path: rel.clone(), reason: msg });
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let input = LockfileInput { path: rel, text, source: &source };
        match parse_lockfile(kind, &input) {
            Ok(parsed) => {
                inventory.sources.push(rel.clone());
                inventory.diagnostics.extend(parsed.diagnostics);
                // Conan 2 lockfiles list packages without edges (Conan 1 graph locks have them).
                let unknown = !kind.records_edges()
                    || (kind == LockfileKind::ConanLock && parsed.components.iter().all(|c| c.dependencies.is_empty()));
                all.extend(parsed.components.into_iter().map(|mut c| {
                    c.dependencies_unknown = unknown && c.dependencies.is_empty();
                    c
                }));
            }
            Err(e) => {
                let code =
                    if e.unsupported { DiagnosticCode::LockfileUnsupported } else { DiagnosticCode::LockfileMalformed };
                let msg = format!("{kind}: {}", e.message);
                inventory.diagnostics.push(Diagnostic::new(code, rel, e.line, msg.clone()));
                inventory.skipped.push(SkippedFile { path: rel.clone(), reason: msg });
            }
        }
    }
    inventory.extend_components(all);
    inventory.prune_dangling_edges();
    Ok(inventory)
}
