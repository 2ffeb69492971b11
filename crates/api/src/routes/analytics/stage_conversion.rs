//! `GET /api/v1/analytics/stage-conversion`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::{FunnelParams, StageConversionDto};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Stage conversion: for each stage, the deals that entered it from `from`
/// to `to` and the share of them won, lost or still open at `as_of` — the
/// history-based stage probabilities (P(won | entered stage) = won / count)
/// — and the stage-to-stage transition counts of the moves entered in the
/// window. Like the funnel, read from rollups for a day `as_of` (or none)
/// and from stage history for a timestamp, with the same numbers.
#[utoipa::path(
    tag = "analytics",
    operation_id = "stage_conversion",
    params(FunnelParams),
    responses((status = 200, description = "Stage conversion", body = StageConversionDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/stage-conversion")]
pub async fn stage_conversion(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<FunnelParams>,
) -> Result<Json<StageConversionDto>, ApiError> {
    let query = q.0.query()?;
    let (conversion, frame) = state.store.stage_conversion(&caller.0, &query).await?;
    Ok(Json(StageConversionDto::new(conversion, frame)))
}
