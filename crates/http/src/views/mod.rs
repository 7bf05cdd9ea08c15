//! What the API returns: camelCase JSON documented in the OpenAPI. Views are built from store
//! rows so a column added to a table never leaks into a response by accident.

use salesdesk_app::records::{
    ApiTokenRow, AssignmentRow, OrgUnitRow, PositionRow, RoleWithGrants, UserRow,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An org unit. Times are UTC epoch milliseconds throughout the API.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    /// company | region | branch | team | department
    pub kind: String,
    /// territory | product_line | customer_segment | channel | function
    pub basis: String,
    /// Materialised path of unit numbers, e.g. `/1/4/9/`.
    pub path: String,
    pub sort_order: i64,
    pub version: i64,
    pub updated_at: i64,
}

impl From<OrgUnitRow> for UnitView {
    fn from(r: OrgUnitRow) -> Self {
        UnitView {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            kind: r.kind,
            basis: r.basis,
            path: r.path,
            sort_order: r.sort_order,
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub position_id: Option<Uuid>,
    pub position_name: Option<String>,
    pub manager_id: Option<Uuid>,
    pub manager_name: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
    pub version: i64,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            mobile: r.mobile,
            email: r.email,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            position_id: r.position_id,
            position_name: r.position_name,
            manager_id: r.manager_id,
            manager_name: r.manager_name,
            active: r.active,
            must_change_password: r.must_change_password,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// One period of a person's placement (unit, position, manager).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub position_name: Option<String>,
    pub manager_name: Option<String>,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
}

impl From<AssignmentRow> for AssignmentView {
    fn from(a: AssignmentRow) -> Self {
        AssignmentView {
            unit_id: a.unit_id,
            unit_name: a.unit_name,
            position_name: a.position_name,
            manager_name: a.manager_name,
            valid_from: a.valid_from,
            valid_to: a.valid_to,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDetailView {
    #[serde(flatten)]
    pub user: UserView,
    pub role_ids: Vec<Uuid>,
    pub history: Vec<AssignmentView>,
}

impl From<salesdesk_app::people::UserDetail> for UserDetailView {
    fn from(d: salesdesk_app::people::UserDetail) -> Self {
        UserDetailView {
            user: d.user.into(),
            role_ids: d.role_ids,
            history: d.history.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUserView {
    pub user: UserDetailView,
    /// Shown once when the server generated the password; the user must change it at sign-in.
    pub temporary_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryPasswordView {
    pub temporary_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PositionView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub default_role_id: Option<Uuid>,
    pub active: bool,
    pub version: i64,
}

impl From<PositionRow> for PositionView {
    fn from(p: PositionRow) -> Self {
        PositionView {
            id: p.id,
            code: p.code,
            name: p.name,
            name_en: p.name_en,
            default_role_id: p.default_role_id,
            active: p.active,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeView {
    /// people
    pub module: String,
    /// own | own_and_subordinates | department | department_and_below | all
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub builtin: bool,
    pub locked: bool,
    pub permissions: Vec<String>,
    pub scopes: Vec<ScopeView>,
    pub user_count: i64,
    pub version: i64,
}

impl From<RoleWithGrants> for RoleView {
    fn from(r: RoleWithGrants) -> Self {
        RoleView {
            id: r.role.id,
            code: r.role.code,
            name: r.role.name,
            name_en: r.role.name_en,
            description: r.role.description,
            builtin: r.role.builtin,
            locked: r.role.locked,
            permissions: r.permissions,
            scopes: r
                .scopes
                .into_iter()
                .map(|(module, scope)| ScopeView { module, scope })
                .collect(),
            user_count: r.user_count,
            version: r.role.version,
        }
    }
}

/// The catalogue the role editor shows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueView {
    pub permissions: Vec<String>,
    pub modules: Vec<String>,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit_id: Uuid,
    pub locale: String,
    pub must_change_password: bool,
    pub permissions: Vec<String>,
    pub scopes: Vec<ScopeView>,
}

impl From<&salesdesk_app::Actor> for MeView {
    fn from(a: &salesdesk_app::Actor) -> Self {
        MeView {
            id: a.user_id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit_id: a.unit_id,
            locale: a.locale.clone(),
            must_change_password: a.must_change_password,
            permissions: a
                .grants
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            scopes: a
                .grants
                .scopes
                .iter()
                .map(|(m, s)| ScopeView {
                    module: m.as_str().into(),
                    scope: s.as_str().into(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

impl From<salesdesk_app::auth::SessionInfo> for SessionView {
    fn from(s: salesdesk_app::auth::SessionInfo) -> Self {
        SessionView {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            ip: s.ip,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    /// The first characters, to tell tokens apart; the token itself is shown only at creation.
    pub token_prefix: String,
    pub permissions: Vec<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<ApiTokenRow> for ApiTokenView {
    fn from(t: ApiTokenRow) -> Self {
        ApiTokenView {
            id: t.id,
            name: t.name,
            token_prefix: t.token_prefix,
            permissions: t
                .permissions
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiTokenView {
    /// The secret: shown once, never again.
    pub token: String,
    pub api_token: ApiTokenView,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: Uuid,
    pub at: i64,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    /// The actor as people read it (a person's name, or 系统 / 未登录的访问者).
    pub actor_label: String,
    pub action: String,
    /// The action in the request's language (登录, 转移客户…).
    pub action_label: String,
    pub entity_type: String,
    /// The kind of record in the request's language.
    pub entity_label: String,
    pub entity_id: String,
    /// The record's name (a customer's, a person's…), while it exists.
    pub entity_name: Option<String>,
    /// JSON text of the record before the change.
    pub before: Option<String>,
    /// JSON text of the record after the change.
    pub after: Option<String>,
    pub request_id: String,
    pub ip: String,
}

impl AuditView {
    pub fn new(e: salesdesk_app::audit::AuditEntry, l: crate::messages::Locale) -> Self {
        use crate::audit_labels::{action_label, actor_label, entity_label};
        let a = e.row;
        AuditView {
            id: a.id,
            at: a.at,
            actor_id: a.actor_id,
            actor_label: actor_label(&a.actor_name, a.actor_id.is_some(), l),
            actor_name: a.actor_name,
            action_label: action_label(&a.action, l),
            action: a.action,
            entity_label: entity_label(&a.entity_type, l),
            entity_type: a.entity_type,
            entity_id: a.entity_id,
            entity_name: e.entity_name,
            before: a.before_json,
            after: a.after_json,
            request_id: a.request_id,
            ip: a.ip,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// The error body of every non-2xx response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Stable, machine-readable; the UI's i18n key.
    pub code: String,
    /// In the language of Accept-Language (zh-CN default, en-US).
    pub message: String,
    /// Per-field problems: field -> { code, message }.
    pub fields: std::collections::BTreeMap<String, FieldErrorBody>,
    pub request_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MovePreviewView {
    pub unit_name: String,
    pub from_parent: Option<String>,
    pub to_parent: String,
    pub units: i64,
    pub people: i64,
}

pub mod custom_fields;
pub mod customers;
pub mod imports;
pub mod notifications;
pub mod saved_views;
pub mod territory;
