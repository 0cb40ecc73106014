//! The SQLite backend: one file in WAL mode, one writer connection behind a mutex, a few reader connections,
//! the SQLite migrations, and `Db` over a rusqlite transaction.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::db::{Db, LockClass, Row, Value, excerpt};
use crate::migrations::Migration;
use crate::{StoreError, time_util};

/// The SQLite migrations, in order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/sqlite/0001_init.sql") },
    Migration { version: 2, name: "sessions", sql: include_str!("../migrations/sqlite/0002_sessions.sql") },
    Migration { version: 3, name: "assessments", sql: include_str!("../migrations/sqlite/0003_assessments.sql") },
    Migration { version: 4, name: "plant", sql: include_str!("../migrations/sqlite/0004_plant.sql") },
];

/// How long a connection waits for another process's write lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Reader connections kept open between reads.
const IDLE_READERS: usize = 4;

/// An open SQLite store.
pub(crate) struct SqliteBackend {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn err(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let context = context.into();
    move |source| classify(context, source)
}

/// A uniqueness violation is a [`StoreError::Conflict`]; anything else stays a SQLite error.
fn classify(context: String, source: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(e, msg) = &source {
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
        if e.code == ErrorCode::ConstraintViolation && matches!(e.extended_code, 2067 | 1555) {
            let detail = msg.clone().unwrap_or_else(|| e.to_string());
            return StoreError::Conflict { what: format!("{context}: {detail}") };
        }
    }
    StoreError::Sqlite { context, source }
}

impl SqliteBackend {
    /// Open (creating it and its parent directories if needed) and migrate the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<SqliteBackend, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io { path: parent.to_owned(), source })?;
        }
        let created = !path.exists();
        let mut writer = connect(path, true)?;
        if created {
            owner_only(path)?;
        }
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(err(format!("{}: switching to WAL mode", path.display())))?;
        migrate(&mut writer, path)?;
        Ok(SqliteBackend { path: path.to_owned(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) })
    }

    /// Run `f` in an immediate (write-locking) transaction on the writer connection; commit if it succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err(format!("{}: beginning a write", self.path.display())))?;
        let value = f(&mut SqliteDb { conn: &tx })?;
        tx.commit().map_err(err(format!("{}: committing", self.path.display())))?;
        Ok(value)
    }

    /// Run `f` in a read transaction (one consistent snapshot) on a reader connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path, false)?,
        };
        let result = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(err(format!("{}: beginning a read", self.path.display())))?;
            let value = f(&mut SqliteDb { conn: &tx })?;
            tx.commit().map_err(err(format!("{}: ending a read", self.path.display())))?;
            Ok(value)
        })();
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS && conn.is_autocommit() {
            idle.push(conn);
        }
        result
    }
}

/// The database holds password and token hashes: a new file is readable by its owner only (its WAL and
/// shared-memory files take the same permissions).
#[cfg(unix)]
fn owner_only(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|source| StoreError::Io { path: path.to_owned(), source })
}

#[cfg(not(unix))]
fn owner_only(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn connect(path: &Path, create: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let context = || format!("{}: opening", path.display());
    let conn = Connection::open_with_flags(path, flags).map_err(err(context()))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err(context()))?;
    conn.pragma_update(None, "foreign_keys", true).map_err(err(context()))?;
    // WAL with synchronous=NORMAL: a committed transaction survives the process being killed; only a power loss
    // can lose the last commits, never corrupt the file.
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(err(context()))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Apply the migrations this binary has and the database lacks, all in one transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let context = |what: &str| format!("{}: {what}", path.display());
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err(context("beginning the migration")))?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )
    .map_err(err(context("creating schema_migrations")))?;
    let found: i64 = tx
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .map_err(err(context("reading the schema version")))?;
    let known = crate::migrations::latest(MIGRATIONS);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.execute_batch(m.sql).map_err(err(context(&format!("applying migration {} ({})", m.version, m.name))))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![m.version, m.name, time_util::sqlite_text(time_util::now())],
        )
        .map_err(err(context("recording the migration")))?;
    }
    tx.commit().map_err(err(context("committing the migration")))
}

/// `Db` over a connection that is inside a transaction.
struct SqliteDb<'a> {
    conn: &'a Connection,
}

/// `$1` placeholders (written for both engines) as SQLite's numbered `?1`.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Value::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*v))),
            Value::Time(t) => ToSqlOutput::Owned(rusqlite::types::Value::Text(time_util::sqlite_text(*t))),
        })
    }
}

fn read_row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    let mut values = Vec::with_capacity(columns);
    for i in 0..columns {
        values.push(match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(v) => Value::Int(v),
            ValueRef::Real(v) => Value::Real(v),
            ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
            ValueRef::Blob(v) => Value::Bytes(v.to_vec()),
        });
    }
    Ok(Row(values))
}

impl Db for SqliteDb<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare_cached(&placeholders(sql)).map_err(err(excerpt(sql)))?;
        let changed = stmt.execute(rusqlite::params_from_iter(params)).map_err(err(excerpt(sql)))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&placeholders(sql)).map_err(err(excerpt(sql)))?;
        let columns = stmt.column_count();
        let rows =
            stmt.query_map(rusqlite::params_from_iter(params), |r| read_row(r, columns)).map_err(err(excerpt(sql)))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err(excerpt(sql)))
    }

    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<(), StoreError> {
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), marks.join(", "));
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err(excerpt(&sql)))?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row)).map_err(err(format!("inserting into {table}")))?;
        }
        Ok(())
    }

    fn lock(&mut self, _class: LockClass, _key: i64) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn dollar_placeholders_become_numbered_question_marks() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = $1 AND c IN ($2, $10)"),
            "SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?10)"
        );
        assert_eq!(placeholders("SELECT '$' || x"), "SELECT '$' || x");
    }
}
