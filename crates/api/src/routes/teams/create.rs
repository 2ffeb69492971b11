//! `POST /api/v1/teams`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::team::NewTeam;

use crate::auth::Caller;
use crate::dto::team::{CreateTeam, TeamDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created as created_at;
use crate::state::AppState;

/// Creates a team (admin only).
#[utoipa::path(
    tag = "teams",
    operation_id = "create_team",
    request_body = CreateTeam,
    responses((status = 201, description = "Created", headers(("Location" = String, description = "URL of the new record"), ("ETag" = String, description = "Quoted version")), body = TeamDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/teams")]
pub async fn create_team(state: web::Data<AppState>, caller: Caller, body: JsonBody<CreateTeam>) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let team = NewTeam::parse(b.id, &b.name, b.kind.into(), b.parent_team_id, b.manager_user_id, b.member_user_ids)?;
    let created = state.store.create_team(&caller.0, team).await?;
    Ok(created_at(
        format!("/api/v1/teams/{}", created.id),
        created.version,
        &TeamDto::from(created),
    ))
}
