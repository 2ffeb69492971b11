//! `DELETE /api/v1/teams/{id}`: one handler.
use actix_web::{HttpResponse, delete, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::team::TeamDto;
use crate::error::ApiError;
use crate::error::responses::DeleteProblems;
use crate::extract::IfMatch;
use crate::routes::or_stale;
use crate::state::AppState;

/// Deletes a team without sub-teams (admin only). Honours `If-Match`.
#[utoipa::path(
    tag = "teams",
    operation_id = "delete_team",
    params(
        ("id" = Uuid, Path, description = "Team id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version the deletion is based on")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/teams/{id}")]
pub async fn delete_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let result = state.store.delete_team(scope, id, if_match.0).await;
    or_stale(result, || async {
        let team = state.store.get_team(scope, id).await?;
        Ok((team.version, TeamDto::from(team)))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
