//! `GET /api/v1/teams/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::team::TeamDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One team of the caller's org.
#[utoipa::path(
    tag = "teams",
    operation_id = "get_team",
    params(("id" = Uuid, Path, description = "Team id")),
    responses((status = 200, description = "The team", body = TeamDto, headers(("ETag" = String, description = "Quoted version"))), ReadProblems),
    security(("bearer" = []))
)]
#[get("/teams/{id}")]
pub async fn get_team(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let team = state.store.get_team(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, team.version, &TeamDto::from(team)))
}
