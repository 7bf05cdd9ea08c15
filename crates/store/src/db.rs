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
            // Before any pooled connection loads the schema (and with it the statistics).
            let mut first =
                <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts).await?;
            without_value_samples(&mut first).await?;
            sqlx::Connection::close(first).await?;
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

    /// Refreshes the query planner's statistics (after bulk loads and imports). SQLite keeps
    /// the per-index figures and not the samples of values (see [`without_value_samples`]),
    /// dropped in the same transaction so no connection ever loads them.
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => {
                let mut conn = p.acquire().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::query("ANALYZE").execute(&mut *tx).await?;
                sqlx::query("DELETE FROM sqlite_stat4")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                // This connection reads the statistics again (others at their next schema load).
                sqlx::query("ANALYZE sqlite_schema")
                    .execute(&mut *conn)
                    .await?;
            }
            Db::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
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

/// Drops SQLite's samples of indexed values (`sqlite_stat4`, written by `ANALYZE` as the bundled
/// SQLite is built with STAT4), keeping the per-index figures (`sqlite_stat1`). With samples,
/// SQLite prepares a statement again whenever a value bound to an indexed column changes, so
/// every record read and list statement was parsed and planned on every call: a record read
/// ran at half the rate (docs/benchmarks.md). The plans that depend on a value name their
/// index (`INDEXED BY`) or are chosen in Rust from counts.
async fn without_value_samples(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    let samples: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if samples {
        sqlx::query("DELETE FROM sqlite_stat4")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
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

    // SQLite prepares a statement again on every new value bound to an indexed column while
    // it holds samples of values: none are kept, after our ANALYZE or one run before.
    #[tokio::test]
    async fn sqlite_keeps_no_samples_of_values() {
        let path =
            std::env::temp_dir().join(format!("salesdesk-stat4-{}.db", uuid::Uuid::now_v7()));
        let url = format!("sqlite://{}", path.display());
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite(p) = &db else { unreachable!() };
        sqlx::query("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL)")
            .execute(p)
            .await
            .unwrap();
        sqlx::query("CREATE INDEX ix_t_b ON t(b)")
            .execute(p)
            .await
            .unwrap();
        sqlx::query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t (a, b) SELECT i, 'v' || (i % 7) FROM n")
            .execute(p).await.unwrap();
        let count = |table: &'static str| {
            let p = p.clone();
            async move {
                let sql = format!("SELECT COUNT(*) FROM {table}");
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&p)
                    .await
                    .unwrap()
            }
        };
        db.analyze().await.unwrap();
        assert!(
            count("sqlite_stat1").await > 0,
            "the per-index figures are kept"
        );
        assert_eq!(count("sqlite_stat4").await, 0);
        // A database analysed by an earlier version: its samples go as it is opened.
        sqlx::query("ANALYZE").execute(p).await.unwrap();
        assert!(
            count("sqlite_stat4").await > 0,
            "SQLite is built with STAT4"
        );
        db.close().await;
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite(p) = &db else { unreachable!() };
        let samples: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat4")
            .fetch_one(p)
            .await
            .unwrap();
        assert_eq!(samples, 0);
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
