//! `POST /api/v1/users`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use glassbox_domain::user::NewUser;

use crate::auth::{Caller, password};
use crate::dto::user::{CreateUser, UserDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::with_etag;
use crate::state::AppState;

/// Creates a user with an initial password (admin only).
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    responses((status = 201, description = "Created", body = UserDto), CreateProblems),
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
    Ok(with_etag(StatusCode::CREATED, created.version, &UserDto::from(created)))
}
