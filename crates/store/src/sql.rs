//! A small statement builder for dynamic filters. SQL text is only ever appended from
//! `&'static str` fragments; every value becomes a `$n` placeholder (which SQLite accepts
//! too), so user input can never become SQL. That is what makes the `AssertSqlSafe` in
//! [`Sql::fetch_all`] and friends true.

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
        }
    }

    pub fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn page(&mut self, page: Page) -> &mut Self {
        self.push(" LIMIT ")
            .bind(Arg::I64(page.limit))
            .push(" OFFSET ")
            .bind(Arg::I64(page.offset))
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
        let Sql { text, args } = self;
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

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub async fn execute(self, tx: &mut Tx) -> crate::Result<u64> {
        let Sql { text, args } = self;
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
        let Sql { text, args } = self;
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
