//! The settings every customer list reads (the customer custom fields, the levels, the 遗忘提醒
//! rules) kept in memory, so a list reads only customers. They change rarely, and every change
//! bumps the auth generation (migration 0028): an entry is served while the generation and
//! this process's clears are what they were when it was read, exactly as a signed-in actor is
//! (`auth_cache`); with the cache off (the generation unread) they are read on every call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use salesdesk_domain::custom_field::FieldDef;

use crate::App;
use crate::auth_cache::Stamp;
use crate::custom_fields::{self, CUSTOMER};
use crate::error::AppResult;

/// What a customer list needs besides customers.
#[derive(Debug)]
pub struct Reference {
    /// The customer custom fields, active and retired (`custom_fields::defs`).
    pub customer_fields: Vec<FieldDef>,
    /// The customer levels' codes, in their order.
    pub levels: Vec<String>,
    /// The 遗忘提醒 rules: (level code or "*", days).
    pub forgotten_rules: Vec<(String, i64)>,
}

#[derive(Default)]
pub struct ReferenceCache {
    entry: Mutex<Option<(Stamp, Arc<Reference>)>>,
    /// Times the settings were read from the database (for tests).
    loads: AtomicU64,
}

impl ReferenceCache {
    /// Times the settings were read from the database so far.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }
}

impl App {
    /// The settings a customer list reads, from memory while they stand.
    pub async fn reference(&self) -> AppResult<Arc<Reference>> {
        // Read before loading: a load a change overtook is never served.
        let stamp = self.auth_cache.stamp();
        if stamp.is_on()
            && let Ok(entry) = self.reference_cache.entry.lock()
            && let Some((at, r)) = entry.as_ref()
            && *at == stamp
        {
            return Ok(r.clone());
        }
        // In a transaction of its own, begun after the stamp: it sees every change the
        // stamp's generation counts.
        let mut tx = self.db.begin_read().await?;
        let r = Arc::new(Reference {
            customer_fields: custom_fields::defs(&mut tx, CUSTOMER).await?,
            levels: salesdesk_store::customers::options(&mut tx)
                .await?
                .into_iter()
                .filter(|o| o.kind == "level")
                .map(|o| o.code)
                .collect(),
            forgotten_rules: salesdesk_store::notifications::forgotten_rules(&mut tx).await?,
        });
        tx.commit().await?;
        self.reference_cache.loads.fetch_add(1, Ordering::Relaxed);
        if stamp.is_on()
            && let Ok(mut entry) = self.reference_cache.entry.lock()
        {
            *entry = Some((stamp, r.clone()));
        }
        Ok(r)
    }
}
