//! Writing and reading the audit log. Every mutating use case calls [`record`] inside its own
//! transaction, so a change and its audit row commit or roll back together.

use salesdesk_domain::access::Permission;
use salesdesk_store::Tx;
use salesdesk_store::audit::{self, AuditFilter, AuditRow, Named};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

use crate::{Actor, App, AppResult, PageRequest, Paged, RequestMeta, now_ms};

/// Who did it: a signed-in actor, or the system (CLI, start-up, jobs) under a name.
pub enum By<'a> {
    Actor(&'a Actor),
    System(&'static str),
}

// The arguments are the audit row's own columns; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    by: By<'_>,
    meta: &RequestMeta,
    action: &str,
    entity_type: &str,
    entity_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let (actor_id, actor_name) = match by {
        By::Actor(a) => (
            Some(a.user_id),
            format!("{} ({})", a.display_name, a.username),
        ),
        By::System(name) => (None, name.to_owned()),
    };
    fn to_json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap_or_else(|_| "null".into())
    }
    let row = AuditRow {
        id: Uuid::now_v7(),
        at: now_ms(),
        actor_id,
        actor_name,
        action: action.to_owned(),
        entity_type: entity_type.to_owned(),
        entity_id: entity_id.to_string(),
        before_json: before.map(to_json),
        after_json: after.map(to_json),
        request_id: meta.request_id.clone(),
        ip: meta.ip.clone(),
    };
    audit::insert(tx, &row).await?;
    Ok(())
}

/// An audit row with the name of what it is about, when that still exists and has a name.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub row: AuditRow,
    pub entity_name: Option<String>,
}

pub async fn search(
    app: &App,
    actor: &Actor,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Paged<AuditEntry>> {
    actor.require(Permission::AuditView)?;
    let mut tx = app.db.begin_read().await?;
    let (rows, total) = audit::list(&mut tx, &filter, page.to_store()).await?;
    // The names of the page's records, one query per kind.
    let mut wanted: HashMap<Named, Vec<Uuid>> = HashMap::new();
    for r in &rows {
        if let (Some(kind), Ok(id)) = (Named::of(&r.entity_type), r.entity_id.parse::<Uuid>()) {
            wanted.entry(kind).or_default().push(id);
        }
    }
    let mut names: HashMap<(Named, Uuid), String> = HashMap::new();
    for (kind, mut ids) in wanted {
        ids.sort();
        ids.dedup();
        for (id, name) in audit::entity_names(&mut tx, kind, &ids).await? {
            names.insert((kind, id), name);
        }
    }
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let entity_name = Named::of(&row.entity_type)
                .zip(row.entity_id.parse::<Uuid>().ok())
                .and_then(|k| names.get(&k).cloned());
            AuditEntry { row, entity_name }
        })
        .collect();
    Ok(page.paged(items, total))
}
