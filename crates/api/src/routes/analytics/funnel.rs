//! `GET /api/v1/analytics/funnel`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::analytics::{FunnelDto, FunnelParams};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The funnel of the deals created from `from` to `to` (org-local days), as
/// history stood at `as_of`: per stage in order, the deals that reached it
/// (entered it at least once), their amounts, conversion to the next stage
/// (`advanced / reached`, where advanced means it later entered any stage
/// further down, lost stages excepted, so skipped stages still convert),
/// where they stood at `as_of` with the win rate from that stage
/// (won / (won + lost)), and the median whole days of finished stays
/// (Hyndman & Fan definition 7); plus the overall win rate of the cohort.
/// With `as_of` absent or a date it reads rollups kept current by every
/// write (figures at the end of that local day); with an `as_of` timestamp
/// it aggregates stage history in SQL. Both give the same numbers.
#[utoipa::path(
    tag = "analytics",
    operation_id = "funnel",
    params(FunnelParams),
    responses((status = 200, description = "The funnel", body = FunnelDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/analytics/funnel")]
pub async fn funnel(state: web::Data<AppState>, caller: Caller, q: QueryParams<FunnelParams>) -> Result<Json<FunnelDto>, ApiError> {
    let query = q.0.query()?;
    let (funnel, frame) = state.store.funnel(&caller.0, &query).await?;
    let org = state.store.get_org(&caller.0).await?;
    Ok(Json(FunnelDto::new(funnel, frame, &org.base_currency)))
}
