//! Password hashing with argon2id (RFC 9106) at the `argon2` crate's
//! default parameters (19 MiB, 2 passes, 1 lane: OWASP's recommended
//! minimum), in PHC string format.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use glassbox_domain::DomainError;

/// Hashes a password.
///
/// # Errors
/// [`DomainError::Internal`] if hashing fails.
pub fn hash(password: &str) -> Result<String, DomainError> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| DomainError::Internal(format!("cannot encode salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("cannot hash password: {e}")))
}

/// True when `password` matches the PHC `hash`. A malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A valid hash of a random password: verified against when the email is
/// unknown, so an unknown email costs as much time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

/// Runs a CPU-heavy hashing closure off the async workers.
///
/// # Errors
/// [`DomainError::Internal`] if the blocking pool fails.
pub async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, DomainError> {
    actix_web::web::block(f)
        .await
        .map_err(|e| DomainError::Internal(format!("blocking pool failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse battery!", &h));
        assert!(!verify("anything", "not a hash"));
    }
}
