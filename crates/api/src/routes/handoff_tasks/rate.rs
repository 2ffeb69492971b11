//! `POST /api/v1/handoff-tasks/{id}/rate`: one handler.
use actix_web::{HttpResponse, post, web};
use glassbox_persistence::handoffs::TaskStep;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::handoff::{HandoffTaskDto, RateTaskInput};
use crate::error::ApiError;
use crate::error::responses::UpdateProblems;
use crate::extract::{IfMatch, JsonBody};
use crate::state::AppState;

/// The requester rates a done task 1–5 with an optional comment, once
/// (409 when not done or already rated; 403 for anyone else).
#[utoipa::path(
    tag = "handoffs",
    operation_id = "rate_handoff_task",
    request_body = RateTaskInput,
    params(
        ("id" = Uuid, Path, description = "Id"),
        ("If-Match" = Option<String>, Header, description = "Quoted version")
    ),
    responses((status = 200, description = "The task", body = HandoffTaskDto), UpdateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks/{id}/rate")]
pub async fn rate_handoff_task(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<RateTaskInput>,
) -> Result<HttpResponse, ApiError> {
    let step = TaskStep::Rate {
        rating: body.0.rating,
        comment: body.0.comment.clone(),
    };
    super::act(&state, &caller, id.into_inner(), step, if_match.0).await
}
