//! `GET /api/v1/users/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::user::UserDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One user of the caller's org.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, description = "The user", body = UserDto, headers(("ETag" = String, description = "Quoted version"))), ReadProblems),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let user = state.store.get_user(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, user.version, &UserDto::from(user)))
}
