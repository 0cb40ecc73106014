//! `cpsf catalog`: list, show, validate, import and export framework catalogs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use cpsf_catalog::validate::{self, Strictness};
use cpsf_catalog::{Catalog, CatalogSet, Lang, Origin};

use crate::Outcome;
use crate::cli::{
    CatalogCommand, CatalogDirArgs, CatalogExportArgs, CatalogImportArgs, CatalogListArgs, CatalogShowArgs,
    CatalogValidateArgs, ExportFormat, ImportFormat, LangArg, ListFormat, ShowFormat,
};
use crate::commands::write_output;
use crate::printer::Printer;

pub fn run(command: CatalogCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        CatalogCommand::List(args) => list(args, printer),
        CatalogCommand::Show(args) => show(args, printer),
        CatalogCommand::Validate(args) => validate_files(args, printer),
        CatalogCommand::Import(args) => import(args, printer),
        CatalogCommand::Export(args) => export(args, printer),
    }
}

/// The language chosen by flag, else the locale's.
pub fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Ja) => Lang::Ja,
        None => Lang::from_locale(),
    }
}

/// The catalog directory: the flag (or CPSF_CATALOG_DIR), else `catalogs` in the data directory.
pub fn catalog_dir(args: &CatalogDirArgs) -> Option<PathBuf> {
    if let Some(dir) = &args.catalog_dir {
        return Some(dir.clone());
    }
    let data = std::env::var_os("CPSF_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| crate::settings::database_path(None).ok().and_then(|p| p.parent().map(Path::to_path_buf)))?;
    Some(data.join("catalogs"))
}

/// The shipped catalogs plus the catalog directory's, with its warnings printed.
pub fn load_set(args: &CatalogDirArgs, printer: &Printer) -> CatalogSet {
    let set = CatalogSet::with_dir(catalog_dir(args).as_deref());
    for w in &set.warnings {
        printer.warn(w);
    }
    set
}

fn list(args: CatalogListArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let lang = lang(args.lang);
    match args.format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = set
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "title": c.title.get(lang),
                        "version": c.version,
                        "revision": c.revision,
                        "entries": c.entries.len(),
                        "assessable": c.assessable().count(),
                        "verified": c.verified_count(),
                        "origin": origin_text(set.origin(&c.id)),
                    })
                })
                .collect();
            write_output(None, &(serde_json::to_string_pretty(&rows)? + "\n"))?;
        }
        ListFormat::Text => {
            let mut out = String::new();
            for c in set.iter() {
                out.push_str(&format!(
                    "{:<20} {:>4} entries {:>4} assessable {:>4} verified  {}  ({})\n",
                    c.id,
                    c.entries.len(),
                    c.assessable().count(),
                    c.verified_count(),
                    c.title.get(lang),
                    origin_text(set.origin(&c.id)),
                ));
            }
            write_output(None, &out)?;
        }
    }
    Ok(Outcome::Clean)
}

fn origin_text(origin: Option<&Origin>) -> String {
    match origin {
        Some(Origin::File(p)) => p.display().to_string(),
        _ => "built in".to_string(),
    }
}

fn show(args: CatalogShowArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let catalog = set.get(&args.id)?;
    let lang = lang(args.lang);
    if let Some(id) = &args.entry {
        let entry = catalog.entry(id).with_context(|| format!("catalog `{}` has no entry `{id}`", catalog.id))?;
        match args.format {
            ShowFormat::Json => write_output(None, &(serde_json::to_string_pretty(entry)? + "\n"))?,
            ShowFormat::Yaml => write_output(None, &serde_norway::to_string(entry)?)?,
            ShowFormat::Text => write_output(None, &entry_text(catalog, entry, lang))?,
        }
        return Ok(Outcome::Clean);
    }
    match args.format {
        ShowFormat::Json => write_output(None, &(serde_json::to_string_pretty(catalog)? + "\n"))?,
        ShowFormat::Yaml => write_output(None, &serde_norway::to_string(catalog)?)?,
        ShowFormat::Text => write_output(None, &tree_text(catalog, lang))?,
    }
    Ok(Outcome::Clean)
}

fn unverified_mark(lang: Lang) -> &'static str {
    if lang == Lang::Ja { "［未確認］" } else { "[unverified]" }
}

/// The catalog as an indented tree: id, kind, title, and a mark on unverified entries.
pub fn tree_text(catalog: &Catalog, lang: Lang) -> String {
    let mut out = format!(
        "{} — {} ({} {}, revision {})\n{} entries, {} verified against a source\n\n",
        catalog.id,
        catalog.title.get(lang),
        catalog.publisher.get(lang),
        catalog.version,
        catalog.revision,
        catalog.entries.len(),
        catalog.verified_count()
    );
    fn walk(catalog: &Catalog, parent: Option<&str>, depth: usize, lang: Lang, out: &mut String, guard: usize) {
        if guard > 64 {
            return;
        }
        for e in catalog.children(parent) {
            out.push_str(&format!(
                "{}{}  {}  [{}]{}{}\n",
                "  ".repeat(depth),
                e.id,
                e.title.get(lang),
                e.kind.title(lang),
                if e.checks.is_empty() { "" } else { " ⚙" },
                if e.provenance.verified { String::new() } else { format!(" {}", unverified_mark(lang)) }
            ));
            walk(catalog, Some(&e.id), depth + 1, lang, out, guard + 1);
        }
    }
    walk(catalog, None, 0, lang, &mut out, 0);
    out.push_str(if lang == Lang::Ja {
        "\n⚙ = 自動エビデンスのチェックあり\n"
    } else {
        "\n⚙ = has automatic evidence checks\n"
    });
    out
}

fn entry_text(catalog: &Catalog, e: &cpsf_catalog::Entry, lang: Lang) -> String {
    let mut out = format!("{}  {}\n", e.id, e.title.get(lang));
    out.push_str(&format!("kind: {}\n", e.kind.as_str()));
    if let Some(p) = &e.parent {
        out.push_str(&format!("parent: {p}\n"));
    }
    out.push_str(&format!("assessable: {}, weight {}\n", e.is_assessable(), e.weight()));
    if !e.summary.is_empty() {
        out.push_str(&format!("\n{}\n", e.summary.get(lang)));
    }
    if !e.mappings.is_empty() {
        out.push_str("\nmappings:\n");
        for m in &e.mappings {
            out.push_str(&format!(
                "  {} {}{}\n",
                m.relationship.as_str(),
                m.target,
                if m.verified { "" } else { " (unverified)" }
            ));
        }
    }
    if !e.checks.is_empty() {
        out.push_str("\nautomatic checks:\n");
        for c in &e.checks {
            out.push_str(&format!("  {}: {}\n", c.kind(), c.describe(lang)));
        }
    }
    let p = &e.provenance;
    let source = catalog.source(&p.source).map_or(p.source.clone(), |s| s.title.get(lang).to_string());
    out.push_str(&format!(
        "\nprovenance: {source}{}{} — {}\n",
        p.section.as_deref().map(|s| format!(", {s}")).unwrap_or_default(),
        p.page.as_deref().map(|s| format!(", {s}")).unwrap_or_default(),
        if p.verified { "verified" } else { "UNVERIFIED" }
    ));
    if let Some(note) = &p.note {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

fn validate_files(args: CatalogValidateArgs, printer: &Printer) -> Result<Outcome> {
    let mut problems: Vec<String> = Vec::new();
    let mut checked = 0usize;
    if args.files.is_empty() {
        for p in validate::builtin_problems() {
            problems.push(p.to_string());
        }
        checked = cpsf_catalog::builtin::FILES.len();
    } else {
        let strictness = if args.strict { Strictness::Shipped } else { Strictness::Imported };
        let mut parsed: Vec<Catalog> = cpsf_catalog::builtin::all().to_vec();
        let mut given: Vec<String> = Vec::new();
        for path in &args.files {
            checked += 1;
            match cpsf_catalog::load::read_file(path) {
                Ok(c) => {
                    problems
                        .extend(validate::problems(&c, strictness).iter().map(|p| format!("{}: {p}", path.display())));
                    parsed.retain(|b| b.id != c.id);
                    given.push(c.id.clone());
                    parsed.push(c);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        // Mappings may point at the shipped catalogs and at each other; only the given files' problems count.
        let refs: Vec<&Catalog> = parsed.iter().collect();
        problems.extend(
            validate::set_problems(&refs).into_iter().filter(|p| given.contains(&p.catalog)).map(|p| p.to_string()),
        );
    }
    for p in &problems {
        printer.error(p);
    }
    if problems.is_empty() {
        printer.info(&format!("{checked} catalog(s) valid"));
        Ok(Outcome::Clean)
    } else {
        printer.info(&format!("{} problem(s) in {checked} catalog(s)", problems.len()));
        Ok(Outcome::Findings)
    }
}

fn import(args: CatalogImportArgs, printer: &Printer) -> Result<Outcome> {
    let text = fs_err::read_to_string(&args.file)?;
    let format = match args.from {
        Some(f) => f,
        None => match args.file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => ImportFormat::Oscal,
            Some("csv") => ImportFormat::Csv,
            Some("yaml" | "yml") => ImportFormat::Ciso,
            _ => {
                bail!("{}: cannot tell the format from the extension; pass --from oscal|csv|ciso", args.file.display())
            }
        },
    };
    let options = cpsf_catalog::import::ImportOptions { id: args.id.clone(), lang: lang(Some(args.lang)) };
    let origin = args.file.display().to_string();
    let imported = match format {
        ImportFormat::Oscal => cpsf_catalog::import::oscal::read(&origin, &text, &options),
        ImportFormat::Csv => cpsf_catalog::import::csv::read(&origin, &text, &options),
        ImportFormat::Ciso => cpsf_catalog::import::ciso::read(&origin, &text, &options),
    }?;
    printer.warn_many(&imported.warnings, 20);
    let catalog = imported.catalog;
    let problems = validate::problems(&catalog, Strictness::Imported);
    if !problems.is_empty() {
        for p in &problems {
            printer.error(&p.to_string());
        }
        bail!("{origin}: the imported catalog is not valid ({} problem(s)); nothing written", problems.len());
    }
    let output = match args.output {
        Some(p) => p,
        None => {
            let dir = catalog_dir(&args.dir).context("no catalog directory: pass -o FILE or --catalog-dir DIR")?;
            fs_err::create_dir_all(&dir)?;
            dir.join(format!("{}.yaml", catalog.id))
        }
    };
    let yaml = serde_norway::to_string(&catalog)?;
    // What is written must load again: the schema too, not only the structural rules.
    if let Err(e) = cpsf_catalog::load::parse(&output.display().to_string(), &yaml) {
        bail!("{origin}: the imported catalog would not load ({e}); nothing written");
    }
    fs_err::write(&output, yaml)?;
    printer.info(&format!(
        "imported `{}`: {} entries ({} assessable) → {}",
        catalog.id,
        catalog.entries.len(),
        catalog.assessable().count(),
        output.display()
    ));
    Ok(Outcome::Clean)
}

fn export(args: CatalogExportArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let catalog = set.get(&args.id)?;
    let text = match args.format {
        ExportFormat::Oscal => {
            serde_json::to_string_pretty(&cpsf_catalog::export::oscal::catalog(catalog, lang(args.lang)))? + "\n"
        }
        ExportFormat::Yaml => serde_norway::to_string(catalog)?,
        ExportFormat::Json => serde_json::to_string_pretty(catalog)? + "\n",
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
