//! The demo company's customer archive: about 20,000 customers of the regions' reps with
//! contacts, full addresses, follow-ups in varied words (some with photos or minutes), and a
//! customer pool (公海) per region holding about one customer in ten. Every date is relative
//! to the day the demo is made (see `demo_life`). Deterministic for a seed, written with the
//! bulk store functions.

use salesdesk_domain::customer::{ContactRole, FollowupMethod, OwnerChange};
use salesdesk_domain::dedupe::{index_grams, normalise_company_name};
use salesdesk_store::customers::{
    self, BulkCustomer, ContactFields, CustomerFields, NewFollowup, NewOwnerChange,
};
use salesdesk_store::pools::{self, PoolFields};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::demo::Rng;
use crate::{App, AppResult, RequestMeta, now_ms};

/// (rep, their unit, region index, city)
pub type DemoRep = (Uuid, Uuid, usize, &'static str);

const BRANDS: &[&str] = &[
    "恒达",
    "鑫源",
    "华泰",
    "宏远",
    "金桥",
    "博瑞",
    "天成",
    "永信",
    "中科",
    "瑞丰",
    "东方",
    "长城",
    "新世纪",
    "正泰",
    "海川",
    "联创",
    "德赛",
    "佳禾",
    "万通",
    "启明",
    "远航",
    "汇丰",
    "明珠",
    "凯越",
    "盛世",
    "同创",
    "精工",
    "宝隆",
    "力拓",
    "振华",
    "信达",
    "广源",
    "安泰",
    "蓝天",
    "银河",
    "鼎盛",
    "富通",
    "和信",
    "裕隆",
    "星辰",
    "创新",
    "腾飞",
    "泰和",
    "嘉诚",
    "润泽",
    "亿丰",
    "卓越",
    "华鼎",
    "川流",
    "昌盛",
    "兴业",
    "志远",
    "国安",
    "三友",
    "晨光",
    "立信",
    "通达",
    "锦程",
    "智诚",
    "恒通",
];

const MIDDLES: &[&str] = &[
    "精密",
    "智能",
    "科技",
    "新材料",
    "工业",
    "实业",
    "自动化",
    "电气",
    "动力",
    "环保",
    "重工",
    "机电",
];

/// (product word, industry code)
const PRODUCTS: &[(&str, &str)] = &[
    ("机械", "manufacturing"),
    ("模具", "manufacturing"),
    ("装备", "manufacturing"),
    ("机床", "manufacturing"),
    ("钢构", "construction"),
    ("建材", "construction"),
    ("电子", "electronics"),
    ("半导体", "electronics"),
    ("光电", "electronics"),
    ("线缆", "electronics"),
    ("能源", "energy"),
    ("电力设备", "energy"),
    ("光伏", "energy"),
    ("储能", "energy"),
    ("汽车零部件", "automotive"),
    ("车辆", "automotive"),
    ("物流", "logistics"),
    ("仓储", "logistics"),
    ("医疗器械", "healthcare"),
    ("制药", "healthcare"),
    ("食品", "food"),
    ("饮料", "food"),
    ("包装", "manufacturing"),
    ("塑胶", "manufacturing"),
    ("化工", "manufacturing"),
    ("纺织", "manufacturing"),
    ("水务", "public"),
    ("热力", "public"),
];

const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "集团有限公司",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "平", "建国",
    "国强", "海涛", "晓燕", "丽华", "志刚",
];
const TITLES: &[(&str, ContactRole)] = &[
    ("总经理", ContactRole::DecisionMaker),
    ("采购经理", ContactRole::Purchaser),
    ("设备部部长", ContactRole::Influencer),
    ("技术总监", ContactRole::Technical),
    ("财务经理", ContactRole::Finance),
    ("车间主任", ContactRole::User),
];

const DAY: i64 = 86_400_000;

pub(crate) async fn seed(
    app: &App,
    rng: &mut Rng,
    regions: &[(Uuid, &'static str)],
    reps: &[DemoRep],
    alignment: &[Option<Uuid>],
    count: usize,
) -> AppResult<()> {
    if reps.is_empty() || regions.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let meta = RequestMeta {
        request_id: "demo".into(),
        ..Default::default()
    };
    let mut tx = app.db.begin_write().await?;
    let mut pool_ids = Vec::new();
    for (unit, region) in regions {
        let id = Uuid::now_v7();
        let f = PoolFields {
            name: format!("{region}公海"),
            unit_id: *unit,
            no_followup_days: Some(60),
            no_deal_days: Some(180),
            remind_days: Some(7),
            cooldown_days: 15,
            daily_claim_limit: Some(20),
            hide_contacts: true,
            active: true,
            // Key accounts are followed up less often and take longer to win.
            level_rules: r#"[{"levelCode":"A","noFollowupDays":90,"noDealDays":365}]"#.into(),
        };
        pools::insert(&mut tx, id, &f, now).await?;
        record(
            &mut tx,
            By::System("demo"),
            &meta,
            "pool.created",
            "pool",
            id,
            None::<&()>,
            Some(&f),
        )
        .await?;
        pool_ids.push(id);
    }
    // Every brand x middle x product once, in a shuffled order: unique 查重 keys.
    let mut combos: Vec<(usize, usize, usize)> = Vec::new();
    for b in 0..BRANDS.len() {
        for m in 0..MIDDLES.len() {
            for p in 0..PRODUCTS.len() {
                combos.push((b, m, p));
            }
        }
    }
    for i in (1..combos.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        combos.swap(i, j);
    }
    let count = count.min(combos.len());
    let first_seq = tx.reserve_seq("customer", count as i64).await?;
    let mut rows = Vec::with_capacity(count);
    let mut contacts = Vec::new();
    let mut history = Vec::new();
    let mut followups = Vec::new();
    let mut contact_ids_of: Vec<Vec<Uuid>> = Vec::with_capacity(count);
    let mut mobile = 10_000_000u64;
    let districts = crate::demo_territory::units();
    for (i, (b, m, p)) in combos.into_iter().take(count).enumerate() {
        let rep = *rng.pick(reps);
        // 华东大区's customers lie in a real district of their rep's present territory, so
        // territory design finds them; their city is that district's.
        let place = crate::demo_territory::district_of_rep(&districts, alignment, rep.0, i);
        let city = place.map_or(rep.3, |u| u.city.trim_end_matches('市'));
        let (product, industry) = PRODUCTS[p];
        let name = format!(
            "{}{}{}{}{}",
            city,
            BRANDS[b],
            MIDDLES[m],
            product,
            rng.pick(SUFFIXES)
        );
        let key = normalise_company_name(&name);
        let level = match rng.below(100) {
            0..10 => "A",
            10..35 => "B",
            35..75 => "C",
            _ => "D",
        };
        let status = match rng.below(100) {
            0..30 => "potential",
            30..60 => "intent",
            60..92 => "won",
            _ => "lost",
        };
        let kind = match (level, rng.below(10)) {
            ("A", _) => "key_account",
            (_, 0) => "dealer",
            (_, 1) => "government",
            _ => "smb",
        };
        let mut tags = Vec::new();
        if level == "A" && rng.below(2) == 0 {
            tags.push("重点客户".to_owned());
        }
        if rng.below(8) == 0 {
            tags.push("老客户".to_owned());
        }
        let in_pool = rng.below(10) == 0;
        let life = crate::demo_life::timeline(rng, &app.calendar, now, level, status, in_pool);
        let created_at = life.created_at;
        let id = Uuid::now_v7();
        // Contacts: one to three, the first primary.
        let mut ids = Vec::new();
        let mut surnames = Vec::new();
        for k in 0..(1 + rng.below(3)) {
            mobile += 1 + rng.below(997);
            let (title, role) = *rng.pick(TITLES);
            let cid = Uuid::now_v7();
            ids.push(cid);
            let surname = *rng.pick(SURNAMES);
            surnames.push(surname);
            contacts.push((
                cid,
                id,
                ContactFields {
                    name: format!("{surname}{}", rng.pick(GIVEN)),
                    title: Some(title.to_owned()),
                    role: Some(role.as_str().to_owned()),
                    mobile: Some(format!(
                        "1{}{:08}",
                        [37, 38, 39, 58, 86][(mobile % 5) as usize],
                        mobile % 100_000_000
                    )),
                    is_primary: k == 0,
                    left: k > 0 && rng.below(12) == 0,
                    ..Default::default()
                },
            ));
        }
        // Follow-ups as the timeline has them, each in words of its own.
        for at in &life.followups {
            let method = crate::demo_life::method(rng);
            let k = rng.below(ids.len() as u64) as usize;
            let content = crate::demo_life::followup_text(rng, method, product, surnames[k]);
            followups.push((i, method, content, *at, k));
        }
        let last = life.last_followup();
        history.push((
            id,
            OwnerChange::Created,
            None,
            Some(rep.0),
            None,
            rep.0,
            created_at,
        ));
        if let Some(at) = life.returned_at {
            let pool = Some(pool_ids[rep.2]);
            history.push((
                id,
                OwnerChange::Returned,
                Some(rep.0),
                None,
                pool,
                rep.0,
                at,
            ));
            if let Some(claimed) = life.claimed_at {
                history.push((
                    id,
                    OwnerChange::Claimed,
                    None,
                    Some(rep.0),
                    None,
                    rep.0,
                    claimed,
                ));
            }
        }
        // A full address: the district (a real one of the city) and a street.
        let (province, district) = match place {
            Some(u) => (Some(u.province.clone()), Some(u.district.clone())),
            None => match crate::demo_life::district_of(rng, rep.3) {
                Some((p, d)) => (Some(p), Some(d)),
                None => (None, None),
            },
        };
        let address = Some(crate::demo_life::street(rng));
        rows.push(BulkCustomer {
            id,
            seq: first_seq + i as i64,
            fields: CustomerFields {
                grams: index_grams(&name, None),
                name,
                name_key: key,
                type_code: Some(kind.into()),
                level_code: Some(level.into()),
                status_code: Some(status.into()),
                industry_code: Some(industry.into()),
                source_code: Some(
                    [
                        "referral",
                        "exhibition",
                        "website",
                        "cold_call",
                        "bidding",
                        "channel",
                    ][rng.below(6) as usize]
                        .into(),
                ),
                city: Some(city.into()),
                province,
                district,
                address,
                tags,
                ..Default::default()
            },
            owner_id: (!in_pool).then_some(rep.0),
            unit_id: if in_pool { regions[rep.2].0 } else { rep.1 },
            pool_id: in_pool.then(|| pool_ids[rep.2]),
            locked: !in_pool && level == "A" && rng.below(4) == 0,
            last_followup_at: last,
            next_followup_at: if in_pool { None } else { life.next_followup },
            owned_since: life.owned_since,
            created_by: Some(rep.0),
            created_at,
            external_id: None,
        });
        contact_ids_of.push(ids);
    }
    customers::insert_many(&mut tx, &rows).await?;
    customers::insert_contacts_many(&mut tx, &contacts, now).await?;
    seed_custom_fields(&mut tx, rng, &rows, now, &meta).await?;
    let changes: Vec<NewOwnerChange> = history
        .iter()
        .map(|(id, change, from, to, pool, by, at)| NewOwnerChange {
            customer_id: *id,
            change: change.as_str(),
            from_owner: *from,
            to_owner: *to,
            from_pool: None,
            to_pool: *pool,
            reason: match change {
                OwnerChange::Returned => Some("超过规定天数未跟进，按公海规则收回"),
                OwnerChange::Claimed => Some("从公海领取"),
                _ => None,
            },
            by_user: Some(*by),
            at: *at,
        })
        .collect();
    customers::insert_owner_changes_many(&mut tx, &changes).await?;
    // The latest follow-up of each customer set its next contact; others sometimes a step.
    let mut latest: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (n, f) in followups.iter().enumerate() {
        let e = latest.entry(f.0).or_insert(n);
        if followups[*e].3 <= f.3 {
            *e = n;
        }
    }
    let step_of: Vec<Option<&str>> = (0..followups.len())
        .map(|_| (rng.below(2) == 0).then(|| *rng.pick(crate::demo_life::NEXT_STEPS)))
        .collect();
    let followup_ids: Vec<Uuid> = followups.iter().map(|_| Uuid::now_v7()).collect();
    let fu: Vec<NewFollowup> = followups
        .iter()
        .zip(&step_of)
        .enumerate()
        .map(|(n, ((i, method, content, at, k), step))| {
            let last = latest.get(i) == Some(&n);
            NewFollowup {
                id: followup_ids[n],
                customer_id: rows[*i].id,
                author_id: rows[*i].created_by.unwrap_or_default(),
                method: method.as_str(),
                content,
                contact_ids: &contact_ids_of[*i][*k..*k + 1],
                happened_at: *at,
                next_at: if last {
                    rows[*i].next_followup_at
                } else {
                    None
                },
                next_step: *step,
                now: *at,
            }
        })
        .collect();
    customers::insert_followups_many(&mut tx, &fu).await?;
    record(
        &mut tx,
        By::System("demo"),
        &meta,
        "demo.customers_seeded",
        "customer",
        "*",
        None::<&()>,
        Some(&serde_json::json!({"customers": rows.len(), "contacts": contacts.len(), "followups": fu.len()})),
    )
    .await?;
    tx.commit().await?;
    // Photos from visits and minutes of meetings, on the latest ones.
    let mut files = Vec::new();
    for (n, (i, method, _, at, _)) in followups.iter().enumerate().rev() {
        if files.len() >= 240 || now - at > 120 * DAY {
            continue;
        }
        let file = match method {
            FollowupMethod::Visit if rng.below(4) == 0 => crate::demo_files::site_photo(rng, *at),
            FollowupMethod::Meeting if rng.below(3) == 0 => {
                crate::demo_files::minutes(rng, &rows[*i].fields.name, *at)
            }
            _ => continue,
        };
        files.push(crate::attachments::SeedFile {
            customer_id: rows[*i].id,
            followup_id: followup_ids[n],
            uploaded_by: rows[*i].created_by.unwrap_or_default(),
            file_name: file.0,
            bytes: file.2,
            at: *at,
        });
    }
    crate::attachments::seed_files(app, files).await?;
    Ok(())
}

/// The demo company's custom fields (自定义字段) and a value of each for most customers.
async fn seed_custom_fields(
    tx: &mut salesdesk_store::Tx,
    rng: &mut Rng,
    rows: &[BulkCustomer],
    now: i64,
    meta: &RequestMeta,
) -> AppResult<()> {
    use salesdesk_domain::custom_field::{FieldKind, FieldOption, StoredValue, check_field};
    use salesdesk_store::custom_fields as store;
    let opts = |list: &[(&str, &str)]| -> Vec<FieldOption> {
        list.iter()
            .map(|(code, label)| FieldOption {
                code: (*code).into(),
                label: (*label).into(),
                active: true,
            })
            .collect()
    };
    let specs = [
        check_field(
            "annual_budget",
            "年采购额(万元)",
            FieldKind::Number,
            vec![],
            false,
        )?,
        check_field(
            "scale",
            "企业规模",
            FieldKind::Select,
            opts(&[
                ("large", "大型"),
                ("medium", "中型"),
                ("small", "小型"),
                ("micro", "微型"),
            ]),
            false,
        )?,
        check_field(
            "product_lines",
            "关注产品线",
            FieldKind::MultiSelect,
            opts(&[
                ("pump", "水泵"),
                ("valve", "阀门"),
                ("motor", "电机"),
                ("control", "控制系统"),
            ]),
            false,
        )?,
        check_field(
            "first_deal_on",
            "首次合作日期",
            FieldKind::Date,
            vec![],
            false,
        )?,
    ];
    let mut ids = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let position = (i as i64 + 1) * 10;
        let id = crate::custom_fields::insert(
            tx,
            crate::custom_fields::CUSTOMER,
            spec,
            position,
            true,
            now,
        )
        .await?;
        record(
            tx,
            By::System("demo"),
            meta,
            "custom_field.created",
            "custom_field",
            id,
            None::<&()>,
            Some(&spec.code),
        )
        .await?;
        ids.push(id);
    }
    let text = |s: &str| StoredValue {
        text: s.to_owned(),
        num: None,
    };
    let mut values = Vec::new();
    for r in rows {
        if rng.below(5) == 0 {
            continue;
        }
        let big = matches!(r.fields.level_code.as_deref(), Some("A" | "B"));
        let budget = if big {
            200 + rng.below(4800)
        } else {
            5 + rng.below(300)
        } as f64;
        values.push((
            r.id,
            ids[0],
            StoredValue {
                text: budget.to_string(),
                num: Some(budget),
            },
        ));
        let scale = if big {
            ["large", "medium"]
        } else {
            ["small", "micro"]
        }[rng.below(2) as usize];
        values.push((r.id, ids[1], text(scale)));
        for line in ["pump", "valve", "motor", "control"] {
            if rng.below(3) == 0 {
                values.push((r.id, ids[2], text(line)));
            }
        }
        if r.fields.status_code.as_deref() == Some("won") {
            let (y, m, d) = salesdesk_domain::export::civil_from_days(r.created_at / DAY + 7);
            values.push((r.id, ids[3], text(&format!("{y:04}-{m:02}-{d:02}"))));
        }
    }
    store::insert_values_many(tx, &values).await?;
    Ok(())
}
