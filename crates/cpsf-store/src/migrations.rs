//! Numbered schema migrations, one list per backend (`sqlite::MIGRATIONS`, `postgres::MIGRATIONS`), each an SQL file
//! under `migrations/<backend>/` embedded in the binary; applied at open and recorded in `schema_migrations`.

/// One migration: its number, a short name, and the SQL that performs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// The schema version this binary migrates to.
pub(crate) fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

#[cfg(test)]
mod tests {
    use super::latest;
    use crate::{postgres, sqlite};

    #[test]
    fn both_backends_know_the_same_numbered_migrations() {
        let numbers = |ms: &[super::Migration]| ms.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(numbers(sqlite::MIGRATIONS), numbers(postgres::MIGRATIONS));
        for (i, m) in sqlite::MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migrations are numbered from 1 without gaps");
        }
        assert_eq!(latest(sqlite::MIGRATIONS), latest(postgres::MIGRATIONS));
    }
}
