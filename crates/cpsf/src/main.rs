//! The cpsf binary: parses arguments, resolves settings, runs one command and maps the outcome to an exit status.

mod cli;
mod commands;
mod printer;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, DbCommand, PcapCommand, SbomCommand};
use crate::printer::Printer;

/// What a command found: 0 nothing to report, 1 findings (invalid document, differences, failed gate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.color);
    match run(cli, &printer) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = e.to_string();
            for cause in e.chain().skip(1) {
                message.push_str(&format!(": {cause}"));
            }
            printer.error(&message);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, printer: &Printer) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Sbom(sub) => {
            let config = settings::load_config(cli.global.config.as_deref())?;
            match sub {
                SbomCommand::Generate(args) => commands::generate::run(args, &config, printer),
                SbomCommand::Validate(args) => commands::validate::run(args, printer),
                SbomCommand::Convert(args) => commands::convert::run(args, &config, printer),
                SbomCommand::Merge(args) => commands::merge::run(args, &config, printer),
                SbomCommand::Diff(args) => commands::diff::run(args, printer),
            }
        }
        Command::Scan(args) => {
            let config = settings::load_config(cli.global.config.as_deref())?;
            commands::scan::run(args, &config, printer)
        }
        Command::Vex(args) => {
            let config = settings::load_config(cli.global.config.as_deref())?;
            commands::scan::run_vex(args, &config, printer)
        }
        Command::Db(sub) => match sub {
            DbCommand::Import(args) => commands::db::import(args, printer),
            DbCommand::Update(args) => commands::db::update_db(args, printer),
            DbCommand::Stats(args) => commands::db::stats(args, printer),
        },
        Command::Serve(args) => commands::server::serve(args, printer),
        Command::User(sub) => commands::server::user(sub, printer),
        Command::Token(sub) => commands::server::token(sub, printer),
        Command::Push(args) => commands::server::push(args, printer),
        Command::Catalog(sub) => commands::catalog::run(sub, printer),
        Command::Assess(sub) => commands::assess::run(sub, printer),
        Command::Pcap(PcapCommand::Discover(args)) => commands::pcap::discover(args, printer),
        Command::Completions { shell } => commands::meta::completions(shell),
        Command::Man { output } => commands::meta::man(&output, printer),
        Command::Asset(sub) => commands::ot::asset(sub, printer),
        Command::Csaf(sub) => commands::ot::csaf(sub, printer),
        Command::Demo(args) => commands::demo::run(args, printer),
    }
}

/// A closed pipe on stdout (`cpsf ... | head`) is success, as in other Unix tools.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
