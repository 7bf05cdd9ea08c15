//! First start and administration from the command line: built-in roles and positions, the
//! company root, and users created or reset by an operator (no default admin password exists).

use salesdesk_domain::access::{
    BUILTIN_POSITIONS, BUILTIN_ROLES, Permission, RecordScope, ScopeModule,
};
use salesdesk_domain::customer::DEFAULT_OPTIONS;
use salesdesk_domain::org::{OrgPath, OrgUnitKind, OrganisingBasis};
use salesdesk_domain::password::NewPassword;
use salesdesk_domain::user::{Mobile, Username, parse_display_name};
use salesdesk_domain::validation::Checker;
use salesdesk_store::org::{self, NewUnit};
use salesdesk_store::roles::{self, NewPosition, NewRole};
use salesdesk_store::{api_tokens, sessions, users};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{App, AppError, AppResult, RequestMeta, now_ms, passwords};

/// Creates the built-in roles and positions that are missing, and the company root if there
/// is none. Safe to run at every start.
pub async fn ensure_foundation(app: &App, company_name: &str) -> AppResult<()> {
    let meta = RequestMeta {
        request_id: "startup".into(),
        ..Default::default()
    };
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    for r in BUILTIN_ROLES {
        if roles::get_by_code(&mut tx, r.code).await?.is_some() {
            continue;
        }
        let id = Uuid::now_v7();
        roles::insert(
            &mut tx,
            &NewRole {
                id,
                code: r.code,
                name: r.name_zh,
                name_en: r.name_en,
                description: "",
                builtin: true,
                locked: r.code == salesdesk_domain::access::ADMIN_ROLE,
                now,
            },
        )
        .await?;
        let perms: Vec<&str> = r
            .permissions
            .iter()
            .map(|p: &Permission| p.as_str())
            .collect();
        roles::set_grants(
            &mut tx,
            id,
            &perms,
            &[
                (ScopeModule::People.as_str(), r.people_scope.as_str()),
                (ScopeModule::Customers.as_str(), r.customer_scope.as_str()),
            ],
        )
        .await?;
        record(
            &mut tx,
            By::System("system"),
            &meta,
            "role.created",
            "role",
            id,
            None::<&()>,
            Some(&r.code),
        )
        .await?;
    }
    let existing = roles::list_positions(&mut tx).await?;
    for (i, p) in BUILTIN_POSITIONS.iter().enumerate() {
        if existing.iter().any(|e| e.code == p.code) {
            continue;
        }
        let role = roles::get_by_code(&mut tx, p.default_role)
            .await?
            .map(|r| r.id);
        let id = Uuid::now_v7();
        roles::insert_position(
            &mut tx,
            &NewPosition {
                id,
                code: p.code,
                name: p.name_zh,
                name_en: p.name_en,
                default_role_id: role,
                sort_order: (i as i64 + 1) * 10,
                now,
            },
        )
        .await?;
        record(
            &mut tx,
            By::System("system"),
            &meta,
            "position.created",
            "position",
            id,
            None::<&()>,
            Some(&p.code),
        )
        .await?;
    }
    for (i, (kind, code, name, name_en)) in DEFAULT_OPTIONS.iter().enumerate() {
        salesdesk_store::customers::ensure_option(
            &mut tx,
            kind.as_str(),
            code,
            name,
            name_en,
            (i as i64 + 1) * 10,
        )
        .await?;
    }
    if org::root(&mut tx).await?.is_none() {
        let seq = tx.next_seq("org_unit").await?;
        let id = Uuid::now_v7();
        let path = OrgPath::root(seq);
        org::insert(
            &mut tx,
            &NewUnit {
                id,
                seq,
                parent_id: None,
                name: company_name,
                kind: OrgUnitKind::Company.as_str(),
                basis: OrganisingBasis::Territory.as_str(),
                path: &path,
                sort_order: 0,
                now,
            },
        )
        .await?;
        record(
            &mut tx,
            By::System("system"),
            &meta,
            "org_unit.created",
            "org_unit",
            id,
            None::<&()>,
            Some(&company_name),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub struct OperatorUser {
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub password: String,
    /// Role code; "admin" for the first administrator.
    pub role: String,
    /// None: the company root.
    pub unit_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub position_code: Option<String>,
    pub must_change_password: bool,
}

/// Creates a user from the command line (the first administrator, or the demo company).
pub async fn create_user(app: &App, u: OperatorUser) -> AppResult<Uuid> {
    let mut c = Checker::new();
    let username = c.check("username", Username::parse(&u.username));
    let display_name = c.check("displayName", parse_display_name(&u.display_name));
    let mobile = match u.mobile.as_deref() {
        Some(m) => c.check("mobile", Mobile::parse(m)),
        None => None,
    };
    c.check(
        "password",
        NewPassword::parse(
            &u.password,
            username.as_ref().map_or("", |x| x.as_str()),
            mobile.as_ref().map(|m| m.as_str()),
        ),
    );
    c.finish()?;
    let hash = passwords::hash(u.password.clone()).await?;
    insert_user(
        app,
        &u,
        username.map(|x| x.as_str().to_owned()).unwrap_or_default(),
        display_name.unwrap_or_default(),
        mobile.map(|m| m.as_str().to_owned()),
        Some(hash),
    )
    .await
}

/// Inserts a user with a precomputed password hash: the demo and test fixtures create
/// 100+ people with one shared hash instead of 100 slow ones. Input is not validated here.
pub async fn insert_user(
    app: &App,
    u: &OperatorUser,
    username: String,
    display_name: String,
    mobile: Option<String>,
    hash: Option<String>,
) -> AppResult<Uuid> {
    let meta = RequestMeta {
        request_id: "cli".into(),
        ..Default::default()
    };
    let mut tx = app.db.begin_write().await?;
    let role = roles::get_by_code(&mut tx, &u.role)
        .await?
        .ok_or_else(|| salesdesk_domain::Invalid::field("role", "role.not_found"))?;
    let unit = match u.unit_id {
        Some(id) => org::get(&mut tx, id).await?,
        None => org::root(&mut tx).await?,
    }
    .ok_or_else(|| salesdesk_domain::Invalid::field("unit", "org_unit.not_found"))?;
    let position_id = match &u.position_code {
        Some(code) => roles::list_positions(&mut tx)
            .await?
            .into_iter()
            .find(|p| &p.code == code)
            .map(|p| p.id),
        None => None,
    };
    let seq = tx.next_seq("user").await?;
    let report_path = match u.manager_id {
        Some(m) => {
            let m = users::get(&mut tx, &RecordScope::All, m)
                .await?
                .ok_or_else(|| salesdesk_domain::Invalid::field("manager", "user.not_found"))?;
            OrgPath::parse(&m.report_path)
                .map_err(|e| AppError::Internal(e.into()))?
                .child(seq)
        }
        None => OrgPath::root(seq),
    };
    let id = Uuid::now_v7();
    users::insert(
        &mut tx,
        &users::NewUser {
            id,
            seq,
            username: &username,
            mobile: mobile.as_deref(),
            email: None,
            display_name: &display_name,
            unit_id: unit.id,
            position_id,
            manager_id: u.manager_id,
            report_path: &report_path,
            password_hash: hash.as_deref(),
            must_change_password: u.must_change_password,
            locale: "zh-CN",
            now: now_ms(),
        },
    )
    .await?;
    users::set_roles(&mut tx, id, &[role.id]).await?;
    record(
        &mut tx,
        By::System("cli"),
        &meta,
        "user.created",
        "user",
        id,
        None::<&()>,
        Some(&serde_json::json!({ "username": username, "role": u.role })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Operator password reset: a new password (must be changed at next sign-in), sessions ended.
pub async fn reset_password(app: &App, username: &str, password: &str) -> AppResult<()> {
    let name =
        Username::parse(username).map_err(|c| salesdesk_domain::Invalid::field("username", c))?;
    NewPassword::parse(password, name.as_str(), None)
        .map_err(|c| salesdesk_domain::Invalid::field("password", c))?;
    let hash = passwords::hash(password.to_owned()).await?;
    let mut tx = app.db.begin_write().await?;
    let creds = users::credentials_by_login(&mut tx, Some(name.as_str()), None)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    users::set_password(&mut tx, creds.id, &hash, true, now).await?;
    sessions::end_all(&mut tx, creds.id, None, "password_reset", now).await?;
    record(
        &mut tx,
        By::System("cli"),
        &RequestMeta::default(),
        "user.password_reset",
        "user",
        creds.id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Operator deactivation: every session and token of the user ends at once.
pub async fn deactivate(app: &App, username: &str) -> AppResult<()> {
    let name =
        Username::parse(username).map_err(|c| salesdesk_domain::Invalid::field("username", c))?;
    let mut tx = app.db.begin_write().await?;
    let creds = users::credentials_by_login(&mut tx, Some(name.as_str()), None)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = users::get(&mut tx, &RecordScope::All, creds.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    users::set_active(&mut tx, creds.id, user.version, false, now).await?;
    sessions::end_all(&mut tx, creds.id, None, "deactivated", now).await?;
    api_tokens::revoke_all(&mut tx, creds.id, now).await?;
    record(
        &mut tx,
        By::System("cli"),
        &RequestMeta::default(),
        "user.deactivated",
        "user",
        creds.id,
        Some(&true),
        Some(&false),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
