//! The local advisory database: one SQLite file holding advisory records (as compact JSON of `osv::Advisory`), an index from (ecosystem, package) to record ids, aliases, the KEV catalog and EPSS scores.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::finding::{Epss, Kev};
use crate::osv::{Advisory, base_ecosystem};

/// The schema version this code writes (`PRAGMA user_version`). Version 2 keys `affected` by
/// (ecosystem, package, id) without a rowid and copies each record's withdrawn mark into it, so a lookup
/// reads that table alone; [`Store::open`] migrates a version 1 database.
const SCHEMA_VERSION: i64 = 2;

/// The `affected` table of schema version 2: the table is its own index, in package order.
const AFFECTED_TABLE: &str = "CREATE TABLE IF NOT EXISTS affected (
         ecosystem TEXT NOT NULL,
         package TEXT NOT NULL,
         id TEXT NOT NULL,
         withdrawn INTEGER NOT NULL,
         PRIMARY KEY (ecosystem, package, id)
     ) WITHOUT ROWID;
     CREATE INDEX IF NOT EXISTS affected_id ON affected (id);";

/// The size of each ecosystem's slice of `affected`, kept in `meta` (`affected_rows:ECOSYSTEM`) so that a
/// lookup can choose between probing and reading the slice without counting it.
const COUNT_AFFECTED_ROWS: &str = "DELETE FROM meta WHERE key LIKE 'affected\\_rows:%' ESCAPE '\\';
     INSERT INTO meta (key, value)
         SELECT 'affected_rows:' || ecosystem, COUNT(*) FROM affected GROUP BY ecosystem;";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("advisory database {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("advisory database {path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("advisory database {path}: cannot create its directory: {source}")]
    Io { path: String, source: std::io::Error },
}

/// An open advisory database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// An open read transaction; ends when dropped.
pub struct ReadGuard<'a> {
    store: &'a Store,
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        // Ending a read-only transaction cannot lose anything; a failure here only leaves the lock to the
        // connection's close.
        let _ = self.store.conn.execute_batch("COMMIT");
    }
}

/// One record ready to store, with where it came from.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub advisory: Advisory,
    /// The file (or archive entry) the record was read from.
    pub origin: String,
}

/// What an import changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    pub updated: usize,
    /// Already present with the same or a newer `modified`.
    pub unchanged: usize,
    pub withdrawn: usize,
}

/// What a scan report says about the database it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub records: u64,
    pub newest_modified: Option<String>,
    pub kev_catalog_version: Option<String>,
    pub epss_score_date: Option<String>,
}

/// `cpsf db stats`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    pub path: String,
    pub records: u64,
    pub withdrawn: u64,
    /// (ecosystem, source database by id prefix, records)
    pub by_ecosystem: Vec<(String, String, u64)>,
    pub newest_modified: Option<String>,
    pub kev_catalog_version: Option<String>,
    pub kev_entries: u64,
    pub epss_score_date: Option<String>,
    pub epss_scores: u64,
}

impl Store {
    /// Open (creating when missing) a database for reading and writing.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::Io { path: path.display().to_string(), source })?;
        }
        let conn = Connection::open(path).map_err(|e| sqlite(path, e))?;
        let store = Store { conn, path: path.to_owned() };
        store.migrate()?;
        Ok(store)
    }

    /// Open an existing database read-only; a missing file is an error that says how to create one.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Invalid {
                path: path.display().to_string(),
                reason: "does not exist; create it with `cpsf db import PATH...` or `cpsf db update`".into(),
            });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| sqlite(path, e))?;
        let store = Store { conn, path: path.to_owned() };
        let version: i64 =
            store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| sqlite(path, e))?;
        if version != SCHEMA_VERSION {
            return Err(StoreError::Invalid {
                path: path.display().to_string(),
                reason: format!(
                    "schema version {version}, this cpsf reads {SCHEMA_VERSION}; re-create it with `cpsf db import`"
                ),
            });
        }
        // Read pages straight from a read-only mapping of the file instead of copying each into the page
        // cache: a scan reads a few hundred scattered pages once each.
        store.conn.execute_batch("PRAGMA mmap_size = 1073741824").map_err(|e| sqlite(path, e))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hold one read transaction until the guard is dropped: every query in between sees one snapshot and
    /// the file is locked once, not once per query.
    pub fn read_transaction(&self) -> Result<ReadGuard<'_>, StoreError> {
        self.conn.execute_batch("BEGIN DEFERRED").map_err(|e| sqlite(&self.path, e))?;
        Ok(ReadGuard { store: self })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let version: i64 =
            self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| sqlite(&self.path, e))?;
        match version {
            SCHEMA_VERSION => Ok(()),
            0 => self.create(),
            1 => self.migrate_from_1(),
            _ => Err(StoreError::Invalid {
                path: self.path.display().to_string(),
                reason: format!("schema version {version} is not one this cpsf knows ({SCHEMA_VERSION})"),
            }),
        }
    }

    /// A new database.
    fn create(&self) -> Result<(), StoreError> {
        let sql = format!(
            "PRAGMA journal_mode = DELETE;
             BEGIN;
             CREATE TABLE IF NOT EXISTS advisory (
                 id TEXT PRIMARY KEY,
                 modified TEXT NOT NULL,
                 withdrawn TEXT,
                 origin TEXT NOT NULL,
                 record TEXT NOT NULL
             );
             {AFFECTED_TABLE}
             CREATE TABLE IF NOT EXISTS alias (alias TEXT NOT NULL, id TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS alias_alias ON alias (alias);
             CREATE INDEX IF NOT EXISTS alias_id ON alias (id);
             CREATE TABLE IF NOT EXISTS kev (
                 cve TEXT PRIMARY KEY,
                 date_added TEXT NOT NULL,
                 due_date TEXT,
                 ransomware TEXT,
                 required_action TEXT
             );
             CREATE TABLE IF NOT EXISTS epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL);
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             PRAGMA user_version = {SCHEMA_VERSION};
             COMMIT;"
        );
        self.execute_in_transaction(&sql)
    }

    /// Version 1 kept `affected` as a rowid table with an index on (ecosystem, package) and no withdrawn
    /// mark: it is rebuilt from itself and `advisory`, in one transaction.
    fn migrate_from_1(&self) -> Result<(), StoreError> {
        let sql = format!(
            "BEGIN IMMEDIATE;
             ALTER TABLE affected RENAME TO affected_1;
             DROP INDEX IF EXISTS affected_package;
             DROP INDEX IF EXISTS affected_id;
             {AFFECTED_TABLE}
             INSERT OR IGNORE INTO affected (ecosystem, package, id, withdrawn)
                 SELECT a.ecosystem, a.package, a.id, r.withdrawn IS NOT NULL
                 FROM affected_1 a JOIN advisory r ON r.id = a.id;
             DROP TABLE affected_1;
             {COUNT_AFFECTED_ROWS}
             PRAGMA user_version = {SCHEMA_VERSION};
             COMMIT;"
        );
        self.execute_in_transaction(&sql)
    }

    /// Run a batch that opens and commits its own transaction; on an error, roll it back so the database
    /// is left as it was.
    fn execute_in_transaction(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            sqlite(&self.path, e)
        })
    }

    /// Store records in one transaction. A record replaces the stored one with the same id only when its
    /// `modified` is newer; a withdrawn record is kept (for `stats` and `show`) but no longer matches.
    pub fn import(&mut self, records: Vec<Prepared>) -> Result<ImportCounts, StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        let mut counts = ImportCounts::default();
        {
            let mut get =
                tx.prepare_cached("SELECT modified FROM advisory WHERE id = ?1").map_err(|e| sqlite(&path, e))?;
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO advisory (id, modified, withdrawn, origin, record) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|e| sqlite(&path, e))?;
            let mut drop_affected =
                tx.prepare_cached("DELETE FROM affected WHERE id = ?1").map_err(|e| sqlite(&path, e))?;
            let mut drop_alias = tx.prepare_cached("DELETE FROM alias WHERE id = ?1").map_err(|e| sqlite(&path, e))?;
            let mut put_affected = tx
                .prepare_cached("INSERT INTO affected (ecosystem, package, id, withdrawn) VALUES (?1, ?2, ?3, ?4)")
                .map_err(|e| sqlite(&path, e))?;
            let mut put_alias =
                tx.prepare_cached("INSERT INTO alias (alias, id) VALUES (?1, ?2)").map_err(|e| sqlite(&path, e))?;
            for Prepared { advisory, origin } in records {
                let stored: Option<String> =
                    get.query_row([&advisory.id], |r| r.get(0)).optional().map_err(|e| sqlite(&path, e))?;
                match &stored {
                    Some(modified) if newer_or_same(modified, &advisory.modified) => {
                        counts.unchanged += 1;
                        continue;
                    }
                    Some(_) => {
                        counts.updated += 1;
                        drop_affected.execute([&advisory.id]).map_err(|e| sqlite(&path, e))?;
                        drop_alias.execute([&advisory.id]).map_err(|e| sqlite(&path, e))?;
                    }
                    None => counts.added += 1,
                }
                if advisory.withdrawn.is_some() {
                    counts.withdrawn += 1;
                }
                let json = serde_json::to_string(&advisory).map_err(|e| StoreError::Invalid {
                    path: path.display().to_string(),
                    reason: format!("record {}: {e}", advisory.id),
                })?;
                put.execute(params![advisory.id, advisory.modified, advisory.withdrawn, origin, json])
                    .map_err(|e| sqlite(&path, e))?;
                let mut seen = Vec::new();
                for affected in &advisory.affected {
                    let key = (
                        base_ecosystem(&affected.ecosystem).to_owned(),
                        package_key(&affected.ecosystem, &affected.name),
                    );
                    if !seen.contains(&key) {
                        put_affected
                            .execute(params![key.0, key.1, advisory.id, advisory.withdrawn.is_some()])
                            .map_err(|e| sqlite(&path, e))?;
                        seen.push(key);
                    }
                }
                for alias in advisory.aliases.iter().chain(&advisory.upstream) {
                    put_alias.execute(params![alias, advisory.id]).map_err(|e| sqlite(&path, e))?;
                }
            }
        }
        // Kept in `meta` so that a scan can describe the database without counting it.
        let (records, newest): (i64, Option<String>) = tx
            .query_row("SELECT COUNT(*), MAX(modified) FROM advisory", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| sqlite(&path, e))?;
        set_meta(&tx, "records", &records.to_string()).map_err(|e| sqlite(&path, e))?;
        set_meta(&tx, "newest_modified", newest.as_deref().unwrap_or("")).map_err(|e| sqlite(&path, e))?;
        tx.execute_batch(COUNT_AFFECTED_ROWS).map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))?;
        Ok(counts)
    }

    /// A cheap description for reports: records, newest `modified`, KEV catalog version, EPSS score date.
    pub fn info(&self) -> Result<Info, StoreError> {
        let mut values: HashMap<String, String> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT key, value FROM meta
                     WHERE key IN ('records', 'newest_modified', 'kev_catalog_version', 'epss_score_date')",
                )
                .map_err(|e| sqlite(&self.path, e))?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| sqlite(&self.path, e))?;
            for row in rows {
                let (key, value) = row.map_err(|e| sqlite(&self.path, e))?;
                values.insert(key, value);
            }
        }
        Ok(Info {
            records: values.get("records").and_then(|n| n.parse().ok()).unwrap_or(0),
            newest_modified: values.remove("newest_modified").filter(|s| !s.is_empty()),
            kev_catalog_version: values.remove("kev_catalog_version"),
            epss_score_date: values.remove("epss_score_date"),
        })
    }

    /// Replace the KEV catalog.
    pub fn replace_kev(&mut self, catalog_version: &str, released: &str, entries: &[Kev]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        tx.execute("DELETE FROM kev", []).map_err(|e| sqlite(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware, required_action) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|e| sqlite(&path, e))?;
            for k in entries {
                put.execute(params![
                    k.cve,
                    k.date_added,
                    k.due_date,
                    k.known_ransomware_campaign_use,
                    k.required_action
                ])
                .map_err(|e| sqlite(&path, e))?;
            }
        }
        set_meta(&tx, "kev_catalog_version", catalog_version).map_err(|e| sqlite(&path, e))?;
        set_meta(&tx, "kev_date_released", released).map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    /// Replace the EPSS scores.
    pub fn replace_epss(&mut self, score_date: Option<&str>, scores: &[Epss]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite(&path, e))?;
        tx.execute("DELETE FROM epss", []).map_err(|e| sqlite(&path, e))?;
        {
            let mut put = tx
                .prepare_cached("INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?1, ?2, ?3)")
                .map_err(|e| sqlite(&path, e))?;
            for s in scores {
                put.execute(params![s.cve, s.score, s.percentile]).map_err(|e| sqlite(&path, e))?;
            }
        }
        set_meta(&tx, "epss_score_date", score_date.unwrap_or("unknown")).map_err(|e| sqlite(&path, e))?;
        tx.commit().map_err(|e| sqlite(&path, e))
    }

    /// The ids of the records (not withdrawn) that name a package, by base ecosystem and package key.
    pub fn ids_for(&self, ecosystem: &str, package: &str) -> Result<Vec<String>, StoreError> {
        let mut found = self.ids_for_many(ecosystem, &[package.to_owned()])?;
        Ok(found.remove(package).unwrap_or_default())
    }

    /// For many packages of one ecosystem at once: each package key with the ids of the records (not
    /// withdrawn) that name it, in id order. One statement for the whole set, so a scan costs one query per
    /// ecosystem.
    pub fn ids_for_many<S: AsRef<str>>(
        &self,
        ecosystem: &str,
        packages: &[S],
    ) -> Result<foldhash::HashMap<String, Vec<String>>, StoreError> {
        let mut out: foldhash::HashMap<String, Vec<String>> = foldhash::HashMap::default();
        if packages.is_empty() {
            return Ok(out);
        }
        let mut wanted: Vec<&str> = packages.iter().map(AsRef::as_ref).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut found = |package: &str, id: &str| match out.get_mut(package) {
            Some(ids) => ids.push(id.to_owned()),
            None => {
                out.insert(package.to_owned(), vec![id.to_owned()]);
            }
        };
        // Probing the table costs a B-tree search per package, reading a row of the ecosystem's slice about
        // a quarter of that (callgrind, deno's Cargo.lock): read the slice when it is at most
        // [`SLICE_ROWS_PER_PROBE`] times the set asked for, and walk it beside the sorted set.
        let rows = self.affected_rows(ecosystem)?;
        if (wanted.len() as i64).saturating_mul(SLICE_ROWS_PER_PROBE) >= rows {
            // The primary key orders the slice by package, as `str` orders (SQLite's BINARY collation).
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT package, id FROM affected WHERE ecosystem = ?1 AND withdrawn = 0 ORDER BY package, id",
                )
                .map_err(|e| sqlite(&self.path, e))?;
            let mut rows = stmt.query([ecosystem]).map_err(|e| sqlite(&self.path, e))?;
            // Compared as bytes (as `str` orders): a row's package needs no UTF-8 check unless it is wanted.
            let mut next = wanted.iter().copied().peekable();
            while let Some(row) = rows.next().map_err(|e| sqlite(&self.path, e))? {
                let package = bytes(row, 0).map_err(|e| sqlite(&self.path, e))?;
                while next.next_if(|w| w.as_bytes() < package).is_some() {}
                match next.peek() {
                    None => break,
                    Some(w) if w.as_bytes() == package => found(w, text(row, 1).map_err(|e| sqlite(&self.path, e))?),
                    Some(_) => {}
                }
            }
            return Ok(out);
        }
        let keys = serde_json::to_string(&wanted).map_err(|e| StoreError::Invalid {
            path: self.path.display().to_string(),
            reason: format!("package list: {e}"),
        })?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT package, id FROM affected
                 WHERE ecosystem = ?1 AND package IN (SELECT value FROM json_each(?2)) AND withdrawn = 0
                 ORDER BY package, id",
            )
            .map_err(|e| sqlite(&self.path, e))?;
        let mut rows = stmt.query(params![ecosystem, keys]).map_err(|e| sqlite(&self.path, e))?;
        while let Some(row) = rows.next().map_err(|e| sqlite(&self.path, e))? {
            found(text(row, 0).map_err(|e| sqlite(&self.path, e))?, text(row, 1).map_err(|e| sqlite(&self.path, e))?);
        }
        Ok(out)
    }

    /// The number of rows of `affected` in an ecosystem: as the last import counted them, or counted now.
    fn affected_rows(&self, ecosystem: &str) -> Result<i64, StoreError> {
        let counted: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'affected_rows:' || ?1")
            .and_then(|mut s| s.query_row([ecosystem], |r| r.get(0)).optional())
            .map_err(|e| sqlite(&self.path, e))?;
        if let Some(rows) = counted.and_then(|n| n.parse().ok()) {
            return Ok(rows);
        }
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM affected WHERE ecosystem = ?1")
            .and_then(|mut s| s.query_row([ecosystem], |r| r.get(0)))
            .map_err(|e| sqlite(&self.path, e))
    }

    /// A stored record by id.
    pub fn advisory(&self, id: &str) -> Result<Option<Advisory>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT record FROM advisory WHERE id = ?1").map_err(|e| sqlite(&self.path, e))?;
        let mut rows = stmt.query([id]).map_err(|e| sqlite(&self.path, e))?;
        match rows.next().map_err(|e| sqlite(&self.path, e))? {
            None => Ok(None),
            Some(row) => self.decode(id, text(row, 0).map_err(|e| sqlite(&self.path, e))?).map(Some),
        }
    }

    /// The stored texts (compact JSON of [`Advisory`]) of many records by id, in one statement; ids not
    /// stored are left out. [`Store::decode`] reads them.
    pub(crate) fn record_texts(&self, ids: &[&str]) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(out);
        }
        let list = serde_json::to_string(ids).map_err(|e| StoreError::Invalid {
            path: self.path.display().to_string(),
            reason: format!("id list: {e}"),
        })?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, record FROM advisory WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id")
            .map_err(|e| sqlite(&self.path, e))?;
        let mut rows = stmt.query([list]).map_err(|e| sqlite(&self.path, e))?;
        while let Some(row) = rows.next().map_err(|e| sqlite(&self.path, e))? {
            let id = text(row, 0).map_err(|e| sqlite(&self.path, e))?;
            let json = text(row, 1).map_err(|e| sqlite(&self.path, e))?;
            out.push((id.to_owned(), json.to_owned()));
        }
        Ok(out)
    }

    /// A record (or the part of it `T` reads) from its stored text.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(&self, id: &str, json: &str) -> Result<T, StoreError> {
        serde_json::from_str(json).map_err(|e| StoreError::Invalid {
            path: self.path.display().to_string(),
            reason: format!("stored record {id} is unreadable ({e}); re-import it"),
        })
    }

    /// The KEV entry of a CVE.
    pub fn kev(&self, cve: &str) -> Result<Option<Kev>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT cve, date_added, due_date, ransomware, required_action FROM kev WHERE cve = ?1")
            .map_err(|e| sqlite(&self.path, e))?;
        stmt.query_row([cve], |r| {
            Ok(Kev {
                cve: r.get(0)?,
                date_added: r.get(1)?,
                due_date: r.get(2)?,
                known_ransomware_campaign_use: r.get(3)?,
                required_action: r.get(4)?,
            })
        })
        .optional()
        .map_err(|e| sqlite(&self.path, e))
    }

    /// The EPSS score of a CVE.
    pub fn epss(&self, cve: &str) -> Result<Option<Epss>, StoreError> {
        let date = self.meta("epss_score_date")?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1")
            .map_err(|e| sqlite(&self.path, e))?;
        stmt.query_row([cve], |r| {
            Ok(Epss { cve: cve.to_owned(), score: r.get(0)?, percentile: r.get(1)?, date: date.clone() })
        })
        .optional()
        .map_err(|e| sqlite(&self.path, e))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| sqlite(&self.path, e))
    }

    /// Counts for `cpsf db stats`.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            self.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(|e| sqlite(&self.path, e))
        };
        let records = count("SELECT COUNT(*) FROM advisory")?;
        let withdrawn = count("SELECT COUNT(*) FROM advisory WHERE withdrawn IS NOT NULL")?;
        let mut per: HashMap<(String, String), u64> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT a.ecosystem, a.id FROM affected a JOIN advisory r ON r.id = a.id WHERE r.withdrawn IS NULL")
                .map_err(|e| sqlite(&self.path, e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| sqlite(&self.path, e))?;
            for row in rows {
                let (ecosystem, id) = row.map_err(|e| sqlite(&self.path, e))?;
                *per.entry((ecosystem, source_of(&id).to_owned())).or_default() += 1;
            }
        }
        let mut by_ecosystem: Vec<_> = per.into_iter().map(|((e, s), n)| (e, s, n)).collect();
        by_ecosystem.sort();
        let newest_modified: Option<String> = self
            .conn
            .query_row("SELECT MAX(modified) FROM advisory", [], |r| r.get(0))
            .map_err(|e| sqlite(&self.path, e))?;
        Ok(Stats {
            path: self.path.display().to_string(),
            records,
            withdrawn,
            by_ecosystem,
            newest_modified,
            kev_catalog_version: self.meta("kev_catalog_version")?,
            kev_entries: count("SELECT COUNT(*) FROM kev")?,
            epss_score_date: self.meta("epss_score_date")?,
            epss_scores: count("SELECT COUNT(*) FROM epss")?,
        })
    }
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<usize> {
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", params![key, value])
}

/// Whether the stored `modified` is the same as or newer than the incoming one. RFC 3339 timestamps in UTC
/// compare as strings once fractional seconds are lined up; that is what OSV sources write.
fn newer_or_same(stored: &str, incoming: &str) -> bool {
    normalize_time(stored) >= normalize_time(incoming)
}

fn normalize_time(t: &str) -> String {
    // 2024-01-02T03:04:05Z, 2024-01-02T03:04:05.123456Z → comparable text with a fixed fraction width.
    let t = t.trim().trim_end_matches('Z');
    let (main, frac) = t.split_once('.').unwrap_or((t, ""));
    format!("{main}.{frac:0<9}")
}

/// The advisory database an id comes from, by its prefix (`RUSTSEC`, `GHSA`, `PYSEC`, `GO`, ...).
pub fn source_of(id: &str) -> &str {
    id.split_once('-').map_or(id, |(prefix, _)| prefix)
}

/// The key a package is indexed under within its ecosystem: names are compared as the ecosystem compares
/// them (PyPI by PEP 503 normalization; NuGet and Packagist case-insensitively; everything else exactly).
pub fn package_key(ecosystem: &str, name: &str) -> String {
    package_key_ref(ecosystem, name).into_owned()
}

/// [`package_key`] of a name the caller owns, which becomes the key when the two are the same.
pub(crate) fn into_package_key(ecosystem: &str, name: String) -> String {
    let changed = match package_key_ref(ecosystem, &name) {
        Cow::Owned(key) => Some(key),
        Cow::Borrowed(_) => None,
    };
    changed.unwrap_or(name)
}

/// [`package_key`], borrowing the name in the ecosystems that compare names exactly.
pub(crate) fn package_key_ref<'a>(ecosystem: &str, name: &'a str) -> Cow<'a, str> {
    Cow::Owned(match base_ecosystem(ecosystem) {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(c.to_lowercase());
                }
            }
            out
        }
        "NuGet" | "Packagist" => name.to_lowercase(),
        _ => return Cow::Borrowed(name),
    })
}

/// How many rows of an ecosystem's slice of `affected` cost about as much to read as one probe by package.
const SLICE_ROWS_PER_PROBE: i64 = 4;

/// A text column of a row as bytes, borrowed; SQL `NULL` reads as none.
fn bytes<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<&'r [u8]> {
    match row.get_ref(column)? {
        rusqlite::types::ValueRef::Null => Ok(b""),
        value => value
            .as_bytes()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, value.data_type(), Box::new(e))),
    }
}

/// A text column of a row, borrowed; SQL `NULL` reads as the empty string.
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<&'r str> {
    match row.get_ref(column)? {
        rusqlite::types::ValueRef::Null => Ok(""),
        value => value
            .as_str()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, value.data_type(), Box::new(e))),
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite { path: path.display().to_string(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_order() {
        assert!(newer_or_same("2024-01-02T00:00:00Z", "2024-01-01T23:59:59.999Z"));
        assert!(!newer_or_same("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z"));
        assert!(newer_or_same("2024-01-01T00:00:00.500Z", "2024-01-01T00:00:00.5Z"));
    }

    #[test]
    fn keys() {
        assert_eq!(package_key("PyPI", "Foo_Bar..baz"), "foo-bar-baz");
        assert_eq!(package_key("NuGet", "Newtonsoft.Json"), "newtonsoft.json");
        assert_eq!(package_key("Maven", "org.Apache:x"), "org.Apache:x");
        assert_eq!(source_of("GHSA-aaaa-bbbb-cccc"), "GHSA");
    }
}
