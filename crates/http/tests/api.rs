//! The API through the real router, on both databases: sign-in and sessions (T10-T12),
//! error bodies and field errors (T3, T19), optimistic locking, headers and CSRF (T18),
//! data scope in lists (T2), audit (T15) and the OpenAPI snapshot.

mod common;

use axum::http::{Method, StatusCode, header};
use serde_json::json;

api_test! {
    async fn wrong_password_unknown_user_and_deactivated_user_look_the_same(fx) {
        let a = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "repa1", "password": "wrong-password-1"})), &[]).await;
        let b = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "nobody", "password": "wrong-password-1"})), &[]).await;
        let c = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "deactivated", "password": common::PASSWORD})), &[]).await;
        for r in [&a, &b, &c] {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert_eq!(r.code(), "auth.invalid_credentials");
            assert_eq!(r.body["message"], "用户名或密码错误");
        }
    }

    async fn repeated_failures_are_throttled_before_hashing_with_retry_after(fx) {
        for _ in 0..5 {
            let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "repb1", "password": "not-the-password"})), &[]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Even the right password is refused while the account is throttled.
        let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "repb1", "password": common::PASSWORD})), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 15 * 60);
        // Unknown accounts are throttled the same way: no enumeration through 429s.
        for _ in 0..5 {
            fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "ghost", "password": "not-the-password"})), &[]).await;
        }
        let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "ghost", "password": "x-x-x-x-x"})), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn the_lock_belongs_to_the_account_whatever_name_or_spelling_is_typed(fx) {
        let hash = salesdesk_app::passwords::hash(common::PASSWORD.into()).await.unwrap();
        let u = salesdesk_app::bootstrap::OperatorUser {
            username: "mobilerep".into(), display_name: "手机".into(), mobile: None, password: String::new(),
            role: "rep".into(), unit_id: Some(fx.unit["shanghai"]), manager_id: Some(fx.user["mgra"]),
            position_code: None, must_change_password: false,
        };
        salesdesk_app::bootstrap::insert_user(&fx.app, &u, "mobilerep".into(), "手机".into(), Some("17710131357".into()), Some(hash)).await.unwrap();
        // Five wrong tries spread over every way of naming the one account.
        for login in ["mobilerep", "17710131357", "+8617710131357", "177 1013 1357", "MobileRep"] {
            let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": login, "password": "not-the-password"})), &[]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{login}");
        }
        // Now the account is locked through each of them, the right password included.
        for login in ["mobilerep", "17710131357", "+8617710131357", "177 1013 1357", "0086 177-1013-1357", "１７７１０１３１３５７"] {
            let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": login, "password": common::PASSWORD})), &[]).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{login} must be locked too");
            assert!(r.headers.get(header::RETRY_AFTER).is_some());
        }
        // An unknown mobile number is counted across its spellings in the same way.
        for login in ["13900000001", "+8613900000001", "139 0000 0001", "139-0000-0001", "0086 13900000001"] {
            let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": login, "password": "not-the-password"})), &[]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{login}");
        }
        let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "13900000001", "password": "x-x-x-x-x"})), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn signed_in_actors_kept_in_memory_are_forgotten_the_moment_anything_changes(fx) {
        // Two instances on one database, each keeping actors in memory as the server does.
        let (other_app, other) = fx.other_watched_instance().await;
        let before = fx.app.auth_cache.hits();
        for _ in 0..5 {
            assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::OK);
        }
        assert!(fx.app.auth_cache.hits() >= before + 4, "served from memory");
        // Signing out ends the session at once, however often it was served from memory.
        let r = fx.call("repa1", Method::POST, "/api/v1/auth/logout", None, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::UNAUTHORIZED);
        // Deactivation: at once here, and on the other instance within the watch's period.
        let other_hits = other_app.auth_cache.hits();
        for _ in 0..3 {
            assert_eq!(fx.get_via(&other, "repa2", "/api/v1/me").await.status, StatusCode::OK);
        }
        assert!(other_app.auth_cache.hits() > other_hits, "the other instance keeps it too");
        assert_eq!(fx.call("repa2", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::OK);
        let v = fx.user_version("repa2").await;
        let r = fx.call("mgra", Method::POST, &format!("/api/v1/users/{}/deactivate", fx.user["repa2"]), None, Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.call("repa2", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::UNAUTHORIZED);
        let gone = common::within_a_moment(async || fx.get_via(&other, "repa2", "/api/v1/me").await.status == StatusCode::UNAUTHORIZED).await;
        assert!(gone, "the other instance forgets within a moment");
    }

    async fn list_settings_kept_in_memory_follow_every_change(fx) {
        // The custom fields, levels and 遗忘提醒 rules a list reads are kept in memory while the
        // auth generation stands: a change shows at once here, and on another instance within
        // the watch's period.
        let (_, other) = fx.other_watched_instance().await;
        let c = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "设置缓存有限公司", "levelCode": "A"})), None).await;
        assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
        let id = c.body["customer"]["id"].as_str().unwrap().to_owned();
        let gold = format!("/api/v1/customers?cf={}", common::urlencode("grade:eq:gold"));
        for router in [&fx.router, &other] {
            let r = fx.get_via(router, "repa1", &gold).await;
            assert_eq!(r.body["fields"]["cf"]["code"], "custom_field.unknown", "no such field yet: {:?}", r.body);
        }
        let loads = fx.app.reference_cache.loads();
        for _ in 0..4 {
            assert_eq!(fx.call("repa1", Method::GET, "/api/v1/customers", None, None).await.status, StatusCode::OK);
        }
        assert!(fx.app.reference_cache.loads() <= loads + 1, "served from memory");
        // A field is added and given a value: its filter works at once here, and on the other
        // instance within a moment.
        let r = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(json!({"code": "grade", "label": "等级评定", "kind": "select",
            "options": [{"code": "gold", "label": "金"}]})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let v = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{id}"), None, None).await;
        let r = fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{id}"), Some(json!({"name": "设置缓存有限公司", "levelCode": "A", "customFields": {"grade": "gold"}})),
            Some(v.body["customer"]["version"].as_i64().unwrap())).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let here = fx.get_via(&fx.router, "repa1", &gold).await;
        assert_eq!((here.status, here.body["total"].as_i64()), (StatusCode::OK, Some(1)), "{:?}", here.body);
        assert_eq!(here.body["items"][0]["customFields"]["grade"], "gold", "the list shows the new field's value");
        let seen = common::within_a_moment(async || fx.get_via(&other, "repa1", &gold).await.body["total"] == 1).await;
        assert!(seen, "the other instance reads the new field within a moment");
        // Followed up 20 days ago, level A: forgotten under A's 15 days, not under 30.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let mut tx = fx.app.db.begin_write().await.unwrap();
        use salesdesk_store::sql::{Arg, Sql};
        let mut sql = Sql::new("UPDATE customers SET last_followup_at = ");
        sql.bind(Arg::I64(now - 20 * 86_400_000)).push(" WHERE id = ").bind(Arg::Uuid(id.parse().unwrap()));
        assert_eq!(sql.execute(&mut tx).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let forgotten = "/api/v1/customers?forgotten=true";
        for router in [&fx.router, &other] {
            assert_eq!(fx.get_via(router, "repa1", forgotten).await.body["total"], 1);
        }
        let r = fx.call("admin", Method::PUT, "/api/v1/customer-settings/forgotten-rules", Some(json!({"rules": [{"levelCode": "A", "days": 30}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.get_via(&fx.router, "repa1", forgotten).await.body["total"], 0, "at once here");
        let gone = common::within_a_moment(async || fx.get_via(&other, "repa1", forgotten).await.body["total"] == 0).await;
        assert!(gone, "and on the other instance within a moment");
    }

    async fn customer_pages_kept_in_memory_never_serve_stale_lists(fx) {
        // A record read keeps a customer's lists in memory and reads only its row while the
        // lists' revision stands; whoever changes a list (this server, another, a script
        // writing SQL) bumps it, so the next read here shows the change at once.
        let (_, other) = fx.other_watched_instance().await;
        let c = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "页面缓存有限公司", "levelCode": "A",
            "tags": ["重点"], "contacts": [{"name": "张一", "mobile": "13800000001"}]})), None).await;
        assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
        let id = c.body["customer"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/customers/{id}");
        macro_rules! read {
            ($router:expr) => {
                fx.get_via($router, "repa1", &path).await.body
            };
        }
        let first = read!(&fx.router);
        let loads = fx.app.customer_pages.loads();
        for _ in 0..3 {
            assert_eq!(read!(&fx.router), first, "the same page from memory");
        }
        assert_eq!(fx.app.customer_pages.loads(), loads, "its lists were not read again");
        // A contact added through the other server.
        let r = fx.call_via(&other, "repa1", Method::POST, &format!("{path}/contacts"), Some(json!({"name": "李二", "mobile": "13800000002"}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let names = |page: &serde_json::Value| page["contacts"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&read!(&fx.router)), ["张一", "李二"]);
        // Each list changed by SQL, as a script or an older server would.
        use salesdesk_store::sql::{Arg, Sql};
        let uuid: uuid::Uuid = id.parse().unwrap();
        let field = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(json!({"code": "grade", "label": "等级评定", "kind": "text"})), None).await;
        assert_eq!(field.status, StatusCode::CREATED, "{:?}", field.body);
        let field_id: uuid::Uuid = field.body["id"].as_str().unwrap().parse().unwrap();
        let now = 1_780_000_000_000_i64;
        let changes: Vec<(&str, Sql)> = vec![
            ("tag added", { let mut q = Sql::new("INSERT INTO customer_tags (customer_id, tag) VALUES ("); q.bind(Arg::Uuid(uuid)).push(", 'SQL标签')"); q }),
            ("tag removed", { let mut q = Sql::new("DELETE FROM customer_tags WHERE tag = '重点' AND customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
            ("contact edited", { let mut q = Sql::new("UPDATE customer_contacts SET mobile = '13900000009' WHERE name = '李二' AND customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
            ("contact removed", { let mut q = Sql::new("DELETE FROM customer_contacts WHERE name = '张一' AND customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
            ("collaborator added", { let mut q = Sql::new("INSERT INTO customer_collaborators (customer_id, user_id, can_edit, added_at) VALUES ("); q.bind(Arg::Uuid(uuid)).push(", ").bind(Arg::Uuid(fx.user["repb1"])).push(", TRUE, ").bind(Arg::I64(now)).push(")"); q }),
            ("collaborator changed", { let mut q = Sql::new("UPDATE customer_collaborators SET can_edit = FALSE WHERE customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
            ("value given", { let mut q = Sql::new("INSERT INTO customer_field_values (customer_id, field_id, value_text) VALUES ("); q.bind(Arg::Uuid(uuid)).push(", ").bind(Arg::Uuid(field_id)).push(", '金')"); q }),
            ("value changed", { let mut q = Sql::new("UPDATE customer_field_values SET value_text = '银' WHERE customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
            ("history written", { let mut q = Sql::new("INSERT INTO customer_owner_history (id, customer_id, change, to_owner, by_user, at) VALUES ("); q.bind(Arg::Uuid(uuid::Uuid::now_v7())).push(", ").bind(Arg::Uuid(uuid)).push(", 'transferred', ").bind(Arg::Uuid(fx.user["repa1"])).push(", ").bind(Arg::Uuid(fx.user["admin"])).push(", ").bind(Arg::I64(now)).push(")"); q }),
            ("value removed", { let mut q = Sql::new("DELETE FROM customer_field_values WHERE customer_id = "); q.bind(Arg::Uuid(uuid)); q }),
        ];
        let mut before = read!(&fx.router);
        for (what, sql) in changes {
            let mut tx = fx.app.db.begin_write().await.unwrap();
            assert_eq!(sql.execute(&mut tx).await.unwrap(), 1, "{what}");
            tx.commit().await.unwrap();
            let after = read!(&fx.router);
            assert_ne!(after, before, "{what}: shown at once");
            assert_eq!(after, read!(&other), "{what}: as the other server shows it");
            before = after;
        }
        assert_eq!(before["customer"]["tags"], json!(["SQL标签"]));
        assert_eq!(names(&before), ["李二"]);
        assert_eq!(before["contacts"][0]["mobile"], "13900000009");
        assert_eq!(before["collaborators"][0]["canEdit"], false);
        assert!(before["history"].as_array().unwrap().iter().any(|h| h["change"] == "transferred"), "{:?}", before["history"]);
        assert!(before["customer"]["customFields"]["grade"].is_null(), "{:?}", before["customer"]);
        // The record itself is read every time.
        let mut tx = fx.app.db.begin_write().await.unwrap();
        let mut q = Sql::new("UPDATE customers SET notes = '脚本改的备注' WHERE id = ");
        q.bind(Arg::Uuid(uuid));
        assert_eq!(q.execute(&mut tx).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert_eq!(read!(&fx.router)["customer"]["notes"], "脚本改的备注");
        // A collaborator's new name (a person's record, under the auth generation) shows
        // within the watch's period.
        let mut tx = fx.app.db.begin_write().await.unwrap();
        let mut q = Sql::new("UPDATE users SET display_name = '改名后的同事' WHERE id = ");
        q.bind(Arg::Uuid(fx.user["repb1"]));
        assert_eq!(q.execute(&mut tx).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let renamed = common::within_a_moment(async || read!(&fx.router)["collaborators"][0]["displayName"] == "改名后的同事").await;
        assert!(renamed, "the collaborator's new name shows within a moment");
    }

    async fn the_audit_log_names_actions_people_and_records(fx) {
        let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "repa1", "password": "wrong-password-1"})), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let c = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "审计名称有限公司"})), None).await;
        assert_eq!(c.status, StatusCode::CREATED);
        let failed = fx.call("admin", Method::GET, "/api/v1/audit?action=auth.login_failed", None, None).await;
        let row = &failed.body["items"][0];
        assert_eq!(row["actionLabel"], "登录失败");
        assert_eq!(row["actorLabel"], "未登录的访问者");
        assert_eq!((row["entityType"].as_str(), row["entityName"].as_str()), (Some("user"), Some("测试repa1")), "the account, by name");
        let created = fx.call("admin", Method::GET, &format!("/api/v1/audit?entityType=customer&entityId={}", c.body["customer"]["id"].as_str().unwrap()), None, None).await;
        let row = &created.body["items"][0];
        assert_eq!((row["actionLabel"].as_str(), row["entityLabel"].as_str(), row["entityName"].as_str()), (Some("新建客户"), Some("客户"), Some("审计名称有限公司")));
        assert_eq!(row["actorLabel"], "测试repa1 (repa1)");
        // In English too; and the filter's choices.
        let en = fx.raw(Method::GET, "/api/v1/audit?action=auth.login_failed", None, &[("accept-language", "en-US"), ("cookie", fx.cookie("admin").unwrap().as_str())]).await;
        assert_eq!(en.body["items"][0]["actionLabel"], "Sign-in failed");
        let actions = fx.call("admin", Method::GET, "/api/v1/audit/actions", None, None).await;
        assert!(actions.body.as_array().unwrap().iter().any(|a| a["code"] == "customer.transferred" && a["label"] == "转移客户"));
        // By time: nothing before the epoch.
        let none = fx.call("admin", Method::GET, "/api/v1/audit?to=1", None, None).await;
        assert_eq!(none.body["total"], 0);
    }

    async fn many_failures_from_one_address_are_throttled_across_accounts(fx) {
        for i in 0..30 {
            let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": format!("guess{i}"), "password": "not-the-password"})), &[]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let r = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "repa1", "password": common::PASSWORD})), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the address is throttled, whatever account it tries");
        assert!(r.headers.get(header::RETRY_AFTER).is_some());
    }

    async fn session_cookie_is_host_prefixed_secure_httponly_and_rotates(fx) {
        let first = fx.login("repa1").await;
        let c1 = first.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
        assert!(c1.starts_with("__Host-sd_session="), "{c1}");
        for attr in ["Path=/", "HttpOnly", "Secure", "SameSite=Lax"] {
            assert!(c1.contains(attr), "{attr} missing in {c1}");
        }
        let second = fx.login("repa1").await;
        let c2 = second.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
        assert_ne!(c1.split(';').next(), c2.split(';').next(), "a new session id at every sign-in");
    }

    async fn logout_ends_the_session_at_once(fx) {
        let r = fx.call("repa1", Method::POST, "/api/v1/auth/logout", None, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn deactivation_ends_every_session_of_that_user(fx) {
        assert_eq!(fx.call("repa2", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::OK);
        let v = fx.user_version("repa2").await;
        let r = fx.call("mgra", Method::POST, &format!("/api/v1/users/{}/deactivate", fx.user["repa2"]), None, Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.call("repa2", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::UNAUTHORIZED);
        // Their records and history stay: the manager still sees them, marked inactive.
        let r = fx.call("mgra", Method::GET, &format!("/api/v1/users/{}", fx.user["repa2"]), None, None).await;
        assert_eq!(r.body["active"], false);
    }

    async fn a_new_person_must_change_the_temporary_password_first(fx) {
        let positions = fx.call("mgra", Method::GET, "/api/v1/org/positions", None, None).await;
        let rep = positions.body.as_array().unwrap().iter().find(|p| p["code"] == "sales_rep").unwrap()["id"].clone();
        let r = fx.call("mgra", Method::POST, "/api/v1/users", Some(json!({
            "username": "newrep", "displayName": "新人", "unitId": fx.unit["shanghai"], "managerId": fx.user["mgra"], "positionId": rep
        })), None).await;
        assert_eq!(r.body["user"]["roleIds"].as_array().map(|a| a.len()), Some(1), "the position's default role");
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let temp = r.body["temporaryPassword"].as_str().unwrap().to_owned();
        let login = fx.raw(Method::POST, "/api/v1/auth/login", Some(json!({"login": "newrep", "password": temp})), &[]).await;
        assert_eq!(login.status, StatusCode::OK);
        assert_eq!(login.body["mustChangePassword"], true);
        let cookie = login.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
        fx.set_cookie("newrep", cookie);
        let blocked = fx.call("newrep", Method::GET, "/api/v1/users", None, None).await;
        assert_eq!((blocked.status, blocked.code()), (StatusCode::FORBIDDEN, "auth.password_change_required"));
        let weak = fx.call("newrep", Method::POST, "/api/v1/me/password", Some(json!({"currentPassword": temp, "newPassword": "12345678"})), None).await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(weak.body["fields"]["newPassword"]["code"], "password.too_common");
        let ok = fx.call("newrep", Method::POST, "/api/v1/me/password", Some(json!({"currentPassword": temp, "newPassword": "Shanghai-Sales-88"})), None).await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{:?}", ok.body);
        assert_eq!(fx.call("newrep", Method::GET, "/api/v1/users", None, None).await.status, StatusCode::OK);
    }

    async fn changing_the_password_ends_the_other_sessions(fx) {
        let other = fx.login("repb1").await;
        let other_cookie = other.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
        fx.login("repb1").await;
        let r = fx.call("repb1", Method::POST, "/api/v1/me/password", Some(json!({"currentPassword": common::PASSWORD, "newPassword": "Another-Good-One-9"})), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        assert_eq!(fx.call("repb1", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::OK, "the current session stays");
        let stale = fx.raw(Method::GET, "/api/v1/me", None, &[("cookie", &other_cookie)]).await;
        assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    }

    async fn users_can_list_and_end_their_own_sessions_only(fx) {
        let mine = fx.call("repa1", Method::GET, "/api/v1/me/sessions", None, None).await;
        assert_eq!(mine.status, StatusCode::OK);
        let id = mine.body[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(mine.body[0]["current"], true);
        let r = fx.call("repb1", Method::DELETE, &format!("/api/v1/me/sessions/{id}"), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another user's session is not theirs to end");
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me", None, None).await.status, StatusCode::OK);
    }

    async fn a_value_of_the_wrong_type_is_named_by_its_field_on_every_route(fx) {
        let base = json!({"name": "类型测试有限公司"});
        for (field, value, named) in [
            ("name", json!(123), "name"),
            ("tags", json!("a"), "tags"),
            ("lat", json!("north"), "lat"),
            ("customFields", json!([1]), "customFields"),
            ("contacts", json!([{"name": "张三", "mobile": 13800138000u64}]), "contacts[0].mobile"),
            ("ownerId", json!(fx.user["repa2"]), "ownerId"),
        ] {
            let mut body = base.clone();
            body[field] = value;
            let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(body), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert_eq!(r.body["fields"][named]["code"], "request.invalid_body", "{field}: {:?}", r.body);
        }
        // A number beyond f64 breaks the JSON itself, inside the field.
        let raw = br#"{"name": "x", "lat": 1e400, "lon": 1}"#.to_vec();
        let r = fx.call_bytes("repa1", Method::POST, "/api/v1/customers", raw, "application/json").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["lat"]["code"], "request.invalid_body", "{:?}", r.body);
        // Other routes, other bodies.
        let v = fx.user_version("repa1").await;
        let r = fx.call("mgra", Method::PUT, &format!("/api/v1/users/{}", fx.user["repa1"]), Some(json!({"displayName": 7})), Some(v)).await;
        assert_eq!(r.body["fields"]["displayName"]["code"], "request.invalid_body", "{:?}", r.body);
        let r = fx.call("repa1", Method::POST, "/api/v1/customers/duplicate-check", Some(json!({"mobiles": "13800138000"})), None).await;
        assert_eq!(r.body["fields"]["mobiles"]["code"], "request.invalid_body", "{:?}", r.body);
        // Not JSON at all: no field to name.
        let r = fx.call_bytes("repa1", Method::POST, "/api/v1/customers", b"{name".to_vec(), "application/json").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_body"));
        let all = fx.call("admin", Method::GET, "/api/v1/customers", None, None).await;
        assert_eq!(all.body["total"], 0, "nothing was created");
    }

    async fn server_owned_and_unknown_fields_are_rejected_and_change_nothing(fx) {
        let v = fx.user_version("repa1").await;
        for (field, value) in [("version", json!(99)), ("active", json!(false)), ("unitId", json!(fx.unit["north"])), ("passwordHash", json!("x"))] {
            let mut body = json!({"displayName": "改名"});
            body[field] = value;
            let r = fx.call("mgra", Method::PUT, &format!("/api/v1/users/{}", fx.user["repa1"]), Some(body), Some(v)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert_eq!(r.body["fields"][field]["code"], "request.invalid_body", "{field}: {:?}", r.body);
        }
        let after = fx.call("admin", Method::GET, &format!("/api/v1/users/{}", fx.user["repa1"]), None, None).await;
        assert_eq!(after.body["displayName"], "测试repa1");
        assert_eq!(after.body["version"].as_i64(), Some(v));
    }

    async fn responses_never_carry_password_hashes(fx) {
        for path in ["/api/v1/users?pageSize=200".to_owned(), format!("/api/v1/users/{}", fx.user["repa1"]), "/api/v1/me".into(), "/api/v1/audit?pageSize=200".into()] {
            let r = fx.call("admin", Method::GET, &path, None, None).await;
            let text = r.body.to_string();
            assert!(!text.contains("argon2") && !text.to_lowercase().contains("password_hash") && !text.contains("passwordHash"), "{path}");
        }
    }

    async fn updates_need_if_match_and_a_stale_version_gets_412(fx) {
        let path = format!("/api/v1/users/{}", fx.user["repa1"]);
        let missing = fx.call("mgra", Method::PUT, &path, Some(json!({"displayName": "甲"})), None).await;
        assert_eq!((missing.status, missing.code()), (StatusCode::PRECONDITION_REQUIRED, "precondition.required"));
        let v = fx.user_version("repa1").await;
        let ok = fx.call("mgra", Method::PUT, &path, Some(json!({"displayName": "甲"})), Some(v)).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.headers.get(header::ETAG).unwrap(), &format!("\"{}\"", v + 1));
        let stale = fx.call("mgra", Method::PUT, &path, Some(json!({"displayName": "乙"})), Some(v)).await;
        assert_eq!((stale.status, stale.code()), (StatusCode::PRECONDITION_FAILED, "precondition.failed"));
        assert_eq!(fx.call("admin", Method::GET, &path, None, None).await.body["displayName"], "甲");
    }

    async fn concurrent_updates_with_one_version_let_exactly_one_through(fx) {
        // T8: twenty editors read version v and save at once: one wins, the rest get 412, none 5xx.
        let v = fx.user_version("repa1").await;
        let path = format!("/api/v1/users/{}", fx.user["repa1"]);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let req = fx.request("mgra", Method::PUT, &path, Some(json!({"displayName": format!("并发{i}")})), Some(v));
            tasks.spawn(common::send(fx.router.clone(), req));
        }
        let mut statuses = Vec::new();
        while let Some(s) = tasks.join_next().await {
            statuses.push(s.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::PRECONDITION_FAILED).count(), 19, "{statuses:?}");
        assert_eq!(fx.user_version("repa1").await, v + 1, "exactly one change landed");
    }

    async fn field_errors_are_all_reported_at_once_in_the_callers_language(fx) {
        let body = json!({"username": "1x", "displayName": " ", "mobile": "12345", "email": "no-at", "unitId": fx.unit["east"]});
        let zh = fx.call("admin", Method::POST, "/api/v1/users", Some(body.clone()), None).await;
        assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["username", "displayName", "mobile", "email"] {
            assert!(zh.body["fields"][f]["code"].is_string(), "{f} missing: {:?}", zh.body);
        }
        assert_eq!(zh.body["fields"]["mobile"]["message"], "手机号格式不正确");
        let cookie = fx.cookie("admin").unwrap().clone();
        let en = fx.raw(Method::POST, "/api/v1/users", Some(body), &[("cookie", &cookie), ("accept-language", "en-US,en;q=0.9")]).await;
        assert_eq!(en.body["fields"]["mobile"]["message"], "Not a valid mobile number");
        assert!(en.body["requestId"].as_str().is_some_and(|s| !s.is_empty()));
    }

    async fn an_overlong_search_is_a_field_error(fx) {
        let long = "王".repeat(61);
        let r = fx.call("admin", Method::GET, &format!("/api/v1/users?q={long}"), None, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["q"]["code"], "too_long");
    }

    async fn duplicate_usernames_are_a_named_conflict(fx) {
        let r = fx.call("admin", Method::POST, "/api/v1/users", Some(json!({"username": "repa1", "displayName": "重名", "unitId": fx.unit["east"]})), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "user.username_taken"));
        assert_eq!(r.body["fields"]["username"]["message"], "用户名已被使用", "the form can mark the field");
    }

    async fn a_manager_cannot_place_people_outside_their_scope_or_grant_more_than_they_hold(fx) {
        let outside = fx.call("mgra", Method::POST, "/api/v1/users", Some(json!({"username": "spy", "displayName": "外人", "unitId": fx.unit["north"]})), None).await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(outside.body["fields"]["unitId"]["code"], "user.outside_scope");
        let roles = fx.call("mgra", Method::GET, "/api/v1/roles", None, None).await;
        let admin_role = roles.body.as_array().unwrap().iter().find(|r| r["code"] == "admin").unwrap()["id"].clone();
        let escalate = fx.call("mgra", Method::PUT, &format!("/api/v1/users/{}/roles", fx.user["repa1"]), Some(json!({"roleIds": [admin_role]})), None).await;
        assert_eq!(escalate.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(escalate.body["fields"]["roleIds"]["code"], "role.exceeds_own_grants");
        let own = fx.call("mgra", Method::PUT, &format!("/api/v1/users/{}/roles", fx.user["mgra"]), Some(json!({"roleIds": []})), None).await;
        assert_eq!((own.status, own.code()), (StatusCode::CONFLICT, "user.cannot_manage_self"));
    }

    async fn a_subordinate_cannot_become_the_manager(fx) {
        let v = fx.user_version("mgra").await;
        let r = fx.call("director", Method::POST, &format!("/api/v1/users/{}/reassign", fx.user["mgra"]), Some(json!({"unitId": fx.unit["east"], "managerId": fx.user["repa1"]})), Some(v)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["managerId"]["code"], "user.manager_cycle");
    }

    async fn moving_a_unit_previews_then_moves_and_is_audited(fx) {
        let p = fx.call("director", Method::GET, &format!("/api/v1/org/units/{}/move-preview?newParentId={}", fx.unit["shanghai"], fx.unit["north"]), None, None).await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
        assert_eq!((p.body["units"].as_i64(), p.body["people"].as_i64()), (Some(1), Some(3)));
        let into_self = fx.call("director", Method::GET, &format!("/api/v1/org/units/{}/move-preview?newParentId={}", fx.unit["east"], fx.unit["shanghai"]), None, None).await;
        assert_eq!(into_self.body["fields"]["newParentId"]["code"], "org_unit.move_into_own_subtree");
        let units = fx.call("director", Method::GET, "/api/v1/org/units", None, None).await;
        let v = units.body.as_array().unwrap().iter().find(|u| u["id"] == fx.unit["shanghai"].to_string()).unwrap()["version"].as_i64().unwrap();
        let m = fx.call("director", Method::POST, &format!("/api/v1/org/units/{}/move", fx.unit["shanghai"]), Some(json!({"newParentId": fx.unit["north"]})), Some(v)).await;
        assert_eq!(m.status, StatusCode::OK, "{:?}", m.body);
        // The east manager no longer sees the Shanghai reps (unit scope), the north manager does.
        let a = fx.call("mgra", Method::GET, "/api/v1/users?pageSize=200", None, None).await;
        assert!(a.body["items"].as_array().unwrap().iter().all(|u| u["username"] != "repa1"));
        let b = fx.call("mgrb", Method::GET, "/api/v1/users?pageSize=200", None, None).await;
        assert!(b.body["items"].as_array().unwrap().iter().any(|u| u["username"] == "repa1"));
        let audit = fx.call("admin", Method::GET, &format!("/api/v1/audit?action=org_unit.moved&entityId={}", fx.unit["shanghai"]), None, None).await;
        assert_eq!(audit.body["total"], 1);
    }

    async fn every_mutation_writes_exactly_one_audit_row(fx) {
        let before = fx.call("admin", Method::GET, "/api/v1/audit?pageSize=1", None, None).await.body["total"].as_i64().unwrap();
        let v = fx.user_version("repa1").await;
        fx.call("mgra", Method::PUT, &format!("/api/v1/users/{}", fx.user["repa1"]), Some(json!({"displayName": "审计"})), Some(v)).await;
        let after = fx.call("admin", Method::GET, "/api/v1/audit?pageSize=1", None, None).await;
        assert_eq!(after.body["total"].as_i64().unwrap(), before + 1);
        let row = &after.body["items"][0];
        assert_eq!(row["action"], "user.updated");
        assert!(row["before"].as_str().unwrap().contains("测试repa1"));
        assert!(row["after"].as_str().unwrap().contains("审计"));
        assert!(!row["requestId"].as_str().unwrap().is_empty());
        // A refused change writes nothing.
        fx.call("repa1", Method::PUT, &format!("/api/v1/users/{}", fx.user["repa2"]), Some(json!({"displayName": "x"})), Some(1)).await;
        let last = fx.call("admin", Method::GET, "/api/v1/audit?pageSize=1", None, None).await;
        assert_eq!(last.body["total"].as_i64().unwrap(), before + 1);
    }

    async fn lists_equal_the_oracle_of_each_scope(fx) {
        // T2 for the people list: every identity's list is exactly its scope over all people.
        let all: Vec<(String, String, String)> = {
            let r = fx.call("admin", Method::GET, "/api/v1/users?pageSize=200", None, None).await;
            r.body["items"].as_array().unwrap().iter().map(|u| (u["username"].as_str().unwrap().to_owned(), u["unitId"].as_str().unwrap().to_owned(), u["managerId"].as_str().unwrap_or("").to_owned())).collect()
        };
        let name_of = |id: &str| all.iter().find(|(n, _, _)| fx.user.get(n.as_str()).is_some_and(|u| u.to_string() == id)).map(|(n, _, _)| n.clone()).unwrap_or_default();
        let in_east = |unit: &str| unit == fx.unit["east"].to_string() || unit == fx.unit["shanghai"].to_string();
        let expected = |who: &str| -> Vec<String> {
            let mut v: Vec<String> = all.iter().filter(|(n, unit, mgr)| match who {
                "admin" | "director" => true,
                "mgra" => in_east(unit),
                "mgrb" => unit == &fx.unit["north"].to_string(),
                _ => n == who || (who == "mgra" && name_of(mgr) == who),
            }).map(|(n, _, _)| n.clone()).collect();
            v.sort();
            v
        };
        for who in ["admin", "director", "mgra", "mgrb", "repa1", "repb1", "finance", "service"] {
            let r = fx.call(who, Method::GET, "/api/v1/users?pageSize=200&sort=username", None, None).await;
            assert_eq!(r.status, StatusCode::OK, "{who}");
            let mut got: Vec<String> = r.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect();
            got.sort();
            assert_eq!(got, expected(who), "{who}");
            assert_eq!(r.body["total"].as_i64().unwrap() as usize, got.len(), "{who}: the count agrees");
        }
    }

    async fn cross_site_writes_are_refused_and_same_origin_ones_pass(fx) {
        let body = Some(json!({"login": "repa1", "password": common::PASSWORD}));
        let evil = fx.raw(Method::POST, "/api/v1/auth/login", body.clone(), &[("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("host", "salesdesk.local")]).await;
        assert_eq!((evil.status, evil.code()), (StatusCode::FORBIDDEN, "request.cross_site"));
        let same = fx.raw(Method::POST, "/api/v1/auth/login", body, &[("origin", "http://salesdesk.local"), ("sec-fetch-site", "same-origin"), ("host", "salesdesk.local")]).await;
        assert_eq!(same.status, StatusCode::OK);
    }

    async fn security_headers_are_on_every_response(fx) {
        for path in ["/api/v1/me", "/api/v1/nope", "/healthz", "/"] {
            let r = fx.call("repa1", Method::GET, path, None, None).await;
            let h = &r.headers;
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
            assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"));
            assert!(h.get("referrer-policy").is_some());
        }
        let api = fx.call("repa1", Method::GET, "/api/v1/me", None, None).await;
        assert_eq!(api.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert!(api.headers.get("access-control-allow-origin").is_none(), "no CORS");
    }

    async fn ui_assets_are_gzipped_but_api_bodies_never_are(fx) {
        let ui = fx.raw(Method::GET, "/login", None, &[("accept-encoding", "gzip")]).await;
        if ui.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.to_str().unwrap().starts_with("text/html")) {
            assert_eq!(ui.headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
        }
        let cookie = fx.cookie("admin").unwrap().clone();
        let api = fx.raw(Method::GET, "/api/v1/users?pageSize=200", None, &[("cookie", &cookie), ("accept-encoding", "gzip")]).await;
        assert_eq!(api.status, StatusCode::OK);
        assert!(api.headers.get(header::CONTENT_ENCODING).is_none());
    }

    async fn oversized_bodies_get_413_and_unknown_routes_404_in_the_error_body(fx) {
        let big = "x".repeat(2 * 1024 * 1024);
        let r = fx.call("admin", Method::POST, "/api/v1/roles", Some(json!({"name": big, "permissions": [], "scopes": []})), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"));
        let r = fx.call("admin", Method::GET, "/api/v1/does-not-exist", None, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "route.not_found"));
        let r = fx.call("admin", Method::GET, "/api/v1/users/not-a-uuid", None, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
        let r = fx.call("admin", Method::PATCH, "/api/v1/users", None, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method.not_allowed"));
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let cookie = fx.cookie("admin").unwrap().clone();
        let r = fx.raw(Method::POST, "/api/v1/roles", None, &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let req = fx.raw(Method::POST, "/api/v1/auth/login", Some(serde_json::from_str::<serde_json::Value>("null").unwrap()), &[]).await;
        assert_eq!(req.status, StatusCode::UNPROCESSABLE_ENTITY);
        let _ = deep;
    }

    async fn api_tokens_carry_at_most_the_granted_permissions_and_can_be_revoked(fx) {
        let r = fx.call("admin", Method::POST, "/api/v1/me/api-tokens", Some(json!({"name": "BI 集成", "permissions": ["people.view"]})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let token = r.body["token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {token}");
        let list = fx.raw(Method::GET, "/api/v1/users", None, &[("authorization", &bearer)]).await;
        assert_eq!(list.status, StatusCode::OK);
        let audit = fx.raw(Method::GET, "/api/v1/audit", None, &[("authorization", &bearer)]).await;
        assert_eq!(audit.status, StatusCode::FORBIDDEN, "the token was not given audit.view");
        let id = r.body["apiToken"]["id"].as_str().unwrap();
        assert_eq!(fx.call("admin", Method::DELETE, &format!("/api/v1/me/api-tokens/{id}"), None, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.raw(Method::GET, "/api/v1/users", None, &[("authorization", &bearer)]).await.status, StatusCode::UNAUTHORIZED);
        let listed = fx.call("admin", Method::GET, "/api/v1/me/api-tokens", None, None).await;
        assert!(!listed.body.to_string().contains(&token[12..]), "the secret is never listed");
    }

    async fn locale_preference_is_remembered(fx) {
        assert_eq!(fx.call("repa1", Method::PUT, "/api/v1/me/locale", Some(json!({"locale": "en-US"})), None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/me", None, None).await.body["locale"], "en-US");
        let bad = fx.call("repa1", Method::PUT, "/api/v1/me/locale", Some(json!({"locale": "fr-FR"})), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["fields"]["locale"]["code"], "request.invalid_body", "{:?}", bad.body);
    }
}

#[tokio::test]
async fn a_panicking_handler_answers_a_generic_500_and_the_server_keeps_serving() {
    use tower::ServiceExt;
    let st = common::state(salesdesk_store::testing::sqlite().await);
    let metrics = st.metrics.clone();
    let boom: axum::Router = axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            let fail = true;
            if fail {
                panic!("secret detail /etc/passwd SELECT");
            }
            "unreachable"
        }),
    );
    let app = salesdesk_http::layers(boom.merge(salesdesk_http::router(st)), metrics);
    let res = app
        .clone()
        .oneshot(
            axum::http::Request::get("/boom")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = String::from_utf8(
        axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(
        body.contains("\"code\":\"internal\"") && body.contains("requestId"),
        "{body}"
    );
    assert!(
        !body.contains("secret")
            && !body.contains("passwd")
            && !body.contains("SELECT")
            && !body.contains("panic"),
        "{body}"
    );
    let ok = app
        .oneshot(
            axum::http::Request::get("/healthz")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let generated = salesdesk_http::openapi_json() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `make openapi` (UPDATE_OPENAPI=1 cargo test -p salesdesk-http --test api)"
    );
}
