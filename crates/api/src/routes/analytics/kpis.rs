//! `GET /api/v1/analytics/kpis`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::report_query;
use crate::dto::kpis::{KpiParams, KpisDto};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Headline KPIs over the window as history stood at `as_of`: win rate
/// (won / (won + lost), the closed-deal win rate of Salesforce and HubSpot
/// reports), average sales cycle (mean days from creation to close of won
/// deals), average deal size (won amount / won deals), revenue per rep (won
/// amount / owners with deals created or closed in the window), customer
/// lifetime value as won revenue per account (won amount / accounts won),
/// open pipeline and pipeline coverage (open pipeline / remaining quota,
/// null without quotas). Aggregated in SQL.
#[utoipa::path(
    tag = "analytics",
    operation_id = "kpis",
    params(KpiParams),
    responses((status = 200, description = "The KPIs", body = KpisDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/kpis")]
pub async fn kpis(state: web::Data<AppState>, caller: Caller, q: QueryParams<KpiParams>) -> Result<Json<KpisDto>, ApiError> {
    let q = q.0;
    let query = report_query(q.owner_id, q.team_id, q.from, q.to, q.as_of.as_deref())?;
    let report = state.store.kpis(&caller.0, &query).await?;
    let org = state.store.get_org(&caller.0).await?;
    Ok(Json(KpisDto::new(report, &org.base_currency)))
}
