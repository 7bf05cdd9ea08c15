//! Importing customers from spreadsheets (导入): which column is which field (by Chinese or
//! English header, two-level and merged headers included), and what spreadsheet cells hold
//! in practice: numbers stored as text or as floats, full-width digits, Excel serial dates.
//! No I/O: the app reads the file and hands rows of text here.

use crate::custom_field::{FieldDef, FieldInput, FieldKind};
use crate::export::civil_from_days;
use crate::text::to_half_width;

/// How an import treats rows that match an existing customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ImportMode {
    /// New customers only; a row matching an existing one is an error.
    Insert,
    /// Existing customers only; a row matching none is an error.
    Update,
    /// Update the matching customer, or create one.
    Upsert,
}

str_enum!(ImportMode { Insert = "insert", Update = "update", Upsert = "upsert" });

/// How a row finds the existing customer it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum MatchBy {
    /// 统一社会信用代码, else the normalised name.
    CreditCode,
    /// The normalised name (查重 key).
    Name,
    /// The id the customer has in the system the file comes from.
    ExternalId,
}

str_enum!(MatchBy { CreditCode = "creditCode", Name = "name", ExternalId = "externalId" });

/// A column an import can fill. `key()` is the API name, and for customer fields the
/// validation field name too, so a field error maps back to its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportField {
    Name,
    ShortName,
    CreditCode,
    ExternalId,
    TypeCode,
    LevelCode,
    StatusCode,
    IndustryCode,
    SourceCode,
    Province,
    City,
    District,
    Address,
    Lat,
    Lon,
    Tags,
    Notes,
    Owner,
    ContactName,
    ContactTitle,
    ContactRole,
    ContactMobile,
    ContactPhone,
    ContactEmail,
    ContactWechat,
    ContactBirthday,
}

use ImportField::*;

/// (field, key, zh label, en label, other header names people write).
const FIELDS: &[(ImportField, &str, &str, &str, &[&str])] = &[
    (
        Name,
        "name",
        "客户名称",
        "Customer name",
        &[
            "客户",
            "公司名称",
            "企业名称",
            "单位名称",
            "名称",
            "客户全称",
            "name",
            "customer",
            "company",
            "companyname",
            "accountname",
        ],
    ),
    (
        ShortName,
        "shortName",
        "客户简称",
        "Short name",
        &["简称", "shortname"],
    ),
    (
        CreditCode,
        "creditCode",
        "统一社会信用代码",
        "Credit code",
        &[
            "信用代码",
            "社会信用代码",
            "纳税人识别号",
            "税号",
            "uscc",
            "unifiedsocialcreditcode",
        ],
    ),
    (
        ExternalId,
        "externalId",
        "外部编号",
        "External id",
        &[
            "外部id",
            "原系统编号",
            "客户编号",
            "客户编码",
            "externalid",
            "id",
        ],
    ),
    (
        TypeCode,
        "typeCode",
        "客户类型",
        "Type",
        &["类型", "type", "customertype"],
    ),
    (
        LevelCode,
        "levelCode",
        "客户级别",
        "Level",
        &["级别", "等级", "客户等级", "level", "customerlevel"],
    ),
    (
        StatusCode,
        "statusCode",
        "客户状态",
        "Status",
        &["状态", "status"],
    ),
    (
        IndustryCode,
        "industryCode",
        "行业",
        "Industry",
        &["所属行业", "industry"],
    ),
    (
        SourceCode,
        "sourceCode",
        "客户来源",
        "Source",
        &["来源", "source", "leadsource"],
    ),
    (
        Province,
        "province",
        "省份",
        "Province",
        &["省", "省/直辖市", "province", "state"],
    ),
    (City, "city", "城市", "City", &["市", "city"]),
    (
        District,
        "district",
        "区县",
        "District",
        &["区", "县", "区/县", "district", "county"],
    ),
    (
        Address,
        "address",
        "详细地址",
        "Address",
        &["地址", "公司地址", "address", "street"],
    ),
    (Lat, "lat", "纬度", "Latitude", &["lat", "latitude"]),
    (
        Lon,
        "lon",
        "经度",
        "Longitude",
        &["lon", "lng", "longitude"],
    ),
    (Tags, "tags", "标签", "Tags", &["tag", "tags"]),
    (
        Notes,
        "notes",
        "备注",
        "Notes",
        &["说明", "notes", "note", "remark", "remarks", "description"],
    ),
    (
        Owner,
        "owner",
        "负责人",
        "Owner",
        &[
            "客户负责人",
            "归属人",
            "所属销售",
            "销售",
            "业务员",
            "owner",
            "accountowner",
            "salesrep",
        ],
    ),
    (
        ContactName,
        "contactName",
        "联系人",
        "Contact name",
        &["联系人姓名", "联系人名称", "contact", "contactname"],
    ),
    (
        ContactTitle,
        "contactTitle",
        "职务",
        "Contact title",
        &[
            "联系人职务",
            "职位",
            "联系人职位",
            "title",
            "jobtitle",
            "contacttitle",
        ],
    ),
    (
        ContactRole,
        "contactRole",
        "采购角色",
        "Purchase role",
        &["角色", "联系人角色", "role", "contactrole"],
    ),
    (
        ContactMobile,
        "contactMobile",
        "手机",
        "Mobile",
        &[
            "手机号",
            "手机号码",
            "联系人手机",
            "移动电话",
            "mobile",
            "cellphone",
            "mobilephone",
            "contactmobile",
        ],
    ),
    (
        ContactPhone,
        "contactPhone",
        "电话",
        "Phone",
        &[
            "座机",
            "固定电话",
            "联系电话",
            "办公电话",
            "联系人电话",
            "phone",
            "telephone",
            "tel",
            "contactphone",
        ],
    ),
    (
        ContactEmail,
        "contactEmail",
        "邮箱",
        "Email",
        &[
            "电子邮箱",
            "电子邮件",
            "联系人邮箱",
            "email",
            "e-mail",
            "mail",
            "contactemail",
        ],
    ),
    (
        ContactWechat,
        "contactWechat",
        "微信",
        "WeChat",
        &["微信号", "联系人微信", "wechat", "weixin", "contactwechat"],
    ),
    (
        ContactBirthday,
        "contactBirthday",
        "生日",
        "Birthday",
        &[
            "出生日期",
            "联系人生日",
            "birthday",
            "dateofbirth",
            "contactbirthday",
        ],
    ),
];

/// Under a parent header such as 联系人 (contact), the sub-headers name contact fields.
const CONTACT_PARENTS: &[&str] = &[
    "联系人",
    "联系人信息",
    "联系方式",
    "主要联系人",
    "首要联系人",
    "contact",
    "contacts",
    "primarycontact",
];
const CONTACT_CHILDREN: &[(ImportField, &[&str])] = &[
    (ContactName, &["姓名", "名字", "名称", "name"]),
    (ContactTitle, &["职务", "职位", "title"]),
    (ContactRole, &["角色", "role"]),
    (ContactMobile, &["手机", "手机号", "手机号码", "mobile"]),
    (ContactPhone, &["电话", "座机", "phone", "tel"]),
    (ContactEmail, &["邮箱", "电子邮箱", "email"]),
    (ContactWechat, &["微信", "wechat"]),
    (ContactBirthday, &["生日", "birthday"]),
];

impl ImportField {
    pub fn all() -> impl Iterator<Item = ImportField> {
        FIELDS.iter().map(|f| f.0)
    }

    fn entry(
        self,
    ) -> &'static (
        ImportField,
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    ) {
        FIELDS.iter().find(|f| f.0 == self).unwrap_or(&FIELDS[0])
    }

    pub fn key(self) -> &'static str {
        self.entry().1
    }

    pub fn label_zh(self) -> &'static str {
        self.entry().2
    }

    pub fn label_en(self) -> &'static str {
        self.entry().3
    }

    pub fn parse(key: &str) -> Option<ImportField> {
        FIELDS.iter().find(|f| f.1 == key).map(|f| f.0)
    }

    pub fn is_contact(self) -> bool {
        self >= ContactName
    }

    /// Cells of these fields are codes and numbers: full-width digits and letters are
    /// turned half-width, and a number Excel shows as `1.38E+10` is written out whole.
    pub fn is_code_like(self) -> bool {
        matches!(
            self,
            CreditCode
                | ExternalId
                | Lat
                | Lon
                | ContactMobile
                | ContactPhone
                | ContactEmail
                | ContactBirthday
        )
    }
}

/// A header as people write it, reduced for matching: half-width, lower case, without
/// spaces, punctuation, the required mark `*` and a trailing note in brackets (`（必填）`).
pub fn normalise_header(raw: &str) -> String {
    let half = to_half_width(raw.trim()).to_lowercase();
    let mut s = half.as_str();
    // "客户名称(必填)" / "手机(选填)": the bracketed note is not part of the name.
    if let Some(open) = s.rfind('(')
        && s.ends_with(')')
        && open > 0
    {
        s = &s[..open];
    }
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '*' | ':' | '_' | '.' | '-' | '#' | '·' | '：' | '　')
        })
        .collect()
}

fn lookup(norm: &str) -> Option<ImportField> {
    if norm.is_empty() {
        return None;
    }
    FIELDS.iter().find_map(|(f, key, zh, en, aliases)| {
        let hit = normalise_header(key) == norm
            || normalise_header(zh) == norm
            || normalise_header(en) == norm
            || aliases.iter().any(|a| normalise_header(a) == norm);
        hit.then_some(*f)
    })
}

/// The field a column header names, if any. `parent` is the header of the merged cell above
/// it in a two-level header (`联系人` over `姓名 | 手机`).
pub fn match_header(parent: Option<&str>, own: &str) -> Option<ImportField> {
    let own_n = normalise_header(own);
    if let Some(p) = parent.map(normalise_header).filter(|p| !p.is_empty()) {
        if CONTACT_PARENTS.iter().any(|c| normalise_header(c) == p)
            && let Some((f, _)) = CONTACT_CHILDREN
                .iter()
                .find(|(_, names)| names.iter().any(|n| normalise_header(n) == own_n))
        {
            return Some(*f);
        }
        if let Some(f) = lookup(&format!("{p}{own_n}")) {
            return Some(f);
        }
    }
    lookup(&own_n)
}

/// A cell's text as an import reads it: trimmed; for code-like fields also half-width.
pub fn clean_cell(field: ImportField, raw: &str) -> String {
    let t = raw.trim();
    if field.is_code_like() {
        to_half_width(t)
            .trim()
            .replace(['\u{200b}', '\u{feff}'], "")
    } else {
        t.to_owned()
    }
}

/// A number cell as text: whole numbers without `.0` or an exponent (a mobile number typed
/// into a number cell is `13800138000`, not `1.3800138e10`).
pub fn number_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e17 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// An Excel serial date (days since 1899-12-30 in the 1900 system, 1904-01-01 otherwise) as
/// `YYYY-MM-DD`; None outside 1900-2100.
pub fn excel_serial_date(serial: f64, is_1904: bool) -> Option<String> {
    if !serial.is_finite() || serial < 1.0 {
        return None;
    }
    // 1899-12-30 is day -25569 from 1970-01-01; the 1904 system starts 1462 days later.
    let offset = if is_1904 { -24107 } else { -25569 };
    let days = serial.floor() as i64 + offset;
    let (y, m, d) = civil_from_days(days);
    (1900..=2100)
        .contains(&y)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date as spreadsheets hold it: `2024-03-05`, `2024/3/5`, `2024.3.5`, `2024年3月5日`,
/// `20240305`, or an Excel serial number stored as text (`45356`). Returns `YYYY-MM-DD`
/// (still to be checked as a calendar date).
pub fn loose_date(raw: &str) -> String {
    let s = to_half_width(raw.trim());
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]);
    }
    if !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && let Some(d) = s
            .parse::<f64>()
            .ok()
            .and_then(|v| excel_serial_date(v, false))
    {
        return d;
    }
    // A date-time keeps its date.
    let date_part = s.split([' ', 'T']).next().unwrap_or_default();
    let parts: Vec<&str> = date_part
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() == 3
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].len() == 4
    {
        return format!("{}-{:0>2}-{:0>2}", parts[0], parts[1], parts[2]);
    }
    s
}

/// Splits a tags cell: commas (either width), 、, semicolons, vertical bars or new lines.
pub fn split_tags(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、', ';', '；', '|', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The mapping key of a company-defined field's column: `cf.<code>` (built-in fields are
/// plain keys, see [`ImportField::key`]).
pub fn custom_field_key(code: &str) -> String {
    format!("{CUSTOM_FIELD_PREFIX}{code}")
}

pub const CUSTOM_FIELD_PREFIX: &str = "cf.";

/// The active company-defined field a header names, by its label or its code (after the
/// built-in fields: a header both could mean is the built-in one).
pub fn match_custom_header<'a>(defs: &'a [FieldDef], own: &str) -> Option<&'a FieldDef> {
    let own_n = normalise_header(own);
    if own_n.is_empty() {
        return None;
    }
    defs.iter()
        .filter(|d| d.active)
        .find(|d| normalise_header(&d.label) == own_n || d.code.to_lowercase() == own_n)
}

/// What a spreadsheet cell says for a company-defined field: options written by label or by
/// code (a multi select's separated like tags), dates as people type them or as Excel
/// serials, numbers and text as they are. The field's own rules (`parse_value`) then check
/// it; an option nobody defined is passed on as written, for them to refuse.
pub fn custom_field_input(def: &FieldDef, raw: &str) -> FieldInput {
    let t = raw.trim();
    let option = |v: &str| {
        let n = normalise_header(v);
        def.options
            .iter()
            .find(|o| o.code == v)
            .or_else(|| def.options.iter().find(|o| normalise_header(&o.label) == n))
            .map_or_else(|| v.to_owned(), |o| o.code.clone())
    };
    match def.kind {
        FieldKind::Select => FieldInput::Text(option(t)),
        FieldKind::MultiSelect => {
            FieldInput::List(split_tags(t).iter().map(|v| option(v)).collect())
        }
        FieldKind::Date => FieldInput::Text(loose_date(t)),
        FieldKind::Number | FieldKind::Text => FieldInput::Text(t.to_owned()),
    }
}

/// A pick-list entry as an import matches cells against it: its code and its labels.
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    pub code: &'a str,
    pub labels: Vec<&'a str>,
}

/// Words people write for an entry of the standard pick lists, and the word of the entry's
/// label they mean (重点客户 is what many companies call a 大客户).
const OPTION_SYNONYMS: &[(&str, &str)] = &[
    ("重点客户", "大客户"),
    ("战略客户", "大客户"),
    ("ka", "大客户"),
    ("keyaccount", "大客户"),
    ("vip客户", "大客户"),
    ("代理商", "经销商"),
    ("分销商", "经销商"),
    ("渠道商", "经销商"),
    ("批发商", "经销商"),
    ("政府机构", "政府"),
    ("政府机关", "政府"),
    ("机关单位", "政府"),
    ("事业单位", "政府"),
    ("国企", "大客户"),
    ("中小企业", "中小客户"),
    ("小微企业", "中小客户"),
    ("个体户", "个人"),
    ("个体工商户", "个人"),
    ("老客户介绍", "客户介绍"),
    ("转介绍", "客户介绍"),
    ("网站", "官网"),
    ("线上", "官网"),
    ("招标", "招投标"),
    ("投标", "招投标"),
    ("电销", "电话开发"),
    ("陌拜", "电话开发"),
    ("展览会", "展会"),
];

/// The entry a cell that names none most likely means, for the import to propose (never to
/// apply on its own): a label that holds the cell or that the cell holds (经销商 in
/// 经销商/代理商, 政府 in 政府机构), a word people use for it (重点客户 → 大客户), else the label
/// sharing most of its character pairs with the cell (at least half). None when two entries
/// fit equally well.
pub fn suggest_option(value: &str, choices: &[Choice<'_>]) -> Option<String> {
    let v = normalise_header(value);
    if v.is_empty() {
        return None;
    }
    let meant = OPTION_SYNONYMS
        .iter()
        .find(|(word, _)| normalise_header(word) == v)
        .map(|(_, target)| normalise_header(target));
    let parts = |label: &str| -> Vec<String> {
        label
            .split(['/', '／', '、', '(', ')', '（', '）', ',', '，'])
            .map(normalise_header)
            .filter(|p| !p.is_empty())
            .collect()
    };
    let grams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    let score = |label: &str| -> f64 {
        parts(label)
            .iter()
            .map(|p| {
                let (pl, vl) = (p.chars().count(), v.chars().count());
                if meant.as_deref() == Some(p.as_str()) || *p == v {
                    2.0
                } else if (pl >= 2 && v.contains(p.as_str())) || (vl >= 2 && p.contains(&v)) {
                    1.0 + pl.min(vl) as f64 / pl.max(vl) as f64 / 2.0
                } else {
                    let (a, b) = (grams(p), grams(&v));
                    let shared = a.iter().filter(|x| b.contains(x)).count();
                    if a.is_empty() || b.is_empty() {
                        0.0
                    } else {
                        2.0 * shared as f64 / (a.len() + b.len()) as f64
                    }
                }
            })
            .fold(0.0, f64::max)
    };
    let mut scored: Vec<(f64, &str)> = choices
        .iter()
        .map(|c| {
            let best = c.labels.iter().map(|l| score(l)).fold(0.0, f64::max);
            (best, c.code)
        })
        .filter(|(s, _)| *s >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [] => None,
        [(best, code), rest @ ..] if rest.first().is_none_or(|r| r.0 < *best) => {
            Some((*code).to_owned())
        }
        _ => None,
    }
}

/// A purchase-role cell as people write it (决策人, Decision maker, decision_maker) as the
/// role's code; anything else is returned as typed, for validation to refuse.
pub fn contact_role_code(raw: &str) -> String {
    let t = normalise_header(raw);
    let code = match t.as_str() {
        "决策人" | "决策者" | "decisionmaker" => "decision_maker",
        "影响人" | "影响者" | "influencer" => "influencer",
        "使用人" | "使用者" | "用户" | "user" => "user",
        "采购" | "采购人" | "purchaser" | "buyer" => "purchaser",
        "技术" | "技术把关" | "technical" => "technical",
        "财务" | "finance" => "finance",
        "其他" | "other" => "other",
        _ => return raw.trim().to_owned(),
    };
    code.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_spellings_and_common_words_propose_an_option() {
        let types = [
            Choice {
                code: "key_account",
                labels: vec!["大客户", "Key account"],
            },
            Choice {
                code: "smb",
                labels: vec!["中小客户", "SMB"],
            },
            Choice {
                code: "dealer",
                labels: vec!["经销商/代理商", "Dealer / distributor"],
            },
            Choice {
                code: "government",
                labels: vec!["政府/事业单位", "Government"],
            },
            Choice {
                code: "individual",
                labels: vec!["个人", "Individual"],
            },
        ];
        for (typed, code) in [
            ("经销商", Some("dealer")),
            ("代理商", Some("dealer")),
            ("政府机构", Some("government")),
            ("重点客户", Some("key_account")),
            ("Dealer", Some("dealer")),
            ("中小企业", Some("smb")),
            ("个体户", Some("individual")),
            ("外资企业", None),
            ("", None),
        ] {
            assert_eq!(suggest_option(typed, &types).as_deref(), code, "{typed}");
        }
        let industries = [
            Choice {
                code: "manufacturing",
                labels: vec!["制造业"],
            },
            Choice {
                code: "electronics",
                labels: vec!["电子"],
            },
            Choice {
                code: "food",
                labels: vec!["食品饮料"],
            },
        ];
        assert_eq!(suggest_option("信息技术", &industries), None);
        assert_eq!(suggest_option("零售", &industries), None);
        assert_eq!(suggest_option("食品", &industries).as_deref(), Some("food"));
        assert_eq!(
            suggest_option("电子制造", &industries).as_deref(),
            Some("electronics")
        );
        let regions = [
            Choice {
                code: "east",
                labels: vec!["华东"],
            },
            Choice {
                code: "north",
                labels: vec!["华北"],
            },
        ];
        assert_eq!(
            suggest_option("华东华北", &regions),
            None,
            "two fit alike: none proposed"
        );
    }

    #[test]
    fn custom_field_cells_read_labels_codes_and_dates() {
        use crate::custom_field::FieldOption;
        let opt = |code: &str, label: &str, active| FieldOption {
            code: code.into(),
            label: label.into(),
            active,
        };
        let def = |kind| FieldDef {
            id: uuid::Uuid::nil(),
            code: "lines".into(),
            label: "关注产品线".into(),
            kind,
            options: vec![
                opt("pump", "泵", true),
                opt("motor", "电机", true),
                opt("old", "旧线", false),
            ],
            required: false,
            active: true,
        };
        let multi = def(FieldKind::MultiSelect);
        assert_eq!(
            custom_field_input(&multi, "泵、 电机，old"),
            FieldInput::List(vec!["pump".into(), "motor".into(), "old".into()])
        );
        assert_eq!(
            custom_field_input(&def(FieldKind::Select), "电机"),
            FieldInput::Text("motor".into())
        );
        assert_eq!(
            custom_field_input(&def(FieldKind::Select), "阀门"),
            FieldInput::Text("阀门".into())
        );
        assert_eq!(
            custom_field_input(&def(FieldKind::Date), "2025/3/7"),
            FieldInput::Text("2025-03-07".into())
        );
        assert_eq!(
            custom_field_input(&def(FieldKind::Date), "45000"),
            FieldInput::Text("2023-03-15".into())
        );
        let defs = [multi];
        assert_eq!(
            match_custom_header(&defs, " 关注产品线（选填）").map(|d| d.code.as_str()),
            Some("lines")
        );
        assert_eq!(
            match_custom_header(&defs, "LINES").map(|d| d.code.as_str()),
            Some("lines")
        );
        assert!(match_custom_header(&defs, "产品").is_none());
    }

    #[test]
    fn headers_match_in_chinese_english_and_with_notes() {
        assert_eq!(match_header(None, "客户名称*"), Some(Name));
        assert_eq!(match_header(None, "客户名称（必填）"), Some(Name));
        assert_eq!(match_header(None, " Company Name "), Some(Name));
        assert_eq!(match_header(None, "统一社会信用代码"), Some(CreditCode));
        assert_eq!(match_header(None, "Ｅｍａｉｌ"), Some(ContactEmail));
        assert_eq!(match_header(None, "external_id"), Some(ExternalId));
        assert_eq!(match_header(None, "手机号码"), Some(ContactMobile));
        assert_eq!(match_header(None, "错误"), None);
        assert_eq!(match_header(None, ""), None);
    }

    #[test]
    fn two_level_headers_use_their_parent() {
        assert_eq!(match_header(Some("联系人"), "姓名"), Some(ContactName));
        assert_eq!(match_header(Some("联系人"), "手机"), Some(ContactMobile));
        assert_eq!(match_header(Some("Contact"), "Name"), Some(ContactName));
        // A parent that is not about contacts: the own header decides.
        assert_eq!(match_header(Some("基本信息"), "客户名称"), Some(Name));
    }

    #[test]
    fn every_field_matches_its_own_labels_and_key() {
        for f in ImportField::all() {
            assert_eq!(match_header(None, f.label_zh()), Some(f), "{f:?}");
            assert_eq!(match_header(None, f.label_en()), Some(f), "{f:?}");
            assert_eq!(match_header(None, f.key()), Some(f), "{f:?}");
            assert_eq!(ImportField::parse(f.key()), Some(f));
        }
    }

    #[test]
    fn numbers_and_dates_as_spreadsheets_hold_them() {
        assert_eq!(number_text(13800138000.0), "13800138000");
        assert_eq!(number_text(31.5), "31.5");
        assert_eq!(
            excel_serial_date(45356.0, false).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(
            excel_serial_date(43894.0, true).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(excel_serial_date(-3.0, false), None);
        assert_eq!(loose_date("45356"), "2024-03-05");
        assert_eq!(loose_date("2024/3/5"), "2024-03-05");
        assert_eq!(loose_date("2024年3月5日"), "2024-03-05");
        assert_eq!(loose_date("２０２４－０３－０５"), "2024-03-05");
        assert_eq!(loose_date("20240305"), "2024-03-05");
        assert_eq!(loose_date("2024-03-05 00:00:00"), "2024-03-05");
        assert_eq!(loose_date("soon"), "soon");
    }

    #[test]
    fn code_like_cells_become_half_width() {
        assert_eq!(
            clean_cell(ContactMobile, " １３８００１３８０００ "),
            "13800138000"
        );
        assert_eq!(clean_cell(Name, " （北京）华远 "), "（北京）华远");
        assert_eq!(
            split_tags("重点, 华东、老客户；"),
            vec!["重点", "华东", "老客户"]
        );
        assert_eq!(contact_role_code("决策人"), "decision_maker");
        assert_eq!(contact_role_code("Decision maker"), "decision_maker");
        assert_eq!(contact_role_code("boss"), "boss");
    }
}
