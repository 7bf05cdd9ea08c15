//! Saved views (保存的视图): a user keeps named filters, sort and columns of a list and opens
//! the list with one of them. Views are personal: nobody else can read, change or delete them
//! (another user's view is "not found") — except 公共视图, which an administrator
//! (customers.settings) shares with everyone who uses the list. Those are listed to all and
//! changed only by their owner. Every view is replayed within its reader's own data scope,
//! so sharing one shares filters, never records.

use std::collections::BTreeMap;

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::saved_view::{MAX_VIEWS, ViewKind, ViewSpec, check_view};
use salesdesk_store::Tx;
use salesdesk_store::saved_views::{self as store, SavedViewRow, ViewFields};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

/// A view as its owner sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SavedView {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub kind: String,
    pub name: String,
    pub query: BTreeMap<String, String>,
    pub columns: Vec<String>,
    pub is_default: bool,
    pub shared: bool,
    pub updated_at: i64,
    pub version: i64,
}

impl From<SavedViewRow> for SavedView {
    fn from(r: SavedViewRow) -> Self {
        SavedView {
            id: r.id,
            owner_id: r.user_id,
            shared: r.shared,
            kind: r.kind,
            name: r.name,
            query: serde_json::from_str(&r.query_json).unwrap_or_default(),
            columns: serde_json::from_str(&r.columns_json).unwrap_or_default(),
            is_default: r.is_default,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// What a user asks to save.
pub struct ViewInput {
    pub kind: String,
    pub name: String,
    pub query: BTreeMap<String, String>,
    pub columns: Vec<String>,
    pub is_default: bool,
    pub shared: bool,
}

/// The list a view belongs to, and the right to use that list at all.
fn kind_of(actor: &Actor, kind: &str) -> AppResult<ViewKind> {
    let kind = ViewKind::parse(kind).map_err(|code| Invalid::field("kind", code))?;
    match kind {
        ViewKind::Customers => actor.require(Permission::CustomersView)?,
    }
    Ok(kind)
}

fn checked(actor: &Actor, input: ViewInput) -> AppResult<(ViewKind, ViewSpec, bool)> {
    let kind = kind_of(actor, &input.kind)?;
    if input.shared {
        actor.require(Permission::CustomersSettings)?;
    }
    let spec = check_view(kind, &input.name, input.query, input.columns)?;
    Ok((kind, spec, input.is_default))
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub async fn mine(app: &App, actor: &Actor, kind: &str) -> AppResult<Vec<SavedView>> {
    let kind = kind_of(actor, kind)?;
    let mut tx = app.db.begin_read().await?;
    let rows = store::of_user(&mut tx, actor.user_id, kind.as_str()).await?;
    tx.commit().await?;
    // "Default" is the owner's choice: another's shared view is never the reader's default.
    Ok(rows
        .into_iter()
        .map(SavedView::from)
        .map(|v| SavedView {
            is_default: v.is_default && v.owner_id == actor.user_id,
            ..v
        })
        .collect())
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: ViewInput,
    meta: &RequestMeta,
) -> AppResult<SavedView> {
    let shared = input.shared;
    let (kind, spec, is_default) = checked(actor, input)?;
    let mut tx = app.db.begin_write().await?;
    // The count is per user: lock the user so two saves at once cannot both pass it.
    tx.lock_user(actor.user_id).await?;
    if store::count(&mut tx, actor.user_id, kind.as_str()).await? >= MAX_VIEWS {
        return Err(Invalid::field("name", "view.too_many").into());
    }
    if is_default {
        store::clear_default(&mut tx, actor.user_id, kind.as_str()).await?;
    }
    let id = Uuid::now_v7();
    let (query, columns) = (json(&spec.query), json(&spec.columns));
    let fields = ViewFields {
        name: &spec.name,
        query_json: &query,
        columns_json: &columns,
        is_default,
        shared,
    };
    store::insert(&mut tx, id, actor.user_id, kind.as_str(), &fields, now_ms()).await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "view.created",
        "saved_view",
        id,
        None::<&()>,
        Some(&SavedView::from(row.clone())),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// The caller's own view. Another's shared view is theirs to change (forbidden); any other
/// view does not exist for the caller.
async fn own(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<SavedViewRow> {
    match store::get(tx, id).await? {
        Some(v) if v.user_id == actor.user_id => Ok(v),
        Some(v) if v.shared => Err(AppError::Forbidden),
        _ => Err(AppError::NotFound),
    }
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: ViewInput,
    meta: &RequestMeta,
) -> AppResult<SavedView> {
    let shared = input.shared;
    let (kind, spec, is_default) = checked(actor, input)?;
    let mut tx = app.db.begin_write().await?;
    let before = own(&mut tx, actor, id).await?;
    if before.kind != kind.as_str() {
        return Err(Invalid::field("kind", "view.kind_fixed").into());
    }
    if before.version != version {
        return Err(AppError::Stale);
    }
    if is_default && !before.is_default {
        store::clear_default(&mut tx, actor.user_id, kind.as_str()).await?;
    }
    let (query, columns) = (json(&spec.query), json(&spec.columns));
    let fields = ViewFields {
        name: &spec.name,
        query_json: &query,
        columns_json: &columns,
        is_default,
        shared,
    };
    store::update(&mut tx, id, version, &fields, now_ms()).await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "view.updated",
        "saved_view",
        id,
        Some(&SavedView::from(before)),
        Some(&SavedView::from(row.clone())),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn delete(app: &App, actor: &Actor, id: Uuid, meta: &RequestMeta) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let before = own(&mut tx, actor, id).await?;
    store::delete(&mut tx, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "view.deleted",
        "saved_view",
        id,
        Some(&SavedView::from(before)),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
