//! The database handle: SQLite (default, one file) or PostgreSQL, chosen from the URL.
//! Connection settings that protect data (WAL, foreign keys, full sync, fsync on PostgreSQL)
//! are enforced here and cannot be turned off by the URL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::{Error, Result};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend. Dropping it without `commit` rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same statement on whichever backend the transaction is on.
/// `|c| body` binds `c` to the backend's `&mut Connection`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// How long a pooled PostgreSQL connection may sit idle and still be used without a ping.
const PROVEN_IDLE: Duration = Duration::from_secs(10);

impl Db {
    /// Connects to `sqlite://path` (created when missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                // SQLx pings a connection as it leaves the pool and again as it comes back: two
                // round trips beside each statement. The one on return proves a connection that
                // was idle a moment ago; only one idle longer (the server may have restarted
                // or dropped it) is pinged before use.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PROVEN_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            let db = Db::Postgres(pool);
            db.refuse_unsafe_postgres().await?;
            Ok(db)
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                // Money must survive power loss; a sales department's write rate allows a full sync.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                // 32 MB of pages per connection (SQLite's default is 2 MB): a million customers'
                // record reads and list walks otherwise re-read hot index pages from the OS.
                .pragma("cache_size", "-32768");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // An embedded database cannot hang up: the ping before each use is a hand-over to
                // the connection's thread and back for nothing.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(Error::UnsafeConfig(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// PostgreSQL with fsync or synchronous_commit off can lose acknowledged payments.
    async fn refuse_unsafe_postgres(&self) -> Result<()> {
        let Db::Postgres(pool) = self else {
            return Ok(());
        };
        for setting in ["fsync", "synchronous_commit"] {
            let sql: &'static str = if setting == "fsync" {
                "SHOW fsync"
            } else {
                "SHOW synchronous_commit"
            };
            let value: String = sqlx::query_scalar(sql).fetch_one(pool).await?;
            if value == "off" {
                return Err(Error::UnsafeConfig(format!(
                    "PostgreSQL has {setting}=off; SalesDesk refuses to run without durable commits"
                )));
            }
        }
        Ok(())
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// The newest migration version applied to this database.
    pub async fn schema_version(&self) -> Result<Option<i64>> {
        const SQL: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
            Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await?,
        })
    }

    /// The newest migration version this binary knows.
    pub fn expected_schema_version(&self) -> i64 {
        let m = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        m.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a read-then-write cannot fail half-way with SQLITE_BUSY.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that only reads: one consistent snapshot for a list and its count.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Integrity checks for `salesdesk check`: the engine's own check plus our invariants.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if let Db::Sqlite(p) = self {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(p)
                .await?;
            problems.extend(rows.into_iter().filter(|r| r != "ok"));
            let fk: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(p)
                    .await?;
            problems.extend(
                fk.into_iter()
                    .map(|(t,)| format!("foreign key violation in {t}")),
            );
        }
        let mut tx = self.begin_read().await?;
        problems.extend(crate::org::invariant_problems(&mut tx).await?);
        problems.extend(crate::users::invariant_problems(&mut tx).await?);
        problems.extend(crate::customers::invariant_problems(&mut tx).await?);
        tx.commit().await?;
        Ok(problems)
    }

    /// Refreshes the query planner's statistics (after bulk loads and imports).
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::query("ANALYZE").execute(p).await?.rows_affected(),
            Db::Postgres(p) => sqlx::query("ANALYZE").execute(p).await?.rows_affected(),
        };
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Pool figures for /metrics: (connections open, idle).
    pub fn pool_stats(&self) -> (u32, usize) {
        match self {
            Db::Sqlite(p) => (p.size(), p.num_idle()),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }
}

/// How PostgreSQL plans a prepared statement ([`Tx::planning`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planning {
    /// Its own choice: with each call's values at first, then once without them when that
    /// plan is expected to cost no more.
    Auto,
    /// Once per connection, without the values: for a statement whose best plan does not
    /// depend on them (a walk of an index in the list's order) and which PostgreSQL would
    /// otherwise plan on every call, as the values change its estimates.
    WithoutValues,
    /// On every call, with the values: for a statement whose plan without them is expected
    /// to cost no more but does (a search's count over a region's units, planned for a
    /// gram's average of entries, reads all of a common word's).
    WithValues,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// PostgreSQL: how the statements that follow in this transaction are planned
    /// (`plan_cache_mode`), until set back to [`Planning::Auto`]. SQLite plans each statement
    /// once per connection whatever this says.
    pub async fn planning(&mut self, planning: Planning) -> Result<()> {
        if let Tx::Postgres(t) = self {
            let set: &'static str = match planning {
                Planning::Auto => "SET LOCAL plan_cache_mode = DEFAULT",
                Planning::WithoutValues => "SET LOCAL plan_cache_mode = force_generic_plan",
                Planning::WithValues => "SET LOCAL plan_cache_mode = force_custom_plan",
            };
            sqlx::query(set).execute(&mut **t).await?;
        }
        Ok(())
    }

    /// Serialises writes that count a user's records before adding one (ownership limits,
    /// daily claim limits): PostgreSQL locks the user's row until commit; SQLite's
    /// `BEGIN IMMEDIATE` already holds the only write lock.
    pub async fn lock_user(&mut self, user_id: uuid::Uuid) -> Result<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_optional(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Reserves `n` consecutive values of a named sequence for a bulk load; returns the first.
    pub async fn reserve_seq(&mut self, name: &str, n: i64) -> Result<i64> {
        const SQL: &str = "INSERT INTO sequences (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = sequences.value + $2 RETURNING value";
        let last: i64 = on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(name)
            .bind(n)
            .fetch_one(c)
            .await?);
        Ok(last - n + 1)
    }

    /// Takes the next value of a named sequence (unit and user numbers; later document numbers).
    pub async fn next_seq(&mut self, name: &str) -> Result<i64> {
        const SQL: &str = "INSERT INTO sequences (name, value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value";
        Ok(on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(name)
            .fetch_one(c)
            .await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The two backends must always be at the same schema version with the same migrations.
    #[test]
    fn migration_sets_match() {
        let names = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
        assert!(SQLITE_MIGRATIONS.iter().count() > 0);
    }
}
