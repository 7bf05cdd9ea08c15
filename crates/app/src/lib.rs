//! SalesDesk's use cases. Every entry point takes the [`Actor`] it runs for, checks the
//! permission, opens one transaction, calls store functions and domain rules, writes the
//! audit row in the same transaction and commits. HTTP handlers and jobs call only this.

pub mod actor;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod auth_cache;
pub mod bootstrap;
pub mod custom_fields;
pub mod customers;
pub mod demo;
mod demo_customers;
mod demo_files;
pub mod demo_life;
mod demo_territory;
pub mod error;
pub mod imports;
pub mod notifications;
pub mod org;
pub mod passwords;
pub mod people;
pub mod pools;
pub mod reference_cache;
pub mod roles;
pub mod runners;
pub mod saved_views;
pub mod territory;

pub use actor::{Actor, Via};
pub use error::{AppError, AppResult};
pub use salesdesk_store::Db;

/// Sign-in and session policy. Defaults follow ASVS L2; the binary reads them from config.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session_idle_ms: i64,
    pub session_absolute_ms: i64,
    /// Failed sign-ins per account name within the window before it is throttled.
    pub max_failures_per_account: i64,
    /// Failed sign-ins per client address within the window before it is throttled.
    pub max_failures_per_ip: i64,
    pub failure_window_ms: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_idle_ms: 2 * 3600 * 1000,
            session_absolute_ms: 12 * 3600 * 1000,
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            failure_window_ms: 15 * 60 * 1000,
        }
    }
}

/// The application: the database and the policies every use case shares.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub auth: AuthSettings,
    /// The imports running in this process (their progress).
    pub imports: std::sync::Arc<imports::ImportBoard>,
    /// Where attachment bytes are kept (under the data directory).
    pub files: attachments::FileStore,
    /// This process, as the runner of the background work it starts.
    pub runner: std::sync::Arc<runners::Runner>,
    /// The company calendar: where days, weeks, months and quarters begin.
    pub calendar: std::sync::Arc<salesdesk_domain::calendar::Calendar>,
    /// Signed-in actors in memory (see `auth_cache`).
    pub auth_cache: std::sync::Arc<auth_cache::AuthCache>,
    /// The settings every customer list reads, in memory (see `reference_cache`).
    pub reference_cache: std::sync::Arc<reference_cache::ReferenceCache>,
    /// The lists of customers' pages last read, in memory (see `customers::PageCache`).
    pub customer_pages: std::sync::Arc<customers::PageCache>,
    /// How customer lists are read: the count's cap (past it a list says "more than") and
    /// whether pages sorted by a follow-up time walk their indexes.
    pub list_plan: salesdesk_store::customers::ListPlan,
}

impl App {
    /// `files_dir` holds attachments; every instance serving one database must share it.
    pub fn new(db: Db, auth: AuthSettings, files_dir: impl Into<std::path::PathBuf>) -> Self {
        App {
            db,
            auth,
            imports: Default::default(),
            files: attachments::FileStore::new(files_dir),
            runner: runners::Runner::this_process(),
            calendar: Default::default(),
            auth_cache: Default::default(),
            reference_cache: Default::default(),
            customer_pages: Default::default(),
            list_plan: Default::default(),
        }
    }

    /// The same application with the company calendar in `time_zone` (an IANA name).
    pub fn with_time_zone(mut self, time_zone: &str) -> Result<Self, &'static str> {
        self.calendar = std::sync::Arc::new(salesdesk_domain::calendar::Calendar::new(time_zone)?);
        Ok(self)
    }
}

/// What a request carries that the audit log records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: String,
    pub user_agent: String,
}

/// The current instant in epoch milliseconds (UTC).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A page request as the API takes it; the size is capped so no request reads a whole table.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

pub const MAX_PAGE_SIZE: u32 = 200;

impl PageRequest {
    pub fn to_store(self) -> salesdesk_store::Page {
        let size = self.page_size.clamp(1, MAX_PAGE_SIZE) as i64;
        let page = self.page.max(1) as i64;
        salesdesk_store::Page {
            limit: size,
            offset: (page - 1) * size,
        }
    }
}

impl PageRequest {
    /// The page of `items` this request asked for, as the API returns it.
    pub fn paged<T>(self, items: Vec<T>, total: i64) -> Paged<T> {
        Paged {
            items,
            total,
            page: self.page.max(1),
            page_size: self.to_store().limit as u32,
        }
    }
}

/// One page of a list and the total number of matching records.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// The records use cases return, re-exported so the HTTP layer never reaches into the store.
pub mod records {
    pub use salesdesk_store::api_tokens::ApiTokenRow;
    pub use salesdesk_store::attachments::AttachmentRow;
    pub use salesdesk_store::audit::{AuditFilter, AuditRow};
    pub use salesdesk_store::customers::{
        CollaboratorRow, ContactRow, CustomerRow, CustomerSort, FollowupRow, LimitRow, OptionRow,
        OwnerHistoryRow,
    };
    pub use salesdesk_store::org::OrgUnitRow;
    pub use salesdesk_store::pools::PoolRow;
    pub use salesdesk_store::roles::{PositionRow, RoleWithGrants};
    pub use salesdesk_store::territory::{ScenarioRow, TerritoryRow, UnitRow as TerritoryUnitRow};
    pub use salesdesk_store::users::{AssignmentRow, UserRow, UserSort};
}
