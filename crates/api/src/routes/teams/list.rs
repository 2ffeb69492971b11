//! `GET /api/v1/teams`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::team::TeamDto;
use crate::dto::{List, PageParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Teams of the caller's org, oldest first, keyset-paginated.
#[utoipa::path(
    tag = "teams",
    operation_id = "list_teams",
    params(PageParams),
    responses((status = 200, description = "One page of teams", body = List<TeamDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/teams")]
pub async fn list_teams(state: web::Data<AppState>, caller: Caller, q: QueryParams<PageParams>) -> Result<Json<List<TeamDto>>, ApiError> {
    let page = state.store.list_teams(&caller.0, q.0.to_request()?).await?;
    Ok(Json(List::from_page(page, TeamDto::from)))
}
