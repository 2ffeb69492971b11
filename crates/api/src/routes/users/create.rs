//! `POST /api/v1/users`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::user::NewUser;

use crate::auth::{Caller, password};
use crate::dto::user::{CreateUser, UserDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created as created_at;
use crate::state::AppState;

/// Creates a user with an initial password (admin only).
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    responses((status = 201, description = "Created", headers(("Location" = String, description = "URL of the new record"), ("ETag" = String, description = "Quoted version")), body = UserDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(state: web::Data<AppState>, caller: Caller, body: JsonBody<CreateUser>) -> Result<HttpResponse, ApiError> {
    let user = NewUser::parse(body.0.input())?;
    if !caller.0.is_admin() {
        return Err(glassbox_domain::DomainError::Forbidden("only an admin may create users".into()).into());
    }
    let secret = user.password.clone();
    let hash = password::off_thread(move || password::hash(secret.expose())).await??;
    let created = state.store.create_user(&caller.0, user, hash).await?;
    Ok(created_at(
        format!("/api/v1/users/{}", created.id),
        created.version,
        &UserDto::from(created),
    ))
}
