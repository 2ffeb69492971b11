//! `POST /api/v1/handoff-tasks/{id}/cancel`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_domain::handoff::TaskAction;
use glassbox_persistence::handoffs::TaskStep;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::{HandoffTaskDto, TaskActionInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::state::AppState;

/// Withdraws a waiting task (the requester, the assignee team or an admin), with an optional `reason`. 409 from any other status.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "cancel_handoff_task",
    request_body = TaskActionInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "The task", body = HandoffTaskDto), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks/{id}/cancel")]
pub async fn cancel_handoff_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<TaskActionInput>,
) -> Result<HttpResponse, ApiError> {
    super::act(
        &state,
        &caller,
        id.into_inner(),
        TaskStep::Action(TaskAction::Cancel(body.0.reason.clone())),
        if_match.0,
    )
    .await
}
