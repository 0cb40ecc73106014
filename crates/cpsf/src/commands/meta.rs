//! `cpsf completions` and `cpsf man`: generated from the CLI definition.

use std::path::Path;

use anyhow::Result;
use clap::CommandFactory;

use crate::Outcome;
use crate::cli::Cli;
use crate::printer::Printer;

pub fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cpsf", &mut out);
    super::write_output(None, &String::from_utf8_lossy(&out))?;
    Ok(Outcome::Clean)
}

/// Write `cpsf.1` and one page per subcommand (`cpsf-sbom-generate.1`, ...).
pub fn man(dir: &Path, printer: &Printer) -> Result<Outcome> {
    fs_err::create_dir_all(dir)?;
    let cmd = Cli::command();
    let mut written = 0;
    write_pages(&cmd, "cpsf", dir, &mut written)?;
    printer.info(&format!("wrote {written} man pages to {}", dir.display()));
    Ok(Outcome::Clean)
}

fn write_pages(cmd: &clap::Command, name: &str, dir: &Path, written: &mut usize) -> Result<()> {
    let cmd = cmd.clone().name(name.to_owned());
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    fs_err::write(dir.join(format!("{name}.1")), buf)?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
