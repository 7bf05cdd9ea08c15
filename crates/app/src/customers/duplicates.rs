//! 查重 of customers: the same credit code or the same name (refused), a contact's mobile, the
//! same name under another place and similar names (hints), looked up across the company and
//! shown masked outside the asker's scope; and re-deriving stored name keys when the rule
//! changes. The rules themselves live in `salesdesk_domain::dedupe`.

use salesdesk_domain::access::Permission;
use salesdesk_domain::credit_code::CreditCode;
use salesdesk_domain::dedupe::{
    COMMON_GRAM, NameMatch, SIMILAR_NAME_THRESHOLD, company_name_grams, compare_names,
    grams_to_probe, index_grams, mask_company_name, mask_person_name, name_grams,
    normalise_company_name,
};
use salesdesk_domain::user::Mobile;
use salesdesk_domain::validation::Checker;
use salesdesk_store::customers::{self, CustomerFields};
use salesdesk_store::{Tx, derived};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

use super::{blank, viewer};
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DuplicateMatch {
    /// Present only when the asker may open the customer.
    pub id: Option<Uuid>,
    /// The name, masked when the customer is outside the asker's scope.
    pub name: String,
    pub owner_name: Option<String>,
    pub pool_id: Option<Uuid>,
    pub pool_name: Option<String>,
    pub visible: bool,
    /// Why it matched: credit_code, same_name, contact_mobile, same_core_name (the same name
    /// under another place), similar_name.
    pub reasons: Vec<&'static str>,
    /// Name similarity, 0 to 1, rare words weighing most.
    pub score: f64,
    /// The distinctive words both names hold (why a similar name matched).
    pub shared: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DuplicateQuery {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub mobiles: Vec<String>,
    /// The customer being edited, which is not its own duplicate.
    pub exclude_id: Option<Uuid>,
}

async fn find_duplicates(
    tx: &mut Tx,
    actor: &Actor,
    q: &DuplicateQuery,
) -> AppResult<Vec<DuplicateMatch>> {
    let mut found: Vec<(customers::DuplicateCandidate, Vec<&'static str>)> = Vec::new();
    let mut add = |cand: customers::DuplicateCandidate, reason: &'static str| {
        if let Some(e) = found.iter_mut().find(|e| e.0.id == cand.id) {
            if !e.1.contains(&reason) {
                e.1.push(reason);
            }
        } else {
            found.push((cand, vec![reason]));
        }
    };
    let name = blank(&q.name).unwrap_or_default().to_owned();
    let key = normalise_company_name(&name);
    let mut held = GramCounts::default();
    if let Some(code) = blank(&q.credit_code).and_then(|c| CreditCode::parse(c).ok()) {
        for cand in customers::by_credit_code(tx, code.as_str()).await? {
            add(cand, "credit_code");
        }
    }
    if !key.is_empty() {
        for cand in customers::by_name_key(tx, &key).await? {
            add(cand, "same_name");
        }
        // The heaviest grams are looked up (see `dedupe::grams_to_probe`).
        let grams = company_name_grams(&name);
        held.learn(tx, &grams).await?;
        let counts: Vec<i64> = grams.iter().map(|g| held.get(g)).collect();
        let probe: Vec<String> = grams_to_probe(&grams, &counts)
            .into_iter()
            .map(str::to_owned)
            .collect();
        for cand in customers::by_grams(tx, &probe, 1, 50).await? {
            add(cand, "similar_name");
        }
    }
    let mobiles: Vec<String> = q
        .mobiles
        .iter()
        .filter_map(|m| Mobile::parse(m).ok())
        .map(|m| m.as_str().to_owned())
        .collect();
    for cand in customers::by_contact_mobiles(tx, &mobiles).await? {
        add(cand, "contact_mobile");
    }
    // Each candidate compared with the name typed, every gram weighed by how many hold it.
    let their_grams: Vec<String> = found
        .iter()
        .flat_map(|f| company_name_grams(&f.0.name))
        .collect();
    held.learn(tx, &their_grams).await?;
    let mut found: Vec<(customers::DuplicateCandidate, Vec<&'static str>, NameMatch)> = found
        .into_iter()
        .filter_map(|(cand, mut reasons)| {
            let m = compare_names(&name, &cand.name, &|g| held.get(g));
            reasons.retain(|r| *r != "similar_name" && *r != "same_name");
            if m.same_name {
                reasons.insert(0, "same_name");
            } else if m.same_core {
                reasons.push("same_core_name");
            } else if m.score >= SIMILAR_NAME_THRESHOLD {
                reasons.push("similar_name");
            }
            (!reasons.is_empty()).then_some((cand, reasons, m))
        })
        .collect();
    found.retain(|f| Some(f.0.id) != q.exclude_id);
    let ids: Vec<Uuid> = found.iter().map(|f| f.0.id).collect();
    let visible = customers::visible_ids(tx, &viewer(actor), &ids).await?;
    let mut out: Vec<DuplicateMatch> = found
        .into_iter()
        .map(|(c, reasons, m)| {
            let seen = visible.contains(&c.id);
            DuplicateMatch {
                id: seen.then_some(c.id),
                name: if seen {
                    c.name.clone()
                } else {
                    mask_company_name(&c.name)
                },
                owner_name: c.owner_name.as_deref().map(|n| {
                    if seen {
                        n.to_owned()
                    } else {
                        mask_person_name(n)
                    }
                }),
                pool_id: None,
                pool_name: c.pool_name,
                visible: seen,
                reasons,
                score: (m.score * 100.0).round() / 100.0,
                shared: m.shared,
            }
        })
        .collect();
    // The same customer first (credit code, same name), then a shared mobile, the same name
    // in another place, and the similar by how alike.
    out.sort_by(|a, b| {
        evidence_rank(a)
            .cmp(&evidence_rank(b))
            .then(b.score.total_cmp(&a.score))
            .then(a.name.cmp(&b.name))
    });
    out.truncate(DUPLICATE_MATCHES_MAX);
    Ok(out)
}

/// At most this many matches are returned; the form shows the first five.
pub const DUPLICATE_MATCHES_MAX: usize = 20;

fn evidence_rank(m: &DuplicateMatch) -> u8 {
    let has = |r: &str| m.reasons.contains(&r);
    if has("credit_code") || has("same_name") {
        0
    } else if has("contact_mobile") {
        1
    } else if has("same_core_name") {
        2
    } else {
        3
    }
}

/// How many customers' names hold each gram, looked up once per gram and capped at
/// `COMMON_GRAM` (the weights of `dedupe::gram_weight`).
#[derive(Default)]
struct GramCounts(HashMap<String, i64>);

impl GramCounts {
    async fn learn(&mut self, tx: &mut Tx, grams: &[String]) -> AppResult<()> {
        let mut unknown: Vec<String> = grams
            .iter()
            .filter(|g| !self.0.contains_key(*g))
            .cloned()
            .collect();
        unknown.sort();
        unknown.dedup();
        let counts = customers::gram_frequencies(tx, &unknown, COMMON_GRAM, None).await?;
        self.0.extend(unknown.into_iter().zip(counts));
        Ok(())
    }

    fn get(&self, gram: &str) -> i64 {
        self.0.get(gram).copied().unwrap_or(0)
    }
}

pub async fn check_duplicates(
    app: &App,
    actor: &Actor,
    q: DuplicateQuery,
) -> AppResult<Vec<DuplicateMatch>> {
    if !actor.grants.has(Permission::CustomersView)
        && !actor.grants.has(Permission::CustomersCreate)
    {
        return Err(AppError::Forbidden);
    }
    let mut c = Checker::new();
    if let Some(n) = blank(&q.name)
        && n.chars().count() > 100
    {
        c.fail("name", "too_long");
    }
    if q.mobiles.len() > 20 {
        c.fail("mobiles", "too_many");
    }
    if blank(&q.credit_code).is_some_and(|v| v.chars().count() > 30) {
        c.fail("creditCode", "too_long");
    }
    c.finish()?;
    let mut tx = app.db.begin_read().await?;
    let out = find_duplicates(&mut tx, actor, &q).await?;
    tx.commit().await?;
    Ok(out)
}

/// The same credit code or the same normalised name is the same customer: refused. Similar
/// names and shared mobiles are only warnings (the duplicate check shows them beforehand).
pub(super) async fn refuse_exact_duplicates(
    tx: &mut Tx,
    f: &CustomerFields,
    exclude: Option<Uuid>,
) -> AppResult<()> {
    let mut c = Checker::new();
    if let Some(code) = &f.credit_code
        && customers::by_credit_code(tx, code)
            .await?
            .iter()
            .any(|d| Some(d.id) != exclude)
    {
        c.fail("creditCode", "customer.duplicate_credit_code");
    }
    if customers::by_name_key(tx, &f.name_key)
        .await?
        .iter()
        .any(|d| Some(d.id) != exclude)
    {
        c.fail("name", "customer.duplicate_name");
    }
    match c.finish() {
        Ok(()) => Ok(()),
        Err(e) => Err(AppError::Duplicate(e)),
    }
}

/// The version of `dedupe::normalise_company_name` and `dedupe::index_grams` that stored keys
/// and grams were made by: 1 dropped a leading place from the key and indexed its grams; 2
/// keeps the place (广州博雅新锐 and 上海博雅新锐 are two companies) and indexes the grams of
/// the key and the short name, which search looks up too.
const NAME_KEY_RULE: i64 = 2;

/// Re-derives every customer's name key and grams made by an older rule, in batches of
/// 2,000 customers, each its own transaction (a restart goes on where it stopped: redoing a
/// batch changes nothing). Returns how many customers changed.
pub async fn rederive_name_keys(app: &App) -> AppResult<u64> {
    let mut tx = app.db.begin_read().await?;
    let have = derived::version(&mut tx, "customer_name_key").await?;
    tx.commit().await?;
    if have >= NAME_KEY_RULE {
        return Ok(0);
    }
    let (mut after, mut changed) = (None, 0u64);
    loop {
        let mut tx = app.db.begin_write().await?;
        let page = customers::name_keys_after(&mut tx, after, 2000).await?;
        for (id, name, old_key, short_name) in &page {
            let key = normalise_company_name(name);
            let grams = index_grams(name, short_name.as_deref());
            // Grams were made from the old key; only a different set is rewritten.
            let regram = grams != name_grams(old_key);
            if key != *old_key || regram {
                customers::rekey_name(&mut tx, *id, &key, regram.then_some(&grams[..])).await?;
                changed += 1;
            }
        }
        after = page.last().map(|p| p.0);
        if page.len() < 2000 {
            derived::set_version(&mut tx, "customer_name_key", NAME_KEY_RULE).await?;
            tx.commit().await?;
            break;
        }
        tx.commit().await?;
    }
    if changed > 0 {
        tracing::info!(changed, "customer name keys re-derived");
    }
    Ok(changed)
}
