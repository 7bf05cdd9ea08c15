//! Views of custom fields (自定义字段).

use salesdesk_app::custom_fields::CustomField;
use salesdesk_domain::custom_field::{FieldKind, FieldOption};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldView {
    pub id: Uuid,
    /// customer
    pub entity: String,
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub position: i64,
    pub active: bool,
    pub updated_at: i64,
    pub version: i64,
}

impl From<CustomField> for CustomFieldView {
    fn from(f: CustomField) -> Self {
        CustomFieldView {
            id: f.id,
            entity: f.entity,
            code: f.code,
            label: f.label,
            kind: f.kind,
            options: f.options,
            required: f.required,
            position: f.position,
            active: f.active,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}
