//! `GET /api/v1/pipelines`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::pipeline::PipelineList;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::state::AppState;

/// Every pipeline of the org with its stages in order.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "list_pipelines",
    responses((status = 200, description = "Pipelines", body = PipelineList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/pipelines")]
pub async fn list_pipelines(state: web::Data<AppState>, caller: Caller) -> Result<Json<PipelineList>, ApiError> {
    let pipelines = state.store.list_pipelines(&caller.0).await?;
    Ok(Json(PipelineList {
        data: pipelines.into_iter().map(Into::into).collect(),
    }))
}
