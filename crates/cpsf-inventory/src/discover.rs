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
    // Read and parse on every core; results are put back in file order, so output does not depend on timing.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, files.len().max(1));
    let mut outcomes: Vec<Option<FileOutcome>> = (0..files.len()).map(|_| None).collect();
    if workers == 1 {
        // One file (or one core): parse here; a thread of its own would only add its start-up and a fresh
        // allocator arena to the critical path.
        for (i, rel) in files.iter().enumerate() {
            let outcome = read_one(&dir, rel, &source, options);
            progress.parsed(rel);
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
    } else {
        parse_in_parallel(workers, &files, &source, &dir, options, progress, &mut outcomes);
    }
    finish(files, outcomes)
}

/// Read and parse `files` on `workers` threads, putting each outcome at its file's index.
fn parse_in_parallel(
    workers: usize,
    files: &[String],
    source: &DiskSource,
    dir: &Path,
    options: &DiscoverOptions,
    progress: &dyn DiscoverProgress,
    outcomes: &mut [Option<FileOutcome>],
) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel::<(usize, FileOutcome)>();
        for _ in 0..workers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(rel) = files.get(i) else { break };
                    if sender.send((i, read_one(dir, rel, source, options))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (i, outcome) in receiver {
            if let Some(rel) = files.get(i) {
                progress.parsed(rel);
            }
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
    });
}

/// The inventory from every file's outcome, in file order.
fn finish(files: Vec<String>, outcomes: Vec<Option<FileOutcome>>) -> Result<Inventory, DiscoverError> {
    let mut inventory = Inventory::default();
    let mut all = Vec::new();
    for (rel, outcome) in files.iter().zip(outcomes) {
        match outcome {
            Some(FileOutcome::Parsed { kind, parsed }) => {
                inventory.sources.push(rel.clone());
                // Conan 2 lockfiles list packages without edges (Conan 1 graph locks have them).
                let unknown = !kind.records_edges()
                    || (kind == LockfileKind::ConanLock && parsed.components.iter().all(|c| c.dependencies.is_empty()));
                inventory.diagnostics.extend(parsed.diagnostics);
                let mut components = parsed.components;
                for c in &mut components {
                    c.dependencies_unknown = unknown && c.dependencies.is_empty();
                }
                // The first file's components stay where they are: a component is large to move.
                if all.is_empty() {
                    all = components;
                } else {
                    all.append(&mut components);
                }
            }
            Some(FileOutcome::Skipped { diagnostic, reason }) => {
                if let Some(d) = diagnostic {
                    inventory.diagnostics.push(d);
                }
                inventory.skipped.push(SkippedFile { path: rel.clone(), reason });
            }
            None => inventory.skipped.push(SkippedFile { path: rel.clone(), reason: "not read".into() }),
        }
    }
    inventory.extend_components(all);
    inventory.prune_dangling_edges();
    Ok(inventory)
}

/// What became of one file.
enum FileOutcome {
    Parsed { kind: LockfileKind, parsed: crate::lockfile::Parsed },
    Skipped { diagnostic: Option<Diagnostic>, reason: String },
}

/// Read and parse one lockfile; every failure becomes a skip with its diagnostic.
fn read_one(dir: &Path, rel: &str, source: &DiskSource, options: &DiscoverOptions) -> FileOutcome {
    let skipped = |code: DiagnosticCode, line: Option<u32>, msg: String| FileOutcome::Skipped {
        diagnostic: Some(Diagnostic::new(code, rel, line, msg.clone())),
        reason: msg,
    };
    let Some(kind) = LockfileKind::detect(rel) else {
        return FileOutcome::Skipped { diagnostic: None, reason: "not a lockfile cpsf reads".into() };
    };
    let full = dir.join(rel);
    let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
    if size > options.max_file_size {
        let msg = format!("file is {size} bytes, over the limit of {} bytes (--max-file-size)", options.max_file_size);
        return skipped(DiagnosticCode::LockfileTooLarge, None, msg);
    }
    let text = match fs_err::read(&full) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.as_bytes().get(..e.utf8_error().valid_up_to()).unwrap_or_default();
                let line = Some(1 + valid.iter().filter(|b| **b == b'\n').count() as u32);
                return skipped(
                    DiagnosticCode::LockfileMalformed,
                    line,
                    "expected UTF-8 text, found invalid bytes".into(),
                );
            }
        },
        Err(e) => return skipped(DiagnosticCode::FileUnreadable, None, e.to_string()),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let input = LockfileInput { path: rel, text, source };
    match parse_lockfile(kind, &input) {
        Ok(parsed) => FileOutcome::Parsed { kind, parsed },
        Err(e) => {
            let code =
                if e.unsupported { DiagnosticCode::LockfileUnsupported } else { DiagnosticCode::LockfileMalformed };
            skipped(code, e.line, format!("{kind}: {}", e.message))
        }
    }
}
