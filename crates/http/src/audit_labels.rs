//! How the audit log reads to people: each action, each kind of record and each system actor
//! in Chinese and English. The codes stay in the API; these are what the log page shows.

use crate::messages::Locale;

/// (action, zh-CN, en-US): every action a use case records.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("auth.login", "登录", "Signed in"),
    ("auth.login_failed", "登录失败", "Sign-in failed"),
    ("auth.logout", "退出登录", "Signed out"),
    ("auth.password_changed", "修改密码", "Changed password"),
    ("auth.session_ended", "结束会话", "Ended a session"),
    ("api_token.created", "创建接口令牌", "Created an API token"),
    ("api_token.revoked", "吊销接口令牌", "Revoked an API token"),
    ("user.created", "新建人员", "Added a person"),
    ("user.updated", "修改人员信息", "Changed a person"),
    ("user.deactivated", "停用人员", "Deactivated a person"),
    ("user.reactivated", "重新启用人员", "Reactivated a person"),
    ("user.password_reset", "重置密码", "Reset a password"),
    ("user.reassigned", "调整岗位或上级", "Moved a person"),
    ("user.roles_changed", "调整角色", "Changed roles"),
    ("user.locale_changed", "切换语言", "Changed language"),
    ("org_unit.created", "新建组织", "Added a unit"),
    ("org_unit.updated", "修改组织", "Changed a unit"),
    ("org_unit.moved", "调整组织归属", "Moved a unit"),
    ("org_unit.deleted", "删除组织", "Deleted a unit"),
    ("position.created", "新建岗位", "Added a position"),
    ("position.updated", "修改岗位", "Changed a position"),
    ("role.created", "新建角色", "Added a role"),
    ("role.updated", "修改角色", "Changed a role"),
    ("role.deleted", "删除角色", "Deleted a role"),
    ("customer.created", "新建客户", "Added a customer"),
    ("customer.updated", "修改客户", "Changed a customer"),
    ("customer.locked", "锁定客户", "Locked a customer"),
    ("customer.unlocked", "解锁客户", "Unlocked a customer"),
    (
        "customer.collaborators_set",
        "调整客户团队",
        "Changed a customer's team",
    ),
    ("customer.transferred", "转移客户", "Transferred customers"),
    ("customer.handed_over", "交接客户", "Handed customers over"),
    (
        "customer.returned",
        "退回公海",
        "Returned a customer to a pool",
    ),
    ("customer.claimed", "领取公海客户", "Claimed a customer"),
    ("customer.assigned", "分配公海客户", "Assigned a customer"),
    ("customer.merged", "合并客户", "Merged customers"),
    ("customer.exported", "导出客户", "Exported customers"),
    (
        "customer.forgotten_rules_set",
        "设置遗忘提醒",
        "Set the forgotten-customer rules",
    ),
    ("customers.imported", "导入客户", "Imported customers"),
    (
        "customer_limits.updated",
        "设置客户保护上限",
        "Set ownership limits",
    ),
    (
        "customer_option.created",
        "新增选项",
        "Added a pick-list entry",
    ),
    ("contact.created", "新增联系人", "Added a contact"),
    ("contact.updated", "修改联系人", "Changed a contact"),
    ("followup.created", "写跟进记录", "Wrote a follow-up"),
    ("attachment.uploaded", "上传附件", "Uploaded a file"),
    ("attachment.deleted", "删除附件", "Deleted a file"),
    (
        "custom_field.created",
        "新建自定义字段",
        "Added a custom field",
    ),
    (
        "custom_field.updated",
        "修改自定义字段",
        "Changed a custom field",
    ),
    ("view.created", "保存视图", "Saved a view"),
    ("view.updated", "修改视图", "Changed a view"),
    ("view.deleted", "删除视图", "Deleted a view"),
    ("pool.created", "新建公海", "Added a pool"),
    ("pool.updated", "修改公海规则", "Changed a pool"),
    ("pool.reclaim_run", "公海回收", "Reclaim run"),
    ("import.uploaded", "上传导入文件", "Uploaded an import file"),
    ("notification.read", "阅读通知", "Read a notification"),
    (
        "notification.read_all",
        "全部通知标为已读",
        "Read all notifications",
    ),
    (
        "security.export_volume_exceeded",
        "导出量超过日上限",
        "Export volume over the daily limit",
    ),
    (
        "territory.units_imported",
        "导入区域单元",
        "Imported territory units",
    ),
    (
        "territory.figures_from_customers",
        "按客户计算区域指标",
        "Computed unit figures from customers",
    ),
    (
        "territory.scenario_created",
        "新建区域方案",
        "Added a territory scenario",
    ),
    (
        "territory.scenario_optimised",
        "优化区域方案",
        "Optimised a scenario",
    ),
    (
        "territory.scenario_deleted",
        "删除区域方案",
        "Deleted a scenario",
    ),
    (
        "territory.scenario_applied",
        "应用区域方案",
        "Applied a scenario",
    ),
    (
        "territory.territory_updated",
        "修改区域",
        "Changed a territory",
    ),
    (
        "territory.unit_placed",
        "调整区县归属",
        "Moved or locked a unit",
    ),
    (
        "demo.customers_seeded",
        "生成演示客户",
        "Seeded demo customers",
    ),
    (
        "demo.logins_refreshed",
        "重置演示登录",
        "Refreshed demo sign-ins",
    ),
];

/// (entity type, zh-CN, en-US)
const ENTITIES: &[(&str, &str, &str)] = &[
    ("customer", "客户", "Customer"),
    ("user", "人员", "Person"),
    ("session", "登录会话", "Session"),
    ("login", "登录名", "Login name"),
    ("org_unit", "组织", "Unit"),
    ("position", "岗位", "Position"),
    ("role", "角色", "Role"),
    ("pool", "公海", "Pool"),
    ("custom_field", "自定义字段", "Custom field"),
    ("customer_option", "选项", "Pick-list entry"),
    ("customer_limits", "客户保护上限", "Ownership limits"),
    ("customer_settings", "客户设置", "Customer settings"),
    ("saved_view", "视图", "Saved view"),
    ("territory_scenario", "区域方案", "Territory scenario"),
    ("territory_unit", "区域单元", "Territory unit"),
    ("import", "导入文件", "Import"),
    ("api_token", "接口令牌", "API token"),
    ("notification", "通知", "Notification"),
    ("job", "后台任务", "Background job"),
];

/// (system actor, zh-CN, en-US): who acts when no person does.
const SYSTEM_ACTORS: &[(&str, &str, &str)] = &[
    ("anonymous", "未登录的访问者", "Someone not signed in"),
    ("cli", "系统（命令行）", "System (command line)"),
    ("demo", "系统（演示数据）", "System (demo data)"),
    ("reclaim", "系统（公海回收）", "System (reclaim)"),
    ("system", "系统", "System"),
];

fn pick<'a>(table: &'a [(&str, &'a str, &'a str)], code: &str, l: Locale) -> Option<&'a str> {
    table
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, zh, en)| if l == Locale::EnUs { *en } else { *zh })
}

/// An action as people read it (the code itself when it is not in the catalogue).
pub fn action_label(code: &str, l: Locale) -> String {
    pick(ACTIONS, code, l).unwrap_or(code).to_owned()
}

pub fn entity_label(code: &str, l: Locale) -> String {
    pick(ENTITIES, code, l).unwrap_or(code).to_owned()
}

/// A system actor's name as people read it; a person's name is shown as recorded.
pub fn actor_label(name: &str, is_person: bool, l: Locale) -> String {
    if is_person {
        return name.to_owned();
    }
    pick(SYSTEM_ACTORS, name, l).unwrap_or(name).to_owned()
}

/// Whether an action has labels (a test holds every recorded action to this).
pub fn is_known_action(code: &str) -> bool {
    ACTIONS.iter().any(|(c, ..)| *c == code)
}
