//! `GET /api/v1/opportunities/totals`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::opportunity::{OpportunityQuery, OpportunityTotals};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Count and exact amount sum per currency and status over the filtered
/// opportunities (same filters as the list; paging parameters are checked
/// and otherwise ignored).
/// Summed in SQL as integers of minor units: exact on every backend.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "get_opportunity_totals",
    params(OpportunityQuery),
    responses((status = 200, description = "Totals", body = OpportunityTotals), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/totals")]
pub async fn get_opportunity_totals(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<OpportunityQuery>,
) -> Result<Json<OpportunityTotals>, ApiError> {
    let filter = q.0.filter()?;
    // Paging parameters do not apply, but bad ones are still refused.
    q.0.page()?;
    let totals = state.store.opportunity_totals(&caller.0, &filter).await?;
    Ok(Json(OpportunityTotals {
        data: totals.into_iter().map(Into::into).collect(),
    }))
}
