//! `GET /api/v1/pipelines/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::pipeline::PipelineDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One pipeline with its stages in order.
#[utoipa::path(
    tag = "pipelines",
    operation_id = "get_pipeline",
    params(("id" = Uuid, Path, description = "Pipeline id")),
    responses((status = 200, description = "The pipeline", body = PipelineDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let pipeline = state.store.get_pipeline(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, pipeline.version, &PipelineDto::from(pipeline)))
}
