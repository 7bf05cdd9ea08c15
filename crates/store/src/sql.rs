//! A small statement builder for dynamic filters. SQL text is only ever appended from
//! `&'static str` fragments and row counts the builder writes as digits itself; every other
//! value becomes a placeholder, so user input can never become SQL. That is what makes the `AssertSqlSafe` in [`Sql::fetch_all`] and friends true.
//!
//! Placeholders are written when the statement runs, in the backend's own style: `$n` for
//! PostgreSQL, a bare `?` for SQLite. SQLite looks a numbered parameter's name up in a list
//! (`sqlite3_bind_parameter_name` is linear), which made binding a bulk insert's hundreds of
//! `$n` quadratic; bare `?` parameters have no names.

use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use crate::db::Tx;

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    I64(i64),
    Bool(bool),
    Uuid(Uuid),
    OptText(Option<String>),
    OptI64(Option<i64>),
    OptF64(Option<f64>),
    OptUuid(Option<Uuid>),
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Where in `text` each argument's placeholder, or a fragment that differs by backend,
    /// goes, in the order they were appended (so in the order of their places).
    marks: Vec<(usize, Mark)>,
}

#[derive(Debug, Clone, Copy)]
enum Mark {
    /// The next argument's placeholder.
    Hole,
    /// A fragment: SQLite's, PostgreSQL's.
    Dialect(&'static str, &'static str),
    /// The next argument, a row count: its placeholder on SQLite, its digits on PostgreSQL.
    Rows,
}

/// A page of a list: how many rows and from where. The limit is capped by the caller's rules.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Sql {
    pub fn new(text: &'static str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// Appends a fragment written differently for each backend (the dialect's few cases: a
    /// collation's name, say), chosen when the statement runs.
    pub fn push_dialect(&mut self, sqlite: &'static str, postgres: &'static str) -> &mut Self {
        self.marks
            .push((self.text.len(), Mark::Dialect(sqlite, postgres)));
        self
    }

    pub fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends how many rows a page or a walk takes (in its `LIMIT`, `OFFSET`): a placeholder on
    /// SQLite, a number in the text on PostgreSQL. PostgreSQL runs a prepared statement with
    /// a plan made without its values (made once) only when that plan's estimated cost is no
    /// higher than the plans made with them (made on every run); under `LIMIT $n` it assumes
    /// a tenth of the rows, so a page's walk never qualified and was planned on every run
    /// (planning 1-2 ms, running 0.2-0.4). Each number is another statement to prepare;
    /// pages are few. A count's cap stays a placeholder: there the tenth is what lets the
    /// count keep one plan.
    fn push_rows(&mut self, n: i64) -> &mut Self {
        self.args.push(Arg::I64(n));
        self.marks.push((self.text.len(), Mark::Rows));
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.marks.push((self.text.len(), Mark::Hole));
        self
    }

    /// The statement's text with placeholders in `backend`'s style, and its arguments.
    fn into_parts(self, backend: crate::Backend) -> (String, Vec<Arg>) {
        use std::fmt::Write;
        let Sql { text, args, marks } = self;
        let mut out = String::with_capacity(text.len() + marks.len() * 4);
        let mut bound = Vec::with_capacity(args.len());
        let mut args = args.into_iter();
        let (mut from, mut n) = (0, 0);
        for (at, mark) in marks {
            out.push_str(&text[from..at]);
            match (mark, backend) {
                (Mark::Dialect(lite, _), crate::Backend::Sqlite) => out.push_str(lite),
                (Mark::Dialect(_, pg), crate::Backend::Postgres) => out.push_str(pg),
                (Mark::Hole | Mark::Rows, crate::Backend::Sqlite) => {
                    out.push('?');
                    bound.extend(args.next());
                }
                (Mark::Hole, crate::Backend::Postgres) => {
                    n += 1;
                    let _ = write!(out, "${n}");
                    bound.extend(args.next());
                }
                (Mark::Rows, crate::Backend::Postgres) => {
                    if let Some(Arg::I64(rows)) = args.next() {
                        let _ = write!(out, "{rows}");
                    }
                }
            }
            from = at;
        }
        out.push_str(&text[from..]);
        (out, bound)
    }

    /// Closes an `EXISTS (…` probe so that it stays a probe, tested for each row as it comes:
    /// SQLite (3.51) would turn it into a join driven from the probed index (every customer
    /// with a common value, sorted), unless it has a `LIMIT`; PostgreSQL ignores a `LIMIT 1`
    /// there and makes it a semi-join or, inside an OR, hashes every entry of the probed
    /// value (83,000 for 科技: 88 ms for a page of 20), unless it has an `OFFSET`.
    pub fn close_probe(&mut self) -> &mut Self {
        self.push_dialect(" LIMIT 1)", " OFFSET 0)")
    }

    /// Appends ` LIMIT n` (see [`Sql::push_rows`] for how `n` is written).
    pub fn limit(&mut self, rows: i64) -> &mut Self {
        self.push(" LIMIT ").push_rows(rows)
    }

    pub fn page(&mut self, page: Page) -> &mut Self {
        self.limit(page.limit)
            .push(" OFFSET ")
            .push_rows(page.offset)
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::I64(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Uuid(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::OptI64(v) => q.bind(v),
                Arg::OptF64(v) => q.bind(v),
                Arg::OptUuid(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Sql {
    pub async fn fetch_all<R>(self, tx: &mut Tx) -> crate::Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let (text, args) = self.into_parts(tx.backend());
        Ok(match tx {
            Tx::Sqlite(t) => {
                bind_all!(sqlx::query_as::<_, R>(AssertSqlSafe(text)), args)
                    .fetch_all(&mut **t)
                    .await?
            }
            Tx::Postgres(t) => {
                bind_all!(sqlx::query_as::<_, R>(AssertSqlSafe(text)), args)
                    .fetch_all(&mut **t)
                    .await?
            }
        })
    }

    /// Runs one statement outside a transaction, on a connection of the pool: for a read
    /// that is a single statement, which is its own snapshot on both databases, so the
    /// `BEGIN` and `COMMIT` round trips are saved.
    pub async fn fetch_optional_on<R>(self, db: &crate::Db) -> crate::Result<Option<R>>
    where
        R: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let (text, args) = self.into_parts(db.backend());
        Ok(match db {
            crate::Db::Sqlite(p) => {
                bind_all!(sqlx::query_as::<_, R>(AssertSqlSafe(text)), args)
                    .fetch_optional(p)
                    .await?
            }
            crate::Db::Postgres(p) => {
                bind_all!(sqlx::query_as::<_, R>(AssertSqlSafe(text)), args)
                    .fetch_optional(p)
                    .await?
            }
        })
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub async fn execute(self, tx: &mut Tx) -> crate::Result<u64> {
        let (text, args) = self.into_parts(tx.backend());
        Ok(match tx {
            Tx::Sqlite(t) => bind_all!(sqlx::query(AssertSqlSafe(text)), args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Tx::Postgres(t) => bind_all!(sqlx::query(AssertSqlSafe(text)), args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    /// Appends `(…, …)` with one placeholder per id, for `IN` lists.
    pub fn bind_uuids(&mut self, ids: &[Uuid]) -> &mut Self {
        self.push("(");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Arg::Uuid(*id));
        }
        self.push(")")
    }

    /// Appends `(…, …)` with one placeholder per string, for `IN` lists.
    pub fn bind_texts(&mut self, items: &[String]) -> &mut Self {
        self.push("(");
        for (i, t) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Arg::Text(t.clone()));
        }
        self.push(")")
    }

    pub async fn fetch_count(self, tx: &mut Tx) -> crate::Result<i64> {
        let (text, args) = self.into_parts(tx.backend());
        Ok(match tx {
            Tx::Sqlite(t) => {
                bind_all!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(text)), args)
                    .fetch_one(&mut **t)
                    .await?
            }
            Tx::Postgres(t) => {
                bind_all!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(text)), args)
                    .fetch_one(&mut **t)
                    .await?
            }
        })
    }
}

/// Where a table keeps the columns a data scope filters on.
pub struct ScopeColumns {
    /// The user who owns the record (for the users table: the user's own id).
    pub owner: &'static str,
    /// The org unit the record belongs to.
    pub unit: &'static str,
}

/// Appends ` AND <condition>` restricting rows to a [`RecordScope`]. Every scoped query calls
/// this; "this unit and below" and "me and my reports" are one index range each.
pub fn push_scope(
    sql: &mut Sql,
    scope: &salesdesk_domain::access::RecordScope,
    cols: &ScopeColumns,
) {
    use salesdesk_domain::access::RecordScope as S;
    match scope {
        S::All => {}
        S::UnitSubtree(path) => {
            let (lo, hi) = path.subtree_range();
            sql.push(" AND ")
                .push(cols.unit)
                .push(" IN (SELECT id FROM org_units WHERE path >= ");
            sql.bind(Arg::Text(lo))
                .push(" AND path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        S::Unit(id) => {
            sql.push(" AND ")
                .push(cols.unit)
                .push(" = ")
                .bind(Arg::Uuid(*id));
        }
        S::ReportLine(path) => {
            let (lo, hi) = path.subtree_range();
            sql.push(" AND ")
                .push(cols.owner)
                .push(" IN (SELECT id FROM users WHERE report_path >= ");
            sql.bind(Arg::Text(lo))
                .push(" AND report_path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        S::Own(id) => {
            sql.push(" AND ")
                .push(cols.owner)
                .push(" = ")
                .bind(Arg::Uuid(*id));
        }
    }
}

/// A LIKE pattern matching `needle` anywhere, with LIKE's wildcards escaped (use `ESCAPE '\'`).
pub fn contains_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for ch in needle.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;

    #[test]
    fn placeholders_are_written_in_each_backends_style() {
        let mut sql = Sql::new("SELECT id FROM t WHERE a = ");
        sql.bind(Arg::I64(1))
            .push(" AND b IN ")
            .bind_texts(&["x".into(), "y".into()]);
        let (pg, args) = sql.clone().into_parts(Backend::Postgres);
        assert_eq!(pg, "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(args.len(), 3);
        let (lite, _) = sql.into_parts(Backend::Sqlite);
        assert_eq!(lite, "SELECT id FROM t WHERE a = ? AND b IN (?, ?)");
    }

    #[test]
    fn dialect_fragments_take_their_place_among_the_placeholders() {
        let mut sql = Sql::new("SELECT id FROM t WHERE n >= ");
        sql.bind(Arg::Text("a".into()))
            .push_dialect(" COLLATE BINARY", " COLLATE \"C\"")
            .push(" AND m = ")
            .bind(Arg::I64(2));
        let (pg, _) = sql.clone().into_parts(Backend::Postgres);
        assert_eq!(
            pg,
            "SELECT id FROM t WHERE n >= $1 COLLATE \"C\" AND m = $2"
        );
        let (lite, _) = sql.into_parts(Backend::Sqlite);
        assert_eq!(
            lite,
            "SELECT id FROM t WHERE n >= ? COLLATE BINARY AND m = ?"
        );
    }

    #[test]
    fn row_counts_are_digits_on_postgresql_and_placeholders_on_sqlite() {
        let mut sql = Sql::new("SELECT id FROM t WHERE a = ");
        sql.bind(Arg::I64(7))
            .push(" ORDER BY id")
            .page(Page {
                limit: 20,
                offset: 40,
            })
            .push(" -- ")
            .bind(Arg::Text("z".into()));
        let (pg, args) = sql.clone().into_parts(Backend::Postgres);
        assert_eq!(
            pg,
            "SELECT id FROM t WHERE a = $1 ORDER BY id LIMIT 20 OFFSET 40 -- $2"
        );
        assert!(matches!(args.as_slice(), [Arg::I64(7), Arg::Text(z)] if z == "z"));
        let (lite, args) = sql.into_parts(Backend::Sqlite);
        assert_eq!(
            lite,
            "SELECT id FROM t WHERE a = ? ORDER BY id LIMIT ? OFFSET ? -- ?"
        );
        assert!(matches!(
            args.as_slice(),
            [Arg::I64(7), Arg::I64(20), Arg::I64(40), Arg::Text(z)] if z == "z"
        ));
    }
}
