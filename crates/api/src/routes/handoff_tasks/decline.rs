//! `POST /api/v1/handoff-tasks/{id}/decline`: one handler.
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

/// Refuses an open or accepted task; `reason` is required. Ends the response clock. 409 from any other status.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "decline_handoff_task",
    request_body = TaskActionInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "The task", body = HandoffTaskDto), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks/{id}/decline")]
pub async fn decline_handoff_task(
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
        TaskStep::Action(TaskAction::Decline(body.0.reason.clone().unwrap_or_default())),
        if_match.0,
    )
    .await
}
