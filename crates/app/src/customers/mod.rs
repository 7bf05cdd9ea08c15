//! Customers (客户档案): create, edit, list and read within the customer data scope; contacts,
//! collaborators (团队成员), locks, follow-ups; transfer and handover (客户保护); the duplicate
//! check (查重) that looks at every customer but shows the ones outside the scope masked.
//!
//! Access to one customer comes in three strengths: *visible* (in scope, or a collaborator),
//! *editable* (visible with customers.edit, and a collaborator only with edit rights) and
//! *in charge* (in scope proper: owner or their managers; transfers, locks, teams).

use salesdesk_domain::Invalid;
use salesdesk_domain::access::{Permission, RecordScope, ScopeModule};
use salesdesk_domain::credit_code::CreditCode;
use salesdesk_domain::custom_field::{FieldDef, FieldInput, parse_filter};
use salesdesk_domain::customer::{
    ContactRole, FollowupMethod, OptionKind, OwnerChange, parse_customer_name, parse_date,
    parse_location, parse_tags, within_limit,
};
use salesdesk_domain::dedupe::{index_grams, normalise_company_name};
use salesdesk_domain::org::OrgPath;
use salesdesk_domain::user::{Mobile, parse_email};
use salesdesk_domain::validation::{Checker, optional_text, required_text};
use salesdesk_store::attachments::AttachmentRow;
use salesdesk_store::customers::{
    self, CollaboratorRow, ContactFields, ContactRow, CustomerFields, CustomerFilter, CustomerPage,
    CustomerRow, CustomerSort, FollowupRow, Holder, LimitRow, NewCustomer, NewFollowup,
    NewOwnerChange, OptionRow, OwnerHistoryRow, PageLists, Viewer,
};
use salesdesk_store::{Tx, org, users};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::custom_fields::{self, CUSTOMER, Values};
use crate::reference_cache::Reference;
use crate::{Actor, App, AppError, AppResult, PageRequest, Paged, RequestMeta, now_ms};

mod duplicates;
mod page_cache;
use duplicates::refuse_exact_duplicates;
pub use duplicates::{
    DUPLICATE_MATCHES_MAX, DuplicateMatch, DuplicateQuery, check_duplicates, rederive_name_keys,
};
pub use page_cache::PageCache;

pub(crate) fn viewer(actor: &Actor) -> Viewer {
    Viewer::new(actor.scope(ScopeModule::Customers), actor.user_id)
}

/// The scope without collaborations: whose customers the actor is in charge of.
pub(crate) fn charge(actor: &Actor) -> Viewer {
    Viewer::new(actor.scope(ScopeModule::Customers), Uuid::nil())
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub(crate) async fn visible(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<CustomerRow> {
    actor.require(Permission::CustomersView)?;
    customers::get(tx, &viewer(actor), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the actor is in charge of a customer they can see (in their scope, not only a
/// collaborator): told from the row for their own, one unit's or every customer, asked of the
/// database for a subtree or a report line.
async fn is_in_charge(tx: &mut Tx, actor: &Actor, c: &CustomerRow) -> AppResult<bool> {
    Ok(match actor.scope(ScopeModule::Customers) {
        RecordScope::All => true,
        RecordScope::Own(user) => c.owner_id == Some(user),
        RecordScope::Unit(unit) => c.unit_id == unit,
        RecordScope::UnitSubtree(_) | RecordScope::ReportLine(_) => {
            customers::get(tx, &charge(actor), c.id).await?.is_some()
        }
    })
}

pub(crate) async fn editable(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<CustomerRow> {
    let c = visible(tx, actor, id).await?;
    actor.require(Permission::CustomersEdit)?;
    if is_in_charge(tx, actor, &c).await? {
        return Ok(c);
    }
    match customers::collaboration(tx, id, actor.user_id).await? {
        Some(true) => Ok(c),
        _ => Err(AppError::Forbidden),
    }
}

pub(crate) async fn in_charge(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<CustomerRow> {
    let c = visible(tx, actor, id).await?;
    actor.require(perm)?;
    if !is_in_charge(tx, actor, &c).await? {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

// ---- input --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: String,
    pub short_name: Option<String>,
    pub credit_code: Option<String>,
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
    pub notes: Option<String>,
    pub tags: Vec<String>,
    /// Custom field values by code; fields not named keep their value.
    pub custom_fields: BTreeMap<String, FieldInput>,
}

#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub name: String,
    pub title: Option<String>,
    pub role: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub birthday: Option<String>,
    pub is_primary: bool,
    pub left: bool,
}

pub(crate) fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a code against the active entries of one pick list.
fn pick(
    c: &mut Checker,
    options: &[OptionRow],
    kind: OptionKind,
    field: &str,
    v: &Option<String>,
) -> Option<String> {
    let v = blank(v)?;
    if options
        .iter()
        .any(|o| o.kind == kind.as_str() && o.code == v && o.active)
    {
        Some(v.to_owned())
    } else {
        c.fail(field, "option.unknown");
        None
    }
}

pub(crate) fn parse_fields(
    c: &mut Checker,
    options: &[OptionRow],
    i: &CustomerInput,
) -> CustomerFields {
    let name = c
        .check("name", parse_customer_name(&i.name))
        .unwrap_or_default();
    let name_key = normalise_company_name(&name);
    let credit_code = blank(&i.credit_code)
        .and_then(|v| c.check("creditCode", CreditCode::parse(v)))
        .map(|v| v.as_str().to_owned());
    let (lat, lon) = match (i.lat, i.lon) {
        (Some(a), Some(o)) => match parse_location(a, o) {
            Ok((a, o)) => (Some(a), Some(o)),
            Err(code) => {
                c.fail("lat", code);
                (None, None)
            }
        },
        (None, None) => (None, None),
        _ => {
            c.fail("lat", "location.incomplete");
            (None, None)
        }
    };
    let text = |c: &mut Checker, field: &str, v: &Option<String>, max: usize| {
        c.check(field, optional_text(v.as_deref(), max)).flatten()
    };
    let short_name = text(c, "shortName", &i.short_name, 40);
    CustomerFields {
        grams: index_grams(&name, short_name.as_deref()),
        name_key,
        short_name,
        credit_code,
        type_code: pick(c, options, OptionKind::Type, "typeCode", &i.type_code),
        level_code: pick(c, options, OptionKind::Level, "levelCode", &i.level_code),
        status_code: pick(c, options, OptionKind::Status, "statusCode", &i.status_code),
        industry_code: pick(
            c,
            options,
            OptionKind::Industry,
            "industryCode",
            &i.industry_code,
        ),
        source_code: pick(c, options, OptionKind::Source, "sourceCode", &i.source_code),
        province: text(c, "province", &i.province, 20),
        city: text(c, "city", &i.city, 20),
        district: text(c, "district", &i.district, 20),
        address: text(c, "address", &i.address, 200),
        lat,
        lon,
        notes: text(c, "notes", &i.notes, 2000),
        tags: if i.tags.len() > 20 {
            c.fail("tags", "too_many");
            Vec::new()
        } else {
            c.check("tags", parse_tags(&i.tags)).unwrap_or_default()
        },
        name,
    }
}

pub(crate) fn parse_contact(c: &mut Checker, prefix: &str, i: &ContactInput) -> ContactFields {
    let f = |name: &str| format!("{prefix}{name}");
    let text = |c: &mut Checker, field: &str, v: &Option<String>, max: usize| {
        c.check(&f(field), optional_text(v.as_deref(), max))
            .flatten()
    };
    ContactFields {
        name: c
            .check(&f("name"), required_text(&i.name, 40))
            .unwrap_or_default(),
        title: text(c, "title", &i.title, 40),
        role: blank(&i.role).and_then(|r| {
            c.check(&f("role"), ContactRole::parse(r))
                .map(|r| r.as_str().to_owned())
        }),
        mobile: blank(&i.mobile)
            .and_then(|m| c.check(&f("mobile"), Mobile::parse(m)))
            .map(|m| m.as_str().to_owned()),
        phone: text(c, "phone", &i.phone, 30),
        email: blank(&i.email).and_then(|e| c.check(&f("email"), parse_email(e))),
        wechat: text(c, "wechat", &i.wechat, 40),
        birthday: blank(&i.birthday).and_then(|b| c.check(&f("birthday"), parse_date(b))),
        is_primary: i.is_primary,
        left: i.left,
    }
}

// ---- reading ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: CustomerRow,
    pub tags: Vec<String>,
    pub contacts: Vec<ContactRow>,
    pub collaborators: Vec<CollaboratorRow>,
    pub history: Vec<OwnerHistoryRow>,
    /// Values of the active custom fields, by code.
    pub custom_fields: Values,
    /// What the reader may do with it, so the UI offers only that.
    pub can_edit: bool,
    pub can_transfer: bool,
    /// Lock, set the team, return to a pool: the owner and those in charge, not collaborators.
    pub can_manage: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerListItem {
    #[serde(flatten)]
    pub customer: CustomerRow,
    pub tags: Vec<String>,
    pub custom_fields: Values,
}

/// A page's rows with their tags and custom field values (one query each).
async fn list_items(
    tx: &mut Tx,
    defs: &[FieldDef],
    rows: Vec<CustomerRow>,
) -> AppResult<Vec<CustomerListItem>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let tags = customers::tags_of(tx, &ids).await?;
    let mut values = custom_fields::values_with(tx, defs, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomerListItem {
            tags: tags
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, t)| t.clone())
                .collect(),
            custom_fields: values.remove(&r.id).unwrap_or_default(),
            customer: r,
        })
        .collect())
}

/// A customer's page read inside a write's transaction, one list at a time (the write
/// returns it as it committed it); a plain read takes [`get`]'s one statement.
async fn detail(tx: &mut Tx, actor: &Actor, c: CustomerRow) -> AppResult<CustomerDetail> {
    let id = c.id;
    let in_charge = is_in_charge(tx, actor, &c).await?;
    let (fields, values) = custom_fields::rows_of(tx, id).await?;
    let mut lists = PageLists {
        tags: customers::tags_of(tx, &[id])
            .await?
            .into_iter()
            .map(|t| t.1)
            .collect(),
        contacts: customers::contacts(tx, id).await?,
        collaborators: customers::collaborators(tx, id).await?,
        history: customers::owner_history(tx, id).await?,
        fields,
        values,
    };
    lists.put_in_order();
    detail_of(
        actor,
        CustomerPage::new(c, in_charge, Arc::new(lists), actor.user_id),
    )
}

/// A customer's page, read in one statement (see [`customers::page`]): without its lists
/// when this server holds them (see [`PageCache`]) and they are still of the revision the
/// row carries; else, or when they are not, with them.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<CustomerDetail> {
    actor.require(Permission::CustomersView)?;
    let (viewer, charge) = (viewer(actor), charge(actor).scope);
    // Read before the statement: a change of the names the lists show that overtakes it
    // leaves what it reads unused.
    let stamp = app.auth_cache.stamp();
    let read = async |with_lists| {
        customers::page(&app.db, &viewer, &charge, id, with_lists)
            .await?
            .ok_or(AppError::NotFound)
    };
    let kept = match app.customer_pages.get(id, stamp) {
        Some((revision, lists)) => Some(read(false).await?)
            .filter(|r| r.lists_revision == revision)
            .map(|r| (r, lists)),
        None => None,
    };
    let (row, lists) = match kept {
        Some(hit) => hit,
        None => {
            let mut r = read(true).await?;
            let lists = Arc::new(
                r.lists
                    .take()
                    .ok_or_else(|| internal("a record read without the lists it asked for"))?,
            );
            app.customer_pages
                .put(id, r.lists_revision, stamp, lists.clone());
            (r, lists)
        }
    };
    detail_of(
        actor,
        CustomerPage::new(row.customer, row.in_charge, lists, actor.user_id),
    )
}

/// The page as the reader gets it: the active fields' values, and what they may do.
fn detail_of(actor: &Actor, p: CustomerPage) -> AppResult<CustomerDetail> {
    let collab_edit = !p.in_charge && p.collaboration == Some(true);
    let lists = &p.lists;
    Ok(CustomerDetail {
        custom_fields: custom_fields::values_read_with(
            lists.fields.clone(),
            &lists.values,
            p.customer.id,
        )?,
        tags: lists.tags.clone(),
        contacts: lists.contacts.clone(),
        collaborators: lists.collaborators.clone(),
        history: lists.history.clone(),
        can_edit: actor.grants.has(Permission::CustomersEdit) && (p.in_charge || collab_edit),
        can_transfer: actor.grants.has(Permission::CustomersTransfer) && p.in_charge,
        can_manage: actor.grants.has(Permission::CustomersEdit) && p.in_charge,
        customer: p.customer,
    })
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub type_code: Option<String>,
    pub level_code: Option<String>,
    pub status_code: Option<String>,
    pub industry_code: Option<String>,
    pub source_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub locked: Option<bool>,
    /// Only customers not followed up for this many days (遗忘提醒).
    pub idle_days: Option<u32>,
    /// Only customers whose next contact is due: by now, before today, or today.
    pub due: Option<Due>,
    /// Conditions on custom fields: `code:op:value;...` (see `custom_field::parse_filter`).
    pub cf: Option<String>,
    /// Only customers forgotten under the 遗忘提醒 rules of their level.
    pub forgotten: bool,
}

/// Which next contacts count as due, in the company's days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// Due by now: overdue, and today's that have passed.
    Now,
    /// Due before today began (逾期).
    Overdue,
    /// Due some time today, passed or not (今日待联系).
    Today,
}

/// Turns the list query into the store's filter (shared with the pool list). Days are the
/// company calendar's.
pub(crate) async fn filter_of(
    tx: &mut Tx,
    calendar: &salesdesk_domain::calendar::Calendar,
    reference: &Reference,
    q: &ListQuery,
) -> AppResult<CustomerFilter> {
    let search = match blank(&q.q) {
        Some(s) if s.chars().count() > 60 => return Err(Invalid::field("q", "too_long").into()),
        other => other.map(salesdesk_domain::text::to_half_width),
    };
    let unit_range = match q.unit_id {
        Some(id) => match org::get(tx, id).await? {
            Some(u) => Some(OrgPath::parse(&u.path).map_err(internal)?.subtree_range()),
            None => return Err(Invalid::field("unitId", "org_unit.not_found").into()),
        },
        None => None,
    };
    let custom = match blank(&q.cf) {
        Some(raw) => parse_filter(&reference.customer_fields, raw)
            .map_err(|code| Invalid::field("cf", code))?,
        None => Vec::new(),
    };
    let now = now_ms();
    let forgotten = match q.forgotten {
        true => Some(crate::notifications::rules_of(
            &reference.forgotten_rules,
            &reference.levels,
            now,
        )),
        false => None,
    };
    Ok(CustomerFilter {
        q_grams: search
            .as_deref()
            .map(salesdesk_domain::dedupe::query_grams)
            .unwrap_or_default(),
        q: search,
        type_code: blank(&q.type_code).map(str::to_owned),
        level_code: blank(&q.level_code).map(str::to_owned),
        status_code: blank(&q.status_code).map(str::to_owned),
        industry_code: blank(&q.industry_code).map(str::to_owned),
        source_code: blank(&q.source_code).map(str::to_owned),
        province: blank(&q.province).map(str::to_owned),
        city: blank(&q.city).map(str::to_owned),
        tag: blank(&q.tag).map(str::to_owned),
        owner_id: q.owner_id,
        unit_range,
        locked: q.locked,
        no_followup_since: q.idle_days.map(|d| now - i64::from(d) * 86_400_000),
        next_followup_before: q.due.map(|d| match d {
            Due::Now => now,
            Due::Overdue => calendar.start_of_day(now),
            Due::Today => calendar.start_of_next_day(now),
        }),
        next_followup_from: match q.due {
            Some(Due::Today) => Some(calendar.start_of_day(now)),
            _ => None,
        },
        seq_after: None,
        seq_through: None,
        custom,
        forgotten,
    })
}

pub async fn list(
    app: &App,
    actor: &Actor,
    q: ListQuery,
    sort: CustomerSort,
    desc: bool,
    page: PageRequest,
) -> AppResult<CustomerList> {
    actor.require(Permission::CustomersView)?;
    // The settings first: from memory, or read on a connection of their own.
    let reference = app.reference().await?;
    let mut tx = app.db.begin_read().await?;
    let filter = filter_of(&mut tx, &app.calendar, &reference, &q).await?;
    // A filter's matches are counted up to a cap: past it the list says "more than".
    let (rows, total, exact) = customers::list_counted(
        &mut tx,
        &viewer(actor),
        &filter,
        sort,
        desc,
        page.to_store(),
        app.list_plan,
    )
    .await?;
    let items = list_items(&mut tx, &reference.customer_fields, rows).await?;
    tx.commit().await?;
    Ok(CustomerList {
        page: page.paged(items, total),
        total_exact: exact,
    })
}

/// A page of the customer list; `total_exact` false when more matched than were counted
/// (`total` is then a lower bound).
#[derive(Debug, Clone)]
pub struct CustomerList {
    pub page: Paged<CustomerListItem>,
    pub total_exact: bool,
}

// ---- limits -------------------------------------------------------------------------------

/// What a limit counts: the customers a rep owns, or those of them locked.
#[derive(Clone, Copy)]
enum Limited {
    Owned,
    Locked,
}

/// Refuses one more customer of `level` owned (or locked) by `owner` beyond the limits
/// (客户保护): the limit for all levels ("*") and the one for the level, if set.
async fn check_limit(
    tx: &mut Tx,
    owner: Uuid,
    level: Option<&str>,
    what: Limited,
) -> AppResult<()> {
    tx.lock_user(owner).await?;
    for l in customers::limits(tx).await? {
        let max = match what {
            Limited::Owned => l.max_owned,
            Limited::Locked => l.max_locked,
        };
        let Some(max) = max else { continue };
        let of_level = if l.level_code == "*" {
            None
        } else if Some(l.level_code.as_str()) == level {
            level
        } else {
            continue;
        };
        let n = match what {
            Limited::Owned => customers::count_owned(tx, owner, of_level).await?,
            Limited::Locked => customers::count_locked(tx, owner, of_level).await?,
        };
        if !within_limit(n, Some(max)) {
            return Err(AppError::Conflict(match what {
                Limited::Owned => "customer.owner_limit_reached",
                Limited::Locked => "customer.lock_limit_reached",
            }));
        }
    }
    Ok(())
}

async fn check_owner_limit(tx: &mut Tx, owner: Uuid, level: Option<&str>) -> AppResult<()> {
    check_limit(tx, owner, level, Limited::Owned).await
}

pub async fn get_limits(app: &App, actor: &Actor) -> AppResult<Vec<LimitRow>> {
    actor.require(Permission::CustomersView)?;
    let mut tx = app.db.begin_read().await?;
    let l = customers::limits(&mut tx).await?;
    tx.commit().await?;
    Ok(l)
}

pub async fn set_limits(
    app: &App,
    actor: &Actor,
    rows: Vec<LimitRow>,
    meta: &RequestMeta,
) -> AppResult<Vec<LimitRow>> {
    actor.require(Permission::CustomersSettings)?;
    let mut tx = app.db.begin_write().await?;
    let options = customers::options(&mut tx).await?;
    let mut c = Checker::new();
    for (i, r) in rows.iter().enumerate() {
        let known = r.level_code == "*"
            || options
                .iter()
                .any(|o| o.kind == OptionKind::Level.as_str() && o.code == r.level_code);
        if !known {
            c.fail(&format!("limits[{i}].levelCode"), "option.unknown");
        }
        if rows[..i].iter().any(|p| p.level_code == r.level_code) {
            c.fail(&format!("limits[{i}].levelCode"), "duplicate");
        }
        for (v, f) in [(r.max_owned, "maxOwned"), (r.max_locked, "maxLocked")] {
            if v.is_some_and(|v| !(0..=1_000_000).contains(&v)) {
                c.fail(&format!("limits[{i}].{f}"), "out_of_range");
            }
        }
    }
    c.finish()?;
    let before = customers::limits(&mut tx).await?;
    customers::set_limits(&mut tx, &rows, now_ms()).await?;
    let after = customers::limits(&mut tx).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer_limits.updated",
        "customer_limits",
        "*",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn options(app: &App, actor: &Actor) -> AppResult<Vec<OptionRow>> {
    if !actor.grants.has(Permission::CustomersView) && !actor.grants.has(Permission::PoolsUse) {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_read().await?;
    let o = customers::options(&mut tx).await?;
    tx.commit().await?;
    Ok(o)
}

/// Adds an entry to one of the pick lists (an administrator's, customers.settings): a new
/// industry met in an import, say. Its code is made here (`industry_7`) and never changes;
/// a name the list already holds (in either language, whatever the spacing) is refused.
pub async fn add_option(
    app: &App,
    actor: &Actor,
    kind: OptionKind,
    name: &str,
    name_en: Option<&str>,
    meta: &RequestMeta,
) -> AppResult<OptionRow> {
    actor.require(Permission::CustomersSettings)?;
    let mut c = Checker::new();
    let name = c.check("name", required_text(name, 40));
    let name_en = c.check("nameEn", optional_text(name_en, 40)).flatten();
    c.finish()?;
    let name = name.unwrap_or_default();
    let name_en = name_en.unwrap_or_else(|| name.clone());
    let mut tx = app.db.begin_write().await?;
    let same = |a: &str, b: &str| {
        salesdesk_domain::import::normalise_header(a)
            == salesdesk_domain::import::normalise_header(b)
    };
    let existing = customers::options(&mut tx).await?;
    if existing
        .iter()
        .filter(|o| o.kind == kind.as_str())
        .any(|o| same(&o.name, &name) || same(&o.name_en, &name_en) || same(&o.code, &name))
    {
        return Err(Invalid::field("name", "option.duplicate").into());
    }
    let seq = tx.next_seq("customer_option").await?;
    let code = format!("{}_{seq}", kind.as_str());
    let order = existing
        .iter()
        .filter(|o| o.kind == kind.as_str())
        .map(|o| o.sort_order)
        .max()
        .unwrap_or(0)
        + 1;
    customers::ensure_option(&mut tx, kind.as_str(), &code, &name, &name_en, order).await?;
    let row = customers::options(&mut tx)
        .await?
        .into_iter()
        .find(|o| o.kind == kind.as_str() && o.code == code)
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer_option.created",
        "customer_option",
        &code,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

// ---- writing ------------------------------------------------------------------------------

pub struct CreateCustomer {
    pub customer: CustomerInput,
    pub contacts: Vec<ContactInput>,
}

fn parse_contacts(c: &mut Checker, inputs: &[ContactInput]) -> Vec<ContactFields> {
    if inputs.len() > 20 {
        c.fail("contacts", "too_many");
    }
    let mut out: Vec<ContactFields> = inputs
        .iter()
        .enumerate()
        .map(|(i, k)| parse_contact(c, &format!("contacts[{i}]."), k))
        .collect();
    if out.iter().filter(|k| k.is_primary).count() > 1 {
        c.fail("contacts", "contact.one_primary");
    }
    if !out.is_empty() && !out.iter().any(|k| k.is_primary) {
        out[0].is_primary = true;
    }
    out
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: CreateCustomer,
    meta: &RequestMeta,
) -> AppResult<CustomerDetail> {
    actor.require(Permission::CustomersCreate)?;
    let mut tx = app.db.begin_write().await?;
    let options = customers::options(&mut tx).await?;
    let mut c = Checker::new();
    let fields = parse_fields(&mut c, &options, &input.customer);
    let contacts = parse_contacts(&mut c, &input.contacts);
    let values =
        custom_fields::check_values(&mut tx, &mut c, None, &input.customer.custom_fields).await?;
    c.finish()?;
    refuse_exact_duplicates(&mut tx, &fields, None).await?;
    check_owner_limit(&mut tx, actor.user_id, fields.level_code.as_deref()).await?;
    let now = now_ms();
    let id = Uuid::now_v7();
    let seq = tx.next_seq("customer").await?;
    customers::insert(
        &mut tx,
        &NewCustomer {
            id,
            seq,
            fields: &fields,
            owner_id: actor.user_id,
            unit_id: actor.unit_id,
            created_by: actor.user_id,
            now,
        },
    )
    .await?;
    for k in &contacts {
        customers::insert_contact(&mut tx, Uuid::now_v7(), id, k, now).await?;
    }
    custom_fields::save_values(&mut tx, id, &values).await?;
    customers::insert_owner_change(
        &mut tx,
        &NewOwnerChange {
            customer_id: id,
            change: OwnerChange::Created.as_str(),
            from_owner: None,
            to_owner: Some(actor.user_id),
            from_pool: None,
            to_pool: None,
            reason: None,
            by_user: Some(actor.user_id),
            at: now,
        },
    )
    .await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.created",
        "customer",
        id,
        None::<&()>,
        Some(&(&fields, &contacts, &values)),
    )
    .await?;
    let row = customers::get_any(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = detail(&mut tx, actor, row).await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: CustomerInput,
    meta: &RequestMeta,
) -> AppResult<CustomerDetail> {
    let mut tx = app.db.begin_write().await?;
    let before = editable(&mut tx, actor, id).await?;
    let options = customers::options(&mut tx).await?;
    let mut c = Checker::new();
    let fields = parse_fields(&mut c, &options, &input);
    let values =
        custom_fields::check_values(&mut tx, &mut c, Some(id), &input.custom_fields).await?;
    c.finish()?;
    if before.version != version {
        return Err(AppError::Stale);
    }
    refuse_exact_duplicates(&mut tx, &fields, Some(id)).await?;
    // A level change can cross a per-level limit of the owner.
    if fields.level_code != before.level_code
        && let Some(owner) = before.owner_id
    {
        check_owner_limit(&mut tx, owner, fields.level_code.as_deref()).await?;
    }
    let values_before = custom_fields::values_of(&mut tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    customers::update(&mut tx, id, version, &fields, now_ms()).await?;
    custom_fields::save_values(&mut tx, id, &values).await?;
    let after = customers::get_any(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = detail(&mut tx, actor, after).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.updated",
        "customer",
        id,
        Some(&(&before, &values_before)),
        Some(&(&fields, &d.custom_fields)),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn add_contact(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    input: ContactInput,
    meta: &RequestMeta,
) -> AppResult<ContactRow> {
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx, actor, customer_id).await?;
    let mut c = Checker::new();
    let mut k = parse_contact(&mut c, "", &input);
    c.finish()?;
    let existing = customers::contacts(&mut tx, customer_id).await?;
    if existing.len() >= 50 {
        return Err(Invalid::field("name", "contact.too_many").into());
    }
    if existing.iter().all(|e| !e.is_primary) {
        k.is_primary = true;
    }
    if k.is_primary {
        customers::clear_primary(&mut tx, customer_id).await?;
    }
    let id = Uuid::now_v7();
    customers::insert_contact(&mut tx, id, customer_id, &k, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "contact.created",
        "customer",
        customer_id,
        None::<&()>,
        Some(&k),
    )
    .await?;
    let row = customers::contacts(&mut tx, customer_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update_contact(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    contact_id: Uuid,
    version: i64,
    input: ContactInput,
    meta: &RequestMeta,
) -> AppResult<ContactRow> {
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx, actor, customer_id).await?;
    let existing = customers::contacts(&mut tx, customer_id).await?;
    let before = existing
        .iter()
        .find(|r| r.id == contact_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut c = Checker::new();
    let k = parse_contact(&mut c, "", &input);
    if before.is_primary && !k.is_primary {
        c.fail("isPrimary", "contact.primary_required");
    }
    c.finish()?;
    if before.version != version {
        return Err(AppError::Stale);
    }
    if k.is_primary && !before.is_primary {
        customers::clear_primary(&mut tx, customer_id).await?;
    }
    customers::update_contact(&mut tx, contact_id, version, &k, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "contact.updated",
        "customer",
        customer_id,
        Some(&before),
        Some(&k),
    )
    .await?;
    let row = customers::contacts(&mut tx, customer_id)
        .await?
        .into_iter()
        .find(|r| r.id == contact_id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub struct FollowupInput {
    pub method: String,
    pub content: String,
    pub contact_ids: Vec<Uuid>,
    /// When it happened; now when omitted. Not in the future.
    pub happened_at: Option<i64>,
    pub next_at: Option<i64>,
    pub next_step: Option<String>,
    /// Files the author uploaded to this customer for this follow-up (at most nine).
    pub attachment_ids: Vec<Uuid>,
}

/// A follow-up with the files taken with it.
#[derive(Debug, Clone)]
pub struct Followup {
    pub row: FollowupRow,
    pub attachments: Vec<AttachmentRow>,
}

async fn with_attachments(tx: &mut Tx, rows: Vec<FollowupRow>) -> AppResult<Vec<Followup>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut files = crate::attachments::of_followups(tx, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut files)
                .into_iter()
                .partition(|a| a.followup_id == Some(row.id));
            files = rest;
            Followup {
                row,
                attachments: mine,
            }
        })
        .collect())
}

pub async fn add_followup(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    input: FollowupInput,
    meta: &RequestMeta,
) -> AppResult<Followup> {
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx, actor, customer_id).await?;
    let now = now_ms();
    let mut c = Checker::new();
    let method = c.check("method", FollowupMethod::parse(&input.method));
    let content = c.check("content", required_text(&input.content, 4000));
    let next_step = c
        .check("nextStep", optional_text(input.next_step.as_deref(), 200))
        .flatten();
    let happened_at = input.happened_at.unwrap_or(now);
    // A minute of clock skew between a phone and the server is not "the future".
    if happened_at > now + 60_000 {
        c.fail("happenedAt", "followup.in_future");
    }
    if happened_at < now - 366 * 86_400_000 {
        c.fail("happenedAt", "followup.too_old");
    }
    if let Some(n) = input.next_at
        && n <= happened_at
    {
        c.fail("nextAt", "followup.next_before_happened");
    }
    let contacts = customers::contacts(&mut tx, customer_id).await?;
    if input.contact_ids.len() > 20 {
        c.fail("contactIds", "too_many");
    } else if input
        .contact_ids
        .iter()
        .any(|k| !contacts.iter().any(|r| r.id == *k))
    {
        c.fail("contactIds", "contact.not_found");
    }
    c.finish()?;
    let (Some(method), Some(content)) = (method, content) else {
        return Err(AppError::Internal("checked above".into()));
    };
    let id = Uuid::now_v7();
    customers::insert_followup(
        &mut tx,
        &NewFollowup {
            id,
            customer_id,
            author_id: actor.user_id,
            method: method.as_str(),
            content: &content,
            contact_ids: &input.contact_ids,
            happened_at,
            next_at: input.next_at,
            next_step: next_step.as_deref(),
            now,
        },
    )
    .await?;
    crate::attachments::link_to_followup(&mut tx, actor, customer_id, id, &input.attachment_ids)
        .await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "followup.created",
        "customer",
        customer_id,
        None::<&()>,
        Some(&serde_json::json!({"method": method.as_str(), "happenedAt": happened_at, "nextAt": input.next_at, "attachmentIds": input.attachment_ids})),
    )
    .await?;
    let (rows, _) = customers::followups(
        &mut tx,
        customer_id,
        salesdesk_store::Page {
            limit: 200,
            offset: 0,
        },
    )
    .await?;
    let row = rows
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let mut out = with_attachments(&mut tx, vec![row]).await?;
    tx.commit().await?;
    out.pop().ok_or(AppError::NotFound)
}

pub async fn followups(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    page: PageRequest,
) -> AppResult<Paged<Followup>> {
    let mut tx = app.db.begin_read().await?;
    visible(&mut tx, actor, customer_id).await?;
    let (rows, total) = customers::followups(&mut tx, customer_id, page.to_store()).await?;
    let items = with_attachments(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(page.paged(items, total))
}

pub async fn set_collaborators(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    members: Vec<(Uuid, bool)>,
    meta: &RequestMeta,
) -> AppResult<Vec<CollaboratorRow>> {
    let mut tx = app.db.begin_write().await?;
    let cust = in_charge(&mut tx, actor, customer_id, Permission::CustomersEdit).await?;
    let mut c = Checker::new();
    if members.len() > 30 {
        c.fail("members", "too_many");
    }
    for (i, (user, _)) in members.iter().enumerate() {
        let u = users::get(&mut tx, &RecordScope::All, *user).await?;
        if u.is_none_or(|u| !u.active) {
            c.fail(&format!("members[{i}].userId"), "user.not_found");
        } else if Some(*user) == cust.owner_id {
            c.fail(
                &format!("members[{i}].userId"),
                "customer.owner_not_collaborator",
            );
        } else if members[..i].iter().any(|m| m.0 == *user) {
            c.fail(&format!("members[{i}].userId"), "duplicate");
        }
    }
    c.finish()?;
    let before = customers::collaborators(&mut tx, customer_id).await?;
    customers::set_collaborators(&mut tx, customer_id, &members, now_ms()).await?;
    let after = customers::collaborators(&mut tx, customer_id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.collaborators_set",
        "customer",
        customer_id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn set_lock(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    version: i64,
    locked: bool,
    meta: &RequestMeta,
) -> AppResult<CustomerDetail> {
    let mut tx = app.db.begin_write().await?;
    let before = in_charge(&mut tx, actor, customer_id, Permission::CustomersEdit).await?;
    if before.version != version {
        return Err(AppError::Stale);
    }
    if locked
        && !before.locked
        && let Some(owner) = before.owner_id
    {
        check_limit(
            &mut tx,
            owner,
            before.level_code.as_deref(),
            Limited::Locked,
        )
        .await?;
    }
    customers::set_locked(&mut tx, customer_id, version, locked, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        if locked {
            "customer.locked"
        } else {
            "customer.unlocked"
        },
        "customer",
        customer_id,
        Some(&before.locked),
        Some(&locked),
    )
    .await?;
    let after = customers::get_any(&mut tx, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = detail(&mut tx, actor, after).await?;
    tx.commit().await?;
    Ok(d)
}

// ---- transfer and handover ----------------------------------------------------------------

/// A person who may receive customers from the actor: active, and with the customer inside
/// the actor's scope afterwards (a manager cannot push customers out of their region).
/// Merges `duplicate_id` into `keep_id` (合并, an administrator's clean-up of two records of
/// one customer): the kept record's fields stay, its blanks filled from the other; contacts,
/// follow-ups, the owner history, team and tags move over; the duplicate is deleted. One
/// audit row holds both records as they were.
pub async fn merge(
    app: &App,
    actor: &Actor,
    keep_id: Uuid,
    duplicate_id: Uuid,
    meta: &RequestMeta,
) -> AppResult<CustomerDetail> {
    actor.require(Permission::CustomersSettings)?;
    actor.require(Permission::CustomersEdit)?;
    if keep_id == duplicate_id {
        return Err(Invalid::field("duplicateId", "customer.merge_same").into());
    }
    let mut tx = app.db.begin_write().await?;
    let keep = in_charge(&mut tx, actor, keep_id, Permission::CustomersSettings).await?;
    let dup = match in_charge(&mut tx, actor, duplicate_id, Permission::CustomersSettings).await {
        Ok(d) => d,
        Err(AppError::NotFound | AppError::Forbidden) => {
            return Err(Invalid::field("duplicateId", "customer.not_found").into());
        }
        Err(e) => return Err(e),
    };
    let options = customers::options(&mut tx).await?;
    let tags_of = |rows: Vec<(Uuid, String)>, id: Uuid| -> Vec<String> {
        rows.into_iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, t)| t)
            .collect()
    };
    let all_tags = customers::tags_of(&mut tx, &[keep.id, dup.id]).await?;
    let mut tags = tags_of(all_tags.clone(), keep.id);
    for t in tags_of(all_tags, dup.id) {
        if !tags.contains(&t) && tags.len() < 20 {
            tags.push(t);
        }
    }
    fn or(a: &Option<String>, b: &Option<String>) -> Option<String> {
        a.clone().or_else(|| b.clone())
    }
    let (lat, lon) = match (keep.lat, keep.lon) {
        (Some(a), Some(o)) => (Some(a), Some(o)),
        _ => (dup.lat, dup.lon),
    };
    let input = CustomerInput {
        name: keep.name.clone(),
        short_name: or(&keep.short_name, &dup.short_name),
        credit_code: or(&keep.credit_code, &dup.credit_code),
        type_code: or(&keep.type_code, &dup.type_code),
        level_code: or(&keep.level_code, &dup.level_code),
        status_code: or(&keep.status_code, &dup.status_code),
        industry_code: or(&keep.industry_code, &dup.industry_code),
        source_code: or(&keep.source_code, &dup.source_code),
        province: or(&keep.province, &dup.province),
        city: or(&keep.city, &dup.city),
        district: or(&keep.district, &dup.district),
        address: or(&keep.address, &dup.address),
        lat,
        lon,
        notes: match (&keep.notes, &dup.notes) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}\n{b}").chars().take(2000).collect()),
            (a, b) => or(a, b),
        },
        tags,
        custom_fields: BTreeMap::new(),
    };
    let mut c = Checker::new();
    let fields = parse_fields(&mut c, &options, &input);
    c.finish()?;
    // The duplicate gives up its unique keys first, for the kept record to take them.
    customers::clear_unique_keys(&mut tx, dup.id).await?;
    customers::update(&mut tx, keep.id, keep.version, &fields, now_ms()).await?;
    if keep.external_id.is_none()
        && let Some(e) = &dup.external_id
    {
        customers::set_external_id(&mut tx, keep.id, e).await?;
    }
    salesdesk_store::custom_fields::fill_from(&mut tx, keep.id, dup.id).await?;
    customers::merge_into(&mut tx, dup.id, dup.version, keep.id).await?;
    let last = keep.last_followup_at.max(dup.last_followup_at);
    let next = match (keep.next_followup_at, dup.next_followup_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    customers::set_followup_times(&mut tx, keep.id, last, next).await?;
    let now = now_ms();
    customers::insert_owner_change(
        &mut tx,
        &NewOwnerChange {
            customer_id: keep.id,
            change: OwnerChange::Merged.as_str(),
            from_owner: dup.owner_id,
            to_owner: keep.owner_id,
            from_pool: None,
            to_pool: None,
            reason: Some(&dup.name),
            by_user: Some(actor.user_id),
            at: now,
        },
    )
    .await?;
    let after = customers::get_any(&mut tx, keep.id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.merged",
        "customer",
        keep.id,
        Some(&serde_json::json!({"kept": keep, "merged": dup})),
        Some(&after),
    )
    .await?;
    let d = detail(&mut tx, actor, after).await?;
    tx.commit().await?;
    Ok(d)
}

pub(crate) async fn recipient(
    tx: &mut Tx,
    actor: &Actor,
    user_id: Uuid,
    field: &str,
) -> AppResult<(Uuid, Uuid)> {
    let u = users::get(tx, &RecordScope::All, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| Invalid::field(field, "user.not_found"))?;
    let report = OrgPath::parse(&u.report_path).map_err(internal)?;
    let unit = OrgPath::parse(&u.unit_path).map_err(internal)?;
    if !actor
        .scope(ScopeModule::Customers)
        .contains(u.id, &report, u.unit_id, &unit)
    {
        return Err(Invalid::field(field, "customer.recipient_outside_scope").into());
    }
    Ok((u.id, u.unit_id))
}

#[derive(Debug, Clone, Serialize)]
pub struct TransferResult {
    pub moved: Vec<Uuid>,
}

pub async fn transfer(
    app: &App,
    actor: &Actor,
    ids: Vec<Uuid>,
    to_user: Uuid,
    reason: String,
    meta: &RequestMeta,
) -> AppResult<TransferResult> {
    actor.require(Permission::CustomersTransfer)?;
    let mut c = Checker::new();
    let reason = c.check("reason", required_text(&reason, 200));
    if ids.is_empty() {
        c.fail("customerIds", "required");
    }
    if ids.len() > 500 {
        c.fail("customerIds", "too_many");
    }
    c.finish()?;
    let reason = reason.unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    let (to, to_unit) = recipient(&mut tx, actor, to_user, "toUserId").await?;
    let mut moved = Vec::new();
    let mut names = Vec::new();
    for id in ids {
        if moved.contains(&id) {
            continue;
        }
        let cust = in_charge(&mut tx, actor, id, Permission::CustomersTransfer).await?;
        let Some(from) = cust.owner_id else {
            return Err(AppError::NotFound);
        };
        if from == to {
            return Err(Invalid::field("toUserId", "customer.already_owner").into());
        }
        move_to_owner(
            &mut tx,
            actor,
            &cust,
            to,
            to_unit,
            OwnerChange::Transferred,
            Some(&reason),
            meta,
        )
        .await?;
        moved.push(id);
        names.push(cust.name);
    }
    let received: Vec<(Uuid, &str)> = moved
        .iter()
        .copied()
        .zip(names.iter().map(String::as_str))
        .collect();
    crate::notifications::customers_received(
        &mut tx,
        to,
        actor,
        OwnerChange::Transferred,
        &received,
    )
    .await?;
    tx.commit().await?;
    Ok(TransferResult { moved })
}

/// Gives an owned or pooled customer to `to`: limits, the conditional move, history, audit.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_to_owner(
    tx: &mut Tx,
    actor: &Actor,
    cust: &CustomerRow,
    to: Uuid,
    to_unit: Uuid,
    change: OwnerChange,
    reason: Option<&str>,
    meta: &RequestMeta,
) -> AppResult<()> {
    change_owner(tx, actor, cust, to, to_unit, change, reason).await?;
    record(
        tx,
        By::Actor(actor),
        meta,
        match change {
            OwnerChange::Claimed => "customer.claimed",
            OwnerChange::Assigned => "customer.assigned",
            _ => "customer.transferred",
        },
        "customer",
        cust.id,
        Some(&serde_json::json!({"ownerId": cust.owner_id, "poolId": cust.pool_id})),
        Some(&serde_json::json!({"ownerId": to, "reason": reason})),
    )
    .await
}

/// The owner change itself, without its audit row: limits, the conditional move, history.
pub(crate) async fn change_owner(
    tx: &mut Tx,
    actor: &Actor,
    cust: &CustomerRow,
    to: Uuid,
    to_unit: Uuid,
    change: OwnerChange,
    reason: Option<&str>,
) -> AppResult<()> {
    check_owner_limit(tx, to, cust.level_code.as_deref()).await?;
    let now = now_ms();
    let moved = customers::move_customer(
        tx,
        cust.id,
        cust.owner_id,
        cust.pool_id,
        &Holder::Owner {
            user_id: to,
            unit_id: to_unit,
        },
        now,
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict("customer.changed_meanwhile"));
    }
    customers::remove_collaborator(tx, cust.id, to).await?;
    customers::insert_owner_change(
        tx,
        &NewOwnerChange {
            customer_id: cust.id,
            change: change.as_str(),
            from_owner: cust.owner_id,
            to_owner: Some(to),
            from_pool: cust.pool_id,
            to_pool: None,
            reason,
            by_user: Some(actor.user_id),
            at: now,
        },
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverPreview {
    pub customers: Vec<CustomerRow>,
    /// Customers of the leaver outside the actor's scope, which this handover cannot move.
    pub outside_scope: i64,
}

/// 离职交接: every customer of `from` that the actor is in charge of goes to `to`. With
/// `apply` false nothing changes and the list that would move is returned.
pub async fn handover(
    app: &App,
    actor: &Actor,
    from: Uuid,
    to: Uuid,
    reason: String,
    apply: bool,
    meta: &RequestMeta,
) -> AppResult<HandoverPreview> {
    actor.require(Permission::CustomersTransfer)?;
    let mut c = Checker::new();
    let reason = c.check("reason", required_text(&reason, 200));
    if from == to {
        c.fail("toUserId", "customer.already_owner");
    }
    c.finish()?;
    let mut tx = if apply {
        app.db.begin_write().await?
    } else {
        app.db.begin_read().await?
    };
    // The leaver must be someone the actor manages; otherwise even the count would leak.
    if users::get(&mut tx, &actor.scope(ScopeModule::People), from)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let (to, to_unit) = recipient(&mut tx, actor, to, "toUserId").await?;
    let ids = customers::owned_ids(&mut tx, from).await?;
    let mut mine = Vec::new();
    for id in &ids {
        if let Some(c) = customers::get(&mut tx, &charge(actor), *id).await? {
            mine.push(c);
        }
    }
    let outside = (ids.len() - mine.len()) as i64;
    if apply {
        if mine.is_empty() {
            return Err(Invalid::field("fromUserId", "customer.nothing_to_hand_over").into());
        }
        for cust in &mine {
            change_owner(
                &mut tx,
                actor,
                cust,
                to,
                to_unit,
                OwnerChange::HandedOver,
                reason.as_deref(),
            )
            .await?;
        }
        // One handover is one change: one audit row naming every customer that moved.
        let ids: Vec<Uuid> = mine.iter().map(|c| c.id).collect();
        record(
            &mut tx,
            By::Actor(actor),
            meta,
            "customer.handed_over",
            "user",
            from,
            Some(&serde_json::json!({"ownerId": from})),
            Some(&serde_json::json!({"ownerId": to, "customerIds": ids, "reason": reason})),
        )
        .await?;
        let received: Vec<(Uuid, &str)> = mine.iter().map(|c| (c.id, c.name.as_str())).collect();
        crate::notifications::customers_received(
            &mut tx,
            to,
            actor,
            OwnerChange::HandedOver,
            &received,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(HandoverPreview {
        customers: mine,
        outside_scope: outside,
    })
}

/// For the pools module: a customer the actor is in charge of, with a permission.
pub(crate) async fn in_charge_of(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<CustomerRow> {
    in_charge(tx, actor, id, perm).await
}

// ---- export -------------------------------------------------------------------------------

/// The most rows one export may hold; more and the user is asked to narrow the filters.
pub const EXPORT_MAX_ROWS: i64 = 200_000;
/// Rows one person may export in a day before administrators are told (the export goes on).
pub const EXPORT_DAILY_ROWS: i64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
    pub rows: usize,
}

/// (中文, English) column headings, in order.
const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("客户编号", "No."),
    ("客户名称", "Name"),
    ("简称", "Short name"),
    ("统一社会信用代码", "Credit code"),
    ("客户类型", "Type"),
    ("客户级别", "Level"),
    ("客户状态", "Status"),
    ("行业", "Industry"),
    ("客户来源", "Source"),
    ("省份", "Province"),
    ("城市", "City"),
    ("区县", "District"),
    ("详细地址", "Address"),
    ("负责人", "Owner"),
    ("所属部门", "Unit"),
    ("首要联系人", "Primary contact"),
    ("联系人手机", "Contact mobile"),
    ("标签", "Tags"),
    ("锁定", "Locked"),
    ("最近跟进", "Last follow-up"),
    ("下次联系", "Next contact"),
    ("创建时间", "Created"),
];

fn export_row(
    c: &CustomerRow,
    tags: &str,
    options: &[OptionRow],
    en: bool,
    calendar: &salesdesk_domain::calendar::Calendar,
) -> Vec<String> {
    let label = |kind: OptionKind, code: &Option<String>| -> String {
        let Some(code) = code else {
            return String::new();
        };
        options
            .iter()
            .find(|o| o.kind == kind.as_str() && &o.code == code)
            .map_or_else(
                || code.clone(),
                |o| {
                    if en {
                        o.name_en.clone()
                    } else {
                        o.name.clone()
                    }
                },
            )
    };
    let time = |t: Option<i64>| t.map(|t| calendar.datetime_text(t)).unwrap_or_default();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        c.seq.to_string(),
        c.name.clone(),
        s(&c.short_name),
        s(&c.credit_code),
        label(OptionKind::Type, &c.type_code),
        label(OptionKind::Level, &c.level_code),
        label(OptionKind::Status, &c.status_code),
        label(OptionKind::Industry, &c.industry_code),
        label(OptionKind::Source, &c.source_code),
        s(&c.province),
        s(&c.city),
        s(&c.district),
        s(&c.address),
        s(&c.owner_name),
        c.unit_name.clone(),
        s(&c.primary_contact),
        s(&c.primary_mobile),
        tags.to_owned(),
        if c.locked {
            if en { "yes" } else { "是" }
        } else {
            ""
        }
        .to_owned(),
        time(c.last_followup_at),
        time(c.next_followup_at),
        time(Some(c.created_at)),
    ]
}

/// Exports what the list shows for these filters, within the scope, as CSV (UTF-8 with a BOM,
/// so Excel reads Chinese) or XLSX. Cells never start a formula. Audited; a day's volume over
/// [`EXPORT_DAILY_ROWS`] adds a security event for administrators.
pub async fn export(
    app: &App,
    actor: &Actor,
    q: ListQuery,
    format: ExportFormat,
    meta: &RequestMeta,
) -> AppResult<ExportFile> {
    actor.require(Permission::CustomersView)?;
    actor.require(Permission::CustomersExport)?;
    let reference = app.reference().await?;
    let mut tx = app.db.begin_read().await?;
    let mut filter = filter_of(&mut tx, &app.calendar, &reference, &q).await?;
    let v = viewer(actor);
    let (_, total) = customers::list(
        &mut tx,
        &v,
        &filter,
        CustomerSort::Seq,
        false,
        salesdesk_store::Page {
            limit: 1,
            offset: 0,
        },
    )
    .await?;
    if total > EXPORT_MAX_ROWS {
        return Err(Invalid::field("filters", "export.too_many").into());
    }
    let options = customers::options(&mut tx).await?;
    let en = actor.locale == "en-US";
    // Active custom fields follow the fixed columns, in their order, headed by their labels.
    let defs: Vec<_> = custom_fields::defs(&mut tx, CUSTOMER)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .collect();
    let header: Vec<String> = EXPORT_COLUMNS
        .iter()
        .map(|c| (if en { c.1 } else { c.0 }).to_owned())
        .chain(defs.iter().map(|d| d.label.clone()))
        .collect();
    let mut out = match format {
        ExportFormat::Csv => {
            let mut s = String::from("\u{feff}");
            salesdesk_domain::export::push_csv_line(&mut s, &header);
            Sheet::Csv(s)
        }
        ExportFormat::Xlsx => Sheet::xlsx(header)?,
    };
    // Windows of 5,000 customer numbers, within one snapshot: memory stays flat however many
    // rows go out, and each window costs the same whatever the scope and its plan (a page "the
    // next 5,000 of the scope" let PostgreSQL read the whole region again for every page at
    // 1M customers). The blocking XLSX writing leaves the async workers free.
    const WINDOW: i64 = 5000;
    let last_seq = customers::max_seq(&mut tx).await?;
    let mut n = 0usize;
    let mut after = 0i64;
    while after < last_seq {
        filter.seq_after = Some(after);
        filter.seq_through = Some(after + WINDOW);
        after += WINDOW;
        let page = customers::list_rows(
            &mut tx,
            &v,
            &filter,
            CustomerSort::Seq,
            false,
            salesdesk_store::Page {
                limit: WINDOW,
                offset: 0,
            },
        )
        .await?;
        if page.is_empty() {
            continue;
        }
        let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
        let mut tags: std::collections::HashMap<Uuid, Vec<String>> = Default::default();
        let mut custom: std::collections::HashMap<(Uuid, Uuid), Vec<String>> = Default::default();
        for chunk in ids.chunks(500) {
            for (id, t) in customers::tags_of(&mut tx, chunk).await? {
                tags.entry(id).or_default().push(t);
            }
            if !defs.is_empty() {
                for (id, field, text, _) in
                    salesdesk_store::custom_fields::values_of(&mut tx, chunk).await?
                {
                    custom.entry((id, field)).or_default().push(text);
                }
            }
        }
        let lines: Vec<Vec<String>> = page
            .iter()
            .map(|r| {
                let mut line = export_row(
                    r,
                    &tags.get(&r.id).map(|t| t.join("、")).unwrap_or_default(),
                    &options,
                    en,
                    &app.calendar,
                );
                line.extend(defs.iter().map(|d| {
                    let values = custom
                        .get(&(r.id, d.id))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    d.display(&values.iter().map(String::as_str).collect::<Vec<_>>())
                }));
                line
            })
            .collect();
        n += lines.len();
        out = out.append(lines).await?;
        if n as i64 >= EXPORT_MAX_ROWS {
            break;
        }
    }
    tx.commit().await?;
    let stamp = app
        .calendar
        .datetime_text(now_ms())
        .replace([' ', ':', '-'], "");
    let (bytes, content_type, ext) = out.finish().await?;
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    let today = salesdesk_store::jobs::log_export(
        &mut tx,
        actor.user_id,
        "customer",
        n as i64,
        now,
        app.calendar.start_of_day(now),
    )
    .await?;
    let filters = serde_json::json!({
        "q": q.q, "typeCode": q.type_code, "levelCode": q.level_code, "statusCode": q.status_code,
        "industryCode": q.industry_code, "sourceCode": q.source_code, "province": q.province, "city": q.city,
        "tag": q.tag, "ownerId": q.owner_id, "unitId": q.unit_id, "locked": q.locked, "idleDays": q.idle_days, "due": q.due,
        "cf": q.cf, "forgotten": q.forgotten,
    });
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.exported",
        "customer",
        "*",
        None::<&()>,
        Some(&serde_json::json!({"rows": n, "format": ext, "filters": filters})),
    )
    .await?;
    if today > EXPORT_DAILY_ROWS && today - n as i64 <= EXPORT_DAILY_ROWS {
        // Crossing the limit is the event; later exports that day are in the audit log anyway.
        record(
            &mut tx,
            By::Actor(actor),
            meta,
            "security.export_volume_exceeded",
            "user",
            actor.user_id,
            None::<&()>,
            Some(&serde_json::json!({"rowsToday": today, "limit": EXPORT_DAILY_ROWS})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ExportFile {
        bytes,
        content_type,
        filename: format!("customers-{stamp}.{ext}"),
        rows: n,
    })
}

/// An export being written: CSV text, or an XLSX workbook whose sheet keeps its rows in a
/// temporary file (constant memory) rather than in memory.
enum Sheet {
    Csv(String),
    Xlsx(Box<rust_xlsxwriter::Workbook>, u32),
}

impl Sheet {
    fn xlsx(header: Vec<String>) -> AppResult<Sheet> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet_with_constant_memory();
        ws.set_name("客户").map_err(internal)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(internal)?;
        }
        Ok(Sheet::Xlsx(Box::new(wb), 1))
    }

    /// Every cell is written as a string: a spreadsheet never evaluates it as a formula.
    async fn append(self, lines: Vec<Vec<String>>) -> AppResult<Sheet> {
        match self {
            Sheet::Csv(mut s) => {
                for l in &lines {
                    salesdesk_domain::export::push_csv_line(&mut s, l);
                }
                Ok(Sheet::Csv(s))
            }
            Sheet::Xlsx(mut wb, row) => tokio::task::spawn_blocking(move || {
                let ws = wb.worksheet_from_index(0).map_err(internal)?;
                for (i, l) in lines.iter().enumerate() {
                    for (c, v) in l.iter().enumerate() {
                        if !v.is_empty() {
                            ws.write_string(row + i as u32, c as u16, v)
                                .map_err(internal)?;
                        }
                    }
                }
                Ok(Sheet::Xlsx(wb, row + lines.len() as u32))
            })
            .await
            .map_err(internal)?,
        }
    }

    async fn finish(self) -> AppResult<(Vec<u8>, &'static str, &'static str)> {
        match self {
            Sheet::Csv(s) => Ok((s.into_bytes(), "text/csv; charset=utf-8", "csv")),
            Sheet::Xlsx(mut wb, _) => {
                let bytes =
                    tokio::task::spawn_blocking(move || wb.save_to_buffer().map_err(internal))
                        .await
                        .map_err(internal)??;
                Ok((
                    bytes,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ))
            }
        }
    }
}
