//! `GET /api/v1/forecasts`, their accuracy and back-test, and the
//! adjustments and snapshots kept of them.

pub mod adjustments;
pub mod snapshots;

use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use glassbox_domain::forecast::FiscalPeriod;

use crate::dto::forecast::{AccuracyDto, AccuracyParams, BacktestDto, BacktestParams, ForecastDto, ForecastParams};
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

/// Every snapshot of a period measured against the period's closed won as
/// known now, by method: `weighted` (closed won + weighted pipeline),
/// `history` (expected + expected_new), `commit`, `best_case`; error =
/// forecast − actual, absolute percentage error = |error| / actual, and each
/// method's mean absolute percentage error (MAPE).
#[utoipa::path(
    tag = "forecasts",
    operation_id = "forecast_accuracy",
    params(AccuracyParams),
    responses((status = 200, description = "Accuracy", body = AccuracyDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecasts/accuracy")]
pub async fn forecast_accuracy(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<AccuracyParams>,
) -> Result<Json<AccuracyDto>, ApiError> {
    let period = FiscalPeriod::parse("period", &q.0.period)?;
    let org = state.store.get_org(&caller.0).await?;
    let rows = state.store.forecast_accuracy(&caller.0, period).await?;
    Ok(Json(AccuracyDto::new(period, org.base_currency, rows)))
}

/// Replays history so any org can check the forecasts' accuracy: at the
/// end of every month from `from` to `to`, the forecast of the next fiscal
/// quarter as it could have been made then (history read as of that
/// moment), by every method, against what that quarter actually won; with
/// each method's MAPE over the month-ends whose quarter won anything.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "forecast_backtest",
    params(BacktestParams),
    responses((status = 200, description = "The back-test", body = BacktestDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecasts/backtest")]
pub async fn forecast_backtest(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<BacktestParams>,
) -> Result<Json<BacktestDto>, ApiError> {
    let query = q.0.query()?;
    let org = state.store.get_org(&caller.0).await?;
    let points = state.store.forecast_backtest(&caller.0, &query).await?;
    Ok(Json(BacktestDto::new(org.base_currency, points)))
}
