//! The customer list: filters, sorts, pages and counts over the viewer's scope, each read
//! planned to touch as few rows as the indexes allow at a million customers.

use salesdesk_domain::access::RecordScope;
use uuid::Uuid;

use super::{CustomerRow, SELECT, Viewer, push_parts, push_viewer_scope};
use crate::sql::{Arg, Page, Sql, contains_pattern};
use crate::{Planning, Result, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSort {
    /// Customer number: the order of creation, and a stable key for paging through.
    Seq,
    Name,
    LastFollowupAt,
    NextFollowupAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Default, Clone)]
pub struct CustomerFilter {
    /// Part of the name, short name, a contact's name, mobile or phone.
    pub q: Option<String>,
    /// The name-index grams every name matching `q` holds (`dedupe::query_grams`); with
    /// none (a one-character `q`), names are read through.
    pub q_grams: Vec<String>,
    pub type_code: Option<String>,
    pub level_code: Option<String>,
    pub status_code: Option<String>,
    pub industry_code: Option<String>,
    pub source_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Customers of this unit and the units below it: (lo, hi) of its path range.
    pub unit_range: Option<(String, String)>,
    pub locked: Option<bool>,
    /// Not followed up since this instant (or never).
    pub no_followup_since: Option<i64>,
    /// The next contact is due before this instant.
    pub next_followup_before: Option<i64>,
    /// The next contact is due at or after this instant.
    pub next_followup_from: Option<i64>,
    /// Only customers numbered after this (keyset paging through a long export).
    pub seq_after: Option<i64>,
    /// Only customers numbered up to this (with `seq_after`, one window of numbers).
    pub seq_through: Option<i64>,
    /// Conditions on custom fields (自定义字段), all of which must hold.
    pub custom: Vec<salesdesk_domain::custom_field::FieldCondition>,
    /// Only customers forgotten under the 遗忘提醒 rules (per level).
    pub forgotten: Option<Vec<crate::notifications::ForgottenRule>>,
}

impl CustomerFilter {
    /// No filter at all: the whole scope.
    pub fn is_empty(&self) -> bool {
        self.q.is_none()
            && self.type_code.is_none()
            && self.level_code.is_none()
            && self.status_code.is_none()
            && self.industry_code.is_none()
            && self.source_code.is_none()
            && self.province.is_none()
            && self.city.is_none()
            && self.tag.is_none()
            && self.owner_id.is_none()
            && self.unit_range.is_none()
            && self.locked.is_none()
            && self.no_followup_since.is_none()
            && self.next_followup_before.is_none()
            && self.next_followup_from.is_none()
            && self.seq_after.is_none()
            && self.seq_through.is_none()
            && self.custom.is_empty()
            && self.forgotten.is_none()
    }
}

/// Search: the name or short name holds every gram of `q` (the name index), or a contact's
/// name, mobile or phone starts with `q` (byte-wise ranges of their indexes). A query too
/// short for a gram reads the names through, as before the index. With `probe`, each row is
/// tested as it comes (a walk in the list's order: a common gram's matches are not collected
/// first); otherwise the matches are collected, which a rare gram's are best.
fn push_search(sql: &mut Sql, q: &str, grams: &[String], probe: bool) {
    if grams.is_empty() {
        let p = contains_pattern(q);
        sql.push(" AND (LOWER(c.name) LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR LOWER(c.short_name) LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR c.id IN (SELECT customer_id FROM customer_contacts WHERE LOWER(name) LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR mobile LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\' OR phone LIKE ")
            .bind(Arg::Text(p))
            .push(" ESCAPE '\\'))");
        return;
    }
    let t = q.trim();
    if probe {
        sql.push(" AND ((");
        push_gram_probes(sql, grams);
        sql.push(")");
        if prefix_end(t).is_some() {
            sql.push(" OR c.id IN (");
            push_contact_prefixes(sql, t);
            sql.push(")");
        }
        sql.push(")");
        return;
    }
    // One IN over the union of the matches: an OR of two INs makes PostgreSQL read every
    // customer of the scope; a single set it can start from.
    sql.push(" AND c.id IN (SELECT customer_id FROM customer_name_grams WHERE gram ");
    if let [one] = grams {
        sql.push("= ").bind(Arg::Text(one.clone()));
    } else {
        sql.push("IN ")
            .bind_texts(grams)
            .push(" GROUP BY customer_id HAVING COUNT(*) = ")
            .bind(Arg::I64(grams.len() as i64));
    }
    if prefix_end(t).is_some() {
        sql.push(" UNION ");
        push_contact_prefixes(sql, t);
    }
    sql.push(")");
}

/// `EXISTS (…) AND EXISTS (…)`: customer `c`'s name holds every gram, each a probe of the
/// name index's key (kept a probe: `Sql::close_probe`).
fn push_gram_probes(sql: &mut Sql, grams: &[String]) {
    for (i, g) in grams.iter().enumerate() {
        if i > 0 {
            sql.push(" AND ");
        }
        sql.push("EXISTS (SELECT 1 FROM customer_name_grams WHERE gram = ")
            .bind(Arg::Text(g.clone()))
            .push(" AND customer_id = c.id")
            .close_probe();
    }
}

/// `SELECT customer_id … UNION SELECT customer_id …`: the customers with a contact whose name
/// (or, for digits, mobile or phone) starts with `t`, each a range of its index.
fn push_contact_prefixes(sql: &mut Sql, t: &str) {
    let Some(hi) = prefix_end(t) else {
        return;
    };
    let numeric = t.chars().all(|c| c.is_ascii_digit());
    let cols: &[&'static str] = if numeric {
        &["name", "mobile", "phone"]
    } else {
        &["name"]
    };
    for (i, col) in cols.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ");
        }
        sql.push("SELECT customer_id FROM customer_contacts WHERE ")
            .push(col)
            .push_dialect("", " COLLATE \"C\"")
            .push(" >= ")
            .bind(Arg::Text(t.to_owned()))
            .push(" AND ")
            .push(col)
            .push_dialect("", " COLLATE \"C\"")
            .push(" < ")
            .bind(Arg::Text(hi.clone()));
    }
}

/// The smallest text after every text starting with `prefix`, byte-wise: the prefix with its
/// last character one code point on (None for an empty prefix).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// How [`push_filter_as`] writes the filters for the statement at hand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FilterStyle {
    /// Tags and custom fields tested row by row (`EXISTS`) as the rows come, rather than their
    /// matches collected first (`c.id IN`, which reads them all before the first row).
    pub probe: bool,
    /// The 遗忘提醒 rules may go by the level's index (false: the rows come from an owner's or
    /// a unit's walk, and SQLite's planner is kept from preferring the level's).
    pub level_index: bool,
    /// The follow-up time ranges may go by the company's time indexes (false: as for the
    /// level, `+` keeps SQLite 3.51's planner on the owner's or unit's index, where it would
    /// otherwise take the company's and read every customer in the range).
    pub time_index: bool,
    /// The part of the rows whose last follow-up is set (`Some(true)`) or unset
    /// (`Some(false)`): "not followed up since" becomes one range of an index, or nothing.
    pub followed_up: Option<bool>,
}

impl Default for FilterStyle {
    fn default() -> Self {
        FilterStyle {
            probe: false,
            level_index: true,
            time_index: true,
            followed_up: None,
        }
    }
}

/// The filters on a viewer's collaborations (a handful of customers): each tested on the row,
/// never a filter's matches collected first (a common word's 83,000 gram entries, or a tag's
/// customers, gathered to keep three rows), and no index but the collaborations' own.
const COLLABORATIONS: FilterStyle = FilterStyle {
    probe: true,
    level_index: false,
    time_index: false,
    followed_up: None,
};

/// The list filters, shared by the customer list and the pool list.
pub(crate) fn push_filter(sql: &mut Sql, f: &CustomerFilter) {
    push_filter_as(sql, f, FilterStyle::default());
}

pub(crate) fn push_filter_as(sql: &mut Sql, f: &CustomerFilter, style: FilterStyle) {
    if let Some(q) = &f.q {
        push_search(sql, q, &f.q_grams, style.probe);
    }
    let eq = |sql: &mut Sql, col: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            sql.push(col).bind(Arg::Text(v.clone()));
        }
    };
    eq(sql, " AND c.type_code = ", &f.type_code);
    eq(sql, " AND c.level_code = ", &f.level_code);
    eq(sql, " AND c.status_code = ", &f.status_code);
    eq(sql, " AND c.industry_code = ", &f.industry_code);
    eq(sql, " AND c.source_code = ", &f.source_code);
    eq(sql, " AND c.province = ", &f.province);
    eq(sql, " AND c.city = ", &f.city);
    if let Some(t) = &f.tag {
        sql.push(if style.probe {
            " AND EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id AND tag = "
        } else {
            " AND c.id IN (SELECT customer_id FROM customer_tags WHERE tag = "
        })
        .bind(Arg::Text(t.clone()));
        if style.probe {
            sql.close_probe();
        } else {
            sql.push(")");
        }
    }
    if let Some(o) = f.owner_id {
        sql.push(" AND c.owner_id = ").bind(Arg::Uuid(o));
    }
    if let Some((lo, hi)) = &f.unit_range {
        sql.push(" AND c.unit_id IN (SELECT id FROM org_units WHERE path >= ")
            .bind(Arg::Text(lo.clone()))
            .push(" AND path < ")
            .bind(Arg::Text(hi.clone()))
            .push(")");
    }
    if let Some(l) = f.locked {
        sql.push(" AND c.locked = ").bind(Arg::Bool(l));
    }
    let (last, next) = if style.time_index {
        (" AND c.last_followup_at", " AND c.next_followup_at")
    } else {
        (" AND +c.last_followup_at", " AND +c.next_followup_at")
    };
    let col = |sql: &mut Sql, sqlite: &'static str, postgres: &'static str| {
        sql.push_dialect(sqlite, postgres);
    };
    if let Some(t) = f.no_followup_since {
        match style.followed_up {
            Some(true) => {
                col(sql, last, " AND c.last_followup_at");
                sql.push(" < ").bind(Arg::I64(t));
            }
            Some(false) => {
                col(sql, last, " AND c.last_followup_at");
                sql.push(" IS NULL");
            }
            None => {
                sql.push(" AND (c.last_followup_at IS NULL OR c.last_followup_at < ")
                    .bind(Arg::I64(t))
                    .push(")");
            }
        }
    }
    if let Some(t) = f.next_followup_before {
        col(sql, next, " AND c.next_followup_at");
        sql.push(" < ").bind(Arg::I64(t));
    }
    if let Some(t) = f.next_followup_from {
        col(sql, next, " AND c.next_followup_at");
        sql.push(" >= ").bind(Arg::I64(t));
    }
    if let Some(n) = f.seq_after {
        sql.push(" AND c.seq > ").bind(Arg::I64(n));
    }
    if let Some(n) = f.seq_through {
        sql.push(" AND c.seq <= ").bind(Arg::I64(n));
    }
    crate::custom_fields::push_conditions(sql, &f.custom, style.probe);
    if let Some(rules) = &f.forgotten {
        crate::notifications::push_forgotten(sql, rules, style.level_index);
    }
}

pub(crate) fn push_sort(sql: &mut Sql, sort: CustomerSort, desc: bool) {
    // NULLS LAST on both databases: a customer never followed up sorts after the others
    // whichever the direction, as people expect.
    if sort == CustomerSort::Seq {
        sql.push(if desc {
            " ORDER BY c.seq DESC"
        } else {
            " ORDER BY c.seq ASC"
        });
        return;
    }
    let key = match sort {
        CustomerSort::Seq => unreachable!(),
        CustomerSort::Name => "c.name",
        CustomerSort::LastFollowupAt => "c.last_followup_at",
        CustomerSort::NextFollowupAt => "c.next_followup_at",
        CustomerSort::CreatedAt => "c.created_at",
        CustomerSort::UpdatedAt => "c.updated_at",
    };
    push_order(sql, key, "c.seq", desc);
}

/// ` ORDER BY key …, number …`: the lists' order, those without the key last whichever the
/// direction, ties by customer number.
fn push_order(sql: &mut Sql, key: &'static str, seq: &'static str, desc: bool) {
    let (dir, dir_nulls_last) = if desc {
        (" DESC", " DESC NULLS LAST")
    } else {
        (" ASC", " ASC NULLS LAST")
    };
    sql.push(" ORDER BY ")
        .push(key)
        .push(dir_nulls_last)
        .push(", ")
        .push(seq)
        .push(dir);
}

/// How many matching customers a list counts at most when it must count rows (a filter); past
/// that it says "more than 1,000", as Salesforce says "2,000+ items". Counting reads every
/// match, a broad filter over a million customers matches hundreds of thousands, and 1,000
/// index entries cost a fraction of a millisecond where 10,000 cost several.
pub const COUNT_CAP: i64 = 1_000;

/// How [`list_counted`] reads a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPlan {
    /// Matches counted at most.
    pub count_cap: i64,
    /// Pages sorted by a follow-up time walk their indexes (`false`: the general plan, which
    /// tests compare the walks with).
    pub walk: bool,
    /// A tag or a custom field's value with at most this many customers is read first and the
    /// list sorts just those; with more, the walk tests each entry (EXISTS) as it goes.
    pub few_side_matches: i64,
    /// A search whose every gram more customers hold than this walks the page in the list's
    /// order, testing each entry; otherwise its matches are read first and sorted.
    pub few_search_matches: i64,
    /// A unit subtree's scope names its units (`false`: by its path; see [`Viewer::with_units`]).
    pub spell_units: bool,
}

impl Default for ListPlan {
    fn default() -> Self {
        ListPlan {
            count_cap: COUNT_CAP,
            walk: true,
            few_side_matches: FEW_SIDE_MATCHES,
            few_search_matches: FEW_SEARCH_MATCHES,
            spell_units: true,
        }
    }
}

/// A page of the customers the viewer may see that match `f`, and how many match: exactly,
/// counted in full.
pub async fn list(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    sort: CustomerSort,
    desc: bool,
    page: Page,
) -> Result<(Vec<CustomerRow>, i64)> {
    let plan = ListPlan {
        count_cap: i64::MAX,
        ..ListPlan::default()
    };
    let (rows, total, _) = list_counted(tx, v, f, sort, desc, page, plan).await?;
    Ok((rows, total))
}

/// As [`list`], counting at most `plan.count_cap` matches: (rows, count, whether the count is
/// exact).
pub async fn list_counted(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    sort: CustomerSort,
    desc: bool,
    page: Page,
    plan: ListPlan,
) -> Result<(Vec<CustomerRow>, i64, bool)> {
    // A unit subtree's units are read once: named in the statements, and chosen among for walks.
    let scope_units = match &v.scope {
        RecordScope::UnitSubtree(path) => {
            let (lo, hi) = path.subtree_range();
            Some(units_in(tx, &lo, &hi).await?)
        }
        _ => None,
    };
    let v = &match (&scope_units, plan.spell_units) {
        (Some(units), true) => v.with_units(units.iter().map(|u| u.0).collect()),
        _ => v.clone(),
    }
    .knowing_collaborations(tx)
    .await?;
    let mut company_owned = CompanyOwned::default();
    let entries_fit = async |tx: &mut Tx, company_owned: &mut CompanyOwned| match &v.scope {
        // An owner's entries are their own range of the gram's index.
        RecordScope::Own(_) => Ok::<_, crate::Error>(true),
        scope => Ok(
            scope_share(tx, scope, scope_units.as_deref(), company_owned)
                .await?
                .is_some_and(|share| (page.offset + page.limit) as f64 <= share * WALK_ENTRIES),
        ),
    };
    let gram_walk = plan.walk
        && gram_walkable(f, sort, &v.scope)
        && entries_fit(tx, &mut company_owned).await?;
    let field_walk = !gram_walk
        && plan.walk
        && field_walkable(f, sort, &v.scope)
        && entries_fit(tx, &mut company_owned).await?;
    let walks = partition(tx, v, f, scope_units, &mut company_owned).await?;
    // A tag or field value few customers have: read those first, whatever else.
    let few = !gram_walk
        && !field_walk
        && few_side(tx, f, plan.few_side_matches, plan.few_search_matches).await?;
    let (rows, beside) = if gram_walk {
        let (rows, beside) = gram_walked(tx, v, f, desc, page).await?;
        (rows, Some(beside))
    } else if field_walk {
        (field_walked(tx, v, f, desc, page).await?, None)
    } else if plan.walk && walkable(f, sort) && !few {
        (walked(tx, v, f, sort, desc, page, &walks).await?, None)
    } else {
        (list_rows(tx, v, f, sort, desc, page).await?, None)
    };
    // A page short of its size holds every match from its offset on: nothing left to count.
    if (rows.len() as i64) < page.limit && (page.offset == 0 || !rows.is_empty()) {
        let total = page.offset + rows.len() as i64;
        return Ok((rows, total, true));
    }
    // Tags and field values many customers have are tested row by row; an owner's or a few
    // units' customers are counted along their own index, the company's by each rule's.
    // A page read from its gram's entries is counted from them too (a search alone).
    let company = walks.contains(&Walk::Company) || gram_walk;
    let style = FilterStyle {
        probe: !few || gram_walk,
        level_index: company,
        time_index: company,
        followed_up: None,
    };
    let cap = plan.count_cap;
    let (total, exact) = match beside {
        Some(beside) => count_by_search(tx, v, f, cap, style, beside).await?,
        None => count(tx, v, f, cap, style).await?,
    };
    Ok((rows, total, exact))
}

/// A walked search's count, from the first gram's entries ([`push_count_by_search`]), with
/// only the arms beside the names that can find something. Without them (as usual), the
/// company's or an owner's count is a range of an index whatever the gram, and planned once
/// per connection. Units' is planned with the gram on every call: without it, PostgreSQL
/// expects a gram's average of entries and reads all of them rather than each unit's (20 ms
/// for 科技's 83,000).
async fn count_by_search(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    cap: i64,
    style: FilterStyle,
    beside: Beside,
) -> Result<(i64, bool)> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM (");
    push_count_by_search(&mut sql, v, f, style, cap, beside);
    let names_only = !beside.by_contact && !beside.collaborations;
    let planning = match v.scope {
        RecordScope::All | RecordScope::Own(_) if names_only => Planning::WithoutValues,
        RecordScope::All | RecordScope::Own(_) => Planning::Auto,
        _ => Planning::WithValues,
    };
    capped_count(tx, sql, cap, planning).await
}

/// Closes `SELECT COUNT(*) FROM (<rows>` at one row past `cap` and runs it as `planning`
/// says: (the count, at most `cap`; whether it is exact).
async fn capped_count(
    tx: &mut Tx,
    mut sql: Sql,
    cap: i64,
    planning: Planning,
) -> Result<(i64, bool)> {
    // Rows are counted up to one past the cap: enough to tell "more than the cap".
    if cap < i64::MAX {
        sql.push(" LIMIT ").bind(Arg::I64(cap + 1));
    }
    sql.push(") AS n");
    if planning != Planning::Auto {
        tx.planning(planning).await?;
    }
    let n = sql.fetch_count(tx).await;
    if planning != Planning::Auto {
        tx.planning(Planning::Auto).await?;
    }
    let n = n?;
    Ok((n.min(cap), n <= cap))
}

/// The highest customer number given so far (0 before the first customer).
pub async fn max_seq(tx: &mut Tx) -> Result<i64> {
    Sql::new("SELECT COALESCE(MAX(seq), 0) FROM customers")
        .fetch_count(tx)
        .await
}

/// A page of the viewer's customers, without the total (exports walk windows of customer
/// numbers with [`CustomerFilter::seq_after`] and [`CustomerFilter::seq_through`]).
pub async fn list_rows(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    sort: CustomerSort,
    desc: bool,
    page: Page,
) -> Result<Vec<CustomerRow>> {
    // The page's ids first, from narrow rows; then only those rows in full (their primary
    // contact looked up 50 times, not once per row of the scope).
    const KEYS: &str = "SELECT c.id, c.seq, c.name, c.last_followup_at, c.next_followup_at, c.created_at, \
         c.updated_at FROM customers c WHERE 1=1";
    let mut sql = Sql::new("SELECT c.id FROM (");
    push_parts(&mut sql, KEYS, v, f, FilterStyle::default());
    sql.push(") AS c");
    push_sort(&mut sql, sort, desc);
    sql.page(page);
    rows_in_order(tx, sql).await
}

/// The rows in full of the page whose ids `ids` reads, in its order: a narrow statement for
/// the ids, then one of one shape per page size for the rows, which PostgreSQL plans once per
/// connection. Read together, ids and rows were planned on every call (3.5 ms of a search's
/// 5).
async fn rows_in_order(tx: &mut Tx, ids: Sql) -> Result<Vec<CustomerRow>> {
    let ids: Vec<(Uuid,)> = ids.fetch_all(tx).await?;
    rows_by_ids(tx, ids.into_iter().map(|(id,)| id).collect()).await
}

/// These customers' rows in full, in the order of `ids`.
async fn rows_by_ids(tx: &mut Tx, ids: Vec<Uuid>) -> Result<Vec<CustomerRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" AND c.id IN ").bind_uuids(&ids);
    let mut rows: Vec<CustomerRow> = sql.fetch_all(tx).await?;
    let place: std::collections::HashMap<Uuid, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| place.get(&r.id).copied());
    Ok(rows)
}

/// A tag or a custom field's value with at most this many customers is read first and the
/// list sorts just those; with more, the list walks its own order and tests each row.
const FEW_SIDE_MATCHES: i64 = 2_000;

/// Up to this many customers holding a search's gram, collecting and sorting them beats
/// walking: a walk tests about page × customers ÷ matches entries, so it pays past
/// √(20 × 1,000,000) ≈ 4,500 matches for a page of 20 over a million customers (a gram held
/// by 3,000 took 100 ms walked, 4 ms collected). Generic words are far past it: 科技 or 有限
/// are in a large share of company names.
const FEW_SEARCH_MATCHES: i64 = 5_000;

/// A search's page walks its gram's entries, and a field value's page the value's (in the
/// list's order, the scope tested on each), when it expects to read at most this many of
/// them: about the page ÷ the scope's share of the company's customers, whatever share of
/// customers hold the gram or value. A smaller scope walks its own customers (or collects a
/// rare gram's matches) as any filter does.
const WALK_ENTRIES: f64 = 5_000.0;

/// Units a list walks one by one at most; past that, the company's index with the scope
/// tested on each entry costs less.
const MAX_UNIT_WALKS: usize = 16;

/// An index a list walks in its order: the company's, one unit's or one owner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Company,
    Unit(Uuid),
    Owner(Uuid),
}

/// Whether a page in this order can be read by walking indexes in it (search goes by the
/// name index; exports by windows of customer numbers).
fn walkable(f: &CustomerFilter, sort: CustomerSort) -> bool {
    matches!(
        sort,
        CustomerSort::LastFollowupAt | CustomerSort::NextFollowupAt
    ) && (f.q.is_none() || !f.q_grams.is_empty())
        && f.seq_after.is_none()
        && f.seq_through.is_none()
}

/// The indexes the viewer's matches are found along: one owner's, a few units', or the
/// company's with the scope tested on each entry.
/// `scope_units`: a unit subtree scope's units with their customer counts, already read.
async fn partition(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    scope_units: Option<Vec<(Uuid, i64)>>,
    company: &mut CompanyOwned,
) -> Result<Vec<Walk>> {
    if let Some(o) = f.owner_id {
        return Ok(vec![Walk::Owner(o)]);
    }
    if let Some((lo, hi)) = &f.unit_range {
        let units = units_in(tx, lo, hi).await?;
        return unit_walks(tx, units, company).await;
    }
    Ok(match &v.scope {
        RecordScope::All => vec![Walk::Company],
        RecordScope::Own(o) => vec![Walk::Owner(*o)],
        RecordScope::Unit(u) => vec![Walk::Unit(*u)],
        RecordScope::UnitSubtree(path) => {
            let units = match scope_units {
                Some(units) => units,
                None => {
                    let (lo, hi) = path.subtree_range();
                    units_in(tx, &lo, &hi).await?
                }
            };
            unit_walks(tx, units, company).await?
        }
        RecordScope::ReportLine(path) => {
            let (lo, hi) = path.subtree_range();
            let mut sql = Sql::new("SELECT id FROM users WHERE report_path >= ");
            sql.bind(Arg::Text(lo))
                .push(" AND report_path < ")
                .bind(Arg::Text(hi))
                .push(" LIMIT ")
                .bind(Arg::I64(MAX_UNIT_WALKS as i64 + 1));
            let owners: Vec<(Uuid,)> = sql.fetch_all(tx).await?;
            if owners.len() <= MAX_UNIT_WALKS {
                owners.into_iter().map(|o| Walk::Owner(o.0)).collect()
            } else {
                vec![Walk::Company]
            }
        }
    })
}

/// The company's owned customers, read at most once per list.
#[derive(Default)]
struct CompanyOwned(Option<i64>);

impl CompanyOwned {
    async fn get(&mut self, tx: &mut Tx) -> Result<i64> {
        if let Some(n) = self.0 {
            return Ok(n);
        }
        let n =
            Sql::new("SELECT CAST(COALESCE(SUM(owned), 0) AS BIGINT) FROM customer_unit_counts")
                .fetch_count(tx)
                .await?;
        self.0 = Some(n);
        Ok(n)
    }
}

/// The units of a path range in path order, with how many customers each owns.
async fn units_in(tx: &mut Tx, lo: &str, hi: &str) -> Result<Vec<(Uuid, i64)>> {
    let mut sql = Sql::new(
        "SELECT u.id, (SELECT CAST(COALESCE(SUM(n.owned), 0) AS BIGINT) FROM customer_unit_counts n \
         WHERE n.unit_id = u.id) FROM org_units u WHERE u.path >= ",
    );
    sql.bind(Arg::Text(lo.to_owned()))
        .push(" AND u.path < ")
        .bind(Arg::Text(hi.to_owned()))
        .push(" ORDER BY u.path");
    sql.fetch_all(tx).await
}

/// Of a path range's units (`units_in`), those that own customers, walked one by one when
/// they are few and hold a small share of the company (each walk then finds its page among
/// few entries), else the company's index with the units tested on each entry. No units with
/// customers: no walk.
async fn unit_walks(
    tx: &mut Tx,
    units: Vec<(Uuid, i64)>,
    company: &mut CompanyOwned,
) -> Result<Vec<Walk>> {
    let owning: Vec<(Uuid, i64)> = units.into_iter().filter(|u| u.1 > 0).collect();
    if owning.is_empty() {
        return Ok(Vec::new());
    }
    let total = company.get(tx).await?;
    let in_range: i64 = owning.iter().map(|u| u.1).sum();
    // One walk per unit reads about (units × page ÷ match rate) entries; the company's walk
    // (page ÷ (share × match rate)).
    let per_unit = owning.len() <= MAX_UNIT_WALKS && owning.len() as i64 * in_range <= total;
    Ok(if per_unit {
        owning.into_iter().map(|u| Walk::Unit(u.0)).collect()
    } else {
        vec![Walk::Company]
    })
}

/// Whether a tag, a custom field's condition or a search's gram holds for few enough
/// customers to read them first.
async fn few_side(
    tx: &mut Tx,
    f: &CustomerFilter,
    at_most: i64,
    search_at_most: i64,
) -> Result<bool> {
    let few = |n: i64| n <= at_most;
    for g in &f.q_grams {
        let mut sql =
            Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM customer_name_grams WHERE gram = ");
        sql.bind(Arg::Text(g.clone()))
            .push(" LIMIT ")
            .bind(Arg::I64(search_at_most + 1))
            .push(") AS n");
        if sql.fetch_count(tx).await? <= search_at_most {
            return Ok(true);
        }
    }
    if let Some(t) = &f.tag {
        let mut sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM customer_tags WHERE tag = ");
        sql.bind(Arg::Text(t.clone()))
            .push(" LIMIT ")
            .bind(Arg::I64(at_most + 1))
            .push(") AS n");
        if few(sql.fetch_count(tx).await?) {
            return Ok(true);
        }
    }
    for cond in &f.custom {
        if cond.op == salesdesk_domain::custom_field::FieldOp::Unset {
            continue;
        }
        let mut sql =
            Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM customer_field_values WHERE field_id = ");
        sql.bind(Arg::Uuid(cond.field_id));
        crate::custom_fields::push_value_test(&mut sql, cond);
        sql.push(" LIMIT ")
            .bind(Arg::I64(at_most + 1))
            .push(") AS n");
        if few(sql.fetch_count(tx).await?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A page sorted by a follow-up time, read by walking indexes in that order: each walk gives
/// its first `offset + limit` matches (entries with the time, then those without, so each
/// part is one ordered range on both databases), the collaborations outside the scope theirs,
/// and only the merged page's rows are read in full. A manager's due list reads a few hundred
/// index entries, not the 13,000 customers due.
async fn walked(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    sort: CustomerSort,
    desc: bool,
    page: Page,
    walks: &[Walk],
) -> Result<Vec<CustomerRow>> {
    // The key, and (SQLite) the index each walk must go by: its planner would otherwise take
    // a filter's index and sort everything it matches.
    let (key, company, unit, owner) = match sort {
        CustomerSort::NextFollowupAt => (
            "c.next_followup_at",
            " INDEXED BY ix_customers_next",
            " INDEXED BY ix_customers_unit_next",
            " INDEXED BY ix_customers_owner_next",
        ),
        _ => (
            "c.last_followup_at",
            " INDEXED BY ix_customers_followup",
            " INDEXED BY ix_customers_unit_followup",
            " INDEXED BY ix_customers_owner_followup",
        ),
    };
    let by_last = key == "c.last_followup_at";
    let due_filter = f.next_followup_before.is_some() || f.next_followup_from.is_some();
    let admits_no_key = by_last || !due_filter;
    let dir = if desc { " DESC" } else { " ASC" };
    let collaborations = v.collaborates_outside();
    if walks.is_empty() && !collaborations {
        return Ok(Vec::new());
    }
    let need = page.offset + page.limit;
    let mut sql = Sql::new("SELECT id FROM (");
    let mut first = true;
    for walk in walks {
        for with_key in [true, false] {
            if !with_key && !admits_no_key {
                continue;
            }
            if !first {
                sql.push(" UNION ALL ");
            }
            first = false;
            sql.push("SELECT * FROM (SELECT c.id, ")
                .push(key)
                .push(" AS k, c.seq AS s FROM customers c");
            match walk {
                Walk::Company => {
                    sql.push_dialect(company, "")
                        .push(" WHERE c.owner_id IS NOT NULL");
                }
                Walk::Unit(id) => {
                    sql.push_dialect(unit, "")
                        .push(" WHERE c.owner_id IS NOT NULL AND c.unit_id = ")
                        .bind(Arg::Uuid(*id));
                }
                Walk::Owner(id) => {
                    sql.push_dialect(owner, "")
                        .push(" WHERE c.owner_id = ")
                        .bind(Arg::Uuid(*id));
                }
            }
            sql.push(" AND ")
                .push(key)
                .push(if with_key { " IS NOT NULL" } else { " IS NULL" });
            push_viewer_scope(&mut sql, v, false);
            let style = FilterStyle {
                probe: true,
                level_index: false,
                time_index: true,
                followed_up: by_last.then_some(with_key),
            };
            push_filter_as(&mut sql, f, style);
            if with_key {
                sql.push(" ORDER BY ").push(key).push(dir).push(", c.seq");
            } else {
                // Every key here is NULL, so the index's order is the number's. PostgreSQL
                // does not take `IS NULL` as fixing the key: it needs the key named first
                // to walk the index rather than read every customer in number order.
                let pg_key = match (by_last, desc) {
                    (true, false) => "c.last_followup_at ASC, ",
                    (true, true) => "c.last_followup_at DESC, ",
                    (false, false) => "c.next_followup_at ASC, ",
                    (false, true) => "c.next_followup_at DESC, ",
                };
                sql.push(" ORDER BY ")
                    .push_dialect("", pg_key)
                    .push("c.seq");
            }
            sql.push(dir).limit(need).push(") AS w");
        }
    }
    if collaborations {
        if !first {
            sql.push(" UNION ALL ");
        }
        push_collaborations_walk(&mut sql, v, f, key, desc, need);
    }
    push_merged_page(&mut sql, desc, page);
    rows_in_order(tx, sql).await
}

/// `SELECT * FROM (…) AS w`: the first `need` of the viewer's collaborations outside their
/// scope that match `f`, in the order of `key`, as one arm of a walked page.
fn push_collaborations_walk(
    sql: &mut Sql,
    v: &Viewer,
    f: &CustomerFilter,
    key: &'static str,
    desc: bool,
    need: i64,
) {
    sql.push("SELECT * FROM (SELECT c.id, ")
        .push(key)
        .push(
            " AS k, c.seq AS s FROM customers c WHERE c.owner_id IS NOT NULL AND c.id IN \
             (SELECT customer_id FROM customer_collaborators WHERE user_id = ",
        )
        .bind(Arg::Uuid(v.user_id))
        .push(")");
    push_viewer_scope(sql, v, true);
    push_filter_as(sql, f, COLLABORATIONS);
    push_order(sql, key, "c.seq", desc);
    sql.limit(need).push(") AS w");
}

/// Closes the arms of a walked page (each `id, k, s`): merged in the list's order and the
/// page's ids taken.
fn push_merged_page(sql: &mut Sql, desc: bool, page: Page) {
    sql.push(") AS m");
    push_order(sql, "m.k", "m.s", desc);
    sql.page(page);
}

/// Whether a page can walk its search's gram entries ([`gram_walked`]): a search and nothing
/// else, in order of last follow-up, by a viewer whose scope the entries carry (the company's,
/// a unit subtree's or an owner's).
fn gram_walkable(f: &CustomerFilter, sort: CustomerSort, scope: &RecordScope) -> bool {
    let rest = CustomerFilter {
        q: None,
        q_grams: Vec::new(),
        ..f.clone()
    };
    sort == CustomerSort::LastFollowupAt
        && f.q.is_some()
        && !f.q_grams.is_empty()
        && rest.is_empty()
        && matches!(
            scope,
            RecordScope::All | RecordScope::UnitSubtree(_) | RecordScope::Own(_)
        )
}

/// The share of the company's owned customers in the scope: all of them, or a unit subtree's
/// (`scope_units`, with their counts). None when there are none.
async fn scope_share(
    tx: &mut Tx,
    scope: &RecordScope,
    scope_units: Option<&[(Uuid, i64)]>,
    company: &mut CompanyOwned,
) -> Result<Option<f64>> {
    let in_scope: i64 = match (scope, scope_units) {
        (RecordScope::All, _) => return Ok(Some(1.0)),
        (RecordScope::UnitSubtree(_), Some(units)) => units.iter().map(|u| u.1).sum(),
        _ => return Ok(None),
    };
    let total = company.get(tx).await?;
    Ok((in_scope > 0 && total > 0).then(|| in_scope as f64 / total as f64))
}

/// A search's page by last follow-up, read from its first gram's entries (migrations 0025 and
/// 0026: each carries its customer's unit, owner, last follow-up and number) walked in that
/// order with the scope tested on each entry (an owner's: their own range of the index) and
/// the other grams probed: entries with a follow-up, then those without in number order.
/// Then, by a second statement, the customers found by a contact's name alone and
/// collaborations outside the scope, each their first `offset + limit`; the page is merged
/// from both and only its rows are read in full.
async fn gram_walked(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    desc: bool,
    page: Page,
) -> Result<(Vec<CustomerRow>, Beside)> {
    let (Some(q), Some((first, others))) = (&f.q, f.q_grams.split_first()) else {
        return Ok((Vec::new(), Beside::MAYBE));
    };
    let need = page.offset + page.limit;
    let index = match v.scope {
        RecordScope::Own(_) => " INDEXED BY ix_customer_name_grams_owner",
        _ => " INDEXED BY ix_customer_name_grams_recent",
    };
    let mut sql = Sql::new("SELECT id, k, s FROM (");
    push_recency_walk(&mut sql, "customer_name_grams", index, desc, need, |sql| {
        sql.push("c.gram = ")
            .bind(Arg::Text(first.clone()))
            .push(" AND c.owned");
        push_viewer_scope(sql, v, false);
        push_other_grams(sql, others);
    });
    push_merged_entries(&mut sql, desc, need);
    // The walk's best plan is the index's order whatever the gram: planned once per
    // connection rather than on each call (1 ms, as long as the walk itself). Customers found
    // by a contact and not by the name, and collaborations outside the scope, are planned
    // with their values (a contact's name from its prefix): asked for only when there are any.
    let t = q.trim();
    tx.planning(Planning::WithoutValues).await?;
    let planned_once = async {
        let entries: Vec<PageEntry> = sql.fetch_all(tx).await?;
        Ok::<_, crate::Error>((entries, beside_the_name(tx, v, t).await?))
    }
    .await;
    tx.planning(Planning::Auto).await?;
    let (mut entries, beside) = planned_once?;
    let Beside {
        by_contact,
        collaborations,
    } = beside;
    if by_contact || collaborations {
        let mut sql = Sql::new("SELECT id, k, s FROM (");
        if by_contact {
            sql.push(
                "SELECT * FROM (SELECT c.id, c.last_followup_at AS k, c.seq AS s \
                 FROM customers c WHERE c.id IN (",
            );
            push_contact_prefixes(&mut sql, t);
            sql.push(") AND NOT (");
            push_gram_probes(&mut sql, &f.q_grams);
            sql.push(") AND c.owner_id IS NOT NULL");
            push_viewer_scope(&mut sql, v, false);
            push_order(&mut sql, "c.last_followup_at", "c.seq", desc);
            sql.limit(need).push(") AS w");
        }
        if collaborations {
            if by_contact {
                sql.push(" UNION ALL ");
            }
            push_collaborations_walk(&mut sql, v, f, "c.last_followup_at", desc, need);
        }
        merge_more_entries(tx, &mut entries, sql, desc, need).await?;
    }
    Ok((rows_by_ids(tx, page_of(entries, page)).await?, beside))
}

/// Whether a page can walk a custom field value's entries ([`field_walked`]): one value of a
/// text field and nothing else, in order of last follow-up, by a viewer whose scope the
/// entries carry and are ordered for (the company's or a unit subtree's; an owner's customers
/// are few and walked along their own index).
fn field_walkable(f: &CustomerFilter, sort: CustomerSort, scope: &RecordScope) -> bool {
    use salesdesk_domain::custom_field::{FieldKind, FieldOp};
    let rest = CustomerFilter {
        custom: Vec::new(),
        ..f.clone()
    };
    sort == CustomerSort::LastFollowupAt
        && rest.is_empty()
        && matches!(f.custom.as_slice(), [c] if c.op == FieldOp::Eq && c.kind != FieldKind::Number)
        && matches!(scope, RecordScope::All | RecordScope::UnitSubtree(_))
}

/// A page by last follow-up of the customers holding one field value, read from the value's
/// entries (migration 0027: each carries its customer's unit, owner, last follow-up and
/// number) walked in that order with the scope tested on each: entries with a follow-up, then
/// those without in number order. A region's page reads about page ÷ its share of entries,
/// whatever share of customers hold the value. Collaborations outside the scope, when the
/// viewer has any, by a second statement merged in; only the page's rows are read in full.
async fn field_walked(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    desc: bool,
    page: Page,
) -> Result<Vec<CustomerRow>> {
    let [cond] = f.custom.as_slice() else {
        return Ok(Vec::new());
    };
    let need = page.offset + page.limit;
    let mut sql = Sql::new("SELECT id, k, s FROM (");
    let index = " INDEXED BY ix_customer_field_values_recent";
    push_recency_walk(
        &mut sql,
        "customer_field_values",
        index,
        desc,
        need,
        |sql| {
            sql.push("c.field_id = ").bind(Arg::Uuid(cond.field_id));
            crate::custom_fields::push_value_test(sql, cond);
            sql.push(" AND c.owner_id IS NOT NULL");
            push_viewer_scope(sql, v, false);
        },
    );
    push_merged_entries(&mut sql, desc, need);
    // The walk's best plan is the index's order whatever the value: planned once per
    // connection.
    tx.planning(Planning::WithoutValues).await?;
    let entries = sql.fetch_all::<PageEntry>(tx).await;
    tx.planning(Planning::Auto).await?;
    let mut entries = entries?;
    if v.collaborates_outside() {
        let mut sql = Sql::new("SELECT id, k, s FROM (");
        push_collaborations_walk(&mut sql, v, f, "c.last_followup_at", desc, need);
        merge_more_entries(tx, &mut entries, sql, desc, need).await?;
    }
    rows_by_ids(tx, page_of(entries, page)).await
}

/// Runs `sql`, arms of `id, k, s` rows opened by `SELECT id, k, s FROM (`, and merges its
/// first `need` into `entries` in the list's order.
async fn merge_more_entries(
    tx: &mut Tx,
    entries: &mut Vec<PageEntry>,
    mut sql: Sql,
    desc: bool,
    need: i64,
) -> Result<()> {
    push_merged_entries(&mut sql, desc, need);
    let more: Vec<PageEntry> = sql.fetch_all(tx).await?;
    if !more.is_empty() {
        entries.extend(more);
        sort_entries(entries, desc);
    }
    Ok(())
}

/// The ids of `page` among entries in the list's order.
fn page_of(entries: Vec<PageEntry>, page: Page) -> Vec<Uuid> {
    entries
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(|e| e.0)
        .collect()
}

/// What a search may match beside its names.
#[derive(Debug, Clone, Copy)]
struct Beside {
    /// A contact's name (or number) starts with the search.
    by_contact: bool,
    /// The viewer collaborates on customers, who may be outside their scope.
    collaborations: bool,
}

impl Beside {
    /// Not known: both looked for.
    const MAYBE: Beside = Beside {
        by_contact: true,
        collaborations: true,
    };
}

/// Whether a search for `t` can match more than its names (the viewer's collaborations are
/// known: [`Viewer::knowing_collaborations`]). A contact's names starting with `t` are a
/// range of an index whatever the values: run with [`Planning::WithoutValues`].
async fn beside_the_name(tx: &mut Tx, v: &Viewer, t: &str) -> Result<Beside> {
    let by_contact = if prefix_end(t).is_some() {
        let mut sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM (");
        push_contact_prefixes(&mut sql, t);
        sql.push(") AS k LIMIT 1) AS n");
        sql.fetch_count(tx).await? > 0
    } else {
        false
    };
    Ok(Beside {
        by_contact,
        collaborations: v.collaborates_outside(),
    })
}

/// One customer of a walked page: its id, the list's key (a follow-up time) and its number.
type PageEntry = (Uuid, Option<i64>, i64);

/// The two arms of a walk of index entries `c` of `table` (each carrying its customer's last
/// follow-up and number) in the list's order, as `id, k, s`: those with a follow-up, then
/// those without in number order, each its first `need`. `filter` writes the entries' test;
/// on SQLite the walk goes by `index`.
fn push_recency_walk(
    sql: &mut Sql,
    table: &'static str,
    index: &'static str,
    desc: bool,
    need: i64,
    filter: impl Fn(&mut Sql),
) {
    let dir = if desc { " DESC" } else { " ASC" };
    for with_key in [true, false] {
        if !with_key {
            sql.push(" UNION ALL ");
        }
        // The entries are `c`: the scope's test names `c.unit_id`.
        sql.push(
            "SELECT * FROM (SELECT c.customer_id AS id, c.last_followup_at AS k, c.seq AS s FROM ",
        )
        .push(table)
        .push(" c")
        .push_dialect(index, "")
        .push(" WHERE ");
        filter(sql);
        sql.push(" AND c.last_followup_at")
            .push(if with_key { " IS NOT NULL" } else { " IS NULL" })
            .push(" ORDER BY ");
        if with_key {
            sql.push("c.last_followup_at").push(dir).push(", ");
        } else {
            // PostgreSQL walks the index for the NULL part only with the key named (see
            // `walked`).
            sql.push_dialect("", "c.last_followup_at")
                .push_dialect("", dir)
                .push_dialect("", ", ");
        }
        sql.push("c.seq").push(dir).limit(need).push(") AS w");
    }
}

/// Closes arms of `id, k, s` rows: merged in the list's order, the first `need` taken.
fn push_merged_entries(sql: &mut Sql, desc: bool, need: i64) {
    sql.push(") AS m");
    push_order(sql, "m.k", "m.s", desc);
    sql.limit(need);
}

/// Puts entries in the list's order, as [`push_merged_entries`] does: by key (those without
/// one last), then number.
fn sort_entries(entries: &mut [PageEntry], desc: bool) {
    entries.sort_by(|a, b| {
        let by_key = match (a.1, b.1) {
            (Some(x), Some(y)) if desc => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_key.then(if desc { b.2.cmp(&a.2) } else { a.2.cmp(&b.2) })
    });
}

/// ` AND EXISTS (…)`: the customer of gram entry `c` holds each of the other grams too.
fn push_other_grams(sql: &mut Sql, others: &[String]) {
    for g in others {
        sql.push(" AND EXISTS (SELECT 1 FROM customer_name_grams o WHERE o.gram = ")
            .bind(Arg::Text(g.clone()))
            .push(" AND o.customer_id = c.customer_id")
            .close_probe();
    }
}

/// The count's rows of a search whose grams many customers hold, driven by the first gram's
/// index entries (each customer once, the other grams probed) rather than collecting every
/// match first; then customers found by a contact alone; then collaborations outside the
/// scope as usual.
fn push_count_by_search(
    sql: &mut Sql,
    v: &Viewer,
    f: &CustomerFilter,
    style: FilterStyle,
    cap: i64,
    beside: Beside,
) {
    let (Some(q), Some((first, others))) = (&f.q, f.q_grams.split_first()) else {
        return;
    };
    let rest = CustomerFilter {
        q: None,
        q_grams: Vec::new(),
        ..f.clone()
    };
    if rest.is_empty() && scope_on_gram_entries(&v.scope) {
        // The gram's entries carry their customer's unit, owned-ness (migration 0023) and
        // owner (0026): the scope (the company's, units' or an owner's) is tested on each
        // entry, the other grams probed by its customer's id, and no customer is read.
        sql.push("SELECT 1 FROM (SELECT 1 AS one FROM customer_name_grams c WHERE c.gram = ")
            .bind(Arg::Text(first.clone()))
            .push(" AND c.owned");
        push_viewer_scope(sql, v, false);
        push_other_grams(sql, others);
    } else {
        // The gram's entries drive; each one's customer is probed for the scope and the other
        // filters. A join would let PostgreSQL hash every entry of the gram against every
        // customer (45 ms for a region's 1,001 of 科技's 83,000); the probe reads about 5,000.
        push_count_by_search_probing(sql, v, first, others, &rest, style);
    }
    if cap < i64::MAX {
        sql.push(" LIMIT ").bind(Arg::I64(cap + 1));
    }
    sql.push(") AS by_name");
    let t = q.trim();
    if beside.by_contact && prefix_end(t).is_some() {
        sql.push(" UNION ALL SELECT 1 FROM customers c WHERE c.id IN (");
        push_contact_prefixes(sql, t);
        sql.push(") AND NOT (");
        push_gram_probes(sql, &f.q_grams);
        sql.push(") AND c.owner_id IS NOT NULL");
        push_viewer_scope(sql, v, false);
        push_filter_as(sql, &rest, style);
    }
    if beside.collaborations {
        push_collaborations_outside(sql, v, f);
    }
}

/// Whether a scope can be tested on a gram's entries (indexes `gram, unit_id` and
/// `gram, owner_id, …` of owned customers): the company's, units' or an owner's. A reporting
/// line's matches are found from their customers.
fn scope_on_gram_entries(scope: &RecordScope) -> bool {
    matches!(
        scope,
        RecordScope::All | RecordScope::UnitSubtree(_) | RecordScope::Unit(_) | RecordScope::Own(_)
    )
}

/// The first gram's entries, each one's customer probed for the scope, the other grams and
/// the other filters.
fn push_count_by_search_probing(
    sql: &mut Sql,
    v: &Viewer,
    first: &str,
    others: &[String],
    rest: &CustomerFilter,
    style: FilterStyle,
) {
    sql.push("SELECT 1 FROM (SELECT 1 AS one FROM customer_name_grams g WHERE g.gram = ")
        .bind(Arg::Text(first.to_owned()))
        .push(" AND EXISTS (SELECT 1 FROM customers c WHERE c.id = g.customer_id");
    if !others.is_empty() {
        sql.push(" AND ");
        push_gram_probes(sql, others);
    }
    sql.push(" AND c.owner_id IS NOT NULL");
    push_viewer_scope(sql, v, false);
    push_filter_as(sql, rest, style);
    sql.close_probe();
}

/// ` UNION ALL SELECT 1 …`: the count's rows the viewer collaborates on outside their scope
/// (nothing for a company-wide scope).
fn push_collaborations_outside(sql: &mut Sql, v: &Viewer, f: &CustomerFilter) {
    if !v.collaborates_outside() {
        return;
    }
    sql.push(
        " UNION ALL SELECT 1 FROM customers c WHERE c.owner_id IS NOT NULL AND c.id IN \
         (SELECT customer_id FROM customer_collaborators WHERE user_id = ",
    )
    .bind(Arg::Uuid(v.user_id))
    .push(")");
    push_viewer_scope(sql, v, true);
    push_filter_as(sql, f, COLLABORATIONS);
}

/// The custom-field condition a count is driven by: a value many customers hold (so probed,
/// not collected), counted otherwise customer by customer. The value's entries carry their
/// customer's unit and owner, so from the value's index (or an owner's) a scope's 1,001
/// matches are about as many entries, none of them joined to its customer.
fn driving_field(f: &CustomerFilter, style: FilterStyle) -> Option<usize> {
    if !style.probe {
        return None;
    }
    f.custom
        .iter()
        .position(|c| c.op != salesdesk_domain::custom_field::FieldOp::Unset)
}

/// The count's rows driven by the field value's index (`driving_field`): the scope tested on
/// the entries, each joined to its customer only for other filters; collaborations outside
/// the scope as usual.
fn push_count_by_field(
    sql: &mut Sql,
    v: &Viewer,
    f: &CustomerFilter,
    i: usize,
    style: FilterStyle,
) {
    let cond = &f.custom[i];
    let rest = CustomerFilter {
        custom: f
            .custom
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c.clone())
            .collect(),
        ..f.clone()
    };
    if rest.is_empty() {
        // The value's entries carry their customer's unit and owner (kept by triggers): the
        // scope is tested on the entry, and no customer is read.
        sql.push("SELECT 1 FROM customer_field_values c WHERE c.field_id = ")
            .bind(Arg::Uuid(cond.field_id));
        crate::custom_fields::push_value_test(sql, cond);
        sql.push(" AND c.owner_id IS NOT NULL");
        push_viewer_scope(sql, v, false);
    } else {
        // CROSS JOIN: SQLite keeps the value's index outermost.
        sql.push("SELECT 1 FROM customer_field_values v")
            .push_dialect(" CROSS JOIN customers c", " JOIN customers c")
            .push(" ON c.id = v.customer_id WHERE v.field_id = ")
            .bind(Arg::Uuid(cond.field_id));
        crate::custom_fields::push_value_test(sql, cond);
        sql.push(" AND c.owner_id IS NOT NULL");
        push_viewer_scope(sql, v, false);
        push_filter_as(sql, &rest, style);
    }
    push_collaborations_outside(sql, v, f);
}

/// The filter as disjoint parts each of which is one range of an index, for counting without
/// reading rows: one part per 遗忘提醒 rule (its level and idle instant) when the level's index
/// is used, and "not followed up since" as those followed up before it and those never
/// followed up.
fn count_parts(f: &CustomerFilter, style: FilterStyle) -> Vec<(CustomerFilter, FilterStyle)> {
    let rule_parts: Vec<CustomerFilter> = match &f.forgotten {
        Some(rules) if rules.len() > 1 && style.level_index => rules
            .iter()
            .map(|r| CustomerFilter {
                forgotten: Some(vec![r.clone()]),
                ..f.clone()
            })
            .collect(),
        _ => vec![f.clone()],
    };
    let styles: &[Option<bool>] = if f.no_followup_since.is_some() {
        &[Some(true), Some(false)]
    } else {
        &[None]
    };
    rule_parts
        .into_iter()
        .flat_map(|part| {
            styles.iter().map(move |s| {
                (
                    part.clone(),
                    FilterStyle {
                        followed_up: *s,
                        ..style
                    },
                )
            })
        })
        .collect()
}

/// How many customers the viewer may see match `f`, and whether that is exact. Unfiltered unit
/// scopes read the trigger-kept per-unit counts (always exact); everything else counts rows, at
/// most `cap` of them.
async fn count(
    tx: &mut Tx,
    v: &Viewer,
    f: &CustomerFilter,
    cap: i64,
    style: FilterStyle,
) -> Result<(i64, bool)> {
    let unit_part = match (&v.scope, f.is_empty()) {
        (RecordScope::All, true) => Some(Sql::new(
            "SELECT CAST(COALESCE(SUM(owned), 0) AS BIGINT) FROM customer_unit_counts",
        )),
        (RecordScope::UnitSubtree(path), true) => {
            let (lo, hi) = path.subtree_range();
            let mut sql = Sql::new(
                "SELECT CAST(COALESCE(SUM(owned), 0) AS BIGINT) FROM customer_unit_counts WHERE unit_id IN \
                 (SELECT id FROM org_units WHERE path >= ",
            );
            sql.bind(Arg::Text(lo))
                .push(" AND path < ")
                .bind(Arg::Text(hi))
                .push(")");
            Some(sql)
        }
        (RecordScope::Unit(id), true) => {
            let mut sql = Sql::new(
                "SELECT CAST(COALESCE(SUM(owned), 0) AS BIGINT) FROM customer_unit_counts WHERE unit_id = ",
            );
            sql.bind(Arg::Uuid(*id));
            Some(sql)
        }
        _ => None,
    };
    let Some(unit_part) = unit_part else {
        let mut sql = Sql::new("SELECT COUNT(*) FROM (");
        let parts = count_parts(f, style);
        // A common gram's matches (probed in the page's walk) are counted from its index over
        // the company's walk; an owner's or a few units' customers are probed along theirs.
        let by_search = style.probe && style.level_index && f.q.is_some() && !f.q_grams.is_empty();
        match driving_field(f, style) {
            _ if by_search && parts.len() == 1 => {
                push_count_by_search(&mut sql, v, f, style, cap, Beside::MAYBE)
            }
            Some(i) if parts.len() == 1 => push_count_by_field(&mut sql, v, f, i, style),
            _ => {
                for (i, (part, style)) in parts.iter().enumerate() {
                    if i > 0 {
                        sql.push(" UNION ALL ");
                    }
                    // Nothing but what the indexes hold, so a count need not read a row.
                    push_parts(
                        &mut sql,
                        "SELECT 1 FROM customers c WHERE 1=1",
                        v,
                        part,
                        *style,
                    );
                }
            }
        }
        // The company's forgotten customers counted level by level: each a range of the
        // level's index by idle time whatever the values, planned once per connection. Not a
        // region's: planned without the values, its units are tested on every customer idle
        // at each level (12 ms, against 1.5 with them).
        let by_level = f.forgotten.as_ref().is_some_and(|r| r.len() > 1)
            && style.level_index
            && v.scope == RecordScope::All;
        let planning = if by_level {
            Planning::WithoutValues
        } else {
            Planning::Auto
        };
        return capped_count(tx, sql, cap, planning).await;
    };
    let in_units = unit_part.fetch_count(tx).await?;
    if !v.collaborates_outside() {
        return Ok((in_units, true));
    }
    // Plus collaborations outside the scope: the viewer with no collaborations is the scope.
    let mut outside = Sql::new(
        "SELECT COUNT(*) FROM customers c WHERE c.owner_id IS NOT NULL AND c.id IN \
         (SELECT customer_id FROM customer_collaborators WHERE user_id = ",
    );
    outside.bind(Arg::Uuid(v.user_id)).push(")");
    match &v.scope {
        RecordScope::UnitSubtree(path) => {
            let (lo, hi) = path.subtree_range();
            outside
                .push(" AND c.unit_id NOT IN (SELECT id FROM org_units WHERE path >= ")
                .bind(Arg::Text(lo))
                .push(" AND path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        RecordScope::Unit(id) => {
            outside.push(" AND c.unit_id <> ").bind(Arg::Uuid(*id));
        }
        _ => unreachable!("only unit scopes are counted from the per-unit counts"),
    }
    Ok((in_units + outside.fetch_count(tx).await?, true))
}
