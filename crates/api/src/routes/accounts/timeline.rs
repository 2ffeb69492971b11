//! `GET /api/v1/accounts/{id}/timeline`: one handler.
use actix_web::{get, web, web::Json};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::timeline::{TimelineEntryDto, TimelinePage, TimelineQuery, encode_cursor};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The account's timeline, newest first: its opportunities' creation, their
/// stage changes, activities on the account or its opportunities, and the
/// handoff tasks of its opportunities — the shared customer view every
/// department reads. Keyset-paginated on (`at`, `id`).
#[utoipa::path(
    tag = "accounts",
    operation_id = "account_timeline",
    params(("id" = Uuid, Path, description = "Account id"), TimelineQuery),
    responses((status = 200, description = "One page", body = TimelinePage), ReadProblems),
    security(("bearer" = []))
)]
#[get("/accounts/{id}/timeline")]
pub async fn account_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    q: QueryParams<TimelineQuery>,
) -> Result<Json<TimelinePage>, ApiError> {
    let page = state.store.account_timeline(&caller.0, id.into_inner(), q.0.page()?).await?;
    let now = state.store.clock().now();
    Ok(Json(TimelinePage {
        next_cursor: page.next_after.map(encode_cursor),
        data: page.items.into_iter().map(|e| TimelineEntryDto::new(e, now)).collect(),
    }))
}
