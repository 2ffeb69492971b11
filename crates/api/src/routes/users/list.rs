//! `GET /api/v1/users`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::user::UserDto;
use crate::dto::{List, PageParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Users of the caller's org, oldest first, keyset-paginated.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(PageParams),
    responses((status = 200, description = "One page of users", body = List<UserDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(state: web::Data<AppState>, caller: Caller, q: QueryParams<PageParams>) -> Result<Json<List<UserDto>>, ApiError> {
    let page = state.store.list_users(&caller.0, q.0.to_request()?).await?;
    Ok(Json(List::from_page(page, UserDto::from)))
}
