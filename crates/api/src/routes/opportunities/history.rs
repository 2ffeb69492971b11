//! `GET /api/v1/opportunities/{id}/history`: one handler.
use actix_web::{get, web, web::Json};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::opportunity::{FieldHistoryDto, HistoryList};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::state::AppState;

/// Field history (amount, currency, close_date, owner_id, forecast_category,
/// stage_id) with old and new values, actor and time, oldest first.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "get_opportunity_history",
    params(("id" = Uuid, Path, description = "Opportunity id")),
    responses((status = 200, description = "Field history", body = HistoryList<FieldHistoryDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/{id}/history")]
pub async fn get_opportunity_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Json<HistoryList<FieldHistoryDto>>, ApiError> {
    let rows = state.store.field_history(&caller.0, id.into_inner()).await?;
    Ok(Json(HistoryList {
        data: rows.into_iter().map(Into::into).collect(),
    }))
}
