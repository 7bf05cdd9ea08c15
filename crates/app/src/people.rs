//! People (人员): the users of the sales organisation, within the actor's data scope.
//! Managing someone requires (a) the person inside one's people scope, before and after the
//! change, and (b) holding every grant the person holds or is given: nobody can take over or
//! create an account more powerful than their own.

use salesdesk_domain::Invalid;
use salesdesk_domain::access::{DataScope, Grants, Permission, RecordScope, ScopeModule};
use salesdesk_domain::org::OrgPath;
use salesdesk_domain::password::NewPassword;
use salesdesk_domain::user::{Mobile, Username, parse_display_name, parse_email};
use salesdesk_domain::validation::Checker;
use salesdesk_store::users::{self, AssignmentRow, UserFilter, UserRow, UserSort};
use salesdesk_store::{Tx, api_tokens, org, roles, sessions};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, PageRequest, Paged, RequestMeta, now_ms, passwords};

#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: UserRow,
    pub role_ids: Vec<Uuid>,
    pub history: Vec<AssignmentRow>,
}

pub struct ListQuery {
    pub q: Option<String>,
    pub unit_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub active: Option<bool>,
    pub sort: UserSort,
    pub desc: bool,
    pub page: PageRequest,
}

pub async fn list(app: &App, actor: &Actor, q: ListQuery) -> AppResult<Paged<UserRow>> {
    actor.require(Permission::PeopleView)?;
    // A search term is a name, username or mobile: anything longer is a mistake, not a search.
    let search = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 60 => return Err(Invalid::field("q", "too_long").into()),
        other => other.map(str::to_owned),
    };
    let scope = actor.scope(ScopeModule::People);
    let mut tx = app.db.begin_read().await?;
    let unit_path = match q.unit_id {
        Some(id) => match org::get(&mut tx, id).await? {
            Some(u) => Some(OrgPath::parse(&u.path).map_err(|e| AppError::Internal(e.into()))?),
            None => return Err(Invalid::field("unitId", "org_unit.not_found").into()),
        },
        None => None,
    };
    let filter = UserFilter {
        q: search,
        unit_path,
        position_id: q.position_id,
        role_id: q.role_id,
        active: q.active,
    };
    let (items, total) =
        users::list(&mut tx, &scope, &filter, q.sort, q.desc, q.page.to_store()).await?;
    tx.commit().await?;
    Ok(q.page.paged(items, total))
}

async fn detail(tx: &mut Tx, scope: &RecordScope, id: Uuid) -> AppResult<UserDetail> {
    let user = users::get(tx, scope, id).await?.ok_or(AppError::NotFound)?;
    let role_ids = users::role_ids(tx, id).await?;
    let history = users::assignments(tx, id).await?;
    Ok(UserDetail {
        user,
        role_ids,
        history,
    })
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<UserDetail> {
    actor.require(Permission::PeopleView)?;
    let mut tx = app.db.begin_read().await?;
    let d = detail(&mut tx, &actor.scope(ScopeModule::People), id).await?;
    tx.commit().await?;
    Ok(d)
}

/// The union of what a set of roles grants.
async fn grants_of_roles(tx: &mut Tx, role_ids: &[Uuid]) -> AppResult<Grants> {
    let mut g = Grants::default();
    for id in role_ids {
        let r = roles::get(tx, *id)
            .await?
            .ok_or_else(|| Invalid::field("roleIds", "role.not_found"))?;
        g.merge(&crate::roles::grants_from_rows(&r.permissions, &r.scopes));
    }
    Ok(g)
}

/// A person the actor may manage: visible, not themselves, and no more powerful than them.
async fn manageable(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<UserDetail> {
    actor.require(Permission::PeopleManage)?;
    let d = detail(tx, &actor.scope(ScopeModule::People), id).await?;
    if id == actor.user_id {
        return Err(AppError::Conflict("user.cannot_manage_self"));
    }
    let theirs = grants_of_roles(tx, &d.role_ids).await?;
    if !actor.grants.covers(&theirs) {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

/// Where a user would sit: checks the unit, position and manager exist and are visible, and
/// returns the unit path and the user's reporting path there.
async fn placement(
    tx: &mut Tx,
    actor: &Actor,
    c: &mut Checker,
    user_seq: i64,
    user_id: Option<Uuid>,
    place: &Reassign,
) -> AppResult<Option<(OrgPath, OrgPath, Option<UserRow>)>> {
    let Reassign {
        unit_id,
        position_id,
        manager_id,
    } = *place;
    let unit = org::get(tx, unit_id).await?;
    if unit.is_none() {
        c.fail("unitId", "org_unit.not_found");
    }
    if let Some(p) = position_id
        && roles::get_position(tx, p).await?.is_none_or(|p| !p.active)
    {
        c.fail("positionId", "position.not_found");
    }
    let scope = actor.scope(ScopeModule::People);
    let manager = match manager_id {
        Some(m) => {
            let found = users::get(tx, &scope, m).await?;
            match &found {
                None => c.fail("managerId", "user.not_found"),
                Some(m) if !m.active => c.fail("managerId", "user.inactive"),
                Some(m) => {
                    // A manager below the user on the reporting line would make a cycle.
                    if let Some(uid) = user_id {
                        let me = users::get(tx, &RecordScope::All, uid)
                            .await?
                            .ok_or(AppError::NotFound)?;
                        let mine = OrgPath::parse(&me.report_path)
                            .map_err(|e| AppError::Internal(e.into()))?;
                        if mine.contains(
                            &OrgPath::parse(&m.report_path)
                                .map_err(|e| AppError::Internal(e.into()))?,
                        ) {
                            c.fail("managerId", "user.manager_cycle");
                        }
                    }
                }
            }
            found
        }
        None => None,
    };
    let Some(unit) = unit else { return Ok(None) };
    let unit_path = OrgPath::parse(&unit.path).map_err(|e| AppError::Internal(e.into()))?;
    let report_path = match &manager {
        Some(m) => OrgPath::parse(&m.report_path)
            .map_err(|e| AppError::Internal(e.into()))?
            .child(user_seq),
        None => OrgPath::root(user_seq),
    };
    Ok(Some((unit_path, report_path, manager)))
}

/// The new place must be inside the actor's scope too, or the actor could hand a person
/// (and later their customers) to a part of the org they cannot see.
fn require_in_scope(
    actor: &Actor,
    c: &mut Checker,
    user_id: Uuid,
    unit_id: Uuid,
    place: &(OrgPath, OrgPath, Option<UserRow>),
) {
    let scope = actor.scope(ScopeModule::People);
    if !scope.contains(user_id, &place.1, unit_id, &place.0) {
        match actor.grants.scope(ScopeModule::People) {
            DataScope::OwnAndSubordinates | DataScope::Own => {
                c.fail("managerId", "user.outside_scope")
            }
            _ => c.fail("unitId", "user.outside_scope"),
        }
    }
}

pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub unit_id: Uuid,
    pub position_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// None: the position's default role.
    pub role_ids: Option<Vec<Uuid>>,
    /// None: a temporary password is generated and returned once.
    pub password: Option<String>,
}

pub struct Created {
    pub user: UserDetail,
    pub temporary_password: Option<String>,
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: CreateUser,
    meta: &RequestMeta,
) -> AppResult<Created> {
    actor.require(Permission::PeopleManage)?;
    let mut c = Checker::new();
    let username = c.check("username", Username::parse(&input.username));
    let display_name = c.check("displayName", parse_display_name(&input.display_name));
    let mobile = match input
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(m) => c.check("mobile", Mobile::parse(m)),
        None => None,
    };
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(e) => c.check("email", parse_email(e)),
        None => None,
    };
    let (password, temporary) = match &input.password {
        Some(p) => {
            let parsed = c.check(
                "password",
                NewPassword::parse(
                    p,
                    username.as_ref().map_or("", |u| u.as_str()),
                    mobile.as_ref().map(|m| m.as_str()),
                ),
            );
            (parsed.map(|p| p.expose().to_owned()), None)
        }
        None => {
            let t = passwords::temporary_password();
            (Some(t.clone()), Some(t))
        }
    };
    // Hash before the write transaction: it must not hold SQLite's write lock for 0.1 s.
    let hash = match &password {
        Some(p) => Some(passwords::hash(p.clone()).await?),
        None => None,
    };
    let mut tx = app.db.begin_write().await?;
    let seq = tx.next_seq("user").await?;
    let id = Uuid::now_v7();
    let place = placement(
        &mut tx,
        actor,
        &mut c,
        seq,
        None,
        &Reassign {
            unit_id: input.unit_id,
            position_id: input.position_id,
            manager_id: input.manager_id,
        },
    )
    .await?;
    if let Some(place) = &place {
        require_in_scope(actor, &mut c, id, input.unit_id, place);
    }
    let role_ids = match input.role_ids {
        Some(r) => r,
        None => match input.position_id {
            Some(p) => roles::get_position(&mut tx, p)
                .await?
                .and_then(|p| p.default_role_id)
                .into_iter()
                .collect(),
            None => Vec::new(),
        },
    };
    let given = grants_of_roles(&mut tx, &role_ids).await?;
    if !actor.grants.covers(&given) {
        c.fail("roleIds", "role.exceeds_own_grants");
    }
    c.finish()?;
    let (Some(username), Some(display_name), Some((_, report_path, manager))) =
        (username, display_name, place)
    else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    users::insert(
        &mut tx,
        &users::NewUser {
            id,
            seq,
            username: username.as_str(),
            mobile: mobile.as_ref().map(|m| m.as_str()),
            email: email.as_deref(),
            display_name: &display_name,
            unit_id: input.unit_id,
            position_id: input.position_id,
            manager_id: manager.map(|m| m.id),
            report_path: &report_path,
            password_hash: hash.as_deref(),
            must_change_password: true,
            locale: "zh-CN",
            now: now_ms(),
        },
    )
    .await?;
    users::set_roles(&mut tx, id, &role_ids).await?;
    let d = detail(&mut tx, &RecordScope::All, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.created",
        "user",
        id,
        None::<&()>,
        Some(&d),
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        user: d,
        temporary_password: temporary,
    })
}

pub struct UpdateProfile {
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

pub async fn update_profile(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: UpdateProfile,
    meta: &RequestMeta,
) -> AppResult<UserDetail> {
    let mut c = Checker::new();
    let display_name = c.check("displayName", parse_display_name(&input.display_name));
    let mobile = match input
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(m) => c.check("mobile", Mobile::parse(m)),
        None => None,
    };
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(e) => c.check("email", parse_email(e)),
        None => None,
    };
    c.finish()?;
    let mut tx = app.db.begin_write().await?;
    let before = manageable(&mut tx, actor, id).await?;
    let p = users::ProfileUpdate {
        display_name: &display_name.unwrap_or_default(),
        mobile: mobile.as_ref().map(|m| m.as_str()),
        email: email.as_deref(),
    };
    users::update_profile(&mut tx, id, version, &p, now_ms()).await?;
    let after = detail(&mut tx, &RecordScope::All, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.updated",
        "user",
        id,
        Some(&before.user),
        Some(&after.user),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Copy)]
pub struct Reassign {
    pub unit_id: Uuid,
    pub position_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
}

/// Moves a person to another unit, position or manager; the previous placement stays in the
/// history so results are attributed by the org at the time.
pub async fn reassign(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: Reassign,
    meta: &RequestMeta,
) -> AppResult<UserDetail> {
    let mut tx = app.db.begin_write().await?;
    let before = manageable(&mut tx, actor, id).await?;
    let mut c = Checker::new();
    let place = placement(&mut tx, actor, &mut c, before.user.seq, Some(id), &input).await?;
    if let Some(place) = &place {
        require_in_scope(actor, &mut c, id, input.unit_id, place);
    }
    c.finish()?;
    let manager = place.and_then(|p| p.2);
    users::reassign(
        &mut tx,
        &before.user,
        version,
        input.unit_id,
        input.position_id,
        manager.as_ref(),
        now_ms(),
    )
    .await?;
    // A rep's customers belong to the unit the rep works in, so they move along.
    salesdesk_store::customers::follow_owner_unit(&mut tx, id, input.unit_id).await?;
    let after = detail(&mut tx, &RecordScope::All, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.reassigned",
        "user",
        id,
        Some(&before.user),
        Some(&after.user),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn set_roles(
    app: &App,
    actor: &Actor,
    id: Uuid,
    role_ids: Vec<Uuid>,
    meta: &RequestMeta,
) -> AppResult<UserDetail> {
    let mut tx = app.db.begin_write().await?;
    let before = manageable(&mut tx, actor, id).await?;
    let given = grants_of_roles(&mut tx, &role_ids).await?;
    if !actor.grants.covers(&given) {
        return Err(Invalid::field("roleIds", "role.exceeds_own_grants").into());
    }
    let mut unique = role_ids.clone();
    unique.sort();
    unique.dedup();
    users::set_roles(&mut tx, id, &unique).await?;
    let after = detail(&mut tx, &RecordScope::All, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.roles_changed",
        "user",
        id,
        Some(&before.role_ids),
        Some(&after.role_ids),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (keeps every record and all history; ends sessions and tokens at once) or
/// reactivates a person.
pub async fn set_active(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    active: bool,
    meta: &RequestMeta,
) -> AppResult<UserDetail> {
    let mut tx = app.db.begin_write().await?;
    let before = manageable(&mut tx, actor, id).await?;
    let now = now_ms();
    users::set_active(&mut tx, id, version, active, now).await?;
    if !active {
        sessions::end_all(&mut tx, id, None, "deactivated", now).await?;
        api_tokens::revoke_all(&mut tx, id, now).await?;
    }
    let after = detail(&mut tx, &RecordScope::All, id).await?;
    let action = if active {
        "user.reactivated"
    } else {
        "user.deactivated"
    };
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        action,
        "user",
        id,
        Some(&before.user.active),
        Some(&after.user.active),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new temporary password, ends the person's sessions, and returns it once.
pub async fn reset_password(
    app: &App,
    actor: &Actor,
    id: Uuid,
    meta: &RequestMeta,
) -> AppResult<String> {
    // Checked before hashing (so a refused reset costs no Argon2 work) and again inside the
    // write transaction, because rights or placement may change in between.
    {
        let mut tx = app.db.begin_read().await?;
        manageable(&mut tx, actor, id).await?;
        tx.commit().await?;
    }
    let temporary = passwords::temporary_password();
    let hash = passwords::hash(temporary.clone()).await?;
    let mut tx = app.db.begin_write().await?;
    manageable(&mut tx, actor, id).await?;
    let now = now_ms();
    users::set_password(&mut tx, id, &hash, true, now).await?;
    sessions::end_all(&mut tx, id, None, "password_reset", now).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.password_reset",
        "user",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(temporary)
}
