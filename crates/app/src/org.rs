//! The org tree (组织架构): create, rename, move (with a preview of what moves) and delete units.

use salesdesk_domain::access::Permission;
use salesdesk_domain::org::{OrgPath, OrgUnitKind, OrganisingBasis};
use salesdesk_domain::validation::{Checker, required_text};
use salesdesk_store::org::{self, NewUnit, OrgUnitRow};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

pub async fn tree(app: &App, actor: &Actor) -> AppResult<Vec<OrgUnitRow>> {
    actor.require(Permission::OrgView)?;
    let mut tx = app.db.begin_read().await?;
    let units = org::list_all(&mut tx).await?;
    tx.commit().await?;
    Ok(units)
}

pub struct UnitInput {
    pub name: String,
    pub kind: String,
    pub basis: String,
    pub sort_order: i64,
}

struct ParsedUnit {
    name: String,
    kind: OrgUnitKind,
    basis: OrganisingBasis,
}

fn parse(input: &UnitInput) -> AppResult<ParsedUnit> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&input.name, 60));
    let kind = c.check("kind", OrgUnitKind::parse(&input.kind));
    let basis = c.check("basis", OrganisingBasis::parse(&input.basis));
    if kind == Some(OrgUnitKind::Company) {
        c.fail("kind", "org_unit.only_root_is_company");
    }
    if !(0..=1_000_000).contains(&input.sort_order) {
        c.fail("sortOrder", "out_of_range");
    }
    c.finish()?;
    Ok(ParsedUnit {
        name: name.unwrap_or_default(),
        kind: kind.unwrap_or(OrgUnitKind::Team),
        basis: basis.unwrap_or(OrganisingBasis::Territory),
    })
}

pub async fn create(
    app: &App,
    actor: &Actor,
    parent_id: Uuid,
    input: UnitInput,
    meta: &RequestMeta,
) -> AppResult<OrgUnitRow> {
    actor.require(Permission::OrgManage)?;
    let p = parse(&input)?;
    let mut tx = app.db.begin_write().await?;
    let parent = org::get(&mut tx, parent_id)
        .await?
        .ok_or_else(|| salesdesk_domain::Invalid::field("parentId", "org_unit.not_found"))?;
    let seq = tx.next_seq("org_unit").await?;
    let path = OrgPath::parse(&parent.path)
        .map_err(|e| AppError::Internal(e.into()))?
        .child(seq);
    let id = Uuid::now_v7();
    org::insert(
        &mut tx,
        &NewUnit {
            id,
            seq,
            parent_id: Some(parent.id),
            name: &p.name,
            kind: p.kind.as_str(),
            basis: p.basis.as_str(),
            path: &path,
            sort_order: input.sort_order,
            now: now_ms(),
        },
    )
    .await?;
    let row = org::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "org_unit.created",
        "org_unit",
        id,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: UnitInput,
    meta: &RequestMeta,
) -> AppResult<OrgUnitRow> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_write().await?;
    let before = org::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    // The root keeps its kind; everything else may not become a company.
    let p = if before.parent_id.is_none() {
        let mut c = Checker::new();
        let name = c.check("name", required_text(&input.name, 60));
        if input.kind != "company" {
            c.fail("kind", "org_unit.root_is_company");
        }
        let basis = c.check("basis", OrganisingBasis::parse(&input.basis));
        c.finish()?;
        ParsedUnit {
            name: name.unwrap_or_default(),
            kind: OrgUnitKind::Company,
            basis: basis.unwrap_or(OrganisingBasis::Territory),
        }
    } else {
        parse(&input)?
    };
    org::update(
        &mut tx,
        id,
        version,
        &org::UnitChange {
            name: &p.name,
            kind: p.kind.as_str(),
            basis: p.basis.as_str(),
            sort_order: input.sort_order,
        },
        now_ms(),
    )
    .await?;
    let after = org::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "org_unit.updated",
        "org_unit",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What a move would do, for the confirmation dialog.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MovePreview {
    pub unit_name: String,
    pub from_parent: Option<String>,
    pub to_parent: String,
    /// Units that move, the unit itself included.
    pub units: i64,
    /// People (active or not) in the units that move.
    pub people: i64,
}

async fn check_move(
    tx: &mut salesdesk_store::Tx,
    id: Uuid,
    new_parent_id: Uuid,
) -> AppResult<(OrgUnitRow, OrgUnitRow)> {
    let unit = org::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let parent = org::get(tx, new_parent_id)
        .await?
        .ok_or_else(|| salesdesk_domain::Invalid::field("newParentId", "org_unit.not_found"))?;
    if unit.parent_id.is_none() {
        return Err(salesdesk_domain::Invalid::field("id", "org_unit.root_cannot_move").into());
    }
    let unit_path = OrgPath::parse(&unit.path).map_err(|e| AppError::Internal(e.into()))?;
    let parent_path = OrgPath::parse(&parent.path).map_err(|e| AppError::Internal(e.into()))?;
    if unit_path.contains(&parent_path) {
        return Err(salesdesk_domain::Invalid::field(
            "newParentId",
            "org_unit.move_into_own_subtree",
        )
        .into());
    }
    Ok((unit, parent))
}

pub async fn move_preview(
    app: &App,
    actor: &Actor,
    id: Uuid,
    new_parent_id: Uuid,
) -> AppResult<MovePreview> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_read().await?;
    let (unit, parent) = check_move(&mut tx, id, new_parent_id).await?;
    let from = match unit.parent_id {
        Some(p) => org::get(&mut tx, p).await?.map(|u| u.name),
        None => None,
    };
    let (units, people) = org::subtree_counts(
        &mut tx,
        &OrgPath::parse(&unit.path).map_err(|e| AppError::Internal(e.into()))?,
    )
    .await?;
    tx.commit().await?;
    Ok(MovePreview {
        unit_name: unit.name,
        from_parent: from,
        to_parent: parent.name,
        units,
        people,
    })
}

pub async fn move_unit(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    new_parent_id: Uuid,
    meta: &RequestMeta,
) -> AppResult<OrgUnitRow> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_write().await?;
    let (unit, parent) = check_move(&mut tx, id, new_parent_id).await?;
    org::move_subtree(
        &mut tx,
        &unit,
        version,
        &parent,
        Some(actor.user_id),
        now_ms(),
    )
    .await?;
    let after = org::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "org_unit.moved",
        "org_unit",
        id,
        Some(&unit),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    meta: &RequestMeta,
) -> AppResult<()> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_write().await?;
    let before = org::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.version != version {
        return Err(AppError::Stale);
    }
    org::delete_empty(&mut tx, id, version).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "org_unit.deleted",
        "org_unit",
        id,
        Some(&before),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
