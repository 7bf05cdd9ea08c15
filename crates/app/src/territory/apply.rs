//! Applying a scenario: the preview of who gains and loses what, and the apply itself.

use std::collections::{BTreeMap, HashMap};

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::customer::OwnerChange;
use salesdesk_domain::validation::{Checker, required_text};
use salesdesk_store::Tx;
use salesdesk_store::territory as store;
use serde::Serialize;
use uuid::Uuid;

use super::{Loaded, PREVIEW_CUSTOMERS, Units, load_scenario, load_units, require_draft};
use crate::audit::{By, record};
use crate::customers::{change_owner, in_charge, recipient};
use crate::{Actor, App, AppResult, RequestMeta, now_ms};

// ---- applying ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct RepChange {
    pub user_id: Uuid,
    pub name: String,
    pub units_gained: usize,
    pub units_lost: usize,
    pub customers_gained: usize,
    pub customers_lost: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerMove {
    pub customer_id: Uuid,
    pub customer_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyPreview {
    pub units_moved: usize,
    pub reps: Vec<RepChange>,
    pub customers_moved: usize,
    /// The first [`PREVIEW_CUSTOMERS`] customers that change owner, by unit.
    pub customers: Vec<CustomerMove>,
    /// Territories without a rep: the scenario cannot be applied until each has one.
    pub territories_without_owner: Vec<String>,
}

struct Plan {
    /// (unit index, from, to) for units whose rep changes.
    unit_moves: Vec<(usize, Option<Uuid>, Uuid)>,
    customers: Vec<CustomerMove>,
    preview: ApplyPreview,
}

async fn plan_apply(tx: &mut Tx, units: &Units, l: &Loaded) -> AppResult<Plan> {
    let missing: Vec<String> = l
        .territories
        .iter()
        .filter(|t| t.owner_id.is_none())
        .map(|t| t.label.clone())
        .collect();
    let names: HashMap<Uuid, String> = l
        .territories
        .iter()
        .filter_map(|t| Some((t.owner_id?, t.owner_name.clone().unwrap_or_default())))
        .chain(
            units
                .rows
                .iter()
                .filter_map(|u| Some((u.owner_id?, u.owner_name.clone().unwrap_or_default()))),
        )
        .collect();
    let mut reps: BTreeMap<Uuid, RepChange> = BTreeMap::new();
    let entry = |reps: &mut BTreeMap<Uuid, RepChange>, id: Uuid| {
        reps.entry(id)
            .or_insert_with(|| RepChange {
                user_id: id,
                name: names.get(&id).cloned().unwrap_or_default(),
                units_gained: 0,
                units_lost: 0,
                customers_gained: 0,
                customers_lost: 0,
            })
            .user_id
    };
    let mut unit_moves = Vec::new();
    let mut customers = Vec::new();
    for (u, row) in units.rows.iter().enumerate() {
        let Some(to) = l.territories.get(l.assign[u]).and_then(|t| t.owner_id) else {
            continue;
        };
        if row.owner_id == Some(to) {
            continue;
        }
        unit_moves.push((u, row.owner_id, to));
        entry(&mut reps, to);
        if let Some(r) = reps.get_mut(&to) {
            r.units_gained += 1;
        }
        let Some(from) = row.owner_id else { continue };
        entry(&mut reps, from);
        if let Some(r) = reps.get_mut(&from) {
            r.units_lost += 1;
        }
        let moving = store::customers_in_unit(tx, row, from).await?;
        if let Some(r) = reps.get_mut(&from) {
            r.customers_lost += moving.len();
        }
        if let Some(r) = reps.get_mut(&to) {
            r.customers_gained += moving.len();
        }
        for (id, name) in moving {
            customers.push(CustomerMove {
                customer_id: id,
                customer_name: name,
                unit_code: row.code.clone(),
                unit_name: row.name.clone(),
                from_user_id: from,
                to_user_id: to,
            });
        }
    }
    let preview = ApplyPreview {
        units_moved: unit_moves.len(),
        reps: reps.into_values().collect(),
        customers_moved: customers.len(),
        customers: customers.iter().take(PREVIEW_CUSTOMERS).cloned().collect(),
        territories_without_owner: missing,
    };
    Ok(Plan {
        unit_moves,
        customers,
        preview,
    })
}

pub async fn preview_apply(app: &App, actor: &Actor, id: Uuid) -> AppResult<ApplyPreview> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    Ok(plan_apply(&mut tx, &units, &l).await?.preview)
}

/// Applies a draft: every unit's rep becomes its territory's, and the customers the unit's
/// previous rep held there are transferred (转移) to the new one, in one transaction with
/// each customer's owner history. A second apply of the same scenario is refused.
pub async fn apply(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    reason: String,
    meta: &RequestMeta,
) -> AppResult<ApplyPreview> {
    actor.require(Permission::TerritoryDesign)?;
    actor.require(Permission::CustomersTransfer)?;
    let mut c = Checker::new();
    let reason = c.check("reason", required_text(&reason, 200));
    c.finish()?;
    let reason = reason.unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, Some(version))?;
    let plan = plan_apply(&mut tx, &units, &l).await?;
    if !plan.preview.territories_without_owner.is_empty() {
        return Err(Invalid::field("territories", "territory.owner_missing").into());
    }
    store::touch_scenario(
        &mut tx,
        id,
        l.scenario.version,
        Some(actor.user_id),
        now_ms(),
    )
    .await?;
    for &(u, _, to) in &plan.unit_moves {
        store::set_unit_owner(&mut tx, &units.rows[u].code, Some(to)).await?;
    }
    let mut received: BTreeMap<Uuid, Vec<(Uuid, String)>> = BTreeMap::new();
    let mut recipients: HashMap<Uuid, (Uuid, Uuid)> = HashMap::new();
    for m in &plan.customers {
        let cust = in_charge(&mut tx, actor, m.customer_id, Permission::CustomersTransfer).await?;
        let (to, to_unit) = match recipients.get(&m.to_user_id) {
            Some(r) => *r,
            None => {
                let r = recipient(&mut tx, actor, m.to_user_id, "ownerId").await?;
                recipients.insert(m.to_user_id, r);
                r
            }
        };
        // Each customer's owner history records the move; the apply is one change, with one
        // audit row naming every customer that moved (as a handover).
        change_owner(
            &mut tx,
            actor,
            &cust,
            to,
            to_unit,
            OwnerChange::Transferred,
            Some(&reason),
        )
        .await?;
        received
            .entry(to)
            .or_default()
            .push((cust.id, cust.name.clone()));
    }
    for (to, list) in &received {
        let items: Vec<(Uuid, &str)> = list.iter().map(|(i, n)| (*i, n.as_str())).collect();
        crate::notifications::customers_received(
            &mut tx,
            *to,
            actor,
            OwnerChange::Transferred,
            &items,
        )
        .await?;
    }
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_applied",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "units": plan.unit_moves.iter().map(|&(u, from, to)| {
                serde_json::json!({"unit": units.rows[u].code, "from": from, "to": to})
            }).collect::<Vec<_>>(),
            "customerIds": plan.customers.iter().map(|c| c.customer_id).collect::<Vec<_>>(),
            "reason": reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(plan.preview)
}
