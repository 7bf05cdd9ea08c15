//! How the demo company's customers have been worked, relative to the day the demo is made:
//! when each was won or claimed, how often its rep follows it up (by level), when the next
//! contact is, and the words of each follow-up, so that a fresh demo shows what a real
//! department shows: a few percent forgotten, a handful due today and overdue per rep, a few
//! customers about to return to the pool, and varied, believable notes.

use salesdesk_domain::calendar::Calendar;
use salesdesk_domain::customer::FollowupMethod;

use crate::demo::Rng;

pub(crate) const DAY: i64 = 86_400_000;

/// Days between follow-ups a rep keeps with a customer of this level.
fn cadence_days(level: &str) -> i64 {
    match level {
        "A" => 7,
        "B" => 14,
        "C" => 30,
        _ => 45,
    }
}

/// The demo's 遗忘提醒 (migration 0012's defaults): forgotten after this many days.
fn forgotten_days(level: &str) -> i64 {
    match level {
        "A" => 15,
        "B" => 30,
        "C" => 60,
        _ => 90,
    }
}

/// The demo pools' reclaim: no follow-up for this many days (A customers 90, others 60).
fn reclaim_days(level: &str) -> i64 {
    if level == "A" { 90 } else { 60 }
}

/// The demo pools' other rule: not won this many days after it was taken.
const NO_DEAL_DAYS: i64 = 180;

/// Most follow-ups a customer's history keeps, by level (the demo's size: about 3 a customer).
fn history_cap(level: &str) -> usize {
    match level {
        "A" => 10,
        "B" => 6,
        "C" => 3,
        _ => 2,
    }
}

/// A customer's life in the demo.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub created_at: i64,
    /// When the present owner took it (None in a pool).
    pub owned_since: Option<i64>,
    /// When it went back to a pool, for those in one; when the owner claimed it from one.
    pub returned_at: Option<i64>,
    pub claimed_at: Option<i64>,
    /// Follow-ups, oldest first.
    pub followups: Vec<i64>,
    pub next_followup: Option<i64>,
}

impl Timeline {
    pub fn last_followup(&self) -> Option<i64> {
        self.followups.last().copied()
    }
}

/// A time during business hours (09:00 to 18:00, the company's time) on the day `days_ago`
/// days before `now` (negative: after).
fn business_time(rng: &mut Rng, cal: &Calendar, now: i64, days_ago: i64) -> i64 {
    let day = now - days_ago * DAY;
    let at = cal.at_minute(day, 9 * 60 + rng.below(9 * 60) as i64);
    // Today's past events happened before now.
    if days_ago >= 0 && at > now {
        now - (5 + rng.below(115) as i64) * 60_000
    } else {
        at
    }
}

fn between(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        lo + rng.below((hi - lo) as u64) as i64
    }
}

/// The life of one customer of `level` and `status`, owned or `in_pool`.
pub fn timeline(
    rng: &mut Rng,
    cal: &Calendar,
    now: i64,
    level: &str,
    status: &str,
    in_pool: bool,
) -> Timeline {
    let cadence = cadence_days(level);
    let mut t = Timeline::default();
    if in_pool {
        // In a pool since its owner let it lapse: the last follow-up before that, or none.
        t.created_at = {
            let d = between(rng, 120, 730);
            business_time(rng, cal, now, d)
        };
        let returned_days_ago = between(rng, 3, 400).min((now - t.created_at) / DAY - 30);
        t.returned_at = Some(business_time(rng, cal, now, returned_days_ago.max(1)));
        if rng.below(4) > 0 {
            let last = returned_days_ago + reclaim_days(level) + between(rng, 0, 10);
            if now - last * DAY > t.created_at {
                t.followups = earlier(rng, cal, now, last, cadence * 2, t.created_at, 2);
            }
        }
        return t;
    }
    let roll = rng.below(1000);
    // 1.5 %: new this fortnight, not followed up yet.
    if roll < 15 {
        t.created_at = {
            let d = between(rng, 0, 10);
            business_time(rng, cal, now, d)
        };
        t.owned_since = Some(t.created_at);
        t.next_followup = Some({
            let d = -between(rng, 0, 5);
            business_time(rng, cal, now, d)
        });
        return t;
    }
    t.created_at = {
        let d = between(rng, 40, 730);
        business_time(rng, cal, now, d)
    };
    // How long since the last follow-up.
    let last_days_ago = if roll < 35 {
        // 2 %: about to return to the pool for want of a follow-up.
        reclaim_days(level) - between(rng, 1, 7)
    } else if roll < 75 && forgotten_days(level) < reclaim_days(level) - 8 {
        // 4 % (of the levels where one can be forgotten and still owned): forgotten.
        between(rng, forgotten_days(level) + 1, reclaim_days(level) - 8)
    } else {
        // The rest: followed up within the level's rhythm.
        between(
            rng,
            0,
            (cadence * 13 / 10).min(forgotten_days(level) - 1) + 1,
        )
    };
    let cap = history_cap(level);
    t.followups = earlier(rng, cal, now, last_days_ago, cadence, t.created_at, cap);
    // Customers not won are held for at most NO_DEAL_DAYS: older ones were claimed (back)
    // from a pool some time ago; 1 % are close to that limit.
    t.owned_since = Some(t.created_at);
    if status != "won" && now - t.created_at > (NO_DEAL_DAYS - 10) * DAY {
        let held = if rng.below(100) == 0 {
            NO_DEAL_DAYS - between(rng, 1, 7)
        } else {
            between(rng, 20, NO_DEAL_DAYS - 10)
        };
        let claimed = business_time(rng, cal, now, held);
        t.claimed_at = Some(claimed);
        t.returned_at = Some(claimed - between(rng, 10, 120) * DAY);
        t.owned_since = Some(claimed);
        // A customer taken again is followed up since.
        t.followups
            .retain(|f| *f < t.returned_at.unwrap_or(0) || *f > claimed);
        if t.followups.iter().all(|f| *f < claimed) {
            let since = (now - claimed) / DAY;
            let days = between(rng, 0, since.min(cadence) + 1);
            t.followups.push(business_time(rng, cal, now, days));
        }
    }
    t.followups.sort_unstable();
    t.followups.dedup();
    // The next contact: most in the coming days, a few today, a few overdue, some unset.
    let last = t.last_followup().unwrap_or(t.created_at);
    let r = rng.below(1000);
    t.next_followup = if r < 120 {
        None
    } else if r < 145 {
        Some(
            {
                let d = between(rng, 1, 12);
                business_time(rng, cal, now, d)
            }
            .max(last + DAY),
        )
    } else if r < 165 {
        // Some time today, passed or still to come.
        Some(
            cal.at_minute(now, 9 * 60 + rng.below(9 * 60) as i64)
                .max(last + 60_000),
        )
    } else {
        Some({
            let d = -between(rng, 1, cadence + 1);
            business_time(rng, cal, now, d)
        })
    };
    // Nothing is due before the follow-up that set it.
    if t.next_followup.is_some_and(|n| n <= last) {
        t.next_followup = Some({
            let d = -between(rng, 1, cadence + 1);
            business_time(rng, cal, now, d)
        });
    }
    t
}

/// Follow-ups back from `last_days_ago` at about `cadence` days apart, not before
/// `created_at`, at most `cap`, oldest first.
fn earlier(
    rng: &mut Rng,
    cal: &Calendar,
    now: i64,
    last_days_ago: i64,
    cadence: i64,
    created_at: i64,
    cap: usize,
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut days = last_days_ago;
    while out.len() < cap {
        let at = business_time(rng, cal, now, days);
        if at <= created_at {
            break;
        }
        out.push(at);
        days += (cadence * between(rng, 6, 16) / 10).max(1);
    }
    out.reverse();
    out
}

/// Titles a contact is called by in a note (王经理, 李总, 张工).
const ADDRESS_TITLES: &[&str] = &["经理", "总", "工", "主任", "部长", "主管"];

const TOPICS: &[&str] = &[
    "{p}的采购计划",
    "新产线的{p}需求",
    "旧设备的更换计划",
    "明年的预算安排",
    "{p}的技术参数",
    "交货周期",
    "付款方式",
    "售后服务条款",
    "样品测试结果",
    "年度框架协议",
    "二期项目的进度",
    "现有{p}的运行情况",
    "节能改造方案",
    "备品备件的供应",
];

const FEEDBACK: &[&str] = &[
    "客户关心交货期，希望{n}周内到货",
    "对价格有顾虑，希望再让{n}个点",
    "反映上次安装调试用时较长",
    "希望我们安排现场培训",
    "提到竞品报价更低",
    "对我们的行业案例比较认可",
    "询问能否分期付款",
    "希望质保延长到{n}年",
    "想先小批量试用",
    "抱怨上一批货的包装有破损",
    "建议说明书增加中文图示",
    "关心本地有没有服务网点",
    "希望能提供远程诊断",
    "对能耗指标比较在意",
];

const OUTCOMES: &[&str] = &[
    "客户表示会内部评估",
    "初步认可我们的方案",
    "还要等领导审批",
    "约定下周再沟通",
    "已转给采购部门跟进",
    "暂无明确需求，保持联系",
    "预算已经批下来了",
    "同意安排一次技术交流",
    "需要我们补充资质文件",
    "要求周五前给正式报价",
];

const PLACES: &[&str] = &["生产车间", "设备部", "新厂区", "仓库", "研发中心", "总部"];
const MATERIALS: &[&str] = &["产品彩页", "选型手册", "案例视频", "技术白皮书", "报价单"];
const MEETINGS: &[&str] = &["供应商交流会", "技术评审会", "年度采购会", "项目启动会"];

pub(crate) const NEXT_STEPS: &[&str] = &[
    "发送正式报价",
    "安排技术交流",
    "邀请参观工厂",
    "确认预算",
    "回访使用情况",
    "寄送样品",
    "约采购经理面谈",
    "准备投标文件",
    "提交方案书",
    "催收上期货款",
];

fn fill(rng: &mut Rng, template: &str, product: &str) -> String {
    template
        .replace("{p}", product)
        .replace("{n}", &(2 + rng.below(4)).to_string())
}

/// The words of a follow-up: who was met or called, about what, what the customer said (a
/// question, a wish or a complaint, as the department's rules ask reps to record), and how it
/// was left.
pub(crate) fn followup_text(
    rng: &mut Rng,
    method: FollowupMethod,
    product: &str,
    surname: &str,
) -> String {
    let who = format!("{surname}{}", rng.pick(ADDRESS_TITLES));
    let template = rng_pick(rng, TOPICS);
    let topic = fill(rng, template, product);
    let opener = match method {
        FollowupMethod::Phone => match rng.below(3) {
            0 => format!("电话联系{who}，沟通{topic}"),
            1 => format!("{who}来电，询问{topic}"),
            _ => format!("电话回访{who}，了解{topic}"),
        },
        FollowupMethod::Visit => match rng.below(3) {
            0 => format!("上门拜访{who}，沟通{topic}"),
            1 => format!("到客户{}拜访{who}，现场了解{topic}", rng.pick(PLACES)),
            _ => format!("陪同技术工程师拜访{who}，讨论{topic}"),
        },
        FollowupMethod::Wechat => {
            format!("微信给{who}发了{}，顺带沟通{topic}", rng.pick(MATERIALS))
        }
        FollowupMethod::Email => format!("邮件给{who}发送{}，说明{topic}", rng.pick(MATERIALS)),
        FollowupMethod::Meeting => format!(
            "参加客户的{}，{who}等{}人参会，重点讨论{topic}",
            rng.pick(MEETINGS),
            3 + rng.below(5)
        ),
        FollowupMethod::Other => format!("与{who}沟通{topic}"),
    };
    let mut text = opener;
    if rng.below(3) > 0 {
        let template = rng_pick(rng, FEEDBACK);
        let said = fill(rng, template, product);
        text.push('。');
        text.push_str(&said);
        text.push('，');
    } else {
        text.push('，');
    }
    text.push_str(rng_pick(rng, OUTCOMES));
    text.push('。');
    text
}

fn rng_pick<'a>(rng: &mut Rng, items: &'a [&'a str]) -> &'a str {
    rng.pick::<&str>(items)
}

/// A follow-up's method, by how reps of an equipment maker work: mostly calls and visits.
pub(crate) fn method(rng: &mut Rng) -> FollowupMethod {
    match rng.below(20) {
        0..7 => FollowupMethod::Phone,
        7..13 => FollowupMethod::Visit,
        13..16 => FollowupMethod::Wechat,
        16..18 => FollowupMethod::Email,
        _ => FollowupMethod::Meeting,
    }
}

/// (city as the demo writes it, province, districts) of the branches outside 华东, whose
/// customers have no territory district.
const CITY_DISTRICTS: &[(&str, &str, &[&str])] = &[
    (
        "北京",
        "北京市",
        &["朝阳区", "海淀区", "丰台区", "大兴区", "顺义区", "昌平区"],
    ),
    (
        "天津",
        "天津市",
        &["滨海新区", "西青区", "津南区", "东丽区"],
    ),
    ("济南", "山东省", &["历下区", "槐荫区", "章丘区", "历城区"]),
    ("青岛", "山东省", &["黄岛区", "城阳区", "李沧区", "即墨区"]),
    (
        "广州",
        "广东省",
        &["天河区", "黄埔区", "番禺区", "白云区", "花都区"],
    ),
    (
        "深圳",
        "广东省",
        &["南山区", "宝安区", "龙岗区", "龙华区", "光明区"],
    ),
    ("福州", "福建省", &["鼓楼区", "仓山区", "马尾区", "闽侯县"]),
    (
        "南宁",
        "广西壮族自治区",
        &["青秀区", "西乡塘区", "江南区", "良庆区"],
    ),
    (
        "成都",
        "四川省",
        &["武侯区", "双流区", "龙泉驿区", "新都区", "郫都区"],
    ),
    (
        "重庆",
        "重庆市",
        &["渝北区", "九龙坡区", "江北区", "沙坪坝区"],
    ),
    ("昆明", "云南省", &["五华区", "官渡区", "呈贡区", "安宁市"]),
    (
        "武汉",
        "湖北省",
        &["江汉区", "洪山区", "东西湖区", "蔡甸区", "江夏区"],
    ),
    ("长沙", "湖南省", &["岳麓区", "雨花区", "开福区", "望城区"]),
    (
        "郑州",
        "河南省",
        &["金水区", "中原区", "管城回族区", "郑东新区"],
    ),
    ("西安", "陕西省", &["雁塔区", "未央区", "长安区", "高陵区"]),
];

const ROADS: &[&str] = &[
    "建设路",
    "人民路",
    "解放路",
    "工业大道",
    "科技路",
    "创业路",
    "高新大道",
    "滨江路",
    "长江路",
    "黄河路",
    "中山路",
    "东风路",
    "新华路",
    "文化路",
    "发展大道",
    "开元路",
    "凤凰路",
    "金桥路",
    "青年路",
    "兴业路",
    "经济开发区纬二路",
    "产业园区通达路",
];

/// A district and province for a customer of `city` outside 华东 (None for cities the table
/// does not know).
pub(crate) fn district_of(rng: &mut Rng, city: &str) -> Option<(String, String)> {
    CITY_DISTRICTS
        .iter()
        .find(|(c, ..)| *c == city)
        .map(|(_, province, districts)| ((*province).to_owned(), (*rng.pick(districts)).to_owned()))
}

/// A street address within the district (路, 号, and often a building or floor).
pub(crate) fn street(rng: &mut Rng) -> String {
    let mut s = format!("{}{}号", rng.pick(ROADS), 1 + rng.below(2999));
    match rng.below(4) {
        0 => s.push_str(&format!("{}栋", 1 + rng.below(12))),
        1 => s.push_str(&format!("{}楼", 1 + rng.below(25))),
        2 => s.push_str(&format!("A座{}层", 2 + rng.below(20))),
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_demo_has_believable_proportions() {
        let cal = Calendar::default();
        let now = 1_796_000_000_000; // 2026-12-01
        let mut rng = Rng::new(7);
        let (mut owned, mut forgotten, mut due_today, mut overdue, mut reclaimable) =
            (0, 0, 0, 0, 0);
        let today = cal.start_of_day(now);
        let tomorrow = cal.start_of_next_day(now);
        for i in 0..20_000 {
            let level = ["A", "B", "B", "C", "C", "D"][i % 6];
            let status = ["won", "intent", "potential"][i % 3];
            let t = timeline(&mut rng, &cal, now, level, status, false);
            owned += 1;
            let last = t.last_followup().or(t.owned_since).unwrap_or(t.created_at);
            assert!(
                t.followups
                    .iter()
                    .all(|f| *f <= now && *f > t.created_at - DAY)
            );
            if now - last > forgotten_days(level) * DAY {
                forgotten += 1;
            }
            if now - last > reclaim_days(level) * DAY {
                reclaimable += 1;
            }
            match t.next_followup {
                Some(n) if n < today => overdue += 1,
                Some(n) if n < tomorrow => due_today += 1,
                _ => {}
            }
        }
        let pct = |n: i32| f64::from(n) * 100.0 / f64::from(owned);
        assert!(
            (1.0..8.0).contains(&pct(forgotten)),
            "forgotten {}",
            pct(forgotten)
        );
        assert!(
            pct(due_today) < 4.0 && pct(due_today) > 0.5,
            "today {}",
            pct(due_today)
        );
        assert!(
            pct(overdue) < 5.0 && pct(overdue) > 1.0,
            "overdue {}",
            pct(overdue)
        );
        assert_eq!(
            reclaimable, 0,
            "nobody owned is already past the pool's rule"
        );
    }

    #[test]
    fn notes_vary() {
        let mut rng = Rng::new(3);
        let texts: std::collections::HashSet<String> = (0..2000)
            .map(|_| {
                let m = method(&mut rng);
                followup_text(&mut rng, m, "机床", "王")
            })
            .collect();
        assert!(texts.len() > 1800, "{}", texts.len());
    }
}
