//! `POST /api/v1/activities/batch`: one handler.
use actix_web::{post, web, web::Json};
use glassbox_persistence::activities_batch::MAX_BATCH;

use crate::auth::Caller;
use crate::dto::activity_batch::{ActivityBatchInput, BatchResults, parse_item};
use crate::error::ApiError;
use crate::error::responses::CreateProblems;
use crate::extract::RawJson;
use crate::state::AppState;

/// Upserts up to 500 activities with client-generated ids (offline sync).
/// Each item is answered on its own, in request order: `created`,
/// `updated`, `unchanged` (already stored as sent; nothing written),
/// `conflict` (the item's `version` is not the stored one, or the record
/// was deleted; the answer holds the server's record) or `invalid` (with
/// problem details). The valid items are written in one transaction;
/// invalid or conflicting ones do not stop the others. Replaying a batch
/// writes nothing new; with the same `Idempotency-Key` it returns the
/// identical body. More than 500 items is 413.
#[utoipa::path(
    tag = "activities",
    operation_id = "upsert_activities",
    request_body = ActivityBatchInput,
    responses((status = 200, description = "One answer per item", body = BatchResults), CreateProblems),
    security(("bearer" = []))
)]
#[post("/activities/batch")]
pub async fn upsert_activities(state: web::Data<AppState>, caller: Caller, body: RawJson) -> Result<Json<BatchResults>, ApiError> {
    let items = ActivityBatchInput::parse(body.0)?.items;
    if items.len() > MAX_BATCH {
        return Err(ApiError::BatchTooLarge { max: MAX_BATCH });
    }
    let scope = &caller.0;
    let now = state.store.clock().now();
    let parsed = items.into_iter().map(|raw| parse_item(raw, scope, now)).collect();
    let outcomes = state.store.upsert_activities(scope, parsed).await?;
    Ok(Json(BatchResults {
        results: outcomes.into_iter().map(Into::into).collect(),
    }))
}
