//! `GET /api/v1/opportunities`: one handler.
use actix_web::{get, web, web::Json};

use crate::auth::Caller;
use crate::dto::List;
use crate::dto::opportunity::{OpportunityDto, OpportunityQuery, encode_cursor};
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Opportunities, filtered, keyset-paginated by creation time; paging never
/// skips or repeats a row while others write.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "list_opportunities",
    params(OpportunityQuery),
    responses((status = 200, description = "One page", body = List<OpportunityDto>), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities")]
pub async fn list_opportunities(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams<OpportunityQuery>,
) -> Result<Json<List<OpportunityDto>>, ApiError> {
    let filter = q.0.filter()?;
    let page = state.store.list_opportunities(&caller.0, &filter, q.0.page()?).await?;
    Ok(Json(List {
        next_cursor: page.next_after.map(encode_cursor),
        data: page.items.into_iter().map(Into::into).collect(),
    }))
}
