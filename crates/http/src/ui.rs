//! The web UI, built by Vite into web/dist and embedded in the binary. Unknown paths get
//! index.html so the client-side router can take them; hashed assets are cached forever.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::error::error_response(
            StatusCode::NOT_FOUND,
            "route.not_found",
            vec![],
            None,
        );
    }
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        let mut r = file.data.into_owned().into_response();
        let mime = file.metadata.mimetype();
        if let Ok(v) = HeaderValue::from_str(mime) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        return r;
    }
    match Assets::get("index.html") {
        Some(index) => {
            let mut r = index.data.into_owned().into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "The web UI is not built into this binary: run `make run` (or `npm run build` in web/).").into_response(),
    }
}
