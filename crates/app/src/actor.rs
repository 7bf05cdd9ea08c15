//! The actor: who a request or job runs for, with their effective grants and where they sit.
//! Data scopes are resolved here into [`RecordScope`]s the store filters by.

use salesdesk_domain::access::{DataScope, Grants, Permission, RecordScope, ScopeModule};
use salesdesk_domain::org::OrgPath;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Via {
    Session(Uuid),
    ApiToken(Uuid),
    /// The CLI or a background job acting for a user.
    System,
}

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub unit_path: OrgPath,
    pub report_path: OrgPath,
    pub grants: Grants,
    pub must_change_password: bool,
    pub locale: String,
    pub via: Via,
}

impl Actor {
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.grants.has(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The records of `module` this actor may see.
    pub fn scope(&self, module: ScopeModule) -> RecordScope {
        match self.grants.scope(module) {
            DataScope::All => RecordScope::All,
            DataScope::DepartmentAndBelow => RecordScope::UnitSubtree(self.unit_path.clone()),
            DataScope::Department => RecordScope::Unit(self.unit_id),
            DataScope::OwnAndSubordinates => RecordScope::ReportLine(self.report_path.clone()),
            DataScope::Own => RecordScope::Own(self.user_id),
        }
    }
}

/// Loads the actor for a user id (after a session or token was checked).
pub(crate) async fn load(
    tx: &mut salesdesk_store::Tx,
    user_id: Uuid,
    via: Via,
) -> AppResult<Actor> {
    use salesdesk_store::{roles, users};
    let u = users::get(tx, &RecordScope::All, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !u.active {
        return Err(AppError::Unauthenticated);
    }
    let (perms, scopes) = roles::grants_of_user(tx, user_id).await?;
    let mut grants = Grants::default();
    // Unknown codes in the database (from a newer version, say) grant nothing.
    grants
        .permissions
        .extend(perms.iter().filter_map(|p| Permission::parse(p).ok()));
    for (m, s) in scopes {
        if let (Ok(m), Ok(s)) = (ScopeModule::parse(&m), DataScope::parse(&s)) {
            grants.merge(&Grants {
                permissions: Default::default(),
                scopes: [(m, s)].into(),
            });
        }
    }
    Ok(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        unit_id: u.unit_id,
        unit_path: OrgPath::parse(&u.unit_path).map_err(|e| AppError::Internal(e.into()))?,
        report_path: OrgPath::parse(&u.report_path).map_err(|e| AppError::Internal(e.into()))?,
        grants,
        must_change_password: u.must_change_password,
        locale: u.locale,
        via,
    })
}
