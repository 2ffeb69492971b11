//! `POST /api/v1/handoff-tasks/{id}/accept`: one handler.
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

/// Takes an open task (the caller becomes the assignee unless one is set); ends the response clock. 409 from any other status.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "accept_handoff_task",
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "The task", body = HandoffTaskDto), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks/{id}/accept")]
pub async fn accept_handoff_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    super::act(&state, &caller, id.into_inner(), TaskStep::Action(TaskAction::Accept), if_match.0).await
}
