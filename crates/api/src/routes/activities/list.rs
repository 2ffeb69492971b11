//! `GET /api/v1/activities`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::activity::{ActivityDto, ActivityQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Calls, meetings, visits, demos, emails and notes of the org, keyset-paginated by id.
#[utoipa::path(
    tag = "activities",
    operation_id = "list_activities",
    params(ActivityQuery),
    responses((status = 200, description = "One page", body = List<ActivityDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<ActivityQuery>,
) -> Result<Json<List<ActivityDto>>, ApiError> {
    let page_req = page_request(q.0.limit, q.0.cursor.as_deref())?;
    let page = state.store.list_activities(&caller.0, &q.0.filter(), page_req).await?;
    Ok(Json(List::from_page(page, ActivityDto::from)))
}
