//! `GET /api/v1/forecasts`, and the adjustments managers make to them.

pub mod adjustments;

use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::forecast::{ForecastDto, ForecastParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The forecast of a fiscal period, per owner, team (members and sub-teams
/// rolled up) or for the org, with deals as they stood at `as_of` (stage,
/// amount, currency, close date, owner and forecast category read back
/// from history). Salesforce's cumulative roll-ups: closed_won (won within
/// the period's local days), commit = closed_won + open Commit, best_case =
/// commit + open Best Case, pipeline = open deals not Omitted closing in
/// the period; weighted = Σ amount × stage probability of the open deals
/// closing in the period; attainment = closed_won / quota; gap_to_quota =
/// quota − closed_won. Amounts are converted to the base currency at the
/// rate valid on each deal's close day; deals in a currency without one are
/// left out and their currency listed in `missing_rates`.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "forecast",
    params(ForecastParams),
    responses((status = 200, description = "The forecast", body = ForecastDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecasts")]
pub async fn forecast(state: web::Data<AppState>, caller: Caller, q: QueryParams<ForecastParams>) -> Result<Json<ForecastDto>, ApiError> {
    let query = q.0.query()?;
    let report = state.store.forecast(&caller.0, &query).await?;
    Ok(Json(ForecastDto::new(report)))
}
