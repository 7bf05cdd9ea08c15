//! Load over real HTTP: the server as `salesdesk serve` runs it (the router on a TCP socket),
//! and clients that each keep one HTTP/1.1 connection open and send requests back to back for
//! a while, several at once. Latency is measured per request at the client; the rate is what
//! all clients together got through. `/healthz` in the same run is the reference for what the
//! machine does with no work behind a request.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use salesdesk_app::App;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Serves the real router on a free port of 127.0.0.1, in this process, as `salesdesk serve`
/// does (with the auth generation watched, so signed-in actors are kept in memory).
pub async fn serve(app: &App) -> Result<SocketAddr> {
    tokio::spawn(salesdesk_app::auth_cache::run_generation_watch(app.clone()));
    let state = salesdesk_http::AppState {
        app: app.clone(),
        web: std::sync::Arc::new(salesdesk_http::WebConfig {
            secure_cookies: true,
            trusted_proxies: vec![],
            session_max_age_s: 43_200,
        }),
        metrics: Default::default(),
    };
    let router = salesdesk_http::router(state).merge(bare_router(app.db.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok(addr)
}

/// Where a record read's floor is measured: `BARE_PATH` + a customer's id.
pub const BARE_PATH: &str = "/bench/bare/customers/";

/// The floor under a record read on this machine: one customer's row by id through axum and
/// SQLx on the same pool, with no session, scope, lists or audit (what a bare service does).
fn bare_router(db: salesdesk_store::Db) -> axum::Router {
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    type Row = (uuid::Uuid, String, Option<String>, Option<uuid::Uuid>);
    async fn read(State(db): State<salesdesk_store::Db>, Path(id): Path<uuid::Uuid>) -> Response {
        use salesdesk_store::sql::{Arg, Sql};
        let mut sql = Sql::new("SELECT id, name, level_code, owner_id FROM customers WHERE id = ");
        sql.bind(Arg::Uuid(id));
        let row = sql.fetch_optional_on::<Row>(&db).await;
        match row {
            Ok(Some((id, name, level, owner))) => axum::Json(serde_json::json!({
                "id": id, "name": name, "level": level, "ownerId": owner,
            }))
            .into_response(),
            Ok(None) => StatusCode::NOT_FOUND.into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    axum::Router::new()
        .route(&format!("{BARE_PATH}{{id}}"), axum::routing::get(read))
        .with_state(db)
}

/// One kept-alive HTTP/1.1 connection.
pub struct Conn {
    stream: BufReader<TcpStream>,
    line: String,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(s),
            line: String::new(),
        })
    }

    /// Sends a request and reads the whole answer: its status and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Option<&str>,
    ) -> Result<(u16, Vec<u8>)> {
        let mut req =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n");
        if !cookie.is_empty() {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await?;
        let status: u16 = self
            .line
            .split_whitespace()
            .nth(1)
            .context("status line")?
            .parse()?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                bail!("connection closed");
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse()?;
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                self.line.clear();
                self.stream.read_line(&mut self.line).await?;
                let n = usize::from_str_radix(self.line.trim(), 16)?;
                let mut chunk = vec![0; n + 2];
                self.stream.read_exact(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            body.resize(length, 0);
            self.stream.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

/// Signs in over HTTP; the session cookie.
pub async fn login(addr: SocketAddr, who: &str, password: &str) -> Result<String> {
    let mut c = Conn::open(addr).await?;
    let body = serde_json::json!({"login": who, "password": password}).to_string();
    let req = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.stream.get_mut().write_all(req.as_bytes()).await?;
    let mut cookie = None;
    let mut line = String::new();
    c.stream.read_line(&mut line).await?;
    anyhow::ensure!(line.contains(" 200 "), "login {who}: {line}");
    let mut length = 0;
    loop {
        line.clear();
        c.stream.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if lower.starts_with("set-cookie:") {
            cookie = l["set-cookie:".len()..]
                .trim()
                .split(';')
                .next()
                .map(str::to_owned);
        } else if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse()?;
        }
    }
    let mut rest = vec![0; length];
    c.stream.read_exact(&mut rest).await?;
    cookie.context("no session cookie")
}

/// What a load run measured.
pub struct Load {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    pub failures: usize,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn at(&self, p: f64) -> f64 {
        let mut d = self.latencies.clone();
        d.sort();
        if d.is_empty() {
            return f64::NAN;
        }
        d[((d.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
    }
}

/// `clients` connections sending the requests `(cookie, path)` round robin (each client
/// starting at its own place) for `duration`; a request answering other than 2xx counts
/// as a failure.
pub async fn run(
    addr: SocketAddr,
    requests: &[(String, String)],
    clients: usize,
    duration: Duration,
) -> Result<Load> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let requests = requests.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut lat = Vec::new();
            let mut failures = 0;
            let mut i = c * 7919;
            while started.elapsed() < duration {
                let (cookie, path) = &requests[i % requests.len()];
                i += 1;
                let t = Instant::now();
                let (status, _) = conn.send("GET", path, cookie, None).await?;
                lat.push(t.elapsed());
                if !(200..300).contains(&status) {
                    failures += 1;
                }
            }
            Ok::<_, anyhow::Error>((lat, failures))
        }));
    }
    let mut load = Load {
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        failures: 0,
    };
    for t in tasks {
        let (lat, failures) = t.await??;
        load.latencies.extend(lat);
        load.failures += failures;
    }
    load.elapsed = started.elapsed();
    Ok(load)
}
