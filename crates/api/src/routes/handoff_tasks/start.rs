//! `POST /api/v1/handoff-tasks/{id}/start`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::handoff::TaskAction;
use glassbox_persistence::handoffs::TaskStep;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::HandoffTaskDto;
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::IfMatch;
use crate::state::AppState;

/// Starts work on an accepted task. 409 from any other status.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "start_handoff_task",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "The task", body = HandoffTaskDto), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks/{id}/start")]
pub async fn start_handoff_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    super::act(&state, &caller, id.into_inner(), TaskStep::Action(TaskAction::Start), if_match.0).await
}
