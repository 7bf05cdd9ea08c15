//! The `salesdesk` binary's commands, run as an operator would run them.

use std::process::Command;

fn salesdesk(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_salesdesk"))
        .current_dir(dir)
        .env_remove("SALESDESK_DATABASE_URL")
        .args(["--data-dir", "data"])
        .args(args)
        .output()
        .expect("run salesdesk")
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "salesdesk-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn migrate_create_an_administrator_and_check() {
    let dir = temp_dir();
    let out = salesdesk(&dir, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The newest migration the binary carries (every backend has the same numbers).
    let newest = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../store/migrations/sqlite"
    ))
    .unwrap()
    .filter_map(|e| {
        e.ok()?
            .file_name()
            .to_str()?
            .split('_')
            .next()?
            .parse::<u32>()
            .ok()
    })
    .max()
    .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        printed.contains(&format!("schema version {newest}")),
        "{printed}"
    );

    let weak = salesdesk(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "boss",
            "--name",
            "老板",
            "--password",
            "12345678",
        ],
    );
    assert!(!weak.status.success(), "a common password is refused");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password.too_common"));

    let ok = salesdesk(
        &dir,
        &[
            "user",
            "create",
            "--username",
            "boss",
            "--name",
            "老板",
            "--password",
            "Operator-Set-2026",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let check = salesdesk(&dir, &["check"]);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("ok"));

    let reset = salesdesk(
        &dir,
        &[
            "user",
            "reset-password",
            "--username",
            "boss",
            "--password",
            "Another-Set-2026",
        ],
    );
    assert!(reset.status.success());
    let gone = salesdesk(&dir, &["user", "deactivate", "--username", "nobody"]);
    assert!(!gone.status.success(), "an unknown user is an error");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn openapi_prints_the_committed_document() {
    let dir = temp_dir();
    let out = salesdesk(&dir, &["openapi"]);
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    ))
    .unwrap();
    assert_eq!(printed.trim_end(), committed.trim_end());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_database_url_of_another_kind_is_refused() {
    let dir = temp_dir();
    let out = salesdesk(&dir, &["--database-url", "mysql://x", "migrate"]);
    assert!(!out.status.success());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn demo_seeds_once_and_prints_a_login_per_role() {
    let dir = temp_dir();
    let first = salesdesk(
        &dir,
        &["demo", "--no-serve", "--password", "Cli-Demo-Pass-1"],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8_lossy(&first.stdout);
    for role in [
        "admin",
        "director",
        "manager",
        "branch",
        "supervisor",
        "rep",
        "support",
        "service",
        "marketing",
        "ops",
        "finance",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(role)),
            "no {role} login in:\n{text}"
        );
    }
    // A second start reuses the company and prints working logins again.
    let again = salesdesk(
        &dir,
        &["demo", "--no-serve", "--password", "Cli-Demo-Pass-2"],
    );
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("Cli-Demo-Pass-2"));
    let check = salesdesk(&dir, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // A file no record names (a crash between the file and its row): reported; removed by
    // --remove-orphan-files once it is old enough not to be an upload in flight.
    let folder = dir.join("data").join("attachments").join("ab");
    std::fs::create_dir_all(&folder).unwrap();
    let orphan = folder.join("0190f0b8-7a3c-7000-8000-0000000000ab");
    std::fs::write(&orphan, b"bytes").unwrap();
    let check = salesdesk(&dir, &["check"]);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stdout).contains("has no record"));
    let young = salesdesk(&dir, &["check", "--remove-orphan-files"]);
    assert!(!young.status.success(), "a young file stays");
    assert!(orphan.exists());
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let fixed = salesdesk(&dir, &["check", "--remove-orphan-files"]);
    assert!(
        fixed.status.success(),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("removed attachment file"));
    assert!(!orphan.exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn territory_optimise_reads_units_and_adjacency_and_writes_a_plan() {
    let dir = temp_dir();
    // A 6 × 4 grid of counties with leading-zero ids, potential 10 each but one of 40.
    let mut units = String::from("id,name,state,x_km,y_km,potential,workload,extra\n");
    let mut adjacency = String::from("a,b,border_km,kind\n");
    for i in 0..24 {
        let (x, y) = (i % 6, i / 6);
        let potential = if i == 9 { 40 } else { 10 };
        let state = if x < 3 { "西区" } else { "东区" };
        units.push_str(&format!(
            "0{i:02},县{i},{state},{},{},{potential},1,x\n",
            x * 20,
            y * 20
        ));
        if x < 5 {
            adjacency.push_str(&format!("0{i:02},0{:02},20,border\n", i + 1));
        }
        if y < 3 {
            adjacency.push_str(&format!("0{i:02},0{:02},20,border\n", i + 6));
        }
    }
    std::fs::write(dir.join("units.csv"), units).unwrap();
    std::fs::write(dir.join("adjacency.csv"), adjacency).unwrap();
    let out = salesdesk(
        &dir,
        &[
            "territory",
            "optimise",
            "--units",
            "units.csv",
            "--adjacency",
            "adjacency.csv",
            "-k",
            "3",
            "--seed",
            "7",
            "--out",
            "plan.csv",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("contiguous: yes"), "{stdout}");
    assert!(stdout.contains("potential: max deviation"), "{stdout}");
    let plan = std::fs::read_to_string(dir.join("plan.csv")).unwrap();
    let rows: Vec<&str> = plan.lines().collect();
    assert_eq!(rows[0], "id,territory");
    assert_eq!(rows.len(), 25);
    assert!(rows[1].starts_with("000,T0"), "{plan}");
    // 270 potential in 3: 90 each is possible and found.
    assert!(stdout.contains("max deviation 0.00 %"), "{stdout}");

    // Realign from the state column: two states into three territories keeps their names.
    let out = salesdesk(
        &dir,
        &[
            "territory",
            "optimise",
            "--units",
            "units.csv",
            "--adjacency",
            "adjacency.csv",
            "-k",
            "3",
            "--current-from-state",
            "--out",
            "plan2.csv",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("moved from the current alignment"),
        "{stdout}"
    );
    let plan2 = std::fs::read_to_string(dir.join("plan2.csv")).unwrap();
    assert!(plan2.contains("西区") && plan2.contains("东区"), "{plan2}");

    // A bad cell is named, and nothing is written.
    std::fs::write(dir.join("bad.csv"), "id,x_km,y_km,potential\n1,0,0,many\n").unwrap();
    let out = salesdesk(
        &dir,
        &[
            "territory",
            "optimise",
            "--units",
            "bad.csv",
            "-k",
            "1",
            "--out",
            "plan3.csv",
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("units line 2, column potential"),
        "{stderr}"
    );
    assert!(!dir.join("plan3.csv").exists());
}
