//! `GET /api/v1/opportunities/{id}`: one handler.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::opportunity::OpportunityDto;
use crate::error::ApiError;
use crate::error::responses::ReadProblems;
use crate::routes::with_etag;
use crate::state::AppState;

/// One opportunity.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "get_opportunity",
    params(("id" = Uuid, Path, description = "Opportunity id")),
    responses((status = 200, description = "The opportunity", body = OpportunityDto), ReadProblems),
    security(("bearer" = []))
)]
#[get("/opportunities/{id}")]
pub async fn get_opportunity(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let opp = state.store.get_opportunity(&caller.0, id.into_inner()).await?;
    Ok(with_etag(StatusCode::OK, opp.version, &OpportunityDto::from(opp)))
}
