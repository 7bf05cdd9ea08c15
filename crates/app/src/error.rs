//! Errors a use case returns. Each maps to one HTTP status and one stable code in the http
//! crate; internal errors carry nothing a client should see.

use salesdesk_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not signed in")]
    Unauthenticated,
    /// Wrong name or password (deliberately the same for unknown, inactive and wrong).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("forbidden")]
    Forbidden,
    /// Missing, or outside the actor's data scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The record already exists (查重): same credit code or same name; the fields say which.
    #[error("duplicate: {0}")]
    Duplicate(Invalid),
    #[error("stale version")]
    Stale,
    #[error("rate limited")]
    RateLimited { retry_after_s: u64 },
    #[error("service busy")]
    Busy,
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<salesdesk_store::Error> for AppError {
    fn from(e: salesdesk_store::Error) -> Self {
        use salesdesk_store::Error as E;
        if e.is_busy() {
            return AppError::Busy;
        }
        match e {
            E::NotFound => AppError::NotFound,
            E::Conflict(code) => AppError::Conflict(code),
            E::Stale => AppError::Stale,
            other => AppError::Internal(other.to_string()),
        }
    }
}
