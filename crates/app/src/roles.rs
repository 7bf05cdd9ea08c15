//! Roles (角色) and positions (岗位). A role grants permissions and a data scope per module;
//! nobody can create or edit a role to grant more than they hold themselves.

use salesdesk_domain::access::{DataScope, Grants, Permission, ScopeModule};
use salesdesk_domain::validation::{Checker, optional_text, required_text};
use salesdesk_store::roles::{self, NewPosition, NewRole, PositionRow, RoleWithGrants};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

pub(crate) fn grants_from_rows(perms: &[String], scopes: &[(String, String)]) -> Grants {
    let mut g = Grants::default();
    g.permissions
        .extend(perms.iter().filter_map(|p| Permission::parse(p).ok()));
    for (m, s) in scopes {
        if let (Ok(m), Ok(s)) = (ScopeModule::parse(m), DataScope::parse(s)) {
            g.scopes.insert(m, s);
        }
    }
    g
}

/// Roles are listed to those who edit roles and to those who assign them to people.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<RoleWithGrants>> {
    if !(actor.grants.has(Permission::RolesView) || actor.grants.has(Permission::PeopleManage)) {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_read().await?;
    let r = roles::list(&mut tx).await?;
    tx.commit().await?;
    Ok(r)
}

pub struct RoleInput {
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    /// module -> scope
    pub scopes: Vec<(String, String)>,
}

struct ParsedRole {
    name: String,
    name_en: String,
    description: String,
    grants: Grants,
}

fn parse(actor: &Actor, input: &RoleInput) -> AppResult<ParsedRole> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&input.name, 40));
    let name_en = c
        .check("nameEn", optional_text(input.name_en.as_deref(), 60))
        .flatten();
    let description = c
        .check(
            "description",
            optional_text(input.description.as_deref(), 500),
        )
        .flatten();
    let mut grants = Grants::default();
    for p in &input.permissions {
        match Permission::parse(p) {
            Ok(p) => {
                grants.permissions.insert(p);
            }
            Err(_) => c.fail("permissions", "permission.unknown"),
        }
    }
    for (m, s) in &input.scopes {
        match (ScopeModule::parse(m), DataScope::parse(s)) {
            (Ok(m), Ok(s)) => {
                grants.scopes.insert(m, s);
            }
            _ => c.fail("scopes", "scope.invalid"),
        }
    }
    if !actor.grants.covers(&grants) {
        c.fail("permissions", "role.exceeds_own_grants");
    }
    c.finish()?;
    let name = name.unwrap_or_default();
    Ok(ParsedRole {
        name_en: name_en.unwrap_or_else(|| name.clone()),
        name,
        description: description.unwrap_or_default(),
        grants,
    })
}

fn grant_codes(g: &Grants) -> (Vec<&'static str>, Vec<(&'static str, &'static str)>) {
    (
        g.permissions.iter().map(|p| p.as_str()).collect(),
        g.scopes
            .iter()
            .map(|(m, s)| (m.as_str(), s.as_str()))
            .collect(),
    )
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: RoleInput,
    meta: &RequestMeta,
) -> AppResult<RoleWithGrants> {
    actor.require(Permission::RolesManage)?;
    let p = parse(actor, &input)?;
    let id = Uuid::now_v7();
    let code = format!("custom_{}", id.simple());
    let mut tx = app.db.begin_write().await?;
    roles::insert(
        &mut tx,
        &NewRole {
            id,
            code: &code,
            name: &p.name,
            name_en: &p.name_en,
            description: &p.description,
            builtin: false,
            locked: false,
            now: now_ms(),
        },
    )
    .await?;
    let (perms, scopes) = grant_codes(&p.grants);
    roles::set_grants(&mut tx, id, &perms, &scopes).await?;
    let after = roles::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "role.created",
        "role",
        id,
        None::<&()>,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: RoleInput,
    meta: &RequestMeta,
) -> AppResult<RoleWithGrants> {
    actor.require(Permission::RolesManage)?;
    let p = parse(actor, &input)?;
    let mut tx = app.db.begin_write().await?;
    let before = roles::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.role.locked {
        return Err(AppError::Conflict("role.locked"));
    }
    // Editing a role changes what everyone holding it may do: the editor must already hold
    // what it grants now too, or they could strip a more powerful role.
    if !actor
        .grants
        .covers(&grants_from_rows(&before.permissions, &before.scopes))
    {
        return Err(AppError::Forbidden);
    }
    roles::update(
        &mut tx,
        id,
        version,
        &p.name,
        &p.name_en,
        &p.description,
        now_ms(),
    )
    .await?;
    let (perms, scopes) = grant_codes(&p.grants);
    roles::set_grants(&mut tx, id, &perms, &scopes).await?;
    let after = roles::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "role.updated",
        "role",
        id,
        Some(&before),
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
    actor.require(Permission::RolesManage)?;
    let mut tx = app.db.begin_write().await?;
    let before = roles::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.role.builtin {
        return Err(AppError::Conflict("role.builtin"));
    }
    if before.role.version != version {
        return Err(AppError::Stale);
    }
    roles::delete_unused(&mut tx, id, version).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "role.deleted",
        "role",
        id,
        Some(&before),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Positions are listed to anyone who can see the org or the people in it.
pub async fn positions(app: &App, actor: &Actor) -> AppResult<Vec<PositionRow>> {
    if ![Permission::OrgView, Permission::PeopleView]
        .iter()
        .any(|p| actor.grants.has(*p))
    {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_read().await?;
    let p = roles::list_positions(&mut tx).await?;
    tx.commit().await?;
    Ok(p)
}

pub struct PositionInput {
    pub name: String,
    pub name_en: Option<String>,
    pub default_role_id: Option<Uuid>,
    pub active: bool,
}

async fn check_position(
    tx: &mut salesdesk_store::Tx,
    actor: &Actor,
    input: &PositionInput,
) -> AppResult<(String, String)> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&input.name, 40));
    let name_en = c
        .check("nameEn", optional_text(input.name_en.as_deref(), 60))
        .flatten();
    if let Some(r) = input.default_role_id {
        match roles::get(tx, r).await? {
            None => c.fail("defaultRoleId", "role.not_found"),
            Some(role)
                if !actor
                    .grants
                    .covers(&grants_from_rows(&role.permissions, &role.scopes)) =>
            {
                c.fail("defaultRoleId", "role.exceeds_own_grants")
            }
            Some(_) => {}
        }
    }
    c.finish()?;
    let name = name.unwrap_or_default();
    Ok((name_en.unwrap_or_else(|| name.clone()), name))
}

pub async fn create_position(
    app: &App,
    actor: &Actor,
    input: PositionInput,
    meta: &RequestMeta,
) -> AppResult<PositionRow> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_write().await?;
    let (name_en, name) = check_position(&mut tx, actor, &input).await?;
    let id = Uuid::now_v7();
    let code = format!("custom_{}", id.simple());
    let sort = roles::list_positions(&mut tx)
        .await?
        .iter()
        .map(|p| p.sort_order)
        .max()
        .unwrap_or(0)
        + 10;
    roles::insert_position(
        &mut tx,
        &NewPosition {
            id,
            code: &code,
            name: &name,
            name_en: &name_en,
            default_role_id: input.default_role_id,
            sort_order: sort,
            now: now_ms(),
        },
    )
    .await?;
    let after = roles::get_position(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "position.created",
        "position",
        id,
        None::<&()>,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update_position(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: PositionInput,
    meta: &RequestMeta,
) -> AppResult<PositionRow> {
    actor.require(Permission::OrgManage)?;
    let mut tx = app.db.begin_write().await?;
    let before = roles::get_position(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name_en, name) = check_position(&mut tx, actor, &input).await?;
    roles::update_position(
        &mut tx,
        id,
        version,
        &roles::PositionChange {
            name: &name,
            name_en: &name_en,
            default_role_id: input.default_role_id,
            active: input.active,
        },
        now_ms(),
    )
    .await?;
    let after = roles::get_position(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "position.updated",
        "position",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
