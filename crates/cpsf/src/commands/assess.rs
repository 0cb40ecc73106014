//! `cpsf assess`: create an assessment file, change its entries, refresh its automatic evidence from the team
//! server's store, print its scores and gaps, and write reports.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use cpsf_assess::edit::{self, Update};
use cpsf_assess::{Assessment, CheckResult, Evidence, Scope, ScopeKind, Status, io, report, score};
use cpsf_catalog::{Catalog, CatalogSet, Lang};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::Outcome;
use crate::cli::{
    AssessCommand, AssessEvaluateArgs, AssessInitArgs, AssessReportArgs, AssessReportFormat, AssessSetArgs,
    AssessShowArgs, ListFormat, OverrideArg, ScopeKindArg, StatusArg,
};
use crate::commands::catalog::{lang, load_set};
use crate::commands::write_output;
use crate::printer::Printer;

pub fn run(command: AssessCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        AssessCommand::Init(args) => init(args, printer),
        AssessCommand::Set(args) => set(args, printer),
        AssessCommand::Evaluate(args) => evaluate(args, printer),
        AssessCommand::Show(args) => show(args, printer),
        AssessCommand::Report(args) => write_report(args, printer),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A file name from a scope name: letters, digits and `-`, lowercase.
fn slug(text: &str) -> String {
    let s: String =
        text.chars().map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "scope".into() } else { s }
}

fn init(args: AssessInitArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let catalog = set.get(&args.catalog)?;
    if args.scope.trim().is_empty() {
        bail!("--scope: a name is required");
    }
    let kind = match args.scope_kind {
        ScopeKindArg::Company => ScopeKind::Company,
        ScopeKindArg::Site => ScopeKind::Site,
        ScopeKindArg::Product => ScopeKind::Product,
        ScopeKindArg::Supplier => ScopeKind::Supplier,
    };
    let output = args.output.unwrap_or_else(|| PathBuf::from(format!("{}-{}.yaml", catalog.id, slug(&args.scope))));
    if output.exists() && !args.force {
        bail!("{}: already exists (pass --force to overwrite)", output.display());
    }
    let stamp = cpsf_assess::rfc3339(now());
    let mut assessment =
        Assessment::new(catalog, Scope { name: args.scope.trim().to_string(), kind }, lang(args.lang), &stamp);
    score::record_snapshot(catalog, &mut assessment, &stamp);
    io::write_file(&output, &assessment)?;
    printer.info(&format!(
        "wrote {}: {} entries of `{}` to assess ({} verified against a source)",
        output.display(),
        assessment.results.len(),
        catalog.id,
        catalog.assessable().filter(|e| e.provenance.verified).count()
    ));
    Ok(Outcome::Clean)
}

/// Read an assessment file and the catalog it names, reconciled (warnings printed).
fn open(file: &std::path::Path, set: &CatalogSet, printer: &Printer) -> Result<(Assessment, Catalog)> {
    let mut assessment = io::read_file(file)?;
    let catalog = set.get(&assessment.catalog).with_context(|| format!("{}: catalog", file.display()))?.clone();
    for w in io::reconcile(&mut assessment, &catalog) {
        printer.warn(&format!("{}: {w}", file.display()));
    }
    Ok((assessment, catalog))
}

fn set(args: AssessSetArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let (mut assessment, catalog) = open(&args.file, &set, printer)?;
    let stamp = cpsf_assess::rfc3339(now());
    let who = args.by.clone().unwrap_or_else(crate::commands::server::operator);
    let mut update = Update {
        status: args.status.map(|s| match s {
            StatusArg::NotAssessed => Status::NotAssessed,
            StatusArg::Implemented => Status::Implemented,
            StatusArg::Partially => Status::Partially,
            StatusArg::NotImplemented => Status::NotImplemented,
            StatusArg::NotApplicable => Status::NotApplicable,
        }),
        level: args.level.clone(),
        owner: args.owner.clone(),
        due: args.due.clone(),
        comments: args.comment.clone(),
        add_evidence: Vec::new(),
        override_result: args.override_result.map(|o| {
            (
                match o {
                    OverrideArg::Met => CheckResult::Met,
                    OverrideArg::Unmet => CheckResult::Unmet,
                },
                args.justification.clone().unwrap_or_default(),
            )
        }),
        clear_override: args.clear_override,
    };
    for path in &args.evidence_files {
        let bytes = fs_err::read(path)?;
        let digest = Sha256::digest(&bytes);
        update.add_evidence.push(Evidence::File {
            name: path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
            path: Some(path.display().to_string()),
            sha256: Some(digest.iter().map(|b| format!("{b:02x}")).collect()),
            stored_id: None,
            added: stamp.clone(),
            by: Some(who.clone()),
        });
    }
    for url in &args.evidence_links {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("--evidence-link: expected an http(s) URL, found `{url}`");
        }
        update.add_evidence.push(Evidence::Link {
            url: url.clone(),
            title: None,
            added: stamp.clone(),
            by: Some(who.clone()),
        });
    }
    let changed = edit::apply(&mut assessment, &catalog, &args.entry, &update, &who, &stamp)
        .with_context(|| format!("{}: entry `{}`", args.file.display(), args.entry))?;
    score::record_snapshot(&catalog, &mut assessment, &stamp);
    io::write_file(&args.file, &assessment)?;
    printer.info(&format!("{}: {changed} change(s) to `{}`", args.file.display(), args.entry));
    Ok(Outcome::Clean)
}

fn evaluate(args: AssessEvaluateArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let (mut assessment, catalog) = open(&args.file, &set, printer)?;
    let (store, _) = crate::commands::server::open_store(&args.store)?;
    let advisory_db = match &args.db {
        Some(p) => p.clone(),
        None => crate::commands::server::data_dir(&args.store)?.join("advisories.db"),
    };
    let at = now();
    let facts = cpsf_server::facts::gather(&store, advisory_db.exists().then_some(advisory_db.as_path()), at)
        .context("gathering evidence from the store")?;
    let changed = cpsf_assess::evidence::refresh(&catalog, &mut assessment, &facts, at);
    io::write_file(&args.file, &assessment)?;
    let mut met = 0;
    let mut unmet = 0;
    let mut unknown = 0;
    for r in &assessment.results {
        match r.automatic_result() {
            Some(CheckResult::Met) => met += 1,
            Some(CheckResult::Unmet) => unmet += 1,
            Some(CheckResult::Unknown) => unknown += 1,
            None => {}
        }
    }
    printer.info(&format!(
        "{}: automatic evidence from {}: {met} met, {unmet} unmet, {unknown} without data; {changed} changed",
        args.file.display(),
        facts.source
    ));
    Ok(Outcome::Clean)
}

fn show(args: AssessShowArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let (assessment, catalog) = open(&args.file, &set, printer)?;
    let lang = lang(args.lang);
    let stamp = now();
    let built = report::build(&catalog, &assessment, lang, &cpsf_assess::rfc3339(stamp), &cpsf_assess::date(stamp));
    if args.format == ListFormat::Json {
        write_output(None, &(serde_json::to_string_pretty(&built)? + "\n"))?;
        return Ok(Outcome::Clean);
    }
    write_output(None, &show_text(&built, lang, args.gaps))?;
    Ok(Outcome::Clean)
}

fn show_text(r: &report::Report, lang: Lang, max_gaps: usize) -> String {
    let l = |k| report::label(lang, k);
    let score = |s: Option<f64>| s.map_or_else(|| l("not_scored").to_string(), |v| format!("{v:.1}"));
    let mut out = format!(
        "{}: {} ({} {}, revision {})\n{}: {} ({})\n{}: {} / 100   {}: {}/{}\n",
        l("catalog"),
        r.catalog.title,
        r.catalog.id,
        r.catalog.version,
        r.catalog.revision,
        l("scope"),
        r.assessment.scope_name,
        r.assessment.scope_kind,
        l("overall"),
        score(r.overall.score),
        l("coverage"),
        r.overall.counted + r.overall.not_applicable,
        r.overall.assessable,
    );
    for (_, title, n) in &r.status_counts {
        out.push_str(&format!("  {title}: {n}\n"));
    }
    if let Some(m) = &r.maturity {
        out.push_str(&format!("{}: {:.1} ({} / {})\n", l("maturity"), m.average, m.entries, m.levels.join(", ")));
    }
    out.push_str(&format!("\n{}\n", l("scores")));
    for g in &r.groups {
        out.push_str(&format!(
            "{}{:<12} {:>6}  {} ({}/{})\n",
            "  ".repeat(g.depth + 1),
            g.id,
            score(g.score.score),
            g.title,
            g.score.counted,
            g.score.assessable
        ));
    }
    out.push_str(&format!("\n{}\n", l("gaps")));
    if r.gaps.is_empty() {
        out.push_str(&format!("  {}\n", l("no_gaps")));
    }
    let limit = if max_gaps == 0 { usize::MAX } else { max_gaps };
    for g in r.gaps.iter().take(limit) {
        out.push_str(&format!(
            "  {:>3}. {:<12} {} — {}{}{}{}\n",
            g.rank,
            g.entry,
            g.title,
            g.reason_title,
            g.owner.as_deref().map(|o| format!("; {}: {o}", l("owner"))).unwrap_or_default(),
            g.due.as_deref().map(|d| format!("; {}: {d}", l("due"))).unwrap_or_default(),
            if g.overdue { format!(" ({})", l("overdue")) } else { String::new() },
        ));
    }
    if r.gaps.len() > limit {
        out.push_str(&format!("  … {} more (--gaps 0 lists all)\n", r.gaps.len() - limit));
    }
    if r.unverified_entries > 0 {
        out.push_str(&format!("\n{} {}: {}\n", r.unverified_entries, l("unverified"), l("unverified_note")));
    }
    out
}

fn write_report(args: AssessReportArgs, printer: &Printer) -> Result<Outcome> {
    let set = load_set(&args.dir, printer);
    let (assessment, catalog) = open(&args.file, &set, printer)?;
    let lang = lang(args.lang);
    let stamp = now();
    let generated = cpsf_assess::rfc3339(stamp);
    let bytes = match args.format {
        AssessReportFormat::Oscal => {
            let doc = cpsf_assess::oscal::assessment_results(&catalog, &assessment, lang, &generated);
            (serde_json::to_string_pretty(&doc)? + "\n").into_bytes()
        }
        format => {
            let built = report::build(&catalog, &assessment, lang, &generated, &cpsf_assess::date(stamp));
            let format = match format {
                AssessReportFormat::Html => cpsf_report::Format::Html,
                AssessReportFormat::Pdf => cpsf_report::Format::Pdf,
                _ => cpsf_report::Format::Json,
            };
            let font = match &args.font {
                Some(p) => cpsf_report::FontSource::File(p.clone()),
                None => cpsf_report::FontSource::Auto,
            };
            cpsf_report::render(&built, format, &font)?
        }
    };
    match &args.output {
        Some(path) => {
            fs_err::write(path, &bytes)?;
            printer.info(&format!("wrote {} ({} bytes)", path.display(), bytes.len()));
        }
        None if args.format == AssessReportFormat::Pdf => bail!("a PDF report needs -o FILE"),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Clean)
}
