//! Argon2id password hashing (m=19 MiB, t=2, p=1: the crate's defaults, ASVS 2.4). Hashing
//! takes ~0.1 s of CPU, so it runs on the blocking pool and only after rate limits passed.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{AppError, AppResult};

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

pub async fn hash(password: String) -> AppResult<String> {
    let _permit = HASH_PERMITS
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies a password. With no stored hash it still spends the same work on a dummy hash,
/// so response time does not tell whether an account exists.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASH_PERMITS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&stored)
            .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        ok && real
    })
    .await
    .unwrap_or(false)
}

/// An Argon2id hash of a random password nobody knows, made once with the same parameters.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(random_token().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Hashing costs 19 MiB and ~0.1 s of a core: at most this many run at once, so a burst of
/// sign-ins cannot exhaust memory or starve other requests (the rest queue here).
static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// 32 random bytes as hex: session tokens, API tokens, generated passwords.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A temporary password a person can type: 12 characters from an unambiguous alphabet.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut b = [0u8; 12];
    OsRng.fill_bytes(&mut b);
    b.iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect()
}

/// SHA-256 of a token: what the database stores, so a leaked table opens no session.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify_round_trips_and_uses_argon2id_defaults() {
        let h = hash("销售-Secret-2026".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("销售-Secret-2026".into(), Some(h.clone())).await);
        assert!(!verify("销售-Secret-2027".into(), Some(h)).await);
    }

    #[tokio::test]
    async fn missing_hash_never_verifies() {
        assert!(!verify("anything".into(), None).await);
    }

    #[test]
    fn dummy_hash_parses_so_it_costs_a_real_verification() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn temporary_passwords_are_random_and_long_enough() {
        let (a, b) = (temporary_password(), temporary_password());
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
    }
}
