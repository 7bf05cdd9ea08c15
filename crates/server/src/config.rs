//! Configuration: defaults, then `salesdesk.toml`, then `SALESDESK_*` environment variables,
//! then command-line flags. Only this crate reads configuration.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://path` (default `sqlite://<data_dir>/salesdesk.db`) or `postgres://...`.
    pub database_url: String,
    pub listen: String,
    pub data_dir: PathBuf,
    /// IANA time zone for business days, weeks, months and quarters (the company calendar).
    pub time_zone: String,
    /// The company root's name when a new database is created.
    pub company_name: String,
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<IpAddr>,
    pub session_idle_minutes: i64,
    pub session_absolute_minutes: i64,
    pub log_level: String,
    pub log_json: bool,
    /// When the daily customer reclaim (公海回收) runs, "HH:MM" in the company's time zone;
    /// "off" to disable.
    pub reclaim_at: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            time_zone: salesdesk_domain::calendar::DEFAULT_TIME_ZONE.into(),
            company_name: "我的公司".into(),
            secure_cookies: true,
            trusted_proxies: Vec::new(),
            session_idle_minutes: 120,
            session_absolute_minutes: 720,
            log_level: "info,sqlx=warn,tower_http=warn".into(),
            log_json: false,
            reclaim_at: "02:00".into(),
        }
    }
}

/// Flags that override everything else.
#[derive(Debug, Clone, Default, clap::Args, Serialize)]
pub struct Overrides {
    /// Configuration file.
    #[arg(long, global = true, default_value = "salesdesk.toml")]
    #[serde(skip)]
    pub config: PathBuf,
    /// sqlite://path or postgres://user@host/db
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Address to listen on, e.g. 127.0.0.1:8080
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Log as JSON lines.
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_json: Option<bool>,
}

pub fn load(o: &Overrides) -> Result<Config> {
    let mut cfg: Config = Figment::from(Serialized::defaults(Config::default()))
        .merge(Toml::file(&o.config))
        .merge(Env::prefixed("SALESDESK_").ignore(&[
            "test_pg_url",
            "demo_password",
            "new_password",
        ]))
        .merge(Serialized::defaults(o))
        .extract()
        .context("reading configuration")?;
    if cfg.database_url.is_empty() {
        cfg.database_url = format!("sqlite://{}", cfg.data_dir.join("salesdesk.db").display());
    }
    if salesdesk_domain::calendar::Calendar::new(&cfg.time_zone).is_err() {
        anyhow::bail!(
            "time_zone {:?} is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)",
            cfg.time_zone
        );
    }
    if cfg.session_idle_minutes <= 0 || cfg.session_absolute_minutes <= 0 {
        anyhow::bail!("session timeouts must be positive");
    }
    Ok(cfg)
}

impl Config {
    /// The folder of a SQLite database file, created at start-up.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let path = self.database_url.strip_prefix("sqlite://")?;
        let path = path.split('?').next().unwrap_or(path);
        PathBuf::from(path)
            .parent()
            .map(|p| p.to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
    }

    pub fn auth_settings(&self) -> salesdesk_app::AuthSettings {
        salesdesk_app::AuthSettings {
            session_idle_ms: self.session_idle_minutes * 60_000,
            session_absolute_ms: self.session_absolute_minutes * 60_000,
            ..Default::default()
        }
    }
}

/// "HH:MM" as minutes after midnight; None for "off".
pub fn parse_time_of_day(s: &str) -> Result<Option<i64>> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let (h, m) = s
        .split_once(':')
        .with_context(|| format!("reclaim_at: expected HH:MM or off, got {s:?}"))?;
    let (h, m): (i64, i64) = (
        h.parse()
            .with_context(|| format!("reclaim_at: bad hour in {s:?}"))?,
        m.parse()
            .with_context(|| format!("reclaim_at: bad minute in {s:?}"))?,
    );
    anyhow::ensure!(
        (0..24).contains(&h) && (0..60).contains(&m),
        "reclaim_at: {s:?} is not a time of day"
    );
    Ok(Some(h * 60 + m))
}
