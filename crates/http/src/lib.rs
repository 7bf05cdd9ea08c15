//! The HTTP face of SalesDesk: axum routes documented with OpenAPI (utoipa), thin handlers over
//! the app crate, one error body, security headers, CSRF protection, metrics and the embedded UI.

pub mod audit_labels;
pub mod error;
pub mod extract;
pub mod messages;
pub mod metrics;
pub mod routes;
pub mod ui;
pub mod views;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use salesdesk_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Web settings the binary passes in (only the server crate reads config).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Secure cookies with the `__Host-` prefix. Only a plain-HTTP deployment on a trusted LAN
    /// turns this off; browsers treat http://127.0.0.1 and localhost as secure.
    pub secure_cookies: bool,
    /// Peers whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<IpAddr>,
    pub session_max_age_s: i64,
}

impl WebConfig {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-sd_session"
        } else {
            "sd_session"
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "SalesDesk API", description = "销售管理系统 SalesDesk: JSON API. Errors share one body: { code, message, fields, requestId }.", version = "1"),
    tags(
        (name = "auth", description = "Sign-in, sessions, own account and API tokens"),
        (name = "org", description = "Org units and positions"),
        (name = "people", description = "Users within the caller's data scope"),
        (name = "roles", description = "Roles, permissions and data scopes"),
        (name = "customers", description = "The customer archive (客户档案): contacts, follow-ups, teams, transfer, 查重"),
        (name = "pools", description = "Customer pools (公海): claim, assign, return"),
        (name = "territory", description = "Territory design (区域设计): units, scenarios, optimising, applying"),
        (name = "me", description = "The caller's saved views of lists and notifications"),
        (name = "audit", description = "The audit log"),
        (name = "system", description = "Health and metrics"),
    ),
    components(schemas(views::ErrorBody, views::FieldErrorBody)),
    modifiers(&SecuritySchemes),
    security(("session" = []), ("token" = []))
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("__Host-sd_session"))),
        );
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every operation documents the shared error responses, all with the one error body.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        const ERRORS: &[(&str, &str)] = &[
            ("400", "Malformed request"),
            ("401", "Not signed in"),
            ("403", "Not allowed (or a cross-site request)"),
            ("404", "Not found, or outside the caller's data scope"),
            ("405", "Method not allowed"),
            ("409", "Conflicts with existing data"),
            (
                "412",
                "The record changed since it was read (stale If-Match)",
            ),
            ("413", "Request too large"),
            ("415", "Not JSON"),
            ("422", "Invalid input; `fields` names each problem"),
            ("428", "If-Match is required"),
            ("429", "Too many attempts; see Retry-After"),
            ("500", "Internal error; the body carries the request id"),
            ("503", "Busy or not ready; retry"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                for (status, desc) in ERRORS {
                    if !op.responses.responses.contains_key(*status) {
                        let content = ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build();
                        let resp = ResponseBuilder::new()
                            .description(*desc)
                            .content("application/json", content)
                            .build();
                        op.responses
                            .responses
                            .insert((*status).to_owned(), resp.into());
                    }
                }
            }
        }
    }
}

/// The API routes and their OpenAPI description, built from the same handler list.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let r = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let r = routes::auth::routes(r);
    let r = routes::org::routes(r);
    let r = routes::people::routes(r);
    let r = routes::roles::routes(r);
    let r = routes::customers::routes(r);
    let r = routes::pools::routes(r);
    let r = routes::imports::routes(r);
    let r = routes::attachments::routes(r);
    let r = routes::views::routes(r);
    let r = routes::custom_fields::routes(r);
    let r = routes::notifications::routes(r);
    let r = routes::territory::routes(r);
    let r = routes::audit::routes(r);
    let r = routes::system::routes(r);
    let (router, mut spec) = r.split_for_parts();
    utoipa::Modify::modify(&ErrorResponses, &mut spec);
    (router, spec)
}

/// The OpenAPI document as committed to openapi/openapi.json.
pub fn openapi_json() -> String {
    let (_, spec) = api();
    spec.to_pretty_json().unwrap_or_default()
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
     font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: API, UI, and the layers every request passes.
pub fn router(state: AppState) -> Router {
    let (api, spec) = api();
    let spec = Arc::new(spec.to_pretty_json().unwrap_or_default());
    let metrics = state.metrics.clone();
    let auth_cache = state.app.auth_cache.clone();
    let no_store = SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    let api = api
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let s = spec.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], (*s).clone()) }
            }),
        )
        .layer(no_store)
        .layer(middleware::from_fn_with_state(
            auth_cache,
            forget_actors_after_changes,
        ));
    // Only the UI's static files are compressed: API bodies can carry secrets (a temporary
    // password) next to reflected input, which compression would turn into an oracle (BREACH).
    let ui = Router::new()
        .fallback(ui::serve)
        .layer(tower_http::compression::CompressionLayer::new().gzip(true));
    layers(
        Router::new()
            .merge(api)
            .with_state(state)
            .fallback_service(ui),
        metrics,
    )
}

/// After a request that may have changed something, the signed-in actors this process keeps
/// are forgotten (a sign-out, a role or a person changed: see `salesdesk_app::auth_cache`).
async fn forget_actors_after_changes(
    axum::extract::State(cache): axum::extract::State<Arc<salesdesk_app::auth_cache::AuthCache>>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let reads = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let res = next.run(req).await;
    if !reads {
        cache.clear();
    }
    res
}

/// Bodies are capped at 1 MiB, except uploads (the file itself: an import up to 30 MiB, an
/// attachment up to 20 MiB): a declared length above the cap is refused at once, a streamed
/// body when it passes it.
async fn limit_body(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = routes::upload_limit(req.uri().path()).unwrap_or(1024 * 1024);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit)));
    next.run(req).await
}

/// The layers every request passes, outermost last: request id, tracing, timeout, security
/// headers, metrics, the error body, panic recovery, CSRF and the body limit.
pub fn layers(r: Router, metrics: Arc<metrics::Metrics>) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    r.layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(limit_body))
        .layer(CsrfLayer::new())
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn(error::finish_errors))
        .layer(middleware::from_fn_with_state(metrics, metrics::track))
        // Scripts only from our own origin; antd's CSS-in-JS needs inline styles.
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}
