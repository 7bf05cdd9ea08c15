//! The message catalogue: every stable error code with its zh-CN and en-US text. The code is
//! API surface and the UI's i18n key; the server's text follows `Accept-Language`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    ZhCn,
    EnUs,
}

impl Locale {
    /// zh-CN unless the client prefers English.
    pub fn from_accept_language(h: Option<&str>) -> Locale {
        let first = h
            .and_then(|v| v.split(',').next())
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if first.starts_with("en") {
            Locale::EnUs
        } else {
            Locale::ZhCn
        }
    }
}

/// (code, zh-CN, en-US)
const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "territory.no_units",
        "还没有区域单元（区县、城市），请先导入",
        "There are no units (districts, cities) yet; import them first",
    ),
    (
        "territory.balance_unknown",
        "均衡指标只能是潜力、工作量或两者",
        "Balance must be potential, workload or both",
    ),
    (
        "territory.no_current_alignment",
        "现有负责人不足两人，无法在现状上重新均衡",
        "Fewer than two reps hold units now; there is no present alignment to rebalance",
    ),
    (
        "territory.disconnected",
        "区域单元之间不连通，请补充相邻关系",
        "The units are not all connected; add the missing adjacency",
    ),
    (
        "territory.scenario_applied",
        "方案已实施，不能再修改",
        "The scenario has been applied and can no longer change",
    ),
    (
        "territory.owner_twice",
        "此人已负责本方案的另一个区域",
        "This person already holds another territory of the scenario",
    ),
    (
        "territory.owner_missing",
        "每个区域都要指定负责人后才能实施",
        "Every territory needs a rep before the scenario can be applied",
    ),
    (
        "validation",
        "提交的内容有误，请检查标出的字段",
        "Some fields are invalid; please check them",
    ),
    (
        "request.invalid_body",
        "请求内容格式不正确",
        "The request body is not valid",
    ),
    (
        "request.invalid_query",
        "查询参数不正确",
        "The query parameters are not valid",
    ),
    (
        "request.too_large",
        "请求内容过大",
        "The request is too large",
    ),
    (
        "request.cross_site",
        "拒绝跨站请求",
        "Cross-site request refused",
    ),
    (
        "request.unsupported_media_type",
        "请使用 JSON 格式提交",
        "Please send JSON",
    ),
    ("route.not_found", "接口不存在", "No such endpoint"),
    (
        "method.not_allowed",
        "不支持该请求方法",
        "Method not allowed",
    ),
    ("auth.unauthenticated", "请先登录", "Please sign in"),
    (
        "auth.invalid_credentials",
        "用户名或密码错误",
        "Wrong username or password",
    ),
    (
        "auth.password_change_required",
        "请先修改初始密码",
        "Please change your temporary password first",
    ),
    (
        "auth.forbidden",
        "没有权限执行此操作",
        "You do not have permission to do this",
    ),
    (
        "auth.rate_limited",
        "尝试次数过多，请稍后再试",
        "Too many attempts; please try again later",
    ),
    ("not_found", "记录不存在或无权查看", "Not found"),
    (
        "precondition.failed",
        "记录已被他人修改，请刷新后重试",
        "Someone else changed this record; reload and try again",
    ),
    (
        "precondition.required",
        "缺少版本号(If-Match)",
        "The If-Match version header is required",
    ),
    (
        "service.busy",
        "系统繁忙，请稍后重试",
        "The service is busy; please retry",
    ),
    (
        "internal",
        "系统内部错误，请联系管理员并提供错误编号",
        "Internal error; please contact your administrator with the error id",
    ),
    ("required", "必填", "Required"),
    ("too_long", "内容过长", "Too long"),
    (
        "invalid_characters",
        "包含不允许的字符",
        "Contains characters that are not allowed",
    ),
    ("invalid_choice", "不是有效的选项", "Not a valid choice"),
    ("out_of_range", "超出允许范围", "Out of range"),
    (
        "username.length",
        "用户名需为 3-32 个字符",
        "Usernames are 3 to 32 characters",
    ),
    (
        "username.invalid",
        "用户名只能包含小写字母、数字和 . _ -，并以字母开头",
        "Use lower-case letters, digits, '.', '_' or '-', starting with a letter",
    ),
    (
        "mobile.invalid",
        "手机号格式不正确",
        "Not a valid mobile number",
    ),
    (
        "email.invalid",
        "邮箱格式不正确",
        "Not a valid e-mail address",
    ),
    (
        "password.too_short",
        "密码至少 8 个字符",
        "Passwords have at least 8 characters",
    ),
    (
        "password.too_long",
        "密码最多 128 个字符",
        "Passwords have at most 128 characters",
    ),
    (
        "password.too_common",
        "密码过于常见，请换一个",
        "This password is too common",
    ),
    (
        "password.contains_identity",
        "密码不能包含用户名或手机号",
        "The password may not contain your username or mobile",
    ),
    (
        "password.current_wrong",
        "当前密码不正确",
        "The current password is wrong",
    ),
    (
        "password.same_as_current",
        "新密码不能与当前密码相同",
        "The new password must differ from the current one",
    ),
    (
        "user.username_taken",
        "用户名已被使用",
        "This username is taken",
    ),
    (
        "user.mobile_taken",
        "手机号已被其他用户使用",
        "This mobile number belongs to another user",
    ),
    ("user.not_found", "人员不存在或无权查看", "No such person"),
    (
        "user.inactive",
        "该人员已停用",
        "This person is deactivated",
    ),
    (
        "user.manager_cycle",
        "不能选择自己的下属作为上级",
        "A subordinate cannot become the manager",
    ),
    (
        "user.outside_scope",
        "超出您的数据权限范围",
        "Outside your data scope",
    ),
    (
        "user.cannot_manage_self",
        "不能对自己执行此操作",
        "You cannot do this to yourself",
    ),
    ("org_unit.not_found", "组织不存在", "No such unit"),
    (
        "org_unit.name_taken",
        "同一上级下已有同名组织",
        "A sibling unit already has this name",
    ),
    (
        "org_unit.only_root_is_company",
        "只有根节点是公司",
        "Only the root is a company",
    ),
    (
        "org_unit.root_is_company",
        "根节点必须是公司",
        "The root must be a company",
    ),
    (
        "org_unit.root_cannot_move",
        "公司根节点不能移动",
        "The company root cannot move",
    ),
    (
        "org_unit.move_into_own_subtree",
        "不能移动到自己或下级组织之下",
        "A unit cannot move under itself or its own sub-units",
    ),
    (
        "org_unit.not_empty",
        "组织下还有下级组织或人员(含历史)，不能删除",
        "The unit has sub-units or people (past or present) and cannot be deleted",
    ),
    ("role.not_found", "角色不存在", "No such role"),
    ("role.code_taken", "角色编码已存在", "This role code exists"),
    (
        "role.name_taken",
        "角色名称已存在",
        "A role with this name exists",
    ),
    (
        "role.locked",
        "系统管理员角色不可修改",
        "The administrator role cannot be changed",
    ),
    (
        "role.builtin",
        "内置角色不可删除",
        "Built-in roles cannot be deleted",
    ),
    (
        "role.in_use",
        "角色仍被人员或岗位使用，不能删除",
        "The role is still held by people or positions",
    ),
    (
        "role.exceeds_own_grants",
        "不能授予超出自己权限的角色",
        "You cannot grant more than you hold",
    ),
    ("permission.unknown", "未知的权限", "Unknown permission"),
    (
        "permission.not_held",
        "不能授予自己没有的权限",
        "You cannot grant a permission you do not hold",
    ),
    ("scope.invalid", "数据权限设置无效", "Invalid data scope"),
    ("position.not_found", "岗位不存在", "No such position"),
    (
        "position.code_taken",
        "岗位编码已存在",
        "This position code exists",
    ),
    (
        "position.name_taken",
        "岗位名称已存在",
        "A position with this name exists",
    ),
    (
        "credit_code.length",
        "统一社会信用代码应为 18 位",
        "A unified social credit code has 18 characters",
    ),
    (
        "credit_code.invalid_characters",
        "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）",
        "The credit code has invalid characters (I, O, S, V and Z are not used)",
    ),
    (
        "credit_code.check_failed",
        "统一社会信用代码校验位不正确，请核对",
        "The credit code's check character is wrong; please check it",
    ),
    ("too_short", "内容太短", "Too short"),
    ("too_many", "数量超过上限", "Too many items"),
    ("duplicate", "有重复项", "Contains a duplicate"),
    ("option.unknown", "不是有效的选项", "Not one of the options"),
    (
        "option.duplicate",
        "选项列表中已有这个名称",
        "The list already has an entry with this name",
    ),
    (
        "import.values_field_unmapped",
        "值对应所属的字段不在列对应中，或不是选项字段",
        "The values are mapped for a field no column fills, or one without options",
    ),
    (
        "location.invalid",
        "经纬度超出范围",
        "Latitude or longitude out of range",
    ),
    (
        "location.incomplete",
        "经度和纬度需同时填写",
        "Give both latitude and longitude",
    ),
    (
        "date.invalid",
        "日期格式应为 YYYY-MM-DD 且为有效日期",
        "Use a valid date as YYYY-MM-DD",
    ),
    (
        "contact.one_primary",
        "只能有一位首要联系人",
        "Only one contact can be primary",
    ),
    (
        "contact.too_many",
        "联系人数量已达上限",
        "This customer has too many contacts",
    ),
    (
        "contact.primary_required",
        "请先将其他联系人设为首要联系人",
        "Make another contact primary first",
    ),
    ("contact.not_found", "联系人不存在", "No such contact"),
    (
        "followup.in_future",
        "跟进时间不能晚于现在",
        "A follow-up cannot be in the future",
    ),
    (
        "followup.too_old",
        "跟进时间不能早于一年前",
        "A follow-up cannot be more than a year old",
    ),
    (
        "followup.next_before_happened",
        "下次联系时间应晚于本次跟进",
        "The next contact must come after this one",
    ),
    (
        "customer.duplicate",
        "客户已存在（查重未通过）",
        "This customer already exists",
    ),
    (
        "customer.duplicate_credit_code",
        "已有客户使用该统一社会信用代码",
        "A customer with this credit code exists",
    ),
    (
        "customer.duplicate_name",
        "已有同名客户",
        "A customer with this name exists",
    ),
    (
        "customer.credit_code_taken",
        "已有客户使用该统一社会信用代码",
        "A customer with this credit code exists",
    ),
    (
        "customer.owner_limit_reached",
        "已达到可拥有客户数上限（客户保护）",
        "The owner has reached their customer limit",
    ),
    (
        "customer.lock_limit_reached",
        "已达到可锁定客户数上限",
        "The owner has reached their lock limit",
    ),
    (
        "customer.changed_meanwhile",
        "客户已被他人处理，请刷新后重试",
        "Someone else changed this customer; please reload",
    ),
    (
        "customer.recipient_outside_scope",
        "接收人不在您的管理范围内",
        "The recipient is outside your scope",
    ),
    (
        "customer.already_owner",
        "该人员已是负责人",
        "That person already owns it",
    ),
    (
        "customer.nothing_to_hand_over",
        "没有可交接的客户",
        "There are no customers to hand over",
    ),
    (
        "customer.owner_not_collaborator",
        "负责人无需加入团队成员",
        "The owner cannot be a team member",
    ),
    (
        "pool.name_taken",
        "公海名称已存在",
        "A pool with this name exists",
    ),
    (
        "pool.unit_outside_scope",
        "只能为本部门及下属部门设置公海",
        "You can only set up pools for your own units",
    ),
    ("pool.not_found", "公海不存在", "No such pool"),
    (
        "pool.does_not_cover_customer",
        "该公海不覆盖此客户所属部门",
        "This pool does not cover the customer's unit",
    ),
    (
        "pool.daily_claim_limit_reached",
        "今日领取数量已达上限",
        "You have reached today's claim limit",
    ),
    (
        "pool.cooldown",
        "退回公海后的保护期内不能再次领取",
        "You cannot claim back a customer you released so recently",
    ),
    (
        "job.already_ran",
        "该任务本次已运行过",
        "This job has already run for this period",
    ),
    (
        "export.too_many",
        "导出的数据超过 20 万行，请缩小筛选范围",
        "More than 200,000 rows; please narrow the filters",
    ),
    (
        "customer.external_id_taken",
        "外部编号已被其他客户使用",
        "Another customer has this external id",
    ),
    ("import.file_empty", "文件是空的", "The file is empty"),
    ("attachment.empty", "文件是空的", "The file is empty"),
    (
        "pool.level_unknown",
        "没有这个客户级别",
        "No such customer level",
    ),
    (
        "pool.level_twice",
        "同一客户级别只能设置一条规则",
        "One rule per customer level",
    ),
    (
        "view.name_taken",
        "已有同名视图",
        "You already have a view with this name",
    ),
    (
        "view.too_many",
        "每个列表最多保存 30 个视图",
        "At most 30 views per list",
    ),
    (
        "view.unknown_filter",
        "视图中含有此列表不支持的筛选条件",
        "The view holds a filter this list does not have",
    ),
    (
        "view.kind_fixed",
        "视图所属的列表不能修改",
        "A view stays with its list",
    ),
    (
        "attachment.too_large",
        "单个附件不能超过 20 MB",
        "An attachment may be at most 20 MB",
    ),
    (
        "attachment.type_not_allowed",
        "不支持此类文件；可上传图片、PDF、Office/WPS 文档、文本、压缩包、音频和视频",
        "This kind of file is not accepted; upload pictures, PDF, Office or WPS documents, text, archives, audio or video",
    ),
    (
        "attachment.content_mismatch",
        "文件内容与扩展名不符",
        "The file's content does not match its extension",
    ),
    (
        "attachment.customer_full",
        "该客户的附件已达 500 个上限，请先删除不需要的附件",
        "This customer already has 500 attachments; delete some first",
    ),
    (
        "attachment.not_found",
        "附件不存在，或不是您为该客户上传的",
        "No such attachment among the files you uploaded to this customer",
    ),
    (
        "import.file_xls_or_protected",
        "请另存为未加密的 .xlsx 或 CSV 文件后再导入（不支持 .xls 和加密文件）",
        "Save the file as an unencrypted .xlsx or CSV first (.xls and protected files are not read)",
    ),
    (
        "import.file_unreadable",
        "文件已损坏或不是 Excel/CSV 文件",
        "The file is damaged or not an Excel or CSV file",
    ),
    (
        "import.file_unsafe",
        "文件解压后过大或含有不安全的内容，已拒绝",
        "The file unpacks to too much data or holds unsafe content; refused",
    ),
    (
        "import.file_encoding",
        "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV",
        "The file's encoding is not recognised; save it as UTF-8 or GBK CSV",
    ),
    (
        "import.file_too_large",
        "文件超过 30 MB",
        "The file is larger than 30 MB",
    ),
    (
        "import.too_many_rows",
        "文件超过 20 万行，请分批导入",
        "More than 200,000 rows; import them in parts",
    ),
    (
        "import.too_many_columns",
        "文件超过 100 列",
        "More than 100 columns",
    ),
    (
        "import.cell_error",
        "单元格是错误值（如 #N/A）",
        "The cell holds a spreadsheet error (#N/A…)",
    ),
    (
        "import.duplicate_in_file",
        "与文件中前面的行重复",
        "Repeats an earlier row of the file",
    ),
    (
        "import.name_ambiguous",
        "系统中有多个同名客户，请改用信用代码或外部编号匹配",
        "Several customers have this name; match by credit code or external id",
    ),
    (
        "import.customer_not_found",
        "系统中没有这个客户（更新模式只更新已有客户）",
        "No such customer (update mode changes existing customers only)",
    ),
    (
        "import.customer_outside_scope",
        "该客户已存在，但不在你的管理范围内",
        "This customer exists but is outside your scope",
    ),
    (
        "import.owner_ambiguous",
        "有多个同名员工，请填写登录名或手机号",
        "Several people have this name; give the login name or mobile",
    ),
    (
        "import.owner_change",
        "导入不能更换负责人，请使用转移",
        "An import does not change owners; use transfer",
    ),
    (
        "import.mobile_elsewhere",
        "该手机号已是其他客户的联系人",
        "Another customer has a contact with this mobile",
    ),
    (
        "import.similar_name",
        "与已有客户名称相似，请确认不是同一客户",
        "Like an existing customer's name; make sure it is not the same customer",
    ),
    (
        "import.field_mapped_twice",
        "同一字段对应了多列",
        "The same field is mapped to several columns",
    ),
    (
        "import.match_column_missing",
        "没有用于匹配客户的列",
        "No column to match customers by",
    ),
    (
        "import.name_column_missing",
        "需要对应“客户名称”列",
        "A customer name column is needed",
    ),
    (
        "import.already_imported",
        "这个文件已经导入",
        "This file has been imported",
    ),
    (
        "import.busy",
        "该文件正在处理中",
        "This file is being processed",
    ),
    (
        "import.file_gone",
        "上传的文件已不在，请重新上传",
        "The uploaded file is gone; upload it again",
    ),
    (
        "customer.merge_same",
        "不能把客户合并到它自己",
        "A customer cannot be merged into itself",
    ),
    (
        "customer.not_found",
        "客户不存在或不在你的管理范围内",
        "No such customer in your charge",
    ),
    (
        "custom_field.code_invalid",
        "编码只能用小写字母、数字和下划线，字段编码须以字母开头",
        "Use lower-case letters, digits and _; a field code starts with a letter",
    ),
    (
        "custom_field.code_taken",
        "已有相同编码的自定义字段",
        "A custom field with this code exists",
    ),
    (
        "custom_field.code_fixed",
        "字段编码创建后不能修改",
        "A field's code cannot change",
    ),
    (
        "custom_field.kind_fixed",
        "字段类型创建后不能修改",
        "A field's type cannot change",
    ),
    (
        "custom_field.entity_fixed",
        "字段所属对象不能修改",
        "A field's record type cannot change",
    ),
    (
        "custom_field.options_required",
        "单选和多选字段至少需要一个启用的选项",
        "A select field needs at least one active option",
    ),
    (
        "custom_field.options_not_allowed",
        "只有单选和多选字段有选项",
        "Only select fields have options",
    ),
    (
        "custom_field.option_removed",
        "选项不能删除，只能停用（已有客户在用）",
        "Options cannot be removed, only retired (customers may use them)",
    ),
    (
        "custom_field.too_many",
        "自定义字段已达上限（50 个）",
        "The limit of 50 custom fields is reached",
    ),
    (
        "custom_field.unknown",
        "没有这个自定义字段，或它已停用",
        "No such custom field, or it is retired",
    ),
    (
        "custom_field.wrong_type",
        "值的类型与字段类型不符",
        "The value does not fit the field's type",
    ),
    (
        "custom_field.filter_invalid",
        "自定义字段筛选条件格式不正确（字段:比较:值）",
        "The custom field filter is not valid (code:op:value)",
    ),
    (
        "number.invalid",
        "不是有效的数字（最多 15 位，6 位小数）",
        "Not a valid number (at most 15 digits, 6 decimals)",
    ),
    ("conflict", "与现有数据冲突", "Conflicts with existing data"),
];

pub fn message(code: &str, locale: Locale) -> &'static str {
    let found = MESSAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .or_else(|| MESSAGES.iter().find(|(c, _, _)| *c == "conflict"));
    match (found, locale) {
        (Some((_, zh, _)), Locale::ZhCn) => zh,
        (Some((_, _, en)), Locale::EnUs) => en,
        (None, _) => "",
    }
}

/// Every code the catalogue knows (a test checks each code the code base emits is here).
pub fn known_codes() -> impl Iterator<Item = &'static str> {
    MESSAGES.iter().map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_defaults_to_chinese() {
        assert_eq!(Locale::from_accept_language(None), Locale::ZhCn);
        assert_eq!(
            Locale::from_accept_language(Some("en-US,en;q=0.9")),
            Locale::EnUs
        );
        assert_eq!(
            Locale::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Locale::ZhCn
        );
    }

    #[test]
    fn codes_are_unique_and_have_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (c, zh, en) in MESSAGES {
            assert!(seen.insert(c), "duplicate {c}");
            assert!(!zh.is_empty() && !en.is_empty(), "{c}");
        }
    }

    #[test]
    fn domain_codes_all_have_messages() {
        use salesdesk_domain::access::{DataScope, Permission};
        let _ = (DataScope::ALL, Permission::ALL);
        for code in [
            "required",
            "too_long",
            "invalid_choice",
            "username.length",
            "username.invalid",
            "mobile.invalid",
            "email.invalid",
            "password.too_short",
            "password.too_long",
            "password.too_common",
            "password.contains_identity",
            "too_short",
            "too_many",
            "duplicate",
            "option.unknown",
            "location.invalid",
            "location.incomplete",
            "date.invalid",
            "contact.one_primary",
            "contact.too_many",
            "contact.primary_required",
            "contact.not_found",
            "followup.in_future",
            "followup.too_old",
            "followup.next_before_happened",
            "customer.duplicate",
            "customer.duplicate_credit_code",
            "customer.duplicate_name",
            "customer.credit_code_taken",
            "customer.owner_limit_reached",
            "customer.lock_limit_reached",
            "customer.changed_meanwhile",
            "customer.recipient_outside_scope",
            "customer.already_owner",
            "customer.nothing_to_hand_over",
            "customer.owner_not_collaborator",
            "pool.name_taken",
            "pool.unit_outside_scope",
            "pool.not_found",
            "pool.does_not_cover_customer",
            "pool.daily_claim_limit_reached",
            "pool.cooldown",
            "job.already_ran",
            "export.too_many",
            "customer.external_id_taken",
            "import.file_empty",
            "import.file_xls_or_protected",
            "import.file_unreadable",
            "import.file_unsafe",
            "import.file_encoding",
            "import.file_too_large",
            "import.too_many_rows",
            "import.too_many_columns",
            "import.cell_error",
            "import.duplicate_in_file",
            "import.name_ambiguous",
            "import.customer_not_found",
            "import.customer_outside_scope",
            "import.owner_ambiguous",
            "import.owner_change",
            "import.mobile_elsewhere",
            "import.similar_name",
            "import.field_mapped_twice",
            "import.match_column_missing",
            "import.name_column_missing",
            "import.already_imported",
            "import.busy",
            "import.file_gone",
            "import.values_field_unmapped",
            "option.duplicate",
            "customer.merge_same",
            "customer.not_found",
            "attachment.empty",
            "attachment.too_large",
            "attachment.type_not_allowed",
            "attachment.content_mismatch",
            "attachment.customer_full",
            "attachment.not_found",
            "view.name_taken",
            "view.too_many",
            "view.unknown_filter",
            "view.kind_fixed",
            "pool.level_unknown",
            "pool.level_twice",
            "custom_field.code_invalid",
            "custom_field.code_taken",
            "custom_field.code_fixed",
            "custom_field.kind_fixed",
            "custom_field.entity_fixed",
            "custom_field.options_required",
            "custom_field.options_not_allowed",
            "custom_field.option_removed",
            "custom_field.too_many",
            "custom_field.unknown",
            "custom_field.wrong_type",
            "custom_field.filter_invalid",
            "number.invalid",
        ] {
            assert!(known_codes().any(|c| c == code), "{code}");
        }
    }
}
