//! Customer pools (公海): members see a pool's customers and claim them (领取); managers set
//! pools up, assign (分配) from them; owners return customers to them (退回).
//!
//! A pool belongs to an org unit. Its members are the people of that unit and the units
//! below it who hold pools.use. Its managers hold pools.manage with the pool's unit inside
//! their own unit (or a customer scope of everything).

use salesdesk_domain::Invalid;
use salesdesk_domain::access::{DataScope, Permission, ScopeModule};
use salesdesk_domain::calendar::Calendar;
use salesdesk_domain::customer::{MAX_LEVEL_RULES, OwnerChange, PoolLevelRule};
use salesdesk_domain::org::OrgPath;
use salesdesk_domain::validation::{Checker, required_text};
use salesdesk_store::Tx;
use salesdesk_store::customers::{self, CustomerRow, CustomerSort, Holder, NewOwnerChange};
use salesdesk_store::org;
use salesdesk_store::pools::{self, LevelScope, PoolFields, PoolRow};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::customers::{ListQuery, filter_of, in_charge_of, move_to_owner, recipient};
use crate::{Actor, App, AppError, AppResult, PageRequest, Paged, RequestMeta, now_ms};

fn path_of(p: &PoolRow) -> AppResult<OrgPath> {
    OrgPath::parse(&p.unit_path).map_err(|e| AppError::Internal(e.to_string()))
}

fn is_member(actor: &Actor, p: &PoolRow) -> AppResult<bool> {
    Ok(actor.grants.has(Permission::PoolsUse) && path_of(p)?.contains(&actor.unit_path))
}

fn manages(actor: &Actor, p: &PoolRow) -> AppResult<bool> {
    Ok(actor.grants.has(Permission::PoolsManage)
        && (actor.grants.scope(ScopeModule::Customers) == DataScope::All
            || actor.unit_path.contains(&path_of(p)?)))
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolView {
    #[serde(flatten)]
    pub pool: PoolRow,
    pub is_member: bool,
    pub can_manage: bool,
}

fn view(actor: &Actor, pool: PoolRow) -> AppResult<PoolView> {
    Ok(PoolView {
        is_member: is_member(actor, &pool)?,
        can_manage: manages(actor, &pool)?,
        pool,
    })
}

/// A pool the actor may use or manage; others do not exist for them.
async fn reachable(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<PoolView> {
    if !actor.grants.has(Permission::PoolsUse) && !actor.grants.has(Permission::PoolsManage) {
        return Err(AppError::Forbidden);
    }
    let p = pools::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let v = view(actor, p)?;
    if v.is_member || v.can_manage {
        Ok(v)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<PoolView>> {
    if !actor.grants.has(Permission::PoolsUse) && !actor.grants.has(Permission::PoolsManage) {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_read().await?;
    let all = pools::list(&mut tx).await?;
    tx.commit().await?;
    let mut out = Vec::new();
    for p in all {
        let v = view(actor, p)?;
        if v.is_member || v.can_manage {
            out.push(v);
        }
    }
    Ok(out)
}

pub struct PoolInput {
    pub name: String,
    pub unit_id: Uuid,
    pub no_followup_days: Option<i64>,
    pub no_deal_days: Option<i64>,
    pub remind_days: Option<i64>,
    pub cooldown_days: i64,
    pub daily_claim_limit: Option<i64>,
    pub hide_contacts: bool,
    pub active: bool,
    /// Other days for customers of particular levels.
    pub level_rules: Vec<PoolLevelRule>,
}

/// A pool's level rules as stored.
pub fn level_rules(p: &PoolRow) -> Vec<PoolLevelRule> {
    serde_json::from_str(&p.level_rules).unwrap_or_default()
}

async fn parse_pool(tx: &mut Tx, actor: &Actor, i: &PoolInput) -> AppResult<PoolFields> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&i.name, 40));
    let days = |c: &mut Checker, f: &str, v: Option<i64>| {
        if v.is_some_and(|d| !(1..=3650).contains(&d)) {
            c.fail(f, "out_of_range");
        }
    };
    days(&mut c, "noFollowupDays", i.no_followup_days);
    days(&mut c, "noDealDays", i.no_deal_days);
    days(&mut c, "remindDays", i.remind_days);
    if i.level_rules.len() > MAX_LEVEL_RULES {
        c.fail("levelRules", "too_many");
    } else {
        let levels = customers::options(tx).await?;
        let known = |code: &str| levels.iter().any(|o| o.kind == "level" && o.code == code);
        for (n, r) in i.level_rules.iter().enumerate() {
            if !known(&r.level_code) {
                c.fail("levelRules", "pool.level_unknown");
            } else if i.level_rules[..n]
                .iter()
                .any(|o| o.level_code == r.level_code)
            {
                c.fail("levelRules", "pool.level_twice");
            }
            days(&mut c, "levelRules", r.no_followup_days);
            days(&mut c, "levelRules", r.no_deal_days);
        }
    }
    if !(0..=3650).contains(&i.cooldown_days) {
        c.fail("cooldownDays", "out_of_range");
    }
    if i.daily_claim_limit
        .is_some_and(|d| !(1..=10_000).contains(&d))
    {
        c.fail("dailyClaimLimit", "out_of_range");
    }
    match org::get(tx, i.unit_id).await? {
        None => c.fail("unitId", "org_unit.not_found"),
        Some(u) => {
            let path = OrgPath::parse(&u.path).map_err(|e| AppError::Internal(e.to_string()))?;
            let all = actor.grants.scope(ScopeModule::Customers) == DataScope::All;
            if !all && !actor.unit_path.contains(&path) {
                c.fail("unitId", "pool.unit_outside_scope");
            }
        }
    }
    c.finish()?;
    Ok(PoolFields {
        name: name.unwrap_or_default(),
        unit_id: i.unit_id,
        no_followup_days: i.no_followup_days,
        no_deal_days: i.no_deal_days,
        remind_days: i.remind_days,
        cooldown_days: i.cooldown_days,
        daily_claim_limit: i.daily_claim_limit,
        hide_contacts: i.hide_contacts,
        active: i.active,
        level_rules: serde_json::to_string(&i.level_rules).unwrap_or_else(|_| "[]".into()),
    })
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: PoolInput,
    meta: &RequestMeta,
) -> AppResult<PoolView> {
    actor.require(Permission::PoolsManage)?;
    let mut tx = app.db.begin_write().await?;
    let f = parse_pool(&mut tx, actor, &input).await?;
    let id = Uuid::now_v7();
    pools::insert(&mut tx, id, &f, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "pool.created",
        "pool",
        id,
        None::<&()>,
        Some(&f),
    )
    .await?;
    let p = pools::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    view(actor, p)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: PoolInput,
    meta: &RequestMeta,
) -> AppResult<PoolView> {
    let mut tx = app.db.begin_write().await?;
    let before = reachable(&mut tx, actor, id).await?;
    if !before.can_manage {
        return Err(AppError::Forbidden);
    }
    let f = parse_pool(&mut tx, actor, &input).await?;
    if before.pool.version != version {
        return Err(AppError::Stale);
    }
    pools::update(&mut tx, id, version, &f, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "pool.updated",
        "pool",
        id,
        Some(&before.pool),
        Some(&f),
    )
    .await?;
    let p = pools::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    view(actor, p)
}

/// A pool's customers. Members who do not manage it see no contact details when the pool
/// hides them (until they claim the customer).
pub async fn customers(
    app: &App,
    actor: &Actor,
    pool_id: Uuid,
    q: ListQuery,
    sort: CustomerSort,
    desc: bool,
    page: PageRequest,
) -> AppResult<Paged<CustomerRow>> {
    let reference = app.reference().await?;
    let mut tx = app.db.begin_read().await?;
    let pool = reachable(&mut tx, actor, pool_id).await?;
    let filter = filter_of(&mut tx, &app.calendar, &reference, &q).await?;
    let (mut items, total) =
        pools::customers(&mut tx, pool_id, &filter, sort, desc, page.to_store()).await?;
    tx.commit().await?;
    if pool.pool.hide_contacts && !pool.can_manage {
        for c in &mut items {
            c.primary_contact = None;
            c.primary_mobile = None;
            c.address = None;
            c.lat = None;
            c.lon = None;
        }
    }
    Ok(page.paged(items, total))
}

async fn pooled_customer(tx: &mut Tx, pool_id: Uuid, customer_id: Uuid) -> AppResult<CustomerRow> {
    customers::get_any(tx, customer_id)
        .await?
        .filter(|c| c.pool_id == Some(pool_id))
        .ok_or(AppError::NotFound)
}

/// 领取: the first of several reps claiming one customer gets it; the others get a conflict.
pub async fn claim(
    app: &App,
    actor: &Actor,
    pool_id: Uuid,
    customer_id: Uuid,
    meta: &RequestMeta,
) -> AppResult<CustomerRow> {
    let mut tx = app.db.begin_write().await?;
    let pool = reachable(&mut tx, actor, pool_id).await?;
    if !pool.is_member {
        return Err(AppError::Forbidden);
    }
    let cust = pooled_customer(&mut tx, pool_id, customer_id).await?;
    // Lock the claimant before counting today's claims, or two tabs could both pass.
    tx.lock_user(actor.user_id).await?;
    let now = now_ms();
    if let Some(max) = pool.pool.daily_claim_limit
        && customers::claims_since(&mut tx, actor.user_id, app.calendar.start_of_day(now)).await?
            >= max
    {
        return Err(AppError::Conflict("pool.daily_claim_limit_reached"));
    }
    if pool.pool.cooldown_days > 0
        && let Some(at) = customers::last_released_by(&mut tx, customer_id, actor.user_id).await?
        && now - at < pool.pool.cooldown_days * 86_400_000
    {
        return Err(AppError::Conflict("pool.cooldown"));
    }
    move_to_owner(
        &mut tx,
        actor,
        &cust,
        actor.user_id,
        actor.unit_id,
        OwnerChange::Claimed,
        None,
        meta,
    )
    .await?;
    let after = customers::get_any(&mut tx, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// 分配: a pool manager gives a pool customer to a member.
pub async fn assign(
    app: &App,
    actor: &Actor,
    pool_id: Uuid,
    customer_id: Uuid,
    to_user: Uuid,
    meta: &RequestMeta,
) -> AppResult<CustomerRow> {
    let mut tx = app.db.begin_write().await?;
    let pool = reachable(&mut tx, actor, pool_id).await?;
    if !pool.can_manage {
        return Err(AppError::Forbidden);
    }
    let cust = pooled_customer(&mut tx, pool_id, customer_id).await?;
    let (to, to_unit) = recipient(&mut tx, actor, to_user, "toUserId").await?;
    move_to_owner(
        &mut tx,
        actor,
        &cust,
        to,
        to_unit,
        OwnerChange::Assigned,
        None,
        meta,
    )
    .await?;
    crate::notifications::customers_received(
        &mut tx,
        to,
        actor,
        OwnerChange::Assigned,
        &[(cust.id, cust.name.as_str())],
    )
    .await?;
    let after = customers::get_any(&mut tx, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// 退回公海: the owner (or someone in charge of the customer) gives it up with a reason.
/// The pool must cover the customer's unit.
pub async fn return_to_pool(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    pool_id: Uuid,
    reason: String,
    meta: &RequestMeta,
) -> AppResult<CustomerRow> {
    actor.require(Permission::PoolsUse)?;
    let mut c = Checker::new();
    let reason = c.check("reason", required_text(&reason, 200));
    c.finish()?;
    let mut tx = app.db.begin_write().await?;
    let cust = in_charge_of(&mut tx, actor, customer_id, Permission::CustomersEdit).await?;
    let pool = pools::get(&mut tx, pool_id)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| Invalid::field("poolId", "pool.not_found"))?;
    let unit = org::get(&mut tx, cust.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit_path = OrgPath::parse(&unit.path).map_err(|e| AppError::Internal(e.to_string()))?;
    if !path_of(&pool)?.contains(&unit_path) {
        return Err(Invalid::field("poolId", "pool.does_not_cover_customer").into());
    }
    let now = now_ms();
    let moved = customers::move_customer(
        &mut tx,
        customer_id,
        cust.owner_id,
        None,
        &Holder::Pool {
            pool_id,
            unit_id: pool.unit_id,
        },
        now,
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict("customer.changed_meanwhile"));
    }
    customers::insert_owner_change(
        &mut tx,
        &NewOwnerChange {
            customer_id,
            change: OwnerChange::Returned.as_str(),
            from_owner: cust.owner_id,
            to_owner: None,
            from_pool: None,
            to_pool: Some(pool_id),
            reason: reason.as_deref(),
            by_user: Some(actor.user_id),
            at: now,
        },
    )
    .await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "customer.returned",
        "customer",
        customer_id,
        Some(&serde_json::json!({"ownerId": cust.owner_id})),
        Some(&serde_json::json!({"poolId": pool_id, "reason": reason})),
    )
    .await?;
    let after = customers::get_any(&mut tx, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use salesdesk_domain::calendar::Calendar;

    #[test]
    fn daily_run_keys_are_the_companys_dates() {
        use super::daily_run_key;
        let china = Calendar::default();
        // 2026-11-26T17:30:00Z is 01:30 on the 27th in Beijing.
        assert_eq!(daily_run_key(&china, 1_795_714_200_000), "daily-2026-11-27");
        assert_eq!(
            daily_run_key(&china, 1_795_708_800_000 - 1),
            "daily-2026-11-26"
        );
        assert_eq!(daily_run_key(&china, 951_782_400_000), "daily-2000-02-29");
        // The same instant is still the 26th in New York.
        let ny = Calendar::new("America/New_York").unwrap();
        assert_eq!(daily_run_key(&ny, 1_795_714_200_000), "daily-2026-11-26");
    }

    #[test]
    fn the_next_run_is_today_or_tomorrow_at_the_set_time() {
        use super::until_next_run;
        let china = Calendar::default();
        // 01:30 Beijing; a 02:00 run is 30 minutes away, a 01:00 run 23.5 hours away.
        let t = 1_795_714_200_000;
        assert_eq!(until_next_run(&china, t, 120), 30 * 60_000);
        assert_eq!(until_next_run(&china, t, 60), (23 * 60 + 30) * 60_000);
        // In New York it is 12:30 on the 26th: a 13:00 run is half an hour away.
        let ny = Calendar::new("America/New_York").unwrap();
        assert_eq!(until_next_run(&ny, t, 13 * 60), 30 * 60_000);
    }
}

// ---- reclaim (回收) -------------------------------------------------------------------------

const DAY_MS: i64 = 86_400_000;

/// The job name of the reclaim run in `job_runs`.
pub const RECLAIM_JOB: &str = "pool_reclaim";

/// A customer due to go back to a pool, and why.
#[derive(Debug, Clone, Serialize)]
pub struct ReclaimItem {
    #[serde(flatten)]
    pub customer: salesdesk_store::pools::ReclaimRow,
    pub pool_id: Uuid,
    pub pool_name: String,
    /// no_followup | no_deal
    pub reason: &'static str,
    /// When the rule takes (took) it back.
    pub due_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReclaimReport {
    pub run_key: Option<String>,
    pub candidates: Vec<ReclaimItem>,
    pub reclaimed: usize,
    /// Candidates someone else changed first (another instance, a transfer).
    pub skipped: usize,
}

/// What the pools' rules make due at `now + ahead_ms`, deepest pool first: a customer under
/// two pools follows the rules of the nearer one.
async fn plan(
    tx: &mut Tx,
    now: i64,
    owner: Option<Uuid>,
    remind: bool,
    limit: i64,
) -> AppResult<Vec<ReclaimItem>> {
    let mut all: Vec<PoolRow> = pools::list(tx)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .collect();
    all.sort_by_key(|p| std::cmp::Reverse(p.unit_path.len()));
    let paths: Vec<OrgPath> = all.iter().map(path_of).collect::<AppResult<_>>()?;
    let mut out = Vec::new();
    for (i, p) in all.iter().enumerate() {
        let ahead = if remind {
            p.remind_days.unwrap_or(0) * DAY_MS
        } else {
            0
        };
        let excluded: Vec<(String, String)> = paths
            .iter()
            .enumerate()
            .filter(|(j, q)| *j != i && paths[i].contains(q) && **q != paths[i])
            .map(|(_, q)| q.subtree_range())
            .collect();
        // Each level with a rule of its own, then every other level under the pool's days.
        let rules = level_rules(p);
        let mut groups: Vec<(LevelScope, Option<i64>, Option<i64>)> = rules
            .iter()
            .map(|r| {
                let scope = LevelScope::Only(r.level_code.clone());
                (scope, r.no_followup_days, r.no_deal_days)
            })
            .collect();
        let others = LevelScope::Except(rules.iter().map(|r| r.level_code.clone()).collect());
        groups.push((others, p.no_followup_days, p.no_deal_days));
        for (levels, no_followup_days, no_deal_days) in groups {
            let rule = salesdesk_store::pools::ReclaimRule {
                unit_range: paths[i].subtree_range(),
                excluded_ranges: &excluded,
                no_followup_before: no_followup_days.map(|d| now + ahead - d * DAY_MS),
                no_deal_before: no_deal_days.map(|d| now + ahead - d * DAY_MS),
                owner_id: owner,
                levels,
            };
            for c in salesdesk_store::pools::reclaim_candidates(tx, &rule, limit).await? {
                let by_followup = no_followup_days.map(|d| c.idle_since + d * DAY_MS);
                let by_deal = no_deal_days
                    .filter(|_| c.status_code.as_deref() != Some("won"))
                    .map(|d| c.owned_since.unwrap_or(c.idle_since) + d * DAY_MS);
                let (reason, due_at) = match (by_followup, by_deal) {
                    (Some(f), Some(d)) if d < f => ("no_deal", d),
                    (Some(f), _) => ("no_followup", f),
                    (None, Some(d)) => ("no_deal", d),
                    (None, None) => continue,
                };
                out.push(ReclaimItem {
                    customer: c,
                    pool_id: p.id,
                    pool_name: p.name.clone(),
                    reason,
                    due_at,
                });
            }
        }
    }
    out.sort_by_key(|i| (i.due_at, i.customer.id));
    out.truncate(limit as usize);
    Ok(out)
}

fn require_reclaim(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::PoolsManage)?;
    if actor.grants.scope(ScopeModule::Customers) != DataScope::All {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The reclaim run as it would go now, changing nothing (for administrators).
pub async fn reclaim_preview(app: &App, actor: &Actor) -> AppResult<ReclaimReport> {
    require_reclaim(actor)?;
    let mut tx = app.db.begin_read().await?;
    let candidates = plan(&mut tx, now_ms(), None, false, 1000).await?;
    tx.commit().await?;
    Ok(ReclaimReport {
        run_key: None,
        candidates,
        reclaimed: 0,
        skipped: 0,
    })
}

/// My customers that the rules will take back within the pools' reminder periods.
pub async fn my_reclaim_warnings(app: &App, actor: &Actor) -> AppResult<Vec<ReclaimItem>> {
    actor.require(Permission::CustomersView)?;
    let mut tx = app.db.begin_read().await?;
    let items = plan(&mut tx, now_ms(), Some(actor.user_id), true, 1000).await?;
    tx.commit().await?;
    Ok(items)
}

/// Every owner's customers the rules will take back within the pools' reminder periods (for
/// the daily reminders).
pub(crate) async fn warnings_of_all(tx: &mut Tx, now: i64) -> AppResult<Vec<ReclaimItem>> {
    Ok(plan(tx, now, None, true, 50_000)
        .await?
        .into_iter()
        .filter(|i| i.due_at > now)
        .collect())
}

/// Runs the reclaim to the end: the daily schedule with the day as `run_key` (a second
/// instance asking for the same day gets `job.already_ran`), and tests. Each customer moves
/// only if still held by the owner the plan saw, so concurrent runs and concurrent transfers
/// cannot move one twice.
pub async fn reclaim_run(
    app: &App,
    actor: Option<&Actor>,
    run_key: Option<String>,
    meta: &RequestMeta,
) -> AppResult<ReclaimReport> {
    if let Some(a) = actor {
        require_reclaim(a)?;
    }
    let now = now_ms();
    let key = run_key.unwrap_or_else(|| Uuid::now_v7().to_string());
    take_run(app, actor, &key, now).await?;
    run_batches(app, actor, &key, now, meta).await
}

/// How an on-demand run stands: running until `finished_at`, then what it did.
#[derive(Debug, Clone, Serialize)]
pub struct ReclaimRun {
    pub run_key: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub reclaimed: Option<usize>,
    pub skipped: Option<usize>,
    /// Set when the run stopped on an error (what it moved before stays moved).
    pub failed: bool,
}

/// Starts the reclaim now for an administrator, in the background: a backlog of tens of
/// thousands of customers takes longer than a request should. [`reclaim_status`] follows it.
pub async fn start_reclaim(app: &App, actor: &Actor, meta: &RequestMeta) -> AppResult<ReclaimRun> {
    require_reclaim(actor)?;
    let now = now_ms();
    let key = Uuid::now_v7().to_string();
    take_run(app, Some(actor), &key, now).await?;
    let (app2, actor2, meta2, key2) = (app.clone(), actor.clone(), meta.clone(), key.clone());
    tokio::spawn(async move {
        if let Err(e) = run_batches(&app2, Some(&actor2), &key2, now, &meta2).await {
            tracing::error!(error = %e, run_key = %key2, "reclaim run failed");
            let result = serde_json::json!({"failed": true}).to_string();
            let finish = async {
                let mut tx = app2.db.begin_write().await?;
                salesdesk_store::jobs::finish(&mut tx, RECLAIM_JOB, &key2, &result, now_ms())
                    .await?;
                tx.commit().await
            };
            if let Err(e) = finish.await {
                tracing::error!(error = %e, run_key = %key2, "reclaim run left unfinished");
            }
        }
    });
    Ok(ReclaimRun {
        run_key: key,
        started_at: now,
        finished_at: None,
        reclaimed: None,
        skipped: None,
        failed: false,
    })
}

/// An on-demand (or daily) run as it stands.
pub async fn reclaim_status(app: &App, actor: &Actor, key: &str) -> AppResult<ReclaimRun> {
    require_reclaim(actor)?;
    let mut tx = app.db.begin_read().await?;
    let row = salesdesk_store::jobs::get(&mut tx, RECLAIM_JOB, key)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let result: serde_json::Value = row
        .result_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let count = |k: &str| result[k].as_u64().map(|n| n as usize);
    // A run still open long after it began was cut short (its process stopped): what it
    // moved stays moved, and the next run picks up the rest.
    let interrupted = row.finished_at.is_none() && now_ms() - row.started_at > RUN_GIVEN_UP_MS;
    Ok(ReclaimRun {
        run_key: row.run_key,
        started_at: row.started_at,
        finished_at: row.finished_at,
        reclaimed: count("reclaimed"),
        skipped: count("skipped"),
        failed: result["failed"] == true || interrupted,
    })
}

/// How long a run may stay open before it counts as interrupted.
const RUN_GIVEN_UP_MS: i64 = 30 * 60_000;

/// Takes the run `key`: only one run per key, whatever the number of instances.
async fn take_run(app: &App, actor: Option<&Actor>, key: &str, now: i64) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    if !salesdesk_store::jobs::start(&mut tx, RECLAIM_JOB, key, actor.map(|a| a.user_id), now)
        .await?
    {
        return Err(AppError::Conflict("job.already_ran"));
    }
    tx.commit().await?;
    Ok(())
}

/// Moves every customer due at `now` to its pool, in batches, then records the run.
async fn run_batches(
    app: &App,
    actor: Option<&Actor>,
    key: &str,
    now: i64,
    meta: &RequestMeta,
) -> AppResult<ReclaimReport> {
    let key = key.to_owned();
    let (mut reclaimed, mut skipped, mut done) = (0usize, 0usize, Vec::new());
    // Batches of 500 in their own transactions keep locks short; a bound stops a run that
    // keeps losing races from looping for ever.
    for _ in 0..1000 {
        let mut tx = app.db.begin_write().await?;
        let batch = plan(&mut tx, now, None, false, 500).await?;
        let n = batch.len();
        // Each pool's unit, read once per batch (not once per customer).
        let units: std::collections::HashMap<Uuid, Uuid> = pools::list(&mut tx)
            .await?
            .into_iter()
            .map(|p| (p.id, p.unit_id))
            .collect();
        for item in batch {
            let unit = *units.get(&item.pool_id).ok_or(AppError::NotFound)?;
            let moved = customers::move_customer(
                &mut tx,
                item.customer.id,
                Some(item.customer.owner_id),
                None,
                &Holder::Pool {
                    pool_id: item.pool_id,
                    unit_id: unit,
                },
                now,
            )
            .await?;
            if !moved {
                skipped += 1;
                continue;
            }
            customers::insert_owner_change(
                &mut tx,
                &NewOwnerChange {
                    customer_id: item.customer.id,
                    change: OwnerChange::Reclaimed.as_str(),
                    from_owner: Some(item.customer.owner_id),
                    to_owner: None,
                    from_pool: None,
                    to_pool: Some(item.pool_id),
                    reason: Some(item.reason),
                    by_user: actor.map(|a| a.user_id),
                    at: now,
                },
            )
            .await?;
            reclaimed += 1;
            if done.len() < 1000 {
                done.push(item);
            }
        }
        tx.commit().await?;
        if n < 500 {
            break;
        }
    }
    let result = serde_json::json!({"reclaimed": reclaimed, "skipped": skipped});
    let mut tx = app.db.begin_write().await?;
    salesdesk_store::jobs::finish(&mut tx, RECLAIM_JOB, &key, &result.to_string(), now_ms())
        .await?;
    let by = match actor {
        Some(a) => By::Actor(a),
        None => By::System("reclaim"),
    };
    record(
        &mut tx,
        by,
        meta,
        "pool.reclaim_run",
        "job",
        &key,
        None::<&()>,
        Some(&result),
    )
    .await?;
    tx.commit().await?;
    Ok(ReclaimReport {
        run_key: Some(key),
        candidates: done,
        reclaimed,
        skipped,
    })
}

/// The run key of the daily reclaim: the company's date.
pub fn daily_run_key(calendar: &Calendar, now: i64) -> String {
    format!("daily-{}", calendar.day_text(now))
}

/// Milliseconds from `now` until the next `minute_of_day` (minutes after the company's
/// midnight), today or tomorrow.
pub fn until_next_run(calendar: &Calendar, now: i64, minute_of_day: i64) -> i64 {
    let today = calendar.at_minute(now, minute_of_day);
    if today > now {
        today - now
    } else {
        calendar.at_minute(calendar.start_of_next_day(now), minute_of_day) - now
    }
}

/// The daily reclaim: sleeps until `minute_of_day` (the company's time) and runs once per day, however
/// many instances run this loop against one database.
pub async fn run_daily_reclaim(app: App, minute_of_day: i64) {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(until_next_run(
            &app.calendar,
            now_ms(),
            minute_of_day,
        ) as u64))
        .await;
        let meta = RequestMeta {
            request_id: "reclaim-daily".into(),
            ..Default::default()
        };
        match reclaim_run(
            &app,
            None,
            Some(daily_run_key(&app.calendar, now_ms())),
            &meta,
        )
        .await
        {
            Ok(r) => tracing::info!(
                reclaimed = r.reclaimed,
                skipped = r.skipped,
                "daily reclaim done"
            ),
            Err(AppError::Conflict(_)) => tracing::info!("daily reclaim already ran today"),
            Err(e) => tracing::error!(error = %e, "daily reclaim failed"),
        }
        // After the reclaim, so the warnings speak of what is left.
        crate::notifications::remind_today(&app).await;
    }
}
