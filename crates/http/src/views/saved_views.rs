//! Views of saved views (保存的视图).

use std::collections::BTreeMap;

use salesdesk_app::saved_views::SavedView;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A saved view. `query` holds the list's own query parameters (as its URL carries them).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedViewView {
    pub id: Uuid,
    /// Who saved it (only they may change it).
    pub owner_id: Uuid,
    /// customers
    pub kind: String,
    pub name: String,
    pub query: BTreeMap<String, String>,
    /// The columns shown, in order; empty for the list's default.
    pub columns: Vec<String>,
    pub is_default: bool,
    /// 公共视图: listed to everyone who uses the list.
    pub shared: bool,
    pub updated_at: i64,
    pub version: i64,
}

impl From<SavedView> for SavedViewView {
    fn from(v: SavedView) -> Self {
        SavedViewView {
            id: v.id,
            owner_id: v.owner_id,
            shared: v.shared,
            kind: v.kind,
            name: v.name,
            query: v.query,
            columns: v.columns,
            is_default: v.is_default,
            updated_at: v.updated_at,
            version: v.version,
        }
    }
}
