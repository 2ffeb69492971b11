//! `GET /api/v1/activities/changes`: one handler.
use actix_web::{get, web, web::Json};
use glassbox_persistence::changes::SyncedKind;

use crate::auth::Caller;
use crate::dto::activity::ActivityDto;
use crate::dto::changes::{ChangesPage, ChangesQuery};
use crate::error::ApiError;
use crate::error::responses::FeedProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Every create, update and delete of the org's activities after `cursor`,
/// in order, deletes as tombstones — the delta-sync feed of offline
/// clients. It never skips a change, even when writers commit out of order
/// (rows of transactions still running are held back; see the persistence
/// layer's `changes` module). Without a cursor it starts from the first
/// change, so replaying it from the start rebuilds the current set. A
/// cursor older than the change log's retention window (deleted records'
/// tombstones are pruned after `GLASSBOX_CHANGE_RETENTION_DAYS`, default 30)
/// answers 410 `resync_required`: sync again without a cursor.
#[utoipa::path(
    tag = "activities",
    operation_id = "activity_changes",
    params(ChangesQuery),
    responses((status = 200, description = "One page of changes", body = ChangesPage<ActivityDto>), FeedProblems),
    security(("bearer" = []))
)]
#[get("/activities/changes")]
pub async fn activity_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ChangesQuery>,
) -> Result<Json<ChangesPage<ActivityDto>>, ApiError> {
    let scope = &caller.0;
    let load = |ids| state.store.activities_by_ids(scope, ids);
    crate::routes::feed::page(&state, scope, SyncedKind::Activity, &q.0, load, |a| a.id, |a| a.clone().into()).await
}
