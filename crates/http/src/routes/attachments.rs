//! Attachments (附件): upload a photo or file to a customer (for a follow-up or its archive),
//! list a customer's files, download one, delete one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use salesdesk_app::attachments;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::file_response;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, Auth, Meta};
use crate::views::customers::AttachmentView;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_attachments, upload_attachment))
        .routes(routes!(download_attachment, delete_attachment))
}

/// `/api/v1/customers/{id}/attachments`: the one path besides imports whose body is a file.
pub fn is_upload_path(path: &str) -> bool {
    path.strip_prefix("/api/v1/customers/")
        .and_then(|rest| rest.strip_suffix("/attachments"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// The file's name as the user picked it; its extension must name an accepted type.
    #[param(min_length = 1, max_length = 200)]
    pub file_name: String,
}

/// Upload a photo or file (at most 20 MiB; pictures, PDF, Office and WPS documents, text,
/// archives, audio and video; the body is the file itself). It joins the customer's files,
/// and a follow-up recorded next by the same person can take it (`attachmentIds`).
#[utoipa::path(post, path = "/api/v1/customers/{id}/attachments", tag = "customers", operation_id = "uploadAttachment",
    params(("id" = Uuid, Path), AttachmentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView)))]
async fn upload_attachment(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AttachmentQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let a = attachments::upload(&s.app, &actor, id, &q.file_name, body.to_vec(), &meta).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// A customer's files, newest first (those of its follow-ups included).
#[utoipa::path(get, path = "/api/v1/customers/{id}/attachments", tag = "customers", operation_id = "listAttachments",
    params(("id" = Uuid, Path)), responses((status = 200, body = Vec<AttachmentView>)))]
async fn list_attachments(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    let rows = attachments::of_customer(&s.app, &actor, id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Download a file. Pictures are shown in the page; everything else is saved, never rendered.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "customers", operation_id = "downloadAttachment",
    params(("id" = Uuid, Path)),
    // Every type `salesdesk_domain::attachment` serves (a test keeps the two lists equal).
    responses((status = 200, description = "The file", content(
        (String = "image/jpeg"),
        (String = "image/png"),
        (String = "image/gif"),
        (String = "image/webp"),
        (String = "image/bmp"),
        (String = "image/heic"),
        (String = "application/pdf"),
        (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (String = "application/msword"),
        (String = "application/vnd.ms-excel"),
        (String = "application/vnd.ms-powerpoint"),
        (String = "application/octet-stream"),
        (String = "text/plain; charset=utf-8"),
        (String = "text/csv"),
        (String = "application/zip"),
        (String = "application/vnd.rar"),
        (String = "application/x-7z-compressed"),
        (String = "audio/mpeg"),
        (String = "audio/mp4"),
        (String = "audio/amr"),
        (String = "audio/wav"),
        (String = "video/mp4"),
        (String = "video/quicktime")))))]
async fn download_attachment(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let (row, kind, bytes) = attachments::download(&s.app, &actor, id).await?;
    let mut r = file_response(&row.file_name, kind.content_type, kind.inline, bytes);
    let h = r.headers_mut();
    // A customer's files are personal data: not kept by shared caches, and never a document
    // that could run anything, even if a browser were tricked into rendering one.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(r)
}

/// Delete a file: its uploader, or someone in charge of the customer.
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "customers", operation_id = "deleteAttachment",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete_attachment(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    attachments::delete(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_customers_attachment_path_is_an_upload() {
        use super::is_upload_path;
        assert!(is_upload_path("/api/v1/customers/0193/attachments"));
        assert!(!is_upload_path("/api/v1/customers//attachments"));
        assert!(!is_upload_path("/api/v1/customers/a/b/attachments"));
        assert!(!is_upload_path("/api/v1/customers/0193/followups"));
    }

    #[test]
    fn the_download_documents_every_type_it_serves() {
        let (_, spec) = crate::api();
        let op = spec.paths.paths["/api/v1/attachments/{id}"]
            .get
            .as_ref()
            .unwrap();
        let utoipa::openapi::RefOr::T(ok) = &op.responses.responses["200"] else {
            panic!("200 is inline");
        };
        let mut documented: Vec<&str> = ok.content.keys().map(String::as_str).collect();
        let mut served: Vec<&str> = salesdesk_domain::attachment::content_types().collect();
        documented.sort();
        served.sort();
        served.dedup();
        assert_eq!(documented, served);
    }
}
