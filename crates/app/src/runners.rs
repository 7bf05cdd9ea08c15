//! This process as a runner of background work (imports), and whether the runner a job names
//! is still alive: this process knows its own jobs; another process on this host is alive
//! while its pid is; one on another host while its heartbeat is fresh.

use std::sync::Arc;
use std::time::Duration;

use salesdesk_store::{Tx, runners};
use uuid::Uuid;

use crate::{App, AppResult, now_ms};

/// How often a runner says it is alive, and how long its silence is believed.
const HEARTBEAT: Duration = Duration::from_secs(15);
const SILENT_MS: i64 = 60_000;
/// Jobs from before runners were recorded: running this long without news is over.
const UNNAMED_STALE_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct Runner {
    pub id: Uuid,
    pub host: String,
    pub pid: u32,
}

impl Runner {
    pub fn this_process() -> Arc<Runner> {
        Arc::new(Runner {
            id: Uuid::now_v7(),
            host: host_name(),
            pid: std::process::id(),
        })
    }
}

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Whether a process of this host is running: Some on systems with /proc, None elsewhere.
fn pid_alive(pid: i64) -> Option<bool> {
    std::path::Path::new("/proc/self")
        .exists()
        .then(|| std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Records this process as a runner and keeps its heartbeat while it lives.
pub async fn register(app: &App) -> AppResult<()> {
    let r = app.runner.clone();
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    runners::purge_silent(&mut tx, now - 7 * 24 * 3600 * 1000).await?;
    runners::register(&mut tx, r.id, &r.host, i64::from(r.pid), now).await?;
    tx.commit().await?;
    let db = app.db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HEARTBEAT);
        loop {
            tick.tick().await;
            let beat = async {
                let mut tx = db.begin_write().await?;
                runners::heartbeat(&mut tx, r.id, now_ms()).await?;
                tx.commit().await
            };
            if let Err(e) = beat.await {
                tracing::warn!(error = %e, "runner heartbeat skipped");
            }
        }
    });
    Ok(())
}

/// Whether the runner a job names still runs it. `here` tells whether this process has the
/// job in hand (for a job named by this process's runner).
pub(crate) async fn still_running(
    tx: &mut Tx,
    app: &App,
    runner: Option<Uuid>,
    updated_at: i64,
    here: bool,
) -> AppResult<bool> {
    let now = now_ms();
    let Some(id) = runner else {
        return Ok(updated_at >= now - UNNAMED_STALE_MS);
    };
    if id == app.runner.id {
        return Ok(here);
    }
    let Some(row) = runners::get(tx, id).await? else {
        return Ok(false);
    };
    let fresh = row.heartbeat_at >= now - SILENT_MS;
    Ok(if row.host == app.runner.host {
        pid_alive(row.pid).unwrap_or(fresh)
    } else {
        fresh
    })
}
