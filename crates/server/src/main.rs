//! `salesdesk`: the one binary. Reads configuration (defaults -> salesdesk.toml ->
//! SALESDESK_* environment -> flags), sets up logging, opens the database and runs a command.

mod config;
mod territory_cli;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use salesdesk_app::{App, demo};
use salesdesk_http::{AppState, WebConfig};
use salesdesk_store::Db;

use config::Config;

/// mimalloc rather than glibc's malloc: see the workspace's Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "salesdesk", version, about = "SalesDesk 销售管理系统")]
struct Cli {
    #[command(flatten)]
    overrides: config::Overrides,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and web UI (the default).
    Serve,
    /// Create or reuse the demo database, seed the demo company if empty, serve, and print a login per role.
    Demo {
        /// Seed of the deterministic demo generator.
        #[arg(long, default_value_t = 20261127)]
        seed: u64,
        /// Password for the printed demo logins (default: a new random one at every start).
        #[arg(long, env = "SALESDESK_DEMO_PASSWORD")]
        password: Option<String>,
        /// Seed and print, then exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users from the command line (the first administrator, password resets).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Sales territory design (销售区域设计) from CSV files; needs no database.
    Territory {
        #[command(subcommand)]
        action: TerritoryAction,
    },
    /// Check database integrity and schema version; exits non-zero on any problem.
    Check {
        /// First delete attachment files that no record names and that are over an hour old
        /// (left by a crash between a file and its record, or by restoring an older database).
        #[arg(long)]
        remove_orphan_files: bool,
    },
}

#[derive(Subcommand)]
enum TerritoryAction {
    /// Divide units into k balanced, contiguous, compact territories; prints the figures and
    /// writes id,territory.
    Optimise(territory_cli::OptimiseArgs),
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a user; with --role admin this makes the first administrator.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        mobile: Option<String>,
        /// The password (or SALESDESK_NEW_PASSWORD); must be changed at first sign-in.
        #[arg(long, env = "SALESDESK_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Set a new temporary password and end the user's sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "SALESDESK_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Deactivate a user: records stay, every session and token ends.
    Deactivate {
        #[arg(long)]
        username: String,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let cfg = config::load(&cli.overrides)?;
    init_logging(&cfg);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve), cfg))
}

fn init_logging(cfg: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&cfg.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_json {
        builder.json().init()
    } else {
        builder.init()
    }
}

async fn open(cfg: &Config) -> Result<App> {
    if let Some(dir) = cfg.sqlite_dir() {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let db = Db::connect(&cfg.database_url)
        .await
        .context("opening the database")?;
    db.migrate().await.context("migrating the database")?;
    let app = App::new(db, cfg.auth_settings(), cfg.data_dir.join("attachments"))
        .with_time_zone(&cfg.time_zone)
        .map_err(|_| anyhow::anyhow!("unknown time_zone {:?}", cfg.time_zone))?;
    // Values derived by an older rule (customers' name keys) are brought up to this binary's.
    salesdesk_app::customers::rederive_name_keys(&app)
        .await
        .map_err(app_err)?;
    Ok(app)
}

async fn run(cmd: Command, cfg: Config) -> Result<()> {
    match cmd {
        Command::Territory {
            action: TerritoryAction::Optimise(args),
        } => territory_cli::optimise_files(args),
        Command::Openapi => {
            println!("{}", salesdesk_http::openapi_json());
            Ok(())
        }
        Command::Migrate => {
            let app = open(&cfg).await?;
            println!(
                "schema version {}",
                app.db.schema_version().await?.unwrap_or(0)
            );
            Ok(())
        }
        Command::Check {
            remove_orphan_files,
        } => {
            let app = open(&cfg).await?;
            if remove_orphan_files {
                for line in salesdesk_app::attachments::remove_orphan_files(&app)
                    .await
                    .map_err(app_err)?
                {
                    println!("{line}");
                }
            }
            let (have, want) = (
                app.db.schema_version().await?.unwrap_or(0),
                app.db.expected_schema_version(),
            );
            let mut problems = app.db.integrity_problems().await?;
            problems.extend(
                salesdesk_app::attachments::integrity_problems(&app)
                    .await
                    .map_err(app_err)?,
            );
            println!("schema version {have} (binary expects {want})");
            for p in &problems {
                println!("PROBLEM: {p}");
            }
            if have != want || !problems.is_empty() {
                bail!(
                    "{} problem(s) found",
                    problems.len() + usize::from(have != want)
                );
            }
            println!("ok");
            Ok(())
        }
        Command::User { action } => {
            let app = open(&cfg).await?;
            salesdesk_app::bootstrap::ensure_foundation(&app, &cfg.company_name)
                .await
                .map_err(app_err)?;
            match action {
                UserAction::Create {
                    username,
                    name,
                    role,
                    mobile,
                    password,
                } => {
                    let u = salesdesk_app::bootstrap::OperatorUser {
                        username: username.clone(),
                        display_name: name,
                        mobile,
                        password,
                        role,
                        unit_id: None,
                        manager_id: None,
                        position_code: None,
                        must_change_password: true,
                    };
                    salesdesk_app::bootstrap::create_user(&app, u)
                        .await
                        .map_err(app_err)?;
                    println!("created {username}; the password must be changed at first sign-in");
                }
                UserAction::ResetPassword { username, password } => {
                    salesdesk_app::bootstrap::reset_password(&app, &username, &password)
                        .await
                        .map_err(app_err)?;
                    println!("password of {username} reset; their sessions have ended");
                }
                UserAction::Deactivate { username } => {
                    salesdesk_app::bootstrap::deactivate(&app, &username)
                        .await
                        .map_err(app_err)?;
                    println!("{username} deactivated");
                }
            }
            Ok(())
        }
        Command::Serve => {
            let app = open(&cfg).await?;
            salesdesk_app::bootstrap::ensure_foundation(&app, &cfg.company_name)
                .await
                .map_err(app_err)?;
            serve(app, &cfg, None).await
        }
        Command::Demo {
            seed,
            password,
            no_serve,
        } => {
            let started = std::time::Instant::now();
            let app = open(&cfg).await?;
            let password = password.unwrap_or_else(salesdesk_app::passwords::temporary_password);
            let logins = match demo::seed(&app, seed, &password).await.map_err(app_err)? {
                Some(l) => l,
                None => demo::refresh_logins(&app, &password)
                    .await
                    .map_err(app_err)?,
            };
            let mut banner = format!(
                "\nSalesDesk demo company 「{}」 is ready ({:.1} s).\n\n",
                demo::COMPANY,
                started.elapsed().as_secs_f64()
            );
            banner.push_str(&format!(
                "  Open http://{}\n\n  Sign in as (password for all: {password}):\n",
                display_addr(&cfg.listen)
            ));
            for l in &logins {
                banner.push_str(&format!(
                    "    {:<10} {:<18} {} · {} · {}\n",
                    l.role, l.username, l.display_name, l.position, l.unit
                ));
            }
            if no_serve {
                println!("{banner}");
                return Ok(());
            }
            serve(app, &cfg, Some(banner)).await
        }
    }
}

fn display_addr(listen: &str) -> String {
    listen.replace("0.0.0.0", "127.0.0.1")
}

fn app_err(e: salesdesk_app::AppError) -> anyhow::Error {
    match e {
        salesdesk_app::AppError::Invalid(i) => anyhow::anyhow!(
            "invalid: {}",
            i.0.iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn serve(app: App, cfg: &Config, banner: Option<String>) -> Result<()> {
    // This process runs background work from now on; what a stopped one was running is over.
    salesdesk_app::runners::register(&app)
        .await
        .map_err(app_err)?;
    salesdesk_app::imports::recover_interrupted(&app)
        .await
        .map_err(app_err)?;
    // Signed-in actors are kept in memory while the auth generation stands.
    tokio::spawn(salesdesk_app::auth_cache::run_generation_watch(app.clone()));
    let web = WebConfig {
        secure_cookies: cfg.secure_cookies,
        trusted_proxies: cfg.trusted_proxies.clone(),
        session_max_age_s: cfg.session_absolute_minutes * 60,
    };
    let state = AppState {
        app: app.clone(),
        web: Arc::new(web),
        metrics: Default::default(),
    };
    let router = salesdesk_http::router(state);
    if let Some(minute) = config::parse_time_of_day(&cfg.reclaim_at)? {
        tokio::spawn(salesdesk_app::pools::run_daily_reclaim(app.clone(), minute));
        // Today's reminders if this is the day's first start (the schedule makes the rest).
        let first = app.clone();
        tokio::spawn(async move { salesdesk_app::notifications::remind_today(&first).await });
    }
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    tracing::info!(address = %cfg.listen, backend = ?app.db.backend(), "serving");
    if let Some(b) = banner {
        println!("{b}");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    app.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
