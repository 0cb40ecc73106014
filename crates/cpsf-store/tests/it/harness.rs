//! Runs one store test on one backend: a fresh SQLite file in a temporary directory, or a fresh PostgreSQL
//! database on the server named by `CPSF_TEST_POSTGRES_URL`; removed afterwards, also when the test fails.

use std::io::Write;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use cpsf_store::{Location, Store, StoreError};

/// A store under test, with its location (to open it again) and raw access for what the API cannot do.
pub struct TestStore {
    pub store: Store,
    pub location: Location,
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// Open the same database again (a second server, or a restart).
    pub fn reopen(&self) -> Result<Store, StoreError> {
        Store::open(&self.location)
    }

    /// Run SQL directly on the database, outside the store.
    pub fn execute_raw(&self, sql: &str) {
        match &self.location {
            Location::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open the SQLite file");
                conn.execute_batch(sql).expect("raw SQL");
            }
            Location::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                client.batch_execute(sql).expect("raw SQL");
            }
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(name: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut id = format!("cpsf_test_{}_{n}_{name}", std::process::id());
    id.truncate(60);
    id
}

/// Removes a test's SQLite directory when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Call `f` with the location of a fresh SQLite file (not yet created), removed afterwards.
pub fn with_sqlite_location(name: &str, f: impl FnOnce(Location)) {
    let dir = TempDir(std::env::temp_dir().join(unique(name)));
    // A nested path: opening creates the parent directories.
    f(Location::Sqlite(dir.0.join("data").join("store.db")));
}

pub fn run_sqlite(name: &str, test: fn(&TestStore)) {
    with_sqlite_location(name, |location| {
        let store = Store::open(&location).expect("open the SQLite store");
        test(&TestStore { store, location });
    });
}

/// The server URL for PostgreSQL tests, or `None` (and a note on stderr, once) when it is not set.
pub fn postgres_url() -> Option<String> {
    static NOTE: Once = Once::new();
    let url = std::env::var("CPSF_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty());
    if url.is_none() {
        // Written to the process's stderr directly, so the test harness does not capture it.
        NOTE.call_once(|| {
            let _ = writeln!(std::io::stderr(), "SKIPPED: PostgreSQL tests (set CPSF_TEST_POSTGRES_URL)");
        });
    }
    url
}

/// `url` with its database name replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = before_query.split_once('/').map_or(before_query, |(a, _)| a);
    format!("{scheme}://{authority}/{database}{query}")
}

/// Drops a test's PostgreSQL database when dropped.
struct TempDatabase {
    server: String,
    name: String,
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// Call `f` with the location of a fresh, empty PostgreSQL database, dropped afterwards; nothing without a server.
pub fn with_postgres_location(name: &str, f: impl FnOnce(Location)) {
    let Some(server) = postgres_url() else { return };
    let database = TempDatabase { server: server.clone(), name: unique(name).to_lowercase() };
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("connect to CPSF_TEST_POSTGRES_URL");
    admin.batch_execute(&format!("CREATE DATABASE {}", database.name)).expect("create the test database");
    drop(admin);
    f(Location::Postgres(with_database(&server, &database.name)));
    drop(database);
}

pub fn run_postgres(name: &str, test: fn(&TestStore)) {
    with_postgres_location(name, |location| {
        let store = Store::open(&location).expect("open the PostgreSQL store");
        test(&TestStore { store, location });
    });
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(with_database("postgres://u@h:5433/postgres", "t1"), "postgres://u@h:5433/t1");
    assert_eq!(with_database("postgresql://u:p@h/db?sslmode=disable", "t2"), "postgresql://u:p@h/t2?sslmode=disable");
    assert_eq!(with_database("postgres://h:5433", "t3"), "postgres://h:5433/t3");
}
