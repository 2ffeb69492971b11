//! `PATCH /api/v1/users/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use glassbox_domain::user::UserChanges;
use uuid::Uuid;

use crate::auth::{Caller, password};
use crate::dto::user::{PatchUser, UserDto};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a user. Admins change anyone; users change their own name,
/// email and password (with `current_password`). A password change or a
/// deactivation ends the user's other sessions (refresh tokens revoked).
/// Honours `If-Match`.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    request_body = PatchUser,
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version the change is based on")
    ),
    responses((status = 200, description = "Updated", body = UserDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<PatchUser>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let changes = UserChanges::parse(body.0.input())?;
    if changes.password.is_some() && id == scope.user_id {
        let current = body
            .0
            .current_password
            .clone()
            .ok_or_else(|| ApiError::field("current_password", "required", "give your current password to change it"))?;
        let stored = state.store.password_hash(scope, id).await?;
        if !password::off_thread(move || password::verify(&current, &stored)).await? {
            return Err(ApiError::field("current_password", "incorrect", "the current password is wrong"));
        }
    }
    let hash = match changes.password.clone() {
        Some(secret) => Some(password::off_thread(move || password::hash(secret.expose())).await??),
        None => None,
    };
    let result = state.store.update_user(scope, id, changes, hash, if_match.0).await;
    let user = or_stale(result, || async {
        let user = state.store.get_user(scope, id).await?;
        Ok((user.version, UserDto::from(user)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, user.version, &UserDto::from(user)))
}
