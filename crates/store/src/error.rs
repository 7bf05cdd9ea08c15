//! Store errors. Unique indexes are named alike on both databases and each maps to one stable
//! code here, so "that username is taken" is decided in one place for both backends.

/// A unique index, the columns SQLite names when it is violated, and the client error code.
const UNIQUE_INDEXES: &[(&str, &str, &str)] = &[
    ("uq_users_username", "users.username", "user.username_taken"),
    ("uq_users_mobile", "users.mobile", "user.mobile_taken"),
    (
        "uq_org_units_sibling_name",
        "org_units.parent_id, org_units.name",
        "org_unit.name_taken",
    ),
    ("uq_roles_code", "roles.code", "role.code_taken"),
    ("uq_roles_name", "roles.name", "role.name_taken"),
    ("uq_positions_code", "positions.code", "position.code_taken"),
    ("uq_positions_name", "positions.name", "position.name_taken"),
    (
        "uq_customers_credit_code",
        "customers.credit_code",
        "customer.credit_code_taken",
    ),
    (
        "uq_customers_external_id",
        "customers.external_id",
        "customer.external_id_taken",
    ),
    (
        "uq_customer_pools_name",
        "customer_pools.name",
        "pool.name_taken",
    ),
    (
        "uq_saved_views_name",
        "saved_views.user_id, saved_views.kind, saved_views.name",
        "view.name_taken",
    ),
    (
        "uq_custom_fields_code",
        "custom_fields.entity, custom_fields.code",
        "custom_field.code_taken",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A named unique index refused the row; the code is the client-facing error code.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The row changed since the caller read it (optimistic locking).
    #[error("stale version")]
    Stale,
    #[error(transparent)]
    Db(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsafe database configuration: {0}")]
    UnsafeConfig(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            // PostgreSQL names the index; SQLite names the columns in its message.
            let found = UNIQUE_INDEXES.iter().find(|(index, cols, _)| {
                d.constraint() == Some(*index) || d.message().ends_with(&format!("failed: {cols}"))
            });
            if let Some((_, _, code)) = found {
                return Error::Conflict(code);
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return Error::NotFound;
        }
        Error::Db(e)
    }
}

impl Error {
    /// True for a transient "database is busy" failure the caller may retry.
    pub fn is_busy(&self) -> bool {
        match self {
            Error::Db(sqlx::Error::Database(d)) => {
                let code = d.code().unwrap_or_default();
                // SQLite BUSY/LOCKED (and extended codes); PostgreSQL serialization/deadlock.
                matches!(code.as_ref(), "5" | "6" | "517" | "261" | "40001" | "40P01")
            }
            Error::Db(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }
}
