//! Who may do what (permissions, 功能权限) and on which records (data scope, 数据权限).
//! Roles grant both; a user's effective grants are the union of their roles' grants.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A function a role may grant. The list is closed: a permission the code does not check
/// cannot be granted, and the role editor shows exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Permission {
    #[serde(rename = "org.view")]
    OrgView,
    #[serde(rename = "org.manage")]
    OrgManage,
    #[serde(rename = "people.view")]
    PeopleView,
    #[serde(rename = "people.manage")]
    PeopleManage,
    #[serde(rename = "roles.view")]
    RolesView,
    #[serde(rename = "roles.manage")]
    RolesManage,
    #[serde(rename = "audit.view")]
    AuditView,
    #[serde(rename = "api_tokens.manage")]
    ApiTokensManage,
    #[serde(rename = "customers.view")]
    CustomersView,
    #[serde(rename = "customers.create")]
    CustomersCreate,
    #[serde(rename = "customers.edit")]
    CustomersEdit,
    #[serde(rename = "customers.transfer")]
    CustomersTransfer,
    #[serde(rename = "customers.settings")]
    CustomersSettings,
    #[serde(rename = "customers.export")]
    CustomersExport,
    #[serde(rename = "customers.import")]
    CustomersImport,
    #[serde(rename = "pools.use")]
    PoolsUse,
    #[serde(rename = "pools.manage")]
    PoolsManage,
    /// 区域设计: design territory scenarios and apply them (customers change owner).
    #[serde(rename = "territory.design")]
    TerritoryDesign,
}

str_enum!(Permission {
    OrgView = "org.view",
    OrgManage = "org.manage",
    PeopleView = "people.view",
    PeopleManage = "people.manage",
    RolesView = "roles.view",
    RolesManage = "roles.manage",
    AuditView = "audit.view",
    ApiTokensManage = "api_tokens.manage",
    CustomersView = "customers.view",
    CustomersCreate = "customers.create",
    CustomersEdit = "customers.edit",
    CustomersTransfer = "customers.transfer",
    CustomersSettings = "customers.settings",
    CustomersExport = "customers.export",
    CustomersImport = "customers.import",
    PoolsUse = "pools.use",
    PoolsManage = "pools.manage",
    TerritoryDesign = "territory.design",
});

/// A group of records whose visibility a role sets with one data scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ScopeModule {
    /// The people directory: which users one may see and manage.
    People,
    /// Customers, their contacts and follow-ups, by owner and owning unit.
    Customers,
}

str_enum!(ScopeModule {
    People = "people",
    Customers = "customers",
});

/// Which records of a module a user may see. Ordered from narrowest to widest; when two roles
/// give different scopes for one module the wider one applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DataScope {
    /// 本人
    Own,
    /// 本人及下属 (the reporting line below the user)
    OwnAndSubordinates,
    /// 本部门 (the user's own unit, not the units below it)
    Department,
    /// 本部门及下属 (the user's unit and every unit below it)
    DepartmentAndBelow,
    /// 全部
    All,
}

str_enum!(DataScope {
    Own = "own",
    OwnAndSubordinates = "own_and_subordinates",
    Department = "department",
    DepartmentAndBelow = "department_and_below",
    All = "all",
});

/// The effective grants of a user (or of one role).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grants {
    pub permissions: BTreeSet<Permission>,
    pub scopes: BTreeMap<ScopeModule, DataScope>,
}

impl Grants {
    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// The scope for a module; a user with no role that sets one sees only their own records.
    pub fn scope(&self, m: ScopeModule) -> DataScope {
        self.scopes.get(&m).copied().unwrap_or(DataScope::Own)
    }

    /// Adds another role's grants (union of permissions, widest scope per module).
    pub fn merge(&mut self, other: &Grants) {
        self.permissions.extend(other.permissions.iter().copied());
        for (m, s) in &other.scopes {
            let e = self.scopes.entry(*m).or_insert(*s);
            if *s > *e {
                *e = *s;
            }
        }
    }

    /// True when everything `other` grants is also granted here: nobody may hand out
    /// (through a role assignment or a role edit) more than they hold themselves.
    pub fn covers(&self, other: &Grants) -> bool {
        other.permissions.is_subset(&self.permissions)
            && other.scopes.iter().all(|(m, s)| self.scope(*m) >= *s)
    }
}

/// A built-in role: its code, names, and the grants it is created with.
pub struct BuiltinRole {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub permissions: &'static [Permission],
    pub people_scope: DataScope,
    pub customer_scope: DataScope,
}

use Permission::*;

/// The roles every company starts with. Only `admin` is locked; the others are editable.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "admin",
        name_zh: "系统管理员",
        name_en: "Administrator",
        permissions: &[
            OrgView,
            OrgManage,
            PeopleView,
            PeopleManage,
            RolesView,
            RolesManage,
            AuditView,
            ApiTokensManage,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            CustomersTransfer,
            CustomersSettings,
            CustomersExport,
            CustomersImport,
            PoolsUse,
            PoolsManage,
            TerritoryDesign,
        ],
        people_scope: DataScope::All,
        customer_scope: DataScope::All,
    },
    BuiltinRole {
        code: "director",
        name_zh: "销售总监",
        name_en: "Sales director",
        permissions: &[
            OrgView,
            OrgManage,
            PeopleView,
            PeopleManage,
            RolesView,
            AuditView,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            CustomersTransfer,
            CustomersSettings,
            PoolsUse,
            PoolsManage,
            CustomersExport,
            CustomersImport,
            TerritoryDesign,
        ],
        people_scope: DataScope::All,
        customer_scope: DataScope::All,
    },
    BuiltinRole {
        code: "manager",
        name_zh: "销售经理",
        name_en: "Sales manager",
        permissions: &[
            OrgView,
            PeopleView,
            PeopleManage,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            CustomersTransfer,
            PoolsUse,
            PoolsManage,
            CustomersExport,
            CustomersImport,
        ],
        people_scope: DataScope::DepartmentAndBelow,
        customer_scope: DataScope::DepartmentAndBelow,
    },
    BuiltinRole {
        code: "supervisor",
        name_zh: "销售主管",
        name_en: "Sales supervisor",
        permissions: &[
            OrgView,
            PeopleView,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            CustomersTransfer,
            PoolsUse,
        ],
        people_scope: DataScope::OwnAndSubordinates,
        customer_scope: DataScope::OwnAndSubordinates,
    },
    BuiltinRole {
        code: "rep",
        name_zh: "销售代表",
        name_en: "Sales rep",
        permissions: &[
            PeopleView,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            PoolsUse,
        ],
        people_scope: DataScope::Own,
        customer_scope: DataScope::Own,
    },
    BuiltinRole {
        code: "support",
        name_zh: "销售支持",
        name_en: "Sales support",
        permissions: &[
            OrgView,
            PeopleView,
            CustomersView,
            CustomersCreate,
            CustomersEdit,
            CustomersImport,
        ],
        people_scope: DataScope::DepartmentAndBelow,
        customer_scope: DataScope::DepartmentAndBelow,
    },
    BuiltinRole {
        code: "service",
        name_zh: "客服专员",
        name_en: "Customer service",
        permissions: &[PeopleView, CustomersView],
        people_scope: DataScope::Own,
        customer_scope: DataScope::All,
    },
    BuiltinRole {
        code: "marketing",
        name_zh: "市场专员",
        name_en: "Marketing",
        permissions: &[PeopleView, CustomersView, CustomersCreate],
        people_scope: DataScope::Own,
        customer_scope: DataScope::Own,
    },
    BuiltinRole {
        code: "ops",
        name_zh: "销售运营",
        name_en: "Sales operations",
        permissions: &[
            OrgView,
            PeopleView,
            RolesView,
            AuditView,
            CustomersView,
            CustomersSettings,
            CustomersExport,
        ],
        people_scope: DataScope::All,
        customer_scope: DataScope::All,
    },
    BuiltinRole {
        code: "finance",
        name_zh: "财务(回款)",
        name_en: "Finance (collections)",
        permissions: &[OrgView, PeopleView, CustomersView],
        people_scope: DataScope::Own,
        customer_scope: DataScope::All,
    },
];

/// The role code a company's locked administrator role has.
pub const ADMIN_ROLE: &str = "admin";

/// A seeded position (岗位) and the role a new holder gets by default.
pub struct BuiltinPosition {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub default_role: &'static str,
}

pub const BUILTIN_POSITIONS: &[BuiltinPosition] = &[
    BuiltinPosition {
        code: "sales_director",
        name_zh: "销售总监",
        name_en: "Sales director",
        default_role: "director",
    },
    BuiltinPosition {
        code: "regional_manager",
        name_zh: "区域经理",
        name_en: "Regional manager",
        default_role: "manager",
    },
    BuiltinPosition {
        code: "sales_manager",
        name_zh: "销售经理",
        name_en: "Sales manager",
        default_role: "manager",
    },
    BuiltinPosition {
        code: "sales_supervisor",
        name_zh: "销售主管",
        name_en: "Sales supervisor",
        default_role: "supervisor",
    },
    BuiltinPosition {
        code: "sales_rep",
        name_zh: "销售代表",
        name_en: "Sales representative",
        default_role: "rep",
    },
    BuiltinPosition {
        code: "sales_assistant",
        name_zh: "销售助理",
        name_en: "Sales assistant",
        default_role: "support",
    },
    BuiltinPosition {
        code: "sales_support",
        name_zh: "销售支持",
        name_en: "Sales support",
        default_role: "support",
    },
    BuiltinPosition {
        code: "customer_service",
        name_zh: "客服专员",
        name_en: "Customer service specialist",
        default_role: "service",
    },
    BuiltinPosition {
        code: "marketing",
        name_zh: "市场专员",
        name_en: "Marketing specialist",
        default_role: "marketing",
    },
    BuiltinPosition {
        code: "sales_ops",
        name_zh: "销售运营",
        name_en: "Sales operations",
        default_role: "ops",
    },
    BuiltinPosition {
        code: "finance",
        name_zh: "财务(回款)",
        name_en: "Finance (collections)",
        default_role: "finance",
    },
    BuiltinPosition {
        code: "sys_admin",
        name_zh: "系统管理员",
        name_en: "System administrator",
        default_role: "admin",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn g(perms: &[Permission], scope: DataScope) -> Grants {
        Grants {
            permissions: perms.iter().copied().collect(),
            scopes: [(ScopeModule::People, scope)].into(),
        }
    }

    #[test]
    fn merge_unions_permissions_and_takes_widest_scope() {
        let mut a = g(&[PeopleView], DataScope::Own);
        a.merge(&g(&[OrgView], DataScope::DepartmentAndBelow));
        assert!(a.has(PeopleView) && a.has(OrgView));
        assert_eq!(a.scope(ScopeModule::People), DataScope::DepartmentAndBelow);
    }

    #[test]
    fn covers_refuses_wider_scope_or_extra_permission() {
        let manager = g(
            &[OrgView, PeopleView, PeopleManage],
            DataScope::DepartmentAndBelow,
        );
        assert!(manager.covers(&g(&[PeopleView], DataScope::Own)));
        assert!(!manager.covers(&g(&[PeopleView], DataScope::All)));
        assert!(!manager.covers(&g(&[RolesManage], DataScope::Own)));
    }

    #[test]
    fn missing_scope_means_own() {
        assert_eq!(Grants::default().scope(ScopeModule::People), DataScope::Own);
    }

    #[test]
    fn every_position_defaults_to_an_existing_role() {
        for p in BUILTIN_POSITIONS {
            assert!(
                BUILTIN_ROLES.iter().any(|r| r.code == p.default_role),
                "{}",
                p.code
            );
        }
    }

    #[test]
    fn admin_role_grants_every_permission() {
        let admin = BUILTIN_ROLES.iter().find(|r| r.code == ADMIN_ROLE).unwrap();
        assert_eq!(admin.permissions.len(), Permission::ALL.len());
    }
}

/// The records one request may read or change, resolved from a user's data scope for a module.
/// Store functions take it as an argument, so a query cannot forget it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordScope {
    All,
    /// Records of a unit and every unit below it (本部门及下属).
    UnitSubtree(crate::org::OrgPath),
    /// Records of one unit only (本部门).
    Unit(uuid::Uuid),
    /// Records of a user and everyone below them on the reporting line (本人及下属);
    /// the path is that user's reporting path.
    ReportLine(crate::org::OrgPath),
    /// One user's own records (本人).
    Own(uuid::Uuid),
}

impl RecordScope {
    /// Whether a record owned by `owner` (whose reporting path is `owner_report_path`) and
    /// belonging to the unit at `unit_path` is inside this scope. The in-memory twin of the
    /// store's SQL filter, used to check where a write would put a record.
    pub fn contains(
        &self,
        owner: uuid::Uuid,
        owner_report_path: &crate::org::OrgPath,
        unit_id: uuid::Uuid,
        unit_path: &crate::org::OrgPath,
    ) -> bool {
        match self {
            RecordScope::All => true,
            RecordScope::UnitSubtree(p) => p.contains(unit_path),
            RecordScope::Unit(u) => *u == unit_id,
            RecordScope::ReportLine(p) => p.contains(owner_report_path),
            RecordScope::Own(u) => *u == owner,
        }
    }
}

#[cfg(test)]
mod scope_tests {
    use super::*;
    use crate::org::OrgPath;
    use uuid::Uuid;

    #[test]
    fn contains_matches_each_scope() {
        let (me, other, unit, other_unit) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(10),
            Uuid::from_u128(11),
        );
        let p = |s: &str| OrgPath::parse(s).unwrap();
        let rec = |owner, rp: &str, u, up: &str| (owner, p(rp), u, p(up));
        let mine = rec(me, "/1/", unit, "/1/2/");
        let sub = rec(other, "/1/5/", other_unit, "/1/2/3/");
        let far = rec(other, "/9/", other_unit, "/1/4/");
        let check =
            |s: &RecordScope, r: &(Uuid, OrgPath, Uuid, OrgPath)| s.contains(r.0, &r.1, r.2, &r.3);
        let own = RecordScope::Own(me);
        assert!(check(&own, &mine) && !check(&own, &sub));
        let line = RecordScope::ReportLine(p("/1/"));
        assert!(check(&line, &mine) && check(&line, &sub) && !check(&line, &far));
        let dept = RecordScope::Unit(unit);
        assert!(check(&dept, &mine) && !check(&dept, &sub));
        let below = RecordScope::UnitSubtree(p("/1/2/"));
        assert!(check(&below, &mine) && check(&below, &sub) && !check(&below, &far));
        assert!(check(&RecordScope::All, &far));
    }
}
