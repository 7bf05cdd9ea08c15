//! Views of customers, contacts, follow-ups, pools and the duplicate check.

use salesdesk_app::customers::{
    CustomerDetail, CustomerListItem, DuplicateMatch, Followup, HandoverPreview,
};
use salesdesk_app::pools::PoolView as PoolRecord;
use salesdesk_app::records::{
    AttachmentRow, CollaboratorRow, ContactRow, CustomerRow, FollowupRow, LimitRow, OptionRow,
    OwnerHistoryRow,
};
use salesdesk_domain::customer::{ForgottenDays, PoolLevelRule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A customer as lists and the detail page show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: Uuid,
    /// Customer number (客户编号).
    pub seq: i64,
    pub name: String,
    pub short_name: Option<String>,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    /// The customer's id in the system it was imported from.
    pub external_id: Option<String>,
    pub type_code: Option<String>,
    pub level_code: Option<String>,
    pub status_code: Option<String>,
    pub industry_code: Option<String>,
    pub source_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// None while the customer is in a pool.
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub pool_id: Option<Uuid>,
    pub pool_name: Option<String>,
    /// Locked customers are exempt from reclaim (锁定).
    pub locked: bool,
    pub notes: Option<String>,
    pub primary_contact: Option<String>,
    pub primary_mobile: Option<String>,
    pub tags: Vec<String>,
    /// Values of the company's custom fields (自定义字段) by code: text, dates and single
    /// selects as strings, numbers as numbers, multi selects as lists of option codes.
    pub custom_fields: std::collections::BTreeMap<String, serde_json::Value>,
    pub last_followup_at: Option<i64>,
    pub next_followup_at: Option<i64>,
    pub owned_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl CustomerView {
    pub fn new(r: CustomerRow, tags: Vec<String>) -> Self {
        CustomerView {
            id: r.id,
            seq: r.seq,
            name: r.name,
            short_name: r.short_name,
            credit_code: r.credit_code,
            external_id: r.external_id,
            type_code: r.type_code,
            level_code: r.level_code,
            status_code: r.status_code,
            industry_code: r.industry_code,
            source_code: r.source_code,
            province: r.province,
            city: r.city,
            district: r.district,
            address: r.address,
            lat: r.lat,
            lon: r.lon,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            pool_id: r.pool_id,
            pool_name: r.pool_name,
            locked: r.locked,
            notes: r.notes,
            primary_contact: r.primary_contact,
            primary_mobile: r.primary_mobile,
            tags,
            custom_fields: Default::default(),
            last_followup_at: r.last_followup_at,
            next_followup_at: r.next_followup_at,
            owned_since: r.owned_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

impl From<CustomerListItem> for CustomerView {
    fn from(i: CustomerListItem) -> Self {
        CustomerView {
            custom_fields: i.custom_fields,
            ..CustomerView::new(i.customer, i.tags)
        }
    }
}

impl From<CustomerRow> for CustomerView {
    fn from(r: CustomerRow) -> Self {
        CustomerView::new(r, Vec::new())
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub items: Vec<CustomerView>,
    /// How many match; with `totalExact` false, at least this many (a filter's matches are
    /// counted up to 1,000).
    pub total: i64,
    pub total_exact: bool,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    /// decision_maker | influencer | user | purchaser | technical | finance | other
    pub role: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    /// YYYY-MM-DD
    pub birthday: Option<String>,
    pub is_primary: bool,
    /// When the contact left the customer (their history stays).
    pub left_at: Option<i64>,
    pub version: i64,
}

impl From<ContactRow> for ContactView {
    fn from(r: ContactRow) -> Self {
        ContactView {
            id: r.id,
            customer_id: r.customer_id,
            name: r.name,
            title: r.title,
            role: r.role,
            mobile: r.mobile,
            phone: r.phone,
            email: r.email,
            wechat: r.wechat,
            birthday: r.birthday,
            is_primary: r.is_primary,
            left_at: r.left_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollaboratorView {
    pub user_id: Uuid,
    pub display_name: String,
    pub can_edit: bool,
    pub added_at: i64,
}

impl From<CollaboratorRow> for CollaboratorView {
    fn from(r: CollaboratorRow) -> Self {
        CollaboratorView {
            user_id: r.user_id,
            display_name: r.display_name,
            can_edit: r.can_edit,
            added_at: r.added_at,
        }
    }
}

/// One change of owner (客户归属变更).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerChangeView {
    /// created | transferred | returned | claimed | assigned | handed_over | reclaimed | merged
    pub change: String,
    pub from_owner_name: Option<String>,
    pub to_owner_name: Option<String>,
    pub from_pool: Option<Uuid>,
    pub to_pool: Option<Uuid>,
    pub reason: Option<String>,
    pub by_name: Option<String>,
    pub at: i64,
}

impl From<OwnerHistoryRow> for OwnerChangeView {
    fn from(r: OwnerHistoryRow) -> Self {
        OwnerChangeView {
            change: r.change,
            from_owner_name: r.from_owner_name,
            to_owner_name: r.to_owner_name,
            from_pool: r.from_pool,
            to_pool: r.to_pool,
            reason: r.reason,
            by_name: r.by_name,
            at: r.at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetailView {
    pub customer: CustomerView,
    pub contacts: Vec<ContactView>,
    pub collaborators: Vec<CollaboratorView>,
    pub history: Vec<OwnerChangeView>,
    pub can_edit: bool,
    pub can_transfer: bool,
    /// May lock it, set its team and return it to a pool.
    pub can_manage: bool,
}

impl From<CustomerDetail> for CustomerDetailView {
    fn from(d: CustomerDetail) -> Self {
        CustomerDetailView {
            customer: CustomerView {
                custom_fields: d.custom_fields,
                ..CustomerView::new(d.customer, d.tags)
            },
            contacts: d.contacts.into_iter().map(Into::into).collect(),
            collaborators: d.collaborators.into_iter().map(Into::into).collect(),
            history: d.history.into_iter().map(Into::into).collect(),
            can_edit: d.can_edit,
            can_transfer: d.can_transfer,
            can_manage: d.can_manage,
        }
    }
}

/// A follow-up (跟进记录).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowupView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    /// phone | visit | wechat | email | meeting | other
    pub method: String,
    pub content: String,
    pub contact_ids: Vec<Uuid>,
    pub happened_at: i64,
    pub next_at: Option<i64>,
    pub next_step: Option<String>,
    pub created_at: i64,
    /// The photos and files taken with it.
    pub attachments: Vec<AttachmentView>,
}

impl From<Followup> for FollowupView {
    fn from(f: Followup) -> Self {
        let r: FollowupRow = f.row;
        FollowupView {
            attachments: f.attachments.into_iter().map(Into::into).collect(),
            id: r.id,
            customer_id: r.customer_id,
            author_id: r.author_id,
            author_name: r.author_name,
            method: r.method,
            content: r.content,
            contact_ids: serde_json::from_str(&r.contact_ids).unwrap_or_default(),
            happened_at: r.happened_at,
            next_at: r.next_at,
            next_step: r.next_step,
            created_at: r.created_at,
        }
    }
}

/// A photo or file of a customer. Download it from `/api/v1/attachments/{id}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// The follow-up it was taken with; none for a file of the customer's archive.
    pub followup_id: Option<Uuid>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Uuid,
    pub uploader_name: String,
    pub created_at: i64,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(r: AttachmentRow) -> Self {
        AttachmentView {
            id: r.id,
            customer_id: r.customer_id,
            followup_id: r.followup_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            uploaded_by: r.uploaded_by,
            uploader_name: r.uploader_name,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowupPage {
    pub items: Vec<FollowupView>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// A possible duplicate. Outside the asker's scope the name and owner are masked and the id
/// is withheld.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateMatchView {
    pub id: Option<Uuid>,
    pub name: String,
    pub owner_name: Option<String>,
    pub pool_name: Option<String>,
    pub visible: bool,
    /// credit_code | same_name | contact_mobile | same_core_name (the same name under another
    /// place) | similar_name
    pub reasons: Vec<String>,
    /// How alike the names are, 0 to 1, rare words weighing most.
    pub score: f64,
    /// The distinctive words both names hold.
    pub shared: Vec<String>,
}

impl From<DuplicateMatch> for DuplicateMatchView {
    fn from(m: DuplicateMatch) -> Self {
        DuplicateMatchView {
            id: m.id,
            name: m.name,
            owner_name: m.owner_name,
            pool_name: m.pool_name,
            visible: m.visible,
            reasons: m.reasons.into_iter().map(str::to_owned).collect(),
            score: m.score,
            shared: m.shared,
        }
    }
}

/// An entry of an editable pick list (type, level, status, industry, source).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionView {
    /// type | level | status | industry | source
    pub kind: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub active: bool,
}

impl From<OptionRow> for OptionView {
    fn from(o: OptionRow) -> Self {
        OptionView {
            kind: o.kind,
            code: o.code,
            name: o.name,
            name_en: o.name_en,
            active: o.active,
        }
    }
}

/// How many customers of a level one rep may own and lock ("*": all levels together).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LimitView {
    #[schema(min_length = 1, max_length = 20)]
    pub level_code: String,
    #[schema(minimum = 0, maximum = 1000000)]
    pub max_owned: Option<i64>,
    #[schema(minimum = 0, maximum = 1000000)]
    pub max_locked: Option<i64>,
}

impl From<LimitRow> for LimitView {
    fn from(l: LimitRow) -> Self {
        LimitView {
            level_code: l.level_code,
            max_owned: l.max_owned,
            max_locked: l.max_locked,
        }
    }
}

impl From<LimitView> for LimitRow {
    fn from(l: LimitView) -> Self {
        LimitRow {
            level_code: l.level_code,
            max_owned: l.max_owned,
            max_locked: l.max_locked,
        }
    }
}

/// A customer pool (公海) and its rules.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PoolView {
    pub id: Uuid,
    pub name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub no_followup_days: Option<i64>,
    pub no_deal_days: Option<i64>,
    pub remind_days: Option<i64>,
    pub cooldown_days: i64,
    pub daily_claim_limit: Option<i64>,
    pub hide_contacts: bool,
    pub active: bool,
    /// Other days for customers of particular levels.
    pub level_rules: Vec<LevelRuleView>,
    pub customer_count: i64,
    /// The caller may claim from it.
    pub is_member: bool,
    /// The caller may change it and assign from it.
    pub can_manage: bool,
    pub version: i64,
}

/// A pool's reclaim rule for one customer level.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LevelRuleView {
    #[schema(max_length = 40)]
    pub level_code: String,
    /// Reclaim after this many days without a follow-up (none: not for this level).
    #[schema(minimum = 1, maximum = 3650)]
    pub no_followup_days: Option<i64>,
    /// Reclaim after this many days without a deal (none: not for this level).
    #[schema(minimum = 1, maximum = 3650)]
    pub no_deal_days: Option<i64>,
}

impl From<LevelRuleView> for PoolLevelRule {
    fn from(r: LevelRuleView) -> Self {
        PoolLevelRule {
            level_code: r.level_code,
            no_followup_days: r.no_followup_days,
            no_deal_days: r.no_deal_days,
        }
    }
}

impl From<PoolLevelRule> for LevelRuleView {
    fn from(r: PoolLevelRule) -> Self {
        LevelRuleView {
            level_code: r.level_code,
            no_followup_days: r.no_followup_days,
            no_deal_days: r.no_deal_days,
        }
    }
}

impl From<PoolRecord> for PoolView {
    fn from(v: PoolRecord) -> Self {
        let rules = salesdesk_app::pools::level_rules(&v.pool);
        let p = v.pool;
        PoolView {
            level_rules: rules.into_iter().map(Into::into).collect(),
            id: p.id,
            name: p.name,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            no_followup_days: p.no_followup_days,
            no_deal_days: p.no_deal_days,
            remind_days: p.remind_days,
            cooldown_days: p.cooldown_days,
            daily_claim_limit: p.daily_claim_limit,
            hide_contacts: p.hide_contacts,
            active: p.active,
            customer_count: p.customer_count,
            is_member: v.is_member,
            can_manage: v.can_manage,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferResultView {
    pub moved: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandoverView {
    /// The customers that move (or moved).
    pub customers: Vec<CustomerView>,
    /// The leaver's customers outside the caller's scope, which stay.
    pub outside_scope: i64,
}

impl From<HandoverPreview> for HandoverView {
    fn from(h: HandoverPreview) -> Self {
        HandoverView {
            customers: h.customers.into_iter().map(Into::into).collect(),
            outside_scope: h.outside_scope,
        }
    }
}

/// A customer the pools' rules take back (回收).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimItemView {
    pub customer_id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub level_code: Option<String>,
    pub last_followup_at: Option<i64>,
    pub pool_id: Uuid,
    pub pool_name: String,
    /// no_followup | no_deal
    pub reason: String,
    pub due_at: i64,
}

impl From<salesdesk_app::pools::ReclaimItem> for ReclaimItemView {
    fn from(i: salesdesk_app::pools::ReclaimItem) -> Self {
        ReclaimItemView {
            customer_id: i.customer.id,
            name: i.customer.name,
            owner_id: i.customer.owner_id,
            owner_name: i.customer.owner_name,
            level_code: i.customer.level_code,
            last_followup_at: i.customer.last_followup_at,
            pool_id: i.pool_id,
            pool_name: i.pool_name,
            reason: i.reason.to_owned(),
            due_at: i.due_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimReportView {
    /// The run's key (None for a preview).
    pub run_key: Option<String>,
    /// What would move (preview) or moved (run; the first 1,000).
    pub candidates: Vec<ReclaimItemView>,
    pub reclaimed: usize,
    pub skipped: usize,
}

/// A reclaim run: running until `finishedAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimRunView {
    pub run_key: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// Customers moved to their pools (once finished).
    pub reclaimed: Option<usize>,
    /// Customers someone else changed first (once finished).
    pub skipped: Option<usize>,
    /// The run stopped on an error, or was cut short (still open 30 minutes after it began);
    /// what it moved before stays moved.
    pub failed: bool,
}

impl From<salesdesk_app::pools::ReclaimRun> for ReclaimRunView {
    fn from(r: salesdesk_app::pools::ReclaimRun) -> Self {
        ReclaimRunView {
            run_key: r.run_key,
            started_at: r.started_at,
            finished_at: r.finished_at,
            reclaimed: r.reclaimed,
            skipped: r.skipped,
            failed: r.failed,
        }
    }
}

impl From<salesdesk_app::pools::ReclaimReport> for ReclaimReportView {
    fn from(r: salesdesk_app::pools::ReclaimReport) -> Self {
        ReclaimReportView {
            run_key: r.run_key,
            candidates: r.candidates.into_iter().map(Into::into).collect(),
            reclaimed: r.reclaimed,
            skipped: r.skipped,
        }
    }
}

/// One level's 遗忘提醒 days; `*` covers the levels without a rule of their own.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForgottenRuleView {
    #[schema(max_length = 40)]
    pub level_code: String,
    #[schema(minimum = 1, maximum = 3650)]
    pub days: i64,
}

impl From<ForgottenDays> for ForgottenRuleView {
    fn from(r: ForgottenDays) -> Self {
        ForgottenRuleView {
            level_code: r.level_code,
            days: r.days,
        }
    }
}

impl From<ForgottenRuleView> for ForgottenDays {
    fn from(r: ForgottenRuleView) -> Self {
        ForgottenDays {
            level_code: r.level_code,
            days: r.days,
        }
    }
}
