//! Views of notifications (通知).

use salesdesk_app::notifications::Notification;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A notification. The UI writes its message from `kind` and `data`, in the reader's language.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationView {
    pub id: Uuid,
    /// followup_due | reclaim_warning | forgotten | customers_received
    pub kind: String,
    /// customer, when it is about one record.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// followup_due: customerName, dueAt. reclaim_warning: customerName, poolName, dueAt,
    /// reason (no_followup | no_deal). forgotten: count. customers_received: count,
    /// customerName (the first), byName, change (transferred | assigned | handed_over).
    pub data: serde_json::Value,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind,
            entity_type: n.entity_type,
            entity_id: n.entity_id,
            data: n.data,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    /// How many of all my notifications are unread.
    pub unread: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnreadView {
    pub unread: i64,
}

/// How many notifications a "mark all read" marked.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkedView {
    pub marked: u64,
}
