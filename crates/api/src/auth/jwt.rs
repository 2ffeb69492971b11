//! Access tokens: HS256 JWTs (RFC 7519) with the algorithm pinned.
//!
//! Decoding accepts only HS256 (no `none`, no algorithm switching) and
//! requires `iss`, `aud`, `sub`, `exp` and `nbf`. Expiry and not-before are
//! checked against the injected clock rather than the system clock, so a
//! server running on a test clock judges its own tokens consistently.

use chrono::{DateTime, Duration, Utc};
use glassbox_domain::DomainError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Token issuer (`iss`).
pub const ISSUER: &str = "glassbox";
/// Token audience (`aud`).
pub const AUDIENCE: &str = "glassbox-api";
/// Allowed clock skew, seconds, for `exp` and `nbf`.
pub const LEEWAY_SECONDS: i64 = 30;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Org id.
    pub org: Uuid,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Token id.
    pub jti: Uuid,
}

/// Signing and verification keys.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Keys from a secret; tokens live `ttl`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] if the key cannot be built.
    pub fn new(secret: &SecretString, ttl: Duration) -> Result<Self, DomainError> {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let key_err = |e: jsonwebtoken::errors::Error| DomainError::Internal(format!("cannot build JWT key: {e}"));
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes).map_err(key_err)?,
            decoding: DecodingKey::from_secret(bytes).map_err(key_err)?,
            validation,
            ttl,
        })
    }

    /// Lifetime of issued tokens.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues a token for `user` of `org` at `now`.
    ///
    /// # Errors
    /// [`DomainError::Internal`] if signing fails.
    pub fn issue(&self, org: Uuid, user: Uuid, now: DateTime<Utc>) -> Result<String, DomainError> {
        let claims = Claims {
            sub: user,
            org,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            jti: Uuid::now_v7(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::Internal(format!("cannot sign token: {e}")))
    }

    /// Verifies a token's signature and claims at `now`.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] when it is malformed, tampered,
    /// signed otherwise, expired or not yet valid.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, DomainError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "access token refused");
            DomainError::Unauthenticated("invalid access token".into())
        })?;
        let claims = data.claims;
        let t = now.timestamp();
        if claims.exp + LEEWAY_SECONDS <= t {
            return Err(DomainError::Unauthenticated("access token expired; refresh it".into()));
        }
        if claims.nbf - LEEWAY_SECONDS > t {
            return Err(DomainError::Unauthenticated("access token not valid yet".into()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> JwtKeys {
        JwtKeys::new(&SecretString::from("x".repeat(40)), Duration::minutes(15)).unwrap()
    }

    #[test]
    fn token_is_valid_until_expiry_on_the_given_clock() {
        let k = keys();
        let t0: DateTime<Utc> = "2017-03-01T09:00:00Z".parse().unwrap();
        let token = k.issue(Uuid::now_v7(), Uuid::now_v7(), t0).unwrap();
        assert!(k.verify(&token, t0 + Duration::minutes(14)).is_ok());
        assert!(k.verify(&token, t0 + Duration::minutes(16)).is_err());
        assert!(k.verify(&token, t0 - Duration::minutes(5)).is_err());
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        let k = keys();
        let t0: DateTime<Utc> = "2017-03-01T09:00:00Z".parse().unwrap();
        let token = k.issue(Uuid::now_v7(), Uuid::now_v7(), t0).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none_header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(k.verify(&format!("{none_header}.{}.", parts[1]), t0).is_err());
        let mut payload = String::from_utf8(b64.decode(parts[1]).unwrap()).unwrap();
        payload = payload.replacen("\"iss\":\"glassbox\"", "\"iss\":\"glassbox \"", 1);
        assert!(k.verify(&format!("{}.{}.{}", parts[0], b64.encode(payload), parts[2]), t0).is_err());
        let other = JwtKeys::new(&SecretString::from("y".repeat(40)), Duration::minutes(15)).unwrap();
        assert!(other.verify(&token, t0).is_err());
    }
}
