//! `POST /api/v1/teams`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use glassbox_domain::team::NewTeam;

use crate::auth::Caller;
use crate::dto::team::{CreateTeam, TeamDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::with_etag;
use crate::state::AppState;

/// Creates a team (admin only).
#[utoipa::path(
    tag = "teams",
    operation_id = "create_team",
    request_body = CreateTeam,
    responses((status = 201, description = "Created", body = TeamDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/teams")]
pub async fn create_team(state: web::Data<AppState>, caller: Caller, body: JsonBody<CreateTeam>) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let team = NewTeam::parse(b.id, &b.name, b.kind.into(), b.parent_team_id, b.manager_user_id, b.member_user_ids)?;
    let created = state.store.create_team(&caller.0, team).await?;
    Ok(with_etag(StatusCode::CREATED, created.version, &TeamDto::from(created)))
}
