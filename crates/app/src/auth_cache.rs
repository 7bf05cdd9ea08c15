//! Signed-in actors kept in memory, so a request needs no query to know who sends it. An entry
//! is good while the database's auth generation (bumped by triggers on every change to
//! sessions, accounts, roles, grants or the org tree) is what it was when the entry was made,
//! and while this process has not cleared the cache since (it clears after each change it
//! makes). [`run_generation_watch`] reads the generation every [`WATCH_EVERY`], so another
//! instance's change reaches this one within that; without the watch the cache is off.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use uuid::Uuid;

use crate::{Actor, App};

/// How often the generation is read from the database.
pub const WATCH_EVERY: Duration = Duration::from_millis(200);
/// Entries kept at most; beyond, the cache starts again.
const MAX_ENTRIES: usize = 20_000;

#[derive(Clone)]
struct Entry {
    actor: Actor,
    session_id: Uuid,
    last_seen_at: i64,
    absolute_expires_at: i64,
    generation: i64,
    epoch: i64,
}

/// What a caller reads before loading an actor, and hands back with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    generation: i64,
    epoch: i64,
}

impl Stamp {
    /// Whether the generation had been read: what is loaded under this stamp may be kept.
    pub fn is_on(&self) -> bool {
        self.generation >= 0
    }
}

pub struct AuthCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// The database's generation as last read; -1 before the first read (cache off).
    generation: AtomicI64,
    /// Bumped by every clear in this process.
    epoch: AtomicI64,
    /// Requests answered from memory (for metrics and tests).
    hits: AtomicU64,
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache {
            entries: Mutex::new(HashMap::new()),
            generation: AtomicI64::new(-1),
            epoch: AtomicI64::new(0),
            hits: AtomicU64::new(0),
        }
    }
}

/// A session's actor from the cache.
pub struct Hit {
    pub actor: Actor,
    pub session_id: Uuid,
    pub last_seen_at: i64,
}

impl AuthCache {
    /// Read before loading an actor from the database: an entry made from a load that a
    /// change overtook is never served.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.generation.load(Ordering::Acquire),
            epoch: self.epoch.load(Ordering::Acquire),
        }
    }

    /// The actor of the session whose token hashes to `hash`, if cached, current and live.
    pub fn get(&self, hash: &str, now: i64, idle_ms: i64) -> Option<Hit> {
        let s = self.stamp();
        if s.generation < 0 {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let e = entries.get(hash)?;
        let current = e.generation == s.generation && e.epoch == s.epoch;
        let live = now < e.absolute_expires_at && now < e.last_seen_at + idle_ms;
        if current && live {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        (current && live).then(|| Hit {
            actor: e.actor.clone(),
            session_id: e.session_id,
            last_seen_at: e.last_seen_at,
        })
    }

    pub fn put(
        &self,
        hash: String,
        actor: &Actor,
        session_id: Uuid,
        last_seen_at: i64,
        absolute_expires_at: i64,
        stamp: Stamp,
    ) {
        if stamp.generation < 0 {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                hash,
                Entry {
                    actor: actor.clone(),
                    session_id,
                    last_seen_at,
                    absolute_expires_at,
                    generation: stamp.generation,
                    epoch: stamp.epoch,
                },
            );
        }
    }

    /// A session's idle timer moved on (its touch was written).
    pub fn touched(&self, hash: &str, at: i64) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(e) = entries.get_mut(hash)
        {
            e.last_seen_at = e.last_seen_at.max(at);
        }
    }

    /// Whether entries are served: the generation has been read.
    pub fn is_on(&self) -> bool {
        self.generation.load(Ordering::Acquire) >= 0
    }

    /// Requests answered from memory so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Forgets every entry: this process changed something (a sign-out, a role, a person).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn set_generation(&self, g: i64) {
        if self.generation.swap(g, Ordering::AcqRel) != g {
            self.clear();
        }
    }
}

/// Reads the auth generation every [`WATCH_EVERY`] for as long as the process runs (the
/// server starts it); the cache is on from the first read.
pub async fn run_generation_watch(app: App) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let read = async {
            let mut tx = app.db.begin_read().await?;
            let g = salesdesk_store::sessions::auth_generation(&mut tx).await?;
            tx.commit().await?;
            Ok::<i64, salesdesk_store::Error>(g)
        };
        match read.await {
            Ok(g) => app.auth_cache.set_generation(g),
            Err(e) => {
                // Unknown: nothing cached is trusted until the database answers again.
                app.auth_cache.generation.store(-1, Ordering::Release);
                app.auth_cache.clear();
                tracing::warn!(error = %e, "auth generation unread; sign-ins are not cached");
            }
        }
    }
}
