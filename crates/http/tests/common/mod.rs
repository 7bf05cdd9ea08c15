//! The test fixture: the real router over a fresh database, and an org with one person per
//! identity of the authorisation matrix, each signed in through the API.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use salesdesk_app::bootstrap::{OperatorUser, ensure_foundation, insert_user};
use salesdesk_app::{App, AuthSettings};
use salesdesk_http::{AppState, WebConfig};
use salesdesk_store::Db;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "Fixture-Pass-2026";

/// Every identity of the matrix, in a fixed order.
pub const IDENTITIES: &[&str] = &[
    "admin",
    "director",
    "mgra",
    "mgrb",
    "repa1",
    "repa2",
    "repb1",
    "finance",
    "service",
    "deactivated",
    "anonymous",
];

pub struct Fx {
    pub app: App,
    pub router: Router,
    pub user: HashMap<&'static str, Uuid>,
    pub unit: HashMap<&'static str, Uuid>,
    cookies: HashMap<&'static str, String>,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

pub fn state(db: Db) -> AppState {
    // Each fixture its own folder of attachments, like its own database.
    let files = std::env::temp_dir().join(format!("salesdesk-test-files-{}", uuid::Uuid::now_v7()));
    let app = App::new(db, AuthSettings::default(), files);
    AppState {
        app,
        web: Arc::new(WebConfig {
            secure_cookies: true,
            trusted_proxies: vec![],
            session_max_age_s: 43200,
        }),
        metrics: Default::default(),
    }
}

impl Fx {
    /// The same API over the same database, for a company whose calendar is in `zone`.
    pub fn router_in(&self, zone: &str) -> Router {
        let mut st = state(self.app.db.clone());
        st.app = self.app.clone().with_time_zone(zone).unwrap();
        salesdesk_http::router(st)
    }

    /// Another instance of the server on the same database: its own process state (the
    /// signed-in actors it keeps, its imports), its own router.
    pub fn other_instance(&self) -> (App, Router) {
        let st = state(self.app.db.clone());
        let app = st.app.clone();
        (app, salesdesk_http::router(st))
    }

    /// As [`Fx::other_instance`], with both instances watching the auth generation as the
    /// server does (what they keep in memory is then served), once both have read it.
    pub async fn other_watched_instance(&self) -> (App, Router) {
        use salesdesk_app::auth_cache::run_generation_watch;
        let (other_app, other) = self.other_instance();
        tokio::spawn(run_generation_watch(self.app.clone()));
        tokio::spawn(run_generation_watch(other_app.clone()));
        for _ in 0..100 {
            if self.app.auth_cache.is_on() && other_app.auth_cache.is_on() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(self.app.auth_cache.is_on() && other_app.auth_cache.is_on());
        (other_app, other)
    }

    /// A GET through `router` as `who`.
    pub async fn get_via(&self, router: &Router, who: &str, path: &str) -> Resp {
        self.call_via(router, who, Method::GET, path, None).await
    }

    /// A request through `router` (another instance) as `who`.
    pub async fn call_via(
        &self,
        router: &Router,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let req = self.request(who, method, path, body, None);
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        Resp {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        }
    }

    /// The org: 华远 (root) > 华东大区 (east) > 上海分公司 (shanghai); 华北大区 (north).
    pub async fn new(db: Db) -> Fx {
        let st = state(db);
        let app = st.app.clone();
        ensure_foundation(&app, "华远测试").await.unwrap();
        let router = salesdesk_http::router(st);
        let hash = salesdesk_app::passwords::hash(PASSWORD.into())
            .await
            .unwrap();
        let mut fx = Fx {
            app,
            router,
            user: HashMap::new(),
            unit: HashMap::new(),
            cookies: HashMap::new(),
        };
        let root = {
            let mut tx = fx.app.db.begin_read().await.unwrap();
            let r = salesdesk_store::org::root(&mut tx).await.unwrap().unwrap();
            tx.commit().await.unwrap();
            r.id
        };
        fx.unit.insert("root", root);
        // Units are created through the API as the administrator, like a real company would.
        fx.user.insert(
            "admin",
            fx.person("admin", "admin", None, None, &hash).await,
        );
        fx.login("admin").await;
        for (key, parent, name, kind) in [
            ("east", "root", "华东大区", "region"),
            ("shanghai", "east", "上海分公司", "branch"),
            ("north", "root", "华北大区", "region"),
        ] {
            let r = fx.call("admin", Method::POST, "/api/v1/org/units", Some(json!({ "parentId": fx.unit[parent], "name": name, "kind": kind, "basis": "territory" })), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            fx.unit
                .insert(key, r.body["id"].as_str().unwrap().parse().unwrap());
        }
        let d = fx.person("director", "director", None, None, &hash).await;
        fx.user.insert("director", d);
        let a = fx
            .person("mgra", "manager", Some("east"), Some(d), &hash)
            .await;
        fx.user.insert("mgra", a);
        let b = fx
            .person("mgrb", "manager", Some("north"), Some(d), &hash)
            .await;
        fx.user.insert("mgrb", b);
        for (name, unit, mgr) in [
            ("repa1", "shanghai", a),
            ("repa2", "shanghai", a),
            ("repb1", "north", b),
            ("deactivated", "shanghai", a),
        ] {
            let id = fx.person(name, "rep", Some(unit), Some(mgr), &hash).await;
            fx.user.insert(name, id);
        }
        for name in ["finance", "service"] {
            let id = fx.person(name, name, None, Some(d), &hash).await;
            fx.user.insert(name, id);
        }
        salesdesk_app::bootstrap::deactivate(&fx.app, "deactivated")
            .await
            .unwrap();
        for who in IDENTITIES
            .iter()
            .filter(|w| !matches!(**w, "admin" | "anonymous" | "deactivated"))
        {
            fx.login(who).await;
        }
        fx
    }

    pub async fn person(
        &self,
        username: &str,
        role: &str,
        unit: Option<&str>,
        manager: Option<Uuid>,
        hash: &str,
    ) -> Uuid {
        let u = OperatorUser {
            username: username.into(),
            display_name: format!("测试{username}"),
            mobile: None,
            password: String::new(),
            role: role.into(),
            unit_id: unit.map(|u| self.unit[u]),
            manager_id: manager,
            position_code: None,
            must_change_password: false,
        };
        insert_user(
            &self.app,
            &u,
            username.into(),
            format!("测试{username}"),
            None,
            Some(hash.into()),
        )
        .await
        .unwrap()
    }

    pub async fn login(&mut self, who: &'static str) -> Resp {
        let r = self
            .raw(
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({ "login": who, "password": PASSWORD })),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {who}: {:?}", r.body);
        let cookie = r
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        self.cookies.insert(who, cookie);
        r
    }

    pub fn cookie(&self, who: &str) -> Option<&String> {
        self.cookies.get(who)
    }

    pub fn set_cookie(&mut self, who: &'static str, cookie: String) {
        self.cookies.insert(who, cookie);
    }

    /// A request as `who` that can be sent from another task (see [`send`]).
    pub fn request(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> Request<Body> {
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(c) = self.cookies.get(who) {
            headers.push(("cookie", c.clone()));
        }
        if let Some(v) = if_match {
            headers.push(("if-match", format!("\"{v}\"")));
        }
        let refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        build(method, path, body, &refs)
    }

    /// A request as `who` ("anonymous" and "deactivated" send no cookie).
    pub async fn call(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> Resp {
        self.exchange(self.request(who, method, path, body, if_match))
            .await
    }

    /// A request with exactly the given headers.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.exchange(build(method, path, body, headers)).await
    }

    async fn exchange(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Resp {
            status,
            body,
            headers,
        }
    }

    /// A POST of raw bytes (a file upload) as `who`.
    pub async fn upload(&self, who: &str, path: &str, bytes: Vec<u8>) -> Resp {
        self.call_bytes(who, Method::POST, path, bytes, "application/octet-stream")
            .await
    }

    /// A request as `who` with a body of exactly these bytes.
    pub async fn call_bytes(
        &self,
        who: &str,
        method: Method,
        path: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, bytes.len());
        if let Some(c) = self.cookies.get(who) {
            b = b.header("cookie", c.as_str());
        }
        self.exchange(b.body(Body::from(bytes)).unwrap()).await
    }

    /// A GET of a file as `who`: status, headers and the raw bytes.
    pub async fn download(&self, who: &str, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let req = self.request(who, Method::GET, path, None, None);
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .unwrap();
        (status, headers, bytes.to_vec())
    }

    /// A reclaim run started in the background, once it has finished (read as the
    /// administrator); it must not have failed.
    pub async fn finished_reclaim(&self, key: &str) -> Value {
        for _ in 0..2000 {
            let r = self
                .call(
                    "admin",
                    Method::GET,
                    &format!("/api/v1/pools/reclaim-runs/{key}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            if r.body["finishedAt"].is_i64() {
                assert_eq!(r.body["failed"], false, "{:?}", r.body);
                return r.body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("reclaim run {key} did not finish");
    }

    /// Uploads a file to import; it must be kept.
    pub async fn upload_import(&self, who: &str, name: &str, bytes: Vec<u8>) -> Value {
        let r = self
            .upload(
                who,
                &format!("/api/v1/customer-imports?fileName={name}"),
                bytes,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{who}: {:?}", r.body);
        r.body
    }

    /// An import job once its validation or import has finished.
    pub async fn finished_import(&self, who: &str, id: &str) -> Value {
        for _ in 0..3000 {
            let r = self
                .call(
                    who,
                    Method::GET,
                    &format!("/api/v1/customer-imports/{id}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            if !matches!(r.body["status"].as_str(), Some("validating" | "importing")) {
                return r.body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the import did not finish");
    }

    /// Validates (or with `run`, imports) an upload with its suggested mapping and waits.
    pub async fn import(
        &self,
        who: &str,
        job: &Value,
        mode: &str,
        match_by: &str,
        run: bool,
    ) -> Value {
        let id = job["id"].as_str().unwrap();
        let path = format!(
            "/api/v1/customer-imports/{id}/{}",
            if run { "run" } else { "validate" }
        );
        let body = json!({"mapping": import_mapping(job), "mode": mode, "matchBy": match_by});
        let r = self.call(who, Method::POST, &path, Some(body), None).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        self.finished_import(who, id).await
    }

    /// The current version of a user, read as the administrator.
    pub async fn user_version(&self, who: &str) -> i64 {
        let r = self
            .call(
                "admin",
                Method::GET,
                &format!("/api/v1/users/{}", self.user[who]),
                None,
                None,
            )
            .await;
        r.body["version"].as_i64().unwrap()
    }
}

fn build(
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// The suggested mapping of an upload, as the import options want it.
pub fn import_mapping(job: &Value) -> Vec<Value> {
    job["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["field"].clone())
        .collect()
}

/// An import's row errors as (row, field, code), sorted.
pub fn import_errors(job: &Value) -> Vec<(u64, String, String)> {
    let mut v: Vec<(u64, String, String)> = job["result"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Sends a request through a router (a clone of `fx.router`), for concurrent tests.
pub async fn send(router: Router, req: Request<Body>) -> StatusCode {
    router.oneshot(req).await.unwrap().status()
}

/// Runs the body once on SQLite and once on PostgreSQL, each with its own fixture.
#[macro_export]
macro_rules! api_test {
    ($(async fn $name:ident($fx:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test]
                async fn sqlite() {
                    #[allow(unused_mut)]
                    let mut $fx = common::Fx::new(salesdesk_store::testing::sqlite().await).await;
                    $body
                }
                #[tokio::test]
                async fn postgres() {
                    let Some(db) = salesdesk_store::testing::postgres().await else { return };
                    #[allow(unused_mut)]
                    let mut $fx = common::Fx::new(db).await;
                    $body
                }
            }
        )*
    };
}

/// A query-string value, percent-encoded.
/// Whether `holds` comes true within a moment (50 tries 50 ms apart): what another instance
/// learns through the auth generation's watch.
pub async fn within_a_moment(mut holds: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..50 {
        if holds().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
