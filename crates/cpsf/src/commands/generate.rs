//! `cpsf sbom generate`: discover lockfiles under a path and write one SBOM for the tree.

use std::cell::OnceCell;

use anyhow::Result;
use cpsf_inventory::{DiscoverOptions, DiscoverProgress, discover};
use cpsf_model::{Component, ComponentKind, Tool};
use indicatif::ProgressBar;

use super::{output_format, render_document, write_output};
use crate::Outcome;
use crate::cli::{DiscoverArgs, GenerateArgs};
use crate::printer::Printer;
use crate::settings::{ConfigFile, parse_party};

struct Progress<'a> {
    printer: &'a Printer,
    bar: OnceCell<Option<ProgressBar>>,
}

impl DiscoverProgress for Progress<'_> {
    fn found(&self, total: usize) {
        let _ = self.bar.set(self.printer.progress(total, "reading lockfiles"));
    }
    fn parsed(&self, path: &str) {
        self.printer.detail(&format!("reading {path}"));
        if let Some(Some(bar)) = self.bar.get() {
            bar.set_message(path.to_owned());
            bar.inc(1);
        }
    }
}

/// Discovery options from the command line and the configuration file.
pub fn discover_options(args: &DiscoverArgs, config: &ConfigFile) -> DiscoverOptions {
    let mut exclude = config.sbom.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    DiscoverOptions {
        exclude,
        no_ignore: args.no_ignore,
        include_vendored: args.include_vendored,
        max_file_size: args.max_file_size,
    }
}

/// Read a tree (or one lockfile) into an inventory, with a progress bar and every diagnostic as a warning.
pub fn read_tree(
    path: &std::path::Path,
    options: &DiscoverOptions,
    printer: &Printer,
) -> Result<cpsf_model::Inventory> {
    let progress = Progress { printer, bar: OnceCell::new() };
    let inventory = discover(path, options, &progress)?;
    if let Some(Some(bar)) = progress.bar.get() {
        bar.finish_and_clear();
    }
    for d in &inventory.diagnostics {
        printer.warn(&d.to_string());
    }
    Ok(inventory)
}

pub fn run(args: GenerateArgs, config: &ConfigFile, printer: &Printer) -> Result<Outcome> {
    let format = output_format(&args.out, config)?;
    let options = discover_options(&args.discover, config);
    // Compile the output's schema validator while the tree is read.
    let prepare = std::thread::spawn(move || cpsf_sbom::schema::prepare(format));
    let mut inventory = read_tree(&args.path, &options, printer)?;

    let root_name = args.name.clone().unwrap_or_else(|| product_name(&args.path));
    let supplier = args.supplier.as_deref().or(config.sbom.supplier.as_deref()).map(parse_party);
    let authors: Vec<_> = if args.author.is_empty() {
        config.sbom.authors.iter().map(|a| parse_party(a)).collect()
    } else {
        args.author.iter().map(|a| parse_party(a)).collect()
    };
    let root = Component {
        bom_ref: format!("cpsf-root:{root_name}"),
        kind: ComponentKind::Application,
        name: root_name,
        version: args.product_version.clone(),
        supplier: supplier.clone(),
        dependencies: inventory.direct_refs().into_iter().collect(),
        ..Component::default()
    };
    inventory.metadata.component = Some(root);
    inventory.metadata.supplier = supplier;
    inventory.metadata.authors = authors;
    inventory.metadata.tools =
        vec![Tool { name: "cpsf".into(), version: Some(env!("CARGO_PKG_VERSION").into()), vendor: None }];

    let _ = prepare.join();
    let text = render_document(&mut inventory, format, args.out.reproducible, false, printer)?;
    write_output(args.out.output.as_deref(), &text)?;
    printer.info(&format!(
        "{} components from {} lockfiles{} → {format}",
        inventory.components.len(),
        inventory.sources.len(),
        if inventory.skipped.is_empty() { String::new() } else { format!(" ({} skipped)", inventory.skipped.len()) }
    ));
    Ok(Outcome::Clean)
}

/// The scanned directory's name (or the lockfile's directory's name), as the described product.
fn product_name(path: &std::path::Path) -> String {
    let dir =
        if path.is_file() { path.parent().map(|p| p.to_path_buf()).unwrap_or_default() } else { path.to_path_buf() };
    let absolute = std::path::absolute(&dir).unwrap_or(dir);
    absolute
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_else(|| "project".to_owned())
}
