//! `POST /api/v1/auth/refresh`: one handler.
use actix_web::{HttpResponse, post, web};

use super::{hash_refresh_token, new_refresh_token, no_store, refresh_expiry, token_response};
use crate::dto::auth::{RefreshRequest, TokenResponse};
use crate::error::ApiError;
use crate::error::responses::AuthProblems;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Exchanges a refresh token for new tokens. Each refresh token works once;
/// presenting a used one revokes every token of that sign-in (RFC 9700
/// §4.14.2 refresh-token rotation with reuse detection).
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body = RefreshRequest,
    responses((status = 200, description = "New tokens", body = TokenResponse), AuthProblems)
)]
#[post("/auth/refresh")]
pub async fn refresh_token(state: web::Data<AppState>, body: JsonBody<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let presented = hash_refresh_token(&body.0.refresh_token);
    let (refresh, digest) = new_refresh_token();
    let owner = state.store.rotate_refresh_token(&presented, digest, refresh_expiry(&state)).await?;
    Ok(no_store(token_response(&state, owner.org_id, owner.user_id, refresh)?))
}
