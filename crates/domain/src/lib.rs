//! SalesDesk's pure rules and types: parsed values that cannot hold invalid data,
//! the permission catalogue, data scopes and the org tree's materialised path.
//! Nothing here does I/O, so every rule can be unit- and property-tested directly.

/// A closed enum with stable string codes (database values, API values, i18n keys).
macro_rules! str_enum {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            pub fn parse(s: &str) -> Result<Self, &'static str> {
                match s { $($s => Ok(<$t>::$v),)* _ => Err("invalid_choice") }
            }
        }
    };
}

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod credit_code;
pub mod custom_field;
pub mod customer;
pub mod dedupe;
pub mod export;
pub mod import;
pub mod org;
pub mod password;
pub mod saved_view;
pub mod territory;
pub mod text;
pub mod user;
pub mod validation;

pub use validation::{FieldError, Invalid};
