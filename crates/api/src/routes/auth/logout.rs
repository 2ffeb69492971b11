//! `POST /api/v1/auth/logout`: one handler.
use actix_web::{HttpResponse, post, web};

use super::hash_refresh_token;
use crate::dto::auth::RefreshRequest;
use crate::error::ApiError;
use crate::error::responses::AuthProblems;
use crate::extract::JsonBody;
use crate::state::AppState;

/// Signs out: revokes the refresh token and every token of its sign-in.
/// Idempotent; access tokens already issued expire on their own (15 min).
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"), AuthProblems)
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: JsonBody<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    state
        .store
        .revoke_refresh_family_of(&hash_refresh_token(&body.0.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
