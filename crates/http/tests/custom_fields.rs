//! Custom fields (自定义字段) through the real router on both databases: administrators define
//! them (code and kind fixed, options retired rather than removed); customers carry checked
//! values that the list filters on within the scope, exports show by label, merges keep.

mod common;

use axum::http::{Method, StatusCode};
use common::Fx;
use serde_json::{Value, json};

async fn define(fx: &Fx, body: Value) -> Value {
    let r = fx
        .call(
            "admin",
            Method::POST,
            "/api/v1/custom-fields",
            Some(body),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

/// 年采购额 (number), 企业规模 (select, required), 产品线 (multi select), 合作起始 (date),
/// 备注说明 (text).
async fn define_all(fx: &Fx) -> Value {
    define(
        fx,
        json!({"code": "budget", "label": "年采购额", "kind": "number"}),
    )
    .await;
    let scale = define(fx, json!({"code": "scale", "label": "企业规模", "kind": "select", "required": true,
        "options": [{"code": "large", "label": "大型"}, {"code": "medium", "label": "中型"}, {"code": "small", "label": "小型"}]})).await;
    define(fx, json!({"code": "lines", "label": "产品线", "kind": "multi_select",
        "options": [{"code": "pump", "label": "泵"}, {"code": "valve", "label": "阀门"}, {"code": "motor", "label": "电机"}]})).await;
    define(
        fx,
        json!({"code": "since", "label": "合作起始", "kind": "date"}),
    )
    .await;
    define(
        fx,
        json!({"code": "memo", "label": "备注说明", "kind": "text"}),
    )
    .await;
    scale
}

async fn create(fx: &Fx, who: &str, body: Value) -> Value {
    let r = fx
        .call(who, Method::POST, "/api/v1/customers", Some(body), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{who}: {:?}", r.body);
    r.body
}

/// The names the list shows for a custom field filter, sorted.
async fn filtered(fx: &Fx, who: &str, cf: &str) -> Vec<String> {
    let r = fx
        .call(
            who,
            Method::GET,
            &format!(
                "/api/v1/customers?pageSize=100&cf={}",
                common::urlencode(cf)
            ),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{cf}: {:?}", r.body);
    let mut names: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

api_test! {
    async fn administrators_define_fields_whose_code_and_kind_stay_fixed(fx) {
        let body = json!({"code": "scale", "label": "企业规模", "kind": "select", "options": [{"code": "large", "label": "大型"}]});
        let r = fx.call("repa1", Method::POST, "/api/v1/custom-fields", Some(body.clone()), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        for (bad, field, code) in [
            (json!({"code": "1scale", "label": "规模", "kind": "text"}), "code", "custom_field.code_invalid"),
            (json!({"code": "scale", "label": " ", "kind": "text"}), "label", "required"),
            (json!({"code": "scale", "label": "规模", "kind": "select"}), "options", "custom_field.options_required"),
            (json!({"code": "scale", "label": "规模", "kind": "text", "options": [{"code": "a", "label": "甲"}]}), "options", "custom_field.options_not_allowed"),
            (json!({"code": "scale", "label": "规模", "kind": "select", "options": [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}]}), "options[1].code", "duplicate"),
        ] {
            let r = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(bad.clone()), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(r.body["fields"][field]["code"], code, "{bad}: {:?}", r.body);
        }
        let bad_kind = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(json!({"code": "x", "label": "x", "kind": "formula"})), None).await;
        assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
        let scale = define(&fx, body.clone()).await;
        let again = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(body), None).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.body["code"], "custom_field.code_taken");

        // Everyone working with customers reads the definitions (forms need them).
        let r = fx.call("repa1", Method::GET, "/api/v1/custom-fields", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.as_array().unwrap().len(), 1);

        let path = format!("/api/v1/custom-fields/{}", scale["id"].as_str().unwrap());
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"code": "scale", "label": "规模", "kind": "multi_select", "options": [{"code": "large", "label": "大型"}]})), Some(1)).await;
        assert_eq!(r.body["fields"]["kind"]["code"], "custom_field.kind_fixed", "{:?}", r.body);
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"code": "size", "label": "规模", "kind": "select", "options": [{"code": "large", "label": "大型"}]})), Some(1)).await;
        assert_eq!(r.body["fields"]["code"]["code"], "custom_field.code_fixed");
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"code": "scale", "label": "规模", "kind": "select", "options": [{"code": "huge", "label": "特大"}]})), Some(1)).await;
        assert_eq!(r.body["fields"]["options"]["code"], "custom_field.option_removed", "options are retired, not removed");
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"code": "scale", "label": "企业规模", "kind": "select", "options": [{"code": "large", "label": "大型", "active": false}, {"code": "huge", "label": "特大"}]})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.headers["etag"], "\"2\"");
        assert_eq!(r.body["options"][0]["active"], false);
        let r = fx.call("admin", Method::PUT, &path, Some(json!({"code": "scale", "label": "旧", "kind": "select", "options": [{"code": "large", "label": "大型"}, {"code": "huge", "label": "特大"}]})), Some(1)).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "a stale version changes nothing");
        let audit = fx.call("admin", Method::GET, "/api/v1/audit?entityType=custom_field", None, None).await;
        assert_eq!(audit.body["total"], 2, "one row per change: {:?}", audit.body);
    }

    async fn customers_carry_checked_values_that_the_list_filters_within_the_scope(fx) {
        define_all(&fx).await;
        // A required field, values of the wrong kind and unknown fields: every problem named,
        // nothing created.
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "上海甲一机械有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["customFields.scale"]["code"], "required", "{:?}", r.body);
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "上海甲一机械有限公司", "customFields": {
            "scale": "huge", "budget": "12万", "lines": ["pump", 3], "since": "2024-02-30", "memo": true, "colour": "red"}})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for (field, code) in [("scale", "option.unknown"), ("budget", "number.invalid"), ("lines", "custom_field.wrong_type"),
            ("since", "date.invalid"), ("memo", "custom_field.wrong_type"), ("colour", "custom_field.unknown")] {
            assert_eq!(r.body["fields"][format!("customFields.{field}")]["code"], code, "{field}: {:?}", r.body);
        }
        assert_eq!(fx.call("repa1", Method::GET, "/api/v1/customers", None, None).await.body["total"], 0);

        let a = create(&fx, "repa1", json!({"name": "上海甲一机械有限公司", "customFields": {
            "scale": "large", "budget": "1,200,000.5", "lines": ["pump", "valve", "pump"], "since": "2021-03-01", "memo": "年底集中采购"}})).await;
        assert_eq!(a["customer"]["customFields"], json!({"scale": "large", "budget": 1200000.5, "lines": ["pump", "valve"], "since": "2021-03-01", "memo": "年底集中采购"}));
        create(&fx, "repa1", json!({"name": "上海甲二电子有限公司", "customFields": {"scale": "small", "budget": 80000, "lines": ["motor"]}})).await;
        create(&fx, "repa2", json!({"name": "上海甲三物流有限公司", "customFields": {"scale": "medium", "budget": 300000, "since": "2023-07-15"}})).await;
        create(&fx, "repb1", json!({"name": "北京乙一能源有限公司", "customFields": {"scale": "large", "budget": 5000000}})).await;

        // Filters, all of which must hold, within each reader's scope.
        assert_eq!(filtered(&fx, "mgra", "budget:gte:100000").await, ["上海甲一机械有限公司", "上海甲三物流有限公司"]);
        assert_eq!(filtered(&fx, "director", "budget:gte:100000;scale:eq:large").await, ["上海甲一机械有限公司", "北京乙一能源有限公司"]);
        assert_eq!(filtered(&fx, "repa1", "scale:eq:large").await, ["上海甲一机械有限公司"], "a rep's filter stays in their scope");
        assert_eq!(filtered(&fx, "mgra", "scale:in:small,medium").await, ["上海甲三物流有限公司", "上海甲二电子有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "lines:eq:valve").await, ["上海甲一机械有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "lines:in:valve,motor").await, ["上海甲一机械有限公司", "上海甲二电子有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "since:lte:2022-12-31").await, ["上海甲一机械有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "since:unset").await, ["上海甲二电子有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "memo:like:集中").await, ["上海甲一机械有限公司"]);
        for bad in ["colour:eq:red", "budget:like:1", "scale:eq:huge", "budget", "since:gte:2024-02-30"] {
            let r = fx.call("mgra", Method::GET, &format!("/api/v1/customers?cf={}", common::urlencode(bad)), None, None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(r.body["fields"]["cf"]["code"].is_string(), "{bad}: {:?}", r.body);
        }

        // Edits change only the fields sent; null clears; a required field cannot be cleared.
        let id = a["customer"]["id"].as_str().unwrap();
        let path = format!("/api/v1/customers/{id}");
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"name": "上海甲一机械有限公司", "customFields": {"budget": 900000, "memo": null}})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["customer"]["customFields"], json!({"scale": "large", "budget": 900000.0, "lines": ["pump", "valve"], "since": "2021-03-01"}));
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"name": "上海甲一机械有限公司", "customFields": {"scale": null}})), Some(2)).await;
        assert_eq!(r.body["fields"]["customFields.scale"]["code"], "required");
        let r = fx.call("repa1", Method::PUT, &path, Some(json!({"name": "上海甲一机械有限公司"})), Some(2)).await;
        assert_eq!(r.status, StatusCode::OK, "an edit without custom fields keeps them");
        assert_eq!(r.body["customer"]["customFields"]["scale"], "large");
    }

    async fn exports_show_labels_retired_options_stay_and_merges_keep_values(fx) {
        let scale = define_all(&fx).await;
        let a = create(&fx, "repa1", json!({"name": "上海甲一机械有限公司", "customFields": {"scale": "large", "lines": ["pump", "motor"], "budget": 1500}})).await;
        let b = create(&fx, "repa1", json!({"name": "华东甲一机电设备", "customFields": {"scale": "small", "since": "2020-01-02", "memo": "=1+1"}})).await;
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv", "cf": "lines:eq:motor"})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let csv = r.body.as_str().unwrap();
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 2, "the export takes the list's custom filter: {lines:?}");
        assert!(lines[0].ends_with(",年采购额,企业规模,产品线,合作起始,备注说明"), "{}", lines[0]);
        assert!(lines[1].ends_with(",1500,大型,泵、电机,,"), "labels, not codes: {}", lines[1]);
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv", "cf": "memo:set"})), None).await;
        assert!(r.body.as_str().unwrap().contains(",'=1+1"), "custom values are formula-safe too");

        // Retiring 大型: the customer that has it keeps it (and may be saved with it); nobody
        // picks it again.
        let spath = format!("/api/v1/custom-fields/{}", scale["id"].as_str().unwrap());
        let r = fx.call("admin", Method::PUT, &spath, Some(json!({"code": "scale", "label": "企业规模", "kind": "select", "required": true,
            "options": [{"code": "large", "label": "大型", "active": false}, {"code": "medium", "label": "中型"}, {"code": "small", "label": "小型"}]})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let apath = format!("/api/v1/customers/{}", a["customer"]["id"].as_str().unwrap());
        let r = fx.call("repa1", Method::PUT, &apath, Some(json!({"name": "上海甲一机械有限公司", "customFields": {"scale": "large"}})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = fx.call("repa1", Method::POST, "/api/v1/customers", Some(json!({"name": "上海甲四有限公司", "customFields": {"scale": "large"}})), None).await;
        assert_eq!(r.body["fields"]["customFields.scale"]["code"], "option.unknown");

        // A merge fills the kept record's empty fields from the other record.
        let r = fx.call("admin", Method::POST, &format!("{apath}/merge"), Some(json!({"duplicateId": b["customer"]["id"]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["customer"]["customFields"], json!({"scale": "large", "lines": ["pump", "motor"], "budget": 1500.0, "since": "2020-01-02", "memo": "=1+1"}));

        // A retired field leaves the record and the export, and cannot be written.
        let fields = fx.call("admin", Method::GET, "/api/v1/custom-fields", None, None).await.body;
        let memo = fields.as_array().unwrap().iter().find(|f| f["code"] == "memo").unwrap().clone();
        let r = fx.call("admin", Method::PUT, &format!("/api/v1/custom-fields/{}", memo["id"].as_str().unwrap()),
            Some(json!({"code": "memo", "label": "备注说明", "kind": "text", "active": false})), Some(1)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let d = fx.call("repa1", Method::GET, &apath, None, None).await.body;
        assert!(d["customer"]["customFields"].get("memo").is_none());
        let r = fx.call("repa1", Method::PUT, &apath, Some(json!({"name": "上海甲一机械有限公司", "customFields": {"memo": "x"}})), d["customer"]["version"].as_i64()).await;
        assert_eq!(r.body["fields"]["customFields.memo"]["code"], "custom_field.unknown");
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv"})), None).await;
        assert!(!r.body.as_str().unwrap().contains("备注说明"));
    }

    async fn imports_fill_company_fields_by_label_and_keep_what_a_cell_leaves_empty(fx) {
        define_all(&fx).await;
        // The headers are the fields' labels; options are written by label.
        let text = "客户名称,企业规模,年采购额,产品线,合作起始\r\n\
            杭州导入一号有限公司,大型,\"1,200\",泵、电机,2024/3/5\r\n\
            杭州导入二号有限公司,巨型,abc,泵,\r\n\
            杭州导入三号有限公司,,,,\r\n";
        let job = fx.upload_import("mgra", "cf.csv", text.as_bytes().to_vec()).await;
        let keys: Vec<Value> = common::import_mapping(&job);
        assert_eq!(keys, vec![json!("name"), json!("cf.scale"), json!("cf.budget"), json!("cf.lines"), json!("cf.since")]);
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "invalid");
        assert_eq!(
            common::import_errors(&v),
            vec![
                (3, "customFields.budget".into(), "number.invalid".into()),
                (3, "customFields.scale".into(), "option.unknown".into()),
                (4, "customFields.scale".into(), "required".into()),
            ]
        );
        let bad = v["result"]["errors"].as_array().unwrap().iter().find(|e| e["row"] == 3 && e["field"] == "customFields.budget").unwrap();
        assert_eq!(bad["column"], 2, "the error names the column");
        assert!(filtered(&fx, "mgra", "scale:set").await.is_empty(), "nothing was written");
        // Fixed, it lands with the values.
        let text = "客户名称,企业规模,年采购额,产品线,合作起始\r\n\
            杭州导入一号有限公司,大型,\"1,200\",泵、电机,2024/3/5\r\n\
            杭州导入二号有限公司,small,80,泵,\r\n";
        let job = fx.upload_import("mgra", "cf2.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        assert_eq!(filtered(&fx, "mgra", "budget:gte:1000").await, vec!["杭州导入一号有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "lines:eq:motor").await, vec!["杭州导入一号有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "since:lte:2024-03-05").await, vec!["杭州导入一号有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "scale:eq:small").await, vec!["杭州导入二号有限公司"]);
        // An update: an empty cell keeps the value, a filled one changes it; again, nothing.
        let text = "客户名称,企业规模,年采购额\r\n杭州导入一号有限公司,中型,\r\n杭州导入二号有限公司,小型,80\r\n";
        for (file, updated, unchanged) in [("cf3.csv", 1, 1), ("cf4.csv", 0, 2)] {
            let job = fx.upload_import("mgra", file, text.as_bytes().to_vec()).await;
            let v = fx.import("mgra", &job, "update", "name", true).await;
            assert_eq!(v["status"], "imported", "{:?}", v["result"]);
            assert_eq!((v["result"]["updated"].as_u64(), v["result"]["unchanged"].as_u64()), (Some(updated), Some(unchanged)), "{file}");
        }
        assert_eq!(filtered(&fx, "mgra", "scale:eq:medium").await, vec!["杭州导入一号有限公司"]);
        assert_eq!(filtered(&fx, "mgra", "budget:eq:1200").await, vec!["杭州导入一号有限公司"]);
        // The template has a column per field, and its example row is valid.
        let (status, _, bytes) = fx.download("mgra", "/api/v1/customer-imports/template?format=csv").await;
        assert_eq!(status, StatusCode::OK);
        let csv = String::from_utf8(bytes.clone()).unwrap();
        assert!(csv.lines().next().unwrap().ends_with("年采购额,企业规模,产品线,合作起始,备注说明"), "{csv}");
        let job = fx.upload_import("mgra", "template.csv", bytes).await;
        assert!(common::import_mapping(&job).iter().all(|f| !f.is_null()), "{:?}", job["headers"]);
        let v = fx.import("mgra", &job, "insert", "creditCode", false).await;
        assert_eq!(v["result"]["errorRows"], 0, "{:?}", v["result"]);
        // The fields an import can fill include the company's, required ones marked.
        let r = fx.call("mgra", Method::GET, "/api/v1/customer-imports/fields", None, None).await;
        let scale = r.body.as_array().unwrap().iter().find(|f| f["key"] == "cf.scale").unwrap();
        assert_eq!((scale["labelZh"].as_str(), scale["required"].as_bool()), (Some("企业规模"), Some(true)));
    }

    async fn a_record_read_in_one_statement_is_the_page_a_write_returns(fx) {
        // A record read is one statement building its lists in the database; a write returns
        // the page read the long way inside its transaction. They must agree field for field,
        // with every list filled: tags, contacts (primary, a second, one who left),
        // collaborators (one who may edit), owner history, and values of every kind.
        define_all(&fx).await;
        let c = create(&fx, "repa1", json!({"name": "上海甲一机械有限公司", "levelCode": "A", "tags": ["重点", "华东", "老客户"],
            "contacts": [{"name": "张一", "mobile": "13800000001", "title": "采购经理", "isPrimary": true}, {"name": "李二", "email": "li@example.com", "birthday": "1985-06-01"}],
            "customFields": {"scale": "large", "budget": "1,200,000.5", "lines": ["valve", "pump"], "since": "2021-03-01", "memo": "=1+1"}})).await;
        let id = c["customer"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/customers/{id}");
        let r = fx.call("repa1", Method::PUT, &format!("{path}/collaborators"), Some(json!({"members": [{"userId": fx.user["repb1"], "canEdit": false}, {"userId": fx.user["mgrb"], "canEdit": true}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        for (to, reason) in [("repa2", "调整"), ("repa1", "调回")] {
            let r = fx.call("mgra", Method::POST, "/api/v1/customers/transfer", Some(json!({"customerIds": [id], "toUserId": fx.user[to], "reason": reason})), None).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
        let read = fx.call("repa1", Method::GET, &path, None, None).await;
        assert_eq!(read.status, StatusCode::OK);
        let v = read.body["customer"]["version"].as_i64();
        let written = fx.call("repa1", Method::PUT, &path, Some(json!({"name": "上海甲一机械有限公司", "levelCode": "A", "tags": ["重点", "华东", "老客户"], "customFields": {"budget": 900000}})), v).await;
        assert_eq!(written.status, StatusCode::OK, "{:?}", written.body);
        let page = fx.call("repa1", Method::GET, &path, None, None).await.body;
        assert_eq!(page, written.body, "the one-statement read is the page the write returned");
        let mut tags: Vec<String> = serde_json::from_value(page["customer"]["tags"].clone()).unwrap();
        tags.sort();
        assert_eq!(tags, ["华东", "老客户", "重点"]);
        assert_eq!(page["contacts"].as_array().unwrap().len(), 2);
        assert_eq!(page["contacts"][0]["name"], "张一", "the primary contact first");
        assert_eq!(page["collaborators"].as_array().unwrap().len(), 2);
        assert_eq!(page["history"].as_array().unwrap().len(), 3, "created, transferred away and back: {:?}", page["history"]);
        assert_eq!(page["customer"]["customFields"], json!({"scale": "large", "budget": 900000.0, "lines": ["pump", "valve"], "since": "2021-03-01", "memo": "=1+1"}));

        // Every reader gets the same record; only what they may do differs.
        let rights = |p: &Value| (p["canEdit"].as_bool().unwrap(), p["canTransfer"].as_bool().unwrap(), p["canManage"].as_bool().unwrap());
        for (who, want) in [("repa1", (true, false, true)), ("mgra", (true, true, true)), ("director", (true, true, true)),
                            ("repb1", (false, false, false)), ("mgrb", (true, false, false))] {
            let r = fx.call(who, Method::GET, &path, None, None).await;
            assert_eq!(r.status, StatusCode::OK, "{who}");
            for part in ["customer", "contacts", "collaborators", "history"] {
                assert_eq!(r.body[part], page[part], "{who} reads the same {part}");
            }
            assert_eq!(rights(&r.body), want, "{who}'s rights");
        }
        for who in ["repa2", "repb2"] {
            if fx.user.contains_key(who) {
                assert_eq!(fx.call(who, Method::GET, &path, None, None).await.status, StatusCode::NOT_FOUND, "{who}");
            }
        }
    }
}
