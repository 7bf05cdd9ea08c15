//! /api/v1/customers and /api/v1/customer-settings: the customer archive within the caller's
//! customer scope, contacts, follow-ups, teams, locks, transfer, handover and 查重.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch, Meta};
use crate::views::customers::{
    CollaboratorView, ContactView, CustomerDetailView, CustomerPage, DuplicateMatchView,
    FollowupPage, FollowupView, ForgottenRuleView, HandoverView, LimitView, OptionView,
    TransferResultView,
};
use salesdesk_app::records::CustomerSort;
use salesdesk_app::{PageRequest, customers};
use salesdesk_domain::custom_field::FieldInput;
use std::collections::BTreeMap;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_customers, create_customer))
        .routes(routes!(get_customer, update_customer))
        .routes(routes!(check_customer_duplicates))
        .routes(routes!(add_contact))
        .routes(routes!(update_contact))
        .routes(routes!(list_followups, add_followup))
        .routes(routes!(set_collaborators))
        .routes(routes!(set_customer_lock))
        .routes(routes!(transfer_customers))
        .routes(routes!(preview_handover))
        .routes(routes!(hand_over_customers))
        .routes(routes!(export_customers))
        .routes(routes!(merge_customers))
        .routes(routes!(list_customer_options, add_customer_option))
        .routes(routes!(get_customer_limits, set_customer_limits))
        .routes(routes!(get_forgotten_rules, set_forgotten_rules))
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum CustomerSortField {
    Name,
    LastFollowupAt,
    NextFollowupAt,
    CreatedAt,
    UpdatedAt,
}

/// Which next contacts count as due.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum DueFilter {
    /// Due by now.
    #[serde(rename = "true")]
    Now,
    /// Due before today (逾期).
    Overdue,
    /// Due today (今日待联系).
    Today,
}

/// `due` in a JSON body: the list's values, or a boolean (`true` is "by now").
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(untagged)]
pub enum DueBody {
    Flag(bool),
    Which(DueFilter),
}

impl DueBody {
    fn filter(self) -> Option<DueFilter> {
        match self {
            DueBody::Flag(true) => Some(DueFilter::Now),
            DueBody::Flag(false) => None,
            DueBody::Which(w) => Some(w),
        }
    }
}

impl From<DueFilter> for customers::Due {
    fn from(d: DueFilter) -> Self {
        match d {
            DueFilter::Now => customers::Due::Now,
            DueFilter::Overdue => customers::Due::Overdue,
            DueFilter::Today => customers::Due::Today,
        }
    }
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// The customer list's filters, sorting and paging (also used by a pool's list).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CustomerListQuery {
    /// Part of the name, short name, or a contact's name, mobile or phone.
    #[param(max_length = 60)]
    pub q: Option<String>,
    #[param(max_length = 40)]
    pub type_code: Option<String>,
    #[param(max_length = 40)]
    pub level_code: Option<String>,
    #[param(max_length = 40)]
    pub status_code: Option<String>,
    #[param(max_length = 40)]
    pub industry_code: Option<String>,
    #[param(max_length = 40)]
    pub source_code: Option<String>,
    #[param(max_length = 20)]
    pub province: Option<String>,
    #[param(max_length = 20)]
    pub city: Option<String>,
    #[param(max_length = 20)]
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Customers of this unit and the units below it.
    pub unit_id: Option<Uuid>,
    pub locked: Option<bool>,
    /// Not followed up for at least this many days (遗忘提醒).
    #[param(minimum = 1, maximum = 3650)]
    pub idle_days: Option<u32>,
    /// Only customers whose next contact is due: `true` by now, `overdue` before today,
    /// `today` some time today (the company's days).
    #[param(inline)]
    pub due: Option<DueFilter>,
    /// Conditions on custom fields, all of which must hold: `code:op:value` separated by `;`.
    /// op: eq, in (comma-separated option codes), like (text contains), gte, lte (numbers and
    /// dates), set, unset (no value). Example: `budget:gte:100000;scale:in:large,medium`.
    #[param(max_length = 500)]
    pub cf: Option<String>,
    /// Only customers forgotten under the 遗忘提醒 rules of their level (see
    /// getForgottenRules).
    pub forgotten: Option<bool>,
    #[param(inline)]
    pub sort: Option<CustomerSortField>,
    #[param(inline)]
    pub order: Option<SortOrder>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u32>,
}

impl CustomerListQuery {
    /// The query checked against its documented limits, split into what the use case takes.
    pub fn split(
        self,
    ) -> Result<(customers::ListQuery, CustomerSort, bool, PageRequest), salesdesk_domain::Invalid>
    {
        let mut c = salesdesk_domain::validation::Checker::new();
        if let Err(e) = super::check_lengths(&[
            ("q", &self.q, 60),
            ("typeCode", &self.type_code, 40),
            ("levelCode", &self.level_code, 40),
            ("statusCode", &self.status_code, 40),
            ("industryCode", &self.industry_code, 40),
            ("sourceCode", &self.source_code, 40),
            ("province", &self.province, 20),
            ("city", &self.city, 20),
            ("tag", &self.tag, 20),
            ("cf", &self.cf, 500),
        ]) {
            for f in e.0 {
                c.fail(&f.field, f.code);
            }
        }
        if self.idle_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            c.fail("idleDays", "out_of_range");
        }
        let page = match super::paging(self.page, self.page_size, 20) {
            Ok(p) => Some(p),
            Err(e) => {
                for f in e.0 {
                    c.fail(&f.field, f.code);
                }
                None
            }
        };
        c.finish()?;
        let page = page.unwrap_or(PageRequest {
            page: 1,
            page_size: 20,
        });
        let sort = match self.sort.unwrap_or(CustomerSortField::LastFollowupAt) {
            CustomerSortField::Name => CustomerSort::Name,
            CustomerSortField::LastFollowupAt => CustomerSort::LastFollowupAt,
            CustomerSortField::NextFollowupAt => CustomerSort::NextFollowupAt,
            CustomerSortField::CreatedAt => CustomerSort::CreatedAt,
            CustomerSortField::UpdatedAt => CustomerSort::UpdatedAt,
        };
        let desc = match self.order {
            Some(SortOrder::Asc) => false,
            Some(SortOrder::Desc) => true,
            // Names read A to Z; times newest first.
            None => !matches!(sort, CustomerSort::Name | CustomerSort::NextFollowupAt),
        };
        let q = customers::ListQuery {
            q: self.q,
            type_code: self.type_code,
            level_code: self.level_code,
            status_code: self.status_code,
            industry_code: self.industry_code,
            source_code: self.source_code,
            province: self.province,
            city: self.city,
            tag: self.tag,
            owner_id: self.owner_id,
            unit_id: self.unit_id,
            locked: self.locked,
            idle_days: self.idle_days,
            due: self.due.map(Into::into),
            cf: self.cf,
            forgotten: self.forgotten.unwrap_or(false),
        };
        Ok((q, sort, desc, page))
    }
}

/// Customers I may see (mine, my team's, and those I collaborate on), filtered and paged.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", operation_id = "listCustomers",
    params(CustomerListQuery), responses((status = 200, body = CustomerPage)))]
async fn list_customers(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<CustomerListQuery>,
) -> Result<Json<CustomerPage>, ApiError> {
    let (q, sort, desc, page) = q.split()?;
    let p = customers::list(&s.app, &actor, q, sort, desc, page).await?;
    Ok(Json(CustomerPage {
        items: p.page.items.into_iter().map(Into::into).collect(),
        total: p.page.total,
        total_exact: p.total_exact,
        page: p.page.page,
        page_size: p.page.page_size,
    }))
}

/// A customer's fields as a body carries them. The edit body (`CustomerBody`) and the create
/// body (`NewCustomerBody`, with contacts) are both made here rather than one flattened into
/// the other: `serde(flatten)` would switch off `deny_unknown_fields` and lose the path of a
/// bad value.
macro_rules! customer_body {
    ($(#[$doc:meta])* $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[$doc])*
        #[derive(Deserialize, ToSchema, Default)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct $name {
    #[schema(min_length = 2, max_length = 100)]
    pub name: String,
    #[schema(max_length = 40)]
    pub short_name: Option<String>,
    /// 统一社会信用代码: 18 characters with a valid check character.
    #[schema(max_length = 30)]
    pub credit_code: Option<String>,
    pub type_code: Option<String>,
    pub level_code: Option<String>,
    pub status_code: Option<String>,
    pub industry_code: Option<String>,
    pub source_code: Option<String>,
    #[schema(max_length = 20)]
    pub province: Option<String>,
    #[schema(max_length = 20)]
    pub city: Option<String>,
    #[schema(max_length = 20)]
    pub district: Option<String>,
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// Custom field values by code (see listCustomFields): a string for text, dates
    /// (YYYY-MM-DD) and single selects (the option code), a number for numbers, a list of
    /// option codes for multi selects, null to clear. Fields left out keep their value.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
            $($(#[$fm])* pub $f: $t,)*
        }

        impl $name {
            /// The customer's fields; the body's own extras are the caller's to take first.
            fn customer_input(self) -> customers::CustomerInput {
                customers::CustomerInput {
                    custom_fields: self
                        .custom_fields
                        .into_iter()
                        .map(|(k, v)| (k, field_input(v)))
                        .collect(),
                    name: self.name,
                    short_name: self.short_name,
                    credit_code: self.credit_code,
                    type_code: self.type_code,
                    level_code: self.level_code,
                    status_code: self.status_code,
                    industry_code: self.industry_code,
                    source_code: self.source_code,
                    province: self.province,
                    city: self.city,
                    district: self.district,
                    address: self.address,
                    lat: self.lat,
                    lon: self.lon,
                    notes: self.notes,
                    tags: self.tags,
                }
            }
        }
    };
}

customer_body!(
    /// A customer's fields, all of them (an edit replaces the record's fields).
    CustomerBody {}
);

customer_body!(
    /// A new customer: its fields and, optionally, its first contacts.
    NewCustomerBody {
        #[serde(default)]
        #[schema(max_items = 20)]
        pub contacts: Vec<ContactBody>,
    }
);

/// A submitted custom field value in the domain's terms (anything else cannot be a value).
fn field_input(v: serde_json::Value) -> FieldInput {
    use serde_json::Value as V;
    match v {
        V::Null => FieldInput::Clear,
        V::String(s) => FieldInput::Text(s),
        V::Number(n) => n
            .as_f64()
            .map_or(FieldInput::Unsupported, FieldInput::Number),
        V::Array(items) => {
            let texts: Option<Vec<String>> = items
                .into_iter()
                .map(|i| match i {
                    V::String(s) => Some(s),
                    _ => None,
                })
                .collect();
            texts.map_or(FieldInput::Unsupported, FieldInput::List)
        }
        V::Bool(_) | V::Object(_) => FieldInput::Unsupported,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContactBody {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    #[schema(max_length = 40)]
    pub title: Option<String>,
    /// decision_maker | influencer | user | purchaser | technical | finance | other
    pub role: Option<String>,
    /// Mainland mobile (11 digits) or an international number with its country code.
    pub mobile: Option<String>,
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    pub email: Option<String>,
    #[schema(max_length = 40)]
    pub wechat: Option<String>,
    /// YYYY-MM-DD
    pub birthday: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
    /// The contact has left the customer.
    #[serde(default)]
    pub left: bool,
}

impl From<ContactBody> for customers::ContactInput {
    fn from(b: ContactBody) -> Self {
        customers::ContactInput {
            name: b.name,
            title: b.title,
            role: b.role,
            mobile: b.mobile,
            phone: b.phone,
            email: b.email,
            wechat: b.wechat,
            birthday: b.birthday,
            is_primary: b.is_primary,
            left: b.left,
        }
    }
}

/// Add a customer, owned by me. The same credit code or the same company name (after
/// normalisation) is refused with 409 `customer.duplicate`; check first for similar ones.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", operation_id = "createCustomer",
    request_body = NewCustomerBody, responses((status = 201, body = CustomerDetailView)))]
async fn create_customer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(mut b): ApiJson<NewCustomerBody>,
) -> Result<(StatusCode, Json<CustomerDetailView>), ApiError> {
    let contacts = std::mem::take(&mut b.contacts);
    let input = customers::CreateCustomer {
        customer: b.customer_input(),
        contacts: contacts.into_iter().map(Into::into).collect(),
    };
    let d = customers::create(&s.app, &actor, input, &meta).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// One customer with contacts, team and owner history.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "getCustomer",
    params(("id" = Uuid, Path)), responses((status = 200, body = CustomerDetailView)))]
async fn get_customer(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let d = customers::get(&s.app, &actor, id).await?;
    Ok(with_etag(d.customer.version, CustomerDetailView::from(d)))
}

#[utoipa::path(put, path = "/api/v1/customers/{id}", tag = "customers", operation_id = "updateCustomer",
    request_body = CustomerBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = CustomerDetailView)))]
async fn update_customer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<CustomerBody>,
) -> Result<Response, ApiError> {
    let d = customers::update(&s.app, &actor, id, v, b.customer_input(), &meta).await?;
    Ok(with_etag(d.customer.version, CustomerDetailView::from(d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DuplicateCheckBody {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 30)]
    pub credit_code: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub mobiles: Vec<String>,
    /// The customer being edited.
    pub exclude_id: Option<Uuid>,
}

/// 查重: customers with the same credit code, the same or a similar name, or a contact with
/// the same mobile, across the whole company. Those outside my scope come masked.
#[utoipa::path(post, path = "/api/v1/customers/duplicate-check", tag = "customers", operation_id = "checkCustomerDuplicates",
    request_body = DuplicateCheckBody, responses((status = 200, body = Vec<DuplicateMatchView>)))]
async fn check_customer_duplicates(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<DuplicateCheckBody>,
) -> Result<Json<Vec<DuplicateMatchView>>, ApiError> {
    let q = customers::DuplicateQuery {
        name: b.name,
        credit_code: b.credit_code,
        mobiles: b.mobiles,
        exclude_id: b.exclude_id,
    };
    let m = customers::check_duplicates(&s.app, &actor, q).await?;
    Ok(Json(m.into_iter().map(Into::into).collect()))
}

/// Add a contact; the first contact of a customer becomes its primary one.
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "customers", operation_id = "addContact",
    request_body = ContactBody, params(("id" = Uuid, Path)), responses((status = 201, body = ContactView)))]
async fn add_contact(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<ContactView>), ApiError> {
    let c = customers::add_contact(&s.app, &actor, id, b.into(), &meta).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize)]
pub struct ContactPath {
    id: Uuid,
    contact_id: Uuid,
}

#[utoipa::path(put, path = "/api/v1/customers/{id}/contacts/{contact_id}", tag = "customers", operation_id = "updateContact",
    request_body = ContactBody, params(("id" = Uuid, Path), ("contact_id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = ContactView)))]
async fn update_contact(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(p): ApiPath<ContactPath>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ContactBody>,
) -> Result<Response, ApiError> {
    let c =
        customers::update_contact(&s.app, &actor, p.id, p.contact_id, v, b.into(), &meta).await?;
    Ok(with_etag(c.version, ContactView::from(c)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u32>,
}

/// A customer's follow-ups, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/followups", tag = "customers", operation_id = "listFollowups",
    params(("id" = Uuid, Path), PageQuery), responses((status = 200, body = FollowupPage)))]
async fn list_followups(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<FollowupPage>, ApiError> {
    let page = super::paging(q.page, q.page_size, 20)?;
    let p = customers::followups(&s.app, &actor, id, page).await?;
    Ok(Json(FollowupPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FollowupBody {
    /// phone | visit | wechat | email | meeting | other
    pub method: String,
    #[schema(min_length = 1, max_length = 4000)]
    pub content: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub contact_ids: Vec<Uuid>,
    /// When it happened (epoch ms); now when omitted.
    pub happened_at: Option<i64>,
    /// The next contact (epoch ms).
    pub next_at: Option<i64>,
    #[schema(max_length = 200)]
    pub next_step: Option<String>,
    /// Files the caller uploaded to this customer for this follow-up.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub attachment_ids: Vec<Uuid>,
}

/// Record a follow-up (跟进), with the photos and files uploaded for it.
#[utoipa::path(post, path = "/api/v1/customers/{id}/followups", tag = "customers", operation_id = "addFollowup",
    request_body = FollowupBody, params(("id" = Uuid, Path)), responses((status = 201, body = FollowupView)))]
async fn add_followup(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<FollowupBody>,
) -> Result<(StatusCode, Json<FollowupView>), ApiError> {
    let input = customers::FollowupInput {
        method: b.method,
        content: b.content,
        contact_ids: b.contact_ids,
        happened_at: b.happened_at,
        next_at: b.next_at,
        next_step: b.next_step,
        attachment_ids: b.attachment_ids,
    };
    let f = customers::add_followup(&s.app, &actor, id, input, &meta).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CollaboratorBody {
    pub user_id: Uuid,
    #[serde(default)]
    pub can_edit: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CollaboratorsBody {
    #[schema(max_items = 30)]
    pub members: Vec<CollaboratorBody>,
}

/// Replace a customer's team (团队成员): who besides the owner may see it, or also edit it.
#[utoipa::path(put, path = "/api/v1/customers/{id}/collaborators", tag = "customers", operation_id = "setCollaborators",
    request_body = CollaboratorsBody, params(("id" = Uuid, Path)), responses((status = 200, body = Vec<CollaboratorView>)))]
async fn set_collaborators(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<CollaboratorsBody>,
) -> Result<Json<Vec<CollaboratorView>>, ApiError> {
    let members = b
        .members
        .into_iter()
        .map(|m| (m.user_id, m.can_edit))
        .collect();
    let r = customers::set_collaborators(&s.app, &actor, id, members, &meta).await?;
    Ok(Json(r.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LockBody {
    pub locked: bool,
}

/// Lock (锁定) a customer against reclaim, or unlock it; locks count against a limit.
#[utoipa::path(put, path = "/api/v1/customers/{id}/lock", tag = "customers", operation_id = "setCustomerLock",
    request_body = LockBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = CustomerDetailView)))]
async fn set_customer_lock(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<LockBody>,
) -> Result<Response, ApiError> {
    let d = customers::set_lock(&s.app, &actor, id, v, b.locked, &meta).await?;
    Ok(with_etag(d.customer.version, CustomerDetailView::from(d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransferBody {
    #[schema(min_items = 1, max_items = 500)]
    pub customer_ids: Vec<Uuid>,
    pub to_user_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// 转移: give customers to another rep with a reason. All move or none do; the previous
/// owner loses access at once.
#[utoipa::path(post, path = "/api/v1/customers/transfer", tag = "customers", operation_id = "transferCustomers",
    request_body = TransferBody, responses((status = 200, body = TransferResultView)))]
async fn transfer_customers(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<TransferBody>,
) -> Result<Json<TransferResultView>, ApiError> {
    let r = customers::transfer(
        &s.app,
        &actor,
        b.customer_ids,
        b.to_user_id,
        b.reason,
        &meta,
    )
    .await?;
    Ok(Json(TransferResultView { moved: r.moved }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HandoverQuery {
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
}

/// What a handover would move: the leaver's customers I am in charge of.
#[utoipa::path(get, path = "/api/v1/customers/handover-preview", tag = "customers", operation_id = "previewHandover",
    params(HandoverQuery), responses((status = 200, body = HandoverView)))]
async fn preview_handover(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<HandoverQuery>,
) -> Result<Json<HandoverView>, ApiError> {
    let h = customers::handover(
        &s.app,
        &actor,
        q.from_user_id,
        q.to_user_id,
        "-".into(),
        false,
        &meta,
    )
    .await?;
    Ok(Json(h.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HandoverBody {
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// 离职交接: move every customer of a leaving rep (that I am in charge of) to another rep.
#[utoipa::path(post, path = "/api/v1/customers/handover", tag = "customers", operation_id = "handOverCustomers",
    request_body = HandoverBody, responses((status = 200, body = HandoverView)))]
async fn hand_over_customers(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<HandoverBody>,
) -> Result<Json<HandoverView>, ApiError> {
    let h = customers::handover(
        &s.app,
        &actor,
        b.from_user_id,
        b.to_user_id,
        b.reason,
        true,
        &meta,
    )
    .await?;
    Ok(Json(h.into()))
}

/// The pick lists of the customer archive (type, level, status, industry, source).
#[utoipa::path(get, path = "/api/v1/customer-settings/options", tag = "customers", operation_id = "listCustomerOptions",
    responses((status = 200, body = Vec<OptionView>)))]
async fn list_customer_options(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<OptionView>>, ApiError> {
    let o = customers::options(&s.app, &actor).await?;
    Ok(Json(o.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewOptionBody {
    pub kind: salesdesk_domain::customer::OptionKind,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// The English name (default: the Chinese one).
    #[schema(max_length = 40)]
    pub name_en: Option<String>,
}

/// Add an entry to a pick list (customers.settings), e.g. an industry an import met. Its code
/// is made by the server; a name the list already holds is refused (`option.duplicate`).
#[utoipa::path(post, path = "/api/v1/customer-settings/options", tag = "customers", operation_id = "addCustomerOption",
    request_body = NewOptionBody, responses((status = 201, body = OptionView)))]
async fn add_customer_option(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<NewOptionBody>,
) -> Result<(StatusCode, Json<OptionView>), ApiError> {
    let o =
        customers::add_option(&s.app, &actor, b.kind, &b.name, b.name_en.as_deref(), &meta).await?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Ownership limits (客户保护): how many customers one rep may own and lock.
#[utoipa::path(get, path = "/api/v1/customer-settings/limits", tag = "customers", operation_id = "getCustomerLimits",
    responses((status = 200, body = Vec<LimitView>)))]
async fn get_customer_limits(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<LimitView>>, ApiError> {
    let l = customers::get_limits(&s.app, &actor).await?;
    Ok(Json(l.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LimitsBody {
    #[schema(max_items = 20)]
    pub limits: Vec<LimitView>,
}

/// Replace the ownership limits.
#[utoipa::path(put, path = "/api/v1/customer-settings/limits", tag = "customers", operation_id = "setCustomerLimits",
    request_body = LimitsBody, responses((status = 200, body = Vec<LimitView>)))]
async fn set_customer_limits(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<LimitsBody>,
) -> Result<Json<Vec<LimitView>>, ApiError> {
    if b.limits.len() > 20 {
        return Err(salesdesk_domain::Invalid::field("limits", "too_many").into());
    }
    let rows = b.limits.into_iter().map(Into::into).collect();
    let l = customers::set_limits(&s.app, &actor, rows, &meta).await?;
    Ok(Json(l.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormatBody {
    Csv,
    Xlsx,
}

/// The list's filters, as the list query names them.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExportBody {
    pub format: Option<ExportFormatBody>,
    #[schema(max_length = 60)]
    pub q: Option<String>,
    #[schema(max_length = 40)]
    pub type_code: Option<String>,
    #[schema(max_length = 40)]
    pub level_code: Option<String>,
    #[schema(max_length = 40)]
    pub status_code: Option<String>,
    #[schema(max_length = 40)]
    pub industry_code: Option<String>,
    #[schema(max_length = 40)]
    pub source_code: Option<String>,
    #[schema(max_length = 20)]
    pub province: Option<String>,
    #[schema(max_length = 20)]
    pub city: Option<String>,
    #[schema(max_length = 20)]
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub locked: Option<bool>,
    #[schema(minimum = 1, maximum = 3650)]
    pub idle_days: Option<u32>,
    /// As the list's `due`: `"true"` (or `true`), `"overdue"`, `"today"`.
    pub due: Option<DueBody>,
    /// Conditions on custom fields, as the list's `cf`.
    #[schema(max_length = 500)]
    pub cf: Option<String>,
    pub forgotten: Option<bool>,
}

/// Export what the list shows for these filters (within my scope) as CSV or XLSX. Cells never
/// start a formula; the export is audited.
#[utoipa::path(post, path = "/api/v1/customers/export", tag = "customers", operation_id = "exportCustomers",
    request_body = ExportBody,
    responses((status = 200, description = "The file (UTF-8 CSV with a BOM, or XLSX)", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
async fn export_customers(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<ExportBody>,
) -> Result<Response, ApiError> {
    let format = match b.format.unwrap_or(ExportFormatBody::Xlsx) {
        ExportFormatBody::Csv => customers::ExportFormat::Csv,
        ExportFormatBody::Xlsx => customers::ExportFormat::Xlsx,
    };
    let (q, _, _, _) = CustomerListQuery {
        q: b.q,
        type_code: b.type_code,
        level_code: b.level_code,
        status_code: b.status_code,
        industry_code: b.industry_code,
        source_code: b.source_code,
        province: b.province,
        city: b.city,
        tag: b.tag,
        owner_id: b.owner_id,
        unit_id: b.unit_id,
        locked: b.locked,
        idle_days: b.idle_days,
        due: b.due.and_then(DueBody::filter),
        cf: b.cf,
        forgotten: b.forgotten,
        sort: None,
        order: None,
        page: None,
        page_size: None,
    }
    .split()?;
    let f = customers::export(&s.app, &actor, q, format, &meta).await?;
    Ok(super::attachment(&f.filename, f.content_type, f.bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MergeBody {
    /// The other record of the same customer; it is merged into this one and deleted.
    pub duplicate_id: Uuid,
}

/// Merge another record of the same customer into this one (合并): its blank fields are filled
/// from the other, whose contacts, follow-ups, history, team and tags move over; the other is
/// deleted. For administrators (customers.settings) in charge of both.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", operation_id = "mergeCustomers",
    params(("id" = Uuid, Path)), request_body = MergeBody,
    responses((status = 200, body = CustomerDetailView)))]
async fn merge_customers(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<MergeBody>,
) -> Result<Response, ApiError> {
    let d = customers::merge(&s.app, &actor, id, b.duplicate_id, &meta).await?;
    Ok(with_etag(d.customer.version, CustomerDetailView::from(d)))
}

/// 遗忘提醒: after how many days without a follow-up a customer of each level counts as
/// forgotten (its owner is told once a day; the list filters on it with `forgotten=true`).
#[utoipa::path(get, path = "/api/v1/customer-settings/forgotten-rules", tag = "customers", operation_id = "getForgottenRules",
    responses((status = 200, body = Vec<ForgottenRuleView>)))]
async fn get_forgotten_rules(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ForgottenRuleView>>, ApiError> {
    let r = salesdesk_app::notifications::forgotten_rules(&s.app, &actor).await?;
    Ok(Json(r.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForgottenRulesBody {
    #[schema(max_items = 20)]
    pub rules: Vec<ForgottenRuleView>,
}

/// Replace the 遗忘提醒 rules.
#[utoipa::path(put, path = "/api/v1/customer-settings/forgotten-rules", tag = "customers", operation_id = "setForgottenRules",
    request_body = ForgottenRulesBody, responses((status = 200, body = Vec<ForgottenRuleView>)))]
async fn set_forgotten_rules(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<ForgottenRulesBody>,
) -> Result<Json<Vec<ForgottenRuleView>>, ApiError> {
    let rules = b.rules.into_iter().map(Into::into).collect();
    let r = salesdesk_app::notifications::set_forgotten_rules(&s.app, &actor, rules, &meta).await?;
    Ok(Json(r.into_iter().map(Into::into).collect()))
}
