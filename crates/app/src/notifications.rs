//! Notifications (通知) and the daily reminders (提醒) that make most of them: next contacts
//! due today, customers the pools will take back soon (回收预警), and forgotten customers
//! (遗忘提醒: not followed up for the days their level allows). Customers given to someone
//! (转移, 分配, 离职交接) tell them at once, in the same transaction as the change.
//!
//! The daily run is keyed by the day in China and each notification by the fact it reports, so
//! running it twice, or on two instances at once, tells nobody anything twice.

use salesdesk_domain::access::Permission;
use salesdesk_domain::customer::{ANY_LEVEL, ForgottenDays, OwnerChange, check_forgotten_rules};
use salesdesk_store::notifications::{
    self as store, ForgottenRule, NewNotification, NotificationRow,
};
use salesdesk_store::{Tx, jobs};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, PageRequest, Paged, RequestMeta, now_ms};

/// The job name of the daily reminders in `job_runs`.
pub const REMINDER_JOB: &str = "daily_reminders";

const DAY_MS: i64 = 86_400_000;

/// How far back a due contact still gets its reminder (a server that was down a few days).
const DUE_LOOKBACK_DAYS: i64 = 7;

/// Notifications are kept this long, then the daily run deletes them (read or not): they
/// point at records that keep their own history.
pub const KEEP_DAYS: i64 = 180;

/// The kinds of notification; the UI writes each one's message from its data.
pub mod kind {
    /// 今日待联系: a promised next contact falls today. Data: customerName, dueAt.
    pub const FOLLOWUP_DUE: &str = "followup_due";
    /// 回收预警: a pool takes the customer back soon. Data: customerName, poolName, dueAt, reason.
    pub const RECLAIM_WARNING: &str = "reclaim_warning";
    /// 遗忘提醒: the owner's customers not followed up for too long. Data: count.
    pub const FORGOTTEN: &str = "forgotten";
    /// Customers given to the reader. Data: count, customerName (the first), byName, change.
    pub const CUSTOMERS_RECEIVED: &str = "customers_received";
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub data: serde_json::Value,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Self {
        Notification {
            id: r.id,
            kind: r.kind,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            data: serde_json::from_str(&r.data_json).unwrap_or(serde_json::Value::Null),
            created_at: r.created_at,
            read_at: r.read_at,
        }
    }
}

/// A page of my notifications, and how many are unread.
pub struct NotificationPage {
    pub page: Paged<Notification>,
    pub unread: i64,
}

/// My notifications, newest first (everyone has their own; nobody reads another's).
pub async fn mine(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    page: PageRequest,
) -> AppResult<NotificationPage> {
    let mut tx = app.db.begin_read().await?;
    let (rows, total) =
        store::of_user(&mut tx, actor.user_id, unread_only, page.to_store()).await?;
    let unread = store::unread_count(&mut tx, actor.user_id).await?;
    tx.commit().await?;
    Ok(NotificationPage {
        page: page.paged(rows.into_iter().map(Into::into).collect(), total),
        unread,
    })
}

pub async fn unread(app: &App, actor: &Actor) -> AppResult<i64> {
    let mut tx = app.db.begin_read().await?;
    let n = store::unread_count(&mut tx, actor.user_id).await?;
    tx.commit().await?;
    Ok(n)
}

/// Marks one of my notifications read (reading it twice is fine; another's is not found).
pub async fn mark_read(app: &App, actor: &Actor, id: Uuid, meta: &RequestMeta) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    if store::mark_read(&mut tx, actor.user_id, id, now_ms()).await? == 0 {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "notification.read",
        "notification",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn mark_all_read(app: &App, actor: &Actor, meta: &RequestMeta) -> AppResult<u64> {
    let mut tx = app.db.begin_write().await?;
    let n = store::mark_all_read(&mut tx, actor.user_id, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "notification.read_all",
        "user",
        actor.user_id,
        None::<&()>,
        Some(&serde_json::json!({ "marked": n })),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Tells `to` that customers were given to them (in the caller's transaction).
pub(crate) async fn customers_received(
    tx: &mut Tx,
    to: Uuid,
    by: &Actor,
    change: OwnerChange,
    customers: &[(Uuid, &str)],
) -> AppResult<()> {
    let Some((first_id, first_name)) = customers.first() else {
        return Ok(());
    };
    if to == by.user_id {
        return Ok(());
    }
    let one = customers.len() == 1;
    store::insert(
        tx,
        &NewNotification {
            user_id: to,
            kind: kind::CUSTOMERS_RECEIVED,
            entity_type: one.then_some("customer"),
            entity_id: one.then(|| first_id.to_string()),
            data_json: serde_json::json!({
                "count": customers.len(),
                "customerName": first_name,
                "byName": by.display_name,
                "change": change.as_str(),
            })
            .to_string(),
            dedupe_key: None,
            now: now_ms(),
        },
    )
    .await?;
    Ok(())
}

// ---- 遗忘提醒 rules ---------------------------------------------------------------------------

pub async fn forgotten_rules(app: &App, actor: &Actor) -> AppResult<Vec<ForgottenDays>> {
    actor.require(Permission::CustomersView)?;
    let mut tx = app.db.begin_read().await?;
    let rules = store::forgotten_rules(&mut tx).await?;
    tx.commit().await?;
    Ok(rules
        .into_iter()
        .map(|(level_code, days)| ForgottenDays { level_code, days })
        .collect())
}

/// Replaces the 遗忘提醒 rules (checked by `check_forgotten_rules`).
pub async fn set_forgotten_rules(
    app: &App,
    actor: &Actor,
    rules: Vec<ForgottenDays>,
    meta: &RequestMeta,
) -> AppResult<Vec<ForgottenDays>> {
    actor.require(Permission::CustomersSettings)?;
    let mut tx = app.db.begin_write().await?;
    let levels: Vec<String> = salesdesk_store::customers::options(&mut tx)
        .await?
        .into_iter()
        .filter(|o| o.kind == "level")
        .map(|o| o.code)
        .collect();
    check_forgotten_rules(&rules, &levels)?;
    let before = store::forgotten_rules(&mut tx).await?;
    let rows: Vec<(String, i64)> = rules
        .iter()
        .map(|r| (r.level_code.clone(), r.days))
        .collect();
    store::set_forgotten_rules(&mut tx, &rows).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.forgotten_rules_set",
        "customer_settings",
        "forgotten_rules",
        Some(&before),
        Some(&rows),
    )
    .await?;
    tx.commit().await?;
    Ok(rules)
}

/// The rules as of `now`, for the list filter and the daily digest: one per level (the
/// catch-all rule spelled out for every level it covers, and for customers with none), so
/// each is a range of the (level, idle since) index.
pub(crate) async fn rules_at(tx: &mut Tx, now: i64) -> AppResult<Vec<ForgottenRule>> {
    let rules = store::forgotten_rules(tx).await?;
    let levels: Vec<String> = salesdesk_store::customers::options(tx)
        .await?
        .into_iter()
        .filter(|o| o.kind == "level")
        .map(|o| o.code)
        .collect();
    Ok(rules_of(&rules, &levels, now))
}

/// [`rules_at`] from the rules (level or "*", days) and the levels' codes already read.
pub(crate) fn rules_of(rules: &[(String, i64)], levels: &[String], now: i64) -> Vec<ForgottenRule> {
    let days_of = |level: &str| {
        rules
            .iter()
            .find(|(l, _)| l == level)
            .or_else(|| rules.iter().find(|(l, _)| l == ANY_LEVEL))
            .map(|(_, d)| *d)
    };
    let mut out: Vec<ForgottenRule> = levels
        .iter()
        .filter_map(|l| {
            days_of(l).map(|d| ForgottenRule {
                level: Some(l.clone()),
                before: now - d * DAY_MS,
            })
        })
        .collect();
    if let Some((_, d)) = rules.iter().find(|(l, _)| l == ANY_LEVEL) {
        out.push(ForgottenRule {
            level: None,
            before: now - d * DAY_MS,
        });
    }
    out
}

// ---- the daily reminders ------------------------------------------------------------------

/// What one daily run told people.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReminderRun {
    pub followups_due: usize,
    pub reclaim_warnings: usize,
    pub forgotten: usize,
    /// Notifications older than [`KEEP_DAYS`] deleted.
    pub removed: u64,
}

/// The run key of a day's reminders: the company's date.
pub fn reminder_key(calendar: &salesdesk_domain::calendar::Calendar, now: i64) -> String {
    format!("reminders-{}", calendar.day_text(now))
}

/// Writes the day's reminders. A second run of the same day answers `job.already_ran`; each
/// notification is also keyed by its fact, so even a run cut short and repeated tells nobody
/// anything twice.
pub async fn run_reminders(app: &App, now: i64) -> AppResult<ReminderRun> {
    let key = reminder_key(&app.calendar, now);
    let mut tx = app.db.begin_write().await?;
    if !jobs::start(&mut tx, REMINDER_JOB, &key, None, now).await? {
        return Err(AppError::Conflict("job.already_ran"));
    }
    let today = app.calendar.start_of_day(now);
    let day = &key["reminders-".len()..];
    let mut run = ReminderRun::default();

    for (customer, owner, name, at) in store::due_followups(
        &mut tx,
        today - DUE_LOOKBACK_DAYS * DAY_MS,
        app.calendar.start_of_next_day(now),
    )
    .await?
    {
        let added = store::insert(
            &mut tx,
            &NewNotification {
                user_id: owner,
                kind: kind::FOLLOWUP_DUE,
                entity_type: Some("customer"),
                entity_id: Some(customer.to_string()),
                data_json: serde_json::json!({"customerName": name, "dueAt": at}).to_string(),
                dedupe_key: Some(format!("due:{customer}:{at}")),
                now,
            },
        )
        .await?;
        run.followups_due += usize::from(added);
    }

    for item in crate::pools::warnings_of_all(&mut tx, now).await? {
        let owner = item.customer.owner_id;
        let due_day = app.calendar.day_text(item.due_at);
        let due_day = due_day.as_str();
        let added = store::insert(
            &mut tx,
            &NewNotification {
                user_id: owner,
                kind: kind::RECLAIM_WARNING,
                entity_type: Some("customer"),
                entity_id: Some(item.customer.id.to_string()),
                data_json: serde_json::json!({
                    "customerName": item.customer.name,
                    "poolName": item.pool_name,
                    "dueAt": item.due_at,
                    "reason": item.reason,
                })
                .to_string(),
                dedupe_key: Some(format!("reclaim:{}:{due_day}", item.customer.id)),
                now,
            },
        )
        .await?;
        run.reclaim_warnings += usize::from(added);
    }

    let rules = rules_at(&mut tx, now).await?;
    for (owner, count) in store::forgotten_counts(&mut tx, &rules).await? {
        let added = store::insert(
            &mut tx,
            &NewNotification {
                user_id: owner,
                kind: kind::FORGOTTEN,
                entity_type: None,
                entity_id: None,
                data_json: serde_json::json!({ "count": count }).to_string(),
                dedupe_key: Some(format!("forgotten:{day}")),
                now,
            },
        )
        .await?;
        run.forgotten += usize::from(added);
    }

    run.removed = store::delete_before(&mut tx, now - KEEP_DAYS * DAY_MS).await?;

    let result = serde_json::to_string(&run).map_err(|e| AppError::Internal(e.to_string()))?;
    jobs::finish(&mut tx, REMINDER_JOB, &key, &result, now).await?;
    tx.commit().await?;
    Ok(run)
}

/// Runs the day's reminders if they have not run yet (at start-up, and after the daily
/// reclaim so its warnings reflect what is left).
pub async fn remind_today(app: &App) {
    match run_reminders(app, now_ms()).await {
        Ok(r) => tracing::info!(
            followups_due = r.followups_due,
            reclaim_warnings = r.reclaim_warnings,
            forgotten = r.forgotten,
            "daily reminders written"
        ),
        Err(AppError::Conflict(_)) => tracing::debug!("daily reminders already ran today"),
        Err(e) => tracing::error!(error = %e, "daily reminders failed"),
    }
}
