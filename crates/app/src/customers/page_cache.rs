//! The lists of customers' pages this server last read (tags, contacts, collaborators,
//! ownership history, custom field values), kept so that a record read reads one row and
//! no lists while they stand. Every change of a list bumps its customer's list revision in
//! the same transaction (migration 0029: triggers on every list table, whichever server or
//! script writes), and the record read's statement returns it with the row: the lists kept
//! here are served only when the database says they are still the same. The names they
//! show (people, field definitions) change with the auth generation, so an entry is also
//! kept only under the stamp it was read under, as a signed-in actor is (`auth_cache`); with
//! that cache off, nothing is kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use salesdesk_store::customers::PageLists;
use uuid::Uuid;

use crate::auth_cache::Stamp;

/// Customers whose lists are kept at most: about 2 KB each, 40 MB in all. When full, the
/// memory starts again empty (a read after that reads its lists once more).
const CAPACITY: usize = 20_000;

struct Entry {
    revision: i64,
    stamp: Stamp,
    lists: Arc<PageLists>,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<Uuid, Entry>>,
    /// Times a record read's lists were read from the database (for tests).
    loads: AtomicU64,
}

impl PageCache {
    /// The revision and lists kept for `customer` if they were read under `stamp`.
    pub(crate) fn get(&self, customer: Uuid, stamp: Stamp) -> Option<(i64, Arc<PageLists>)> {
        if !stamp.is_on() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let e = entries.get(&customer)?;
        (e.stamp == stamp).then(|| (e.revision, e.lists.clone()))
    }

    /// Keeps the lists read at `revision` under `stamp` (read before the statement).
    pub(crate) fn put(&self, customer: Uuid, revision: i64, stamp: Stamp, lists: Arc<PageLists>) {
        self.loads.fetch_add(1, Ordering::Relaxed);
        if !stamp.is_on() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(&customer) {
            entries.clear();
        }
        entries.insert(
            customer,
            Entry {
                revision,
                stamp,
                lists,
            },
        );
    }

    /// Times a record read's lists were read from the database so far.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }
}
