//! `POST /api/v1/handoff-tasks`: one handler.
use actix_web::{HttpResponse, post, web};

use crate::auth::Caller;
use crate::dto::handoff::{HandoffTaskDto, NewHandoffTaskInput};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::JsonBody;
use crate::routes::created;
use crate::state::AppState;

/// Asks a team for help on a deal by hand (a rep asking presales); the
/// caller is the requester. Due times follow the org's business calendar.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "create_handoff_task",
    request_body = NewHandoffTaskInput,
    responses((status = 201, description = "Created", body = HandoffTaskDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/handoff-tasks")]
pub async fn create_handoff_task(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewHandoffTaskInput>,
) -> Result<HttpResponse, ApiError> {
    let task = state.store.create_handoff_task(&caller.0, body.0.parse()?).await?;
    let now = state.store.clock().now();
    Ok(created(
        format!("/api/v1/handoff-tasks/{}", task.id),
        task.version,
        &HandoffTaskDto::new(task, now),
    ))
}
