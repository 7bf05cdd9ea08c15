//! Customers through the real router on both databases: data scope on every read (T2),
//! 查重 with masking, field errors that change nothing (T3), ownership limits, transfer and
//! handover, follow-ups, teams, and the customer pool including the claim race (T8).

mod common;

use axum::http::{Method, StatusCode};
use common::Fx;
use serde_json::{Value, json};

/// A valid 统一社会信用代码 numbered `n`.
fn credit(n: u32) -> String {
    let first = format!("91310000{n:09}");
    let check = salesdesk_domain::credit_code::check_character(first.as_bytes()).unwrap();
    format!("{first}{check}")
}

async fn create(fx: &Fx, who: &str, body: Value) -> Value {
    let r = fx
        .call(who, Method::POST, "/api/v1/customers", Some(body), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{who}: {:?}", r.body);
    r.body
}

async fn list(fx: &Fx, who: &str, query: &str) -> Value {
    let r = fx
        .call(
            who,
            Method::GET,
            &format!("/api/v1/customers?{query}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{who}: {:?}", r.body);
    r.body
}

fn names(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn cid(v: &Value) -> String {
    v["customer"]["id"].as_str().unwrap().to_owned()
}

async fn count_customers(fx: &Fx) -> i64 {
    list(fx, "admin", "pageSize=1").await["total"]
        .as_i64()
        .unwrap()
}

/// One customer per rep and manager: 上海 (repa1, repa2, mgra) and 华北 (repb1, mgrb).
async fn one_each(fx: &Fx) {
    for (who, name) in [
        ("repa1", "上海甲一机械有限公司"),
        ("repa2", "上海甲二电子有限公司"),
        ("mgra", "华东经理直管制造有限公司"),
        ("repb1", "北京乙一能源有限公司"),
        ("mgrb", "华北经理直管物流有限公司"),
    ] {
        create(fx, who, json!({"name": name, "levelCode": "B"})).await;
    }
}

api_test! {
    async fn every_read_respects_the_customer_scope(fx) {
        one_each(&fx).await;
        let expect: &[(&str, &[&str])] = &[
            ("repa1", &["上海甲一机械有限公司"]),
            ("repa2", &["上海甲二电子有限公司"]),
            ("repb1", &["北京乙一能源有限公司"]),
            ("mgra", &["上海甲一机械有限公司", "上海甲二电子有限公司", "华东经理直管制造有限公司"]),
            ("mgrb", &["北京乙一能源有限公司", "华北经理直管物流有限公司"]),
        ];
        for (who, want) in expect {
            let page = list(&fx, who, "pageSize=200").await;
            let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(names(&page), want, "{who} lists exactly their scope");
            assert_eq!(page["total"].as_i64().unwrap() as usize, want.len(), "{who}: the count agrees with the list");
            // A search cannot reach past the scope either: a character every name holds (read
            // through), and a word of the name index.
            let searched = list(&fx, who, "q=%E5%8F%B8").await; // "司"
            assert_eq!(names(&searched), want, "{who}: search stays in scope");
            let indexed = list(&fx, who, "q=%E7%9B%B4%E7%AE%A1").await; // "直管"
            let want_indexed: Vec<String> = want.iter().filter(|n| n.contains("直管")).cloned().collect();
            assert_eq!(names(&indexed), want_indexed, "{who}: indexed search stays in scope");
        }
        // The director, finance and service see the whole company.
        for who in ["director", "finance", "service", "admin"] {
            assert_eq!(list(&fx, who, "").await["total"], 5, "{who}");
        }
        // Detail: someone else's customer is simply not there.
        let all = list(&fx, "admin", "q=%E5%8C%97%E4%BA%AC").await; // 北京
        let beijing = all["items"][0]["id"].as_str().unwrap().to_owned();
        for (who, status) in [("repa1", 404), ("mgra", 404), ("repb1", 200), ("mgrb", 200), ("anonymous", 401)] {
            let r = fx.call(who, Method::GET, &format!("/api/v1/customers/{beijing}"), None, None).await;
            assert_eq!(r.status.as_u16(), status, "{who}");
        }
    }

    async fn same_credit_code_or_same_name_is_refused_and_changes_nothing(fx) {
        let code = credit(1);
        create(&fx, "repa1", json!({"name": "北京华远科技有限公司", "creditCode": code, "contacts": [{"name": "张伟", "mobile": "13800138000"}]})).await;
        let before = count_customers(&fx).await;
        // The same code, typed in lower case with spaces.
        let r = fx.call("repb1", Method::POST, "/api/v1/customers", Some(json!({"name": "完全不同的名字有限公司", "creditCode": format!(" {} ", code.to_lowercase())})), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "customer.duplicate");
        assert_eq!(r.body["fields"]["creditCode"]["code"], "customer.duplicate_credit_code");
        // The same company written another way: 市, spaces, full width, 有限责任公司.
        for name in ["北京市华远科技有限责任公司", "北京 华远科技 有限公司", "北京华远科技股份有限公司"] {
            let r = fx.call("repb1", Method::POST, "/api/v1/customers", Some(json!({"name": name})), None).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{name}");
            assert_eq!(r.body["fields"]["name"]["code"], "customer.duplicate_name");
        }
        // A place in brackets is no place: the same as the name without it.
        create(&fx, "repa1", json!({"name": "星河软件有限公司"})).await;
        let r = fx.call("repb1", Method::POST, "/api/v1/customers", Some(json!({"name": "星河软件（上海）有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(count_customers(&fx).await, before + 1, "refusals create nothing");
    }

    async fn the_same_name_in_another_city_is_another_company_and_only_a_hint(fx) {
        create(&fx, "repa1", json!({"name": "上海博雅新锐软件有限公司"})).await;
        // 查重 points it out, saying why, but the record is not refused.
        let r = fx.call("repb1", Method::POST, "/api/v1/customers/duplicate-check", Some(json!({"name": "广州博雅新锐软件有限公司"})), None).await;
        let m = r.body.as_array().unwrap();
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0]["reasons"], json!(["same_core_name"]));
        assert_eq!(m[0]["shared"], json!(["博雅新锐软件"]));
        let r = fx.call("repb1", Method::POST, "/api/v1/customers", Some(json!({"name": "广州博雅新锐软件有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        // Names that share only trade words (电力, 设备, 重工) are not called alike, however many.
        for (i, brand) in ["华电", "国网", "南瑞", "许继", "思源", "平高", "特变", "正泰"].iter().enumerate() {
            let city = ["北京", "南京", "西安", "成都", "杭州", "武汉", "长沙", "郑州"][i];
            create(&fx, "repa1", json!({"name": format!("{city}{brand}电力设备有限公司")})).await;
            create(&fx, "repa1", json!({"name": format!("{city}{brand}重工机械有限公司")})).await;
        }
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/duplicate-check", Some(json!({"name": "上海申能电力设备有限公司"})), None).await;
        assert_eq!(r.body, json!([]), "generic words alone match nothing");
        // A shared brand (字号) is found, the closest trade first, and the words are named.
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/duplicate-check", Some(json!({"name": "上海南瑞电气设备有限公司"})), None).await;
        let m = r.body.as_array().unwrap();
        let names: Vec<&str> = m.iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["西安南瑞电力设备有限公司", "西安南瑞重工机械有限公司"]);
        assert_eq!(m[0]["reasons"], json!(["similar_name"]));
        assert!(m[0]["score"].as_f64() > m[1]["score"].as_f64());
        assert!(m[0]["shared"][0].as_str().unwrap().contains("南瑞"), "{m:?}");
    }

    async fn due_today_is_the_companys_today_wherever_it_is(fx) {
        // A next contact every hour for two days from now.
        let now = salesdesk_app::now_ms();
        let mut due_at = Vec::new();
        for h in 1..=48i64 {
            let c = create(&fx, "repa1", json!({"name": format!("时区{h}号有限公司")})).await;
            let at = now + h * 3_600_000 + 60_000;
            let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", c["customer"]["id"].as_str().unwrap()),
                Some(json!({"method": "phone", "content": "约好回电", "nextAt": at})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            due_at.push(at);
        }
        // Shanghai and New York are 12 or 13 hours apart: their todays end at other hours.
        let mut counts = Vec::new();
        for zone in ["Asia/Shanghai", "America/New_York", "Europe/Berlin"] {
            let cal = salesdesk_domain::calendar::Calendar::new(zone).unwrap();
            let router = fx.router_in(zone);
            let r = fx.get_via(&router, "repa1", "/api/v1/customers?due=today&pageSize=100").await;
            let got = r.body["total"].as_i64().unwrap();
            let end = cal.start_of_next_day(salesdesk_app::now_ms());
            let want = due_at.iter().filter(|a| **a < end).count() as i64;
            assert_eq!(got, want, "{zone}");
            counts.push(got);
        }
        assert_ne!(counts[0], counts[1], "the two companies' days differ");
    }

    async fn search_finds_parts_of_names_short_names_contacts_and_numbers(fx) {
        let a = create(&fx, "repa1", json!({"name": "上海瑞丰精密机械有限公司", "shortName": "瑞丰精机",
            "contacts": [{"name": "欧阳明", "mobile": "13912345678"}]})).await;
        create(&fx, "repa1", json!({"name": "杭州瑞达电子有限公司"})).await;
        create(&fx, "repb1", json!({"name": "北京瑞丰能源有限公司"})).await;
        let id = a["customer"]["id"].clone();
        let found = |q: &str| {
            let fx = &fx;
            let path = format!("q={}", common::urlencode(q));
            async move { names(&list(fx, "repa1", &path).await) }
        };
        for q in ["瑞丰", "上海瑞丰", "精密机械", "瑞丰精密机械有限公司", "瑞丰精机", "精机", "欧阳", "欧阳明", "1391234", "13912345678"] {
            assert_eq!(found(q).await, ["上海瑞丰精密机械有限公司"], "{q}");
        }
        assert_eq!(found("瑞").await.len(), 2, "one character reads the names through");
        assert!(found("丰精密科").await.is_empty(), "every part must be there");
        assert!(found("阳明").await.is_empty(), "a contact by the start of the name");
        // The director sees both 瑞丰 in the company; a rep only theirs.
        assert_eq!(names(&list(&fx, "director", "q=%E7%91%9E%E4%B8%B0").await).len(), 2);
        assert_eq!(list(&fx, "repb1", "q=%E7%91%9E%E4%B8%B0").await["total"], 1);
        // A new short name is found at once; the old one no longer.
        let r = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{}", id.as_str().unwrap()), None, None).await;
        let v = r.body["customer"]["version"].as_i64().unwrap();
        let r = fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{}", id.as_str().unwrap()),
            Some(json!({"name": "上海瑞丰精密机械有限公司", "shortName": "丰机"})), Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(found("丰机").await, ["上海瑞丰精密机械有限公司"]);
        assert!(found("精机").await.is_empty());
    }

    async fn name_keys_made_by_the_old_rule_are_derived_again_at_start(fx) {
        create(&fx, "repa1", json!({"name": "上海博雅新锐软件有限公司"})).await;
        create(&fx, "repa1", json!({"name": "华远科技集团有限公司"})).await;
        // As a database written by the previous rule holds them: the core alone, 集团 dropped.
        {
            let mut tx = fx.app.db.begin_write().await.unwrap();
            for (id, name, _, _) in salesdesk_store::customers::name_keys_after(&mut tx, None, 100).await.unwrap() {
                let old = if name.starts_with("上海") { "博雅新锐软件" } else { "华远科技" };
                let grams = salesdesk_domain::dedupe::name_grams(old);
                salesdesk_store::customers::rekey_name(&mut tx, id, old, Some(&grams)).await.unwrap();
            }
            salesdesk_store::derived::set_version(&mut tx, "customer_name_key", 1).await.unwrap();
            tx.commit().await.unwrap();
        }
        // Under the old keys 广州博雅新锐 would be refused; after re-deriving it is not.
        assert_eq!(salesdesk_app::customers::rederive_name_keys(&fx.app).await.unwrap(), 2);
        assert_eq!(salesdesk_app::customers::rederive_name_keys(&fx.app).await.unwrap(), 0, "once");
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "广州博雅新锐软件有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "华远科技有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "a group and its member: {:?}", r.body);
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/duplicate-check", Some(json!({"name": "华远科技集团有限公司"})), None).await;
        assert_eq!(r.body[0]["reasons"], json!(["same_name"]), "the grams were rewritten too: {:?}", r.body);
    }

    async fn duplicate_check_masks_what_the_asker_may_not_see(fx) {
        create(&fx, "repa1", json!({"name": "北京华远科技有限公司", "creditCode": credit(2), "contacts": [{"name": "张伟", "mobile": "13800138000"}]})).await;
        create(&fx, "repa1", json!({"name": "上海远景照明有限公司"})).await;
        let check = |who: &'static str, body: Value| {
            let fx = &fx;
            async move {
                let r = fx.call(who, Method::POST, "/api/v1/customers/duplicate-check", Some(body), None).await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
                r.body.as_array().unwrap().clone()
            }
        };
        // The owner sees the match in full.
        let m = check("repa1", json!({"name": "北京市华远科技有限责任公司"})).await;
        assert_eq!(m.len(), 1);
        assert_eq!(m[0]["name"], "北京华远科技有限公司");
        assert_eq!(m[0]["visible"], true);
        assert!(m[0]["id"].is_string());
        // Another region learns that it exists, and nothing else.
        let m = check("repb1", json!({"name": "北京市华远科技有限责任公司"})).await;
        assert_eq!(m.len(), 1);
        assert_eq!(m[0]["name"], "北京**科技有限公司");
        assert_eq!(m[0]["ownerName"], "测******");
        assert_eq!(m[0]["visible"], false);
        assert!(m[0]["id"].is_null());
        assert_eq!(m[0]["reasons"], json!(["same_name"]));
        // A similar name is ranked by its score; the credit code and a contact's mobile match too.
        let m = check("repb1", json!({"name": "华远科技发展有限公司"})).await;
        assert_eq!(m[0]["reasons"], json!(["similar_name"]));
        assert!(m[0]["score"].as_f64().unwrap() >= 0.6 && m[0]["score"].as_f64().unwrap() < 1.0);
        let m = check("repb1", json!({"creditCode": credit(2)})).await;
        assert_eq!(m[0]["reasons"], json!(["credit_code"]));
        let m = check("repb1", json!({"name": "无关公司", "mobiles": ["+86 138-0013-8000"]})).await;
        assert_eq!(m.len(), 1);
        assert_eq!(m[0]["reasons"], json!(["contact_mobile"]));
        // Nothing alike: nothing reported.
        assert!(check("repb1", json!({"name": "广州南方食品有限公司"})).await.is_empty());
    }

    async fn bad_input_names_every_field_and_changes_nothing(fx) {
        let before = count_customers(&fx).await;
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({
            "name": "测试客户有限公司", "creditCode": "91310000MA1FL1234X", "levelCode": "Z", "lat": 31.2,
            "contacts": [{"name": "李四", "mobile": "12345", "birthday": "1990-02-30", "role": "boss"}]
        })), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        let fields: Vec<(String, String)> = r.body["fields"].as_object().unwrap().iter()
            .map(|(k, f)| (k.clone(), f["code"].as_str().unwrap().to_owned())).collect();
        for (field, code) in [("creditCode", "credit_code.check_failed"), ("levelCode", "option.unknown"), ("lat", "location.incomplete"),
            ("contacts[0].mobile", "mobile.invalid"), ("contacts[0].birthday", "date.invalid"), ("contacts[0].role", "invalid_choice")] {
            assert!(fields.contains(&(field.to_owned(), code.to_owned())), "{field} {code} in {fields:?}");
        }
        assert!(r.body["message"].as_str().unwrap().contains("请检查"));
        // Documented limits of the list query are errors, not silently clamped.
        for (query, field) in [("pageSize=0", "pageSize"), ("pageSize=201", "pageSize"), ("page=0", "page"), ("idleDays=0", "idleDays")] {
            let r = fx.call("repa1", Method::GET, &format!("/api/v1/customers?{query}"), None, None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert!(r.body["fields"][field].is_object(), "{query}: {:?}", r.body);
        }
        assert_eq!(count_customers(&fx).await, before);
    }

    async fn ownership_limits_refuse_the_customer_beyond_them(fx) {
        let r = fx.call("admin", Method::PUT, "/api/v1/customer-settings/limits", Some(json!({"limits": [{"levelCode": "*", "maxOwned": 2}, {"levelCode": "A", "maxOwned": 1, "maxLocked": 0}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // Only those with customers.settings change limits.
        let r = fx.call("mgra", Method::PUT, "/api/v1/customer-settings/limits", Some(json!({"limits": []})), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let a = create(&fx, "repa1", json!({"name": "甲级客户一有限公司", "levelCode": "A"})).await;
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "甲级客户二有限公司", "levelCode": "A"})), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "customer.owner_limit_reached");
        let b = create(&fx, "repa1", json!({"name": "乙级客户一有限公司", "levelCode": "B"})).await;
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "乙级客户二有限公司", "levelCode": "B"})), None).await;
        assert_eq!(r.code(), "customer.owner_limit_reached", "the total limit counts every level");
        assert_eq!(list(&fx, "repa1", "").await["total"], 2);
        // Locks have their own limit.
        let v = b["customer"]["version"].as_i64().unwrap();
        let id = cid(&b);
        let r = fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{id}/lock"), Some(json!({"locked": true})), Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "B has no lock limit: {:?}", r.body);
        assert_eq!(r.body["customer"]["locked"], true);
        let r = fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{}/lock", cid(&a)), Some(json!({"locked": true})), Some(a["customer"]["version"].as_i64().unwrap())).await;
        assert_eq!(r.code(), "customer.lock_limit_reached", "no A customer may be locked");
        // Transfers count against the recipient's limit.
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repa2"], "reason": "调整"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let c = create(&fx, "repa1", json!({"name": "丙级客户有限公司", "levelCode": "C"})).await;
        assert_eq!(list(&fx, "repa1", "").await["total"], 2);
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repa1"], "reason": "调回"})), None).await;
        assert_eq!(r.code(), "customer.owner_limit_reached", "repa1 is full");
        assert_eq!(list(&fx, "repa2", "").await["total"], 1, "a refused transfer moves nothing");
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [cid(&c)], "toUserId": fx.user["repa2"], "reason": "调整"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    async fn transfer_moves_access_at_once_and_keeps_the_history(fx) {
        let c = create(&fx, "repa1", json!({"name": "转移测试有限公司"})).await;
        let id = cid(&c);
        // A rep may not transfer; a manager may, within the region only.
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repa2"], "reason": "调整"})), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repb1"], "reason": "调整"})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["toUserId"]["code"], "customer.recipient_outside_scope");
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repa2"], "reason": ""})), None).await;
        assert!(r.body["fields"]["reason"].is_object(), "{:?}", r.body);
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user["repa2"], "reason": "区域调整"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.call("repa1", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await.status, StatusCode::NOT_FOUND);
        let d = fx.call("repa2", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.body["customer"]["ownerName"], "测试repa2");
        let h = d.body["history"].as_array().unwrap();
        assert_eq!(h[0]["change"], "transferred");
        assert_eq!(h[0]["reason"], "区域调整");
        assert_eq!(h[0]["fromOwnerName"], "测试repa1");
        assert_eq!(h[1]["change"], "created");
    }

    async fn handover_moves_every_customer_of_a_leaver_after_a_preview(fx) {
        for i in 0..3 {
            create(&fx, "repa1", json!({"name": format!("交接客户{i}号有限公司")})).await;
        }
        let q = format!("/api/v1/customers/handover-preview?fromUserId={}&toUserId={}", fx.user["repa1"], fx.user["repa2"]);
        let p = fx.call("mgra", Method::GET, &q, None, None).await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
        assert_eq!(p.body["customers"].as_array().unwrap().len(), 3);
        assert_eq!(list(&fx, "repa1", "").await["total"], 3, "a preview moves nothing");
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/handover", Some(json!({"fromUserId": fx.user["repa1"], "toUserId": fx.user["repa2"], "reason": "离职"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(list(&fx, "repa1", "").await["total"], 0);
        assert_eq!(list(&fx, "repa2", "").await["total"], 3);
    }

    async fn an_administrator_merges_two_records_of_one_customer(fx) {
        let keep = create(&fx, "repa1", json!({"name": "上海合并甲机械有限公司", "levelCode": "A", "tags": ["重点"], "contacts": [{"name": "张一", "mobile": "13800000001"}]})).await;
        let dup = create(&fx, "repa2", json!({"name": "上海合并甲精密机械制造有限公司", "city": "上海", "creditCode": credit(77), "tags": ["华东"], "contacts": [{"name": "李二", "mobile": "13800000002"}]})).await;
        let (keep_id, dup_id) = (cid(&keep), cid(&dup));
        let r = fx.call("repa2", Method::POST, &format!("/api/v1/customers/{dup_id}/followups"), Some(json!({"method": "phone", "content": "电话沟通报价"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let before = count_customers(&fx).await;
        let path = format!("/api/v1/customers/{keep_id}/merge");
        // Reps and managers do not merge; nor does anyone merge a record into itself.
        for who in ["repa1", "mgra"] {
            let r = fx.call(who, Method::POST, &path, Some(json!({"duplicateId": dup_id})), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        }
        let r = fx.call("admin", Method::POST, &path, Some(json!({"duplicateId": keep_id})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["duplicateId"]["code"], "customer.merge_same");
        assert_eq!(count_customers(&fx).await, before, "refusals change nothing");

        let r = fx.call("admin", Method::POST, &path, Some(json!({"duplicateId": dup_id})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let d = r.body;
        assert_eq!(d["customer"]["name"], "上海合并甲机械有限公司", "the kept record's fields stay");
        assert_eq!(d["customer"]["levelCode"], "A");
        assert_eq!(d["customer"]["city"], "上海", "its blanks are filled from the other");
        assert_eq!(d["customer"]["creditCode"], credit(77), "the credit code moves over");
        let mut tags: Vec<String> = serde_json::from_value(d["customer"]["tags"].clone()).unwrap();
        tags.sort();
        assert_eq!(tags, ["华东", "重点"]);
        let contacts = d["contacts"].as_array().unwrap();
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts.iter().filter(|k| k["isPrimary"] == true).count(), 1, "one primary contact");
        assert!(d["history"].as_array().unwrap().iter().any(|h| h["change"] == "merged"));
        assert!(d["customer"]["lastFollowupAt"].is_i64(), "the later last contact is kept");
        let f = fx.call("admin", Method::GET, &format!("/api/v1/customers/{keep_id}/followups"), None, None).await;
        assert_eq!(f.body["total"], 1, "the follow-up moved: {:?}", f.body);
        let r = fx.call("admin", Method::GET, &format!("/api/v1/customers/{dup_id}"), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "the duplicate is gone");
        assert_eq!(count_customers(&fx).await, before - 1);
        let audit = fx.call("admin", Method::GET, "/api/v1/audit?action=customer.merged", None, None).await;
        assert_eq!(audit.body["total"], 1);
        // The merged record cannot be merged again.
        let r = fx.call("admin", Method::POST, &path, Some(json!({"duplicateId": dup_id})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["duplicateId"]["code"], "customer.not_found");
    }

    async fn followups_move_the_last_and_next_contact_and_sort_the_list(fx) {
        let a = create(&fx, "repa1", json!({"name": "跟进甲有限公司", "contacts": [{"name": "王芳", "mobile": "13900139000"}]})).await;
        let b = create(&fx, "repa1", json!({"name": "跟进乙有限公司"})).await;
        let contact = a["contacts"][0]["id"].clone();
        assert_eq!(a["contacts"][0]["isPrimary"], true, "the first contact is the primary one");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let day = 86_400_000i64;
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&a)), Some(json!({
            "method": "visit", "content": "拜访采购部，介绍新品", "contactIds": [contact], "happenedAt": now - day, "nextAt": now + 2 * day, "nextStep": "发报价"
        })), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&b)), Some(json!({"method": "phone", "content": "电话沟通"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED);
        // Late entry for an older date does not move the last follow-up back.
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&b)), Some(json!({"method": "email", "content": "补录上周邮件", "happenedAt": now - 7 * day})), None).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let page = list(&fx, "repa1", "sort=lastFollowupAt&order=desc").await;
        assert_eq!(page["items"][0]["name"], "跟进乙有限公司");
        assert!(page["items"][0]["lastFollowupAt"].as_i64().unwrap() >= now);
        assert_eq!(page["items"][1]["nextFollowupAt"], now + 2 * day);
        let f = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{}/followups", cid(&b)), None, None).await;
        assert_eq!(f.body["total"], 2);
        assert_eq!(f.body["items"][0]["method"], "phone");
        // Rules: not in the future, next after this one, contacts of this customer, in scope.
        for (body, field) in [
            (json!({"method": "visit", "content": "x", "happenedAt": now + day}), "happenedAt"),
            (json!({"method": "visit", "content": "x", "nextAt": now - day}), "nextAt"),
            (json!({"method": "fax", "content": "x"}), "method"),
            (json!({"method": "visit", "content": "x", "contactIds": [contact]}), "contactIds"),
        ] {
            let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&b)), Some(body), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body["fields"][field].is_object(), "{field}: {:?}", r.body);
        }
        let r = fx.call("repb1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&b)), Some(json!({"method": "visit", "content": "越权"})), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(fx.call("repa1", Method::GET, &format!("/api/v1/customers/{}/followups", cid(&b)), None, None).await.body["total"], 2);
        // Due next contacts and forgotten customers (遗忘提醒) are list filters.
        assert_eq!(names(&list(&fx, "repa1", "idleDays=1").await), ["跟进甲有限公司"]);
        assert_eq!(list(&fx, "repa1", "idleDays=2").await["total"], 0);
        assert_eq!(list(&fx, "repa1", "due=true").await["total"], 0, "the next contact is two days away");
    }

    async fn collaborators_see_and_edit_only_as_granted(fx) {
        let c = create(&fx, "repa1", json!({"name": "协作客户有限公司"})).await;
        let id = cid(&c);
        let path = format!("/api/v1/customers/{id}");
        assert_eq!(fx.call("repb1", Method::GET, &path, None, None).await.status, StatusCode::NOT_FOUND);
        let r = fx.call("repa1", Method::PUT, &format!("{path}/collaborators"), Some(json!({"members": [{"userId": fx.user["repb1"], "canEdit": false}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let d = fx.call("repb1", Method::GET, &path, None, None).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.body["canEdit"], false);
        assert_eq!(list(&fx, "repb1", "").await["total"], 1, "collaborations show in the list");
        // A manager of another region, as a collaborator: in the list and its count, once.
        fx.call("repa1", Method::PUT, &format!("{path}/collaborators"), Some(json!({"members": [{"userId": fx.user["repb1"], "canEdit": false}, {"userId": fx.user["mgrb"], "canEdit": false}]})), None).await;
        create(&fx, "mgrb", json!({"name": "华北经理自己的有限公司"})).await;
        let m = list(&fx, "mgrb", "").await;
        assert_eq!(names(&m), ["华北经理自己的有限公司", "协作客户有限公司"]);
        assert_eq!(m["total"], 2);
        assert_eq!(list(&fx, "mgrb", "q=%E5%8D%8F%E4%BD%9C").await["total"], 1, "filtered counts agree"); // 协作
        assert_eq!(list(&fx, "mgrb", "sort=name").await["total"], 2, "another sort, the same set");
        let v = d.body["customer"]["version"].as_i64().unwrap();
        let r = fx.call("repb1", Method::PUT, &path, Some(json!({"name": "协作客户有限公司", "notes": "改"})), Some(v)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        fx.call("repa1", Method::PUT, &format!("{path}/collaborators"), Some(json!({"members": [{"userId": fx.user["repb1"], "canEdit": true}]})), None).await;
        let r = fx.call("repb1", Method::PUT, &path, Some(json!({"name": "协作客户有限公司", "notes": "改"})), Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // A stale version is refused.
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"name": "协作客户有限公司", "notes": "再改"})), Some(v)).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        // A collaborator cannot hand the customer on.
        let r = fx.call("repb1", Method::PUT, &format!("{path}/collaborators"), Some(json!({"members": []})), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn filtered_counts_stop_at_the_cap_and_say_so(fx) {
        for i in 0..5 {
            create(&fx, "repa1", json!({"name": format!("计数{i}号有限公司")})).await;
        }
        // The same database, served with a cap of 3 on counted matches.
        let mut st = common::state(fx.app.db.clone());
        st.app.list_plan.count_cap = 3;
        let capped = salesdesk_http::router(st);
        let filtered = fx.get_via(&capped, "repa1", "/api/v1/customers?q=%E8%AE%A1%E6%95%B0&pageSize=2").await; // 计数
        assert_eq!(filtered.body["total"], 3, "{:?}", filtered.body);
        assert_eq!(filtered.body["totalExact"], false, "more matched than were counted");
        assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2, "the page itself is whole");
        // A page short of its size holds every match from its start: its own exact count.
        let short = fx.get_via(&capped, "repa1", "/api/v1/customers?q=%E8%AE%A1%E6%95%B0").await;
        assert_eq!(short.body["items"].as_array().unwrap().len(), 5);
        assert_eq!((short.body["total"].clone(), short.body["totalExact"].clone()), (json!(5), json!(true)));
        let last = fx.get_via(&capped, "repa1", "/api/v1/customers?q=%E8%AE%A1%E6%95%B0&pageSize=2&page=3").await;
        assert_eq!(last.body["items"].as_array().unwrap().len(), 1);
        assert_eq!((last.body["total"].clone(), last.body["totalExact"].clone()), (json!(5), json!(true)));
        let one = fx.get_via(&capped, "repa1", "/api/v1/customers?q=%E8%AE%A1%E6%95%B00").await; // 计数0
        assert_eq!((one.body["total"].clone(), one.body["totalExact"].clone()), (json!(1), json!(true)));
        // Unfiltered unit scopes are counted from the per-unit counts: exact, whatever the cap.
        for who in ["mgra", "director"] {
            let all = fx.get_via(&capped, who, "/api/v1/customers").await;
            assert_eq!(all.body["totalExact"], true, "{who}");
            assert!(all.body["total"].as_i64().unwrap() >= 5, "{who}: {:?}", all.body["total"]);
        }
        let uncapped = list(&fx, "repa1", "q=%E8%AE%A1%E6%95%B0").await;
        assert_eq!((uncapped["total"].clone(), uncapped["totalExact"].clone()), (json!(5), json!(true)));
    }

    async fn walked_pages_are_the_general_plans_pages(fx) {
        // Pages sorted by a follow-up time walk indexes and merge; the general plan sorts every
        // match. Both must give the same pages for every scope, filter, direction and page.
        let r = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(json!({"code": "tier", "label": "层级", "kind": "select",
            "options": [{"code": "gold", "label": "金"}, {"code": "silver", "label": "银"}]})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let levels = ["A", "B", "C", "D", ""];
        let reps = ["repa1", "repa2", "repb1"];
        let mut ids = Vec::new();
        for i in 0..36 {
            let mut body = json!({"name": format!("排序{i}号科技有限公司")});
            if !levels[i % 5].is_empty() {
                body["levelCode"] = json!(levels[i % 5]);
            }
            if i % 3 == 0 {
                body["tags"] = json!(["重点"]);
            }
            if i % 4 != 1 {
                body["customFields"] = json!({"tier": if i % 2 == 0 { "gold" } else { "silver" }});
            }
            // Found by a contact too (号科: their names hold it as well) or by a contact alone.
            let mut contacts = Vec::new();
            if i % 6 == 0 {
                contacts.push(json!({"name": "号科联系人"}));
            }
            if i % 5 == 0 {
                contacts.push(json!({"name": "张三丰"}));
            }
            if !contacts.is_empty() {
                body["contacts"] = json!(contacts);
            }
            ids.push(cid(&create(&fx, reps[i % 3], body).await));
        }
        // One of the north's customers shared with a rep and a manager of the east.
        let shared = format!("/api/v1/customers/{}/collaborators", ids[2]);
        let r = fx.call("repb1", Method::PUT, &shared, Some(json!({"members": [{"userId": fx.user["repa1"], "canEdit": false}, {"userId": fx.user["mgra"], "canEdit": false}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // Times with ties (five last follow-ups), some never followed up; next contacts due
        // now, overdue, later or none. Set directly: the API refuses such dates, rightly.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let day = 86_400_000i64;
        let mut tx = fx.app.db.begin_write().await.unwrap();
        use salesdesk_store::sql::{Arg, Sql};
        let mut sql = Sql::new("UPDATE customers SET last_followup_at = CASE WHEN seq % 7 = 0 THEN NULL ELSE ");
        sql.bind(Arg::I64(now)).push(" - (seq % 5) * ").bind(Arg::I64(20 * day))
            .push(" END, next_followup_at = CASE seq % 4 WHEN 0 THEN NULL WHEN 1 THEN ").bind(Arg::I64(now))
            .push(" WHEN 2 THEN ").bind(Arg::I64(now - 3 * day)).push(" ELSE ").bind(Arg::I64(now + 5 * day)).push(" END");
        assert_eq!(sql.execute(&mut tx).await.unwrap(), 36);
        tx.commit().await.unwrap();
        // The general plan (a manager's scope by its path, not its units spelled out), and
        // walks that probe every tag and field value row by row.
        let mut general = common::state(fx.app.db.clone());
        general.app.list_plan.walk = false;
        general.app.list_plan.spell_units = false;
        let general = salesdesk_http::router(general);
        let mut probing = common::state(fx.app.db.clone());
        probing.app.list_plan.few_side_matches = 0;
        probing.app.list_plan.few_search_matches = 0;
        let probing = salesdesk_http::router(probing);
        let tier = format!("cf={}", common::urlencode("tier:eq:gold"));
        // Searches: a gram every name holds, two grams, a gram names and contacts hold, a
        // contact's name alone (the probing router walks them; the others collect them).
        let searches: Vec<String> = ["排序", "排序1", "号科", "张三丰"].iter().map(|q| format!("q={}", common::urlencode(q))).collect();
        let filters = [searches[0].as_str(), searches[1].as_str(), searches[2].as_str(), searches[3].as_str(), "", "idleDays=30", "forgotten=true", "due=today", "due=overdue", "due=true", "tag=%E9%87%8D%E7%82%B9", tier.as_str(),
            &format!("ownerId={}", fx.user["repa2"]), &format!("unitId={}", fx.unit["shanghai"]), "levelCode=A&idleDays=10"];
        let mut compared = 0;
        for who in ["director", "mgra", "mgrb", "repa1", "repb1"] {
            for filter in filters {
                for sort in ["lastFollowupAt", "nextFollowupAt"] {
                    for order in ["asc", "desc"] {
                        for page in [1, 2, 3] {
                            let q = format!("/api/v1/customers?{filter}&sort={sort}&order={order}&pageSize=4&page={page}");
                            let want = fx.get_via(&general, who, &q).await;
                            assert_eq!(want.status, StatusCode::OK, "{q}: {:?}", want.body);
                            let ids = |b: &Value| b["items"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
                            for router in [&fx.router, &probing] {
                                let got = fx.get_via(router, who, &q).await;
                                assert_eq!(ids(&got.body), ids(&want.body), "{who} {q}");
                                assert_eq!(got.body["total"], want.body["total"], "{who} {q}");
                            }
                            compared += usize::from(!ids(&want.body).is_empty());
                        }
                    }
                }
            }
        }
        assert!(compared > 300, "most pages hold customers: {compared}");
        // Two customers holding a value and a gram change region: the value's and the gram's
        // index entries, which a wide scope's count goes by, follow them, and every count is
        // its page's (the probing router counts a search from the gram's entries).
        let r = fx.call("director", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [ids[0], ids[6]], "toUserId": fx.user["repb1"], "reason": "调整"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        for who in ["director", "mgra", "mgrb", "repa1", "repb1"] {
            for (router, filter) in [(&fx.router, tier.as_str()), (&probing, tier.as_str()), (&probing, searches[0].as_str())] {
                let all = fx.get_via(router, who, &format!("/api/v1/customers?{filter}&pageSize=100")).await;
                let items = all.body["items"].as_array().unwrap();
                assert_eq!(all.body["total"].as_u64().unwrap() as usize, items.len(), "{who} {filter}");
                if who == "mgrb" {
                    assert!(items.iter().any(|c| c["id"] == ids[0].as_str()), "the north sees what it was given: {filter}");
                }
                if who == "mgra" {
                    assert!(!items.iter().any(|c| c["id"] == ids[0].as_str()), "the east no longer sees it: {filter}");
                }
            }
        }
        // A follow-up moves its customer to the head of the value's walk (the value's entries
        // carry the last follow-up: migration 0027), for the company and for a region.
        let gold_last = ids[32].clone();
        let r = fx.call("repb1", Method::POST, &format!("/api/v1/customers/{gold_last}/followups"), Some(json!({"method": "phone", "content": "回访"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        for who in ["director", "mgrb"] {
            let top = fx.get_via(&fx.router, who, &format!("/api/v1/customers?{tier}&sort=lastFollowupAt&order=desc&pageSize=1")).await;
            assert_eq!(top.body["items"][0]["id"], gold_last.as_str(), "{who}");
        }
        assert!(fx.app.db.integrity_problems().await.unwrap().is_empty());
    }

    async fn pool_return_claim_and_hidden_contacts(fx) {
        let p = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "华东公海", "unitId": fx.unit["east"], "cooldownDays": 30, "dailyClaimLimit": 5})), None).await;
        assert_eq!(p.status, StatusCode::CREATED, "{:?}", p.body);
        let pool = p.body["id"].as_str().unwrap().to_owned();
        let c = create(&fx, "repa1", json!({"name": "公海测试有限公司", "contacts": [{"name": "赵敏", "mobile": "13700137000"}]})).await;
        let id = cid(&c);
        // A pool in another region does not cover the customer; a reason is required.
        let north = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "华北公海", "unitId": fx.unit["north"]})), None).await;
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{id}/return-to-pool"), Some(json!({"poolId": north.body["id"], "reason": "无需求"})), None).await;
        assert_eq!(r.body["fields"]["poolId"]["code"], "pool.does_not_cover_customer");
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{id}/return-to-pool"), Some(json!({"poolId": pool, "reason": "客户暂无需求"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.call("repa1", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(list(&fx, "mgra", "").await["total"], 0, "pool customers are not in anyone's list");
        // Members see it without contact details; the north region does not see the pool.
        let pc = fx.call("repa2", Method::GET, &format!("/api/v1/pools/{pool}/customers"), None, None).await;
        assert_eq!(pc.status, StatusCode::OK);
        assert_eq!(pc.body["total"], 1);
        assert!(pc.body["items"][0]["primaryMobile"].is_null());
        let managed = fx.call("mgra", Method::GET, &format!("/api/v1/pools/{pool}/customers"), None, None).await;
        assert_eq!(managed.body["items"][0]["primaryMobile"], "13700137000", "a pool manager sees contacts");
        assert_eq!(fx.call("repb1", Method::GET, &format!("/api/v1/pools/{pool}/customers"), None, None).await.status, StatusCode::NOT_FOUND);
        let pools = fx.call("repb1", Method::GET, "/api/v1/pools", None, None).await;
        assert_eq!(pools.body.as_array().unwrap().len(), 1, "only the north pool");
        // The previous owner waits out the cool-down; another member claims it.
        let claim = format!("/api/v1/pools/{pool}/customers/{id}/claim");
        let r = fx.call("repa1", Method::POST, &claim, None, None).await;
        assert_eq!(r.code(), "pool.cooldown");
        let r = fx.call("repa2", Method::POST, &claim, None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["ownerId"], fx.user["repa2"].to_string());
        let d = fx.call("repa2", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await;
        let changes: Vec<&str> = d.body["history"].as_array().unwrap().iter().map(|h| h["change"].as_str().unwrap()).collect();
        assert_eq!(changes, ["claimed", "returned", "created"]);
        assert_eq!(d.body["contacts"][0]["mobile"], "13700137000", "the claimant sees the contacts");
        // Claimed twice: gone from the pool.
        assert_eq!(fx.call("repa1", Method::POST, &claim, None, None).await.status, StatusCode::NOT_FOUND);
        // A manager assigns from the pool, within their scope only.
        fx.call("repa2", Method::POST, &format!("/api/v1/customers/{id}/return-to-pool"), Some(json!({"poolId": pool, "reason": "交回"})), None).await;
        let assign = format!("/api/v1/pools/{pool}/customers/{id}/assign");
        let r = fx.call("repa2", Method::POST, &assign, Some(json!({"toUserId": fx.user["repa1"]})), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = fx.call("mgra", Method::POST, &assign, Some(json!({"toUserId": fx.user["repb1"]})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = fx.call("mgra", Method::POST, &assign, Some(json!({"toUserId": fx.user["repa1"]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "assignment is not a claim: no cool-down: {:?}", r.body);
        assert!(fx.app.db.integrity_problems().await.unwrap().is_empty());
    }

    async fn twenty_reps_claiming_one_customer_leave_exactly_one_owner(fx) {
        let p = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "抢单公海", "unitId": fx.unit["east"]})), None).await;
        let pool = p.body["id"].as_str().unwrap().to_owned();
        let c = create(&fx, "repa1", json!({"name": "抢手客户有限公司"})).await;
        let id = cid(&c);
        let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{id}/return-to-pool"), Some(json!({"poolId": pool, "reason": "放入公海"})), None).await;
        assert_eq!(r.status, StatusCode::OK);
        let hash = salesdesk_app::passwords::hash(common::PASSWORD.into()).await.unwrap();
        let mut reps = Vec::new();
        for i in 0..20 {
            let name: &'static str = Box::leak(format!("race{i}").into_boxed_str());
            let uid = fx.person(name, "rep", Some("shanghai"), Some(fx.user["mgra"]), &hash).await;
            fx.login(name).await;
            reps.push((name, uid));
        }
        let path = format!("/api/v1/pools/{pool}/customers/{id}/claim");
        let tasks: Vec<_> = reps.iter().map(|(name, _)| {
            let req = fx.request(name, Method::POST, &path, None, None);
            tokio::spawn(common::send(fx.router.clone(), req))
        }).collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().as_u16());
        }
        let winners: Vec<usize> = statuses.iter().enumerate().filter(|(_, s)| **s == 200).map(|(i, _)| i).collect();
        assert_eq!(winners.len(), 1, "exactly one claim succeeds: {statuses:?}");
        assert!(statuses.iter().all(|s| matches!(s, 200 | 404 | 409)), "{statuses:?}");
        let d = fx.call("admin", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await;
        assert_eq!(d.body["customer"]["ownerId"], reps[winners[0]].1.to_string());
        let claims = d.body["history"].as_array().unwrap().iter().filter(|h| h["change"] == "claimed").count();
        assert_eq!(claims, 1, "one claim recorded");
    }

    async fn reclaim_takes_back_neglected_customers_once_and_warns_first(fx) {
        let p = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "回收公海", "unitId": fx.unit["east"], "noFollowupDays": 30, "remindDays": 7})), None).await;
        assert_eq!(p.status, StatusCode::CREATED, "{:?}", p.body);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let day = 86_400_000i64;
        let mut ids = Vec::new();
        for (name, days_ago) in [("久未跟进有限公司", 40), ("快到期有限公司", 25), ("刚跟进有限公司", 1), ("锁定客户有限公司", 40)] {
            let c = create(&fx, "repa1", json!({"name": name})).await;
            let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&c)), Some(json!({"method": "phone", "content": "联系", "happenedAt": now - days_ago * day})), None).await;
            assert_eq!(r.status, StatusCode::CREATED);
            ids.push(cid(&c));
        }
        let locked = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{}", ids[3]), None, None).await;
        fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{}/lock", ids[3]), Some(json!({"locked": true})), locked.body["customer"]["version"].as_i64()).await;
        // A north customer is under no pool's rules.
        let north = create(&fx, "repb1", json!({"name": "华北久未跟进有限公司"})).await;
        fx.call("repb1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&north)), Some(json!({"method": "phone", "content": "联系", "happenedAt": now - 40 * day})), None).await;

        // The owner is warned about what is due within the reminder period.
        let w = fx.call("repa1", Method::GET, "/api/v1/me/reclaim-warnings", None, None).await;
        let warned: Vec<&str> = w.body.as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(warned, ["久未跟进有限公司", "快到期有限公司"]);
        // The preview changes nothing and is for those who manage every pool.
        assert_eq!(fx.call("mgra", Method::GET, "/api/v1/pools/reclaim-preview", None, None).await.status, StatusCode::FORBIDDEN);
        let pv = fx.call("admin", Method::GET, "/api/v1/pools/reclaim-preview", None, None).await;
        assert_eq!(pv.status, StatusCode::OK, "{:?}", pv.body);
        let due: Vec<&str> = pv.body["candidates"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(due, ["久未跟进有限公司"]);
        assert_eq!(pv.body["candidates"][0]["reason"], "no_followup");
        assert_eq!(list(&fx, "repa1", "").await["total"], 4);

        // Two runs at once, in the background: the customer moves once.
        let (a, b) = tokio::join!(
            fx.call("admin", Method::POST, "/api/v1/pools/reclaim", None, None),
            fx.call("director", Method::POST, "/api/v1/pools/reclaim", None, None)
        );
        assert_eq!((a.status, b.status), (StatusCode::ACCEPTED, StatusCode::ACCEPTED), "{:?} {:?}", a.body, b.body);
        let ra = fx.finished_reclaim(a.body["runKey"].as_str().unwrap()).await;
        let rb = fx.finished_reclaim(b.body["runKey"].as_str().unwrap()).await;
        assert_eq!(ra["reclaimed"].as_i64().unwrap() + rb["reclaimed"].as_i64().unwrap(), 1, "{ra:?} {rb:?}");
        assert_eq!(fx.call("mgra", Method::GET, &format!("/api/v1/pools/reclaim-runs/{}", ra["runKey"].as_str().unwrap()), None, None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(fx.call("admin", Method::GET, "/api/v1/pools/reclaim-runs/no-such-run", None, None).await.status, StatusCode::NOT_FOUND);
        // A run its process never finished shows as failed once it is long overdue.
        let mut tx = fx.app.db.begin_write().await.unwrap();
        assert!(salesdesk_store::jobs::start(&mut tx, salesdesk_app::pools::RECLAIM_JOB, "cut-short", None, now - 3_600_000).await.unwrap());
        tx.commit().await.unwrap();
        let r = fx.call("admin", Method::GET, "/api/v1/pools/reclaim-runs/cut-short", None, None).await;
        assert_eq!((r.body["finishedAt"].is_null(), r.body["failed"].as_bool()), (true, Some(true)), "{:?}", r.body);
        assert_eq!(list(&fx, "repa1", "").await["total"], 3);
        let pool = p.body["id"].as_str().unwrap();
        let pc = fx.call("mgra", Method::GET, &format!("/api/v1/pools/{pool}/customers"), None, None).await;
        assert_eq!(pc.body["items"][0]["name"], "久未跟进有限公司");
        let mut tx = fx.app.db.begin_read().await.unwrap();
        let history = salesdesk_store::customers::owner_history(&mut tx, ids[0].parse().unwrap()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(history.iter().filter(|h| h.change == "reclaimed").count(), 1, "moved once");
        assert_eq!(history[0].reason.as_deref(), Some("no_followup"));
        assert_eq!(list(&fx, "repb1", "").await["total"], 1, "no rule, no reclaim");
        assert!(fx.app.db.integrity_problems().await.unwrap().is_empty(), "per-unit counts kept by the triggers agree");
        // The daily run runs once per day whatever the number of instances.
        let meta = salesdesk_app::RequestMeta::default();
        assert!(salesdesk_app::pools::reclaim_run(&fx.app, None, Some("daily-2026-11-27".into()), &meta).await.is_ok());
        assert!(matches!(
            salesdesk_app::pools::reclaim_run(&fx.app, None, Some("daily-2026-11-27".into()), &meta).await,
            Err(salesdesk_app::AppError::Conflict("job.already_ran"))
        ));
    }

    async fn reclaim_follows_the_rule_of_each_customer_level(fx) {
        // Level rules must name real levels, once each, with sensible days; a refusal saves nothing.
        for (rules, code) in [
            (json!([{"levelCode": "Z", "noFollowupDays": 90}]), "pool.level_unknown"),
            (json!([{"levelCode": "A", "noFollowupDays": 90}, {"levelCode": "A", "noFollowupDays": 60}]), "pool.level_twice"),
            (json!([{"levelCode": "A", "noFollowupDays": 0}]), "out_of_range"),
        ] {
            let r = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "分级公海", "unitId": fx.unit["east"], "noFollowupDays": 30, "levelRules": rules})), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{rules}: {:?}", r.body);
            assert_eq!(r.body["fields"]["levelRules"]["code"], code);
        }
        assert_eq!(fx.call("admin", Method::GET, "/api/v1/pools", None, None).await.body.as_array().unwrap().len(), 0);
        // Key accounts get 90 days, C customers are never reclaimed, everyone else 30 days.
        let rules = json!([{"levelCode": "A", "noFollowupDays": 90, "noDealDays": null}, {"levelCode": "C", "noFollowupDays": null, "noDealDays": null}]);
        let p = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "分级公海", "unitId": fx.unit["east"], "noFollowupDays": 30, "levelRules": rules})), None).await;
        assert_eq!(p.status, StatusCode::CREATED, "{:?}", p.body);
        assert_eq!(p.body["levelRules"], rules);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let day = 86_400_000i64;
        for (name, level, days_ago) in [
            ("分级A四十五天有限公司", Some("A"), 45),
            ("分级A一百天有限公司", Some("A"), 100),
            ("分级B四十五天有限公司", Some("B"), 45),
            ("分级无级别四十五天有限公司", None, 45),
            ("分级C三百天有限公司", Some("C"), 300),
        ] {
            let c = create(&fx, "repa1", json!({"name": name, "levelCode": level})).await;
            let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{}/followups", cid(&c)), Some(json!({"method": "phone", "content": "联系", "happenedAt": now - days_ago * day})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{name}: {:?}", r.body);
        }
        let pv = fx.call("admin", Method::GET, "/api/v1/pools/reclaim-preview", None, None).await;
        assert_eq!(pv.status, StatusCode::OK, "{:?}", pv.body);
        let mut due: Vec<&str> = pv.body["candidates"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        due.sort();
        assert_eq!(due, ["分级A一百天有限公司", "分级B四十五天有限公司", "分级无级别四十五天有限公司"]);
        let r = fx.call("admin", Method::POST, "/api/v1/pools/reclaim", None, None).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(fx.finished_reclaim(r.body["runKey"].as_str().unwrap()).await["reclaimed"], 3);
        let left: Vec<String> = names(&list(&fx, "repa1", "").await);
        assert_eq!(left, ["分级A四十五天有限公司", "分级C三百天有限公司"]);
    }

    async fn export_is_the_scoped_list_with_no_formula_and_audited(fx) {
        one_each(&fx).await;
        create(&fx, "repa1", json!({"name": "=HYPERLINK(\"http://x\")有限公司", "levelCode": "A", "tags": ["重点"]})).await;
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv"})), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "reps do not export");
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(r.headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"customers-"));
        let csv = r.body.as_str().unwrap();
        assert!(csv.starts_with("\u{feff}客户编号,客户名称,"), "a BOM and Chinese headings: {csv:.60}");
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 1 + 4, "the region's four customers: {lines:?}");
        assert!(csv.contains("上海甲一机械有限公司") && !csv.contains("北京乙一能源有限公司"), "only the scope");
        assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")有限公司\","), "no cell starts a formula: {csv}");
        assert!(csv.contains(",A 级,") && csv.contains(",重点,"), "labels and tags, not codes");
        // Filters are the list's filters.
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv", "levelCode": "A"})), None).await;
        assert_eq!(r.body.as_str().unwrap().trim_end().split("\r\n").count(), 2);
        // XLSX is a zip (an .xlsx file).
        let r = fx.call("director", Method::POST, "/api/v1/customers/export", Some(json!({"format": "xlsx"})), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let bad = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "pdf"})), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
