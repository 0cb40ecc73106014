//! The seam between the store's operations and its two backends: values, rows, and the `Db` trait a
//! transaction of either backend implements.
//!
//! Operations are written once in the SQL both engines accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, no engine-specific functions); each backend binds [`Value`]s in its own types (a time is
//! text on SQLite and `timestamptz` on PostgreSQL, a flag an integer or a `boolean`) and reads columns back
//! into [`Value`]s, so the same getter serves both.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::StoreError;

/// One SQL parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Time(OffsetDateTime),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl From<OffsetDateTime> for Value {
    fn from(v: OffsetDateTime) -> Self {
        Value::Time(crate::time_util::normalize(v))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub(crate) struct Row(pub(crate) Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value, StoreError> {
        self.0.get(i).ok_or_else(|| StoreError::Invalid { what: format!("result column {i} is missing") })
    }

    fn mismatch(&self, i: usize, expected: &str) -> StoreError {
        StoreError::Invalid { what: format!("result column {i}: expected {expected}, found {:?}", self.0.get(i)) }
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            Value::Bool(b) => Ok(Some(i64::from(*b))),
            _ => Err(self.mismatch(i, "an integer")),
        }
    }
    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| self.mismatch(i, "an integer"))
    }

    pub(crate) fn opt_real(&self, i: usize) -> Result<Option<f64>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Real(v) => Ok(Some(*v)),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(v) => Ok(Some(*v as f64)),
            _ => Err(self.mismatch(i, "a number")),
        }
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            _ => Err(self.mismatch(i, "text")),
        }
    }
    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| self.mismatch(i, "text"))
    }

    pub(crate) fn bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.get(i)? {
            Value::Bytes(v) => Ok(v.clone()),
            Value::Text(v) => Ok(v.clone().into_bytes()),
            _ => Err(self.mismatch(i, "bytes")),
        }
    }

    pub(crate) fn opt_bool(&self, i: usize) -> Result<Option<bool>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            Value::Int(v) => Ok(Some(*v != 0)),
            _ => Err(self.mismatch(i, "a flag")),
        }
    }
    pub(crate) fn bool(&self, i: usize) -> Result<bool, StoreError> {
        self.opt_bool(i)?.ok_or_else(|| self.mismatch(i, "a flag"))
    }

    pub(crate) fn opt_time(&self, i: usize) -> Result<Option<OffsetDateTime>, StoreError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            Value::Time(t) => Ok(Some(*t)),
            Value::Text(s) => OffsetDateTime::parse(s, &Rfc3339)
                .map(Some)
                .map_err(|e| StoreError::Invalid { what: format!("result column {i}: time {s:?}: {e}") }),
            _ => Err(self.mismatch(i, "a time")),
        }
    }
    pub(crate) fn time(&self, i: usize) -> Result<OffsetDateTime, StoreError> {
        self.opt_time(i)?.ok_or_else(|| self.mismatch(i, "a time"))
    }

    /// A JSON array of strings stored as text (`licenses`, `aliases`, `responses`).
    pub(crate) fn string_list(&self, i: usize) -> Result<Vec<String>, StoreError> {
        let text = self.text(i)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Invalid { what: format!("result column {i}: list {text:?}: {e}") })
    }
}

/// An advisory-lock class: what a [`Db::lock`] key names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LockClass {
    /// Schema migrations (the key is 0).
    Migrations = 1,
    /// Writes to one version's SBOMs and findings (the key is the version id).
    Version = 2,
}

/// A transaction on either backend. Everything done through it commits or rolls back as one.
pub(crate) trait Db {
    /// Run a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;

    /// Run a query; all its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Insert many rows into `table` as fast as the backend can (one prepared statement per row on SQLite,
    /// multi-row `INSERT`s on PostgreSQL). Every row has `columns.len()` values.
    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<(), StoreError>;

    /// Hold a lock on (`class`, `key`) until the transaction ends, so that concurrent writers of the same thing
    /// go one after the other. SQLite has one writer at a time already, so this is a no-op there.
    fn lock(&mut self, class: LockClass, key: i64) -> Result<(), StoreError>;

    /// The first row of a query, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row of a query, which must exist.
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Invalid { what: format!("no row from {}", excerpt(sql)) })
    }
}

/// The start of a statement, to name it in an error.
pub(crate) fn excerpt(sql: &str) -> String {
    let flat: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(80) {
        Some((cut, _)) => format!("`{}...`", &flat[..cut]),
        None => format!("`{flat}`"),
    }
}

/// Builds a statement with a growing list of `$n` parameters (for filters that are present or not).
#[derive(Debug, Default)]
pub(crate) struct Params(pub(crate) Vec<Value>);

impl Params {
    /// Add a parameter; its placeholder (`$3`).
    pub(crate) fn push(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}
