//! T1, the authorisation matrix: every operation of the OpenAPI document x every identity x
//! a record of their own, of their team and of another team. The operations are enumerated
//! from the spec, so a new route without a row here fails this test.

mod common;

use axum::http::{Method, StatusCode};
use common::{Fx, IDENTITIES};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny(u16),
}
use Expect::*;

/// Which record an attempt is aimed at, relative to the caller.
const TARGETS: &[&str] = &["self", "team", "other"];

fn signed_in(who: &str) -> bool {
    !matches!(who, "anonymous" | "deactivated")
}

fn has(who: &str, perm: &str) -> bool {
    let perms: &[&str] = match who {
        "admin" => &[
            "org.view",
            "org.manage",
            "people.view",
            "people.manage",
            "roles.view",
            "roles.manage",
            "audit.view",
            "api_tokens.manage",
        ],
        "director" => &[
            "org.view",
            "org.manage",
            "people.view",
            "people.manage",
            "roles.view",
            "audit.view",
        ],
        "mgra" | "mgrb" => &["org.view", "people.view", "people.manage"],
        "finance" => &["org.view", "people.view"],
        "repa1" | "repa2" | "repb1" | "service" => &["people.view"],
        _ => &[],
    };
    perms.contains(&perm)
}

/// Whom a user target means for each caller: a teammate and someone of another team. Write
/// attempts use fresh "victims" placed like these, so one attempt cannot disturb the next.
fn target_of(who: &str, target: &str) -> &'static str {
    match (who, target) {
        (_, "self") => match who {
            "admin" => "admin",
            "director" => "director",
            "mgra" => "mgra",
            "mgrb" => "mgrb",
            "repa1" => "repa1",
            "repa2" => "repa2",
            "repb1" => "repb1",
            "finance" => "finance",
            "service" => "service",
            _ => "repa1",
        },
        ("mgra" | "repa1" | "repa2", "team") => "repa2",
        ("mgrb" | "repb1", "team") => "repb1",
        (_, "team") => "service",
        ("mgrb" | "repb1", "other") => "repa1",
        (_, "other") => "repb1",
        _ => unreachable!(),
    }
}

/// Who sees whom under the fixture's roles and scopes.
fn sees(who: &str, whom: &str) -> bool {
    match who {
        "admin" | "director" => true,
        "mgra" => matches!(whom, "mgra" | "repa1" | "repa2" | "deactivated"),
        "mgrb" => matches!(whom, "mgrb" | "repb1"),
        _ => who == whom,
    }
}

/// Managing a person: permission, then scope (404), then not oneself, then no more powerful.
fn manage_expect(who: &str, target: &str) -> Expect {
    if !signed_in(who) {
        return Deny(401);
    }
    if !has(who, "people.manage") {
        return Deny(403);
    }
    let whom = target_of(who, target);
    if !sees(who, whom) {
        return Deny(404);
    }
    if target == "self" {
        return Deny(409);
    }
    Allow
}

fn expect(op: &str, who: &str, target: &str) -> Expect {
    let need = |perm: &str| {
        if !signed_in(who) {
            Deny(401)
        } else if has(who, perm) {
            Allow
        } else {
            Deny(403)
        }
    };
    match op {
        "healthz" | "readyz" | "metrics" => Allow,
        "login" => {
            if signed_in(who) {
                Allow
            } else {
                Deny(401)
            }
        }
        "logout"
        | "getMe"
        | "changePassword"
        | "setLocale"
        | "listMySessions"
        | "endMySession"
        | "getPermissionCatalogue" => need_signed_in(who),
        "listMyApiTokens" | "createApiToken" | "revokeApiToken" => need("api_tokens.manage"),
        "listUnits" => need("org.view"),
        "createUnit" | "updateUnit" | "deleteUnit" | "previewUnitMove" | "moveUnit"
        | "createPosition" | "updatePosition" => need("org.manage"),
        "listPositions" => {
            if !signed_in(who) {
                Deny(401)
            } else if has(who, "org.view") || has(who, "people.view") {
                Allow
            } else {
                Deny(403)
            }
        }
        "listUsers" => need("people.view"),
        "getUser" => match need("people.view") {
            Allow if sees(who, target_of(who, target)) => Allow,
            Allow => Deny(404),
            d => d,
        },
        "createUser" => match need("people.manage") {
            // Each manager creates in their own region; a team target means their scope.
            Allow if target == "other" && matches!(who, "mgra" | "mgrb") => Deny(422),
            e => e,
        },
        "updateUser" | "reassignUser" | "setUserRoles" | "deactivateUser" | "reactivateUser"
        | "resetUserPassword" => manage_expect(who, target),
        "listRoles" => {
            if !signed_in(who) {
                Deny(401)
            } else if has(who, "roles.view") || has(who, "people.manage") {
                Allow
            } else {
                Deny(403)
            }
        }
        "createRole" | "updateRole" | "deleteRole" => need("roles.manage"),
        "searchAudit" => need("audit.view"),
        _ => panic!(
            "operation {op} has no row in the authorisation matrix: add it to expect() and attempt()"
        ),
    }
}

fn need_signed_in(who: &str) -> Expect {
    if signed_in(who) { Allow } else { Deny(401) }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn position_id(fx: &Fx, code: &str) -> Value {
    let p = fx
        .call("admin", Method::GET, "/api/v1/org/positions", None, None)
        .await;
    p.body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap()["id"]
        .clone()
}

/// A fresh person placed like `like` (same unit and manager), created by the administrator.
async fn victim(fx: &Fx, like: &str, n: usize) -> (String, i64) {
    let model = fx
        .call(
            "admin",
            Method::GET,
            &format!("/api/v1/users/{}", fx.user[like]),
            None,
            None,
        )
        .await;
    let rep = position_id(fx, "sales_rep").await;
    let r = fx
        .call("admin", Method::POST, "/api/v1/users", Some(json!({
            "username": format!("victim{n}"), "displayName": format!("受测{n}"), "unitId": model.body["unitId"],
            "managerId": model.body["managerId"], "positionId": rep
        })), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (
        id(&r.body["user"]),
        r.body["user"]["version"].as_i64().unwrap(),
    )
}

async fn audit_rows(fx: &Fx) -> i64 {
    let mut tx = fx.app.db.begin_read().await.unwrap();
    let n = salesdesk_store::audit::count(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    n
}

/// Makes one attempt of `op` as `who` against `target`, preparing what it needs as admin.
/// Returns the status, whether the request could change anything, and the audit rows it wrote.
async fn attempt(
    fx: &mut Fx,
    op: &str,
    who: &'static str,
    target: &str,
    n: usize,
) -> (u16, bool, i64) {
    let admin_unit = |fx: &Fx| fx.unit["east"];
    let call =
        |method: Method, path: String, body: Option<Value>, v: Option<i64>| (method, path, body, v);
    let (method, path, body, version) = match op {
        "healthz" => call(Method::GET, "/healthz".into(), None, None),
        "readyz" => call(Method::GET, "/readyz".into(), None, None),
        "metrics" => call(Method::GET, "/metrics".into(), None, None),
        "login" => {
            let pw = if who == "anonymous" {
                "not-a-password"
            } else {
                common::PASSWORD
            };
            call(
                Method::POST,
                "/api/v1/auth/login".into(),
                Some(json!({"login": who, "password": pw})),
                None,
            )
        }
        "logout" => call(Method::POST, "/api/v1/auth/logout".into(), None, None),
        "getMe" => call(Method::GET, "/api/v1/me".into(), None, None),
        "changePassword" => call(
            Method::POST,
            "/api/v1/me/password".into(),
            Some(json!({"currentPassword": common::PASSWORD, "newPassword": "Matrix-New-Pass-77"})),
            None,
        ),
        "setLocale" => call(
            Method::PUT,
            "/api/v1/me/locale".into(),
            Some(json!({"locale": "en-US"})),
            None,
        ),
        "listMySessions" => call(Method::GET, "/api/v1/me/sessions".into(), None, None),
        "endMySession" => {
            // A second session of the caller (another device), ended from this one.
            let mut sid = uuid::Uuid::nil().to_string();
            if signed_in(who) {
                let keep = fx.cookie(who).cloned().unwrap();
                fx.login(who).await;
                let other = fx.cookie(who).cloned().unwrap();
                fx.set_cookie(who, keep);
                let list = fx
                    .call(who, Method::GET, "/api/v1/me/sessions", None, None)
                    .await;
                sid = list
                    .body
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["current"] == false)
                    .map(id)
                    .unwrap_or(sid);
                let _ = other;
            }
            call(
                Method::DELETE,
                format!("/api/v1/me/sessions/{sid}"),
                None,
                None,
            )
        }
        "listMyApiTokens" => call(Method::GET, "/api/v1/me/api-tokens".into(), None, None),
        "createApiToken" => call(
            Method::POST,
            "/api/v1/me/api-tokens".into(),
            Some(json!({"name": "集成", "permissions": ["people.view"]})),
            None,
        ),
        "revokeApiToken" => {
            let t = fx
                .call(
                    "admin",
                    Method::POST,
                    "/api/v1/me/api-tokens",
                    Some(json!({"name": format!("t{n}"), "permissions": ["people.view"]})),
                    None,
                )
                .await;
            let tid = id(&t.body["apiToken"]);
            // Only the owner may revoke; everyone else with the permission would get 404.
            let _ = who;
            call(
                Method::DELETE,
                format!("/api/v1/me/api-tokens/{tid}"),
                None,
                None,
            )
        }
        "getPermissionCatalogue" => call(Method::GET, "/api/v1/permissions".into(), None, None),
        "listUnits" => call(Method::GET, "/api/v1/org/units".into(), None, None),
        "createUnit" => call(
            Method::POST,
            "/api/v1/org/units".into(),
            Some(
                json!({"parentId": admin_unit(fx), "name": format!("新组{n}"), "kind": "team", "basis": "territory"}),
            ),
            None,
        ),
        "updateUnit" | "deleteUnit" | "previewUnitMove" | "moveUnit" => {
            let u = fx.call("admin", Method::POST, "/api/v1/org/units", Some(json!({"parentId": admin_unit(fx), "name": format!("临时{n}"), "kind": "team", "basis": "territory"})), None).await;
            let (uid, v) = (id(&u.body), u.body["version"].as_i64());
            let north = fx.unit["north"];
            match op {
                "updateUnit" => call(
                    Method::PUT,
                    format!("/api/v1/org/units/{uid}"),
                    Some(json!({"name": format!("改名{n}"), "kind": "team", "basis": "channel"})),
                    v,
                ),
                "deleteUnit" => call(Method::DELETE, format!("/api/v1/org/units/{uid}"), None, v),
                "previewUnitMove" => call(
                    Method::GET,
                    format!("/api/v1/org/units/{uid}/move-preview?newParentId={north}"),
                    None,
                    None,
                ),
                _ => call(
                    Method::POST,
                    format!("/api/v1/org/units/{uid}/move"),
                    Some(json!({"newParentId": north})),
                    v,
                ),
            }
        }
        "listPositions" => call(Method::GET, "/api/v1/org/positions".into(), None, None),
        "createPosition" => call(
            Method::POST,
            "/api/v1/org/positions".into(),
            Some(json!({"name": format!("岗位{n}")})),
            None,
        ),
        "updatePosition" => {
            let p = fx
                .call(
                    "admin",
                    Method::POST,
                    "/api/v1/org/positions",
                    Some(json!({"name": format!("临时岗位{n}")})),
                    None,
                )
                .await;
            call(
                Method::PUT,
                format!("/api/v1/org/positions/{}", id(&p.body)),
                Some(json!({"name": format!("改岗位{n}")})),
                p.body["version"].as_i64(),
            )
        }
        "listUsers" => call(Method::GET, "/api/v1/users".into(), None, None),
        "getUser" => call(
            Method::GET,
            format!("/api/v1/users/{}", fx.user[target_of(who, target)]),
            None,
            None,
        ),
        "createUser" => {
            let unit = match (who, target) {
                ("mgrb", "other") => fx.unit["east"],
                ("mgrb", _) => fx.unit["north"],
                ("mgra", "other") => fx.unit["north"],
                _ => fx.unit["shanghai"],
            };
            call(
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"username": format!("new{n}"), "displayName": format!("新{n}"), "unitId": unit, "positionId": position_id(fx, "sales_rep").await}),
                ),
                None,
            )
        }
        "updateUser" | "reassignUser" | "setUserRoles" | "deactivateUser" | "reactivateUser"
        | "resetUserPassword" => {
            let whom = target_of(who, target);
            let (uid, v) = if target == "self" {
                (fx.user[whom].to_string(), fx.user_version(whom).await)
            } else {
                victim(fx, whom, n).await
            };
            let model = fx
                .call(
                    "admin",
                    Method::GET,
                    &format!("/api/v1/users/{uid}"),
                    None,
                    None,
                )
                .await;
            match op {
                "updateUser" => call(
                    Method::PUT,
                    format!("/api/v1/users/{uid}"),
                    Some(json!({"displayName": format!("改{n}")})),
                    Some(v),
                ),
                "reassignUser" => call(
                    Method::POST,
                    format!("/api/v1/users/{uid}/reassign"),
                    Some(
                        json!({"unitId": model.body["unitId"], "managerId": model.body["managerId"]}),
                    ),
                    Some(v),
                ),
                "setUserRoles" => call(
                    Method::PUT,
                    format!("/api/v1/users/{uid}/roles"),
                    Some(json!({"roleIds": model.body["roleIds"]})),
                    None,
                ),
                "deactivateUser" => call(
                    Method::POST,
                    format!("/api/v1/users/{uid}/deactivate"),
                    None,
                    Some(v),
                ),
                "reactivateUser" => call(
                    Method::POST,
                    format!("/api/v1/users/{uid}/reactivate"),
                    None,
                    Some(v),
                ),
                _ => call(
                    Method::POST,
                    format!("/api/v1/users/{uid}/reset-password"),
                    None,
                    None,
                ),
            }
        }
        "listRoles" => call(Method::GET, "/api/v1/roles".into(), None, None),
        "createRole" => call(
            Method::POST,
            "/api/v1/roles".into(),
            Some(
                json!({"name": format!("角色{n}"), "permissions": ["people.view"], "scopes": [{"module": "people", "scope": "own"}]}),
            ),
            None,
        ),
        "updateRole" | "deleteRole" => {
            let r = fx.call("admin", Method::POST, "/api/v1/roles", Some(json!({"name": format!("临时角色{n}"), "permissions": ["people.view"], "scopes": []})), None).await;
            let (rid, v) = (id(&r.body), r.body["version"].as_i64());
            if op == "updateRole" {
                call(
                    Method::PUT,
                    format!("/api/v1/roles/{rid}"),
                    Some(json!({"name": format!("改角色{n}"), "permissions": [], "scopes": []})),
                    v,
                )
            } else {
                call(Method::DELETE, format!("/api/v1/roles/{rid}"), None, v)
            }
        }
        "searchAudit" => call(Method::GET, "/api/v1/audit".into(), None, None),
        other => panic!(
            "operation {other} has no row in the authorisation matrix: add it to expect() and attempt()"
        ),
    };
    let mutating = method != Method::GET;
    let before = audit_rows(fx).await;
    let status = fx
        .call(who, method, &path, body, version)
        .await
        .status
        .as_u16();
    (status, mutating, audit_rows(fx).await - before)
}

/// Operations aimed at a person take all three targets; the rest are tried once per caller.
fn targeted(op: &str) -> bool {
    matches!(
        op,
        "getUser"
            | "updateUser"
            | "reassignUser"
            | "setUserRoles"
            | "deactivateUser"
            | "reactivateUser"
            | "resetUserPassword"
            | "createUser"
    )
}

fn operations() -> Vec<String> {
    let (_, spec) = salesdesk_http::api();
    let mut ops = Vec::new();
    for item in spec.paths.paths.values() {
        for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            ops.push(
                op.operation_id
                    .clone()
                    .expect("every operation has an operationId"),
            );
        }
    }
    ops.sort();
    ops
}

async fn run_matrix(make_db: impl AsyncFn() -> Option<salesdesk_store::Db>) {
    let mut failures = Vec::new();
    let mut cases = 0;
    for op in operations() {
        // Each operation gets a fresh company so operations cannot disturb each other.
        let Some(db) = make_db().await else { return };
        let mut fx = Fx::new(db).await;
        let mut n = 0;
        for who in IDENTITIES {
            let targets: &[&str] = if targeted(&op) { TARGETS } else { &["-"] };
            for target in targets {
                n += 1;
                cases += 1;
                let want = expect(&op, who, target);
                let (got, mutating, audited) = attempt(&mut fx, &op, who, target, n).await;
                let ok = match want {
                    Allow => (200..300).contains(&got),
                    Deny(s) => got == s,
                };
                if !ok {
                    failures.push(format!(
                        "{op} as {who} on {target}: expected {want:?}, got {got}"
                    ));
                }
                // T15: a change writes exactly one audit row; a refusal or a read writes none
                // (a failed sign-in is itself recorded, once).
                let want_rows = if op == "login" || (mutating && (200..300).contains(&got)) {
                    1
                } else {
                    0
                };
                if audited != want_rows {
                    failures.push(format!("{op} as {who} on {target}: wrote {audited} audit rows, expected {want_rows}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases > 300, "the matrix ran only {cases} cases");
}

#[tokio::test]
async fn authorisation_matrix_sqlite() {
    run_matrix(async || Some(salesdesk_store::testing::sqlite().await)).await;
}

#[tokio::test]
async fn authorisation_matrix_postgres() {
    run_matrix(async || salesdesk_store::testing::postgres().await).await;
}

#[test]
fn every_operation_has_a_row() {
    for op in operations() {
        for who in IDENTITIES {
            let _ = expect(&op, who, "self");
        }
    }
}
