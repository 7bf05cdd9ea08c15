//! /api/v1/custom-fields: the company's custom fields (自定义字段) of customer records. Anyone
//! working with customers reads them; administrators (customers.settings) define them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use salesdesk_app::custom_fields::{self, FieldInputDef};
use salesdesk_domain::custom_field::{FieldKind, FieldOption};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch, Meta};
use crate::views::custom_fields::CustomFieldView;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_custom_fields, create_custom_field))
        .routes(routes!(update_custom_field))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FieldsQuery {
    /// Which records: customer (the default).
    #[param(max_length = 20)]
    pub entity: Option<String>,
}

/// The custom fields of a record type in their order, retired ones included (`active` false).
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "customers", operation_id = "listCustomFields",
    params(FieldsQuery), responses((status = 200, body = Vec<CustomFieldView>)))]
async fn list_custom_fields(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<FieldsQuery>,
) -> Result<Json<Vec<CustomFieldView>>, ApiError> {
    let entity = q.entity.as_deref().unwrap_or(custom_fields::CUSTOMER);
    let f = custom_fields::list(&s.app, &actor, entity).await?;
    Ok(Json(f.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomFieldBody {
    /// customer (the default).
    #[schema(max_length = 20)]
    pub entity: Option<String>,
    /// The field's key in filters, imports and the API: lower-case letters, digits and `_`,
    /// starting with a letter. Fixed once created.
    #[schema(min_length = 1, max_length = 30)]
    pub code: String,
    #[schema(min_length = 1, max_length = 30)]
    pub label: String,
    /// Fixed once created.
    pub kind: FieldKind,
    /// The choices of a select field; none for other kinds. Options are retired
    /// (`active: false`), never removed.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub options: Vec<FieldOption>,
    /// A new customer must have a value, and nobody may clear it.
    #[serde(default)]
    pub required: bool,
    /// Where the field goes among the others (lower first); new fields go last.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i64>,
    /// Retired fields keep their values but leave forms, lists and exports.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl CustomFieldBody {
    fn into_input(self) -> Result<FieldInputDef, ApiError> {
        if self.options.len() > 100 {
            return Err(salesdesk_domain::Invalid::field("options", "too_many").into());
        }
        if self.position.is_some_and(|p| !(0..=100_000).contains(&p)) {
            return Err(salesdesk_domain::Invalid::field("position", "out_of_range").into());
        }
        Ok(FieldInputDef {
            entity: self
                .entity
                .unwrap_or_else(|| custom_fields::CUSTOMER.to_owned()),
            code: self.code,
            label: self.label,
            kind: self.kind,
            options: self.options,
            required: self.required,
            position: self.position,
            active: self.active,
        })
    }
}

/// Add a custom field (at most 50 per record type).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "customers", operation_id = "createCustomField",
    request_body = CustomFieldBody, responses((status = 201, body = CustomFieldView)))]
async fn create_custom_field(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<CustomFieldBody>,
) -> Result<(StatusCode, Json<CustomFieldView>), ApiError> {
    let f = custom_fields::create(&s.app, &actor, b.into_input()?, &meta).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

/// Change a custom field's label, options, order, whether it is required or retired.
#[utoipa::path(put, path = "/api/v1/custom-fields/{id}", tag = "customers", operation_id = "updateCustomField",
    request_body = CustomFieldBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = CustomFieldView)))]
async fn update_custom_field(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<CustomFieldBody>,
) -> Result<Response, ApiError> {
    let f = custom_fields::update(&s.app, &actor, id, v, b.into_input()?, &meta).await?;
    Ok(with_etag(f.version, CustomFieldView::from(f)))
}
