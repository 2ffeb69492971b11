//! `GET /api/v1/handoff-tasks/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::HandoffTaskDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One handoff task.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "get_handoff_task",
    params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The task", body = HandoffTaskDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/handoff-tasks/{id}")]
pub async fn get_handoff_task(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let task = state.store.get_handoff_task(&caller.0, id.into_inner()).await?;
    let now = state.store.clock().now();
    Ok(with_etag(StatusCode::OK, task.version, &HandoffTaskDto::new(task, now)))
}
