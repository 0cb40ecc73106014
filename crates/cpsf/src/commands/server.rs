//! `cpsf serve`, `cpsf user`, `cpsf token` and `cpsf push`: the team server and the commands around it.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use cpsf_server::auth::{hash_password, new_api_token};
use cpsf_server::serve::{ServeOptions, WebhookTarget};
use cpsf_server::web::enc;
use cpsf_store::{Location, Role, Store};

use crate::Outcome;
use crate::cli::{PushArgs, RoleArg, ServeArgs, StoreArgs, TokenCommand, TokenCreateArgs, UserAddArgs, UserCommand};
use crate::printer::Printer;
use crate::settings::database_path;

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Admin => Role::Admin,
        RoleArg::Editor => Role::Editor,
        RoleArg::Viewer => Role::Viewer,
    }
}

/// The data directory: `--data-dir`, else the directory that holds the default advisory database.
pub(crate) fn data_dir(args: &StoreArgs) -> Result<PathBuf> {
    if let Some(dir) = &args.data_dir {
        return Ok(dir.clone());
    }
    let default_db = database_path(None)?;
    Ok(default_db.parent().map(PathBuf::from).unwrap_or_default())
}

pub(crate) fn open_store(args: &StoreArgs) -> Result<(Store, String)> {
    let location = match &args.database {
        Some(url) => Location::parse(url)?,
        None => Location::Sqlite(data_dir(args)?.join("server.db")),
    };
    let name = location.display_name();
    let store = Store::open(&location).with_context(|| format!("opening the store at {name}"))?;
    Ok((store, name))
}

/// Who the CLI acts as in the audit log.
pub(crate) fn operator() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub fn serve(args: ServeArgs, printer: &Printer) -> Result<Outcome> {
    let (store, name) = open_store(&args.store)?;
    let advisory_db = match &args.db {
        Some(db) => db.clone(),
        None => data_dir(&args.store)?.join("advisories.db"),
    };
    if store.list_users()?.is_empty() {
        printer.warn(&format!(
            "no users yet; create the first administrator with: cpsf user add NAME --role admin{}",
            match (&args.store.database, &args.store.data_dir) {
                (Some(_), _) => " --database URL".to_owned(),
                (None, Some(dir)) => format!(" --data-dir {}", dir.display()),
                (None, None) => String::new(),
            }
        ));
    }
    if !advisory_db.is_file() {
        printer.warn(&format!(
            "no advisory database at {}; uploads are stored without findings until `cpsf db update --db {0}` or `cpsf db import` fills it",
            advisory_db.display()
        ));
    }
    let options = ServeOptions {
        listen: args.listen,
        config: cpsf_server::Config {
            max_upload: args.max_upload.saturating_mul(1024 * 1024),
            advisory_db: Some(advisory_db),
            secure_cookies: false,
        },
        rematch_interval: Duration::from_secs(args.rematch_interval),
        webhook: args.webhook_url.map(|url| WebhookTarget { url, secret: args.webhook_secret.unwrap_or_default() }),
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(cpsf_server::tls::server_config(cert, key).map_err(anyhow::Error::msg)?),
            _ => None,
        },
    };
    let scheme = if options.tls.is_some() { "https" } else { "http" };
    let catalogs = crate::commands::catalog::load_set(&args.catalogs, printer);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    let store = Arc::new(store);
    runtime
        .block_on(cpsf_server::serve::run_with_catalogs(store, options, catalogs, |address| {
            // The one line on stdout: scripts read the address from it (useful with port 0).
            println!("cpsf serve: listening on {scheme}://{address} (store: {name})");
        }))
        .with_context(|| format!("serving on {}", args.listen))?;
    Ok(Outcome::Clean)
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("standard input is not a terminal; pass --password-stdin to read the password from it");
    }
    let term = console::Term::stderr();
    eprint!("Password: ");
    let first = term.read_secure_line().context("reading the password")?;
    eprint!("Again: ");
    let second = term.read_secure_line().context("reading the password")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

pub fn user(command: UserCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        UserCommand::Add(UserAddArgs { name, role: r, password_stdin, store }) => {
            let password = read_password(password_stdin)?;
            let hash = hash_password(&password)?;
            let (store, location) = open_store(&store)?;
            let user = store.add_user(&name, &hash, role(r), &operator())?;
            printer.info(&format!("added {} ({}) to {location}", user.name, user.role));
        }
        UserCommand::List { store } => {
            let (store, _) = open_store(&store)?;
            for u in store.list_users()? {
                println!("{}\t{}\t{}", u.name, u.role, if u.disabled { "disabled" } else { "active" });
            }
        }
        UserCommand::Grant { name, product, role: r, store } => {
            let (store, _) = open_store(&store)?;
            store.grant_access(&name, &product, role(r), &operator())?;
            printer.info(&format!("{name} may now reach {product} as {}", role(r)));
        }
    }
    Ok(Outcome::Clean)
}

pub fn token(command: TokenCommand, printer: &Printer) -> Result<Outcome> {
    match command {
        TokenCommand::Create(TokenCreateArgs { user, role: r, label, store }) => {
            let (store, _) = open_store(&store)?;
            let token = new_api_token()?;
            let stored = store.add_token(&user, role(r), &label, &token.digest, &token.display_prefix, &operator())?;
            printer.info(&format!(
                "token {} for {user} ({}); it is shown once, keep it as a secret (e.g. CPSF_TOKEN in CI):",
                stored.id, stored.role
            ));
            println!("{}", token.secret);
        }
        TokenCommand::List { user, store } => {
            let (store, _) = open_store(&store)?;
            for t in store.list_tokens(user.as_deref())? {
                let state = if t.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{}…\t{}\t{state}", t.id, t.user_name, t.role, t.prefix, t.label);
            }
        }
        TokenCommand::Revoke { id, store } => {
            let (store, _) = open_store(&store)?;
            store.revoke_token(id, &operator())?;
            printer.info(&format!("token {id} revoked"));
        }
    }
    Ok(Outcome::Clean)
}

pub fn push(args: PushArgs, printer: &Printer) -> Result<Outcome> {
    let document = fs_err::read(&args.sbom)?;
    // Read it here first, so a bad file fails before anything is sent.
    let read = cpsf_sbom::read(&document, &args.sbom.display().to_string())
        .with_context(|| format!("{}: not an SBOM cpsf can read", args.sbom.display()))?;
    let url = format!(
        "{}/api/v1/products/{}/versions/{}/sboms?create={}",
        args.server.trim_end_matches('/'),
        enc(&args.product),
        enc(&args.product_version),
        !args.no_create
    );
    let media = match read.format {
        cpsf_sbom::SbomFormat::CycloneDxXml(_) => "application/xml",
        cpsf_sbom::SbomFormat::SpdxTagValue(_) | cpsf_sbom::SbomFormat::SpdxYaml(_) => "text/plain",
        _ => "application/json",
    };
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(300)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .post(&url)
        .header("authorization", &format!("Bearer {}", args.token.trim()))
        .header("content-type", media)
        .send(&document[..])
        .with_context(|| format!("sending to {}", args.server))?;
    let status = response.status();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if !status.is_success() {
        let message = body["message"].as_str().unwrap_or("no message");
        bail!("the server answered {status}: {message}");
    }
    printer.info(&format!(
        "pushed {} to {} {}: {} components, findings {} new, {} fixed, {} still open",
        args.sbom.display(),
        args.product,
        args.product_version,
        body["components"],
        body["findings"]["new"],
        body["findings"]["fixed"],
        body["findings"]["still_open"]
    ));
    if let Some(skipped) = body["matching_skipped"].as_str() {
        printer.warn(&format!("the server did not match it: {skipped}"));
    }
    Ok(Outcome::Clean)
}
