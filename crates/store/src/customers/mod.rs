//! Customers (客户档案): the record, its contacts, collaborators, tags, owner history and
//! follow-ups, and the lookups the duplicate check (查重) needs. Every read of customers a
//! person may see takes a [`Viewer`]: their data scope plus the customers they collaborate on.

use std::sync::Arc;

use salesdesk_domain::access::RecordScope;
use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Page, Sql};
use crate::{Error, Result, Tx, on_tx};

mod listing;

/// Who is reading: their customer scope, and themselves (collaborations widen the scope).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub scope: RecordScope,
    pub user_id: Uuid,
    /// A unit subtree's units spelled out (see [`Viewer::with_units`]); none: by its path.
    units: Option<Vec<Uuid>>,
    /// Whether they may collaborate on customers (false once they are known to have none,
    /// [`Viewer::knowing_collaborations`]: statements then leave out the arm for them).
    collaborations: bool,
}

/// A subtree of at most this many units is spelled out as a list of units.
const MAX_SPELLED_UNITS: usize = 256;

impl Viewer {
    pub fn new(scope: RecordScope, user_id: Uuid) -> Self {
        Viewer {
            scope,
            user_id,
            units: None,
            collaborations: true,
        }
    }

    /// Whether customers outside the scope may be visible through collaborations.
    pub(crate) fn collaborates_outside(&self) -> bool {
        self.scope != RecordScope::All && self.collaborations
    }

    /// The viewer, told whether they collaborate on any customer (most people do not: a list
    /// then plans and runs without the arm for customers outside their scope).
    pub async fn knowing_collaborations(&self, tx: &mut Tx) -> Result<Viewer> {
        if !self.collaborates_outside() {
            return Ok(self.clone());
        }
        let mut sql =
            Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM customer_collaborators WHERE user_id = ");
        sql.bind(Arg::Uuid(self.user_id)).push(" LIMIT 1) AS n");
        let collaborations = sql.fetch_count(tx).await? > 0;
        Ok(Viewer {
            collaborations,
            ..self.clone()
        })
    }

    /// The viewer with a unit subtree's units (`units`, all of them) spelled out in its
    /// statements (`c.unit_id IN (…)`), when they are few. To a plan made without the values,
    /// which PostgreSQL uses for a prepared statement after its fifth run, a path range looks
    /// like one unit: it then walked each of a region's units and probed every customer (1.4 s
    /// for a page of a generic word's search). A list of units is estimated at its share of
    /// the company, and the company's index is walked in the list's order as with the values.
    pub fn with_units(&self, units: Vec<Uuid>) -> Viewer {
        Viewer {
            units: (units.len() <= MAX_SPELLED_UNITS).then_some(units),
            ..self.clone()
        }
    }
}

/// Appends ` AND (<the viewer's scope>)`, or ` AND NOT (...)`: its units when spelled out.
pub(super) fn push_viewer_scope(sql: &mut Sql, v: &Viewer, negate: bool) {
    match (&v.scope, &v.units) {
        (RecordScope::UnitSubtree(_), Some(units)) => {
            sql.push(if negate { " AND NOT (" } else { " AND (" });
            if units.is_empty() {
                sql.push("1=0");
            } else {
                sql.push("c.unit_id IN ").bind_uuids(units);
            }
            sql.push(")");
        }
        _ => push_scope_cond(sql, &v.scope, negate),
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct CustomerRow {
    pub id: Uuid,
    pub seq: i64,
    pub name: String,
    pub short_name: Option<String>,
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
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub pool_id: Option<Uuid>,
    pub pool_name: Option<String>,
    pub locked: bool,
    pub notes: Option<String>,
    pub primary_contact: Option<String>,
    pub primary_mobile: Option<String>,
    pub last_followup_at: Option<i64>,
    pub next_followup_at: Option<i64>,
    pub owned_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// The customer row's columns, up to `WHERE 1=1` (a macro so that the page's statement can
/// put more columns before them). Its owner's and pool's names are looked up by id
/// (PostgreSQL's plan without values otherwise hashes every user for a page of 20); its
/// unit's is joined (a few hundred units hash faster than each is looked up).
macro_rules! row_from {
    () => {
        row_with_primary_from!(
            "(SELECT k.name FROM customer_contacts k WHERE k.customer_id = c.id AND k.is_primary) AS primary_contact, \
     (SELECT k.mobile FROM customer_contacts k WHERE k.customer_id = c.id AND k.is_primary) AS primary_mobile, "
        )
    };
}

/// The row's columns with the primary contact's name and mobile given: read by
/// subqueries in lists, taken from the contacts in a record read (`page`).
macro_rules! row_with_primary_from {
    ($primary:literal) => {
        concat!(
            "c.id, c.seq, c.name, c.short_name, c.credit_code, c.external_id, c.type_code, c.level_code, c.status_code, \
     c.industry_code, c.source_code, c.province, c.city, c.district, c.address, c.lat, c.lon, c.owner_id, \
     (SELECT o.display_name FROM users o WHERE o.id = c.owner_id) AS owner_name, c.unit_id, \
     ou.name AS unit_name, c.pool_id, \
     (SELECT p.name FROM customer_pools p WHERE p.id = c.pool_id) AS pool_name, c.locked, c.notes, ",
            $primary,
            "c.last_followup_at, c.next_followup_at, c.owned_since, c.created_at, c.updated_at, c.version \
     FROM customers c JOIN org_units ou ON ou.id = c.unit_id WHERE 1=1"
        )
    };
}

pub(super) const SELECT: &str = concat!("SELECT ", row_from!());

/// Appends ` AND (<the scope's condition>)`, or ` AND NOT (...)`; All adds nothing (and its
/// negation excludes everything).
pub(super) fn push_scope_cond(sql: &mut Sql, scope: &RecordScope, negate: bool) {
    use RecordScope as S;
    sql.push(if negate { " AND NOT (" } else { " AND (" });
    match scope {
        S::All => {
            sql.push("1=1");
        }
        S::UnitSubtree(path) => {
            let (lo, hi) = path.subtree_range();
            sql.push("c.unit_id IN (SELECT id FROM org_units WHERE path >= ")
                .bind(Arg::Text(lo))
                .push(" AND path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        S::Unit(id) => {
            sql.push("c.unit_id = ").bind(Arg::Uuid(*id));
        }
        S::ReportLine(path) => {
            let (lo, hi) = path.subtree_range();
            sql.push("c.owner_id IN (SELECT id FROM users WHERE report_path >= ")
                .bind(Arg::Text(lo))
                .push(" AND report_path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        S::Own(id) => {
            sql.push("c.owner_id = ").bind(Arg::Uuid(*id));
        }
    }
    sql.push(")");
}

/// The viewer's rows as two disjoint parts, so each can use its own index (an OR of the two
/// makes PostgreSQL read the whole table): owned customers in the scope, and collaborations
/// outside it. `base` ends in `WHERE 1=1`.
pub(super) fn push_parts(
    sql: &mut Sql,
    base: &'static str,
    v: &Viewer,
    f: &CustomerFilter,
    style: FilterStyle,
) {
    sql.push(base).push(" AND c.owner_id IS NOT NULL");
    push_viewer_scope(sql, v, false);
    push_filter_as(sql, f, style);
    if v.collaborates_outside() {
        sql.push(" UNION ALL ")
            .push(base)
            .push(" AND c.owner_id IS NOT NULL AND c.id IN (SELECT customer_id FROM customer_collaborators WHERE user_id = ")
            .bind(Arg::Uuid(v.user_id))
            .push(")");
        push_viewer_scope(sql, v, true);
        push_filter_as(sql, f, style);
    }
}

/// Appends the viewer's scope: owned customers inside their data scope, or ones they
/// collaborate on. Pool customers (no owner) are never in it; pools have their own reads.
fn push_viewer(sql: &mut Sql, v: &Viewer) {
    sql.push(" AND c.owner_id IS NOT NULL");
    if v.scope == RecordScope::All {
        return;
    }
    sql.push(" AND ((1=1");
    push_viewer_scope(sql, v, false);
    sql.push(") OR c.id IN (SELECT customer_id FROM customer_collaborators WHERE user_id = ")
        .bind(Arg::Uuid(v.user_id))
        .push("))");
}

/// The editable fields of a customer, already validated.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CustomerFields {
    pub name: String,
    pub name_key: String,
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
    /// The name's bigrams for the similar-name index.
    #[serde(skip)]
    pub grams: Vec<String>,
}

pub struct NewCustomer<'a> {
    pub id: Uuid,
    pub seq: i64,
    pub fields: &'a CustomerFields,
    pub owner_id: Uuid,
    pub unit_id: Uuid,
    pub created_by: Uuid,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, c: &NewCustomer<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO customers (id, seq, name, name_key, short_name, credit_code, type_code, level_code, status_code, \
         industry_code, source_code, province, city, district, address, lat, lon, owner_id, unit_id, pool_id, locked, notes, \
         owned_since, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, NULL, FALSE, $20, $21, $22, $21, $21, 1)";
    let f = c.fields;
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(c.id)
        .bind(c.seq)
        .bind(&f.name)
        .bind(&f.name_key)
        .bind(&f.short_name)
        .bind(&f.credit_code)
        .bind(&f.type_code)
        .bind(&f.level_code)
        .bind(&f.status_code)
        .bind(&f.industry_code)
        .bind(&f.source_code)
        .bind(&f.province)
        .bind(&f.city)
        .bind(&f.district)
        .bind(&f.address)
        .bind(f.lat)
        .bind(f.lon)
        .bind(c.owner_id)
        .bind(c.unit_id)
        .bind(&f.notes)
        .bind(c.now)
        .bind(c.created_by)
        .execute(x)
        .await?
        .rows_affected());
    set_grams(tx, c.id, &f.grams).await?;
    set_tags(tx, c.id, &f.tags).await
}

/// Saves edited fields if the customer is still at `version`.
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    f: &CustomerFields,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE customers SET name = $1, name_key = $2, short_name = $3, credit_code = $4, type_code = $5, \
         level_code = $6, status_code = $7, industry_code = $8, source_code = $9, province = $10, city = $11, district = $12, \
         address = $13, lat = $14, lon = $15, notes = $16, updated_at = $17, version = version + 1 WHERE id = $18 AND version = $19";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(&f.name)
        .bind(&f.name_key)
        .bind(&f.short_name)
        .bind(&f.credit_code)
        .bind(&f.type_code)
        .bind(&f.level_code)
        .bind(&f.status_code)
        .bind(&f.industry_code)
        .bind(&f.source_code)
        .bind(&f.province)
        .bind(&f.city)
        .bind(&f.district)
        .bind(&f.address)
        .bind(f.lat)
        .bind(f.lon)
        .bind(&f.notes)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(Error::Stale);
    }
    set_grams(tx, id, &f.grams).await?;
    set_tags(tx, id, &f.tags).await
}

/// Replaces a customer's name grams with `grams`, each taking the customer's unit, owner,
/// last follow-up and number from its row (one statement; a name has a few dozen
/// grams at most).
async fn set_grams(tx: &mut Tx, id: Uuid, grams: &[String]) -> Result<()> {
    let mut del = Sql::new("DELETE FROM customer_name_grams WHERE customer_id = ");
    del.bind(Arg::Uuid(id));
    del.execute(tx).await?;
    if grams.is_empty() {
        return Ok(());
    }
    // `column1` is the name both databases give a VALUES list's column.
    let mut sql = Sql::new(
        "INSERT INTO customer_name_grams (gram, customer_id, unit_id, owned, owner_id, last_followup_at, seq) \
         SELECT v.column1, c.id, c.unit_id, c.owner_id IS NOT NULL, c.owner_id, c.last_followup_at, c.seq \
         FROM (VALUES ",
    );
    for (i, g) in grams.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" })
            .bind(Arg::Text(g.clone()))
            .push(")");
    }
    sql.push(") AS v, customers c WHERE c.id = ")
        .bind(Arg::Uuid(id));
    sql.execute(tx).await?;
    Ok(())
}

/// One entry of the similar-name index as a load writes it, with its customer's unit,
/// whether someone owns it (migration 0023), last follow-up and number (0025) and owner (0026).
struct GramRow {
    gram: String,
    customer_id: Uuid,
    unit_id: Uuid,
    owner_id: Option<Uuid>,
    last_followup_at: Option<i64>,
    seq: i64,
}

/// A page of customers' names, name keys and short names in id order, after `after`: what a
/// change of the name rule re-derives.
pub async fn name_keys_after(
    tx: &mut Tx,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String, String, Option<String>)>> {
    let mut sql = Sql::new("SELECT id, name, name_key, short_name FROM customers");
    if let Some(a) = after {
        sql.push(" WHERE id > ").bind(Arg::Uuid(a));
    }
    sql.push(" ORDER BY id").limit(limit);
    sql.fetch_all(tx).await
}

/// Sets a customer's name key (and its grams, when given) as a newer rule derives them; the
/// record's version is not changed, as nothing a person wrote changed.
pub async fn rekey_name(
    tx: &mut Tx,
    id: Uuid,
    name_key: &str,
    grams: Option<&[String]>,
) -> Result<()> {
    let mut sql = Sql::new("UPDATE customers SET name_key = ");
    sql.bind(Arg::Text(name_key.to_owned()))
        .push(" WHERE id = ")
        .bind(Arg::Uuid(id));
    sql.execute(tx).await?;
    if let Some(g) = grams {
        set_grams(tx, id, g).await?;
    }
    Ok(())
}

/// Replaces a customer's tags with `tags`, by the bulk path the loads use.
async fn set_tags(tx: &mut Tx, id: Uuid, tags: &[String]) -> Result<()> {
    let mut del = Sql::new("DELETE FROM customer_tags WHERE customer_id = ");
    del.bind(Arg::Uuid(id));
    del.execute(tx).await?;
    let rows: Vec<(Uuid, String)> = tags.iter().map(|t| (id, t.clone())).collect();
    insert_tags(tx, &rows).await
}

async fn insert_grams(tx: &mut Tx, rows: &[GramRow]) -> Result<()> {
    insert_chunked(
        tx,
        "INSERT INTO customer_name_grams (gram, customer_id, unit_id, owned, owner_id, last_followup_at, seq) \
         VALUES ",
        rows,
        7,
        |sql, g| {
            tuple(
                sql,
                vec![
                    Arg::Text(g.gram.clone()),
                    Arg::Uuid(g.customer_id),
                    Arg::Uuid(g.unit_id),
                    Arg::Bool(g.owner_id.is_some()),
                    Arg::OptUuid(g.owner_id),
                    Arg::OptI64(g.last_followup_at),
                    Arg::I64(g.seq),
                ],
            )
        },
    )
    .await
}

async fn insert_tags(tx: &mut Tx, rows: &[(Uuid, String)]) -> Result<()> {
    insert_chunked(
        tx,
        "INSERT INTO customer_tags (customer_id, tag) VALUES ",
        rows,
        2,
        |sql, (id, t)| tuple(sql, vec![Arg::Uuid(*id), Arg::Text(t.clone())]),
    )
    .await
}

/// The tags of several customers at once (one query per page of a list).
pub async fn tags_of(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT customer_id, tag FROM customer_tags WHERE customer_id IN ");
    sql.bind_uuids(ids).push(" ORDER BY tag");
    sql.fetch_all(tx).await
}

/// One customer the viewer may see.
pub async fn get(tx: &mut Tx, v: &Viewer, id: Uuid) -> Result<Option<CustomerRow>> {
    let mut sql = Sql::new(SELECT);
    push_viewer(&mut sql, v);
    sql.push(" AND c.id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

/// A customer's page: the record, everything shown with it, and where the reader stands.
#[derive(Debug, Clone)]
pub struct CustomerPage {
    pub customer: CustomerRow,
    /// In the reader's scope (not only a collaborator).
    pub in_charge: bool,
    /// The reader's collaboration on it: whether they may edit; none when they are not one.
    pub collaboration: Option<bool>,
    /// Shared with the servers' memory of them (see [`page`]).
    pub lists: Arc<PageLists>,
}

impl CustomerPage {
    /// The page of `customer` with its lists as `reader` sees it: their collaboration and the
    /// primary contact are taken from the lists rather than read again.
    pub fn new(
        mut customer: CustomerRow,
        in_charge: bool,
        lists: Arc<PageLists>,
        reader: Uuid,
    ) -> CustomerPage {
        if let Some(k) = lists.contacts.iter().find(|k| k.is_primary) {
            customer.primary_contact = Some(k.name.clone());
            customer.primary_mobile = k.mobile.clone();
        }
        CustomerPage {
            customer,
            in_charge,
            collaboration: lists
                .collaborators
                .iter()
                .find(|k| k.user_id == reader)
                .map(|k| k.can_edit),
            lists,
        }
    }
}

/// The lists a customer's page shows beside the record.
#[derive(Debug, Clone, Default)]
pub struct PageLists {
    pub tags: Vec<String>,
    pub contacts: Vec<ContactRow>,
    pub collaborators: Vec<CollaboratorRow>,
    pub history: Vec<OwnerHistoryRow>,
    /// The definitions of the custom fields it has values of, and the values.
    pub fields: Vec<crate::custom_fields::CustomFieldRow>,
    pub values: Vec<crate::custom_fields::ValueRow>,
}

impl PageLists {
    /// Puts each list in the order the page shows it: tags by name; the primary contact first
    /// and those who left last, then by when they were added; collaborators by when they were
    /// added; ownership history newest first; fields by position; values by field. Done here
    /// rather than in SQL because an `ORDER BY` inside SQLite's `json_group_array` builds and
    /// drops a temporary b-tree per list on every read (a fifth of a record read's time), and
    /// because one rule keeps the one-statement read equal to a write's transaction read.
    pub fn put_in_order(&mut self) {
        self.tags.sort();
        self.contacts
            .sort_by_key(|k| (!k.is_primary, k.left_at.is_some(), k.created_at, k.id));
        self.collaborators.sort_by(|a, b| {
            (a.added_at, &a.display_name, a.user_id).cmp(&(b.added_at, &b.display_name, b.user_id))
        });
        self.history
            .sort_by_key(|h| std::cmp::Reverse((h.at, h.id)));
        self.fields.sort_by_key(|f| (f.position, f.id));
        self.values.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    }
}

#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    customer: CustomerRow,
    in_charge: bool,
    lists_revision: i64,
    lists: Option<String>,
}

/// One entry of a record read's lists, tagged by the list it belongs to. The lists come as
/// one JSON array from one subquery over a `UNION ALL` of the list tables: one aggregate to
/// start instead of seven (on PostgreSQL starting the plan's nodes cost more than running
/// them; a record read went from ~14,000 to ~23,000 statements/s in pgbench).
#[derive(serde::Deserialize)]
enum PageItem {
    #[serde(rename = "t")]
    Tag(String),
    #[serde(rename = "k")]
    Contact(ContactRow),
    #[serde(rename = "c")]
    Collaborator(CollaboratorRow),
    #[serde(rename = "h")]
    History(OwnerHistoryRow),
    /// A custom field value with its field's definition.
    #[serde(rename = "v")]
    Value(
        crate::custom_fields::ValueRow,
        crate::custom_fields::CustomFieldRow,
    ),
}

/// The page's lists. SQLite's JSON cannot hold a BLOB, so ids go as hex (`nullif` because
/// `hex(NULL)` is ''), its booleans are integers, so they are spelled, and a JSON value read
/// from a subquery is text again until `json()` makes it JSON.
const PAGE_LISTS_SQLITE: &str = "\
(SELECT json_group_array(json(x.j)) FROM ( \
 SELECT json_object('t', t.tag) AS j FROM customer_tags t WHERE t.customer_id = c.id \
 UNION ALL SELECT json_object('k', json_object('id', hex(k.id), 'customer_id', hex(k.customer_id), 'name', k.name, \
 'title', k.title, 'role', k.role, 'mobile', k.mobile, 'phone', k.phone, 'email', k.email, 'wechat', k.wechat, \
 'birthday', k.birthday, 'is_primary', json(iif(k.is_primary, 'true', 'false')), 'left_at', k.left_at, \
 'created_at', k.created_at, 'updated_at', k.updated_at, 'version', k.version)) \
 FROM customer_contacts k WHERE k.customer_id = c.id \
 UNION ALL SELECT json_object('c', json_object('user_id', hex(k.user_id), 'display_name', u.display_name, \
 'can_edit', json(iif(k.can_edit, 'true', 'false')), 'added_at', k.added_at)) \
 FROM customer_collaborators k JOIN users u ON u.id = k.user_id WHERE k.customer_id = c.id \
 UNION ALL SELECT json_object('h', json_object('id', hex(h.id), 'customer_id', hex(h.customer_id), 'change', h.change, \
 'from_owner', nullif(hex(h.from_owner), ''), 'from_owner_name', f.display_name, \
 'to_owner', nullif(hex(h.to_owner), ''), 'to_owner_name', t.display_name, \
 'from_pool', nullif(hex(h.from_pool), ''), 'to_pool', nullif(hex(h.to_pool), ''), 'reason', h.reason, \
 'by_user', nullif(hex(h.by_user), ''), 'by_name', b.display_name, 'at', h.at)) \
 FROM customer_owner_history h LEFT JOIN users f ON f.id = h.from_owner LEFT JOIN users t ON t.id = h.to_owner \
 LEFT JOIN users b ON b.id = h.by_user WHERE h.customer_id = c.id \
 UNION ALL SELECT json_object('v', json_array(json_array(hex(v.customer_id), hex(v.field_id), v.value_text, v.value_num), \
 json_object('id', hex(d.id), 'entity', d.entity, 'code', d.code, 'label', d.label, \
 'kind', d.kind, 'options_json', d.options_json, 'required', json(iif(d.required, 'true', 'false')), \
 'position', d.position, 'active', json(iif(d.active, 'true', 'false')), 'created_at', d.created_at, \
 'updated_at', d.updated_at, 'version', d.version))) \
 FROM customer_field_values v JOIN custom_fields d ON d.id = v.field_id WHERE v.customer_id = c.id \
) x)";

const PAGE_LISTS_POSTGRES: &str = "\
(SELECT COALESCE(json_agg(x.j), '[]')::text FROM ( \
 SELECT json_build_object('t', t.tag) AS j FROM customer_tags t WHERE t.customer_id = c.id \
 UNION ALL SELECT json_build_object('k', json_build_object('id', k.id, 'customer_id', k.customer_id, 'name', k.name, \
 'title', k.title, 'role', k.role, 'mobile', k.mobile, 'phone', k.phone, 'email', k.email, 'wechat', k.wechat, \
 'birthday', k.birthday, 'is_primary', k.is_primary, 'left_at', k.left_at, \
 'created_at', k.created_at, 'updated_at', k.updated_at, 'version', k.version)) \
 FROM customer_contacts k WHERE k.customer_id = c.id \
 UNION ALL SELECT json_build_object('c', json_build_object('user_id', k.user_id, 'display_name', u.display_name, \
 'can_edit', k.can_edit, 'added_at', k.added_at)) \
 FROM customer_collaborators k JOIN users u ON u.id = k.user_id WHERE k.customer_id = c.id \
 UNION ALL SELECT json_build_object('h', json_build_object('id', h.id, 'customer_id', h.customer_id, 'change', h.change, \
 'from_owner', h.from_owner, 'from_owner_name', f.display_name, 'to_owner', h.to_owner, \
 'to_owner_name', t.display_name, 'from_pool', h.from_pool, 'to_pool', h.to_pool, 'reason', h.reason, \
 'by_user', h.by_user, 'by_name', b.display_name, 'at', h.at)) \
 FROM customer_owner_history h LEFT JOIN users f ON f.id = h.from_owner LEFT JOIN users t ON t.id = h.to_owner \
 LEFT JOIN users b ON b.id = h.by_user WHERE h.customer_id = c.id \
 UNION ALL SELECT json_build_object('v', json_build_array(json_build_array(v.customer_id, v.field_id, v.value_text, v.value_num), \
 json_build_object('id', d.id, 'entity', d.entity, 'code', d.code, 'label', d.label, \
 'kind', d.kind, 'options_json', d.options_json, 'required', d.required, 'position', d.position, \
 'active', d.active, 'created_at', d.created_at, 'updated_at', d.updated_at, 'version', d.version))) \
 FROM customer_field_values v JOIN custom_fields d ON d.id = v.field_id WHERE v.customer_id = c.id \
) x)";

/// A record read: the customer, whether the reader is in charge of it, and its lists when
/// asked for.
pub struct PageRead {
    pub customer: CustomerRow,
    pub in_charge: bool,
    /// Bumped by every change of the lists, in the same transaction (migration 0029); 0
    /// until the first change after the customer was created.
    pub lists_revision: i64,
    pub lists: Option<PageLists>,
}

/// One customer the viewer may see with everything its page shows, in one statement run
/// outside a transaction (one statement is one snapshot): a record read is one round trip
/// where the record, its lists and the reader's standing were nine. `charge` is the reader's
/// scope without collaborations. Without `with_lists` the statement leaves the lists out
/// altogether, and reads one row: a caller that holds the lists of the revision it gets
/// needs no more. (Leaving them out of the statement, not skipping them inside it: starting
/// the lists' plan nodes costs a PostgreSQL read as much as running them.)
pub async fn page(
    db: &crate::Db,
    v: &Viewer,
    charge: &RecordScope,
    id: Uuid,
    with_lists: bool,
) -> Result<Option<PageRead>> {
    let mut sql = Sql::new("SELECT (1=1");
    push_scope_cond(&mut sql, charge, false);
    sql.push(
        ") AS in_charge, COALESCE((SELECT r.revision FROM customer_list_revisions r \
         WHERE r.customer_id = c.id), 0) AS lists_revision, ",
    );
    if with_lists {
        sql.push_dialect(PAGE_LISTS_SQLITE, PAGE_LISTS_POSTGRES);
    } else {
        sql.push("NULL");
    }
    sql.push(" AS lists, ").push(row_with_primary_from!(
        "NULL AS primary_contact, NULL AS primary_mobile, "
    ));
    push_viewer(&mut sql, v);
    sql.push(" AND c.id = ").bind(Arg::Uuid(id));
    let Some(r) = sql.fetch_optional_on::<PageRow>(db).await? else {
        return Ok(None);
    };
    let lists = match r.lists {
        Some(json) => Some(page_lists(&json)?),
        None => None,
    };
    Ok(Some(PageRead {
        customer: r.customer,
        in_charge: r.in_charge,
        lists_revision: r.lists_revision,
        lists,
    }))
}

/// The lists from the page statement's JSON, in the order the page shows them.
fn page_lists(json: &str) -> Result<PageLists> {
    let items: Vec<PageItem> = serde_json::from_str(json).map_err(|e| {
        Error::Db(sqlx::Error::Decode(
            format!("a customer's lists: {e}").into(),
        ))
    })?;
    let mut lists = PageLists::default();
    for item in items {
        match item {
            PageItem::Tag(t) => lists.tags.push(t),
            PageItem::Contact(k) => lists.contacts.push(k),
            PageItem::Collaborator(k) => lists.collaborators.push(k),
            PageItem::History(h) => lists.history.push(h),
            PageItem::Value(value, field) => {
                if field.entity == "customer" && !lists.fields.iter().any(|f| f.id == field.id) {
                    lists.fields.push(field);
                }
                lists.values.push(value);
            }
        }
    }
    lists.put_in_order();
    Ok(lists)
}

/// Which of `ids` the viewer may see (the duplicate check masks the others).
pub async fn visible_ids(tx: &mut Tx, v: &Viewer, ids: &[Uuid]) -> Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT c.id FROM customers c WHERE 1=1");
    push_viewer(&mut sql, v);
    sql.push(" AND c.id IN ").bind_uuids(ids);
    let rows: Vec<(Uuid,)> = sql.fetch_all(tx).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One customer whoever may see it: for pools, the duplicate check and rule checks.
pub async fn get_any(tx: &mut Tx, id: Uuid) -> Result<Option<CustomerRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" AND c.id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

/// Several customers whoever may see them (the caller has checked the scope).
pub async fn rows_by_ids(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<CustomerRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(200) {
        let mut sql = Sql::new(SELECT);
        sql.push(" AND c.id IN ").bind_uuids(chunk);
        out.extend(sql.fetch_all(tx).await?);
    }
    Ok(out)
}

/// Moves everything recorded about `from` to `into` (合并): contacts (keeping one primary),
/// follow-ups, the owner history, team members and tags; then deletes `from` if it is still at
/// `from_version`. Its name grams and remaining rows go with it.
pub async fn merge_into(tx: &mut Tx, from: Uuid, from_version: i64, into: Uuid) -> Result<()> {
    let mut sql = Sql::new("UPDATE customer_contacts SET is_primary = FALSE WHERE customer_id = ");
    sql.bind(Arg::Uuid(from))
        .push(" AND EXISTS (SELECT 1 FROM customer_contacts k WHERE k.customer_id = ")
        .bind(Arg::Uuid(into))
        .push(" AND k.is_primary)");
    sql.execute(tx).await?;
    for update in [
        "UPDATE customer_contacts SET customer_id = ",
        "UPDATE customer_followups SET customer_id = ",
        "UPDATE customer_owner_history SET customer_id = ",
        "UPDATE customer_attachments SET customer_id = ",
    ] {
        let mut sql = Sql::new(update);
        sql.bind(Arg::Uuid(into))
            .push(" WHERE customer_id = ")
            .bind(Arg::Uuid(from));
        sql.execute(tx).await?;
    }
    let mut sql = Sql::new(
        "INSERT INTO customer_collaborators (customer_id, user_id, can_edit, added_at) SELECT ",
    );
    sql.bind(Arg::Uuid(into))
        .push(", d.user_id, d.can_edit, d.added_at FROM customer_collaborators d WHERE d.customer_id = ")
        .bind(Arg::Uuid(from))
        .push(" AND d.user_id NOT IN (SELECT user_id FROM customer_collaborators WHERE customer_id = ")
        .bind(Arg::Uuid(into))
        .push(") AND d.user_id NOT IN (SELECT owner_id FROM customers WHERE id = ")
        .bind(Arg::Uuid(into))
        .push(" AND owner_id IS NOT NULL)");
    sql.execute(tx).await?;
    let mut sql = Sql::new("INSERT INTO customer_tags (customer_id, tag) SELECT ");
    sql.bind(Arg::Uuid(into))
        .push(", d.tag FROM customer_tags d WHERE d.customer_id = ")
        .bind(Arg::Uuid(from))
        .push(" AND d.tag NOT IN (SELECT tag FROM customer_tags WHERE customer_id = ")
        .bind(Arg::Uuid(into))
        .push(")");
    sql.execute(tx).await?;
    // The similar-name index has no foreign key on PostgreSQL (migration 0014).
    let mut sql = Sql::new("DELETE FROM customer_name_grams WHERE customer_id = ");
    sql.bind(Arg::Uuid(from));
    sql.execute(tx).await?;
    let mut sql = Sql::new("DELETE FROM customers WHERE id = ");
    sql.bind(Arg::Uuid(from))
        .push(" AND version = ")
        .bind(Arg::I64(from_version));
    if sql.execute(tx).await? != 1 {
        return Err(Error::Stale);
    }
    Ok(())
}

/// Sets the times of the last and next contact (a merge keeps the later last contact and the
/// earlier next one).
pub async fn set_followup_times(
    tx: &mut Tx,
    id: Uuid,
    last: Option<i64>,
    next: Option<i64>,
) -> Result<()> {
    let mut sql = Sql::new("UPDATE customers SET last_followup_at = ");
    sql.bind(Arg::OptI64(last))
        .push(", next_followup_at = ")
        .bind(Arg::OptI64(next))
        .push(" WHERE id = ")
        .bind(Arg::Uuid(id));
    sql.execute(tx).await?;
    Ok(())
}

/// Clears a customer's unique keys (before another record of it takes them over).
pub async fn clear_unique_keys(tx: &mut Tx, id: Uuid) -> Result<()> {
    let mut sql =
        Sql::new("UPDATE customers SET credit_code = NULL, external_id = NULL WHERE id = ");
    sql.bind(Arg::Uuid(id));
    sql.execute(tx).await?;
    Ok(())
}

/// Records the id a customer has in the system it was imported from.
pub async fn set_external_id(tx: &mut Tx, id: Uuid, external_id: &str) -> Result<()> {
    let mut sql = Sql::new("UPDATE customers SET external_id = ");
    sql.bind(Arg::Text(external_id.to_owned()))
        .push(" WHERE id = ")
        .bind(Arg::Uuid(id));
    sql.execute(tx).await?;
    Ok(())
}

/// Whether `user_id` collaborates on the customer, and with edit rights.
pub async fn collaboration(tx: &mut Tx, customer_id: Uuid, user_id: Uuid) -> Result<Option<bool>> {
    const SQL: &str =
        "SELECT can_edit FROM customer_collaborators WHERE customer_id = $1 AND user_id = $2";
    Ok(on_tx!(tx, |x| sqlx::query_scalar(SQL)
        .bind(customer_id)
        .bind(user_id)
        .fetch_optional(x)
        .await?))
}

pub use listing::*;

/// Whether the per-unit counts agree with the customers (for `salesdesk check`).
pub async fn invariant_problems(tx: &mut Tx) -> Result<Vec<String>> {
    let sql = Sql::new(
        "SELECT COUNT(*) FROM (SELECT c.unit_id, COUNT(*) AS n FROM customers c WHERE c.owner_id IS NOT NULL \
         GROUP BY c.unit_id) a FULL OUTER JOIN customer_unit_counts k ON k.unit_id = a.unit_id \
         WHERE COALESCE(a.n, 0) <> COALESCE(k.owned, 0)",
    );
    let wrong = sql.fetch_count(tx).await?;
    let mut out = Vec::new();
    if wrong > 0 {
        out.push(format!(
            "customer counts disagree with the customers in {wrong} units"
        ));
    }
    let mut scopes = Sql::new(
        "SELECT COUNT(*) FROM customer_field_values v JOIN customers c ON c.id = v.customer_id \
         WHERE v.unit_id IS NULL OR v.unit_id <> c.unit_id \
         OR (v.owner_id IS NULL) <> (c.owner_id IS NULL) OR v.owner_id <> c.owner_id \
         OR v.seq <> c.seq OR v.last_followup_at ",
    );
    scopes
        .push_dialect("IS NOT", "IS DISTINCT FROM")
        .push(" c.last_followup_at");
    let scopes = scopes.fetch_count(tx).await?;
    if scopes > 0 {
        out.push(format!(
            "{scopes} custom field values disagree with their customer's unit, owner, last \
             follow-up or number"
        ));
    }
    let mut gram_scopes = Sql::new(
        "SELECT COUNT(*) FROM customer_name_grams g JOIN customers c ON c.id = g.customer_id \
         WHERE g.unit_id IS NULL OR g.unit_id <> c.unit_id OR g.owned <> (c.owner_id IS NOT NULL) \
         OR g.seq <> c.seq OR g.last_followup_at ",
    );
    gram_scopes
        .push_dialect("IS NOT", "IS DISTINCT FROM")
        .push(" c.last_followup_at OR g.owner_id ")
        .push_dialect("IS NOT", "IS DISTINCT FROM")
        .push(" c.owner_id");
    let gram_scopes = gram_scopes.fetch_count(tx).await?;
    if gram_scopes > 0 {
        out.push(format!(
            "{gram_scopes} name grams disagree with their customer's unit, owner, last \
             follow-up or number"
        ));
    }
    let orphans = Sql::new(
        "SELECT COUNT(*) FROM customer_name_grams g WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = g.customer_id)",
    )
    .fetch_count(tx)
    .await?;
    if orphans > 0 {
        out.push(format!(
            "{orphans} name grams belong to no customer (the similar-name index)"
        ));
    }
    Ok(out)
}

// ---- owner changes ------------------------------------------------------------------------

/// Where a customer goes: to an owner (in their unit) or into a pool (in the pool's unit).
pub enum Holder {
    Owner { user_id: Uuid, unit_id: Uuid },
    Pool { pool_id: Uuid, unit_id: Uuid },
}

/// Moves a customer to `to` if it is still held as `from` says (an owner, or a pool when
/// `from` is None with `from_pool`). Returns false when someone else changed it first:
/// of twenty reps claiming one pool customer at once, exactly one sees `true`.
pub async fn move_customer(
    tx: &mut Tx,
    id: Uuid,
    from_owner: Option<Uuid>,
    from_pool: Option<Uuid>,
    to: &Holder,
    now: i64,
) -> Result<bool> {
    let mut sql = Sql::new("UPDATE customers SET ");
    match to {
        Holder::Owner { user_id, unit_id } => {
            sql.push("owner_id = ")
                .bind(Arg::Uuid(*user_id))
                .push(", unit_id = ")
                .bind(Arg::Uuid(*unit_id))
                .push(", pool_id = NULL, owned_since = ")
                .bind(Arg::I64(now));
        }
        Holder::Pool { pool_id, unit_id } => {
            sql.push("owner_id = NULL, locked = FALSE, owned_since = NULL, pool_id = ")
                .bind(Arg::Uuid(*pool_id))
                .push(", unit_id = ")
                .bind(Arg::Uuid(*unit_id));
        }
    }
    sql.push(", updated_at = ")
        .bind(Arg::I64(now))
        .push(", version = version + 1 WHERE id = ")
        .bind(Arg::Uuid(id));
    match (from_owner, from_pool) {
        (Some(o), _) => {
            sql.push(" AND owner_id = ").bind(Arg::Uuid(o));
        }
        (None, Some(p)) => {
            sql.push(" AND pool_id = ").bind(Arg::Uuid(p));
        }
        (None, None) => return Err(Error::NotFound),
    }
    Ok(sql.execute(tx).await? == 1)
}

pub async fn set_locked(tx: &mut Tx, id: Uuid, version: i64, locked: bool, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE customers SET locked = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4 AND owner_id IS NOT NULL";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(locked)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

/// Customers follow their owner when the owner moves to another unit.
pub async fn follow_owner_unit(tx: &mut Tx, owner_id: Uuid, unit_id: Uuid) -> Result<u64> {
    const SQL: &str = "UPDATE customers SET unit_id = $1 WHERE owner_id = $2 AND unit_id <> $1";
    Ok(on_tx!(tx, |x| sqlx::query(SQL)
        .bind(unit_id)
        .bind(owner_id)
        .execute(x)
        .await?
        .rows_affected()))
}

#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct OwnerHistoryRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub change: String,
    pub from_owner: Option<Uuid>,
    pub from_owner_name: Option<String>,
    pub to_owner: Option<Uuid>,
    pub to_owner_name: Option<String>,
    pub from_pool: Option<Uuid>,
    pub to_pool: Option<Uuid>,
    pub reason: Option<String>,
    pub by_user: Option<Uuid>,
    pub by_name: Option<String>,
    pub at: i64,
}

pub struct NewOwnerChange<'a> {
    pub customer_id: Uuid,
    pub change: &'a str,
    pub from_owner: Option<Uuid>,
    pub to_owner: Option<Uuid>,
    pub from_pool: Option<Uuid>,
    pub to_pool: Option<Uuid>,
    pub reason: Option<&'a str>,
    pub by_user: Option<Uuid>,
    pub at: i64,
}

pub async fn insert_owner_change(tx: &mut Tx, h: &NewOwnerChange<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_owner_history (id, customer_id, change, from_owner, to_owner, from_pool, to_pool, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(Uuid::now_v7())
        .bind(h.customer_id)
        .bind(h.change)
        .bind(h.from_owner)
        .bind(h.to_owner)
        .bind(h.from_pool)
        .bind(h.to_pool)
        .bind(h.reason)
        .bind(h.by_user)
        .bind(h.at)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn owner_history(tx: &mut Tx, customer_id: Uuid) -> Result<Vec<OwnerHistoryRow>> {
    const SQL: &str = "SELECT h.id, h.customer_id, h.change, h.from_owner, f.display_name AS from_owner_name, h.to_owner, \
         t.display_name AS to_owner_name, h.from_pool, h.to_pool, h.reason, h.by_user, b.display_name AS by_name, h.at \
         FROM customer_owner_history h LEFT JOIN users f ON f.id = h.from_owner LEFT JOIN users t ON t.id = h.to_owner \
         LEFT JOIN users b ON b.id = h.by_user WHERE h.customer_id = $1 ORDER BY h.at DESC, h.id DESC";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(customer_id)
        .fetch_all(x)
        .await?))
}

/// When `user_id` last gave this customer up (returned, transferred away, reclaimed).
pub async fn last_released_by(
    tx: &mut Tx,
    customer_id: Uuid,
    user_id: Uuid,
) -> Result<Option<i64>> {
    const SQL: &str =
        "SELECT MAX(at) FROM customer_owner_history WHERE customer_id = $1 AND from_owner = $2";
    Ok(on_tx!(tx, |x| sqlx::query_scalar(SQL)
        .bind(customer_id)
        .bind(user_id)
        .fetch_one(x)
        .await?))
}

/// How many customers a user claimed from pools since `since`.
pub async fn claims_since(tx: &mut Tx, user_id: Uuid, since: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM customer_owner_history WHERE by_user = $1 AND change = 'claimed' AND at >= $2";
    Ok(on_tx!(tx, |x| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(since)
        .fetch_one(x)
        .await?))
}

/// How many customers a user owns, of one level or (None) of all levels.
pub async fn count_owned(tx: &mut Tx, owner: Uuid, level: Option<&str>) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM customers WHERE owner_id = ");
    sql.bind(Arg::Uuid(owner));
    if let Some(l) = level {
        sql.push(" AND level_code = ").bind(Arg::Text(l.to_owned()));
    }
    sql.fetch_count(tx).await
}

pub async fn count_locked(tx: &mut Tx, owner: Uuid, level: Option<&str>) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM customers WHERE locked AND owner_id = ");
    sql.bind(Arg::Uuid(owner));
    if let Some(l) = level {
        sql.push(" AND level_code = ").bind(Arg::Text(l.to_owned()));
    }
    sql.fetch_count(tx).await
}

/// The ids of every customer a user owns (a handover moves them all).
pub async fn owned_ids(tx: &mut Tx, owner: Uuid) -> Result<Vec<Uuid>> {
    const SQL: &str = "SELECT id FROM customers WHERE owner_id = $1 ORDER BY seq";
    Ok(on_tx!(tx, |x| sqlx::query_scalar(SQL)
        .bind(owner)
        .fetch_all(x)
        .await?))
}

// ---- collaborators ------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct CollaboratorRow {
    pub user_id: Uuid,
    pub display_name: String,
    pub can_edit: bool,
    pub added_at: i64,
}

pub async fn collaborators(tx: &mut Tx, customer_id: Uuid) -> Result<Vec<CollaboratorRow>> {
    const SQL: &str = "SELECT k.user_id, u.display_name, k.can_edit, k.added_at FROM customer_collaborators k \
         JOIN users u ON u.id = k.user_id WHERE k.customer_id = $1 ORDER BY k.added_at, u.display_name";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(customer_id)
        .fetch_all(x)
        .await?))
}

pub async fn set_collaborators(
    tx: &mut Tx,
    customer_id: Uuid,
    members: &[(Uuid, bool)],
    now: i64,
) -> Result<()> {
    on_tx!(tx, |x| sqlx::query(
        "DELETE FROM customer_collaborators WHERE customer_id = $1"
    )
    .bind(customer_id)
    .execute(x)
    .await?
    .rows_affected());
    for (user, edit) in members {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO customer_collaborators (customer_id, user_id, can_edit, added_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(customer_id)
        .bind(user)
        .bind(edit)
        .bind(now)
        .execute(x)
        .await?
        .rows_affected()
        });
    }
    Ok(())
}

/// Removes one person from a customer's team (a transfer drops the new owner from it).
pub async fn remove_collaborator(tx: &mut Tx, customer_id: Uuid, user_id: Uuid) -> Result<()> {
    on_tx!(tx, |x| sqlx::query(
        "DELETE FROM customer_collaborators WHERE customer_id = $1 AND user_id = $2"
    )
    .bind(customer_id)
    .bind(user_id)
    .execute(x)
    .await?
    .rows_affected());
    Ok(())
}

// ---- contacts -----------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct ContactRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub role: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub birthday: Option<String>,
    pub is_primary: bool,
    pub left_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ContactFields {
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

pub async fn contacts(tx: &mut Tx, customer_id: Uuid) -> Result<Vec<ContactRow>> {
    const SQL: &str = "SELECT id, customer_id, name, title, role, mobile, phone, email, wechat, birthday, is_primary, left_at, \
         created_at, updated_at, version FROM customer_contacts WHERE customer_id = $1 \
         ORDER BY is_primary DESC, left_at IS NOT NULL, created_at";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(customer_id)
        .fetch_all(x)
        .await?))
}

/// The contacts of several customers.
pub async fn contacts_of_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<ContactRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(200) {
        let mut sql = Sql::new(
            "SELECT id, customer_id, name, title, role, mobile, phone, email, wechat, birthday, is_primary, left_at, \
             created_at, updated_at, version FROM customer_contacts WHERE customer_id IN ",
        );
        sql.bind_uuids(chunk).push(" ORDER BY created_at");
        out.extend(sql.fetch_all(tx).await?);
    }
    Ok(out)
}

/// Makes no contact of the customer primary (before another one becomes it).
pub async fn clear_primary(tx: &mut Tx, customer_id: Uuid) -> Result<()> {
    on_tx!(tx, |x| sqlx::query(
        "UPDATE customer_contacts SET is_primary = FALSE WHERE customer_id = $1 AND is_primary"
    )
    .bind(customer_id)
    .execute(x)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn insert_contact(
    tx: &mut Tx,
    id: Uuid,
    customer_id: Uuid,
    f: &ContactFields,
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_contacts (id, customer_id, name, title, role, mobile, phone, email, wechat, birthday, \
         is_primary, left_at, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(id)
        .bind(customer_id)
        .bind(&f.name)
        .bind(&f.title)
        .bind(&f.role)
        .bind(&f.mobile)
        .bind(&f.phone)
        .bind(&f.email)
        .bind(&f.wechat)
        .bind(&f.birthday)
        .bind(f.is_primary)
        .bind(f.left.then_some(now))
        .bind(now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn update_contact(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    f: &ContactFields,
    now: i64,
) -> Result<()> {
    // A contact marked as left keeps the day they were first marked.
    const SQL: &str = "UPDATE customer_contacts SET name = $1, title = $2, role = $3, mobile = $4, phone = $5, email = $6, \
         wechat = $7, birthday = $8, is_primary = $9, left_at = CASE WHEN $10 THEN COALESCE(left_at, $11) ELSE NULL END, \
         updated_at = $11, version = version + 1 WHERE id = $12 AND version = $13";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(&f.name)
        .bind(&f.title)
        .bind(&f.role)
        .bind(&f.mobile)
        .bind(&f.phone)
        .bind(&f.email)
        .bind(&f.wechat)
        .bind(&f.birthday)
        .bind(f.is_primary)
        .bind(f.left)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

// ---- follow-ups ---------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct FollowupRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub method: String,
    pub content: String,
    pub contact_ids: String,
    pub happened_at: i64,
    pub next_at: Option<i64>,
    pub next_step: Option<String>,
    pub created_at: i64,
}

pub struct NewFollowup<'a> {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Uuid,
    pub method: &'a str,
    pub content: &'a str,
    pub contact_ids: &'a [Uuid],
    pub happened_at: i64,
    pub next_at: Option<i64>,
    pub next_step: Option<&'a str>,
    pub now: i64,
}

/// Records a follow-up and moves the customer's last/next follow-up times forward (never
/// back: a follow-up entered late for last week does not hide this week's).
pub async fn insert_followup(tx: &mut Tx, f: &NewFollowup<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_followups (id, customer_id, author_id, method, content, contact_ids, happened_at, \
         next_at, next_step, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let ids = serde_json::to_string(f.contact_ids).unwrap_or_else(|_| "[]".into());
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(f.id)
        .bind(f.customer_id)
        .bind(f.author_id)
        .bind(f.method)
        .bind(f.content)
        .bind(&ids)
        .bind(f.happened_at)
        .bind(f.next_at)
        .bind(f.next_step)
        .bind(f.now)
        .execute(x)
        .await?
        .rows_affected());
    const TOUCH: &str = "UPDATE customers SET \
         last_followup_at = CASE WHEN last_followup_at IS NULL OR last_followup_at < $1 THEN $1 ELSE last_followup_at END, \
         next_followup_at = CASE WHEN last_followup_at IS NULL OR last_followup_at <= $1 THEN $2 ELSE next_followup_at END \
         WHERE id = $3";
    on_tx!(tx, |x| sqlx::query(TOUCH)
        .bind(f.happened_at)
        .bind(f.next_at)
        .bind(f.customer_id)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn followups(
    tx: &mut Tx,
    customer_id: Uuid,
    page: Page,
) -> Result<(Vec<FollowupRow>, i64)> {
    let mut sql = Sql::new(
        "SELECT f.id, f.customer_id, f.author_id, u.display_name AS author_name, f.method, f.content, f.contact_ids, \
         f.happened_at, f.next_at, f.next_step, f.created_at FROM customer_followups f JOIN users u ON u.id = f.author_id \
         WHERE f.customer_id = ",
    );
    sql.bind(Arg::Uuid(customer_id))
        .push(" ORDER BY f.happened_at DESC, f.id DESC");
    sql.page(page);
    let rows = sql.fetch_all(tx).await?;
    let mut count = Sql::new("SELECT COUNT(*) FROM customer_followups WHERE customer_id = ");
    count.bind(Arg::Uuid(customer_id));
    Ok((rows, count.fetch_count(tx).await?))
}

// ---- duplicate check ----------------------------------------------------------------------

/// A customer the duplicate check found, with what it needs to mask or show it.
#[derive(Debug, Clone, FromRow)]
pub struct DuplicateCandidate {
    pub id: Uuid,
    pub name: String,
    pub credit_code: Option<String>,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub pool_name: Option<String>,
}

const CANDIDATE: &str = "SELECT c.id, c.name, c.credit_code, c.owner_id, o.display_name AS owner_name, p.name AS pool_name \
     FROM customers c LEFT JOIN users o ON o.id = c.owner_id LEFT JOIN customer_pools p ON p.id = c.pool_id WHERE 1=1";

pub async fn by_credit_code(tx: &mut Tx, code: &str) -> Result<Vec<DuplicateCandidate>> {
    let mut sql = Sql::new(CANDIDATE);
    sql.push(" AND c.credit_code = ")
        .bind(Arg::Text(code.to_owned()));
    sql.fetch_all(tx).await
}

pub async fn by_name_key(tx: &mut Tx, key: &str) -> Result<Vec<DuplicateCandidate>> {
    let mut sql = Sql::new(CANDIDATE);
    sql.push(" AND c.name_key = ")
        .bind(Arg::Text(key.to_owned()))
        .push(" ORDER BY c.seq LIMIT 20");
    sql.fetch_all(tx).await
}

/// How many customers' names hold each gram, counted up to `cap` (a gram held by more is
/// common: it says little about which customer a name means, and is costly to look through).
/// One statement per 100 grams, each gram's count stopping at `cap`. With `before`, only
/// customers whose (time-ordered) id is lower count: those there were before an import.
pub async fn gram_frequencies(
    tx: &mut Tx,
    grams: &[String],
    cap: i64,
    before: Option<Uuid>,
) -> Result<Vec<i64>> {
    let mut out = vec![0; grams.len()];
    for (batch, part) in grams.chunks(100).enumerate() {
        let mut sql = Sql::new("");
        for (i, g) in part.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT ")
                .bind(Arg::I64((batch * 100 + i) as i64))
                .push(" AS i, COUNT(*) AS n FROM (SELECT 1 FROM customer_name_grams WHERE gram = ")
                .bind(Arg::Text(g.clone()));
            if let Some(b) = before {
                sql.push(" AND customer_id < ").bind(Arg::Uuid(b));
            }
            sql.push(" LIMIT ").bind(Arg::I64(cap)).push(") AS g");
        }
        let counts: Vec<(i64, i64)> = sql.fetch_all(tx).await?;
        for (i, n) in counts {
            out[i as usize] = n;
        }
    }
    Ok(out)
}

/// Which customers' names hold each of `grams` (the postings of the similar-name index):
/// (gram, customer), of customers whose (time-ordered) id is below `before`. Meant for
/// grams known to be rare.
pub async fn gram_postings(
    tx: &mut Tx,
    grams: &[String],
    before: Uuid,
) -> Result<Vec<(String, Uuid)>> {
    let mut out = Vec::new();
    for part in grams.chunks(1000) {
        let mut sql = Sql::new("SELECT gram, customer_id FROM customer_name_grams WHERE gram IN ");
        sql.bind_texts(part)
            .push(" AND customer_id < ")
            .bind(Arg::Uuid(before));
        out.extend(sql.fetch_all::<(String, Uuid)>(tx).await?);
    }
    Ok(out)
}

/// The duplicate-check view of the given customers.
pub async fn duplicate_candidates(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<DuplicateCandidate>> {
    let mut out = Vec::new();
    for part in ids.chunks(1000) {
        let mut sql = Sql::new(CANDIDATE);
        sql.push(" AND c.id IN ");
        sql.bind_uuids(part);
        out.extend(sql.fetch_all::<DuplicateCandidate>(tx).await?);
    }
    Ok(out)
}

/// Customers sharing at least `min_shared` of `grams` with a name, most shared first.
pub async fn by_grams(
    tx: &mut Tx,
    grams: &[String],
    min_shared: i64,
    limit: i64,
) -> Result<Vec<DuplicateCandidate>> {
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(CANDIDATE);
    sql.push(" AND c.id IN (SELECT customer_id FROM customer_name_grams WHERE gram IN ");
    sql.bind_texts(grams)
        .push(" GROUP BY customer_id HAVING COUNT(*) >= ")
        .bind(Arg::I64(min_shared))
        .push(" ORDER BY COUNT(*) DESC")
        .limit(limit)
        .push(")");
    sql.fetch_all(tx).await
}

pub async fn by_contact_mobiles(
    tx: &mut Tx,
    mobiles: &[String],
) -> Result<Vec<DuplicateCandidate>> {
    if mobiles.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(CANDIDATE);
    sql.push(" AND c.id IN (SELECT customer_id FROM customer_contacts WHERE mobile IN ");
    sql.bind_texts(mobiles).push(") ORDER BY c.seq LIMIT 20");
    sql.fetch_all(tx).await
}

// ---- pick lists and limits ----------------------------------------------------------------

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct OptionRow {
    pub kind: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub sort_order: i64,
    pub active: bool,
}

pub async fn options(tx: &mut Tx) -> Result<Vec<OptionRow>> {
    const SQL: &str = "SELECT kind, code, name, name_en, sort_order, active FROM customer_options ORDER BY kind, sort_order, code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}

/// Adds a pick-list entry unless its code exists (first start, and upgrades adding entries).
pub async fn ensure_option(
    tx: &mut Tx,
    kind: &str,
    code: &str,
    name: &str,
    name_en: &str,
    sort_order: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_options (kind, code, name, name_en, sort_order, active) VALUES ($1, $2, $3, $4, $5, TRUE) \
         ON CONFLICT (kind, code) DO NOTHING";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(kind)
        .bind(code)
        .bind(name)
        .bind(name_en)
        .bind(sort_order)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(Debug, Clone, FromRow, serde::Serialize, PartialEq, Eq)]
pub struct LimitRow {
    pub level_code: String,
    pub max_owned: Option<i64>,
    pub max_locked: Option<i64>,
}

pub async fn limits(tx: &mut Tx) -> Result<Vec<LimitRow>> {
    const SQL: &str =
        "SELECT level_code, max_owned, max_locked FROM customer_limits ORDER BY level_code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}

pub async fn set_limits(tx: &mut Tx, rows: &[LimitRow], now: i64) -> Result<()> {
    on_tx!(tx, |x| sqlx::query("DELETE FROM customer_limits")
        .execute(x)
        .await?
        .rows_affected());
    for r in rows {
        on_tx!(tx, |x| {
            sqlx::query(
            "INSERT INTO customer_limits (level_code, max_owned, max_locked, updated_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(&r.level_code)
        .bind(r.max_owned)
        .bind(r.max_locked)
        .bind(now)
        .execute(x)
        .await?
        .rows_affected()
        });
    }
    Ok(())
}

// ---- bulk writes (demo, import) -----------------------------------------------------------

/// A customer row written as is, for bulk loads (the demo company; imports).
#[derive(Debug, Clone)]
pub struct BulkCustomer {
    pub id: Uuid,
    pub seq: i64,
    pub fields: CustomerFields,
    pub owner_id: Option<Uuid>,
    pub unit_id: Uuid,
    pub pool_id: Option<Uuid>,
    pub locked: bool,
    pub last_followup_at: Option<i64>,
    pub next_followup_at: Option<i64>,
    pub owned_since: Option<i64>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub external_id: Option<String>,
}

/// Runs one multi-row INSERT per chunk: `head` is `INSERT INTO t (cols) VALUES `, and `row`
/// appends one row's `columns` placeholders.
pub(crate) async fn insert_chunked<T>(
    tx: &mut Tx,
    head: &'static str,
    rows: &[T],
    columns: usize,
    row: impl Fn(&mut Sql, &T),
) -> Result<()> {
    // Each statement is a round trip to the connection's thread, so fewer, larger ones are
    // faster on both backends (PostgreSQL also fires the statement-level count trigger once a
    // statement). SQLite stops gaining at about 1,000 parameters (an import of 100,000
    // customers: 250 took 18.6 s to write, 1,000 13.9 s, 4,000 12.4 s, with 23 MB more
    // memory held); PostgreSQL takes up to 65,535.
    let params = match tx.backend() {
        crate::Backend::Sqlite => 1_000,
        crate::Backend::Postgres => 8_000,
    };
    for chunk in rows.chunks((params / columns).max(1)) {
        let mut sql = Sql::new(head);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            row(&mut sql, r);
        }
        sql.execute(tx).await?;
    }
    Ok(())
}

pub(crate) fn tuple(sql: &mut Sql, args: Vec<Arg>) {
    sql.push("(");
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(a);
    }
    sql.push(")");
}

pub async fn insert_many(tx: &mut Tx, rows: &[BulkCustomer]) -> Result<()> {
    const HEAD: &str = "INSERT INTO customers (id, seq, name, name_key, short_name, credit_code, type_code, level_code, status_code, \
         industry_code, source_code, province, city, district, address, lat, lon, owner_id, unit_id, pool_id, locked, notes, \
         last_followup_at, next_followup_at, owned_since, created_by, created_at, updated_at, version, external_id) VALUES ";
    insert_chunked(tx, HEAD, rows, 30, |sql, c| {
        let f = &c.fields;
        tuple(
            sql,
            vec![
                Arg::Uuid(c.id),
                Arg::I64(c.seq),
                Arg::Text(f.name.clone()),
                Arg::Text(f.name_key.clone()),
                Arg::OptText(f.short_name.clone()),
                Arg::OptText(f.credit_code.clone()),
                Arg::OptText(f.type_code.clone()),
                Arg::OptText(f.level_code.clone()),
                Arg::OptText(f.status_code.clone()),
                Arg::OptText(f.industry_code.clone()),
                Arg::OptText(f.source_code.clone()),
                Arg::OptText(f.province.clone()),
                Arg::OptText(f.city.clone()),
                Arg::OptText(f.district.clone()),
                Arg::OptText(f.address.clone()),
                Arg::OptF64(f.lat),
                Arg::OptF64(f.lon),
                Arg::OptUuid(c.owner_id),
                Arg::Uuid(c.unit_id),
                Arg::OptUuid(c.pool_id),
                Arg::Bool(c.locked),
                Arg::OptText(f.notes.clone()),
                Arg::OptI64(c.last_followup_at),
                Arg::OptI64(c.next_followup_at),
                Arg::OptI64(c.owned_since),
                Arg::OptUuid(c.created_by),
                Arg::I64(c.created_at),
                Arg::I64(c.created_at),
                Arg::I64(1),
                Arg::OptText(c.external_id.clone()),
            ],
        );
    })
    .await?;
    let grams: Vec<GramRow> = rows
        .iter()
        .flat_map(|c| {
            c.fields.grams.iter().map(move |g| GramRow {
                gram: g.clone(),
                customer_id: c.id,
                unit_id: c.unit_id,
                owner_id: c.owner_id,
                last_followup_at: c.last_followup_at,
                seq: c.seq,
            })
        })
        .collect();
    insert_grams(tx, &grams).await?;
    let tags: Vec<(Uuid, String)> = rows
        .iter()
        .flat_map(|c| c.fields.tags.iter().map(move |t| (c.id, t.clone())))
        .collect();
    insert_tags(tx, &tags).await
}

pub async fn insert_contacts_many(
    tx: &mut Tx,
    rows: &[(Uuid, Uuid, ContactFields)],
    now: i64,
) -> Result<()> {
    const HEAD: &str = "INSERT INTO customer_contacts (id, customer_id, name, title, role, mobile, phone, email, wechat, birthday, \
         is_primary, left_at, created_at, updated_at, version) VALUES ";
    insert_chunked(tx, HEAD, rows, 15, |sql, (id, customer, f)| {
        tuple(
            sql,
            vec![
                Arg::Uuid(*id),
                Arg::Uuid(*customer),
                Arg::Text(f.name.clone()),
                Arg::OptText(f.title.clone()),
                Arg::OptText(f.role.clone()),
                Arg::OptText(f.mobile.clone()),
                Arg::OptText(f.phone.clone()),
                Arg::OptText(f.email.clone()),
                Arg::OptText(f.wechat.clone()),
                Arg::OptText(f.birthday.clone()),
                Arg::Bool(f.is_primary),
                Arg::OptI64(f.left.then_some(now)),
                Arg::I64(now),
                Arg::I64(now),
                Arg::I64(1),
            ],
        )
    })
    .await
}

pub async fn insert_owner_changes_many(tx: &mut Tx, rows: &[NewOwnerChange<'_>]) -> Result<()> {
    const HEAD: &str = "INSERT INTO customer_owner_history (id, customer_id, change, from_owner, to_owner, from_pool, to_pool, \
         reason, by_user, at) VALUES ";
    insert_chunked(tx, HEAD, rows, 10, |sql, h| {
        tuple(
            sql,
            vec![
                Arg::Uuid(Uuid::now_v7()),
                Arg::Uuid(h.customer_id),
                Arg::Text(h.change.to_owned()),
                Arg::OptUuid(h.from_owner),
                Arg::OptUuid(h.to_owner),
                Arg::OptUuid(h.from_pool),
                Arg::OptUuid(h.to_pool),
                Arg::OptText(h.reason.map(str::to_owned)),
                Arg::OptUuid(h.by_user),
                Arg::I64(h.at),
            ],
        )
    })
    .await
}

/// Follow-ups written as is; the customers' last/next times are the caller's to set.
pub async fn insert_followups_many(tx: &mut Tx, rows: &[NewFollowup<'_>]) -> Result<()> {
    const HEAD: &str = "INSERT INTO customer_followups (id, customer_id, author_id, method, content, contact_ids, happened_at, \
         next_at, next_step, created_at) VALUES ";
    insert_chunked(tx, HEAD, rows, 10, |sql, f| {
        tuple(
            sql,
            vec![
                Arg::Uuid(f.id),
                Arg::Uuid(f.customer_id),
                Arg::Uuid(f.author_id),
                Arg::Text(f.method.to_owned()),
                Arg::Text(f.content.to_owned()),
                Arg::Text(serde_json::to_string(f.contact_ids).unwrap_or_else(|_| "[]".into())),
                Arg::I64(f.happened_at),
                Arg::OptI64(f.next_at),
                Arg::OptText(f.next_step.map(str::to_owned)),
                Arg::I64(f.now),
            ],
        )
    })
    .await
}
