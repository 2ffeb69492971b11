//! `POST /api/v1/pipelines`: one handler.
use actix_web::{HttpResponse, post, web};

use crate::auth::Caller;
use crate::dto::pipeline::{CreatePipeline, PipelineDto};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Creates a pipeline with its stages in order (admin only).
#[utoipa::path(
    tag = "pipelines",
    operation_id = "create_pipeline",
    request_body = CreatePipeline,
    responses((status = 201, description = "Created", body = PipelineDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/pipelines")]
pub async fn create_pipeline(state: web::Data<AppState>, caller: Caller, body: JsonBody<CreatePipeline>) -> Result<HttpResponse, ApiError> {
    let (id, name, stages) = body.0.parse()?;
    let pipeline = state.store.create_pipeline(&caller.0, id, name.as_str(), &stages).await?;
    Ok(created(
        format!("/api/v1/pipelines/{}", pipeline.id),
        pipeline.version,
        &PipelineDto::from(pipeline),
    ))
}
