//! `GET /api/v1/handoff-tasks`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::handoff::{HandoffTaskDto, HandoffTaskQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Handoff tasks in creation order, filtered, keyset-paginated.
#[utoipa::path(
    tag = "handoffs",
    operation_id = "list_handoff_tasks",
    params(HandoffTaskQuery),
    responses((status = 200, description = "One page", body = List<HandoffTaskDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/handoff-tasks")]
pub async fn list_handoff_tasks(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<HandoffTaskQuery>,
) -> Result<Json<List<HandoffTaskDto>>, ApiError> {
    let filter = q.0.filter()?;
    let page = state
        .store
        .list_handoff_tasks(&caller.0, &filter, page_request(q.0.limit, q.0.cursor.as_deref())?)
        .await?;
    let now = state.store.clock().now();
    Ok(Json(List::from_page(page, |t| HandoffTaskDto::new(t, now))))
}
