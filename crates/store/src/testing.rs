//! Test databases for every crate's tests: a fresh SQLite file, and a fresh PostgreSQL
//! database on a server from `SALESDESK_TEST_PG_URL` or, failing that, a throwaway cluster
//! this process starts with initdb/pg_ctl. With `CI=true` a missing PostgreSQL fails the test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use uuid::Uuid;

use crate::Db;

/// A fresh, migrated SQLite database in its own temporary file.
pub async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join("salesdesk-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{}.db", Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    db
}

/// A fresh, migrated PostgreSQL database, or None (with a loud message) when no server can be had
/// outside CI.
pub async fn postgres() -> Option<Db> {
    let Some(admin_url) = server_url() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but no PostgreSQL: set SALESDESK_TEST_PG_URL or install postgresql (initdb, pg_ctl)"
            );
        }
        eprintln!(
            "!!! SKIPPING the PostgreSQL half of this test: no SALESDESK_TEST_PG_URL and no initdb found !!!"
        );
        return None;
    };
    let name = format!("sdtest_{}", Uuid::now_v7().simple());
    let admin = Db::connect(&admin_url)
        .await
        .expect("connect to test PostgreSQL");
    if let Db::Postgres(p) = &admin {
        // The name is ours (hex digits only), not input: identifiers cannot be bound.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(p)
            .await
            .expect("create test database");
    }
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let db = Db::connect(&url).await.expect("connect to test database");
    db.migrate().await.expect("migrate postgres");
    Some(db)
}

/// The URL of a database on the test server (None without one).
pub fn url_of(name: &str) -> Option<String> {
    server_url().map(|u| with_database(&u, name))
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn server_url() -> Option<String> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| {
        std::env::var("SALESDESK_TEST_PG_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(start_throwaway_cluster)
    })
    .clone()
}

fn pg_bin_dir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .collect();
    found.sort();
    found.into_iter().rev().find(|d| d.join("initdb").exists())
}

/// Starts a private cluster on a free loopback port. It lives in a temporary directory and is
/// stopped by a watcher shell when this test process exits.
fn start_throwaway_cluster() -> Option<String> {
    let bin = pg_bin_dir()?;
    let dir = std::env::temp_dir().join(format!("salesdesk-pg-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).ok()?;
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| o.stdout.starts_with(b"0\n"));
    // initdb and postgres refuse to run as root: run them as the postgres user.
    let as_pg = |prog: &str| {
        let mut c = if is_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin.join(prog));
            c
        } else {
            Command::new(bin.join(prog))
        };
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    if is_root {
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .ok()?;
    }
    let data = dir.join("data");
    let ok = as_pg("initdb")
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .status()
        .ok()?;
    if !ok.success() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB",
        dir.display()
    );
    let started = as_pg("pg_ctl")
        .args(["-D"])
        .arg(&data)
        .args(["-o", &opts, "-l"])
        .arg(dir.join("log"))
        .args(["-w", "start"])
        .status()
        .ok()?;
    if !started.success() {
        return None;
    }
    let stop = if is_root {
        format!(
            "runuser -u postgres -- {} -D {} -m immediate stop",
            bin.join("pg_ctl").display(),
            data.display()
        )
    } else {
        format!(
            "{} -D {} -m immediate stop",
            bin.join("pg_ctl").display(),
            data.display()
        )
    };
    let me = std::process::id();
    let watcher = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
        dir.display()
    );
    Command::new("sh")
        .args(["-c", &watcher])
        .stdin(std::process::Stdio::null())
        .spawn()
        .ok()?;
    Some(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_dbs!(async fn name(db) { ... });`
#[macro_export]
macro_rules! both_dbs {
    ($(async fn $name:ident($db:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test]
                async fn sqlite() {
                    let $db = $crate::testing::sqlite().await;
                    $body
                }
                #[tokio::test]
                async fn postgres() {
                    let Some($db) = $crate::testing::postgres().await else { return };
                    $body
                }
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_database_replaces_the_path() {
        assert_eq!(
            super::with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
    }
}
