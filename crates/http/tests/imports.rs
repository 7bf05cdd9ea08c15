//! Customer imports through the real router on both databases (T9): a file lands whole and
//! exactly once, a second import of it changes nothing; a file with bad rows (first, middle,
//! last) changes nothing and reports every bad row and column at once, also as an error
//! workbook; hostile files (zip bombs, DOCTYPE entities, truncated archives, unknown
//! encodings, oversized bodies) are refused before parsing; rows outside the importer's scope
//! are refused; update by external id changes only the cells given.

mod common;

use std::io::{Cursor, Read, Write};

use axum::http::{Method, StatusCode};
use common::Fx;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use serde_json::{Value, json};

fn credit(n: u32) -> String {
    let first = format!("91310000{n:09}");
    let check = salesdesk_domain::credit_code::check_character(first.as_bytes()).unwrap();
    format!("{first}{check}")
}

fn xlsx(build: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    build(wb.add_worksheet());
    wb.save_to_buffer().unwrap()
}

fn gbk(text: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    b.into_owned()
}

fn bom(text: &str) -> Vec<u8> {
    let mut v = vec![0xEF, 0xBB, 0xBF];
    v.extend_from_slice(text.as_bytes());
    v
}

async fn customers(fx: &Fx, who: &str, query: &str) -> Value {
    let r = fx
        .call(
            who,
            Method::GET,
            &format!("/api/v1/customers?pageSize=200&{query}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.body
}

async fn count(fx: &Fx) -> i64 {
    customers(fx, "admin", "").await["total"].as_i64().unwrap()
}

async fn detail_by_name(fx: &Fx, who: &str, name: &str) -> Value {
    let page = customers(fx, who, "").await;
    let id = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed for {who}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    fx.call(
        who,
        Method::GET,
        &format!("/api/v1/customers/{id}"),
        None,
        None,
    )
    .await
    .body
}

/// A sheet as people make them: a merged title row, a two-level header (联系人 over 姓名 |
/// 手机 | 生日 | 职务, the other headers merged down), a mobile typed as a number and one in
/// full-width digits, a birthday as a date cell and one as a bare serial number, a customer
/// name merged down over two contact rows.
fn people_sheet() -> Vec<u8> {
    xlsx(|ws| {
        let f = Format::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        ws.merge_range(0, 0, 0, 7, "华远客户导入 2026", &f).unwrap();
        for (c, h) in [
            (0, "客户名称*"),
            (1, "统一社会信用代码"),
            (2, "客户级别"),
            (7, "标签"),
        ] {
            ws.merge_range(1, c, 2, c, h, &f).unwrap();
        }
        ws.merge_range(1, 3, 1, 6, "联系人", &f).unwrap();
        for (c, h) in [(3, "姓名"), (4, "手机"), (5, "生日"), (6, "职务")] {
            ws.write_string(2, c, h).unwrap();
        }
        // Row 4
        ws.write_string(3, 0, "上海华远精密机械有限公司").unwrap();
        ws.write_string(3, 1, credit(1)).unwrap();
        ws.write_string(3, 2, "A 级").unwrap();
        ws.write_string(3, 3, "王磊").unwrap();
        ws.write_number(3, 4, 13800138000.0).unwrap();
        ws.write_datetime_with_format(3, 5, ExcelDateTime::from_ymd(1985, 6, 18).unwrap(), &date)
            .unwrap();
        ws.write_string(3, 6, "采购经理").unwrap();
        ws.write_string(3, 7, "重点, 华东").unwrap();
        // Rows 5-6: one customer, two contacts; the name merged down.
        ws.merge_range(4, 0, 5, 0, "北京新元科技有限公司", &f)
            .unwrap();
        ws.write_string(4, 2, "B").unwrap();
        ws.write_string(4, 3, "李娜").unwrap();
        ws.write_string(4, 4, "１３９００１３９０００").unwrap();
        ws.write_number(4, 5, 31216.0).unwrap();
        ws.write_string(5, 3, "赵强").unwrap();
        ws.write_string(5, 4, "13700137000").unwrap();
        // Row 7: no contact.
        ws.write_string(6, 0, "广州南方物流有限公司").unwrap();
        ws.write_string(6, 1, credit(2)).unwrap();
        ws.write_string(6, 2, "Level C").unwrap();
    })
}

api_test! {
    async fn a_clean_file_lands_once_and_a_second_import_changes_nothing(fx) {
        let before = count(&fx).await;
        // The same bytes each time (a workbook records when it was written).
        let file = people_sheet();
        let job = fx.upload_import("mgra", "客户.xlsx", file.clone()).await;
        assert_eq!(job["status"], "uploaded");
        assert_eq!(job["headerRow"], 3, "the header under the merged title and group row");
        assert_eq!(job["totalRows"], 4);
        let fields: Vec<Value> = common::import_mapping(&job);
        assert_eq!(
            fields,
            vec![json!("name"), json!("creditCode"), json!("levelCode"), json!("contactName"),
                 json!("contactMobile"), json!("contactBirthday"), json!("contactTitle"), json!("tags")]
        );
        let v = fx.import("mgra", &job, "upsert", "creditCode", false).await;
        assert_eq!(v["status"], "validated", "{v:?}");
        assert_eq!(v["result"]["created"], 3);
        assert_eq!(v["result"]["contactsAdded"], 3);
        assert_eq!(v["result"]["errorRows"], 0);
        assert_eq!(count(&fx).await, before, "a validation changes nothing");

        let done = fx.import("mgra", &job, "upsert", "creditCode", true).await;
        assert_eq!(done["status"], "imported", "{done:?}");
        assert_eq!(count(&fx).await, before + 3);
        let hy = detail_by_name(&fx, "mgra", "上海华远精密机械有限公司").await;
        assert_eq!(hy["customer"]["levelCode"], "A");
        assert_eq!(hy["customer"]["creditCode"], credit(1));
        assert_eq!(hy["customer"]["ownerId"], fx.user["mgra"].to_string(), "the importer owns new customers");
        let mut tags: Vec<String> = serde_json::from_value(hy["customer"]["tags"].clone()).unwrap();
        tags.sort();
        assert_eq!(tags, ["华东", "重点"]);
        assert_eq!(hy["contacts"][0]["mobile"], "13800138000", "a mobile typed as a number");
        assert_eq!(hy["contacts"][0]["birthday"], "1985-06-18", "a date cell");
        assert_eq!(hy["contacts"][0]["isPrimary"], true);
        assert_eq!(hy["history"][0]["reason"], "import");
        let xy = detail_by_name(&fx, "mgra", "北京新元科技有限公司").await;
        let contacts = xy["contacts"].as_array().unwrap();
        assert_eq!(contacts.len(), 2, "the merged-down row adds a second contact");
        let li = contacts.iter().find(|k| k["name"] == "李娜").unwrap();
        assert_eq!(li["mobile"], "13900139000", "full-width digits");
        assert_eq!(li["birthday"], "1985-06-18", "a serial number");
        assert_eq!(contacts.iter().filter(|k| k["isPrimary"] == true).count(), 1);
        assert_eq!(detail_by_name(&fx, "mgra", "广州南方物流有限公司").await["customer"]["levelCode"], "C");
        // One audit row for the import.
        let audit = fx.call("admin", Method::GET, "/api/v1/audit?action=customers.imported", None, None).await;
        assert_eq!(audit.body["total"], 1, "{:?}", audit.body);
        // The file cannot be imported twice as the same upload.
        let id = job["id"].as_str().unwrap();
        let r = fx.call("mgra", Method::POST, &format!("/api/v1/customer-imports/{id}/run"),
            Some(json!({"mapping": common::import_mapping(&job), "mode": "upsert", "matchBy": "creditCode"})), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // The same file uploaded again: recognised, and an upsert changes nothing.
        let again = fx.upload_import("mgra", "客户(1).xlsx", file.clone()).await;
        assert_eq!(again["earlierImport"]["id"], job["id"]);
        let hy_version = hy["customer"]["version"].clone();
        let second = fx.import("mgra", &again, "upsert", "creditCode", true).await;
        assert_eq!(second["status"], "imported", "{second:?}");
        assert_eq!(second["result"]["unchanged"], 3, "{:?}", second["result"]);
        assert_eq!(second["result"]["created"], 0);
        assert_eq!(second["result"]["updated"], 0);
        assert_eq!(second["result"]["contactsAdded"], 0);
        assert_eq!(second["result"]["contactsUpdated"], 0);
        assert_eq!(count(&fx).await, before + 3);
        assert_eq!(detail_by_name(&fx, "mgra", "上海华远精密机械有限公司").await["customer"]["version"], hy_version);
        assert_eq!(detail_by_name(&fx, "mgra", "北京新元科技有限公司").await["contacts"].as_array().unwrap().len(), 2);
        // Insert-only: every row already exists, so the file is refused whole.
        let third = fx.upload_import("mgra", "客户(2).xlsx", file).await;
        let refused = fx.import("mgra", &third, "insert", "creditCode", true).await;
        assert_eq!(refused["status"], "invalid");
        assert_eq!(refused["result"]["errorRows"], 3, "{:?}", refused["result"]);
        assert_eq!(count(&fx).await, before + 3);
        // The mapping was remembered for this user's next file.
        assert_eq!(common::import_mapping(&third), common::import_mapping(&job));
    }

    async fn a_file_with_bad_rows_changes_nothing_and_reports_every_one(fx) {
        let before = count(&fx).await;
        let text = "客户名称,统一社会信用代码,客户级别,联系人,手机,备注\r\n\
            上海坏码贸易有限公司,91310000ABC,B,甲,,\r\n\
            上海甲乙贸易有限公司,,B,乙,13811112222,\r\n\
            上海丙丁贸易有限公司,,Z级,丙,12345,\r\n\
            上海戊己贸易有限公司,,C,丁,13811113333,\r\n\
            上海庚辛贸易有限公司,,C,戊,,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n\
            上海市甲乙贸易有限责任公司,,C,己,13811114444,\r\n\
            ,,A,庚,13811115555,\r\n";
        let job = fx.upload_import("mgra", "gbk.csv", gbk(text)).await;
        assert_eq!(job["headers"][0]["text"], "客户名称", "GBK decoded");
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "invalid", "{v:?}");
        assert_eq!(v["result"]["errorRows"], 4, "{:?}", common::import_errors(&v));
        assert_eq!(
            common::import_errors(&v),
            vec![
                (2, "creditCode".into(), "credit_code.length".into()),
                (4, "contactMobile".into(), "mobile.invalid".into()),
                (4, "levelCode".into(), "option.unknown".into()),
                (7, "name".into(), "import.duplicate_in_file".into()),
                (8, "name".into(), "required".into()),
            ]
        );
        let dup = v["result"]["errors"].as_array().unwrap().iter().find(|e| e["row"] == 7).unwrap().clone();
        assert_eq!(dup["otherRow"], 3);
        assert!(dup["message"].as_str().unwrap().contains("重复"));
        assert_eq!(count(&fx).await, before, "nothing of the file landed");

        // The error workbook: every row, the problems in a last column.
        let id = job["id"].as_str().unwrap();
        let (status, headers, bytes) = fx.download("mgra", &format!("/api/v1/customer-imports/{id}/errors")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows[0].last().unwrap(), "错误");
        assert_eq!(rows.len(), 8);
        assert!(rows[1][6].contains("统一社会信用代码"), "{:?}", rows[1]);
        assert!(rows[2].get(6).is_none_or(|c| c.is_empty()), "a good row has no error");
        assert!(rows[3][6].contains("客户级别") && rows[3][6].contains("手机"), "{:?}", rows[3]);
        // Someone else cannot read it.
        let (status, _, _) = fx.download("director", &format!("/api/v1/customer-imports/{id}/errors")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Fixed (now UTF-8 with BOM, as Excel writes "CSV UTF-8"), it lands.
        let fixed = "客户名称,统一社会信用代码,客户级别,联系人,手机,备注\r\n\
            上海坏码贸易有限公司,,B,甲,,\r\n\
            上海甲乙贸易有限公司,,B,乙,13811112222,\r\n\
            上海丙丁贸易有限公司,,C,丙,13811116666,\r\n\
            上海戊己贸易有限公司,,C,丁,13811113333,\r\n\
            上海庚辛贸易有限公司,,C,戊,,HYPERLINK\r\n\
            北京丙乙商贸有限公司,,C,己,13811114444,\r\n\
            上海壬癸贸易有限公司,,A,庚,13811115555,\r\n";
        let job = fx.upload_import("mgra", "fixed.csv", bom(fixed)).await;
        assert_eq!(job["headers"][0]["field"], "name", "the BOM is not part of the first header");
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        assert_eq!(v["result"]["created"], 7);
        assert_eq!(count(&fx).await, before + 7);
    }

    async fn hostile_files_are_refused_before_anything_is_read(fx) {
        let ok = people_sheet();
        let refuse = |bytes: Vec<u8>, code: &'static str| {
            let fx = &fx;
            async move {
                let r = fx.upload("mgra", "/api/v1/customer-imports?fileName=x.xlsx", bytes).await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {:?}", r.body);
                assert_eq!(r.body["fields"]["file"]["code"], code, "{:?}", r.body);
            }
        };
        // Truncated in the middle.
        refuse(ok[..ok.len() / 2].to_vec(), "import.file_unreadable").await;
        // An old .xls or an encrypted workbook (OLE2).
        refuse([vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], vec![0; 512]].concat(), "import.file_xls_or_protected").await;
        // A zip bomb: a part that unpacks a thousand times larger than it is stored.
        refuse(repack(&ok, |name, data| {
            if name == "xl/worksheets/sheet1.xml" {
                let mut big = data.to_vec();
                big.extend(std::iter::repeat_n(b' ', 50 << 20));
                Some(big)
            } else {
                None
            }
        }), "import.file_unsafe").await;
        // XML entities (billion laughs) are never expanded: a DOCTYPE is refused.
        refuse(repack(&ok, |name, data| {
            (name == "xl/sharedStrings.xml").then(|| {
                let s = String::from_utf8_lossy(data).replacen(
                    "?>",
                    "?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>",
                    1,
                );
                s.into_bytes()
            })
        }), "import.file_unsafe").await;
        // Bytes that are neither UTF-8 nor GB18030.
        refuse(b"\xff\xff\xff\xfe\x00\x81\x30".to_vec(), "import.file_encoding").await;
        refuse(Vec::new(), "import.file_empty").await;
        // Over 100 columns.
        let wide: String = (0..120).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        refuse(format!("{wide}\r\n").into_bytes(), "import.too_many_columns").await;
        // Uploads may be far larger than JSON bodies: 3 MB of rows is read.
        let mut big = String::from("客户名称,备注\r\n");
        for i in 0..40_000 {
            big.push_str(&format!("大文件测试{i}号贸易有限公司,{}\r\n", "备".repeat(20)));
        }
        assert!(big.len() > 3 << 20);
        let r = fx.upload("mgra", "/api/v1/customer-imports?fileName=big.csv", big.into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["totalRows"], 40_000);
        // A body above 30 MiB never reaches the parser.
        let r = fx.upload("mgra", "/api/v1/customer-imports?fileName=big.csv", vec![b'a'; 31 << 20]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // Other routes keep the 1 MiB cap.
        let r = fx.upload("mgra", "/api/v1/customers/duplicate-check", vec![b' '; 2 << 20]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(count(&fx).await, 0);
    }

    async fn rows_outside_the_importers_scope_are_refused(fx) {
        let r = fx.call("repb1", Method::POST, "/api/v1/customers", Some(json!({"name": "北京乙一能源有限公司"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let text = "客户名称,客户级别,负责人\r\n北京乙一能源有限公司,A,\r\n上海新客一号有限公司,B,repb1\r\n上海新客二号有限公司,B,repa1\r\n上海新客三号有限公司,B,无此人\r\n";
        let job = fx.upload_import("mgra", "scope.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("mgra", &job, "upsert", "name", true).await;
        assert_eq!(v["status"], "invalid");
        assert_eq!(
            common::import_errors(&v),
            vec![
                (2, "name".into(), "import.customer_outside_scope".into()),
                (3, "owner".into(), "customer.recipient_outside_scope".into()),
                (5, "owner".into(), "user.not_found".into()),
            ]
        );
        let r = fx.call("repb1", Method::GET, "/api/v1/customers?pageSize=5", None, None).await;
        assert_eq!(r.body["items"][0]["levelCode"], Value::Null, "not changed");
        // Insert-only: the existing name is a duplicate (its owner and details stay hidden).
        let v = fx.import("mgra", &job, "insert", "name", false).await;
        assert!(common::import_errors(&v).contains(&(2, "name".into(), "customer.duplicate_name".into())));
        // A rep may not import; nobody reads another's upload.
        let r = fx.upload("repa1", "/api/v1/customer-imports?fileName=a.csv", text.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let id = job["id"].as_str().unwrap();
        let r = fx.call("director", Method::GET, &format!("/api/v1/customer-imports/{id}"), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = fx.call("mgrb", Method::POST, &format!("/api/v1/customer-imports/{id}/validate"),
            Some(json!({"mapping": common::import_mapping(&job), "mode": "insert", "matchBy": "name"})), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Without the bad rows it lands, the named owner owning theirs.
        let text = "客户名称,客户级别,负责人\r\n上海新客二号有限公司,B,repa1\r\n上海新客四号有限公司,B,\r\n";
        let job = fx.upload_import("mgra", "scope2.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        let mine = customers(&fx, "repa1", "").await;
        assert_eq!(mine["items"][0]["name"], "上海新客二号有限公司");
        assert_eq!(customers(&fx, "mgra", "").await["total"], 2);
        // Ownership limits hold for imports too.
        let r = fx.call("admin", Method::PUT, "/api/v1/customer-settings/limits",
            Some(json!({"limits": [{"levelCode": "*", "maxOwned": 2}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let text = "客户名称,负责人\r\n上海限额一号有限公司,repa1\r\n上海限额二号有限公司,repa1\r\n";
        let job = fx.upload_import("mgra", "limit.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(common::import_errors(&v), vec![(3, "owner".into(), "customer.owner_limit_reached".into())]);
    }

    async fn two_runs_of_one_upload_at_once_import_it_once(fx) {
        let text = "客户名称\r\n并发一号有限公司\r\n并发二号有限公司\r\n";
        let job = fx.upload_import("mgra", "race.csv", text.as_bytes().to_vec()).await;
        let id = job["id"].as_str().unwrap().to_owned();
        let body = json!({"mapping": common::import_mapping(&job), "mode": "insert", "matchBy": "name"});
        let path = format!("/api/v1/customer-imports/{id}/run");
        let (a, b) = tokio::join!(
            common::send(fx.router.clone(), fx.request("mgra", Method::POST, &path, Some(body.clone()), None)),
            common::send(fx.router.clone(), fx.request("mgra", Method::POST, &path, Some(body.clone()), None)),
        );
        let mut got = [a.as_u16(), b.as_u16()];
        got.sort();
        assert_eq!(got, [202, 409], "one starts, the other is told it is busy");
        let done = fx.finished_import("mgra", &id).await;
        assert_eq!(done["status"], "imported");
        assert_eq!(count(&fx).await, 2);
    }

    async fn text_that_looks_like_a_formula_is_text_and_xlsx_formulas_read_their_value(fx) {
        // CSV: = + - @ at the start of a cell are what the person typed.
        let text = "客户名称,备注,详细地址\r\n\
            公式甲有限公司,=1+1,@总部\r\n\
            公式乙有限公司,+86 138 0013 8000,-3号楼\r\n\
            公式丙有限公司,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\r\n";
        let job = fx.upload_import("mgra", "formulas.csv", bom(text)).await;
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        let jia = detail_by_name(&fx, "mgra", "公式甲有限公司").await;
        assert_eq!(jia["customer"]["notes"], "=1+1");
        assert_eq!(jia["customer"]["address"], "@总部");
        let yi = detail_by_name(&fx, "mgra", "公式乙有限公司").await;
        assert_eq!(yi["customer"]["notes"], "+86 138 0013 8000");
        assert_eq!(yi["customer"]["address"], "-3号楼");
        assert_eq!(detail_by_name(&fx, "mgra", "公式丙有限公司").await["customer"]["notes"], "=HYPERLINK(\"http://x\",\"y\")");
        // The export still neutralises them.
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/export", Some(json!({"format": "csv"})), None).await;
        assert_eq!(r.status, StatusCode::OK);
        let csv = r.body.as_str().unwrap();
        assert!(csv.contains(",'@总部,") && csv.contains(",'-3号楼,"), "{csv}");
        // XLSX: a formula cell is its cached value, or its formula when it was saved without one.
        let file = xlsx(|ws| {
            ws.write(0, 0, "客户名称").unwrap();
            ws.write(0, 1, "备注").unwrap();
            ws.write(0, 2, "详细地址").unwrap();
            ws.write(1, 0, "公式丁有限公司").unwrap();
            ws.write_formula(1, 1, rust_xlsxwriter::Formula::new("=1+1").set_result("2")).unwrap();
            ws.set_formula_result_default("");
            ws.write_formula(1, 2, "=CONCAT(\"A\",\"B\")").unwrap();
        });
        let job = fx.upload_import("mgra", "formulas.xlsx", file).await;
        let v = fx.import("mgra", &job, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        let ding = detail_by_name(&fx, "mgra", "公式丁有限公司").await;
        assert_eq!(ding["customer"]["notes"], "2", "the cached value");
        assert_eq!(ding["customer"]["address"], "=CONCAT(\"A\",\"B\")", "no value: the formula as text, never nothing");
    }

    async fn option_values_of_another_system_are_mapped_once_and_remembered(fx) {
        let r = fx.call("admin", Method::POST, "/api/v1/custom-fields", Some(json!({"code": "scale", "label": "规模", "kind": "multi_select",
            "options": [{"code": "small", "label": "小型"}, {"code": "large", "label": "大型"}]})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        // A spreadsheet written by someone else: its own words for type, industry and size.
        let text = "客户名称,客户类型,所属行业,客户级别,规模\r\n\
            值甲有限公司,政府机构,信息技术,A,小型企业\r\n\
            值乙有限公司,经销商,零售,B,大型\r\n\
            值丙有限公司,重点客户,制造业,C,\"大型, 集团\"\r\n\
            值丁有限公司,经销商,零售,C,\r\n";
        let job = fx.upload_import("mgra", "others.csv", bom(text)).await;
        let jid = job["id"].as_str().unwrap().to_owned();
        let v = fx.import("mgra", &job, "insert", "name", false).await;
        assert_eq!(v["status"], "invalid", "without a value mapping the values are unknown");
        let mapping = common::import_mapping(&job);
        let values = |jid: String, mapping: Vec<Value>| {
            let fx = &fx;
            let path = format!("/api/v1/customer-imports/{jid}/values");
            async move {
                let r = fx.call("mgra", Method::POST, &path, Some(json!({"mapping": mapping})), None).await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
                r.body
            }
        };
        let cols = values(jid.clone(), mapping.clone()).await;
        let col = |field: &str| cols.as_array().unwrap().iter().find(|c| c["field"] == field).unwrap().clone();
        let listed = |c: &Value| -> Vec<(String, u64, Value)> {
            c["values"].as_array().unwrap().iter().map(|v| (v["value"].as_str().unwrap().to_owned(), v["rows"].as_u64().unwrap(), v["suggested"].clone())).collect()
        };
        assert_eq!(listed(&col("typeCode")), vec![
            ("政府机构".to_owned(), 1, json!("government")),
            ("经销商".to_owned(), 2, json!("dealer")),
            ("重点客户".to_owned(), 1, json!("key_account")),
        ]);
        assert_eq!(listed(&col("industryCode")), vec![("信息技术".to_owned(), 1, Value::Null), ("零售".to_owned(), 2, Value::Null)], "制造业 is an option");
        assert_eq!(listed(&col("cf.scale")), vec![("小型企业".to_owned(), 1, json!("small")), ("集团".to_owned(), 1, Value::Null)]);
        assert!(cols.as_array().unwrap().iter().all(|c| c["field"] != "levelCode"), "A, B, C are all options");
        // Adding an option takes the settings right; the new industries get codes of their own.
        let add = |who: &'static str, name: &'static str| {
            let fx = &fx;
            async move { fx.call(who, Method::POST, "/api/v1/customer-settings/options", Some(json!({"kind": "industry", "name": name})), None).await }
        };
        assert_eq!(add("mgra", "信息技术").await.status, StatusCode::FORBIDDEN);
        let it = add("admin", "信息技术").await;
        assert_eq!(it.status, StatusCode::CREATED, "{:?}", it.body);
        let retail = add("admin", "零售").await;
        let again = add("admin", " 零 售 ").await;
        assert_eq!((again.status, again.body["fields"]["name"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("option.duplicate")));
        let (it, retail) = (it.body["code"].clone(), retail.body["code"].clone());
        // A code that is not an option of the field is refused, named by the field.
        let start = |values: Value, run: bool| {
            let (fx, jid, mapping) = (&fx, jid.clone(), mapping.clone());
            async move {
                let body = json!({"mapping": mapping, "mode": "insert", "matchBy": "name", "values": values});
                let path = format!("/api/v1/customer-imports/{jid}/{}", if run { "run" } else { "validate" });
                fx.call("mgra", Method::POST, &path, Some(body), None).await
            }
        };
        let r = start(json!({"typeCode": {"经销商": "wholesale"}}), false).await;
        assert_eq!(r.body["fields"]["values.typeCode"]["code"], "option.unknown", "{:?}", r.body);
        let chosen = json!({
            "typeCode": {"政府机构": "government", "经销商": "dealer", "重点客户": "key_account"},
            "industryCode": {"信息技术": it, "零售": retail},
            "cf.scale": {"小型企业": "small", "集团": "large"},
        });
        let r = start(chosen.clone(), true).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        let done = fx.finished_import("mgra", &jid).await;
        assert_eq!(done["status"], "imported", "{:?}", done["result"]);
        let jia = detail_by_name(&fx, "mgra", "值甲有限公司").await;
        assert_eq!((jia["customer"]["typeCode"].clone(), jia["customer"]["industryCode"].clone()), (json!("government"), it.clone()));
        let bing = detail_by_name(&fx, "mgra", "值丙有限公司").await;
        assert_eq!(bing["customer"]["typeCode"], "key_account");
        assert_eq!(bing["customer"]["customFields"]["scale"], json!(["large"]), "{:?}", bing["customer"]["customFields"]);
        // The next file with these words: the choices are remembered.
        let next = fx.upload_import("mgra", "others-2.csv", bom("客户名称,客户类型,所属行业\r\n值戊有限公司,经销商,零售\r\n")).await;
        let cols = values(next["id"].as_str().unwrap().to_owned(), common::import_mapping(&next)).await;
        let remembered: Vec<(Value, Value)> = cols.as_array().unwrap().iter().flat_map(|c| c["values"].as_array().unwrap().iter().map(|v| (v["value"].clone(), v["remembered"].clone()))).collect();
        assert_eq!(remembered, vec![(json!("经销商"), json!("dealer"))], "零售 is an option now: nothing to map");
    }

    async fn row_numbers_are_the_spreadsheets_own_in_the_report_and_the_error_file(fx) {
        // A title row, a blank row, the header on row 3; the bad rows are 5 and 7.
        let text = "华东客户名单（2026）\r\n\r\n客户名称,客户级别\r\n行号甲有限公司,A\r\n行号乙有限公司,Z\r\n\r\n行号丙有限公司,Q\r\n";
        let job = fx.upload_import("mgra", "rows.csv", bom(text)).await;
        assert_eq!(job["headerRow"], 3);
        let v = fx.import("mgra", &job, "insert", "name", false).await;
        let bad: Vec<u64> = v["result"]["errors"].as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect();
        assert_eq!(bad, [5, 7]);
        let (status, _, bytes) = fx.download("mgra", &format!("/api/v1/customer-imports/{}/errors", job["id"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::OK);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let at = |row: u32, col: u32| sheet.get_value((row - 1, col)).map(|c| c.to_string()).unwrap_or_default();
        assert_eq!(at(1, 0), "华东客户名单（2026）", "the title row stays");
        assert_eq!(at(3, 0), "客户名称");
        assert_eq!(at(5, 0), "行号乙有限公司", "row 5 of the upload is row 5 of the error file");
        assert!(at(5, 2).contains("客户级别"), "{}", at(5, 2));
        assert_eq!(at(7, 0), "行号丙有限公司");
        assert!(at(4, 2).is_empty());
    }

    async fn an_import_whose_process_is_gone_is_interrupted_and_runs_again_at_once(fx) {
        use salesdesk_store::{imports, runners};
        let text = "客户名称,客户级别\r\n中断甲有限公司,B\r\n";
        let dead = fx.upload_import("mgra", "dead.csv", bom(text)).await;
        let live = fx.upload_import("mgra", "live.csv", bom(text)).await;
        let id = |j: &Value| j["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap();
        let now = salesdesk_app::now_ms();
        let (gone, elsewhere) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        {
            // A process of this host that is no longer running (no such pid), and a process on
            // another host that is alive (a fresh heartbeat); each was importing a file.
            let mut tx = fx.app.db.begin_write().await.unwrap();
            runners::register(&mut tx, gone, &fx.app.runner.host, 4_000_000_000, now).await.unwrap();
            runners::register(&mut tx, elsewhere, "another-host", 1, now).await.unwrap();
            for (job, runner) in [(&dead, gone), (&live, elsewhere)] {
                let row = imports::get_job(&mut tx, id(job)).await.unwrap().unwrap();
                assert!(imports::start_run(&mut tx, row.id, "importing", "{}", runner, row.updated_at, now + 1).await.unwrap());
            }
            tx.commit().await.unwrap();
        }
        let status = |j: &Value| {
            let fx = &fx;
            let path = format!("/api/v1/customer-imports/{}", j["id"].as_str().unwrap());
            async move { fx.call("mgra", Method::GET, &path, None, None).await.body["status"].clone() }
        };
        assert_eq!(status(&dead).await, "interrupted", "at once, not after a timeout");
        assert_eq!(status(&live).await, "importing");
        let body = json!({"mapping": common::import_mapping(&live), "mode": "insert", "matchBy": "name"});
        let r = fx.call("mgra", Method::POST, &format!("/api/v1/customer-imports/{}/run", live["id"].as_str().unwrap()), Some(body), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "import.busy"), "a live runner's import is left alone");
        // At start-up the interrupted one is marked so; the live one is not.
        assert_eq!(salesdesk_app::imports::recover_interrupted(&fx.app).await.unwrap(), 1);
        // The interrupted import runs again straight away, and lands once.
        let v = fx.import("mgra", &dead, "insert", "name", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        assert_eq!(customers(&fx, "mgra", "").await["total"], 1);
    }

    async fn new_names_like_existing_customers_are_warned_and_masked_outside_the_scope(fx) {
        for (who, name) in [("repb1", "北京华远精密仪器有限公司"), ("repa1", "上海星辰腾飞科技有限公司")] {
            let r = fx.call(who, Method::POST, "/api/v1/customers", Some(json!({"name": name})), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        let mine = customers(&fx, "repa1", "").await["items"][0]["id"].clone();
        // Row 2 is like repb1's customer (outside mgra's scope), row 3 like repa1's; 500 rows
        // later, row 504 is like row 2, which this import itself creates: not a warning, so
        // the validation and the import report the same.
        let mut text = String::from("客户名称\r\n华远精密仪器制造有限公司\r\n星辰腾飞科技发展有限公司\r\n");
        for i in 0..500 {
            text.push_str(&format!("填充第{i}号有限公司\r\n"));
        }
        text.push_str("精密仪器制造集成有限公司\r\n");
        let job = fx.upload_import("mgra", "similar.csv", text.into_bytes()).await;
        for run in [false, true] {
            let v = fx.import("mgra", &job, "insert", "name", run).await;
            assert_eq!(v["status"], if run { "imported" } else { "validated" }, "{:?}", v["result"]);
            let warnings = v["result"]["warnings"].as_array().unwrap();
            let similar: Vec<(u64, &Value)> = warnings
                .iter()
                .filter(|w| w["code"] == "import.similar_name")
                .map(|w| (w["row"].as_u64().unwrap(), &w["similar"]))
                .collect();
            assert_eq!(similar.len(), 2, "run {run}: {warnings:?}");
            assert_eq!(similar[0].0, 2);
            assert_eq!(similar[0].1["name"], "北京**精密仪器有限公司", "masked outside the scope");
            assert_eq!(similar[0].1["customerId"], Value::Null);
            assert!(similar[0].1["score"].as_f64().unwrap() >= 0.6);
            assert_eq!(similar[1].0, 3);
            assert_eq!(similar[1].1["name"], "上海星辰腾飞科技有限公司");
            assert_eq!(similar[1].1["customerId"], mine);
            assert_eq!(warnings[0]["field"], "name");
            assert!(warnings[0]["message"].as_str().unwrap().contains("相似"));
        }
        assert_eq!(customers(&fx, "mgra", "").await["total"], 504);
        // Once imported, the new names are found by the duplicate check like any other.
        let r = fx.call("mgra", Method::POST, "/api/v1/customers/duplicate-check",
            Some(json!({"name": "精密仪器制造集成科技有限公司"})), None).await;
        let names: Vec<&str> = r.body.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"精密仪器制造集成有限公司"), "{names:?}");
    }

    async fn update_by_external_id_changes_only_the_cells_given(fx) {
        let text = "外部编号,客户名称,客户级别,城市\r\nE-001,杭州甲公司,B,杭州\r\nE-002,杭州乙公司,C,杭州\r\n";
        let job = fx.upload_import("director", "a.csv", bom(text)).await;
        let v = fx.import("director", &job, "insert", "externalId", true).await;
        assert_eq!(v["status"], "imported", "{:?}", v["result"]);
        let jia = detail_by_name(&fx, "director", "杭州甲公司").await;
        assert_eq!(jia["customer"]["externalId"], "E-001");
        // Update mode: unknown ids are errors; empty cells keep what is there.
        let text = "外部编号,客户级别,城市\r\nE-001,A,\r\nE-404,A,\r\n";
        let job = fx.upload_import("director", "b.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("director", &job, "update", "externalId", true).await;
        assert_eq!(common::import_errors(&v), vec![(3, "externalId".into(), "import.customer_not_found".into())]);
        let text = "外部编号,客户级别,城市\r\nE-001,A,\r\n";
        let job = fx.upload_import("director", "c.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("director", &job, "update", "externalId", true).await;
        assert_eq!(v["status"], "imported");
        assert_eq!(v["result"]["updated"], 1);
        let after = detail_by_name(&fx, "director", "杭州甲公司").await;
        assert_eq!(after["customer"]["levelCode"], "A");
        assert_eq!(after["customer"]["city"], "杭州", "an empty cell keeps the value");
        assert_eq!(detail_by_name(&fx, "director", "杭州乙公司").await["customer"]["levelCode"], "C");
        let job = fx.upload_import("director", "c2.csv", text.as_bytes().to_vec()).await;
        let v = fx.import("director", &job, "update", "externalId", true).await;
        assert_eq!(v["result"]["unchanged"], 1);
        assert_eq!(v["result"]["updated"], 0);
        // The template downloads in both languages.
        let (status, h, bytes) = fx.download("director", "/api/v1/customer-imports/template").await;
        assert_eq!(status, StatusCode::OK);
        assert!(h["content-disposition"].to_str().unwrap().contains("attachment"));
        let job = fx.upload_import("director", "template.xlsx", bytes).await;
        assert_eq!(job["totalRows"], 1, "the example row");
        assert!(common::import_mapping(&job).iter().all(|f| !f.is_null()), "the template's headers all map: {:?}", job["headers"]);
        let v = fx.import("director", &job, "insert", "creditCode", false).await;
        assert_eq!(v["result"]["errorRows"], 0, "the example row is valid: {:?}", v["result"]);
    }
}

/// The archive with some parts replaced (`change` returns the new content).
fn repack(xlsx: &[u8], change: impl Fn(&str, &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let data = change(&name, &data).unwrap_or(data);
        let opts: zip::write::SimpleFileOptions = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}
