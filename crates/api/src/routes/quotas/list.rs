//! `GET /api/v1/quotas`: one handler.
use actix_web::{get, web, web::Json};
use glassbox_persistence::forecast::QuotaFilter;

use crate::auth::Caller;
use crate::dto::quota::{QuotaDto, QuotaQuery};
use crate::dto::{List, page_request};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The org's quotas, keyset-paginated by id; filter by user, team or
/// fiscal period (the quotas set for exactly that period).
#[utoipa::path(
    tag = "quotas",
    operation_id = "list_quotas",
    params(QuotaQuery),
    responses((status = 200, description = "One page", body = List<QuotaDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/quotas")]
pub async fn list_quotas(state: web::Data<AppState>, caller: Caller, q: QueryParams<QuotaQuery>) -> Result<Json<List<QuotaDto>>, ApiError> {
    let scope = &caller.0;
    let page_req = page_request(q.0.limit, q.0.cursor.as_deref())?;
    let period = crate::routes::quotas::period_filter(&state, scope, q.0.period.as_deref()).await?;
    let filter = QuotaFilter {
        user_id: q.0.user_id,
        team_id: q.0.team_id,
        period,
    };
    let page = state.store.list_quotas(scope, &filter, page_req).await?;
    Ok(Json(List::from_page(page, QuotaDto::from)))
}
