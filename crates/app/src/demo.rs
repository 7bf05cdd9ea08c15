//! The demo company: a believable Chinese sales organisation (5 regions, 20 branches in real
//! cities, ~130 people in every position with reporting lines), generated deterministically
//! from a seed. Later features extend this same generator with their own records.

use salesdesk_domain::access::RecordScope;
use salesdesk_domain::org::{OrgPath, OrgUnitKind, OrganisingBasis};
use salesdesk_store::org::{self, NewUnit};
use salesdesk_store::users;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::bootstrap::{OperatorUser, ensure_foundation, insert_user};
use crate::{App, AppError, AppResult, RequestMeta, now_ms, passwords};

pub const COMPANY: &str = "华远智能装备有限公司";

/// SplitMix64: a tiny generator whose output never changes between versions of any crate,
/// so the same seed gives the same company forever.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("潘", "pan"),
    ("袁", "yuan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
    ("姚", "yao"),
];

const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("建华", "jianhua"),
    ("志强", "zhiqiang"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("雪梅", "xuemei"),
    ("子豪", "zihao"),
    ("思远", "siyuan"),
    ("宇航", "yuhang"),
    ("梓涵", "zihan"),
    ("欣怡", "xinyi"),
    ("浩然", "haoran"),
    ("佳琪", "jiaqi"),
    ("文博", "wenbo"),
    ("晨曦", "chenxi"),
    ("俊杰", "junjie"),
    ("婷婷", "tingting"),
    ("国庆", "guoqing"),
    ("红梅", "hongmei"),
    ("家豪", "jiahao"),
    ("雨轩", "yuxuan"),
    ("鹏", "peng"),
    ("斌", "bin"),
    ("凯", "kai"),
    ("琳", "lin"),
    ("倩", "qian"),
    ("颖", "ying"),
    ("慧", "hui"),
    ("鑫", "xin"),
];

/// (branch city, pinyin, big branch with two teams)
type Branch = (&'static str, &'static str, bool);

/// (region, its branches)
const REGIONS: &[(&str, &[Branch])] = &[
    (
        "华东大区",
        &[
            ("上海", "shanghai", true),
            ("杭州", "hangzhou", true),
            ("南京", "nanjing", false),
            ("苏州", "suzhou", false),
            ("合肥", "hefei", false),
        ],
    ),
    (
        "华北大区",
        &[
            ("北京", "beijing", true),
            ("天津", "tianjin", false),
            ("济南", "jinan", false),
            ("青岛", "qingdao", false),
        ],
    ),
    (
        "华南大区",
        &[
            ("广州", "guangzhou", true),
            ("深圳", "shenzhen", true),
            ("福州", "fuzhou", false),
            ("南宁", "nanning", false),
        ],
    ),
    (
        "西南大区",
        &[
            ("成都", "chengdu", true),
            ("重庆", "chongqing", false),
            ("昆明", "kunming", false),
        ],
    ),
    (
        "华中大区",
        &[
            ("武汉", "wuhan", false),
            ("长沙", "changsha", false),
            ("郑州", "zhengzhou", false),
            ("西安", "xian", false),
        ],
    ),
];

/// One sign-in per position, printed by `salesdesk demo`.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// A short name of the position (`admin`, `manager`, `branch`, `supervisor`, `rep`…).
    pub role: String,
    /// The position as the company names it (大区经理, 分公司经理…).
    pub position: String,
    pub username: String,
    pub display_name: String,
    pub unit: String,
}

struct Gen<'a> {
    app: &'a App,
    rng: Rng,
    used_names: std::collections::HashSet<String>,
    next_mobile: u64,
    hash: String,
    logins: Vec<DemoLogin>,
    /// Reps who will own demo customers: (user, unit, region index, city).
    reps: Vec<crate::demo_customers::DemoRep>,
    regions: Vec<(Uuid, &'static str)>,
}

impl Gen<'_> {
    fn person(&mut self) -> (String, String) {
        loop {
            let (s, sp) = *self.rng.pick(SURNAMES);
            let (g, gp) = *self.rng.pick(GIVEN);
            let display = format!("{s}{g}");
            let mut username = format!("{sp}{gp}");
            if self.used_names.contains(&display) {
                continue;
            }
            let mut n = 2;
            while self.used_names.contains(&username) {
                username = format!("{sp}{gp}{n}");
                n += 1;
            }
            self.used_names.insert(display.clone());
            self.used_names.insert(username.clone());
            return (username, display);
        }
    }

    async fn unit(
        &mut self,
        parent: Uuid,
        parent_path: &OrgPath,
        name: &str,
        kind: OrgUnitKind,
        basis: OrganisingBasis,
        sort: i64,
    ) -> AppResult<(Uuid, OrgPath)> {
        let mut tx = self.app.db.begin_write().await?;
        let seq = tx.next_seq("org_unit").await?;
        let id = Uuid::now_v7();
        let path = parent_path.child(seq);
        org::insert(
            &mut tx,
            &NewUnit {
                id,
                seq,
                parent_id: Some(parent),
                name,
                kind: kind.as_str(),
                basis: basis.as_str(),
                path: &path,
                sort_order: sort,
                now: now_ms(),
            },
        )
        .await?;
        record(
            &mut tx,
            By::System("demo"),
            &RequestMeta::default(),
            "org_unit.created",
            "org_unit",
            id,
            None::<&()>,
            Some(&name),
        )
        .await?;
        tx.commit().await?;
        Ok((id, path))
    }

    /// Adds a person; the first of each role (or any flagged `show`) becomes a printed login.
    async fn hire(
        &mut self,
        unit: Uuid,
        unit_name: &str,
        position: &str,
        role: &str,
        manager: Option<Uuid>,
        fixed_username: Option<&str>,
    ) -> AppResult<Uuid> {
        let (mut username, display) = self.person();
        if let Some(f) = fixed_username {
            username = f.to_owned();
        }
        self.next_mobile += 1 + self.rng.below(7_919);
        let prefixes = [135u64, 136, 138, 139, 150, 152, 158, 177, 186, 188];
        let mobile = format!(
            "{}{:08}",
            prefixes[(self.next_mobile % 10) as usize],
            self.next_mobile % 100_000_000
        );
        let u = OperatorUser {
            username: username.clone(),
            display_name: display.clone(),
            mobile: Some(mobile.clone()),
            password: String::new(),
            role: role.to_owned(),
            unit_id: Some(unit),
            manager_id: manager,
            position_code: Some(position.to_owned()),
            must_change_password: false,
        };
        let id = insert_user(
            self.app,
            &u,
            username.clone(),
            display.clone(),
            Some(mobile),
            Some(self.hash.clone()),
        )
        .await?;
        let label = login_label(position, role);
        if !self.logins.iter().any(|l| l.role == label) {
            self.logins.push(DemoLogin {
                role: label,
                position: position_name(position),
                username,
                display_name: display,
                unit: unit_name.to_owned(),
            });
        }
        Ok(id)
    }
}

/// The banner's short name of a position: one sign-in is printed for each.
fn login_label(position: &str, role: &str) -> String {
    match position {
        "regional_manager" => "manager".into(),
        "sales_manager" => "branch".into(),
        "sales_assistant" => "assistant".into(),
        _ => role.into(),
    }
}

/// A built-in position's name, as the foundation creates it.
fn position_name(code: &str) -> String {
    salesdesk_domain::access::BUILTIN_POSITIONS
        .iter()
        .find(|p| p.code == code)
        .map_or_else(|| code.to_owned(), |p| p.name_zh.to_owned())
}

/// Seeds the demo company into an empty database; returns None when people already exist.
pub async fn seed(app: &App, seed: u64, password: &str) -> AppResult<Option<Vec<DemoLogin>>> {
    ensure_foundation(app, COMPANY).await?;
    let (root, existing) = {
        let mut tx = app.db.begin_read().await?;
        let root = org::root(&mut tx).await?.ok_or(AppError::NotFound)?;
        let n = users::count_all(&mut tx).await?;
        tx.commit().await?;
        (root, n)
    };
    if existing > 0 {
        return Ok(None);
    }
    let root_path = OrgPath::parse(&root.path).map_err(|e| AppError::Internal(e.into()))?;
    let hash = passwords::hash(password.to_owned()).await?;
    let mut g = Gen {
        app,
        rng: Rng::new(seed),
        used_names: Default::default(),
        next_mobile: 10_000_000,
        hash,
        logins: Vec::new(),
        reps: Vec::new(),
        regions: Vec::new(),
    };

    let admin = g
        .hire(
            root.id,
            &root.name,
            "sys_admin",
            "admin",
            None,
            Some("admin"),
        )
        .await?;
    let _ = admin;
    let director = g
        .hire(
            root.id,
            &root.name,
            "sales_director",
            "director",
            None,
            None,
        )
        .await?;
    for (dept, position, role, count) in [
        ("销售运营部", "sales_ops", "ops", 2),
        ("销售支持部", "sales_support", "support", 2),
        ("客服中心", "customer_service", "service", 3),
        ("市场部", "marketing", "marketing", 2),
        ("财务部回款组", "finance", "finance", 2),
    ] {
        let (id, _) = g
            .unit(
                root.id,
                &root_path,
                dept,
                OrgUnitKind::Department,
                OrganisingBasis::Function,
                900,
            )
            .await?;
        for _ in 0..count {
            g.hire(id, dept, position, role, Some(director), None)
                .await?;
        }
    }
    for (ri, (region, branches)) in REGIONS.iter().enumerate() {
        let (rid, rpath) = g
            .unit(
                root.id,
                &root_path,
                region,
                OrgUnitKind::Region,
                OrganisingBasis::Territory,
                ri as i64 * 10,
            )
            .await?;
        g.regions.push((rid, region));
        let rm = g
            .hire(
                rid,
                region,
                "regional_manager",
                "manager",
                Some(director),
                None,
            )
            .await?;
        for (bi, (city, _pinyin, big)) in branches.iter().enumerate() {
            let bname = format!("{city}分公司");
            let (bid, bpath) = g
                .unit(
                    rid,
                    &rpath,
                    &bname,
                    OrgUnitKind::Branch,
                    OrganisingBasis::Territory,
                    bi as i64 * 10,
                )
                .await?;
            let bm = g
                .hire(bid, &bname, "sales_manager", "manager", Some(rm), None)
                .await?;
            if *big {
                // Big branches split their market by customer segment.
                for (ti, team) in ["大客户组", "中小客户组"].iter().enumerate() {
                    let tname = format!("{city}{team}");
                    let (tid, _) = g
                        .unit(
                            bid,
                            &bpath,
                            &tname,
                            OrgUnitKind::Team,
                            OrganisingBasis::CustomerSegment,
                            ti as i64 * 10,
                        )
                        .await?;
                    let sup = g
                        .hire(
                            tid,
                            &tname,
                            "sales_supervisor",
                            "supervisor",
                            Some(bm),
                            None,
                        )
                        .await?;
                    for _ in 0..3 {
                        let rep = g
                            .hire(tid, &tname, "sales_rep", "rep", Some(sup), None)
                            .await?;
                        g.reps.push((rep, tid, ri, city));
                    }
                }
                g.hire(bid, &bname, "sales_assistant", "support", Some(bm), None)
                    .await?;
            } else {
                let reps = 2 + g.rng.below(2);
                for _ in 0..reps {
                    let rep = g
                        .hire(bid, &bname, "sales_rep", "rep", Some(bm), None)
                        .await?;
                    g.reps.push((rep, bid, ri, city));
                }
            }
        }
    }
    let mut rng = Rng::new(seed ^ 0xC057_0E55);
    let east: Vec<(Uuid, &str)> = g
        .reps
        .iter()
        .filter(|r| r.2 == 0)
        .map(|r| (r.0, r.3))
        .collect();
    let alignment = crate::demo_territory::present_alignment(&east);
    crate::demo_customers::seed(app, &mut rng, &g.regions, &g.reps, &alignment, CUSTOMERS).await?;
    crate::demo_territory::seed(app, &alignment).await?;
    let east_reps = g.reps.iter().filter(|r| r.2 == 0).count() as i64;
    for (name, from_current, k) in [
        ("华东：现状重新均衡", true, None),
        ("华东：按潜力重新划分", false, Some(east_reps)),
    ] {
        crate::territory::create_as(
            app,
            By::System("demo"),
            director,
            crate::territory::NewScenarioInput {
                name: name.into(),
                k,
                balance: "potential".into(),
                seed: Some(1),
                from_current,
            },
            &RequestMeta::default(),
        )
        .await?;
    }
    Ok(Some(g.logins))
}

/// About as many customers as a sales department of this size keeps in its archive.
const CUSTOMERS: usize = 20_000;

/// The printed sign-ins of an already seeded demo: resets their passwords to `password`.
pub async fn refresh_logins(app: &App, password: &str) -> AppResult<Vec<DemoLogin>> {
    let hash = passwords::hash(password.to_owned()).await?;
    let mut tx = app.db.begin_write().await?;
    let (all, _) = users::list(
        &mut tx,
        &RecordScope::All,
        &Default::default(),
        users::UserSort::CreatedAt,
        false,
        salesdesk_store::Page {
            limit: 10_000,
            offset: 0,
        },
    )
    .await?;
    let mut logins: Vec<DemoLogin> = Vec::new();
    for u in all.iter().filter(|u| u.active) {
        let roles = salesdesk_store::users::role_ids(&mut tx, u.id).await?;
        let Some(role_id) = roles.first() else {
            continue;
        };
        let Some(role) = salesdesk_store::roles::get(&mut tx, *role_id).await? else {
            continue;
        };
        let position = u.position_name.clone().unwrap_or_default();
        let code = salesdesk_domain::access::BUILTIN_POSITIONS
            .iter()
            .find(|p| p.name_zh == position)
            .map_or("", |p| p.code);
        let label = login_label(code, &role.role.code);
        if logins.iter().any(|l| l.role == label) {
            continue;
        }
        users::set_password(&mut tx, u.id, &hash, false, now_ms()).await?;
        salesdesk_store::throttle::clear(&mut tx, &format!("account:{}", u.id)).await?;
        logins.push(DemoLogin {
            role: label,
            position,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit: u.unit_name.clone(),
        });
    }
    record(
        &mut tx,
        By::System("demo"),
        &RequestMeta::default(),
        "demo.logins_refreshed",
        "user",
        "*",
        None::<&()>,
        Some(&logins.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(logins)
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn rng_is_stable_forever() {
        let mut r = Rng::new(42);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        // Pinned: if these change, every demo company and benchmark data set changes.
        assert_eq!(
            first,
            vec![
                13679457532755275413,
                2949826092126892291,
                5139283748462763858
            ]
        );
    }
}
