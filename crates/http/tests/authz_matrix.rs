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
            "customers.view",
            "customers.create",
            "customers.edit",
            "customers.transfer",
            "customers.settings",
            "customers.export",
            "customers.import",
            "pools.use",
            "pools.manage",
            "territory.design",
        ],
        "director" => &[
            "org.view",
            "org.manage",
            "people.view",
            "people.manage",
            "roles.view",
            "audit.view",
            "customers.view",
            "customers.create",
            "customers.edit",
            "customers.transfer",
            "customers.settings",
            "customers.export",
            "customers.import",
            "pools.use",
            "pools.manage",
            "territory.design",
        ],
        "mgra" | "mgrb" => &[
            "org.view",
            "people.view",
            "people.manage",
            "customers.view",
            "customers.create",
            "customers.edit",
            "customers.transfer",
            "customers.export",
            "customers.import",
            "pools.use",
            "pools.manage",
        ],
        "finance" => &["org.view", "people.view", "customers.view"],
        "service" => &["people.view", "customers.view"],
        "repa1" | "repa2" | "repb1" => &[
            "people.view",
            "customers.view",
            "customers.create",
            "customers.edit",
            "pools.use",
        ],
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

/// Who sees whose customers: the people scope, except that finance and customer service see
/// every customer (collections and complaints need them).
fn sees_customer(who: &str, owner: &str) -> bool {
    matches!(who, "finance" | "service") || sees(who, owner)
}

/// Reading a customer of `target`: permission (403), then scope (404).
fn customer_read(who: &str, target: &str) -> Expect {
    if !signed_in(who) {
        Deny(401)
    } else if !has(who, "customers.view") {
        Deny(403)
    } else if !sees_customer(who, target_of(who, target)) {
        Deny(404)
    } else {
        Allow
    }
}

/// Changing a customer of `target`: readable first, then customers.edit.
fn customer_write(who: &str, target: &str) -> Expect {
    match customer_read(who, target) {
        Allow if !has(who, "customers.edit") => Deny(403),
        e => e,
    }
}

/// The org unit whose pool an attempt uses: the caller's region, or the other region.
fn pool_unit(who: &str, target: &str) -> &'static str {
    match (who, target) {
        ("mgrb" | "repb1", "other") => "east",
        (_, "other") => "north",
        ("mgra" | "repa1" | "repa2", _) => "east",
        ("mgrb" | "repb1", _) => "north",
        _ => "root",
    }
}

/// (may use the pool, may manage it) under the fixture's units.
fn pool_access(who: &str, target: &str) -> (bool, bool) {
    let unit = pool_unit(who, target);
    let home = match who {
        "mgra" | "repa1" | "repa2" => "east",
        "mgrb" | "repb1" => "north",
        _ => "root",
    };
    let member = has(who, "pools.use") && (unit == "root" || unit == home);
    let all = matches!(who, "admin" | "director");
    let manage = has(who, "pools.manage") && (all || unit == home);
    (member, manage)
}

/// Reaching a pool at all: a pools permission (403), then membership or management (404).
fn pool_reach(who: &str, target: &str) -> Expect {
    if !signed_in(who) {
        return Deny(401);
    }
    if !has(who, "pools.use") && !has(who, "pools.manage") {
        return Deny(403);
    }
    let (member, manage) = pool_access(who, target);
    if member || manage { Allow } else { Deny(404) }
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
        | "getPermissionCatalogue"
        | "listMyNotifications"
        | "countMyUnreadNotifications"
        | "readAllNotifications" => need_signed_in(who),
        // The notification belongs to repa2: anyone else is told it does not exist.
        "readNotification" => match need_signed_in(who) {
            Allow if who != "repa2" => Deny(404),
            e => e,
        },
        "getForgottenRules" => need("customers.view"),
        "setForgottenRules" => need("customers.settings"),
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
        "searchAudit" | "listAuditActions" => need("audit.view"),
        "listCustomers" | "getCustomerLimits" | "listCustomerOptions" | "listCustomFields" => {
            need("customers.view")
        }
        "createCustomField" | "updateCustomField" | "addCustomerOption" => {
            need("customers.settings")
        }
        "createCustomer" => need("customers.create"),
        "exportCustomers" => need("customers.export"),
        // An import job is its uploader's own: others get 404 (the import stories show it).
        "uploadImport"
        | "listImports"
        | "listImportFields"
        | "downloadImportTemplate"
        | "getImport"
        | "validateImport"
        | "runImport"
        | "listImportValues"
        | "downloadImportErrors" => need("customers.import"),
        "checkCustomerDuplicates" => match need("customers.view") {
            Deny(403) => need("customers.create"),
            e => e,
        },
        "getCustomer" | "listFollowups" | "listAttachments" | "downloadAttachment" => {
            customer_read(who, target)
        }
        // The administrator uploaded the file being deleted: others need to be in charge.
        "uploadAttachment" | "deleteAttachment" => customer_write(who, target),
        "updateCustomer" | "addContact" | "updateContact" | "addFollowup" | "setCollaborators"
        | "setCustomerLock" => customer_write(who, target),
        "transferCustomers" => match need("customers.transfer") {
            Allow if !sees_customer(who, target_of(who, target)) => Deny(404),
            e => e,
        },
        "previewHandover" | "handOverCustomers" => match need("customers.transfer") {
            Allow if !sees(who, target_of(who, target)) => Deny(404),
            e => e,
        },
        "setCustomerLimits" => need("customers.settings"),
        "mergeCustomers" => match need("customers.settings") {
            Allow if !has(who, "customers.edit") => Deny(403),
            e => e,
        },
        "returnToPool" => match need("pools.use") {
            Allow => customer_write(who, target),
            e => e,
        },
        "listPools" => {
            if !signed_in(who) {
                Deny(401)
            } else if has(who, "pools.use") || has(who, "pools.manage") {
                Allow
            } else {
                Deny(403)
            }
        }
        "createPool" => need("pools.manage"),
        // The reclaim covers the whole company: only those who manage pools everywhere.
        "previewReclaim" | "runReclaim" | "getReclaimRun" => match need("pools.manage") {
            Allow if !matches!(who, "admin" | "director") => Deny(403),
            e => e,
        },
        "listMyReclaimWarnings" => need("customers.view"),
        // Saved views are the caller's own (another's answers 404; the view stories show it).
        "listMyViews" | "createView" | "updateView" | "deleteView" => need("customers.view"),
        "listPoolCustomers" => pool_reach(who, target),
        "updatePool" | "assignPoolCustomer" => match pool_reach(who, target) {
            Allow if !pool_access(who, target).1 => Deny(403),
            e => e,
        },
        "claimCustomer" => match pool_reach(who, target) {
            Allow if !pool_access(who, target).0 => Deny(403),
            e => e,
        },
        // Territory design: the company's whole sales geography, for its designers only.
        "listTerritoryUnits"
        | "getTerritoryMap"
        | "importTerritoryUnits"
        | "territoryFiguresFromCustomers"
        | "listScenarios"
        | "createScenario"
        | "getScenario"
        | "deleteScenario"
        | "optimiseScenario"
        | "placeUnit"
        | "updateTerritory"
        | "previewApplyScenario"
        | "applyScenario" => need("territory.design"),
        _ => panic!(
            "operation {op} has no row in the authorisation matrix: add it to expect() and attempt()"
        ),
    }
}

/// A one-customer file uploaded for import as `who`.
async fn upload_one(fx: &Fx, who: &str, n: usize) -> common::Resp {
    let file = format!("客户名称\r\n矩阵导入{n}号有限公司\r\n");
    fx.upload(
        who,
        "/api/v1/customer-imports?fileName=m.csv",
        file.into_bytes(),
    )
    .await
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

/// A customer owned by `owner`, created by the administrator and transferred to them:
/// (id, version, primary contact id, contact version).
async fn customer_for(fx: &Fx, owner: &str, n: usize) -> (String, i64, String, i64) {
    let r = fx
        .call(
            "admin",
            Method::POST,
            "/api/v1/customers",
            Some(json!({
                "name": format!("矩阵{n}号{owner}客户有限公司"), "contacts": [{"name": "联系人"}]
            })),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = id(&r.body["customer"]);
    if owner != "admin" {
        let t = fx
            .call(
                "admin",
                Method::POST,
                "/api/v1/customers/transfer",
                Some(json!({
                    "customerIds": [id], "toUserId": fx.user[owner], "reason": "矩阵"
                })),
                None,
            )
            .await;
        assert_eq!(t.status, StatusCode::OK, "{:?}", t.body);
    }
    let d = fx
        .call(
            "admin",
            Method::GET,
            &format!("/api/v1/customers/{id}"),
            None,
            None,
        )
        .await;
    (
        id,
        d.body["customer"]["version"].as_i64().unwrap(),
        d.body["contacts"][0]["id"].as_str().unwrap().to_owned(),
        d.body["contacts"][0]["version"].as_i64().unwrap(),
    )
}

/// A pool for an org unit ("root", "east" or "north"), created by the administrator.
async fn pool_for(fx: &Fx, unit: &str, n: usize) -> (String, i64) {
    let r = fx
        .call(
            "admin",
            Method::POST,
            "/api/v1/pools",
            Some(json!({
                "name": format!("矩阵公海{n}"), "unitId": fx.unit[unit]
            })),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (id(&r.body), r.body["version"].as_i64().unwrap())
}

/// Four districts in a row, the west half held by repa1 and the east by repa2.
const TERRITORY_UNITS: &str = "id,name,city,district,x_km,y_km,potential,workload,owner\n\
    000101,甲区,测试市,甲区,0,0,100,10,repa1\n000102,乙区,测试市,乙区,10,0,100,10,repa1\n\
    000103,丙区,测试市,丙区,20,0,100,10,repa2\n000104,丁区,测试市,丁区,30,0,100,10,repa2\n";

/// The matrix's units, imported by the administrator.
async fn territory_units(fx: &Fx) {
    let r = fx
        .call(
            "admin",
            Method::POST,
            "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": TERRITORY_UNITS})),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// A draft rebalancing the present alignment (every territory has its rep): id and version.
async fn scenario_for(fx: &Fx, n: usize) -> (String, i64) {
    territory_units(fx).await;
    let r = fx
        .call(
            "admin",
            Method::POST,
            "/api/v1/territory/scenarios",
            Some(json!({"name": format!("矩阵方案{n}"), "balance": "potential", "fromCurrent": true})),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (id(&r.body), r.body["version"].as_i64().unwrap())
}

/// The pool of the region an owner works in.
fn region_of(owner: &str) -> &'static str {
    match owner {
        "mgra" | "repa1" | "repa2" | "deactivated" => "east",
        "mgrb" | "repb1" => "north",
        _ => "root",
    }
}

/// A customer waiting in a pool of `unit`.
async fn pooled_for(fx: &Fx, unit: &str, n: usize) -> (String, String) {
    let (pool, _) = pool_for(fx, unit, n).await;
    let owner = match unit {
        "east" => "repa2",
        "north" => "repb1",
        _ => "admin",
    };
    let (cid, ..) = customer_for(fx, owner, n).await;
    let r = fx
        .call(
            "admin",
            Method::POST,
            &format!("/api/v1/customers/{cid}/return-to-pool"),
            Some(json!({
                "poolId": pool, "reason": "矩阵"
            })),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (pool, cid)
}

/// Someone in the caller's scope to receive customers (not the owner).
fn recipient_for(who: &str, owner: &str) -> &'static str {
    let me = target_of(who, "self");
    if !signed_in(who) {
        return "repa1";
    }
    if me != owner {
        return me;
    }
    match who {
        "admin" => "director",
        "director" => "admin",
        "mgra" => "repa1",
        "mgrb" => "repb1",
        _ => "repa2",
    }
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
        "listAuditActions" => call(Method::GET, "/api/v1/audit/actions".into(), None, None),
        "listCustomers" => call(Method::GET, "/api/v1/customers".into(), None, None),
        "getCustomerLimits" => call(
            Method::GET,
            "/api/v1/customer-settings/limits".into(),
            None,
            None,
        ),
        "listCustomerOptions" => call(
            Method::GET,
            "/api/v1/customer-settings/options".into(),
            None,
            None,
        ),
        "listCustomFields" => call(Method::GET, "/api/v1/custom-fields".into(), None, None),
        "listMyNotifications" => call(
            Method::GET,
            "/api/v1/me/notifications?unread=true".into(),
            None,
            None,
        ),
        "countMyUnreadNotifications" => call(
            Method::GET,
            "/api/v1/me/notifications/unread-count".into(),
            None,
            None,
        ),
        "readAllNotifications" => call(
            Method::POST,
            "/api/v1/me/notifications/read-all".into(),
            None,
            None,
        ),
        "readNotification" => {
            let mut tx = fx.app.db.begin_write().await.unwrap();
            let n = salesdesk_store::notifications::NewNotification {
                user_id: fx.user["repa2"],
                kind: "forgotten",
                entity_type: None,
                entity_id: None,
                data_json: "{\"count\":1}".into(),
                dedupe_key: None,
                now: 0,
            };
            salesdesk_store::notifications::insert(&mut tx, &n)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let mut tx = fx.app.db.begin_read().await.unwrap();
            let (rows, _) = salesdesk_store::notifications::of_user(
                &mut tx,
                fx.user["repa2"],
                false,
                salesdesk_store::Page {
                    limit: 1,
                    offset: 0,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            call(
                Method::POST,
                format!("/api/v1/me/notifications/{}/read", rows[0].id),
                None,
                None,
            )
        }
        "getForgottenRules" => call(
            Method::GET,
            "/api/v1/customer-settings/forgotten-rules".into(),
            None,
            None,
        ),
        "setForgottenRules" => call(
            Method::PUT,
            "/api/v1/customer-settings/forgotten-rules".into(),
            Some(
                json!({"rules": [{"levelCode": "A", "days": 10 + n as i64}, {"levelCode": "*", "days": 60}]}),
            ),
            None,
        ),
        "addCustomerOption" => call(
            Method::POST,
            "/api/v1/customer-settings/options".into(),
            Some(json!({"kind": "industry", "name": format!("行业{n}")})),
            None,
        ),
        "createCustomField" => call(
            Method::POST,
            "/api/v1/custom-fields".into(),
            Some(json!({"code": format!("f{n}"), "label": format!("字段{n}"), "kind": "text"})),
            None,
        ),
        "updateCustomField" => {
            // One field for every attempt (a company has at most 50), at its current version.
            let all = fx
                .call("admin", Method::GET, "/api/v1/custom-fields", None, None)
                .await;
            let found = all
                .body
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["code"] == "shared")
                .cloned();
            let f = match found {
                Some(f) => f,
                None => {
                    let f = fx
                        .call(
                            "admin",
                            Method::POST,
                            "/api/v1/custom-fields",
                            Some(json!({"code": "shared", "label": "共用", "kind": "number"})),
                            None,
                        )
                        .await;
                    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
                    f.body
                }
            };
            call(
                Method::PUT,
                format!("/api/v1/custom-fields/{}", id(&f)),
                Some(json!({"code": "shared", "label": format!("改{n}"), "kind": "number"})),
                f["version"].as_i64(),
            )
        }
        "setCustomerLimits" => call(
            Method::PUT,
            "/api/v1/customer-settings/limits".into(),
            Some(json!({"limits": [{"levelCode": "*", "maxOwned": 1000 + n as i64}]})),
            None,
        ),
        "createCustomer" => call(
            Method::POST,
            "/api/v1/customers".into(),
            Some(json!({"name": format!("新建{n}号矩阵有限公司")})),
            None,
        ),
        "exportCustomers" => call(
            Method::POST,
            "/api/v1/customers/export".into(),
            Some(json!({"format": "csv"})),
            None,
        ),
        "uploadImport" => {
            let audit_before = audit_rows(fx).await;
            let r = upload_one(fx, who, n).await;
            return (r.status.as_u16(), true, audit_rows(fx).await - audit_before);
        }
        "listImports" => call(Method::GET, "/api/v1/customer-imports".into(), None, None),
        "listImportFields" => call(
            Method::GET,
            "/api/v1/customer-imports/fields".into(),
            None,
            None,
        ),
        "downloadImportTemplate" => call(
            Method::GET,
            "/api/v1/customer-imports/template?format=csv".into(),
            None,
            None,
        ),
        "getImport"
        | "validateImport"
        | "runImport"
        | "listImportValues"
        | "downloadImportErrors" => {
            // The caller's own upload (the administrator's for those who may not upload).
            let by = if has(who, "customers.import") {
                who
            } else {
                "admin"
            };
            let up = upload_one(fx, by, n).await;
            let jid = id(&up.body);
            let options = json!({"mapping": ["name"], "mode": "insert", "matchBy": "name"});
            match op {
                "getImport" => call(
                    Method::GET,
                    format!("/api/v1/customer-imports/{jid}"),
                    None,
                    None,
                ),
                "validateImport" => call(
                    Method::POST,
                    format!("/api/v1/customer-imports/{jid}/validate"),
                    Some(options),
                    None,
                ),
                "runImport" => call(
                    Method::POST,
                    format!("/api/v1/customer-imports/{jid}/run"),
                    Some(options),
                    None,
                ),
                "listImportValues" => call(
                    Method::POST,
                    format!("/api/v1/customer-imports/{jid}/values"),
                    Some(json!({"mapping": ["name"]})),
                    None,
                ),
                _ => call(
                    Method::GET,
                    format!("/api/v1/customer-imports/{jid}/errors"),
                    None,
                    None,
                ),
            }
        }
        "mergeCustomers" => {
            // Two records of the caller's own (the administrator's for those who may not create).
            let by = if has(who, "customers.create") {
                who
            } else {
                "admin"
            };
            let mut ids = Vec::new();
            for k in 0..2 {
                let r = fx
                    .call(
                        by,
                        Method::POST,
                        "/api/v1/customers",
                        Some(json!({"name": format!("合并{n}号{k}测试有限公司")})),
                        None,
                    )
                    .await;
                ids.push(id(&r.body["customer"]));
            }
            call(
                Method::POST,
                format!("/api/v1/customers/{}/merge", ids[0]),
                Some(json!({"duplicateId": ids[1]})),
                None,
            )
        }
        "checkCustomerDuplicates" => call(
            Method::POST,
            "/api/v1/customers/duplicate-check".into(),
            Some(json!({"name": "矩阵客户"})),
            None,
        ),
        "listMyViews" => call(
            Method::GET,
            "/api/v1/me/views?kind=customers".into(),
            None,
            None,
        ),
        "createView" => call(
            Method::POST,
            "/api/v1/me/views".into(),
            Some(
                json!({"kind": "customers", "name": format!("视图{n}"), "query": {"levelCode": "A"}}),
            ),
            None,
        ),
        "updateView" | "deleteView" => {
            // The caller's own view (the administrator's for those who cannot save one).
            let by = if signed_in(who) { who } else { "admin" };
            let v = fx
                .call(
                    by,
                    Method::POST,
                    "/api/v1/me/views",
                    Some(json!({"kind": "customers", "name": format!("原视图{n}")})),
                    None,
                )
                .await;
            assert_eq!(v.status, StatusCode::CREATED, "{:?}", v.body);
            let vid = id(&v.body);
            if op == "updateView" {
                call(
                    Method::PUT,
                    format!("/api/v1/me/views/{vid}"),
                    Some(
                        json!({"kind": "customers", "name": format!("改视图{n}"), "isDefault": true}),
                    ),
                    Some(1),
                )
            } else {
                call(
                    Method::DELETE,
                    format!("/api/v1/me/views/{vid}"),
                    None,
                    None,
                )
            }
        }
        "uploadAttachment" => {
            let (cid, ..) = customer_for(fx, target_of(who, target), n).await;
            let audit_before = audit_rows(fx).await;
            let r = fx
                .upload(
                    who,
                    &format!("/api/v1/customers/{cid}/attachments?fileName=a.pdf"),
                    b"%PDF-1.7\n".to_vec(),
                )
                .await;
            return (r.status.as_u16(), true, audit_rows(fx).await - audit_before);
        }
        "listAttachments" | "downloadAttachment" | "deleteAttachment" => {
            let (cid, ..) = customer_for(fx, target_of(who, target), n).await;
            let up = fx
                .upload(
                    "admin",
                    &format!("/api/v1/customers/{cid}/attachments?fileName=a.pdf"),
                    b"%PDF-1.7\n".to_vec(),
                )
                .await;
            assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
            let aid = id(&up.body);
            match op {
                "listAttachments" => call(
                    Method::GET,
                    format!("/api/v1/customers/{cid}/attachments"),
                    None,
                    None,
                ),
                "downloadAttachment" => call(
                    Method::GET,
                    format!("/api/v1/attachments/{aid}"),
                    None,
                    None,
                ),
                _ => call(
                    Method::DELETE,
                    format!("/api/v1/attachments/{aid}"),
                    None,
                    None,
                ),
            }
        }
        "getCustomer" | "listFollowups" | "updateCustomer" | "addContact" | "updateContact"
        | "addFollowup" | "setCollaborators" | "setCustomerLock" | "transferCustomers"
        | "returnToPool" => {
            let owner = target_of(who, target);
            let (cid, v, contact, cv) = customer_for(fx, owner, n).await;
            let base = format!("/api/v1/customers/{cid}");
            match op {
                "getCustomer" => call(Method::GET, base, None, None),
                "listFollowups" => call(Method::GET, format!("{base}/followups"), None, None),
                "updateCustomer" => call(
                    Method::PUT,
                    base,
                    Some(json!({"name": format!("矩阵{n}号{owner}客户有限公司"), "notes": "改"})),
                    Some(v),
                ),
                "addContact" => call(
                    Method::POST,
                    format!("{base}/contacts"),
                    Some(json!({"name": "新联系人"})),
                    None,
                ),
                "updateContact" => call(
                    Method::PUT,
                    format!("{base}/contacts/{contact}"),
                    Some(json!({"name": "改名", "isPrimary": true})),
                    Some(cv),
                ),
                "addFollowup" => call(
                    Method::POST,
                    format!("{base}/followups"),
                    Some(json!({"method": "phone", "content": "矩阵跟进"})),
                    None,
                ),
                "setCollaborators" => call(
                    Method::PUT,
                    format!("{base}/collaborators"),
                    Some(json!({"members": [{"userId": fx.user["finance"], "canEdit": false}]})),
                    None,
                ),
                "setCustomerLock" => call(
                    Method::PUT,
                    format!("{base}/lock"),
                    Some(json!({"locked": true})),
                    Some(v),
                ),
                "transferCustomers" => call(
                    Method::POST,
                    "/api/v1/customers/transfer".into(),
                    Some(
                        json!({"customerIds": [cid], "toUserId": fx.user[recipient_for(who, owner)], "reason": "矩阵"}),
                    ),
                    None,
                ),
                _ => {
                    let (pool, _) = pool_for(fx, region_of(owner), n).await;
                    call(
                        Method::POST,
                        format!("{base}/return-to-pool"),
                        Some(json!({"poolId": pool, "reason": "矩阵"})),
                        None,
                    )
                }
            }
        }
        "previewHandover" | "handOverCustomers" => {
            let from = target_of(who, target);
            customer_for(fx, from, n).await;
            let to = fx.user[recipient_for(who, from)];
            let from = fx.user[from];
            if op == "previewHandover" {
                call(
                    Method::GET,
                    format!("/api/v1/customers/handover-preview?fromUserId={from}&toUserId={to}"),
                    None,
                    None,
                )
            } else {
                call(
                    Method::POST,
                    "/api/v1/customers/handover".into(),
                    Some(json!({"fromUserId": from, "toUserId": to, "reason": "离职"})),
                    None,
                )
            }
        }
        "listPools" => call(Method::GET, "/api/v1/pools".into(), None, None),
        "previewReclaim" => call(
            Method::GET,
            "/api/v1/pools/reclaim-preview".into(),
            None,
            None,
        ),
        "runReclaim" => call(Method::POST, "/api/v1/pools/reclaim".into(), None, None),
        "getReclaimRun" => {
            let r = fx
                .call("admin", Method::POST, "/api/v1/pools/reclaim", None, None)
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
            let key = r.body["runKey"].as_str().unwrap().to_owned();
            fx.finished_reclaim(&key).await;
            call(
                Method::GET,
                format!("/api/v1/pools/reclaim-runs/{key}"),
                None,
                None,
            )
        }
        "listMyReclaimWarnings" => call(
            Method::GET,
            "/api/v1/me/reclaim-warnings".into(),
            None,
            None,
        ),
        "createPool" => {
            let unit = match who {
                "mgra" => "east",
                "mgrb" => "north",
                _ => "root",
            };
            call(
                Method::POST,
                "/api/v1/pools".into(),
                Some(json!({"name": format!("新公海{n}"), "unitId": fx.unit[unit]})),
                None,
            )
        }
        "updatePool" => {
            let unit = pool_unit(who, target);
            let (pool, v) = pool_for(fx, unit, n).await;
            call(
                Method::PUT,
                format!("/api/v1/pools/{pool}"),
                Some(
                    json!({"name": format!("改公海{n}"), "unitId": fx.unit[unit], "cooldownDays": 7}),
                ),
                Some(v),
            )
        }
        "listPoolCustomers" => {
            let (pool, _) = pool_for(fx, pool_unit(who, target), n).await;
            call(
                Method::GET,
                format!("/api/v1/pools/{pool}/customers"),
                None,
                None,
            )
        }
        "claimCustomer" | "assignPoolCustomer" => {
            let (pool, cid) = pooled_for(fx, pool_unit(who, target), n).await;
            if op == "claimCustomer" {
                call(
                    Method::POST,
                    format!("/api/v1/pools/{pool}/customers/{cid}/claim"),
                    None,
                    None,
                )
            } else {
                call(
                    Method::POST,
                    format!("/api/v1/pools/{pool}/customers/{cid}/assign"),
                    Some(json!({"toUserId": fx.user[recipient_for(who, "-")]})),
                    None,
                )
            }
        }
        "listTerritoryUnits" => call(Method::GET, "/api/v1/territory/units".into(), None, None),
        "getTerritoryMap" => call(Method::GET, "/api/v1/territory/map".into(), None, None),
        "listScenarios" => call(
            Method::GET,
            "/api/v1/territory/scenarios".into(),
            None,
            None,
        ),
        "importTerritoryUnits" => call(
            Method::POST,
            "/api/v1/territory/units/import".into(),
            Some(json!({"unitsCsv": TERRITORY_UNITS})),
            None,
        ),
        "territoryFiguresFromCustomers" => {
            territory_units(fx).await;
            call(
                Method::POST,
                "/api/v1/territory/units/figures-from-customers".into(),
                None,
                None,
            )
        }
        "createScenario" => {
            territory_units(fx).await;
            call(
                Method::POST,
                "/api/v1/territory/scenarios".into(),
                Some(json!({"name": format!("方案{n}"), "k": 2, "balance": "potential"})),
                None,
            )
        }
        "getScenario"
        | "deleteScenario"
        | "optimiseScenario"
        | "placeUnit"
        | "updateTerritory"
        | "previewApplyScenario"
        | "applyScenario" => {
            let (sid, v) = scenario_for(fx, n).await;
            let base = format!("/api/v1/territory/scenarios/{sid}");
            match op {
                "getScenario" => call(Method::GET, base, None, None),
                "deleteScenario" => call(Method::DELETE, base, None, None),
                "optimiseScenario" => call(Method::POST, format!("{base}/optimise"), None, Some(v)),
                "placeUnit" => call(
                    Method::PUT,
                    format!("{base}/units/000101"),
                    Some(json!({"locked": true})),
                    None,
                ),
                "updateTerritory" => call(
                    Method::PUT,
                    format!("{base}/territories/0"),
                    Some(json!({"label": "改名", "compensation": 1.2})),
                    None,
                ),
                "previewApplyScenario" => {
                    call(Method::GET, format!("{base}/apply-preview"), None, None)
                }
                _ => call(
                    Method::POST,
                    format!("{base}/apply"),
                    Some(json!({"reason": "区域调整"})),
                    Some(v),
                ),
            }
        }
        other => panic!(
            "operation {other} has no row in the authorisation matrix: add it to expect() and attempt()"
        ),
    };
    // The duplicate check is a POST (its query holds names and mobiles) that changes nothing;
    // so are an import's validation (a dry run) and the look at its values.
    let mutating = method != Method::GET
        && !matches!(
            op,
            "checkCustomerDuplicates" | "validateImport" | "listImportValues"
        );
    let before = audit_rows(fx).await;
    let r = fx.call(who, method, &path, body, version).await;
    let status = r.status.as_u16();
    if op == "runReclaim" && status == 202 {
        // The run goes on in the background: its audit row comes when it ends.
        fx.finished_reclaim(r.body["runKey"].as_str().unwrap())
            .await;
    }
    if matches!(op, "validateImport" | "runImport") && status == 202 {
        // The job runs in the background: its audit row comes when it lands.
        let jid = id(&r.body);
        for _ in 0..2000 {
            let j = fx
                .call(
                    who,
                    Method::GET,
                    &format!("/api/v1/customer-imports/{jid}"),
                    None,
                    None,
                )
                .await;
            if !matches!(j.body["status"].as_str(), Some("validating" | "importing")) {
                assert!(
                    matches!(j.body["status"].as_str(), Some("validated" | "imported")),
                    "{op} as {who}: {:?}",
                    j.body
                );
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
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
            | "getCustomer"
            | "listFollowups"
            | "uploadAttachment"
            | "listAttachments"
            | "downloadAttachment"
            | "deleteAttachment"
            | "updateCustomer"
            | "addContact"
            | "updateContact"
            | "addFollowup"
            | "setCollaborators"
            | "setCustomerLock"
            | "transferCustomers"
            | "returnToPool"
            | "previewHandover"
            | "handOverCustomers"
            | "updatePool"
            | "listPoolCustomers"
            | "claimCustomer"
            | "assignPoolCustomer"
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
        // Every action written has a name people read in the log.
        let mut tx = fx.app.db.begin_read().await.unwrap();
        for action in salesdesk_store::audit::distinct_actions(&mut tx)
            .await
            .unwrap()
        {
            if !salesdesk_http::audit_labels::is_known_action(&action) {
                failures.push(format!("{op}: audit action {action} has no label"));
            }
        }
        tx.commit().await.unwrap();
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
