//! `GET /api/v1/analytics/stalled-opportunities`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::{StalledPage, StalledParams, report_query};
use crate::dto::{encode_time_cursor, time_page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

const CURSOR_PREFIX: &str = "s1|";

/// Open deals (at `as_of`) whose time in their current stage exceeds the
/// stage's `rotting_days` (Pipedrive's "rotting" rule) or, when the stage
/// has none, the 80th percentile of the days won deals spent in it (stays
/// finished by `as_of`, Hyndman & Fan definition 7). Each row names the
/// rule, the days in stage, the threshold and the last activity. Longest in
/// stage first, keyset-paginated.
#[utoipa::path(
    tag = "analytics",
    operation_id = "stalled_opportunities",
    params(StalledParams),
    responses((status = 200, description = "One page", body = StalledPage), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/stalled-opportunities")]
pub async fn stalled_opportunities(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<StalledParams>,
) -> Result<Json<StalledPage>, ApiError> {
    let q = q.0;
    let report = report_query(q.owner_id, q.team_id, None, None, q.as_of.as_deref())?;
    let page = time_page_request(q.limit, q.cursor.as_deref(), CURSOR_PREFIX)?;
    let page = state.store.stalled_opportunities(&caller.0, &report, page).await?;
    Ok(Json(StalledPage {
        next_cursor: page.next_after.map(|k| encode_time_cursor(k, CURSOR_PREFIX)),
        data: page.items.into_iter().map(Into::into).collect(),
    }))
}
