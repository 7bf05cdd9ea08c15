//! Attachments (附件) through the real router on both databases: a photo taken with a
//! follow-up, downloads only within the data scope (and for collaborators), files that are not
//! what they claim refused without a trace, deletion, and a merge that keeps the files.

mod common;

use axum::http::{Method, StatusCode, header};
use common::Fx;
use serde_json::{Value, json};

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 2, 3,
];

async fn customer(fx: &Fx, who: &str, name: &str) -> String {
    let r = fx
        .call(
            who,
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "name": name })),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["customer"]["id"].as_str().unwrap().to_owned()
}

async fn upload(fx: &Fx, who: &str, cid: &str, name: &str, bytes: &[u8]) -> common::Resp {
    let q: String = url_escape(name);
    fx.upload(
        who,
        &format!("/api/v1/customers/{cid}/attachments?fileName={q}"),
        bytes.to_vec(),
    )
    .await
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn audit_rows(fx: &Fx) -> i64 {
    let mut tx = fx.app.db.begin_read().await.unwrap();
    let n = salesdesk_store::audit::count(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    n
}

/// Every file under the attachment folder (temporary ones included).
fn stored_files(fx: &Fx) -> usize {
    let root = fx.app.files.root();
    let Ok(dirs) = std::fs::read_dir(root) else {
        return 0;
    };
    dirs.flatten()
        .map(|d| std::fs::read_dir(d.path()).map(|f| f.count()).unwrap_or(0))
        .sum()
}

api_test! {
    async fn a_photo_goes_with_a_followup_and_only_those_who_see_the_customer_get_it(fx) {
        let cid = customer(&fx, "repa1", "上海附件测试机械有限公司").await;
        let r = upload(&fx, "repa1", &cid, "现场照片.jpg", JPEG).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["fileName"], "现场照片.jpg");
        assert_eq!(r.body["contentType"], "image/jpeg");
        assert_eq!(r.body["sizeBytes"], JPEG.len());
        assert!(r.body["followupId"].is_null());
        assert!(r.body.get("path").is_none() && r.body.get("sha256").is_none(), "no storage detail leaks");
        let photo = id(&r.body);

        let path = format!("/api/v1/customers/{cid}/followups");
        let r = fx.call("repa1", Method::POST, &path, Some(json!({"method": "visit", "content": "上门拜访，拍了现场照片", "attachmentIds": [photo]})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["attachments"][0]["id"], photo.as_str());
        let followup = id(&r.body);
        let list = fx.call("repa1", Method::GET, &path, None, None).await;
        assert_eq!(list.body["items"][0]["attachments"][0]["followupId"], followup.as_str());

        // A file goes with one follow-up only, and only its uploader's.
        let before = fx.call("repa1", Method::GET, &path, None, None).await.body["total"].clone();
        let r = fx.call("repa1", Method::POST, &path, Some(json!({"method": "phone", "content": "再次联系", "attachmentIds": [photo]})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["fields"]["attachmentIds"]["code"], "attachment.not_found");
        assert_eq!(fx.call("repa1", Method::GET, &path, None, None).await.body["total"], before, "the refused follow-up was not saved");
        let mine = customer(&fx, "repa2", "上海附件测试另一家有限公司").await;
        let r = fx.call("repa2", Method::POST, &format!("/api/v1/customers/{mine}/followups"), Some(json!({"method": "phone", "content": "借用别人的照片", "attachmentIds": [photo]})), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Downloads: the owner and their manager; a picture is shown, privately, sandboxed.
        let file = format!("/api/v1/attachments/{photo}");
        for who in ["repa1", "mgra", "admin"] {
            let (status, h, bytes) = fx.download(who, &file).await;
            assert_eq!(status, StatusCode::OK, "{who}");
            assert_eq!(bytes, JPEG);
            assert_eq!(h[header::CONTENT_TYPE], "image/jpeg");
            assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
            assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
        }
        // Others learn nothing, not even that it exists.
        for (who, status) in [("repa2", StatusCode::NOT_FOUND), ("repb1", StatusCode::NOT_FOUND), ("mgrb", StatusCode::NOT_FOUND), ("anonymous", StatusCode::UNAUTHORIZED)] {
            assert_eq!(fx.download(who, &file).await.0, status, "{who}");
            let r = fx.call(who, Method::GET, &format!("/api/v1/customers/{cid}/attachments"), None, None).await;
            assert_eq!(r.status, status, "{who}");
        }
        let r = fx.call("repa1", Method::GET, &format!("/api/v1/attachments/{}", uuid::Uuid::now_v7()), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // A read-only collaborator downloads but does not attach.
        let r = fx.call("repa1", Method::PUT, &format!("/api/v1/customers/{cid}/collaborators"), Some(json!({"members": [{"userId": fx.user["repb1"], "canEdit": false}]})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(fx.download("repb1", &file).await.0, StatusCode::OK);
        assert_eq!(upload(&fx, "repb1", &cid, "b.jpg", JPEG).await.status, StatusCode::FORBIDDEN);

        // Documents are saved, never shown: a PDF keeps its type, with the name in UTF-8.
        let r = upload(&fx, "repa1", &cid, "报价单 v2.pdf", b"%PDF-1.7\n%%EOF").await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let (status, h, _) = fx.download("repa1", &format!("/api/v1/attachments/{}", id(&r.body))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95%20v2.pdf"), "{disposition}");
        let all = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{cid}/attachments"), None, None).await;
        assert_eq!(all.body.as_array().unwrap().len(), 2);
        assert_eq!(all.body[0]["fileName"], "报价单 v2.pdf", "newest first");
        assert_eq!(stored_files(&fx), 2);
    }

    async fn files_that_are_not_what_they_claim_are_refused_and_change_nothing(fx) {
        let cid = customer(&fx, "repa1", "北京附件校验科技有限公司").await;
        let audit = audit_rows(&fx).await;
        for (name, bytes, field, code) in [
            ("photo.jpg", b"<html><script>alert(1)</script></html>".as_slice(), "file", "attachment.content_mismatch"),
            ("invoice.pdf", JPEG, "file", "attachment.content_mismatch"),
            ("page.html", b"<html></html>".as_slice(), "file", "attachment.type_not_allowed"),
            ("logo.svg", b"<svg onload=alert(1)>".as_slice(), "file", "attachment.type_not_allowed"),
            ("setup.exe", b"MZ\x90\0".as_slice(), "file", "attachment.type_not_allowed"),
            ("empty.png", b"".as_slice(), "file", "attachment.empty"),
            ("../", JPEG, "fileName", "required"),
        ] {
            let r = upload(&fx, "repa1", &cid, name, bytes).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {:?}", r.body);
            assert_eq!(r.body["fields"][field]["code"], code, "{name}: {:?}", r.body);
        }
        // Larger than 20 MiB: refused by its declared length before it is read.
        let big = vec![0xFFu8; 20 * 1024 * 1024 + 1];
        let r = upload(&fx, "repa1", &cid, "big.jpg", &big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // Exactly 20 MiB is fine.
        let mut max = vec![0u8; 20 * 1024 * 1024];
        max[..JPEG.len()].copy_from_slice(JPEG);
        let r = upload(&fx, "repa1", &cid, "max.jpg", &max).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(audit_rows(&fx).await, audit + 1, "only the accepted upload is audited");
        let all = fx.call("repa1", Method::GET, &format!("/api/v1/customers/{cid}/attachments"), None, None).await;
        assert_eq!(all.body.as_array().unwrap().len(), 1);
        assert_eq!(stored_files(&fx), 1, "a refused file leaves nothing on disk");
        // Someone who may not change the customer writes nothing to disk either.
        assert_eq!(upload(&fx, "repb1", &cid, "x.jpg", JPEG).await.status, StatusCode::NOT_FOUND);
        let r = upload(&fx, "finance", &cid, "x.jpg", JPEG).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{:?}", r.status);
        assert_eq!(stored_files(&fx), 1);
    }

    async fn files_are_deleted_by_their_uploader_or_whoever_is_in_charge_and_survive_a_merge(fx) {
        let cid = customer(&fx, "repa1", "杭州附件删除测试有限公司").await;
        let a = id(&upload(&fx, "repa1", &cid, "a.png", b"\x89PNG\r\n\x1a\n....").await.body);
        let b = id(&upload(&fx, "repa1", &cid, "b.txt", "拜访纪要".as_bytes()).await.body);
        assert_eq!(stored_files(&fx), 2);
        assert_eq!(fx.call("repa2", Method::DELETE, &format!("/api/v1/attachments/{a}"), None, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(fx.call("repa1", Method::DELETE, &format!("/api/v1/attachments/{a}"), None, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.call("mgra", Method::DELETE, &format!("/api/v1/attachments/{b}"), None, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fx.download("repa1", &format!("/api/v1/attachments/{a}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(stored_files(&fx), 0, "the bytes go with the record");
        let audit = fx.call("admin", Method::GET, "/api/v1/audit?action=attachment.deleted", None, None).await;
        assert_eq!(audit.body["total"], 2);

        // A merge moves the duplicate's files to the record kept.
        let keep = customer(&fx, "admin", "苏州附件合并甲有限公司").await;
        let dup = customer(&fx, "admin", "苏州附件合并甲精密制造有限公司").await;
        let f = id(&upload(&fx, "admin", &dup, "名片.jpg", JPEG).await.body);
        let r = fx.call("admin", Method::POST, &format!("/api/v1/customers/{keep}/merge"), Some(json!({"duplicateId": dup})), None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let all = fx.call("admin", Method::GET, &format!("/api/v1/customers/{keep}/attachments"), None, None).await;
        assert_eq!(all.body[0]["id"], f.as_str());
        assert_eq!(fx.download("admin", &format!("/api/v1/attachments/{f}")).await.0, StatusCode::OK);
        assert!(salesdesk_app::attachments::integrity_problems(&fx.app).await.unwrap().is_empty());

        // `salesdesk check` names a record whose file is gone and a file no record names.
        let path = |id: &str| fx.app.files.path(id.parse().unwrap());
        std::fs::remove_file(path(&f)).unwrap();
        let orphan = uuid::Uuid::now_v7().to_string();
        std::fs::create_dir_all(path(&orphan).parent().unwrap()).unwrap();
        std::fs::write(path(&orphan), b"left by a crash").unwrap();
        let problems = salesdesk_app::attachments::integrity_problems(&fx.app).await.unwrap();
        assert_eq!(problems, [
            format!("attachment {f} has no file"),
            format!("attachment file {orphan} has no record"),
        ]);
    }
}
