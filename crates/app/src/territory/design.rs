//! Designing scenarios: the engine from scratch or from the present alignment, optimising
//! around locks, and editing by hand.

use std::collections::BTreeMap;

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::validation::{Checker, required_text};
use salesdesk_store::territory::{self as store, NewScenario};
use salesdesk_territory::{Options, Problem};
use uuid::Uuid;

use super::{
    COMPENSATION_RANGE, MAX_TERRITORIES, ScenarioDetail, TIME_LIMIT, Units, balance_code,
    balance_of, detail, fill_unplaced, load_scenario, load_units, require_draft,
};
use crate::audit::{By, record};
use crate::customers::recipient;
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

// ---- creating and optimising -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewScenarioInput {
    pub name: String,
    /// Territories; None with `from_current` (one per current owner).
    pub k: Option<i64>,
    pub balance: String,
    pub seed: Option<i64>,
    /// Realign the current alignment (one territory per rep holding units now, moving as
    /// few units as balance allows) rather than design from scratch.
    pub from_current: bool,
}

async fn run_engine(problem: Problem, options: Options) -> AppResult<Vec<usize>> {
    let plan =
        tokio::task::spawn_blocking(move || salesdesk_territory::optimise(&problem, &options))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    match plan {
        Ok(p) => Ok(p.territory),
        Err(salesdesk_territory::Error::Disconnected { .. }) => {
            Err(AppError::Conflict("territory.disconnected"))
        }
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: NewScenarioInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    create_as(app, By::Actor(actor), actor.user_id, input, meta).await
}

/// Creates a scenario for `created_by` (the demo makes its scenarios as the director).
pub(crate) async fn create_as(
    app: &App,
    by: By<'_>,
    created_by: Uuid,
    input: NewScenarioInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&input.name, 60));
    let balance = c.check("balance", balance_code(&input.balance));
    let seed = input.seed.unwrap_or(1);
    if seed < 0 {
        c.fail("seed", "out_of_range");
    }
    let mut read = app.db.begin_read().await?;
    let units = load_units(&mut read).await?;
    drop(read);
    let n = units.rows.len();
    // The current owners, in order of first appearance by unit code.
    let mut owners: Vec<(Uuid, Option<String>)> = Vec::new();
    for u in &units.rows {
        if let Some(o) = u.owner_id
            && !owners.iter().any(|(x, _)| *x == o)
        {
            owners.push((o, u.owner_name.clone()));
        }
    }
    let k = if input.from_current {
        if owners.len() < 2 {
            c.fail("fromCurrent", "territory.no_current_alignment");
        }
        owners.len()
    } else {
        match input.k {
            Some(k) if k >= 2 && (k as usize) <= MAX_TERRITORIES.min(n) => k as usize,
            Some(_) => {
                c.fail("k", "out_of_range");
                0
            }
            None => {
                c.fail("k", "required");
                0
            }
        }
    };
    c.finish()?;
    let (name, balance) = (name.unwrap_or_default(), balance.unwrap_or("potential"));
    let mut options = Options::new(k);
    options.balance = balance_of(balance);
    options.seed = seed as u64;
    options.time_limit = Some(TIME_LIMIT);
    let mut territories: Vec<(String, Option<Uuid>)> = Vec::new();
    if input.from_current {
        let mut current: Vec<usize> = units
            .rows
            .iter()
            .map(|u| {
                u.owner_id
                    .and_then(|o| owners.iter().position(|(x, _)| *x == o))
                    .unwrap_or(usize::MAX)
            })
            .collect();
        fill_unplaced(&units.problem, &mut current);
        options.current = Some(current);
        for (i, (o, name)) in owners.iter().enumerate() {
            territories.push((
                name.clone().unwrap_or_else(|| format!("T{:02}", i + 1)),
                Some(*o),
            ));
        }
    }
    let assign = run_engine(units.problem.clone(), options).await?;
    if !input.from_current {
        let owners = suggest_owners(&units, &assign, k);
        territories = territory_names(&units, &assign, &owners)
            .into_iter()
            .zip(owners)
            .collect();
    }
    let id = Uuid::now_v7();
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    store::insert_scenario(
        &mut tx,
        &NewScenario {
            id,
            name: &name,
            k: k as i64,
            balance,
            seed,
            created_by,
            now,
        },
    )
    .await?;
    for (t, (label, owner)) in territories.iter().enumerate() {
        store::put_territory(&mut tx, id, t as i64, label, *owner, 1.0).await?;
    }
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .zip(&assign)
        .map(|(u, &t)| (u.code.clone(), t as i64, false))
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    record(
        &mut tx,
        by,
        meta,
        "territory.scenario_created",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({"name": name, "k": k, "balance": balance, "fromCurrent": input.from_current})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

/// A new plan's territory names: the rep it would go to, else its main city (the one holding
/// most of its potential), else, when another territory already has that name, its heaviest
/// unit. Users rename them at will; "T01" told a director nothing.
fn territory_names(units: &Units, assign: &[usize], owners: &[Option<Uuid>]) -> Vec<String> {
    let k = owners.len();
    let owner_name = |o: Uuid| {
        units
            .rows
            .iter()
            .find(|r| r.owner_id == Some(o))
            .and_then(|r| r.owner_name.clone())
    };
    let mut names: Vec<Option<String>> = owners.iter().map(|o| o.and_then(owner_name)).collect();
    for t in 0..k {
        if names[t].is_some() {
            continue;
        }
        let mut by_city: BTreeMap<&str, f64> = BTreeMap::new();
        let mut heaviest: Option<usize> = None;
        for (u, row) in units
            .rows
            .iter()
            .enumerate()
            .filter(|(u, _)| assign[*u] == t)
        {
            *by_city.entry(row.city.as_str()).or_default() += row.potential.max(1e-9);
            if heaviest.is_none_or(|h| row.potential > units.rows[h].potential) {
                heaviest = Some(u);
            }
        }
        let city = by_city
            .into_iter()
            .filter(|(c, _)| !c.is_empty())
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(c, _)| c.to_owned());
        let taken = |n: &str| names.iter().flatten().any(|x| x == n);
        names[t] = match (city, heaviest) {
            (Some(c), _) if !taken(&c) => Some(c),
            (_, Some(h)) if !taken(&units.rows[h].name) => Some(units.rows[h].name.clone()),
            _ => None,
        };
    }
    names
        .into_iter()
        .enumerate()
        .map(|(t, n)| n.unwrap_or_else(|| format!("T{:02}", t + 1)))
        .map(|n| n.chars().take(40).collect())
        .collect()
}

/// For a plan made from scratch: each territory goes to the current owner who holds the
/// most of its potential (each owner once, largest overlaps first), so applying it moves
/// as little as it can; owners left over take the free territories nearest their units.
/// Territories beyond the number of owners stay without one for the designer to fill.
fn suggest_owners(units: &Units, assign: &[usize], k: usize) -> Vec<Option<Uuid>> {
    let mut overlap: BTreeMap<(usize, Uuid), f64> = BTreeMap::new();
    for (u, row) in units.rows.iter().enumerate() {
        if let Some(o) = row.owner_id {
            *overlap.entry((assign[u], o)).or_default() += row.potential.max(1e-9);
        }
    }
    let mut pairs: Vec<((usize, Uuid), f64)> = overlap.into_iter().collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut owner_of = vec![None; k];
    let mut taken: Vec<Uuid> = Vec::new();
    for ((t, o), _) in pairs {
        if owner_of[t].is_none() && !taken.contains(&o) {
            owner_of[t] = Some(o);
            taken.push(o);
        }
    }
    // Where each territory and each left-over owner's units are, on average.
    let centre = |pick: &dyn Fn(usize) -> bool| {
        let (mut x, mut y, mut n) = (0.0, 0.0, 0.0);
        for (_, row) in units.rows.iter().enumerate().filter(|(u, _)| pick(*u)) {
            x += row.x_km;
            y += row.y_km;
            n += 1.0;
        }
        (n > 0.0).then(|| (x / n, y / n))
    };
    let mut left: Vec<Uuid> = Vec::new();
    for row in &units.rows {
        if let Some(o) = row.owner_id
            && !taken.contains(&o)
            && !left.contains(&o)
        {
            left.push(o);
        }
    }
    let territory_centres: Vec<Option<(f64, f64)>> =
        (0..k).map(|t| centre(&|u| assign[u] == t)).collect();
    let mut candidates: Vec<(f64, usize, Uuid)> = Vec::new();
    for o in left {
        let Some((ox, oy)) = centre(&|u| units.rows[u].owner_id == Some(o)) else {
            continue;
        };
        for (t, c) in territory_centres.iter().enumerate() {
            if let (None, Some((tx, ty))) = (owner_of[t], c) {
                candidates.push(((tx - ox).hypot(ty - oy), t, o));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    for (_, t, o) in candidates {
        if owner_of[t].is_none() && !taken.contains(&o) {
            owner_of[t] = Some(o);
            taken.push(o);
        }
    }
    owner_of
}

/// Re-optimises a draft from where it stands: locked units stay, and the engine moves as
/// few units as balance allows from the present assignment.
pub async fn optimise(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: Option<i64>,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut read = app.db.begin_read().await?;
    let units = load_units(&mut read).await?;
    let l = load_scenario(&mut read, &units, id).await?;
    drop(read);
    require_draft(&l.scenario, version)?;
    let k = l.scenario.k as usize;
    let mut options = Options::new(k);
    options.balance = balance_of(&l.scenario.balance);
    options.seed = l.scenario.seed as u64;
    options.time_limit = Some(TIME_LIMIT);
    options.current = Some(l.assign.clone());
    options.locked = (0..units.rows.len())
        .filter(|&u| l.locked[u])
        .map(|u| (u, l.assign[u]))
        .collect();
    let assign = run_engine(units.problem.clone(), options).await?;
    let mut tx = app.db.begin_write().await?;
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .enumerate()
        .map(|(u, row)| (row.code.clone(), assign[u] as i64, l.locked[u]))
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    let moved = assign.iter().zip(&l.assign).filter(|(a, b)| a != b).count();
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_optimised",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({"unitsMoved": moved})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

// ---- editing by hand ---------------------------------------------------------------------

/// Moves a unit to another territory and/or locks it.
pub async fn place_unit(
    app: &App,
    actor: &Actor,
    id: Uuid,
    code: &str,
    territory: Option<i64>,
    locked: Option<bool>,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    let u = *units.index.get(code).ok_or(AppError::NotFound)?;
    if let Some(t) = territory
        && (t < 0 || t >= l.scenario.k)
    {
        return Err(Invalid::field("territory", "out_of_range").into());
    }
    let before = (l.assign[u], l.locked[u]);
    let after = (
        territory.map_or(before.0, |t| t as usize),
        locked.unwrap_or(before.1),
    );
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (t, lock) = if i == u {
                after
            } else {
                (l.assign[i], l.locked[i])
            };
            (row.code.clone(), t as i64, lock)
        })
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.unit_placed",
        "territory_scenario",
        id,
        Some(&serde_json::json!({"unit": code, "territory": before.0, "locked": before.1})),
        Some(&serde_json::json!({"unit": code, "territory": after.0, "locked": after.1})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

#[derive(Debug, Clone)]
pub struct TerritoryInput {
    pub label: String,
    pub owner_id: Option<Uuid>,
    pub compensation: f64,
}

pub async fn update_territory(
    app: &App,
    actor: &Actor,
    id: Uuid,
    idx: i64,
    input: TerritoryInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut c = Checker::new();
    let label = c.check("label", required_text(&input.label, 40));
    let (lo, hi) = COMPENSATION_RANGE;
    if !(lo..=hi).contains(&input.compensation) {
        c.fail("compensation", "out_of_range");
    }
    c.finish()?;
    let label = label.unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    if idx < 0 || idx >= l.scenario.k {
        return Err(AppError::NotFound);
    }
    if let Some(o) = input.owner_id {
        recipient(&mut tx, actor, o, "ownerId").await?;
        if l.territories
            .iter()
            .any(|t| t.idx != idx && t.owner_id == Some(o))
        {
            return Err(Invalid::field("ownerId", "territory.owner_twice").into());
        }
    }
    let before = l.territories.iter().find(|t| t.idx == idx).cloned();
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    store::put_territory(&mut tx, id, idx, &label, input.owner_id, input.compensation).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.territory_updated",
        "territory_scenario",
        id,
        before.as_ref(),
        Some(&serde_json::json!({"idx": idx, "label": label, "ownerId": input.owner_id, "compensation": input.compensation})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

pub async fn delete(app: &App, actor: &Actor, id: Uuid, meta: &RequestMeta) -> AppResult<()> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_write().await?;
    let s = store::scenario(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_draft(&s, None)?;
    store::delete_scenario(&mut tx, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_deleted",
        "territory_scenario",
        id,
        Some(&serde_json::json!({"name": s.name})),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
