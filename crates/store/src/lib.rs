//! The only crate that knows SQL and which database is behind it. Every function takes an
//! open transaction ([`Tx`]) so the app layer decides what commits together (a change and its
//! audit row, always). Functions that read scoped records take a [`RecordScope`].

pub mod db;
pub mod error;
pub mod sql;

pub mod api_tokens;
pub mod attachments;
pub mod audit;
pub mod custom_fields;
pub mod customers;
pub mod derived;
pub mod imports;
pub mod jobs;
pub mod notifications;
pub mod org;
pub mod pools;
pub mod roles;
pub mod runners;
pub mod saved_views;
pub mod sessions;
pub mod territory;
pub mod throttle;
pub mod users;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use db::{Backend, Db, Planning, Tx};
pub use error::{Error, Result};
pub use salesdesk_domain::access::RecordScope;
pub use sql::Page;

#[cfg(test)]
mod story_tests;
