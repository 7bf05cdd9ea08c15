//! Saved views (保存的视图) through the real router on both databases: personal, checked
//! against the list's own parameters, one default, optimistic locking, a limit per list, and
//! a view can only narrow what its owner sees, never widen it.

mod common;

use axum::http::{Method, StatusCode};
use common::Fx;
use serde_json::{Value, json};

async fn save(fx: &Fx, who: &str, body: Value) -> common::Resp {
    fx.call(who, Method::POST, "/api/v1/me/views", Some(body), None)
        .await
}

async fn views(fx: &Fx, who: &str) -> Vec<Value> {
    let r = fx
        .call(
            who,
            Method::GET,
            "/api/v1/me/views?kind=customers",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

/// The list as a view opens it: the view's query parameters on the list's URL.
async fn open(fx: &Fx, who: &str, view: &Value) -> i64 {
    let query: Vec<String> = view["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect();
    let r = fx
        .call(
            who,
            Method::GET,
            &format!("/api/v1/customers?{}", query.join("&")),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["total"].as_i64().unwrap()
}

api_test! {
    async fn views_are_personal_checked_and_have_one_default(fx) {
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": " A级客户 ", "query": {"levelCode": "A", "q": ""}, "columns": ["name", "levelCode"], "isDefault": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["name"], "A级客户");
        assert_eq!(r.body["query"], json!({"levelCode": "A"}), "blank filters are not kept");
        let first = r.body["id"].as_str().unwrap().to_owned();
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": "久未跟进", "query": {"idleDays": "30", "sort": "lastFollowupAt", "order": "asc"}, "isDefault": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let mine = views(&fx, "repa1").await;
        assert_eq!(mine.len(), 2);
        assert_eq!(mine.iter().filter(|v| v["isDefault"] == true).count(), 1, "one default per list");
        assert_eq!(mine.iter().find(|v| v["isDefault"] == true).unwrap()["name"], "久未跟进");

        // Refusals name their field and change nothing.
        let audit = fx.call("admin", Method::GET, "/api/v1/audit?action=view.created", None, None).await.body["total"].clone();
        for (body, status, field, code) in [
            (json!({"kind": "customers", "name": "A级客户"}), StatusCode::CONFLICT, "name", "view.name_taken"),
            (json!({"kind": "customers", "name": "越权", "query": {"scope": "all"}}), StatusCode::UNPROCESSABLE_ENTITY, "query", "view.unknown_filter"),
            (json!({"kind": "orders", "name": "订单"}), StatusCode::UNPROCESSABLE_ENTITY, "kind", "invalid_choice"),
            (json!({"kind": "customers", "name": "  "}), StatusCode::UNPROCESSABLE_ENTITY, "name", "required"),
            (json!({"kind": "customers", "name": "列", "columns": ["name<script>"]}), StatusCode::UNPROCESSABLE_ENTITY, "columns", "invalid_characters"),
        ] {
            let r = save(&fx, "repa1", body.clone()).await;
            assert_eq!(r.status, status, "{body}: {:?}", r.body);
            assert_eq!(r.body["fields"][field]["code"], code, "{body}: {:?}", r.body);
        }
        assert_eq!(views(&fx, "repa1").await.len(), 2);
        let after = fx.call("admin", Method::GET, "/api/v1/audit?action=view.created", None, None).await.body["total"].clone();
        assert_eq!(after, audit);

        // Nobody else sees, changes or deletes them; the same name is free for others.
        assert!(views(&fx, "repa2").await.is_empty());
        let path = format!("/api/v1/me/views/{first}");
        let body = json!({"kind": "customers", "name": "改名"});
        assert_eq!(fx.call("repa2", Method::PUT, &path, Some(body.clone()), Some(1)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(fx.call("mgra", Method::DELETE, &path, None, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(save(&fx, "repa2", json!({"kind": "customers", "name": "A级客户"})).await.status, StatusCode::CREATED);

        // Changes need the version read.
        let r = fx.call("repa1", Method::PUT, &path, Some(body.clone()), Some(7)).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{:?}", r.body);
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"kind": "customers", "name": "改名", "query": {"levelCode": "B"}, "isDefault": true})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["version"], 2);
        let mine = views(&fx, "repa1").await;
        assert_eq!(mine.iter().filter(|v| v["isDefault"] == true).map(|v| v["name"].clone()).collect::<Vec<_>>(), [json!("改名")]);
        assert_eq!(fx.call("repa1", Method::DELETE, &path, None, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(views(&fx, "repa1").await.len(), 1);
    }

    async fn a_view_narrows_its_owners_list_and_never_widens_it(fx) {
        for (who, name) in [("repa1", "上海视图甲有限公司"), ("repb1", "北京视图乙有限公司")] {
            let r = fx.call(who, Method::POST, "/api/v1/customers", Some(json!({"name": name, "levelCode": "A"})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        // A view naming another region's rep as owner shows repa1 nothing of theirs.
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": "别人的客户", "query": {"ownerId": fx.user["repb1"].to_string()}})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(open(&fx, "repa1", &r.body).await, 0);
        assert_eq!(open(&fx, "admin", &r.body).await, 1, "the same filter finds it for whoever may see it");
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": "A级", "query": {"levelCode": "A"}})).await;
        assert_eq!(open(&fx, "repa1", &r.body).await, 1);

        // At most 30 views per list.
        for i in views(&fx, "repa1").await.len()..30 {
            assert_eq!(save(&fx, "repa1", json!({"kind": "customers", "name": format!("视图{i}")})).await.status, StatusCode::CREATED);
        }
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": "第31个"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["name"]["code"], "view.too_many");
        assert_eq!(views(&fx, "repa1").await.len(), 30);
    }

    async fn an_administrator_shares_a_view_that_each_reader_opens_within_their_scope(fx) {
        for (who, name) in [("repa1", "上海共享甲有限公司"), ("repb1", "北京共享乙有限公司")] {
            let r = fx.call(who, Method::POST, "/api/v1/customers", Some(json!({"name": name, "levelCode": "A"})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        // Only administrators share; a rep's attempt changes nothing.
        let r = save(&fx, "repa1", json!({"kind": "customers", "name": "A级客户", "query": {"levelCode": "A"}, "shared": true})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(views(&fx, "repa1").await.is_empty());
        let r = save(&fx, "admin", json!({"kind": "customers", "name": "A级客户", "query": {"levelCode": "A"}, "shared": true, "isDefault": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let shared = r.body.clone();

        // Everyone sees it, not as their default, and it finds only what each may see.
        let seen = views(&fx, "repa1").await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["shared"], true);
        assert_eq!(seen[0]["isDefault"], false, "the administrator's default is theirs alone");
        assert_eq!(open(&fx, "repa1", &seen[0]).await, 1);
        assert_eq!(open(&fx, "repb1", &seen[0]).await, 1);
        assert_eq!(open(&fx, "admin", &shared).await, 2);

        // Only its owner changes or deletes it; a rep's own view of the same name is theirs.
        let path = format!("/api/v1/me/views/{}", shared["id"].as_str().unwrap());
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"kind": "customers", "name": "改"})), Some(1)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(fx.call("repa1", Method::DELETE, &path, None, None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(save(&fx, "repa1", json!({"kind": "customers", "name": "A级客户"})).await.status, StatusCode::CREATED);
        assert_eq!(views(&fx, "repa1").await.len(), 2);
        // Unshared, it is the administrator's alone again.
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"kind": "customers", "name": "A级客户", "query": {"levelCode": "A"}})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(views(&fx, "repa1").await.len(), 1);
        assert_eq!(fx.call("repa1", Method::DELETE, &path, None, None).await.status, StatusCode::NOT_FOUND);
    }
}
