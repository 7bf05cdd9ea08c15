//! Territory design (区域设计) through the real router on both databases: units imported
//! from CSV (a bad cell named by line and column, nothing changed), a scenario designed,
//! a unit moved and locked (figures follow, the lock survives optimising), a preview of who
//! gains which customers, and the apply: units and customers change hands once, with owner
//! history, and a second or concurrent apply is refused. Only territory designers may.

mod common;

use axum::http::{Method, StatusCode};
use common::Fx;
use serde_json::{Value, json};

/// Six districts of 测试市 in two rows of three, 10 km apart, equal potential, 西一区 four
/// times the workload of the others; all held by repa1 now. `000104`–`000106` is the
/// eastern half.
const UNITS: &str = "id,name,city,district,x_km,y_km,potential,workload,owner\n\
000101,西一区,测试市,西一区,0,0,100,40,repa1\n\
000102,西二区,测试市,西二区,0,10,100,10,repa1\n\
000103,中一区,测试市,中一区,10,0,100,10,repa1\n\
000104,中二区,测试市,中二区,10,10,100,10,repa1\n\
000105,东一区,测试市,东一区,20,0,100,10,repa1\n\
000106,东二区,测试市,东二区,20,10,100,10,repa1\n";

const ADJACENCY: &str = "a,b,border_km,kind\n\
000101,000102,10,border\n000101,000103,10,border\n000102,000104,10,border\n\
000103,000104,10,border\n000103,000105,10,border\n000104,000106,10,border\n\
000105,000106,10,border\n";

async fn import(fx: &Fx) {
    let r = fx
        .call(
            "director",
            Method::POST,
            "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": UNITS, "adjacencyCsv": ADJACENCY})),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["added"], 6);
    assert_eq!(r.body["edges"], 7);
}

async fn customer(fx: &Fx, name: &str, district: &str) -> String {
    let r = fx
        .call(
            "repa1",
            Method::POST,
            "/api/v1/customers",
            Some(json!({"name": name, "city": "测试", "district": district})),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["customer"]["id"].as_str().unwrap().to_owned()
}

async fn scenario(fx: &Fx, id: &str) -> Value {
    let r = fx
        .call(
            "director",
            Method::GET,
            &format!("/api/v1/territory/scenarios/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn territory_of(s: &Value, code: &str) -> i64 {
    s["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == code)
        .unwrap()["territory"]
        .as_i64()
        .unwrap()
}

async fn owner_of(fx: &Fx, customer: &str) -> Value {
    let r = fx
        .call(
            "director",
            Method::GET,
            &format!("/api/v1/customers/{customer}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

api_test! {
    async fn units_import_with_their_owners_and_a_bad_cell_changes_nothing(fx) {
        let bad = UNITS.replace("000103,中一区,测试市,中一区,10,0,100", "000103,中一区,测试市,中一区,10,0,many");
        let r = fx.call("director", Method::POST, "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": bad, "adjacencyCsv": ADJACENCY})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["fields"]["unitsCsv[4].potential"]["code"], "territory.cell_invalid", "{:?}", r.body);
        let r = fx.call("director", Method::GET, "/api/v1/territory/units", None, None).await;
        assert_eq!(r.body.as_array().unwrap().len(), 0);

        // An adjacency that leaves a unit unreachable is refused.
        let cut = ADJACENCY.replace("000105,000106,10,border\n", "").replace("000103,000105,10,border\n", "");
        let r = fx.call("director", Method::POST, "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": UNITS, "adjacencyCsv": cut})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["fields"]["adjacencyCsv"]["code"], "territory.disconnected");

        import(&fx).await;
        let r = fx.call("director", Method::GET, "/api/v1/territory/units", None, None).await;
        let units = r.body.as_array().unwrap();
        assert_eq!(units[0]["code"], "000101", "leading zeros kept");
        assert!(units.iter().all(|u| u["ownerId"] == json!(fx.user["repa1"])));
        // A file that would cut its units off from the rest is refused, and changes nothing.
        let east_only = "id,name,x_km,y_km,potential\n000105,东一区,20,0,999\n000106,东二区,20,10,999\n";
        let r = fx.call("director", Method::POST, "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": east_only, "adjacencyCsv": "a,b\n000105,000106\n"})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["fields"]["adjacencyCsv"]["code"], "territory.disconnected");
        let r = fx.call("director", Method::GET, "/api/v1/territory/units", None, None).await;
        assert_eq!(r.body[4]["name"], "东一区");
        assert_eq!(r.body[4]["potential"], 100.0);
        // Importing again updates, and adds nothing.
        let r = fx.call("director", Method::POST, "/api/v1/territory/units/import",
            Some(json!({"unitsCsv": UNITS})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!((r.body["added"].as_i64(), r.body["updated"].as_i64()), (Some(0), Some(6)));

        // Figures from the customer base: customers weighted by level, visits by level.
        customer(&fx, "西边客户有限公司", "西一区").await;
        customer(&fx, "西边第二客户有限公司", "西一区").await;
        let r = fx.call("director", Method::POST, "/api/v1/territory/units/figures-from-customers", None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!((r.body["unitsWithCustomers"].as_i64(), r.body["customers"].as_i64()), (Some(1), Some(2)));
        let r = fx.call("director", Method::GET, "/api/v1/territory/units", None, None).await;
        let figures: Vec<(f64, f64)> = r.body.as_array().unwrap().iter()
            .map(|u| (u["potential"].as_f64().unwrap(), u["workload"].as_f64().unwrap()))
            .collect();
        assert_eq!(figures[0], (2.0, 1.0), "two customers without a level in 西一区");
        assert!(figures[1..].iter().all(|f| *f == (0.0, 0.0)), "{figures:?}");

        // Reps and managers do not design territories.
        for who in ["repa1", "mgra"] {
            let r = fx.call(who, Method::GET, "/api/v1/territory/scenarios", None, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
            let r = fx.call(who, Method::POST, "/api/v1/territory/units/figures-from-customers", None, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        }
    }

    async fn a_scenario_is_designed_edited_previewed_and_applied_once(fx) {
        import(&fx).await;
        let west = customer(&fx, "西边客户有限公司", "西一区").await;
        let east = customer(&fx, "东边客户有限公司", "东二区").await;
        let east2 = customer(&fx, "东边第二客户有限公司", "中二区").await;

        // Bad input names its field and creates nothing.
        for (body, field) in [
            (json!({"name": "x", "k": 1, "balance": "potential"}), "k"),
            (json!({"name": "x", "k": 2, "balance": "revenue"}), "balance"),
            (json!({"name": "", "k": 2, "balance": "potential"}), "name"),
        ] {
            let r = fx.call("director", Method::POST, "/api/v1/territory/scenarios", Some(body), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert!(r.body["fields"].get(field).is_some(), "{field}: {:?}", r.body);
        }
        let r = fx.call("director", Method::GET, "/api/v1/territory/scenarios", None, None).await;
        assert_eq!(r.body.as_array().unwrap().len(), 0);

        let r = fx.call("director", Method::POST, "/api/v1/territory/scenarios",
            Some(json!({"name": "东西两区", "k": 2, "balance": "potential", "seed": 3})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let s = r.body;
        let id = s["id"].as_str().unwrap().to_owned();
        assert_eq!(s["figures"]["contiguous"], true);
        assert!(s["figures"]["potentialMaxDeviation"].as_f64().unwrap() < 1e-9, "{:?}", s["figures"]);
        let ts = s["territories"].as_array().unwrap();
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0]["units"].as_i64().unwrap() + ts[1]["units"].as_i64().unwrap(), 6);
        // Three equal units each: a west and an east half, or a north and a south row.
        let halves = territory_of(&s, "000101") == territory_of(&s, "000102");
        // Balanced in potential, not in workload (60 against 30): the fairness says so, the
        // worse measure of the least fair territory (it said 100 counting potential alone).
        assert!(s["figures"]["presentPotentialMaxDeviation"].is_null(), "one rep holds all now");
        let fairness = s["figures"]["fairness"].as_f64().unwrap();
        assert!((fairness - 200.0 / 3.0).abs() < 0.1, "{fairness}");
        for t in ts {
            let w = t["workloadDeviation"].as_f64().unwrap();
            let expected = 100.0 * (1.0 + w).min(1.0 / (1.0 + w));
            assert!((t["fairness"].as_f64().unwrap() - expected).abs() < 0.1, "{t:?}");
        }
        // Neighbours on the map in different colours.
        assert_ne!(ts[0]["colour"], ts[1]["colour"]);
        // Named by the rep it would go to, or else by its main city.
        let labels: Vec<&str> = ts.iter().map(|t| t["label"].as_str().unwrap()).collect();
        assert!(labels.contains(&"测试repa1"), "{labels:?}");
        assert!(labels.iter().all(|l| !l.starts_with('T')), "{labels:?}");
        // One territory stays with repa1 (suggested by overlap), the other has nobody yet.
        assert_eq!(ts.iter().filter(|t| t["ownerId"] == json!(fx.user["repa1"])).count(), 1);
        let free = ts.iter().find(|t| t["ownerId"].is_null()).unwrap()["idx"].as_i64().unwrap();
        let held = 1 - free;

        // Apply needs a rep for every territory.
        let r = fx.call("director", Method::GET, &format!("/api/v1/territory/scenarios/{id}/apply-preview"), None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["territoriesWithoutOwner"].as_array().unwrap().len(), 1);
        let v = s["version"].as_i64().unwrap();
        let r = fx.call("director", Method::POST, &format!("/api/v1/territory/scenarios/{id}/apply"),
            Some(json!({"reason": "区域调整"})), Some(v)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);

        // Name the free territory, give it to repa2 with a compensation coefficient.
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/territories/{free}"),
            Some(json!({"label": "新区", "ownerId": fx.user["repa2"], "compensation": 4.0})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["compensation"]["code"], "out_of_range");
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/territories/{free}"),
            Some(json!({"label": "新区", "ownerId": fx.user["repa1"], "compensation": 1.2})), None).await;
        assert_eq!(r.body["fields"]["ownerId"]["code"], "territory.owner_twice", "{:?}", r.body);
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/territories/{free}"),
            Some(json!({"label": "新区", "ownerId": fx.user["repa2"], "compensation": 1.2})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let t = &r.body["territories"][free as usize];
        assert_eq!((t["label"].as_str(), t["compensation"].as_f64()), (Some("新区"), Some(1.2)));

        // Move one unit of the held territory to the free one and lock it: the figures follow.
        let moved = ["000101", "000102", "000103", "000104", "000105", "000106"]
            .into_iter()
            .find(|c| territory_of(&r.body, c) == held)
            .unwrap();
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/units/{moved}"),
            Some(json!({"territory": free, "locked": true})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(territory_of(&r.body, moved), free);
        assert_eq!(r.body["territories"][free as usize]["units"], 4);
        assert!((r.body["figures"]["potentialMaxDeviation"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/units/{moved}"),
            Some(json!({"territory": 2})), None).await;
        assert_eq!(r.body["fields"]["territory"]["code"], "out_of_range");

        // Optimising rebalances around the lock.
        let v = scenario(&fx, &id).await["version"].as_i64().unwrap();
        let r = fx.call("director", Method::POST, &format!("/api/v1/territory/scenarios/{id}/optimise"), None, Some(v - 1)).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{:?}", r.body);
        let r = fx.call("director", Method::POST, &format!("/api/v1/territory/scenarios/{id}/optimise"), None, Some(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let s = r.body;
        assert_eq!(territory_of(&s, moved), free, "the locked unit stayed");
        assert!(s["units"].as_array().unwrap().iter().any(|u| u["code"] == moved && u["locked"] == true));
        assert!(s["figures"]["potentialMaxDeviation"].as_f64().unwrap() < 1e-9, "{:?}", s["figures"]);
        assert_eq!(s["figures"]["contiguous"], true);
        let _ = halves;

        // The preview: repa2 gains the free territory's units and repa1's customers there.
        let r = fx.call("director", Method::GET, &format!("/api/v1/territory/scenarios/{id}/apply-preview"), None, None).await;
        let p = r.body;
        let to_repa2: Vec<&str> = ["000101", "000102", "000103", "000104", "000105", "000106"]
            .into_iter()
            .filter(|c| territory_of(&s, c) == free)
            .collect();
        assert_eq!(p["unitsMoved"], to_repa2.len());
        let district_of = |c: &str| match c {
            "000101" => "西一区", "000102" => "西二区", "000103" => "中一区",
            "000104" => "中二区", "000105" => "东一区", _ => "东二区",
        };
        let expected: Vec<&str> = [(west.as_str(), "西一区"), (east.as_str(), "东二区"), (east2.as_str(), "中二区")]
            .into_iter()
            .filter(|(_, d)| to_repa2.iter().any(|c| district_of(c) == *d))
            .map(|(id, _)| id)
            .collect();
        let mut previewed: Vec<&str> = p["customers"].as_array().unwrap().iter().map(|c| c["customerId"].as_str().unwrap()).collect();
        previewed.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(previewed, want);
        let repa2 = p["reps"].as_array().unwrap().iter().find(|r| r["userId"] == json!(fx.user["repa2"])).unwrap();
        assert_eq!(repa2["customersGained"], expected.len());
        assert_eq!(p["customersMoved"], expected.len());
        assert_eq!(repa2["unitsGained"], to_repa2.len());

        // Two applies at once: one wins, the other changes nothing.
        let v = s["version"].as_i64().unwrap();
        let a = fx.request("director", Method::POST, &format!("/api/v1/territory/scenarios/{id}/apply"), Some(json!({"reason": "区域调整"})), Some(v));
        let b = fx.request("director", Method::POST, &format!("/api/v1/territory/scenarios/{id}/apply"), Some(json!({"reason": "区域调整"})), Some(v));
        let (ra, rb) = tokio::join!(common::send(fx.router.clone(), a), common::send(fx.router.clone(), b));
        let mut codes = [ra, rb];
        codes.sort();
        assert_eq!(codes[0], StatusCode::OK, "{codes:?}");
        assert!(matches!(codes[1], StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED), "{codes:?}");

        for c in &expected {
            let d = owner_of(&fx, c).await;
            assert_eq!(d["customer"]["ownerId"], json!(fx.user["repa2"]));
            let kept = d["history"].as_array().unwrap().iter().any(|h| {
                h["change"] == "transferred" && h["toOwnerName"] == "测试repa2" && h["reason"] == "区域调整"
            });
            assert!(kept, "owner history kept: {:?}", d["history"]);
        }
        for c in [&west, &east, &east2].into_iter().filter(|c| !expected.contains(&c.as_str())) {
            assert_eq!(owner_of(&fx, c).await["customer"]["ownerId"], json!(fx.user["repa1"]));
        }
        let r = fx.call("director", Method::GET, "/api/v1/territory/units", None, None).await;
        for u in r.body.as_array().unwrap() {
            let want = if to_repa2.contains(&u["code"].as_str().unwrap()) { "repa2" } else { "repa1" };
            assert_eq!(u["ownerId"], json!(fx.user[want]), "{u:?}");
        }
        let s = scenario(&fx, &id).await;
        assert_eq!(s["status"], "applied");
        assert_eq!(s["figures"]["unitsMoved"], 0, "the applied plan is the present alignment");
        // An applied scenario no longer changes.
        let r = fx.call("director", Method::PUT, &format!("/api/v1/territory/scenarios/{id}/units/000101"),
            Some(json!({"locked": true})), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "territory.scenario_applied");

        // Rebalancing the present alignment makes one territory per rep holding units now.
        let r = fx.call("director", Method::POST, "/api/v1/territory/scenarios",
            Some(json!({"name": "现状", "balance": "both", "fromCurrent": true})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["k"], 2);
        assert_eq!(r.body["figures"]["contiguous"], true);
        // What the moves are weighed against: the present alignment's imbalance (repa1 and
        // repa2 hold the halves of the applied plan, equal in potential).
        let present = r.body["figures"]["presentPotentialMaxDeviation"].as_f64().unwrap();
        assert!(present < 1e-9, "{present}");
    }
}
