//! `GET /api/v1/handoff-tasks/changes`: one handler.
use actix_web::{get, web, web::Json};
use glassbox_persistence::changes::SyncedKind;

use crate::auth::Caller;
use crate::dto::changes::{ChangesPage, ChangesQuery};
use crate::dto::handoff::HandoffTaskDto;
use crate::error::ApiError;
use crate::error::responses::FeedProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Every change of the org's handoff tasks after `cursor`, in order:
/// created by hand or by a stage rule, each lifecycle action and rating,
/// and the cancellations a closed deal causes. The same feed and rules as
/// `GET /activities/changes` (never skips a change; no cursor replays the
/// current set; 410 `resync_required` for a cursor older than retention).
/// Tasks are never deleted, so this feed has no tombstones.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "handoff_task_changes",
    params(ChangesQuery),
    responses((status = 200, description = "One page of changes", body = ChangesPage<HandoffTaskDto>), FeedProblems),
    security(("bearer" = []))
)]
#[get("/handoff-tasks/changes")]
pub async fn handoff_task_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ChangesQuery>,
) -> Result<Json<ChangesPage<HandoffTaskDto>>, ApiError> {
    let scope = &caller.0;
    let now = state.store.clock().now();
    let load = |ids| state.store.handoff_tasks_by_ids(scope, ids);
    let to_dto = |t: &glassbox_domain::handoff::HandoffTask| HandoffTaskDto::new(t.clone(), now);
    crate::routes::feed::page(&state, scope, SyncedKind::HandoffTask, &q.0, load, |t| t.id, to_dto).await
}
