//! `GET /api/v1/opportunities/changes`: one handler.
use std::collections::HashMap;

use actix_web::{get, web, web::Json};
use glassbox_persistence::changes::SyncedKind;

use crate::auth::Caller;
use crate::dto::changes::{ChangesPage, ChangesQuery};
use crate::dto::opportunity::OpportunityDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Every create, update and delete of the org's opportunities after
/// `cursor`, in order, deletes as tombstones — the delta-sync feed of offline
/// clients, the same mechanism as the activities feed. It never skips a change, even when writers commit out of order
/// (rows of transactions still running are held back; see the persistence
/// layer's `changes` module). Without a cursor it starts from the first
/// change, so replaying it from the start rebuilds the current set.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "opportunity_changes",
    params(ChangesQuery),
    responses((status = 200, description = "One page of changes", body = ChangesPage<OpportunityDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/changes")]
pub async fn opportunity_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ChangesQuery>,
) -> Result<Json<ChangesPage<OpportunityDto>>, ApiError> {
    let (limit, after) = q.0.parse()?;
    let scope = &caller.0;
    let page = state.store.changes(scope, SyncedKind::Opportunity, after, limit).await?;
    let ids = page.items.iter().map(|c| c.record_id).collect();
    let current: HashMap<_, _> = state
        .store
        .opportunities_by_ids(scope, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(Json(ChangesPage::new(page, after, &current)))
}
