//! `GET /api/v1/analytics/rep-performance`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::report_query;
use crate::dto::rep_performance::{RepPerformanceDto, RepPerformanceParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Per rep over the window, as history stood at `as_of`: deals created,
/// won and lost, win rate (won / (won + lost)), won amount, average deal
/// size (won amount / won), median sales cycle (creation to close of won
/// deals), activities by type, activities per won deal, median days between
/// activities on open deals, share of closed deals with a demo before
/// close; the pooled figures of everyone; and `top_quartile_vs_rest`, the
/// mean of each behaviour figure over the top 25 % of reps by won amount
/// against the rest — what winners do, to make the team's standard.
#[utoipa::path(
    tag = "analytics",
    operation_id = "rep_performance",
    params(RepPerformanceParams),
    responses((status = 200, description = "Rep performance", body = RepPerformanceDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/rep-performance")]
pub async fn rep_performance(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<RepPerformanceParams>,
) -> Result<Json<RepPerformanceDto>, ApiError> {
    let q = q.0;
    let query = report_query(None, q.team_id, q.from, q.to, q.as_of.as_deref())?;
    let report = state.store.rep_performance(&caller.0, &query).await?;
    let org = state.store.get_org(&caller.0).await?;
    Ok(Json(RepPerformanceDto::new(report, &org.base_currency)))
}
