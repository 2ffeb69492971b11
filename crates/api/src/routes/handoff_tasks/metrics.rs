//! `GET /api/v1/handoff-tasks/metrics`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::handoff_metrics::{HandoffMetricsDto, HandoffMetricsQuery};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Response metrics of a team's handoff tasks created from `from` to `to`
/// (org-local days): count by status, median and p90 response time in
/// business minutes, response- and completion-SLA met %, mean rating, and
/// the win rate of deals closed in the window with at least one done task
/// of the team against those without.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "handoff_task_metrics",
    params(HandoffMetricsQuery),
    responses((status = 200, description = "The metrics", body = HandoffMetricsDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/handoff-tasks/metrics")]
pub async fn handoff_task_metrics(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<HandoffMetricsQuery>,
) -> Result<Json<HandoffMetricsDto>, ApiError> {
    let q = q.0;
    let m = state.store.handoff_metrics(&caller.0, q.team_id, q.from, q.to).await?;
    Ok(Json(m.into()))
}
