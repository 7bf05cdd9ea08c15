//! Writing and reading the audit log. Every mutating use case calls [`record`] inside its own
//! transaction, so a change and its audit row commit or roll back together.

use salesdesk_domain::access::Permission;
use salesdesk_store::Tx;
use salesdesk_store::audit::{self, AuditFilter, AuditRow};
use serde::Serialize;
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

pub async fn search(
    app: &App,
    actor: &Actor,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Paged<AuditRow>> {
    actor.require(Permission::AuditView)?;
    let mut tx = app.db.begin_read().await?;
    let (items, total) = audit::list(&mut tx, &filter, page.to_store()).await?;
    tx.commit().await?;
    Ok(page.paged(items, total))
}
