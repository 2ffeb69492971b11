//! `PATCH /api/v1/teams/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use glassbox_domain::team::TeamChanges;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::team::{PatchTeam, TeamDto};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::{or_stale, with_etag};
use crate::state::AppState;

/// Changes a team (admin only); `null` clears parent or manager. Honours `If-Match`.
#[utoipa::path(
    tag = "teams",
    operation_id = "update_team",
    request_body = PatchTeam,
    params(
        ("id" = Uuid, Path, description = "Team id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version the change is based on")
    ),
    responses((status = 200, description = "Updated", body = TeamDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<PatchTeam>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let scope = &caller.0;
    let b = body.0;
    let changes = TeamChanges::parse(
        b.name.as_deref(),
        b.kind.map(Into::into),
        b.parent_team_id,
        b.manager_user_id,
        b.member_user_ids,
    )?;
    let result = state.store.update_team(scope, id, changes, if_match.0).await;
    let team = or_stale(result, || async {
        let team = state.store.get_team(scope, id).await?;
        Ok((team.version, TeamDto::from(team)))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, team.version, &TeamDto::from(team)))
}
