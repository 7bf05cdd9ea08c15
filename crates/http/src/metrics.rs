//! Request counts and latencies by route, and database pool figures, in Prometheus text format.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_s: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    // (method, route, status) -> latency series
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let Ok(mut m) = self.series.lock() else {
            return;
        };
        let s = m
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum_s += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self, pool: (u32, usize)) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        out.push_str("# HELP salesdesk_http_requests_total HTTP requests by route and status.\n# TYPE salesdesk_http_requests_total counter\n");
        let Ok(m) = self.series.lock() else {
            return out;
        };
        for ((method, route, status), s) in m.iter() {
            let _ = writeln!(
                out,
                "salesdesk_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP salesdesk_http_request_duration_seconds Request latency by route.\n# TYPE salesdesk_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in m.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "salesdesk_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "salesdesk_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "salesdesk_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_s
            );
            let _ = writeln!(
                out,
                "salesdesk_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP salesdesk_db_pool_connections Open database connections.\n# TYPE salesdesk_db_pool_connections gauge\nsalesdesk_db_pool_connections {}",
            pool.0
        );
        let _ = writeln!(
            out,
            "# HELP salesdesk_db_pool_idle Idle database connections.\n# TYPE salesdesk_db_pool_idle gauge\nsalesdesk_db_pool_idle {}",
            pool.1
        );
        out
    }
}

/// Records every request under its route template (never the raw path: ids would explode
/// the series, and paths may carry personal data).
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/api/") {
                "unmatched".into()
            } else {
                "ui".into()
            }
        });
    let res = next.run(req).await;
    metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}
