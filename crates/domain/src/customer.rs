//! The customer archive (客户档案): the closed vocabularies a customer record uses, and the
//! parsing rules for the values users type. Editable pick lists (type, level, status,
//! industry, source) live in the database; their kinds are closed here.

use serde::{Deserialize, Serialize};

use crate::validation::required_text;

/// An editable pick list of the customer archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OptionKind {
    /// 客户类型: key account, SMB, dealer, government, individual.
    Type,
    /// 客户级别: A/B/C/D.
    Level,
    /// 客户状态: 潜在/意向/成交/流失.
    Status,
    /// 行业.
    Industry,
    /// 客户来源.
    Source,
}

str_enum!(OptionKind {
    Type = "type",
    Level = "level",
    Status = "status",
    Industry = "industry",
    Source = "source",
});

/// The pick-list entries a new company starts with: (kind, code, 中文, English).
pub const DEFAULT_OPTIONS: &[(OptionKind, &str, &str, &str)] = &[
    (OptionKind::Type, "key_account", "大客户", "Key account"),
    (OptionKind::Type, "smb", "中小客户", "SMB"),
    (
        OptionKind::Type,
        "dealer",
        "经销商/代理商",
        "Dealer / distributor",
    ),
    (
        OptionKind::Type,
        "government",
        "政府/事业单位",
        "Government",
    ),
    (OptionKind::Type, "individual", "个人", "Individual"),
    (OptionKind::Level, "A", "A 级", "Level A"),
    (OptionKind::Level, "B", "B 级", "Level B"),
    (OptionKind::Level, "C", "C 级", "Level C"),
    (OptionKind::Level, "D", "D 级", "Level D"),
    (OptionKind::Status, "potential", "潜在", "Potential"),
    (OptionKind::Status, "intent", "意向", "Interested"),
    (OptionKind::Status, "won", "成交", "Customer"),
    (OptionKind::Status, "lost", "流失", "Lost"),
    (
        OptionKind::Industry,
        "manufacturing",
        "制造业",
        "Manufacturing",
    ),
    (OptionKind::Industry, "energy", "能源电力", "Energy"),
    (OptionKind::Industry, "automotive", "汽车", "Automotive"),
    (OptionKind::Industry, "electronics", "电子", "Electronics"),
    (OptionKind::Industry, "logistics", "物流", "Logistics"),
    (OptionKind::Industry, "healthcare", "医疗", "Healthcare"),
    (OptionKind::Industry, "food", "食品饮料", "Food & beverage"),
    (
        OptionKind::Industry,
        "construction",
        "建筑建材",
        "Construction",
    ),
    (OptionKind::Industry, "public", "公共事业", "Public sector"),
    (OptionKind::Industry, "other", "其他", "Other"),
    (OptionKind::Source, "referral", "客户介绍", "Referral"),
    (OptionKind::Source, "exhibition", "展会", "Exhibition"),
    (OptionKind::Source, "website", "官网", "Website"),
    (OptionKind::Source, "cold_call", "电话开发", "Cold call"),
    (OptionKind::Source, "bidding", "招投标", "Tender"),
    (OptionKind::Source, "channel", "渠道", "Channel"),
    (OptionKind::Source, "other", "其他", "Other"),
];

/// How a follow-up happened (跟进方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FollowupMethod {
    Phone,
    Visit,
    Wechat,
    Email,
    Meeting,
    Other,
}

str_enum!(FollowupMethod {
    Phone = "phone",
    Visit = "visit",
    Wechat = "wechat",
    Email = "email",
    Meeting = "meeting",
    Other = "other",
});

/// A contact's part in the purchase (采购角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactRole {
    /// 决策人
    DecisionMaker,
    /// 影响人
    Influencer,
    /// 使用人
    User,
    /// 采购
    Purchaser,
    /// 技术把关
    Technical,
    /// 财务
    Finance,
    Other,
}

str_enum!(ContactRole {
    DecisionMaker = "decision_maker",
    Influencer = "influencer",
    User = "user",
    Purchaser = "purchaser",
    Technical = "technical",
    Finance = "finance",
    Other = "other",
});

/// Why a customer's owner changed; every change is one row of the owner history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OwnerChange {
    /// 新建
    Created,
    /// 转移
    Transferred,
    /// 退回公海
    Returned,
    /// 领取
    Claimed,
    /// 分配
    Assigned,
    /// 离职交接
    HandedOver,
    /// 自动回收
    Reclaimed,
    /// 合并: another record of the same customer was merged into this one
    Merged,
}

str_enum!(OwnerChange {
    Created = "created",
    Transferred = "transferred",
    Returned = "returned",
    Claimed = "claimed",
    Assigned = "assigned",
    HandedOver = "handed_over",
    Reclaimed = "reclaimed",
    Merged = "merged",
});

/// A company or person's name as registered: 2-100 characters.
pub fn parse_customer_name(raw: &str) -> Result<String, &'static str> {
    let s = required_text(raw, 100)?;
    if s.chars().count() < 2 {
        return Err("too_short");
    }
    Ok(s)
}

/// Latitude and longitude in degrees (WGS-84 or GCJ-02 as the map gives them).
pub fn parse_location(lat: f64, lon: f64) -> Result<(f64, f64), &'static str> {
    if lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
    {
        Ok((lat, lon))
    } else {
        Err("location.invalid")
    }
}

/// A calendar date written `YYYY-MM-DD` (a birthday): checked, stored as written.
pub fn parse_date(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return Err("date.invalid");
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err("date.invalid"),
    };
    if !(1900..=2100).contains(&y) || d == 0 || d > days {
        return Err("date.invalid");
    }
    Ok(s.to_owned())
}

/// Tags (标签): each 1-20 characters, at most 20, duplicates dropped, order kept.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, &'static str> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = required_text(t, 20)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 20 {
        return Err("too_many");
    }
    Ok(out)
}

/// Whether one more customer fits under a limit (None: unlimited).
pub fn within_limit(current: i64, limit: Option<i64>) -> bool {
    limit.is_none_or(|max| current < max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_for_the_calendar() {
        assert_eq!(parse_date("2024-02-29"), Ok("2024-02-29".into()));
        assert_eq!(parse_date("2023-02-29"), Err("date.invalid"));
        assert_eq!(parse_date("2023-13-01"), Err("date.invalid"));
        assert_eq!(parse_date("2023-1-01"), Err("date.invalid"));
        assert_eq!(parse_date("１９９０-01-01"), Err("date.invalid"));
    }

    #[test]
    fn names_need_two_characters() {
        assert_eq!(parse_customer_name(" 华 "), Err("too_short"));
        assert_eq!(parse_customer_name("华远"), Ok("华远".into()));
        assert_eq!(parse_customer_name(&"华".repeat(101)), Err("too_long"));
    }

    #[test]
    fn tags_drop_duplicates_and_refuse_too_many() {
        let t = vec!["重点".to_string(), "重点".into(), "老客户".into()];
        assert_eq!(parse_tags(&t), Ok(vec!["重点".into(), "老客户".into()]));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&many), Err("too_many"));
        assert_eq!(parse_tags(&["".into()]), Err("required"));
    }

    #[test]
    fn locations_must_be_on_earth() {
        assert!(parse_location(31.2, 121.5).is_ok());
        assert!(parse_location(91.0, 0.0).is_err());
        assert!(parse_location(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn limits() {
        assert!(within_limit(99, Some(100)));
        assert!(!within_limit(100, Some(100)));
        assert!(within_limit(1_000_000, None));
    }

    #[test]
    fn default_options_have_unique_codes_per_kind() {
        for (i, a) in DEFAULT_OPTIONS.iter().enumerate() {
            for b in &DEFAULT_OPTIONS[i + 1..] {
                assert!(!(a.0 == b.0 && a.1 == b.1), "{:?} {}", a.0, a.1);
            }
        }
    }
}

/// A pool's reclaim rule for one customer level (按级别回收): for customers of that level it
/// replaces the pool's days without a follow-up and without a deal (none: no such rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolLevelRule {
    pub level_code: String,
    pub no_followup_days: Option<i64>,
    pub no_deal_days: Option<i64>,
}

/// At most this many level rules per pool.
pub const MAX_LEVEL_RULES: usize = 20;

/// The 遗忘提醒 rule for every level without a rule of its own.
pub const ANY_LEVEL: &str = "*";

/// 遗忘提醒: a customer of `level_code` (or [`ANY_LEVEL`]) not followed up for `days` counts
/// as forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgottenDays {
    pub level_code: String,
    pub days: i64,
}

/// Checks a set of 遗忘提醒 rules against the company's levels: each level (or `*`) once,
/// 1 to 3650 days, at most 20 rules; every problem named by its rule.
pub fn check_forgotten_rules(
    rules: &[ForgottenDays],
    levels: &[String],
) -> Result<(), crate::Invalid> {
    let mut c = crate::validation::Checker::new();
    if rules.len() > 20 {
        c.fail("rules", "too_many");
    }
    for (i, r) in rules.iter().enumerate() {
        if r.level_code != ANY_LEVEL && !levels.contains(&r.level_code) {
            c.fail(&format!("rules[{i}].levelCode"), "option.unknown");
        }
        if rules[..i].iter().any(|p| p.level_code == r.level_code) {
            c.fail(&format!("rules[{i}].levelCode"), "duplicate");
        }
        if !(1..=3650).contains(&r.days) {
            c.fail(&format!("rules[{i}].days"), "out_of_range");
        }
    }
    c.finish()
}

#[cfg(test)]
mod forgotten_tests {
    use super::*;

    #[test]
    fn forgotten_rules_name_each_problem() {
        let rule = |level: &str, days| ForgottenDays {
            level_code: level.into(),
            days,
        };
        let levels = vec!["A".to_string(), "B".to_string()];
        assert!(check_forgotten_rules(&[rule("A", 15), rule(ANY_LEVEL, 90)], &levels).is_ok());
        let e = check_forgotten_rules(&[rule("Z", 5), rule("B", 0), rule("B", 10)], &levels)
            .unwrap_err();
        let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            got,
            [
                ("rules[0].levelCode", "option.unknown"),
                ("rules[1].days", "out_of_range"),
                ("rules[2].levelCode", "duplicate"),
            ]
        );
    }
}
