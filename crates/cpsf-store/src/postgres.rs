//! The PostgreSQL backend: a small pool of synchronous clients behind a mutex (broken ones replaced), the
//! PostgreSQL migrations under an advisory lock (several servers may start at once), and `Db` over a transaction.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls, Statement, Transaction};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::db::{Db, LockClass, Row, Value, excerpt};
use crate::migrations::{self, Migration};
use crate::{StoreError, time_util};

/// The PostgreSQL migrations, in order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/postgres/0001_init.sql") },
    Migration { version: 2, name: "sessions", sql: include_str!("../migrations/postgres/0002_sessions.sql") },
    Migration { version: 3, name: "assessments", sql: include_str!("../migrations/postgres/0003_assessments.sql") },
    Migration { version: 4, name: "plant", sql: include_str!("../migrations/postgres/0004_plant.sql") },
];

/// Clients open at most at once; a caller beyond that waits for one to come back.
const MAX_CLIENTS: usize = 8;
/// A client idle for longer than this is checked with a round trip before it is used again.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);
/// Prepared statements kept per client.
const STATEMENT_CACHE: usize = 256;
/// PostgreSQL accepts at most 65,535 parameters per statement.
const MAX_PARAMS: usize = 65_535;
/// Rows per multi-row `INSERT`.
const ROWS_PER_INSERT: usize = 1_000;

/// An open PostgreSQL store.
pub(crate) struct PgBackend {
    config: Config,
    /// The URL without its password, to name the database in errors.
    name: String,
    pool: Mutex<Pool>,
    returned: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<PgClient>,
    open: usize,
}

struct PgClient {
    client: Client,
    statements: HashMap<String, Statement>,
    last_used: Instant,
}

fn classify(context: String, source: postgres::Error) -> StoreError {
    if source.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        let detail = source.as_db_error().map_or_else(
            || source.to_string(),
            |db| match db.detail() {
                Some(detail) => format!("{} ({detail})", db.message()),
                None => db.message().to_owned(),
            },
        );
        return StoreError::Conflict { what: format!("{context}: {detail}") };
    }
    StoreError::Postgres { context, source }
}

fn err(context: impl Into<String>) -> impl FnOnce(postgres::Error) -> StoreError {
    let context = context.into();
    move |source| classify(context, source)
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`.
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

impl PgBackend {
    /// Connect to `url` and migrate the database (under an advisory lock, so that servers starting together
    /// apply each migration once).
    pub(crate) fn open(url: &str) -> Result<PgBackend, StoreError> {
        let name = without_password(url);
        let mut config = Config::from_str(url).map_err(err(format!("{name}: reading the URL")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("cpsf");
        }
        let backend = PgBackend { config, name, pool: Mutex::new(Pool::default()), returned: Condvar::new() };
        let mut client = backend.connect()?;
        backend.migrate(&mut client.client)?;
        let mut pool = backend.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.open = 1;
        pool.idle.push(client);
        drop(pool);
        Ok(backend)
    }

    fn connect(&self) -> Result<PgClient, StoreError> {
        let client = self.config.connect(NoTls).map_err(err(format!("{}: connecting", self.name)))?;
        Ok(PgClient { client, statements: HashMap::new(), last_used: Instant::now() })
    }

    fn migrate(&self, client: &mut Client) -> Result<(), StoreError> {
        let context = |what: &str| format!("{}: {what}", self.name);
        let mut tx = client.transaction().map_err(err(context("beginning the migration")))?;
        tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&(LockClass::Migrations as i32), &0_i32])
            .map_err(err(context("waiting for the migration lock")))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL
             )",
        )
        .map_err(err(context("creating schema_migrations")))?;
        let found: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations", &[])
            .and_then(|row| row.try_get(0))
            .map_err(err(context("reading the schema version")))?;
        let known = migrations::latest(MIGRATIONS);
        if found > known {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        for m in MIGRATIONS.iter().filter(|m| m.version > found) {
            tx.batch_execute(m.sql).map_err(err(context(&format!("applying migration {} ({})", m.version, m.name))))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &time_util::now()],
            )
            .map_err(err(context("recording the migration")))?;
        }
        tx.commit().map_err(err(context("committing the migration")))
    }

    /// A client from the pool (checked if it sat idle a while), or a new one, waiting while all are in use.
    fn checkout(&self) -> Result<Lease<'_>, StoreError> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(mut client) = pool.idle.pop() {
                drop(pool);
                let fresh = client.last_used.elapsed() < CHECK_AFTER_IDLE;
                if !client.client.is_closed() && (fresh || client.client.is_valid(Duration::from_secs(5)).is_ok()) {
                    return Ok(Lease { backend: self, client: Some(client) });
                }
                // Broken (the server restarted, the connection was cut): replace it.
                drop(client);
                return match self.connect() {
                    Ok(client) => Ok(Lease { backend: self, client: Some(client) }),
                    Err(e) => {
                        self.forget_one();
                        Err(e)
                    }
                };
            }
            if pool.open < MAX_CLIENTS {
                pool.open += 1;
                drop(pool);
                return match self.connect() {
                    Ok(client) => Ok(Lease { backend: self, client: Some(client) }),
                    Err(e) => {
                        self.forget_one();
                        Err(e)
                    }
                };
            }
            pool = self.returned.wait(pool).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// One open client fewer (it failed or was dropped).
    fn forget_one(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.open = pool.open.saturating_sub(1);
        drop(pool);
        self.returned.notify_one();
    }

    pub(crate) fn write<T>(&self, f: impl FnMut(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.run(false, f)
    }

    pub(crate) fn read<T>(&self, f: impl FnMut(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.run(true, f)
    }

    /// Run `f` in one transaction and commit it. A connection found broken before the commit was sent is replaced
    /// and the transaction run once more (nothing of the first attempt was committed).
    fn run<T>(
        &self,
        read_only: bool,
        mut f: impl FnMut(&mut dyn Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut lease = self.checkout()?;
            let Some(client) = lease.client.as_mut() else {
                return Err(StoreError::invalid("a pooled PostgreSQL client went missing"));
            };
            let outcome = run_once(&self.name, client, read_only, &mut f);
            client.last_used = Instant::now();
            let broken = client.client.is_closed()
                || matches!(&outcome, Outcome::Failed(e) | Outcome::CommitFailed(e) if connection_lost(e));
            if broken {
                lease.discard();
            }
            match outcome {
                Outcome::Done(value) => return Ok(value),
                Outcome::Failed(e) if broken && attempt < 2 => {
                    let _ = e;
                    continue;
                }
                Outcome::Failed(e) | Outcome::CommitFailed(e) => return Err(e),
            }
        }
    }
}

/// Whether an error says the connection is gone: closed, a connection exception (SQLSTATE class 08), an
/// operator intervention such as `pg_terminate_backend` or a server shutdown (57P), or any FATAL error. The client
/// may not have noticed the closed socket yet when the server's last message arrives.
fn connection_lost(e: &StoreError) -> bool {
    let StoreError::Postgres { source, .. } = e else { return false };
    source.is_closed()
        || source.code().is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
        || source.as_db_error().is_some_and(|db| matches!(db.severity(), "FATAL" | "PANIC"))
}

enum Outcome<T> {
    Done(T),
    /// Failed before the commit was sent: nothing was committed.
    Failed(StoreError),
    /// The commit itself failed: whether it took effect is unknown, so it is not retried.
    CommitFailed(StoreError),
}

fn run_once<T>(
    name: &str,
    client: &mut PgClient,
    read_only: bool,
    f: &mut impl FnMut(&mut dyn Db) -> Result<T, StoreError>,
) -> Outcome<T> {
    let tx = match client.client.build_transaction().read_only(read_only).start() {
        Ok(tx) => tx,
        Err(e) => return Outcome::Failed(classify(format!("{name}: beginning a transaction"), e)),
    };
    let mut db = PgDb { tx, statements: &mut client.statements };
    let value = match f(&mut db) {
        Ok(value) => value,
        Err(e) => return Outcome::Failed(e),
    };
    match db.tx.commit() {
        Ok(()) => Outcome::Done(value),
        Err(e) => Outcome::CommitFailed(classify(format!("{name}: committing"), e)),
    }
}

/// A pooled client on loan; it goes back to the pool when dropped.
struct Lease<'a> {
    backend: &'a PgBackend,
    client: Option<PgClient>,
}

impl Lease<'_> {
    /// Close the client instead of returning it.
    fn discard(&mut self) {
        if self.client.take().is_some() {
            self.backend.forget_one();
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if client.client.is_closed() {
                self.backend.forget_one();
                return;
            }
            let mut pool = self.backend.pool.lock().unwrap_or_else(PoisonError::into_inner);
            pool.idle.push(client);
            drop(pool);
            self.backend.returned.notify_one();
        }
    }
}

/// `Db` over a PostgreSQL transaction, with the client's prepared statements.
struct PgDb<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

static NULL_INT8: Option<i64> = None;
static NULL_INT4: Option<i32> = None;
static NULL_FLOAT8: Option<f64> = None;
static NULL_BOOL: Option<bool> = None;
static NULL_BYTEA: Option<Vec<u8>> = None;
static NULL_TIMESTAMPTZ: Option<OffsetDateTime> = None;
static NULL_TEXT: Option<String> = None;

/// A value as the Rust type the postgres crate binds to a parameter of type `ty`. Values carry the types the
/// schema has (bigint, double precision, boolean, bytea, timestamptz, text), so only NULL needs the parameter's type.
fn param<'v>(value: &'v Value, ty: &Type) -> &'v (dyn ToSql + Sync) {
    match value {
        Value::Null => match *ty {
            Type::INT8 => &NULL_INT8,
            Type::INT4 => &NULL_INT4,
            Type::FLOAT8 => &NULL_FLOAT8,
            Type::BOOL => &NULL_BOOL,
            Type::BYTEA => &NULL_BYTEA,
            Type::TIMESTAMPTZ => &NULL_TIMESTAMPTZ,
            _ => &NULL_TEXT,
        },
        Value::Int(v) => v,
        Value::Real(v) => v,
        Value::Text(v) => v,
        Value::Bytes(v) => v,
        Value::Bool(v) => v,
        Value::Time(v) => v,
    }
}

fn read_row(row: &postgres::Row) -> Result<Row, postgres::Error> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(Value::Null, Value::Real),
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map_or(Value::Null, |v| Value::Real(v.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(Value::Null, Value::Bool),
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Value::Null, Value::Bytes),
            Type::TIMESTAMPTZ => row.try_get::<_, Option<OffsetDateTime>>(i)?.map_or(Value::Null, Value::Time),
            Type::TIMESTAMP => {
                row.try_get::<_, Option<PrimitiveDateTime>>(i)?.map_or(Value::Null, |t| Value::Time(t.assume_utc()))
            }
            _ => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
        };
        values.push(value);
    }
    Ok(Row(values))
}

impl PgDb<'_> {
    /// The prepared statement for `sql`, from the client's cache when `cache` and it is there.
    fn statement(&mut self, sql: &str, cache: bool) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql).map_err(err(excerpt(sql)))?;
        if cache && self.statements.len() < STATEMENT_CACHE {
            self.statements.insert(sql.to_owned(), statement.clone());
        }
        Ok(statement)
    }

    fn bind<'v>(statement: &Statement, params: &'v [Value]) -> Result<Vec<&'v (dyn ToSql + Sync)>, StoreError> {
        let types = statement.params();
        if types.len() != params.len() {
            return Err(StoreError::invalid(format!(
                "a statement takes {} parameters and was given {}",
                types.len(),
                params.len()
            )));
        }
        Ok(params.iter().zip(types).map(|(v, ty)| param(v, ty)).collect())
    }
}

impl Db for PgDb<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let statement = self.statement(sql, true)?;
        let bound = Self::bind(&statement, params)?;
        self.tx.execute(&statement, &bound).map_err(err(excerpt(sql)))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql, true)?;
        let bound = Self::bind(&statement, params)?;
        let rows = self.tx.query(&statement, &bound).map_err(err(excerpt(sql)))?;
        rows.iter().map(read_row).collect::<Result<Vec<_>, _>>().map_err(err(excerpt(sql)))
    }

    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<(), StoreError> {
        let width = columns.len().max(1);
        let per_insert = (MAX_PARAMS / width).clamp(1, ROWS_PER_INSERT);
        for chunk in rows.chunks(per_insert) {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            let mut n = 0;
            for (r, row) in chunk.iter().enumerate() {
                if row.len() != columns.len() {
                    return Err(StoreError::invalid(format!(
                        "a row for {table} has {} values, not {}",
                        row.len(),
                        columns.len()
                    )));
                }
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..columns.len() {
                    n += 1;
                    sql.push_str(&format!("{}${n}", if c == 0 { "" } else { ", " }));
                }
                sql.push(')');
            }
            // Full chunks share one statement; the last, shorter one is prepared once and not kept.
            let statement = self.statement(&sql, chunk.len() == per_insert)?;
            let flat: Vec<Value> = chunk.iter().flatten().cloned().collect();
            let bound = Self::bind(&statement, &flat)?;
            self.tx.execute(&statement, &bound).map_err(err(format!("inserting into {table}")))?;
        }
        Ok(())
    }

    fn lock(&mut self, class: LockClass, key: i64) -> Result<(), StoreError> {
        // The two-key form: the class, and the key folded into 32 bits (a collision only makes two writers wait).
        let folded = i32::try_from(key.rem_euclid(i64::from(i32::MAX))).unwrap_or(0);
        let statement = self.statement("SELECT pg_advisory_xact_lock($1, $2)", true)?;
        self.tx.execute(&statement, &[&(class as i32), &folded]).map_err(err("taking an advisory lock"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_left_out_of_names() {
        assert_eq!(without_password("postgres://u:secret@h:5432/db?x=1"), "postgres://u@h:5432/db?x=1");
        assert_eq!(without_password("postgresql://h/db"), "postgresql://h/db");
        assert_eq!(without_password("postgres://u@h/db"), "postgres://u@h/db");
    }
}
