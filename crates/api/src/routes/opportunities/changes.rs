//! `GET /api/v1/opportunities/changes`: one handler.
use actix_web::{get, web, web::Json};
use glassbox_persistence::changes::SyncedKind;

use crate::auth::Caller;
use crate::dto::changes::{ChangesPage, ChangesQuery};
use crate::dto::opportunity::OpportunityDto;
use crate::error::ApiError;
use crate::error::responses::FeedProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Every create, update and delete of the org's opportunities after
/// `cursor`, in order, deletes as tombstones: the same feed and rules as
/// `GET /activities/changes` (never skips a change; no cursor replays the
/// current set; 410 `resync_required` for a cursor older than retention).
#[utoipa::path(
    tag = "opportunities",
    operation_id = "opportunity_changes",
    params(ChangesQuery),
    responses((status = 200, description = "One page of changes", body = ChangesPage<OpportunityDto>), FeedProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/changes")]
pub async fn opportunity_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ChangesQuery>,
) -> Result<Json<ChangesPage<OpportunityDto>>, ApiError> {
    let scope = &caller.0;
    let load = |ids| state.store.opportunities_by_ids(scope, ids);
    crate::routes::feed::page(&state, scope, SyncedKind::Opportunity, &q.0, load, |o| o.id, |o| o.clone().into()).await
}
