//! Sign-in, token refresh and sign-out.

pub mod logout;
pub mod refresh;
pub mod token;

use actix_web::HttpResponse;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::dto::auth::TokenResponse;
use crate::error::ApiError;
use crate::state::AppState;

/// Prefix of refresh tokens, so leaked ones are easy to recognise in scans.
const REFRESH_PREFIX: &str = "gbr_";

/// A new random refresh token and the SHA-256 hex digest that is stored.
/// (A fast hash suffices: the token has 256 bits of entropy.)
pub(crate) fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{REFRESH_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let digest = hash_refresh_token(&token);
    (token, digest)
}

/// SHA-256 hex digest of a presented refresh token.
pub(crate) fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The token answer for `user` of `org` with an already stored refresh token.
pub(crate) fn token_response(state: &AppState, org: Uuid, user: Uuid, refresh_token: String) -> Result<TokenResponse, ApiError> {
    let access_token = state.jwt.issue(org, user, state.store.clock().now())?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl().num_seconds(),
        refresh_token,
        refresh_expires_in: state.refresh_ttl.num_seconds(),
    })
}

/// Expiry instant of a refresh token issued now.
pub(crate) fn refresh_expiry(state: &AppState) -> chrono::DateTime<chrono::Utc> {
    state.store.clock().now() + state.refresh_ttl
}

/// A token answer that no cache may keep (RFC 6749 §5.1: `Cache-Control: no-store`).
pub(crate) fn no_store(body: TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((actix_web::http::header::PRAGMA, "no-cache"))
        .json(body)
}
