//! `cpsf demo`: a data directory holding a small demo plant for a hands-on exercise, loaded through the server's
//! own operations (`cpsf_server::demo`): an administrator `demo` (password generated and printed once, or read from
//! standard input), the plant of site `example-works`, a capture written by our own capture writer, two SBOMs
//! matched against an advisory database of invented records, a CSAF advisory and a `meti-factory-1.0` assessment.
//! `cpsf serve --data-dir DIR` then shows it all.

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result, bail};
use cpsf_server::auth::{MIN_PASSWORD_CHARS, hash_password, random_string};
use cpsf_server::demo;
use cpsf_store::{Role, Store};

use crate::Outcome;
use crate::cli::DemoArgs;
use crate::printer::Printer;

/// The files `cpsf demo` writes in the data directory (with SQLite's side files).
const FILES: &[&str] = &[
    "server.db",
    "server.db-wal",
    "server.db-shm",
    "advisories.db",
    "advisories.db-wal",
    "advisories.db-shm",
    "advisories.db-journal",
];

/// The demo user's name.
pub const USER: &str = "demo";

fn occupied(dir: &Path) -> bool {
    FILES.iter().any(|f| dir.join(f).exists())
}

pub fn run(args: DemoArgs, printer: &Printer) -> Result<Outcome> {
    let dir = &args.data_dir;
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        random_string(15)?
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    if occupied(dir) {
        if !args.force {
            bail!(
                "{} already holds a cpsf store; pass --force to replace its server.db and advisories.db (nothing else \
                 in it is touched)",
                dir.display()
            );
        }
        for f in FILES {
            let path = dir.join(f);
            if path.exists() {
                fs_err::remove_file(&path)?;
            }
        }
    }
    fs_err::create_dir_all(dir)?;
    let store = Store::open_sqlite(&dir.join("server.db")).context("creating the demo store")?;
    store.add_user(USER, &hash_password(&password)?, Role::Admin, &crate::commands::server::operator())?;
    let advisory_db = dir.join("advisories.db");
    let records = demo::import_advisories(&advisory_db).map_err(|e| anyhow::anyhow!("{e}"))?;
    let loaded = demo::load(&store, &advisory_db, USER, time::OffsetDateTime::now_utc())
        .map_err(|e| anyhow::anyhow!("loading the demo: {e}"))?;
    // The same plant, capture, advisory and SBOMs as files, for the command-line side of the exercise
    // (`cpsf asset discover`, `cpsf csaf match`, `cpsf scan`).
    let files = dir.join("files");
    fs_err::create_dir_all(&files)?;
    let now = time::OffsetDateTime::now_utc();
    let day = cpsf_ot::asset::Day(now.date());
    fs_err::write(files.join("plant.yaml"), demo::plant_yaml(day))?;
    let start = (now - time::Duration::hours(1)).unix_timestamp() * 1_000_000;
    fs_err::write(files.join(demo::CAPTURE_NAME), demo::capture(start).map_err(|e| anyhow::anyhow!("{e}"))?)?;
    fs_err::write(files.join("exa-sa-2099-001.csaf.json"), demo::csaf())?;
    for (product, version, bom) in demo::sboms() {
        fs_err::write(files.join(format!("{product}-{version}.cdx.json")), bom)?;
    }
    printer.info(&format!(
        "the same as files in {}: plant.yaml, {}, a CSAF advisory and the SBOMs",
        files.display(),
        demo::CAPTURE_NAME
    ));
    printer.info(&format!(
        "demo plant `{}` in {}: {} assets, capture {} ({} conduit violation, {} new devices), {} device advisory \
         findings, {} software findings ({records} invented advisory records), assessment {}",
        loaded.site,
        dir.display(),
        loaded.assets,
        loaded.capture,
        loaded.violations,
        loaded.candidates,
        loaded.asset_findings,
        loaded.software_findings,
        loaded.assessment
    ));
    // The one thing on stdout: how to sign in (the password only when we chose it).
    if args.password_stdin {
        println!("user: {USER} (password as given)");
    } else {
        println!("user: {USER}\npassword: {password}\n(shown once; it is stored only as an Argon2id hash)");
    }
    println!("next: cpsf serve --data-dir {}  then open http://127.0.0.1:8080/sites/{}", dir.display(), loaded.site);
    Ok(Outcome::Clean)
}
