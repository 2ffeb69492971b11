//! `/api/v1/forecast-adjustments`: the history of managers' overrides.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web, web::Json};
use glassbox_domain::forecast::QuotaTarget;

use crate::auth::Caller;
use crate::dto::forecast::{AdjustmentDto, AdjustmentInput, AdjustmentList, AdjustmentQuery};
use crate::error::ApiError;
use crate::error::responses::{CreateProblems, ReadProblems};
use crate::extract::{JsonBody, QueryParams};
use crate::state::AppState;

/// Records a manager's override of a user's or a team's commit or best
/// case for a fiscal period, with a note (admins and managers). Nothing is
/// ever overwritten: the newest adjustment per target, period and category
/// is in force, and `GET /forecasts` shows it beside the computed value.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "create_forecast_adjustment",
    request_body = AdjustmentInput,
    responses((status = 201, description = "Recorded", body = AdjustmentDto), CreateProblems),
    security(("bearer" = []))
)]
#[post("/forecast-adjustments")]
pub async fn create_forecast_adjustment(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<AdjustmentInput>,
) -> Result<HttpResponse, ApiError> {
    let scope = &caller.0;
    let org = state.store.get_org(scope).await?;
    let adjustment = body.0.parse(&org)?;
    let saved = state.store.add_forecast_adjustment(scope, adjustment).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(AdjustmentDto::from(saved)))
}

/// The adjustment history, newest first; filter by period and target.
#[utoipa::path(
    tag = "forecasts",
    operation_id = "list_forecast_adjustments",
    params(AdjustmentQuery),
    responses((status = 200, description = "History", body = AdjustmentList), ReadProblems),
    security(("bearer" = []))
)]
#[get("/forecast-adjustments")]
pub async fn list_forecast_adjustments(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<AdjustmentQuery>,
) -> Result<Json<AdjustmentList>, ApiError> {
    let scope = &caller.0;
    let period = crate::routes::quotas::period_filter(&state, scope, q.0.period.as_deref()).await?;
    let target = QuotaTarget::from_ids(q.0.user_id, q.0.team_id, true)?;
    let rows = state.store.list_forecast_adjustments(scope, period, target).await?;
    Ok(Json(AdjustmentList {
        data: rows.into_iter().map(AdjustmentDto::from).collect(),
    }))
}
