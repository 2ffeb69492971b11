//! `PATCH /api/v1/pipelines/{id}/stages/{stage_id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, patch, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::pipeline::{PatchStage, StageDto};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::routes::with_etag;
use crate::state::AppState;

/// Changes a stage's name, probability, forecast category, rotting days or
/// gates (admin only). Stage history keeps stage ids: nothing recorded is
/// rewritten.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "update_stage",
    request_body = PatchStage,
    params(
        ("id" = Uuid, Path, description = "Pipeline id"),
        ("stage_id" = Uuid, Path, description = "Stage id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "Updated", body = StageDto), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/pipelines/{id}/stages/{stage_id}")]
pub async fn update_stage(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: JsonBody<PatchStage>,
) -> Result<HttpResponse, ApiError> {
    let (pipeline_id, stage_id) = path.into_inner();
    let changes = body.0.parse()?;
    let stage = state
        .store
        .update_stage(&caller.0, pipeline_id, stage_id, changes, if_match.0)
        .await?;
    Ok(with_etag(StatusCode::OK, stage.version, &StageDto::from(stage)))
}
