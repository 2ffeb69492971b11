//! Token endpoint wire types (OAuth 2.0 token response shape, RFC 6749 §5.1).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Sign-in with email and password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Email address.
    #[validate(length(min = 1, max = 254, message = "must be 1–254 characters"))]
    #[schema(format = "email", max_length = 254)]
    pub email: String,
    /// Password.
    #[validate(length(min = 1, max = 1024, message = "must be 1–1024 characters"))]
    #[schema(max_length = 1024, format = "password")]
    pub password: String,
    /// Org to sign in to; needed only when the same email and password exist in several orgs.
    pub org_id: Option<Uuid>,
}

/// A refresh token to exchange or revoke.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last token answer.
    #[validate(length(min = 1, max = 512, message = "must be 1–512 characters"))]
    #[schema(max_length = 512)]
    pub refresh_token: String,
}

/// Issued tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Bearer access token (JWT).
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Access-token lifetime, seconds.
    pub expires_in: i64,
    /// Single-use refresh token; each use returns a new one.
    pub refresh_token: String,
    /// Refresh-token lifetime, seconds.
    pub refresh_expires_in: i64,
}
