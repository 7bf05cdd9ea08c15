//! Notifications (通知) and reminders through the real router on both databases: customers
//! given to someone tell them (and nobody else); the daily reminders tell each owner once
//! about contacts due, customers the pool will take back and forgotten customers, however
//! often the run repeats; 遗忘提醒 rules per level drive the list filter too.

mod common;

use axum::http::{Method, StatusCode};
use common::Fx;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn create(fx: &Fx, who: &str, body: Value) -> String {
    let r = fx
        .call(who, Method::POST, "/api/v1/customers", Some(body), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{who}: {:?}", r.body);
    r.body["customer"]["id"].as_str().unwrap().to_owned()
}

async fn notes(fx: &Fx, who: &str) -> Value {
    let r = fx
        .call(
            who,
            Method::GET,
            "/api/v1/me/notifications?pageSize=50",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn kinds(page: &Value) -> Vec<String> {
    let mut k: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k
}

async fn forgotten(fx: &Fx, who: &str) -> Vec<String> {
    let r = fx
        .call(
            who,
            Method::GET,
            "/api/v1/customers?forgotten=true",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut n: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    n.sort();
    n
}

api_test! {
    async fn customers_given_to_someone_tell_them_and_nobody_else(fx) {
        let a = create(&fx, "repa1", json!({"name": "上海甲一机械有限公司"})).await;
        let b = create(&fx, "repa1", json!({"name": "上海甲二电子有限公司"})).await;
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [a, b], "toUserId": fx.user["repa2"], "reason": "调整客户分工"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let page = notes(&fx, "repa2").await;
        assert_eq!(page["unread"], 1, "one transfer, one notification: {page}");
        let n = &page["items"][0];
        assert_eq!(n["kind"], "customers_received");
        assert_eq!(n["data"]["count"], 2);
        assert_eq!(n["data"]["customerName"], "上海甲一机械有限公司");
        assert_eq!(n["data"]["change"], "transferred");
        assert_eq!(n["entityId"], Value::Null, "two customers: no single record to open");
        assert_eq!(notes(&fx, "repa1").await["total"], 0);
        assert_eq!(notes(&fx, "mgra").await["total"], 0, "the one who acted is not told");

        // Only its reader marks it read; anyone else is told it does not exist.
        let path = format!("/api/v1/me/notifications/{}/read", n["id"].as_str().unwrap());
        assert_eq!(fx.call("repa1", Method::POST, &path, None, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(notes(&fx, "repa2").await["unread"], 1);
        assert_eq!(fx.call("repa2", Method::POST, &path, None, None).await.status, StatusCode::NO_CONTENT);
        let r = fx.call("repa2", Method::GET, "/api/v1/me/notifications/unread-count", None, None).await;
        assert_eq!(r.body["unread"], 0);

        // Handing over a leaving rep's customers is one more notification, naming the count.
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/handover", Some(json!({"fromUserId": fx.user["repa2"], "toUserId": fx.user["repa1"], "reason": "离职交接"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let page = notes(&fx, "repa1").await;
        assert_eq!(page["items"][0]["data"]["change"], "handed_over");
        assert_eq!(page["items"][0]["data"]["count"], 2);
        let r = fx.call("repa1", Method::POST, "/api/v1/me/notifications/read-all", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(notes(&fx, "repa1").await["unread"], 0);
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me/notifications?unread=true", None, None).await.body["total"], 0);
    }

    async fn daily_reminders_tell_each_owner_once(fx) {
        let now = salesdesk_app::now_ms();
        let p = fx.call("admin", Method::POST, "/api/v1/pools", Some(json!({"name": "华东公海", "unitId": fx.unit["east"], "noFollowupDays": 60, "remindDays": 7})), None).await;
        assert_eq!(p.status, StatusCode::CREATED, "{:?}", p.body);
        let x = create(&fx, "repa1", json!({"name": "上海甲一机械有限公司", "levelCode": "A"})).await;
        let y = create(&fx, "repa1", json!({"name": "上海甲二电子有限公司", "levelCode": "B"})).await;
        create(&fx, "repa2", json!({"name": "上海甲三物流有限公司", "levelCode": "A"})).await;
        // Both last seen 20 days ago; X was promised a call a minute ago.
        for (id, next) in [(&x, Some(now - 60_000)), (&y, None)] {
            let r = fx.call("repa1", Method::POST, &format!("/api/v1/customers/{id}/followups"), Some(json!({"method": "visit", "content": "拜访", "happenedAt": now - 20 * DAY, "nextAt": next})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }

        // 遗忘提醒 by level: A after 15 days, B after 30. A new customer is not forgotten.
        assert_eq!(forgotten(&fx, "repa1").await, ["上海甲一机械有限公司"]);
        assert_eq!(forgotten(&fx, "repa2").await, Vec::<String>::new());

        let run = salesdesk_app::notifications::run_reminders(&fx.app, now).await.unwrap();
        assert_eq!((run.followups_due, run.reclaim_warnings, run.forgotten), (1, 0, 1));
        assert!(salesdesk_app::notifications::run_reminders(&fx.app, now).await.is_err(), "once a day");
        let page = notes(&fx, "repa1").await;
        assert_eq!(kinds(&page), ["followup_due", "forgotten"]);
        let due = page["items"].as_array().unwrap().iter().find(|n| n["kind"] == "followup_due").unwrap().clone();
        assert_eq!(due["entityId"], x.as_str());
        assert_eq!(due["data"]["customerName"], "上海甲一机械有限公司");
        assert_eq!(notes(&fx, "repa2").await["total"], 0);

        // 35 days on, the pool takes both back within its 7 reminder days: each owner is told
        // once per customer, and the forgotten digest comes again for that day.
        let later = now + 35 * DAY;
        let run = salesdesk_app::notifications::run_reminders(&fx.app, later).await.unwrap();
        assert_eq!((run.followups_due, run.reclaim_warnings, run.forgotten), (0, 2, 2), "{run:?}");
        let page = notes(&fx, "repa1").await;
        assert_eq!(kinds(&page), ["followup_due", "forgotten", "forgotten", "reclaim_warning", "reclaim_warning"]);
        let warn = page["items"].as_array().unwrap().iter().find(|n| n["kind"] == "reclaim_warning").unwrap().clone();
        assert_eq!(warn["data"]["poolName"], "华东公海");
        assert_eq!(warn["data"]["reason"], "no_followup");

        // Half a year on, the day's run clears what is older than 180 days, read or not.
        let run = salesdesk_app::notifications::run_reminders(&fx.app, now + 200 * DAY).await.unwrap();
        assert_eq!(run.removed, 2, "the first day's two: {run:?}");
        let kept = notes(&fx, "repa1").await;
        assert!(kept["items"].as_array().unwrap().iter().all(|n| n["createdAt"].as_i64().unwrap() >= later), "{kept}");

        // The rules: readable by those who see customers, set by administrators, checked.
        let r = fx.call("repa1", Method::GET, "/api/v1/customer-settings/forgotten-rules", None, None).await;
        assert_eq!(r.body, json!([{"levelCode": "*", "days": 90}, {"levelCode": "A", "days": 15}, {"levelCode": "B", "days": 30}, {"levelCode": "C", "days": 60}]));
        let path = "/api/v1/customer-settings/forgotten-rules";
        assert_eq!(fx.call("repa1", Method::PUT, path, Some(json!({"rules": []})), None).await.status, StatusCode::FORBIDDEN);
        let r = fx.call("admin", Method::PUT, path, Some(json!({"rules": [{"levelCode": "Z", "days": 5}, {"levelCode": "B", "days": 0}, {"levelCode": "B", "days": 10}]})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["rules[0].levelCode"]["code"], "option.unknown");
        assert_eq!(r.body["fields"]["rules[1].days"]["code"], "out_of_range");
        assert_eq!(r.body["fields"]["rules[2].levelCode"]["code"], "duplicate");
        let r = fx.call("admin", Method::PUT, path, Some(json!({"rules": [{"levelCode": "B", "days": 10}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(forgotten(&fx, "repa1").await, ["上海甲二电子有限公司"], "only B has a rule now");
    }
}
