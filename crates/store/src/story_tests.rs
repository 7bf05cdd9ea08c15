//! Story tests: the storage API walked end to end, each on SQLite and on PostgreSQL.

use salesdesk_domain::access::RecordScope;
use salesdesk_domain::org::OrgPath;
use uuid::Uuid;

use crate::users::{NewUser, UserFilter, UserSort};
use crate::{Db, Error, Page, audit, both_dbs, on_tx, org, roles, sessions, throttle, users};

const NOW: i64 = 1_800_000_000_000;

struct Tree {
    root: org::OrgUnitRow,
    east: org::OrgUnitRow,
    shanghai: org::OrgUnitRow,
    north: org::OrgUnitRow,
}

async fn unit(
    db: &Db,
    parent: Option<&org::OrgUnitRow>,
    name: &str,
    kind: &str,
) -> org::OrgUnitRow {
    let mut tx = db.begin_write().await.unwrap();
    let seq = tx.next_seq("org_unit").await.unwrap();
    let path = match parent {
        Some(p) => OrgPath::parse(&p.path).unwrap().child(seq),
        None => OrgPath::root(seq),
    };
    let id = Uuid::now_v7();
    org::insert(
        &mut tx,
        &org::NewUnit {
            id,
            seq,
            parent_id: parent.map(|p| p.id),
            name,
            kind,
            basis: "territory",
            path: &path,
            sort_order: 0,
            now: NOW,
        },
    )
    .await
    .unwrap();
    let row = org::get(&mut tx, id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    row
}

async fn tree(db: &Db) -> Tree {
    let root = unit(db, None, "华远", "company").await;
    let east = unit(db, Some(&root), "华东大区", "region").await;
    let shanghai = unit(db, Some(&east), "上海分公司", "branch").await;
    let north = unit(db, Some(&root), "华北大区", "region").await;
    Tree {
        root,
        east,
        shanghai,
        north,
    }
}

async fn person(
    db: &Db,
    username: &str,
    unit: &org::OrgUnitRow,
    manager: Option<&users::UserRow>,
) -> users::UserRow {
    let mut tx = db.begin_write().await.unwrap();
    let seq = tx.next_seq("user").await.unwrap();
    let report_path = match manager {
        Some(m) => OrgPath::parse(&m.report_path).unwrap().child(seq),
        None => OrgPath::root(seq),
    };
    let id = Uuid::now_v7();
    users::insert(
        &mut tx,
        &NewUser {
            id,
            seq,
            username,
            mobile: None,
            email: None,
            display_name: username,
            unit_id: unit.id,
            position_id: None,
            manager_id: manager.map(|m| m.id),
            report_path: &report_path,
            password_hash: Some("x"),
            must_change_password: false,
            locale: "zh-CN",
            now: NOW,
        },
    )
    .await
    .unwrap();
    let u = users::get(&mut tx, &RecordScope::All, id)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    u
}

async fn visible(db: &Db, scope: &RecordScope) -> Vec<String> {
    let mut tx = db.begin_read().await.unwrap();
    let (rows, total) = users::list(
        &mut tx,
        scope,
        &UserFilter::default(),
        UserSort::Username,
        false,
        Page {
            limit: 100,
            offset: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, total, "count must agree with the rows");
    let mut names: Vec<String> = rows.into_iter().map(|u| u.username).collect();
    names.sort();
    names
}

both_dbs! {
    async fn every_data_scope_selects_exactly_its_people(db) {
        let t = tree(&db).await;
        let boss = person(&db, "boss", &t.root, None).await;
        let east_mgr = person(&db, "eastmgr", &t.east, Some(&boss)).await;
        let sh_rep = person(&db, "shrep", &t.shanghai, Some(&east_mgr)).await;
        let _north_rep = person(&db, "northrep", &t.north, Some(&boss)).await;
        let east_path = OrgPath::parse(&t.east.path).unwrap();
        assert_eq!(visible(&db, &RecordScope::All).await, ["boss", "eastmgr", "northrep", "shrep"]);
        assert_eq!(visible(&db, &RecordScope::UnitSubtree(east_path)).await, ["eastmgr", "shrep"]);
        assert_eq!(visible(&db, &RecordScope::Unit(t.east.id)).await, ["eastmgr"]);
        assert_eq!(visible(&db, &RecordScope::ReportLine(OrgPath::parse(&east_mgr.report_path).unwrap())).await, ["eastmgr", "shrep"]);
        assert_eq!(visible(&db, &RecordScope::Own(sh_rep.id)).await, ["shrep"]);
        let mut tx = db.begin_read().await.unwrap();
        assert!(users::get(&mut tx, &RecordScope::Own(sh_rep.id), boss.id).await.unwrap().is_none(), "out of scope reads nothing");
    }

    async fn search_matches_name_and_escapes_wildcards(db) {
        let t = tree(&db).await;
        person(&db, "zhang_san", &t.root, None).await;
        person(&db, "zhangxsan", &t.root, None).await;
        let mut tx = db.begin_read().await.unwrap();
        let f = UserFilter { q: Some("ZHANG_".into()), ..Default::default() };
        let (rows, total) = users::list(&mut tx, &RecordScope::All, &f, UserSort::Name, false, Page { limit: 10, offset: 0 }).await.unwrap();
        assert_eq!(total, 1, "'_' is a literal, not a wildcard");
        assert_eq!(rows[0].username, "zhang_san");
    }

    async fn moving_a_unit_repaths_its_subtree_and_keeps_history(db) {
        let t = tree(&db).await;
        let team = unit(&db, Some(&t.shanghai), "大客户组", "team").await;
        let mut tx = db.begin_write().await.unwrap();
        let new_path = org::move_subtree(&mut tx, &t.shanghai, t.shanghai.version, &t.north, None, NOW + 1).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin_read().await.unwrap();
        let moved_team = org::get(&mut tx, team.id).await.unwrap().unwrap();
        assert_eq!(moved_team.path, format!("{}{}/", new_path.as_str(), team.seq));
        assert!(moved_team.path.starts_with(&t.north.path));
        assert_eq!(org::moves_of(&mut tx, t.shanghai.id).await.unwrap().len(), 1);
        assert!(org::invariant_problems(&mut tx).await.unwrap().is_empty());
        let _ = t.root;
    }

    async fn a_stale_version_changes_nothing(db) {
        let t = tree(&db).await;
        let mut tx = db.begin_write().await.unwrap();
        org::update(&mut tx, t.east.id, t.east.version, &org::UnitChange { name: "华东一区", kind: "region", basis: "territory", sort_order: 1 }, NOW).await.unwrap();
        let stale = org::update(&mut tx, t.east.id, t.east.version, &org::UnitChange { name: "华东二区", kind: "region", basis: "territory", sort_order: 1 }, NOW).await;
        assert!(matches!(stale, Err(Error::Stale)));
        assert_eq!(org::get(&mut tx, t.east.id).await.unwrap().unwrap().name, "华东一区");
    }

    async fn named_unique_indexes_map_to_codes(db) {
        let t = tree(&db).await;
        person(&db, "lina", &t.root, None).await;
        let mut tx = db.begin_write().await.unwrap();
        let seq = tx.next_seq("user").await.unwrap();
        let dup = users::insert(&mut tx, &NewUser {
            id: Uuid::now_v7(), seq, username: "lina", mobile: None, email: None, display_name: "李娜", unit_id: t.root.id,
            position_id: None, manager_id: None, report_path: &OrgPath::root(seq), password_hash: None, must_change_password: true,
            locale: "zh-CN", now: NOW,
        }).await;
        assert!(matches!(dup, Err(Error::Conflict("user.username_taken"))), "{dup:?}");
        drop(tx);
        let mut tx = db.begin_write().await.unwrap();
        let seq = tx.next_seq("org_unit").await.unwrap();
        let path = OrgPath::parse(&t.root.path).unwrap().child(seq);
        let dup = org::insert(&mut tx, &org::NewUnit { id: Uuid::now_v7(), seq, parent_id: Some(t.root.id), name: "华东大区", kind: "region", basis: "territory", path: &path, sort_order: 0, now: NOW }).await;
        assert!(matches!(dup, Err(Error::Conflict("org_unit.name_taken"))), "{dup:?}");
    }

    async fn reassigning_a_manager_moves_the_reporting_line_and_records_history(db) {
        let t = tree(&db).await;
        let a = person(&db, "mgra", &t.east, None).await;
        let b = person(&db, "mgrb", &t.north, None).await;
        let rep = person(&db, "rep", &t.shanghai, Some(&a)).await;
        let sub = person(&db, "sub", &t.shanghai, Some(&rep)).await;
        let mut tx = db.begin_write().await.unwrap();
        users::reassign(&mut tx, &rep, rep.version, t.north.id, None, Some(&b), NOW + 10).await.unwrap();
        tx.commit().await.unwrap();
        let line_b = RecordScope::ReportLine(OrgPath::parse(&b.report_path).unwrap());
        assert_eq!(visible(&db, &line_b).await, ["mgrb", "rep", "sub"]);
        let mut tx = db.begin_read().await.unwrap();
        let hist = users::assignments(&mut tx, rep.id).await.unwrap();
        assert_eq!(hist.len(), 2);
        assert_eq!(hist[0].valid_to, Some(NOW + 10));
        assert_eq!(users::unit_at(&mut tx, rep.id, NOW + 5).await.unwrap(), Some(t.shanghai.id), "attributed by the org at the time");
        assert_eq!(users::unit_at(&mut tx, rep.id, NOW + 20).await.unwrap(), Some(t.north.id));
        assert!(users::invariant_problems(&mut tx).await.unwrap().is_empty());
        let _ = sub;
    }

    async fn audit_rows_cannot_be_changed_or_deleted(db) {
        let mut tx = db.begin_write().await.unwrap();
        let row = audit::AuditRow { id: Uuid::now_v7(), at: NOW, actor_id: None, actor_name: "t".into(), action: "x.y".into(), entity_type: "x".into(),
            entity_id: "1".into(), before_json: None, after_json: Some("{}".into()), request_id: String::new(), ip: String::new() };
        audit::insert(&mut tx, &row).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let upd = on_tx!(&mut tx, |c| sqlx::query("UPDATE audit_log SET action = 'z'").execute(c).await.map(|r| r.rows_affected()));
        assert!(upd.is_err(), "update must be refused");
        drop(tx);
        let mut tx = db.begin_write().await.unwrap();
        let del = on_tx!(&mut tx, |c| sqlx::query("DELETE FROM audit_log").execute(c).await.map(|r| r.rows_affected()));
        assert!(del.is_err(), "delete must be refused");
        drop(tx);
        let mut tx = db.begin_read().await.unwrap();
        assert_eq!(audit::count(&mut tx).await.unwrap(), 1);
    }

    async fn sessions_expire_end_and_die_with_deactivation(db) {
        let t = tree(&db).await;
        let u = person(&db, "sess", &t.root, None).await;
        let mut tx = db.begin_write().await.unwrap();
        for (h, id) in [("h1", Uuid::now_v7()), ("h2", Uuid::now_v7())] {
            sessions::insert(&mut tx, &sessions::NewSession { id, token_hash: h, user_id: u.id, now: NOW, absolute_expires_at: NOW + 1000, ip: "", user_agent: "" }).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        assert!(sessions::find_live(&mut tx, "h1", NOW + 10, 500).await.unwrap().is_some());
        assert!(sessions::find_live(&mut tx, "h1", NOW + 600, 500).await.unwrap().is_none(), "idle timeout");
        assert!(sessions::find_live(&mut tx, "h1", NOW + 1001, 5000).await.unwrap().is_none(), "absolute timeout");
        let s1 = sessions::find_live(&mut tx, "h1", NOW + 10, 500).await.unwrap().unwrap();
        assert_eq!(sessions::end_all(&mut tx, u.id, Some(s1.id), "password_changed", NOW + 20).await.unwrap(), 1);
        assert!(sessions::find_live(&mut tx, "h2", NOW + 30, 500).await.unwrap().is_none());
        assert!(sessions::find_live(&mut tx, "h1", NOW + 30, 500).await.unwrap().is_some(), "the kept session lives");
        users::set_active(&mut tx, u.id, u.version, false, NOW + 40).await.unwrap();
        assert!(sessions::find_live(&mut tx, "h1", NOW + 50, 500).await.unwrap().is_none(), "deactivated users have no live session");
    }

    async fn login_failures_count_within_the_window(db) {
        let mut tx = db.begin_write().await.unwrap();
        for i in 0..3 {
            throttle::record_failure(&mut tx, "account:x", NOW + i).await.unwrap();
        }
        assert_eq!(throttle::failures_since(&mut tx, "account:x", NOW - 1).await.unwrap(), (3, Some(NOW)));
        assert_eq!(throttle::failures_since(&mut tx, "account:x", NOW + 1).await.unwrap().0, 1);
        throttle::clear(&mut tx, "account:x").await.unwrap();
        assert_eq!(throttle::failures_since(&mut tx, "account:x", 0).await.unwrap().0, 0);
    }

    async fn role_grants_union_over_a_users_roles(db) {
        let t = tree(&db).await;
        let u = person(&db, "multi", &t.root, None).await;
        let mut tx = db.begin_write().await.unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for (id, code) in [(a, "ra"), (b, "rb")] {
            roles::insert(&mut tx, &roles::NewRole { id, code, name: code, name_en: code, description: "", builtin: false, locked: false, now: NOW }).await.unwrap();
        }
        roles::set_grants(&mut tx, a, &["org.view"], &[("people", "own")]).await.unwrap();
        roles::set_grants(&mut tx, b, &["people.view", "org.view"], &[("people", "all")]).await.unwrap();
        users::set_roles(&mut tx, u.id, &[a, b]).await.unwrap();
        let (mut perms, scopes) = roles::grants_of_user(&mut tx, u.id).await.unwrap();
        perms.sort();
        assert_eq!(perms, ["org.view", "people.view"]);
        assert_eq!(scopes.len(), 2);
        assert!(matches!(roles::delete_unused(&mut tx, a, 1).await, Err(Error::Conflict("role.in_use"))));
    }

    async fn sequences_count_up_per_name(db) {
        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(tx.next_seq("a").await.unwrap(), 1);
        assert_eq!(tx.next_seq("a").await.unwrap(), 2);
        assert_eq!(tx.next_seq("b").await.unwrap(), 1);
    }

    async fn check_finds_no_problem_in_a_fresh_database(db) {
        tree(&db).await;
        assert_eq!(db.integrity_problems().await.unwrap(), Vec::<String>::new());
        assert_eq!(db.schema_version().await.unwrap(), Some(db.expected_schema_version()));
    }
}

#[tokio::test]
async fn postgres_without_durable_commits_is_refused() {
    let Some(db) = crate::testing::postgres().await else {
        return;
    };
    let Db::Postgres(pool) = &db else {
        unreachable!()
    };
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    // The name is the harness's own (sdtest_ + hex); identifiers cannot be bound.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} SET synchronous_commit = off"
    )))
    .execute(pool)
    .await
    .unwrap();
    let url = crate::testing::url_of(&name).unwrap();
    match Db::connect(&url).await {
        Err(Error::UnsafeConfig(msg)) => assert!(msg.contains("synchronous_commit"), "{msg}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
