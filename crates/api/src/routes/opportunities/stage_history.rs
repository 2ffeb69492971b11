//! `GET /api/v1/opportunities/{id}/stage-history`: one handler.
use actix_web::{get, web, web::Json};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::opportunity::{HistoryList, StageHistoryDto};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::state::AppState;

/// Every stage the opportunity entered, oldest first; each row's
/// `exited_at` equals the next row's `entered_at`.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "get_opportunity_stage_history",
    params(("id" = Uuid, Path, description = "Opportunity id")),
    responses((status = 200, description = "Stage history", body = HistoryList<StageHistoryDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/{id}/stage-history")]
pub async fn get_opportunity_stage_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Json<HistoryList<StageHistoryDto>>, ApiError> {
    let rows = state.store.stage_history(&caller.0, id.into_inner()).await?;
    Ok(Json(HistoryList {
        data: rows.into_iter().map(Into::into).collect(),
    }))
}
